//! Helpers shared by the fuzz targets: opening a reader from bytes (seekable or not), draining
//! it while checking the chunk invariants the docs promise, and small decoding helpers for the
//! fixed-size headers that precede the media bytes in every reader input.
//!
//! Inputs of the reader targets are `header ++ media`: a fixed number of header bytes (the
//! target's settings, decoded with `arbitrary` from exactly those bytes) followed by the media
//! file. `make_corpus.sh` writes seeds in that layout.

use arbitrary::{Arbitrary, Unstructured};
use audiostream::{Chunk, StreamReader};
use std::io::{Cursor, Read};

/// The format hints a reader input can choose (`hint % HINTS.len()`): `None` probes.
pub const HINTS: [Option<&str>; 10] = [
    None,
    Some("wav"),
    Some("mp3"),
    Some("flac"),
    Some("ogg"),
    Some("mp4"),
    Some("mkv"),
    Some("aiff"),
    Some("caf"),
    Some("aac"),
];

/// Stop decoding after this many samples (frames × channels, all outputs) in one pass. A few
/// dozen bytes of FLAC (constant subframes) decode to 65535 frames × 8 channels, so a 64 KiB
/// input can decode to ~10^9 samples: that is output, not a bug, and would only make every run
/// slow. Memory does not depend on it: chunks are hashed and dropped, never kept; and what one
/// `process_packet` call allocates (e.g. silence for a gap) is not cut by it.
pub const SAMPLE_BUDGET: u64 = 1 << 23;

/// The budget for converted outputs (resampling costs ~10x decoding per sample).
pub const CONVERT_BUDGET: u64 = 1 << 21;

/// Most chunk hashes remembered for comparing two decodes of the same input.
pub const MAX_REMEMBERED: usize = 1 << 16;

/// Splits `data` into a settings header of `T` (decoded from exactly `len` bytes; missing
/// bytes read as zeros) and the rest.
pub fn split<'a, T: Arbitrary<'a> + Default>(data: &'a [u8], len: usize) -> (T, &'a [u8]) {
    let (head, rest) = data.split_at(len.min(data.len()));
    let mut u = Unstructured::new(head);
    (T::arbitrary(&mut u).unwrap_or_default(), rest)
}

/// A `Read` without `Seek`: what a pipe gives.
pub struct NonSeek<R>(pub R);

impl<R: Read> Read for NonSeek<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

/// Opens `bytes` as a seekable `Cursor` or as a pipe (`from_stream`).
pub fn open(
    bytes: &[u8],
    hint: Option<&str>,
    seekable: bool,
    options: Option<&audiostream::Options>,
) -> audiostream::Result<StreamReader> {
    let v = bytes.to_vec();
    if seekable {
        StreamReader::from_reader_with(Cursor::new(v), hint, options)
    } else {
        StreamReader::from_stream_with(NonSeek(Cursor::new(v)), hint, options)
    }
}

/// FNV-1a over the bit patterns of the samples and the shape.
pub fn hash_chunk(c: &Chunk) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: u64| {
        h ^= x;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    eat(c.nrows() as u64);
    eat(c.ncols() as u64);
    for v in c.data.iter() {
        eat(u64::from(v.to_bits()));
    }
    h
}

/// The frame a pts names at `rate`, when it is within 1/1000 of a sample of a whole frame.
pub fn frame_of(pts: f64, rate: u32) -> Option<u64> {
    let f = pts * f64::from(rate);
    let r = f.round();
    ((f - r).abs() < 1e-3 && r >= 0.0).then_some(r as u64)
}

/// Checks one output's chunks in order: constant channel count, exactly `fpc` frames except
/// the last chunk, `pts == frame / rate` where the frames count up from `start_frame` (drops
/// allowed if `may_drop`: then each pts must be a whole number of chunks after `start_frame`).
#[derive(Debug)]
pub struct ChunkChecker {
    pub what: &'static str,
    pub fpc: usize,
    pub rate: u32,
    pub channels: usize,
    pub start_frame: u64,
    pub may_drop: bool,
    /// Chunks seen.
    pub count: u64,
    /// Frames seen.
    pub frames: u64,
    /// The chunk index (from `start_frame`) the next chunk should have, without drops.
    pub next_index: u64,
    pub short_seen: bool,
    /// (chunk index, hash) of the first chunks.
    pub hashes: Vec<(u64, u64)>,
}

impl ChunkChecker {
    pub fn new(
        what: &'static str,
        fpc: usize,
        rate: u32,
        channels: usize,
        start_frame: u64,
    ) -> Self {
        ChunkChecker {
            what,
            fpc,
            rate,
            channels,
            start_frame,
            may_drop: false,
            count: 0,
            frames: 0,
            next_index: 0,
            short_seen: false,
            hashes: Vec::new(),
        }
    }

