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

#[path = "common/bare.rs"]
mod bare_loop;

use bare_loop::BoxResult;
use std::fs::File;
use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// The bare symphonia decode loop ([`bare_loop`]) into a reused buffer. Returns the number of
/// frames decoded.
fn bare(path: &Path) -> BoxResult<u64> {
    let ext = path.extension().and_then(|e| e.to_str());
    let opened = bare_loop::open(Box::new(File::open(path)?), ext)?;
    let mut frames: u64 = 0;
    let mut acc = 0.0f32;
    bare_loop::decode(opened, |planar| {
        let n = planar.first().map_or(0, |p| p.len());
        frames += n as u64;
        if n > 0 {
            acc += planar[0][n / 2];
        }
        black_box(planar);
    })?;
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
