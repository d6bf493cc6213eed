//! The writer converts rate and channels when the encoder's differ from the input's
//! (`encoder_sample_rate`, `encoder_num_channels`): the file holds exactly what the dsp stages
//! make of the whole input, however it was chunked.

#![cfg(feature = "decode")]

use crate::common;

use audiostream::dsp::{output_frames, Remixer, Resampler};
use audiostream::ndarray::{s, Array2};
use audiostream::{AudioEncodeOptions, StreamWriter};
use common::signals::{ffmpeg_raw, ffprobe_value, music, TempDir};
use std::path::Path;

fn le_f32(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn write(
    path: &Path,
    container: &str,
    opts: &AudioEncodeOptions,
    data: &Array2<f32>,
    chunk: usize,
) {
    let mut w = StreamWriter::new(path.to_str().unwrap(), Some(container), None).unwrap();
    w.add_audio_stream_with(opts.clone()).unwrap();
    let mut start = 0;
    while start < data.ncols() {
        let end = (start + chunk).min(data.ncols());
        w.write_audio_chunk(0, data.slice(s![.., start..end]), None)
            .unwrap();
        start = end;
    }
    w.close().unwrap();
}

/// 48 kHz stereo in, 16 kHz mono float WAV out: equal to remix + resample of the whole input,
/// for every chunking, with the exact output length.
#[test]
fn wav_output_is_the_converted_input_for_any_chunking() {
    let dir = TempDir::new("writer-convert");
    let data = music(2, 48000, 48000);
    let mono = Remixer::new(2, 1).unwrap().process(data.view()).unwrap();
    let mut resampler = Resampler::new(48000, 16000, 1).unwrap();
    let mut expected = resampler.process(mono.view()).unwrap().row(0).to_vec();
    expected.extend(resampler.flush().unwrap().row(0).iter());
    assert_eq!(expected.len() as u64, output_frames(48000, 16000, 48000));
    let opts = AudioEncodeOptions::new(48000, 2)
        .encoder_sample_rate(16000)
        .encoder_num_channels(1)
        .encoder_format("flt");
    let mut first: Option<Vec<u8>> = None;
    for chunk in [1usize, 37, 1024, 48000] {
        let p = dir.path(&format!("c{chunk}.wav"));
        write(&p, "wav", &opts, &data, chunk);
        assert_eq!(ffprobe_value(&p, "stream=sample_rate"), "16000");
        assert_eq!(ffprobe_value(&p, "stream=channels"), "1");
        assert_eq!(
            le_f32(&ffmpeg_raw(&p, None, "f32le")),
            expected,
            "chunks of {chunk}"
        );
        let bytes = std::fs::read(&p).unwrap();
        match &first {
            None => first = Some(bytes),
            Some(f) => assert!(*f == bytes, "chunks of {chunk}: bytes differ"),
        }
    }
}

/// An MP3 encoder cannot take 96 kHz: the error says so and points at encoder_sample_rate,
/// which then converts; mono input can be written as stereo.
#[cfg(feature = "encode-mp3")]
#[test]
fn mp3_at_another_rate_and_channel_count() {
    let dir = TempDir::new("writer-convert-mp3");
    let mut w = StreamWriter::new(dir.path("x.mp3").to_str().unwrap(), None, None).unwrap();
    let e = w.add_audio_stream(96000, 1).unwrap_err();
    assert!(e.to_string().contains("encoder_sample_rate"), "{e}");
    let data = music(1, 96000, 96000);
    let p = dir.path("y.mp3");
    let opts = AudioEncodeOptions::new(96000, 1)
        .encoder_sample_rate(48000)
        .encoder_num_channels(2);
    write(&p, "mp3", &opts, &data, 4096);
    assert_eq!(ffprobe_value(&p, "stream=sample_rate"), "48000");
    assert_eq!(ffprobe_value(&p, "stream=channels"), "2");
    // Gapless: exactly the converted length.
    assert_eq!(ffmpeg_raw(&p, None, "f32le").len() / 8, 48000);
}

/// pts gaps are filled with silence before the conversion, at the input rate.
#[test]
fn pts_gap_is_converted_silence() {
    let dir = TempDir::new("writer-convert-pts");
    let p = dir.path("g.wav");
    let tone = music(1, 8000, 8000);
    let mut w = StreamWriter::new(p.to_str().unwrap(), None, None).unwrap();
    w.add_audio_stream_with(
        AudioEncodeOptions::new(8000, 1)
            .encoder_sample_rate(16000)
            .encoder_format("flt"),
    )
    .unwrap();
    w.write_audio_chunk(0, tone.slice(s![.., ..4000]), None)
        .unwrap();
    w.write_audio_chunk(0, tone.slice(s![.., 4000..]), Some(12000))
        .unwrap();
    assert_eq!(w.stats().silence_frames, 8000);
    w.close().unwrap();
    let out = le_f32(&ffmpeg_raw(&p, None, "f32le"));
    assert_eq!(out.len() as u64, output_frames(8000, 16000, 16000));
    // Well inside the gap (away from the filter's reach) the output is silent.
    assert!(out[9000..23000].iter().all(|v| v.abs() < 1e-6));
}

#[test]
fn bad_encoder_rate_or_channels() {
    let mut w = StreamWriter::from_writer(std::io::sink(), "wav").unwrap();
    for opts in [
        AudioEncodeOptions::new(8000, 1).encoder_sample_rate(0),
        AudioEncodeOptions::new(8000, 1).encoder_num_channels(0),
    ] {
        let e = w.add_audio_stream_with(opts).unwrap_err();
        assert!(matches!(e, audiostream::Error::InvalidArgument(_)), "{e}");
    }
}
