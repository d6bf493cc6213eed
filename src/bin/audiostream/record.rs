//! `audiostream record OUT --duration D`: capture from an audio device into a file (WAV,
//! FLAC or MP3 by OUT's extension): exactly round(D × rate) frames, or less on Ctrl-C (the
//! file is finalized either way).

use crate::monitor::{ctrl_c, device_options};
use audiostream::{Error, StreamReader, StreamWriter};
use clap::Args;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Args)]
pub struct RecordArgs {
    /// Output file: .wav, .flac or .mp3.
    output: String,
    /// How long to record (seconds, or [[HH:]MM:]SS[.frac]).
    #[arg(long, short = 't', value_name = "D", value_parser = crate::args::parse_time)]
    duration: f64,
    /// Capture device (see `audiostream devices`); default: the host's default device.
    #[arg(long, short = 'd', value_name = "NAME", default_value = "default")]
    device: String,
    /// Capture rate in Hz; default: the device's.
    #[arg(long, value_name = "HZ", value_parser = crate::args::parse_rate)]
    rate: Option<u32>,
    /// Capture channels; default: the device's.
    #[arg(long, value_name = "N", value_parser = crate::args::parse_channels)]
    channels: Option<usize>,
    /// Frames per device callback (lower: less latency, more wake-ups); default: the host's.
    #[arg(long, value_name = "N")]
    buffer_frames: Option<u32>,
}

pub fn run(args: RecordArgs, quiet: bool) -> Result<(), String> {
    if args.duration.is_nan() || args.duration <= 0.0 {
        return Err(format!("--duration {}: must be positive", args.duration));
    }
    let stop = ctrl_c();
    let opts = device_options(args.rate, args.channels, args.buffer_frames);
    let mut reader =
        StreamReader::new(&args.device, Some("device"), Some(&opts)).map_err(|e| e.to_string())?;
    let meta = reader.get_metadata();
    let rate = meta.sample_rate;
    let channels = meta.num_channels;
    let total = (args.duration * f64::from(rate)).round() as u64;
    reader
        .add_basic_audio_stream((rate as usize / 50).max(1), 100)
        .map_err(|e| e.to_string())?;
    let mut writer = StreamWriter::new(&args.output, None, None).map_err(|e| e.to_string())?;
    writer
        .add_audio_stream(rate, channels)
        .map_err(|e| e.to_string())?;
    if !quiet {
        eprintln!(
            "audiostream: recording {:.2} s from {:?} ({rate} Hz, {channels} channels) into {}",
            args.duration,
            args.device,
            audiostream::redact_credentials(&args.output)
        );
    }
    let mut done = 0u64;
    while done < total && !stop.load(Ordering::SeqCst) {
        match reader.process_packet_with(Some(Duration::from_secs(5)), Duration::from_millis(10)) {
            Ok(_) => {}
            Err(Error::Timeout(t)) => {
                return Err(format!(
                    "capture device {:?} delivered nothing for {t:?}",
                    args.device
                ))
            }
            Err(e) => return Err(e.to_string()),
        }
        while let Some(chunk) = reader.pop_chunks().remove(0) {
            let take = (total - done).min(chunk.ncols() as u64) as usize;
            let part = chunk.slice(audiostream::ndarray::s![.., ..take]);
            writer
                .write_audio_chunk(0, part, None)
                .map_err(|e| e.to_string())?;
            done += take as u64;
            if done >= total {
                break;
            }
        }
    }
    let overruns = reader.stats().overruns;
    writer.close().map_err(|e| e.to_string())?;
    if !quiet {
        eprintln!(
            "audiostream: recorded {:.2} s ({done} frames){}",
            done as f64 / f64::from(rate.max(1)),
            if overruns > 0 {
                format!(", {overruns} overruns (audio was dropped)")
            } else {
                String::new()
            }
        );
    }
    Ok(())
}
