//! SoX effects against `sox -D` (float WAV in, float WAV out) as the oracle: SNR >= 60 dB and
//! the same length, mono and stereo; chunked streaming equals `apply` bit for bit; bad input
//! is `InvalidArgument` naming the effect and argument; SoX effects not implemented yet are
//! `Unsupported`.

use crate::common;

use audiostream::ndarray::Array2;
use audiostream::{AudioEffector, Error};
use common::effects::{invalid, streamed};
use common::oracle::snr_db;
use common::signals::music;

const RATE: u32 = 44100;
const FRAMES: usize = 22050;

fn sox(data: &Array2<f32>, effect: &str) -> Vec<Vec<f32>> {
    common::sox::sox_effect(data, RATE, effect)
}

/// Our `apply` vs SoX for one chain; returns the worst per-channel SNR.
fn compare(effect: &str, channels: usize, scale: f32) -> f64 {
    let data = music(channels, FRAMES, RATE) * scale;
    let theirs = sox(&data, effect);
    let fx: AudioEffector = effect.parse().unwrap();
    let ours = fx.apply(data.view(), RATE).unwrap();
    assert_eq!(theirs.len(), channels, "{effect}: channels");
    let mut worst = f64::INFINITY;
    for (c, t) in theirs.iter().enumerate() {
        assert_eq!(t.len(), ours.ncols(), "{effect}: length of channel {c}");
        let o = ours.row(c).to_vec();
        worst = worst.min(snr_db(t, &o));
    }
    worst
}

/// The chains checked against SoX and for streaming invariance.
///
/// Measured SNR vs `sox -D` (SoX 14.4.2, 0.5 s at 44.1 kHz, worst channel, mono/stereo):
/// gain/vol 135.9–154.9 dB; overdrive 134.8–156.1 dB; lowpass/highpass (1- and 2-pole)
/// 137.7–141.3 dB; bandpass 126.1 dB (Hz width), 136.1 dB (`-c`, octaves); bandreject
/// 139.9 dB; allpass 141.4 dB; equalizer 139.5–142.2 dB; bass/treble 139.1–142.3 dB;
/// reverse 141.4 dB; fade (every type, fixed stop, end-of-audio stop, padding) 139.8–141.4 dB;
/// the mixed chain 144.4 dB; `gain -n/-l/-h…-r`, `norm` 140.4–149.4 dB; `vol` with a
/// limiter-gain 148.3–148.6 dB. The residual is SoX's 32-bit integer rounding.
const CHAINS: &[&str] = &[
    "gain -6",
    "gain 4.5",
    "gain 12",
    "vol 0.5",
    "vol -3dB",
    "vol 0.3 power",
    "overdrive",
    "overdrive 10 40",
    "overdrive 35 0",
    "overdrive 100 100",
    "lowpass 1000",
    "lowpass 3000 2o",
    "lowpass -1 800",
    "highpass 300",
    "highpass 150 0.5q",
    "highpass -1 500",
    "bandpass 1000 200",
    "bandpass -c 2k 1o",
    "bandreject 1330 100h",
    "allpass 1000 0.7q",
    "equalizer 1000 1.5o -6",
    "equalizer 440 2q 8",
    "bass 6",
    "bass -10 200 0.8s",
    "treble -6",
    "treble 5 5k 1q",
    "reverse",
    "fade 0.1",
    "fade t 0.05 0.4 0.1",
    "fade t 0.1 0.3",
    "fade q 0.1 0 0.2",
    "fade h 0.0123 -0 0.05",
    "fade p 1000s 0.6 0.05",
    "fade l 0:0.1 0.45 0.15",
    "gain -3 overdrive 10 20 lowpass 4k reverse bass 3",
    "gain -n",
    "gain -n -3",
    "gain -nl 3",
    "gain -l 6",
    "gain -h -6 bass 10 gain -r",
    "gain -h -10 gain -r -1",
    "norm -1",
    "vol 6dB 0.05",
    "vol 2 amplitude 0.1",
    "vol 4 power 0.2",
    "pad 0.1 0.2",
    "pad 0.05 0.1@0.2 500s@0.5 0.3",
    "pad 0 0.5 reverb",
    "pad 100s@0 gain -n",
];

