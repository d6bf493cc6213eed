//! The `audiostream` command-line tool: `info`, `convert`, `decode`, `effects` and `demo`.
//!
//! Exit codes: 0 ok, 1 runtime error (one line on stderr), 2 usage error (clap's message; one
//! line for a bad value), 3 `convert --manifest` ran but some files failed (see its report).

mod args;
mod convert;
mod corpus;
mod corpus_run;
mod demo;
#[cfg(feature = "device")]
mod devices;
mod effects;
mod info;
mod manifest;
#[cfg(feature = "device")]
mod monitor;
#[cfg(feature = "device")]
mod play;
mod progress;
#[cfg(feature = "device")]
mod record;

use args::{
    parse_bitrate, parse_channels, parse_container, parse_effect, parse_jobs, parse_options,
    parse_quality, parse_rate, parse_shard, parse_time, SampleFmt,
};
use audiostream::AudioEffector;
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use convert::{Failure, Job, Settings, Source};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "audiostream",
    version,
    about = "Streaming audio I/O without FFmpeg: describe, convert and decode audio files"
)]
struct Cli {
    /// No progress bar and no summary line (errors and warnings are still printed).
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

/// Input options shared by the commands that read audio.
#[derive(Args)]
struct InputArgs {
    /// Force the input demuxer (wav, mp3, flac, ogg, mp4, mkv, aiff, caf, aac, s16le, f32le, ...).
    #[arg(long, short = 'f', value_name = "INPUT_FORMAT")]
    format: Option<String>,
    /// Input format option KEY=VALUE (raw PCM: sample_rate=HZ, channels=N); repeatable.
    #[arg(long = "option", short = 'o', value_name = "KEY=VALUE")]
    options: Vec<String>,
}

#[derive(Args)]
struct ConvertArgs {
    /// Input file ("-" for stdin).
    #[arg(required_unless_present = "manifest")]
    input: Option<String>,
    /// Output file ("-" for stdout, then --to is needed); .wav, .flac, .mp3, .ogg (Vorbis) or
    /// .opus.
    #[arg(required_unless_present = "manifest")]
    output: Option<String>,
    /// Convert every file of a list instead ("-" for stdin): one path a line, TSV with a
    /// header line naming its columns (path, out, and this command's options), or JSON Lines
    /// ({"path": .., "out": .., "rate": ..}); per-file options override the command line's.
    /// Outputs go under --out-dir, named after the input's path below --input-root with the
    /// output format's extension; outputs that exist are skipped (resumable); failures are
    /// recorded in OUT/report.jsonl and the run goes on (exit code 3 if any failed); what
    /// finished is in OUT/manifest.jsonl (frames, rate, channels, duration, SHA-256).
    #[arg(long, value_name = "LIST", conflicts_with_all = ["input", "output", "keep_partial"], requires = "out_dir")]
    manifest: Option<String>,
    /// The output directory of --manifest.
    #[arg(long, value_name = "DIR", requires = "manifest")]
    out_dir: Option<String>,
    /// With --manifest: relative paths of the list are relative to DIR, and outputs are named
    /// after the input's path below it (default: the list's directory).
    #[arg(long, value_name = "DIR", requires = "manifest")]
    input_root: Option<String>,
    /// With --manifest: take only the entries whose 0-based index k (blank and comment lines
    /// aside) has k % N == I, e.g. --shard $SLURM_ARRAY_TASK_ID/16; the report and manifest
    /// are then OUT/report.shard-I-of-N.jsonl and OUT/manifest.shard-I-of-N.jsonl.
    #[arg(long, value_name = "I/N", requires = "manifest", value_parser = parse_shard)]
    shard: Option<corpus::Shard>,
    /// With --manifest: files converted at once, 1 to 256 (default 1: each conversion already
    /// decodes and encodes on two threads; give the cores the task has, e.g.
    /// $SLURM_CPUS_PER_TASK).
    #[arg(long, value_name = "N", requires = "manifest", value_parser = parse_jobs)]
    jobs: Option<usize>,
    /// With --manifest: convert again the files whose output exists.
    #[arg(long, requires = "manifest")]
    overwrite: bool,
    /// Output format: wav, flac, mp3, ogg (Vorbis; Opus with --codec opus) or opus (default:
    /// from OUT's extension).
    #[arg(long, value_name = "FORMAT", value_parser = parse_container)]
    to: Option<String>,
    /// Output sample rate in Hz (48000, 44.1k); default: the input's.
    #[arg(long, value_name = "HZ", value_parser = parse_rate, allow_negative_numbers = true)]
    rate: Option<u32>,
    /// Output channels (mono <-> stereo, 5.1/7.1 -> stereo downmix, ...); default: the input's.
    #[arg(long, value_name = "N", value_parser = parse_channels, allow_negative_numbers = true)]
    channels: Option<usize>,
    /// Encoder: pcm_s16le, pcm_s24le, pcm_s32le, pcm_f32le, pcm_f64le, pcm_u8 (WAV), mp3, flac,
    /// vorbis, opus (FFmpeg's libvorbis, libopus, libmp3lame name them too).
    #[arg(long, value_name = "NAME")]
    codec: Option<String>,
    /// Bit rate: 128k, 128000, 320k. MP3: constant (MPEG-1: 32k..320k; 22.05/24 kHz:
    /// 8k..160k). Opus: VBR target (6k .. 255k per channel; default 96k stereo, 64k mono).
    /// Vorbis: managed average (oggenc -b --managed).
    #[arg(long, value_name = "RATE", value_parser = parse_bitrate, conflicts_with = "quality")]
    bitrate: Option<u32>,
    /// MP3 VBR quality (lame -V): 0 best/largest .. 9 smallest; Vorbis quality (oggenc -q):
    /// -1 .. 10 best/largest, default 3; fractions allowed.
    #[arg(long, value_name = "Q", value_parser = parse_quality, allow_negative_numbers = true)]
    quality: Option<f32>,
    /// FLAC compression level 0 (fastest) .. 8 (smallest), default 5; MP3 algorithm quality
    /// (lame -q) 0 best .. 9 fastest, default 3; Opus complexity 0 (fastest) .. 10 (best,
    /// default).
    #[arg(long, value_name = "L", allow_negative_numbers = true)]
    compression_level: Option<i32>,
    /// Coded sample format for WAV (s16, s24, s32, f32) and FLAC (s16, s24); default: the
    /// input's for lossless inputs, s16 otherwise.
    #[arg(long, value_enum, value_name = "FMT")]
    sample_format: Option<SampleFmt>,
    /// Start at this time (seconds, or [[HH:]MM:]SS[.frac]), exact to the sample.
    #[arg(long, value_name = "T", value_parser = parse_time, allow_negative_numbers = true)]
    start: Option<f64>,
    /// Convert this much (seconds, or [[HH:]MM:]SS[.frac]): exactly round(D * input rate)
    /// input frames.
    #[arg(long, value_name = "D", value_parser = parse_time, allow_negative_numbers = true)]
    duration: Option<f64>,
    #[command(flatten)]
    input_args: InputArgs,
    /// Effect chain in SoX's syntax applied after --rate/--channels, e.g. "highpass 80 reverb
    /// 50" or "highpass 80 fundsp.reverb 20 3" (`audiostream effects` lists them: SoX's and
    /// fundsp's). Tails (echo, chorus) are kept.
    #[arg(long, value_name = "CHAIN", value_parser = parse_effect, allow_hyphen_values = true)]
    effect: Option<AudioEffector>,
    /// Keep the half-written output when the conversion fails (default: it is deleted).
    #[arg(long)]
    keep_partial: bool,
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
        #[command(flatten)]
        input_args: InputArgs,
    },
    /// Convert any file we read to WAV, FLAC, MP3, Ogg or Opus: rate, channels, codec
    /// settings, cut; tags are carried over. "-" for stdin/stdout. With --manifest, every file
    /// of a list (sharded, resumable, with a report and an output manifest).
    Convert(Box<ConvertArgs>),
    /// Decode any file we read to WAV (or FLAC/MP3 by OUT's extension or --to); "-" for
    /// stdin/stdout. The same as `convert` with the output's defaults.
    Decode {
        /// Input file ("-" for stdin).
        input: String,
        /// Output file ("-" for stdout: WAV unless --to says otherwise).
        output: String,
        /// Output format: wav, flac or mp3 (default: from OUT's extension, else wav).
        #[arg(long, value_name = "FORMAT", value_parser = parse_container)]
        to: Option<String>,
        /// Coded sample format: s16, s24, s32, f32 (WAV), s16/s24 (FLAC); default: the input's
        /// for lossless inputs, s16 otherwise.
        #[arg(long, value_enum, value_name = "FMT")]
        sample_format: Option<SampleFmt>,
        #[command(flatten)]
        input_args: InputArgs,
        /// Keep the half-written output when decoding fails (default: it is deleted).
        #[arg(long)]
        keep_partial: bool,
    },
    /// Convert a bundled Ogg Vorbis file to MP3 and FLAC at 48 kHz, in a temporary directory,
    /// and say what was done (works from any directory).
    Demo,
    /// List the audio hosts and devices, with the channels, rates and sample formats each
    /// takes (capture "in", playback "out").
    #[cfg(feature = "device")]
    Devices {
        /// Names only: do not open the devices to ask what they take.
        #[arg(long)]
        no_probe: bool,
    },
    /// Play a file on an audio device (optionally through effects).
    #[cfg(feature = "device")]
    Play(play::PlayArgs),
    /// Record from an audio device into a WAV, FLAC, MP3, Ogg Vorbis or Opus file.
    #[cfg(feature = "device")]
    Record(record::RecordArgs),
    /// Live level meter of a capture device; Ctrl-C ends it.
    #[cfg(feature = "device")]
    Monitor(monitor::MonitorArgs),
    /// List the effects `--effect` takes (SoX's and fundsp.*), with their arguments, defaults
    /// and ranges.
    Effects {
        /// Only these effects (default: all).
        names: Vec<String>,
    },
}

