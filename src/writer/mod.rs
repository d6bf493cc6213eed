//! [`StreamWriter`]: writes audio chunk by chunk into WAV, MP3, FLAC, Ogg Opus or Ogg Vorbis,
//! to files, stdout, Icecast or any `Write`.
//!
//! Data flow: `write_audio_chunk` → input checks (type, channels) → pts gap filled with silence
//! → conversion to the encoder's sample format (clipping counted) → encoder (codecs crate) →
//! sink (file, stdout, `Write`).

pub(crate) mod encoders;
mod memory;
mod options;

use encoders::ContainerEncoders;
use encoders::EncoderFactory;
pub use options::{AudioEncodeOptions, Pts};

use crate::pipeline::{self, Pipeline, Stage};
use crate::{Error, Options, Result, Sample};
use audiostream_codecs::convert::{PcmSample, PlanarBuffer};
use audiostream_codecs::{EncodeError, Encoder, EncoderDelay, SampleFormat, Sink, CONTAINERS};
use ndarray::{Array2, ArrayView2};
use std::io::{Seek, Write};
use std::path::Path;

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
struct EncodedStream {
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

impl EncodedStream {
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

/// Writes audio into a WAV, MP3, FLAC, Ogg Opus or Ogg Vorbis file, stdout or any `Write`
/// (seed: `StreamWriter`).
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
    /// Makes the stream's encoder once `add_audio_stream` tells its shape: a container's codec
    /// over the sink, or a playback device.
    encoders: Box<dyn EncoderFactory>,
    stream: Option<EncodedStream>,
    tags: Options,
    finished: bool,
    /// The `Write` value of `from_writer`/`from_seekable` (an `Arc<Mutex<W>>`), for
    /// `into_inner`.
    sink_handle: Option<Box<dyn std::any::Any + Send>>,
    /// The audio stream's input rate (0 before `add_audio_stream`), for pts in seconds.
    input_rate: u32,
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
fn container_for(dst: &Path, format: Option<&str>) -> Result<String> {
    let name = match format {
        Some(f) => f.trim().to_ascii_lowercase(),
        None => dst
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
        "oga" => "ogg".to_string(),
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
            SampleFormat::parse(name).ok_or_else(|| Error::decode(name))
        }
        _ => Err(Error::invalid_argument(
            "format",
            name,
            "fltp, flt, dbl, dblp, s16, s16p, s32, s32p, u8, u8p",
        )),
    }
}

impl StreamWriter {
    /// Opens a path, or `-` for stdout ([`StreamWriter::new`] without URLs and devices).
    pub(crate) fn create(
        dst: &Path,
        format: Option<&str>,
        option: Option<&Options>,
    ) -> Result<Self> {
        if let Some(key) = option.and_then(|o| o.keys().next()) {
            return Err(Error::invalid_argument(
                "option",
                key,
                "none (the WAV, MP3, FLAC and Ogg writers take no container options)",
            ));
        }
        if dst.as_os_str() == "-" {
            let container = format
                .map(|f| f.trim().to_ascii_lowercase())
                .ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "writing to stdout (\"-\") needs format=; one of {}",
                        CONTAINERS.join(", ")
                    ))
                })?;
            let container = container_for(dst, Some(&container))?;
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
    /// FLAC no total length, MP3 no LAME tag (so no gapless information); Ogg Opus and Vorbis
    /// are the same as in a file (nothing in them is patched).
    ///
    /// ```
    /// let writer = audiostream::StreamWriter::from_writer(Vec::new(), "wav")?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_writer<W: Write + Send + 'static>(w: W, format: &str) -> Result<Self> {
        let container = container_for(Path::new("<writer>"), Some(format))?;
        let (shared, handle) = memory::SharedSink::new(w);
        let mut writer = Self::with_sink("<writer>".into(), container, Sink::stream(shared));
        writer.sink_handle = Some(handle);
        Ok(writer)
    }

    /// Writes into a seekable `Write + Seek` (a file, `Cursor<Vec<u8>>`): headers are patched
    /// on `flush` and `close`.
    ///
    /// ```
    /// let writer = audiostream::StreamWriter::from_seekable(std::io::Cursor::new(Vec::new()), "flac")?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_seekable<W: Write + Seek + Send + 'static>(w: W, format: &str) -> Result<Self> {
        let container = container_for(Path::new("<writer>"), Some(format))?;
        let (shared, handle) = memory::SharedSink::new(w);
        let mut writer = Self::with_sink("<writer>".into(), container, Sink::seekable(shared));
        writer.sink_handle = Some(handle);
        Ok(writer)
    }

    /// A writer whose encoder is the container's codec writing into `sink`.
    pub(crate) fn with_sink(dst_name: String, container: String, sink: Sink) -> Self {
        let encoders = ContainerEncoders::new(container.clone(), sink);
        Self::with_encoders(dst_name, container, Box::new(encoders))
    }

    /// A writer whose encoder `encoders` makes (a playback device, see [`crate::device`]);
    /// `kind` names the destination in messages ("device").
    pub(crate) fn with_encoders(
        dst_name: String,
        kind: String,
        encoders: Box<dyn EncoderFactory>,
    ) -> Self {
        StreamWriter {
            dst_name,
            container: kind,
            encoders,
            stream: None,
            tags: Options::new(),
            finished: false,
            sink_handle: None,
            input_rate: 0,
        }
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
    /// stream; a second one is an error naming the container. Input and encoder rates above
    /// [`limits::MAX_SAMPLE_RATE`](crate::limits::MAX_SAMPLE_RATE) are an
    /// [`Error::InvalidArgument`]: no reader would take the file.
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
        crate::limits::check_channels("num_channels", opts.num_channels)?;
        let input = input_format(&opts.format)?;
        let shape = self.encoders.plan(&opts)?;
        // After the codec's own checks (their messages name the codec's limits), the rates
        // against the library's: a stream above MAX_SAMPLE_RATE would be written and then
        // refused by every StreamReader, this one's included.
        for (name, rate) in [
            ("sample_rate", opts.sample_rate),
            ("encoder_sample_rate", shape.sample_rate),
        ] {
            crate::limits::check_sample_rate(name, rate)?;
        }
        let conversion = pipeline::conversion(
            (opts.num_channels, opts.sample_rate),
            (shape.channels, shape.sample_rate),
            false,
            opts.effect.as_ref(),
        )?;
        let encoder = self.encoders.make(&opts, &self.tags)?;
        let coded = encoder.input_format();
        self.stream = Some(EncodedStream {
            encoder,
            input,
            input_name: opts.format.clone(),
            channels: opts.num_channels,
            buffer: PlanarBuffer::new(coded, shape.channels),
            conversion,
            stats: WriterStats::default(),
            warned_clipping: false,
            written_any: false,
        });
        self.input_rate = opts.sample_rate;
        Ok(0)
    }

    /// Sets the file's tags (`title`, `artist`, `album`, `date`, `genre`, `comment`, `track`):
    /// ID3v2 for MP3, Vorbis comments for FLAC, Ogg Opus and Ogg Vorbis, RIFF INFO for WAV.
    /// Replaces earlier tags; only before the first audio is written.
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
    /// in [`stats`](Self::stats), warned once). `pts` ([`Pts`]) is `None`, a frame index at the
    /// input rate (`Some(160)`), or seconds (a reader chunk's `chunk.pts`, rounded to the
    /// nearest input frame): ahead of what was written, the gap is filled with silence; behind
    /// it, an error.
    ///
    /// ```
    /// use audiostream::{ndarray::Array2, StreamWriter};
    /// let mut writer = StreamWriter::from_seekable(std::io::Cursor::new(Vec::new()), "wav")?;
    /// writer.add_audio_stream(8000, 1)?;
    /// writer.write_audio_chunk(0, Array2::<f32>::zeros((1, 80)).view(), None)?;
    /// writer.write_audio_chunk(0, Array2::<f32>::zeros((1, 80)).view(), Some(160))?; // 80 frames of silence first
    /// assert_eq!(writer.stats().frames_written, 240);
    /// writer.write_audio_chunk(0, Array2::<f32>::zeros((1, 80)).view(), 0.04)?; // seconds: frame 320
    /// assert_eq!(writer.stats().frames_written, 400);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn write_audio_chunk<T: Sample>(
        &mut self,
        stream_index: usize,
        chunk: ArrayView2<'_, T>,
        pts: impl Into<Pts>,
    ) -> Result<()> {
        self.check_open()?;
        let input_rate = self.input_rate;
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
        let pts = match pts.into() {
            Pts::Next => None,
            Pts::Frames(f) => Some(
                u64::try_from(f)
                    .map_err(|_| Error::invalid_argument("pts", f, "a frame index >= 0"))?,
            ),
            Pts::Seconds(s) => {
                let frame = (s * f64::from(input_rate)).round();
                // Below 2^53 frames (1.6 million years at 192 kHz) a float holds the index.
                if !(0.0..9.0e15).contains(&frame) {
                    return Err(Error::invalid_argument(
                        "pts",
                        format!("{s} s"),
                        "a finite time in seconds, not below 0",
                    ));
                }
                Some(frame as u64)
            }
        };
        if let Some(pts) = pts {
            let written = stream.stats.frames_written;
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

    /// [`write_audio_chunk`](Self::write_audio_chunk) for interleaved samples (`L0 R0 L1 R1
    /// ...`), for code that does not use ndarray. The length must be a whole number of frames
    /// of the stream's channel count.
    ///
    /// ```
    /// let mut writer = audiostream::StreamWriter::to_memory("wav")?;
    /// writer.add_audio_stream(8000, 2)?;
    /// writer.write_interleaved(0, &[0.5f32, -0.5, 0.25, -0.25], None)?;
    /// assert_eq!(writer.stats().frames_written, 2);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn write_interleaved<T: Sample>(
        &mut self,
        stream_index: usize,
        samples: &[T],
        pts: impl Into<Pts>,
    ) -> Result<()> {
        self.check_open()?;
        let channels = self.stream_mut(stream_index)?.channels;
        if !samples.len().is_multiple_of(channels) {
            return Err(Error::invalid_argument(
                "samples",
                format!("{} interleaved samples", samples.len()),
                format!("a multiple of the stream's {channels} channels"),
            ));
        }
        let frames = samples.len() / channels;
        // (frames, channels) row-major is the interleaved layout; its transpose is the
        // (channels, frames) view the writer takes, without a copy.
        let view = ArrayView2::from_shape((frames, channels), samples)
            .map_err(|e| Error::InvalidArgument(format!("samples: {e}")))?;
        self.write_audio_chunk(stream_index, view.t(), pts)
    }

    /// Makes what was written so far readable: encoders write out what they can and headers
    /// are patched (seekable outputs). MP3 and FLAC keep their last partial block (up to 1152
    /// and 4096 frames), Opus its last partial frame (20 ms by default) and Vorbis up to two
    /// blocks (about 4096 frames) until more audio or `close`.
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

    fn stream_mut(&mut self, stream_index: usize) -> Result<&mut EncodedStream> {
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
