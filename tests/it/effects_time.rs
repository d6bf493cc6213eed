//! The time and pitch effects (`tempo`, `pitch`, `speed`) against SoX 14.4.2 (`sox -D`, float
//! WAV in and out) as the oracle:
//! - `tempo` sample for sample (our WSOLA does SoX's arithmetic in SoX's order), with SoX's
//!   lengths, 1, 2 and 3 channels, every option;
//! - what a listener measures: `tempo F` changes the duration by 1/F and keeps the pitch of a
//!   steady tone; `pitch C` changes its pitch by 2^(C/1200) and keeps the duration; `speed`
//!   changes both by its factor — on our output and on SoX's, within 1 %;
//! - `speed` and `pitch` against SoX sample for sample where the resamplers allow (SNR);
//! - output lengths equal to SoX's for short and odd input lengths;
//! - chunked streaming equals `apply` bit for bit; bad arguments are `InvalidArgument`
//!   naming the effect and the argument.
//!
//! `timing_vs_sox` (ignored; run it with `--release -- --ignored --nocapture`) times 60 s of
//! stereo 44.1 kHz audio through `tempo 1.1` (and `pitch`, `speed`) against `sox`.

use crate::common;

use audiostream::ndarray::Array2;
use audiostream::{AudioEffector, Error};
use common::oracle::snr_db;
use common::signals::music;
use std::f64::consts::TAU;

const RATE: u32 = 44100;

/// `x` rounded to multiples of 2^-24: SoX's tempo reads its (32-bit integer) input as floats
/// rounded to 25 bits, so on such input SoX and we start from the same numbers.
fn quantized(x: Array2<f32>) -> Array2<f32> {
    const SCALE: f32 = (1 << 24) as f32;
    x.mapv(|v| (v * SCALE).round() / SCALE)
}

/// A steady tone of `freq` Hz at amplitude 0.5 in every channel.
fn tone(channels: usize, frames: usize, freq: f64) -> Array2<f32> {
    Array2::from_shape_fn((channels, frames), |(_, i)| {
        (0.5 * (TAU * freq * i as f64 / f64::from(RATE)).sin()) as f32
    })
}

/// A band-limited test signal (tones from 110 Hz to 5 kHz under a slow envelope, different
/// per channel): nothing near the Nyquist frequency, where SoX's and our resampling filters
/// differ by design.
fn tones(channels: usize, frames: usize) -> Array2<f32> {
    tones_at(channels, frames, 1.0)
}

/// [`tones`] played `speed` times faster: what `speed` ideally outputs.
fn tones_at(channels: usize, frames: usize, speed: f64) -> Array2<f32> {
    Array2::from_shape_fn((channels, frames), |(c, i)| {
        let t = i as f64 * speed / f64::from(RATE);
        let env = 0.6 + 0.4 * (TAU * 1.5 * t).sin();
        let c = c as f64;
        (0.3 * env * (TAU * 220.0 * (c + 1.0) * t).sin()
            + 0.2 * (TAU * (1330.0 + 170.0 * c) * t).sin()
            + 0.1 * (TAU * 3100.0 * t + c).sin()
            + 0.05 * (TAU * 4870.0 * t).sin()) as f32
    })
}

/// The frequency of a steady tone from its rising zero crossings (linearly interpolated)
/// over the middle 80 % of `x`.
fn frequency(x: &[f32]) -> f64 {
    let (from, to) = (x.len() / 10, x.len() * 9 / 10);
    let mut crossings = Vec::new();
    for i in from..to - 1 {
        let (a, b) = (f64::from(x[i]), f64::from(x[i + 1]));
        if a < 0.0 && b >= 0.0 {
            crossings.push(i as f64 + a / (a - b));
        }
    }
    assert!(crossings.len() > 10, "too few zero crossings");
    let span = crossings[crossings.len() - 1] - crossings[0];
    (crossings.len() - 1) as f64 / span * f64::from(RATE)
}

fn run(effect: &str, data: &Array2<f32>) -> Array2<f32> {
    let fx: AudioEffector = effect.parse().unwrap();
    fx.apply(data.view(), RATE).unwrap()
}

