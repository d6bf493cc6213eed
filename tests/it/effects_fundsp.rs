//! fundsp in the pipeline: user-built graphs (`AudioEffector::from_fundsp`) and fundsp's own
//! effects by name (`fundsp.reverb`, ...). The oracle is fundsp itself: the same graph ticked
//! by the test over the whole signal (`AudioUnit::tick`, f32). Through a reader's output,
//! through the writer (f32 WAV, exact), through `apply` and through streams cut anyhow, the
//! result must be that, bit for bit.

use crate::common;

use audiostream::fundsp::audiounit::AudioUnit;
use audiostream::fundsp::prelude32::*;
use audiostream::ndarray::{s, Array2};
use audiostream::{AudioEffector, AudioEncodeOptions, AudioStreamOptions, Error};
use common::effects::invalid;
use common::oracle::fixture;
use common::ours::{concat, decode, open, write_chunked};
use common::signals::{music, TempDir};
use rand::{Rng, SeedableRng};
use std::process::{Command, Stdio};

/// The file the other effect tests read: 16-bit stereo at 44.1 kHz.
const WAV: &str = "wav_s16_stereo_44100.wav";

fn to_array(planar: &[Vec<f32>]) -> Array2<f32> {
    let frames = planar.first().map_or(0, Vec::len);
    Array2::from_shape_fn((planar.len(), frames), |(c, i)| planar[c][i])
}

/// fundsp's own result: a copy of `unit` at `rate`, reset, ticked over the whole of `x`; a
/// mono unit once per channel (each with its own copy), an N-channel one across channels.
fn ticked<U: AudioUnit + Clone>(unit: &U, x: &Array2<f32>, rate: u32) -> Array2<f32> {
    let start = || {
        let mut u = unit.clone();
        u.set_sample_rate(f64::from(rate));
        u.reset();
        u
    };
    let mut out = Array2::zeros(x.dim());
    if unit.inputs() == 1 && x.nrows() != 1 {
        for c in 0..x.nrows() {
            let mut u = start();
            for i in 0..x.ncols() {
                let mut y = [0.0f32];
                u.tick(&[x[[c, i]]], &mut y);
                out[[c, i]] = y[0];
            }
        }
    } else {
        let mut u = start();
        let (mut frame, mut y) = (vec![0.0f32; x.nrows()], vec![0.0f32; x.nrows()]);
        for i in 0..x.ncols() {
            for c in 0..x.nrows() {
                frame[c] = x[[c, i]];
            }
            u.tick(&frame, &mut y);
            for c in 0..x.nrows() {
                out[[c, i]] = y[c];
            }
        }
    }
    out
}

/// Every chunk of output 0, read with `stream()`.
fn read_all(reader: &mut audiostream::StreamReader) -> Array2<f32> {
    let mut chunks = Vec::new();
    for item in reader.stream() {
        chunks.extend(item.unwrap().into_iter().flatten());
    }
    to_array(&concat(&chunks))
}

fn mono_graph() -> impl AudioUnit + Clone {
    lowpass_hz(1000.0, 1.0) >> mul(0.5)
}

/// A stereo graph that mixes its channels (so it cannot be run per channel) and has state.
fn stereo_graph() -> impl AudioUnit + Clone {
    (multipass::<U2>() & (0.3 * reverb_stereo(10.0, 1.0, 0.5)))
        >> (lowpass_hz(3000.0, 0.7) | highpass_hz(200.0, 0.7))
}

