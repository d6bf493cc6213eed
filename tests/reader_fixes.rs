//! Files the reader once decoded wrong, each with a committed fixture (fixtures/make_fixtures.sh),
//! checked against FFmpeg, libFLAC's encoder's reference or the source samples: an MP3 without a
//! Xing/LAME tag, AAC in M4A at lag 0, 24-bit samples in 4-byte WAV slots, a FLAC with a damaged
//! metadata block, streams whose channel count changes mid-stream, and a seek into each.

mod common;

use audiostream::{AudioStreamOptions, StreamReader};
use common::oracle::{best_lag, ffmpeg_decode, ffmpeg_decode_with, fixture, snr_db};
use common::ours;

fn decode_to(name: &str, channels: Option<usize>) -> Vec<Vec<f32>> {
    let mut reader = ours::open(&fixture(name), None, None);
    let mut opts = AudioStreamOptions::new(4096).buffer_chunk_size(usize::MAX);
    if let Some(n) = channels {
        opts = opts.num_channels(n);
    }
    reader.add_audio_stream(opts).unwrap();
    reader.process_all_packets().unwrap();
    ours::concat(&ours::drain(&mut reader))
}

fn assert_bit_exact(what: &str, ours: &[Vec<f32>], theirs: &[Vec<f32>]) {
    assert_eq!(ours.len(), theirs.len(), "{what}: channels");
    for (ch, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(a.len(), b.len(), "{what} ch{ch}: frames");
        let first = a
            .iter()
            .zip(b)
            .position(|(x, y)| x.to_bits() != y.to_bits());
        assert_eq!(first, None, "{what} ch{ch}: first differing frame");
    }
}

fn assert_close(what: &str, ours: &[Vec<f32>], theirs: &[Vec<f32>], min_snr: f64) {
    assert_eq!(ours.len(), theirs.len(), "{what}: channels");
    for (ch, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(a.len(), b.len(), "{what} ch{ch}: frames");
        assert_eq!(best_lag(b, a, 2000), 0, "{what} ch{ch}: lag");
        let snr = snr_db(b, a);
        eprintln!("{what} ch{ch}: {snr:.1} dB");
        assert!(snr >= min_snr, "{what} ch{ch}: SNR {snr:.1} dB < {min_snr}");
    }
}

#[test]
fn untagged_mp3_decodes_every_frame_as_ffmpeg_does() {
    let name = "mp3_notag_cbr128_stereo_44100.mp3";
    let theirs = ffmpeg_decode(&fixture(name), 0, &[]);
    // 78 frames of 1152: nothing says where the encoder's padding is, so none is cut.
    assert_eq!(theirs.num_frames(), 78 * 1152);
    // Measured 124.6 dB (the decoders differ in float rounding only).
    assert_close(name, &decode_to(name, None), &theirs.channels, 120.0);
    let meta = ours::open(&fixture(name), None, None).get_metadata();
    assert_eq!(meta.num_frames, None, "no frame count is claimed");
    assert!(meta.duration_estimated);
    let duration = meta.duration.expect("an estimated duration");
    let truth = (78 * 1152) as f64 / 44100.0;
    assert!(
        (duration - truth).abs() < truth * 0.01,
        "{duration} s vs {truth} s"
    );
}

#[test]
fn m4a_drops_the_priming_and_the_padding_at_lag_0() {
    let name = "aac_stereo_44100.m4a";
    let ours_planar = decode_to(name, None);
    let theirs = ffmpeg_decode(&fixture(name), 0, &[]);
    // The edit list: 1024 priming frames dropped, 88200 frames (the source's) kept. FFmpeg 5.1
    // drops the priming too (so the two line up at lag 0) but keeps the last block's padding.
    assert_eq!(ours_planar[0].len(), 88200);
    assert_eq!(theirs.num_frames(), 88200 + 888);
    for (ch, (a, b)) in ours_planar.iter().zip(&theirs.channels).enumerate() {
        let b = &b[..88200];
        assert_eq!(best_lag(b, a, 3000), 0, "ch{ch}: lag");
        // Measured 134.3 dB.
        let snr = snr_db(b, a);
        assert!(snr >= 130.0, "ch{ch}: SNR {snr:.1}");
    }
    let meta = ours::open(&fixture(name), None, None).get_metadata();
    assert_eq!(meta.num_frames, Some(88200));
    assert!(!meta.duration_estimated);
}

