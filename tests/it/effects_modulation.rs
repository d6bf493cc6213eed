//! The modulation and echo effects (`chorus`, `flanger`, `phaser`, `tremolo`, `echo`,
//! `echos`) against SoX 14.4.2 (`sox -D`, float WAV in and out) as the oracle:
//! - sample for sample: SNR >= 60 dB and the same length (tails included), 1, 2 and 3
//!   channels, several argument sets each, two sample rates;
//! - what a listener hears: the modulation period of chorus, flanger, phaser and tremolo,
//!   measured on SoX's output and on ours for a steady sine, equals 1/speed within 2 %;
//! - chunked streaming equals `apply` bit for bit; bad arguments are `InvalidArgument`
//!   naming the effect and the argument.
//!
//! `timing_vs_sox` (ignored; run it with `--release -- --ignored --nocapture`) times 60 s of
//! stereo 44.1 kHz audio through chorus, flanger and echo against `sox`.

use crate::common;

use audiostream::ndarray::{s, Array2};
use audiostream::AudioEffector;
use common::effects::invalid;
use common::oracle::snr_db;
use common::signals::music;

const RATE: u32 = 44100;

/// Our `apply` vs SoX for one chain: asserts the same channel count and length, returns the
/// worst per-channel SNR.
fn compare(effect: &str, channels: usize, frames: usize, rate: u32) -> f64 {
    let data = music(channels, frames, rate) * 0.7;
    let theirs = common::sox::sox_effect(&data, rate, effect);
    let fx: AudioEffector = effect.parse().unwrap();
    let ours = fx.apply(data.view(), rate).unwrap();
    assert_eq!(theirs.len(), channels, "{effect}: channels");
    let mut worst = f64::INFINITY;
    for (c, t) in theirs.iter().enumerate() {
        assert_eq!(
            t.len(),
            ours.ncols(),
            "{effect} ({channels} ch at {rate} Hz): length of channel {c}"
        );
        worst = worst.min(snr_db(t, &ours.row(c).to_vec()));
    }
    worst
}

/// The chains compared with SoX sample for sample (and checked for streaming invariance).
///
/// Measured SNR vs `sox -D` (SoX 14.4.2; 0.5 s of `music` at 44.1 kHz in 1 and 2 channels,
/// 0.7 s at 8 kHz in 3 channels; worst channel): echo 125–129 dB, echos 116–125 dB, tremolo
/// 138–148 dB, chorus 124–139 dB (sine, triangle, three voices), phaser 131–155 dB, flanger
/// 135–141 dB (defaults; triangle + quadratic + regeneration; full-depth negative
/// regeneration), the clipping chains included. The residue is SoX's 24-bit (echo, echos,
/// chorus) or 32-bit integer rounding. Lengths are SoX's: echo adds the longest delay, echos
/// the sum of the delays, chorus the longest delay + depth; the others keep the length.
const CHAINS: &[&str] = &[
    "echo 0.8 0.88 60 0.4",
    "echo 0.8 0.7 6 0.4 11 0.3 70 0.25",
    "echos 0.8 0.7 70 0.25 30 0.3",
    "echos 0.8 0.7 7 0.25 11 0.3 13 0.2",
    "tremolo 5",
    "tremolo 7.3 33.3333",
    "tremolo 0.7 100",
    "chorus 0.7 0.9 55 0.4 0.25 2 -t",
    "chorus 0.7 0.9 55 0.4 0.25 2 -s",
    "chorus 0.6 0.9 50 0.4 0.25 2 -t 60 0.32 0.4 2.3 -t 40 0.3 0.3 1.3 -s",
    "phaser",
    "phaser 0.8 0.74 3 0.4 0.5 -t",
    "phaser 0.9 0.8 1 0.7 2 -s",
    "flanger",
    "flanger 1 3 50 80 2 tri 40 quad",
    "flanger 0 10 -95 100 0.1 sine 0 lin",
    // Clipping (gains that overshoot full scale): clipped where SoX clips.
    "echo 0.9 1.6 20 0.9",
    "chorus 1 1.6 30 1 1 5 -s",
    "phaser 1 3 2 0.9 1",
    "tremolo 3 10 vol 3",
];

