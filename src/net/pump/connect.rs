//! Opening the body at a byte offset, for a pump's first connection after a seek and for its
//! reconnections: a range request where the server does ranges, the stream afresh where not.

use super::Target;
use crate::net::http::{self, Body, Request};
use crate::net::icy::IcyStripper;
use std::io::{self, Read};

/// An open body and its ICY stripper.
pub(crate) type Connection = (Body, Option<IcyStripper>);

/// `icy-metaint` of a response, when it asks for stripping.
pub(crate) fn metaint(head: &http::Head) -> Option<usize> {
    head.header("icy-metaint")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
}

/// What opening at an offset found.
pub(super) enum Opened {
    Body(Connection),
    /// A range at or past the end: nothing more to read.
    End,
}

/// Opens the body at byte `offset`: a range request for a seekable resource, the stream
/// afresh for a live one.
pub(super) fn open_at(t: &Target, offset: u64) -> crate::Result<Opened> {
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
                return Err(http::net_error(
                    crate::NetworkErrorKind::Protocol,
                    &t.first_url,
                    format!(
                        "{}: the resource is shorter ({skipped} bytes) than before",
                        t.first_url
                    ),
                ));
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
                return Err(http::net_error(
                    crate::NetworkErrorKind::Protocol,
                    &t.url,
                    format!(
                        "{}: asked for the bytes from {offset}, the server sent Content-Range {:?}",
                        t.url,
                        resp.head.header("content-range").unwrap_or("(none)")
                    ),
                ));
            }
            Ok(Opened::Body((resp.body, None)))
        }
        416 => Ok(Opened::End),
        200 if offset == 0 => Ok(Opened::Body((resp.body, None))),
        status => Err(http::net_error(
            crate::NetworkErrorKind::Protocol,
            &t.url,
            format!(
                "{}: a range request (bytes from {offset}) got HTTP {status} {}: the server no \
                 longer serves byte ranges",
                t.url, resp.head.reason
            ),
        )),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(parse_content_range("bytes 0-99/100"), Some((0, Some(100))));
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }
}
