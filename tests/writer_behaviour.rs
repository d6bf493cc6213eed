//! StreamWriter behaviour: chunking does not change the bytes, non-seekable outputs, flush
//! leaves a readable file, pts gaps, tags, and every bad input as a typed error.

mod common;

use audiostream::ndarray::{s, Array2};
use audiostream::{AudioEncodeOptions, CodecConfig, Error, Options, StreamWriter};
use common::signals::{ffmpeg_raw, ffprobe_value, music, SharedBuf, TempDir};
use std::path::Path;

/// (container, options) for every encoder this build has.
fn every_encoder() -> Vec<(&'static str, AudioEncodeOptions)> {
    let mut v = vec![
        ("wav", AudioEncodeOptions::new(44100, 2)),
        (
            "wav",
            AudioEncodeOptions::new(44100, 2).encoder_format("s24"),
        ),
    ];
    if cfg!(feature = "encode-flac") {
        v.push(("flac", AudioEncodeOptions::new(44100, 2)));
    }
    if cfg!(feature = "encode-mp3") {
        v.push((
            "mp3",
            AudioEncodeOptions::new(44100, 2).codec_config(CodecConfig {
                bit_rate: Some(128_000),
                ..Default::default()
            }),
        ));
    }
    // Ogg streams get a random serial number unless one is given: fixed here, so that two
    // writes can be compared byte for byte.
    if cfg!(feature = "encode-vorbis") {
        v.push((
            "ogg",
            AudioEncodeOptions::new(44100, 2).encoder_option("serial", "7"),
        ));
    }
    if cfg!(feature = "encode-opus") {
        // At 48 kHz, so that the lengths below need no resampling arithmetic.
        v.push((
            "opus",
            AudioEncodeOptions::new(48000, 2).encoder_option("serial", "7"),
        ));
    }
    v
}

/// Writes `data` in chunks of `chunk` frames (0 = one call) and returns the file's bytes.
fn write_chunked(
    path: &Path,
    container: &str,
    opts: &AudioEncodeOptions,
    data: &Array2<f32>,
    chunk: usize,
) -> Vec<u8> {
    let mut w = StreamWriter::new(path.to_str().unwrap(), Some(container), None).unwrap();
    w.add_audio_stream_with(opts.clone()).unwrap();
    let n = data.ncols();
    let step = if chunk == 0 { n } else { chunk };
    let mut start = 0;
    while start < n {
        let end = (start + step).min(n);
        w.write_audio_chunk(0, data.slice(s![.., start..end]), None)
            .unwrap();
        start = end;
    }
    w.close().unwrap();
    std::fs::read(path).unwrap()
}

#[test]
fn chunking_does_not_change_the_bytes() {
    let dir = TempDir::new("chunking");
    let data = music(2, 20_000, 44100);
    for (container, opts) in every_encoder() {
        let whole = write_chunked(&dir.path("whole"), container, &opts, &data, 0);
        for chunk in [1usize, 7, 1000] {
            let bytes = write_chunked(&dir.path("chunked"), container, &opts, &data, chunk);
            assert!(
                bytes == whole,
                "{container} {:?}: chunks of {chunk} differ",
                opts.encoder_format
            );
        }
    }
}

/// Non-seekable outputs (a pipe-like `Write`) give files FFmpeg decodes, with the same audio
/// as the seekable file.
#[test]
fn non_seekable_output_decodes_with_ffmpeg() {
    let dir = TempDir::new("stream-out");
    let data = music(2, 30_000, 44100);
    for (container, opts) in every_encoder() {
        let seekable = dir.path(&format!("x.{container}"));
        write_chunked(&seekable, container, &opts, &data, 4096);
        let buf = SharedBuf::default();
        let mut w = StreamWriter::from_writer(buf.clone(), container).unwrap();
        w.add_audio_stream_with(opts.clone()).unwrap();
        w.write_audio_chunk(0, data.view(), None).unwrap();
        w.close().unwrap();
        let piped = ffmpeg_raw(Path::new("pipe:0"), Some(&buf.bytes()), "f32le");
        let direct = ffmpeg_raw(&seekable, None, "f32le");
        if container == "mp3" {
            // Without the LAME tag (it needs a seek) FFmpeg cannot trim the encoder delay, so
            // the stream is longer; the samples are the same MP3 frames.
            assert!(piped.len() >= direct.len(), "{container}");
        } else {
            assert!(
                piped == direct,
                "{container} {:?}: piped output differs",
                opts.encoder_format
            );
        }
    }
}

