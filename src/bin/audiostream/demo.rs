//! `audiostream demo`: the tool's main job on a file bundled in the binary, from any directory.
//! Reads an Ogg Vorbis file from memory in chunks, converts it to MP3 (128 kb/s) and FLAC at
//! 48 kHz (another rate than the input's 44.1 kHz), reads each output back, and says what it
//! did and where the files are.

use crate::convert::{self, Failure, Job, Settings, Source, CHUNK_FRAMES};
use crate::progress;
use audiostream::{Options, StreamReader};
use std::path::Path;

/// The bundled input: 2 s of a stereo test signal, Ogg Vorbis q5, 44.1 kHz, with tags.
const INPUT_NAME: &str = "vorbis_q5_stereo_44100.ogg";
const INPUT: &[u8] = include_bytes!("../../../fixtures/vorbis_q5_stereo_44100.ogg");

/// The rate both outputs are converted to.
const OUT_RATE: u32 = 48_000;

fn failure(f: Failure) -> String {
    f.message
}

/// One line about a file, from reading it back: `mp3, 48000 Hz, 2 ch, 2.000 s (96000 frames)`.
fn read_back(path: &Path) -> Result<String, String> {
    let reader = StreamReader::new(path, None, None)
        .map_err(|e| format!("reading back {}: {e}", path.display()))?;
    let m = reader.get_metadata();
    let mut line = format!("{}, {} Hz, {} ch", m.codec, m.sample_rate, m.num_channels);
    if let Some(d) = m.duration {
        line.push_str(&format!(", {d:.3} s"));
    }
    if let Some(n) = m.num_frames {
        line.push_str(&format!(" ({n} frames)"));
    }
    if let Some(b) = m.bits_per_sample {
        line.push_str(&format!(", {b}-bit"));
    }
    if let Some(t) = m.tags.get("title") {
        line.push_str(&format!(", title {t:?}"));
    }
    Ok(line)
}

/// Runs the demo, printing to stdout.
pub fn run() -> Result<(), String> {
    let dir = std::env::temp_dir().join("audiostream-demo");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;

    let reader = StreamReader::from_reader(std::io::Cursor::new(INPUT), None)
        .map_err(|e| format!("{INPUT_NAME}: {e}"))?;
    let m = reader.get_metadata();
    drop(reader);
    println!("audiostream demo: one bundled file, read in chunks, converted to two formats at another rate\n");
    println!(
        "input   {INPUT_NAME} ({}, bundled in the binary, read from memory in chunks of {CHUNK_FRAMES} frames)",
        progress::size(INPUT.len() as u64)
    );
    let mut line = format!(
        "        {} / {}, {} Hz, {} ch",
        m.format, m.codec, m.sample_rate, m.num_channels
    );
    if let Some(d) = m.duration {
        line.push_str(&format!(", {d:.3} s"));
    }
    if let Some(n) = m.num_frames {
        line.push_str(&format!(" ({n} frames)"));
    }
    if let Some(b) = m.bit_rate {
        line.push_str(&format!(", {} kb/s", b / 1000));
    }
    println!("{line}");
    if !m.tags.is_empty() {
        let tags: Vec<String> = m.tags.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        println!("        tags: {}", tags.join(", "));
    }
    println!();

    let outputs = [
        (
            "demo.mp3",
            "mp3",
            Settings {
                rate: Some(OUT_RATE),
                bit_rate: Some(128_000),
                ..Default::default()
            },
        ),
        (
            "demo.flac",
            "flac",
            Settings {
                rate: Some(OUT_RATE),
                ..Default::default()
            },
        ),
    ];
    for (name, container, settings) in outputs {
        let path = dir.join(name);
        let job = Job {
            source: Source::Memory {
                name: INPUT_NAME.into(),
                bytes: INPUT,
            },
            input_format: None,
            input_options: Options::new(),
            output: path.to_string_lossy().into_owned(),
            container: container.into(),
            settings,
            start: None,
            duration: None,
            keep_partial: false,
            progress: false,
        };
        let report = convert::run(&job).map_err(failure)?;
        println!("output  {}", path.display());
        println!(
            "        {}, {} Hz, {} ch: {} frames, {}, converted at {}",
            report.codec,
            report.out_rate,
            report.out_channels,
            report.frames_out,
            report.bytes.map_or("size unknown".into(), progress::size),
            progress::speed(report.speed())
        );
        println!("        read back: {}", read_back(&path)?);
    }
    println!("\nThe files are in {}", dir.display());
    println!("Try: audiostream info {}", dir.join("demo.flac").display());
    Ok(())
}