/// (a) A reader's output with a graph as its effect: fundsp's result on the decoded file,
/// for any chunk size; mono graph on the stereo file and a stereo graph.
#[test]
fn reader_output_equals_fundsp() {
    let path = fixture(WAV);
    let plain = to_array(&decode(&path, None));
    for (graph, expected) in [
        (
            AudioEffector::from_fundsp(mono_graph()).unwrap(),
            ticked(&mono_graph(), &plain, 44100),
        ),
        (
            AudioEffector::from_fundsp(stereo_graph()).unwrap(),
            ticked(&stereo_graph(), &plain, 44100),
        ),
    ] {
        assert_ne!(expected, plain, "the graph changes the signal");
        for frames in [1000, 4096] {
            let mut reader = open(&path, None, None);
            reader
                .add_audio_stream(AudioStreamOptions::new(frames).effect(graph.clone()))
                .unwrap();
            assert_eq!(read_all(&mut reader), expected, "{frames}-frame chunks");
        }
    }
}

/// A graph after SoX effects in one chain (`then`), in a reader after resampling to 16 kHz
/// mono: fundsp's result on what the SoX part gives, at the output rate.
#[test]
fn reader_chain_with_sox_effects_and_resampling() {
    let path = fixture(WAV);
    let mut plain = open(&path, None, None);
    plain
        .add_audio_stream(
            AudioStreamOptions::new(4096)
                .sample_rate(16000)
                .num_channels(1),
        )
        .unwrap();
    let resampled = read_all(&mut plain);
    let sox: AudioEffector = "highpass 100 gain -3".parse().unwrap();
    let expected = ticked(
        &mono_graph(),
        &sox.apply(resampled.view(), 16000).unwrap(),
        16000,
    );
    let fx = sox.then(AudioEffector::from_fundsp(mono_graph()).unwrap());
    let mut reader = open(&path, None, None);
    reader
        .add_audio_stream(
            AudioStreamOptions::new(777)
                .sample_rate(16000)
                .num_channels(1)
                .effect(fx),
        )
        .unwrap();
    assert_eq!(read_all(&mut reader), expected);
}

/// (b) The writer runs the graph before the encoder: an f32 WAV holds fundsp's result.
#[test]
fn writer_equals_fundsp() {
    let dir = TempDir::new("fx-fundsp-writer");
    let input = music(2, 30000, 44100) * 0.5;
    for (fx, expected) in [
        (
            AudioEffector::from_fundsp(stereo_graph()).unwrap(),
            ticked(&stereo_graph(), &input, 44100),
        ),
        (
            AudioEffector::from_fundsp(mono_graph()).unwrap(),
            ticked(&mono_graph(), &input, 44100),
        ),
    ] {
        for step in [1000, 7, 30000] {
            let path = dir.path("out.wav");
            let opts = AudioEncodeOptions::new(44100, 2)
                .encoder_format("flt")
                .effect(fx.clone());
            write_chunked(&path, opts, &input, step);
            assert_eq!(to_array(&decode(&path, None)), expected, "by {step}");
        }
    }
}

/// (c) `apply`, and streams cut anyhow (zero-length chunks too): fundsp's result.
#[test]
fn apply_and_streams_equal_fundsp() {
    let x = music(2, 20000, 48000) * 0.6;
    let mono_x = x.slice(s![0..1, ..]).to_owned();
    let three = Array2::from_shape_fn((3, 5000), |(c, i)| x[[c % 2, i]] * (c + 1) as f32 / 3.0);
    let cases: Vec<(AudioEffector, Array2<f32>, Array2<f32>)> = vec![
        (
            AudioEffector::from_fundsp(mono_graph()).unwrap(),
            x.clone(),
            ticked(&mono_graph(), &x, 48000),
        ),
        (
            AudioEffector::from_fundsp(mono_graph()).unwrap(),
            mono_x.clone(),
            ticked(&mono_graph(), &mono_x, 48000),
        ),
        (
            AudioEffector::from_fundsp(mono_graph()).unwrap(),
            three.clone(),
            ticked(&mono_graph(), &three, 48000),
        ),
        (
            AudioEffector::from_fundsp(stereo_graph()).unwrap(),
            x.clone(),
            ticked(&stereo_graph(), &x, 48000),
        ),
        (
            // A graph with an LFO (fundsp's chorus): its block `process` differs from `tick`.
            AudioEffector::from_fundsp(chorus(3, 0.01, 0.005, 0.7)).unwrap(),
            x.clone(),
            ticked(&chorus(3, 0.01, 0.005, 0.7), &x, 48000),
        ),
    ];
    for (fx, input, expected) in cases {
        assert_eq!(fx.apply(input.view(), 48000).unwrap(), expected);
        assert_eq!(streamed(&fx, &input, 48000, &[1, 7, 64, 1000]), expected);
        assert_eq!(fx.output_frames(48000, 12345), Some(12345));
    }
}

