//! Decoder conformance, FFmpeg-FATE style: runs our reader over public decoder test suites and
//! prints one row per file (expected, ours, verdict, figure). Fails when any file is outside its
//! expectation.
//!
//! The corpus comes from outside the repository: `AUDIOSTREAM_CONFORMANCE=DIR`, or the first
//! argument (`cargo test --test conformance -- DIR`), or `../shared/conformance` next to the
//! checkout. Its layout and pass criteria are those of `shared/conformance/README.md`:
//! - `flac/subset`: MD5 of our output at the stream's bit depth equals STREAMINFO's;
//! - `flac/uncommon`: 05 and 07-11 bit-exact against `flac -d`; 01-04 (format changes
//!   mid-stream) deliver every segment, converted to the first segment's shape, as FFmpeg does;
//! - `flac/faulty`: no panic or hang; at least libFLAC's samples (`flac -d -F`), equal to them;
//! - `mpeg/vectors`: ISO/IEC 11172-4 full accuracy against each `.pcm` (layer III over the
//!   whole stream, layers I/II over the frames the stream holds); `ILL*` and the non-standard
//!   files end cleanly.
//!
//! Without a corpus it prints why and passes (plain `cargo test` on a machine without it).

mod decode;
mod flac;
mod libflac;
mod mpeg;
mod report;

use report::Report;
use std::path::{Path, PathBuf};

fn corpus_dir() -> Option<PathBuf> {
    let from_env = std::env::var_os("AUDIOSTREAM_CONFORMANCE").map(PathBuf::from);
    // libtest-style flags (`--nocapture`, `--quiet`) may come along from `cargo test`.
    let from_arg = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from);
    let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance");
    from_env
        .or(from_arg)
        .or_else(|| default.is_dir().then_some(default))
}

fn main() {
    let Some(dir) = corpus_dir() else {
        println!(
            "conformance: no corpus (set AUDIOSTREAM_CONFORMANCE=DIR or pass DIR; expected \
             ../shared/conformance): skipped"
        );
        return;
    };
    if !dir.is_dir() {
        eprintln!("conformance: {} is not a directory", dir.display());
        std::process::exit(1);
    }
    let started = std::time::Instant::now();
    let mut report = Report::default();
    flac::run(&dir.join("flac"), &mut report);
    mpeg::run(&dir.join("mpeg/vectors"), &mut report);
    report.print();
    println!("conformance: {:.1} s", started.elapsed().as_secs_f64());
    if report.failures() > 0 {
        eprintln!(
            "conformance: {} of {} files outside their expectation",
            report.failures(),
            report.len()
        );
        std::process::exit(1);
    }
}
