//! [`StreamWriter`]: writes audio chunk by chunk into WAV, MP3 or FLAC, to files, stdout or any
//! `Write`.
//!
//! Data flow: `write_audio_chunk` → input checks (type, channels) → pts gap filled with silence
//! → conversion to the encoder's sample format (clipping counted) → encoder (codecs crate) →
//! sink (file, stdout, `Write`).

mod options;

pub use options::AudioEncodeOptions;

use crate::pipeline::{self, Pipeline, Stage};
use crate::{Error, Options, Result, Sample};
use audiostream_codecs::convert::{PcmSample, PlanarBuffer};
use audiostream_codecs::{
    container_codecs, open_encoder, wav, EncodeError, Encoder, EncoderDelay, EncoderRequest,
    SampleFormat, Sink, StreamSpec, CONTAINERS,
};
use ndarray::{Array2, ArrayView2};
use std::io::{Seek, Write};

impl From<EncodeError> for Error {
    fn from(e: EncodeError) -> Self {
        match e {
            EncodeError::InvalidArgument(m) => Error::InvalidArgument(m),
            EncodeError::Unsupported(m) => Error::Unsupported(m),
            EncodeError::Io(io) => Error::io("writing the output", io),
            other => Error::Encode(other.to_string()),
        }
    }
}

/// Counters a writer keeps.
///
/// ```
/// let s = audiostream::WriterStats::default();
/// assert_eq!(s.clipped_samples, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Frames given to the encoder, including silence put into pts gaps.
    pub frames_written: u64,
    /// Frames of silence put where a chunk's pts was ahead of what had been written.
    pub silence_frames: u64,
    /// Samples that were outside `[-1, 1]` and were clipped on conversion to integers.
    pub clipped_samples: u64,
    /// Frames that reached the encoder, at its rate: `frames_written` after resampling and
    /// effects (tempo, tails), counted once the stages release them.
    pub encoded_frames: u64,
}

/// Largest block of silence converted at once when filling a pts gap.
const SILENCE_BLOCK: u64 = 1 << 16;

/// The one audio stream of a writer.
struct OutputStream {
    encoder: Box<dyn Encoder>,
    input: SampleFormat,
    input_name: String,
    channels: usize,
    buffer: PlanarBuffer,
    /// Remix, resample, effects before the encoder, when the encoder's rate or channels
    /// differ from the input's or effects were asked for.
    conversion: Option<Pipeline>,
    stats: WriterStats,
    warned_clipping: bool,
    written_any: bool,
}

impl OutputStream {
    /// Encodes converted `f32` audio (encoder rate and channels); returns the samples clipped.
    fn encode_f32(&mut self, audio: &Array2<f32>) -> Result<u64> {
        if audio.ncols() == 0 {
            return Ok(0);
        }
        self.stats.encoded_frames += audio.ncols() as u64;
        let clipped = match audio.as_slice() {
            Some(all) => {
                let rows: Vec<&[f32]> = all.chunks_exact(audio.ncols()).collect();
                self.buffer.fill_slices(&rows)
            }
            None => self
                .buffer
                .fill(audio.rows().into_iter().map(|row| row.into_iter().copied())),
        };
        self.encoder.encode(self.buffer.as_planar())?;
        Ok(clipped)
    }

    fn count_clipped(&mut self, clipped: u64) {
        if clipped == 0 {
            return;
        }
        self.stats.clipped_samples += clipped;
        if !self.warned_clipping {
            self.warned_clipping = true;
            log::warn!(
                "{clipped} samples outside [-1, 1] were clipped when converting to {} \
                 (counted in StreamWriter::stats)",
                self.encoder.input_format().name()
            );
        }
    }

    /// Drains the conversion stage and finalizes the encoder: the conversion's end (the
    /// resampler's tail, the effects' tails and generated silence) a piece at a time, each
    /// piece encoded before the next is made.
    fn finish(&mut self) -> Result<()> {
        while let Some(piece) = self
            .conversion
            .as_mut()
            .map(|c| c.flush(pipeline::STEP))
            .transpose()?
            .flatten()
        {
            let clipped = self.encode_f32(&piece)?;
            self.count_clipped(clipped);
        }
        Ok(self.encoder.finish()?)
    }

