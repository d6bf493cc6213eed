//! Decoder state: a [`DecoderSlot`] per source stream that has outputs, and how one is made
//! for a track (`make_decoder`). The slot places decoded frames in the stream (timestamps,
//! lost packets, encoder delay and padding), resamples a stream whose rate changes mid-stream
//! back to its first, and says how much preroll a seek needs. Faults inside symphonia are
//! contained here too ([`contain`]).

use super::buffer::OutputBuffer;
use super::metadata::from_symphonia;
use super::pcm::PcmFrames;
use super::{audio_params, StreamReader};
use crate::limits::{MAX_GAP_SECONDS, MAX_PACKET_SAMPLES, MAX_SAMPLE_RATE, MAX_STREAM_CHANNELS};
use crate::{Error, Result};
use ndarray::Array2;
use symphonia::core::audio::GenericAudioBufferRef;
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::packet::Packet;
use symphonia::core::units::TimeBase;

/// One decoder, shared by every output that reads its source stream.
pub(super) struct DecoderSlot {
    /// `None` only while a packet is being decoded (see `decode_packet`).
    pub(super) decoder: Option<Box<dyn AudioDecoder>>,
    /// Interleaved PCM our decoder would only deinterleave: the packets' bytes go straight
    /// into the outputs' chunks instead (`Frames::Pcm`), one pass instead of two.
    pub(super) pcm: Option<PcmFrames>,
    pub(super) codec: String,
    pub(super) sample_rate: u32,
    pub(super) channels: usize,
    time_base: Option<TimeBase>,
    /// Timestamp of the first decoded frame of the stream, in time-base units: where frame 0
    /// is. Demuxers disagree on where a stream starts (Ogg says before the encoder delay, MP3
    /// at the trimmed start), so it is taken from the first decoded packet when the stream is
    /// read from its start, and assumed at `max(track start, 0)` until then.
    start_ts: i64,
    /// `start_ts` as assumed before the first packet (`max(track start, 0)`): where a reader
    /// that seeks counts frames from.
    seek_start_ts: i64,
    /// Whether the stream changed its rate mid-stream at some point (`reshape` was made): a
    /// resampler then carries state from packet to packet.
    pub(super) resampled: bool,
    /// Whether the next decoded frames are the stream's first (read from the start).
    pub(super) at_stream_start: bool,
    /// Stream frame index of the next decoded frame; `None` after a seek until a packet says.
    pub(super) position: Option<u64>,
    /// Decoded frames before this stream frame are dropped (the seek target).
    pub(super) discard_until: u64,
    pub(super) decoded_packets: u64,
    pub(super) failed_packets: u64,
    pub(super) last_error: Option<String>,
    /// Whether encoder delay and padding are trimmed (the packets' `trim_start`/`trim_end`).
    pub(super) gapless: bool,
    /// Whether the decoder trims them itself (symphonia's MPEG audio and Vorbis decoders do);
    /// for every other decoder the reader cuts them from the decoded frames.
    pub(super) decoder_trims: bool,
    /// Frames past this one are padding the container says to drop (MP4: the sample table's
    /// total; the last AAC packet decodes to a whole 1024-frame block).
    pub(super) end_frame: Option<u64>,
    /// Frames of silence put where packets were missing, and how many such gaps.
    pub(super) gap_frames: u64,
    pub(super) lost_gaps: u64,
    /// While the stream runs at another rate than it started with: the resampler back to its
    /// first rate (channel counts are remixed per output, to each output's count).
    pub(super) reshape: Option<Reshape>,
    warned_reshape: bool,
    /// Decoded frames handed to the outputs (before their own cuts).
    pub(super) frames_out: u64,
    /// Whether the stream was read from its start (no seek since it was opened).
    pub(super) read_from_start: bool,
    /// A packet held back while the gap before it is filled with silence a step at a time.
    pub(super) held: Option<Packet>,
    /// Whether the gap being filled was counted already (it is filled in steps).
    pub(super) gap_in_steps: bool,
    /// Frames at the start of the stream that are the encoder's, not audio, where the
    /// demuxer says how many but does not mark them in its packets (Ogg Opus's pre-skip:
    /// symphonia's Ogg demuxer reports it as the track's delay only).
    pub(super) lead: u64,
    /// Of those, the ones still to cut (reading from the start).
    pub(super) lead_left: u64,
}

/// Decoded frames at another rate than the stream's first, resampled back to it.
pub(super) struct Reshape {
    /// (rate, channels) of the frames resampled.
    from: (u32, usize),
    resampler: crate::dsp::Resampler,
}

