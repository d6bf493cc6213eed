//! Network streams (feature `net`, on by default): HTTP(S) and Icecast/Shoutcast sources for
//! [`StreamReader`], and an Icecast source client for [`StreamWriter`](crate::StreamWriter).
//! TLS is rustls (pure Rust, ring), trusting Mozilla's root certificates, so static builds
//! stay static.
//!
//! # Reading: `StreamReader::new("http://..." | "https://...", format, options)`
//!
//! A thread per connection reads the response body into a bounded queue (1 MiB); the demuxer
//! reads the queue. [`StreamReader::process_packet_with`] waits on the queue, so a stalled
//! server gives [`Error::Timeout`] between packets instead of a hang.
//!
//! - **Seeking** works as for files when the server answers range requests (`206`, or
//!   `Accept-Ranges: bytes` with a `Content-Length`): every seek far from the current
//!   position is a new range request. Otherwise the source is forward-only and a backward seek
//!   is [`Error::Unsupported`], saying that the server does not answer range requests.
//! - **Format**: `format=` forces a demuxer; otherwise the content is probed, with the
//!   `Content-Type` (`audio/mpeg`, `audio/aac`, `audio/ogg`, `audio/flac`, `audio/wav`,
//!   `audio/mp4`, ...) or else the URL's extension as the hint.
//! - **ICY** (Icecast, Shoutcast): with `icy` on (the default) the request asks for in-band
//!   metadata; it is cut out of the audio, and each `StreamTitle` becomes the `title` tag of
//!   [`StreamReader::get_metadata`] as the song changes (`StreamUrl` → `icy-stream-url`).
//!   The `icy-name`, `icy-genre`, `icy-description`, `icy-url` and `icy-br` response headers
//!   are tags under those names.
//! - **URLs** are parsed and redirects resolved by the `url` crate (RFC 3986 reference
//!   resolution: `../d.mp3` from `/a/b/c.mp3` is `/a/d.mp3`); an international host name is
//!   sent as punycode (`bücher.example` → `xn--bcher-kva.example`), in the `Host` header, the
//!   TLS server name and the DNS lookup alike.
//! - **Proxies**: `http_proxy` / `HTTP_PROXY`, `https_proxy` / `HTTPS_PROXY` and `no_proxy` /
//!   `NO_PROXY` are read as curl reads them (lowercase first; `no_proxy` lists hosts and
//!   domains separated by commas, a name matching its subdomains too, `*` for all, IP
//!   addresses and CIDR ranges literally, ports ignored; `HTTP_PROXY` in uppercase is ignored
//!   in a CGI environment). Plain http goes to the proxy with the whole URL in the request
//!   line; https through a `CONNECT` tunnel, with TLS to the server inside it. Credentials in
//!   the proxy URL (`http://user:password@proxy:3128`) are sent as `Proxy-Authorization:
//!   Basic`. The `proxy` option overrides the environment. Only HTTP proxies are spoken to
//!   (an `https://` or `socks5://` proxy is [`Error::Unsupported`]); `all_proxy` is not read;
//!   `icecast://` destinations always connect directly.
//! - **Errors**: HTTP errors (404, 500, ...), refused connections, TLS failures and redirect
//!   loops (more than 10 redirects) are [`Error::Network`] naming the URL and the status; its
//!   [`NetworkError`] has the kind to match on ([`NetworkErrorKind::Status`]`(404)`,
//!   `Connect`, `Tls`, `Redirect`, `ProxyStatus(407)`, ...) and the URL with its password
//!   masked. A timeout while opening is [`Error::Timeout`]; bytes that are not audio are
//!   [`Error::Unsupported`] or [`Error::Decode`]. URLs in messages never show a password.
//! - **Errors after the start**: the pump's failure reaches the reader through the demuxer
//!   as an `io::Error` carrying the typed error, which [`Error::io`] unwraps, so
//!   `process_packet` returns (after the audio decoded before it) [`Error::Network`] of kind
//!   `Io` for a reset connection, [`Error::Timeout`] with the `timeout` option for a server
//!   gone quiet, and the reconnection's error (e.g. `Status(503)` on the range request) when
//!   a drop could not be mended. A clean close (also TLS without `close_notify`, as browsers
//!   and curl take it) ends the stream: the end of a live stream, or a shorter file where
//!   the server does not answer range requests.
//!
//! ```no_run
//! use audiostream::{Error, NetworkErrorKind, StreamReader};
//! match StreamReader::new("https://radio.example/gone.mp3", None, None) {
//!     Err(Error::Network(e)) if e.kind == NetworkErrorKind::Status(404) => {
//!         eprintln!("no such stream: {}", e.url.unwrap_or_default());
//!     }
//!     Err(e) => return Err(e),
//!     Ok(_reader) => { /* add streams and read */ }
//! }
//! # Ok::<(), audiostream::Error>(())
//! ```
//!
//! | option | meaning | default |
//! |---|---|---|
//! | `timeout` | seconds allowed to connect, and to wait for each read | `10` |
//! | `user_agent` | the `User-Agent` header | `audiostream/<version>` |
//! | `headers` | extra request headers, `"Name: value"` lines separated by `\r\n` or `\n` | none |
//! | `header.<Name>` | one extra header, e.g. `header.Authorization` = `Bearer x` (handy on a command line) | none |
//! | `reconnect` | after a drop (closed early, read error or timeout) reopen the URL. Unset: only where the server does ranges, with a range request at the byte reached (seamless, so a reader paused longer than the server waits loses nothing). `true`: also a stream without ranges, with a fresh request (a live stream resumes at its live point and what aired meanwhile is lost; a file is read again up to where it was). `false`: never | unset |
//! | `reconnect_max` | reconnection attempts in a row before giving up (100 ms backoff, doubling to 2 s; the count restarts once a connection has delivered 64 KiB) | `5` |
//! | `icy` | request ICY metadata | `true` |
//! | `ca_file` | a PEM file of extra CA certificates to trust (a private CA) | none |
//! | `proxy` | an HTTP proxy for this source, `http://[user:password@]host[:port]` (port 1080 when none, as curl), or `none` to connect directly; the environment's `no_proxy` is then not read | from the environment |
//! | `no_proxy` | hosts to reach directly, as `NO_PROXY` (`example.com,10.0.0.0/8`); replaces the environment's | from the environment |
//!
//! With a raw PCM `format=` (`s16le`, ...), `sample_rate` and `channels` are accepted too.
//! Any other key is an [`Error::InvalidArgument`] listing these.
//!
//! ```no_run
//! use audiostream::{Options, StreamReader};
//! use std::time::Duration;
//! let opts = Options::from([("timeout".into(), "5".into()), ("reconnect".into(), "true".into())]);
//! let mut reader = StreamReader::new("https://radio.example/live.mp3", None, Some(&opts))?;
//! reader.add_basic_audio_stream(1024, 8)?;
//! loop {
//!     match reader.process_packet_with(Some(Duration::from_secs(1)), Duration::from_millis(10)) {
//!         Ok(0) => break,
//!         Ok(_) => {}
//!         Err(audiostream::Error::Timeout(_)) => continue, // the server is slow: keep waiting
//!         Err(e) => return Err(e),
//!     }
//!     if let Some(chunk) = &reader.pop_chunks()[0] {
//!         let title = reader.get_metadata().tags.get("title").cloned().unwrap_or_default();
//!         println!("{:.1} s  {title}", chunk.pts);
//!     }
//! }
//! # Ok::<(), audiostream::Error>(())
//! ```
//!
//! # Writing: `StreamWriter::new("icecast://source:password@host:port/mount", Some("mp3"), options)`
//!
//! A source client for Icecast 2: HTTP `PUT` with Basic authentication (or the legacy
//! `SOURCE` method), then the MP3 stream — or Ogg Vorbis / Ogg Opus with format `ogg` / `opus`. `icecast://password@host/mount` means user `source`;
//! the port defaults to 8000.
//!
//! | option | meaning | default |
//! |---|---|---|
//! | `content_type` | the stream's `Content-Type` | `audio/mpeg`; `audio/ogg` for `ogg` and `opus` |
//! | `name`, `description`, `genre`, `url` | `Ice-Name`, `Ice-Description`, `Ice-Genre`, `Ice-Url` | none |
//! | `public` | list the stream in directories (`Ice-Public`) | `false` |
//! | `realtime` | pace the stream at the audio's own speed (a live source: MP3 frame headers, Ogg granule positions); otherwise as fast as the server takes it | `false` |
//! | `timeout` | seconds to connect, to get the server's answer, and for each write | `10` |
//! | `method` | `put` (Icecast 2.4+) or `source` (older servers) | `put` |
//! | `user_agent` | the `User-Agent` header | `audiostream/<version>` |
//!
//! ```no_run
//! use audiostream::{ndarray::Array2, Options, StreamWriter};
//! let opts = Options::from([("realtime".into(), "true".into()), ("name".into(), "Test radio".into())]);
//! let mut writer = StreamWriter::new("icecast://source:hackme@127.0.0.1:8000/live.mp3", Some("mp3"), Some(&opts))?;
//! writer.add_audio_stream(44100, 2)?;
//! writer.write_audio_chunk(0, Array2::<f32>::zeros((2, 44100)).view(), None)?; // 1 s of silence
//! writer.close()?;
//! # Ok::<(), audiostream::Error>(())
//! ```
//!
//! [`StreamReader`]: crate::StreamReader
//! [`StreamReader::process_packet_with`]: crate::StreamReader::process_packet_with
//! [`StreamReader::get_metadata`]: crate::StreamReader::get_metadata
//! [`Error::Timeout`]: crate::Error::Timeout
//! [`Error::Network`]: crate::Error::Network
//! [`NetworkError`]: crate::NetworkError
//! [`NetworkErrorKind::Status`]: crate::NetworkErrorKind::Status
//! [`Error::Unsupported`]: crate::Error::Unsupported
//! [`Error::Decode`]: crate::Error::Decode
//! [`Error::InvalidArgument`]: crate::Error::InvalidArgument