#[test]
fn wav_24_bit_samples_in_4_byte_slots_are_bit_exact() {
    let name = "wav_s24in32_alsa_stereo_48000.wav";
    // The same samples packed as 24-bit, FLAC-compressed: FFmpeg's decode of it is the reference
    // (FFmpeg itself misreads the arecord file as 24-bit float).
    let reference = ffmpeg_decode(&fixture("wav_s24in32_alsa_stereo_48000.ref.flac"), 0, &[]);
    assert_bit_exact(name, &decode_to(name, None), &reference.channels);
    let meta = ours::open(&fixture(name), None, None).get_metadata();
    assert_eq!(
        (meta.sample_rate, meta.num_channels, meta.bits_per_sample),
        (48000, 2, Some(24))
    );
    assert_eq!(meta.num_frames, Some(12000));
}

#[test]
fn flac_with_a_damaged_comment_block_decodes_every_sample() {
    let name = "flac_bad_comment_16_stereo_44100.flac";
    let theirs = ffmpeg_decode(&fixture(name), 0, &[]);
    assert_eq!(theirs.num_frames(), 22050);
    assert_bit_exact(name, &decode_to(name, None), &theirs.channels);
}

/// (fixture, first part's frames, SNR against FFmpeg: `None` = bit-exact)
const SHAPE_CHANGES: [(&str, usize, Option<f64>); 2] = [
    ("flac_channels_change_44100.flac", 22050, None),
    // Measured 124 dB.
    ("mp3_mode_change_44100.mp3", 89856, Some(120.0)),
];

#[test]
fn streams_that_change_channel_count_keep_every_part() {
    for (name, first_part, min_snr) in SHAPE_CHANGES {
        let path = fixture(name);
        // Mono, the stream's first shape: the stereo part averaged, as FFmpeg does with a
        // normalised downmix.
        let mono = decode_to(name, None);
        let theirs = ffmpeg_decode_with(
            &path,
            &[],
            &["-af", "aresample=rematrix_maxval=1"],
            44100,
            1,
        );
        // Stereo on request: the mono part in both channels (copied: FFmpeg would put it at
        // -3 dB, as a centre channel), the stereo part as it is.
        let stereo = decode_to(name, Some(2));
        let as_is = ffmpeg_decode_with(&path, &[], &[], 44100, 2);
        let theirs_stereo = as_is
            .channels
            .iter()
            .map(|c| {
                let mut expected = theirs.channels[0][..first_part].to_vec();
                expected.extend(&c[first_part..]);
                expected
            })
            .collect::<Vec<_>>();
        assert!(
            mono[0].len() > first_part,
            "{name}: the second part is there"
        );
        match min_snr {
            None => {
                assert_bit_exact(&format!("{name} mono"), &mono, &theirs.channels);
                assert_bit_exact(&format!("{name} stereo"), &stereo, &theirs_stereo);
            }
            Some(snr) => {
                assert_close(&format!("{name} mono"), &mono, &theirs.channels, snr);
                assert_close(&format!("{name} stereo"), &stereo, &theirs_stereo, snr);
            }
        }
        // The stereo part really is stereo: its channels differ.
        let (l, r) = (&stereo[0][first_part..], &stereo[1][first_part..]);
        assert!(
            snr_db(l, r) < 20.0,
            "{name}: the stereo part's channels are different"
        );
    }
}