/// Where a packet's decoded frames go: `start`, the stream frame of the first one as the
/// reader counts; `packet_frame`, where the packet's timestamp says it starts, when that is
/// to be trusted over the count (a later timestamp means packets were lost).
#[derive(Clone, Copy, Debug)]
pub(super) struct Placement {
    pub(super) start: u64,
    pub(super) packet_frame: Option<u64>,
}

/// Decoded frames handed to the outputs: a decoder's buffer (frames from `front` on), an
/// interleaved PCM packet's bytes (frames from `front` on), or frames already converted to
/// `f32` (at the stream's rate, in any channel count).
pub(super) enum Frames<'a> {
    Decoded {
        buf: &'a GenericAudioBufferRef<'a>,
        front: usize,
    },
    Pcm {
        data: &'a [u8],
        pcm: PcmFrames,
        front: usize,
    },
    Planar(ndarray::ArrayView2<'a, f32>),
}

impl Frames<'_> {
    /// Channels of the frames, given the stream's.
    pub(super) fn channels(&self, stream_channels: usize) -> usize {
        match self {
            Frames::Decoded { .. } | Frames::Pcm { .. } => stream_channels,
            Frames::Planar(view) => view.nrows(),
        }
    }

    pub(super) fn push_to(
        &self,
        buffer: &mut OutputBuffer,
        range: std::ops::Range<usize>,
        keep_all: bool,
    ) {
        match self {
            Frames::Decoded { buf, front } => {
                buffer.push_decoded(buf, front + range.start..front + range.end, keep_all)
            }
            Frames::Pcm { data, pcm, front } => {
                buffer.push_pcm(data, *pcm, front + range.start..front + range.end, keep_all)
            }
            Frames::Planar(view) => buffer.push_view(view.slice(ndarray::s![.., range]), keep_all),
        }
    }

    pub(super) fn planar(&self, channels: usize, range: std::ops::Range<usize>) -> Array2<f32> {
        match self {
            Frames::Decoded { buf, front } => {
                decoded_planar(buf, channels, front + range.start..front + range.end)
            }
            Frames::Pcm { data, pcm, front } => {
                let range = front + range.start..front + range.end;
                let mut samples = Vec::with_capacity(channels * range.len());
                for c in 0..channels {
                    pcm.append_plane(data, c, range.clone(), &mut samples);
                    samples.resize((c + 1) * range.len(), 0.0);
                }
                match Array2::from_shape_vec((channels, range.len()), samples) {
                    Ok(planar) => planar,
                    // Every row was made exactly `range.len()` long above.
                    Err(e) => unreachable!("{channels} rows of {} frames: {e}", range.len()),
                }
            }
            Frames::Planar(view) => view.slice(ndarray::s![.., range]).to_owned(),
        }
    }
}

