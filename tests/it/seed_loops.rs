//! The seed's loops, written as the seed writes them, lose nothing (issue 14): `while
//! process_packet() != 0 { pop_chunks() }` and `loop { if process_packet() == 0 { break }
//! pop_chunks() }` with one `pop_chunks` per call deliver every sample of every fixture
//! format, the last short chunk and a resampler's tail included, even when one packet holds
//! more chunks than `buffer_chunk_size` (FLAC's 4096-frame packets with 1024- or 100-frame
//! chunks). A loop that never pops still ends, with torchaudio's overflow (the newest K
//! chunks kept, the rest counted); a live source the consumer falls behind on drops the
//! oldest chunks and counts them.

use crate::common;

use audiostream::{AudioStreamOptions, Chunk, StreamReader};
use common::oracle::{ffmpeg_decode, fixture};
use common::ours;
use common::servers::{read_request, ScriptServer};
use std::io::Write;
use std::time::Duration;

/// Every format the reader has a fixture for (PCM, lossless and lossy, several containers).
const FIXTURES: &[&str] = &[
    "wav_s16_stereo_44100.wav",
    "wav_s24_mono_48000.wav",
    "wav_f32_stereo_22050.wav",
    "aiff_s16_stereo_44100.aiff",
    "caf_s16_stereo_44100.caf",
    "flac_16_stereo_44100.flac",
    "flac_24_mono_96000.flac",
    "mp3_cbr128_stereo_44100.mp3",
    "mp3_vbr_v2_mono_44100.mp3",
    "vorbis_q5_stereo_44100.ogg",
    "opus_96k_stereo_48000.opus",
    "opus_96k_stereo_48000.webm",
    "aac_stereo_44100.m4a",
];

/// Lossless fixtures, also compared with FFmpeg's decode sample for sample.
const LOSSLESS: &[&str] = &[
    "wav_s16_stereo_44100.wav",
    "wav_s24_mono_48000.wav",
    "wav_f32_stereo_22050.wav",
    "aiff_s16_stereo_44100.aiff",
    "caf_s16_stereo_44100.caf",
    "flac_16_stereo_44100.flac",
    "flac_24_mono_96000.flac",
];

/// The seed's "Real-time Audio Processing" loop, line by line.
fn seed_loop_break_on_zero(reader: &mut StreamReader) -> Vec<Chunk> {
    let mut out = Vec::new();
    loop {
        let code = reader.process_packet().expect("process_packet");
        if code == 0 {
            break;
        }
        let chunks = reader.pop_chunks();
        if let Some(chunk) = chunks.into_iter().next().flatten() {
            out.push(chunk);
        }
    }
    out
}

/// The seed's "Format Conversion Pipeline" loop, line by line.
fn seed_loop_while_nonzero(reader: &mut StreamReader) -> Vec<Chunk> {
    let mut out = Vec::new();
    while reader.process_packet().expect("process_packet") != 0 {
        let chunks = reader.pop_chunks();
        if let Some(chunk) = chunks.into_iter().next().flatten() {
            out.push(chunk);
        }
    }
    out
}

/// Checks a loop's chunks: sizes, pts, nothing dropped, and the samples of the full decode.
fn check(name: &str, what: &str, reader: &StreamReader, chunks: &[Chunk], whole: &[Vec<f32>]) {
    let fpc = reader.get_out_stream_info(0).unwrap().frames_per_chunk;
    let rate = f64::from(reader.get_out_stream_info(0).unwrap().sample_rate);
    assert_eq!(reader.stats().dropped_chunks, 0, "{name} {what}: dropped");
    let n = whole[0].len();
    assert_eq!(chunks.len(), n.div_ceil(fpc), "{name} {what}: chunk count");
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(c.pts, (i * fpc) as f64 / rate, "{name} {what}: pts of {i}");
    }
    let got = ours::concat(chunks);
    assert_eq!(got.len(), whole.len(), "{name} {what}: channels");
    for (ch, (g, w)) in got.iter().zip(whole).enumerate() {
        assert_eq!(g.len(), w.len(), "{name} {what}: frames of channel {ch}");
        assert!(g == w, "{name} {what}: samples of channel {ch} differ");
    }
}