/// Channel-balancing forms of `gain` on channels of different levels (stereo and 3 channels).
const BALANCE_CHAINS: &[&str] = &[
    "gain -e",
    "gain -en",
    "gain -B",
    "gain -b 6",
    "gain -Bn -2",
    "gain -e -3",
];

#[test]
fn matches_sox() {
    for &effect in CHAINS {
        for channels in [1, 2] {
            // Scaled so that the gain stages do not clip much (clipping is compared too).
            let snr = compare(effect, channels, 0.7);
            eprintln!("{effect:40} {channels} ch: {snr:.1} dB");
            assert!(
                snr >= 60.0,
                "{effect} ({channels} ch): SNR {snr:.1} dB < 60"
            );
        }
    }
}

/// `gain -e/-B/-b` against SoX, with channels at 1, 0.3 and 0.6 of the level.
/// Measured: 138.7–148.4 dB (2 and 3 channels).
#[test]
fn balance_matches_sox() {
    for &effect in BALANCE_CHAINS {
        for channels in [2, 3] {
            let mut data = music(channels, FRAMES, RATE) * 0.7;
            for (c, level) in [(1, 0.3f32), (2, 0.6)] {
                if c < channels {
                    data.row_mut(c).mapv_inplace(|x| x * level);
                }
            }
            let theirs = sox(&data, effect);
            let ours = effect
                .parse::<AudioEffector>()
                .unwrap()
                .apply(data.view(), RATE)
                .unwrap();
            let mut worst = f64::INFINITY;
            for (c, t) in theirs.iter().enumerate() {
                assert_eq!(t.len(), ours.ncols(), "{effect}: length");
                worst = worst.min(snr_db(t, &ours.row(c).to_vec()));
            }
            eprintln!("{effect:40} {channels} ch: {worst:.1} dB");
            assert!(worst >= 60.0, "{effect} ({channels} ch): {worst:.1} dB");
        }
    }
}

#[test]
fn streaming_equals_apply() {
    for &effect in CHAINS.iter().chain(BALANCE_CHAINS) {
        let fx: AudioEffector = effect.parse().unwrap();
        for channels in [1, 2] {
            let data = music(channels, FRAMES, RATE);
            let whole = fx.apply(data.view(), RATE).unwrap();
            for chunk in [1, 64, 1000, 4096] {
                let joined = streamed(&fx, &data, RATE, chunk);
                assert_eq!(joined, whole, "{effect}, {channels} ch, chunks of {chunk}");
            }
        }
    }
}

#[test]
fn functional_overdrive_is_the_effect() {
    let data = music(2, 5000, RATE);
    for (g, c) in [(20.0, 20.0), (0.0, 5.0), (60.0, 100.0)] {
        let fx = AudioEffector::new("overdrive", &[g, c]).unwrap();
        assert_eq!(
            audiostream::functional::overdrive(data.view(), g, c),
            fx.apply(data.view(), RATE).unwrap()
        );
    }
    // `overdrive 0 0` is a null effect in SoX (checked: output == input); torchaudio's
    // functional form computes the curve anyway, and so does ours.
    let fx = AudioEffector::new("overdrive", &[0.0, 0.0]).unwrap();
    assert_eq!(fx.apply(data.view(), RATE).unwrap(), data);
    assert_ne!(
        audiostream::functional::overdrive(data.view(), 0.0, 0.0),
        data
    );
}

#[test]
fn new_and_param_equal_the_parsed_chain() {
    let a = AudioEffector::new("equalizer", &[1000.0, 2.0, -6.0]).unwrap();
    let b: AudioEffector = "equalizer 1000 2q -6".parse().unwrap();
    assert_eq!(a, b);
    let c = AudioEffector::new("equalizer", &[500.0, 2.0, 3.0])
        .unwrap()
        .param("frequency", 1000.0)
        .unwrap()
        .param("gain", -6.0)
        .unwrap();
    assert_eq!(c, b);
    let d = AudioEffector::new("overdrive", &[])
        .unwrap()
        .param("colour", 40.0)
        .unwrap();
    assert_eq!(d, AudioEffector::new("overdrive", &[20.0, 40.0]).unwrap());
    let l1 = AudioEffector::new("lowpass", &[-1.0, 800.0]).unwrap();
    assert_eq!(l1, "lowpass -1 800".parse().unwrap());
}

