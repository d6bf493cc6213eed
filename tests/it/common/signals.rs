//! Deterministic test signals and small helpers for writer tests.

use audiostream::ndarray::Array2;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A music-like signal: per channel two sines (different per channel) and a little noise from
/// a fixed-seed generator, peak about 0.8. `(channels, frames)`.
pub fn music(channels: usize, frames: usize, rate: u32) -> Array2<f32> {
    let mut seed: u32 = 0x1234_5678;
    let mut noise = move || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
    };
    let mut a = Array2::zeros((channels, frames));
    for i in 0..frames {
        let t = i as f32 / rate as f32;
        for c in 0..channels {
            let f1 = 220.0 * (c as f32 + 1.0);
            let f2 = 1330.0 + 170.0 * c as f32;
            let env = 0.6 + 0.4 * (std::f32::consts::TAU * 1.5 * t).sin();
            a[[c, i]] = 0.5 * env * (std::f32::consts::TAU * f1 * t).sin()
                + 0.25 * (std::f32::consts::TAU * f2 * t).sin()
                + 0.05 * noise();
        }
    }
    a
}

/// Integer samples spanning the type's range (deterministic), `(channels, frames)`.
pub fn ints_i32(channels: usize, frames: usize, bits: u32) -> Array2<i32> {
    let mut seed: u32 = 0x9e37_79b9;
    let shift = 32 - bits;
    Array2::from_shape_fn((channels, frames), |_| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        // Keep the top `bits` bits: values a `bits`-bit format holds exactly, still as s32.
        ((seed as i32) >> shift) << shift
    })
}

/// A unique temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("audiostream-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `Write` whose bytes the test can read afterwards (a non-seekable sink).
#[derive(Clone, Default)]
pub struct SharedBuf(pub Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().expect("lock").clone()
    }
}

impl Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs FFmpeg on `input` (a path or `pipe:0` with `stdin` bytes) and returns raw output of
/// `out_format` (e.g. `s16le`, `s32le`, `f32le`, `u8`).
pub fn ffmpeg_raw(input: &Path, stdin: Option<&[u8]>, out_format: &str) -> Vec<u8> {
    use std::process::{Command, Stdio};
    let codec = format!("pcm_{out_format}");
    let mut child = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-i"])
        .arg(input)
        .args(["-f", out_format, "-acodec", &codec, "pipe:1"])
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ffmpeg runs");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let out = child.wait_with_output().expect("ffmpeg finishes");
    assert!(
        out.status.success(),
        "ffmpeg failed on {}: {}",
        input.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// ffprobe's value of `key` (e.g. `stream=bit_rate`, `format_tags=title`) for `path`.
pub fn ffprobe_value(path: &Path, entries: &str) -> String {
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            entries,
            "-of",
            "default=nw=1:nk=1",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
