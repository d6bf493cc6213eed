//! The pump: a thread per connection reads the HTTP body into a bounded byte queue (cutting
//! ICY metadata out on the way and keeping the tags it carried), and reconnects when asked to.
//! The demuxer reads the queue through [`NetSource`] (blocking, like a file); the reader asks
//! [`NetLive::wait_ready`] first, so a stalled server shows as a timeout between packets rather
//! than a demuxer stuck half-way through one (DESIGN.md, live sources).
//!
//! Seeking a range-capable resource starts a new pump at the byte asked for (a range request);
//! the old one is told to stop (its generation is out of date) and its socket is shut down, so a
//! read blocked on it returns at once.

use super::http::{self, Body, Client, Request};
use super::icy::IcyStripper;
use super::url::Url;
use crate::reader::live::LiveSource;
use crate::Options;
use std::collections::VecDeque;
use std::io::{self, Read, Seek, SeekFrom};
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use symphonia::core::io::MediaSource;

/// Most bytes the queue holds: about a minute of a 128 kbit/s stream, a bounded amount of
/// memory however long one listens.
pub(crate) const QUEUE_BYTES: usize = 1 << 20;
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
    Failed { message: String, timeout: bool },
}

/// One connection's bytes: what a pump fills and the reader reads.
struct Slot {
    /// The pump feeding this slot (a pump whose generation is in no slot stops).
    generation: u64,
    /// Up to [`HISTORY`] bytes already read, then the bytes not read yet.
    queue: VecDeque<u8>,
    /// Byte offset (in the resource, ICY blocks excluded) of the queue's first byte.
    base: u64,
    /// Index in `queue` of the next byte to read.
    read_idx: usize,
    /// Set by the pump when its body is over.
    end: Option<End>,
    /// The connection, to shut it down from here.
    conn: Option<TcpStream>,
}

impl Slot {
    fn new(generation: u64, pos: u64) -> Slot {
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
    fn read_pos(&self) -> u64 {
        self.base + self.read_idx as u64
    }

    /// Bytes queued and not read yet.
    fn unread(&self) -> usize {
        self.queue.len() - self.read_idx
    }

    /// Offset just after the last byte queued.
    fn end_pos(&self) -> u64 {
        self.base + self.queue.len() as u64
    }

    /// Whether the reader can be put at `pos` within what is queued.
    fn holds(&self, pos: u64) -> bool {
        pos >= self.base && pos <= self.end_pos()
    }

    /// Stops its pump's connection.
    fn shut(&mut self) {
        if let Some(c) = self.conn.take() {
            http::shutdown(&c);
        }
    }
}

struct State {
    /// What the reader reads.
    active: Slot,
    /// The slot left by the last far seek, kept (with its connection, filled up to
    /// [`PARKED_BYTES`]) in case the reader comes back: symphonia's probe looks at the end of
    /// the resource for tags and then returns to the start, which then costs no new request.
    parked: Option<Slot>,
    next_generation: u64,
    closed: bool,
    /// ICY headers and the in-band tags (`title`) the reader has reached.
    tags: Options,
    /// In-band tag changes not reached yet, with the byte offset where each applies: a title
    /// changes when the audio after it is read, not when the pump sees it.
    pending_tags: VecDeque<(u64, Options)>,
    reconnects: u64,
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

    fn new_generation(&mut self) -> u64 {
        self.next_generation += 1;
        self.next_generation
    }
}

/// Most bytes a parked slot's pump queues before it waits.
const PARKED_BYTES: usize = 256 * 1024;

/// The queue and the connection state, shared by the pump thread and the reader.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Signalled when data arrives or a body ends (the reader waits on it).
    data: Condvar,
    /// Signalled when the queue has drained to half, and on seeks and close (pumps wait on it).
    space: Condvar,
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

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not take the reader down with it: the state stays usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(cond: &Condvar, g: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        cond.wait(g).unwrap_or_else(PoisonError::into_inner)
    }

