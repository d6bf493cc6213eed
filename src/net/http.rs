//! A small blocking HTTP/1.1 client over `std::net::TcpStream`, with TLS from rustls (pure
//! Rust, so static builds stay static): one request per connection (`Connection: close`),
//! redirects, range requests, ICY status lines, chunked and length-delimited bodies, and
//! connect/read timeouts. The raw body is handed out as a `Read`, plus a handle that can shut
//! the socket down from another thread (to abort a blocked read on seek or close).

use super::url::{Scheme, Url};
use crate::{Error, Result};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Redirects followed before giving up (the and most browsers' limit).
pub(crate) const MAX_REDIRECTS: usize = 10;
/// Longest status or header line, and most header lines, accepted.
const MAX_LINE: usize = 16 * 1024;
const MAX_HEADERS: usize = 200;

/// What is the same for every request of one source: timeouts, identity, extra headers, TLS.
#[derive(Clone)]
pub(crate) struct Client {
    pub(crate) timeout: Duration,
    pub(crate) user_agent: String,
    /// Extra request headers (name, value); they replace ours of the same name.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
}

/// The default TLS configuration: Mozilla's root certificates (webpki-roots), ring.
pub(crate) fn default_tls() -> Result<Arc<rustls::ClientConfig>> {
    static CONFIG: OnceLock<std::result::Result<Arc<rustls::ClientConfig>, String>> =
        OnceLock::new();
    CONFIG
        .get_or_init(|| tls_config(None).map_err(|e| e.to_string()))
        .clone()
        .map_err(Error::Network)
}

/// A TLS configuration trusting Mozilla's roots plus, if given, the certificates of a PEM file.
pub(crate) fn tls_config(ca_file: Option<&str>) -> Result<Arc<rustls::ClientConfig>> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| {
                Error::invalid_argument(
                    "ca_file",
                    format!("{path:?} ({e})"),
                    "a readable PEM file of CA certificates",
                )
            })?;
        if certs.is_empty() {
            return Err(Error::invalid_argument(
                "ca_file",
                format!("{path:?} (no certificates in it)"),
                "a readable PEM file of CA certificates",
            ));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| {
                Error::invalid_argument(
                    "ca_file",
                    format!("{path:?} ({e})"),
                    "a PEM file of valid CA certificates",
                )
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Network(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A connected socket, plain or TLS.
pub(crate) enum Transport {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Transport {
    fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Plain(s) => s,
            Transport::Tls(s) => s.get_ref(),
        }
    }

    /// Sets the socket's read timeout.
    pub(crate) fn set_read_timeout(&self, d: Duration) -> io::Result<()> {
        self.tcp().set_read_timeout(Some(d))
    }

    /// A second handle on the socket, to shut it down from another thread.
    pub(crate) fn shutdown_handle(&self) -> Option<TcpStream> {
        self.tcp().try_clone().ok()
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.read(buf),
            // Many servers close without TLS close_notify; for bodies delimited by the close
            // that is the end, as it is for browsers and curl.
            Transport::Tls(s) => match s.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
        }
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.write(buf),
            Transport::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Plain(s) => s.flush(),
            Transport::Tls(s) => s.flush(),
        }
    }
}