/// The middle 80 % of `x`: away from the first and last frames, where filters ring
/// differently on a signal that starts and stops abruptly.
fn middle(x: &[f32]) -> &[f32] {
    &x[x.len() / 10..x.len() * 9 / 10]
}

/// SNRs of one channel of ours against SoX's (or an ideal): `(whole, middle 80 %)`.
fn snrs(reference: &[f32], ours: &[f32]) -> (f64, f64) {
    (
        snr_db(reference, ours),
        snr_db(middle(reference), middle(ours)),
    )
}

/// Our output and SoX's for `effect`: asserts equal channel counts and lengths, returns the
/// worst per-channel SNRs `(whole, middle 80 %)`, and our output.
fn compare_both(effect: &str, data: &Array2<f32>) -> ((f64, f64), Array2<f32>) {
    let theirs = common::sox::sox_effect(data, RATE, effect);
    let ours = run(effect, data);
    assert_eq!(theirs.len(), data.nrows(), "{effect}: channels");
    let mut worst = (f64::INFINITY, f64::INFINITY);
    for (c, t) in theirs.iter().enumerate() {
        assert_eq!(
            ours.ncols(),
            t.len(),
            "{effect} ({} ch): length of channel {c} (input {})",
            data.nrows(),
            data.ncols()
        );
        let (whole, mid) = snrs(t, &ours.row(c).to_vec());
        worst = (worst.0.min(whole), worst.1.min(mid));
    }
    (worst, ours)
}

/// [`compare_both`]'s whole-signal SNR.
fn compare(effect: &str, data: &Array2<f32>) -> f64 {
    compare_both(effect, data).0 .0
}

/// `x` as SoX writes it to a float file: converted to its 32-bit integer samples (rounded),
/// then back to float rounded to 25 bits (SoX's `SOX_SAMPLE_TO_FLOAT_32BIT`).
fn sox_rounded(x: f32) -> f32 {
    const FULL: f64 = 2_147_483_648.0;
    let int = (f64::from(x) * FULL).round() as i64;
    (((int + 64) & !127) as f64 / FULL) as f32
}

/// `tempo` equals SoX's output sample for sample, with SoX's lengths: every option, 1 to 3
/// channels, on 0.75 s of `music` (quantized to SoX's 25-bit input; on other input a close
/// call between two overlap positions could go the other way).
///
/// Measured: SNR 141-158 dB, which is SoX's rounding of its output to 25 bits: rounded the
/// same way, our output is identical to SoX's except for at most 1 sample per signal (of
/// 26460-99225), one rounding step (2^-24) apart (a tie).
#[test]
fn tempo_matches_sox_sample_for_sample() {
    let chains = [
        "tempo 0.8",
        "tempo 1.25",
        "tempo -q 1.1",
        "tempo -m 1.5",
        "tempo -s 0.7 30",
        "tempo -l 2",
        "tempo -q -m 0.5 40 10 8",
        "tempo 3 10 0 0",
        "tempo 0.25 120 30 30",
    ];
    for (k, effect) in chains.into_iter().enumerate() {
        // Three channels for every third chain (time).
        let counts: &[usize] = if k % 3 == 0 { &[1, 2, 3] } else { &[1, 2] };
        for &channels in counts {
            let data = quantized(music(channels, RATE as usize * 3 / 4, RATE) * 0.9);
            let theirs = common::sox::sox_effect(&data, RATE, effect);
            let ours = run(effect, &data);
            let (mut snr, mut differ) = (f64::INFINITY, 0);
            for (c, t) in theirs.iter().enumerate() {
                let o = ours.row(c).to_vec();
                assert_eq!(o.len(), t.len(), "{effect} ({channels} ch): length");
                snr = snr.min(snr_db(t, &o));
                for (&a, &b) in t.iter().zip(&o) {
                    let b = sox_rounded(b);
                    if a != b {
                        differ += 1;
                        assert!(
                            f64::from(a - b).abs() <= 1.0 / f64::from(1 << 24),
                            "{effect} ({channels} ch): {a} vs {b}"
                        );
                    }
                }
            }
            eprintln!("{effect:24} {channels} ch: {snr:.1} dB; {differ} samples differ by 2^-24");
            assert!(snr >= 130.0, "{effect} ({channels} ch): SNR {snr:.1} dB");
            assert!(
                differ <= 4,
                "{effect} ({channels} ch): {differ} samples differ"
            );
        }
    }
}

