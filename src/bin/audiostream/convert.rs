//! The conversion pipeline behind `convert`, `decode` and `demo`: a reader delivering chunks
//! at the input's rate and channels → (start/duration cut) → a writer that converts rate and
//! channels (`encoder_sample_rate` / `encoder_num_channels`), applies effects (`effect`) and
//! encodes.
//!
//! Errors come back as a [`Failure`]: a usage one (a setting the output cannot take, found before
//! anything is written: exit code 2) or a runtime one (exit code 1), each with the kind of the
//! error behind it (`decode`, `io`, ...: what `convert --manifest`'s report records). Once the
//! output file
//! exists, a failure deletes it unless `keep_partial` is set.

use crate::args::SampleFmt;
use crate::progress::{self, Progress};
use audiostream::{
    AudioEffector, AudioEncodeOptions, CodecConfig, Error, Metadata, Options, StreamReader,
    StreamWriter,
};
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Frames per chunk read from the input.
pub const CHUNK_FRAMES: usize = 4096;

/// Input tags not carried over: they describe the input's encoding (`encoder`), its length
/// (ID3 `TLEN`) or its gapless info (`iTunSMPB`), which the output does not share.
const DROPPED_TAGS: &[&str] = &["encoder", "tlen", "itunsmpb"];

/// Where the audio comes from.
pub enum Source {
    /// A path, or `-` for stdin.
    Path(String),
    /// Bytes in memory (the demo's bundled file), with a name for messages.
    Memory {
        /// Shown in messages.
        name: String,
        /// The file's bytes.
        bytes: &'static [u8],
    },
}

impl Source {
    fn name(&self) -> &str {
        match self {
            Source::Path(p) if p == "-" => "stdin",
            Source::Path(p) => p,
            Source::Memory { name, .. } => name,
        }
    }
}

/// What the output should be; `None` keeps the input's (rate, channels) or takes the
/// encoder's default.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Output sample rate (`--rate`).
    pub rate: Option<u32>,
    /// Output channels (`--channels`).
    pub channels: Option<usize>,
    /// Encoder name (`--codec`).
    pub codec: Option<String>,
    /// `CodecConfig.bit_rate` (`--bitrate`).
    pub bit_rate: Option<u32>,
    /// `CodecConfig.qscale` (`--quality`).
    pub qscale: Option<f32>,
    /// `CodecConfig.compression_level` (`--compression-level`).
    pub compression_level: Option<i32>,
    /// Coded sample format (`--sample-format`); default: the input's bit depth for lossless
    /// inputs, 16-bit otherwise.
    pub sample_format: Option<SampleFmt>,
    /// Effects applied after any rate/channel conversion (`--effect`).
    pub effect: Option<AudioEffector>,
}

/// One conversion.
pub struct Job {
    /// The input.
    pub source: Source,
    /// Forced input demuxer (`-f`).
    pub input_format: Option<String>,
    /// Input format options (`-o KEY=VALUE`).
    pub input_options: Options,
    /// Output path, or `-` for stdout.
    pub output: String,
    /// Output container: `wav`, `flac`, `mp3`, `ogg` or `opus`.
    pub container: String,
    /// Output settings.
    pub settings: Settings,
    /// Start here (seconds), exact to the sample.
    pub start: Option<f64>,
    /// Convert this much (seconds) at most: `round(duration * input rate)` frames.
    pub duration: Option<f64>,
    /// Keep a half-written output after an error.
    pub keep_partial: bool,
    /// Draw a progress bar (on a terminal).
    pub progress: bool,
}

/// Why a conversion failed, as one line, and the kind of error behind it.
#[derive(Debug)]
pub struct Failure {
    /// A bad setting or combination of settings (exit code 2), not a failure of the media or
    /// the system (exit code 1).
    pub usage: bool,
    /// The kind of error: [`error_kind`]'s names.
    pub kind: &'static str,
    /// One line, naming the file and the value at fault.
    pub message: String,
}