/// Runs `x` through a stream of `fx` in chunks cycling through `sizes`, with a zero-length
/// chunk after each, then flushes; everything it gave, joined.
fn streamed(fx: &AudioEffector, x: &Array2<f32>, rate: u32, sizes: &[usize]) -> Array2<f32> {
    let mut st = fx.stream(rate, x.nrows()).unwrap();
    let mut parts: Vec<Array2<f32>> = Vec::new();
    let mut at = 0;
    let mut k = 0;
    while at < x.ncols() {
        let end = Ord::min(at + sizes[k % sizes.len()], x.ncols());
        parts.push(st.process(x.slice(s![.., at..end])).unwrap());
        parts.push(st.process(x.slice(s![.., end..end])).unwrap());
        at = end;
        k += 1;
    }
    parts.push(st.flush().unwrap());
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    audiostream::ndarray::concatenate(audiostream::ndarray::Axis(1), &views).unwrap()
}

/// Chunk sizes drawn at random (seeded): about one in four zero-length, the others 1 to
/// `max` frames.
fn random_sizes(seed: u64, count: usize, max: usize) -> Vec<usize> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            if rng.random_range(0..4) == 0 {
                0
            } else {
                rng.random_range(1..=max)
            }
        })
        .collect()
}

/// Runs `x` through a stream of `fx` in chunks of `sizes` (cycled; zero-length ones passed
/// as they are), then flushes; everything it gave, joined.
fn streamed_exactly(
    fx: &AudioEffector,
    x: &Array2<f32>,
    rate: u32,
    sizes: &[usize],
) -> Array2<f32> {
    let mut st = fx.stream(rate, x.nrows()).unwrap();
    let mut parts: Vec<Array2<f32>> = Vec::new();
    let (mut at, mut k) = (0, 0);
    while at < x.ncols() {
        let end = Ord::min(at + sizes[k % sizes.len()], x.ncols());
        parts.push(st.process(x.slice(s![.., at..end])).unwrap());
        at = end;
        k += 1;
    }
    parts.push(st.flush().unwrap());
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    audiostream::ndarray::concatenate(audiostream::ndarray::Axis(1), &views).unwrap()
}

/// Every `fundsp.*` effect the catalog lists, with its defaults and with other values, on
/// 1, 2 and 3 channels: a stream fed random chunk sizes (zero-length ones among them) gives
/// `apply`'s output bit for bit (`apply` against fundsp itself: `named_effects_are_fundsp_functions`).
#[test]
fn named_effects_stream_exactly_with_random_chunks() {
    let names: Vec<&str> = audiostream::effects::list()
        .iter()
        .map(|e| e.name)
        .filter(|n| n.starts_with("fundsp."))
        .collect();
    assert_eq!(
        names,
        [
            "fundsp.chorus",
            "fundsp.flanger",
            "fundsp.overdrive",
            "fundsp.phaser",
            "fundsp.reverb"
        ]
    );
    let other = |name: &str| match name {
        "fundsp.chorus" => "9 0.005 0.02 3",
        "fundsp.flanger" => "0.9 0.001 0.004 2",
        "fundsp.overdrive" => "25",
        "fundsp.phaser" => "-0.7 4",
        _ => "3 1 0.2 0.8",
    };
    let x = music(3, 9000, 32000) * 0.8;
    for (n, name) in names.iter().enumerate() {
        for chain in [name.to_string(), format!("{name} {}", other(name))] {
            let fx: AudioEffector = chain.parse().unwrap();
            for channels in 1..=3 {
                let input = x.slice(s![..channels, ..]).to_owned();
                let whole = fx.apply(input.view(), 32000).unwrap();
                assert_eq!(whole.dim(), input.dim(), "{chain}");
                assert_ne!(whole, input, "{chain} changes the signal");
                for round in 0..3u64 {
                    let sizes =
                        random_sizes(100 * n as u64 + 10 * channels as u64 + round, 64, 1500);
                    assert_eq!(
                        streamed_exactly(&fx, &input, 32000, &sizes),
                        whole,
                        "{chain}, {channels} channels, chunks {sizes:?}"
                    );
                }
            }
        }
    }
}