/// Seeking into each of these files lands on the frame a full decode has there: bit for bit,
/// but for AAC, whose decoder does not come back to the same state (its noise substitution has
/// a random generator): there at least 35 dB, and Opus (see below). (Not `flac_channels_change_44100.flac`: it is two
/// streams joined, whose frame numbers both start at 0, so a time names a frame in each.)
#[test]
fn a_seek_into_each_lands_on_the_full_decode() {
    let cases = [
        ("mp3_notag_cbr128_stereo_44100.mp3", 0.9, None),
        ("aac_stereo_44100.m4a", 0.9, Some(35.0)),
        ("wav_s24in32_alsa_stereo_48000.wav", 0.1, None),
        ("flac_bad_comment_16_stereo_44100.flac", 0.3, None),
        ("mp3_mode_change_44100.mp3", 2.5, None),
        // Opus decodes 320 ms before the target: from there its state is within 90 dB of a
        // full decode's, and soon the same bit for bit.
        ("opus_96k_stereo_48000.opus", 1.3, Some(90.0)),
        ("opus_96k_stereo_48000.webm", 1.3, Some(90.0)),
        ("opus_96k_stereo_48000.mp4", 1.3, Some(90.0)),
        ("opus_51_48000.opus", 0.6, Some(90.0)),
    ];
    for (name, t, min_snr) in cases {
        let full = decode_to(name, None);
        let mut reader = StreamReader::new(fixture(name).to_str().unwrap(), None, None).unwrap();
        reader
            .add_audio_stream(AudioStreamOptions::new(4096).buffer_chunk_size(usize::MAX))
            .unwrap();
        let rate = f64::from(reader.get_metadata().sample_rate);
        reader.seek(t).unwrap();
        reader.process_all_packets().unwrap();
        let chunks = ours::drain(&mut reader);
        assert!(!chunks.is_empty(), "{name}: nothing after a seek to {t} s");
        assert_eq!(chunks[0].pts, t, "{name}: pts of the first chunk");
        let from = (t * rate).round() as usize;
        let tail: Vec<Vec<f32>> = full.iter().map(|c| c[from..].to_vec()).collect();
        let what = format!("{name} from {t} s");
        match min_snr {
            None => assert_bit_exact(&what, &ours::concat(&chunks), &tail),
            Some(snr) => assert_close(&what, &ours::concat(&chunks), &tail, snr),
        }
    }
}

/// Opus in Ogg, WebM and MP4, and 5.1 (channel mapping family 1), against libopus (FFmpeg's
/// `libopus` decoder): the same length (the pre-skip and the end trimmed; FFmpeg 5.1 does not
/// trim the end in MP4), aligned at lag 0, the same channel order.
#[test]
fn opus_decodes_as_libopus_does() {
    // (fixture, frames, least SNR against libopus's float decode, dB: measured 139.2-140.1 for
    // the stereo files, 137.3-142.6 for the 5.1 one)
    let cases = [
        ("opus_96k_stereo_48000.opus", 96000, 135.0),
        ("opus_96k_stereo_48000.webm", 96000, 135.0),
        ("opus_96k_stereo_48000.mp4", 96000, 135.0),
        ("opus_51_48000.opus", 48000, 135.0),
    ];
    for (name, frames, min_snr) in cases {
        let ours_planar = decode_to(name, None);
        let channels = ours_planar.len();
        let theirs = ffmpeg_decode_with(
            &fixture(name),
            &["-c:a", "libopus", "-request_sample_fmt", "flt"],
            &[],
            48000,
            channels,
        );
        assert_eq!(ours_planar.len(), theirs.num_channels(), "{name}: channels");
        for (ch, (a, b)) in ours_planar.iter().zip(&theirs.channels).enumerate() {
            assert_eq!(a.len(), frames, "{name} ch{ch}: frames");
            let b = &b[..frames.min(b.len())];
            assert_eq!(best_lag(b, a, 2000), 0, "{name} ch{ch}: lag");
            let snr = snr_db(b, a);
            eprintln!("{name} ch{ch}: {snr:.1} dB");
            assert!(snr >= min_snr, "{name} ch{ch}: SNR {snr:.1} dB < {min_snr}");
        }
    }
}