mod http;
mod icecast;
mod icy;
mod proxy;
mod pump;
mod url;

use crate::reader::live::LiveOpen;
use crate::{DecodeError, DecodeErrorKind, Error, Options, Result, StreamReader};
use std::time::Duration;

/// Option keys of an `http(s)://` source (besides `header.<Name>`, and `sample_rate` /
/// `channels` with a raw PCM format).
///
/// ```
/// assert!(audiostream::net::READER_OPTIONS.contains(&"timeout"));
/// ```
pub const READER_OPTIONS: &[&str] = &[
    "timeout",
    "user_agent",
    "headers",
    "reconnect",
    "reconnect_max",
    "icy",
    "ca_file",
    "proxy",
    "no_proxy",
];

/// Option keys of an `icecast://` destination.
///
/// ```
/// assert!(audiostream::net::SINK_OPTIONS.contains(&"realtime"));
/// ```
pub const SINK_OPTIONS: &[&str] = icecast::SINK_OPTIONS;

/// Connect and read timeout when the `timeout` option is not given.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const DEFAULT_USER_AGENT: &str = concat!("audiostream/", env!("CARGO_PKG_VERSION"));
const DEFAULT_RECONNECT_MAX: u32 = 5;
/// Raw PCM formats, which take `sample_rate` and `channels` (the reader's list).
const RAW_FORMATS: &[&str] = &["s16le", "s24le", "s32le", "f32le", "f64le", "u8"];

