//! Read-throughput benchmark program (`harness = false`): `reader <mode> <file>`.
//!
//! Modes:
//! * `bare` – the bare symphonia 0.6 decode loop: probe, default audio track, default
//!   decoder, decode every packet and `copy_to_vecs_planar::<f32>` into a reused buffer
//!   (converting to f32 planar is the minimum any user of symphonia does).
//! * `reader` – our `StreamReader` with one basic audio stream of 1024-frame chunks.
//!
//! Both print `frames=<total frames decoded>` on stdout (and the elapsed time of the decode on
//! stderr); `benches/run_benchmarks.sh` checks that both modes agree on the frame count and
//! times whole-process runs of each mode against `ffmpeg -f null`.
//!
//! Build: `cargo bench --bench reader --no-run` (or just run `benches/run_benchmarks.sh`).
//! Running `cargo bench --bench reader` with no arguments prints the usage and exits 0, so
//! a plain `cargo bench` in the workspace does not fail.

use std::error::Error as StdError;
use std::fs::File;
use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use audiostream::symphonia;

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

type BoxResult<T> = std::result::Result<T, Box<dyn StdError>>;

/// The bare symphonia decode loop. Returns the number of frames decoded.
fn bare(path: &Path) -> BoxResult<u64> {
    let mss = MediaSourceStream::new(Box::new(File::open(path)?), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    // symphonia's registries as the reader uses them: its demuxers and decoders with our
    // corrected MP3/FLAC/MP4/Matroska copies and the Opus decoder ahead of them.
    let mut format = audiostream::registry::probe().probe(
        &hint,
        mss,
        FormatOptions::default(),
        MetadataOptions::default(),
    )?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or(Error::Unsupported("no audio track"))?;
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or(Error::Unsupported("not audio"))?
        .clone();
    let mut decoder = audiostream::registry::codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())?;

    let mut planar: Vec<Vec<f32>> = Vec::new();
    let mut frames: u64 = 0;
    let mut acc = 0.0f32;
    while let Some(packet) = format.next_packet()? {
        if packet.track_id != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(buf) => {
                buf.copy_to_vecs_planar(&mut planar);
                let n = planar.first().map_or(0, |p| p.len());
                frames += n as u64;
                if n > 0 {
                    acc += planar[0][n / 2];
                }
                black_box(&planar);
            }
            Err(Error::DecodeError(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    black_box(acc);
    Ok(frames)
}

/// Our StreamReader, one basic audio stream of 1024-frame chunks. Returns the number of frames.
fn reader(path: &Path) -> BoxResult<u64> {
    let path = path.to_str().ok_or("path is not UTF-8")?;
    let mut r = audiostream::StreamReader::new(path, None, None)?;
    r.add_basic_audio_stream(1024, 3)?;
    let mut frames: u64 = 0;
    let mut acc = 0.0f32;
    for chunks in r.stream() {
        let chunks = chunks?;
        if let Some(c) = &chunks[0] {
            let n = c.data.ncols();
            frames += n as u64;
            if let Some(x) = c.data.first() {
                acc += *x;
            }
            black_box(&c.data);
            black_box(c.pts);
        }
    }
    black_box(acc);
    Ok(frames)
}

fn usage() -> ExitCode {
    eprintln!("usage: reader <bare|reader> <file>");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench` (and maybe a filter) to harness-less benches: treat a run
    // without a mode as a no-op so that `cargo bench` over the workspace does not fail.
    let positional: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if positional.is_empty() {
        eprintln!("reader: nothing to do (usage: reader <bare|reader> <file>; see benches/run_benchmarks.sh)");
        return ExitCode::SUCCESS;
    }
    if positional.len() != 2 {
        return usage();
    }
    let (mode, path) = (positional[0], Path::new(positional[1]));
    let t0 = Instant::now();
    let result = match mode {
        "bare" => bare(path),
        "reader" => reader(path),
        _ => return usage(),
    };
    match result {
        Ok(frames) => {
            println!("frames={frames}");
            eprintln!(
                "{mode} {}: {frames} frames in {:.3} s",
                path.display(),
                t0.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("reader {mode} {}: error: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}