/// Runs `f`, turning a panic inside it (a fault in a demuxer or decoder we use) into an error
/// message instead of unwinding through the caller.
pub(super) fn contain<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
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
pub(super) fn leak_panic_message(message: String) -> &'static str {
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
    pub(super) fn place(&mut self, packet_ts: i64, trust_timestamp: bool) -> Placement {
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
    pub(super) fn gap_before(&self, packet: &Packet) -> Option<u64> {
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
    pub(super) fn placement_for_silence(&self, frames: u64) -> (u64, u64) {
        let start = self.position.unwrap_or(0);
        (start, frames)
    }

    /// Frames decoded in another shape (`from` = rate, channels) than the stream started
    /// with: resampled to the stream's rate (their channels stay; each output remixes them to
    /// its own count).
    pub(super) fn reshape_to_stream_rate(
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
        self.resampled = true;
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
    pub(super) fn end_reshape_unless(
        &mut self,
        shape: (u32, usize),
    ) -> Result<Option<Array2<f32>>> {
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
    pub(super) fn exact_timestamps(&self) -> bool {
        self.time_base
            .is_some_and(|tb| tb.numer.get() == 1 && tb.denom.get() == self.sample_rate)
    }

    /// Stream frame of the first frame a packet with timestamp `ts` decodes to (before any
    /// trim: negative for frames of an encoder's priming), as a reader that seeks places it:
    /// where timestamps name frames exactly (`exact_timestamps`), the stream's rate never
    /// changed (a packet is then its own frames), and a read from the start found frame 0
    /// where a seek assumes it; `None` otherwise.
    pub(super) fn frame_offset_of(&self, ts: i64) -> Option<i64> {
        (self.exact_timestamps() && !self.resampled && self.start_ts == self.seek_start_ts)
            .then(|| ts.saturating_sub(self.seek_start_ts))
    }

    /// Timestamp of the first frame this packet decodes to (after the decoder's gapless trim).
    pub(super) fn first_frame_ts(&self, packet: &Packet) -> i64 {
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
    /// Of `decoded_frames` frames decoded from `packet` (first frame at `packet_ts`), the
    /// audio: `(front, frames, ts)`, frames `front..front + frames` starting at `ts` — the delay
    /// and padding the decoder left in cut (`cut_trims`), and the lead still to cut.
    pub(super) fn cut(
        &mut self,
        cut_trims: bool,
        packet: &Packet,
        decoded_frames: usize,
        packet_ts: i64,
    ) -> (usize, usize, i64) {
        let (mut front, back) = DecoderSlot::trim_of(cut_trims, packet, decoded_frames);
        let mut frames = decoded_frames - front - back;
        let mut packet_ts = packet_ts;
        if self.lead_left > 0 {
            let cut = self.lead_left.min(frames as u64);
            self.lead_left -= cut;
            front += cut as usize;
            frames -= cut as usize;
            packet_ts = packet_ts.saturating_add(cut as i64);
        }
        (front, frames, packet_ts)
    }

    pub(super) fn trim_of(cut: bool, packet: &Packet, frames: usize) -> (usize, usize) {
        if !cut {
            return (0, 0);
        }
        let front = usize::try_from(packet.trim_start.get()).map_or(frames, |t| t.min(frames));
        let back = usize::try_from(packet.trim_end.get()).map_or(frames, |t| t.min(frames - front));
        (front, back)
    }

    /// Frames to decode before a seek target so the decoder's state is rebuilt by then.
    pub(super) fn preroll_frames(&self) -> u64 {
        match self.codec.as_str() {
            c if c.starts_with("pcm_") => 0,
            "flac" | "alac" | "wavpack" => 0,
            // Every ADPCM block starts from the state in its own header.
            c if c.starts_with("adpcm") => 0,
            // Two packets cover MDCT overlap and MP3's bit reservoir (at most 511 bytes back).
            "mp1" | "mp2" | "mp3" => 3 * 1152,
            // AAC-LC (the only AAC object type decoded; of an HE-AAC stream its LC core) carries
            // the MDCT overlap of one packet into the next, and its noise generator, which no
            // preroll rebuilds (`load` sets it itself, src/load/pns.rs).
            "aac" => 1024,
            // RFC 7845 §4.6 asks for at least 80 ms; after 80 ms the decoder's state is still
            // 25 dB from a full decode's, after 320 ms 95 dB (and soon bit for bit).
            "opus" => 4 * 3840,
            // Vorbis blocks are at most 8192 frames; one earlier block completes the overlap.
            _ => 2 * 8192,
        }
    }

    /// Stream frame index of timestamp `ts`.
    fn frame_of(&self, ts: i64) -> u64 {
        let rel = ts.saturating_sub(self.start_ts).max(0) as u64;
        match self.time_base {
            Some(tb) => {
                let (numer, den) = (u64::from(tb.numer.get()), u64::from(tb.denom.get()));
                let rate = u64::from(self.sample_rate);
                // The same rounding in 64 bits while it cannot overflow (every packet of
                // every stream goes through here: WebAssembly has no 128-bit division, and
                // compiler_builtins' was 1.6 % of a WAV's decode in Node), else in 128.
                if let Some(half_up) = rel
                    .checked_mul(numer)
                    .and_then(|n| n.checked_mul(rate))
                    .and_then(|n| n.checked_add(den / 2))
                {
                    return half_up / den;
                }
                let num = u128::from(rel) * u128::from(numer) * u128::from(rate);
                let den = u128::from(den);
                ((num + den / 2) / den) as u64
            }
            None => rel,
        }
    }
}

impl StreamReader {
    /// An AAC decoder with the reader's noise-generator ledger, when it has one (`load`'s
    /// parts); `None`: the registry's decoder.
    #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
    fn make_aac_decoder(
        &self,
        codec: &str,
        params: &symphonia::core::codecs::audio::AudioCodecParameters,
        opts: &AudioDecoderOptions,
    ) -> Option<symphonia::core::errors::Result<Box<dyn AudioDecoder>>> {
        let ledger = self.pns_ledger.as_ref().filter(|_| codec == "aac")?;
        Some(
            audiostream_symphonia_aac::AacDecoder::try_new(params, opts)
                .map(|d| Box::new(d.with_pns_ledger(ledger.clone())) as Box<dyn AudioDecoder>),
        )
    }

    /// An Opus decoder that keeps its states, when the reader was asked to (`load`'s parts);
    /// `None`: the registry's decoder.
    #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
    fn make_opus_decoder(
        &self,
        codec: &str,
        params: &symphonia::core::codecs::audio::AudioCodecParameters,
    ) -> Option<symphonia::core::errors::Result<Box<dyn AudioDecoder>>> {
        let states = self.opus_states.as_ref().filter(|_| codec == "opus")?;
        Some(super::opus::OpusDecoder::with_states(
            params,
            states.clone(),
        ))
    }

    #[cfg(not(any(feature = "decode-ogg", feature = "decode-mkv")))]
    fn make_opus_decoder(
        &self,
        _codec: &str,
        _params: &symphonia::core::codecs::audio::AudioCodecParameters,
    ) -> Option<symphonia::core::errors::Result<Box<dyn AudioDecoder>>> {
        None
    }

    #[cfg(not(any(feature = "decode-mp4", feature = "decode-aac")))]
    fn make_aac_decoder(
        &self,
        _codec: &str,
        _params: &symphonia::core::codecs::audio::AudioCodecParameters,
        _opts: &AudioDecoderOptions,
    ) -> Option<symphonia::core::errors::Result<Box<dyn AudioDecoder>>> {
        None
    }

    pub(super) fn make_decoder(
        &self,
        src: usize,
        opts: &AudioDecoderOptions,
    ) -> Result<DecoderSlot> {
        let track = self
            .tracks
            .get(src)
            .ok_or_else(|| Error::invalid_argument("stream_index", src, "an existing stream"))?;
        let params = audio_params(track)
            .ok_or_else(|| Error::decode(format!("stream {src} has no audio parameters")))?;
        let sample_rate = params
            .sample_rate
            .filter(|r| *r > 0)
            .ok_or_else(|| Error::decode(format!("stream {src} has no sample rate")))?;
        let channels = params.channels.as_ref().map_or(0, |c| c.count());
        if channels == 0 {
            return Err(Error::decode(format!("stream {src} has no channels")));
        }
        if sample_rate > MAX_SAMPLE_RATE {
            return Err(Error::decode_limit(format!(
                "stream {src} of {}: a sample rate of {sample_rate} Hz; the reader takes up to \
                 {MAX_SAMPLE_RATE} Hz",
                self.src_name
            )));
        }
        if channels > MAX_STREAM_CHANNELS {
            return Err(Error::decode_limit(format!(
                "stream {src} of {}: {channels} channels; the reader takes up to \
                 {MAX_STREAM_CHANNELS}",
                self.src_name
            )));
        }
        // Decoders size their buffers by the declared packet size when they are made: check it
        // first (an 84-byte CAF once declared 2^32 frames per packet).
        if let Some(max) = params.max_frames_per_packet {
            if max.saturating_mul(channels as u64) > MAX_PACKET_SAMPLES {
                return Err(Error::decode_limit(format!(
                    "stream {src} of {}: packets of up to {max} frames of {channels} channels; \
                     the reader takes up to {MAX_PACKET_SAMPLES} samples per packet",
                    self.src_name
                )));
            }
        }
        let (codec, _) = from_symphonia::codec_names(params.codec);
        let decoder = self
            .make_aac_decoder(codec, params, opts)
            .or_else(|| self.make_opus_decoder(codec, params))
            .unwrap_or_else(|| super::registry::codecs().make_audio_decoder(params, opts))
            .map_err(|e| match e {
                SymError::Unsupported(_) => Error::Unsupported(format!(
                    "no decoder for codec \"{codec}\" (stream {src} of {}); decodable: pcm, adpcm, \
                     flac, alac, mp1, mp2, mp3, aac (LC), vorbis, opus",
                    self.src_name
                )),
                other => Error::decode(format!("stream {src}: {other}")),
            })?;
        let lead = if self.container == "ogg" && codec == "opus" && opts.gapless {
            u64::from(track.delay.unwrap_or(0))
        } else {
            0
        };
        Ok(DecoderSlot {
            decoder: Some(decoder),
            pcm: PcmFrames::for_params(params),
            codec: codec.to_string(),
            sample_rate,
            channels,
            time_base: track.time_base,
            start_ts: track.start_ts.get().max(0).saturating_add(lead as i64),
            seek_start_ts: track.start_ts.get().max(0).saturating_add(lead as i64),
            resampled: false,
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
}

/// Frames `range` of a decoded buffer as `(channels, frames)` `f32`.
pub(super) fn decoded_planar(
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
