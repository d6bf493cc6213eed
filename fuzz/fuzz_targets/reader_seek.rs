//! Seeking: up to four seeks to random times (raw f64 bit patterns: negative, NaN, infinite,
//! huge, subnormal; fractions of the duration; exact frame times; a table of edge values),
//! each followed by a few chunks, then the rest of the stream.
//!
//! Invariants (README "seek(t)"): negative and NaN times are errors; after a successful seek
//! to t the next chunk starts at frame round(t * rate) (pts = that frame / rate), later chunks
//! follow every frames_per_chunk frames, every chunk but the last is full, and the channel
//! count is the output's. Past the end leaves the reader at the end (no chunk, no error).
#![no_main]

use arbitrary::Arbitrary;
use audiostream_fuzz::*;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug, Default, Clone, Copy)]
struct SeekOp {
    kind: u8,
    value: [u8; 8],
    chunks: u8,
}

/// Input: these 44 bytes, then the media file.
#[derive(Arbitrary, Debug, Default)]
struct Settings {
    hint: u8,
    flags: u8,
    fpc_lo: u8,
    fpc_hi: u8,
    seeks: [SeekOp; 4],
}
const HEADER: usize = 4 + 4 * 10;

const SPECIAL: [f64; 16] = [
    0.0,
    -0.0,
    -1e-300,
    -1.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e300,
    f64::MAX,
    5e-324,
    1e-9,
    0.5,
    1.0,
    3600.0,
    9.3e15,
    -f64::NAN,
];

fuzz_target!(|data: &[u8]| {
    let (s, media): (Settings, _) = split(data, HEADER);
    let hint = HINTS[s.hint as usize % HINTS.len()];
    let seekable = s.flags & 1 == 1;
    let fpc = fpc_from(u16::from_le_bytes([s.fpc_lo, s.fpc_hi]));
    let Ok(mut reader) = open(media, hint, seekable, None) else {
        return;
    };
    if reader.add_basic_audio_stream(fpc, 4).is_err() {
        return;
    }
    let out = reader.get_out_stream_info(0).expect("output 0 exists");
    let rate = out.sample_rate;
    let meta = reader.get_metadata();
    let duration = meta
        .duration
        .filter(|d| d.is_finite() && *d > 0.0)
        .unwrap_or(10.0);
    let frames = meta
        .num_frames
        .unwrap_or((duration * f64::from(rate)) as u64)
        .min(u64::from(u32::MAX));

    let mut decoded = 0u64;
    let n_seeks = 1 + (s.flags >> 1) as usize % 4;
    for (k, op) in s.seeks.iter().take(n_seeks).enumerate() {
        let raw = f64::from_le_bytes(op.value);
        let v = u64::from_le_bytes(op.value);
        let t = match op.kind % 4 {
            0 => raw,
            1 => (v as u32) as f64 / f64::from(u32::MAX) * duration * 1.25,
            2 => (v % (frames + 2 * fpc as u64 + 1)) as f64 / f64::from(rate),
            _ => SPECIAL[v as usize % SPECIAL.len()],
        };
        let result = reader.seek(t);
        if t.is_nan() || t < 0.0 {
            assert!(result.is_err(), "seek({t}) must be an error, got Ok");
            continue;
        }
        if result.is_err() {
            // Backward on a pipe, or bad media: allowed. The reader must stay usable.
            continue;
        }
        let start = (t * f64::from(rate)).round();
        let start = if start >= u64::MAX as f64 {
            u64::MAX
        } else {
            start as u64
        };
        let mut check = ChunkChecker::new("after seek", fpc, rate, out.num_channels, start);
        let last = k + 1 == n_seeks;
        let want = if last {
            usize::MAX
        } else {
            1 + op.chunks as usize % 8
        };
        let mut got = 0;
        for item in reader.stream() {
            let Ok(chunks) = item else { break };
            if let Some(c) = &chunks[0] {
                if start > (1u64 << 53) {
                    panic!("seek({t}) far past the end gave a chunk at pts {}", c.pts);
                }
                check.check(c);
                got += 1;
            }
            if got >= want || decoded + check.samples() > SAMPLE_BUDGET {
                break;
            }
        }
        decoded += check.samples();
        if decoded > SAMPLE_BUDGET {
            return;
        }
    }
});
