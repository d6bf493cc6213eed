//! Live sources (network streams, capture devices): data arrives in real time, so the reader
//! asks the source to wait for data *before* it demuxes a packet. A timeout then never leaves
//! a demuxer half-way through a packet (DESIGN.md: the blocking I/O runs on a pump thread that
//! feeds a bounded queue; this trait is the reader's view of that queue).

use crate::Options;
use std::time::{Duration, Instant};
use symphonia::core::io::MediaSource;

/// The reader's handle on a live source's queue.
pub(crate) trait LiveSource: Send + Sync {
    /// Waits until the next packet can be demuxed without blocking, or the source has ended or
    /// failed (the demuxer then reports it), polling every `backoff`. Returns `false` when
    /// `deadline` passed first (`None`: wait as long as it takes).
    fn wait_ready(&self, deadline: Option<Instant>, backoff: Duration) -> bool;

    /// Whether data arrives in real time and does not wait for the reader (a capture device, a
    /// live stream): `process_packet` then reads on and drops the oldest chunks when the
    /// consumer falls behind, rather than waiting for it to pop.
    fn is_realtime(&self) -> bool {
        true
    }

    /// Times the producer found the queue full and dropped data (capture overruns).
    fn overruns(&self) -> u64 {
        0
    }

    /// Times the source was reopened after a drop (network reconnects).
    fn reconnects(&self) -> u64 {
        0
    }

    /// Tags that changed while streaming (ICY `StreamTitle` → `title`); they override the
    /// tags read at open.
    fn live_tags(&self) -> Option<Options> {
        None
    }
}

/// Everything [`StreamReader::open_live`](super::StreamReader::open_live) needs: the byte
/// source the demuxer reads (fed by the pump thread), how to pick the demuxer, and the handle
/// on the queue.
pub(crate) struct LiveOpen {
    /// Name used in messages (the URL, the device name).
    pub(crate) src_name: String,
    pub(crate) source: Box<dyn MediaSource>,
    /// Probe hint (a URL's extension, a format from the Content-Type).
    pub(crate) ext: Option<String>,
    /// Forced demuxer, e.g. `f32le` for a capture device's raw samples.
    pub(crate) format: Option<String>,
    /// Options for the demuxer (raw PCM: `sample_rate`, `channels`).
    pub(crate) demuxer_options: Options,
    pub(crate) live: Box<dyn LiveSource>,
}

/// A deadline `timeout` from now (`None`: no deadline).
pub(crate) fn deadline(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|t| Instant::now().checked_add(t))
}
