//! Opus in parts: joined only where the decoders' states are proved equal.
//!
//! An Opus decoder carries state from packet to packet that a seek does not rebuild at once:
//! CELT's energy prediction, pitch pre-filter and overlap, SILK's filters, the resamplers. A
//! decode from a seek comes back to the state a decode from the start has, bit for bit, after
//! a few hundred milliseconds of music (measured on the benchmark file: 9 to 35 packets of 20
//! ms), but nothing in its output proves when. So each part keeps its decoder's state after
//! every packet of a window at its start, and the part before it decodes on past its end
//! through the same window keeping its states too ([`States`], `crate::reader::opus`). Where
//! the two states are equal after a packet ([`opus_pure::OpusDecoder::same_state`], of our
//! copy in `symphonia-fixes/opus`), the later part decodes from the next packet on exactly
//! what the earlier one would have; before that, the earlier part's frames are taken. No such
//! packet in the window (a stream whose state takes longer to converge, a multistream) and the
//! load decodes on one thread.
//!
//! The comparison leaves out one piece of state, CELT's concealment noise floor, which takes a
//! decoder that started elsewhere a long time to match, and which only the noise branch of
//! concealment reads (lost and DTX packets, some mode switches): a part whose decoder ran that
//! branch after the join is not joined either.

#[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
use crate::reader::opus::OpusStates;
use crate::StreamReader;
use std::ops::Range;
#[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
use std::sync::Arc;

/// How far past its end a part decodes, in seconds: the window in which the next part's
/// decoder must come to the same state.
pub(super) const JOIN_WINDOW_SECONDS: f64 = 1.0;

/// Most parts an Opus load is cut into: each join keeps up to [`crate::reader::opus`]'s
/// `MAX_KEPT_STATES` decoder states on each side (about 210 KB each for stereo), so this bounds
/// what a load keeps at once (7 joins: up to about 190 MB; 50 MB with 20 ms packets).
pub(super) const MAX_PARTS: usize = 8;

/// How far before a part's start its window begins, in frames of the stream (the longest
/// Opus packet, 120 ms): a packet that starts before the part and ends in it can be the join.
#[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
const BEFORE_START_FRAMES: i64 = 5760;

/// Whether `codec` is split by joining states (Opus, in builds that read it).
pub(super) fn splits(codec: &str) -> bool {
    cfg!(any(feature = "decode-ogg", feature = "decode-mkv")) && codec == "opus"
}

/// Where one part's Opus decoder keeps its states (empty in builds without Opus).
#[derive(Clone, Default)]
pub(super) struct States {
    #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
    inner: Option<Arc<OpusStates>>,
}

impl States {
    /// States kept from the windows [`States::set_windows`] gives.
    pub(super) fn keeping() -> Self {
        States {
            #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
            inner: Some(OpusStates::new()),
        }
    }

    /// Checks that the packets starting in `frames` (output frames of `reader`, each range
    /// widened back by one longest packet) are CELT-only, and, for the ranges whose flag says
    /// so, keeps the decoder's states after them.
    pub(super) fn set_windows(&self, reader: &StreamReader, frames: &[(Range<u64>, bool)]) {
        #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
        if let Some(inner) = &self.inner {
            let windows = frames
                .iter()
                .filter_map(|(r, keep)| {
                    let a = reader.ts_of_output_frame(r.start)?;
                    let b = reader.ts_of_output_frame(r.end)?;
                    Some((a.saturating_sub(BEFORE_START_FRAMES)..b, *keep))
                })
                .collect();
            inner.set_windows(windows);
        }
        #[cfg(not(any(feature = "decode-ogg", feature = "decode-mkv")))]
        let _ = (reader, frames);
    }

    /// Gives the states to the Opus decoder `reader` makes next (call before
    /// `add_audio_stream`); nothing for other codecs.
    pub(super) fn attach(&self, reader: &mut StreamReader) {
        #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
        if let Some(s) = &self.inner {
            reader.set_opus_states(s.clone());
        }
        #[cfg(not(any(feature = "decode-ogg", feature = "decode-mkv")))]
        let _ = reader;
    }

    /// Whether this part cannot be joined to the one before, whatever the states compare to:
    /// a multistream, or a packet in a window that was not CELT-only (SILK's fixed-point
    /// filters do not come back to a decode from the start's state: measured on speech at 12
    /// and 24 kb/s, still apart after 6 s). Known once the window at the part's start is
    /// decoded.
    pub(super) fn hopeless(&self) -> bool {
        #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
        return self.inner.as_ref().is_none_or(|i| i.hopeless());
        #[cfg(not(any(feature = "decode-ogg", feature = "decode-mkv")))]
        true
    }

    /// Where the part after this one (`later`) joins it: the timestamp of the packet from
    /// which `later`'s frames are the ones this part's decoder would have given (see the
    /// [module docs](self)); `None` where no such packet was found.
    pub(super) fn join_from(&self, later: &States) -> Option<i64> {
        #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
        {
            let (mine, theirs) = (self.inner.as_ref()?, later.inner.as_ref()?);
            mine.join_point(theirs).map(|(_, next)| next)
        }
        #[cfg(not(any(feature = "decode-ogg", feature = "decode-mkv")))]
        {
            let _ = later;
            None
        }
    }
}
