//! [`StreamReader`]: reads audio in fixed-size chunks from files, memory and streams.
//!
//! Data flow, one packet per `process_packet` call:
//! demuxer (symphonia `FormatReader`) → one decoder per source stream that has outputs →
//! each output's [`OutputBuffer`](buffer::OutputBuffer) → `pop_chunks()`.
//!
//! Positions are counted in frames of the full decode, from the first frame: a chunk's pts is
//! its first frame's index divided by the sample rate. After a seek the position comes from the
//! first packet's timestamp, and frames before the target are cut from the decoded audio, so
//! seeking is exact to the sample.
//!
//! An output with another sample rate or channel count has a
//! [`Conversion`](convert::Conversion) between the decoder and its buffer (remix, then
//! resample); its positions and pts count frames at its own rate. Outputs without one get the
//! decoded frames directly (no copy through `f32` arrays).

mod buffer;
mod convert;
pub(crate) mod live;
pub(crate) mod metadata;
mod mp3_estimate;
mod options;
mod opus;
mod raw;
pub mod registry;
mod riff_info;
pub(crate) mod source;
mod wav_slots;

pub use metadata::{MediaType, Metadata, SourceStream};
pub use options::{AudioStreamOptions, OutputStream};

use crate::{Chunk, Error, Options, Result};
use buffer::OutputBuffer;
use convert::Conversion;
use metadata::from_symphonia;
use ndarray::Array2;
use std::collections::HashMap;
use std::io::{Read, Seek};

use std::time::Duration;
use symphonia::core::audio::GenericAudioBufferRef;
use symphonia::core::codecs::audio::{AudioCodecParameters, AudioDecoder, AudioDecoderOptions};
use symphonia::core::codecs::CodecParameters;
use symphonia::core::errors::{Error as SymError, SeekErrorKind};
use symphonia::core::formats::{FormatReader, SeekMode, SeekTo, Track};
use symphonia::core::io::{MediaSource, ReadOnlySource};
use symphonia::core::packet::Packet;
use symphonia::core::units::{Time, TimeBase, Timestamp};

/// Counters a reader keeps while it runs.
///
/// ```
/// let s = audiostream::ReaderStats::default();
/// assert_eq!(s.failed_packets, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReaderStats {
    /// Packets decoded (for every decoded source stream).
    pub decoded_packets: u64,
    /// Packets that failed to decode and were skipped.
    pub failed_packets: u64,
    /// Chunks dropped because more than `buffer_chunk_size` were waiting.
    pub dropped_chunks: u64,
    /// Places where packets were missing (lost to corruption or undecodable), by their
    /// timestamps.
    pub gaps: u64,
    /// Frames of silence put in those places, so that later audio keeps its true time.
    pub gap_frames: u64,
    /// Live sources: times data arrived while the queue was full and was dropped (capture
    /// overruns).
    pub overruns: u64,
    /// Live sources: times the source was reopened after the connection dropped.
    pub reconnects: u64,
}

/// One decoder, shared by every output that reads its source stream.
struct DecoderSlot {
    /// `None` only while a packet is being decoded (see `decode_packet`).
    decoder: Option<Box<dyn AudioDecoder>>,
    codec: String,
    sample_rate: u32,
    channels: usize,
    time_base: Option<TimeBase>,
    /// Timestamp of the first decoded frame of the stream, in time-base units: where frame 0
    /// is. Demuxers disagree on where a stream starts (Ogg says before the encoder delay, MP3
    /// at the trimmed start), so it is taken from the first decoded packet when the stream is
    /// read from its start, and assumed at `max(track start, 0)` until then.
    start_ts: i64,
    /// Whether the next decoded frames are the stream's first (read from the start).
    at_stream_start: bool,
    /// Stream frame index of the next decoded frame; `None` after a seek until a packet says.
    position: Option<u64>,
    /// Decoded frames before this stream frame are dropped (the seek target).
    discard_until: u64,
    decoded_packets: u64,
    failed_packets: u64,
    last_error: Option<String>,
    /// Whether encoder delay and padding are trimmed (the packets' `trim_start`/`trim_end`).
    gapless: bool,
    /// Whether the decoder trims them itself (symphonia's MPEG audio and Vorbis decoders do);
    /// for every other decoder the reader cuts them from the decoded frames.
    decoder_trims: bool,
    /// Frames past this one are padding the container says to drop (MP4: the sample table's
    /// total; the last AAC packet decodes to a whole 1024-frame block).
    end_frame: Option<u64>,
    /// Frames of silence put where packets were missing, and how many such gaps.
    gap_frames: u64,
    lost_gaps: u64,
    /// While the stream runs at another rate than it started with: the resampler back to its
    /// first rate (channel counts are remixed per output, to each output's count).
    reshape: Option<Reshape>,
    warned_reshape: bool,
    /// Decoded frames handed to the outputs (before their own cuts).
    frames_out: u64,
    /// Whether the stream was read from its start (no seek since it was opened).
    read_from_start: bool,
    /// A packet held back while the gap before it is filled with silence a step at a time.
    held: Option<Packet>,
    /// Whether the gap being filled was counted already (it is filled in steps).
    gap_in_steps: bool,
    /// Frames at the start of the stream that are the encoder's, not audio, where the
    /// demuxer says how many but does not mark them in its packets (Ogg Opus's pre-skip:
    /// symphonia's Ogg demuxer reports it as the track's delay only).
    lead: u64,
    /// Of those, the ones still to cut (reading from the start).
    lead_left: u64,
}

/// Decoded frames at another rate than the stream's first, resampled back to it.
struct Reshape {
    /// (rate, channels) of the frames resampled.
    from: (u32, usize),
    resampler: crate::dsp::Resampler,
}

/// Where a packet's decoded frames go: `start`, the stream frame of the first one as the
/// reader counts; `packet_frame`, where the packet's timestamp says it starts, when that is
/// to be trusted over the count (a later timestamp means packets were lost).
#[derive(Clone, Copy, Debug)]
struct Placement {
    start: u64,
    packet_frame: Option<u64>,
}

/// Decoded frames handed to the outputs: a decoder's buffer (frames from `front` on), or
/// frames already converted to `f32` (at the stream's rate, in any channel count).
enum Frames<'a> {
    Decoded {
        buf: &'a GenericAudioBufferRef<'a>,
        front: usize,
    },
    Planar(ndarray::ArrayView2<'a, f32>),
}

impl Frames<'_> {
    /// Channels of the frames, given the stream's.
    fn channels(&self, stream_channels: usize) -> usize {
        match self {
            Frames::Decoded { .. } => stream_channels,
            Frames::Planar(view) => view.nrows(),
        }
    }

    fn push_to(&self, buffer: &mut OutputBuffer, range: std::ops::Range<usize>, keep_all: bool) {
        match self {
            Frames::Decoded { buf, front } => {
                buffer.push_decoded(buf, front + range.start..front + range.end, keep_all)
            }
            Frames::Planar(view) => buffer.push_view(view.slice(ndarray::s![.., range]), keep_all),
        }
    }

    fn planar(&self, channels: usize, range: std::ops::Range<usize>) -> Array2<f32> {
        match self {
            Frames::Decoded { buf, front } => {
                decoded_planar(buf, channels, front + range.start..front + range.end)
            }
            Frames::Planar(view) => view.slice(ndarray::s![.., range]).to_owned(),
        }
    }
}

use crate::limits::{
    MAX_FRAMES_PER_CHUNK, MAX_GAP_SECONDS, MAX_PACKET_SAMPLES, MAX_SAMPLE_RATE, MAX_STREAM_CHANNELS,
};

/// The most frames of gap silence put out by one `process_packet` call.
const GAP_STEP: u64 = 1 << 16;

/// Runs `f`, turning a panic inside it (a fault in a demuxer or decoder we use) into an error
/// message instead of unwinding through the caller.
fn contain<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string())
    })
}

/// A panic message as symphonia's `DecodeError` takes it (`&'static str`): the few distinct
/// messages a faulty decoder produces are interned, so repeated faults do not leak more.
fn leak_panic_message(message: String) -> &'static str {
    use std::sync::Mutex;
    static SEEN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let text = format!("the decoder failed ({message})");
    let Ok(mut seen) = SEEN.lock() else {
        return "the decoder failed";
    };
    if let Some(s) = seen.iter().find(|s| **s == text) {
        return s;
    }
    if seen.len() >= 64 {
        return "the decoder failed";
    }
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    seen.push(leaked);
    leaked
}

impl DecoderSlot {
    /// Where the frames of a packet whose first frame has timestamp `packet_ts` go.
    /// `trust_timestamp`: a timestamp later than the count means lost packets (a gap to fill);
    /// not where the stream's rate changed (its timestamps then count other frames).
    fn place(&mut self, packet_ts: i64, trust_timestamp: bool) -> Placement {
        // Frame 0 is where the first decoded packet of the stream starts.
        let packet_frame = if self.at_stream_start {
            self.at_stream_start = false;
            self.start_ts = packet_ts;
            0
        } else {
            self.frame_of(packet_ts)
        };
        let start = self.position.unwrap_or(packet_frame);
        let max_gap = MAX_GAP_SECONDS * u64::from(self.sample_rate);
        let gap = packet_frame.saturating_sub(start);
        let gap_is_loss = trust_timestamp && self.exact_timestamps() && gap <= max_gap;
        Placement {
            start,
            packet_frame: gap_is_loss.then_some(packet_frame),
        }
    }

    /// Frames of silence a packet's timestamp says are missing before it (lost packets),
    /// when they will be filled (see `place`).
    fn gap_before(&self, packet: &Packet) -> Option<u64> {
        if self.at_stream_start || self.reshape.is_some() || !self.exact_timestamps() {
            return None;
        }
        let start = self.position?;
        let packet_frame = self.frame_of(self.first_frame_ts(packet));
        let gap = packet_frame.saturating_sub(start);
        let max_gap = MAX_GAP_SECONDS * u64::from(self.sample_rate);
        (gap > 0 && gap <= max_gap).then_some(gap)
    }

