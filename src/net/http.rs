//! A small blocking HTTP/1.1 client over `std::net::TcpStream`, with TLS from rustls (pure
//! Rust, so static builds stay static): one request per connection (`Connection: close`),
//! redirects, range requests, ICY status lines, chunked and length-delimited bodies, HTTP
//! proxies (absolute-form requests, `CONNECT` tunnels for https), and connect/read timeouts.
//! The raw body is handed out as a `Read`, plus a handle that can shut the socket down from
//! another thread (to abort a blocked read on seek or close).
//!
//! We keep our own client rather than ureq: ureq cannot parse Shoutcast's `ICY 200 OK`
//! status line, nor give a read timeout per read (an idle timeout) on a body that never ends.

use super::proxy::ProxyConfig;
use super::url::{Scheme, Url};
use crate::{BoxedSource, Error, NetworkError, NetworkErrorKind, Result};
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
    /// Which proxy (if any) requests go through.
    pub(crate) proxy: ProxyConfig,
}

/// A [`NetworkError`] about `url` (its password masked).
pub(crate) fn net_error(kind: NetworkErrorKind, url: &Url, message: String) -> Error {
    NetworkError::new(kind, Some(&url.to_string()), message).into()
}

/// A [`NetworkError`] about `url` with its underlying error.
pub(crate) fn net_error_from(
    kind: NetworkErrorKind,
    url: &Url,
    message: String,
    source: impl Into<BoxedSource>,
) -> Error {
    NetworkError::new(kind, Some(&url.to_string()), message)
        .with_source(source)
        .into()
}

/// The default TLS configuration: Mozilla's root certificates (webpki-roots), ring.
pub(crate) fn default_tls() -> Result<Arc<rustls::ClientConfig>> {
    static CONFIG: OnceLock<std::result::Result<Arc<rustls::ClientConfig>, String>> =
        OnceLock::new();
    CONFIG
        .get_or_init(|| tls_config(None).map_err(|e| e.to_string()))
        .clone()
        .map_err(|m| NetworkError::new(NetworkErrorKind::Tls, None, m).into())
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
        .map_err(|e| {
            Error::from(
                NetworkError::new(NetworkErrorKind::Tls, None, format!("TLS setup: {e}"))
                    .with_source(e),
            )
        })?
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

/// Opens a TCP connection to `addr` (`host:port`) within `client.timeout`; `what` names it in
/// messages (the server, or the proxy).
fn tcp_connect(
    url: &Url,
    addr: &str,
    host: &str,
    what: &str,
    client: &Client,
) -> Result<TcpStream> {
    let addrs: Vec<_> = addr
        .to_socket_addrs()
        .map_err(|e| {
            net_error_from(
                NetworkErrorKind::Resolve,
                url,
                format!("{url}: cannot resolve {what}host \"{host}\": {e}"),
                e,
            )
        })?
        .collect();
    if addrs.is_empty() {
        return Err(net_error(
            NetworkErrorKind::Resolve,
            url,
            format!("{url}: {what}host \"{host}\" has no addresses"),
        ));
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
                "{url}: connecting to {what}{addr} timed out after {:?}",
                client.timeout
            );
            return Err(Error::Timeout(client.timeout));
        }
        return Err(net_error_from(
            NetworkErrorKind::Connect,
            url,
            format!("{url}: cannot connect to {what}{addr}: {e}"),
            e,
        ));
    };
    tcp.set_read_timeout(Some(client.timeout))
        .and_then(|()| tcp.set_write_timeout(Some(client.timeout)))
        .map_err(|e| {
            net_error_from(
                NetworkErrorKind::Io,
                url,
                format!("{url}: setting socket timeouts: {e}"),
                e,
            )
        })?;
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}

