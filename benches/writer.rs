//! Write-throughput benchmark program (`harness = false`): `writer <mode> <in.wav> <out>`.
//!
//! Reads `in.wav` with our `StreamReader` (4096-frame chunks) and writes it with our
//! `StreamWriter` in one of these modes, the settings the reference tools get in
//! `benches/run_benchmarks.sh`:
//! * `mp3-cbr128` – MP3, `CodecConfig { bit_rate: 128000 }` (vs `lame -b 128`)
//! * `mp3-v2` – MP3, `CodecConfig { qscale: 2 }` (vs `lame -V 2`)
//! * `flac5`, `flac8` – FLAC, `compression_level` 5 / 8, 16-bit (vs `flac -5` / `flac -8`)
//! * `wav` – WAV, 16-bit PCM (vs `sox in.wav out.wav`)
//! * `opus96` – Ogg Opus, `CodecConfig { bit_rate: 96000 }`, converted to 48 kHz by the writer
//!   (vs `opusenc --bitrate 96`, `ffmpeg -c:a libopus -b:a 96k`)
//! * `vorbis-q5` – Ogg Vorbis, `CodecConfig { qscale: 5 }` (vs `oggenc -q 5`,
//!   `ffmpeg -c:a libvorbis -q:a 5`)
//!
//! Prints `frames=<frames written>` on stdout and the elapsed time on stderr. With no arguments
//! (as `cargo bench` runs it) it does nothing.

use audiostream::{AudioEncodeOptions, CodecConfig, StreamReader, StreamWriter};
use std::time::Instant;

fn run(mode: &str, input: &str, output: &str) -> audiostream::Result<u64> {
    let mut reader = StreamReader::new(input, None, None)?;
    let meta = reader.get_metadata();
    reader.add_basic_audio_stream(4096, 3)?;
    let mut opts = AudioEncodeOptions::new(meta.sample_rate, meta.num_channels);
    let (container, config) = match mode {
        "mp3-cbr128" => (
            "mp3",
            CodecConfig {
                bit_rate: Some(128_000),
                ..Default::default()
            },
        ),
        "mp3-v2" => (
            "mp3",
            CodecConfig {
                qscale: Some(2.0),
                ..Default::default()
            },
        ),
        "flac5" => (
            "flac",
            CodecConfig {
                compression_level: Some(5),
                ..Default::default()
            },
        ),
        "flac8" => (
            "flac",
            CodecConfig {
                compression_level: Some(8),
                ..Default::default()
            },
        ),
        "wav" => ("wav", CodecConfig::default()),
        "opus96" => (
            "opus",
            CodecConfig {
                bit_rate: Some(96_000),
                ..Default::default()
            },
        ),
        "vorbis-q5" => (
            "ogg",
            CodecConfig {
                qscale: Some(5.0),
                ..Default::default()
            },
        ),
        other => {
            return Err(audiostream::Error::invalid_argument(
                "mode",
                other,
                "mp3-cbr128, mp3-v2, flac5, flac8, wav, opus96, vorbis-q5",
            ))
        }
    };
    if container != "wav" {
        opts = opts.codec_config(config);
    }
    if container == "flac" {
        opts = opts.encoder_format("s16");
    }
    let mut writer = StreamWriter::new(output, Some(container), None)?;
    writer.add_audio_stream_with(opts)?;
    for chunks in reader.stream() {
        if let Some(chunk) = &chunks?[0] {
            writer.write_audio_chunk(0, chunk.data.view(), None)?;
        }
    }
    let frames = writer.stats().frames_written;
    writer.close()?;
    Ok(frames)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [mode, input, output] = args.as_slice() else {
        return;
    };
    let start = Instant::now();
    match run(mode, input, output) {
        Ok(frames) => {
            println!("frames={frames}");
            eprintln!(
                "{mode} {input}: {frames} frames in {:.3} s",
                start.elapsed().as_secs_f64()
            );
        }
        Err(e) => {
            eprintln!("writer: {e}");
            std::process::exit(1);
        }
    }
}
