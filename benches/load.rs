//! One-call load benchmark program (`harness = false`), driven by `benches/bench_load.sh`.
//!
//! * `load clips <reps> <file>...`: the data-loading case. Each file (a 1-second clip) is read
//!   into memory once; then, `reps` times each, decoded from memory by `load_bytes`, by the
//!   bare symphonia loop (a copy of the bytes into a `Cursor`, probe with the reader's
//!   registry, decode every packet into planar `f32` `Vec`s), and only opened (the fixed cost:
//!   `StreamReader::from_reader` + metadata; the bare probe alone; the bare probe + decoder
//!   creation). Prints one
//!   JSON line per (file, contender) with the median time per clip.
//! * `load whole <mode> <file>`: `load` (every core), `load1` (`threads(1)`) or `bare` (the
//!   bare loop from the file): prints `frames=<n> secs=<decode time>`.
//!
//! Run with no arguments (as `cargo bench` does) it prints the usage and exits 0.

#[path = "common/bare.rs"]
mod bare_loop;

use bare_loop::{open as bare_open, BoxResult};
use std::hint::black_box;
use std::io::Cursor;
use std::process::ExitCode;
use std::time::Instant;
use symphonia::core::io::MediaSource;

use audiostream::symphonia;

/// A named contender of the clip benchmark.
type Case<'a> = (&'a str, Box<dyn FnMut() -> BoxResult<u64> + 'a>);

/// The bare decode loop ([`bare_loop`]), keeping every frame in planar `f32` `Vec`s (what a
/// user keeps).
fn bare(source: Box<dyn MediaSource>) -> BoxResult<u64> {
    let mut all: Vec<Vec<f32>> = Vec::new();
    bare_loop::decode(bare_open(source, None)?, |planar| {
        all.resize_with(planar.len(), Vec::new);
        for (a, p) in all.iter_mut().zip(planar) {
            a.extend_from_slice(p);
        }
    })?;
    let frames = all.first().map_or(0, Vec::len) as u64;
    black_box(all);
    Ok(frames)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median seconds per call of `f` over `reps` runs (each run: `inner` calls).
fn time(reps: usize, inner: usize, mut f: impl FnMut() -> BoxResult<u64>) -> BoxResult<f64> {
    f()?; // warm-up
    let mut runs = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        for _ in 0..inner {
            black_box(f()?);
        }
        runs.push(t.elapsed().as_secs_f64() / inner as f64);
    }
    Ok(median(runs))
}

fn clips(reps: usize, files: &[String]) -> BoxResult<()> {
    for file in files {
        let bytes = std::fs::read(file)?;
        let (a, _) = audiostream::load_bytes(&bytes)?;
        let frames = bare(Box::new(Cursor::new(bytes.clone())))?;
        if a.ncols() as u64 != frames {
            eprintln!(
                "{file}: load_bytes {} frames, bare loop {frames}",
                a.ncols()
            );
        }
        let inner = 20;
        let cases: [Case<'_>; 5] = [
            (
                "load_bytes",
                Box::new(|| Ok(audiostream::load_bytes(&bytes)?.0.ncols() as u64)),
            ),
            (
                "bare",
                Box::new(|| bare(Box::new(Cursor::new(bytes.to_vec())))),
            ),
            (
                "open_reader",
                Box::new(|| {
                    let r =
                        audiostream::StreamReader::from_reader(Cursor::new(bytes.to_vec()), None)?;
                    Ok(r.get_metadata().sample_rate as u64)
                }),
            ),
            (
                "open_bare",
                Box::new(|| {
                    Ok(
                        bare_loop::probe(Box::new(Cursor::new(bytes.to_vec())), None)?
                            .tracks()
                            .len() as u64,
                    )
                }),
            ),
            (
                "decoder_bare",
                Box::new(|| {
                    let (f, d, id) = bare_open(Box::new(Cursor::new(bytes.to_vec())), None)?;
                    black_box((f, d));
                    Ok(u64::from(id))
                }),
            ),
        ];
        for (name, f) in cases {
            let secs = time(reps, inner, f)?;
            println!(
                "{{\"file\": \"{file}\", \"contender\": \"{name}\", \"secs\": {secs:e}, \"frames\": {frames}}}"
            );
        }
    }
    Ok(())
}

/// `n` calls of one contender on one clip, untimed: for `valgrind --tool=callgrind`, which counts
/// instructions where wall time is noisy.
fn profile(contender: &str, n: usize, file: &str) -> BoxResult<()> {
    let bytes = std::fs::read(file)?;
    let mut total = 0u64;
    for _ in 0..n {
        total += match contender {
            "load_bytes" => audiostream::load_bytes(&bytes)?.0.ncols() as u64,
            "bare" => bare(Box::new(Cursor::new(bytes.clone())))?,
            "open_reader" => {
                let r = audiostream::StreamReader::from_reader(Cursor::new(bytes.clone()), None)?;
                u64::from(r.get_metadata().sample_rate)
            }
            "probe_bare" => bare_loop::probe(Box::new(Cursor::new(bytes.clone())), None)?
                .tracks()
                .len() as u64,
            "decoder_bare" => {
                let (_, d, id) = bare_open(Box::new(Cursor::new(bytes.clone())), None)?;
                black_box(d);
                u64::from(id)
            }
            _ => return Err(format!("contender {contender}").into()),
        };
    }
    println!("{total}");
    Ok(())
}

fn whole(mode: &str, file: &str) -> BoxResult<()> {
    let t = Instant::now();
    let frames = match mode {
        "load" => audiostream::load(file)?.0.ncols() as u64,
        "load1" => audiostream::load_with(file, audiostream::LoadOptions::new().threads(1))?
            .0
            .ncols() as u64,
        "bare" => bare(Box::new(std::fs::File::open(file)?))?,
        _ => return Err(format!("mode {mode}: load, load1 or bare").into()),
    };
    println!("frames={frames} secs={}", t.elapsed().as_secs_f64());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let r = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["clips", reps, files @ ..] if !files.is_empty() => match reps.parse() {
            Ok(reps) => clips(reps, &args[2..]),
            Err(e) => Err(format!("reps {reps}: {e}").into()),
        },
        ["whole", mode, file] => whole(mode, file),
        ["profile", contender, n, file] => match n.parse() {
            Ok(n) => profile(contender, n, file),
            Err(e) => Err(format!("n {n}: {e}").into()),
        },
        _ => {
            eprintln!("usage: load clips <reps> <file>... | load whole <load|load1|bare> <file> | load profile <load_bytes|bare|open_reader|probe_bare|decoder_bare> <n> <file>");
            return ExitCode::SUCCESS;
        }
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("load: {e}");
            ExitCode::FAILURE
        }
    }
}