/// Asks an HTTP proxy for a tunnel to `url`'s host and port (`CONNECT`, RFC 9110 section
/// 9.3.6), with the proxy's credentials if its URL has some.
fn tunnel(tcp: &mut TcpStream, url: &Url, proxy: &Url, client: &Client) -> Result<()> {
    let authority = url.socket_addr();
    let mut req = format!(
        "CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: {}\r\n",
        client.user_agent
    );
    if let Some(auth) = proxy.basic_auth() {
        req.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes())
        .and_then(|()| tcp.flush())
        .map_err(|e| {
            with_timeout(
                io_error(url, &format!("(asking the proxy {proxy} for a tunnel)"), e),
                client.timeout,
            )
        })?;
    // One byte at a time: TLS starts right after the blank line, on the same socket, so
    // nothing after it may be read here.
    let mut reader = BufReader::with_capacity(1, &mut *tcp);
    let head = read_head(&mut reader, url).map_err(|e| with_timeout(e, client.timeout))?;
    if !(200..300).contains(&head.status) {
        let hint = if head.status == 407 {
            if proxy.user.is_some() {
                " (the proxy refused its credentials)"
            } else {
                " (the proxy wants credentials: http://user:password@host:port)"
            }
        } else {
            ""
        };
        return Err(net_error(
            NetworkErrorKind::ProxyStatus(head.status),
            url,
            format!(
                "{url}: the proxy {proxy} refused a tunnel to {authority}: HTTP {} {}{hint}",
                head.status, head.reason
            ),
        ));
    }
    Ok(())
}

