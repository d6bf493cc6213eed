//! Chunking, buffering and the processing loop.

use crate::common;

use audiostream::{AudioStreamOptions, StreamReader};
use common::oracle::fixture;
use common::ours;

const FIXTURES: &[&str] = &[
    "wav_s16_stereo_44100.wav",
    "flac_16_stereo_44100.flac",
    "mp3_cbr128_stereo_44100.mp3",
    "vorbis_q5_stereo_44100.ogg",
];

/// For every chunk size the chunks concatenate to the whole decode, there are
/// ceil(N / fpc) of them, all but the last are full, and chunk i starts at i * fpc / rate.
#[test]
fn chunks_are_exact_for_every_size() {
    for name in FIXTURES {
        let path = fixture(name);
        let whole = ours::decode(&path, None);
        let n = whole[0].len();
        for fpc in [1usize, 7, 256, 1024, 4096, 44100] {
            let mut reader = ours::open(&path, None, None);
            let rate = reader.get_metadata().sample_rate;
            reader.add_basic_audio_stream(fpc, 3).unwrap();
            let mut chunks = Vec::new();
            for popped in reader.stream() {
                chunks.push(popped.unwrap().remove(0).expect("one output, one chunk"));
            }
            assert_eq!(
                chunks.len(),
                n.div_ceil(fpc),
                "{name} fpc={fpc}: chunk count"
            );
            for (i, c) in chunks.iter().enumerate() {
                if i + 1 < chunks.len() {
                    assert_eq!(c.ncols(), fpc, "{name} fpc={fpc}: chunk {i} is full");
                }
                let expected_pts = (i * fpc) as f64 / f64::from(rate);
                assert_eq!(c.pts, expected_pts, "{name} fpc={fpc}: pts of chunk {i}");
            }
            assert_eq!(ours::concat(&chunks), whole, "{name} fpc={fpc}: samples");
        }
    }
}

/// With `buffer_chunk_size` K, after processing everything exactly the newest K chunks remain,
/// each with its own pts and samples.
#[test]
fn overflow_keeps_the_newest_chunks_with_their_pts() {
    for name in FIXTURES {
        let path = fixture(name);
        let whole = ours::decode(&path, None);
        let n = whole[0].len();
        for (fpc, k) in [(1000usize, 3usize), (4096, 1), (7, 5)] {
            let mut reader = ours::open(&path, None, None);
            let rate = f64::from(reader.get_metadata().sample_rate);
            reader.add_basic_audio_stream(fpc, k).unwrap();
            reader.process_all_packets().unwrap();
            let chunks = ours::drain(&mut reader);
            let total = n.div_ceil(fpc);
            assert_eq!(chunks.len(), k.min(total), "{name} fpc={fpc} K={k}");
            assert_eq!(
                reader.stats().dropped_chunks,
                total.saturating_sub(k) as u64,
                "{name}: dropped count"
            );
            for (j, c) in chunks.iter().enumerate() {
                let index = total - chunks.len() + j;
                let start = index * fpc;
                assert_eq!(
                    c.pts,
                    start as f64 / rate,
                    "{name}: pts of kept chunk {index}"
                );
                for (ch, row) in c.rows().into_iter().enumerate() {
                    assert_eq!(row.to_vec(), whole[ch][start..start + c.ncols()].to_vec());
                }
            }
        }
    }
}

/// `stream()` never drops audio, even with one-frame chunks and a one-chunk buffer.
#[test]
fn stream_never_drops() {
    let path = fixture("flac_16_stereo_44100.flac");
    let whole = ours::decode(&path, None);
    let mut reader = ours::open(&path, None, None);
    reader.add_basic_audio_stream(1, 1).unwrap();
    let chunks: Vec<_> = reader
        .stream()
        .map(|c| c.unwrap().remove(0).unwrap())
        .collect();
    assert_eq!(ours::concat(&chunks), whole);
    assert_eq!(reader.stats().dropped_chunks, 0);
}

/// `process_packet` returns packets processed, then 0 at the end (with the short last chunk
/// ready) and keeps returning 0.
#[test]
fn process_packet_protocol() {
    let path = fixture("wav_s16_stereo_44100.wav");
    let mut reader = ours::open(&path, None, None);
    reader.add_basic_audio_stream(5000, 100).unwrap();
    let mut calls = 0;
    loop {
        let n = reader.process_packet().unwrap();
        if n == 0 {
            break;
        }
        assert!(n >= 1);
        calls += 1;
        assert!(calls < 10_000);
    }
    let chunks = ours::drain(&mut reader);
    assert_eq!(chunks.len(), 5); // 22050 frames = 4 x 5000 + 2050
    assert_eq!(chunks[4].ncols(), 2050);
    for _ in 0..3 {
        assert_eq!(reader.process_packet().unwrap(), 0);
    }
    assert!(reader.pop_chunks()[0].is_none());
}