    /// Where `frames` frames of gap silence go: at the position reached.
    fn placement_for_silence(&self, frames: u64) -> (u64, u64) {
        let start = self.position.unwrap_or(0);
        (start, frames)
    }

    /// Frames decoded in another shape (`from` = rate, channels) than the stream started
    /// with: resampled to the stream's rate (their channels stay; each output remixes them to
    /// its own count).
    fn reshape_to_stream_rate(
        &mut self,
        from: (u32, usize),
        frames: Array2<f32>,
    ) -> Result<Array2<f32>> {
        if self.reshape.is_none() && !self.warned_reshape {
            self.warned_reshape = true;
            log::warn!(
                "{} stream changes from {} Hz / {} channels to {} Hz / {} channels mid-stream; \
                 converted to each output's rate and channels",
                self.codec,
                self.sample_rate,
                self.channels,
                from.0,
                from.1
            );
        }
        if from.0 == self.sample_rate {
            return Ok(frames);
        }
        let reshape = match &mut self.reshape {
            Some(r) => r,
            empty => empty.insert(Reshape {
                from,
                resampler: crate::dsp::Resampler::new(from.0, self.sample_rate, from.1)?,
            }),
        };
        reshape.resampler.process(frames.view())
    }

    /// Ends a resampling from another rate when the frames now come in `shape`: returns its
    /// tail (its last frames), which comes before them.
    fn end_reshape_unless(&mut self, shape: (u32, usize)) -> Result<Option<Array2<f32>>> {
        match self.reshape.take() {
            Some(r) if r.from == shape => {
                self.reshape = Some(r);
                Ok(None)
            }
            Some(mut r) => r.resampler.flush().map(Some),
            None => Ok(None),
        }
    }

    /// Whether a timestamp names one frame exactly (time base = 1 / sample rate).
    fn exact_timestamps(&self) -> bool {
        self.time_base
            .is_some_and(|tb| tb.numer.get() == 1 && tb.denom.get() == self.sample_rate)
    }

    /// Timestamp of the first frame this packet decodes to (after the decoder's gapless trim).
    fn first_frame_ts(&self, packet: &Packet) -> i64 {
        let trim = if self.gapless {
            packet.trim_start.get() as i64
        } else {
            0
        };
        packet.pts.get().saturating_add(trim)
    }

    /// Frames the reader cuts from the front and the back of a packet's `frames` decoded
    /// frames: the container's delay and padding, where the decoder does not cut them itself
    /// (`cut`).
    fn trim_of(cut: bool, packet: &Packet, frames: usize) -> (usize, usize) {
        if !cut {
            return (0, 0);
        }
        let front = usize::try_from(packet.trim_start.get()).map_or(frames, |t| t.min(frames));
        let back = usize::try_from(packet.trim_end.get()).map_or(frames, |t| t.min(frames - front));
        (front, back)
    }

    /// Frames to decode before a seek target so the decoder's state is rebuilt by then.
    fn preroll_frames(&self) -> u64 {
        match self.codec.as_str() {
            c if c.starts_with("pcm_") => 0,
            "flac" | "alac" | "wavpack" => 0,
            // Every ADPCM block starts from the state in its own header.
            c if c.starts_with("adpcm") => 0,
            // Two packets cover MDCT overlap and MP3's bit reservoir (at most 511 bytes back).
            "mp1" | "mp2" | "mp3" => 3 * 1152,
            "aac" => 2 * 1024,
            // RFC 7845 §4.6 asks for at least 80 ms; after 80 ms the decoder's state is still
            // 25 dB from a full decode's, after 320 ms 95 dB (and soon bit for bit).
            "opus" => 4 * 3840,
            // Vorbis blocks are at most 8192 frames; one earlier block completes the overlap.
            _ => 2 * 8192,
        }
    }

    /// Stream frame index of timestamp `ts`.
    fn frame_of(&self, ts: i64) -> u64 {
        let rel = ts.saturating_sub(self.start_ts).max(0) as u128;
        match self.time_base {
            Some(tb) => {
                let num = rel * u128::from(tb.numer.get()) * u128::from(self.sample_rate);
                let den = u128::from(tb.denom.get());
                ((num + den / 2) / den) as u64
            }
            None => rel as u64,
        }
    }
}

/// One output stream: which source stream it reads, its conversion (if any) and its chunk
/// buffer.
struct Output {
    src: usize,
    buffer: OutputBuffer,
    /// Resampling and remixing; `None` when the output has the source's rate and channels
    /// (decoded frames go straight into the buffer).
    conv: Option<Conversion>,
    /// Source frames before this one are not for this output (a seek target, or the frame a
    /// conversion restarts at).
    from: u64,
    info: OutputStream,
}

/// Reads audio from a file, memory, a stream or stdin in chunks of a fixed number of frames
/// (seed: `StreamReader`).
///
/// ```no_run
/// use audiostream::StreamReader;
/// let mut reader = StreamReader::new("input.flac", None, None)?;
/// reader.add_basic_audio_stream(1024, 4)?;
/// while reader.process_packet()? != 0 {
///     if let Some(chunk) = &reader.pop_chunks()[0] {
///         println!("{} frames at {:.3} s", chunk.ncols(), chunk.pts);
///     }
/// }
/// // The last, shorter chunk is ready once process_packet() has returned 0.
/// for chunk in reader.pop_chunks().into_iter().flatten() {
///     println!("last: {} frames", chunk.ncols());
/// }
/// # Ok::<(), audiostream::Error>(())
/// ```
pub struct StreamReader {
    src_name: String,
    demuxer: Box<dyn FormatReader>,
    container: String,
    byte_len: Option<u64>,
    /// How the demuxer was chosen, to reopen it at the start.
    open_spec: source::OpenSpec,
    container_tags: Options,
    tracks: Vec<Track>,
    streams: Vec<SourceStream>,
    decoders: Vec<Option<DecoderSlot>>,
    outputs: Vec<Output>,
    ended: bool,
    /// The demuxer has no more packets and the outputs' tails are going out (see
    /// `finish_step`).
    draining: bool,
    /// The demuxer returned the end of the file (it may need reopening to seek).
    demuxer_at_eof: bool,
    /// Set while `stream()` iterates: nothing is dropped then.
    keep_all: bool,
    /// The queue of a live source (network, device); `None` for files, memory and pipes.
    live: Option<Box<dyn live::LiveSource>>,
}

impl std::fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamReader")
            .field("src", &self.src_name)
            .field("format", &self.container)
            .field("num_src_streams", &self.streams.len())
            .field("num_out_streams", &self.outputs.len())
            .finish()
    }
}

/// The sample type of an output's chunks from its torchaudio/FFmpeg name.
fn output_format(name: &str) -> Result<crate::SampleFormat> {
    use crate::SampleFormat as F;
    Ok(match name.trim().to_ascii_lowercase().as_str() {
        "flt" | "fltp" | "f32" => F::F32,
        "dbl" | "dblp" | "f64" => F::F64,
        "s16" | "s16p" => F::S16,
        "s32" | "s32p" => F::S32,
        "u8" | "u8p" => F::U8,
        _ => {
            return Err(Error::invalid_argument(
                "format",
                name,
                "fltp/flt (f32, the default), dblp/dbl (f64), s16p/s16, s32p/s32, u8p/u8",
            ))
        }
    })
}

/// Parses a `true`/`false` option value.
fn parse_bool(name: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(Error::invalid_argument(name, value, "true or false")),
    }
}

