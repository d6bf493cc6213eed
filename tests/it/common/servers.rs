//! Real servers on loopback for the network tests: nginx (range requests, TLS), Icecast 2,
//! and small scripted servers for faults. Each listens on 127.0.0.1 only, on a free port,
//! with its configuration and logs in a temp dir, and is stopped when dropped. Every loop here
//! is bounded in count and time.

use super::signals::TempDir;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Waits (at most `limit`) until something accepts connections on 127.0.0.1:`port`.
fn wait_for_port(port: u16, limit: Duration, child: &mut Child, what: &str, log: &Path) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
            .is_ok()
        {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited ({status}) before listening on port {port}; log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!(
        "{what} did not listen on port {port} within {limit:?}; log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("openssl runs (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA and a server certificate it signed for 127.0.0.1 and localhost, made with the
/// openssl CLI: (CA certificate, server certificate, server key), PEM files in `dir`.
pub fn test_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec![
        "req",
        "-x509",
        "-days",
        "2",
        "-subj",
        "/CN=audiostream test CA",
    ];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
    openssl(&ca, dir);
    let mut csr = vec!["req", "-subj", "/CN=localhost"];
    csr.extend(ec);
    csr.extend(["-keyout", "server.key", "-out", "server.csr"]);
    openssl(&csr, dir);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
        dir,
    );
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

/// nginx serving a directory on 127.0.0.1 (HTTP, and HTTPS with a self-signed certificate
/// when asked), with a few fixed routes:
/// - `/loop`: a redirect to itself (a redirect loop);
/// - `/hop/N/<path>`: N redirects, then `/<path>`;
/// - `/noext`: the file `noext.mp3` of the root as `audio/mpeg`, without an extension in the
///   URL.
pub struct Nginx {
    pub port: u16,
    pub tls_port: Option<u16>,
    /// The CA that signed the HTTPS server's certificate (trust it with the `ca_file` option).
    pub cert: Option<PathBuf>,
    child: Child,
    dir: TempDir,
}

impl Nginx {
    pub fn start(root: &Path, tls: bool) -> Nginx {
        let dir = TempDir::new("nginx");
        let d = dir.0.display().to_string();
        let port = free_port();
        let (tls_port, cert, tls_server) = if tls {
            let (ca, cert, key) = test_certificates(&dir.0);
            let p = free_port();
            let server = format!(
                "server {{ listen 127.0.0.1:{p} ssl; ssl_certificate {}; ssl_certificate_key {}; root {}; }}",
                cert.display(),
                key.display(),
                root.display()
            );
            (Some(p), Some(ca), server)
        } else {
            (None, None, String::new())
        };
        let user = if is_root() { "user root;" } else { "" };
        let conf = format!(
            r#"daemon off;
master_process off;
{user}
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    types {{
        audio/mpeg mp3; audio/flac flac; audio/ogg ogg; audio/wav wav; audio/mp4 m4a;
        application/octet-stream bin;
    }}
    default_type application/octet-stream;
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location = /loop {{ return 302 /loop; }}
        location ~ ^/hop/(\d+)/(.*)$ {{
            set $n $1; set $rest $2;
            if ($n = 0) {{ return 302 /$rest; }}
            if ($n = 1) {{ return 302 /hop/0/$rest; }}
            if ($n = 2) {{ return 302 /hop/1/$rest; }}
            if ($n = 3) {{ return 302 /hop/2/$rest; }}
            return 302 /hop/3/$rest;
        }}
        location = /noext {{ default_type audio/mpeg; types {{ }} alias {root}/noext.mp3; }}
    }}
    {tls_server}
}}
"#,
            root = root.display()
        );
        let conf_path = dir.path("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write nginx.conf");
        let log = dir.path("error.log");
        let mut child = Command::new("/usr/sbin/nginx")
            .arg("-p")
            .arg(&dir.0)
            .arg("-c")
            .arg(&conf_path)
            .arg("-e")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx runs (apt-get install nginx-light)");
        wait_for_port(port, Duration::from_secs(10), &mut child, "nginx", &log);
        if let Some(p) = tls_port {
            wait_for_port(p, Duration::from_secs(10), &mut child, "nginx (TLS)", &log);
        }
        Nginx {
            port,
            tls_port,
            cert,
            child,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    pub fn https_url(&self, path: &str) -> String {
        format!(
            "https://127.0.0.1:{}/{}",
            self.tls_port.expect("started with TLS"),
            path.trim_start_matches('/')
        )
    }

    /// Requests in the access log (one line each).
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path("access.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Icecast 2 on 127.0.0.1 (source password `hackme`, admin `admin`/`adminpw`). As root it
/// drops to the `icecast2` user (Debian's package creates it), so its log dir is world-writable.
pub struct Icecast {
    pub port: u16,
    child: Child,
    dir: TempDir,
}

pub const ICECAST_SOURCE_PASSWORD: &str = "hackme";
pub const ICECAST_ADMIN: (&str, &str) = ("admin", "adminpw");

impl Icecast {
    pub fn start() -> Icecast {
        let dir = TempDir::new("icecast");
        let logdir = dir.path("log");
        std::fs::create_dir_all(&logdir).expect("log dir");
        let open_perms = |p: &Path| {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o777));
        };
        open_perms(&dir.0);
        open_perms(&logdir);
        let port = free_port();
        let changeowner = if is_root() {
            "<changeowner><user>icecast2</user><group>icecast</group></changeowner>"
        } else {
            ""
        };
        let conf = format!(
            r#"<icecast>
  <location>loopback test</location>
  <admin>test@localhost</admin>
  <hostname>127.0.0.1</hostname>
  <limits>
    <clients>50</clients>
    <sources>10</sources>
    <queue-size>524288</queue-size>
    <client-timeout>30</client-timeout>
    <header-timeout>10</header-timeout>
    <source-timeout>5</source-timeout>
    <burst-on-connect>1</burst-on-connect>
    <burst-size>65535</burst-size>
  </limits>
  <authentication>
    <source-password>{ICECAST_SOURCE_PASSWORD}</source-password>
    <relay-password>{ICECAST_SOURCE_PASSWORD}</relay-password>
    <admin-user>{}</admin-user>
    <admin-password>{}</admin-password>
  </authentication>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>0</fileserve>
  <paths>
    <basedir>{d}</basedir>
    <logdir>{log}</logdir>
    <webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot>
  </paths>
  <logging>
    <accesslog>access.log</accesslog>
    <errorlog>error.log</errorlog>
    <loglevel>3</loglevel>
  </logging>
  <security><chroot>0</chroot>{changeowner}</security>
</icecast>
"#,
            ICECAST_ADMIN.0,
            ICECAST_ADMIN.1,
            d = dir.0.display(),
            log = logdir.display(),
        );
        let conf_path = dir.path("icecast.xml");
        std::fs::write(&conf_path, conf).expect("write icecast.xml");
        let mut child = Command::new("icecast2")
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("icecast2 runs (apt-get install icecast2)");
        let log = logdir.join("error.log");
        wait_for_port(port, Duration::from_secs(10), &mut child, "icecast2", &log);
        Icecast { port, child, dir }
    }

    pub fn source_url(&self, mount: &str) -> String {
        format!(
            "icecast://source:{ICECAST_SOURCE_PASSWORD}@127.0.0.1:{}/{}",
            self.port,
            mount.trim_start_matches('/')
        )
    }

    pub fn listen_url(&self, mount: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            mount.trim_start_matches('/')
        )
    }

    /// Sets the song title of a mount through the admin API; returns the HTTP status.
    pub fn set_title(&self, mount: &str, title: &str) -> u16 {
        let song: String = title
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let path = format!(
            "/admin/metadata?mount=/{}&mode=updinfo&song={song}",
            mount.trim_start_matches('/')
        );
        let (status, _) = http_get(self.port, &path, Some(ICECAST_ADMIN));
        status
    }

    /// Whether a mount has a source connected (from the admin's list of mounts).
    pub fn has_mount(&self, mount: &str) -> bool {
        let (_, body) = http_get(self.port, "/admin/listmounts", Some(ICECAST_ADMIN));
        body.contains(&format!("mount=\"/{}\"", mount.trim_start_matches('/')))
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path("log/error.log")).unwrap_or_default()
    }
}

