//! The bounded byte queue the pump fills and the reader reads: one [`Slot`] per connection
//! (the active one, and the one parked by the last far seek), the bytes already read kept as
//! history, and the in-band tag changes waiting for the byte they apply at.

use super::{End, Target, HISTORY, PARKED_BYTES, QUEUE_BYTES};
use crate::net::http;
use crate::Options;
use std::collections::VecDeque;
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// One connection's bytes: what a pump fills and the reader reads.
pub(super) struct Slot {
    /// The pump feeding this slot (a pump whose generation is in no slot stops).
    generation: u64,
    /// Up to [`HISTORY`] bytes already read, then the bytes not read yet.
    queue: VecDeque<u8>,
    /// Byte offset (in the resource, ICY blocks excluded) of the queue's first byte.
    base: u64,
    /// Index in `queue` of the next byte to read.
    read_idx: usize,
    /// Set by the pump when its body is over.
    pub(super) end: Option<End>,
    /// The connection, to shut it down from here.
    conn: Option<TcpStream>,
}

impl Slot {
    pub(super) fn new(generation: u64, pos: u64) -> Slot {
        Slot {
            generation,
            queue: VecDeque::new(),
            base: pos,
            read_idx: 0,
            end: None,
            conn: None,
        }
    }

    /// Offset of the next byte to read.
    pub(super) fn read_pos(&self) -> u64 {
        self.base + self.read_idx as u64
    }

    /// Bytes queued and not read yet.
    pub(super) fn unread(&self) -> usize {
        self.queue.len() - self.read_idx
    }

    /// Offset just after the last byte queued.
    pub(super) fn end_pos(&self) -> u64 {
        self.base + self.queue.len() as u64
    }

    /// Whether the reader can be put at `pos` within what is queued.
    pub(super) fn holds(&self, pos: u64) -> bool {
        pos >= self.base && pos <= self.end_pos()
    }

    /// Puts the reader at `pos`, which the slot [`holds`](Slot::holds).
    pub(super) fn set_read_pos(&mut self, pos: u64) {
        self.read_idx = (pos - self.base) as usize;
    }

    /// Reads up to `out.len()` queued bytes (none when nothing is queued), then forgets what
    /// lies more than [`HISTORY`] bytes back.
    pub(super) fn read_into(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.unread());
        copy_out(&self.queue, self.read_idx, &mut out[..n]);
        self.read_idx += n;
        if self.read_idx > HISTORY {
            let old = self.read_idx - HISTORY;
            self.queue.drain(..old);
            self.base += old as u64;
            self.read_idx -= old;
        }
        n
    }

    /// Stops its pump's connection.
    pub(super) fn shut(&mut self) {
        if let Some(c) = self.conn.take() {
            http::shutdown(&c);
        }
    }
}

/// Everything behind the lock of [`Shared`].
pub(super) struct State {
    /// What the reader reads.
    pub(super) active: Slot,
    /// The slot left by the last far seek, kept (with its connection, filled up to
    /// [`PARKED_BYTES`]) in case the reader comes back: symphonia's probe looks at the end of
    /// the resource for tags and then returns to the start, which then costs no new request.
    pub(super) parked: Option<Slot>,
    next_generation: u64,
    pub(super) closed: bool,
    /// ICY headers and the in-band tags (`title`) the reader has reached.
    pub(super) tags: Options,
    /// In-band tag changes not reached yet, with the byte offset where each applies: a title
    /// changes when the audio after it is read, not when the pump sees it.
    pub(super) pending_tags: VecDeque<(u64, Options)>,
    pub(super) reconnects: u64,
}

impl State {
    /// The slot fed by the pump of `generation`, if it is still wanted.
    fn slot(&mut self, generation: u64) -> Option<&mut Slot> {
        if self.closed {
            return None;
        }
        if self.active.generation == generation {
            return Some(&mut self.active);
        }
        self.parked.as_mut().filter(|p| p.generation == generation)
    }

    /// Whether `generation` feeds the active slot (its data is waited for).
    fn is_active(&self, generation: u64) -> bool {
        self.active.generation == generation
    }

    pub(super) fn new_generation(&mut self) -> u64 {
        self.next_generation += 1;
        self.next_generation
    }

    /// Applies the tag changes the reader has reached.
    pub(super) fn apply_due_tags(&mut self) {
        let pos = self.active.read_pos();
        while self.pending_tags.front().is_some_and(|(at, _)| *at <= pos) {
            if let Some((_, t)) = self.pending_tags.pop_front() {
                self.tags.extend(t);
            }
        }
    }
}

/// The queue and the connection state, shared by the pump thread and the reader.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Signalled when data arrives or a body ends (the reader waits on it).
    pub(super) data: Condvar,
    /// Signalled when the queue has drained to half, and on seeks and close (pumps wait on it).
    pub(super) space: Condvar,
    pub(crate) target: Target,
}

