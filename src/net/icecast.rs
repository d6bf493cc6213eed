//! The Icecast source client: `StreamWriter::new("icecast://source:password@host:port/mount",
//! Some("mp3"), options)` connects, authenticates (HTTP Basic), announces the stream (`PUT`
//! with `Content-Type` and the `Ice-*` headers, or the legacy `SOURCE` method) and then
//! takes the encoder's bytes — MP3, or Ogg Vorbis / Opus (`format` `ogg` or `opus`, sent as
//! `audio/ogg`) — as a plain `Write`. With `realtime`, writes are paced at the audio's own
//! speed, measured from the MP3 frame headers or the Ogg granule positions, as a live radio
//! source must be; otherwise they go as fast as the server takes them.

use super::http::{self, Client, Transport};
use super::url::{Scheme, Url};
use crate::{Error, Options, Result};
use std::io::{self, BufReader, Write};
use std::time::{Duration, Instant};

/// Option keys of an Icecast destination.
pub(crate) const SINK_OPTIONS: &[&str] = &[
    "content_type",
    "name",
    "description",
    "genre",
    "url",
    "public",
    "realtime",
    "timeout",
    "method",
    "user_agent",
];

/// How far ahead of the wall clock a paced source may run: a little slack so that encoder
/// bursts do not stall, small enough to stay live.
const PACE_LEAD: Duration = Duration::from_millis(250);

/// A connected, accepted Icecast source connection.
pub(crate) struct IcecastSink {
    conn: Transport,
    /// The URL quoted, for messages.
    name: String,
    /// The URL, for the [`crate::NetworkError`] of a failed write (masked there).
    url: String,
    pacer: Option<Pacer>,
}

fn bool_opt(key: &str, v: &str) -> Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(Error::invalid_argument(key, v, "true or false")),
    }
}

/// A header value: one line of text.
fn header_value(key: &str, v: &str) -> Result<String> {
    if v.contains(['\r', '\n']) {
        return Err(Error::invalid_argument(
            key,
            format!("{v:?}"),
            "one line of text (no CR or LF)",
        ));
    }
    Ok(v.trim().to_string())
}

