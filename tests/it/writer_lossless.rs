//! Lossless round trips: what we write into WAV and FLAC, FFmpeg (and `flac -d`) decode back bit
//! for bit, for every sample format, mono and stereo, at 8/16/44.1/48/96 kHz; our reader reads
//! the same samples FFmpeg does.

use crate::common;

use audiostream::ndarray::{Array2, ArrayView2};
use audiostream::{AudioEncodeOptions, Sample, StreamWriter};
use common::oracle::ffmpeg_decode;
use common::signals::{ffmpeg_raw, ints_i32, TempDir};
use std::path::Path;

const RATES: [u32; 5] = [8000, 16000, 44100, 48000, 96000];
/// A quarter second: enough for several FLAC blocks at every rate.
const SECONDS: f64 = 0.25;

fn write<T: Sample>(path: &Path, container: &str, opts: AudioEncodeOptions, data: ArrayView2<T>) {
    let mut w = StreamWriter::new(path.to_str().unwrap(), Some(container), None).unwrap();
    w.add_audio_stream_with(opts).unwrap();
    // Chunks of 1000 frames, so the writer is exercised across calls.
    let n = data.ncols();
    let mut start = 0;
    while start < n {
        let end = (start + 1000).min(n);
        w.write_audio_chunk(
            0,
            data.slice(audiostream::ndarray::s![.., start..end]),
            None,
        )
        .unwrap();
        start = end;
    }
    w.close().unwrap();
}

