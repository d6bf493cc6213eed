//! `audiostream record OUT --duration D`: capture from an audio device into a file (WAV,
//! FLAC, MP3, Ogg Vorbis or Opus by OUT's extension, with `--bitrate`, `--quality` and
//! `--compression-level` as `convert` takes them): exactly round(D × rate) frames, or less on
//! Ctrl-C (the file is finalized either way).

use crate::monitor::{ctrl_c, CaptureArgs};
use audiostream::{AudioEncodeOptions, CodecConfig, Error, StreamWriter};
use clap::Args;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Args)]
pub struct RecordArgs {
    /// Output file: .wav, .flac, .mp3, .ogg (Vorbis) or .opus.
    output: String,
    /// How long to record (seconds, or [[HH:]MM:]SS[.frac]).
    #[arg(long, short = 't', value_name = "D", value_parser = crate::args::parse_time)]
    duration: f64,
    #[command(flatten)]
    capture: CaptureArgs,
    /// Bit rate, as `convert --bitrate` (MP3 CBR, Opus VBR target, Vorbis managed average).
    #[arg(long, value_name = "RATE", value_parser = crate::args::parse_bitrate, conflicts_with = "quality")]
    bitrate: Option<u32>,
    /// Quality, as `convert --quality` (MP3 VBR 0..9, Vorbis -1..10).
    #[arg(long, value_name = "Q", value_parser = crate::args::parse_quality, allow_negative_numbers = true)]
    quality: Option<f32>,
    /// Compression level, as `convert --compression-level` (FLAC 0..8, MP3 0..9, Opus 0..10).
    #[arg(long, value_name = "L", allow_negative_numbers = true)]
    compression_level: Option<i32>,
}

pub fn run(args: RecordArgs, quiet: bool) -> Result<(), String> {
    if args.duration.is_nan() || args.duration <= 0.0 {
        return Err(format!("--duration {}: must be positive", args.duration));
    }
    let stop = ctrl_c();
    let mut reader = args.capture.open()?;
    let meta = reader.get_metadata();
    let rate = meta.sample_rate;
    let channels = meta.num_channels;
    let total = (args.duration * f64::from(rate)).round() as u64;
    reader
        .add_basic_audio_stream((rate as usize / 50).max(1), 100)
        .map_err(|e| e.to_string())?;
    let mut writer = StreamWriter::new(&args.output, None, None).map_err(|e| e.to_string())?;
    let mut opts = AudioEncodeOptions::new(rate, channels);
    if args.bitrate.is_some() || args.quality.is_some() || args.compression_level.is_some() {
        opts = opts.codec_config(CodecConfig {
            bit_rate: args.bitrate,
            qscale: args.quality,
            compression_level: args.compression_level,
            ..Default::default()
        });
    }
    writer
        .add_audio_stream_with(opts)
        .map_err(|e| e.to_string())?;
    if !quiet {
        eprintln!(
            "audiostream: recording {:.2} s from {:?} ({rate} Hz, {channels} channels) into {}",
            args.duration,
            args.capture.device,
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
                    args.capture.device
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
