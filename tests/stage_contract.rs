//! The [`Stage`] contract, checked over every stage the pipeline composes: the remixer, the
//! resampler, the seek trim, pipelines of them, and an effect chain for every effect
//! `audiostream effects` lists.
//!
//! What each stage must do (`src/pipeline/mod.rs`):
//! - chunking invariance: any split of the input into chunks (zero-length chunks included),
//!   with every `drain` taken before the next chunk and `flush` at the end, gives the output
//!   of the whole signal in one chunk, bit for bit;
//! - flush then reuse: after `flush` has returned `None`, the stage runs a new stream exactly as
//!   a fresh one does;
//! - reset: whatever it held mid-stream, after `reset` it runs a stream exactly as a fresh one;
//! - a zero-length chunk gives no frames.
//!
//! The oracle here is the stage itself run whole: these tests pin the streaming machinery.
//! What each stage computes is checked against SoX and FFmpeg in the dsp_* and effects_* tests.

use audiostream::dsp::{Remixer, Resampler};
use audiostream::effects::list;
use audiostream::ndarray::{s, Array2};
use audiostream::pipeline::{Pipeline, SeekTrim, Stage};
use audiostream::AudioEffector;

/// A chain for every effect `audiostream effects` lists (the test fails when one is missing),
/// with arguments that make it do something within the test signal's length.
const EFFECT_EXAMPLES: &[(&str, &str)] = &[
    ("allpass", "allpass 1000 2q"),
    ("bandpass", "bandpass -c 1200 1o"),
    ("bandreject", "bandreject 800 200h"),
    ("bass", "bass 6"),
    ("chorus", "chorus 0.7 0.9 55 0.4 0.25 2 -t"),
    ("echo", "echo 0.8 0.9 20 0.5"),
    ("echos", "echos 0.8 0.7 15 0.25 31 0.3"),
    ("equalizer", "equalizer 1k 1o -6"),
    ("fade", "fade q 0.05 0 0.1"),
    ("flanger", "flanger 0 2 10 71 2"),
    ("gain", "gain -n -3"),
    ("highpass", "highpass 300"),
    ("lowpass", "lowpass -1 2k"),
    ("norm", "norm -1"),
    ("overdrive", "overdrive 10 20"),
    ("pad", "pad 0.01 0.02@0.1"),
    ("phaser", "phaser 0.8 0.74 3 0.4 0.5 -t"),
    ("pitch", "pitch 300"),
    ("reverb", "reverb 50 50 100"),
    ("reverse", "reverse"),
    ("speed", "speed 1.1"),
    ("tempo", "tempo 0.9"),
    ("treble", "treble -3"),
    ("tremolo", "tremolo 6 60"),
    ("vol", "vol -3dB"),
];

const RATE: u32 = 16000;
const FRAMES: usize = 12000;

/// A test signal: two sines and a little deterministic noise, per channel at its own phase.
fn signal(channels: usize, frames: usize) -> Array2<f32> {
    let mut seed = 0x1234_5678u32;
    Array2::from_shape_fn((channels, frames), |(c, i)| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
        let t = i as f32 / RATE as f32;
        0.4 * (2.0 * std::f32::consts::PI * (440.0 + 110.0 * c as f32) * t).sin()
            + 0.2 * (2.0 * std::f32::consts::PI * 3100.0 * t).sin()
            + 0.05 * noise
    })
}

/// Appends `b` to `a` (same channels).
fn append(a: &mut Vec<Vec<f32>>, b: &Array2<f32>) {
    if a.is_empty() {
        a.resize(b.nrows(), Vec::new());
    }
    assert_eq!(
        a.len(),
        b.nrows(),
        "a stage changed its channel count mid-stream"
    );
    for (ch, row) in a.iter_mut().zip(b.rows()) {
        ch.extend(row.iter());
    }
}

/// Runs `input` through `stage` in chunks of the sizes `sizes` gives (cycled), draining after
/// each chunk and flushing in pieces of `piece` frames at the end. Checks that zero-length
/// chunks give nothing. Returns the output, planar.
fn run(stage: &mut dyn Stage, input: &Array2<f32>, sizes: &[usize], piece: usize) -> Vec<Vec<f32>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut k = 0;
    while start < input.ncols() {
        let n = sizes[k % sizes.len()].min(input.ncols() - start);
        k += 1;
        let chunk = input.slice(s![.., start..start + n]).to_owned();
        let y = stage.process(chunk).expect("process");
        if n == 0 {
            assert_eq!(
                y.ncols(),
                0,
                "a zero-length chunk gave {} frames",
                y.ncols()
            );
        }
        append(&mut out, &y);
        while let Some(p) = stage.drain(piece).expect("drain") {
            append(&mut out, &p);
        }
        start += n;
    }
    while let Some(p) = stage.flush(piece).expect("flush") {
        append(&mut out, &p);
    }
    out
}

/// Bit-for-bit equality of two planar outputs, naming the first difference.
fn assert_same(want: &[Vec<f32>], got: &[Vec<f32>], what: &str) {
    assert_eq!(want.len(), got.len(), "{what}: channel count");
    for (c, (w, g)) in want.iter().zip(got).enumerate() {
        assert_eq!(w.len(), g.len(), "{what}: frames on channel {c}");
        if let Some(i) = (0..w.len()).find(|&i| w[i].to_bits() != g[i].to_bits()) {
            panic!("{what}: channel {c} frame {i}: {} != {}", g[i], w[i]);
        }
    }
}

