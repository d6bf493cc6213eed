//! The seed's "Format Conversion Pipeline" example: read any file in chunks of 4096 frames,
//! resample to 44.1 kHz if needed (`transforms::Resample`), make it stereo, and write a
//! 128 kb/s MP3.
//!
//! ```sh
//! cargo run --example convert_format -- [INPUT] [OUTPUT.mp3]
//! ```
//!
//! INPUT defaults to the bundled `fixtures/flac_24_mono_96000.flac` (96 kHz mono, so both
//! conversions happen), OUTPUT to `convert_format.mp3` in the system's temporary directory.

use audiostream::ndarray::{concatenate, Array2, Axis};
use audiostream::transforms::Resample;
use audiostream::{AudioEncodeOptions, CodecConfig, Remixer, StreamReader, StreamWriter};

/// Convert audio to different format with streaming.
fn convert_audio_format(
    input_path: &str,
    output_path: &str,
    target_sample_rate: u32,
    target_channels: usize,
    target_bitrate: u32,
) -> audiostream::Result<()> {
    // Create reader
    let mut reader = StreamReader::new(input_path, None, None)?;
    reader.add_basic_audio_stream(4096, 3)?;

    // Create writer with codec configuration
    let codec_config = CodecConfig {
        bit_rate: Some(target_bitrate),
        ..Default::default()
    };
    let mut writer = StreamWriter::new(output_path, Some("mp3"), None)?;
    writer.add_audio_stream_with(
        AudioEncodeOptions::new(target_sample_rate, target_channels)
            .encoder("mp3")
            .codec_config(codec_config),
    )?;

    // Set up resampling if needed
    let metadata = reader.get_metadata();
    let original_sr = metadata.sample_rate;
    let mut resampler = if original_sr != target_sample_rate {
        Some(Resample::new(
            original_sr,
            target_sample_rate,
            metadata.num_channels,
        )?)
    } else {
        None
    };

    // Process stream
    let processed = (|| -> audiostream::Result<()> {
        while reader.process_packet()? != 0 {
            let chunks = reader.pop_chunks();
            if let Some(chunk) = &chunks[0] {
                let mut audio = chunk.data.clone();
                // Resample if needed
                if let Some(resampler) = &mut resampler {
                    audio = resampler.process(audio.view())?;
                }
                // Convert to target channels
                let audio = to_channels(audio, target_channels)?;
                writer.write_audio_chunk(0, audio.view(), None)?;
            }
        }
        // Our Resample keeps its filter state from chunk to chunk (no clicks at the chunk
        // borders), so the last few frames come out at the end.
        if let Some(resampler) = &mut resampler {
            let tail = to_channels(resampler.flush()?, target_channels)?;
            writer.write_audio_chunk(0, tail.view(), None)?;
        }
        Ok(())
    })();
    // finally
    let reader_closed = reader.close();
    let writer_closed = writer.close();
    processed.and(reader_closed).and(writer_closed)
}

/// Convert to target channels: the seed's mean (stereo → mono) and repeat (mono → stereo); a
/// downmix matrix for other layouts (5.1 → stereo, ...).
fn to_channels(audio: Array2<f32>, target_channels: usize) -> audiostream::Result<Array2<f32>> {
    if audio.nrows() == target_channels {
        return Ok(audio);
    }
    Ok(match (audio.nrows(), target_channels) {
        // audio.mean(dim=0, keepdim=True)
        (2, 1) => audio
            .mean_axis(Axis(0))
            .expect("two channels")
            .insert_axis(Axis(0)),
        // audio.repeat(2, 1)
        (1, 2) => {
            concatenate(Axis(0), &[audio.view(), audio.view()]).expect("rows of the same length")
        }
        (n, m) => Remixer::new(n, m)?.process(audio.view())?,
    })
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let input = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/flac_24_mono_96000.flac"
        )
        .to_string()
    });
    let output = args.next().unwrap_or_else(|| {
        std::env::temp_dir()
            .join("convert_format.mp3")
            .to_string_lossy()
            .into_owned()
    });
    match convert_audio_format(&input, &output, 44100, 2, 128_000) {
        Ok(()) => {
            println!("{input} -> {output} (MP3, 44100 Hz, 2 channels, 128 kb/s)");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("convert_format: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