/// Opens a TCP (and, for https, TLS) connection to `url`'s host within `client.timeout`,
/// through the client's proxy if it has one for `url`: for http, a connection to the proxy
/// (requests then name the whole URL, and the proxy is returned); for https, a `CONNECT`
/// tunnel through it, with TLS to the server inside.
pub(crate) fn connect(url: &Url, client: &Client) -> Result<(Transport, Option<Url>)> {
    let proxy = client.proxy.proxy_for(url)?;
    let tcp = match &proxy {
        None => tcp_connect(url, &url.socket_addr(), &url.host, "", client)?,
        Some(p) => {
            log::debug!("{url}: through the proxy {p}");
            let what = format!("the proxy {p}: ");
            let mut tcp = tcp_connect(url, &p.socket_addr(), &p.host, &what, client)?;
            if url.scheme == Scheme::Https {
                tunnel(&mut tcp, url, p, client)?;
            }
            tcp
        }
    };
    if url.scheme != Scheme::Https {
        return Ok((Transport::Plain(tcp), proxy));
    }
    let config = match &client.tls {
        Some(c) => c.clone(),
        None => default_tls()?,
    };
    let name = rustls::pki_types::ServerName::try_from(url.host.clone()).map_err(|e| {
        net_error_from(
            NetworkErrorKind::Tls,
            url,
            format!("{url}: \"{}\" is not a TLS server name: {e}", url.host),
            e,
        )
    })?;
    let conn = rustls::ClientConnection::new(config, name).map_err(|e| {
        net_error_from(
            NetworkErrorKind::Tls,
            url,
            format!("{url}: TLS setup: {e}"),
            e,
        )
    })?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    // Handshake now, so a certificate problem is reported when the source is opened.
    while tls.conn.is_handshaking() {
        if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
            if is_timeout(&e) {
                return Err(Error::Timeout(client.timeout));
            }
            return Err(net_error_from(
                NetworkErrorKind::Tls,
                url,
                format!("{url}: TLS handshake failed: {e}"),
                e,
            ));
        }
    }
    Ok((Transport::Tls(Box::new(tls)), None))
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
        return Err(net_error(
            NetworkErrorKind::Io,
            url,
            format!("{url}: the server closed the connection before sending {what}"),
        ));
    }
    if line.len() > MAX_LINE {
        return Err(net_error(
            NetworkErrorKind::Protocol,
            url,
            format!("{url}: {what} longer than {MAX_LINE} bytes: not an HTTP server?"),
        ));
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
    net_error_from(
        NetworkErrorKind::Io,
        url,
        format!("{url}: reading {what}: {e}"),
        e,
    )
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
            return Err(net_error(
                NetworkErrorKind::Protocol,
                url,
                format!(
                    "{url}: not an HTTP response: {:?}",
                    status_line.chars().take(80).collect::<String>()
                ),
            ));
        }
        let status: u16 = parts
            .next()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| {
                net_error(
                    NetworkErrorKind::Protocol,
                    url,
                    format!("{url}: bad HTTP status line {status_line:?}"),
                )
            })?;
        let reason = parts.next().unwrap_or("").trim().to_string();
        let mut headers = Vec::new();
        loop {
            let line = read_line(r, "the response headers", url)?;
            if line.is_empty() {
                break;
            }
            if headers.len() >= MAX_HEADERS {
                return Err(net_error(
                    NetworkErrorKind::Protocol,
                    url,
                    format!("{url}: more than {MAX_HEADERS} response headers"),
                ));
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
    Err(net_error(
        NetworkErrorKind::Protocol,
        url,
        format!("{url}: too many interim (1xx) responses"),
    ))
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

/// Writes the request head; through a proxy (`proxy`: plain http only), the request line has
/// the absolute URL and the proxy's credentials go in `Proxy-Authorization`.
fn request_head(url: &Url, client: &Client, req: &Request<'_>, proxy: Option<&Url>) -> String {
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
    if let Some(auth) = proxy.and_then(Url::basic_auth) {
        headers.push(("Proxy-Authorization".into(), auth));
    }
    for (k, v) in client.headers.iter().chain(&req.extra) {
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
        headers.push((k.clone(), v.clone()));
    }
    let target = match proxy {
        Some(_) => url.absolute_target(),
        None => url.target.clone(),
    };
    let mut out = format!("{} {target} HTTP/1.1\r\n", req.method);
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
    let (mut transport, proxy) = connect(url, client)?;
    let head = request_head(url, client, req, proxy.as_ref());
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
                return Err(net_error(
                    NetworkErrorKind::Redirect,
                    &url,
                    format!(
                        "{url}: HTTP {status} {} without a Location header",
                        resp.head.reason
                    ),
                ));
            };
            let next = url.join(location).map_err(|e| {
                net_error(
                    NetworkErrorKind::Redirect,
                    &url,
                    format!("{url}: HTTP {status} redirects to {location:?}, which we cannot follow: {e}"),
                )
            })?;
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
            // 407 is always a proxy's answer (RFC 9110 section 15.5.8).
            let kind = if status == 407 {
                NetworkErrorKind::ProxyStatus(status)
            } else {
                NetworkErrorKind::Status(status)
            };
            return Err(net_error(
                kind,
                &url,
                format!(
                    "{url}{via}: HTTP {status} {}{}",
                    resp.head.reason,
                    if text.trim().is_empty() {
                        String::new()
                    } else {
                        format!(": {}", text.trim())
                    }
                ),
            ));
        }
        return Ok(resp);
    }
    Err(net_error(
        NetworkErrorKind::Redirect,
        &url,
        format!(
            "{first}: more than {MAX_REDIRECTS} redirects (a redirect loop?); the last one \
             pointed to {url}, after {:.1} s",
            started.elapsed().as_secs_f64()
        ),
    ))
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
            proxy: ProxyConfig::direct(),
        };
        let req = Request {
            method: "GET",
            range_from: Some(5),
            icy: true,
            extra: vec![],
        };
        let h = request_head(
            &Url::parse("http://u:p@h:8080/a?b").unwrap(),
            &client,
            &req,
            None,
        );
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
        assert!(!h.contains("Proxy-Authorization"), "{h}");
        // Through a proxy: the absolute URL without credentials, and the proxy's own.
        let proxy = Url::parse("http://pu:pp@proxy:3128").unwrap();
        let h = request_head(
            &Url::parse("http://u:p@Bücher.example:8080/a b?c").unwrap(),
            &client,
            &req,
            Some(&proxy),
        );
        assert!(
            h.starts_with(
                "GET http://xn--bcher-kva.example:8080/a%20b?c HTTP/1.1\r\nHost: \
                 xn--bcher-kva.example:8080\r\n"
            ),
            "{h}"
        );
        assert!(h.contains("Proxy-Authorization: Basic cHU6cHA=\r\n"), "{h}");
    }
}