/// Whether `src` is a URL [`StreamReader::new`](crate::StreamReader::new) reads over the
/// network (`http://` or `https://`).
///
/// ```
/// assert!(audiostream::net::is_url("https://example.com/a.mp3"));
/// assert!(!audiostream::net::is_url("/tmp/a.mp3"));
/// ```
pub fn is_url(src: &str) -> bool {
    url::is_http(src)
}

/// Whether `dst` is an Icecast destination for [`StreamWriter::new`](crate::StreamWriter::new)
/// (`icecast://`).
///
/// ```
/// assert!(audiostream::net::is_sink_url("icecast://source:pw@127.0.0.1:8000/live.mp3"));
/// ```
pub fn is_sink_url(dst: &str) -> bool {
    url::is_icecast(dst)
}

/// Parses a timeout in seconds.
pub(crate) fn parse_timeout(v: &str) -> Result<Duration> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 1e6)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| Error::invalid_argument("timeout", v, "seconds, more than 0 (e.g. 2.5)"))
}

fn parse_bool(key: &str, v: &str) -> Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(Error::invalid_argument(key, v, "true or false")),
    }
}

/// Checks a header name (an HTTP token) and value (one line).
fn check_header(name: &str, value: &str) -> Result<(String, String)> {
    let name = name.trim();
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(Error::invalid_argument(
            "headers",
            format!("header name {name:?}"),
            "letters, digits and !#$%&'*+-.^_`|~ (e.g. X-Token)",
        ));
    }
    if value.contains(['\r', '\n']) {
        return Err(Error::invalid_argument(
            "headers",
            format!("{name}: {value:?}"),
            "a value on one line",
        ));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

/// Everything the `option` map says for a URL source.
struct ReaderOptions {
    client: http::Client,
    /// `None`: resume range-capable resources only.
    reconnect: Option<bool>,
    reconnect_max: u32,
    icy: bool,
    /// Options for the demuxer (raw PCM's `sample_rate`, `channels`).
    demuxer: Options,
}

impl ReaderOptions {
    fn parse(option: Option<&Options>, format: Option<&str>) -> Result<Self> {
        let mut o = ReaderOptions {
            client: http::Client {
                timeout: DEFAULT_TIMEOUT,
                user_agent: DEFAULT_USER_AGENT.into(),
                headers: Vec::new(),
                tls: None,
                proxy: proxy::ProxyConfig::default(),
            },
            reconnect: None,
            reconnect_max: DEFAULT_RECONNECT_MAX,
            icy: true,
            demuxer: Options::new(),
        };
        let raw =
            format.is_some_and(|f| RAW_FORMATS.contains(&f.trim().to_ascii_lowercase().as_str()));
        let Some(option) = option else {
            return Ok(o);
        };
        for (key, value) in option {
            match key.as_str() {
                "timeout" => o.client.timeout = parse_timeout(value)?,
                "user_agent" => {
                    o.client.user_agent = check_header("User-Agent", value)?.1;
                }
                "headers" => {
                    for line in value.split('\n') {
                        let line = line.trim_end_matches('\r');
                        if line.trim().is_empty() {
                            continue;
                        }
                        let (name, v) = line.split_once(':').ok_or_else(|| {
                            Error::invalid_argument(
                                "headers",
                                format!("{line:?}"),
                                "\"Name: value\" lines separated by \\r\\n or \\n",
                            )
                        })?;
                        o.client.headers.push(check_header(name, v)?);
                    }
                }
                "reconnect" => o.reconnect = Some(parse_bool("reconnect", value)?),
                "reconnect_max" => {
                    o.reconnect_max = value
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| *n <= 1000)
                        .ok_or_else(|| {
                            Error::invalid_argument("reconnect_max", value, "0 to 1000 attempts")
                        })?;
                }
                "icy" => o.icy = parse_bool("icy", value)?,
                "ca_file" => o.client.tls = Some(http::tls_config(Some(value))?),
                "proxy" => o.client.proxy.mode = proxy::ProxyConfig::parse_option(value)?,
                "no_proxy" => o.client.proxy.no_proxy = Some(value.clone()),
                "sample_rate" | "channels" if raw => {
                    o.demuxer.insert(key.clone(), value.clone());
                }
                k if k.starts_with("header.") => {
                    o.client
                        .headers
                        .push(check_header(&k["header.".len()..], value)?);
                }
                _ => {
                    return Err(Error::invalid_argument(
                        "option",
                        key,
                        format!(
                            "for http(s) URLs: {}, header.<Name> (and sample_rate, channels with \
                             a raw PCM format: {})",
                            READER_OPTIONS.join(", "),
                            RAW_FORMATS.join(", ")
                        ),
                    ))
                }
            }
        }
        Ok(o)
    }
}

