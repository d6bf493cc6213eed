//! Tests across the effects registry, through the pipeline's [`EffectStream`]: every effect's
//! output length as its spec tells it ([`AudioEffector::output_frames`]) against what
//! streaming a signal gives, through the public `process`/`flush` and as a [`Stage`] (process,
//! drain, flush pieces), and what the stage's own `output_frames` says.

use super::{EffectStream, Stage};
use crate::AudioEffector;
use ndarray::{s, Array2};

/// An example of every registered effect (a test fails when an effect has none).
const EXAMPLES: &[&str] = &[
    "allpass 1000 1q",
    "bandpass -c 1000 2o",
    "bandreject 1000 100h",
    "bass 6",
    "chorus 0.7 0.9 55 0.4 0.25 2 -t",
    "echo 0.8 0.9 100 0.3 200 0.2",
    "echos 0.8 0.9 100 0.3 200 0.2",
    "equalizer 1k 1o -6",
    "fade t 0.1 0.5 0.2",
    "flanger",
    "fundsp.chorus",
    "fundsp.flanger",
    "fundsp.overdrive 3",
    "fundsp.phaser",
    "fundsp.reverb",
    "gain -n -3",
    "highpass -1 300",
    "lowpass 1k",
    "norm -1",
    "overdrive 10",
    "pad 0.1 0.05@0.2 0.3",
    "phaser",
    "pitch 300",
    "reverb",
    "reverse",
    "speed 1.25",
    "tempo 1.3",
    "treble -3",
    "tremolo 5",
    "vol 0.5",
];

/// More forms whose length is worked out differently.
const MORE: &[&str] = &[
    "fade 0.1 0 0.2",
    "fade q 0.2",
    "fade h 0.1 2 0.1",
    "speed -200c",
    "tempo -q 0.7 30",
    "pitch -q -500",
    "gain -h -3 vol 0.9 gain -r",
    "echo 0.8 0.8 1 0.5",
    "pad 0 1",
    "pad 100s@0 0.2@0.4",
    "highpass 100 pad 0.2 0.2 reverse echos 0.5 0.5 10 0.5 tempo 0.9",
];

fn signal(channels: usize, frames: usize) -> Array2<f32> {
    Array2::from_shape_fn((channels, frames), |(c, i)| {
        let t = i as f32 / 8000.0;
        0.4 * (2.0 * std::f32::consts::PI * (220.0 + 110.0 * c as f32) * t).sin()
            + 0.1 * ((i * 7919 + c * 104_729) % 1000) as f32 / 1000.0
    })
}

/// Frames a stream of `fx` gives for `x` fed in `chunk`-frame pieces, through the public
/// `process`/`flush` and through the `Stage` methods (process, drain, flush pieces).
fn streamed_frames(fx: &AudioEffector, x: &Array2<f32>, rate: u32, chunk: usize) -> (u64, u64) {
    let mut public: EffectStream = fx.stream(rate, x.nrows()).unwrap();
    let mut stage = fx.stream(rate, x.nrows()).unwrap();
    let (mut a, mut b) = (0u64, 0u64);
    let mut at = 0;
    while at < x.ncols() {
        let end = (at + chunk).min(x.ncols());
        let piece = x.slice(s![.., at..end]);
        a += public.process(piece).unwrap().ncols() as u64;
        b += Stage::process(&mut stage, piece.to_owned())
            .unwrap()
            .ncols() as u64;
        while let Some(p) = Stage::drain(&mut stage, 1000).unwrap() {
            b += p.ncols() as u64;
        }
        at = end;
    }
    a += public.flush().unwrap().ncols() as u64;
    while let Some(p) = Stage::flush(&mut stage, 1000).unwrap() {
        b += p.ncols() as u64;
    }
    (a, b)
}

#[test]
fn every_effect_has_an_example() {
    for info in crate::effects::list() {
        let name = info.name;
        assert!(
            EXAMPLES
                .iter()
                .any(|e| e.split_whitespace().next() == Some(name)),
            "{name} has no example in EXAMPLES"
        );
    }
}

/// Every effect knows its output length exactly: streaming a signal gives that many frames,
/// whatever the chunking, mono and stereo, and the stream's `Stage::output_frames` says the
/// same before and part way.
#[test]
fn output_frames_are_what_streams_give() {
    let rate = 8000;
    for chain in EXAMPLES.iter().chain(MORE) {
        let fx: AudioEffector = chain.parse().unwrap();
        for channels in [1, 2] {
            for frames in [12_345usize, 4001] {
                let x = signal(channels, frames);
                let expected = fx.output_frames(rate, frames as u64);
                let Some(expected) = expected else {
                    panic!("{chain}: output length not known for {frames} frames");
                };
                for chunk in [1000, 4096] {
                    let (a, b) = streamed_frames(&fx, &x, rate, chunk);
                    assert_eq!(a, expected, "{chain}, {channels} ch, {frames} by {chunk}");
                    assert_eq!(b, expected, "{chain} as a stage, {channels} ch, {frames}");
                }
                let whole = fx.apply(x.view(), rate).unwrap();
                assert_eq!(whole.ncols() as u64, expected, "{chain} applied");
                // The stream's own count, fresh and after some input.
                let mut st = fx.stream(rate, channels).unwrap();
                assert_eq!(st.output_frames(frames as u64), Some(expected), "{chain}");
                let first = st.process(x.slice(s![.., ..1000])).unwrap().ncols() as u64;
                assert_eq!(
                    st.output_frames(frames as u64 - 1000).map(|r| r + first),
                    Some(expected),
                    "{chain} after 1000 frames"
                );
            }
        }
    }
}

/// Where the stream would fail, or cannot be known, the length is `None`.
#[test]
fn output_frames_unknown() {
    let fx: AudioEffector = "pad 1@2".parse().unwrap();
    assert_eq!(fx.output_frames(8000, 8000), None); // position past the end
    assert_eq!(fx.output_frames(8000, 16000), Some(24000));
    let fade: AudioEffector = "fade 1 0 1".parse().unwrap();
    assert_eq!(fade.output_frames(8000, 8000), None); // fade-out overlaps the fade-in
    assert_eq!(fade.output_frames(8000, 16000), Some(16000));
    assert_eq!(fade.output_frames(0, 16000), None);
    // After flush the stream is ready for a new signal: lengths as a fresh stream's.
    let mut st = fade.stream(8000, 1).unwrap();
    st.process(ndarray::Array2::zeros((1, 100)).view()).unwrap();
    st.flush().unwrap();
    assert_eq!(st.output_frames(16000), Some(16000));
    assert_eq!(st.output_frames(8000), None);
}
