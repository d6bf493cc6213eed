//! The seed's "Network Audio Streaming" example: read a source in chunks of 1024 frames with
//! a buffer of 8, print its metadata and a line every 100 chunks.
//!
//! ```sh
//! cargo run --example stream_url -- [SOURCE]
//! ```
//!
//! SOURCE is an `http://` or `https://` URL (a file on a web server, or a live Icecast/Shoutcast
//! stream: `process_packet_with` then waits at most 1 s for data and the example keeps
//! waiting), a path, or `-` (stdin). It defaults to the bundled
//! `fixtures/mp3_cbr128_stereo_44100.mp3`. Ctrl-C stops it.
//!
//! ```sh
//! cargo run --example stream_url -- http://127.0.0.1:8000/live.mp3
//! ```

use audiostream::{Error, StreamReader};
use std::time::Duration;

#[path = "common/interrupt.rs"]
mod interrupt;

/// Stream audio from network URL.
fn stream_from_url(url: &str) -> audiostream::Result<()> {
    let mut reader = StreamReader::new(url, None, None)?;
    reader.add_basic_audio_stream(1024, 8)?;

    println!("Streaming from: {url}");
    let metadata = reader.get_metadata();
    println!("Sample rate: {} Hz", metadata.sample_rate);
    println!("Channels: {}", metadata.num_channels);
    println!("Format: {} / {}", metadata.format, metadata.codec);
    if let Some(duration) = metadata.duration {
        println!("Duration: {duration:.3} s");
    }
    for (key, value) in &metadata.tags {
        println!("Tag {key}: {value}");
    }

    interrupt::install();
    let mut chunk_count = 0u64;
    let mut frames = 0u64;
    let mut peak = 0.0f32;
    let result = (|| -> audiostream::Result<()> {
        loop {
            if interrupt::requested() {
                println!("Stream interrupted by user");
                return Ok(());
            }
            let code = match reader
                .process_packet_with(Some(Duration::from_secs(1)), Duration::from_millis(10))
            {
                Ok(code) => code,
                Err(Error::Timeout(t)) => {
                    println!("No data for {t:?}, still waiting");
                    continue;
                }
                Err(e) => return Err(e),
            };
            if code == 0 {
                return Ok(());
            }
            let chunks = reader.pop_chunks();
            if let Some(audio_chunk) = &chunks[0] {
                chunk_count += 1;
                if chunk_count.is_multiple_of(100) {
                    println!("Processed {chunk_count} chunks");
                }
                // Process audio chunk (e.g., save, analyze, play): here, keep the peak level.
                frames += audio_chunk.ncols() as u64;
                peak = audio_chunk.iter().fold(peak, |m, v| m.max(v.abs()));
            }
        }
    })();
    // finally
    reader.close()?;
    result?;
    println!(
        "End of stream: {chunk_count} chunks, {frames} frames ({:.3} s), peak {:.1} dBFS",
        frames as f64 / f64::from(metadata.sample_rate.max(1)),
        20.0 * f64::from(peak).max(1e-10).log10()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let url = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/mp3_cbr128_stereo_44100.mp3"
        )
        .to_string()
    });
    match stream_from_url(&url) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stream_url: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