/// The container a `Content-Type` names (a probe hint).
fn ext_for_content_type(ct: &str) -> Option<&'static str> {
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Some(match mime.as_str() {
        "audio/mpeg" | "audio/mp3" | "audio/mpeg3" | "audio/x-mpeg" | "audio/x-mp3"
        | "audio/mpa" => "mp3",
        "audio/aac" | "audio/aacp" | "audio/x-aac" | "audio/x-hx-aac-adts" => "aac",
        "audio/ogg" | "application/ogg" | "audio/vorbis" | "audio/x-ogg" | "audio/opus" => "ogg",
        "audio/flac" | "audio/x-flac" => "flac",
        "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => "wav",
        "audio/mp4" | "audio/x-m4a" | "audio/m4a" | "video/mp4" => "m4a",
        "audio/webm" | "video/webm" | "audio/x-matroska" | "video/x-matroska" => "mkv",
        "audio/aiff" | "audio/x-aiff" => "aiff",
        "audio/x-caf" => "caf",
        _ => return None,
    })
}

/// Extensions worth giving the probe as a hint.
const AUDIO_EXTENSIONS: &[&str] = &[
    "mp3", "mp2", "mp1", "aac", "ogg", "oga", "flac", "wav", "wave", "m4a", "mp4", "mkv", "mka",
    "webm", "aiff", "aif", "caf",
];