/// Connects to an `icecast://` URL and starts a source on its mount. Returns the sink and the
/// container it streams (`mp3`, `ogg` or `opus`).
pub(crate) fn connect(
    dst: &str,
    format: Option<&str>,
    option: Option<&Options>,
) -> Result<(IcecastSink, String)> {
    let empty = Options::new();
    let option = option.unwrap_or(&empty);
    for key in option.keys() {
        if !SINK_OPTIONS.contains(&key.as_str()) {
            return Err(Error::invalid_argument(
                "option",
                key,
                format!("for icecast:// destinations: {}", SINK_OPTIONS.join(", ")),
            ));
        }
    }
    let container = match format.map(|f| f.trim().to_ascii_lowercase()).as_deref() {
        None | Some("mp3") => "mp3".to_string(),
        Some("ogg" | "oga") => "ogg".to_string(),
        Some("opus") => "opus".to_string(),
        Some(f) => {
            return Err(Error::Unsupported(format!(
                "streaming \"{f}\" to Icecast ({}); the Icecast source client streams mp3, ogg \
                 (Vorbis or Opus) and opus",
                super::url::redact(dst)
            )))
        }
    };
    let ogg = container != "mp3";
    let mut url = Url::parse(dst)?;
    if url.scheme != Scheme::Icecast {
        return Err(Error::invalid_argument(
            "dst",
            super::url::redact(dst),
            "icecast://[source:]password@host[:port]/mount",
        ));
    }
    if url.path() == "/" || url.path().is_empty() {
        return Err(Error::invalid_argument(
            "dst",
            format!("{url} (no mount point)"),
            "icecast://source:password@host:port/mount, e.g. /live.mp3",
        ));
    }
    // "icecast://password@host" means the default user, as in libshout.
    if let (Some(user), None) = (&url.user, &url.password) {
        url.password = Some(user.clone());
        url.user = Some("source".into());
    }
    if url.user.is_none() {
        return Err(Error::invalid_argument(
            "dst",
            format!("{url} (no password)"),
            "icecast://source:password@host:port/mount",
        ));
    }
    let get = |k: &str| option.get(k).map(String::as_str);
    let timeout = match get("timeout") {
        Some(v) => super::parse_timeout(v)?,
        None => super::DEFAULT_TIMEOUT,
    };
    let realtime = get("realtime")
        .map(|v| bool_opt("realtime", v))
        .transpose()?
        .unwrap_or(false);
    let public = get("public")
        .map(|v| bool_opt("public", v))
        .transpose()?
        .unwrap_or(false);
    let method = match get("method").map(|m| m.trim().to_ascii_uppercase()) {
        None => "PUT".to_string(),
        Some(m) if m == "PUT" || m == "SOURCE" => m,
        Some(m) => return Err(Error::invalid_argument("method", m, "put, source")),
    };
    let default_type = if ogg { "audio/ogg" } else { "audio/mpeg" };
    let content_type = header_value("content_type", get("content_type").unwrap_or(default_type))?;
    let user_agent = header_value(
        "user_agent",
        get("user_agent").unwrap_or(super::DEFAULT_USER_AGENT),
    )?;
    let mut headers = vec![
        ("Content-Type".to_string(), content_type),
        (
            "Ice-Public".to_string(),
            if public { "1" } else { "0" }.to_string(),
        ),
    ];
    for (key, header) in [
        ("name", "Ice-Name"),
        ("description", "Ice-Description"),
        ("genre", "Ice-Genre"),
        ("url", "Ice-Url"),
    ] {
        if let Some(v) = get(key) {
            headers.push((header.to_string(), header_value(key, v)?));
        }
    }
    let client = Client {
        timeout,
        user_agent: user_agent.clone(),
        headers: Vec::new(),
        tls: None,
        // Not proxied: see `proxy.rs`.
        proxy: super::proxy::ProxyConfig::direct(),
    };
    let (mut conn, _) = http::connect(&url, &client)?;
    let mut head = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\n",
        url.target,
        url.host_header()
    );
    if let Some(auth) = url.basic_auth() {
        head.push_str(&format!("Authorization: {auth}\r\n"));
    }
    head.push_str(&format!("User-Agent: {user_agent}\r\n"));
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes())
        .and_then(|()| conn.flush())
        .map_err(|e| {
            http::with_timeout(
                http::io_error(&url, "(sending the source request)", e),
                timeout,
            )
        })?;
    // The answer: "HTTP/1.0 200 OK" once the mount is ours (1xx interim answers skipped).
    let mut reader = BufReader::new(conn);
    let resp = http::read_head(&mut reader, &url).map_err(|e| http::with_timeout(e, timeout))?;
    if resp.status != 200 {
        // The reason text (e.g. "Mountpoint in use") is in the body: read a little of it.
        let mut text = String::new();
        let _ = reader
            .get_ref()
            .set_read_timeout(Duration::from_millis(300));
        let _ = io::Read::read_to_string(&mut io::Read::take(&mut reader, 200), &mut text);
        let hint = match resp.status {
            401 => " (wrong user or password?)",
            403 => " (the mount is in use, or the content type is not accepted)",
            _ => "",
        };
        return Err(http::net_error(
            crate::NetworkErrorKind::Status(resp.status),
            &url,
            format!(
                "{url}: the Icecast server refused the source: HTTP {} {}{}{hint}",
                resp.status,
                resp.reason,
                match text.trim() {
                    "" => String::new(),
                    t => format!(
                        ": {}",
                        t.chars().filter(|c| !c.is_control()).collect::<String>()
                    ),
                }
            ),
        ));
    }
    log::info!(
        "{url}: streaming {container} to Icecast{}",
        if realtime { " at real time" } else { "" }
    );
    Ok((
        IcecastSink {
            conn: reader.into_inner(),
            name: format!("{:?}", url.to_string()),
            url: url.to_string(),
            pacer: realtime.then(|| Pacer::new(ogg)),
        },
        container,
    ))
}

impl IcecastSink {
    /// The URL without its password, quoted, for messages.
    pub(crate) fn name(&self) -> String {
        self.name.clone()
    }
}

