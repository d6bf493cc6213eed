#![cfg(feature = "net")]

//! Errors users can match (an HTTP 404 is `NetworkErrorKind::Status(404)`), URLs as RFC 3986
//! and IDNA have them (checked against what curl sends to the same servers), and HTTP proxies:
//! a proxy written here (absolute-form requests relayed to their origin, `CONNECT` tunnels to
//! nginx over TLS, Basic proxy credentials), the `no_proxy` bypass, masked credentials.
//! The environment variables are read by a pure function, tested in `src/net/proxy.rs`: tests
//! run on parallel threads of one process, which shares one environment.

use crate::common;

use audiostream::{Chunk, Error, NetworkError, NetworkErrorKind, Options, StreamReader};
use common::oracle::fixture;
use common::servers::{free_port, read_request, request_header, Nginx, ScriptServer};
use common::signals::TempDir;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LIFE: Duration = Duration::from_secs(30);
const WAV: &str = "wav_s16_stereo_44100.wav";

type Log = Arc<Mutex<Vec<Vec<String>>>>;

fn read_all(src: &str, options: Option<&Options>) -> Vec<Chunk> {
    let mut r =
        StreamReader::new(src, None, options).unwrap_or_else(|e| panic!("opening {src}: {e}"));
    r.add_basic_audio_stream(4096, usize::MAX).unwrap();
    r.process_all_packets().unwrap();
    let mut chunks = Vec::new();
    while let Some(c) = r.pop_chunks().remove(0) {
        chunks.push(c);
    }
    chunks
}

fn assert_same_chunks(what: &str, a: &[Chunk], b: &[Chunk]) {
    assert_eq!(a.len(), b.len(), "{what}: number of chunks");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert_eq!(x.pts, y.pts, "{what}: pts of chunk {i}");
        assert_eq!(x.data, y.data, "{what}: samples of chunk {i}");
    }
}

fn opts(pairs: &[(&str, &str)]) -> Options {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn basic(user: &str, password: &str) -> String {
    // The test's own base64 (RFC 4648), independent of the library's.
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let s = format!("{user}:{password}");
    let mut out = String::from("Basic ");
    for c in s.as_bytes().chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() {
                char::from(A[((n >> (18 - 6 * i)) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}

/// Copies `from` to `to` until either ends, then shuts both down (so the other direction's
/// copy ends too).
fn pipe(mut from: TcpStream, mut to: TcpStream, count: Option<Arc<AtomicU64>>) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
                if let Some(c) = &count {
                    c.fetch_add(n as u64, Ordering::SeqCst);
                }
            }
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

/// A small HTTP proxy on 127.0.0.1. Every request head is logged. With `want_auth`, a request
/// without that `Proxy-Authorization` gets 407. `CONNECT host:port` is answered 200 and
/// relayed both ways; a request in absolute form to 127.0.0.1 is relayed to its origin in
/// origin form; one to any other host is answered by the proxy itself with `canned`.
struct TestProxy {
    server: ScriptServer,
    log: Log,
    /// Bytes relayed from origins to clients.
    relayed: Arc<AtomicU64>,
}

impl TestProxy {
    fn start(want_auth: Option<String>, canned: Arc<Vec<u8>>) -> TestProxy {
        let log: Log = Arc::default();
        let relayed = Arc::new(AtomicU64::new(0));
        let (log2, relayed2) = (log.clone(), relayed.clone());
        let server = ScriptServer::start(20, LIFE, move |_, mut c| {
            let req = read_request(&mut c);
            log2.lock().unwrap().push(req.clone());
            if let Some(want) = &want_auth {
                if request_header(&req, "Proxy-Authorization") != Some(want.as_str()) {
                    let _ = c.write_all(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: \
                          Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n",
                    );
                    return;
                }
            }
            let mut parts = req.first().map(|l| l.split(' ')).into_iter().flatten();
            let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            if method == "CONNECT" {
                let Ok(up) = TcpStream::connect(target) else {
                    let _ = c.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                    return;
                };
                let _ = c.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (c2, up2) = (c.try_clone().unwrap(), up.try_clone().unwrap());
                let t = std::thread::spawn(move || pipe(c2, up2, None));
                pipe(up, c, Some(relayed2.clone()));
                let _ = t.join();
                return;
            }
            let Some(rest) = target.strip_prefix("http://") else {
                let _ = c.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                return;
            };
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if !authority.starts_with("127.0.0.1:") {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: {}\r\n\r\n",
                    canned.len()
                );
                let _ = c.write_all(head.as_bytes());
                let _ = c.write_all(&canned);
                return;
            }
            let Ok(mut up) = TcpStream::connect(authority) else {
                let _ = c.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                return;
            };
            let mut head = format!("{method} {path} HTTP/1.1\r\n");
            for line in &req[1..] {
                let name = line.split(':').next().unwrap_or("").trim();
                if !name.eq_ignore_ascii_case("proxy-authorization") {
                    head.push_str(line);
                    head.push_str("\r\n");
                }
            }
            head.push_str("\r\n");
            let _ = up.write_all(head.as_bytes());
            pipe(up, c, Some(relayed2.clone()));
        });
        TestProxy {
            server,
            log,
            relayed,
        }
    }

    fn url(&self, credentials: &str) -> String {
        format!("http://{credentials}127.0.0.1:{}", self.server.port)
    }

    fn requests(&self) -> Vec<Vec<String>> {
        self.log.lock().unwrap().clone()
    }
}

/// An origin serving the WAV fixture at `path`, logging request lines.
fn origin(path: &'static str, log: Log) -> ScriptServer {
    let bytes = std::fs::read(fixture(WAV)).unwrap();
    ScriptServer::start(10, LIFE, move |_, mut c| {
        let req = read_request(&mut c);
        log.lock().unwrap().push(req.clone());
        let got = req.first().and_then(|l| l.split(' ').nth(1)).unwrap_or("");
        if got == path {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: {}\r\n\r\n",
                bytes.len()
            );
            let _ = c.write_all(head.as_bytes());
            let _ = c.write_all(&bytes);
        } else if got == "/a/b/c.wav" {
            let _ = c.write_all(
                b"HTTP/1.1 302 Found\r\nLocation: ../d.wav\r\nContent-Length: 0\r\n\r\n",
            );
        } else {
            let _ = c.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope");
        }
    })
}

fn paths(log: &Log) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|r| r.first()?.split(' ').nth(1).map(str::to_string))
        .collect()
}