/// Opens an `http(s)://` URL for [`StreamReader::new`].
pub(crate) fn open_reader(
    src: &str,
    format: Option<&str>,
    option: Option<&Options>,
) -> Result<StreamReader> {
    let opts = ReaderOptions::parse(option, format)?;
    let url = url::Url::parse(src)?;
    // Ask for a range from 0: a 206 answer tells the server does ranges (as FFmpeg does).
    let req = http::Request {
        method: "GET",
        range_from: Some(0),
        icy: opts.icy,
        extra: Vec::new(),
    };
    let resp = http::get(&url, &opts.client, &req)?;
    let head = &resp.head;
    if head.status == 416 {
        return Err(
            DecodeError::new(DecodeErrorKind::Empty, format!("{url} is empty (0 bytes)")).into(),
        );
    }
    if let Some(enc) = head
        .header("content-encoding")
        .filter(|e| !e.eq_ignore_ascii_case("identity"))
    {
        return Err(Error::Unsupported(format!(
            "{}: the server sent the body with Content-Encoding {enc:?} although we asked for \
             identity",
            resp.url
        )));
    }
    let metaint = pump::metaint(head);
    let icy_server = metaint.is_some() || head.headers.iter().any(|(k, _)| k.starts_with("icy-"));
    let (seekable, len) = match head.status {
        206 => match head
            .header("content-range")
            .and_then(pump::parse_content_range)
        {
            Some((0, Some(total))) => (metaint.is_none(), Some(total)),
            _ => (false, None),
        },
        _ => {
            let ranges = head
                .header("accept-ranges")
                .is_some_and(|v| v.to_ascii_lowercase().contains("bytes"));
            let len = head.content_length();
            (ranges && len.is_some() && metaint.is_none(), len)
        }
    };
    let len = if metaint.is_some() { None } else { len };
    if len == Some(0) {
        return Err(DecodeError::new(
            DecodeErrorKind::Empty,
            format!("{} is empty (0 bytes)", resp.url),
        )
        .into());
    }
    let mut tags = Options::new();
    for key in [
        "icy-name",
        "icy-genre",
        "icy-description",
        "icy-url",
        "icy-br",
    ] {
        if let Some(v) = head.header(key).filter(|v| !v.trim().is_empty()) {
            tags.insert(key.to_string(), v.trim().to_string());
        }
    }
    let content_ext = head.header("content-type").and_then(ext_for_content_type);
    let url_ext = resp
        .url
        .extension()
        .filter(|e| AUDIO_EXTENSIONS.contains(&e.as_str()));
    let ext = content_ext.map(str::to_string).or(url_ext);
    // Messages about seeking quote the name: say there why a source is forward-only.
    let src_name = if seekable {
        format!("{:?}", url.to_string())
    } else if icy_server || len.is_none() {
        format!(
            "{:?} (a live stream; the server does not answer range requests)",
            url.to_string()
        )
    } else {
        format!(
            "{:?} (the server does not answer range requests)",
            url.to_string()
        )
    };
    let final_url = resp.url.clone();
    let shutdown = resp.body.shutdown_handle();
    let shared = pump::Shared::new(
        pump::Target {
            url: final_url,
            first_url: url.clone(),
            client: opts.client.clone(),
            icy: opts.icy,
            seekable,
            len,
            // Resuming a range-capable resource is exact, so it is the default; reopening a
            // stream without ranges loses or repeats data, so only when asked.
            reconnect: opts.reconnect.unwrap_or(seekable),
            reconnect_max: opts.reconnect_max,
        },
        tags,
    );
    shared.register(0, shutdown);
    let icy = metaint.map(icy::IcyStripper::new);
    pump::spawn(shared.clone(), 0, Some((resp.body, icy)), 0);
    let live = LiveOpen {
        src_name,
        source: Box::new(pump::NetSource::new(shared.clone())),
        ext,
        format: format.map(str::to_string),
        demuxer_options: opts.demuxer,
        live: Box::new(pump::NetLive::new(shared.clone())),
    };
    StreamReader::open_live(live).map_err(|e| {
        // The demuxer saw a read error: report what the network said, typed.
        match shared.end().and_then(|end| end.error(&shared.target)) {
            Some(Error::Timeout(d)) => {
                log::warn!("{url}: timed out while reading the start of the stream");
                Error::Timeout(d)
            }
            Some(typed) => typed,
            None => e,
        }
    })
}

