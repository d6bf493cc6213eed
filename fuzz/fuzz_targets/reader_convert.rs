//! Output conversion: an output with a random sample_rate (1..384000) and num_channels (0..9;
//! 0 must be refused), optionally next to an unconverted output of the same stream, with
//! random chunk sizes, decoded with `stream()`.
//!
//! Invariants (README "Outputs"): the converted output's chunks have the asked channel count,
//! exactly frames_per_chunk frames except the last, pts = i * fpc / out_rate; when both
//! outputs decode to the end, the converted one has output_frames(in_rate, out_rate, n) frames
//! where n is the unconverted one's (SoX's round(n * new / orig)). Errors allowed, panics not.
#![no_main]

use arbitrary::Arbitrary;
use audiostream::{dsp::output_frames, AudioStreamOptions};
use audiostream_fuzz::*;
use libfuzzer_sys::fuzz_target;

/// Input: these 12 bytes, then the media file.
#[derive(Arbitrary, Debug, Default)]
struct Settings {
    hint: u8,
    /// bit 0 seekable, bit 1 add an unconverted output first, bit 2 keep the source rate
    flags: u8,
    fpc: [u8; 2],
    fpc_ref: [u8; 2],
    rate_sel: u8,
    rate: [u8; 3],
    channels: u8,
    buffer: u8,
}
const HEADER: usize = 12;

const RATES: [u32; 16] = [
    8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000, 384000, 1, 2, 7,
    383_999,
];

fuzz_target!(|data: &[u8]| {
    let (s, media): (Settings, _) = split(data, HEADER);
    let hint = HINTS[s.hint as usize % HINTS.len()];
    let seekable = s.flags & 1 == 1;
    let with_ref = s.flags & 2 == 2;
    let fpc = fpc_from(u16::from_le_bytes(s.fpc));
    let fpc_ref = fpc_from(u16::from_le_bytes(s.fpc_ref));
    let rate = if s.rate_sel & 1 == 0 {
        RATES[(s.rate_sel >> 1) as usize % RATES.len()]
    } else {
        1 + u32::from_le_bytes([s.rate[0], s.rate[1], s.rate[2], 0]) % 384_000
    };
    let channels = s.channels as usize % 10;
    let buffer = 1 + s.buffer as usize % 8;

    let Ok(mut reader) = open(media, hint, seekable, None) else {
        return;
    };
    let mut checkers = Vec::new();
    if with_ref {
        if reader.add_basic_audio_stream(fpc_ref, buffer).is_err() {
            return;
        }
        let o = reader.get_out_stream_info(0).unwrap();
        checkers.push(ChunkChecker::new(
            "unconverted",
            fpc_ref,
            o.sample_rate,
            o.num_channels,
            0,
        ));
    }
    let mut opts = AudioStreamOptions::new(fpc)
        .buffer_chunk_size(buffer)
        .num_channels(channels);
    if s.flags & 4 == 0 {
        opts = opts.sample_rate(rate);
    }
    let added = reader.add_audio_stream(opts);
    if channels == 0 {
        assert!(added.is_err(), "num_channels(0) must be refused");
        return;
    }
    let Ok(i) = added else { return };
    let o = reader.get_out_stream_info(i).unwrap();
    assert_eq!(o.num_channels, channels);
    if s.flags & 4 == 0 {
        assert_eq!(o.sample_rate, rate);
    }
    checkers.push(ChunkChecker::new(
        "converted",
        fpc,
        o.sample_rate,
        channels,
        0,
    ));
    let end = drain_stream(&mut reader, &mut checkers, CONVERT_BUDGET);
    if with_ref && end == End::Done {
        let n = checkers[0].frames;
        let in_rate = checkers[0].rate;
        let want = output_frames(in_rate, o.sample_rate, n);
        assert_eq!(
            checkers[1].frames, want,
            "{n} frames at {in_rate} Hz became {} at {} Hz, expected {want}",
            checkers[1].frames, o.sample_rate
        );
    }
});