impl Failure {
    /// A usage failure (exit code 2).
    pub fn usage(kind: &'static str, message: impl Into<String>) -> Self {
        Failure {
            usage: true,
            kind,
            message: message.into(),
        }
    }

    /// A runtime failure (exit code 1).
    pub fn runtime(kind: &'static str, message: impl Into<String>) -> Self {
        Failure {
            usage: false,
            kind,
            message: message.into(),
        }
    }
}

/// A short name for the kind of `e`, stable for scripts reading `convert --manifest`'s report:
/// `io`, `unsupported`, `invalid_argument`, `decode` (with the decode kind: `decode.truncated`,
/// ...), `encode`, `timeout`, `device`, `network`, `closed`.
pub fn error_kind(e: &Error) -> &'static str {
    use audiostream::DecodeErrorKind as D;
    match e {
        Error::Io { .. } => "io",
        Error::Unsupported(_) => "unsupported",
        Error::InvalidArgument(_) => "invalid_argument",
        Error::Decode(d) => match d.kind {
            D::Malformed => "decode.malformed",
            D::Truncated => "decode.truncated",
            D::Empty => "decode.empty",
            D::LimitExceeded => "decode.limit_exceeded",
            D::Internal => "decode.internal",
            _ => "decode",
        },
        Error::Encode(_) => "encode",
        Error::Timeout(_) => "timeout",
        Error::Device(_) => "device",
        Error::Network(_) => "network",
        Error::Closed(_) => "closed",
        _ => "other",
    }
}

/// What a finished conversion did.
pub struct Report {
    /// Output frames (at the output rate).
    pub frames_out: u64,
    /// Output rate and channels.
    pub out_rate: u32,
    /// Output channels.
    pub out_channels: usize,
    /// What the output holds, e.g. `mp3 128 kb/s`, `flac 24-bit`, `pcm_s16le`.
    pub codec: String,
    /// Bytes written (unknown for devices and FIFOs).
    pub bytes: Option<u64>,
    /// Wall time, from opening the input to closing the output.
    pub elapsed: Duration,
}

impl Report {
    /// Seconds of audio written (effects such as `pad`, `tempo` or `speed` make it differ
    /// from what was read).
    pub fn seconds(&self) -> f64 {
        self.frames_out as f64 / f64::from(self.out_rate.max(1))
    }

    /// Seconds of audio per second of wall time.
    pub fn speed(&self) -> f64 {
        self.seconds() / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The summary line: `wrote OUT (mp3 128 kb/s, 48000 Hz, 2 ch): N frames, 2.000 s, 32.1
    /// KiB, 95x realtime`.
    pub fn summary(&self, output: &str) -> String {
        let out = if output == "-" { "stdout" } else { output };
        let bytes = self
            .bytes
            .map_or_else(|| "size unknown".to_string(), progress::size);
        format!(
            "wrote {out} ({}, {} Hz, {} ch): {} frames, {:.3} s, {bytes}, {}",
            self.codec,
            self.out_rate,
            self.out_channels,
            self.frames_out,
            self.seconds(),
            progress::speed(self.speed())
        )
    }
}

/// `"{name}: {e}"`, unless the message names it already.
fn naming(name: &str, e: &Error) -> String {
    let msg = e.to_string();
    if msg.contains(name) {
        msg
    } else {
        format!("{name}: {msg}")
    }
}

/// Rewrites the writer's API names in a settings error into the flags that set them.
fn in_flag_terms(msg: &str) -> String {
    [
        ("the writer's encoder_sample_rate option", "--rate"),
        ("encoder_format = flt", "encoder_format = f32"),
        ("CodecConfig.bit_rate_tolerance", "bit rate tolerance"),
        ("CodecConfig.bit_rate", "--bitrate"),
        ("CodecConfig.qscale", "--quality"),
        ("CodecConfig.compression_level", "--compression-level"),
        ("encoder_sample_rate", "--rate"),
        ("encoder_num_channels", "--channels"),
        ("encoder_format", "--sample-format"),
    ]
    .iter()
    .fold(msg.to_string(), |m, (api, flag)| m.replace(api, flag))
}

/// A setting the output cannot take (a bad value, an unknown encoder), found before the output
/// exists: a usage error.
fn settings_failure(e: Error) -> Failure {
    Failure::usage(error_kind(&e), in_flag_terms(&e.to_string()))
}

/// The coded sample format used when `--sample-format` is not given: what the input has, for
/// lossless inputs (so a 24-bit FLAC stays 24-bit), 16-bit otherwise.
fn default_sample_format(meta: &Metadata, container: &str) -> Option<&'static str> {
    let float = meta.codec.starts_with("pcm_f");
    let bits = meta.bits_per_sample.unwrap_or(16);
    match container {
        "wav" if float => Some("flt"),
        "wav" if bits > 24 => Some("s32"),
        "wav" if bits > 16 => Some("s24"),
        "flac" if float || bits > 16 => Some("s24"),
        _ => None,
    }
}