#[test]
fn http_errors_are_matchable_data() {
    let log: Log = Arc::default();
    let server = origin("/ok.wav", log.clone());
    let url = format!("http://me:s3cret@127.0.0.1:{}/missing.wav", server.port);
    let e = StreamReader::new(&url, None, None).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Network(NetworkError {
                kind: NetworkErrorKind::Status(404),
                ..
            })
        ),
        "{e:?}"
    );
    assert_eq!(e.http_status(), Some(404));
    let Error::Network(n) = &e else {
        unreachable!()
    };
    assert_eq!(
        n.url.as_deref(),
        Some(format!("http://me:***@127.0.0.1:{}/missing.wav", server.port).as_str())
    );
    assert!(n.kind.is_client_error());
    // The message is as it was, and no form of the error shows the password.
    let msg = e.to_string();
    assert!(
        msg.starts_with("network error: http://me:***@127.0.0.1:"),
        "{msg}"
    );
    assert!(msg.contains("HTTP 404 Not Found: nope"), "{msg}");
    assert!(!format!("{e:?}").contains("s3cret"), "{e:?}");

    // A refused connection: kind Connect, the operating system's error as the source.
    let port = free_port();
    let e = StreamReader::new(&format!("http://127.0.0.1:{port}/x.wav"), None, None).unwrap_err();
    assert!(
        matches!(&e, Error::Network(n) if n.kind == NetworkErrorKind::Connect),
        "{e:?}"
    );
    let source = std::error::Error::source(&e).expect("a source");
    let io = source
        .downcast_ref::<std::io::Error>()
        .expect("an io::Error");
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
    assert_eq!(e.http_status(), None);
}

#[test]
fn relative_redirects_resolve_as_rfc_3986_and_as_curl() {
    let log: Log = Arc::default();
    let server = origin("/a/d.wav", log.clone());
    let chunks = read_all(&server.url("a/b/c.wav"), None);
    let disk = read_all(fixture(WAV).to_str().unwrap(), None);
    assert_same_chunks("after ../d.wav", &disk, &chunks);
    let ours = paths(&log);
    assert_eq!(ours.first().map(String::as_str), Some("/a/b/c.wav"));
    assert!(
        ours.iter().all(|p| p == "/a/b/c.wav" || p == "/a/d.wav"),
        "{ours:?}"
    );
    // curl follows the same redirect to the same path.
    log.lock().unwrap().clear();
    let ok = Command::new("curl")
        .args(["-sSL", "--max-time", "10", "-o", "/dev/null"])
        .arg(server.url("a/b/c.wav"))
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .status()
        .expect("curl runs");
    assert!(ok.success());
    assert_eq!(paths(&log), vec!["/a/b/c.wav", "/a/d.wav"]);
}