/// Graphs given to `from_fundsp`, streamed in random chunk sizes (zero-length ones among
/// them): fundsp's own result over the whole signal, bit for bit.
#[test]
fn graphs_stream_exactly_with_random_chunks() {
    let x = music(2, 20000, 44100) * 0.6;
    let mono_x = x.slice(s![0..1, ..]).to_owned();
    let cases: Vec<(AudioEffector, &Array2<f32>, Array2<f32>)> = vec![
        (
            AudioEffector::from_fundsp(mono_graph()).unwrap(),
            &x,
            ticked(&mono_graph(), &x, 44100),
        ),
        (
            AudioEffector::from_fundsp(mono_graph()).unwrap(),
            &mono_x,
            ticked(&mono_graph(), &mono_x, 44100),
        ),
        (
            AudioEffector::from_fundsp(stereo_graph()).unwrap(),
            &x,
            ticked(&stereo_graph(), &x, 44100),
        ),
        (
            AudioEffector::from_fundsp(phaser(0.6, |t| sin_hz(1.5, t) * 0.5 + 0.5)).unwrap(),
            &x,
            ticked(&phaser(0.6, |t| sin_hz(1.5, t) * 0.5 + 0.5), &x, 44100),
        ),
    ];
    for (k, (fx, input, expected)) in cases.iter().enumerate() {
        for round in 0..4u64 {
            let sizes = random_sizes(1000 + 10 * k as u64 + round, 64, 3000);
            assert_eq!(
                &streamed_exactly(fx, input, 44100, &sizes),
                expected,
                "case {k}, chunks {sizes:?}"
            );
        }
    }
}

/// Graphs whose channels do not fit the stream are `InvalidArgument` naming both; graphs
/// with no input or fewer outputs than inputs are refused at once.
#[test]
fn wrong_channel_count_is_an_error() {
    let stereo = AudioEffector::from_fundsp(stereo_graph()).unwrap();
    for channels in [1, 3] {
        match stereo.stream(44100, channels) {
            Err(Error::InvalidArgument(m)) => {
                assert!(
                    m.contains("2 inputs and 2 outputs")
                        && m.contains(&format!("{channels}-channel")),
                    "{m}"
                );
            }
            other => panic!("{channels} channels: {other:?}"),
        }
    }
    assert!(matches!(
        stereo.apply(Array2::zeros((1, 10)).view(), 44100),
        Err(Error::InvalidArgument(_))
    ));
    // In a reader: refused when the output is added.
    let mut reader = open(&fixture(WAV), None, None);
    let added =
        reader.add_audio_stream(AudioStreamOptions::new(1024).num_channels(1).effect(stereo));
    assert!(matches!(added, Err(Error::InvalidArgument(m)) if m.contains("2 inputs")));
    for (graph, needle) in [
        (
            AudioEffector::from_fundsp(sine_hz(440.0)),
            "0 inputs and 1 outputs",
        ),
        (
            AudioEffector::from_fundsp(join::<U2>()),
            "2 inputs and 1 outputs",
        ),
    ] {
        assert!(
            matches!(&graph, Err(Error::InvalidArgument(m)) if m.contains(needle)),
            "{graph:?}"
        );
    }
}