/// `fill_buffer` stops as soon as every output has a chunk, and returns 0 at the end.
#[test]
fn fill_buffer_and_is_buffer_ready() {
    let path = fixture("flac_16_stereo_44100.flac");
    let mut reader = ours::open(&path, None, None);
    reader.add_basic_audio_stream(10_000, 3).unwrap();
    assert!(!reader.is_buffer_ready());
    assert!(reader.fill_buffer().unwrap() >= 1);
    assert!(reader.is_buffer_ready());
    let mut frames = 0;
    loop {
        let n = reader.fill_buffer().unwrap();
        for c in reader.pop_chunks().into_iter().flatten() {
            frames += c.ncols();
        }
        if n == 0 {
            break;
        }
    }
    for c in ours::drain(&mut reader) {
        frames += c.ncols();
    }
    assert_eq!(frames, 66150);
}

/// Several outputs: the same source stream twice with different chunking, and the two audio
/// streams of an MKV, each equal to its own decode.
#[test]
fn several_outputs() {
    let path = fixture("mkv_video_2audio.mkv");
    let a = ours::decode(&path, Some(1));
    let b = ours::decode(&path, Some(2));
    let mut reader = ours::open(&path, None, None);
    let big = usize::MAX;
    reader
        .add_audio_stream(
            AudioStreamOptions::new(1000)
                .buffer_chunk_size(big)
                .stream_index(1),
        )
        .unwrap();
    reader
        .add_audio_stream(
            AudioStreamOptions::new(333)
                .buffer_chunk_size(big)
                .stream_index(2),
        )
        .unwrap();
    reader
        .add_audio_stream(
            AudioStreamOptions::new(4096)
                .buffer_chunk_size(big)
                .stream_index(1),
        )
        .unwrap();
    assert_eq!(reader.num_out_streams(), 3);
    reader.process_all_packets().unwrap();
    let mut outs = [Vec::new(), Vec::new(), Vec::new()];
    loop {
        let popped = reader.pop_chunks();
        if popped.iter().all(Option::is_none) {
            break;
        }
        for (i, c) in popped.into_iter().enumerate() {
            outs[i].extend(c);
        }
    }
    assert!(outs[0].iter().all(|c| c.nrows() == 2));
    assert!(outs[1].iter().all(|c| c.nrows() == 1));
    assert_eq!(outs[1][1].pts, 333.0 / 48000.0);
    assert_eq!(ours::concat(&outs[0]), a);
    assert_eq!(ours::concat(&outs[1]), b);
    assert_eq!(ours::concat(&outs[2]), a);
}

/// The `stream()` loop with two outputs of different rates ends when both are drained, and
/// yields `None` for an output that finished first.
#[test]
fn stream_with_two_outputs_drains_both() {
    let path = fixture("mkv_video_2audio.mkv");
    let mut reader = ours::open(&path, None, None);
    reader
        .add_audio_stream(AudioStreamOptions::new(44100).stream_index(1))
        .unwrap();
    reader
        .add_audio_stream(AudioStreamOptions::new(1000).stream_index(2))
        .unwrap();
    let mut frames = [0usize; 2];
    for popped in reader.stream() {
        for (i, c) in popped.unwrap().into_iter().enumerate() {
            frames[i] += c.map_or(0, |c| c.ncols());
        }
    }
    assert_eq!(frames, [66150, 72000]);
}

/// The seed's example loop (`while process_packet() != 0 { pop_chunks() }`) with the
/// torchaudio defaults loses nothing when chunks are popped after every packet.
#[test]
fn seed_loop_pops_every_chunk() {
    let path = fixture("mp3_cbr128_stereo_44100.mp3");
    let whole = ours::decode(&path, None);
    let mut reader = StreamReader::new(path.to_str().unwrap(), None, None).unwrap();
    reader.add_basic_audio_stream(1024, 4).unwrap();
    let mut chunks = Vec::new();
    loop {
        let n = reader.process_packet().unwrap();
        while let Some(c) = reader.pop_chunks().remove(0) {
            chunks.push(c);
        }
        if n == 0 {
            break;
        }
    }
    assert_eq!(ours::concat(&chunks), whole);
}
