//! AAC in parts: the noise generator's ledger of each part's reader.
//!
//! An AAC decoder fills the bands coded as noise (perceptual noise substitution) from a random
//! generator that runs from the stream's first packet, so a part decoded from a seek draws
//! other numbers than a decode from the start (symphonia-fixes/aac, `UPSTREAM-NOTES.md`). How
//! many numbers each packet draws depends on the packet alone; so each part records them
//! ([`Ledger::recording`]), and once every part is decoded the records say what a decode from
//! the start had drawn before each part ([`redo`]). A part that drew nothing (most music at
//! 128 kbps and more has no noise bands), or that starts where the generator is back at its
//! seed, is right as it is; the others are decoded again, in parallel, with their generators
//! set where a decode from the start has them. The result is bit for bit the single-threaded
//! decode's in every case; a file with noise bands everywhere costs one more decode of the
//! parts after the first.

use crate::StreamReader;
#[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
use audiostream_symphonia_aac::pns::{merge, PnsLedger, MAX_ELEMENTS};
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

/// After every part was decoded with a [`Ledger::recording`] ledger (`ledgers[k]`: part `k`'s,
/// part 0 first): the parts to decode again, each with the ledger that sets its generators
/// where a decode from the start has them. `None` when the records disagree on a packet two
/// parts decoded (then the parts cannot be joined: the caller decodes on one thread).
pub(super) fn redo(ledgers: &[Ledger]) -> Option<Vec<(usize, Ledger)>> {
    #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
    {
        let records: Vec<_> = ledgers
            .iter()
            .map(|l| l.inner.as_ref().map(|i| i.record()).unwrap_or_default())
            .collect();
        let table = Arc::new(merge(records.iter().map(Vec::as_slice))?);
        let mut again = Vec::new();
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
                let ledger = Ledger {
                    inner: Some(PnsLedger::positioned(table.clone())),
                };
                again.push((k, ledger));
            }
        }
        Some(again)
    }
    #[cfg(not(any(feature = "decode-mp4", feature = "decode-aac")))]
    {
        let _ = ledgers;
        Some(Vec::new())
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
        assert_eq!(
            redo(&[Ledger::default(), Ledger::default()]).unwrap().len(),
            0
        );
        assert_eq!(redo(&[]).unwrap().len(), 0);
    }
}