#[test]
fn http_through_a_proxy_uses_the_absolute_form_and_proxy_credentials() {
    let log: Log = Arc::default();
    let server = origin("/ok.wav", log.clone());
    let bytes = Arc::new(std::fs::read(fixture(WAV)).unwrap());
    let proxy = TestProxy::start(Some(basic("pu", "s3cret")), bytes.clone());
    let o = opts(&[("proxy", &proxy.url("pu:s3cret@"))]);
    let chunks = read_all(&server.url("ok.wav"), Some(&o));
    let disk = read_all(fixture(WAV).to_str().unwrap(), None);
    assert_same_chunks("through the proxy", &disk, &chunks);
    let reqs = proxy.requests();
    assert!(!reqs.is_empty());
    let port = server.port;
    for r in &reqs {
        assert_eq!(r[0], format!("GET http://127.0.0.1:{port}/ok.wav HTTP/1.1"));
        assert_eq!(
            request_header(r, "Host"),
            Some(format!("127.0.0.1:{port}").as_str())
        );
    }
    // The origin got the requests, without the proxy's credentials.
    assert!(log
        .lock()
        .unwrap()
        .iter()
        .all(|r| request_header(r, "Proxy-Authorization").is_none()));
    assert!(proxy.relayed.load(Ordering::SeqCst) >= bytes.len() as u64);

    // curl sends the same request line through the same proxy.
    let before = proxy.requests().len();
    let ok = Command::new("curl")
        .args(["-sS", "--max-time", "10", "-o", "/dev/null", "-x"])
        .arg(proxy.url("pu:s3cret@"))
        .arg(server.url("ok.wav"))
        .status()
        .expect("curl runs");
    assert!(ok.success());
    let curl = &proxy.requests()[before];
    assert_eq!(curl[0], reqs[0][0]);
    assert_eq!(
        request_header(curl, "Proxy-Authorization"),
        request_header(&reqs[0], "Proxy-Authorization")
    );

    // Wrong credentials: 407 is the proxy's status (RFC 9110 section 15.5.8).
    let o = opts(&[("proxy", &proxy.url("pu:wrong@"))]);
    let e = StreamReader::new(&server.url("ok.wav"), None, Some(&o)).unwrap_err();
    assert!(
        matches!(&e, Error::Network(n) if n.kind == NetworkErrorKind::ProxyStatus(407)),
        "{e:?}"
    );
    assert_eq!(e.http_status(), Some(407), "{e}");
}

#[test]
fn an_international_host_is_sent_in_punycode_as_curl_sends_it() {
    let bytes = Arc::new(std::fs::read(fixture(WAV)).unwrap());
    let proxy = TestProxy::start(None, bytes);
    let url = "http://Bücher.example/ä.wav";
    let o = opts(&[("proxy", &proxy.url(""))]);
    let chunks = read_all(url, Some(&o));
    let disk = read_all(fixture(WAV).to_str().unwrap(), None);
    assert_same_chunks("idna", &disk, &chunks);
    let ours = proxy.requests()[0].clone();
    assert_eq!(
        ours[0],
        "GET http://xn--bcher-kva.example/%C3%A4.wav HTTP/1.1"
    );
    assert_eq!(request_header(&ours, "Host"), Some("xn--bcher-kva.example"));
    let ok = Command::new("curl")
        .args(["-sS", "--max-time", "10", "-o", "/dev/null", "-x"])
        .arg(proxy.url(""))
        .arg(url)
        .status()
        .expect("curl runs");
    assert!(ok.success());
    // The same host; curl 7.88 sends the path's UTF-8 raw where we escape it (RFC 3986
    // section 2.1 allows only ASCII in a URI), so only the authority is compared.
    let curl = proxy.requests()[1].clone();
    let authority = |line: &str| line.split('/').take(3).collect::<Vec<_>>().join("/");
    assert_eq!(authority(&curl[0]), "GET http://xn--bcher-kva.example");
    assert_eq!(authority(&curl[0]), authority(&ours[0]));
    assert_eq!(request_header(&curl, "Host"), request_header(&ours, "Host"));
}