    /// Encodes what the effects make without more input (a long `pad`), a piece at a time.
    fn drain_effects(&mut self) -> Result<()> {
        while let Some(piece) = self
            .conversion
            .as_mut()
            .map(|c| c.drain(pipeline::STEP))
            .transpose()?
            .flatten()
        {
            let clipped = self.encode_f32(&piece)?;
            self.count_clipped(clipped);
        }
        Ok(())
    }
}

/// Writes audio into a WAV, MP3 or FLAC file, stdout or any `Write` (seed: `StreamWriter`).
///
/// ```no_run
/// use audiostream::{ndarray::Array2, AudioEncodeOptions, CodecConfig, StreamWriter};
/// let mut writer = StreamWriter::new("out.mp3", None, None)?;
/// writer.add_audio_stream_with(
///     AudioEncodeOptions::new(44100, 2)
///         .codec_config(CodecConfig { bit_rate: Some(128_000), ..Default::default() }),
/// )?;
/// let chunk = Array2::<f32>::zeros((2, 1024));
/// writer.write_audio_chunk(0, chunk.view(), None)?;
/// writer.close()?;
/// # Ok::<(), audiostream::Error>(())
/// ```
pub struct StreamWriter {
    dst_name: String,
    container: String,
    /// The output until the stream's encoder takes it.
    sink: Option<Sink>,
    stream: Option<OutputStream>,
    tags: Options,
    finished: bool,
    /// A playback device instead of a container (format "device").
    #[cfg(feature = "device")]
    device: Option<crate::device::SinkTarget>,
}

impl std::fmt::Debug for StreamWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamWriter")
            .field("dst", &self.dst_name)
            .field("format", &self.container)
            .field("has_stream", &self.stream.is_some())
            .field("finished", &self.finished)
            .finish()
    }
}

/// The container for a `format` override or a file name's extension.
fn container_for(dst: &str, format: Option<&str>) -> Result<String> {
    let name = match format {
        Some(f) => f.trim().to_ascii_lowercase(),
        None => std::path::Path::new(dst)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "cannot tell the container of {dst:?} without an extension; give format= \
                     one of {}",
                    CONTAINERS.join(", ")
                ))
            })?,
    };
    let name = match name.as_str() {
        "wave" => "wav".to_string(),
        _ => name,
    };
    if CONTAINERS.contains(&name.as_str()) {
        Ok(name)
    } else {
        Err(Error::Unsupported(format!(
            "writing the \"{name}\" format ({dst:?}); supported: {}",
            CONTAINERS.join(", ")
        )))
    }
}

/// The sample type of an input `format` name.
fn input_format(name: &str) -> Result<SampleFormat> {
    match name {
        "fltp" | "flt" | "dbl" | "dblp" | "s16" | "s16p" | "s32" | "s32p" | "u8" | "u8p" => {
            SampleFormat::parse(name).ok_or_else(|| Error::Decode(name.into()))
        }
        _ => Err(Error::invalid_argument(
            "format",
            name,
            "fltp, flt, dbl, dblp, s16, s16p, s32, s32p, u8, u8p",
        )),
    }
}

