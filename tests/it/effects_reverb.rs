//! SoX `reverb` against `sox -D` (SoX 14.4.2; float WAV in, float WAV out) as the oracle:
//! sample values (SNR), output length, the reverberation time a listener hears (RT60 from
//! Schroeder backward integration), chunked streaming equal to `apply` bit for bit, and every
//! bad argument. The performance comparison with `sox` is an ignored test meant for release
//! mode: `cargo test --release --all-features --test effects_reverb -- --ignored --nocapture`.

use crate::common;

use audiostream::ndarray::{s, Array2};
use audiostream::{AudioEffector, Error};
use common::effects::{invalid, streamed};
use common::oracle::snr_db;
use common::signals::{music, TempDir};
use common::sox::{sox_effect, write_flt};

const RATE: u32 = 44100;

/// Our `apply` vs SoX for one chain on `data`: checks the channel count and the length, and
/// returns the worst per-channel SNR.
fn compare(effect: &str, data: &Array2<f32>, rate: u32) -> f64 {
    let theirs = sox_effect(data, rate, effect);
    let fx: AudioEffector = effect.parse().unwrap();
    let ours = fx.apply(data.view(), rate).unwrap();
    assert_eq!(theirs.len(), data.nrows(), "{effect}: channels");
    let mut worst = f64::INFINITY;
    for (c, t) in theirs.iter().enumerate() {
        assert_eq!(t.len(), ours.ncols(), "{effect}: length of channel {c}");
        worst = worst.min(snr_db(t, &ours.row(c).to_vec()));
    }
    worst
}

/// Default settings, `-w`, stereo depth 0 / 50 / 100, pre-delay, wet gain, room scale 0 and
/// the extremes, mono and stereo (0.5 s of music at 44.1 kHz, scaled by 0.5).
///
/// Measured SNR vs `sox -D`, worst channel: 120.9–138.8 dB mono, 123.6–138.7 dB stereo
/// (default 135.8 / 134.6 dB, `-w` 127.4 / 124.0 dB, depth 0 132.8 / 132.7 dB, pre-delay
/// 25 ms 136.5 / 134.4 dB, `100 0 0 100 0 10` 120.9 / 123.6 dB). The whole residual is
/// SoX's sample format: it reads and writes float WAV through 32-bit integers rounded to 25
/// significant bits, and that input rounding is then reverberated (most at reverberance 100
/// with +10 dB wet gain); [`bit_exact_against_soxs_integers`] shows the arithmetic itself is
/// SoX's bit for bit. Mono input: SoX makes two channels and `sox` averages them for the mono
/// file; we return that average.
const CHAINS: &[&str] = &[
    "reverb",
    "reverb -w",
    "reverb --wet-only 90 10 100 50 100 5",
    "reverb 80 20 60 0",
    "reverb 30 70 40 100 25 -3",
    "reverb 50 50 100 100 120",
    "reverb 100 0 0 100 0 10",
    "reverb 0 100 100 0 500 -10",
    "reverb -w 65 35 75 0 40",
];

#[test]
fn matches_sox() {
    for channels in [1, 2] {
        let data = music(channels, 22050, RATE) * 0.5;
        for &effect in CHAINS {
            let snr = compare(effect, &data, RATE);
            eprintln!("{effect:45} {channels} ch: {snr:.1} dB");
            assert!(
                snr >= 60.0,
                "{effect} ({channels} ch): SNR {snr:.1} dB < 60"
            );
        }
    }
}

/// Other rates (the delay lengths scale with the rate and round like SoX's), more than two
/// channels (SoX then ignores the stereo depth and runs each channel alone), and clipping at
/// full scale with +10 dB wet gain.
///
/// Measured: 8 kHz mono 134.6 dB, 48 kHz stereo 135.5 dB, 22.05 kHz 3 channels 132.5 dB,
/// clipping stereo 137.8 dB.
#[test]
fn matches_sox_other_rates_channels_and_clipping() {
    let cases: [(u32, usize, f32, &str); 4] = [
        (8000, 1, 0.5, "reverb 70 30 80 60 15"),
        (48000, 2, 0.5, "reverb 40 60 90 80"),
        (22050, 3, 0.5, "reverb 60 40 50 100 10"),
        (RATE, 2, 1.0, "reverb 95 50 100 100 0 10"),
    ];
    for (rate, channels, scale, effect) in cases {
        let data = music(channels, rate as usize / 2, rate) * scale;
        let snr = compare(effect, &data, rate);
        eprintln!("{effect:45} {rate} Hz {channels} ch: {snr:.1} dB");
        assert!(snr >= 60.0, "{effect} at {rate} Hz: SNR {snr:.1} dB < 60");
    }
}

