//! Metadata: open (any hint, seekable or pipe), then get_metadata, num_src_streams,
//! default_audio_stream and get_src_stream_info for every stream (and one past the end), then
//! an output on each audio stream and its first chunk.
//!
//! Invariants: the default audio stream is an audio stream in range; stream info of index n
//! (one past the end) is an error; get_metadata describes the default stream (rate, channels);
//! durations and bit rates are finite and not negative; an output on a stream delivers chunks
//! of that stream's channel count.
#![no_main]

use arbitrary::Arbitrary;
use audiostream::{AudioStreamOptions, MediaType};
use audiostream_fuzz::*;
use libfuzzer_sys::fuzz_target;

/// Input: these 2 bytes, then the media file.
#[derive(Arbitrary, Debug, Default)]
struct Settings {
    hint: u8,
    flags: u8,
}
const HEADER: usize = 2;

fuzz_target!(|data: &[u8]| {
    let (s, media): (Settings, _) = split(data, HEADER);
    let hint = HINTS[s.hint as usize % HINTS.len()];
    let seekable = s.flags & 1 == 1;
    let Ok(mut reader) = open(media, hint, seekable, None) else {
        return;
    };
    let meta = reader.get_metadata();
    let _ = format!("{meta:?}");
    let n = reader.num_src_streams();
    assert_eq!(reader.num_out_streams(), 0);
    assert!(
        reader.get_src_stream_info(n).is_err(),
        "stream {n} of {n} must be an error"
    );
    let _ = reader.get_src_stream_info(usize::MAX);
    let mut infos = Vec::new();
    for i in 0..n {
        let info = reader.get_src_stream_info(i).expect("a stream in range");
        assert_eq!(info.index, i);
        if let Some(d) = info.duration {
            assert!(d.is_finite() && d >= 0.0, "stream {i} duration {d}");
        }
        let _ = format!("{info:?} {}", info.media_type.as_str());
        infos.push(info);
    }
    if let Some(d) = meta.duration {
        assert!(d.is_finite() && d >= 0.0, "duration {d}");
    }
    match reader.default_audio_stream() {
        Some(i) => {
            assert!(i < n, "default audio stream {i} of {n}");
            assert_eq!(infos[i].media_type, MediaType::Audio);
            if let Some(r) = infos[i].sample_rate {
                assert_eq!(meta.sample_rate, r, "metadata rate vs stream {i}'s");
            }
            if let Some(c) = infos[i].num_channels {
                assert_eq!(meta.num_channels, c, "metadata channels vs stream {i}'s");
            }
        }
        None => assert!(
            infos.iter().all(|s| s.media_type != MediaType::Audio),
            "audio streams but no default audio stream"
        ),
    }
    // One output per audio stream (at most 4), one chunk each.
    let audio: Vec<usize> = (0..n)
        .filter(|&i| infos[i].media_type == MediaType::Audio)
        .take(4)
        .collect();
    let mut checkers = Vec::new();
    for &i in &audio {
        if let Ok(k) = reader.add_audio_stream(AudioStreamOptions::new(256).stream_index(i)) {
            let o = reader.get_out_stream_info(k).unwrap();
            assert_eq!(o.source_index, i);
            checkers.push(ChunkChecker::new(
                "per stream",
                256,
                o.sample_rate,
                o.num_channels,
                0,
            ));
        }
    }
    if checkers.is_empty() {
        return;
    }
    for item in reader.stream().take(4) {
        let Ok(chunks) = item else { break };
        for (c, k) in chunks.iter().zip(checkers.iter_mut()) {
            if let Some(c) = c {
                k.check(c);
            }
        }
    }
});