/// A seek restarts the graph at the target: reading from there gives fundsp's result on the
/// audio from the target on (as `sox in out trim T effect` does for SoX effects).
#[test]
fn seek_resets_the_graph() {
    let path = fixture(WAV);
    let plain = to_array(&decode(&path, None));
    for target in [0.25, 0.1] {
        let from = (target * 44100.0) as usize;
        let tail = plain.slice(s![.., from..]).to_owned();
        let expected = ticked(&stereo_graph(), &tail, 44100);
        let mut reader = open(&path, None, None);
        reader
            .add_audio_stream(
                AudioStreamOptions::new(1024)
                    .effect(AudioEffector::from_fundsp(stereo_graph()).unwrap()),
            )
            .unwrap();
        reader.fill_buffer().unwrap();
        reader.seek(target).unwrap();
        let got = read_all(&mut reader);
        assert_eq!(got, expected, "seek to {target}");
    }
}

/// fundsp's effects by name are fundsp's functions with the documented defaults and LFOs.
#[test]
fn named_effects_are_fundsp_functions() {
    let x = music(2, 15000, 44100) * 0.5;
    let mono = x.slice(s![0..1, ..]).to_owned();
    let fx = |s: &str| s.parse::<AudioEffector>().unwrap();
    let apply = |s: &str, x: &Array2<f32>| fx(s).apply(x.view(), 44100).unwrap();
    assert_eq!(
        apply("fundsp.overdrive 3", &x),
        ticked(&shape(Tanh(3.0)), &x, 44100)
    );
    assert_eq!(
        apply("fundsp.reverb", &x),
        ticked(
            &(multipass::<U2>() & (0.2 * reverb_stereo(10.0, 5.0, 0.5))),
            &x,
            44100
        )
    );
    let mono_reverb =
        pass() & (0.3 * (split::<U2>() >> reverb_stereo(20.0, 2.0, 0.1) >> join::<U2>()));
    assert_eq!(
        apply("fundsp.reverb 20 2 0.1 0.3", &mono),
        ticked(&mono_reverb, &mono, 44100)
    );
    let flanger = flanger(0.5, 0.005, 0.01, |t| lerp11(0.005, 0.01, sin_hz(0.1, t)));
    assert_eq!(apply("fundsp.flanger", &x), ticked(&flanger, &x, 44100));
    let phaser = phaser(-0.3, |t| sin_hz(2.0, t) * 0.5 + 0.5);
    assert_eq!(
        apply("fundsp.phaser -0.3 2", &x),
        ticked(&phaser, &x, 44100)
    );
    // Chorus: one seed per channel, seed + c.
    let ours = apply("fundsp.chorus 7", &x);
    for c in 0..2 {
        let row = x.slice(s![c..c + 1, ..]).to_owned();
        let theirs = ticked(&chorus(7 + c as u64, 0.015, 0.005, 0.5), &row, 44100);
        assert_eq!(ours.slice(s![c..c + 1, ..]), theirs, "channel {c}");
    }
}

/// Every `fundsp.*` effect streams exactly: chunks of 1, 7, 64 and 1000 frames with
/// zero-length ones in between, mono and stereo, give `apply`'s output bit for bit.
#[test]
fn named_effects_stream_exactly() {
    let x = music(2, 12000, 44100) * 0.7;
    for chain in [
        "fundsp.reverb 0.5",
        "fundsp.reverb 30 10 0.9 1",
        "fundsp.chorus 1 0.02 0.01 2",
        "fundsp.flanger -0.8 0 0.003 3",
        "fundsp.phaser 0.9 0.5",
        "fundsp.overdrive 10",
        "highpass 80 fundsp.reverb fundsp.overdrive 2 gain -1",
    ] {
        let fx: AudioEffector = chain.parse().unwrap();
        for input in [x.clone(), x.slice(s![1..2, ..]).to_owned()] {
            let whole = fx.apply(input.view(), 44100).unwrap();
            assert_eq!(whole.dim(), input.dim(), "{chain}");
            assert_ne!(whole, input, "{chain} changes the signal");
            for sizes in [&[1usize][..], &[7], &[64], &[1000], &[1, 7, 64, 1000]] {
                assert_eq!(
                    streamed(&fx, &input, 44100, sizes),
                    whole,
                    "{chain}, {} channels, chunks {sizes:?}",
                    input.nrows()
                );
            }
        }
    }
}