/// A failure and its exit code.
enum Exit {
    /// One line, exit code 1.
    Runtime(String),
    /// One line, exit code 2.
    Usage(String),
    /// Already reported, exit code 1.
    Reported,
    /// `convert --manifest`: some files failed (in the report), exit code 3.
    SomeFailed,
}

impl From<Failure> for Exit {
    fn from(f: Failure) -> Self {
        if f.usage {
            Exit::Usage(f.message)
        } else {
            Exit::Runtime(f.message)
        }
    }
}

/// Runs a conversion and prints its summary line (unless quiet).
fn convert_and_report(job: Job, quiet: bool) -> Result<(), Exit> {
    let report = convert::run(&job)?;
    if !quiet {
        let line = report.summary(&job.output);
        eprintln!("audiostream: {}", audiostream::redact_credentials(&line));
    }
    Ok(())
}

/// `convert --manifest`: plans the whole list, runs this shard, prints the summary line.
fn convert_corpus(a: ConvertArgs, quiet: bool) -> Result<(), Exit> {
    let (Some(list), Some(out_dir)) = (a.manifest.as_deref(), a.out_dir.as_deref()) else {
        return Err(Exit::Usage("--manifest needs --out-dir DIR".into()));
    };
    parse_options(&a.input_args.options).map_err(Exit::Usage)?;
    let defaults = corpus::FileOptions {
        to: a.to,
        settings: Settings {
            rate: a.rate,
            channels: a.channels,
            codec: a.codec,
            bit_rate: a.bitrate,
            qscale: a.quality,
            compression_level: a.compression_level,
            sample_format: a.sample_format,
            effect: a.effect,
        },
        input_format: a.input_args.format,
        input_options: a.input_args.options,
        start: a.start,
        duration: a.duration,
    };
    let text = corpus::read_list(list)?;
    let entries = manifest::parse(&text, manifest::detect(list, &text))
        .map_err(|m| Exit::Usage(format!("the list {list}: {m}")))?;
    let planner = corpus::Planner {
        list,
        root: corpus::Planner::root_for(list, a.input_root.as_deref())?,
        defaults: &defaults,
    };
    let files = corpus::take_shard(planner.plan(&entries)?, a.shard);
    let started = std::time::Instant::now();
    let summary = corpus_run::Run {
        out_dir: std::path::Path::new(out_dir),
        shard: a.shard,
        jobs: a.jobs.unwrap_or(1),
        overwrite: a.overwrite,
        quiet,
    }
    .run(&files)?;
    if !quiet {
        let shard = a
            .shard
            .map_or_else(String::new, |s| format!("shard {}/{}: ", s.index, s.count));
        eprintln!(
            "audiostream: {shard}{} files: {} converted ({:.3} h of audio), {} skipped (done \
             before), {} failed, in {:.1} s; report: {}",
            summary.total,
            summary.converted,
            summary.audio_seconds / 3600.0,
            summary.skipped,
            summary.failed,
            started.elapsed().as_secs_f64(),
            summary.report.display()
        );
    }
    if summary.failed > 0 {
        Err(Exit::SomeFailed)
    } else {
        Ok(())
    }
}

