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
            // One packet can complete several chunks (a FLAC frame holds 4096 frames): pop them
            // all, or the 4-chunk buffer overflows and drops audio. When the stream has ended
            // (code 0) its last, shorter chunk is ready as well.
            while let Some(chunk) = reader.pop_chunks().remove(0) {
                // Apply processing (e.g., effects, filtering)
                let processed = apply_effects(chunk.view());
                // Write processed chunk
                writer.write_audio_chunk(0, processed.view(), None)?;
            }
            if code == 0 {
                // End of stream
                break;
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
    // Example: apply reverb or other effects
    overdrive(audio, 10.0, 20.0)
}

/// `torchaudio.functional.overdrive(waveform, gain, colour)`: SoX's `overdrive` effect.
///
/// This moves to `audiostream::functional::overdrive` when the effects land; it is written out
/// here until then. Like torchaudio's, it starts from silence on every call, so the DC-blocking
/// filter restarts at each chunk; `AudioEffector::new("overdrive", &[10.0, 20.0])?.stream(..)`
/// will carry the state across chunks.
///
/// Per sample `x` (SoX `overdrive.c`): `d = x * 10^(gain/20) + colour/200`; soft clip
/// `d - d³/3` (±2/3 beyond ±1); DC blocker `y = d - d_prev + 0.995 y_prev`; output
/// `0.5 x + 0.75 y`, clamped to [-1, 1].
fn overdrive(waveform: ArrayView2<'_, f32>, gain: f64, colour: f64) -> Array2<f32> {
    let gain = 10f64.powf(gain / 20.0);
    let colour = colour / 200.0;
    let mut output = Array2::<f32>::zeros(waveform.raw_dim());
    for (input, mut out) in waveform.rows().into_iter().zip(output.rows_mut()) {
        let (mut last_in, mut last_out) = (0.0f64, 0.0f64);
        for (&x, y) in input.iter().zip(out.iter_mut()) {
            let x = f64::from(x);
            let d = x * gain + colour;
            let d = if d < -1.0 {
                -2.0 / 3.0
            } else if d > 1.0 {
                2.0 / 3.0
            } else {
                d - d * d * d / 3.0
            };
            last_out = d - last_in + 0.995 * last_out;
            last_in = d;
            *y = (x * 0.5 + last_out * 0.75).clamp(-1.0, 1.0) as f32;
        }
    }
    output
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdrive_matches_sox_on_a_few_samples() {
        // Silence: only the colour's DC goes in, and the DC blocker lets its step through
        // once: y0 = d0 (with d0 = c - c³/3, c = 0.1), then decays by 0.995 per sample.
        let x = Array2::<f32>::zeros((1, 3));
        let y = overdrive(x.view(), 10.0, 20.0);
        let d0 = 0.1 - 0.001 / 3.0;
        let expect = [0.75 * d0, 0.75 * 0.995 * d0, 0.75 * 0.995 * 0.995 * d0];
        for (a, b) in y.iter().zip(expect) {
            assert!((f64::from(*a) - b).abs() < 1e-6, "{a} vs {b}");
        }
        // Loud input is clipped to ±2/3 before the filter and the output stays in [-1, 1].
        let x = Array2::from_elem((2, 100), 0.9f32);
        let y = overdrive(x.view(), 20.0, 20.0);
        assert!(y.iter().all(|v| (-1.0..=1.0).contains(v)));
    }
}