/// `tempo F` on a steady 440 Hz tone (2 s, mono and stereo): the length is exactly
/// `round(n / F)` frames, SoX's; the duration ratio is 1/F (within 1 %: measured exact to the
/// rounding), and the pitch stays 440 Hz within 1 % on our output and on SoX's.
///
/// Measured (mono and stereo alike): tempo 0.8: 110250 frames from 88200 (ratio 1.25000),
/// 439.997 Hz ours and SoX's; tempo 1.25: 70560 frames (0.80000), 439.999 Hz ours and SoX's.
#[test]
fn tempo_changes_duration_not_pitch() {
    let n = 2 * RATE as usize;
    for factor in [0.8, 1.25] {
        for channels in [1, 2] {
            let data = tone(channels, n, 440.0);
            let effect = format!("tempo {factor}");
            let ours = run(&effect, &data);
            let theirs = common::sox::sox_effect(&data, RATE, &effect);
            let expected = (n as f64 / factor + 0.5).floor() as usize;
            assert_eq!(ours.ncols(), expected, "{effect}: our length");
            assert_eq!(theirs[0].len(), expected, "{effect}: SoX's length");
            let ratio = ours.ncols() as f64 / n as f64;
            assert!(
                (ratio * factor - 1.0).abs() < 0.01,
                "{effect}: ratio {ratio}"
            );
            for (c, t) in theirs.iter().enumerate() {
                let f_ours = frequency(&ours.row(c).to_vec());
                let f_sox = frequency(t);
                eprintln!(
                    "{effect} {channels} ch: {} -> {} frames ({ratio:.5}); {f_ours:.3} Hz \
                     (SoX {f_sox:.3} Hz)",
                    n,
                    ours.ncols()
                );
                for f in [f_ours, f_sox] {
                    assert!((f / 440.0 - 1.0).abs() < 0.01, "{effect}: {f} Hz");
                }
            }
        }
    }
}

/// `pitch C` on a steady 440 Hz tone (2 s, mono and stereo): the pitch moves by 2^(C/1200)
/// within 1 % on our output and on SoX's, and the length stays `n` (SoX's length exactly:
/// `round(round(n / f) × f)` with f SoX's 6-digit tempo factor; here `n` itself).
///
/// Measured: pitch -300: 369.996 Hz (expected 369.994), SoX's 369.996 Hz; pitch 500:
/// 587.332 Hz (expected 587.330), SoX's 587.332 Hz; 88200 frames from 88200. Against SoX
/// sample for sample (the same WSOLA, different resampling filters): 89.2 dB (pitch -300),
/// 95.5 dB (pitch 500) on the tone.
#[test]
fn pitch_changes_pitch_not_duration() {
    let n = 2 * RATE as usize;
    for cents in [-300.0f64, 500.0] {
        let expected = 440.0 * (cents / 1200.0).exp2();
        for channels in [1, 2] {
            let data = quantized(tone(channels, n, 440.0));
            let effect = format!("pitch {cents}");
            let ours = run(&effect, &data);
            let theirs = common::sox::sox_effect(&data, RATE, &effect);
            assert_eq!(ours.ncols(), theirs[0].len(), "{effect}: SoX's length");
            assert_eq!(ours.ncols(), n, "{effect}: length");
            for (c, t) in theirs.iter().enumerate() {
                let f_ours = frequency(&ours.row(c).to_vec());
                let f_sox = frequency(t);
                let snr = snr_db(t, &ours.row(c).to_vec());
                eprintln!(
                    "{effect} {channels} ch: {f_ours:.3} Hz (SoX {f_sox:.3} Hz, expected \
                     {expected:.3}); SNR vs SoX {snr:.1} dB"
                );
                for f in [f_ours, f_sox] {
                    assert!((f / expected - 1.0).abs() < 0.01, "{effect}: {f} Hz");
                }
                assert!(snr >= 60.0, "{effect}: SNR {snr:.1} dB");
            }
        }
    }
}

