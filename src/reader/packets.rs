//! The packet loop: a packet per `process_packet` call, read from the demuxer, decoded and
//! delivered; the silence of a long gap put out a step at a time; new decoders when a chained
//! stream changes.

use super::decoder::{contain, decoded_planar, leak_panic_message, Frames};
use super::{audio_params, live, StreamReader};
use crate::limits::{MAX_PACKET_SAMPLES, MAX_SAMPLE_RATE, MAX_STREAM_CHANNELS};
use crate::{Error, Result};
use std::time::Duration;
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::packet::Packet;

/// The most frames of gap silence put out by one `process_packet` call.
const GAP_STEP: u64 = 1 << 16;

impl StreamReader {
    /// Reads and decodes the next packet of a stream that has an output (seed:
    /// `process_packet()`), then returns `0` only when there is nothing left to pop: the
    /// stream has ended and every chunk has been popped (or the caller stopped popping, below).
    /// Otherwise it returns how many packets were read, at least `1`. So the seed's loop,
    /// `while process_packet()? != 0 { pop_chunks() }`, gets every chunk, the last short one
    /// and the tails of resamplers and effects included.
    ///
    /// **When chunks can be dropped.** Each output keeps `buffer_chunk_size` (K) chunks:
    /// - Files, memory, pipes and HTTP resources (sources that can wait): while chunks are
    ///   waiting to be popped and `pop_chunks` was called since the previous call, nothing is
    ///   read (the call returns `1`), so a loop that pops once per call loses nothing, even when
    ///   one packet holds more than K chunks (an output then holds at most K chunks plus one
    ///   packet's). A loop that calls again *without* popping is not reading: packets are read
    ///   on and the oldest chunks dropped beyond K (torchaudio's overflow: the newest K kept,
    ///   counted in [`stats`](Self::stats)`().dropped_chunks`, a warning the first time); at
    ///   the end such a loop gets `0` at once, so a loop that never pops still ends.
    /// - Live sources (capture devices, live network streams without a length): data does not
    ///   wait, so every call reads, and the oldest chunks beyond K are dropped when the
    ///   consumer falls behind.
    /// - [`fill_buffer`](Self::fill_buffer) with outputs that make chunks at different paces
    ///   drops the faster output's oldest chunks; [`stream`](Self::stream) never drops.
    ///
    /// After the end (every chunk popped) it keeps returning `0` until a
    /// [`seek`](Self::seek).
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.mp3", None, None)?;
    /// reader.add_basic_audio_stream(1024, 4)?;
    /// let mut frames = 0;
    /// while reader.process_packet()? != 0 {
    ///     if let Some(chunk) = &reader.pop_chunks()[0] {
    ///         frames += chunk.ncols();
    ///     }
    /// }
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn process_packet(&mut self) -> Result<usize> {
        let popped = std::mem::replace(&mut self.popped, false);
        let waiting = self.outputs.iter().any(|o| o.buffer.has_chunk());
        if self.ended {
            return Ok(usize::from(popped && waiting));
        }
        self.require_outputs()?;
        let realtime = self.live.as_ref().is_some_and(|l| l.is_realtime());
        // The consumer keeps up when it popped since the last call: wait for it while an
        // output is ready (the condition on which `stream()` pops), reading nothing.
        let consumer_ready =
            self.is_buffer_ready() || self.outputs.iter().any(|o| o.buffer.is_full());
        if !realtime && popped && consumer_ready {
            return Ok(1);
        }
        // A consumer that pops is never dropped from (a packet's chunks beyond K stay); one
        // that does not, and live sources, get torchaudio's overflow.
        let keep = !realtime && (popped || !waiting);
        let n = self.read_packet(keep);
        if !keep {
            for out in &mut self.outputs {
                out.buffer.overflow();
            }
        }
        let n = n?;
        if n == 0 && self.outputs.iter().any(|o| o.buffer.has_chunk()) {
            // The end has come with chunks to pop: not `0` yet.
            return Ok(1);
        }
        Ok(n)
    }