    pub fn check(&mut self, c: &Chunk) {
        let what = self.what;
        assert!(
            !self.short_seen,
            "{what}: a chunk after a short chunk (fpc {}, chunk {} has {} frames)",
            self.fpc,
            self.count,
            c.ncols()
        );
        assert_eq!(
            c.nrows(),
            self.channels,
            "{what}: chunk {} has {} channels, the output has {}",
            self.count,
            c.nrows(),
            self.channels
        );
        assert!(
            c.ncols() <= self.fpc,
            "{what}: chunk {} has {} frames > frames_per_chunk {}",
            self.count,
            c.ncols(),
            self.fpc
        );
        assert!(c.ncols() > 0, "{what}: chunk {} is empty", self.count);
        if c.ncols() < self.fpc {
            self.short_seen = true;
        }
        let frame = frame_of(c.pts, self.rate).unwrap_or_else(|| {
            panic!(
                "{what}: chunk {} has pts {} which is no whole frame at {} Hz",
                self.count, c.pts, self.rate
            )
        });
        assert!(
            frame >= self.start_frame,
            "{what}: chunk {} pts {} (frame {frame}) before the start frame {}",
            self.count,
            c.pts,
            self.start_frame
        );
        let off = frame - self.start_frame;
        assert!(
            off % self.fpc as u64 == 0,
            "{what}: chunk {} starts at frame {frame}, not start {} + a multiple of fpc {}",
            self.count,
            self.start_frame,
            self.fpc
        );
        let index = off / self.fpc as u64;
        if self.may_drop {
            assert!(
                index >= self.next_index,
                "{what}: chunk {} has index {index}, expected >= {} (pts going backwards)",
                self.count,
                self.next_index
            );
        } else {
            assert_eq!(
                index, self.next_index,
                "{what}: chunk {} has pts {} = chunk index {index}, expected {} (fpc {}, rate {})",
                self.count, c.pts, self.next_index, self.fpc, self.rate
            );
        }
        if self.hashes.len() < MAX_REMEMBERED {
            self.hashes.push((index, hash_chunk(c)));
        }
        self.next_index = index + 1;
        self.count += 1;
        self.frames += c.ncols() as u64;
    }

    /// Samples decoded so far: up to the last chunk seen, dropped chunks included.
    pub fn samples(&self) -> u64 {
        self.frames
            .max(self.next_index.saturating_mul(self.fpc as u64))
            * self.channels as u64
    }
}

/// How a decode pass ended.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum End {
    /// The stream ended normally.
    Done,
    /// An error was returned (allowed for bad media).
    Error,
    /// The sample budget ran out (the rest was not decoded).
    Budget,
}

/// Drains output 0..n of `reader` with `stream()`, checking every chunk.
pub fn drain_stream(reader: &mut StreamReader, checkers: &mut [ChunkChecker], budget: u64) -> End {
    for item in reader.stream() {
        let chunks = match item {
            Ok(c) => c,
            Err(_) => return End::Error,
        };
        assert_eq!(chunks.len(), checkers.len(), "pop_chunks() length");
        for (c, k) in chunks.iter().zip(checkers.iter_mut()) {
            if let Some(c) = c {
                k.check(c);
            }
        }
        if checkers.iter().map(ChunkChecker::samples).sum::<u64>() > budget {
            return End::Budget;
        }
    }
    End::Done
}

/// Drains `reader` with the seed's loop (`process_packet` until 0, one `pop_chunks` per call,
/// then pops what is left). Chunks may be dropped (buffer_chunk_size).
pub fn drain_loop(reader: &mut StreamReader, checkers: &mut [ChunkChecker]) -> End {
    for k in checkers.iter_mut() {
        k.may_drop = true;
    }
    let take = |reader: &mut StreamReader, checkers: &mut [ChunkChecker]| -> bool {
        let chunks = reader.pop_chunks();
        assert_eq!(chunks.len(), checkers.len(), "pop_chunks() length");
        let mut any = false;
        for (c, k) in chunks.iter().zip(checkers.iter_mut()) {
            if let Some(c) = c {
                k.check(c);
                any = true;
            }
        }
        any
    };
    loop {
        match reader.process_packet() {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => return End::Error,
        }
        take(reader, checkers);
        if checkers.iter().map(ChunkChecker::samples).sum::<u64>() > SAMPLE_BUDGET {
            return End::Budget;
        }
    }
    // The end: what is left (the last, short chunk; more when a packet made many chunks).
    while take(reader, checkers) {}
    // After the end, process_packet keeps returning 0.
    for _ in 0..2 {
        assert_eq!(
            reader.process_packet().ok(),
            Some(0),
            "process_packet() after the end must keep returning Ok(0)"
        );
    }
    assert!(
        reader.pop_chunks().iter().all(Option::is_none),
        "a chunk appeared after the end"
    );
    End::Done
}

/// A frames-per-chunk in 1..=8192 from two bytes, small values more often.
pub fn fpc_from(x: u16) -> usize {
    match x >> 14 {
        0 => 1 + (x as usize & 0x3f),   // 1..64
        1 => 1 + (x as usize & 0x3ff),  // 1..1024
        _ => 1 + (x as usize & 0x1fff), // 1..8192
    }
}

/// A `Write + Seek` in memory whose bytes stay reachable after the writer that owns a clone
/// of it is closed.
#[derive(Clone, Default)]
pub struct Shared(pub std::sync::Arc<std::sync::Mutex<Cursor<Vec<u8>>>>);

impl Shared {
    /// A copy of the bytes written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().get_ref().clone()
    }
}

impl std::io::Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::io::Seek for Shared {
    fn seek(&mut self, p: std::io::SeekFrom) -> std::io::Result<u64> {
        self.0.lock().unwrap().seek(p)
    }
}

/// Whether `AUDIOSTREAM_FUZZ_DEBUG` is set: targets then print what they built from the input
/// (for triage: `AUDIOSTREAM_FUZZ_DEBUG=1 fuzz/target/.../effects FILE`).
pub fn debug() -> bool {
    static DEBUG: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("AUDIOSTREAM_FUZZ_DEBUG").is_some())
}
