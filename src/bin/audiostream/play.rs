//! `audiostream play FILE`: decode a file (optionally through effects) and play it on an
//! audio device, streaming (the device queue holds 0.2 s; the file is not loaded whole).

use crate::monitor::ctrl_c;
use audiostream::{AudioStreamOptions, StreamReader, StreamWriter};
use clap::Args;
use std::sync::atomic::Ordering;

#[derive(Args)]
pub struct PlayArgs {
    /// File to play ("-" for stdin).
    file: String,
    /// SoX-style effect chain, e.g. "reverb 50 50 100" or "gain -6 highpass 100".
    #[arg(long, value_name = "CHAIN", value_parser = crate::args::parse_effect)]
    effect: Option<audiostream::AudioEffector>,
    /// Playback device (see `audiostream devices`); default: the host's default device.
    #[arg(long, short = 'd', value_name = "NAME", default_value = "default")]
    device: String,
    /// Force the input demuxer (wav, mp3, flac, ogg, ..., s16le, f32le).
    #[arg(long, short = 'f', value_name = "INPUT_FORMAT")]
    format: Option<String>,
}

/// Plays the file to its end (or until Ctrl-C).
pub fn run(args: PlayArgs, quiet: bool) -> Result<(), String> {
    let stop = ctrl_c();
    let mut reader =
        StreamReader::new(&args.file, args.format.as_deref(), None).map_err(|e| e.to_string())?;
    let meta = reader.get_metadata();
    let mut opts = AudioStreamOptions::new(4096).buffer_chunk_size(4);
    if let Some(fx) = args.effect {
        opts = opts.effect(fx);
    }
    reader.add_audio_stream(opts).map_err(|e| e.to_string())?;
    let info = reader.get_out_stream_info(0).map_err(|e| e.to_string())?;
    // Half a second of queue: a file player is not interactive, and a deep queue rides out
    // decoding hiccups (the device plays silence when it runs dry).
    let queue = audiostream::Options::from([(
        "queue_frames".to_string(),
        (info.sample_rate / 2).max(1).to_string(),
    )]);
    let mut writer =
        StreamWriter::new(&args.device, Some("device"), Some(&queue)).map_err(|e| e.to_string())?;
    writer
        .add_audio_stream(info.sample_rate, info.num_channels)
        .map_err(|e| e.to_string())?;
    if !quiet {
        eprintln!(
            "audiostream: playing {} ({}, {} Hz, {} channels) on {:?}",
            audiostream::redact_credentials(&args.file),
            meta.codec,
            info.sample_rate,
            info.num_channels,
            args.device
        );
    }
    let mut frames = 0u64;
    let mut interrupted = false;
    for chunks in reader.stream() {
        let chunks = chunks.map_err(|e| e.to_string())?;
        if let Some(chunk) = &chunks[0] {
            writer
                .write_audio_chunk(0, chunk.view(), None)
                .map_err(|e| e.to_string())?;
            frames += chunk.ncols() as u64;
        }
        if stop.load(Ordering::SeqCst) {
            interrupted = true;
            break;
        }
    }
    writer.close().map_err(|e| e.to_string())?;
    if !quiet {
        let secs = frames as f64 / f64::from(info.sample_rate.max(1));
        let how = if interrupted {
            "stopped after"
        } else {
            "played"
        };
        eprintln!("audiostream: {how} {secs:.2} s");
    }
    Ok(())
}