/// Whether an I/O error is a timeout (`WouldBlock` is how a socket read timeout shows on Unix).
pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// Opens a TCP (and, for https, TLS) connection to `url`'s host within `client.timeout`.
pub(crate) fn connect(url: &Url, client: &Client) -> Result<Transport> {
    let addr = url.socket_addr();
    let addrs: Vec<_> = addr
        .to_socket_addrs()
        .map_err(|e| Error::Network(format!("{url}: cannot resolve host \"{}\": {e}", url.host)))?
        .collect();
    if addrs.is_empty() {
        return Err(Error::Network(format!(
            "{url}: host \"{}\" has no addresses",
            url.host
        )));
    }
    let mut last: Option<io::Error> = None;
    let mut stream = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, client.timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let Some(tcp) = stream else {
        let e = last.unwrap_or_else(|| io::Error::other("no address worked"));
        if is_timeout(&e) {
            log::warn!(
                "{url}: connecting to {addr} timed out after {:?}",
                client.timeout
            );
            return Err(Error::Timeout(client.timeout));
        }
        return Err(Error::Network(format!(
            "{url}: cannot connect to {addr}: {e}"
        )));
    };
    tcp.set_read_timeout(Some(client.timeout))
        .and_then(|()| tcp.set_write_timeout(Some(client.timeout)))
        .map_err(|e| Error::Network(format!("{url}: setting socket timeouts: {e}")))?;
    let _ = tcp.set_nodelay(true);
    if url.scheme != Scheme::Https {
        return Ok(Transport::Plain(tcp));
    }
    let config = match &client.tls {
        Some(c) => c.clone(),
        None => default_tls()?,
    };
    let name = rustls::pki_types::ServerName::try_from(url.host.clone()).map_err(|e| {
        Error::Network(format!(
            "{url}: \"{}\" is not a TLS server name: {e}",
            url.host
        ))
    })?;
    let conn = rustls::ClientConnection::new(config, name)
        .map_err(|e| Error::Network(format!("{url}: TLS setup: {e}")))?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    // Handshake now, so a certificate problem is reported when the source is opened.
    while tls.conn.is_handshaking() {
        if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
            if is_timeout(&e) {
                return Err(Error::Timeout(client.timeout));
            }
            return Err(Error::Network(format!("{url}: TLS handshake failed: {e}")));
        }
    }
    Ok(Transport::Tls(Box::new(tls)))
}

/// A response's status line and headers, and the connection positioned at its body.
pub(crate) struct Head {
    pub(crate) status: u16,
    pub(crate) reason: String,
    /// Header names lowercased, in order.
    pub(crate) headers: Vec<(String, String)>,
}

impl Head {
    /// The first value of header `name` (lowercase).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn content_length(&self) -> Option<u64> {
        self.header("content-length")
            .and_then(|v| v.trim().parse().ok())
    }
}