    /// One step of the packet loop: reads and decodes a packet (or puts out a piece of a gap,
    /// of an effect's tail, of the end); `0` once the stream has ended, whatever is waiting.
    /// `keep_all`: the outputs keep every chunk this step makes (a consumer that keeps pace,
    /// `stream()`); otherwise the oldest beyond `buffer_chunk_size` are dropped.
    pub(super) fn read_packet(&mut self, keep_all: bool) -> Result<usize> {
        if self.ended {
            return Ok(0);
        }
        self.require_outputs()?;
        // The end of the stream, a piece at a time (tails of effects, long pads).
        if self.draining {
            return Ok(usize::from(self.finish_step(keep_all)?));
        }
        // What the effects make without more input (a long `pad`) goes out before the next
        // packet is read, a piece per call.
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
                self.decode_packet(src, &packet, keep_all)?;
            }
            return Ok(1);
        }
        let mut count = 0;
        loop {
            let next = contain(|| self.demuxer.next_packet());
            let next = match next {
                Ok(next) => next,
                Err(panic) => {
                    let _ = self.finish(keep_all);
                    return Err(Error::decode_internal(format!(
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
                    return Ok(usize::from(self.finish_step(keep_all)?));
                }
                Err(SymError::ResetRequired) => {
                    if let Err(e) = self.reset_decoders_after_stream_change() {
                        // What was decoded before stays: flush the outputs, then report.
                        let _ = self.finish(keep_all);
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
                    return Ok(usize::from(self.finish_step(keep_all)?));
                }
                Err(e) => {
                    // Keep what was decoded: flush the outputs, then report.
                    let _ = self.finish(keep_all);
                    return Err(match e {
                        SymError::IoError(io) => {
                            Error::io(format!("reading {}", self.src_name), io)
                        }
                        other => Error::decode(format!("{}: {other}", self.src_name)),
                    });
                }
            };
            count += 1;
            let Some(src) = self.tracks.iter().position(|t| t.id == packet.track_id) else {
                continue;
            };
            if self.decoders.get(src).is_some_and(|d| d.is_some()) {
                self.decode_packet(src, &packet, keep_all)?;
                return Ok(count);
            }
        }
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

    pub(super) fn require_outputs(&self) -> Result<()> {
        if self.outputs.is_empty() {
            return Err(Error::InvalidArgument(
                "no output stream is configured; call add_basic_audio_stream() first".into(),
            ));
        }
        Ok(())
    }

    fn decode_packet(&mut self, src: usize, packet: &Packet, keep_all: bool) -> Result<()> {
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
            self.fill_gap(src, step, keep_all)?;
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
        let outcome = self.decode_with(decoder.as_mut(), src, packet, keep_all);
        if let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) {
            slot.decoder = Some(decoder);
        }
        if outcome? {
            if let Err(e) = self.reset_decoders_after_stream_change() {
                let _ = self.finish(keep_all);
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
        keep_all: bool,
    ) -> Result<bool> {
        let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) else {
            return Ok(false);
        };
        let packet_ts = slot.first_frame_ts(packet);
        let cut_trims = slot.gapless && !slot.decoder_trims;
        if let (Some(pcm), None) = (slot.pcm, &slot.reshape) {
            // Interleaved PCM: the packet's bytes go to the outputs as they are, converted
            // once, into their chunks (what the decoder gives, without its planes).
            slot.decoded_packets += 1;
            let (front, frames, packet_ts) = slot.cut(
                cut_trims,
                packet,
                pcm.frames_in(packet.data.len()),
                packet_ts,
            );
            if frames > 0 {
                let at = slot.place(packet_ts, true);
                let data = Frames::Pcm {
                    data: &packet.data,
                    pcm,
                    front,
                };
                self.deliver(src, data, frames, at, keep_all)?;
            }
            return Ok(false);
        }
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
        let (front, frames, packet_ts) = slot.cut(cut_trims, packet, buf.frames(), packet_ts);
        let spec = buf.spec();
        let shape = (spec.rate(), spec.channels().count());
        let native = shape == (slot.sample_rate, slot.channels);
        if native && slot.reshape.is_none() {
            if frames > 0 {
                let at = slot.place(packet_ts, true);
                self.deliver(
                    src,
                    Frames::Decoded { buf: &buf, front },
                    frames,
                    at,
                    keep_all,
                )?;
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
            self.deliver(src, Frames::Planar(tail.view()), tail.ncols(), at, keep_all)?;
        }
        let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) else {
            return Ok(false);
        };
        let converted = slot.reshape_to_stream_rate(shape, planar)?;
        if converted.ncols() > 0 {
            let at = slot.place(packet_ts, false);
            self.deliver(
                src,
                Frames::Planar(converted.view()),
                converted.ncols(),
                at,
                keep_all,
            )?;
        }
        Ok(false)
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
                Error::decode(format!(
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
                return Err(Error::decode_limit(format!(
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
                    .map_err(|e| Error::decode(format!("{}: {e}", self.src_name)))?,
            );
        }
        // The new tracks keep our stream indices where ids match; adopt the new list.
        if tracks.len() == self.tracks.len() {
            self.tracks = tracks;
        }
        Ok(())
    }
}