/// SoX's integer samples (`-t s32`) for `data` through `effect`.
fn sox_ints(data: &Array2<f32>, rate: u32, effect: &str) -> Vec<Vec<i32>> {
    let dir = TempDir::new("reverb-s32");
    let (inp, out) = (dir.path("in.wav"), dir.path("out.s32"));
    write_flt(&inp, data, rate);
    let status = std::process::Command::new("sox")
        .args(["-V1", "-D"])
        .arg(&inp)
        .args(["-t", "s32"])
        .arg(&out)
        .args(effect.split_whitespace())
        .status()
        .expect("running sox");
    assert!(status.success(), "sox failed for {effect:?}");
    let bytes = std::fs::read(&out).unwrap();
    let mut planar = vec![Vec::new(); data.nrows()];
    for (i, b) in bytes.chunks_exact(4).enumerate() {
        planar[i % data.nrows()].push(i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    }
    planar
}

/// Sample for sample: with input SoX reads exactly (16-bit values), every output sample is
/// SoX's 32-bit integer sample, up to the two conversions between them: SoX truncates our
/// float to its integer (`x * 2^31`, toward zero), and for mono input with a stereo depth
/// (SoX's two channels averaged in integers) ours is that integer rounded to f32. So the
/// filter arithmetic (f32, SoX's order) is bit-identical to SoX's. Checked for every chain of
/// [`CHAINS`], 1, 2 and 3 channels: no sample differs.
#[test]
fn bit_exact_against_soxs_integers() {
    let scale = 2f64.powi(31);
    for channels in [1, 2, 3] {
        let data = (music(channels, 22050, RATE) * 0.5).mapv(|x| (x * 32768.0).round() / 32768.0);
        for &effect in CHAINS {
            let theirs = sox_ints(&data, RATE, effect);
            let ours = effect
                .parse::<AudioEffector>()
                .unwrap()
                .apply(data.view(), RATE)
                .unwrap();
            for (c, t) in theirs.iter().enumerate() {
                assert_eq!(t.len(), ours.ncols());
                for (i, (&s, &o)) in t.iter().zip(ours.row(c).iter()).enumerate() {
                    let truncated = (f64::from(o) * scale).trunc().min(scale - 1.0) as i32;
                    let rounded = (f64::from(s) / scale) as f32;
                    assert!(
                        truncated == s || rounded == o,
                        "{effect}, {channels} ch, channel {c}, sample {i}: SoX {s}, ours {o:e}"
                    );
                }
            }
        }
    }
}

/// The output keeps the input's length, exactly like SoX 14.4.2 (its reverb has no drain,
/// so no tail is appended; checked here against SoX's own output length, with and without
/// pre-delay), and `flush` returns nothing.
#[test]
fn length_matches_sox() {
    for effect in ["reverb", "reverb 50 50 100 100 200", "reverb -w 90"] {
        for channels in [1, 2] {
            let data = music(channels, 9000, RATE) * 0.5;
            let theirs = sox_effect(&data, RATE, effect);
            let fx: AudioEffector = effect.parse().unwrap();
            let ours = fx.apply(data.view(), RATE).unwrap();
            assert_eq!(theirs[0].len(), 9000, "{effect}: SoX's length");
            assert_eq!(ours.dim(), (channels, theirs[0].len()), "{effect}");
            let mut st = fx.stream(RATE, channels).unwrap();
            assert_eq!(st.process(data.view()).unwrap().ncols(), 9000);
            assert_eq!(st.flush().unwrap().dim(), (channels, 0), "{effect}: flush");
            let empty = Array2::<f32>::zeros((channels, 0));
            assert_eq!(fx.apply(empty.view(), RATE).unwrap().dim(), (channels, 0));
        }
    }
}

/// Reverberation time from a response `h`: Schroeder's backward-integrated energy decay curve
/// in dB, a least-squares line through its -5..-35 dB part (T30), extrapolated to -60 dB.
fn rt60(h: &[f32], rate: u32) -> f64 {
    let mut edc = vec![0.0f64; h.len()];
    let mut acc = 0.0;
    for (i, &x) in h.iter().enumerate().rev() {
        acc += f64::from(x) * f64::from(x);
        edc[i] = acc;
    }
    let total = edc[0];
    let (mut n, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &e) in edc.iter().enumerate() {
        let db = 10.0 * (e / total).log10();
        if (-35.0..=-5.0).contains(&db) {
            let t = i as f64 / f64::from(rate);
            n += 1.0;
            sx += t;
            sy += db;
            sxx += t * t;
            sxy += t * db;
        }
    }
    assert!(n > 100.0, "the decay never reached -35 dB");
    let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    -60.0 / slope
}

/// What a listener measures: RT60 of the wet response to an impulse followed by silence,
/// ours vs SoX's, within 20 % (three settings, mono and stereo; the impulse is in the left
/// channel of the stereo input, the right output channel is measured).
///
/// Measured (s, ours / SoX): `-w 20 50 100`: 0.426 / 0.426 (mono), 0.436 / 0.436 (stereo);
/// `-w 50 50 50`: 0.832 / 0.832, 0.827 / 0.827; `-w 90 30 20`: 1.883 / 1.883,
/// 1.861 / 1.861 — equal to the millisecond (the outputs are SoX's to its sample format).
#[test]
fn rt60_matches_sox() {
    let frames = 3 * RATE as usize;
    for effect in [
        "reverb -w 20 50 100",
        "reverb -w 50 50 50",
        "reverb -w 90 30 20",
    ] {
        for channels in [1, 2] {
            let mut data = Array2::<f32>::zeros((channels, frames));
            data[[0, 0]] = 0.5;
            let theirs = sox_effect(&data, RATE, effect);
            let fx: AudioEffector = effect.parse().unwrap();
            let ours = fx.apply(data.view(), RATE).unwrap();
            let c = channels - 1;
            let (t_sox, t_ours) = (rt60(&theirs[c], RATE), rt60(&ours.row(c).to_vec(), RATE));
            eprintln!("{effect:25} {channels} ch: RT60 ours {t_ours:.3} s, SoX {t_sox:.3} s");
            assert!(
                (t_ours / t_sox - 1.0).abs() <= 0.2,
                "{effect}: RT60 {t_ours:.3} s vs SoX {t_sox:.3} s"
            );
            assert!(t_sox > 0.2, "{effect}: a reverb that decays in {t_sox} s");
        }
    }
}

#[test]
fn streaming_equals_apply() {
    for effect in [
        "reverb",
        "reverb -w 70 30 50 40 20 3",
        "reverb 60 40 80 0 5",
    ] {
        let fx: AudioEffector = effect.parse().unwrap();
        for channels in [1, 2, 3] {
            let data = music(channels, 11025, RATE) * 0.5;
            let whole = fx.apply(data.view(), RATE).unwrap();
            for chunk in [1, 64, 1000, 4096] {
                let joined = streamed(&fx, &data, RATE, chunk);
                assert_eq!(joined, whole, "{effect}, {channels} ch, chunks of {chunk}");
            }
        }
    }
}

#[test]
fn new_and_param_equal_the_parsed_form() {
    let parsed: AudioEffector = "reverb -w 70 30 50 40 20 3".parse().unwrap();
    let new = AudioEffector::new("reverb", &[70.0, 30.0, 50.0, 40.0, 20.0, 3.0])
        .unwrap()
        .param("wet_only", 1.0)
        .unwrap();
    assert_eq!(new, parsed);
    let mut by_param = AudioEffector::new("reverb", &[]).unwrap();
    for (name, v) in [
        ("reverberance", 70.0),
        ("hf_damping", 30.0),
        ("room_scale", 50.0),
        ("stereo_depth", 40.0),
        ("pre_delay", 20.0),
        ("wet_gain", 3.0),
        ("wet_only", 1.0),
    ] {
        by_param = by_param.param(name, v).unwrap();
    }
    assert_eq!(by_param, parsed);
    assert_eq!(
        AudioEffector::new("reverb", &[50.0, 50.0, 100.0, 100.0, 0.0, 0.0]).unwrap(),
        "reverb".parse().unwrap()
    );
    let entry = audiostream::effects::list()
        .into_iter()
        .find(|e| e.name == "reverb")
        .unwrap();
    assert!(entry.usage.starts_with("reverb [-w|--wet-only]"));
    assert_eq!(entry.arguments.len(), 7);
}

#[test]
fn reverberance_out_of_range() {
    invalid(
        "reverb 101".parse(),
        &["reverb reverberance", "101", "0 to 100"],
    );
    invalid(
        "reverb -1".parse(),
        &["reverb reverberance", "-1", "0 to 100"],
    );
}

#[test]
fn hf_damping_out_of_range() {
    invalid("reverb 50 -0.5".parse(), &["reverb hf_damping", "-0.5"]);
    invalid(
        AudioEffector::new("reverb", &[50.0, 100.5]),
        &["reverb hf_damping", "100.5"],
    );
}

#[test]
fn room_scale_out_of_range() {
    invalid("reverb 50 50 150".parse(), &["reverb room_scale", "150"]);
}

#[test]
fn stereo_depth_out_of_range() {
    invalid(
        "reverb 50 50 100 200".parse(),
        &["reverb stereo_depth", "200"],
    );
}

#[test]
fn negative_or_long_pre_delay() {
    invalid(
        "reverb 50 50 100 100 -5".parse(),
        &["reverb pre_delay", "-5", "0 to 500"],
    );
    invalid(
        "reverb 50 50 100 100 600".parse(),
        &["reverb pre_delay", "600", "0 to 500"],
    );
}

#[test]
fn wet_gain_out_of_range() {
    invalid(
        "reverb 50 50 100 100 0 11".parse(),
        &["reverb wet_gain", "11", "-10 to 10"],
    );
    invalid(
        "reverb -w 50 50 100 100 0 -10.5".parse(),
        &["reverb wet_gain", "-10.5"],
    );
}

#[test]
fn too_many_arguments() {
    invalid(
        "reverb 50 50 100 100 0 0 1".parse(),
        &["reverb", "arguments", "7", "at most 6"],
    );
    invalid(
        AudioEffector::new("reverb", &[50.0, 50.0, 100.0, 100.0, 0.0, 0.0, 0.0]),
        &["reverb", "arguments"],
    );
}

#[test]
fn bad_flag() {
    invalid("reverb -x 50".parse(), &["reverb option", "-x", "-w"]);
    invalid("reverb --wet 50".parse(), &["reverb option", "--wet"]);
    // `-w` only before the numbers, as in SoX.
    invalid("reverb 50 -w".parse(), &["reverb option", "-w", "before"]);
}

#[test]
fn not_a_number() {
    invalid("reverb abc".parse(), &["reverb reverberance", "abc"]);
    // SoX's strtod parse rejects trailing text, so `50%` is no number either.
    invalid("reverb 50 50%".parse(), &["reverb hf_damping", "50%"]);
    invalid(
        AudioEffector::new("reverb", &[f64::NAN]),
        &["reverb reverberance", "NaN"],
    );
}

#[test]
fn bad_params() {
    let fx = AudioEffector::new("reverb", &[]).unwrap();
    invalid(fx.clone().param("wet_only", 2.0), &["reverb wet_only", "2"]);
    invalid(
        fx.clone().param("reverberance", 100.1),
        &["reverb reverberance", "100.1"],
    );
    invalid(fx.clone().param("pre_delay", -1.0), &["reverb pre_delay"]);
    invalid(
        fx.clone().param("room", 50.0),
        &["reverb parameter", "room", "room_scale"],
    );
    // The delay lines grow with the rate: absurd rates are refused, not allocated.
    match fx.apply(Array2::zeros((1, 10)).view(), 4_000_000_000) {
        Err(Error::InvalidArgument(m)) => assert!(m.contains("reverb sample_rate"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(fx.apply(Array2::zeros((2, 10)).view(), 384_000).is_ok());
    assert!(fx.apply(Array2::zeros((1, 10)).view(), 1).is_ok()); // every delay at least 1
}

/// Release-mode timing against `sox in.wav out.wav reverb` on a 60 s stereo 44.1 kHz music
/// file (ignored by default: run with `--release -- --ignored --nocapture`).
///
/// Measured here (2 cores shared with other builds; medians of 5): SoX 0.19–0.29 s, ours
/// 0.09–0.15 s streaming in 4096-frame chunks (0.17–0.23 s for one `apply`, which also
/// copies the whole array in and out): ratio 0.41–0.50.
#[test]
#[ignore]
fn performance_vs_sox() {
    use std::process::Command;
    use std::time::Instant;
    let frames = 60 * RATE as usize;
    let data = music(2, frames, RATE);
    let dir = TempDir::new("reverb-perf");
    let (inp, out) = (dir.path("in.wav"), dir.path("out.wav"));
    write_flt(&inp, &data, RATE);
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let sox: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let status = Command::new("sox")
                .arg(&inp)
                .arg(&out)
                .arg("reverb")
                .status()
                .unwrap();
            assert!(status.success());
            t.elapsed().as_secs_f64()
        })
        .collect();
    let fx: AudioEffector = "reverb".parse().unwrap();
    let ours: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let mut st = fx.stream(RATE, 2).unwrap();
            let mut n = 0;
            let mut start = 0;
            while start < frames {
                let end = (start + 4096).min(frames);
                n += st.process(data.slice(s![.., start..end])).unwrap().ncols();
                start = end;
            }
            n += st.flush().unwrap().ncols();
            assert_eq!(n, frames);
            t.elapsed().as_secs_f64()
        })
        .collect();
    let (sox, ours) = (median(sox), median(ours));
    let t = Instant::now();
    let whole = fx.apply(data.view(), RATE).unwrap();
    let apply = t.elapsed().as_secs_f64();
    assert_eq!(whole.ncols(), frames);
    eprintln!(
        "60 s stereo reverb: sox {sox:.3} s, ours {ours:.3} s (stream), {apply:.3} s (apply): \
         ratio {:.2}",
        ours / sox
    );
    assert!(ours <= sox, "ours {ours:.3} s > sox {sox:.3} s");
}
