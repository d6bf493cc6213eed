//! Real ALSA without a sound card, for the device tests.
//!
//! Each test binary writes its own ALSA configuration into a temporary directory and points
//! `ALSA_CONFIG_PATH` at it (once, before anything touches ALSA: ALSA reads its configuration
//! once per process). The devices are ALSA `file` plugin PCMs over the `null` PCM: playback
//! writes what was played to a file (raw samples, in the format the application chose), and
//! capture reads its samples from `infile`. The `null` PCM is not paced (it takes and gives
//! audio as fast as asked), so pacing comes from FIFOs: a capture device's `infile` is a FIFO
//! that a [`Feeder`] thread writes at the pace a test wants, and a playback device's `file`
//! can be a FIFO that a [`Drain`] thread reads at a chosen pace.
//!
//! Both threads open their FIFO read-write and non-blocking: ALSA's own open of the FIFO then
//! never blocks (the other end always exists), the FIFO never reports end-of-file to ALSA
//! (which would make cpal's capture loop spin), data written survives ALSA opening and
//! closing the device while it probes its formats, and the threads can always be stopped.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// `O_NONBLOCK` on Linux.
const O_NONBLOCK: i32 = 0o4000;

/// Writes to a pipe of at most this many bytes are atomic: whole frames stay whole.
const PIPE_CHUNK: usize = 4096;

/// The test binary's ALSA setup: its directory and configuration file.
pub struct Alsa {
    pub dir: PathBuf,
    pub config: PathBuf,
}

impl Alsa {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

static ALSA: OnceLock<Alsa> = OnceLock::new();

/// Sets up ALSA for this process (first call only): makes the FIFOs named in `fifos`, writes
/// `config` (with `@DIR@` replaced by the directory) and sets `ALSA_CONFIG_PATH`.
pub fn setup(tag: &str, fifos: &[&str], config: &str) -> &'static Alsa {
    ALSA.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!(
            "audiostream-{tag}-{}-{}",
            std::process::id(),
            Instant::now().elapsed().as_nanos()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        for f in fifos {
            make_fifo(&dir.join(f));
        }
        let conf = dir.join("asound.conf");
        std::fs::write(
            &conf,
            config.replace("@DIR@", dir.to_str().expect("utf-8 dir")),
        )
        .expect("config");
        // Before any ALSA call in this process (every test calls setup first).
        std::env::set_var("ALSA_CONFIG_PATH", &conf);
        Alsa { dir, config: conf }
    })
}

pub fn make_fifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {path:?}");
}

fn open_fifo(path: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
        .unwrap_or_else(|e| panic!("opening FIFO {path:?}: {e}"))
}

/// A playback PCM writing raw samples to `@DIR@/{file}` (a file or a FIFO).
pub fn playback_pcm(name: &str, file: &str, desc: &str) -> String {
    format!(
        "pcm.{name} {{\n  type file\n  slave.pcm \"as_null\"\n  file \"@DIR@/{file}\"\n  \
         format \"raw\"\n  hint {{ show on; description \"{desc}\" }}\n}}\n"
    )
}

/// A capture PCM reading raw samples from the FIFO `@DIR@/{fifo}`.
pub fn capture_pcm(name: &str, fifo: &str, desc: &str) -> String {
    format!(
        "pcm.{name} {{\n  type file\n  slave.pcm \"as_null\"\n  file \"/dev/null\"\n  \
         infile \"@DIR@/{fifo}\"\n  format \"raw\"\n  hint {{ show on; description \"{desc}\" }}\n}}\n"
    )
}

/// The `null` PCM every device sits on.
pub const NULL_PCM: &str = "pcm.as_null { type null }\n";

/// Interleaved `f32` little-endian bytes of a `(channels, frames)` array.
pub fn f32le_bytes(a: &audiostream::ndarray::Array2<f32>) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len() * 4);
    for t in 0..a.ncols() {
        for c in 0..a.nrows() {
            out.extend_from_slice(&a[[c, t]].to_le_bytes());
        }
    }
    out
}