#[test]
fn the_seed_loops_deliver_every_sample_of_every_format() {
    for name in FIXTURES {
        let path = fixture(name);
        let whole = ours::decode(&path, None);
        // The seed's first example (1024, 4); one-packet-many-chunks (100, 4); the seed's
        // conversion example (4096 and torchaudio's default buffer of 3).
        for (fpc, k) in [(1024usize, 4usize), (100, 4), (4096, 3), (1, 1)] {
            let mut reader = ours::open(&path, None, None);
            reader.add_basic_audio_stream(fpc, k).unwrap();
            let chunks = seed_loop_break_on_zero(&mut reader);
            check(
                name,
                &format!("break on 0, fpc {fpc} K {k}"),
                &reader,
                &chunks,
                &whole,
            );
            // After the end it stays at 0.
            assert_eq!(
                reader.process_packet().unwrap(),
                0,
                "{name}: 0 after the end"
            );

            let mut reader = ours::open(&path, None, None);
            reader.add_basic_audio_stream(fpc, k).unwrap();
            let chunks = seed_loop_while_nonzero(&mut reader);
            check(
                name,
                &format!("while != 0, fpc {fpc} K {k}"),
                &reader,
                &chunks,
                &whole,
            );
        }
    }
}

#[test]
fn the_seed_loops_equal_ffmpeg_on_lossless_formats() {
    for name in LOSSLESS {
        let path = fixture(name);
        let reference = ffmpeg_decode(&path, 0, &[]);
        let mut reader = ours::open(&path, None, None);
        reader.add_basic_audio_stream(1024, 4).unwrap();
        let chunks = seed_loop_break_on_zero(&mut reader);
        assert_eq!(
            ours::concat(&chunks),
            reference.channels,
            "{name}: the seed's loop against FFmpeg"
        );
    }
}

/// FLAC packets of 4096 frames (the reference encoder's default block size, checked here
/// with `metaflac`-free means: the first packet's length) hold 4 chunks of 1024 and 41 of 100;
/// a loop that pops one chunk per call still gets them all.
#[test]
fn flac_packets_of_4096_frames_with_small_chunks_lose_nothing() {
    let path = fixture("flac_16_stereo_44100.flac");
    let whole = ours::decode(&path, None);
    let mut reader = ours::open(&path, None, None);
    reader.add_basic_audio_stream(4096, 1).unwrap();
    assert!(reader.process_packet().unwrap() >= 1);
    let first = reader
        .pop_chunks()
        .remove(0)
        .expect("one packet, one 4096-frame chunk");
    assert_eq!(
        first.ncols(),
        4096,
        "the fixture's FLAC frames are 4096 long"
    );
    for fpc in [1024usize, 100] {
        let mut reader = ours::open(&path, None, None);
        reader.add_basic_audio_stream(fpc, 4).unwrap();
        let chunks = seed_loop_break_on_zero(&mut reader);
        check("flac", &format!("fpc {fpc}"), &reader, &chunks, &whole);
    }
}