#[test]
fn bad_input_is_invalid_argument() {
    invalid(
        AudioEffector::new("wobble", &[]),
        &["effect", "wobble", "overdrive"],
    );
    invalid("gain -3 wobble 2".parse(), &["gain"]); // "wobble" is an argument of gain
    invalid("".parse(), &["effect"]);
    invalid(
        AudioEffector::new("overdrive", &[1.0, 2.0, 3.0]),
        &["overdrive", "arguments", "0 to 2"],
    );
    invalid(
        AudioEffector::new("overdrive", &[101.0]),
        &["overdrive gain", "101", "0 to 100"],
    );
    invalid(
        AudioEffector::new("overdrive", &[10.0, -1.0]),
        &["overdrive colour", "0 to 100"],
    );
    invalid(
        AudioEffector::new("lowpass", &[]),
        &["lowpass", "arguments"],
    );
    invalid(
        AudioEffector::new("lowpass", &[-5.0]),
        &["lowpass frequency", "-5"],
    );
    invalid(
        AudioEffector::new("lowpass", &[1000.0, 0.0]),
        &["lowpass width", "> 0"],
    );
    invalid("bass 3 100 2s".parse(), &["bass width", "slope"]);
    invalid("equalizer 1000 2x 3".parse(), &["equalizer width", "2x"]);
    invalid(
        AudioEffector::new("equalizer", &[1000.0, 2.0]),
        &["equalizer", "arguments"],
    );
    invalid(
        AudioEffector::new("gain", &[f64::NAN]),
        &["gain gain", "finite"],
    );
    invalid(
        AudioEffector::new("reverse", &[1.0]),
        &["reverse", "arguments"],
    );
    invalid("vol 2 loud".parse(), &["vol type", "loud"]);
    invalid(
        AudioEffector::new("overdrive", &[])
            .unwrap()
            .param("color", 1.0),
        &["overdrive parameter", "color", "colour"],
    );
    invalid(
        AudioEffector::new("overdrive", &[])
            .unwrap()
            .param("gain", 500.0),
        &["overdrive gain", "500"],
    );
    // Frequency above Nyquist is only known with the rate.
    let fx = AudioEffector::new("lowpass", &[30000.0]).unwrap();
    match fx.apply(Array2::zeros((1, 10)).view(), 44100) {
        Err(Error::InvalidArgument(m)) => {
            assert!(m.contains("lowpass frequency") && m.contains("22050"))
        }
        other => panic!("{other:?}"),
    }
    let fx = AudioEffector::new("gain", &[1.0]).unwrap();
    assert!(matches!(fx.stream(0, 1), Err(Error::InvalidArgument(m)) if m.contains("sample_rate")));
    assert!(
        matches!(fx.stream(8000, 0), Err(Error::InvalidArgument(m)) if m.contains("num_channels"))
    );
    let mut st = fx.stream(8000, 2).unwrap();
    assert!(
        matches!(st.process(Array2::zeros((1, 4)).view()), Err(Error::InvalidArgument(m)) if m.contains("channels"))
    );
}

#[test]
fn fade_overlap_is_invalid() {
    // Fixed stop: known when the stream starts (SoX: "fade-out overlaps fade-in").
    let fx: AudioEffector = "fade t 0.03 0.04 0.02".parse().unwrap();
    assert!(
        matches!(fx.stream(1000, 1), Err(Error::InvalidArgument(m)) if m.contains("fade fade-out-length"))
    );
    // End of audio: known at flush.
    let fx: AudioEffector = "fade t 0.03 0 0.02".parse().unwrap();
    let mut st = fx.stream(1000, 1).unwrap();
    st.process(Array2::zeros((1, 40)).view()).unwrap();
    assert!(matches!(st.flush(), Err(Error::InvalidArgument(m)) if m.contains("fade")));
    assert!(fx.apply(Array2::zeros((1, 60)).view(), 1000).is_ok());
    invalid("fade x 0.1".parse(), &["fade type", "x"]);
    invalid("fade 0.1 -2".parse(), &["fade stop-position", "-2"]);
    invalid("fade 1:2:3:4".parse(), &["fade fade-in-length"]);
    invalid(AudioEffector::new("fade", &[]), &["fade", "arguments"]);
    invalid(
        AudioEffector::new("fade", &[0.1])
            .unwrap()
            .param("fade_in_length", -1.0),
        &["fade fade-in-length"],
    );
    let p = AudioEffector::new("fade", &[0.1])
        .unwrap()
        .param("stop_position", 0.0)
        .unwrap();
    assert_eq!(p, "fade 0.1 0 0.1".parse().unwrap());
}