impl Drop for Icecast {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.0 GET to 127.0.0.1:`port` with optional Basic auth: (status, body).
/// Bounded by a 5 s timeout.
pub fn http_get(port: u16, path: &str, auth: Option<(&str, &str)>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n");
    if let Some((u, p)) = auth {
        req.push_str(&format!(
            "Authorization: Basic {}\r\n",
            base64(&format!("{u}:{p}"))
        ));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn base64(s: &str) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in s.as_bytes().chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A scripted TCP server on 127.0.0.1: each accepted connection is handed to `handler` with
/// its index (0, 1, ...) on its own thread. Accepts at most `max_conns` connections, for at
/// most `lifetime`; stops accepting when dropped.
pub struct ScriptServer {
    pub port: u16,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptServer {
    pub fn start<F>(max_conns: usize, lifetime: Duration, handler: F) -> ScriptServer
    where
        F: Fn(usize, TcpStream) + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let handler = Arc::new(handler);
        let (stop2, accepted2) = (stop.clone(), accepted.clone());
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let mut workers = Vec::new();
            while !stop2.load(Ordering::SeqCst)
                && start.elapsed() < lifetime
                && accepted2.load(Ordering::SeqCst) < max_conns
            {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let _ = conn.set_nonblocking(false);
                        let _ = conn.set_write_timeout(Some(Duration::from_secs(10)));
                        let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
                        let i = accepted2.fetch_add(1, Ordering::SeqCst);
                        let h = handler.clone();
                        workers.push(std::thread::spawn(move || h(i, conn)));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            drop(listener);
            for w in workers {
                let _ = w.join();
            }
        });
        ScriptServer {
            port,
            stop,
            accepted,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Handlers end on their own (bounded sleeps and writes with timeouts).
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads a request head from `conn` (up to the blank line; at most 16 KiB, 5 s): the request
/// line and the header lines.
pub fn read_request(conn: &mut TcpStream) -> Vec<String> {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while head.len() < 16 * 1024 && !head.ends_with(b"\r\n\r\n") {
        match conn.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head)
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The value of header `name` (case-insensitive) in a request read by [`read_request`].
pub fn request_header<'a>(lines: &'a [String], name: &str) -> Option<&'a str> {
    lines.iter().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}
