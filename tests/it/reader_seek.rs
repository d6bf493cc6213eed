//! Seeking is exact to the sample: after `seek(t)` the next chunk starts at frame
//! `round(t * rate)` of the full decode and its pts is that frame's time.

use crate::common;

use audiostream::{AudioStreamOptions, Error, StreamReader};
use common::oracle::{fixture, snr_db};
use common::ours;
use rand::{Rng, SeedableRng};

/// (fixture, stream index, minimum SNR after a seek; None = bit-exact)
const CASES: &[(&str, Option<usize>, Option<f64>)] = &[
    ("wav_s16_stereo_44100.wav", None, None),
    ("wav_s24_mono_48000.wav", None, None),
    ("wav_f32_stereo_22050.wav", None, None),
    ("flac_16_stereo_44100.flac", None, None),
    ("flac_24_mono_96000.flac", None, None),
    ("aiff_s16_stereo_44100.aiff", None, None),
    ("caf_s16_stereo_44100.caf", None, None),
    ("mkv_video_2audio.mkv", Some(1), None),
    ("mkv_video_2audio.mkv", Some(2), None),
    // The reader decodes a few packets before the target (preroll), so MP3 and Vorbis rebuild
    // their state (MDCT overlap, bit reservoir) and match the full decode bit for bit.
    ("mp3_cbr128_stereo_44100.mp3", None, None),
    ("mp3_vbr_v2_mono_44100.mp3", None, None),
    ("vorbis_q5_stereo_44100.ogg", None, None),
    // AAC does not come back bit-exact (its decoder state, e.g. the noise generator of
    // perceptual noise substitution, differs): lowest SNR measured over 50 seeks of 2048
    // frames: 38.9 dB.
    ("aac_stereo_44100.m4a", None, Some(35.0)),
];

fn reader_for(name: &str, stream: Option<usize>, fpc: usize) -> StreamReader {
    let mut r = ours::open(&fixture(name), None, None);
    let mut opts = AudioStreamOptions::new(fpc).buffer_chunk_size(usize::MAX);
    if let Some(i) = stream {
        opts = opts.stream_index(i);
    }
    r.add_audio_stream(opts).unwrap();
    r
}

/// 50 random timestamps per format, each on the same reader one after another (forward and
/// backward), compared with the full decode from that frame.
#[test]
fn fifty_random_seeks_per_format() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261124);
    for &(name, stream, min_snr) in CASES {
        let whole = ours::decode(&fixture(name), stream);
        let n = whole[0].len();
        let mut reader = reader_for(name, stream, 2048);
        let rate = f64::from(
            reader
                .get_src_stream_info(stream.unwrap_or(0))
                .unwrap()
                .sample_rate
                .unwrap(),
        );
        let mut worst = f64::INFINITY;
        for _ in 0..50 {
            let t: f64 = rng.random_range(0.0..(n as f64 / rate));
            reader.seek(t).unwrap();
            let target = (t * rate).round() as usize;
            reader.fill_buffer().unwrap();
            let chunk = reader.pop_chunks().remove(0).unwrap_or_else(|| {
                panic!("{name}: no chunk after seek to {t} (frame {target} of {n})")
            });
            assert_eq!(
                chunk.pts,
                target as f64 / rate,
                "{name}: pts after seek to {t}"
            );
            let len = chunk.ncols();
            assert_eq!(
                len,
                2048.min(n - target),
                "{name}: chunk length after seek to {t}"
            );
            for (ch, row) in chunk.rows().into_iter().enumerate() {
                let expected = &whole[ch][target..target + len];
                match min_snr {
                    None => assert_eq!(row.to_vec(), expected, "{name} ch{ch}: seek to {t}"),
                    Some(min) => {
                        let snr = snr_db(expected, &row.to_vec());
                        worst = worst.min(snr);
                        assert!(
                            snr >= min,
                            "{name} ch{ch}: SNR {snr:.1} dB after seek to {t}"
                        );
                    }
                }
            }
        }
        if min_snr.is_some() {
            eprintln!("{name}: lowest SNR after a seek over 50 seeks: {worst:.1} dB");
        }
    }
}

