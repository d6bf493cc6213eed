//! [`Spool`]: the whole stream held by an effect that must see its end before its first output
//! sample (the scanning forms of `gain`, `norm`): in memory up to
//! [`SPOOL_AFTER_SAMPLES`](crate::limits::SPOOL_AFTER_SAMPLES), then in an anonymous temporary
//! file, read back a piece at a time. SoX does the same (`src/gain.c` `start`: `tmpfile()`
//! for the scanning forms, read back in `drain`).
//!
//! The file holds the samples as little-endian `f32`, interleaved (frame after frame), so a
//! piece of frames is one contiguous read; `f32` round-trips exactly, so the output is the
//! same whether the stream stayed in memory or not. The file is made in
//! [`std::env::temp_dir`] (`TMPDIR` on Unix) with a new name and, on Unix, unlinked at once
//! (nothing is left behind even after a crash); elsewhere it is removed when dropped.
//!
//! Builds without a file system (WebAssembly: `wasm32-unknown-unknown`, and WASI unless
//! `TMPDIR` names a writable directory) keep the stream in memory up to
//! [`MAX_HELD_SAMPLES_IN_MEMORY`](crate::limits::MAX_HELD_SAMPLES_IN_MEMORY) and refuse a
//! longer one with [`Error::Unsupported`] naming the limit. A file that cannot be made, written
//! or read back is an [`Error::Io`] naming the effect and the directory.

use super::Channels;
use crate::limits::{MAX_HELD_SAMPLES_IN_MEMORY, SPOOL_AFTER_SAMPLES};
use crate::{Error, Result};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// Frames written or read at once: the byte buffer of one step is `channels x STEP x 4`
/// bytes (at most 16 MiB at 64 channels).
const STEP: usize = 1 << 16;

/// Bytes per sample in the file.
const SAMPLE_BYTES: usize = 4;

/// Where the samples are.
enum State {
    /// Everything so far, per channel.
    Memory(Channels),
    /// Being written to the file.
    Writing(BufWriter<TempFile>),
    /// Being read back from the file (after [`Spool::finish`]).
    Reading(BufReader<TempFile>),
    /// A write or read failed, or the stream was refused: the samples are gone.
    Failed,
}

/// A stream's samples, held until its end and then read back in order.
pub(crate) struct Spool {
    /// The effect, for messages (`norm`, `gain`).
    effect: &'static str,
    channels: usize,
    state: State,
    /// Frames pushed in all.
    frames: u64,
    /// Frames read back.
    read: u64,
    /// The file's directory, for messages.
    dir: Option<PathBuf>,
    /// A byte buffer of one step, reused.
    bytes: Vec<u8>,
}

impl Spool {
    pub(crate) fn new(effect: &'static str, channels: usize) -> Spool {
        Spool {
            effect,
            channels,
            state: State::Memory(vec![Vec::new(); channels]),
            frames: 0,
            read: 0,
            dir: None,
            bytes: Vec::new(),
        }
    }

    /// Takes `planar`'s samples (its channels are left empty): into memory, or into the file
    /// once the stream is longer than [`SPOOL_AFTER_SAMPLES`].
    pub(crate) fn push(&mut self, planar: &mut Channels) -> Result<()> {
        let frames = planar.first().map_or(0, Vec::len);
        if let State::Memory(held) = &mut self.state {
            let total = (held.first().map_or(0, Vec::len) + frames) * self.channels;
            if total <= SPOOL_AFTER_SAMPLES {
                for (h, ch) in held.iter_mut().zip(planar.iter_mut()) {
                    h.append(ch);
                }
                self.frames += frames as u64;
                return Ok(());
            }
            match temp_dir() {
                Some(dir) => self.start_file(dir)?,
                None if total as u64 <= MAX_HELD_SAMPLES_IN_MEMORY => {
                    for (h, ch) in held.iter_mut().zip(planar.iter_mut()) {
                        h.append(ch);
                    }
                    self.frames += frames as u64;
                    return Ok(());
                }
                None => {
                    self.state = State::Failed;
                    return Err(Error::Unsupported(format!(
                        "{}: a stream longer than {} samples ({} MiB of f32; it holds the \
                         whole stream until its end) in a build without a file system to \
                         spool it to (WebAssembly; under WASI set TMPDIR to a writable \
                         directory)",
                        self.effect,
                        MAX_HELD_SAMPLES_IN_MEMORY,
                        (MAX_HELD_SAMPLES_IN_MEMORY * 4) >> 20,
                    )));
                }
            }
        }
        let State::Writing(w) = &mut self.state else {
            return Err(self.unusable());
        };
        if let Err(e) = write_interleaved(w, planar, &mut self.bytes) {
            return Err(self.fail("writing", e));
        }
        for ch in planar.iter_mut() {
            ch.clear();
        }
        self.frames += frames as u64;
        Ok(())
    }

    /// Moves what is in memory to a new temporary file in `dir`.
    fn start_file(&mut self, dir: PathBuf) -> Result<()> {
        let file = match TempFile::create(&dir) {
            Ok(f) => f,
            Err(e) => {
                self.dir = Some(dir);
                return Err(self.fail("creating", e));
            }
        };
        log::debug!(
            "{}: the stream is longer than {SPOOL_AFTER_SAMPLES} samples: spooled to a \
             temporary file in {}",
            self.effect,
            dir.display()
        );
        self.dir = Some(dir);
        let mut w = BufWriter::with_capacity(1 << 16, file);
        let State::Memory(held) = std::mem::replace(&mut self.state, State::Failed) else {
            return Err(self.unusable());
        };
        if let Err(e) = write_interleaved(&mut w, &held, &mut self.bytes) {
            return Err(self.fail("writing", e));
        }
        self.state = State::Writing(w);
        Ok(())
    }