impl Shared {
    pub(crate) fn new(target: Target, tags: Options) -> Arc<Shared> {
        Arc::new(Shared {
            state: Mutex::new(State {
                active: Slot::new(0, 0),
                parked: None,
                next_generation: 0,
                closed: false,
                tags,
                pending_tags: VecDeque::new(),
                reconnects: 0,
            }),
            data: Condvar::new(),
            space: Condvar::new(),
            target,
        })
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not take the reader down with it: the state stays usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn wait<'a>(cond: &Condvar, g: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        cond.wait(g).unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn wait_for<'a>(
        cond: &Condvar,
        g: MutexGuard<'a, State>,
        d: Duration,
    ) -> MutexGuard<'a, State> {
        cond.wait_timeout(g, d)
            .map(|(g, _)| g)
            .unwrap_or_else(|e| e.into_inner().0)
    }

    /// How the active body ended, if it has (for the error of a failed open).
    pub(crate) fn end(&self) -> Option<End> {
        self.lock().active.end.clone()
    }

    /// Records the connection of the pump of `generation`; `false` (and the connection shut)
    /// when that pump is no longer wanted.
    pub(crate) fn register(&self, generation: u64, conn: Option<TcpStream>) -> bool {
        let mut st = self.lock();
        match st.slot(generation) {
            Some(slot) => {
                slot.conn = conn;
                true
            }
            None => {
                if let Some(c) = &conn {
                    http::shutdown(c);
                }
                false
            }
        }
    }

    /// Whether the pump of `generation` is still wanted.
    pub(super) fn current(&self, generation: u64) -> bool {
        self.lock().slot(generation).is_some()
    }

    /// Queues audio (waiting for room) and the tag updates found in it (with their index in
    /// `audio`). `false`: stop, not wanted.
    pub(super) fn push(&self, generation: u64, audio: &[u8], tags: Vec<(usize, Options)>) -> bool {
        let mut st = self.lock();
        // Once the queue is full, wait until it has drained to half: fewer, larger refills
        // (and thread wake-ups) than topping it up after every read.
        let mut full = false;
        loop {
            let active = st.is_active(generation);
            let Some(slot) = st.slot(generation) else {
                return false;
            };
            let limit = if active { QUEUE_BYTES } else { PARKED_BYTES };
            let room = if full {
                slot.unread() <= limit / 2
            } else {
                slot.unread() + audio.len() <= limit
            };
            if slot.unread() == 0 || room {
                break;
            }
            full = true;
            st = Self::wait(&self.space, st);
        }
        let active = st.is_active(generation);
        let Some(slot) = st.slot(generation) else {
            return false;
        };
        let start = slot.end_pos();
        slot.queue.extend(audio);
        // (ICY streams are not seekable: their one slot is always the active one.)
        if active {
            for (at, t) in tags {
                log::debug!("{}: at byte {}: {t:?}", self.target.url, start + at as u64);
                st.pending_tags.push_back((start + at as u64, t));
            }
        }
        self.data.notify_all();
        true
    }

    /// Records how the body of `generation` ended (the first word counts), and wakes the
    /// reader.
    pub(super) fn finish(&self, generation: u64, end: End) {
        let mut st = self.lock();
        if let Some(slot) = st.slot(generation) {
            if slot.end.is_none() {
                slot.end = Some(end);
                slot.conn = None;
            }
        }
        self.data.notify_all();
    }

    /// Counts a reconnection of the pump of `generation`, if it is still wanted.
    pub(super) fn count_reconnect(&self, generation: u64) {
        let mut st = self.lock();
        if st.slot(generation).is_some() {
            st.reconnects += 1;
        }
    }

    /// Sleeps `d` unless told to stop first; `false` when the pump is no longer wanted.
    pub(super) fn sleep(&self, generation: u64, d: Duration) -> bool {
        let until = Instant::now() + d;
        let mut st = self.lock();
        loop {
            if st.slot(generation).is_none() {
                return false;
            }
            let now = Instant::now();
            if now >= until {
                return true;
            }
            st = Self::wait_for(&self.space, st, until - now);
        }
    }

    /// Stops everything: the pumps exit, a blocked read returns.
    pub(crate) fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        st.active.shut();
        st.active.queue = VecDeque::new();
        st.active.read_idx = 0;
        if let Some(mut p) = st.parked.take() {
            p.shut();
        }
        self.data.notify_all();
        self.space.notify_all();
    }
}

/// Copies `out.len()` bytes of `queue` from index `from` (two memcpy at most).
fn copy_out(queue: &VecDeque<u8>, from: usize, out: &mut [u8]) {
    let (a, b) = queue.as_slices();
    let n = out.len();
    if from >= a.len() {
        let s = from - a.len();
        out.copy_from_slice(&b[s..s + n]);
    } else {
        let first = (a.len() - from).min(n);
        out[..first].copy_from_slice(&a[from..from + first]);
        out[first..].copy_from_slice(&b[..n - first]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_across_the_ring_boundary() {
        let mut q: VecDeque<u8> = VecDeque::with_capacity(8);
        q.extend([0, 0, 0, 0, 0, 0]);
        q.drain(..5);
        q.extend([1, 2, 3, 4, 5, 6]);
        assert!(!q.as_slices().1.is_empty(), "the test needs a wrapped ring");
        for from in 0..7 {
            for n in 0..=(7 - from) {
                let mut out = vec![9u8; n];
                copy_out(&q, from, &mut out);
                let want: Vec<u8> = q.iter().skip(from).take(n).copied().collect();
                assert_eq!(out, want, "from {from} n {n}");
            }
        }
    }
}
