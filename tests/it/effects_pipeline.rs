//! Effects wired into the pipeline: `AudioStreamOptions::effect` on the reader,
//! `AudioEncodeOptions::effect` on the writer, `audiostream convert --effect` and
//! `audiostream effects`. The oracle is SoX running the same chain on the same file (`sox -D`,
//! float output); inside the library, the reader's and writer's effect stages must equal
//! `AudioEffector::apply` bit for bit (one implementation used three ways).

use crate::common;

use audiostream::ndarray::{s, Array2};
use audiostream::{AudioEffector, AudioEncodeOptions, AudioStreamOptions, StreamWriter};
use audiostream::{Chunk, StreamReader};
use common::oracle::{fixture, snr_db};
use common::ours::{concat, decode, open};
use common::signals::{music, TempDir};
use common::sox::write_flt;
use std::process::{Command, Output, Stdio};

/// Chains that keep the length and have SoX-exact implementations.
const CHAINS: &[&str] = &[
    "lowpass 1000 overdrive 10",
    "highpass 200 gain -3",
    "bass 6 treble -3 vol 0.8",
    "equalizer 1k 1o -6 fade t 0.1 0 0.2",
];

fn to_array(planar: &[Vec<f32>]) -> Array2<f32> {
    let frames = planar.first().map_or(0, Vec::len);
    Array2::from_shape_fn((planar.len(), frames), |(c, i)| planar[c][i])
}

/// Every chunk of output 0, read with `stream()` (which never drops chunks).
fn read_chunks(reader: &mut StreamReader) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    for item in reader.stream() {
        chunks.extend(item.unwrap().into_iter().flatten());
    }
    chunks
}

fn run_cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run the audiostream binary")
}

/// Runs `sox -D <in> -e floating-point -b 32 <out> <chain>` on a file.
fn sox_file(input: &std::path::Path, out: &std::path::Path, chain: &str) {
    let status = Command::new("sox")
        .args(["-V1", "-D"])
        .arg(input)
        .args(["-e", "floating-point", "-b", "32"])
        .arg(out)
        .args(chain.split_whitespace())
        .status()
        .expect("running sox");
    assert!(status.success(), "sox {chain}");
}

fn worst_snr(reference: &[Vec<f32>], ours: &[Vec<f32>]) -> f64 {
    assert_eq!(reference.len(), ours.len(), "channels");
    reference
        .iter()
        .zip(ours)
        .map(|(r, o)| {
            assert_eq!(r.len(), o.len(), "length");
            snr_db(r, o)
        })
        .fold(f64::INFINITY, f64::min)
}

/// The reader's effect stage equals `apply` on the decoded file bit for bit, for every chunk
/// size, and matches SoX on the same file. Measured: 139.0–148.5 dB against SoX.
#[test]
fn reader_effect_equals_apply_and_sox() {
    let path = fixture("wav_s16_stereo_44100.wav");
    let plain = decode(&path, None);
    let dir = TempDir::new("fx-reader");
    for chain in CHAINS {
        let fx: AudioEffector = chain.parse().unwrap();
        let expected = fx.apply(to_array(&plain).view(), 44100).unwrap();
        for frames in [1000, 4096] {
            let mut reader = open(&path, None, None);
            reader
                .add_audio_stream(AudioStreamOptions::new(frames).effect(fx.clone()))
                .unwrap();
            assert!(reader.get_out_stream_info(0).unwrap().converted);
            let got = to_array(&concat(&read_chunks(&mut reader)));
            assert_eq!(got, expected, "{chain}, {frames}-frame chunks");
        }
        let theirs = dir.path("sox.wav");
        sox_file(&path, &theirs, chain);
        let snr = worst_snr(&decode(&theirs, None), &concat_rows(&expected));
        eprintln!("reader {chain}: {snr:.1} dB against sox");
        assert!(snr > 100.0, "{chain}: {snr:.1} dB against sox");
    }
}