/// Conversion in the reader (a resampler and a remix) and an effect: the tails come out
/// through the seed's loop as through `stream()`.
#[test]
fn the_seed_loop_gets_the_resampler_and_effect_tails() {
    let path = fixture("flac_24_mono_96000.flac");
    let opts = || {
        AudioStreamOptions::new(1024)
            .buffer_chunk_size(4)
            .sample_rate(44100)
            .num_channels(2)
            .effect(
                "pad 0 0.5 reverb 50"
                    .parse::<audiostream::AudioEffector>()
                    .unwrap(),
            )
    };
    let mut reader = ours::open(&path, None, None);
    reader.add_audio_stream(opts()).unwrap();
    let streamed: Vec<Chunk> = reader
        .stream()
        .map(|c| c.unwrap().remove(0).unwrap())
        .collect();
    let whole = ours::concat(&streamed);
    let mut reader = ours::open(&path, None, None);
    reader.add_audio_stream(opts()).unwrap();
    let chunks = seed_loop_while_nonzero(&mut reader);
    check(
        "flac 96k mono → 44.1k stereo + reverb",
        "while != 0",
        &reader,
        &chunks,
        &whole,
    );
    // 1.5 s at 44.1 kHz (66150 frames, the resampler's tail included) and the 0.5 s pad in
    // which the reverb rings out.
    assert_eq!(whole[0].len(), 66150 + 22050);
}

/// A loop that never pops ends, keeps the newest K chunks and counts the rest.
#[test]
fn a_loop_that_never_pops_ends_with_the_newest_chunks() {
    for name in ["flac_16_stereo_44100.flac", "mp3_cbr128_stereo_44100.mp3"] {
        let path = fixture(name);
        let whole = ours::decode(&path, None);
        let n = whole[0].len();
        let (fpc, k) = (100usize, 4usize);
        let mut reader = ours::open(&path, None, None);
        reader.add_basic_audio_stream(fpc, k).unwrap();
        let mut calls = 0;
        while reader.process_packet().unwrap() != 0 {
            calls += 1;
            assert!(calls < 100_000, "{name}: the loop does not end");
        }
        let kept = ours::drain(&mut reader);
        let total = n.div_ceil(fpc);
        assert_eq!(kept.len(), k, "{name}: the newest K chunks are kept");
        assert_eq!(
            reader.stats().dropped_chunks,
            (total - k) as u64,
            "{name}: dropped chunks are counted"
        );
        let rate = f64::from(reader.get_metadata().sample_rate);
        assert_eq!(
            kept[k - 1].pts,
            ((total - 1) * fpc) as f64 / rate,
            "{name}: last kept"
        );
    }
}

/// Serves `bytes` over HTTP, with or without a `Content-Length` (without: a live stream).
fn serve(bytes: Vec<u8>, with_length: bool) -> ScriptServer {
    ScriptServer::start(1, Duration::from_secs(30), move |_, mut conn| {
        read_request(&mut conn);
        let head = if with_length {
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: {}\r\n\r\n",
                bytes.len()
            )
        } else {
            "HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n".to_string()
        };
        let _ = conn.write_all(head.as_bytes());
        let _ = conn.write_all(&bytes);
    })
}

/// Over HTTP: a resource with a length waits for the consumer like a file (nothing dropped);
/// a live stream (no length) does not wait: a consumer popping one 100-frame chunk per MP3
/// packet (1152 frames) falls behind, and the oldest chunks are dropped and counted.
#[test]
fn a_live_stream_drops_the_oldest_chunks_when_the_consumer_falls_behind() {
    let path = fixture("mp3_cbr128_stereo_44100.mp3");
    let bytes = std::fs::read(&path).unwrap();
    let whole = ours::decode(&path, None);
    let total = whole[0].len().div_ceil(100);
    for with_length in [true, false] {
        let server = serve(bytes.clone(), with_length);
        let mut reader = StreamReader::new(&server.url("a.mp3"), None, None).unwrap();
        reader.add_basic_audio_stream(100, 4).unwrap();
        let chunks = seed_loop_break_on_zero(&mut reader);
        let dropped = reader.stats().dropped_chunks;
        assert_eq!(
            chunks.len() as u64 + dropped,
            total as u64,
            "length {with_length}: popped + dropped = all chunks"
        );
        if with_length {
            assert_eq!(
                dropped, 0,
                "a resource with a length waits for the consumer"
            );
            assert_eq!(ours::concat(&chunks), whole);
        } else {
            assert!(
                dropped > 0,
                "a live stream does not wait: chunks are dropped"
            );
        }
    }
}