impl StreamReader {
    /// Reads from any `Read + Seek` value, e.g. `Cursor<Vec<u8>>` (seekable).
    ///
    /// ```
    /// # fn wav() -> Vec<u8> { let mut v = b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data\x08\0\0\0".to_vec(); v.extend([0,0,0,64,0,192,255,127]); v }
    /// let mut reader = audiostream::StreamReader::from_reader(std::io::Cursor::new(wav()), None)?;
    /// reader.add_basic_audio_stream(4, 3)?;
    /// reader.process_all_packets()?;
    /// let chunk = reader.pop_chunks().remove(0).unwrap();
    /// assert_eq!(chunk.data[[0, 1]], 0.5);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_reader<R: Read + Seek + Send + Sync + 'static>(
        r: R,
        format: Option<&str>,
    ) -> Result<Self> {
        Self::from_reader_with(r, format, None)
    }

    /// [`from_reader`](Self::from_reader) with format options (e.g. raw PCM's `sample_rate`).
    ///
    /// ```
    /// use audiostream::{Options, StreamReader};
    /// let bytes: Vec<u8> = [0i16, 16384, -16384].iter().flat_map(|s| s.to_le_bytes()).collect();
    /// let opts = Options::from([("sample_rate".into(), "8000".into())]);
    /// let mut r = StreamReader::from_reader_with(std::io::Cursor::new(bytes), Some("s16le"), Some(&opts))?;
    /// r.add_basic_audio_stream(16, 3)?;
    /// r.process_all_packets()?;
    /// assert_eq!(r.pop_chunks()[0].as_ref().unwrap().data.row(0).to_vec(), [0.0, 0.5, -0.5]);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_reader_with<R: Read + Seek + Send + Sync + 'static>(
        r: R,
        format: Option<&str>,
        option: Option<&Options>,
    ) -> Result<Self> {
        let source = source::SeekableSource::new(r)?;
        Self::open(
            "<reader>".into(),
            Box::new(source),
            None,
            format,
            option,
            false,
        )
    }

    /// Reads from a non-seekable `Read` (a pipe, a socket). Seeking works forward only.
    ///
    /// ```no_run
    /// let stdin = std::io::stdin();
    /// let mut reader = audiostream::StreamReader::from_stream(stdin, Some("mp3"))?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_stream<R: Read + Send + Sync + 'static>(
        r: R,
        format: Option<&str>,
    ) -> Result<Self> {
        Self::from_stream_with(r, format, None)
    }

    /// [`from_stream`](Self::from_stream) with format options (e.g. raw PCM's `sample_rate`).
    ///
    /// ```no_run
    /// use audiostream::{Options, StreamReader};
    /// let opts = Options::from([("sample_rate".into(), "48000".into()), ("channels".into(), "2".into())]);
    /// let reader = StreamReader::from_stream_with(std::io::stdin(), Some("f32le"), Some(&opts))?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_stream_with<R: Read + Send + Sync + 'static>(
        r: R,
        format: Option<&str>,
        option: Option<&Options>,
    ) -> Result<Self> {
        Self::open(
            "<stream>".into(),
            Box::new(ReadOnlySource::new(r)),
            None,
            format,
            option,
            false,
        )
    }

    /// Opens a source. `remote`: reading it costs requests (a network stream), so nothing is
    /// read beyond what the demuxer needs (no frame walk for an MP3 length estimate).
    pub(crate) fn open(
        src_name: String,
        source: Box<dyn MediaSource>,
        ext: Option<&str>,
        format: Option<&str>,
        option: Option<&Options>,
        remote: bool,
    ) -> Result<Self> {
        let empty = Options::new();
        let option = option.unwrap_or(&empty);
        let open_spec = source::OpenSpec {
            ext: ext.map(str::to_string),
            format: format.map(|f| f.trim().to_ascii_lowercase()),
            option: option.clone(),
            remote,
        };
        let mut demuxer = source::open_demuxer(&src_name, source, &open_spec)?;
        let tracks = demuxer.reader.tracks().to_vec();
        let (mut media_tags, track_tags) = collect_tags(demuxer.reader.as_mut());
        for (k, v) in std::mem::take(&mut demuxer.extra_tags) {
            media_tags.entry(k).or_insert(v);
        }
        let single_track = tracks.len() == 1;
        let streams = tracks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut tags = track_tags
                    .get(&u64::from(t.id))
                    .cloned()
                    .unwrap_or_default();
                if single_track {
                    for (k, v) in &media_tags {
                        tags.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
                let estimate = Estimate {
                    byte_len: if single_track { demuxer.byte_len } else { None },
                    frames: if single_track {
                        demuxer.estimated_frames
                    } else {
                        None
                    },
                    container_estimates: demuxer.container == "aac",
                    // Ogg Opus counts its pre-skip in the stream's length (DecoderSlot::lead).
                    lead: if demuxer.container == "ogg" {
                        u64::from(t.delay.unwrap_or(0))
                    } else {
                        0
                    },
                };
                describe_track(i, t, tags, estimate)
            })
            .collect::<Vec<_>>();
        let decoders = tracks.iter().map(|_| None).collect();
        Ok(StreamReader {
            src_name,
            demuxer: demuxer.reader,
            container: demuxer.container,
            byte_len: demuxer.byte_len,
            open_spec,
            container_tags: media_tags,
            tracks,
            streams,
            decoders,
            outputs: Vec::new(),
            ended: false,
            draining: false,
            demuxer_at_eof: false,
            keep_all: false,
            live: None,
        })
    }

    /// Opens a live source (network stream, capture device): like a file, plus the handle
    /// on its queue that [`process_packet_with`](Self::process_packet_with) waits on.
    #[allow(dead_code)] // used by the `net` and `device` features
    pub(crate) fn open_live(l: live::LiveOpen) -> Result<Self> {
        let mut reader = Self::open(
            l.src_name,
            l.source,
            l.ext.as_deref(),
            l.format.as_deref(),
            Some(&l.demuxer_options),
            true,
        )?;
        reader.live = Some(l.live);
        Ok(reader)
    }

    /// Adds an output stream reading the default audio stream in chunks of `frames_per_chunk`
    /// frames, keeping at most `buffer_chunk_size` chunks waiting (seed:
    /// `add_basic_audio_stream`). Returns the output's index in `pop_chunks()`.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// assert_eq!(reader.add_basic_audio_stream(1024, 3)?, 0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn add_basic_audio_stream(
        &mut self,
        frames_per_chunk: usize,
        buffer_chunk_size: usize,
    ) -> Result<usize> {
        self.add_audio_stream(
            AudioStreamOptions::new(frames_per_chunk).buffer_chunk_size(buffer_chunk_size),
        )
    }

    /// Adds an output stream configured by `opts`. Several outputs may read the same or
    /// different source streams, each with its own chunking.
    ///
    /// `sample_rate` and `num_channels` convert, per output (outputs on the same source may
    /// differ): decoded frames are remixed ([`dsp::Remixer`](crate::dsp::Remixer)) and then
    /// resampled ([`dsp::Resampler`](crate::dsp::Resampler)), and chunks hold
    /// `frames_per_chunk` frames at the output's rate, chunk *i* at `i * frames_per_chunk /
    /// sample_rate`. A stream of `n` source frames gives exactly
    /// [`output_frames`](crate::dsp::output_frames)`(source rate, sample_rate, n)` frames, the
    /// samples of the whole decode converted in one piece, bit for bit, whatever the
    /// chunking, and after any [`seek`](Self::seek). An output added after reading has begun
    /// starts its conversion at the frame reached (seek to line it up with a full converted
    /// decode). `sample_rate = 0`, `num_channels = 0` or more than
    /// [`MAX_CHANNELS`](crate::dsp::MAX_CHANNELS) are [`Error::InvalidArgument`]; a rate pair
    /// the resampler cannot do is [`Error::Unsupported`].
    ///
    /// ```no_run
    /// use audiostream::{AudioStreamOptions, StreamReader};
    /// let mut reader = StreamReader::new("music.flac", None, None)?;
    /// // 16 kHz mono in chunks of 0.1 s, next to the source format in chunks of 4096 frames.
    /// reader.add_audio_stream(AudioStreamOptions::new(1600).sample_rate(16000).num_channels(1))?;
    /// reader.add_basic_audio_stream(4096, 3)?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    ///
    /// ```no_run
    /// use audiostream::{AudioStreamOptions, StreamReader};
    /// let mut reader = StreamReader::new("movie.mkv", None, None)?;
    /// let second_audio = (0..reader.num_src_streams())
    ///     .filter(|&i| reader.get_src_stream_info(i).map_or(false, |s| s.media_type.as_str() == "audio"))
    ///     .nth(1)
    ///     .expect("two audio tracks");
    /// reader.add_audio_stream(AudioStreamOptions::new(4096).stream_index(second_audio))?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn add_audio_stream(&mut self, opts: AudioStreamOptions) -> Result<usize> {
        if opts.frames_per_chunk == 0 || opts.frames_per_chunk > MAX_FRAMES_PER_CHUNK {
            return Err(Error::invalid_argument(
                "frames_per_chunk",
                opts.frames_per_chunk,
                format!("1 to {MAX_FRAMES_PER_CHUNK} frames"),
            ));
        }
        if opts.buffer_chunk_size == 0 {
            return Err(Error::invalid_argument(
                "buffer_chunk_size",
                0,
                "a positive number of chunks",
            ));
        }
        if opts.sample_rate == Some(0) {
            return Err(Error::invalid_argument(
                "sample_rate",
                0,
                "a positive sample rate in Hz (or unset: the source's rate)",
            ));
        }
        if let Some(n) = opts.num_channels {
            if n == 0 || n > crate::dsp::MAX_CHANNELS {
                return Err(Error::invalid_argument(
                    "num_channels",
                    n,
                    format!(
                        "1 to {} channels (or unset: the source's channels)",
                        crate::dsp::MAX_CHANNELS
                    ),
                ));
            }
        }
        let src = match opts.stream_index {
            Some(i) => i,
            None => self.default_audio_stream().ok_or_else(|| {
                Error::Unsupported(format!("{} has no audio stream", self.src_name))
            })?,
        };
        let info = self.get_src_stream_info(src)?;
        if info.media_type != MediaType::Audio {
            let audio: Vec<String> = self
                .streams
                .iter()
                .filter(|s| s.media_type == MediaType::Audio)
                .map(|s| s.index.to_string())
                .collect();
            return Err(Error::invalid_argument(
                "stream_index",
                format!("{src} (a {} stream)", info.media_type.as_str()),
                format!("an audio stream: [{}]", audio.join(", ")),
            ));
        }
        if let Some(name) = &opts.decoder {
            if *name != info.codec {
                return Err(Error::invalid_argument(
                    "decoder",
                    name,
                    format!("\"{}\", the codec of source stream {src}", info.codec),
                ));
            }
        }
        let format = match opts.format.as_deref() {
            None => crate::SampleFormat::F32,
            Some(name) => output_format(name)?,
        };
        let mut dec_opts = AudioDecoderOptions::default();
        for (key, value) in &opts.decoder_option {
            match key.as_str() {
                "gapless" => dec_opts.gapless = parse_bool("decoder_option gapless", value)?,
                "verify" => dec_opts.verify = parse_bool("decoder_option verify", value)?,
                _ => {
                    return Err(Error::invalid_argument(
                        "decoder_option",
                        key,
                        "gapless, verify",
                    ))
                }
            }
        }
        let new_slot = if self.decoders[src].is_some() {
            if !opts.decoder_option.is_empty() {
                return Err(Error::InvalidArgument(format!(
                    "decoder_option for source stream {src}: its decoder was already set up by an \
                     earlier output; give decoder options on the first output of a stream"
                )));
            }
            None
        } else {
            Some(self.make_decoder(src, &dec_opts)?)
        };
        let Some(slot) = new_slot.as_ref().or(self.decoders[src].as_ref()) else {
            return Err(Error::Decode(format!("no decoder for stream {src}")));
        };
        let (src_rate, src_channels) = (slot.sample_rate, slot.channels);
        // Where the output starts: frame 0, the frame reached, or a pending seek's target.
        let start = slot.position.unwrap_or(slot.discard_until);
        let out_rate = opts.sample_rate.unwrap_or(src_rate);
        let out_channels = opts.num_channels.unwrap_or(src_channels);
        // Set up the conversion before the decoder, so an unsupported one leaves no decoder.
        let mut conv = Conversion::new(
            src_rate,
            src_channels,
            out_rate,
            out_channels,
            opts.effect.as_ref(),
        )?;
        // A conversion added after reading has begun starts afresh at the current frame (seek
        // to put it on the grid of a full converted decode).
        let (from, out_start) = match &mut conv {
            Some(c) => c.start_at(start)?,
            None => (start, start),
        };
        if let Some(slot) = new_slot {
            self.decoders[src] = Some(slot);
        }
        let mut buffer = OutputBuffer::new(
            format,
            opts.frames_per_chunk,
            opts.buffer_chunk_size,
            out_channels,
            out_rate,
        );
        buffer.reset(out_start);
        let info = OutputStream {
            source_index: src,
            sample_rate: out_rate,
            num_channels: out_channels,
            frames_per_chunk: opts.frames_per_chunk,
            buffer_chunk_size: opts.buffer_chunk_size,
            converted: conv.is_some(),
        };
        self.outputs.push(Output {
            src,
            buffer,
            conv,
            from,
            info,
        });
        Ok(self.outputs.len() - 1)
    }

    /// Describes output stream `i`: the source stream it reads, and the rate, channels and
    /// chunking of its chunks (seed: `get_out_stream_info`).
    ///
    /// ```no_run
    /// use audiostream::{AudioStreamOptions, StreamReader};
    /// let mut reader = StreamReader::new("in.flac", None, None)?;
    /// reader.add_audio_stream(AudioStreamOptions::new(4096).sample_rate(16000))?;
    /// assert_eq!(reader.get_out_stream_info(0)?.sample_rate, 16000);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn get_out_stream_info(&self, i: usize) -> Result<OutputStream> {
        self.outputs.get(i).map(|o| o.info.clone()).ok_or_else(|| {
            Error::invalid_argument(
                "output stream index",
                i,
                format!(
                    "0..{} (the reader has {} output streams)",
                    self.outputs.len(),
                    self.outputs.len()
                ),
            )
        })
    }

    fn make_decoder(&self, src: usize, opts: &AudioDecoderOptions) -> Result<DecoderSlot> {
        let track = self
            .tracks
            .get(src)
            .ok_or_else(|| Error::invalid_argument("stream_index", src, "an existing stream"))?;
        let params = audio_params(track)
            .ok_or_else(|| Error::Decode(format!("stream {src} has no audio parameters")))?;
        let sample_rate = params
            .sample_rate
            .filter(|r| *r > 0)
            .ok_or_else(|| Error::Decode(format!("stream {src} has no sample rate")))?;
        let channels = params.channels.as_ref().map_or(0, |c| c.count());
        if channels == 0 {
            return Err(Error::Decode(format!("stream {src} has no channels")));
        }
        if sample_rate > MAX_SAMPLE_RATE {
            return Err(Error::Decode(format!(
                "stream {src} of {}: a sample rate of {sample_rate} Hz; the reader takes up to \
                 {MAX_SAMPLE_RATE} Hz",
                self.src_name
            )));
        }
        if channels > MAX_STREAM_CHANNELS {
            return Err(Error::Decode(format!(
                "stream {src} of {}: {channels} channels; the reader takes up to \
                 {MAX_STREAM_CHANNELS}",
                self.src_name
            )));
        }
        // Decoders size their buffers by the declared packet size when they are made: check it
        // first (an 84-byte CAF once declared 2^32 frames per packet).
        if let Some(max) = params.max_frames_per_packet {
            if max.saturating_mul(channels as u64) > MAX_PACKET_SAMPLES {
                return Err(Error::Decode(format!(
                    "stream {src} of {}: packets of up to {max} frames of {channels} channels; \
                     the reader takes up to {MAX_PACKET_SAMPLES} samples per packet",
                    self.src_name
                )));
            }
        }
        let (codec, _) = from_symphonia::codec_names(params.codec);
        let decoder = super::registry::codecs()
            .make_audio_decoder(params, opts)
            .map_err(|e| match e {
                SymError::Unsupported(_) => Error::Unsupported(format!(
                    "no decoder for codec \"{codec}\" (stream {src} of {}); decodable: pcm, adpcm, \
                     flac, alac, mp1, mp2, mp3, aac (LC), vorbis, opus",
                    self.src_name
                )),
                other => Error::Decode(format!("stream {src}: {other}")),
            })?;
        let lead = if self.container == "ogg" && codec == "opus" && opts.gapless {
            u64::from(track.delay.unwrap_or(0))
        } else {
            0
        };
        Ok(DecoderSlot {
            decoder: Some(decoder),
            codec: codec.to_string(),
            sample_rate,
            channels,
            time_base: track.time_base,
            start_ts: track.start_ts.get().max(0).saturating_add(lead as i64),
            at_stream_start: true,
            position: Some(0),
            discard_until: 0,
            decoded_packets: 0,
            failed_packets: 0,
            last_error: None,
            gapless: opts.gapless,
            decoder_trims: matches!(codec, "mp1" | "mp2" | "mp3" | "vorbis"),
            end_frame: if self.container == "mp4" && opts.gapless {
                track.num_frames
            } else {
                None
            },
            gap_frames: 0,
            lost_gaps: 0,
            reshape: None,
            warned_reshape: false,
            lead,
            lead_left: lead,
            held: None,
            gap_in_steps: false,
            frames_out: 0,
            read_from_start: true,
        })
    }

    /// Reads and decodes the next packet of a stream that has an output (seed:
    /// `process_packet()`). Returns how many packets were read (`>= 1`), or `0` at the end of
    /// the stream, once every output has been flushed so its last, short chunk is ready to pop.
    /// After the end it keeps returning `0` until a [`seek`](Self::seek).
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.mp3", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// let mut frames = 0;
    /// loop {
    ///     let n = reader.process_packet()?;
    ///     for chunk in reader.pop_chunks().into_iter().flatten() { frames += chunk.ncols(); }
    ///     if n == 0 { break; }
    /// }
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn process_packet(&mut self) -> Result<usize> {
        if self.ended {
            return Ok(0);
        }
        self.require_outputs()?;
        // The end of the stream, a piece at a time (tails of effects, long pads).
        if self.draining {
            return Ok(usize::from(self.finish_step()?));
        }
        // What the effects make without more input (a long `pad`) goes out before the next
        // packet is read, a piece per call.
        let keep_all = self.keep_all;
        for out in &mut self.outputs {
            if let Some(conv) = &mut out.conv {
                if conv.drain_step(&mut out.buffer, keep_all)? {
                    return Ok(1);
                }
            }
        }
        // A packet after a long gap: the gap's silence goes out a step at a time (see
        // `GAP_STEP`), then the packet.
        if let Some(src) = self
            .decoders
            .iter()
            .position(|d| d.as_ref().is_some_and(|s| s.held.is_some()))
        {
            if let Some(packet) = self.decoders[src].as_mut().and_then(|s| s.held.take()) {
                self.decode_packet(src, &packet)?;
            }
            return Ok(1);
        }
        let mut count = 0;
        loop {
            let next = contain(|| self.demuxer.next_packet());
            let next = match next {
                Ok(next) => next,
                Err(panic) => {
                    let _ = self.finish();
                    return Err(Error::Decode(format!(
                        "{}: the {} demuxer failed after {} packets ({panic}); the stream ends there",
                        self.src_name,
                        self.container,
                        self.stats().decoded_packets + self.stats().failed_packets
                    )));
                }
            };
            let packet = match next {
                Ok(Some(p)) => p,
                Ok(None) => {
                    self.demuxer_at_eof = true;
                    return Ok(usize::from(self.finish_step()?));
                }
                Err(SymError::ResetRequired) => {
                    if let Err(e) = self.reset_decoders_after_stream_change() {
                        // What was decoded before stays: flush the outputs, then report.
                        let _ = self.finish();
                        return Err(e);
                    }
                    count += 1;
                    continue;
                }
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.demuxer_at_eof = true;
                    log::warn!(
                        "{}: the stream ends in the middle of a packet (truncated)",
                        self.src_name
                    );
                    return Ok(usize::from(self.finish_step()?));
                }
                Err(e) => {
                    // Keep what was decoded: flush the outputs, then report.
                    let _ = self.finish();
                    return Err(match e {
                        SymError::IoError(io) => {
                            Error::io(format!("reading {}", self.src_name), io)
                        }
                        other => Error::Decode(format!("{}: {other}", self.src_name)),
                    });
                }
            };
            count += 1;
            let Some(src) = self.tracks.iter().position(|t| t.id == packet.track_id) else {
                continue;
            };
            if self.decoders.get(src).is_some_and(|d| d.is_some()) {
                self.decode_packet(src, &packet)?;
                return Ok(count);
            }
        }
    }

    fn require_outputs(&self) -> Result<()> {
        if self.outputs.is_empty() {
            return Err(Error::InvalidArgument(
                "no output stream is configured; call add_basic_audio_stream() first".into(),
            ));
        }
        Ok(())
    }

    fn decode_packet(&mut self, src: usize, packet: &Packet) -> Result<()> {
        // Lost packets leave a gap before this one: more than `GAP_STEP` frames of silence are
        // put out a step per call (the packet is held until the gap is filled), so a gap costs
        // no more memory than a packet, whatever its length.
        if let Some(step) = self
            .decoders
            .get_mut(src)
            .and_then(|d| d.as_mut())
            .and_then(|slot| {
                let gap = slot.gap_before(packet)?;
                (gap > GAP_STEP).then_some(slot.placement_for_silence(GAP_STEP))
            })
        {
            self.fill_gap(src, step)?;
            if let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) {
                slot.held = Some(packet.clone());
            }
            return Ok(());
        }
        // The decoder is taken out of its slot while its output is borrowed, so the frames
        // can be delivered without a copy while the slot's bookkeeping changes.
        let Some(mut decoder) = self
            .decoders
            .get_mut(src)
            .and_then(|d| d.as_mut())
            .and_then(|slot| slot.decoder.take())
        else {
            return Ok(());
        };
        let outcome = self.decode_with(decoder.as_mut(), src, packet);
        if let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) {
            slot.decoder = Some(decoder);
        }
        if outcome? {
            if let Err(e) = self.reset_decoders_after_stream_change() {
                let _ = self.finish();
                return Err(e);
            }
        }
        Ok(())
    }

    /// Decodes one packet and delivers its frames; `Ok(true)` when the decoder asks to be
    /// re-created (the stream changed).
    fn decode_with(
        &mut self,
        decoder: &mut dyn AudioDecoder,
        src: usize,
        packet: &Packet,
    ) -> Result<bool> {
        let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) else {
            return Ok(false);
        };
        let packet_ts = slot.first_frame_ts(packet);
        let cut_trims = slot.gapless && !slot.decoder_trims;
        let decoded = match contain(|| decoder.decode(packet)) {
            Ok(decoded) => decoded,
            Err(panic) => {
                // A fault inside the decoder: its state is unknown, so it starts afresh; the
                // packet counts as one that failed to decode.
                decoder.reset();
                Err(SymError::DecodeError(leak_panic_message(panic)))
            }
        };
        let buf = match decoded {
            Ok(buf) => buf,
            Err(SymError::ResetRequired) => return Ok(true),
            Err(e) => {
                if slot.failed_packets == 0 {
                    log::warn!(
                        "stream {src} ({}): skipping a packet that failed to decode: {e}",
                        slot.codec
                    );
                }
                slot.failed_packets += 1;
                slot.last_error = Some(e.to_string());
                return Ok(false);
            }
        };
        slot.decoded_packets += 1;
        // Delay and padding the decoder left in: frames `front..front + frames` are the audio.
        let decoded_frames = buf.frames();
        let (mut front, back) = DecoderSlot::trim_of(cut_trims, packet, decoded_frames);
        let mut frames = decoded_frames - front - back;
        let mut packet_ts = packet_ts;
        if slot.lead_left > 0 {
            let cut = slot.lead_left.min(frames as u64);
            slot.lead_left -= cut;
            front += cut as usize;
            frames -= cut as usize;
            packet_ts = packet_ts.saturating_add(cut as i64);
        }
        let spec = buf.spec();
        let shape = (spec.rate(), spec.channels().count());
        let native = shape == (slot.sample_rate, slot.channels);
        if native && slot.reshape.is_none() {
            if frames > 0 {
                let at = slot.place(packet_ts, true);
                self.deliver(src, Frames::Decoded { buf: &buf, front }, frames, at)?;
            }
            return Ok(false);
        }
        // The stream changed its rate or channel count (an MP3 channel mode, a FLAC stream
        // re-configured mid-stream): resample to the stream's rate here; each output remixes
        // the channels to its own count (so an output asking for stereo keeps a stereo part
        // of a stream that started mono).
        // The decoder's buffer is not used after this copy.
        let planar = decoded_planar(&buf, shape.1, front..front + frames);
        if let Some(tail) = slot.end_reshape_unless(shape)? {
            let at = slot.place(packet_ts, false);
            self.deliver(src, Frames::Planar(tail.view()), tail.ncols(), at)?;
        }
        let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) else {
            return Ok(false);
        };
        let converted = slot.reshape_to_stream_rate(shape, planar)?;
        if converted.ncols() > 0 {
            let at = slot.place(packet_ts, false);
            self.deliver(src, Frames::Planar(converted.view()), converted.ncols(), at)?;
        }
        Ok(false)
    }

    /// Puts `step = (start, frames)` frames of silence (part of a gap of lost packets) into
    /// the outputs reading source stream `src`, and moves its position past them.
    fn fill_gap(&mut self, src: usize, (start, frames): (u64, u64)) -> Result<()> {
        let keep_all = self.keep_all;
        let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) else {
            return Ok(());
        };
        if slot.gap_frames == 0 {
            log::warn!(
                "stream {src} ({}): frames are missing at {:.3} s (lost or undecodable packets); \
                 filled with silence",
                slot.codec,
                start as f64 / f64::from(slot.sample_rate)
            );
        }
        if !slot.gap_in_steps {
            slot.lost_gaps += 1;
            slot.gap_in_steps = true;
        }
        slot.gap_frames += frames;
        let end = start + frames;
        slot.position = Some(end);
        for out in self.outputs.iter_mut().filter(|o| o.src == src) {
            let from = start.max(out.from);
            if from >= end {
                continue;
            }
            match &mut out.conv {
                Some(conv) => {
                    let missing = end.saturating_sub(conv.next_in().max(from));
                    conv.push_silence(missing, &mut out.buffer, keep_all)?;
                }
                None => out.buffer.push_silence((end - from) as usize, keep_all),
            }
        }
        Ok(())
    }

    /// Hands `frames` decoded frames of source stream `src`, which start at stream frame `at`
    /// (as the packet's timestamp says; see [`DecoderSlot::place`]), to the outputs reading
    /// it: fills a gap before them with silence, cuts what the container says is padding, and
    /// what comes before each output's start.
    fn deliver(
        &mut self,
        src: usize,
        data: Frames<'_>,
        frames: usize,
        at: Placement,
    ) -> Result<()> {
        let keep_all = self.keep_all;
        let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) else {
            return Ok(());
        };
        let mut start = at.start;
        // Packets were lost (corrupt data the demuxer skipped, or packets that failed to
        // decode): fill the gap with silence so later audio keeps its true time.
        if let Some(packet_frame) = at.packet_frame {
            let gap = packet_frame.saturating_sub(start);
            if gap > 0 {
                if slot.gap_frames == 0 {
                    log::warn!(
                        "stream {src} ({}): {gap} frames are missing at {:.3} s (lost or \
                         undecodable packets); filled with silence",
                        slot.codec,
                        start as f64 / f64::from(slot.sample_rate)
                    );
                }
                slot.gap_frames += gap;
                // A gap filled a step at a time was counted at its first step.
                if !slot.gap_in_steps {
                    slot.lost_gaps += 1;
                }
                for out in self.outputs.iter_mut().filter(|o| o.src == src) {
                    let from = start.max(out.from);
                    if from >= packet_frame {
                        continue;
                    }
                    match &mut out.conv {
                        Some(conv) => {
                            let missing = packet_frame.saturating_sub(conv.next_in().max(from));
                            conv.push_silence(missing, &mut out.buffer, keep_all)?;
                        }
                        None => out
                            .buffer
                            .push_silence((packet_frame - from) as usize, keep_all),
                    }
                }
                start = packet_frame;
            }
        }
        slot.position = Some(start + frames as u64);
        slot.gap_in_steps = false;
        slot.frames_out += frames as u64;
        let keep = slot.end_frame.map_or(frames, |end| {
            end.saturating_sub(start).min(frames as u64) as usize
        });
        let channels = data.channels(slot.channels);
        let reshaped = channels != slot.channels;
        let skip_of = |from: u64| from.saturating_sub(start).min(frames as u64) as usize;
        // Converted outputs share one f32 copy of the frames any of them needs.
        let first_converted = self
            .outputs
            .iter()
            .filter(|o| o.src == src && o.conv.is_some())
            .map(|o| skip_of(o.from))
            .min()
            .unwrap_or(keep);
        let mut planar: Option<Array2<f32>> = None;
        for out in self.outputs.iter_mut().filter(|o| o.src == src) {
            let skip = skip_of(out.from);
            if skip >= keep {
                continue;
            }
            if reshaped {
                // Frames in another channel count than the stream's: straight to the output's.
                let remixed = crate::dsp::Remixer::new(channels, out.info.num_channels)?
                    .process(data.planar(channels, skip..keep).view())?;
                match &mut out.conv {
                    None => out.buffer.push_view(remixed.view(), keep_all),
                    Some(conv) => conv.push_remixed(
                        remixed.view(),
                        start + skip as u64,
                        &mut out.buffer,
                        keep_all,
                    )?,
                }
                continue;
            }
            match &mut out.conv {
                None => data.push_to(&mut out.buffer, skip..keep, keep_all),
                Some(conv) => {
                    let frames_f32 =
                        planar.get_or_insert_with(|| data.planar(channels, first_converted..keep));
                    conv.push(
                        frames_f32.view(),
                        start + first_converted as u64,
                        &mut out.buffer,
                        keep_all,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// A chained stream (e.g. a new Ogg logical stream) changed the track list: re-create the
    /// decoders, which is only possible while rate and channels stay the same.
    fn reset_decoders_after_stream_change(&mut self) -> Result<()> {
        let tracks = self.demuxer.tracks().to_vec();
        for (src, slot) in self.decoders.iter_mut().enumerate() {
            let Some(slot) = slot else { continue };
            let old_id = self.tracks.get(src).map(|t| t.id);
            let track = tracks
                .iter()
                .find(|t| Some(t.id) == old_id)
                .or_else(|| tracks.iter().find(|t| audio_params(t).is_some()));
            let Some(track) = track else {
                return Err(Error::Unsupported(format!(
                    "{}: the stream changed and has no audio track any more",
                    self.src_name
                )));
            };
            let params = audio_params(track).ok_or_else(|| {
                Error::Decode(format!(
                    "{}: new stream has no audio parameters",
                    self.src_name
                ))
            })?;
            // A new link of another rate or channel count decodes in its own shape and is
            // converted to the stream's first, as any mid-stream change (`decode_with`).
            let channels = params.channels.as_ref().map_or(0, |c| c.count());
            let rate = params.sample_rate.unwrap_or(0);
            let packet_samples = params
                .max_frames_per_packet
                .unwrap_or(0)
                .saturating_mul(channels as u64);
            if rate == 0
                || rate > MAX_SAMPLE_RATE
                || channels == 0
                || channels > MAX_STREAM_CHANNELS
                || packet_samples > MAX_PACKET_SAMPLES
            {
                return Err(Error::Decode(format!(
                    "{}: a chained stream continues at {rate} Hz / {channels} channels \
                     ({packet_samples} samples per packet); the reader takes 1 to \
                     {MAX_SAMPLE_RATE} Hz, 1 to {MAX_STREAM_CHANNELS} channels and up to \
                     {MAX_PACKET_SAMPLES} samples per packet",
                    self.src_name
                )));
            }
            slot.decoder = Some(
                super::registry::codecs()
                    .make_audio_decoder(params, &AudioDecoderOptions::default())
                    .map_err(|e| Error::Decode(format!("{}: {e}", self.src_name)))?,
            );
        }
        // The new tracks keep our stream indices where ids match; adopt the new list.
        if tracks.len() == self.tracks.len() {
            self.tracks = tracks;
        }
        Ok(())
    }

    /// End of stream: flush every output; fail if a stream never decoded a single packet.
    fn finish(&mut self) -> Result<()> {
        while !self.ended {
            self.finish_step()?;
        }
        Ok(())
    }

    /// One step of the end of the stream (the demuxer has no more packets): the tails of the
    /// conversions and effects go out a piece at a time (`Ok(true)`: call again), then every
    /// output's last chunk, and the stream has ended (`Ok(false)`). An error ends it too.
    fn finish_step(&mut self) -> Result<bool> {
        if self.ended {
            return Ok(false);
        }
        let keep_all = self.keep_all;
        if !self.draining {
            self.draining = true;
            // A stream that ends at another rate than it started: the resampler's last frames.
            for src in 0..self.decoders.len() {
                let tail = match self.decoders[src].as_mut() {
                    Some(slot) => slot.end_reshape_unless((0, 0)),
                    None => continue,
                };
                let tail = match tail {
                    Ok(Some(tail)) if tail.ncols() > 0 => tail,
                    Ok(_) => continue,
                    Err(e) => return self.end_with(Err(e)),
                };
                if let Some(slot) = self.decoders[src].as_mut() {
                    let at = Placement {
                        start: slot.position.unwrap_or(0),
                        packet_frame: None,
                    };
                    if let Err(e) = self.deliver(src, Frames::Planar(tail.view()), tail.ncols(), at)
                    {
                        return self.end_with(Err(e));
                    }
                }
            }
        }
        // The resampler's tail first, so the last chunk holds the whole converted stream, then
        // what the effects still hold or make, a piece per call.
        for out in &mut self.outputs {
            if let Some(conv) = &mut out.conv {
                match conv.finish_step(&mut out.buffer, keep_all) {
                    Ok(true) => return Ok(true),
                    Ok(false) => {}
                    Err(e) => return self.end_with(Err(e)),
                }
            }
        }
        self.end_with(Ok(()))
    }

    /// Ends the stream: every output's last chunk, then whether it ended well (`Ok(false)`).
    fn end_with(&mut self, outcome: Result<()>) -> Result<bool> {
        self.ended = true;
        self.draining = false;
        let keep_all = self.keep_all;
        for out in &mut self.outputs {
            out.buffer.flush(keep_all);
        }
        outcome?;
        for (src, slot) in self.decoders.iter().enumerate() {
            if let Some(slot) = slot {
                if slot.read_from_start
                    && slot.decoded_packets > 0
                    && slot.frames_out == 0
                    && slot.lead_left == 0
                {
                    // Packets decoded, yet no frame came out: what the container says about
                    // the stream's length cut everything (a zero length where there is audio).
                    return Err(Error::Decode(format!(
                        "{}: {} packets of stream {src} ({}) decoded to no audio: the \
                         container's length for the stream is wrong",
                        self.src_name, slot.decoded_packets, slot.codec
                    )));
                }
                if slot.decoded_packets == 0 && slot.failed_packets > 0 {
                    return Err(Error::Decode(format!(
                        "{}: none of the {} packets of stream {src} ({}) could be decoded; last error: {}",
                        self.src_name,
                        slot.failed_packets,
                        slot.codec,
                        slot.last_error.as_deref().unwrap_or("unknown")
                    )));
                }
            }
        }
        Ok(false)
    }

    /// [`process_packet`](Self::process_packet) for live sources (seed: `process_packet(timeout,
    /// backoff)`): while no data is available, retries every `backoff` until `timeout` has
    /// passed, then returns [`Error::Timeout`]; `None` waits forever. Files and memory always
    /// have data, so for them this is `process_packet()`.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// reader.process_packet_with(Some(Duration::from_millis(100)), Duration::from_millis(10))?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn process_packet_with(
        &mut self,
        timeout: Option<Duration>,
        backoff: Duration,
    ) -> Result<usize> {
        if let (Some(live), false) = (&self.live, self.ended) {
            self.require_outputs()?;
            if !live.wait_ready(live::deadline(timeout), backoff) {
                return Err(Error::Timeout(timeout.unwrap_or_default()));
            }
        }
        self.process_packet()
    }

    /// Processes packets until the end of the stream.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(44100, 1000)?;
    /// reader.process_all_packets()?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn process_all_packets(&mut self) -> Result<()> {
        while self.process_packet()? != 0 {}
        Ok(())
    }

    /// Processes packets until every output has a chunk ready. Returns the number of packets
    /// processed (at least 1 when chunks are ready), or 0 at the end of the stream.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// while reader.fill_buffer()? != 0 {
    ///     let chunks = reader.pop_chunks();
    /// }
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn fill_buffer(&mut self) -> Result<usize> {
        self.require_outputs()?;
        let mut total = 0;
        while !self.is_buffer_ready() {
            let n = self.process_packet()?;
            if n == 0 {
                return Ok(0);
            }
            total += n;
        }
        Ok(total.max(1))
    }

    /// Whether every output has at least one chunk ready.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// assert!(!reader.is_buffer_ready());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn is_buffer_ready(&self) -> bool {
        self.outputs.iter().all(|o| o.buffer.has_chunk())
    }

    /// Pops one chunk from every output, in output order; `None` where none is ready (seed:
    /// `pop_chunks()`).
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// reader.fill_buffer()?;
    /// let chunk = reader.pop_chunks().remove(0).expect("a chunk");
    /// assert_eq!(chunk.pts, 0.0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn pop_chunks(&mut self) -> Vec<Option<Chunk>> {
        self.pop_chunks_as::<f32>()
    }

    /// [`pop_chunks`](Self::pop_chunks) in sample type `T` (`f32`, `f64`, `i16`, `i32`, `u8`):
    /// exact for an output whose [`format`](AudioStreamOptions::format) is `T` (e.g. the
    /// 32-bit integers of a 32-bit FLAC with `format("s32")`), converted by FFmpeg's rules
    /// otherwise.
    ///
    /// ```no_run
    /// use audiostream::{AudioStreamOptions, StreamReader};
    /// let mut reader = StreamReader::new("hi-res.flac", None, None)?;
    /// reader.add_audio_stream(AudioStreamOptions::new(4096).format("s32"))?;
    /// reader.fill_buffer()?;
    /// let chunk = reader.pop_chunks_as::<i32>().remove(0).expect("a chunk");
    /// println!("{} frames of i32 at {} s", chunk.ncols(), chunk.pts);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn pop_chunks_as<T: crate::Sample>(&mut self) -> Vec<Option<Chunk<T>>> {
        self.outputs
            .iter_mut()
            .map(|o| o.buffer.pop::<T>())
            .collect()
    }

    /// Iterates over `pop_chunks()` results until every output is drained; never drops a chunk,
    /// whatever `buffer_chunk_size` is. An item has a chunk for every output while they keep
    /// pace; when one output makes more chunks per packet than another (a higher rate, smaller
    /// chunks), it is popped as soon as it holds `buffer_chunk_size` chunks, with `None` for
    /// the outputs that have none yet, so each output holds at most `buffer_chunk_size` chunks
    /// plus what one packet makes, however long the stream.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.flac", None, None)?;
    /// reader.add_basic_audio_stream(4096, 3)?;
    /// for chunks in reader.stream() {
    ///     let chunk = chunks?.remove(0);
    /// }
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn stream(&mut self) -> impl Iterator<Item = Result<Vec<Option<Chunk>>>> + '_ {
        self.keep_all = true;
        ChunkStream {
            reader: self,
            done: false,
        }
    }

    /// Metadata of the default audio stream and the container (seed: `get_metadata()`).
    ///
    /// ```no_run
    /// let reader = audiostream::StreamReader::new("in.mp3", None, None)?;
    /// let m = reader.get_metadata();
    /// println!("{} {} Hz {} ch", m.codec, m.sample_rate, m.num_channels);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn get_metadata(&self) -> Metadata {
        let stream = self
            .default_audio_stream()
            .and_then(|i| self.streams.get(i));
        let mut tags = self.container_tags.clone();
        if let Some(s) = stream {
            for (k, v) in &s.tags {
                tags.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        if let Some(updates) = self.live.as_ref().and_then(|l| l.live_tags()) {
            tags.extend(updates);
        }
        let duration = stream.and_then(|s| s.duration).or_else(|| {
            let info = self.demuxer.media_info();
            let (tb, d) = (info.time_base?, info.duration?);
            Some(d.get() as f64 * f64::from(tb.numer.get()) / f64::from(tb.denom.get()))
        });
        let bit_rate = stream.and_then(|s| s.bit_rate).or_else(|| {
            let (len, d) = (self.byte_len?, duration?);
            (d > 0.0).then(|| (len as f64 * 8.0 / d).round() as u64)
        });
        Metadata {
            sample_rate: stream.and_then(|s| s.sample_rate).unwrap_or(0),
            num_channels: stream.and_then(|s| s.num_channels).unwrap_or(0),
            num_frames: stream.and_then(|s| s.num_frames),
            duration,
            duration_estimated: stream.is_some_and(|s| s.duration_estimated),
            codec: stream.map_or_else(String::new, |s| s.codec.clone()),
            format: self.container.clone(),
            bit_rate,
            bits_per_sample: stream.and_then(|s| s.bits_per_sample),
            tags,
        }
    }

    /// Number of streams in the source (audio, video, subtitles).
    ///
    /// ```no_run
    /// let reader = audiostream::StreamReader::new("movie.mkv", None, None)?;
    /// println!("{} streams", reader.num_src_streams());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn num_src_streams(&self) -> usize {
        self.streams.len()
    }

    /// Number of output streams added.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// assert_eq!(reader.num_out_streams(), 1);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn num_out_streams(&self) -> usize {
        self.outputs.len()
    }

    /// Index of the default audio stream (the container's default, else the first decodable
    /// audio stream), or `None` when there is no audio.
    ///
    /// ```no_run
    /// let reader = audiostream::StreamReader::new("movie.mkv", None, None)?;
    /// println!("{:?}", reader.default_audio_stream());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn default_audio_stream(&self) -> Option<usize> {
        use symphonia::core::formats::TrackType;
        let id = self.demuxer.default_track(TrackType::Audio).map(|t| t.id);
        id.and_then(|id| self.tracks.iter().position(|t| t.id == id))
            .or_else(|| {
                self.streams
                    .iter()
                    .position(|s| s.media_type == MediaType::Audio)
            })
    }

    /// Describes source stream `i` (seed: `get_src_stream_info`).
    ///
    /// ```no_run
    /// let reader = audiostream::StreamReader::new("in.flac", None, None)?;
    /// assert_eq!(reader.get_src_stream_info(0)?.codec, "flac");
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn get_src_stream_info(&self, i: usize) -> Result<SourceStream> {
        self.streams.get(i).cloned().ok_or_else(|| {
            Error::invalid_argument(
                "stream index",
                i,
                format!(
                    "0..{} (the source has {} streams)",
                    self.streams.len(),
                    self.streams.len()
                ),
            )
        })
    }

    /// Counters: packets decoded and skipped, chunks dropped.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.mp3", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// reader.process_all_packets()?;
    /// println!("{:?}", reader.stats());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn stats(&self) -> ReaderStats {
        let mut s = ReaderStats::default();
        for d in self.decoders.iter().flatten() {
            s.decoded_packets += d.decoded_packets;
            s.failed_packets += d.failed_packets;
            s.gaps += d.lost_gaps;
            s.gap_frames += d.gap_frames;
        }
        s.dropped_chunks = self.outputs.iter().map(|o| o.buffer.dropped_chunks()).sum();
        if let Some(live) = &self.live {
            s.overruns = live.overruns();
            s.reconnects = live.reconnects();
        }
        s
    }

    /// Seeks to `timestamp` seconds (seed: `seek`). Exact to the sample: the next chunk starts
    /// at frame `round(timestamp * sample_rate)` of a full decode, and its pts is that frame's
    /// time. A time past the end leaves the reader at the end; negative or NaN is an error.
    /// Buffered chunks are discarded.
    ///
    /// Every output uses its own rate: an output with another `sample_rate` continues at its
    /// frame `round(timestamp * sample_rate)`, with the samples a full converted decode has
    /// there, bit for bit (its resampler restarts at a block boundary before the target, so
    /// the decoder starts up to about three resampler blocks earlier).
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.flac", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// reader.seek(12.5)?;
    /// reader.fill_buffer()?;
    /// assert_eq!(reader.pop_chunks()[0].as_ref().unwrap().pts, 12.5);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn seek(&mut self, timestamp: f64) -> Result<()> {
        if timestamp.is_nan() || timestamp < 0.0 {
            return Err(Error::invalid_argument(
                "timestamp",
                timestamp,
                "a time in seconds >= 0",
            ));
        }
        let active: Vec<usize> = (0..self.decoders.len())
            .filter(|&i| self.decoders[i].is_some())
            .collect();
        // Where a timestamp cannot name a frame exactly (e.g. Matroska's milliseconds), decode
        // from the start and cut: slower, but exact.
        let from_start = active.iter().any(|&i| {
            self.decoders[i]
                .as_ref()
                .is_some_and(|d| !d.exact_timestamps())
        });
        // Past the stated end, where the only way there is decoding from the start, there is
        // nothing to find. (Elsewhere the demuxer decides: MP4's stated duration can be
        // shorter than its packets, which a full decode delivers.)
        let known_end = active
            .iter()
            .filter_map(|&i| self.streams.get(i).and_then(|s| s.duration))
            .reduce(f64::min);
        let beyond_end =
            !timestamp.is_finite() || (from_start && known_end.is_some_and(|end| timestamp >= end));
        // Where each output starts again: the source frame it needs decoded frames from, and
        // the frame (at its own rate) of its next chunk. Outputs that resample restart their
        // resampler at a block boundary before the target, so they need earlier frames.
        let starts: Vec<(u64, u64)> = self
            .outputs
            .iter()
            .map(|out| match (&out.conv, &self.decoders[out.src]) {
                (Some(conv), _) => conv.seek_point(timestamp),
                (None, Some(slot)) if timestamp.is_finite() => {
                    let frame = (timestamp * f64::from(slot.sample_rate)).round() as u64;
                    (frame, frame)
                }
                _ => (u64::MAX, u64::MAX),
            })
            .collect();
        let past_end = if beyond_end {
            true
        } else if from_start {
            self.restart()?;
            false
        } else {
            // Lossy decoders rebuild their state (MDCT overlap, MP3 bit reservoir) from the
            // packets they see: start early enough that the first frame needed decodes as in
            // a full decode, and cut what comes before it.
            let seek_time = self
                .outputs
                .iter()
                .zip(&starts)
                .filter_map(|(out, &(from, _))| {
                    let slot = self.decoders[out.src].as_ref()?;
                    let rate = f64::from(slot.sample_rate);
                    let preroll = slot.preroll_frames() as f64 / rate;
                    let needed = if out.conv.is_none() {
                        timestamp
                    } else {
                        // A frame early: the demuxer's time-to-timestamp rounding cannot land
                        // after the frame.
                        from.saturating_sub(1) as f64 / rate
                    };
                    Some(needed - preroll)
                })
                .fold(timestamp, f64::min);
            // What the outputs without a resampler need: where a source can only seek forward
            // and the resamplers' earlier start is already behind, seek there instead.
            let plain_time = self
                .outputs
                .iter()
                .filter_map(|out| self.decoders[out.src].as_ref())
                .map(|slot| timestamp - slot.preroll_frames() as f64 / f64::from(slot.sample_rate))
                .fold(timestamp, f64::min);
            // Some demuxers (isomp4, mkv) cannot seek once they have hit the end of the file:
            // reopen them first.
            if self.demuxer_at_eof {
                self.restart()?;
            }
            // A time before 0 reaches into the encoder's priming where the container has it
            // (MP4's edit list, Matroska's codec delay): the decoder needs it to rebuild its
            // state for the first frames.
            self.demuxer_seek(seek_time, Some(plain_time.max(0.0)))?
        };
        for slot in self.decoders.iter_mut().flatten() {
            if let Some(d) = &mut slot.decoder {
                d.reset();
            }
            slot.reshape = None;
            slot.discard_until = if timestamp.is_finite() {
                (timestamp * f64::from(slot.sample_rate)).round() as u64
            } else {
                u64::MAX
            };
            slot.position = if from_start { Some(0) } else { None };
            slot.at_stream_start = from_start;
            slot.lead_left = if from_start { slot.lead } else { 0 };
            slot.held = None;
            slot.gap_in_steps = false;
            slot.read_from_start = from_start;
            slot.frames_out = 0;
        }
        for (out, &(from, target)) in self.outputs.iter_mut().zip(&starts) {
            if let Some(conv) = &mut out.conv {
                conv.seek(timestamp)?;
            }
            out.from = from;
            out.buffer.reset(target);
        }
        self.ended = past_end;
        self.draining = false;
        Ok(())
    }

    /// Seeks the demuxer to a packet at or before `timestamp`. Returns whether the time is past
    /// the end of the stream. A source that only seeks forward and is already past `timestamp`
    /// is seeked to `later` instead, when that is later: the resampling outputs then miss the
    /// frames before the target their resampler needs, and their first output frames are not
    /// exact (their time is).
    fn demuxer_seek(&mut self, timestamp: f64, later: Option<f64>) -> Result<bool> {
        let track_id = self
            .decoders
            .iter()
            .position(Option::is_some)
            .or_else(|| self.default_audio_stream())
            .and_then(|i| self.tracks.get(i))
            .map(|t| t.id);
        // Where a timestamp counts frames (time base 1 / rate), seek by timestamp: it can be
        // before 0, down to the track's start (the priming an edit list skips), and it is not
        // rounded down on the way as a time is. Elsewhere, by time from 0.
        let track = track_id.and_then(|id| self.tracks.iter().find(|t| t.id == id));
        let by_frames = track.and_then(|t| {
            let rate = audio_params(t)?.sample_rate?;
            let tb = t.time_base?;
            (tb.numer.get() == 1 && tb.denom.get() == rate).then_some((rate, t.start_ts.get()))
        });
        let to = match by_frames {
            Some((rate, start)) if timestamp.is_finite() => SeekTo::Timestamp {
                ts: Timestamp::new(
                    ((timestamp * f64::from(rate)).floor() as i64).max(start.min(0)),
                ),
                track_id: track_id.unwrap_or_default(),
            },
            _ => SeekTo::Time {
                time: Time::try_from_secs_f64(timestamp.max(0.0)).unwrap_or(Time::ZERO),
                track_id,
            },
        };
        match self.demuxer.seek(SeekMode::Accurate, to) {
            Ok(_) => Ok(false),
            Err(SymError::SeekError(SeekErrorKind::OutOfRange)) => Ok(true),
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(true),
            Err(SymError::SeekError(SeekErrorKind::ForwardOnly))
                if later.is_some_and(|t| t > timestamp) =>
            {
                let later = later.unwrap_or(timestamp);
                log::warn!(
                    "{}: seeking a non-seekable source forward to {later} s, but resampling \
                     outputs need frames from {timestamp} s that were already read: their first \
                     output (up to about three resampler blocks) is approximate",
                    self.src_name
                );
                self.demuxer_seek(later, None)
            }
            Err(SymError::SeekError(SeekErrorKind::ForwardOnly)) => {
                Err(Error::Unsupported(format!(
                "seeking backward to {timestamp} s: {} is not seekable (a pipe or stream); only \
                 forward seeks work",
                self.src_name
            )))
            }
            Err(SymError::SeekError(kind)) => Err(Error::Unsupported(format!(
                "seeking {} to {timestamp} s: {kind:?}",
                self.src_name
            ))),
            Err(SymError::IoError(e)) => Err(Error::io(format!("seeking {}", self.src_name), e)),
            Err(e) => Err(Error::Decode(format!("seeking {}: {e}", self.src_name))),
        }
    }

    /// Reopens the demuxer at the start of the source (exact, unlike some demuxers' seek).
    fn restart(&mut self) -> Result<()> {
        let placeholder = source::placeholder_demuxer()?;
        let old = std::mem::replace(&mut self.demuxer, placeholder);
        let mut mss = old.into_inner();
        if !symphonia::core::io::MediaSource::is_seekable(&mss) {
            return Err(Error::Unsupported(format!(
                "seeking {}: it is not seekable (a pipe or stream), and its timestamps need a \
                 restart from the beginning",
                self.src_name
            )));
        }
        mss.seek(std::io::SeekFrom::Start(0))
            .map_err(|e| Error::io(format!("seeking {}", self.src_name), e))?;
        let demuxer = source::reopen_demuxer(&self.src_name, mss, &self.open_spec)?;
        self.demuxer = demuxer.reader;
        self.tracks = self.demuxer.tracks().to_vec();
        self.demuxer_at_eof = false;
        Ok(())
    }

    /// Closes the reader (seed: `close()`); dropping it does the same.
    ///
    /// ```no_run
    /// let reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.close()?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn close(self) -> Result<()> {
        drop(self);
        Ok(())
    }
}