fn concat_rows(a: &Array2<f32>) -> Vec<Vec<f32>> {
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

/// Effects run after resampling, at the output rate: the output equals `apply` on the
/// resampled decode, bit for bit.
#[test]
fn reader_effect_after_resample() {
    let path = fixture("flac_16_stereo_44100.flac");
    let mut plain = open(&path, None, None);
    plain
        .add_audio_stream(
            AudioStreamOptions::new(4096)
                .sample_rate(16000)
                .num_channels(1),
        )
        .unwrap();
    let resampled = to_array(&concat(&read_chunks(&mut plain)));
    let fx: AudioEffector = "highpass 300 overdrive 5".parse().unwrap();
    let expected = fx.apply(resampled.view(), 16000).unwrap();
    let mut reader = open(&path, None, None);
    reader
        .add_audio_stream(
            AudioStreamOptions::new(777)
                .sample_rate(16000)
                .num_channels(1)
                .effect(fx),
        )
        .unwrap();
    assert_eq!(to_array(&concat(&read_chunks(&mut reader))), expected);
}

/// After a seek the effects start afresh at the target (as `sox in out trim T effect`): the
/// output equals `apply` on the audio from the target on.
#[test]
fn reader_effect_restarts_at_seek() {
    let path = fixture("wav_s16_stereo_44100.wav");
    let plain = to_array(&decode(&path, None));
    let fx: AudioEffector = "lowpass 2000 overdrive 10".parse().unwrap();
    let target = 0.25;
    let from = (target * 44100.0) as usize;
    let expected = fx.apply(plain.slice(s![.., from..]).view(), 44100).unwrap();
    let mut reader = open(&path, None, None);
    reader
        .add_audio_stream(AudioStreamOptions::new(1024).effect(fx))
        .unwrap();
    reader.fill_buffer().unwrap();
    reader.seek(target).unwrap();
    let chunks = read_chunks(&mut reader);
    assert_eq!(chunks[0].pts, target);
    assert_eq!(to_array(&concat(&chunks)), expected);
}

/// The writer's effect stage: the file holds `apply(input)`, including what `reverse` holds
/// back until `close`, for any chunking; with a rate change, effects run at the encoder's rate.
#[test]
fn writer_effect_equals_apply() {
    let dir = TempDir::new("fx-writer");
    let input = music(2, 30000, 44100) * 0.5;
    for chain in [
        "lowpass 3000 overdrive 20",
        "fade 0.1 0 0.2 reverse gain -1",
    ] {
        let fx: AudioEffector = chain.parse().unwrap();
        let expected = fx.apply(input.view(), 44100).unwrap();
        for step in [1000, 30000] {
            let path = dir.path("out.wav");
            let mut w = StreamWriter::new(path.to_str().unwrap(), None, None).unwrap();
            w.add_audio_stream_with(
                AudioEncodeOptions::new(44100, 2)
                    .encoder_format("flt")
                    .effect(fx.clone()),
            )
            .unwrap();
            let mut at = 0;
            while at < input.ncols() {
                let end = (at + step).min(input.ncols());
                w.write_audio_chunk(0, input.slice(s![.., at..end]), None)
                    .unwrap();
                at = end;
            }
            w.finish().unwrap();
            assert_eq!(w.stats().encoded_frames, expected.ncols() as u64);
            w.close().unwrap();
            assert_eq!(
                to_array(&decode(&path, None)),
                expected,
                "{chain} by {step}"
            );
        }
    }
}

/// `convert --effect` matches SoX running the same chain on the same file, with the same
/// length. Measured: 137.4–146.7 dB.
#[test]
fn cli_convert_effect_matches_sox() {
    let dir = TempDir::new("fx-cli");
    let input = dir.path("in.wav");
    write_flt(&input, &(music(2, 44100, 44100) * 0.7), 44100);
    for chain in CHAINS {
        let ours = dir.path("ours.wav");
        let out = run_cli(&[
            "convert",
            input.to_str().unwrap(),
            ours.to_str().unwrap(),
            "--codec",
            "pcm_f32le",
            "--effect",
            chain,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = dir.path("sox.wav");
        sox_file(&input, &theirs, chain);
        let snr = worst_snr(&decode(&theirs, None), &decode(&ours, None));
        eprintln!("cli {chain}: {snr:.1} dB against sox");
        assert!(snr > 100.0, "{chain}: {snr:.1} dB");
    }
}

/// A bad chain is a usage error (exit 2) naming the effect and argument; an unknown effect
/// lists the available ones; nothing is written.
#[test]
fn cli_bad_effect_is_a_usage_error() {
    let dir = TempDir::new("fx-cli-bad");
    let input = fixture("wav_s16_stereo_44100.wav");
    let output = dir.path("out.wav");
    for (chain, needle) in [
        ("lowpass -5", "lowpass frequency"),
        ("wobble 3", "available"),
        ("overdrive 200", "overdrive gain"),
        ("lowpass 30000", "lowpass frequency"),
    ] {
        let out = run_cli(&[
            "convert",
            input.to_str().unwrap(),
            output.to_str().unwrap(),
            "--effect",
            chain,
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{chain}: {err}");
        assert!(err.contains(needle), "{chain}: {err}");
        assert!(!output.exists(), "{chain}: output left behind");
    }
}

/// `audiostream effects` lists every effect the parser accepts, with its synopsis; a name
/// shows one; an unknown name is exit 2.
#[test]
fn cli_effects_lists_every_effect() {
    let out = run_cli(&["effects"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for info in audiostream::effects::list() {
        assert!(text.contains(info.usage), "{} missing", info.name);
        for a in info.arguments {
            assert!(text.contains(a.name), "{} {} missing", info.name, a.name);
        }
    }
    for name in [
        "reverb",
        "chorus",
        "flanger",
        "overdrive",
        "echo",
        "lowpass",
        "tempo",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "{name} not listed"
        );
    }
    let one = run_cli(&["effects", "overdrive"]);
    let text = String::from_utf8_lossy(&one.stdout);
    assert!(
        text.starts_with("overdrive [gain(20) [colour(20)]]"),
        "{text}"
    );
    assert!(!text.contains("lowpass"));
    let bad = run_cli(&["effects", "wobble"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("available: allpass"));
}

/// One example of every effect the library has (SoX's and fundsp's), by name.
const EVERY_EFFECT: &[(&str, &str)] = &[
    ("allpass", "1000 1q"),
    ("bandpass", "-c 1000 2o"),
    ("bandreject", "1000 100h"),
    ("bass", "6"),
    ("chorus", "0.7 0.9 55 0.4 0.25 2 -t"),
    ("echo", "0.8 0.9 100 0.3"),
    ("echos", "0.8 0.9 100 0.3 200 0.2"),
    ("equalizer", "1k 1o -6"),
    ("fade", "t 0.1 0.5 0.2"),
    ("flanger", ""),
    ("fundsp.chorus", ""),
    ("fundsp.flanger", "0.3"),
    ("fundsp.overdrive", "3"),
    ("fundsp.phaser", ""),
    ("fundsp.reverb", "20 2"),
    ("gain", "-n -3"),
    ("highpass", "-1 300"),
    ("lowpass", "1k"),
    ("norm", "-1"),
    ("overdrive", "10"),
    ("pad", "0.1 0.3"),
    ("phaser", ""),
    ("pitch", "300"),
    ("reverb", ""),
    ("reverse", ""),
    ("speed", "1.25"),
    ("tempo", "1.3"),
    ("treble", "-3"),
    ("tremolo", "5"),
    ("vol", "0.5"),
];

/// The catalog (`effects::list()`, what `audiostream effects` prints) lists every effect,
/// each once, sorted, with a synopsis starting with its name; every name in it parses (alone
/// where its arguments are optional, else `InvalidArgument` on the missing ones, never an
/// unknown effect), with arguments, and starts a new effect inside a chain.
#[test]
fn catalog_lists_every_effect_and_every_name_parses() {
    let list = audiostream::effects::list();
    let names: Vec<&str> = list.iter().map(|e| e.name).collect();
    let expected: Vec<&str> = EVERY_EFFECT.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, expected, "the catalog's names, sorted");
    let x = music(2, 8000, 16000) * 0.5;
    for (info, (name, args)) in list.iter().zip(EVERY_EFFECT) {
        assert!(info.usage.starts_with(name), "{}", info.usage);
        assert!(!info.description.is_empty(), "{name}");
        for a in info.arguments {
            assert!(
                !a.name.is_empty() && !a.default.is_empty() && !a.range.is_empty(),
                "{name}: {a:?}"
            );
        }
        // Alone: its defaults, or an error on the arguments (the name itself is known).
        let required = info.arguments.iter().any(|a| a.default == "required");
        match AudioEffector::new(name, &[]) {
            Ok(_) => assert!(!required, "{name} has a required argument"),
            Err(audiostream::Error::InvalidArgument(m)) => {
                assert!(!m.contains("available:"), "{name}: {m}");
                assert!(m.starts_with(name), "{name}: {m}");
            }
            Err(e) => panic!("{name}: {e:?}"),
        }
        // With arguments, alone and inside a chain.
        let one: AudioEffector = format!("{name} {args}").parse().unwrap();
        let chain: AudioEffector = format!("vol 0.9 {name} {args} vol 0.8").parse().unwrap();
        let parts = AudioEffector::new("vol", &[0.9])
            .unwrap()
            .then(one.clone())
            .then(AudioEffector::new("vol", &[0.8]).unwrap());
        assert_eq!(chain, parts, "{name}");
        // And it runs.
        assert!(one.apply(x.view(), 16000).is_ok(), "{name}");
    }
}