fn run(cli: Cli) -> Result<(), Exit> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Info {
            files,
            json,
            input_args,
        } => {
            let options = parse_options(&input_args.options).map_err(Exit::Runtime)?;
            if info::run(&files, json, input_args.format.as_deref(), &options) {
                Ok(())
            } else {
                Err(Exit::Reported)
            }
        }
        Command::Convert(a) if a.manifest.is_some() => convert_corpus(*a, quiet),
        Command::Convert(a) => {
            let a = *a;
            let options = parse_options(&a.input_args.options).map_err(Exit::Usage)?;
            let (Some(input), Some(output)) = (a.input, a.output) else {
                return Err(Exit::Usage(
                    "convert needs INPUT and OUTPUT, or --manifest LIST --out-dir DIR".into(),
                ));
            };
            let container =
                convert::output_container(&output, a.to.as_deref()).map_err(Exit::Usage)?;
            convert_and_report(
                Job {
                    source: Source::Path(input),
                    input_format: a.input_args.format,
                    input_options: options,
                    output,
                    container,
                    settings: Settings {
                        rate: a.rate,
                        channels: a.channels,
                        codec: a.codec,
                        bit_rate: a.bitrate,
                        qscale: a.quality,
                        compression_level: a.compression_level,
                        sample_format: a.sample_format,
                        effect: a.effect,
                    },
                    start: a.start,
                    duration: a.duration,
                    keep_partial: a.keep_partial,
                    progress: !quiet,
                },
                quiet,
            )
        }
        Command::Decode {
            input,
            output,
            to,
            sample_format,
            input_args,
            keep_partial,
        } => {
            let options = parse_options(&input_args.options).map_err(Exit::Usage)?;
            let container = to
                .or_else(|| args::container_of_path(&output))
                .unwrap_or_else(|| "wav".into());
            convert_and_report(
                Job {
                    source: Source::Path(input),
                    input_format: input_args.format,
                    input_options: options,
                    output,
                    container,
                    settings: Settings {
                        sample_format,
                        ..Default::default()
                    },
                    start: None,
                    duration: None,
                    keep_partial,
                    progress: !quiet,
                },
                quiet,
            )
        }
        Command::Demo => demo::run().map_err(Exit::Runtime),
        #[cfg(feature = "device")]
        Command::Devices { no_probe } => devices::run(!no_probe).map_err(Exit::Runtime),
        #[cfg(feature = "device")]
        Command::Play(a) => play::run(a, quiet).map_err(Exit::Runtime),
        #[cfg(feature = "device")]
        Command::Record(a) => record::run(a, quiet).map_err(Exit::Runtime),
        #[cfg(feature = "device")]
        Command::Monitor(a) => monitor::run(a, quiet).map_err(Exit::Runtime),
        Command::Effects { names } => effects::run(&names).map_err(Exit::Usage),
    }
}

/// Reports a command-line error: clap's message for usage errors, one line for a bad value.
fn clap_error(e: clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::ValueValidation | ErrorKind::InvalidValue => {
            let text = e.render().to_string();
            let line: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|l| !l.is_empty())
                .collect();
            let line = line.join(" ");
            let line = line.strip_prefix("error: ").unwrap_or(&line);
            eprintln!(
                "audiostream: error: {}",
                audiostream::redact_credentials(line)
            );
            ExitCode::from(2)
        }
        _ => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            ExitCode::from(code)
        }
    }
}

fn main() -> ExitCode {
    progress::init_logger();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Exit::Reported) => ExitCode::from(1),
        Err(Exit::SomeFailed) => ExitCode::from(3),
        // Arguments come back in messages as typed: a URL's password never reaches stderr.
        Err(Exit::Runtime(msg)) => {
            eprintln!(
                "audiostream: error: {}",
                audiostream::redact_credentials(&msg)
            );
            ExitCode::from(1)
        }
        Err(Exit::Usage(msg)) => {
            eprintln!(
                "audiostream: error: {}",
                audiostream::redact_credentials(&msg)
            );
            ExitCode::from(2)
        }
    }
}
