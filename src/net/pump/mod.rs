//! The pump: a thread per connection reads the HTTP body into a bounded byte queue (cutting
//! ICY metadata out on the way and keeping the tags it carried), and reconnects when asked to.
//! The demuxer reads the queue through [`NetSource`] (blocking, like a file); the reader asks
//! [`NetLive::wait_ready`] first, so a stalled server shows as a timeout between packets rather
//! than a demuxer stuck half-way through one (DESIGN.md, live sources).
//!
//! Seeking a range-capable resource starts a new pump at the byte asked for (a range request);
//! the old one is told to stop (its generation is out of date) and its socket is shut down, so a
//! read blocked on it returns at once.
//!
//! The parts, one job each:
//! - [`queue`]: the bounded byte queue both sides share ([`Shared`]): the slots of bytes with
//!   their history and read positions, and the in-band tags due at byte offsets;
//! - [`connect`]: opening the body at a byte offset (a range request, or the stream afresh);
//! - [`thread`]: the pump thread, which fills the queue and reconnects after a drop;
//! - [`reconnect`]: when and how often to reconnect (attempts, backoff, healthy connections);
//! - [`source`]: the reader's side, [`NetSource`] for the demuxer and [`NetLive`] for the reader.

mod connect;
mod queue;
mod reconnect;
mod source;
mod thread;

use crate::net::http::Client;
use crate::net::url::Url;
use std::sync::Arc;
use std::time::Duration;

pub(crate) use connect::{metaint, parse_content_range};
pub(crate) use queue::Shared;
pub(crate) use source::{NetLive, NetSource};
pub(crate) use thread::spawn;

/// Most bytes the queue holds: about a minute of a 128 kbit/s stream, a bounded amount of
/// memory however long one listens.
pub(crate) const QUEUE_BYTES: usize = 1 << 20;
/// Most bytes a parked slot's pump queues before it waits.
const PARKED_BYTES: usize = 256 * 1024;
/// Queued bytes that make the next packet demuxable without waiting for the network: more
/// than any MP3 or AAC frame (and most Ogg pages) needs. Larger packets wait for data
/// inside the demuxer, bounded by the read timeout.
pub(crate) const READY_BYTES: usize = 4096;
/// Bytes already read that are kept, so that a demuxer stepping back a little (probes do)
/// needs no new request.
const HISTORY: usize = 64 * 1024;
/// Most bytes one read of a live stream hands the demuxer, so that little sits in its own
/// buffer, out of sight of `wait_ready`.
const READ_CAP_LIVE: usize = 4096;
/// The same for a resource of known length (larger reads, fewer lock round trips).
const READ_CAP: usize = 64 * 1024;
/// A connection that delivered this much was healthy: the reconnect count starts again.
const HEALTHY_BYTES: u64 = 64 * 1024;
/// Longest wait between reconnection attempts (they start at 100 ms and double).
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Where and how to (re)connect.
pub(crate) struct Target {
    /// The URL after redirects: range requests go there.
    pub(crate) url: Url,
    /// The URL as given: a live stream is reopened from there (it may redirect elsewhere).
    pub(crate) first_url: Url,
    pub(crate) client: Client,
    pub(crate) icy: bool,
    /// The server answers range requests and the length is known.
    pub(crate) seekable: bool,
    pub(crate) len: Option<u64>,
    /// Reopen after a drop (the option, or its default for this resource).
    pub(crate) reconnect: bool,
    pub(crate) reconnect_max: u32,
}

/// How the body ended.
#[derive(Clone, Debug)]
pub(crate) enum End {
    Eof,
    Failed {
        /// What happened, naming the URL (without the `network error: ` prefix).
        message: String,
        timeout: bool,
        /// What failed, for the [`crate::NetworkError`] the reader reports.
        kind: crate::NetworkErrorKind,
        /// The socket's error, if one caused it (shared: the end is read by every read).
        source: Option<Arc<std::io::Error>>,
    },
}

impl End {
    /// The typed error a failed end is for the reader: [`crate::Error::Timeout`] with the
    /// client's timeout when the server went quiet (as when opening), otherwise
    /// [`crate::Error::Network`] naming the URL reached. `None` for a clean end.
    pub(crate) fn error(&self, t: &Target) -> Option<crate::Error> {
        let End::Failed {
            message,
            timeout,
            kind,
            source,
        } = self
        else {
            return None;
        };
        if *timeout {
            return Some(crate::Error::Timeout(t.client.timeout));
        }
        let mut e = crate::NetworkError::new(*kind, Some(&t.url.to_string()), message.clone());
        if let Some(s) = source {
            e = e.with_source(s.clone());
        }
        Some(e.into())
    }

    /// The error a read of the body returns after a failed end: an `io::Error` that carries
    /// the typed error, so that it survives symphonia's `MediaSource` (which only passes
    /// `io::Error`s on) and [`crate::Error::io`] gives it back as it was.
    pub(crate) fn read_error(&self, t: &Target) -> Option<std::io::Error> {
        let e = self.error(t)?;
        let kind = match e {
            crate::Error::Timeout(_) => std::io::ErrorKind::TimedOut,
            _ => std::io::ErrorKind::Other,
        };
        Some(std::io::Error::new(kind, e))
    }
}