/// `flush` makes the file readable up to that point even if the writer is never closed (the
/// process dies): WAV exactly, FLAC and MP3 up to their last complete block, Opus up to its
/// last whole frame (less the pre-skip), Vorbis up to the blocks libvorbis has decided.
#[test]
fn flushed_file_is_readable_without_close() {
    let dir = TempDir::new("flush");
    let data = music(2, 44100, 44100);
    for (container, opts) in every_encoder() {
        let p = dir.path(&format!("f.{container}"));
        let mut w = StreamWriter::new(p.to_str().unwrap(), Some(container), None).unwrap();
        w.add_audio_stream_with(opts.clone()).unwrap();
        w.write_audio_chunk(0, data.slice(s![.., ..30_000]), None)
            .unwrap();
        w.flush().unwrap();
        // Simulate a crash: the writer is neither closed nor dropped.
        std::mem::forget(w);
        let decoded = ffmpeg_raw(&p, None, "f32le").len() / 8;
        match container {
            "wav" => assert_eq!(decoded, 30_000, "wav"),
            // Block codecs hold back at most one block (plus MP3's encoder delay).
            _ => assert!(
                decoded + 4096 + 2 * 1152 >= 30_000 && decoded <= 31_200,
                "{container}: {decoded}"
            ),
        }
    }
}

/// Dropping a writer finalizes the file as close would.
#[test]
fn drop_finalizes() {
    let dir = TempDir::new("drop");
    let data = music(1, 10_000, 16000);
    let p = dir.path("d.wav");
    {
        let mut w = StreamWriter::new(p.to_str().unwrap(), None, None).unwrap();
        w.add_audio_stream(16000, 1).unwrap();
        w.write_audio_chunk(0, data.view(), None).unwrap();
    }
    assert_eq!(ffprobe_value(&p, "stream=duration_ts"), "10000");
}

/// A pts ahead of what was written is filled with silence; behind it is an error.
#[test]
fn pts_gaps_are_silence_and_backwards_is_an_error() {
    let dir = TempDir::new("pts");
    let p = dir.path("p.wav");
    let ones = Array2::from_elem((1, 100), 0.5f32);
    let mut w = StreamWriter::new(p.to_str().unwrap(), None, None).unwrap();
    w.add_audio_stream(8000, 1).unwrap();
    w.write_audio_chunk(0, ones.view(), Some(0)).unwrap();
    w.write_audio_chunk(0, ones.view(), Some(250)).unwrap();
    let err = w.write_audio_chunk(0, ones.view(), Some(300)).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(m) if m.contains("300") && m.contains("350")),
        "{err}"
    );
    let err = w.write_audio_chunk(0, ones.view(), Some(-1)).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    assert_eq!(w.stats().silence_frames, 150);
    w.close().unwrap();
    let s = ffmpeg_raw(&p, None, "s16le");
    let samples: Vec<i16> = s
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    assert_eq!(samples.len(), 350);
    assert!(samples[..100].iter().all(|&v| v == 16384));
    assert!(samples[100..250].iter().all(|&v| v == 0));
    assert!(samples[250..].iter().all(|&v| v == 16384));
}