    fn wait_for<'a>(
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

    fn current(&self, generation: u64) -> bool {
        self.lock().slot(generation).is_some()
    }

    /// Queues audio (waiting for room) and the tag updates found in it (with their index in
    /// `audio`). `false`: stop, not wanted.
    fn push(&self, generation: u64, audio: &[u8], tags: Vec<(usize, Options)>) -> bool {
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

    fn finish(&self, generation: u64, end: End) {
        let mut st = self.lock();
        if let Some(slot) = st.slot(generation) {
            if slot.end.is_none() {
                slot.end = Some(end);
                slot.conn = None;
            }
        }
        self.data.notify_all();
    }

    fn count_reconnect(&self, generation: u64) {
        let mut st = self.lock();
        if st.slot(generation).is_some() {
            st.reconnects += 1;
        }
    }

    /// Sleeps `d` unless told to stop first; `false` when the pump is no longer wanted.
    fn sleep(&self, generation: u64, d: Duration) -> bool {
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

/// Applies the tag changes the reader has reached.
fn apply_due_tags(st: &mut State) {
    let pos = st.active.read_pos();
    while st.pending_tags.front().is_some_and(|(at, _)| *at <= pos) {
        if let Some((_, t)) = st.pending_tags.pop_front() {
            st.tags.extend(t);
        }
    }
}

/// Sets an end if the pump stops without saying how (it should not happen: belt and braces, so
/// the reader never waits for a thread that is gone).
struct EndGuard {
    shared: Arc<Shared>,
    generation: u64,
}

impl Drop for EndGuard {
    fn drop(&mut self) {
        self.shared.finish(
            self.generation,
            End::Failed {
                message: "the network thread stopped unexpectedly".into(),
                timeout: false,
            },
        );
    }
}

/// An open body and its ICY stripper.
pub(crate) type Connection = (Body, Option<IcyStripper>);

/// `icy-metaint` of a response, when it asks for stripping.
pub(crate) fn metaint(head: &http::Head) -> Option<usize> {
    head.header("icy-metaint")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
}

enum Opened {
    Body(Connection),
    /// A range at or past the end: nothing more to read.
    End,
}

/// Opens the body at byte `offset`: a range request for a seekable resource, the stream
/// afresh for a live one.
fn open_at(t: &Target, offset: u64) -> crate::Result<Opened> {
    if !t.seekable {
        let req = Request {
            method: "GET",
            range_from: None,
            icy: t.icy,
            extra: Vec::new(),
        };
        let mut resp = http::get(&t.first_url, &t.client, &req)?;
        let icy = metaint(&resp.head).map(IcyStripper::new);
        if t.len.is_some() && offset > 0 {
            // A file from a server without ranges: it starts again from its first byte, so
            // skip what was read already (a live stream just goes on from where it is).
            let skipped =
                io::copy(&mut (&mut resp.body).take(offset), &mut io::sink()).map_err(|e| {
                    http::with_timeout(
                        http::io_error(&t.first_url, "the body", e),
                        t.client.timeout,
                    )
                })?;
            if skipped < offset {
                return Err(crate::Error::Network(format!(
                    "{}: the resource is shorter ({skipped} bytes) than before",
                    t.first_url
                )));
            }
        }
        return Ok(Opened::Body((resp.body, icy)));
    }
    if t.len.is_some_and(|len| offset >= len) {
        return Ok(Opened::End);
    }
    let req = Request {
        method: "GET",
        range_from: Some(offset),
        icy: false,
        extra: Vec::new(),
    };
    let resp = http::get(&t.url, &t.client, &req)?;
    match resp.head.status {
        206 => {
            let start = resp
                .head
                .header("content-range")
                .and_then(parse_content_range)
                .map(|(start, _)| start);
            if start != Some(offset) {
                return Err(crate::Error::Network(format!(
                    "{}: asked for the bytes from {offset}, the server sent Content-Range {:?}",
                    t.url,
                    resp.head.header("content-range").unwrap_or("(none)")
                )));
            }
            Ok(Opened::Body((resp.body, None)))
        }
        416 => Ok(Opened::End),
        200 if offset == 0 => Ok(Opened::Body((resp.body, None))),
        status => Err(crate::Error::Network(format!(
            "{}: a range request (bytes from {offset}) got HTTP {status} {}: the server no \
             longer serves byte ranges",
            t.url, resp.head.reason
        ))),
    }
}

/// `bytes START-END/TOTAL` → (START, TOTAL if known).
pub(crate) fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes")?.trim();
    let (range, total) = rest.split_once('/')?;
    let (start, _) = range.split_once('-')?;
    let start = start.trim().parse().ok()?;
    let total = total.trim().parse().ok();
    Some((start, total))
}

fn failure(e: &crate::Error) -> End {
    End::Failed {
        message: e.to_string(),
        timeout: matches!(e, crate::Error::Timeout(_)),
    }
}

/// Starts a pump thread for `generation`, from `conn` (already open) or by opening the
/// resource at `offset`.
pub(crate) fn spawn(shared: Arc<Shared>, generation: u64, conn: Option<Connection>, offset: u64) {
    let name = format!("audiostream-net-{generation}");
    let s = shared.clone();
    let started = std::thread::Builder::new()
        .name(name)
        .spawn(move || run(s, generation, conn, offset));
    if let Err(e) = started {
        shared.finish(
            generation,
            End::Failed {
                message: format!("cannot start the network thread: {e}"),
                timeout: false,
            },
        );
    }
}

/// The pump thread's body.
fn run(shared: Arc<Shared>, generation: u64, first: Option<Connection>, mut offset: u64) {
    let _guard = EndGuard {
        shared: shared.clone(),
        generation,
    };
    let t = &shared.target;
    let mut conn = first;
    // Attempts since the last healthy connection.
    let mut attempts: u32 = 0;
    // How the stream ends if reconnecting fails: where the data ended after a clean close
    // (as without `reconnect`), or the error that dropped the connection.
    let mut cause: Option<End> = None;
    // Whether the next connection replaces one that dropped (a seek's first one does not).
    let mut reconnecting = false;
    // As large as the body's own buffer, so reads bypass it (one copy less).
    let mut buf = vec![0u8; 64 * 1024];
    let mut audio = Vec::with_capacity(buf.len());
    loop {
        let (mut body, mut icy) = match conn.take() {
            Some(c) => c,
            None => match open_at(t, offset) {
                Ok(Opened::Body(c)) => {
                    if !shared.register(generation, c.0.shutdown_handle()) {
                        return;
                    }
                    if reconnecting {
                        shared.count_reconnect(generation);
                        log::info!("{}: reconnected at byte {offset}", t.url);
                    }
                    c
                }
                Ok(Opened::End) => return shared.finish(generation, End::Eof),
                Err(e) => {
                    if !shared.current(generation) {
                        return;
                    }
                    if !t.reconnect || attempts >= t.reconnect_max {
                        let end = match cause.take() {
                            Some(End::Eof) => {
                                log::warn!(
                                    "{}: reconnecting failed ({e}); the stream ends here",
                                    t.first_url
                                );
                                End::Eof
                            }
                            Some(failed) => failed,
                            None => failure(&e),
                        };
                        return shared.finish(generation, end);
                    }
                    attempts += 1;
                    let delay = backoff(attempts);
                    log::warn!(
                        "{}: reconnecting failed ({e}); attempt {attempts} of {} in {delay:?}",
                        t.first_url,
                        t.reconnect_max
                    );
                    if !shared.sleep(generation, delay) {
                        return;
                    }
                    continue;
                }
            },
        };
        let mut delivered = 0u64;
        let error = loop {
            match body.read(&mut buf) {
                Ok(0) => break None,
                Ok(n) => {
                    audio.clear();
                    let tags = match &mut icy {
                        Some(s) => s.feed(&buf[..n], &mut audio),
                        None => {
                            audio.extend_from_slice(&buf[..n]);
                            Vec::new()
                        }
                    };
                    if !shared.push(generation, &audio, tags) {
                        return;
                    }
                    offset += audio.len() as u64;
                    delivered += n as u64;
                    if delivered >= HEALTHY_BYTES {
                        attempts = 0;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // The server closed before the announced end: a drop, not a failure.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break None,
                Err(e) => break Some(e),
            }
        };
        drop(body);
        if !shared.current(generation) {
            return;
        }
        let complete = t.len.is_some_and(|len| offset >= len);
        let live = t.len.is_none();
        match &error {
            None if complete => return shared.finish(generation, End::Eof),
            // A stream delimited by the close: its end, unless we were asked to keep going.
            None if live && !t.reconnect => return shared.finish(generation, End::Eof),
            _ => {}
        }
        let what = match &error {
            Some(e) if http::is_timeout(e) => {
                format!("no data for {:?} (read timeout)", t.client.timeout)
            }
            Some(e) => format!("the connection failed: {e}"),
            None if live => "the server closed the stream".to_string(),
            None => format!(
                "the server closed the connection at byte {offset} of {}",
                t.len.unwrap_or(0)
            ),
        };
        if !t.reconnect || attempts >= t.reconnect_max {
            return match error {
                // A dropped connection ends the stream where the data ends (the demuxer sees a
                // truncated file); an error is reported.
                None => {
                    log::warn!("{}: {what}; the stream ends here", t.url);
                    shared.finish(generation, End::Eof)
                }
                Some(e) => shared.finish(
                    generation,
                    End::Failed {
                        message: format!("{}: {what}", t.url),
                        timeout: http::is_timeout(&e),
                    },
                ),
            };
        }
        cause = Some(match &error {
            None => End::Eof,
            Some(e) => End::Failed {
                message: format!("{}: {what}", t.url),
                timeout: http::is_timeout(e),
            },
        });
        reconnecting = true;
        attempts += 1;
        let delay = backoff(attempts);
        log::warn!(
            "{}: {what}; reconnecting (attempt {attempts} of {}) in {delay:?}",
            t.url,
            t.reconnect_max
        );
        if !shared.sleep(generation, delay) {
            return;
        }
    }
}

/// 100 ms, 200 ms, 400 ms, ... at most [`MAX_BACKOFF`].
fn backoff(attempt: u32) -> Duration {
    let ms = 100u64.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    Duration::from_millis(ms).min(MAX_BACKOFF)
}

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
                let n = buf.len().min(cap).min(slot.unread());
                copy_out(&slot.queue, slot.read_idx, &mut buf[..n]);
                slot.read_idx += n;
                if slot.read_idx > HISTORY {
                    let old = slot.read_idx - HISTORY;
                    slot.queue.drain(..old);
                    slot.base += old as u64;
                    slot.read_idx -= old;
                }
                if st.active.unread() <= QUEUE_BYTES / 2 {
                    sh.space.notify_all();
                }
                apply_due_tags(&mut st);
                return Ok(n);
            }
            match &slot.end {
                Some(End::Eof) => return Ok(0),
                Some(End::Failed { message, timeout }) => {
                    let kind = if *timeout {
                        io::ErrorKind::TimedOut
                    } else {
                        io::ErrorKind::Other
                    };
                    return Err(io::Error::new(kind, message.clone()));
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
            st.active.read_idx = (target - st.active.base) as usize;
            apply_due_tags(&mut st);
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
                p.read_idx = (target - p.base) as usize;
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

    #[test]
    fn content_range_and_backoff() {
        assert_eq!(parse_content_range("bytes 0-99/100"), Some((0, Some(100))));
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(3), Duration::from_millis(400));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