/// The iterator behind [`StreamReader::stream`].
struct ChunkStream<'a> {
    reader: &'a mut StreamReader,
    done: bool,
}

impl Iterator for ChunkStream<'_> {
    type Item = Result<Vec<Option<Chunk>>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Err(e) = self.reader.require_outputs() {
            self.done = true;
            return Some(Err(e));
        }
        loop {
            if self.reader.ended {
                let chunks = self.reader.pop_chunks();
                if chunks.iter().all(Option::is_none) {
                    self.done = true;
                    return None;
                }
                return Some(Ok(chunks));
            }
            // Every output has a chunk, or one output holds `buffer_chunk_size` of them (it
            // makes more chunks per packet than another: a higher rate, smaller chunks): pop
            // before reading on, `None` for the outputs with none yet. Reading on until every
            // output had a chunk queued the faster output's surplus for the whole file.
            if self.reader.is_buffer_ready()
                || self.reader.outputs.iter().any(|o| o.buffer.is_full())
            {
                return Some(Ok(self.reader.pop_chunks()));
            }
            if let Err(e) = self.reader.process_packet() {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}

impl Drop for ChunkStream<'_> {
    fn drop(&mut self) {
        self.reader.keep_all = false;
    }
}

fn audio_params(track: &Track) -> Option<&AudioCodecParameters> {
    match &track.codec_params {
        Some(CodecParameters::Audio(p)) => Some(p),
        _ => None,
    }
}

