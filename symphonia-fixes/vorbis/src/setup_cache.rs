// Added by audiostream (not part of symphonia-codec-vorbis); MPL-2.0 like the rest of the crate.
//
// A process-wide cache of decoded setup headers. Streams made by one encoder at one setting
// (libvorbis at one quality, channel count and rate) carry byte-identical setup headers, and
// building their codebooks is most of the work of opening a short stream: callgrind on loading
// a 1-second q5 clip put 45 % of its instructions in `read_setup`. Decoders of such streams now
// share one `Setup` (immutable once read: codebooks, floor and residue configurations, mappings,
// modes), and only the first of them reads it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use symphonia_core::errors::Result;

use super::{IdentHeader, Setup};

/// How many setups the cache keeps (the most recently used ones): a data loader reads clips of a
/// handful of encoder settings at a time.
pub const CAPACITY: usize = 8;

/// A setup larger than this (in bytes, estimated by `Setup::heap_size` plus the header bytes) is
/// not kept: real encoders' setups use a few hundred kB, but a small crafted header can declare
/// codebooks of up to 16 MB each (the decoder's own limits), and the cache must not hold on to
/// those after their decoder is gone.
pub const MAX_ENTRY_BYTES: usize = 4 << 20;

/// What `read_setup` depends on: the setup header's bytes (compared in full) and the three
/// identification header fields it reads. The other ident fields (rate, bitrate hints) do not
/// change the setup, so streams differing only there share it.
struct Key {
    n_channels: u8,
    bs0_exp: u8,
    bs1_exp: u8,
    setup: Box<[u8]>,
}

impl Key {
    fn matches(&self, ident: &IdentHeader, setup: &[u8]) -> bool {
        self.n_channels == ident.n_channels
            && self.bs0_exp == ident.bs0_exp
            && self.bs1_exp == ident.bs1_exp
            && *self.setup == *setup
    }
}

/// The cached setups, least recently used first.
static CACHE: Mutex<Vec<(Key, Arc<Setup>)>> = Mutex::new(Vec::new());

/// Lookups answered from the cache since the process started.
static HITS: AtomicU64 = AtomicU64::new(0);

/// The number of decoders, since the process started, whose setup came from the cache.
pub fn hits() -> u64 {
    HITS.load(Ordering::Relaxed)
}

/// The setup for these headers: from the cache, or made by `read` (outside the lock, so that
/// decoders opened on several threads do not wait for each other) and then cached. Also returns
/// whether it came from the cache.
pub fn get_or_read(
    ident: &IdentHeader,
    setup_bytes: &[u8],
    read: impl FnOnce() -> Result<Setup>,
) -> Result<(Arc<Setup>, bool)> {
    {
        // The vector is valid whatever a panicking holder did (it only pushes and removes), so
        // a poisoned lock is used as is.
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = cache
            .iter()
            .position(|(key, _)| key.matches(ident, setup_bytes))
        {
            // Move it to the most recently used end.
            let entry = cache.remove(i);
            let setup = Arc::clone(&entry.1);
            cache.push(entry);
            HITS.fetch_add(1, Ordering::Relaxed);
            return Ok((setup, true));
        }
    }

    let setup = Arc::new(read()?);

    if setup.heap_size() + setup_bytes.len() <= MAX_ENTRY_BYTES {
        let key = Key {
            n_channels: ident.n_channels,
            bs0_exp: ident.bs0_exp,
            bs1_exp: ident.bs1_exp,
            setup: Box::from(setup_bytes),
        };
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        // Another thread may have read the same headers meanwhile: keep one copy.
        if !cache.iter().any(|(key, _)| key.matches(ident, setup_bytes)) {
            if cache.len() >= CAPACITY {
                cache.remove(0);
            }
            cache.push((key, Arc::clone(&setup)));
        }
    }

    Ok((setup, false))
}
