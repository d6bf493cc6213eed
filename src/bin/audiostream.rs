//! The `audiostream` command-line tool.

use audiostream::{AudioEncodeOptions, Options, StreamReader, StreamWriter};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "audiostream",
    version,
    about = "Streaming audio I/O without FFmpeg"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the metadata of each file: streams, codec, rate, channels, duration, tags.
    Info {
        /// Files to describe ("-" for stdin).
        #[arg(required = true)]
        files: Vec<String>,
        /// Print JSON (one array with an object per file) instead of text.
        #[arg(long)]
        json: bool,
        /// Force the demuxer (wav, mp3, flac, ogg, mp4, mkv, aiff, caf, aac, s16le, f32le, ...).
        #[arg(long, short = 'f')]
        format: Option<String>,
        /// Format option KEY=VALUE (raw PCM: sample_rate=HZ, channels=N); repeatable.
        #[arg(long = "option", short = 'o', value_name = "KEY=VALUE")]
        options: Vec<String>,
    },
    /// Decode any file we read to WAV (or FLAC/MP3 by OUT's extension); "-" for stdin/stdout.
    Decode {
        /// Input file ("-" for stdin).
        input: String,
        /// Output file ("-" for stdout, then --to is needed).
        output: String,
        /// Output container: wav, flac or mp3 (default: from OUT's extension).
        #[arg(long)]
        to: Option<String>,
        /// Coded sample format: s16 (default), s24, s32, f32 (WAV), s16/s24 (FLAC).
        #[arg(long, default_value = "s16")]
        sample_format: String,
        /// Force the input demuxer (wav, mp3, flac, ogg, mp4, mkv, ..., s16le, f32le).
        #[arg(long, short = 'f')]
        format: Option<String>,
        /// Input format option KEY=VALUE (raw PCM: sample_rate=HZ, channels=N); repeatable.
        #[arg(long = "option", short = 'o', value_name = "KEY=VALUE")]
        options: Vec<String>,
    },
}

/// Reads `input` in chunks and writes it into `output`, keeping rate and channels.
fn decode(
    input: &str,
    output: &str,
    to: Option<&str>,
    sample_format: &str,
    format: Option<&str>,
    options: &Options,
) -> audiostream::Result<u64> {
    let mut reader = StreamReader::new(input, format, Some(options))?;
    let meta = reader.get_metadata();
    reader.add_basic_audio_stream(4096, 3)?;
    let mut writer = StreamWriter::new(output, to, None)?;
    let mut opts = AudioEncodeOptions::new(meta.sample_rate, meta.num_channels);
    let container = to.map(str::to_string).unwrap_or_else(|| {
        std::path::Path::new(output)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("wav")
            .to_ascii_lowercase()
    });
    if container != "mp3" {
        opts = opts.encoder_format(if sample_format == "f32" {
            "flt"
        } else {
            sample_format
        });
    }
    writer.add_audio_stream_with(opts)?;
    writer.set_metadata(meta.tags)?;
    for chunks in reader.stream() {
        if let Some(chunk) = &chunks?[0] {
            writer.write_audio_chunk(0, chunk.data.view(), None)?;
        }
    }
    let frames = writer.stats().frames_written;
    writer.close()?;
    Ok(frames)
}

fn parse_options(pairs: &[String]) -> Result<Options, String> {
    pairs
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("option {p:?} is not KEY=VALUE"))
        })
        .collect()
}

fn describe(
    path: &str,
    format: Option<&str>,
    options: &Options,
) -> audiostream::Result<serde_json::Value> {
    let reader = StreamReader::new(path, format, Some(options))?;
    let m = reader.get_metadata();
    let mut streams = Vec::new();
    for i in 0..reader.num_src_streams() {
        let s = reader.get_src_stream_info(i)?;
        streams.push(serde_json::json!({
            "index": s.index,
            "media_type": s.media_type.as_str(),
            "codec": s.codec,
            "codec_long_name": s.codec_long_name,
            "sample_rate": s.sample_rate,
            "num_channels": s.num_channels,
            "num_frames": s.num_frames,
            "duration": s.duration,
            "bit_rate": s.bit_rate,
            "bits_per_sample": s.bits_per_sample,
            "language": s.language,
            "tags": s.tags,
        }));
    }
    Ok(serde_json::json!({
        "path": path,
        "format": m.format,
        "codec": m.codec,
        "sample_rate": m.sample_rate,
        "num_channels": m.num_channels,
        "num_frames": m.num_frames,
        "duration": m.duration,
        "bit_rate": m.bit_rate,
        "bits_per_sample": m.bits_per_sample,
        "default_audio_stream": reader.default_audio_stream(),
        "tags": m.tags,
        "streams": streams,
    }))
}

fn print_text(v: &serde_json::Value) {
    let get = |k: &str| match &v[k] {
        serde_json::Value::Null => "unknown".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    println!("{}", get("path"));
    println!("  format:       {}", get("format"));
    println!("  codec:        {}", get("codec"));
    println!("  sample rate:  {} Hz", get("sample_rate"));
    println!("  channels:     {}", get("num_channels"));
    let duration = v["duration"]
        .as_f64()
        .map_or("unknown".into(), |d| format!("{d:.3} s"));
    println!("  duration:     {duration} ({} frames)", get("num_frames"));
    let bit_rate = v["bit_rate"]
        .as_u64()
        .map_or("unknown".into(), |b| format!("{} kb/s", b / 1000));
    println!("  bit rate:     {bit_rate}");
    if !v["bits_per_sample"].is_null() {
        println!("  bits/sample:  {}", get("bits_per_sample"));
    }
    if let Some(tags) = v["tags"].as_object().filter(|t| !t.is_empty()) {
        println!("  tags:");
        for (k, val) in tags {
            println!("    {k}: {}", val.as_str().unwrap_or_default());
        }
    }
    if let Some(streams) = v["streams"].as_array() {
        println!("  streams:");
        for s in streams {
            let mut line = format!(
                "    #{} {}: {}",
                s["index"],
                s["media_type"].as_str().unwrap_or("?"),
                s["codec"].as_str().unwrap_or("?")
            );
            if let (Some(r), Some(c)) = (s["sample_rate"].as_u64(), s["num_channels"].as_u64()) {
                line.push_str(&format!(", {r} Hz, {c} ch"));
            }
            if let Some(l) = s["language"].as_str() {
                line.push_str(&format!(", language {l}"));
            }
            println!("{line}");
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Decode {
            input,
            output,
            to,
            sample_format,
            format,
            options,
        } => {
            let options = parse_options(&options)?;
            let frames = decode(
                &input,
                &output,
                to.as_deref(),
                &sample_format,
                format.as_deref(),
                &options,
            )
            .map_err(|e| e.to_string())?;
            if output != "-" {
                eprintln!("audiostream: wrote {frames} frames to {output}");
            }
            Ok(())
        }
        Command::Info {
            files,
            json,
            format,
            options,
        } => {
            let options = parse_options(&options)?;
            let mut all = Vec::new();
            let mut failed = Vec::new();
            for f in &files {
                match describe(f, format.as_deref(), &options) {
                    Ok(v) => {
                        if !json {
                            print_text(&v);
                        }
                        all.push(v);
                    }
                    Err(e) => {
                        eprintln!("audiostream: {f}: {e}");
                        failed.push(f.clone());
                    }
                }
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?
                );
            }
            // Each failure has been reported on its own line already.
            if failed.is_empty() {
                Ok(())
            } else {
                Err(String::new())
            }
        }
    }
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("audiostream=warn"))
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("audiostream: error: {msg}");
            }
            ExitCode::from(1)
        }
    }
}