/// Reads one line (up to `\n`), without its line ending.
fn read_line<R: BufRead>(r: &mut R, what: &str, url: &Url) -> Result<String> {
    let mut line = Vec::new();
    let n = r
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut line)
        .map_err(|e| io_error(url, what, e))?;
    if n == 0 {
        return Err(Error::Network(format!(
            "{url}: the server closed the connection before sending {what}"
        )));
    }
    if line.len() > MAX_LINE {
        return Err(Error::Network(format!(
            "{url}: {what} longer than {MAX_LINE} bytes: not an HTTP server?"
        )));
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// An I/O error while talking to `url`: timeouts become [`Error::Timeout`].
pub(crate) fn io_error(url: &Url, what: &str, e: io::Error) -> Error {
    if is_timeout(&e) {
        log::warn!("{url}: timed out waiting for {what}");
        // The duration is filled in by the caller that knows it; see `with_timeout`.
        return Error::Timeout(Duration::ZERO);
    }
    Error::Network(format!("{url}: reading {what}: {e}"))
}

/// Replaces the placeholder duration of a timeout error.
pub(crate) fn with_timeout(e: Error, timeout: Duration) -> Error {
    match e {
        Error::Timeout(d) if d.is_zero() => Error::Timeout(timeout),
        other => other,
    }
}

/// Reads a status line and headers (skipping `1xx` interim responses).
pub(crate) fn read_head<R: BufRead>(r: &mut R, url: &Url) -> Result<Head> {
    for _ in 0..8 {
        let status_line = read_line(r, "the response status line", url)?;
        let mut parts = status_line.splitn(3, ' ');
        let proto = parts.next().unwrap_or("");
        // Shoutcast v1 answers "ICY 200 OK".
        if !(proto.starts_with("HTTP/") || proto == "ICY") {
            return Err(Error::Network(format!(
                "{url}: not an HTTP response: {:?}",
                status_line.chars().take(80).collect::<String>()
            )));
        }
        let status: u16 = parts
            .next()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| {
                Error::Network(format!("{url}: bad HTTP status line {status_line:?}"))
            })?;
        let reason = parts.next().unwrap_or("").trim().to_string();
        let mut headers = Vec::new();
        loop {
            let line = read_line(r, "the response headers", url)?;
            if line.is_empty() {
                break;
            }
            if headers.len() >= MAX_HEADERS {
                return Err(Error::Network(format!(
                    "{url}: more than {MAX_HEADERS} response headers"
                )));
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        if (100..200).contains(&status) {
            continue;
        }
        return Ok(Head {
            status,
            reason,
            headers,
        });
    }
    Err(Error::Network(format!(
        "{url}: too many interim (1xx) responses"
    )))
}

/// A response body: raw bytes after the headers, decoded from chunked encoding or cut at the
/// length where the server says so.
pub(crate) struct Body {
    conn: Box<dyn BufRead + Send>,
    kind: BodyKind,
    shutdown: Option<TcpStream>,
}

enum BodyKind {
    /// Until the server closes the connection.
    Close,
    /// This many bytes remain.
    Length(u64),
    /// Chunked transfer coding: bytes left in the current chunk, whether a chunk was read
    /// (its CRLF comes before the next size line), and whether the last chunk was seen.
    Chunked {
        left: u64,
        started: bool,
        done: bool,
    },
}

impl Body {
    fn new(
        conn: Box<dyn BufRead + Send>,
        head: &Head,
        method: &str,
        shutdown: Option<TcpStream>,
    ) -> Body {
        let chunked = head
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let kind = if method == "HEAD" || head.status == 204 || head.status == 304 {
            BodyKind::Length(0)
        } else if chunked {
            BodyKind::Chunked {
                left: 0,
                started: false,
                done: false,
            }
        } else if let Some(n) = head.content_length() {
            BodyKind::Length(n)
        } else {
            BodyKind::Close
        };
        Body {
            conn,
            kind,
            shutdown,
        }
    }

    /// A handle that shuts the connection down from another thread.
    pub(crate) fn shutdown_handle(&self) -> Option<TcpStream> {
        self.shutdown.as_ref().and_then(|s| s.try_clone().ok())
    }

    /// Reads `buf.len()` bytes at most, but never past `left`; the server closing first is an
    /// error (the body is shorter than announced).
    fn read_limited(&mut self, buf: &mut [u8], left: u64) -> io::Result<usize> {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.conn.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the server closed the connection {left} bytes before the end of the body"),
            ));
        }
        Ok(n)
    }

    /// Reads a chunk-size line (after the previous chunk's CRLF).
    fn next_chunk_size(&mut self, after_chunk: bool) -> io::Result<u64> {
        let mut line = Vec::new();
        if after_chunk {
            (&mut self.conn).take(2).read_until(b'\n', &mut line)?;
            line.clear();
        }
        (&mut self.conn).take(4096).read_until(b'\n', &mut line)?;
        let text = String::from_utf8_lossy(&line);
        let size = text.split(';').next().unwrap_or("").trim();
        u64::from_str_radix(size, 16).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "bad chunk size line {:?} in a chunked response",
                    text.trim()
                ),
            )
        })
    }
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match self.kind {
            BodyKind::Close => self.conn.read(buf),
            BodyKind::Length(0) => Ok(0),
            BodyKind::Length(left) => {
                let n = self.read_limited(buf, left)?;
                self.kind = BodyKind::Length(left - n as u64);
                Ok(n)
            }
            BodyKind::Chunked { done: true, .. } => Ok(0),
            BodyKind::Chunked { left, started, .. } => {
                let left = if left == 0 {
                    let size = self.next_chunk_size(started)?;
                    if size == 0 {
                        self.kind = BodyKind::Chunked {
                            left: 0,
                            started: true,
                            done: true,
                        };
                        return Ok(0);
                    }
                    size
                } else {
                    left
                };
                let n = self.read_limited(buf, left)?;
                self.kind = BodyKind::Chunked {
                    left: left - n as u64,
                    started: true,
                    done: false,
                };
                Ok(n)
            }
        }
    }
}

