//! The run of `convert --manifest`: converts this shard's files on `--jobs` threads, each
//! streaming as `convert` does; skips the files whose output exists; writes the report and the
//! output manifest line by line as files finish.
//!
//! - **Resumable**: each output is written as `NAME.part` beside it, made durable (`fsync`)
//!   and renamed to `NAME` once complete, so an output that exists is a finished one. A run
//!   skips the files whose output exists (unless `--overwrite`); it first deletes any
//!   `NAME.part` a killed run left for one of its files.
//! - **Report** (`OUT/report[.shard-I-of-N].jsonl`, rewritten by each run): one JSON object a
//!   file, as it finishes: `line`, `input`, `output`, `status` (`ok`, `skipped`, `failed`),
//!   `seconds` (wall time), and for failures `error_kind` ([`crate::convert::error_kind`]'s
//!   names) and `error` (the message `convert` prints).
//! - **Output manifest** (`OUT/manifest[.shard-I-of-N].jsonl`): one JSON object an output:
//!   `output` (relative to OUT), `input` (as the list wrote it), `frames`, `sample_rate`,
//!   `channels`, `duration` (seconds, frames / rate), `bytes` and `sha256` (of the output
//!   file's bytes). It is appended as files finish, so a killed run leaves the lines of what
//!   finished. A restart first rewrites it (atomically: a `.part`, then a rename) with the
//!   previous lines of the outputs it skips, kept when the output still has the size the line
//!   says; a skipped output with no such line is read back (frames counted by decoding it,
//!   SHA-256 of its bytes) and its line appended.

use crate::args::parse_options;
use crate::convert::{self, error_kind, Failure, Job, Source};
use crate::corpus::{Planned, Shard};
use audiostream::StreamReader;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

pub use crate::args::MAX_JOBS;

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Files in this shard.
    pub total: usize,
    /// Converted now.
    pub converted: usize,
    /// Output already there.
    pub skipped: usize,
    /// Failed (see the report).
    pub failed: usize,
    /// Seconds of audio converted now.
    pub audio_seconds: f64,
    /// The report's path.
    pub report: PathBuf,
}

/// What to do with this shard's files.
pub struct Run<'a> {
    /// The output directory.
    pub out_dir: &'a Path,
    /// The shard, if `--shard` was given (it names the report and the manifest).
    pub shard: Option<Shard>,
    /// Worker threads.
    pub jobs: usize,
    /// Convert again even when the output exists.
    pub overwrite: bool,
    /// Print each failure on stderr.
    pub quiet: bool,
}

/// A manifest line, and the output size it describes.
struct Known {
    line: String,
    bytes: u64,
}

/// Work for a thread.
enum Task {
    /// Convert the file.
    Convert,
    /// The output exists but the previous manifest does not describe it: read it back.
    Probe,
}

/// The outcome of one file.
struct Outcome {
    status: &'static str,
    failure: Option<(&'static str, String)>,
    manifest_line: Option<String>,
    audio_seconds: f64,
}

/// The report and manifest files, appended to under a lock as files finish.
struct Logs {
    report: File,
    manifest: File,
    summary: Summary,
}

/// `NAME.part` beside `path`.
fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

fn io_failure(what: String, e: std::io::Error) -> Failure {
    Failure::runtime("io", format!("{what}: {e}"))
}

/// The lines of a previous output manifest, by output; lines that do not parse (none should)
/// are dropped with a warning.
fn previous_manifest(path: &Path) -> HashMap<String, Known> {
    let Ok(text) = fs::read_to_string(path) else {
        return HashMap::new();
    };
    let mut known = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let parsed: Option<(String, u64)> = serde_json::from_str::<Value>(line)
            .ok()
            .and_then(|v| Some((v["output"].as_str()?.to_string(), v["bytes"].as_u64()?)));
        match parsed {
            Some((output, bytes)) => {
                known.insert(
                    output,
                    Known {
                        line: line.to_string(),
                        bytes,
                    },
                );
            }
            None => log::warn!(
                "{}: dropping a line that is not ours: {line}",
                path.display()
            ),
        }
    }
    known
}

/// SHA-256 of a file's bytes (hex) and its size.
fn sha256_file(file: &mut File) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, total))
}

/// The output manifest's line for an output.
fn manifest_line(
    p: &Planned,
    frames: u64,
    rate: u32,
    channels: usize,
    sha256: &str,
    bytes: u64,
) -> String {
    json!({
        "output": p.output,
        "input": p.input_text,
        "frames": frames,
        "sample_rate": rate,
        "channels": channels,
        "duration": frames as f64 / f64::from(rate.max(1)),
        "bytes": bytes,
        "sha256": sha256,
    })
    .to_string()
}

