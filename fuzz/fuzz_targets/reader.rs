//! The reader on arbitrary bytes: each format hint (or probing), seekable or pipe source,
//! random frames_per_chunk (1..8192) and buffer_chunk_size, decoded with `stream()` and with
//! the seed's `process_packet`/`pop_chunks` loop.
//!
//! Invariants (README "Reading"): every chunk but the last has exactly frames_per_chunk frames;
//! chunk i has pts = i * fpc / rate; the channel count is the output's; `stream()` never drops,
//! and the loop's chunks are `stream()`'s chunks (same index, same samples) with
//! popped + dropped = all; after the end process_packet keeps returning 0.
#![no_main]

use arbitrary::Arbitrary;
use audiostream_fuzz::*;
use libfuzzer_sys::fuzz_target;

/// Input: these 6 bytes, then the media file.
#[derive(Arbitrary, Debug, Default)]
struct Settings {
    hint: u8,
    /// bit 0: seekable (Cursor) else pipe (from_stream)
    flags: u8,
    fpc_lo: u8,
    fpc_hi: u8,
    buffer: u8,
    _reserved: u8,
}
const HEADER: usize = 6;

fuzz_target!(|data: &[u8]| {
    let (s, media): (Settings, _) = split(data, HEADER);
    let hint = HINTS[s.hint as usize % HINTS.len()];
    let seekable = s.flags & 1 == 1;
    let fpc = fpc_from(u16::from_le_bytes([s.fpc_lo, s.fpc_hi]));
    let buffer = 1 + (s.buffer as usize % 16);

    // Pass A: stream().
    let Ok(mut reader) = open(media, hint, seekable, None) else {
        return;
    };
    let _ = reader.get_metadata();
    if reader.add_basic_audio_stream(fpc, buffer).is_err() {
        return;
    }
    let out = reader.get_out_stream_info(0).expect("output 0 exists");
    assert_eq!(out.frames_per_chunk, fpc);
    let mut a = [ChunkChecker::new(
        "stream()",
        fpc,
        out.sample_rate,
        out.num_channels,
        0,
    )];
    let end_a = drain_stream(&mut reader, &mut a, SAMPLE_BUDGET);
    if debug() {
        eprintln!("hint {hint:?} seekable {seekable} fpc {fpc} buffer {buffer}");
        eprintln!("{:?}\n{out:?}", reader.get_metadata());
        eprintln!(
            "stream(): {end_a:?}, {} chunks, {} frames; {:?}",
            a[0].count,
            a[0].frames,
            reader.stats()
        );
    }
    assert_eq!(reader.stats().dropped_chunks, 0, "stream() dropped chunks");
    drop(reader);

    // Pass B: the seed's loop on a fresh reader of the same bytes.
    let mut reader = open(media, hint, seekable, None).expect("opened once, must open again");
    reader
        .add_basic_audio_stream(fpc, buffer)
        .expect("added once, must add again");
    let mut b = [ChunkChecker::new(
        "process_packet loop",
        fpc,
        out.sample_rate,
        out.num_channels,
        0,
    )];
    let end_b = drain_loop(&mut reader, &mut b);
    if debug() {
        eprintln!(
            "loop: {end_b:?}, {} chunks, {} frames; {:?}",
            b[0].count,
            b[0].frames,
            reader.stats()
        );
    }
    if end_a == End::Done && end_b == End::Done {
        let dropped = reader.stats().dropped_chunks;
        assert_eq!(
            b[0].count + dropped,
            a[0].count,
            "loop popped {} + dropped {dropped} != stream()'s {} chunks",
            b[0].count,
            a[0].count
        );
        let full: std::collections::HashMap<u64, u64> = a[0].hashes.iter().copied().collect();
        for (i, h) in &b[0].hashes {
            if let Some(ha) = full.get(i) {
                assert_eq!(h, ha, "chunk {i} differs between the loop and stream()");
            }
        }
    }
});
