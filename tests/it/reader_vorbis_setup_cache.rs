//! The Vorbis decoder's cache of decoded setup headers (symphonia-fixes/vorbis, setup_cache.rs):
//! clips from one encoder setting share a setup, decoders after the first take it from the cache,
//! and what they decode is the same, bit for bit, as the first decoder of that file, which
//! itself agrees with FFmpeg's decoder. Clips are made by oggenc (libvorbis) from music.

use crate::common;

use audiostream_symphonia_vorbis::VorbisDecoder;
use common::oracle::{best_lag, ffmpeg_decode, snr_db};
use common::signals::TempDir;
use std::path::{Path, PathBuf};
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

/// A 1-second Ogg Vorbis clip of music at oggenc quality `q`.
fn clip(dir: &TempDir, music: &Path, q: i32) -> PathBuf {
    let out = dir.path(&format!("clip-q{q}.ogg"));
    let (ok, text) = common::ogg::run(
        "oggenc",
        &[
            "-Q",
            "-q",
            &q.to_string(),
            "-o",
            out.to_str().unwrap(),
            music.to_str().unwrap(),
        ],
    );
    assert!(ok, "oggenc: {text}");
    out
}

/// Every sample of `path` (interleaved) by a new decoder of our Vorbis crate, and whether that
/// decoder's setup came from the cache.
fn decode(path: &Path) -> (Vec<f32>, bool) {
    let file = std::fs::File::open(path).unwrap();
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut format = audiostream::registry::probe()
        .probe(
            &Hint::new(),
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .unwrap();
    let track = format.first_track(TrackType::Audio).unwrap();
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .unwrap()
        .audio()
        .unwrap()
        .clone();
    let mut decoder = VorbisDecoder::try_new(&params, &AudioDecoderOptions::default()).unwrap();
    let was_cached = decoder.setup_was_cached();
    let mut samples = Vec::new();
    let mut packet_samples = Vec::new();
    use symphonia::core::codecs::audio::AudioDecoder;
    while let Some(packet) = format.next_packet().unwrap() {
        if packet.track_id == track_id {
            decoder
                .decode(&packet)
                .unwrap()
                .copy_to_vec_interleaved(&mut packet_samples);
            samples.extend_from_slice(&packet_samples);
        }
    }
    (samples, was_cached)
}

fn assert_same_bits(what: &str, a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len(), "{what}: sample count");
    let first = a
        .iter()
        .zip(b)
        .position(|(x, y)| x.to_bits() != y.to_bits());
    assert_eq!(first, None, "{what}: first differing sample");
}

#[test]
fn a_second_decoder_of_the_same_setup_takes_it_from_the_cache_and_decodes_the_same_bits() {
    let dir = TempDir::new("vorbis-setup-cache");
    let music = common::ogg::music_wav(dir.path("").as_path(), 30.0, 1.0, 44100);
    // Two qualities: two different setup headers. (The setup depends on the encoder's settings,
    // not on the audio: other tests' q5 stereo files may have put A's in the cache already, so
    // whether the first decode is a hit is not asserted here.)
    let a = clip(&dir, &music, 5);
    let b = clip(&dir, &music, 1);

    let (a1, _) = decode(&a);
    // The first decode agrees with FFmpeg's decoder (the reader_oracle tests' 130 dB bound).
    let theirs = ffmpeg_decode(&a, 0, &[]).interleaved();
    assert_eq!(a1.len(), theirs.len(), "frames vs FFmpeg");
    assert_eq!(best_lag(&theirs, &a1, 2000), 0, "alignment vs FFmpeg");
    let snr = snr_db(&theirs, &a1);
    assert!(snr >= 130.0, "SNR vs FFmpeg {snr:.1} dB");

    let (a2, hit) = decode(&a);
    assert!(
        hit,
        "the second decoder of A reads its setup from the cache"
    );
    assert_same_bits("A, second decode", &a2, &a1);

    // B's setup differs from A's: the cache must not hand A's to it (its samples would differ
    // from FFmpeg's or the decode would fail).
    let (b1, _) = decode(&b);
    let theirs_b = ffmpeg_decode(&b, 0, &[]).interleaved();
    assert_eq!(b1.len(), theirs_b.len(), "B: frames vs FFmpeg");
    let snr = snr_db(&theirs_b, &b1);
    assert!(snr >= 130.0, "B: SNR vs FFmpeg {snr:.1} dB");

    let (a3, hit) = decode(&a);
    assert!(hit, "A again, after B");
    assert_same_bits("A, third decode", &a3, &a1);
    let (b2, hit) = decode(&b);
    assert!(hit, "B again");
    assert_same_bits("B, second decode", &b2, &b1);
}

#[test]
fn the_cache_keeps_the_most_recent_setups_only() {
    let dir = TempDir::new("vorbis-setup-cache-bound");
    // Three channels, which no other test encodes to Vorbis: these setups are not in the cache
    // before this test, and no other test moves them up meanwhile.
    let stereo = common::ogg::music_wav(dir.path("").as_path(), 40.0, 0.5, 32000);
    let music = dir.path("music-3ch.wav");
    let (ok, text) = common::ogg::run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-nostdin",
            "-y",
            "-i",
            stereo.to_str().unwrap(),
            "-ac",
            "3",
            "-c:a",
            "pcm_s16le",
            music.to_str().unwrap(),
        ],
    );
    assert!(ok, "ffmpeg: {text}");
    // capacity + 1 different setups (qualities 0..=8), each decoded once, in order: the first is
    // the least recently used when the last one arrives, so it is no longer cached (other tests
    // running meanwhile can only add setups, which evicts it sooner).
    let capacity = 8;
    let clips: Vec<PathBuf> = (0..=capacity).map(|q| clip(&dir, &music, q)).collect();
    let mut first = Vec::new();
    for c in &clips {
        let (samples, hit) = decode(c);
        assert!(!hit, "{}: a setup not seen before", c.display());
        first.push(samples);
    }
    let (again, hit) = decode(&clips[0]);
    assert!(!hit, "the oldest setup was evicted");
    assert_same_bits("oldest clip, read again", &again, &first[0]);
}
