// audiostream, 2026: new file of audiostream-symphonia-aac (MPL-2.0, as the crate it is added
// to). See UPSTREAM-NOTES.md.

//! A ledger of the perceptual-noise-substitution generator, for decoding one stream in parts.
//!
//! The decoder fills noise bands (ISO/IEC 14496-3 §4.6.13) from a random generator that each
//! channel element keeps from its first packet on (`common::Lcg`, seeded as FFmpeg seeds it),
//! so a decoder that starts in the middle of a stream fills them with other numbers than a
//! decoder that came from the start. How *many* numbers a packet draws depends on the packet
//! alone (the widths of its noise bands), not on the generator's state. So a stream decoded
//! in parts on several threads can be made to give what one decode gives:
//!
//! 1. each part's decoder records, with a [`PnsLedger::recording`] ledger, what each packet
//!    it decoded drew ([`PnsLedger::record`]);
//! 2. the records of all parts, joined ([`merge`]), say how many numbers were drawn before any
//!    packet; a part whose packets drew nothing, or whose start the generator reaches again
//!    (a multiple of its period, 2^32), is right as it is;
//! 3. the other parts are decoded again with a [`PnsLedger::positioned`] ledger: the decoder
//!    sets each element's generator to where a decode from the start would have it at the
//!    first packet it decodes ([`crate::AacDecoder::with_pns_ledger`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Channel elements a decoder has at most (it decodes up to 2 channels: one pair, or two
/// single channels); each has its own generator.
pub const MAX_ELEMENTS: usize = 2;

/// Frames a packet decodes to (the decoder takes 1024-frame packets only). A packet's noise
/// bands reach the frames of the next packet too, through the MDCT overlap.
pub const FRAMES_PER_PACKET: u64 = 1024;

/// Numbers drawn by each channel element, in the order of the elements in a packet.
pub type Draws = [u64; MAX_ELEMENTS];

/// What one packet drew: its timestamp (`pts`, unique per packet of a stream) and the numbers
/// each element drew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketDraws {
    /// The packet's presentation timestamp.
    pub ts: i64,
    /// Numbers drawn per channel element.
    pub draws: Draws,
}

/// Draws before each packet of a stream: the joined records of its parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DrawTable {
    /// Timestamps of the packets that drew, ascending.
    ts: Vec<i64>,
    /// `before[i]`: what the packets before `ts[i]` drew in all (one more entry: the total).
    before: Vec<Draws>,
}

impl DrawTable {
    /// Numbers each element drew in the packets before the one at `ts`.
    pub fn before(&self, ts: i64) -> Draws {
        let i = self.ts.partition_point(|&t| t < ts);
        self.before.get(i).copied().unwrap_or([0; MAX_ELEMENTS])
    }
}

/// Joins the records of the parts of one stream into a [`DrawTable`]. A packet that two parts
/// decoded (a part's pre-roll is the end of the part before) must have drawn the same in
/// both; `None` if one did not (then the parts cannot be joined this way).
pub fn merge<'a>(records: impl IntoIterator<Item = &'a [PacketDraws]>) -> Option<DrawTable> {
    let mut by_ts: BTreeMap<i64, Draws> = BTreeMap::new();
    for record in records {
        for p in record {
            if let Some(seen) = by_ts.insert(p.ts, p.draws) {
                if seen != p.draws {
                    return None;
                }
            }
        }
    }
    let mut table = DrawTable {
        ts: Vec::with_capacity(by_ts.len()),
        before: Vec::with_capacity(by_ts.len() + 1),
    };
    let mut sum = [0u64; MAX_ELEMENTS];
    for (ts, draws) in by_ts {
        table.ts.push(ts);
        table.before.push(sum);
        for (s, d) in sum.iter_mut().zip(draws) {
            *s = s.wrapping_add(d);
        }
    }
    table.before.push(sum);
    Some(table)
}

#[derive(Default)]
struct Inner {
    /// Packets decoded that drew (packets that drew nothing are not kept), in decode order.
    record: Vec<PacketDraws>,
    /// Where the generators start ([`PnsLedger::positioned`]).
    start: Option<Arc<DrawTable>>,
}

/// What a decoder drew, packet by packet, and where its generators start; shared between the
/// decoder and whoever made it (see the [module docs](self)).
#[derive(Default)]
pub struct PnsLedger {
    inner: Mutex<Inner>,
    /// Timestamp of the first packet decoded (apart from the lock: every packet reads it).
    first_ts: OnceLock<i64>,
}

impl PnsLedger {
    /// A ledger that records; the decoder's generators start from the seed (as upstream's).
    pub fn recording() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A ledger that records, and sets the generators at the first packet the decoder decodes
    /// (and at the first after each reset) to where `table` says a decode from the start of
    /// the stream has them.
    pub fn positioned(table: Arc<DrawTable>) -> Arc<Self> {
        Arc::new(PnsLedger {
            inner: Mutex::new(Inner {
                start: Some(table),
                ..Inner::default()
            }),
            first_ts: OnceLock::new(),
        })
    }

    /// The packets decoded so far that drew, in decode order.
    pub fn record(&self) -> Vec<PacketDraws> {
        self.lock().record.clone()
    }

    /// Timestamp of the first packet decoded, if any was.
    pub fn first_ts(&self) -> Option<i64> {
        self.first_ts.get().copied()
    }

    /// Where the generators start at the packet `ts`, for a positioned ledger.
    pub(crate) fn start_at(&self, ts: i64) -> Option<Draws> {
        self.lock().start.as_ref().map(|t| t.before(ts))
    }

    /// Notes a packet the decoder is about to decode.
    pub(crate) fn begin(&self, ts: i64) {
        self.first_ts.get_or_init(|| ts);
    }

    /// Notes what a packet drew.
    pub(crate) fn add(&self, ts: i64, draws: Draws) {
        if draws != [0; MAX_ELEMENTS] {
            self.lock().record.push(PacketDraws { ts, draws });
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Nothing panics while the lock is held, but a poisoned lock's data is still whole.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(ts: i64, a: u64, b: u64) -> PacketDraws {
        PacketDraws { ts, draws: [a, b] }
    }

    #[test]
    fn merged_records_count_the_draws_before_each_packet() {
        // Two parts overlapping at packet 2048 (drawn alike in both).
        let part0 = [p(0, 5, 0), p(2048, 3, 1)];
        let part1 = [p(2048, 3, 1), p(4096, 0, 7)];
        let t = merge([&part0[..], &part1[..]]).unwrap();
        assert_eq!(t.before(-1), [0, 0]);
        assert_eq!(t.before(0), [0, 0]);
        assert_eq!(t.before(1024), [5, 0]);
        assert_eq!(t.before(2048), [5, 0]);
        assert_eq!(t.before(3072), [8, 1]);
        assert_eq!(t.before(1 << 40), [8, 8]);
    }

    #[test]
    fn a_packet_drawn_differently_by_two_parts_cannot_be_merged() {
        let part0 = [p(2048, 3, 1)];
        let part1 = [p(2048, 4, 1)];
        assert_eq!(merge([&part0[..], &part1[..]]), None);
    }
}