/// `pitch` against SoX sample for sample on band-limited music-like tones (1 s, mono and
/// stereo): the WSOLA stage is SoX's; the rate change uses our resampler instead of SoX's
/// `rate -h` (flat to 0.98 of Nyquist rather than 0.91, and far longer), so the SNR is the
/// resamplers': lowest at the abrupt start and end, where the filters ring differently.
///
/// Measured (worst channel, whole / middle 80 %): pitch -300: 70.0 / 103.1 dB, pitch 500:
/// 72.7 / 104.6 dB, pitch -q 1200: 74.6 / 112.4 dB.
#[test]
fn pitch_matches_sox() {
    for effect in ["pitch -300", "pitch 500", "pitch -q 1200"] {
        for channels in [1, 2] {
            let data = quantized(tones(channels, RATE as usize * 3 / 5));
            let ((whole, mid), _) = compare_both(effect, &data);
            eprintln!("{effect:16} {channels} ch: {whole:.1} dB, middle {mid:.1} dB");
            assert!(whole >= 60.0, "{effect} ({channels} ch): SNR {whole:.1} dB");
            assert!(
                mid >= 90.0,
                "{effect} ({channels} ch): middle SNR {mid:.1} dB"
            );
        }
    }
}

/// `speed 1.25` and `speed -200c`: duration and pitch change by the factor (a 440 Hz tone,
/// 2 s), on our output and on SoX's, within 1 %; lengths equal to SoX's.
///
/// Measured: speed 1.25: 70560 frames from 88200 (0.80000), 550.000 Hz (SoX 550.000 Hz);
/// speed -200c (0.890899): 99001 frames (1.12246), 391.995 Hz (SoX 391.995 Hz; expected
/// 391.995).
#[test]
fn speed_changes_duration_and_pitch() {
    let n = 2 * RATE as usize;
    for (effect, factor) in [
        ("speed 1.25", 1.25f64),
        ("speed -200c", (-200.0f64 / 1200.0).exp2()),
    ] {
        for channels in [1, 2] {
            let data = tone(channels, n, 440.0);
            let ours = run(effect, &data);
            let theirs = common::sox::sox_effect(&data, RATE, effect);
            assert_eq!(ours.ncols(), theirs[0].len(), "{effect}: SoX's length");
            let ratio = ours.ncols() as f64 / n as f64;
            assert!(
                (ratio * factor - 1.0).abs() < 0.01,
                "{effect}: ratio {ratio}"
            );
            for (c, t) in theirs.iter().enumerate() {
                let f_ours = frequency(&ours.row(c).to_vec());
                let f_sox = frequency(t);
                eprintln!(
                    "{effect} {channels} ch: {n} -> {} frames ({ratio:.5}); {f_ours:.3} Hz \
                     (SoX {f_sox:.3} Hz)",
                    ours.ncols()
                );
                for f in [f_ours, f_sox] {
                    assert!(
                        (f / (440.0 * factor) - 1.0).abs() < 0.01,
                        "{effect}: {f} Hz"
                    );
                }
            }
        }
    }
}

