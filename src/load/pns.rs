//! AAC in parts: the noise generator's ledger of each part's reader.
//!
//! An AAC decoder fills the bands coded as noise (perceptual noise substitution) from a random
//! generator that runs from the stream's first packet, so a part decoded from a seek draws
//! other numbers than a decode from the start (symphonia-fixes/aac, `UPSTREAM-NOTES.md`). How
//! many numbers each packet draws depends on the packet alone; so each part records them
//! ([`Ledger::recording`]), and once every part is decoded the records say what a decode from
//! the start had drawn before each part ([`redo`]). A part that drew nothing (no noise bands), or
//! that starts where the generator is back at its seed, is right as it is; in the others only the frames the packets with noise bands decode
//! to are wrong (a packet's own frames and the next packet's, which its MDCT overlap reaches:
//! AAC-LC carries no other state from packet to packet). Those frames are decoded again, in
//! parallel, by readers whose generators are set where a decode from the start has them after
//! each seek ([`Again::ledger`]; `Redo::noise_ranges` in `mod.rs`), or the whole part where
//! the output resamples (a resampler's output frame mixes many source frames). The result is
//! bit for bit the single-threaded decode's in every case. FFmpeg's encoder at 192 kb/s puts
//! noise bands in about one packet of music in seven (the benchmark file: 1,881 of the 12,900
//! in its second half, in 573 runs),
//! so about a fifth of a part is decoded again (2.58 M of its 13.2 M frames, in 332 ranges).

use crate::StreamReader;
#[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
use audiostream_symphonia_aac::pns::{merge, DrawTable, PnsLedger, MAX_ELEMENTS};
#[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
use std::sync::Arc;

/// Whether `codec` is split with ledgers (AAC, in builds that read it).
pub(super) fn splits(codec: &str) -> bool {
    cfg!(any(feature = "decode-mp4", feature = "decode-aac")) && codec == "aac"
}

/// The noise-generator ledger of one part's reader (empty in builds without AAC).
#[derive(Clone, Default)]
pub(super) struct Ledger {
    #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
    inner: Option<Arc<PnsLedger>>,
}

impl Ledger {
    /// A ledger that records what each packet draws.
    pub(super) fn recording() -> Self {
        Ledger {
            #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
            inner: Some(PnsLedger::recording()),
        }
    }

    /// Gives the ledger to the AAC decoder `reader` makes next (call before
    /// `add_audio_stream`); nothing for other codecs.
    pub(super) fn attach(&self, reader: &mut StreamReader) {
        #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
        if let Some(l) = &self.inner {
            reader.set_pns_ledger(l.clone());
        }
        #[cfg(not(any(feature = "decode-mp4", feature = "decode-aac")))]
        let _ = reader;
    }
}

/// The parts of a parallel load to decode again ([`redo`]), and the ledgers that set their
/// generators right.
#[derive(Default)]
pub(super) struct Again {
    /// Each part to decode again (its index, part 0 first) with the timestamps of the packets
    /// its first decode drew in (its pre-roll included), in decode order.
    pub(super) parts: Vec<(usize, Vec<i64>)>,
    /// What a decode from the start drew before each packet.
    #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
    table: Option<Arc<DrawTable>>,
}

impl Again {
    /// A fresh ledger for a reader that decodes (some of) these parts again: it sets the
    /// generators, at the first packet and at the first after each seek, where a decode from
    /// the start has them.
    pub(super) fn ledger(&self) -> Ledger {
        Ledger {
            #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
            inner: self.table.clone().map(PnsLedger::positioned),
        }
    }
}

/// Frames an AAC packet decodes to; its noise reaches the next packet's frames too.
#[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
pub(super) const PACKET_FRAMES: u64 = audiostream_symphonia_aac::pns::FRAMES_PER_PACKET;
#[cfg(not(any(feature = "decode-mp4", feature = "decode-aac")))]
pub(super) const PACKET_FRAMES: u64 = 1024;

/// After every part was decoded with a [`Ledger::recording`] ledger (`ledgers[k]`: part `k`'s,
/// part 0 first): the parts to decode again ([`Again`]), whose generators did not start where a
/// decode from the start has them. `None` when the records disagree on a packet two parts
/// decoded (then the parts cannot be joined: the caller decodes on one thread).
pub(super) fn redo(ledgers: &[Ledger]) -> Option<Again> {
    #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
    {
        let records: Vec<_> = ledgers
            .iter()
            .map(|l| l.inner.as_ref().map(|i| i.record()).unwrap_or_default())
            .collect();
        let table = Arc::new(merge(records.iter().map(Vec::as_slice))?);
        let mut parts = Vec::new();
        // Part 0 starts where the single-threaded decode starts: right by definition.
        for (k, (ledger, record)) in ledgers.iter().zip(&records).enumerate().skip(1) {
            let Some(first) = ledger.inner.as_ref().and_then(|i| i.first_ts()) else {
                continue; // decoded nothing
            };
            let before = table.before(first);
            let mut drew = [0u64; MAX_ELEMENTS];
            for p in record {
                for (d, n) in drew.iter_mut().zip(p.draws) {
                    *d = d.wrapping_add(n);
                }
            }
            // The generator's period is 2^32: a multiple of it brings it back to the seed.
            let right = drew
                .iter()
                .zip(before)
                .all(|(&d, b)| d == 0 || b % (1 << 32) == 0);
            if !right {
                parts.push((k, record.iter().map(|p| p.ts).collect()));
            }
        }
        Some(Again {
            parts,
            table: Some(table),
        })
    }
    #[cfg(not(any(feature = "decode-mp4", feature = "decode-aac")))]
    {
        let _ = ledgers;
        Some(Again::default())
    }
}

#[cfg(test)]
#[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
mod tests {
    use super::*;

    #[test]
    fn only_codecs_with_a_noise_generator_are_split_by_ledgers() {
        assert!(splits("aac"));
        assert!(!splits("opus"));
        assert!(!splits("mp3"));
    }

    #[test]
    fn parts_without_ledgers_need_nothing_again() {
        assert!(redo(&[Ledger::default(), Ledger::default()])
            .unwrap()
            .parts
            .is_empty());
        assert!(redo(&[]).unwrap().parts.is_empty());
    }
}