#[test]
fn not_yet_effects_are_unsupported() {
    for name in [
        "compand", "silence", "synth", "stretch", "noisered", "loudness",
    ] {
        match AudioEffector::new(name, &[]) {
            Err(Error::Unsupported(m)) => {
                assert!(
                    m.contains(name) && m.contains("available: ") && m.contains("overdrive"),
                    "{m}"
                )
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(matches!(
        "gain -3 compand 0.3,1 6:-70,-60,-20".parse::<AudioEffector>(),
        Err(Error::Unsupported(_))
    ));
}

#[test]
fn bad_gain_and_vol_forms() {
    invalid("gain -x".parse(), &["gain option", "-x"]);
    invalid(
        "gain -e -b".parse(),
        &["gain options", "only one of -e, -B, -b, -r"],
    );
    invalid(
        "gain -n -r".parse(),
        &["gain options", "only one of -n, -r"],
    );
    invalid(
        "gain -lh 3".parse(),
        &["gain options", "only one of -l, -h"],
    );
    invalid("gain -n 3 4".parse(), &["gain", "arguments"]);
    invalid("gain -n loud".parse(), &["gain gain", "loud"]);
    invalid("norm 1 2".parse(), &["norm", "arguments"]);
    invalid("pad".parse(), &["pad", "arguments"]);
    invalid("pad 1 2 3".parse(), &["pad position", "2"]);
    invalid("pad -1".parse(), &["pad length", "-1"]);
    invalid("pad 1@x".parse(), &["pad position", "x"]);
    let fx: AudioEffector = "pad 1@0.5 1@0.2".parse().unwrap();
    assert!(
        matches!(fx.stream(8000, 1), Err(Error::InvalidArgument(m)) if m.contains("increasing"))
    );
    let fx: AudioEffector = "pad 1@2".parse().unwrap();
    assert!(matches!(
        fx.apply(Array2::zeros((1, 8000)).view(), 8000),
        Err(Error::InvalidArgument(m)) if m.contains("pad position") && m.contains("8000 frames")
    ));
    // -r needs an earlier -h in the same chain (SoX: "can't reclaim headroom").
    let fx: AudioEffector = "gain -r".parse().unwrap();
    assert!(matches!(
        fx.apply(Array2::zeros((1, 4)).view(), RATE),
        Err(Error::InvalidArgument(m)) if m.contains("gain -r") && m.contains("gain -h")
    ));
    invalid("vol 0.5 amplitude 0.05".parse(), &["vol gain", "above 1"]);
    invalid(
        "vol 2 amplitude 1.5".parse(),
        &["vol limiter-gain", "0 < limiter-gain < 1"],
    );
    invalid("vol 2 amplitude x".parse(), &["vol limiter-gain", "x"]);
    invalid("vol 2 amplitude 0.1 9".parse(), &["vol", "arguments"]);
    invalid("vol 6dB 0.1 9".parse(), &["vol", "arguments"]);
    invalid(
        AudioEffector::new("vol", &[2.0])
            .unwrap()
            .param("limiter_gain", 0.1),
        &["vol parameter", "limiter_gain"],
    );
}

#[test]
fn empty_and_short_inputs() {
    let fx: AudioEffector = "overdrive lowpass 1k reverse".parse().unwrap();
    assert_eq!(
        fx.apply(Array2::zeros((2, 0)).view(), RATE).unwrap().dim(),
        (2, 0)
    );
    assert_eq!(
        fx.apply(Array2::zeros((0, 5)).view(), RATE).unwrap().dim(),
        (0, 5)
    );
    let mut st = fx.stream(RATE, 1).unwrap();
    assert_eq!(
        st.process(Array2::zeros((1, 0)).view()).unwrap().dim(),
        (1, 0)
    );
    assert_eq!(st.flush().unwrap().dim(), (1, 0));
    assert_eq!(st.flush().unwrap().dim(), (1, 0));
}