impl Write for IcecastSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.conn.write_all(buf).map_err(|e| {
            let what = match e.kind() {
                io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
                    "the Icecast server closed the source connection"
                }
                _ if http::is_timeout(&e) => {
                    "the Icecast server stopped taking data (write timeout)"
                }
                _ => "sending audio to the Icecast server failed",
            };
            // Carried typed, so the writer reports an `Error::Network` (see `Error::io`).
            let kind = e.kind();
            let typed = crate::NetworkError::new(
                crate::NetworkErrorKind::Io,
                Some(&self.url),
                format!("{}: {what}: {e}", self.name),
            )
            .with_source(e);
            io::Error::new(kind, crate::Error::from(typed))
        })?;
        if let Some(p) = &mut self.pacer {
            p.pace(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.conn.flush()
    }
}

impl Drop for IcecastSink {
    fn drop(&mut self) {
        let _ = self.conn.flush();
        if let Some(s) = self.conn.shutdown_handle() {
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
    }
}

/// Paces an MP3 or Ogg byte stream at real time: counts the audio passed (from the MP3 frame
/// headers, so VBR works too, or the Ogg granule positions) and sleeps while that runs ahead
/// of the wall clock.
struct Pacer {
    start: Option<Instant>,
    clock: Clock,
}

/// How the audio in a byte stream is counted.
enum Clock {
    Mp3(Mp3Clock),
    Ogg(OggClock),
}

impl Pacer {
    fn new(ogg: bool) -> Self {
        Pacer {
            start: None,
            clock: if ogg {
                Clock::Ogg(OggClock::default())
            } else {
                Clock::Mp3(Mp3Clock::default())
            },
        }
    }

    fn pace(&mut self, bytes: &[u8]) {
        let start = *self.start.get_or_insert_with(Instant::now);
        let seconds = match &mut self.clock {
            Clock::Mp3(c) => {
                c.feed(bytes);
                c.seconds()
            }
            Clock::Ogg(c) => {
                c.feed(bytes);
                c.seconds()
            }
        };
        let media = Duration::from_secs_f64(seconds);
        let ahead = media.saturating_sub(start.elapsed());
        if ahead > PACE_LEAD {
            std::thread::sleep(ahead - PACE_LEAD);
        }
    }
}

/// Counts the audio in an Ogg Vorbis or Opus byte stream fed in arbitrary pieces: the granule
/// position of the last page seen, at the rate (and after the pre-skip) its stream's first
/// page declares. A new stream (a chained one) starts on top of what came before.
#[derive(Default)]
pub(crate) struct OggClock {
    /// Header bytes of the current page collected so far (27 + its segment table).
    head: Vec<u8>,
    /// Body bytes of the current page still to come; kept when the page starts a stream.
    body_left: usize,
    body: Vec<u8>,
    keep_body: bool,
    /// Granule ticks per second and pre-skip of the current stream.
    rate: u32,
    pre_skip: i64,
    /// Seconds of the streams before the current one, and of the current one.
    before: f64,
    current: f64,
}

impl OggClock {
    /// Seconds of audio in the pages seen so far.
    pub(crate) fn seconds(&self) -> f64 {
        self.before + self.current
    }

    pub(crate) fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.body_left > 0 {
                let n = self.body_left.min(bytes.len());
                if self.keep_body {
                    self.body.extend_from_slice(&bytes[..n]);
                }
                self.body_left -= n;
                bytes = &bytes[n..];
                if self.body_left == 0 && self.keep_body {
                    self.stream_header();
                }
                continue;
            }
            // A page header: 27 bytes, then as many lacing values as its byte 26 says.
            let need = if self.head.len() < 27 {
                27
            } else {
                27 + usize::from(self.head[26])
            };
            let take = (need - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.head.len() < need {
                continue;
            }
            if !self.head.starts_with(b"OggS") {
                // Not a page: resynchronise on the next "OggS".
                let skip = self.head[1..]
                    .windows(4)
                    .position(|w| w == b"OggS")
                    .map_or(self.head.len().saturating_sub(3), |p| p + 1);
                self.head.drain(..skip);
                continue;
            }
            if need == 27 && self.head[26] > 0 {
                continue; // the segment table comes next
            }
            let flags = self.head[5];
            let granule = self.head[6..14]
                .try_into()
                .map(i64::from_le_bytes)
                .unwrap_or(-1);
            self.body_left = self.head[27..].iter().map(|&l| usize::from(l)).sum();
            self.keep_body = flags & 2 != 0;
            self.body.clear();
            if self.keep_body {
                self.before += self.current;
                self.current = 0.0;
                self.rate = 0;
                if self.body_left == 0 {
                    self.stream_header();
                }
            } else if granule >= 0 && self.rate > 0 {
                self.current = (granule - self.pre_skip).max(0) as f64 / f64::from(self.rate);
            }
            self.head.clear();
        }
    }