fn le_i16(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

fn le_i32(bytes: &[u8]) -> Vec<i32> {
    bytes
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn le_f32(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Interleaved copy of a (channels, frames) array.
fn interleaved<T: Copy>(a: &Array2<T>) -> Vec<T> {
    a.t().iter().copied().collect()
}

/// Our reader gives exactly FFmpeg's float decode of the file.
fn reader_matches_ffmpeg(path: &Path) {
    let ours = common::ours::decode(path, None);
    let theirs = ffmpeg_decode(path, 0, &[]);
    assert_eq!(
        ours,
        theirs.channels,
        "{}: our reader vs FFmpeg",
        path.display()
    );
}

#[test]
fn wav_every_format_round_trips_through_ffmpeg() {
    let dir = TempDir::new("wav-lossless");
    for rate in RATES {
        for channels in [1usize, 2] {
            let frames = (f64::from(rate) * SECONDS) as usize;
            let tag = format!("{rate}-{channels}");
            // s16: i16 in, pcm_s16le out.
            let s16 = ints_i32(channels, frames, 16).mapv(|v| (v >> 16) as i16);
            let p = dir.path(&format!("s16-{tag}.wav"));
            write(
                &p,
                "wav",
                AudioEncodeOptions::new(rate, channels).format("s16"),
                s16.view(),
            );
            assert_eq!(
                le_i16(&ffmpeg_raw(&p, None, "s16le")),
                interleaved(&s16),
                "{tag} s16"
            );
            reader_matches_ffmpeg(&p);
            // s24: s32 in (low byte zero), pcm_s24le out; FFmpeg gives it back as s32.
            let s24 = ints_i32(channels, frames, 24);
            let p = dir.path(&format!("s24-{tag}.wav"));
            let opts = AudioEncodeOptions::new(rate, channels)
                .format("s32")
                .encoder_format("s24");
            write(&p, "wav", opts, s24.view());
            assert_eq!(
                le_i32(&ffmpeg_raw(&p, None, "s32le")),
                interleaved(&s24),
                "{tag} s24"
            );
            reader_matches_ffmpeg(&p);
            // s32.
            let s32 = ints_i32(channels, frames, 32);
            let p = dir.path(&format!("s32-{tag}.wav"));
            let opts = AudioEncodeOptions::new(rate, channels)
                .format("s32")
                .encoder_format("s32");
            write(&p, "wav", opts, s32.view());
            assert_eq!(
                le_i32(&ffmpeg_raw(&p, None, "s32le")),
                interleaved(&s32),
                "{tag} s32"
            );
            reader_matches_ffmpeg(&p);
            // f32 (any float, even outside [-1, 1], is stored as is).
            let f32s = ints_i32(channels, frames, 32).mapv(|v| v as f32 / 2e9);
            let p = dir.path(&format!("f32-{tag}.wav"));
            let opts = AudioEncodeOptions::new(rate, channels).encoder_format("flt");
            write(&p, "wav", opts, f32s.view());
            assert_eq!(
                le_f32(&ffmpeg_raw(&p, None, "f32le")),
                interleaved(&f32s),
                "{tag} f32"
            );
            reader_matches_ffmpeg(&p);
            // u8.
            let u8s = ints_i32(channels, frames, 8).mapv(|v| ((v >> 24) + 128) as u8);
            let p = dir.path(&format!("u8-{tag}.wav"));
            write(
                &p,
                "wav",
                AudioEncodeOptions::new(rate, channels).format("u8"),
                u8s.view(),
            );
            assert_eq!(ffmpeg_raw(&p, None, "u8"), interleaved(&u8s), "{tag} u8");
            reader_matches_ffmpeg(&p);
        }
    }
}

/// Float input converted to integers as FFmpeg does: what FFmpeg decodes is our conversion.
#[test]
fn wav_float_input_is_converted_and_clipped() {
    let dir = TempDir::new("wav-convert");
    let data = Array2::from_shape_vec((1, 6), vec![0.0f32, 0.5, -0.5, 1.0, -1.0, 1.7]).unwrap();
    let p = dir.path("c.wav");
    let mut w = StreamWriter::new(p.to_str().unwrap(), None, None).unwrap();
    w.add_audio_stream(8000, 1).unwrap();
    w.write_audio_chunk(0, data.view(), None).unwrap();
    // 1.0 does not fit in s16 (max 32767/32768) and 1.7 is out of range: both clipped.
    assert_eq!(w.stats().clipped_samples, 2);
    w.close().unwrap();
    assert_eq!(
        le_i16(&ffmpeg_raw(&p, None, "s16le")),
        [0, 16384, -16384, 32767, -32768, 32767]
    );
}

#[cfg(feature = "encode-flac")]
mod flac {
    use super::*;

    /// Decodes with the `flac` CLI to raw little-endian samples.
    fn flac_cli_decode(path: &Path) -> Vec<u8> {
        let out = std::process::Command::new("flac")
            .args([
                "-d",
                "-s",
                "-c",
                "--force-raw-format",
                "--endian=little",
                "--sign=signed",
            ])
            .arg(path)
            .output()
            .expect("flac runs");
        assert!(
            out.status.success(),
            "flac -d: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    fn flac_cli_test(path: &Path) {
        let out = std::process::Command::new("flac")
            .args(["-t", "-s"])
            .arg(path)
            .output()
            .expect("flac runs");
        assert!(
            out.status.success(),
            "flac -t {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn flac_16_and_24_bit_round_trip_through_ffmpeg_and_flac() {
        let dir = TempDir::new("flac-lossless");
        for rate in RATES {
            for channels in [1usize, 2] {
                let frames = (f64::from(rate) * SECONDS) as usize;
                let tag = format!("{rate}-{channels}");
                let s16 = ints_i32(channels, frames, 16).mapv(|v| (v >> 16) as i16);
                let p = dir.path(&format!("s16-{tag}.flac"));
                write(
                    &p,
                    "flac",
                    AudioEncodeOptions::new(rate, channels).format("s16"),
                    s16.view(),
                );
                flac_cli_test(&p);
                assert_eq!(
                    le_i16(&ffmpeg_raw(&p, None, "s16le")),
                    interleaved(&s16),
                    "{tag} ffmpeg"
                );
                assert_eq!(
                    le_i16(&flac_cli_decode(&p)),
                    interleaved(&s16),
                    "{tag} flac -d"
                );
                reader_matches_ffmpeg(&p);

                let s24 = ints_i32(channels, frames, 24);
                let p = dir.path(&format!("s24-{tag}.flac"));
                let opts = AudioEncodeOptions::new(rate, channels)
                    .format("s32")
                    .encoder_format("s24");
                write(&p, "flac", opts, s24.view());
                flac_cli_test(&p);
                assert_eq!(
                    le_i32(&ffmpeg_raw(&p, None, "s32le")),
                    interleaved(&s24),
                    "{tag} ffmpeg"
                );
                let raw24 = flac_cli_decode(&p);
                let from_cli: Vec<i32> = raw24
                    .chunks_exact(3)
                    .map(|b| i32::from_le_bytes([0, b[0], b[1], b[2]]))
                    .collect();
                assert_eq!(from_cli, interleaved(&s24), "{tag} flac -d");
                reader_matches_ffmpeg(&p);
            }
        }
    }
}