#[test]
fn https_goes_through_a_connect_tunnel() {
    let dir = TempDir::new("proxyroot");
    std::fs::copy(fixture(WAV), dir.path(WAV)).unwrap();
    let nginx = Nginx::start(&dir.0, true);
    let cert = nginx.cert.clone().unwrap();
    let proxy = TestProxy::start(Some(basic("pu", "s3cret")), Arc::default());
    let o = opts(&[
        ("proxy", &proxy.url("pu:s3cret@")),
        ("ca_file", cert.to_str().unwrap()),
    ]);
    let chunks = read_all(&nginx.https_url(WAV), Some(&o));
    let disk = read_all(fixture(WAV).to_str().unwrap(), None);
    assert_same_chunks("https through CONNECT", &disk, &chunks);
    let tls_port = nginx.tls_port.unwrap();
    let reqs = proxy.requests();
    assert!(!reqs.is_empty());
    for r in &reqs {
        assert_eq!(r[0], format!("CONNECT 127.0.0.1:{tls_port} HTTP/1.1"));
        assert_eq!(
            request_header(r, "Host"),
            Some(format!("127.0.0.1:{tls_port}").as_str())
        );
        assert_eq!(
            request_header(r, "Proxy-Authorization"),
            Some(basic("pu", "s3cret").as_str())
        );
    }
    // The bytes came through the tunnel (TLS records: more than the file).
    let size = std::fs::metadata(fixture(WAV)).unwrap().len();
    assert!(proxy.relayed.load(Ordering::SeqCst) > size);

    // A proxy refusing the tunnel: ProxyStatus(407), credentials masked everywhere.
    let o = opts(&[
        ("proxy", &proxy.url("pu:wr0ng-s3cret@")),
        ("ca_file", cert.to_str().unwrap()),
    ]);
    let e = StreamReader::new(&nginx.https_url(WAV), None, Some(&o)).unwrap_err();
    assert!(
        matches!(&e, Error::Network(n) if n.kind == NetworkErrorKind::ProxyStatus(407)),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains("pu:***@127.0.0.1") && msg.contains("407"),
        "{msg}"
    );
    assert!(
        !msg.contains("s3cret") && !format!("{e:?}").contains("s3cret"),
        "{e:?}"
    );
}

#[test]
fn no_proxy_and_none_bypass_the_proxy_and_a_dead_proxy_is_named_masked() {
    let log: Log = Arc::default();
    let server = origin("/ok.wav", log.clone());
    let proxy = TestProxy::start(None, Arc::default());
    let disk = read_all(fixture(WAV).to_str().unwrap(), None);
    for o in [
        opts(&[
            ("proxy", &proxy.url("")),
            ("no_proxy", "example.org, 127.0.0.1"),
        ]),
        opts(&[("proxy", &proxy.url("")), ("no_proxy", "*")]),
        opts(&[("proxy", &proxy.url("")), ("no_proxy", "127.0.0.0/8")]),
        opts(&[("proxy", "none")]),
    ] {
        let chunks = read_all(&server.url("ok.wav"), Some(&o));
        assert_same_chunks(&format!("{o:?}"), &disk, &chunks);
    }
    assert_eq!(proxy.server.connections(), 0, "{:?}", proxy.requests());
    // A no_proxy list that does not match goes through the proxy.
    let o = opts(&[
        ("proxy", &proxy.url("")),
        ("no_proxy", "127.0.0.10,example.org"),
    ]);
    read_all(&server.url("ok.wav"), Some(&o));
    assert!(proxy.server.connections() >= 1);

    // A proxy nobody listens on: kind Connect, naming the proxy without its password.
    let dead = format!("http://pu:s3cret@127.0.0.1:{}", free_port());
    let e = StreamReader::new(
        &server.url("ok.wav"),
        None,
        Some(&opts(&[("proxy", &dead)])),
    )
    .unwrap_err();
    assert!(
        matches!(&e, Error::Network(n) if n.kind == NetworkErrorKind::Connect),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(msg.contains("the proxy http://pu:***@127.0.0.1:"), "{msg}");
    assert!(!format!("{e:?}").contains("s3cret"), "{e:?}");
    // Bad proxy settings are argument errors or unsupported, named.
    let e = StreamReader::new(
        &server.url("ok.wav"),
        None,
        Some(&opts(&[("proxy", "socks5://h:1")])),
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::Unsupported(_)) && e.to_string().contains("socks5"),
        "{e}"
    );
}
