//! The seed's "Real-time Audio Processing" example: read a file in chunks of 1024 frames,
//! put each chunk through an effect (overdrive), and write the result as a 44.1 kHz stereo WAV.
//!
//! ```sh
//! cargo run --example realtime_processing -- [INPUT] [OUTPUT.wav]
//! ```
//!
//! INPUT defaults to the bundled `fixtures/vorbis_q5_stereo_44100.ogg`, OUTPUT to
//! `realtime_processing.wav` in the system's temporary directory.

use audiostream::ndarray::{Array2, ArrayView2};
use audiostream::{AudioStreamOptions, StreamReader, StreamWriter};

// Set up real-time audio processing
fn process_audio_stream(input_path: &str, output_path: &str) -> audiostream::Result<()> {
    // Create reader and writer
    let mut reader = StreamReader::new(input_path, None, None)?;
    let mut writer = StreamWriter::new(output_path, Some("wav"), None)?;

    // Configure streams
    let meta = reader.get_metadata();
    if (meta.sample_rate, meta.num_channels) == (44100, 2) {
        reader.add_basic_audio_stream(1024, 4)?;
    } else {
        // The seed assumes a 44.1 kHz stereo input; for others, ask the reader for it.
        reader.add_audio_stream(
            AudioStreamOptions::new(1024)
                .buffer_chunk_size(4)
                .sample_rate(44100)
                .num_channels(2),
        )?;
    }
    writer.add_audio_stream(44100, 2)?;

    // Process audio in chunks
    let processed = (|| -> audiostream::Result<()> {
        loop {
            // Read chunk
            let code = reader.process_packet()?;
            if code == 0 {
                // End of stream
                break;
            }
            let chunks = reader.pop_chunks();
            if let Some(chunk) = &chunks[0] {
                // Apply processing (e.g., effects, filtering)
                let processed = apply_effects(chunk.view());
                // Write processed chunk
                writer.write_audio_chunk(0, processed.view(), None)?;
            }
        }
        Ok(())
    })();
    // finally: close both (dropping them would too, without reporting errors)
    let reader_closed = reader.close();
    let writer_closed = writer.close();
    processed.and(reader_closed).and(writer_closed)
}

fn apply_effects(audio: ArrayView2<'_, f32>) -> Array2<f32> {
    // Example: apply reverb or other effects. Like torchaudio's, `functional::overdrive`
    // starts afresh on every call; `AudioEffector::new("overdrive", &[10.0, 20.0])?.stream(..)`
    // carries the effect's state across chunks.
    audiostream::functional::overdrive(audio, 10.0, 20.0)
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let input = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/vorbis_q5_stereo_44100.ogg"
        )
        .to_string()
    });
    let output = args.next().unwrap_or_else(|| {
        std::env::temp_dir()
            .join("realtime_processing.wav")
            .to_string_lossy()
            .into_owned()
    });
    match process_audio_stream(&input, &output) {
        Ok(()) => {
            println!("{input} -> {output} (overdrive, gain 10 dB, colour 20)");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("realtime_processing: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