/// Tags reach the file in each container's own tag format, as FFmpeg reads them.
#[test]
fn tags_are_written() {
    let dir = TempDir::new("tags");
    let tags = Options::from([
        ("title".to_string(), "Zoë's Take".to_string()),
        ("artist".to_string(), "The Testers".to_string()),
        ("album".to_string(), "Fixtures".to_string()),
    ]);
    let data = music(2, 5000, 44100);
    for (container, opts) in every_encoder() {
        let p = dir.path(&format!("t.{container}"));
        let mut w = StreamWriter::new(p.to_str().unwrap(), Some(container), None).unwrap();
        w.set_metadata(tags.clone()).unwrap();
        w.add_audio_stream_with(opts).unwrap();
        w.write_audio_chunk(0, data.view(), None).unwrap();
        let late = w.set_metadata(tags.clone()).unwrap_err();
        assert!(
            matches!(late, Error::InvalidArgument(_)),
            "{container}: {late}"
        );
        w.close().unwrap();
        // FFmpeg shows an Ogg stream's Vorbis comments as stream tags.
        let level = if ["ogg", "opus"].contains(&container) {
            "stream_tags"
        } else {
            "format_tags"
        };
        for (key, value) in &tags {
            let got = ffprobe_value(&p, &format!("{level}={key}"));
            assert_eq!(&got, value, "{container}: tag {key}");
        }
        // Our reader reads them back too.
        let reader = common::ours::open(&p, None, None);
        assert_eq!(
            reader.get_metadata().tags.get("title"),
            tags.get("title"),
            "{container}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

fn wav_writer() -> StreamWriter {
    let mut w = StreamWriter::from_writer(std::io::sink(), "wav").unwrap();
    w.add_audio_stream(8000, 2).unwrap();
    w
}

#[test]
fn wrong_sample_type_or_channel_count_is_invalid_argument() {
    let mut w = wav_writer();
    let e = w
        .write_audio_chunk(0, Array2::<i16>::zeros((2, 10)).view(), None)
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("s16") && m.contains("fltp")),
        "{e}"
    );
    let e = w
        .write_audio_chunk(0, Array2::<f32>::zeros((3, 10)).view(), None)
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("3 channels")),
        "{e}"
    );
    let e = w
        .write_audio_chunk(1, Array2::<f32>::zeros((2, 10)).view(), None)
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("stream_index")),
        "{e}"
    );
    // A (frames, channels) array by mistake is caught by its shape.
    let e = w
        .write_audio_chunk(0, Array2::<f32>::zeros((10, 2)).view(), None)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)));
    // Integer input streams take their own type.
    let mut w = StreamWriter::from_writer(std::io::sink(), "wav").unwrap();
    w.add_audio_stream_with(AudioEncodeOptions::new(8000, 1).format("s32"))
        .unwrap();
    w.write_audio_chunk(0, Array2::<i32>::zeros((1, 10)).view(), None)
        .unwrap();
    let e = w
        .write_audio_chunk(0, Array2::<f64>::zeros((1, 10)).view(), None)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)));
}

#[test]
fn stream_setup_errors() {
    let mut w = StreamWriter::from_writer(std::io::sink(), "wav").unwrap();
    let e = w
        .write_audio_chunk(0, Array2::<f32>::zeros((1, 1)).view(), None)
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("add_audio_stream")),
        "{e}"
    );
    for (opts, needle) in [
        (AudioEncodeOptions::new(0, 1), "sample_rate"),
        (AudioEncodeOptions::new(8000, 0), "num_channels"),
        (AudioEncodeOptions::new(8000, 1).format("s24"), "format"),
        (
            AudioEncodeOptions::new(8000, 1).encoder_format("s12"),
            "encoder_format",
        ),
        (
            AudioEncodeOptions::new(8000, 1)
                .encoder("pcm_s16le")
                .encoder_format("s24"),
            "pcm_s24le",
        ),
        (
            AudioEncodeOptions::new(8000, 1).encoder_option("foo", "1"),
            "foo",
        ),
        (
            AudioEncodeOptions::new(8000, 1).codec_config(CodecConfig {
                bit_rate: Some(1),
                ..Default::default()
            }),
            "bit_rate",
        ),
        (AudioEncodeOptions::new(8000, 1).encoder("mp3"), "wav"),
    ] {
        let e = w.add_audio_stream_with(opts.clone()).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidArgument(m) if m.contains(needle)),
            "{opts:?}: {e}"
        );
    }
    let e = w
        .add_audio_stream_with(AudioEncodeOptions::new(8000, 1).encoder("aac"))
        .unwrap_err();
    assert!(
        matches!(&e, Error::Unsupported(m) if m.contains("aac") && m.contains("pcm_s16le")),
        "{e}"
    );
    let e = w
        .add_audio_stream_with(AudioEncodeOptions::new(8000, 1).encoder("libopus"))
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("opus") && m.contains("wav")),
        "{e}"
    );
    // After all those failures the writer still takes a good stream, and only one.
    w.add_audio_stream(8000, 1).unwrap();
    let e = w.add_audio_stream(8000, 1).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("wav")),
        "{e}"
    );
}