/// A finished exchange: the final URL (after redirects), status, headers and the body.
pub(crate) struct Response {
    pub(crate) url: Url,
    pub(crate) head: Head,
    pub(crate) body: Body,
}

/// One request's own settings.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    /// `Range: bytes=N-` when set.
    pub(crate) range_from: Option<u64>,
    /// Ask for ICY metadata (`Icy-MetaData: 1`).
    pub(crate) icy: bool,
    /// Extra headers of this request (after the client's).
    pub(crate) extra: Vec<(String, String)>,
}

/// Writes the request head.
fn request_head(url: &Url, client: &Client, req: &Request<'_>) -> String {
    let mut headers: Vec<(String, String)> = vec![
        ("Host".into(), url.host_header()),
        ("User-Agent".into(), client.user_agent.clone()),
        ("Accept".into(), "*/*".into()),
        ("Accept-Encoding".into(), "identity".into()),
        ("Connection".into(), "close".into()),
    ];
    if req.icy {
        headers.push(("Icy-MetaData".into(), "1".into()));
    }
    if let Some(from) = req.range_from {
        headers.push(("Range".into(), format!("bytes={from}-")));
    }
    if let Some(auth) = url.basic_auth() {
        headers.push(("Authorization".into(), auth));
    }
    for (k, v) in client.headers.iter().chain(&req.extra) {
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
        headers.push((k.clone(), v.clone()));
    }
    let mut out = format!("{} {} HTTP/1.1\r\n", req.method, url.target);
    for (k, v) in headers {
        out.push_str(&k);
        out.push_str(": ");
        out.push_str(&v);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out
}

/// Sends one request on a new connection and reads the response head (no redirects).
pub(crate) fn send(url: &Url, client: &Client, req: &Request<'_>) -> Result<Response> {
    let mut transport = connect(url, client)?;
    let head = request_head(url, client, req);
    transport
        .write_all(head.as_bytes())
        .and_then(|()| transport.flush())
        .map_err(|e| with_timeout(io_error(url, "(sending the request)", e), client.timeout))?;
    let shutdown = transport.shutdown_handle();
    let mut conn = BufReader::with_capacity(64 * 1024, transport);
    let head = read_head(&mut conn, url).map_err(|e| with_timeout(e, client.timeout))?;
    let body = Body::new(Box::new(conn), &head, req.method, shutdown);
    Ok(Response {
        url: url.clone(),
        head,
        body,
    })
}

/// Sends a request, following up to [`MAX_REDIRECTS`] redirects within `deadline` (when
/// given), and fails on an error status with the URL and the status.
pub(crate) fn get(url: &Url, client: &Client, req: &Request<'_>) -> Result<Response> {
    let first = url.clone();
    let mut url = url.clone();
    let started = Instant::now();
    for _ in 0..=MAX_REDIRECTS {
        let resp = send(&url, client, req)?;
        let status = resp.head.status;
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            let Some(location) = resp.head.header("location") else {
                return Err(Error::Network(format!(
                    "{url}: HTTP {status} {} without a Location header",
                    resp.head.reason
                )));
            };
            let next = url.join(location)?;
            log::debug!("{url}: HTTP {status}, redirected to {next}");
            url = next;
            continue;
        }
        if status == 416 {
            // A range from the end of the resource: an empty body, reported by the caller.
            return Ok(resp);
        }
        if !(200..300).contains(&status) {
            let mut snippet = Vec::new();
            let mut body = resp.body;
            let _ = (&mut body).take(200).read_to_end(&mut snippet);
            let text = String::from_utf8_lossy(&snippet);
            let text: String = text.chars().filter(|c| !c.is_control()).take(120).collect();
            let via = if url == first {
                String::new()
            } else {
                format!(" (redirected from {first})")
            };
            return Err(Error::Network(format!(
                "{url}{via}: HTTP {status} {}{}",
                resp.head.reason,
                if text.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", text.trim())
                }
            )));
        }
        return Ok(resp);
    }
    Err(Error::Network(format!(
        "{first}: more than {MAX_REDIRECTS} redirects (a redirect loop?); the last one pointed to \
         {url}, after {:.1} s",
        started.elapsed().as_secs_f64()
    )))
}