    /// Reads the rate (and Opus's pre-skip) from a stream's first packet.
    fn stream_header(&mut self) {
        let b = &self.body;
        if b.starts_with(b"OpusHead") && b.len() >= 12 {
            self.rate = 48_000;
            self.pre_skip = i64::from(u16::from_le_bytes([b[10], b[11]]));
        } else if b.starts_with(b"\x01vorbis") && b.len() >= 16 {
            self.rate = u32::from_le_bytes([b[12], b[13], b[14], b[15]]);
            self.pre_skip = 0;
        }
        self.keep_body = false;
    }
}

/// Counts the duration of the MPEG audio frames in a byte stream fed in arbitrary pieces
/// (skipping an ID3v2 tag at the start and resynchronising on junk).
#[derive(Default)]
pub(crate) struct Mp3Clock {
    /// Bytes of the current frame (or tag) still to skip.
    skip: usize,
    /// A header being collected across pieces.
    pending: Vec<u8>,
    seconds: f64,
    started: bool,
}

impl Mp3Clock {
    /// Seconds of audio in the complete frames seen so far.
    pub(crate) fn seconds(&self) -> f64 {
        self.seconds
    }

    pub(crate) fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.skip > 0 {
                let n = self.skip.min(bytes.len());
                self.skip -= n;
                bytes = &bytes[n..];
                continue;
            }
            // Collect 10 bytes (an ID3v2 header's size) or 4 (a frame header's).
            let need = if !self.started { 10 } else { 4 };
            let take = (need - self.pending.len().min(need)).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() < need {
                return;
            }
            let h = std::mem::take(&mut self.pending);
            if !self.started {
                self.started = true;
                if h.starts_with(b"ID3") {
                    let size = h[6..10]
                        .iter()
                        .fold(0usize, |acc, b| (acc << 7) | usize::from(b & 0x7f));
                    let footer = if h[5] & 0x10 != 0 { 10 } else { 0 };
                    self.skip = size + footer;
                    continue;
                }
                // Not a tag: look at it as frame headers again (the 6 bytes after the first 4
                // go back through the loop).
                self.pending = h[..4].to_vec();
                let rest = h[4..].to_vec();
                self.frame_or_resync();
                self.feed(&rest);
                continue;
            }
            self.pending = h;
            self.frame_or_resync();
        }
    }

    /// `pending` holds 4 bytes: a frame header (count it, skip its body) or junk (drop a byte).
    fn frame_or_resync(&mut self) {
        let h = std::mem::take(&mut self.pending);
        match frame_info(&h) {
            Some((len, samples, rate)) => {
                self.seconds += f64::from(samples) / f64::from(rate);
                self.skip = len.saturating_sub(4);
            }
            None => self.pending = h[1..].to_vec(),
        }
    }
}