/// The writer's stream options for `meta`'s audio and `job`'s settings.
fn encode_options(meta: &Metadata, job: &Job) -> AudioEncodeOptions {
    let s = &job.settings;
    let mut opts = AudioEncodeOptions::new(meta.sample_rate, meta.num_channels);
    // Even the input's own rate: Opus would otherwise code at 48 kHz, not at the rate asked.
    if let Some(rate) = s.rate {
        opts = opts.encoder_sample_rate(rate);
    }
    if let Some(n) = s.channels.filter(|n| *n != meta.num_channels) {
        opts = opts.encoder_num_channels(n);
    }
    if let Some(codec) = &s.codec {
        opts = opts.encoder(codec);
    }
    if let Some(effect) = &s.effect {
        opts = opts.effect(effect.clone());
    }
    if s.bit_rate.is_some() || s.qscale.is_some() || s.compression_level.is_some() {
        opts = opts.codec_config(CodecConfig {
            bit_rate: s.bit_rate,
            qscale: s.qscale,
            compression_level: s.compression_level,
            ..Default::default()
        });
    }
    match s.sample_format {
        Some(f) => opts = opts.encoder_format(f.encoder_format()),
        None if s.codec.is_none() => {
            if let Some(f) = default_sample_format(meta, &job.container) {
                opts = opts.encoder_format(f);
            }
        }
        None => {}
    }
    opts
}

/// The codec the writer picks for `container`: `--codec` (FFmpeg's names allowed), else the
/// container's default.
fn output_codec(container: &str, opts: &AudioEncodeOptions) -> String {
    match &opts.encoder {
        Some(c) => audiostream_codecs::canonical_codec(c).to_string(),
        None => audiostream_codecs::container_codecs(container)
            .and_then(|c| c.first())
            .map_or_else(|| container.to_string(), |c| c.to_string()),
    }
}

/// What the output will hold, for the summary.
fn describe_codec(container: &str, opts: &AudioEncodeOptions) -> String {
    let format = opts
        .encoder_format
        .as_deref()
        .and_then(audiostream::SampleFormat::parse);
    match container {
        "mp3" => {
            let cfg = opts.codec_config.clone().unwrap_or_default();
            match (cfg.bit_rate, cfg.qscale) {
                (Some(b), _) => format!("mp3 {} kb/s", b / 1000),
                (None, Some(q)) => format!("mp3 VBR -V {q}"),
                _ => "mp3".into(),
            }
        }
        "flac" => format!("flac {}-bit", format.map_or(16, |f| f.bits())),
        "ogg" | "opus" => {
            let codec = output_codec(container, opts);
            let cfg = opts.codec_config.clone().unwrap_or_default();
            match (codec.as_str(), cfg.bit_rate, cfg.qscale) {
                ("opus", Some(b), _) => format!("opus {} kb/s", b / 1000),
                ("vorbis", Some(b), _) => format!("vorbis {} kb/s", b / 1000),
                ("vorbis", None, Some(q)) => format!("vorbis -q {q}"),
                _ => codec,
            }
        }
        _ => match (&opts.encoder, format) {
            (Some(codec), _) => codec.clone(),
            (None, Some(f)) => audiostream_codecs::wav::codec_for_format(f).to_string(),
            (None, None) => "pcm_s16le".into(),
        },
    }
}

