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
//!
//! The reader's code is in rooms of one job each: `tracks` (opening a source and describing
//! its tracks), `outputs` (adding output streams), `decoder` (a source stream's decoder and
//! where its frames go), `packets` (the packet loop), `deliver` (decoded frames into the
//! outputs), `end` (the end of the stream), `seek`, `chunks` (popping and iterating chunks)
//! and `info` (metadata and counters).

mod buffer;
mod chunks;
mod convert;
mod decoder;
mod deliver;
mod end;
mod info;
pub(crate) mod live;
pub(crate) mod metadata;
mod mp3_estimate;
mod options;
#[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
pub(crate) mod opus;
mod outputs;
mod packets;
mod pcm;
mod raw;
pub mod registry;
mod riff_info;
mod seek;
pub(crate) mod source;
mod tracks;
mod wav_slots;

pub use info::ReaderStats;
pub use metadata::{MediaType, Metadata, SourceStream};
pub use options::{AudioStreamOptions, OutputStream};

use crate::{Options, Result};
use decoder::DecoderSlot;
use outputs::Output;
use symphonia::core::codecs::audio::AudioCodecParameters;
use symphonia::core::codecs::CodecParameters;
use symphonia::core::formats::{FormatReader, Track};

/// Reads audio from a file, memory, a stream or stdin in chunks of a fixed number of frames
/// (seed: `StreamReader`).
///
/// ```no_run
/// use audiostream::StreamReader;
/// let mut reader = StreamReader::new("input.flac", None, None)?;
/// reader.add_basic_audio_stream(1024, 4)?;
/// // The seed's loop: every chunk comes out, the last, shorter one included.
/// while reader.process_packet()? != 0 {
///     if let Some(chunk) = &reader.pop_chunks()[0] {
///         println!("{} frames at {:.3} s", chunk.ncols(), chunk.pts);
///     }
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
    /// `pop_chunks` was called since the last `process_packet` call: the consumer keeps pace,
    /// so `process_packet` waits for it rather than dropping chunks (see there).
    popped: bool,
    /// The queue of a live source (network, device); `None` for files, memory and pipes.
    live: Option<Box<dyn live::LiveSource>>,
    /// The ledger AAC decoders made from now on get (`load`'s parts: see `src/load/mod.rs`).
    #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
    pns_ledger: Option<std::sync::Arc<audiostream_symphonia_aac::pns::PnsLedger>>,
    /// Where Opus decoders made from now on keep their states (`load`'s parts).
    #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
    opus_states: Option<std::sync::Arc<opus::OpusStates>>,
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

impl StreamReader {
    /// Gives the AAC decoders this reader makes from now on (at `add_audio_stream`) a ledger
    /// of their noise generator: what `load` needs to decode AAC in parts.
    #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
    pub(crate) fn set_pns_ledger(
        &mut self,
        ledger: std::sync::Arc<audiostream_symphonia_aac::pns::PnsLedger>,
    ) {
        self.pns_ledger = Some(ledger);
    }

    /// Output frame of the first frame the packet with timestamp `ts` of its source stream
    /// decodes to (negative for an encoder's priming), for a reader with one output that keeps
    /// its source's frames one for one (no resampling, no effects: a remix only) and a stream
    /// whose timestamps name frames; `None` otherwise. `load` places by it the frames of the AAC
    /// packets with noise bands it decodes again, and the packet where two Opus parts join
    /// (`src/load/pns.rs`, `src/load/opus.rs`).
    pub(crate) fn output_frame_of_packet(&self, ts: i64) -> Option<i64> {
        let [out] = self.outputs.as_slice() else {
            return None;
        };
        if out.conv.as_ref().is_some_and(|c| !c.frame_for_frame()) {
            return None;
        }
        self.decoders.get(out.src)?.as_ref()?.frame_offset_of(ts)
    }

    /// Whether a stream this reader decodes changed its sample rate mid-stream (its frames
    /// were resampled back to the stream's first rate, by a resampler that carries state from
    /// packet to packet): `load` does not join parts of such a stream.
    pub(crate) fn resampled_mid_stream(&self) -> bool {
        self.decoders.iter().flatten().any(|d| d.resampled)
    }

    /// Gives the Opus decoders this reader makes from now on (at `add_audio_stream`) a place
    /// to keep their states: what `load` needs to join Opus parts.
    #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
    pub(crate) fn set_opus_states(&mut self, states: std::sync::Arc<opus::OpusStates>) {
        self.opus_states = Some(states);
    }

    /// The timestamp (the source stream's time base) of output frame `frame`, the inverse of
    /// [`output_frame_of_packet`](Self::output_frame_of_packet), where that is defined.
    #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
    pub(crate) fn ts_of_output_frame(&self, frame: u64) -> Option<i64> {
        let first = self.output_frame_of_packet(0)?;
        i64::try_from(frame).ok()?.checked_sub(first)
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

fn audio_params(track: &Track) -> Option<&AudioCodecParameters> {
    match &track.codec_params {
        Some(CodecParameters::Audio(p)) => Some(p),
        _ => None,
    }
}