/// `speed` against SoX sample for sample (both resample with sharp filters) and against the
/// ideal output (the band-limited tones evaluated at `factor` times the time): 1 s of tones,
/// mono and stereo; and on `music`, whose white noise reaches the Nyquist frequency, where
/// the filters differ by design (SoX's `rate -h` passes up to 0.91 of Nyquist, ours up to
/// 0.98).
///
/// Measured (worst channel; vs SoX whole / middle 80 %; middle vs ideal, ours and SoX's):
/// speed 1.25: 79.8 / 133.0 dB, ideal 149.1 (SoX 132.9) dB; speed -200c: 77.8 / 116.0 dB,
/// ideal 116.1 (SoX 134.6) dB — our ratio is 26547/29798, off by 1.2e-10; speed 0.5:
/// 80.2 / 140.7 dB, ideal 150.4 (SoX 140.5) dB; speed 300c: 77.9 / 119.1 dB, ideal 118.7
/// (SoX 134.7) dB. The whole-signal SNR is set by the abrupt start and end, where the
/// filters ring differently. Music: 44.3 dB (speed 1.25), 41.2 dB (speed -200c).
#[test]
fn speed_matches_sox() {
    for (effect, factor) in [
        ("speed 1.25", 1.25f64),
        ("speed -200c", (-200.0f64 / 1200.0).exp2()),
        ("speed 0.5", 0.5),
        ("speed 300c", (300.0f64 / 1200.0).exp2()),
    ] {
        for channels in [1, 2] {
            let data = tones(channels, RATE as usize);
            let theirs = common::sox::sox_effect(&data, RATE, effect);
            let ((whole, mid), ours) = compare_both(effect, &data);
            let ideal = tones_at(channels, ours.ncols(), factor);
            let (mut ours_ideal, mut sox_ideal) = (f64::INFINITY, f64::INFINITY);
            for (c, t) in theirs.iter().enumerate() {
                let i = ideal.row(c).to_vec();
                ours_ideal = ours_ideal.min(snrs(&i, &ours.row(c).to_vec()).1);
                sox_ideal = sox_ideal.min(snrs(&i, t).1);
            }
            eprintln!(
                "{effect:12} {channels} ch: vs SoX {whole:.1} dB, middle {mid:.1} dB; middle vs \
                 ideal {ours_ideal:.1} dB (SoX {sox_ideal:.1} dB)"
            );
            assert!(whole >= 70.0, "{effect} ({channels} ch): SNR {whole:.1} dB");
            assert!(mid >= 110.0, "{effect} ({channels} ch): middle {mid:.1} dB");
            assert!(ours_ideal >= 110.0, "{effect}: vs ideal {ours_ideal:.1} dB");
        }
    }
    for effect in ["speed 1.25", "speed -200c"] {
        let snr = compare(effect, &music(2, RATE as usize, RATE));
        eprintln!("{effect:12} 2 ch, music: {snr:.1} dB");
        assert!(snr >= 25.0, "{effect} (music): SNR {snr:.1} dB");
    }
}

/// Output lengths equal SoX's for short and odd input lengths: `tempo F` gives
/// `floor(n / F + 1/2)`; `speed F` `floor(n / F' + 1/2)` with SoX's F' = (R × F) / R; `pitch`
/// `floor(m × f + 1/2)` with `m = floor(n / f + 1/2)`, `f` SoX's 6-digit tempo factor.
#[test]
fn lengths_match_sox() {
    let effects = [
        "tempo 0.8",
        "tempo 1.3",
        "pitch -300",
        "pitch 500",
        "speed 1.25",
        "speed -200c",
    ];
    // 44100 frames: SoX's pitch -300 gives 44099 (37083 × 1.18921 = 44099.47).
    for frames in [1, 7, 1001, 44100] {
        let data = music(1, frames, RATE);
        for effect in effects {
            let theirs = common::sox::sox_effect(&data, RATE, effect);
            let ours = run(effect, &data);
            assert_eq!(
                ours.ncols(),
                theirs[0].len(),
                "{effect}: length from {frames} frames"
            );
        }
    }
    // No input, no output (as SoX).
    for effect in effects {
        assert_eq!(
            run(effect, &Array2::zeros((2, 0))).dim(),
            (2, 0),
            "{effect}"
        );
    }
}

/// Runs `data` through a stream in chunks of `chunk` frames, then flushes.
fn streamed(fx: &AudioEffector, data: &Array2<f32>, chunk: usize) -> Array2<f32> {
    common::effects::streamed(fx, data, RATE, chunk)
}

/// Chunks of 1, 64, 1000 and 4096 frames through `EffectStream`, then `flush`, equal `apply`
/// bit for bit, mono and stereo.
#[test]
fn streaming_equals_apply() {
    // (effect, channel counts): every effect in mono and stereo, variants in stereo.
    let cases: [(&str, &[usize]); 7] = [
        ("tempo 0.8", &[1, 2]),
        ("tempo -q 1.25", &[2]),
        ("tempo -l 2", &[2]),
        ("pitch -300", &[1, 2]),
        ("pitch 500", &[2]),
        ("speed 1.25", &[1, 2]),
        ("speed -200c", &[2]),
    ];
    for (effect, counts) in cases {
        let fx: AudioEffector = effect.parse().unwrap();
        for &channels in counts {
            let data = music(channels, 9000, RATE);
            let whole = fx.apply(data.view(), RATE).unwrap();
            for chunk in [1, 64, 1000, 4096] {
                assert_eq!(
                    streamed(&fx, &data, chunk),
                    whole,
                    "{effect}, {channels} ch, chunks of {chunk}"
                );
            }
        }
    }
}