/// (frame length in bytes, samples, sample rate) of an MPEG audio frame header.
pub(crate) fn frame_info(h: &[u8]) -> Option<(usize, u32, u32)> {
    if h.len() < 4 || h[0] != 0xff || h[1] & 0xe0 != 0xe0 {
        return None;
    }
    let version = (h[1] >> 3) & 3; // 0: 2.5, 2: 2, 3: 1
    let layer = (h[1] >> 1) & 3; // 1: III, 2: II, 3: I
    let bitrate_index = usize::from(h[2] >> 4);
    let rate_index = usize::from((h[2] >> 2) & 3);
    let padding = usize::from((h[2] >> 1) & 1);
    if version == 1 || layer == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    let base_rate = [44100u32, 48000, 32000][rate_index];
    let rate = match version {
        3 => base_rate,
        2 => base_rate / 2,
        _ => base_rate / 4,
    };
    let mpeg1 = version == 3;
    let kbps: u32 = match (mpeg1, layer) {
        (true, 3) => [
            0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        ][bitrate_index],
        (true, 2) => [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        ][bitrate_index],
        (true, _) => [
            0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ][bitrate_index],
        (false, 3) => [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        ][bitrate_index],
        (false, _) => [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160][bitrate_index],
    };
    let bps = kbps * 1000;
    let (samples, len) = match layer {
        3 => (384, (12 * bps / rate) as usize * 4 + padding * 4),
        2 => (1152, (144 * bps / rate) as usize + padding),
        _ if mpeg1 => (1152, (144 * bps / rate) as usize + padding),
        _ => (576, (72 * bps / rate) as usize + padding),
    };
    Some((len, samples, rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_headers() {
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding: 417 bytes, 1152 samples.
        assert_eq!(
            frame_info(&[0xff, 0xfb, 0x90, 0x00]),
            Some((417, 1152, 44100))
        );
        assert_eq!(
            frame_info(&[0xff, 0xfb, 0x92, 0x00]),
            Some((418, 1152, 44100))
        );
        // MPEG-2 layer III, 64 kbit/s, 22.05 kHz: 576 samples.
        assert_eq!(
            frame_info(&[0xff, 0xf3, 0x80, 0x00]),
            Some((208, 576, 22050))
        );
        assert_eq!(frame_info(&[0xff, 0xfb, 0xf0, 0x00]), None);
        assert_eq!(frame_info(&[0x00, 0xfb, 0x90, 0x00]), None);
    }

    #[test]
    fn clock_counts_frames_across_pieces_after_a_tag() {
        let mut stream = b"ID3\x04\x00\x00\x00\x00\x00\x05tag!!".to_vec();
        stream.extend_from_slice(b"junk");
        for _ in 0..10 {
            let mut f = vec![0u8; 417];
            f[..4].copy_from_slice(&[0xff, 0xfb, 0x90, 0x00]);
            stream.extend_from_slice(&f);
        }
        for piece in [1, 3, 100, 5000] {
            let mut c = Mp3Clock::default();
            for p in stream.chunks(piece) {
                c.feed(p);
            }
            let expected = 10.0 * 1152.0 / 44100.0;
            assert!(
                (c.seconds() - expected).abs() < 1e-9,
                "piece {piece}: {}",
                c.seconds()
            );
        }
    }

    #[cfg(feature = "encode-opus")]
    #[test]
    fn ogg_clock_counts_granules_across_pieces_and_links() {
        use audiostream_codecs::ogg::OggStream;
        let mut bytes = b"junk".to_vec();
        // An Opus stream: pre-skip 312, 50 packets of 20 ms; then a Vorbis stream at 8 kHz
        // whose last page says 4000 frames.
        let mut opus = OggStream::new(1);
        let mut head = b"OpusHead\x01\x02".to_vec();
        head.extend(312u16.to_le_bytes());
        head.extend([0; 7]);
        opus.packet(&head, 0);
        opus.flush(&mut bytes, false);
        opus.packet(b"OpusTags", 0);
        opus.flush(&mut bytes, false);
        for i in 1..=50 {
            opus.packet(&[0u8; 300], 312 + 960 * i);
        }
        opus.flush(&mut bytes, true);
        let mut vorbis = OggStream::new(2);
        let mut id = b"\x01vorbis\0\0\0\0\x01".to_vec();
        id.extend(8000u32.to_le_bytes());
        id.extend([0; 14]);
        vorbis.packet(&id, 0);
        vorbis.flush(&mut bytes, false);
        vorbis.packet(&[7; 5000], 4000);
        vorbis.flush(&mut bytes, true);
        for piece in [1, 7, 100, 100_000] {
            let mut c = OggClock::default();
            for p in bytes.chunks(piece) {
                c.feed(p);
            }
            let expected = 50.0 * 960.0 / 48000.0 + 0.5;
            assert!(
                (c.seconds() - expected).abs() < 1e-9,
                "piece {piece}: {}",
                c.seconds()
            );
        }
    }
}