/// Frames `range` of a decoded buffer as `(channels, frames)` `f32`.
fn decoded_planar(
    buf: &GenericAudioBufferRef<'_>,
    channels: usize,
    range: std::ops::Range<usize>,
) -> Array2<f32> {
    let n = range.len();
    let mut planar = Array2::<f32>::zeros((channels, n));
    if n > 0 {
        if let Some(all) = planar.as_slice_mut() {
            let mut rows: Vec<&mut [f32]> = all.chunks_exact_mut(n).collect();
            buf.slice(range).copy_to_slice_planar(&mut rows);
        }
    }
    planar
}

/// Container tags and per-track tags from every metadata revision the demuxer has.
fn collect_tags(reader: &mut dyn FormatReader) -> (Options, HashMap<u64, Options>) {
    let mut media = Options::new();
    let mut per_track = HashMap::new();
    let mut log = reader.metadata();
    if let Some(rev) = log.current() {
        from_symphonia::revision_tags(rev, &mut media, &mut per_track);
    }
    while let Some(_old) = log.pop() {
        if let Some(rev) = log.current() {
            from_symphonia::revision_tags(rev, &mut media, &mut per_track);
        }
    }
    (media, per_track)
}

/// What the source knows beyond its track list, for the only track of a file.
struct Estimate {
    /// The file size (for an average bit rate).
    byte_len: Option<u64>,
    /// An estimate of the frame count, where the container does not say it.
    frames: Option<u64>,
    /// Whether the container's own frame count is an estimate (symphonia's ADTS demuxer
    /// estimates it from the file size).
    container_estimates: bool,
    /// Frames the container counts that are not audio (for an Opus stream: see
    /// `DecoderSlot::lead`).
    lead: u64,
}

