//! The reader's side of the queue: [`NetSource`], the bytes the demuxer reads (blocking, like
//! a file, and seeking by range requests), and [`NetLive`], which tells the reader whether the
//! next packet can be demuxed without waiting.

use super::queue::{Shared, Slot};
use super::thread::spawn;
use super::{End, QUEUE_BYTES, READY_BYTES, READ_CAP, READ_CAP_LIVE};
use crate::reader::live::LiveSource;
use crate::Options;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::{Duration, Instant};
use symphonia::core::io::MediaSource;

/// The byte source the demuxer reads: the pump's queue.
pub(crate) struct NetSource {
    shared: Arc<Shared>,
}

impl NetSource {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        NetSource { shared }
    }
}

impl Read for NetSource {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let sh = &self.shared;
        let mut st = sh.lock();
        loop {
            if st.closed {
                return Ok(0);
            }
            let cap = if sh.target.len.is_some() {
                READ_CAP
            } else {
                READ_CAP_LIVE
            };
            let slot = &mut st.active;
            if slot.unread() > 0 {
                let most = buf.len().min(cap);
                let n = slot.read_into(&mut buf[..most]);
                if st.active.unread() <= QUEUE_BYTES / 2 {
                    sh.space.notify_all();
                }
                st.apply_due_tags();
                return Ok(n);
            }
            match &slot.end {
                Some(End::Eof) => return Ok(0),
                Some(failed) => {
                    if let Some(e) = failed.read_error(&sh.target) {
                        return Err(e);
                    }
                }
                None => {}
            }
            // The pump always ends with an `end` (its read timeout bounds every wait).
            st = Shared::wait(&sh.data, st);
        }
    }
}

impl Seek for NetSource {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let sh = &self.shared;
        let len = sh.target.len;
        let mut st = sh.lock();
        let cur = st.active.read_pos();
        let target = match pos {
            SeekFrom::Start(n) => i128::from(n),
            SeekFrom::Current(d) => i128::from(cur) + i128::from(d),
            SeekFrom::End(d) => match len {
                Some(l) => i128::from(l) + i128::from(d),
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        "seeking from the end of a stream of unknown length",
                    ))
                }
            },
        };
        let target = u64::try_from(target)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "seeking before the start"))?;
        if target == cur {
            return Ok(cur);
        }
        if st.active.holds(target) {
            // Still (or already) here: move within what is queued.
            st.active.set_read_pos(target);
            st.apply_due_tags();
            sh.space.notify_all();
            return Ok(target);
        }
        if !sh.target.seekable {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "{}: the server does not answer range requests (a live stream?): only \
                     forward reading",
                    sh.target.url
                ),
            ));
        }
        // Back to where the last far seek left: swap the slots (no new request).
        if st.parked.as_ref().is_some_and(|p| p.holds(target)) {
            if let Some(mut p) = st.parked.take() {
                p.set_read_pos(target);
                let old = std::mem::replace(&mut st.active, p);
                st.parked = Some(old);
                sh.space.notify_all();
                return Ok(target);
            }
        }
        // Anywhere else: a new range request from the target byte; the current slot is kept
        // as the parked one (the previously parked one is dropped).
        let generation = st.new_generation();
        let mut fresh = Slot::new(generation, target);
        let at_end = len.is_some_and(|l| target >= l);
        if at_end {
            fresh.end = Some(End::Eof);
        }
        let old = std::mem::replace(&mut st.active, fresh);
        if let Some(mut dropped) = st.parked.replace(old) {
            dropped.shut();
        }
        st.pending_tags.clear();
        sh.space.notify_all();
        drop(st);
        if !at_end {
            spawn(sh.clone(), generation, None, target);
        }
        Ok(target)
    }
}

impl MediaSource for NetSource {
    fn is_seekable(&self) -> bool {
        self.shared.target.seekable
    }

    fn byte_len(&self) -> Option<u64> {
        self.shared.target.len
    }
}

impl Drop for NetSource {
    fn drop(&mut self) {
        self.shared.close();
    }
}

/// The reader's handle on the queue ([`LiveSource`]).
pub(crate) struct NetLive {
    shared: Arc<Shared>,
}

impl NetLive {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        NetLive { shared }
    }
}

impl LiveSource for NetLive {
    /// Waits on the queue's condition variable (woken by every arrival), so the answer comes
    /// as soon as data does; `backoff` is not needed for that.
    fn wait_ready(&self, deadline: Option<Instant>, _backoff: Duration) -> bool {
        let sh = &self.shared;
        let mut st = sh.lock();
        loop {
            let slot = &st.active;
            if slot.unread() >= READY_BYTES
                || slot.end.is_some()
                || st.closed
                || sh.target.len.is_some_and(|len| slot.end_pos() >= len)
            {
                return true;
            }
            match deadline {
                None => st = Shared::wait(&sh.data, st),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return false;
                    }
                    st = Shared::wait_for(&sh.data, st, d - now);
                }
            }
        }
    }

    fn reconnects(&self) -> u64 {
        self.shared.lock().reconnects
    }

    /// A resource with a length (a file served over HTTP) waits for the reader like a file;
    /// a stream without one (a radio) runs in real time.
    fn is_realtime(&self) -> bool {
        self.shared.target.len.is_none()
    }

    fn live_tags(&self) -> Option<Options> {
        let st = self.shared.lock();
        (!st.tags.is_empty()).then(|| st.tags.clone())
    }
}

impl Drop for NetLive {
    fn drop(&mut self) {
        self.shared.close();
    }
}
