//! Self-test of the FFmpeg oracle helpers in tests/common/oracle.rs.

use crate::common;

use common::oracle::{best_lag, ffmpeg_decode, fixture, snr_db};

#[test]
fn decodes_wav_s16_fixture() {
    let d = ffmpeg_decode(&fixture("wav_s16_stereo_44100.wav"), 0, &[]);
    assert_eq!(d.sample_rate, 44100);
    assert_eq!(d.num_channels(), 2);
    assert_eq!(d.num_frames(), 22050);
    assert!(d.channels.iter().all(|c| c.len() == 22050));
    // Peak is about -3 dBFS and the channels differ (channel swaps are detectable).
    let peak = d
        .channels
        .iter()
        .flatten()
        .fold(0.0f32, |m, &x| m.max(x.abs()));
    assert!((0.6..0.75).contains(&peak), "peak {peak}");
    assert!(snr_db(&d.channels[0], &d.channels[1]) < 3.0);

    let x = &d.channels[0];
    assert!(snr_db(x, x).is_infinite() && snr_db(x, x) > 0.0);
}

#[test]
fn raw_input_args_and_second_mkv_audio_track() {
    let raw = ffmpeg_decode(
        &fixture("raw_s16le_stereo_44100.raw"),
        0,
        &["-f", "s16le", "-ar", "44100", "-ac", "2"],
    );
    let wav = ffmpeg_decode(&fixture("wav_s16_stereo_44100.wav"), 0, &[]);
    assert_eq!(raw, wav);

    let b = ffmpeg_decode(&fixture("mkv_video_2audio.mkv"), 1, &[]);
    assert_eq!(
        (b.sample_rate, b.num_channels(), b.num_frames()),
        (48000, 1, 72000)
    );
}

#[test]
fn best_lag_finds_known_shift() {
    let d = ffmpeg_decode(&fixture("wav_s16_stereo_44100.wav"), 0, &[]);
    let x = &d.channels[0];
    assert_eq!(best_lag(x, x, 100), 0);
    // test late by 37 samples.
    let mut late = vec![0.0f32; 37];
    late.extend_from_slice(x);
    assert_eq!(best_lag(x, &late, 100), 37);
    // test early by 25 samples.
    assert_eq!(best_lag(x, &x[25..], 100), -25);
    let inv: Vec<f32> = x.iter().map(|v| -v).collect();
    assert!(snr_db(x, &inv) < 0.0);
}

#[test]
#[should_panic(expected = "oracle")]
fn missing_stream_panics_clearly() {
    ffmpeg_decode(&fixture("wav_s16_stereo_44100.wav"), 3, &[]);
}