/// Connects to an `icecast://` destination for [`StreamWriter::new`](crate::StreamWriter::new):
/// the sink's name for messages, the container, and the connection as a `Write`.
pub(crate) fn open_sink(
    dst: &str,
    format: Option<&str>,
    option: Option<&Options>,
) -> Result<(String, String, impl std::io::Write + Send + 'static)> {
    let (sink, container) = icecast::connect(dst, format, option)?;
    Ok((sink.name(), container, sink))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> Options {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_reader_options() {
        let o = ReaderOptions::parse(
            Some(&opts(&[
                ("timeout", "2.5"),
                ("headers", "X-A: 1\r\nX-B:two\n"),
                ("header.Authorization", "Bearer t"),
                ("reconnect", "yes"),
                ("reconnect_max", "3"),
                ("icy", "0"),
            ])),
            None,
        )
        .unwrap();
        assert_eq!(o.client.timeout, Duration::from_millis(2500));
        assert_eq!(
            o.client.headers,
            vec![
                ("Authorization".to_string(), "Bearer t".to_string()),
                ("X-A".to_string(), "1".to_string()),
                ("X-B".to_string(), "two".to_string())
            ]
        );
        assert!(o.reconnect == Some(true) && !o.icy && o.reconnect_max == 3);

        for bad in [
            ("timeout", "0"),
            ("timeout", "-1"),
            ("timeout", "soon"),
            ("reconnect", "maybe"),
            ("headers", "no colon"),
            ("headers", "Bad Name: x"),
            ("user_agent", "a\r\nInjected: 1"),
            ("sample_rate", "8000"),
            ("bogus", "1"),
        ] {
            let e = ReaderOptions::parse(Some(&opts(&[bad])), None);
            assert!(matches!(e, Err(Error::InvalidArgument(_))), "{bad:?}");
        }
        let e = ReaderOptions::parse(Some(&opts(&[("bogus", "1")])), None)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("bogus") && e.contains("reconnect_max") && e.contains("header.<Name>"),
            "{e}"
        );
        let o =
            ReaderOptions::parse(Some(&opts(&[("sample_rate", "8000")])), Some("s16le")).unwrap();
        assert_eq!(o.demuxer["sample_rate"], "8000");
    }

    #[test]
    fn content_types() {
        assert_eq!(ext_for_content_type("audio/mpeg"), Some("mp3"));
        assert_eq!(ext_for_content_type("Audio/AACP; charset=x"), Some("aac"));
        assert_eq!(ext_for_content_type("application/ogg"), Some("ogg"));
        assert_eq!(ext_for_content_type("text/html"), None);
    }
}