/// Whether `a` and `b` are the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

impl Run<'_> {
    fn names(&self) -> (PathBuf, PathBuf) {
        let suffix = self.shard.map_or_else(String::new, |s| s.suffix());
        (
            self.out_dir.join(format!("report{suffix}.jsonl")),
            self.out_dir.join(format!("manifest{suffix}.jsonl")),
        )
    }

    /// Runs the shard's files. Errors are the run's own (the output directory, the report):
    /// each file's failure is in the report and the summary.
    pub fn run(&self, files: &[Planned]) -> Result<Summary, Failure> {
        fs::create_dir_all(self.out_dir)
            .map_err(|e| io_failure(format!("creating {}", self.out_dir.display()), e))?;
        let (report_path, manifest_path) = self.names();
        let previous = if self.overwrite {
            HashMap::new()
        } else {
            previous_manifest(&manifest_path)
        };

        // Decide what each file needs; keep the manifest lines of the outputs we skip.
        let mut tasks = Vec::with_capacity(files.len());
        let mut kept = String::new();
        let mut skipped = Vec::new();
        for (k, p) in files.iter().enumerate() {
            let out = self.out_dir.join(&p.output);
            let part = part_path(&out);
            match fs::remove_file(&part) {
                Ok(()) => log::info!("deleted {} left by an earlier run", part.display()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_failure(format!("deleting {}", part.display()), e)),
            }
            let size = fs::metadata(&out)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len());
            if size.is_some() && same_file(&p.input, &out) {
                // Never skip (or overwrite) an input as its own output.
                tasks.push((k, Task::Convert));
                continue;
            }
            match (size, self.overwrite) {
                (Some(size), false) => match previous.get(&p.output) {
                    Some(known) if known.bytes == size => {
                        kept.push_str(&known.line);
                        kept.push('\n');
                        skipped.push(k);
                    }
                    _ => tasks.push((k, Task::Probe)),
                },
                _ => tasks.push((k, Task::Convert)),
            }
        }
        let manifest_part = part_path(&manifest_path);
        fs::write(&manifest_part, kept.as_bytes())
            .and_then(|()| fs::rename(&manifest_part, &manifest_path))
            .map_err(|e| io_failure(format!("writing {}", manifest_path.display()), e))?;
        let manifest = OpenOptions::new()
            .append(true)
            .open(&manifest_path)
            .map_err(|e| io_failure(format!("opening {}", manifest_path.display()), e))?;
        let report = File::create(&report_path)
            .map_err(|e| io_failure(format!("creating {}", report_path.display()), e))?;
        let logs = Mutex::new(Logs {
            report,
            manifest,
            summary: Summary {
                total: files.len(),
                report: report_path,
                ..Default::default()
            },
        });
        for k in skipped {
            self.record(&logs, &files[k], 0.0, skipped_outcome(None))?;
        }

        let next = AtomicUsize::new(0);
        let threads = self.jobs.clamp(1, MAX_JOBS).min(tasks.len().max(1));
        let first_error: Mutex<Option<Failure>> = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((k, task)) = tasks.get(i) else {
                        return;
                    };
                    let p = &files[*k];
                    let started = Instant::now();
                    let outcome = match task {
                        Task::Convert => self.convert(p),
                        Task::Probe => self.probe(p),
                    };
                    let seconds = started.elapsed().as_secs_f64();
                    if let Err(f) = self.record(&logs, p, seconds, outcome) {
                        // The report cannot be written: stop taking files.
                        next.store(tasks.len(), Ordering::Relaxed);
                        first_error
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_or_insert(f);
                        return;
                    }
                });
            }
        });
        if let Some(f) = first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(f);
        }
        Ok(logs.into_inner().unwrap_or_else(|e| e.into_inner()).summary)
    }

    /// Appends a file's report line (and manifest line) and counts it.
    fn record(
        &self,
        logs: &Mutex<Logs>,
        p: &Planned,
        seconds: f64,
        o: Outcome,
    ) -> Result<(), Failure> {
        let mut line = json!({
            "line": p.line,
            "input": p.input_text,
            "output": p.output,
            "status": o.status,
            "seconds": (seconds * 1e3).round() / 1e3,
        });
        if let Some((kind, message)) = &o.failure {
            line["error_kind"] = json!(kind);
            line["error"] = json!(message);
            if !self.quiet {
                eprintln!(
                    "audiostream: failed: {}",
                    audiostream::redact_credentials(message)
                );
            }
        }
        let mut logs = logs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = &o.manifest_line {
            logs.manifest
                .write_all(format!("{m}\n").as_bytes())
                .map_err(|e| io_failure("appending to the output manifest".into(), e))?;
        }
        logs.report
            .write_all(format!("{line}\n").as_bytes())
            .map_err(|e| io_failure("appending to the report".into(), e))?;
        let s = &mut logs.summary;
        match o.status {
            "ok" => s.converted += 1,
            "skipped" => s.skipped += 1,
            _ => s.failed += 1,
        }
        s.audio_seconds += o.audio_seconds;
        Ok(())
    }

    /// Converts one file to `NAME.part`, makes it durable and renames it to `NAME`.
    fn convert(&self, p: &Planned) -> Outcome {
        let out = self.out_dir.join(&p.output);
        let part = part_path(&out);
        let failed = |kind: &'static str, message: String| Outcome {
            status: "failed",
            failure: Some((kind, message)),
            manifest_line: None,
            audio_seconds: 0.0,
        };
        if same_file(&p.input, &out) {
            return failed(
                "invalid_argument",
                format!(
                    "{} is both the input and the output (line {})",
                    out.display(),
                    p.line
                ),
            );
        }
        let (Some(input), Some(part_text)) = (p.input.to_str(), part.to_str()) else {
            return failed(
                "invalid_argument",
                format!("{}: the path is not UTF-8", p.input.display()),
            );
        };
        let input_options = match parse_options(&p.options.input_options) {
            Ok(o) => o,
            Err(m) => return failed("invalid_argument", m),
        };
        if let Some(dir) = part.parent() {
            if let Err(e) = fs::create_dir_all(dir) {
                return failed("io", format!("creating {}: {e}", dir.display()));
            }
        }
        let o = &p.options;
        let job = Job {
            source: Source::Path(input.to_string()),
            input_format: o.input_format.clone(),
            input_options,
            output: part_text.to_string(),
            container: p.container.clone(),
            settings: o.settings.clone(),
            start: o.start,
            duration: o.duration,
            keep_partial: false,
            progress: false,
        };
        let report = match convert::run(&job) {
            Ok(r) => r,
            Err(f) => {
                // The message names the final output, not the temporary one.
                let msg = f.message.replace(part_text, &out.to_string_lossy());
                return failed(f.kind, msg);
            }
        };
        let finish = || -> std::io::Result<(String, u64)> {
            let mut file = File::open(&part)?;
            let (sha, bytes) = sha256_file(&mut file)?;
            file.sync_all()?;
            fs::rename(&part, &out)?;
            Ok((sha, bytes))
        };
        match finish() {
            Ok((sha, bytes)) => Outcome {
                status: "ok",
                failure: None,
                manifest_line: Some(manifest_line(
                    p,
                    report.frames_out,
                    report.out_rate,
                    report.out_channels,
                    &sha,
                    bytes,
                )),
                audio_seconds: report.seconds(),
            },
            Err(e) => {
                let _ = fs::remove_file(&part);
                failed("io", format!("finishing {}: {e}", out.display()))
            }
        }
    }

    /// Reads back an output that exists (a skipped file the manifest does not describe).
    fn probe(&self, p: &Planned) -> Outcome {
        let out = self.out_dir.join(&p.output);
        match probe_output(&out) {
            Ok((frames, rate, channels, sha, bytes)) => {
                skipped_outcome(Some(manifest_line(p, frames, rate, channels, &sha, bytes)))
            }
            Err((kind, e)) => Outcome {
                status: "failed",
                failure: Some((
                    kind,
                    format!(
                        "{}: the output exists but cannot be read back ({e}); delete it or give \
                         --overwrite",
                        out.display()
                    ),
                )),
                manifest_line: None,
                audio_seconds: 0.0,
            },
        }
    }
}

fn skipped_outcome(manifest_line: Option<String>) -> Outcome {
    Outcome {
        status: "skipped",
        failure: None,
        manifest_line,
        audio_seconds: 0.0,
    }
}

/// Frames (counted by decoding), rate, channels, SHA-256 and size of an output.
type Probed = (u64, u32, usize, String, u64);

fn probe_output(out: &Path) -> Result<Probed, (&'static str, String)> {
    let err = |e: audiostream::Error| (error_kind(&e), e.to_string());
    let mut reader = StreamReader::new(out, None, None).map_err(err)?;
    let meta = reader.get_metadata();
    reader
        .add_basic_audio_stream(convert::CHUNK_FRAMES, 3)
        .map_err(err)?;
    let mut frames = 0u64;
    for chunks in reader.stream() {
        if let Some(chunk) = chunks.map_err(err)?.into_iter().next().flatten() {
            frames += chunk.data.ncols() as u64;
        }
    }
    let (sha, bytes) = File::open(out)
        .and_then(|mut f| sha256_file(&mut f))
        .map_err(|e| ("io", e.to_string()))?;
    Ok((frames, meta.sample_rate, meta.num_channels, sha, bytes))
}
