//! The pump thread: reads a body into the queue, cutting ICY metadata out, and after a drop
//! reconnects (with backoff, as [`Reconnect`] decides) at the byte reached.

use super::connect::{open_at, Connection, Opened};
use super::queue::Shared;
use super::reconnect::Reconnect;
use super::End;
use crate::net::http;
use std::io::{self, Read};
use std::sync::Arc;

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
                message: format!(
                    "{}: cannot start the network thread: {e}",
                    shared.target.url
                ),
                timeout: false,
                kind: crate::NetworkErrorKind::Io,
                source: Some(Arc::new(e)),
            },
        );
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
                message: format!(
                    "{}: the network thread stopped unexpectedly",
                    self.shared.target.url
                ),
                timeout: false,
                kind: crate::NetworkErrorKind::Io,
                source: None,
            },
        );
    }
}

/// The end an error opening the body makes; `after` says what it came after (a drop), for
/// the message.
fn failure(e: &crate::Error, after: Option<String>) -> End {
    let (message, timeout, kind) = match e {
        crate::Error::Network(n) => (n.message.clone(), false, n.kind),
        other => (
            other.to_string(),
            matches!(other, crate::Error::Timeout(_)),
            crate::NetworkErrorKind::Io,
        ),
    };
    let message = match after {
        Some(a) => format!("{message} (reconnecting after {a})"),
        None => message,
    };
    End::Failed {
        message,
        timeout,
        kind,
        source: None,
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
    let mut reconnect = Reconnect::new(t);
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
                    if reconnect.after_drop() {
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
                    if reconnect.exhausted() {
                        let end = match reconnect.take_cause() {
                            // A live stream that closed: that was its end, as without
                            // `reconnect`.
                            Some(End::Eof) if t.len.is_none() => {
                                log::warn!(
                                    "{}: reconnecting failed ({e}); the stream ends here",
                                    t.first_url
                                );
                                End::Eof
                            }
                            // A resource of known length cut short, or a connection that
                            // failed, and no way to resume: the reconnection's error (an HTTP
                            // status on the range request, a refused connection) is the
                            // stream's, naming what it came after.
                            Some(End::Eof) => {
                                failure(&e, Some(format!("the connection closed at byte {offset}")))
                            }
                            Some(End::Failed { message, .. }) => failure(&e, Some(message)),
                            None => failure(&e, None),
                        };
                        return shared.finish(generation, end);
                    }
                    let going_on = reconnect.retry(&shared, generation, |attempt, max, delay| {
                        format!(
                            "{}: reconnecting failed ({e}); attempt {attempt} of {max} in \
                             {delay:?}",
                            t.first_url
                        )
                    });
                    if !going_on {
                        return;
                    }
                    continue;
                }
            },
        };
        reconnect.connected();
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
                    reconnect.delivered(n as u64);
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
        // A dropped connection ends the stream where the data ends (the demuxer sees a
        // truncated file); an error is reported.
        let end = match error {
            None => End::Eof,
            Some(e) => End::Failed {
                message: format!("{}: {what}", t.url),
                timeout: http::is_timeout(&e),
                kind: crate::NetworkErrorKind::Io,
                source: Some(Arc::new(e)),
            },
        };
        if reconnect.exhausted() {
            if matches!(end, End::Eof) {
                log::warn!("{}: {what}; the stream ends here", t.url);
            }
            return shared.finish(generation, end);
        }
        reconnect.dropped(end);
        let going_on = reconnect.retry(&shared, generation, |attempt, max, delay| {
            format!(
                "{}: {what}; reconnecting (attempt {attempt} of {max}) in {delay:?}",
                t.url
            )
        });
        if !going_on {
            return;
        }
    }
}