/// Counts the bytes that go through it (the size of what goes to stdout).
struct Counting<W> {
    inner: W,
    count: Arc<AtomicU64>,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The output while it is written: the writer, and what to delete if the conversion fails.
struct Output {
    writer: StreamWriter,
    /// The regular file we created (or truncated): deleted on failure.
    file: Option<PathBuf>,
    /// Bytes written to stdout.
    stdout_bytes: Option<Arc<AtomicU64>>,
}

impl Output {
    fn create(path: &str, container: &str) -> audiostream::Result<Self> {
        if path == "-" {
            let count = Arc::new(AtomicU64::new(0));
            let sink = Counting {
                inner: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()),
                count: count.clone(),
            };
            return Ok(Output {
                writer: StreamWriter::from_writer(sink, container)?,
                file: None,
                stdout_bytes: Some(count),
            });
        }
        // Never delete what is not a regular file (/dev/null, a FIFO).
        let deletable = std::fs::metadata(path).map_or(true, |m| m.is_file());
        let writer = StreamWriter::new(path, Some(container), None)?;
        Ok(Output {
            writer,
            file: deletable.then(|| PathBuf::from(path)),
            stdout_bytes: None,
        })
    }

    /// After a failure: finish what can be finished, then delete the file (unless kept).
    fn discard(mut self, keep: bool) {
        // Finishing here (errors ignored) keeps the writer's Drop from logging them again.
        let _ = self.writer.finish();
        drop(self.writer);
        if let (Some(file), false) = (self.file.take(), keep) {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// Whether `a` and `b` are the same existing file.
fn same_file(a: &str, b: &str) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn open_reader(job: &Job) -> audiostream::Result<StreamReader> {
    match &job.source {
        Source::Path(p) => {
            StreamReader::new(p, job.input_format.as_deref(), Some(&job.input_options))
        }
        Source::Memory { bytes, .. } => {
            StreamReader::from_reader(Cursor::new(*bytes), job.input_format.as_deref())
        }
    }
}

/// Runs one conversion.
pub fn run(job: &Job) -> Result<Report, Failure> {
    let started = Instant::now();
    let in_name = job.source.name().to_string();
    let out_name = if job.output == "-" {
        "stdout".to_string()
    } else {
        job.output.clone()
    };
    let runtime_in = |e: Error| Failure::runtime(error_kind(&e), naming(&in_name, &e));

    let mut reader = open_reader(job).map_err(runtime_in)?;
    if reader.default_audio_stream().is_none() {
        return Err(Failure::runtime(
            "unsupported",
            format!("{in_name}: no audio stream"),
        ));
    }
    let meta = reader.get_metadata();
    reader
        .add_basic_audio_stream(CHUNK_FRAMES, 3)
        .map_err(runtime_in)?;

    // Check every output setting on a writer that writes nowhere, before the output exists.
    let opts = encode_options(&meta, job);
    // Tags that describe how the input was encoded, not its content, stay behind.
    let mut tags = meta.tags.clone();
    tags.retain(|k, _| !DROPPED_TAGS.contains(&k.as_str()));
    {
        let mut probe =
            StreamWriter::from_writer(std::io::sink(), &job.container).map_err(settings_failure)?;
        probe
            .add_audio_stream_with(opts.clone())
            .map_err(settings_failure)?;
        if let Err(e) = probe.set_metadata(tags.clone()) {
            log::warn!("the tags of {in_name} are not carried over: {e}");
            tags.clear();
        }
        let _ = probe.finish();
    }

    let in_rate = meta.sample_rate;
    let start_frame = match job.start {
        Some(t) if t > 0.0 => {
            reader.seek(t).map_err(runtime_in)?;
            (t * f64::from(in_rate)).round() as u64
        }
        _ => 0,
    };
    let limit = job
        .duration
        .map(|d| (d * f64::from(in_rate)).round() as u64);

    if let Source::Path(p) = &job.source {
        if p != "-" && job.output != "-" && same_file(p, &job.output) {
            return Err(Failure::usage(
                "invalid_argument",
                format!("{} is both the input and the output", job.output),
            ));
        }
    }

    let total = match (
        meta.num_frames.map(|n| n.saturating_sub(start_frame)),
        limit,
    ) {
        (Some(n), Some(l)) => Some(n.min(l)),
        (n, l) => n.or(l),
    };
    let mut bar = Progress::new(job.progress, total, in_rate, &in_name);

    let mut out = Output::create(&job.output, &job.container)
        .map_err(|e| Failure::runtime(error_kind(&e), naming(&out_name, &e)))?;
    let result = pump(reader, &mut out.writer, &opts, tags, limit, &mut bar);
    drop(bar);
    let frames_in = match result {
        Ok(frames) => frames,
        Err(side) => {
            out.discard(job.keep_partial);
            return Err(match side {
                Side::In(e) => Failure::runtime(error_kind(&e), naming(&in_name, &e)),
                Side::Out(e) => Failure::runtime(error_kind(&e), naming(&out_name, &e)),
            });
        }
    };
    // A file that says it has audio but gave none is damaged (e.g. a header followed by junk).
    if frames_in == 0 && limit != Some(0) {
        if let Some(n) = meta.num_frames.filter(|n| *n > start_frame) {
            out.discard(job.keep_partial);
            return Err(Failure::runtime(
                "decode.malformed",
                format!(
                    "{in_name}: no audio could be decoded, although the file says it holds {n} \
                 frames; it may be damaged"
                ),
            ));
        }
    }
    let Output {
        mut writer,
        file,
        stdout_bytes,
    } = out;
    // Finish (which drains the resampler and the effects' tails) before reading the count
    // of frames encoded; close then only releases the writer.
    let finished = writer.finish();
    let encoded_frames = writer.stats().encoded_frames;
    if let Err(e) = finished.and_then(|()| writer.close()) {
        let failure = Failure::runtime(error_kind(&e), naming(&out_name, &e));
        if let (Some(file), false) = (file, job.keep_partial) {
            let _ = std::fs::remove_file(file);
        }
        return Err(failure);
    }
    let bytes = match stdout_bytes {
        Some(count) => Some(count.load(Ordering::Relaxed)),
        None => std::fs::metadata(&job.output)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len()),
    };
    // Opus codes at 48 kHz whatever the input unless --rate says otherwise.
    let out_rate = opts.encoder_sample_rate.unwrap_or_else(|| {
        audiostream_codecs::default_encoder_rate(&output_codec(&job.container, &opts), in_rate)
    });
    let frames_out = encoded_frames;
    Ok(Report {
        codec: describe_codec(&job.container, &opts),
        out_rate,
        out_channels: opts.encoder_num_channels.unwrap_or(meta.num_channels),
        frames_out,
        bytes,
        elapsed: started.elapsed(),
    })
}

/// Which end an error came from, for the message.
enum Side {
    In(Error),
    Out(Error),
}

/// Chunks in flight between the decoding thread and the encoding one (4096 frames each).
#[cfg(not(target_os = "wasi"))]
const PIPELINE_CHUNKS: usize = 8;

/// Reads every chunk (up to `limit` frames) and writes it; returns the input frames written.
///
/// Decoding runs on its own thread, feeding a bounded queue, while this thread converts and
/// encodes: the two overlap, so a conversion takes about as long as the slower half rather than
/// the sum, and memory stays bounded by the queue. Under WASI (no threads) both run here, one
/// chunk at a time.
fn pump(
    reader: StreamReader,
    writer: &mut StreamWriter,
    opts: &AudioEncodeOptions,
    tags: Options,
    limit: Option<u64>,
    bar: &mut Progress,
) -> Result<u64, Side> {
    if !tags.is_empty() {
        writer.set_metadata(tags).map_err(Side::Out)?;
    }
    writer
        .add_audio_stream_with(opts.clone())
        .map_err(Side::Out)?;
    if limit == Some(0) {
        return Ok(0);
    }
    #[cfg(target_os = "wasi")]
    {
        let mut reader = reader;
        write_chunks(chunks_of(&mut reader), writer, limit, bar)
    }
    #[cfg(not(target_os = "wasi"))]
    {
        let (tx, rx) =
            std::sync::mpsc::sync_channel::<Result<audiostream::Chunk, Error>>(PIPELINE_CHUNKS);
        let decoder = std::thread::spawn(move || {
            let mut reader = reader;
            for item in chunks_of(&mut reader) {
                let failed = item.is_err();
                // A closed queue means the writer stopped (error or --duration reached).
                if tx.send(item).is_err() || failed {
                    return;
                }
            }
        });
        let result = write_chunks(rx.iter(), writer, limit, bar);
        // Unblock the decoding thread if it is waiting on a full queue, then wait for it.
        drop(rx);
        if decoder.join().is_err() {
            return Err(Side::In(
                audiostream::DecodeError::new(
                    audiostream::DecodeErrorKind::Internal,
                    "the decoding thread panicked",
                )
                .into(),
            ));
        }
        result
    }
}

/// The chunks of the reader's one output, ending after the first error.
fn chunks_of(
    reader: &mut StreamReader,
) -> impl Iterator<Item = Result<audiostream::Chunk, Error>> + '_ {
    reader.stream().filter_map(|chunks| match chunks {
        Ok(chunks) => chunks.into_iter().next().flatten().map(Ok),
        Err(e) => Some(Err(e)),
    })
}

/// Writes `chunks` (up to `limit` frames); returns the input frames written.
fn write_chunks(
    chunks: impl Iterator<Item = Result<audiostream::Chunk, Error>>,
    writer: &mut StreamWriter,
    limit: Option<u64>,
    bar: &mut Progress,
) -> Result<u64, Side> {
    let mut frames = 0u64;
    for item in chunks {
        let chunk = item.map_err(Side::In)?;
        let mut view = chunk.data.view();
        if let Some(limit) = limit {
            let left = (limit - frames) as usize;
            if view.ncols() > left {
                view = view.slice_move(audiostream::ndarray::s![.., ..left]);
            }
        }
        writer.write_audio_chunk(0, view, None).map_err(Side::Out)?;
        frames += view.ncols() as u64;
        bar.update(frames);
        if limit == Some(frames) {
            break;
        }
    }
    Ok(frames)
}

/// The container for `output`: `--to`, else its extension.
pub fn output_container(output: &str, to: Option<&str>) -> Result<String, String> {
    match to {
        Some(t) => crate::args::parse_container(t),
        None if output == "-" => Err(format!(
            "writing to stdout (\"-\") needs --to {}",
            crate::args::CONTAINERS.join("|")
        )),
        None => crate::args::container_of_path(output).ok_or_else(|| {
            let ext = Path::new(output)
                .extension()
                .and_then(|e| e.to_str())
                .map_or("no extension".to_string(), |e| format!("extension .{e}"));
            format!(
                "cannot tell the output format of {output} ({ext}); name it .wav, .flac, .mp3, \
                 .ogg or .opus, or give --to {}",
                crate::args::CONTAINERS.join("|")
            )
        }),
    }
}