/// Bad arguments are `InvalidArgument` naming the effect and argument, the value given and
/// the range allowed (`Error::invalid_argument`'s `name = value; allowed: range`).
#[test]
fn named_effects_bad_arguments() {
    for (chain, message) in [
        (
            "fundsp.reverb 0",
            "fundsp.reverb room_size = 0; allowed: 0.1 to 100 (m)",
        ),
        (
            "fundsp.reverb 100.5",
            "fundsp.reverb room_size = 100.5; allowed: 0.1 to 100 (m)",
        ),
        (
            "fundsp.reverb 10 0.01",
            "fundsp.reverb time = 0.01; allowed: 0.1 to 60",
        ),
        (
            "fundsp.reverb 10 5 2",
            "fundsp.reverb damping = 2; allowed: 0 to 1",
        ),
        (
            "fundsp.reverb 10 5 0.5 -0.2",
            "fundsp.reverb wet = -0.2; allowed: 0 to 1",
        ),
        (
            "fundsp.reverb 10 5 0.5 0.2 1",
            "fundsp.reverb number of arguments = 5; allowed: 0 to 4",
        ),
        (
            "fundsp.reverb big",
            "fundsp.reverb room_size = big; allowed: a finite number",
        ),
        (
            "fundsp.reverb inf",
            "fundsp.reverb room_size = inf; allowed: a finite number",
        ),
        (
            "fundsp.chorus 1.5",
            "fundsp.chorus seed = 1.5; allowed: integer 0 to 4294967295",
        ),
        (
            "fundsp.chorus -1",
            "fundsp.chorus seed = -1; allowed: integer 0 to 4294967295",
        ),
        (
            "fundsp.chorus 0 0.2",
            "fundsp.chorus separation = 0.2; allowed: 0 to 0.1",
        ),
        (
            "fundsp.chorus 0 0.01 0.5",
            "fundsp.chorus variation = 0.5; allowed: 0 to 0.1",
        ),
        (
            "fundsp.chorus 0 0.01 0.01 21",
            "fundsp.chorus mod_frequency = 21; allowed: 0 to 20",
        ),
        (
            "fundsp.flanger 2",
            "fundsp.flanger feedback = 2; allowed: -1 to 1",
        ),
        (
            "fundsp.flanger 0.5 -0.001",
            "fundsp.flanger min_delay = -0.001; allowed: 0 to 0.1",
        ),
        (
            "fundsp.flanger 0.5 0.02 0.01",
            "fundsp.flanger max_delay = 0.01; allowed: at least min_delay (0.02) and at most 0.1",
        ),
        (
            "fundsp.flanger 0.5 0.005 0.2",
            "fundsp.flanger max_delay = 0.2; allowed: min_delay to 0.1",
        ),
        (
            "fundsp.flanger 0.5 0.005 0.01 -1",
            "fundsp.flanger frequency = -1; allowed: 0 to 20",
        ),
        (
            "fundsp.phaser 1",
            "fundsp.phaser feedback = 1; allowed: -0.99 to 0.99",
        ),
        (
            "fundsp.phaser 0.5 50",
            "fundsp.phaser frequency = 50; allowed: 0 to 20",
        ),
        (
            "fundsp.phaser 0.5 1 2",
            "fundsp.phaser number of arguments = 3; allowed: 0 to 2",
        ),
        (
            "fundsp.overdrive 0",
            "fundsp.overdrive hardness = 0; allowed: 0.01 to 100",
        ),
        (
            "fundsp.overdrive 101",
            "fundsp.overdrive hardness = 101; allowed: 0.01 to 100",
        ),
    ] {
        invalid(chain.parse(), &[message]);
        // The same through `new`, with numbers.
        let mut tokens = chain.split_whitespace();
        let name = tokens.next().unwrap();
        let numbers: Result<Vec<f64>, _> = tokens.map(str::parse).collect();
        if let Ok(numbers) = numbers {
            if numbers.iter().all(|v| v.is_finite()) {
                invalid(AudioEffector::new(name, &numbers), &[message]);
            }
        }
    }
    invalid(
        AudioEffector::new("fundsp.reverb", &[])
            .unwrap()
            .param("wet", 3.0),
        &["fundsp.reverb wet = 3; allowed: 0 to 1"],
    );
    invalid(
        AudioEffector::new("fundsp.reverb", &[])
            .unwrap()
            .param("wet", f64::NAN),
        &["fundsp.reverb wet = NaN; allowed: 0 to 1"],
    );
    invalid(
        AudioEffector::new("fundsp.reverb", &[])
            .unwrap()
            .param("size", 3.0),
        &["fundsp.reverb parameter = size; allowed: room_size, time, damping, wet"],
    );
    invalid(
        AudioEffector::new("fundsp.wobble", &[]),
        &["effect = fundsp.wobble", "available: ", "fundsp.reverb"],
    );
    // Positional arguments through `new` and names through `param` are the same effect.
    assert_eq!(
        AudioEffector::new("fundsp.flanger", &[0.2, 0.001]).unwrap(),
        AudioEffector::new("fundsp.flanger", &[])
            .unwrap()
            .param("feedback", 0.2)
            .unwrap()
            .param("min_delay", 0.001)
            .unwrap()
    );
}