#[test]
fn matches_sox() {
    for &effect in CHAINS {
        for (channels, rate, frames) in [(1, RATE, 22050), (2, RATE, 22050), (3, 8000, 5600)] {
            let snr = compare(effect, channels, frames, rate);
            eprintln!("{effect:70} {channels} ch {rate} Hz: {snr:.1} dB");
            assert!(
                snr >= 60.0,
                "{effect} ({channels} ch, {rate} Hz): SNR {snr:.1} dB < 60"
            );
        }
    }
}

/// Runs `data` through a stream in chunks of `chunk` frames, then flushes.
fn streamed(fx: &AudioEffector, data: &Array2<f32>, chunk: usize) -> Array2<f32> {
    common::effects::streamed(fx, data, RATE, chunk)
}

#[test]
fn streaming_equals_apply() {
    for &effect in CHAINS {
        let fx: AudioEffector = effect.parse().unwrap();
        for channels in [1, 2] {
            let data = music(channels, 6000, RATE);
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

/// The tail comes out at `flush`, also when the input was shorter than the delay.
#[test]
fn tails_come_at_flush() {
    for (effect, tail) in [
        ("echo 0.8 0.88 60 0.4", 2646),
        ("echos 0.8 0.7 70 0.25 30 0.3", 3087 + 1323),
        ("chorus 0.7 0.9 55 0.4 0.25 2 -t", 2513),
    ] {
        let fx: AudioEffector = effect.parse().unwrap();
        let mut st = fx.stream(RATE, 2).unwrap();
        let x = music(2, 100, RATE);
        assert_eq!(st.process(x.view()).unwrap().ncols(), 100, "{effect}");
        assert_eq!(st.flush().unwrap().ncols(), tail, "{effect}");
        // Flushed, the stream is a fresh one: flushing again gives a fresh stream's flush.
        let fresh = fx.stream(RATE, 2).unwrap().flush().unwrap().ncols();
        assert_eq!(st.flush().unwrap().ncols(), fresh, "{effect}");
        let theirs = common::sox::sox_effect(&x, RATE, effect);
        assert_eq!(theirs[0].len(), 100 + tail, "{effect}: SoX's length");
    }
}

/// RMS envelope of `x` in windows of `hop` samples.
fn envelope(x: &[f32], hop: usize) -> Vec<f64> {
    x.chunks_exact(hop)
        .map(|w| (w.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / hop as f64).sqrt())
        .collect()
}

/// The envelope's period in seconds: the highest normalized autocorrelation peak between
/// 0.6 and 1.6 times `expected` (so neither half nor double the period qualifies), refined
/// by a parabola through the peak. Asserts the peak is a clear one (correlation >= 0.9, not
/// at the edge of the search range).
fn modulation_period(x: &[f32], rate: u32, hop: usize, expected: f64, what: &str) -> (f64, f64) {
    let env = envelope(x, hop);
    let mean = env.iter().sum::<f64>() / env.len() as f64;
    let e: Vec<f64> = env.iter().map(|v| v - mean).collect();
    let frame = hop as f64 / f64::from(rate);
    let corr = |lag: usize| -> f64 {
        let (a, b) = (&e[..e.len() - lag], &e[lag..]);
        let ab: f64 = a.iter().zip(b).map(|(p, q)| p * q).sum();
        let aa: f64 = a.iter().map(|p| p * p).sum();
        let bb: f64 = b.iter().map(|q| q * q).sum();
        ab / (aa * bb).sqrt()
    };
    let lo = (0.6 * expected / frame) as usize;
    let hi = (1.6 * expected / frame) as usize;
    assert!(hi + 2 < e.len() / 2, "{what}: signal too short");
    let (best, r) = (lo..=hi)
        .map(|l| (l, corr(l)))
        .fold((lo, f64::MIN), |b, c| if c.1 > b.1 { c } else { b });
    assert!(
        best > lo && best < hi && r >= 0.9,
        "{what}: no clear period (lag {best}, r {r:.3})"
    );
    let (y0, y1, y2) = (corr(best - 1), r, corr(best + 1));
    let shift = 0.5 * (y0 - y2) / (y0 - 2.0 * y1 + y2);
    ((best as f64 + shift) * frame, r)
}

/// What a listener measures: the period of the loudness modulation a steady 1 kHz sine gets,
/// from SoX's output and from ours, equals 1/speed within 2 %.
///
/// Measured (16 kHz, 1 ms windows, 3.5 periods), SoX's period and ours (the same to 5
/// digits): chorus 0.9 Hz (-t): 1.11106 s for 1.11111 s expected (autocorrelation 0.990);
/// flanger 1.3 Hz: 0.76919 s for 0.76923 s (1.000); phaser 0.7 Hz (-s): 1.42859 s for
/// 1.42857 s (0.999); tremolo 4.5 Hz: 0.22222 s for 0.22222 s (1.000). Errors below 0.01 %.
#[test]
fn modulation_period_is_one_over_speed() {
    let rate = 16000;
    let hop = 16; // one cycle of the 1 kHz tone
    for (effect, speed) in [
        ("chorus 0.5 0.9 40 0.5 0.9 3 -t", 0.9),
        ("flanger 0 3 0 71 1.3", 1.3),
        ("phaser 0.6 0.74 3 0.5 0.7 -s", 0.7),
        ("tremolo 4.5 60", 4.5),
    ] {
        let expected = 1.0 / speed;
        let frames = (3.5 * expected * f64::from(rate)) as usize;
        let tone = Array2::from_shape_fn((1, frames), |(_, i)| {
            0.5 * (std::f32::consts::TAU * 1000.0 * i as f32 / rate as f32).sin()
        });
        let theirs = common::sox::sox_effect(&tone, rate, effect);
        let fx: AudioEffector = effect.parse().unwrap();
        let ours = fx.apply(tone.view(), rate).unwrap();
        // Only the part with input (chorus adds a tail).
        let (p_sox, r_sox) = modulation_period(&theirs[0][..frames], rate, hop, expected, effect);
        let ours_row = ours.row(0).to_vec();
        let (p_ours, r_ours) = modulation_period(&ours_row[..frames], rate, hop, expected, effect);
        eprintln!(
            "{effect}: expected {expected:.5} s, SoX {p_sox:.5} s (r {r_sox:.3}), \
             ours {p_ours:.5} s (r {r_ours:.3})"
        );
        for (who, p) in [("SoX", p_sox), ("ours", p_ours)] {
            assert!(
                (p - expected).abs() <= 0.02 * expected,
                "{effect}: {who} period {p:.4} s, expected {expected:.4} s"
            );
        }
    }
}

#[test]
fn numeric_form_and_params_equal_the_parsed_chain() {
    let parsed = |s: &str| s.parse::<AudioEffector>().unwrap();
    // The flag may be left out (sine) so that `new` works; `triangle` selects -t.
    let c = AudioEffector::new("chorus", &[0.7, 0.9, 55.0, 0.4, 0.25, 2.0])
        .unwrap()
        .param("triangle", 1.0)
        .unwrap();
    assert_eq!(c, parsed("chorus 0.7 0.9 55 0.4 0.25 2 -t"));
    let c2 = AudioEffector::new(
        "chorus",
        &[0.7, 0.9, 55.0, 0.4, 0.25, 2.0, 60.0, 0.3, 1.0, 3.0],
    )
    .unwrap()
    .param("depth_2", 4.0)
    .unwrap();
    assert_eq!(c2, parsed("chorus 0.7 0.9 55 0.4 0.25 2 -s 60 0.3 1 4 -s"));
    let e = AudioEffector::new("echo", &[0.8, 0.88, 60.0, 0.4, 100.0, 0.3])
        .unwrap()
        .param("delay_2", 90.0)
        .unwrap()
        .param("gain_out", 0.5)
        .unwrap();
    assert_eq!(e, parsed("echo 0.8 0.5 60 0.4 90 0.3"));
    let f = AudioEffector::new("flanger", &[0.0, 2.0, 0.0, 71.0, 0.5])
        .unwrap()
        .param("shape", 1.0)
        .unwrap()
        .param("interp", 1.0)
        .unwrap();
    assert_eq!(f, parsed("flanger 0 2 0 71 0.5 triangle 25 quadratic"));
    assert_eq!(
        parsed("flanger"),
        parsed("flanger 0 2 0 71 0.5 sine 25 linear")
    );
    let p = AudioEffector::new("phaser", &[])
        .unwrap()
        .param("triangle", 1.0)
        .unwrap();
    assert_eq!(p, parsed("phaser 0.4 0.74 3 0.4 0.5 -t"));
    assert_eq!(parsed("phaser -t"), p);
    let t = AudioEffector::new("tremolo", &[5.0])
        .unwrap()
        .param("depth", 40.0)
        .unwrap();
    assert_eq!(t, parsed("tremolo 5 40"));
    // Effects in a chain.
    let chain = parsed("echo 0.8 0.88 60 0.4 chorus 0.7 0.9 55 0.4 0.25 2 -t flanger tremolo 3");
    let out = chain.apply(music(2, 1000, RATE).view(), RATE).unwrap();
    assert_eq!(out.dim(), (2, 1000 + 2646 + 2513));
}

#[test]
fn any_channel_count() {
    // Channels are independent (flanger: each with its own LFO phase): channel 4 of a
    // 5-channel run equals channel 0 of a mono run on the same samples, except flanger
    // (compared with SoX in `matches_sox` for 3 channels; SoX stops at 4).
    let data = music(5, 3000, RATE);
    for effect in [
        "echo 0.8 0.88 6 0.4",
        "chorus 0.7 0.9 25 0.4 2 2 -t",
        "phaser",
        "tremolo 5",
    ] {
        let fx: AudioEffector = effect.parse().unwrap();
        let all = fx.apply(data.view(), RATE).unwrap();
        let one = fx.apply(data.slice(s![4..5, ..]).view(), RATE).unwrap();
        assert_eq!(all.slice(s![4..5, ..]), one, "{effect}");
    }
    let fx: AudioEffector = "flanger".parse().unwrap();
    assert_eq!(fx.apply(data.view(), RATE).unwrap().dim(), (5, 3000));
}

/// Errors known only with the sample rate come from `apply`/`stream`.
fn invalid_at(effect: &str, rate: u32, needles: &[&str]) {
    let fx: AudioEffector = effect.parse().unwrap();
    let r = fx
        .apply(Array2::zeros((1, 10)).view(), rate)
        .map(|_| fx.clone());
    invalid(r, needles);
}

#[test]
fn bad_arguments() {
    // echo / echos: counts, ranges, non-numbers, too many delays.
    invalid(
        "echo 0.8 0.9 60".parse(),
        &["echo number of arguments", "gain-in"],
    );
    invalid("echo 0.8".parse(), &["echo number of arguments"]);
    invalid(
        "echo 1.5 0.9 60 0.4".parse(),
        &["echo gain_in", "1.5", "0 to 1"],
    );
    invalid("echo 0.8 -1 60 0.4".parse(), &["echo gain_out", ">= 0"]);
    invalid("echo 0.8 0.9 0 0.4".parse(), &["echo delay", "> 0"]);
    invalid("echo 0.8 0.9 60 1.2".parse(), &["echo decay", "0 to 1"]);
    invalid(
        "echo 0.8 0.9 abc 0.4".parse(),
        &["echo delay", "abc", "number"],
    );
    invalid("echo 0.8 0.9 60 0.4 70 x".parse(), &["echo decay_2", "x"]);
    let eight = format!("echo 0.8 0.9{}", " 10 0.1".repeat(8));
    invalid(eight.parse(), &["echo number of arguments", "7"]);
    invalid_at("echo 0.8 0.9 0.01 0.4", RATE, &["echo delay", "one sample"]);
    invalid_at("echo 0.8 0.9 60000 0.4", RATE, &["echo delay", "2560000"]);
    invalid(
        "echos 0.8 0.9 60 0.4 70".parse(),
        &["echos number of arguments"],
    );
    invalid(
        "echos 0.8 0.9 60 0.4 70 -0.1".parse(),
        &["echos decay_2", "-0.1"],
    );
    invalid("echos 2 0.9 60 0.4".parse(), &["echos gain_in"]);
    // chorus
    invalid(
        "chorus 0.7 0.9 55 0.4 0.25".parse(),
        &["chorus number of arguments"],
    );
    invalid(
        "chorus 0.7 0.9 55 0.4 0.25 2 -x".parse(),
        &["chorus modulation", "-x", "-t"],
    );
    invalid(
        "chorus 0.7 0.9 55 0.4 0.25 2 -t 60".parse(),
        &["chorus number of arguments"],
    );
    invalid(
        "chorus 0.7 0.9 10 0.4 0.25 2 -t".parse(),
        &["chorus delay", "20 to 100"],
    );
    invalid(
        "chorus 0.7 0.9 55 1.1 0.25 2 -t".parse(),
        &["chorus decay", "0 to 1"],
    );
    invalid(
        "chorus 0.7 0.9 55 0.4 6 2 -t".parse(),
        &["chorus speed", "0.1 to 5"],
    );
    invalid(
        "chorus 0.7 0.9 55 0.4 0.25 11 -t".parse(),
        &["chorus depth", "0 to 10"],
    );
    invalid("chorus 2 0.9 55 0.4 0.25 2 -t".parse(), &["chorus gain_in"]);
    invalid(
        "chorus 0.7 -0.9 55 0.4 0.25 2 -t".parse(),
        &["chorus gain_out"],
    );
    invalid(
        "chorus 0.7 0.9 55 0.4 x 2 -t".parse(),
        &["chorus speed", "x"],
    );
    invalid(
        "chorus 0.7 0.9 55 0.4 0.25 2 -t 55 0.4 9 2 -s".parse(),
        &["chorus speed_2", "9"],
    );
    let eight = format!("chorus 0.7 0.9{}", " 30 0.1 1 1 -s".repeat(8));
    invalid(eight.parse(), &["chorus number of arguments", "1 to 7"]);
    invalid_at(
        "chorus 0.7 0.9 20 0.4 0.25 1 -t",
        20,
        &["chorus delay", "20 Hz is too low"],
    );
    // phaser
    invalid("phaser 2".parse(), &["phaser gain_in", "0 to 1"]);
    invalid("phaser 0.4 0.74 6".parse(), &["phaser delay", "0 to 5"]);
    invalid("phaser 0.4 0.74 3 1".parse(), &["phaser decay", "0.99"]);
    invalid(
        "phaser 0.4 0.74 3 0.4 3".parse(),
        &["phaser speed", "0.1 to 2"],
    );
    invalid(
        "phaser 0.4 0.74 3 0.4 0.5 -x".parse(),
        &["phaser modulation", "-x"],
    );
    invalid("phaser 0.4 foo".parse(), &["phaser gain_out", "foo"]);
    invalid("phaser 0.4 0.74 3x".parse(), &["phaser delay", "3x"]);
    invalid(
        "phaser 0.4 0.74 3 0.4 0.5 -t 1".parse(),
        &["phaser number of arguments"],
    );
    invalid(
        "phaser 0.4 0.74 3 0.4 0.5 0.3".parse(),
        &["phaser number of arguments"],
    );
    invalid_at("phaser 0.4 0.74 0.01", 8000, &["phaser delay", "8000 Hz"]);
    // flanger
    invalid("flanger 11".parse(), &["flanger delay", "0 to 10"]);
    invalid("flanger 0 11".parse(), &["flanger depth", "0 to 10"]);
    invalid("flanger 0 2 96".parse(), &["flanger regen", "-95 to 95"]);
    invalid("flanger 0 2 0 101".parse(), &["flanger width", "0 to 100"]);
    invalid(
        "flanger 0 2 0 71 20".parse(),
        &["flanger speed", "0.1 to 10"],
    );
    invalid(
        "flanger 0 2 0 71 0.5 square".parse(),
        &["flanger shape", "square", "sine or triangle"],
    );
    invalid(
        "flanger 0 2 0 71 0.5 sine 101".parse(),
        &["flanger phase", "0 to 100"],
    );
    invalid(
        "flanger 0 2 0 71 0.5 sine 25 cubic".parse(),
        &["flanger interp", "cubic", "linear or quadratic"],
    );
    invalid("flanger 0 2x".parse(), &["flanger depth", "2x"]);
    invalid(
        "flanger 0 2 0 71 0.5 sine 25 lin 3".parse(),
        &["flanger number of arguments"],
    );
    // tremolo
    invalid("tremolo".parse(), &["tremolo number of arguments", "speed"]);
    invalid("tremolo 5 40 1".parse(), &["tremolo number of arguments"]);
    invalid("tremolo -1".parse(), &["tremolo speed", ">= 0"]);
    invalid(
        "tremolo 5 0".parse(),
        &["tremolo depth", "0 < depth <= 100"],
    );
    invalid("tremolo 5 101".parse(), &["tremolo depth"]);
    invalid("tremolo fast".parse(), &["tremolo speed", "fast"]);
    // param
    let fx = AudioEffector::new("chorus", &[0.7, 0.9, 55.0, 0.4, 0.25, 2.0]).unwrap();
    invalid(
        fx.clone().param("delay", 5.0),
        &["chorus delay", "20 to 100"],
    );
    invalid(
        fx.clone().param("delay_2", 50.0),
        &["chorus parameter", "delay_2"],
    );
    invalid(
        fx.param("bogus", 1.0),
        &["chorus parameter", "bogus", "gain_in"],
    );
    invalid(
        AudioEffector::new("tremolo", &[5.0])
            .unwrap()
            .param("depth", 0.0),
        &["tremolo depth"],
    );
}

/// Times 60 s of stereo 44.1 kHz audio through chorus, flanger and echo (our stream in 4096-
/// frame chunks, best of 3) against `sox in.wav out.wav <effect>` (best of 3; minus `sox`
/// copying the same file without an effect, which is its I/O).
///
/// Measured (release build, 2 shared cores; ours / SoX's whole run, and / SoX minus its
/// 0.026 s of I/O): chorus 0.011 s vs 0.083 s (0.14; 0.20), three-voice chorus 0.030 vs
/// 0.113 s (0.27; 0.35), flanger 0.019 vs 0.099 s (0.19; 0.26), echo 0.009 vs 0.080 s
/// (0.11; 0.17), three-delay echo 0.018 vs 0.099 s (0.18; 0.24), phaser 0.014 vs 0.076 s
/// (0.18; 0.27), tremolo 0.051 vs 0.160 s (0.32; 0.38), echos 0.027 vs 0.085 s (0.32; 0.46).
#[test]
#[ignore]
fn timing_vs_sox() {
    use std::process::Command;
    use std::time::Instant;
    let frames = 60 * RATE as usize;
    let data = music(2, frames, RATE) * 0.7;
    let dir = common::signals::TempDir::new("modulation-timing");
    let (inp, out) = (dir.path("in.wav"), dir.path("out.wav"));
    common::sox::write_flt(&inp, &data, RATE);
    let sox_time = |effect: &str| -> f64 {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                let status = Command::new("sox")
                    .args(["-V1", "-D"])
                    .arg(&inp)
                    .arg(&out)
                    .args(effect.split_whitespace())
                    .status()
                    .unwrap();
                assert!(status.success());
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let io = sox_time("");
    eprintln!("sox copy (I/O only): {io:.3} s");
    for effect in [
        "chorus 0.7 0.9 55 0.4 0.25 2 -t",
        "chorus 0.6 0.9 50 0.4 0.25 2 -t 60 0.32 0.4 2.3 -t 40 0.3 0.3 1.3 -s",
        "flanger",
        "echo 0.8 0.88 60 0.4",
        "echo 0.8 0.7 6 0.4 11 0.3 70 0.25",
        "phaser",
        "tremolo 5",
        "echos 0.8 0.7 70 0.25 30 0.3",
    ] {
        let fx: AudioEffector = effect.parse().unwrap();
        let ours = (0..3)
            .map(|_| {
                let t = Instant::now();
                let mut st = fx.stream(RATE, 2).unwrap();
                let mut n = 0;
                for start in (0..frames).step_by(4096) {
                    let end = (start + 4096).min(frames);
                    n += st.process(data.slice(s![.., start..end])).unwrap().ncols();
                }
                n += st.flush().unwrap().ncols();
                assert!(n >= frames);
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min);
        let theirs = sox_time(effect);
        eprintln!(
            "{effect:70} ours {ours:.3} s, sox {theirs:.3} s (effect alone {:.3} s): ratio {:.2} ({:.2} vs the effect alone)",
            theirs - io,
            ours / theirs,
            ours / (theirs - io).max(1e-9)
        );
    }
}