/// The whole contract for stages `make` builds, on `channels`-channel input.
fn check_contract(name: &str, channels: usize, make: &dyn Fn() -> Box<dyn Stage>) {
    let input = signal(channels, FRAMES);
    let whole = run(make().as_mut(), &input, &[FRAMES], usize::MAX);
    assert!(
        whole.first().is_some_and(|c| !c.is_empty()),
        "{name}: no output at all"
    );

    // Chunking invariance (zero-length chunks among them), with small flush pieces.
    for sizes in [
        &[1usize, 0, 7][..],
        &[64, 0, 1000, 3],
        &[4096],
        &[997, 0, 0, 1],
    ] {
        let got = run(make().as_mut(), &input, sizes, 1500);
        assert_same(&whole, &got, &format!("{name}, chunks {sizes:?}"));
    }

    // Flush, then a new stream through the same stage.
    let mut stage = make();
    let first = run(stage.as_mut(), &input, &[333], 4096);
    assert_same(&whole, &first, &format!("{name}, first stream"));
    let second = run(stage.as_mut(), &input, &[1024, 0, 17], 4096);
    assert_same(
        &whole,
        &second,
        &format!("{name}, second stream after flush"),
    );

    // Reset mid-stream (with a drain pending or not), then a whole stream.
    let mut stage = make();
    let half = input.slice(s![.., ..FRAMES / 2]).to_owned();
    stage.process(half).expect("process");
    stage.reset().expect("reset");
    let after_reset = run(stage.as_mut(), &input, &[500], 4096);
    assert_same(&whole, &after_reset, &format!("{name}, after reset"));
}

fn effect(chain: &'static str, channels: usize) -> impl Fn() -> Box<dyn Stage> {
    move || {
        let fx: AudioEffector = chain.parse().expect(chain);
        Box::new(fx.stream(RATE, channels).expect(chain))
    }
}

#[test]
fn every_effect_listed_has_an_example() {
    let names: Vec<&str> = list().iter().map(|e| e.name).collect();
    for name in &names {
        assert!(
            EFFECT_EXAMPLES.iter().any(|(n, _)| n == name),
            "effect {name} has no example chain in EFFECT_EXAMPLES"
        );
    }
    for (n, _) in EFFECT_EXAMPLES {
        assert!(names.contains(n), "{n} is not listed by effects::list()");
    }
}

#[test]
fn every_effect_keeps_the_contract() {
    for (name, chain) in EFFECT_EXAMPLES {
        check_contract(name, 2, &effect(chain, 2));
    }
}

#[test]
fn effect_chains_keep_the_contract() {
    for chain in [
        "pad 0.2 0.3 echo 0.8 0.9 20 0.5 reverse",
        "speed 0.9 reverb 50 fade 0.1",
        "gain -h -3 tempo 1.2 gain -r",
        "reverse pad 0 0.5 chorus 0.7 0.9 55 0.4 0.25 2 -s",
    ] {
        check_contract(chain, 2, &effect(chain, 2));
        check_contract(&format!("{chain} (mono)"), 1, &effect(chain, 1));
    }
}

#[test]
fn remixer_keeps_the_contract() {
    for (from, to) in [(2, 1), (1, 2), (6, 2), (2, 6), (3, 3)] {
        check_contract(&format!("remix {from}->{to}"), from, &move || {
            Box::new(Remixer::new(from, to).unwrap())
        });
    }
}

#[test]
fn resampler_keeps_the_contract() {
    for (from, to) in [
        (16000, 44100),
        (16000, 8000),
        (16000, 22050),
        (16000, 16001),
    ] {
        check_contract(&format!("resample {from}->{to}"), 2, &move || {
            Box::new(Resampler::new(from, to, 2).unwrap())
        });
    }
}

#[test]
fn seek_trim_keeps_the_contract() {
    // A trim dropping frames is a one-shot setting (a seek): a fresh one drops nothing, which
    // is what `flush` and `reset` come back to.
    check_contract("seek trim", 2, &|| Box::new(SeekTrim::new(2)));
    let mut trim = SeekTrim::new(1);
    trim.drop_next(1000);
    let out = run(&mut trim, &signal(1, 3000), &[7, 0, 400], 100);
    assert_same(
        &[signal(1, 3000).row(0).to_vec()[1000..].to_vec()],
        &out,
        "seek trim dropping 1000",
    );
}

#[test]
fn pipelines_keep_the_contract() {
    check_contract("empty pipeline", 2, &|| Box::new(Pipeline::new()));
    check_contract("remix, resample, effects", 2, &|| {
        Box::new(
            Pipeline::new()
                .with(Remixer::new(2, 1).unwrap())
                .with(Resampler::new(16000, 22050, 1).unwrap())
                .with(SeekTrim::new(1))
                .with(
                    "pad 0.1 0.2 echo 0.8 0.9 20 0.5"
                        .parse::<AudioEffector>()
                        .unwrap()
                        .stream(22050, 1)
                        .unwrap(),
                ),
        )
    });
    // Stages that make output on their own (pad) before and after one that holds everything
    // (reverse) and one that holds blocks (the resampler).
    check_contract("pad, resample, reverse, pad", 1, &|| {
        Box::new(
            Pipeline::new()
                .with(
                    "pad 0.3@0.2"
                        .parse::<AudioEffector>()
                        .unwrap()
                        .stream(16000, 1)
                        .unwrap(),
                )
                .with(Resampler::new(16000, 48000, 1).unwrap())
                .with(
                    "reverse pad 0 0.4"
                        .parse::<AudioEffector>()
                        .unwrap()
                        .stream(48000, 1)
                        .unwrap(),
                ),
        )
    });
    // A pipeline inside a pipeline is a stage like any other.
    check_contract("nested pipelines", 2, &|| {
        Box::new(
            Pipeline::new()
                .with(Pipeline::new().with(Resampler::new(16000, 8000, 2).unwrap()))
                .with(Remixer::new(2, 2).unwrap()),
        )
    });
}