/// After a seek everything up to the end arrives: seeking then reading to the end gives the
/// tail of the full decode exactly (lossless formats).
#[test]
fn seek_then_read_to_end_gives_the_tail() {
    for &(name, stream, min_snr) in CASES.iter().filter(|c| c.2.is_none()) {
        // Lossless and bit-exact-after-seek formats only.
        let whole = ours::decode(&fixture(name), stream);
        let mut reader = reader_for(name, stream, 1000);
        let rate = f64::from(
            reader
                .get_src_stream_info(stream.unwrap_or(0))
                .unwrap()
                .sample_rate
                .unwrap(),
        );
        let t = 0.3141;
        reader.seek(t).unwrap();
        reader.process_all_packets().unwrap();
        let tail = ours::concat(&ours::drain(&mut reader));
        let target = (t * rate).round() as usize;
        let expected: Vec<Vec<f32>> = whole.iter().map(|c| c[target..].to_vec()).collect();
        assert_eq!(tail, expected, "{name} (min_snr {min_snr:?})");
    }
}

/// Seeking past the end leaves the reader at the end; seeking back works again.
#[test]
fn seek_past_end_and_back() {
    for &(name, stream, _) in CASES {
        let mut reader = reader_for(name, stream, 1024);
        reader.seek(1000.0).unwrap();
        // Where the duration is known the reader is at the end at once; otherwise (Matroska
        // audio tracks) it reaches the end without delivering audio.
        reader.process_all_packets().unwrap();
        assert_eq!(reader.process_packet().unwrap(), 0, "{name}");
        assert!(
            reader.pop_chunks()[0].is_none(),
            "{name}: no audio past the end"
        );
        reader.seek(f64::INFINITY).unwrap();
        assert_eq!(reader.process_packet().unwrap(), 0, "{name}");
        reader.seek(0.0).unwrap();
        assert!(
            reader.fill_buffer().unwrap() >= 1,
            "{name}: data after seeking back to 0"
        );
        assert_eq!(reader.pop_chunks()[0].as_ref().unwrap().pts, 0.0);
    }
}

/// Seeking to 0 before reading anything gives the same as not seeking.
#[test]
fn seek_to_zero_is_the_start() {
    for &(name, stream, _) in CASES {
        let whole = ours::decode(&fixture(name), stream);
        let mut reader = reader_for(name, stream, 4096);
        reader.seek(0.0).unwrap();
        reader.process_all_packets().unwrap();
        assert_eq!(ours::concat(&ours::drain(&mut reader)), whole, "{name}");
    }
}

#[test]
fn negative_and_nan_timestamps_are_rejected() {
    let mut reader = reader_for("wav_s16_stereo_44100.wav", None, 1024);
    for t in [-0.5, f64::NAN, f64::NEG_INFINITY] {
        match reader.seek(t) {
            Err(Error::InvalidArgument(m)) => assert!(m.contains("timestamp"), "{m}"),
            other => panic!("seek({t}) gave {other:?}"),
        }
    }
}

/// A non-seekable stream seeks forward (exactly) but not backward.
#[test]
fn non_seekable_stream_seeks_forward_only() {
    let path = fixture("flac_16_stereo_44100.flac");
    let whole = ours::decode(&path, None);
    let bytes = std::fs::read(&path).unwrap();
    let mut reader = StreamReader::from_stream(std::io::Cursor::new(bytes), None).unwrap();
    reader.add_basic_audio_stream(1024, 100).unwrap();
    reader.fill_buffer().unwrap();
    reader.seek(1.0).unwrap();
    reader.fill_buffer().unwrap();
    let chunk = reader.pop_chunks().remove(0).unwrap();
    assert_eq!(chunk.pts, 1.0);
    assert_eq!(
        chunk.row(0).to_vec(),
        whole[0][44100..44100 + 1024].to_vec()
    );
    match reader.seek(0.2) {
        Err(Error::Unsupported(m)) => assert!(m.contains("not seekable"), "{m}"),
        other => panic!("backward seek on a stream gave {other:?}"),
    }
}