#[test]
fn output_errors() {
    // Unknown container, no extension, stdout without a format, container options.
    let dir = TempDir::new("out-errors");
    let e = StreamWriter::new(dir.path("x.mkv").to_str().unwrap(), None, None).unwrap_err();
    assert!(
        matches!(&e, Error::Unsupported(m) if m.contains("mkv") && m.contains("flac") && m.contains("opus")),
        "{e}"
    );
    let e = StreamWriter::new(dir.path("noext").to_str().unwrap(), None, None).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)));
    let e = StreamWriter::new("-", None, None).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)));
    let opts = Options::from([("movflags".to_string(), "x".to_string())]);
    let e = StreamWriter::new(dir.path("x.wav").to_str().unwrap(), None, Some(&opts)).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("movflags")),
        "{e}"
    );
    // An unwritable path is an I/O error naming it.
    let e = StreamWriter::new("/nonexistent-dir/x.wav", None, None).unwrap_err();
    assert!(
        matches!(&e, Error::Io { context, .. } if context.contains("/nonexistent-dir/x.wav")),
        "{e}"
    );
}

/// A full disk is an I/O error, never a panic, for every encoder.
#[test]
fn dev_full_is_an_io_error() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let data = music(2, 100_000, 44100);
    for (container, opts) in every_encoder() {
        let mut w = StreamWriter::new("/dev/full", Some(container), None).unwrap();
        w.add_audio_stream_with(opts).unwrap();
        let result = w
            .write_audio_chunk(0, data.view(), None)
            .and_then(|_| w.flush())
            .and_then(|_| w.close());
        assert!(
            matches!(result, Err(Error::Io { .. })),
            "{container}: {result:?}"
        );
    }
}

#[test]
fn writing_after_finish_is_closed() {
    let mut w = wav_writer();
    w.finish().unwrap();
    w.finish().unwrap();
    let e = w
        .write_audio_chunk(0, Array2::<f32>::zeros((2, 1)).view(), None)
        .unwrap_err();
    assert!(matches!(e, Error::Closed(_)));
    assert!(matches!(w.flush(), Err(Error::Closed(_))));
    assert!(matches!(w.add_audio_stream(8000, 1), Err(Error::Closed(_))));
}

/// Every invalid FLAC setting is an InvalidArgument naming the field.
#[cfg(feature = "encode-flac")]
#[test]
fn invalid_flac_settings() {
    let cases = [
        (
            CodecConfig {
                compression_level: Some(9),
                ..Default::default()
            },
            "compression_level",
        ),
        (
            CodecConfig {
                compression_level: Some(-1),
                ..Default::default()
            },
            "compression_level",
        ),
        (
            CodecConfig {
                bit_rate: Some(128_000),
                ..Default::default()
            },
            "lossless",
        ),
        (
            CodecConfig {
                qscale: Some(2.0),
                ..Default::default()
            },
            "lossless",
        ),
        (
            CodecConfig {
                qmin: Some(1),
                ..Default::default()
            },
            "qmin",
        ),
    ];
    for (config, needle) in cases {
        let mut w = StreamWriter::from_writer(std::io::sink(), "flac").unwrap();
        let e = w
            .add_audio_stream_with(AudioEncodeOptions::new(44100, 2).codec_config(config.clone()))
            .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidArgument(m) if m.contains(needle)),
            "{config:?}: {e}"
        );
    }
    for (opts, needle) in [
        (
            AudioEncodeOptions::new(44100, 2).encoder_format("s32"),
            "s24",
        ),
        (
            AudioEncodeOptions::new(44100, 2).encoder_format("flt"),
            "s24",
        ),
        (AudioEncodeOptions::new(44100, 9), "8"),
        (
            AudioEncodeOptions::new(44100, 2).encoder_option("blocksize", "4096"),
            "blocksize",
        ),
    ] {
        let mut w = StreamWriter::from_writer(std::io::sink(), "flac").unwrap();
        let e = w.add_audio_stream_with(opts.clone()).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidArgument(m) if m.contains(needle)),
            "{opts:?}: {e}"
        );
    }
}
