//! Raw PCM: a random format name (the six raw formats, their case/space variants, container
//! names, or arbitrary text) with random option strings (sample_rate, channels, live, other
//! keys; values from a table or arbitrary text), on arbitrary sample bytes, seekable or pipe.
//!
//! Invariants: when the format is a raw one and the reader opens, its rate and channels are the
//! options'; decoded to the end it has exactly len / (bytes per sample * channels) frames, in
//! full chunks but the last; s16le and u8 samples come out exactly (x / 32768, (x - 128) / 128).
#![no_main]

use arbitrary::Arbitrary;
use audiostream::Options;
use audiostream_fuzz::*;
use libfuzzer_sys::fuzz_target;

/// Input: these 8 bytes, text up to the first 0 byte (lines: values for the `text` choices),
/// then the sample bytes.
#[derive(Arbitrary, Debug, Default)]
struct Settings {
    format: u8,
    /// bit 0 seekable; bits 1-2 `live` (absent, true, false, text); bit 3 extra key
    flags: u8,
    rate: u8,
    channels: u8,
    fpc: [u8; 2],
    _reserved: [u8; 2],
}
const HEADER: usize = 8;

const FORMATS: [&str; 6] = ["s16le", "s24le", "s32le", "f32le", "f64le", "u8"];
const BYTES: [usize; 6] = [2, 3, 4, 4, 8, 1];
const OTHER: [&str; 10] = [
    "S16LE",
    " s16le ",
    "s16be",
    "wav",
    "mp3",
    "pcm_s16le",
    "s8",
    "",
    "u16le",
    "f32",
];
const RATES: [&str; 12] = [
    "8000",
    "44100",
    "48000",
    "1",
    "0",
    "-1",
    "4294967295",
    "4294967296",
    "44.1k",
    " 16000",
    "1e3",
    "384000",
];
const CHANNELS: [&str; 10] = ["1", "2", "6", "64", "65", "0", "-2", "256", "2.0", "08"];

fuzz_target!(|data: &[u8]| {
    let (s, rest): (Settings, _) = split(data, HEADER);
    let (text, samples) = match rest.iter().position(|&b| b == 0) {
        Some(p) => (&rest[..p], &rest[p + 1..]),
        None => (&[][..], rest),
    };
    let text = String::from_utf8_lossy(text);
    let lines: Vec<&str> = text.split('\n').collect();
    let line = |i: usize| lines.get(i).copied().unwrap_or("");

    let (format, known) = match s.format % 16 {
        k @ 0..=5 => (FORMATS[k as usize].to_string(), Some(k as usize)),
        6..=11 => (
            FORMATS[(s.format as usize / 16) % 6].to_string(),
            Some((s.format as usize / 16) % 6),
        ),
        12 | 13 => (
            OTHER[(s.format as usize / 16) % OTHER.len()].to_string(),
            None,
        ),
        _ => (line(0).to_string(), None),
    };
    let mut opts = Options::new();
    match s.rate % 4 {
        0 => {}
        1 => {
            opts.insert("sample_rate".into(), line(1).into());
        }
        _ => {
            opts.insert(
                "sample_rate".into(),
                RATES[(s.rate as usize / 4) % RATES.len()].into(),
            );
        }
    }
    match s.channels % 4 {
        0 => {}
        1 => {
            opts.insert("channels".into(), line(2).into());
        }
        _ => {
            opts.insert(
                "channels".into(),
                CHANNELS[(s.channels as usize / 4) % CHANNELS.len()].into(),
            );
        }
    }
    match (s.flags >> 1) & 3 {
        0 => {}
        1 => {
            opts.insert("live".into(), "true".into());
        }
        2 => {
            opts.insert("live".into(), "false".into());
        }
        _ => {
            opts.insert("live".into(), line(3).into());
        }
    }
    if s.flags & 8 != 0 {
        opts.insert(line(4).into(), line(5).into());
    }
    let seekable = s.flags & 1 == 1;
    let fpc = fpc_from(u16::from_le_bytes(s.fpc));

    let Ok(mut reader) = open(samples, Some(&format), seekable, Some(&opts)) else {
        return;
    };
    let Some(k) = known else { return };
    let rate: u32 = opts["sample_rate"]
        .parse()
        .expect("opened, so sample_rate parsed");
    let channels: usize = opts
        .get("channels")
        .map_or(1, |c| c.parse().expect("channels parsed"));
    let meta = reader.get_metadata();
    assert_eq!(
        (meta.sample_rate, meta.num_channels),
        (rate, channels),
        "metadata vs options"
    );
    if reader.add_basic_audio_stream(fpc, 4).is_err() {
        return;
    }
    let mut check = ChunkChecker::new("raw", fpc, rate, channels, 0);
    let frame_bytes = BYTES[k] * channels;
    let mut frame = 0usize;
    let mut failed = false;
    for item in reader.stream() {
        let Ok(chunks) = item else {
            failed = true;
            break;
        };
        let Some(c) = &chunks[0] else { continue };
        check.check(c);
        for t in 0..c.ncols() {
            for ch in 0..channels {
                let at = (frame + t) * frame_bytes + ch * BYTES[k];
                let got = c.data[[ch, t]];
                let want = match k {
                    0 => f32::from(i16::from_le_bytes([samples[at], samples[at + 1]])) / 32768.0,
                    5 => (f32::from(samples[at]) - 128.0) / 128.0,
                    _ => continue,
                };
                assert_eq!(got, want, "{format} frame {} channel {ch}", frame + t);
            }
        }
        frame += c.ncols();
        if check.samples() > SAMPLE_BUDGET {
            return;
        }
    }
    if !failed {
        assert_eq!(
            frame,
            samples.len() / frame_bytes,
            "{format} {channels} ch: {} bytes must give {} frames",
            samples.len(),
            samples.len() / frame_bytes
        );
    }
});