/// Shuts a socket down (both ways), ignoring errors: it may be closed already.
pub(crate) fn shutdown(s: &TcpStream) {
    let _ = s.shutdown(Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn url() -> Url {
        Url::parse("http://h/x").unwrap()
    }

    #[test]
    fn reads_heads_and_skips_interim_responses() {
        let raw = b"HTTP/1.1 100 Continue\r\n\r\nICY 200 OK\r\nicy-metaint: 16000\r\nContent-Type: audio/mpeg\r\n\r\nbody";
        let mut r = Cursor::new(&raw[..]);
        let head = read_head(&mut r, &url()).unwrap();
        assert_eq!(head.status, 200);
        assert_eq!(head.header("icy-metaint"), Some("16000"));
        assert_eq!(head.header("content-type"), Some("audio/mpeg"));

        let mut r = Cursor::new(&b"\x00\x01garbage\r\n\r\n"[..]);
        assert!(matches!(read_head(&mut r, &url()), Err(Error::Network(_))));
        let mut r = Cursor::new(&b"HTTP/1.1 200 OK\r\nA: b\r\n"[..]);
        assert!(matches!(read_head(&mut r, &url()), Err(Error::Network(_))));
    }

    fn body(raw: &'static [u8], headers: &[(&str, &str)]) -> Vec<u8> {
        let head = Head {
            status: 200,
            reason: "OK".into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let mut b = Body::new(Box::new(Cursor::new(raw)), &head, "GET", None);
        let mut out = Vec::new();
        let mut buf = [0u8; 3];
        loop {
            match b.read(&mut buf) {
                Ok(0) => return out,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => {
                    out.extend_from_slice(format!("<{:?}>", e.kind()).as_bytes());
                    return out;
                }
            }
        }
    }

    #[test]
    fn decodes_bodies() {
        let chunked = [("transfer-encoding", "chunked")];
        assert_eq!(
            body(
                b"5\r\nhello\r\n7;x=1\r\n, world\r\n0\r\n\r\ntrailing",
                &chunked
            ),
            b"hello, world"
        );
        assert_eq!(body(b"5\r\nhel", &chunked), b"hel<UnexpectedEof>");
        assert_eq!(body(b"zz\r\n", &chunked), b"<InvalidData>");
        assert_eq!(body(b"abcdefgh", &[("content-length", "5")]), b"abcde");
        assert_eq!(
            body(b"abc", &[("content-length", "5")]),
            b"abc<UnexpectedEof>"
        );
        assert_eq!(body(b"abcdefgh", &[]), b"abcdefgh");
    }

    #[test]
    fn request_head_lets_user_headers_replace_ours() {
        let client = Client {
            timeout: Duration::from_secs(1),
            user_agent: "ua/1".into(),
            headers: vec![
                ("user-agent".into(), "mine".into()),
                ("X-A".into(), "1".into()),
            ],
            tls: None,
        };
        let req = Request {
            method: "GET",
            range_from: Some(5),
            icy: true,
            extra: vec![],
        };
        let h = request_head(&Url::parse("http://u:p@h:8080/a?b").unwrap(), &client, &req);
        assert!(
            h.starts_with("GET /a?b HTTP/1.1\r\nHost: h:8080\r\n"),
            "{h}"
        );
        assert!(
            h.contains("user-agent: mine\r\n") && !h.contains("ua/1"),
            "{h}"
        );
        assert!(h.contains("Range: bytes=5-\r\n") && h.contains("Icy-MetaData: 1\r\n"));
        assert!(h.contains("Authorization: Basic dTpw\r\n") && h.ends_with("X-A: 1\r\n\r\n"));
    }
}