/// Builds the [`SourceStream`] of a track.
fn describe_track(index: usize, t: &Track, tags: Options, estimate: Estimate) -> SourceStream {
    let byte_len = estimate.byte_len;
    let duration_of = |frames: Option<u64>, rate: Option<u32>| -> Option<f64> {
        if let (Some(n), Some(r)) = (frames, rate.filter(|r| *r > 0)) {
            return Some(n as f64 / f64::from(r));
        }
        let (tb, d) = (t.time_base?, t.duration?);
        Some(d.get() as f64 * f64::from(tb.numer.get()) / f64::from(tb.denom.get()))
    };
    match &t.codec_params {
        Some(CodecParameters::Audio(p)) => {
            let (codec, long) = from_symphonia::codec_names(p.codec);
            let channels = p.channels.as_ref().map(|c| c.count());
            let lead = if codec == "opus" { estimate.lead } else { 0 };
            let counted = t.num_frames.map(|n| n.saturating_sub(lead));
            let (num_frames, duration, duration_estimated) = match (counted, estimate.frames) {
                (Some(n), _) if estimate.container_estimates => {
                    (None, duration_of(Some(n), p.sample_rate), true)
                }
                (None, Some(n)) => (None, duration_of(Some(n), p.sample_rate), true),
                (n, _) => (n, duration_of(n, p.sample_rate), false),
            };
            let is_pcm = codec.starts_with("pcm_");
            // Never 0: a demuxer that does not know says nothing.
            let bits = p
                .bits_per_coded_sample
                .filter(|b| *b > 0)
                .or(p.bits_per_sample.filter(|b| *b > 0))
                .or_else(|| from_symphonia::pcm_bits(codec));
            let bit_rate = if is_pcm {
                match (p.sample_rate, channels, bits) {
                    (Some(r), Some(c), Some(b)) => Some(u64::from(r) * c as u64 * u64::from(b)),
                    _ => None,
                }
            } else {
                match (byte_len, duration) {
                    (Some(len), Some(d)) if d > 0.0 => Some((len as f64 * 8.0 / d).round() as u64),
                    _ => None,
                }
            };
            SourceStream {
                index,
                media_type: MediaType::Audio,
                codec: codec.to_string(),
                codec_long_name: long.to_string(),
                sample_rate: p.sample_rate,
                num_channels: channels,
                num_frames,
                duration,
                duration_estimated,
                bit_rate,
                bits_per_sample: if is_pcm || codec == "flac" || codec == "alac" {
                    bits
                } else {
                    None
                },
                language: t.language.clone(),
                tags,
            }
        }
        other => {
            let media_type = match other {
                Some(CodecParameters::Video(_)) => MediaType::Video,
                Some(CodecParameters::Subtitle(_)) => MediaType::Subtitle,
                _ => MediaType::Unknown,
            };
            SourceStream {
                index,
                media_type,
                codec: "unknown".into(),
                codec_long_name: "not decoded by audiostream".into(),
                sample_rate: None,
                num_channels: None,
                num_frames: t.num_frames,
                duration: duration_of(None, None),
                duration_estimated: false,
                bit_rate: None,
                bits_per_sample: None,
                language: t.language.clone(),
                tags,
            }
        }
    }
}