/// Factor 1 (and pitch 0, speed 0c) changes nothing, as in SoX (a null effect).
#[test]
fn unit_factors_pass_through() {
    let data = music(2, 5000, RATE);
    for effect in ["tempo 1", "pitch 0", "speed 1", "speed 0c"] {
        assert_eq!(run(effect, &data), data, "{effect}");
    }
}

/// `param` sets the named arguments (checked like the positional ones).
#[test]
fn params() {
    let data = music(1, 20000, RATE);
    let by_param = AudioEffector::new("tempo", &[1.5])
        .unwrap()
        .param("factor", 0.8)
        .unwrap()
        .param("segment", 40.0)
        .unwrap();
    assert_eq!(
        by_param.apply(data.view(), RATE).unwrap(),
        run("tempo 0.8 40", &data)
    );
    let pitch = AudioEffector::new("pitch", &[100.0])
        .unwrap()
        .param("shift", -300.0)
        .unwrap();
    assert_eq!(
        pitch.apply(data.view(), RATE).unwrap(),
        run("pitch -300", &data)
    );
    let speed = AudioEffector::new("speed", &[2.0])
        .unwrap()
        .param("factor", 1.25)
        .unwrap();
    assert_eq!(
        speed.apply(data.view(), RATE).unwrap(),
        run("speed 1.25", &data)
    );
    for (fx, name, value) in [
        (AudioEffector::new("tempo", &[1.5]).unwrap(), "factor", 0.0),
        (
            AudioEffector::new("tempo", &[1.5]).unwrap(),
            "overlap",
            31.0,
        ),
        (
            AudioEffector::new("pitch", &[100.0]).unwrap(),
            "shift",
            5000.0,
        ),
        (AudioEffector::new("speed", &[2.0]).unwrap(), "factor", -1.0),
    ] {
        assert_invalid(fx.param(name, value).map(|_| ()), &[name]);
    }
}

/// Asserts `InvalidArgument` whose message contains every string of `needles`.
fn assert_invalid(result: Result<(), Error>, needles: &[&str]) {
    match result {
        Err(Error::InvalidArgument(msg)) => {
            for n in needles {
                assert!(msg.contains(n), "{msg:?} does not mention {n:?}");
            }
        }
        other => panic!("expected InvalidArgument mentioning {needles:?}, got {other:?}"),
    }
}