impl StreamWriter {
    /// Opens `dst` for writing (seed: `StreamWriter(dst, format, option)`): a path, or `-` for
    /// stdout. `format` (`wav`, `mp3`, `flac`) overrides the file extension. No container
    /// options exist yet: any `option` key is an [`Error::InvalidArgument`].
    ///
    /// ```no_run
    /// let writer = audiostream::StreamWriter::new("-", Some("wav"), None)?; // WAV on stdout
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn new(dst: &str, format: Option<&str>, option: Option<&Options>) -> Result<Self> {
        // A playback device (options: buffer_frames, queue_frames).
        #[cfg(feature = "device")]
        if format.is_some_and(|f| f.trim().eq_ignore_ascii_case("device")) {
            return crate::device::open_writer(dst, option).map(|(writer, _)| writer);
        }
        #[cfg(feature = "net")]
        if crate::net::is_sink_url(dst) {
            let (name, container, conn) = crate::net::open_sink(dst, format, option)?;
            return Ok(Self::with_sink(name, container, Sink::stream(conn)));
        }
        if let Some(key) = option.and_then(|o| o.keys().next()) {
            return Err(Error::invalid_argument(
                "option",
                key,
                "none (the WAV, MP3 and FLAC writers take no container options)",
            ));
        }
        if dst == "-" {
            let container = format
                .map(|f| f.trim().to_ascii_lowercase())
                .ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "writing to stdout (\"-\") needs format=; one of {}",
                        CONTAINERS.join(", ")
                    ))
                })?;
            let container = container_for("-", Some(&container))?;
            return Ok(Self::with_sink(
                "stdout".into(),
                container,
                Sink::stream(std::io::stdout()),
            ));
        }
        let container = container_for(dst, format)?;
        let file =
            std::fs::File::create(dst).map_err(|e| Error::io(format!("creating {dst:?}"), e))?;
        // Regular files are seekable (headers get patched); FIFOs and devices are streams.
        let seekable = file.metadata().is_ok_and(|m| m.is_file());
        let sink = if seekable {
            Sink::seekable(std::io::BufWriter::new(file))
        } else {
            Sink::stream(std::io::BufWriter::new(file))
        };
        Ok(Self::with_sink(format!("{dst:?}"), container, sink))
    }

    /// Writes into a non-seekable `Write` (a pipe, a socket): WAV gets an open-ended header,
    /// FLAC no total length, MP3 no LAME tag (so no gapless information).
    ///
    /// ```
    /// let writer = audiostream::StreamWriter::from_writer(Vec::new(), "wav")?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_writer<W: Write + Send + 'static>(w: W, format: &str) -> Result<Self> {
        let container = container_for("<writer>", Some(format))?;
        Ok(Self::with_sink(
            "<writer>".into(),
            container,
            Sink::stream(w),
        ))
    }

    /// Writes into a seekable `Write + Seek` (a file, `Cursor<Vec<u8>>`): headers are patched
    /// on `flush` and `close`.
    ///
    /// ```
    /// let writer = audiostream::StreamWriter::from_seekable(std::io::Cursor::new(Vec::new()), "flac")?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_seekable<W: Write + Seek + Send + 'static>(w: W, format: &str) -> Result<Self> {
        let container = container_for("<writer>", Some(format))?;
        Ok(Self::with_sink(
            "<writer>".into(),
            container,
            Sink::seekable(w),
        ))
    }

    fn with_sink(dst_name: String, container: String, sink: Sink) -> Self {
        StreamWriter {
            dst_name,
            container,
            sink: Some(sink),
            stream: None,
            tags: Options::new(),
            finished: false,
            #[cfg(feature = "device")]
            device: None,
        }
    }

    /// A writer playing on a device (see [`crate::device`]).
    #[cfg(feature = "device")]
    pub(crate) fn for_device(dst_name: String, target: crate::device::SinkTarget) -> Self {
        let mut writer = Self::with_sink(dst_name, "device".into(), Sink::stream(std::io::sink()));
        writer.device = Some(target);
        writer
    }

    /// Adds the audio stream: `f32` input at `sample_rate` with `num_channels`, the
    /// container's default encoder (seed: `add_audio_stream(sample_rate, num_channels)`).
    /// Returns the stream index (0).
    ///
    /// ```
    /// let mut writer = audiostream::StreamWriter::from_writer(Vec::new(), "wav")?;
    /// assert_eq!(writer.add_audio_stream(16000, 1)?, 0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn add_audio_stream(&mut self, sample_rate: u32, num_channels: usize) -> Result<usize> {
        self.add_audio_stream_with(AudioEncodeOptions::new(sample_rate, num_channels))
    }

    /// Adds the audio stream configured by `opts`. A WAV, MP3 or FLAC file holds one audio
    /// stream; a second one is an error naming the container.
    ///
    /// ```
    /// use audiostream::{AudioEncodeOptions, StreamWriter};
    /// let mut writer = StreamWriter::from_writer(Vec::new(), "wav")?;
    /// writer.add_audio_stream_with(AudioEncodeOptions::new(48000, 2).format("s16").encoder_format("s24"))?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn add_audio_stream_with(&mut self, opts: AudioEncodeOptions) -> Result<usize> {
        self.check_open()?;
        if self.stream.is_some() {
            return Err(Error::InvalidArgument(format!(
                "a second audio stream: a {} file holds one audio stream",
                self.container
            )));
        }
        if opts.sample_rate == 0 {
            return Err(Error::invalid_argument(
                "sample_rate",
                0,
                "a positive rate in Hz",
            ));
        }
        if opts.num_channels == 0 || opts.num_channels > crate::dsp::MAX_CHANNELS {
            return Err(Error::invalid_argument(
                "num_channels",
                opts.num_channels,
                format!("1 to {}", crate::dsp::MAX_CHANNELS),
            ));
        }
        let input = input_format(&opts.format)?;
        // A playback device takes f32 at a rate and channel count it has; convert to them.
        #[cfg(feature = "device")]
        if let Some(target) = &self.device {
            let (encoder, rate, channels) = target.open(&opts)?;
            let conversion = pipeline::conversion(
                (opts.num_channels, opts.sample_rate),
                (channels, rate),
                false,
                opts.effect.as_ref(),
            )?;
            self.stream = Some(OutputStream {
                encoder,
                input,
                input_name: opts.format.clone(),
                channels: opts.num_channels,
                buffer: PlanarBuffer::new(SampleFormat::F32, channels),
                conversion,
                stats: WriterStats::default(),
                warned_clipping: false,
                written_any: false,
            });
            return Ok(0);
        }
        // The encoder's rate and channels; the conversion stage bridges the difference.
        let encoder_rate = opts.encoder_sample_rate.unwrap_or(opts.sample_rate);
        if encoder_rate == 0 {
            return Err(Error::invalid_argument(
                "encoder_sample_rate",
                0,
                "a positive rate in Hz",
            ));
        }
        let encoder_channels = opts.encoder_num_channels.unwrap_or(opts.num_channels);
        let encoder_channels_u16 = u16::try_from(encoder_channels)
            .ok()
            .filter(|c| *c > 0)
            .ok_or_else(|| {
                Error::invalid_argument("encoder_num_channels", encoder_channels, "1 to 65535")
            })?;
        let conversion = pipeline::conversion(
            (opts.num_channels, opts.sample_rate),
            (encoder_channels, encoder_rate),
            false,
            opts.effect.as_ref(),
        )?;
        let coded_format = match &opts.encoder_format {
            None => None,
            Some(name) => Some(SampleFormat::parse(name).ok_or_else(|| {
                Error::invalid_argument("encoder_format", name, "u8, s16, s24, s32, flt, dbl")
            })?),
        };
        let allowed = container_codecs(&self.container).unwrap_or(&[]);
        let codec: &str = match (&opts.encoder, coded_format) {
            (Some(name), _) => name,
            // WAV: the coded format picks the PCM codec.
            (None, Some(f)) if self.container == "wav" => wav::codec_for_format(f),
            (None, _) => allowed.first().copied().unwrap_or("pcm_s16le"),
        };
        if !allowed.contains(&codec) {
            let known = audiostream_codecs::available_codecs();
            return Err(
                if known.contains(&codec) || codec == "mp3" || codec == "flac" {
                    Error::InvalidArgument(format!(
                        "encoder \"{codec}\" cannot be written into a {} file; it takes: {}",
                        self.container,
                        allowed.join(", ")
                    ))
                } else {
                    Error::Unsupported(format!(
                        "encoder \"{codec}\"; this build has: {}",
                        known.join(", ")
                    ))
                },
            );
        }
        let request = EncoderRequest {
            codec,
            spec: StreamSpec {
                sample_rate: encoder_rate,
                channels: encoder_channels_u16,
            },
            format: coded_format,
            config: opts.codec_config.clone().unwrap_or_default(),
            options: opts.encoder_option.clone(),
        };
        // Check every setting before handing over the output: a failed call leaves the writer
        // usable for a corrected one.
        open_encoder(&request, Sink::stream(std::io::sink()))?;
        let sink = self.sink.take().ok_or(Error::Closed("StreamWriter"))?;
        let mut encoder = open_encoder(&request, sink)?;
        if !self.tags.is_empty() {
            encoder.set_tags(&self.tags)?;
        }
        let coded = encoder.input_format();
        self.stream = Some(OutputStream {
            encoder,
            input,
            input_name: opts.format.clone(),
            channels: opts.num_channels,
            buffer: PlanarBuffer::new(coded, encoder_channels),
            conversion,
            stats: WriterStats::default(),
            warned_clipping: false,
            written_any: false,
        });
        Ok(0)
    }

    /// Sets the file's tags (`title`, `artist`, `album`, `date`, `genre`, `comment`, `track`):
    /// ID3v2 for MP3, Vorbis comments for FLAC, RIFF INFO for WAV. Replaces earlier tags; only
    /// before the first audio is written.
    ///
    /// ```
    /// use audiostream::{Options, StreamWriter};
    /// let mut writer = StreamWriter::from_writer(Vec::new(), "wav")?;
    /// writer.set_metadata(Options::from([("title".into(), "Take 1".into())]))?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn set_metadata(&mut self, tags: Options) -> Result<()> {
        self.check_open()?;
        if let Some(stream) = &mut self.stream {
            if stream.written_any {
                return Err(Error::InvalidArgument(
                    "set_metadata after audio was written; set tags before the first chunk".into(),
                ));
            }
            stream.encoder.set_tags(&tags)?;
        }
        self.tags = tags;
        Ok(())
    }

    /// Writes a `(channels, frames)` chunk to stream `stream_index` (seed:
    /// `write_audio_chunk(i, chunk, pts)`). The sample type must be the stream's input
    /// `format`; floats outside `[-1, 1]` are clipped when the encoder takes integers (counted
    /// in [`stats`](Self::stats), warned once). `pts` counts frames at the input rate: ahead of
    /// what was written, the gap is filled with silence; behind it, an error.
    ///
    /// ```
    /// use audiostream::{ndarray::Array2, StreamWriter};
    /// let mut writer = StreamWriter::from_seekable(std::io::Cursor::new(Vec::new()), "wav")?;
    /// writer.add_audio_stream(8000, 1)?;
    /// writer.write_audio_chunk(0, Array2::<f32>::zeros((1, 80)).view(), None)?;
    /// writer.write_audio_chunk(0, Array2::<f32>::zeros((1, 80)).view(), Some(160))?; // 80 frames of silence first
    /// assert_eq!(writer.stats().frames_written, 240);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn write_audio_chunk<T: Sample>(
        &mut self,
        stream_index: usize,
        chunk: ArrayView2<'_, T>,
        pts: Option<i64>,
    ) -> Result<()> {
        self.check_open()?;
        let container = self.container.clone();
        let stream = self.stream_mut(stream_index)?;
        if T::FORMAT != stream.input {
            return Err(Error::InvalidArgument(format!(
                "chunk of {} samples for a stream whose input format is {} ({}); give {} arrays \
                 or add the stream with format(\"{}\")",
                T::FORMAT.name(),
                stream.input_name,
                stream.input.name(),
                stream.input.name(),
                T::FORMAT.name()
            )));
        }
        if chunk.nrows() != stream.channels {
            return Err(Error::InvalidArgument(format!(
                "chunk with {} channels (rows) for a {}-channel stream; chunks are \
                 (channels, frames)",
                chunk.nrows(),
                stream.channels
            )));
        }
        if let Some(pts) = pts {
            let written = stream.stats.frames_written;
            let pts = u64::try_from(pts)
                .map_err(|_| Error::invalid_argument("pts", pts, "a frame index >= 0"))?;
            if pts < written {
                return Err(Error::InvalidArgument(format!(
                    "pts = {pts} is behind the {written} frames already written to the {container} \
                     stream; pts must not go backwards"
                )));
            }
            let mut gap = pts - written;
            while gap > 0 {
                let n = gap.min(SILENCE_BLOCK);
                match &mut stream.conversion {
                    Some(conv) => {
                        let zeros = Array2::<f32>::zeros((stream.channels, n as usize));
                        let converted = conv.process(zeros)?;
                        stream.encode_f32(&converted)?;
                        stream.drain_effects()?;
                    }
                    None => {
                        stream.buffer.fill_silence(n as usize);
                        stream.encoder.encode(stream.buffer.as_planar())?;
                        stream.stats.encoded_frames += n;
                    }
                }
                stream.stats.frames_written += n;
                stream.stats.silence_frames += n;
                stream.written_any = true;
                gap -= n;
            }
        }
        if chunk.ncols() == 0 {
            return Ok(());
        }
        let clipped = match &mut stream.conversion {
            Some(conv) => {
                let converted = conv.process(chunk.mapv(PcmSample::to_f32))?;
                let clipped = stream.encode_f32(&converted)?;
                stream.drain_effects()?;
                clipped
            }
            None => {
                // Contiguous rows (the usual (channels, frames) array) take the vectorized path.
                let rows: Option<Vec<&[T]>> =
                    chunk.rows().into_iter().map(|r| r.to_slice()).collect();
                let clipped = match rows {
                    Some(rows) => stream.buffer.fill_slices(&rows),
                    None => stream
                        .buffer
                        .fill(chunk.rows().into_iter().map(|row| row.into_iter().copied())),
                };
                stream.encoder.encode(stream.buffer.as_planar())?;
                stream.stats.encoded_frames += chunk.ncols() as u64;
                clipped
            }
        };
        stream.stats.frames_written += chunk.ncols() as u64;
        stream.written_any = true;
        stream.count_clipped(clipped);
        Ok(())
    }

    /// Makes what was written so far readable: encoders write out what they can and headers
    /// are patched (seekable outputs). MP3 and FLAC keep their last partial block (up to 1152
    /// and 4096 frames) until more audio or `close`.
    ///
    /// ```
    /// let mut writer = audiostream::StreamWriter::from_seekable(std::io::Cursor::new(Vec::new()), "wav")?;
    /// writer.add_audio_stream(8000, 1)?;
    /// writer.flush()?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn flush(&mut self) -> Result<()> {
        self.check_open()?;
        if let Some(stream) = &mut self.stream {
            stream.encoder.flush()?;
        }
        Ok(())
    }

    /// Finalizes the file (encoders drained, headers written) without giving up the writer;
    /// writing afterwards is [`Error::Closed`]. Calling it twice does nothing more.
    ///
    /// ```
    /// use audiostream::{Error, ndarray::Array2, StreamWriter};
    /// let mut writer = StreamWriter::from_writer(Vec::new(), "wav")?;
    /// writer.add_audio_stream(8000, 1)?;
    /// writer.finish()?;
    /// let err = writer.write_audio_chunk(0, Array2::<f32>::zeros((1, 8)).view(), None).unwrap_err();
    /// assert!(matches!(err, Error::Closed(_)));
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        match &mut self.stream {
            Some(stream) => stream.finish(),
            None => Ok(()),
        }
    }

    /// Finalizes and closes the file (seed: `close()`). Dropping the writer does the same,
    /// logging what it cannot report.
    ///
    /// ```no_run
    /// let mut writer = audiostream::StreamWriter::new("out.flac", None, None)?;
    /// writer.add_audio_stream(44100, 2)?;
    /// writer.close()?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn close(mut self) -> Result<()> {
        self.finish()
    }

    /// Counters: frames written, silence inserted, samples clipped.
    ///
    /// ```
    /// let writer = audiostream::StreamWriter::from_writer(Vec::new(), "wav")?;
    /// assert_eq!(writer.stats().frames_written, 0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn stats(&self) -> WriterStats {
        self.stream.as_ref().map(|s| s.stats).unwrap_or_default()
    }

    /// The priming and padding the encoder adds (MP3: LAME's delay; padding after close).
    ///
    /// ```
    /// let mut writer = audiostream::StreamWriter::from_writer(Vec::new(), "wav")?;
    /// writer.add_audio_stream(8000, 1)?;
    /// assert_eq!(writer.encoder_delay().delay, 0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn encoder_delay(&self) -> EncoderDelay {
        self.stream
            .as_ref()
            .map(|s| s.encoder.delay())
            .unwrap_or_default()
    }

    fn check_open(&self) -> Result<()> {
        if self.finished {
            Err(Error::Closed("StreamWriter"))
        } else {
            Ok(())
        }
    }

    fn stream_mut(&mut self, stream_index: usize) -> Result<&mut OutputStream> {
        match &mut self.stream {
            None => Err(Error::InvalidArgument(
                "no audio stream; call add_audio_stream() first".into(),
            )),
            Some(_) if stream_index != 0 => Err(Error::invalid_argument(
                "stream_index",
                stream_index,
                "0 (the only stream)",
            )),
            Some(stream) => Ok(stream),
        }
    }
}

impl Drop for StreamWriter {
    fn drop(&mut self) {
        if let Err(e) = self.finish() {
            log::error!(
                "finalizing {} when the writer was dropped: {e}",
                self.dst_name
            );
        }
    }
}