/// `effects::list()` and `audiostream effects` list the five with arguments, defaults and
/// ranges.
#[test]
fn named_effects_are_listed() {
    let list = audiostream::effects::list();
    let out = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .arg("effects")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for name in [
        "fundsp.reverb",
        "fundsp.chorus",
        "fundsp.flanger",
        "fundsp.phaser",
        "fundsp.overdrive",
    ] {
        let info = list.iter().find(|e| e.name == name).expect(name);
        assert!(!info.arguments.is_empty(), "{name}");
        assert!(text.contains(info.usage), "{name} not printed");
        for a in info.arguments {
            let line = text
                .lines()
                .find(|l| l.trim_start().starts_with(a.name) && l.contains(a.range))
                .unwrap_or_else(|| panic!("{name} {} not printed", a.name));
            assert!(line.contains(a.default), "{line}");
        }
    }
    let one = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(["effects", "fundsp.reverb"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&one.stdout);
    assert!(text.starts_with("fundsp.reverb [room_size(10)"), "{text}");
    assert!(text.contains("room_size") && text.contains("0.1 to 100"));
}

/// The CLI takes dotted names in `--effect` chains: `convert --effect "... fundsp.reverb 0.5"`
/// writes what `apply` gives on the decoded file.
#[test]
fn cli_convert_with_fundsp_reverb() {
    let dir = TempDir::new("fx-fundsp-cli");
    let input = fixture(WAV);
    let output = dir.path("out.wav");
    let chain = "highpass 100 fundsp.reverb 0.5";
    let out = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(["convert", input.to_str().unwrap(), output.to_str().unwrap()])
        .args(["--codec", "pcm_f32le", "--effect", chain])
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fx: AudioEffector = chain.parse().unwrap();
    let expected = fx
        .apply(to_array(&decode(&input, None)).view(), 44100)
        .unwrap();
    assert_eq!(to_array(&decode(&output, None)), expected);
    // A bad value is a usage error naming the range.
    let bad = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(["convert", input.to_str().unwrap(), output.to_str().unwrap()])
        .args(["--effect", "fundsp.reverb 500"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("0.1 to 100"));
}