/// `f32` little-endian bytes to samples (a trailing partial sample is ignored).
pub fn f32_samples(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Writes bytes into a capture device's FIFO at a given pace.
pub struct Feeder {
    queue: Arc<Mutex<VecDeque<u8>>>,
    /// When the queue is empty: write silence (true) or nothing, a stall (false).
    silence: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    written: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Feeder {
    /// Starts feeding `fifo` at `bytes_per_sec` (None: as fast as the device reads); the
    /// silence written when the queue is empty comes in blocks of `frame_bytes`-aligned size.
    pub fn start(fifo: &Path, bytes_per_sec: Option<f64>, silence: bool) -> Feeder {
        let mut file = open_fifo(fifo);
        let queue = Arc::new(Mutex::new(VecDeque::<u8>::new()));
        let silence = Arc::new(AtomicBool::new(silence));
        let stop = Arc::new(AtomicBool::new(false));
        let written = Arc::new(AtomicU64::new(0));
        let (q, s, st, w) = (
            Arc::clone(&queue),
            Arc::clone(&silence),
            Arc::clone(&stop),
            Arc::clone(&written),
        );
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let mut block = Vec::with_capacity(PIPE_CHUNK);
            while !st.load(Ordering::Relaxed) {
                if let Some(rate) = bytes_per_sec {
                    // Not ahead of the pace.
                    let due = w.load(Ordering::Relaxed) as f64 / rate;
                    let now = start.elapsed().as_secs_f64();
                    if due > now {
                        std::thread::sleep(Duration::from_secs_f64((due - now).min(0.002)));
                        continue;
                    }
                }
                if block.is_empty() {
                    let mut q = q.lock().unwrap();
                    let n = q.len().min(PIPE_CHUNK);
                    block.extend(q.drain(..n));
                    if block.is_empty() && s.load(Ordering::Relaxed) {
                        block.resize(PIPE_CHUNK, 0);
                    }
                }
                if block.is_empty() {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
                match file.write(&block) {
                    Ok(n) => {
                        block.drain(..n);
                        w.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(1))
                    }
                    Err(e) => panic!("feeding the FIFO: {e}"),
                }
            }
        });
        Feeder {
            queue,
            silence,
            stop,
            written,
            thread: Some(thread),
        }
    }

    /// Queues bytes to write (whole frames; blocks of 4096 bytes keep frames whole).
    pub fn feed(&self, bytes: &[u8]) {
        self.queue.lock().unwrap().extend(bytes);
    }

    pub fn set_silence(&self, on: bool) {
        self.silence.store(on, Ordering::Relaxed);
    }

    pub fn queued(&self) -> usize {
        self.queue.lock().unwrap().len()
    }

    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Stops writing and closes the FIFO (call after the capture stream is closed).
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().expect("feeder thread");
        }
    }
}

impl Drop for Feeder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Reads a playback device's FIFO at a given pace, keeping what it read.
pub struct Drain {
    data: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drain {
    /// Starts reading `fifo` at `bytes_per_sec` (None: as fast as it comes).
    pub fn start(fifo: &Path, bytes_per_sec: Option<f64>) -> Drain {
        let mut file = open_fifo(fifo);
        let data = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (d, st) = (Arc::clone(&data), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let mut total = 0u64;
            let mut buf = vec![0u8; PIPE_CHUNK];
            loop {
                let stopping = st.load(Ordering::Relaxed);
                if let (Some(rate), false) = (bytes_per_sec, stopping) {
                    let due = total as f64 / rate;
                    let now = start.elapsed().as_secs_f64();
                    if due > now {
                        std::thread::sleep(Duration::from_secs_f64((due - now).min(0.002)));
                        continue;
                    }
                }
                match file.read(&mut buf) {
                    Ok(n) => {
                        total += n as u64;
                        d.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        if stopping {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Err(e) => panic!("draining the FIFO: {e}"),
                }
            }
        });
        Drain {
            data,
            stop,
            thread: Some(thread),
        }
    }

    pub fn len(&self) -> usize {
        self.data.lock().unwrap().len()
    }

    /// Reads what is left (unpaced) and returns everything read.
    pub fn finish(mut self) -> Vec<u8> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().expect("drain thread");
        }
        std::mem::take(&mut *self.data.lock().unwrap())
    }
}

impl Drop for Drain {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Runs `f` on a thread and fails the test if it takes longer than `limit` (tests must not
/// hang, whatever the device does).
pub fn bounded<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("did not finish within {limit:?}")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("the bounded call panicked"),
    }
}