    /// The end of the stream: what is in memory is appended to `planar` (and `None` returned);
    /// a file is made ready to [`read`](Self::read) back (and the frames it holds returned).
    pub(crate) fn finish(&mut self, planar: &mut Channels) -> Result<Option<u64>> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::Memory(mut held) => {
                for (p, h) in planar.iter_mut().zip(held.iter_mut()) {
                    p.append(h);
                }
                self.state = State::Memory(held);
                self.frames = 0;
                Ok(None)
            }
            State::Writing(w) => {
                let file = w.into_inner().map_err(|e| e.into_error());
                let ready = file.and_then(|mut f| f.seek(SeekFrom::Start(0)).map(|_| f));
                match ready {
                    Ok(f) => {
                        self.state = State::Reading(BufReader::with_capacity(1 << 16, f));
                        self.read = 0;
                        Ok(Some(self.frames))
                    }
                    Err(e) => Err(self.fail("writing", e)),
                }
            }
            State::Reading(_) | State::Failed => Err(self.unusable()),
        }
    }

    /// Frames still to read back from the file.
    pub(crate) fn remaining(&self) -> u64 {
        match self.state {
            State::Reading(_) => self.frames - self.read,
            _ => 0,
        }
    }

    /// Appends the next frames from the file to `planar`, at most `max` and at most a step
    /// (65,536 frames); after the last, the spool is empty and takes a new stream.
    pub(crate) fn read(&mut self, planar: &mut Channels, max: usize) -> Result<()> {
        let n = self.remaining().min(max.min(STEP) as u64) as usize;
        let State::Reading(r) = &mut self.state else {
            return Err(self.unusable());
        };
        self.bytes.resize(n * self.channels * SAMPLE_BYTES, 0);
        if let Err(e) = r.read_exact(&mut self.bytes) {
            return Err(self.fail("reading back", e));
        }
        for (c, ch) in planar.iter_mut().enumerate() {
            ch.reserve(n);
            let stride = self.channels * SAMPLE_BYTES;
            ch.extend(self.bytes.chunks_exact(stride).map(|frame| {
                let at = c * SAMPLE_BYTES;
                let mut b = [0u8; SAMPLE_BYTES];
                b.copy_from_slice(frame.get(at..at + SAMPLE_BYTES).unwrap_or(&[0; 4]));
                f32::from_le_bytes(b)
            }));
        }
        self.read += n as u64;
        if self.read >= self.frames {
            // Done: the file goes, and the spool takes a new stream.
            self.state = State::Memory(vec![Vec::new(); self.channels]);
            self.frames = 0;
            self.read = 0;
        }
        Ok(())
    }

    /// The error for a spool in a state it cannot be used in (after a failure).
    fn unusable(&self) -> Error {
        Error::Unsupported(format!(
            "{}: the stream failed earlier (its temporary file); start a new stream",
            self.effect
        ))
    }

    /// Drops everything held and names what failed.
    fn fail(&mut self, doing: &str, e: std::io::Error) -> Error {
        self.state = State::Failed;
        let dir = self
            .dir
            .as_ref()
            .map_or_else(|| "?".to_string(), |d| d.display().to_string());
        Error::io(
            format!(
                "{}: {doing} a temporary file in {dir} (the effect holds the whole stream \
                 until its end; streams longer than {SPOOL_AFTER_SAMPLES} samples go to a \
                 file; TMPDIR sets the directory)",
                self.effect
            ),
            e,
        )
    }
}

/// Writes `planar` to `w` interleaved, a step at a time through `bytes`.
fn write_interleaved(
    w: &mut impl Write,
    planar: &Channels,
    bytes: &mut Vec<u8>,
) -> std::io::Result<()> {
    let frames = planar.first().map_or(0, Vec::len);
    let mut start = 0;
    while start < frames {
        let end = frames.min(start + STEP);
        bytes.clear();
        for i in start..end {
            for ch in planar {
                bytes.extend_from_slice(&ch.get(i).copied().unwrap_or(0.0).to_le_bytes());
            }
        }
        w.write_all(bytes)?;
        start = end;
    }
    Ok(())
}

/// The directory for the file: none in builds without a file system.
fn temp_dir() -> Option<PathBuf> {
    #[cfg(not(target_family = "wasm"))]
    {
        Some(std::env::temp_dir())
    }
    // std's `temp_dir` panics on WebAssembly targets ("no filesystem"); WASI may name one.
    #[cfg(target_family = "wasm")]
    {
        std::env::var_os("TMPDIR").map(PathBuf::from)
    }
}

/// A temporary file of our own: a new name (`create_new`), unlinked at once on Unix, else
/// removed on drop.
struct TempFile {
    /// `None` only while dropping.
    file: Option<File>,
    /// The path to remove on drop (`None` once unlinked).
    path: Option<PathBuf>,
}

impl TempFile {
    fn create(dir: &std::path::Path) -> std::io::Result<TempFile> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let mut last = None;
        for _ in 0..16 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let name = format!(
                ".audiostream-spool-{}-{}-{nanos:08x}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            let path = dir.join(name);
            match std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    // On Unix the open handle keeps the data; the name can go now.
                    let path = if cfg!(unix) && std::fs::remove_file(&path).is_ok() {
                        None
                    } else {
                        Some(path)
                    };
                    return Ok(TempFile {
                        file: Some(file),
                        path,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary file name")))
    }

    fn file(&mut self) -> std::io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("temporary file closed"))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Closed first: Windows cannot remove an open file.
        self.file = None;
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Read for TempFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.file()?.read(buf)
    }
}

impl Write for TempFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file()?.flush()
    }
}

impl Seek for TempFile {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.file()?.seek(pos)
    }
}
