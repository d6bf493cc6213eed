//! Decoding one file with our reader, contained: a panic or a hang is an outcome, not a crash of
//! the runner.

use audiostream::{AudioStreamOptions, StreamReader};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// What our reader made of a file.
pub struct Decoded {
    pub bits_per_sample: Option<u32>,
    /// Planar samples in [-1, 1), one `Vec` per channel: 32-bit integers from the reader (its
    /// `s32` output format), divided by 2^31 (exact in `f64`).
    pub channels: Vec<Vec<f64>>,
    /// Set when the reader ended with an error after delivering these samples.
    pub error: Option<String>,
}

impl Decoded {
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    /// Interleaved integers at `bits` (the samples of an integer source of `bits` bits are
    /// exact multiples of 2^-(bits-1)).
    pub fn to_ints(&self, bits: u32) -> Vec<i64> {
        let scale = (1i64 << (bits - 1)) as f64;
        let n = self.frames();
        let mut out = Vec::with_capacity(n * self.channels.len());
        for i in 0..n {
            for ch in &self.channels {
                out.push((ch[i] * scale).round() as i64);
            }
        }
        out
    }
}

pub enum Outcome {
    Decoded(Decoded),
    /// Opening or the first packets failed: the reader's error message.
    Refused(String),
    Panicked,
    Hung,
}

impl Outcome {
    pub fn describe(&self) -> String {
        match self {
            Outcome::Decoded(d) => match &d.error {
                None => format!("{} frames", d.frames()),
                Some(e) => format!("{} frames, then error: {e}", d.frames()),
            },
            Outcome::Refused(e) => format!("error: {e}"),
            Outcome::Panicked => "PANIC".into(),
            Outcome::Hung => "HANG (over 60 s)".into(),
        }
    }
}

const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Decodes all of `path` (format forced when given) on a thread of its own.
pub fn decode(path: &Path, format: Option<&str>) -> Outcome {
    decode_to(path, format, None)
}

/// [`decode`] into an output of `channels` channels (the reader remixes).
pub fn decode_to(path: &Path, format: Option<&str>, channels: Option<usize>) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let path = path.to_path_buf();
    let format = format.map(str::to_string);
    let spawned = std::thread::Builder::new()
        .name("decode".into())
        .spawn(move || {
            let _ = tx.send(decode_here(&path, format.as_deref(), channels));
        });
    if spawned.is_err() {
        return Outcome::Refused("could not start a thread".into());
    }
    match rx.recv_timeout(TIME_LIMIT) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => Outcome::Hung,
        // The sender was dropped without sending: the thread panicked.
        Err(mpsc::RecvTimeoutError::Disconnected) => Outcome::Panicked,
    }
}

fn decode_here(path: &Path, format: Option<&str>, channels: Option<usize>) -> Outcome {
    let mut reader = match StreamReader::new(path, format, None) {
        Ok(r) => r,
        Err(e) => return Outcome::Refused(e.to_string()),
    };
    // 32-bit integers: every bit of every integer format (a 32-bit FLAC does not fit in f32);
    // a lossy decoder's floats are rounded to them, which is far below the ISO tolerance.
    let mut options = AudioStreamOptions::new(65536)
        .buffer_chunk_size(usize::MAX)
        .format("s32");
    if let Some(n) = channels {
        options = options.num_channels(n);
    }
    if let Err(e) = reader.add_audio_stream(options) {
        return Outcome::Refused(e.to_string());
    }
    let meta = reader.get_metadata();
    let mut channels: Vec<Vec<f64>> = Vec::new();
    let mut error = None;
    loop {
        let step = reader.process_packet();
        while let Some(chunk) = reader.pop_chunks_as::<i32>().remove(0) {
            if channels.is_empty() {
                channels = vec![Vec::new(); chunk.nrows()];
            }
            for (ch, row) in channels.iter_mut().zip(chunk.rows()) {
                ch.extend(row.iter().map(|&v| f64::from(v) / 2f64.powi(31)));
            }
        }
        match step {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    if channels.is_empty() {
        if let Some(e) = error {
            return Outcome::Refused(e);
        }
    }
    Outcome::Decoded(Decoded {
        bits_per_sample: meta.bits_per_sample,
        channels,
        error,
    })
}

/// Runs a tool and returns its stdout, or `None` (with the reason) when it fails.
pub fn tool_output(program: &str, args: &[&std::ffi::OsStr]) -> Result<Vec<u8>, String> {
    let out = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ))
    }
}