/// Every bad argument is `InvalidArgument` naming the effect and the argument (SoX rejects
/// them all too, except `speed 5000` and `speed 20000c`, which SoX accepts and our
/// resampler's ratio limit of 1024 does not).
#[test]
fn bad_arguments() {
    let cases: &[(&str, &[&str])] = &[
        // tempo: missing, out of range, not a number, bad flags, too many.
        ("tempo", &["tempo", "number of arguments"]),
        ("tempo 0", &["tempo factor", "0.1 to 100"]),
        ("tempo 0.09", &["tempo factor", "0.1 to 100"]),
        ("tempo 101", &["tempo factor", "0.1 to 100"]),
        ("tempo -1", &["tempo factor", "0.1 to 100"]),
        ("tempo 1.2x", &["tempo factor", "1.2x"]),
        ("tempo fast", &["tempo factor", "fast"]),
        ("tempo nan", &["tempo factor"]),
        ("tempo -x 1.2", &["tempo option", "-x", "-q, -m, -s, -l"]),
        ("tempo -qz 1.2", &["tempo option", "-qz"]),
        ("tempo 1.2 5", &["tempo segment", "10 to 120"]),
        ("tempo 1.2 121", &["tempo segment", "10 to 120"]),
        ("tempo 1.2 50 31", &["tempo search", "0 to 30"]),
        ("tempo 1.2 50 10 -1", &["tempo overlap", "0 to 30"]),
        ("tempo 1.2 50 10 31", &["tempo overlap", "0 to 30"]),
        ("tempo 1.2 50 10 10 5", &["tempo", "number of arguments"]),
        // pitch.
        ("pitch", &["pitch", "number of arguments"]),
        ("pitch 4000", &["pitch shift", "3986"]),
        ("pitch -7973", &["pitch shift", "-7972"]),
        ("pitch 100c", &["pitch shift", "100c"]),
        ("pitch up", &["pitch shift", "up"]),
        ("pitch -m 100", &["pitch option", "-m"]),
        ("pitch -q -q 100", &["pitch option", "-q"]),
        ("pitch 100 5", &["pitch segment", "10 to 120"]),
        ("pitch 100 50 30 30 1", &["pitch", "number of arguments"]),
        // speed: factor <= 0, not a number, cents suffix misuse, counts, our range.
        ("speed", &["speed", "number of arguments"]),
        ("speed 0", &["speed factor", "0.001 to 1000"]),
        ("speed -1", &["speed factor", "0.001 to 1000"]),
        ("speed 1.5x", &["speed factor", "1.5x", "c suffix"]),
        ("speed 100cc", &["speed factor", "100cc"]),
        ("speed c", &["speed factor = c;"]),
        ("speed 1.25C", &["speed factor", "1.25C"]),
        ("speed -c 100", &["speed", "number of arguments"]),
        ("speed 1 2", &["speed", "number of arguments"]),
        ("speed nan", &["speed factor", "nan"]),
        ("speed inf", &["speed factor", "inf"]),
        ("speed 5000", &["speed factor", "5000", "0.001 to 1000"]),
        ("speed 20000c", &["speed factor", "20000c", "11958c"]),
    ];
    for (chain, needles) in cases {
        assert_invalid(chain.parse::<AudioEffector>().map(|_| ()), needles);
    }
    // The numeric constructor takes the same checks.
    assert_invalid(
        AudioEffector::new("speed", &[0.0]).map(|_| ()),
        &["speed factor"],
    );
    assert_invalid(
        AudioEffector::new("tempo", &[0.05]).map(|_| ()),
        &["tempo factor"],
    );
    assert_invalid(
        AudioEffector::new("tempo", &[1.1, 82.0, 14.68, 12.0, 1.0]).map(|_| ()),
        &["tempo", "number of arguments"],
    );
    assert_invalid(
        AudioEffector::new("pitch", &[-8000.0]).map(|_| ()),
        &["pitch shift"],
    );
}

/// Times 60 s of stereo 44.1 kHz music through `tempo 1.1` (and `tempo -q 1.1`, `pitch 300`,
/// `speed 1.1`; `vol 0.9` shows the cost of `apply`'s copies), ours (`apply`, best of 5)
/// against `sox -D in.wav out.wav <effect>` (best of 5; reading and writing the float WAV
/// included, about 30 ms). Run with `--release -- --ignored --nocapture`.
///
/// Measured (2 shared cores): vol 0.9 0.010 s (SoX 0.032 s); tempo 1.1 0.112 s (SoX 0.473 s,
/// ratio 0.24); tempo -q 1.1 0.057 s (SoX 0.063 s, 0.92); pitch 300 0.348 s (SoX 0.771 s,
/// 0.45); speed 1.1 0.103 s (SoX 0.145 s, 0.71).
#[test]
#[ignore]
fn timing_vs_sox() {
    let data = music(2, 60 * RATE as usize, RATE);
    let dir = common::signals::TempDir::new("time-timing");
    let (inp, out) = (dir.path("in.wav"), dir.path("out.wav"));
    common::sox::write_flt(&inp, &data, RATE);
    for effect in [
        "vol 0.9",
        "tempo 1.1",
        "tempo -q 1.1",
        "pitch 300",
        "speed 1.1",
    ] {
        let fx: AudioEffector = effect.parse().unwrap();
        let mut ours = f64::INFINITY;
        let mut theirs = f64::INFINITY;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let y = fx.apply(data.view(), RATE).unwrap();
            ours = ours.min(t.elapsed().as_secs_f64());
            assert!(y.ncols() > 0);
            let t = std::time::Instant::now();
            let status = std::process::Command::new("sox")
                .args(["-D"])
                .arg(&inp)
                .arg(&out)
                .args(effect.split_whitespace())
                .status()
                .unwrap();
            assert!(status.success());
            theirs = theirs.min(t.elapsed().as_secs_f64());
        }
        eprintln!(
            "{effect:14} ours {ours:.3} s, sox {theirs:.3} s, ratio {:.2}",
            ours / theirs
        );
    }
}
