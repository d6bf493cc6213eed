//! Network faults, each against a small server written for the test on 127.0.0.1: stalls
//! (timeouts), drops (clean end, reconnect by range and of a live stream), HTTP errors,
//! redirect loops, a refused port, bytes that are not audio or not HTTP, ICY metadata,
//! chunked bodies, request headers, bad options. No panics anywhere: every failure is typed.

use crate::common;

use audiostream::{Chunk, Error, NetworkErrorKind, Options, StreamReader};
use common::servers::{free_port, read_request, request_header, ScriptServer};
use common::signals::TempDir;
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LIFE: Duration = Duration::from_secs(30);

/// A 10 s stereo MP3 (lame 128 kbit/s CBR of a sweep with noise) and its bytes.
fn long_mp3(dir: &TempDir) -> (std::path::PathBuf, Arc<Vec<u8>>) {
    let wav = dir.path("long.wav");
    let mp3 = dir.path("long.mp3");
    let ok = Command::new("sox")
        .args(["-R", "-n", "-r", "44100", "-c", "2", "-b", "16"])
        .arg(&wav)
        .args(["synth", "10", "sine", "100-4000", "pinknoise", "vol", "0.4"])
        .status()
        .expect("sox runs");
    assert!(ok.success());
    let ok = Command::new("lame")
        .args(["--quiet", "-b", "128"])
        .arg(&wav)
        .arg(&mp3)
        .status()
        .expect("lame runs");
    assert!(ok.success());
    let bytes = std::fs::read(&mp3).unwrap();
    (mp3, Arc::new(bytes))
}

/// Byte offsets of the MP3's audio packets, from ffprobe (the oracle for frame boundaries).
fn packet_offsets(path: &Path) -> Vec<usize> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "a",
            "-show_entries",
            "packet=pos",
        ])
        .args(["-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').parse().ok())
        .collect()
}

fn read_all(mut r: StreamReader) -> Vec<Chunk> {
    r.add_basic_audio_stream(1000, usize::MAX).unwrap();
    r.process_all_packets().unwrap();
    let mut chunks = Vec::new();
    while let Some(c) = r.pop_chunks().remove(0) {
        chunks.push(c);
    }
    chunks
}

fn from_disk(path: &Path) -> Vec<Vec<f32>> {
    common::ours::decode(path, None)
}

fn opts(pairs: &[(&str, &str)]) -> Options {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Writes `bytes` in pieces of `piece` bytes, `pause` apart (a paced live source).
fn send_paced(conn: &mut TcpStream, bytes: &[u8], piece: usize, pause: Duration) {
    for p in bytes.chunks(piece) {
        if conn.write_all(p).is_err() {
            return;
        }
        std::thread::sleep(pause);
    }
}

#[test]
fn headers_then_silence_is_a_timeout_when_opening() {
    let server = ScriptServer::start(4, LIFE, |_, mut c| {
        read_request(&mut c);
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n");
        std::thread::sleep(Duration::from_secs(2));
    });
    for asked in [0.3, 0.6] {
        let start = Instant::now();
        let e = StreamReader::new(
            &server.url("live.mp3"),
            None,
            Some(&opts(&[("timeout", &asked.to_string())])),
        )
        .unwrap_err();
        let took = start.elapsed().as_secs_f64();
        assert!(matches!(e, Error::Timeout(_)), "{e:?}");
        assert!(
            took >= asked && took < asked + 0.1,
            "asked {asked} s, took {took:.3} s"
        );
    }
    // A server that accepts and never answers at all.
    let mute = ScriptServer::start(1, LIFE, |_, _c| std::thread::sleep(Duration::from_secs(2)));
    let start = Instant::now();
    let e =
        StreamReader::new(&mute.url("x"), None, Some(&opts(&[("timeout", "0.4")]))).unwrap_err();
    let took = start.elapsed().as_secs_f64();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    assert!((0.4..0.5).contains(&took), "took {took:.3} s");
}

#[test]
fn a_stall_mid_stream_is_a_timeout_between_packets_and_reading_resumes_exactly() {
    let dir = TempDir::new("net-stall");
    let (path, bytes) = long_mp3(&dir);
    let b = bytes.clone();
    let server = ScriptServer::start(1, LIFE, move |_, mut c| {
        read_request(&mut c);
        let _ = c.write_all(
            b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\nicy-name: Stall FM\r\n\r\n",
        );
        let cut = b.len() * 2 / 5;
        let _ = c.write_all(&b[..cut]);
        std::thread::sleep(Duration::from_millis(1300));
        let _ = c.write_all(&b[cut..]);
    });
    let mut r = StreamReader::new(
        &server.url("stream"),
        None,
        Some(&opts(&[("timeout", "5")])),
    )
    .unwrap();
    assert_eq!(
        r.get_metadata().tags.get("icy-name").map(String::as_str),
        Some("Stall FM")
    );
    r.add_basic_audio_stream(1000, usize::MAX).unwrap();
    let asked = Duration::from_millis(300);
    let mut timeouts = Vec::new();
    let mut chunks = Vec::new();
    let start = Instant::now();
    loop {
        assert!(start.elapsed() < Duration::from_secs(20), "bounded");
        let t0 = Instant::now();
        match r.process_packet_with(Some(asked), Duration::from_millis(5)) {
            Ok(0) => break,
            Ok(_) => {}
            Err(Error::Timeout(d)) => {
                assert_eq!(d, asked);
                timeouts.push(t0.elapsed());
            }
            Err(e) => panic!("{e}"),
        }
        while let Some(c) = r.pop_chunks().remove(0) {
            chunks.push(c);
        }
    }
    while let Some(c) = r.pop_chunks().remove(0) {
        chunks.push(c);
    }
    // 1.3 s of silence from the server (less the time decoding what came before it) with
    // 0.3 s timeouts: 2 to 4 of them, each within +100 ms of the asked time.
    assert!((2..=4).contains(&timeouts.len()), "{timeouts:?}");
    for t in &timeouts {
        assert!(
            *t >= asked && *t < asked + Duration::from_millis(100),
            "{timeouts:?}"
        );
    }
    // No packet was cut by a timeout: the audio equals the file's.
    let got = common::ours::concat(&chunks);
    let disk = from_disk(&path);
    assert_eq!(got, disk);
}

#[test]
fn a_server_closing_mid_stream_is_a_clean_end_without_reconnect() {
    let dir = TempDir::new("net-close");
    let (path, bytes) = long_mp3(&dir);
    let disk = from_disk(&path);
    for with_length in [true, false] {
        let b = bytes.clone();
        let server = ScriptServer::start(1, LIFE, move |_, mut c| {
            read_request(&mut c);
            let len = if with_length {
                format!("Content-Length: {}\r\n", b.len())
            } else {
                String::new()
            };
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\n{len}\r\n");
            let _ = c.write_all(head.as_bytes());
            let _ = c.write_all(&b[..b.len() / 2]);
        });
        let r = StreamReader::new(&server.url("a.mp3"), None, None).unwrap();
        let got = common::ours::concat(&read_all(r));
        // About half the audio, and exactly the file's start.
        let n = got[0].len();
        assert!(
            n > disk[0].len() * 2 / 5 && n < disk[0].len() * 3 / 5,
            "{n} of {}",
            disk[0].len()
        );
        for ch in 0..2 {
            assert_eq!(got[ch][..], disk[ch][..n], "channel {ch}");
        }
    }
}

#[test]
fn reconnect_to_a_server_without_ranges_skips_what_was_read() {
    let dir = TempDir::new("net-noranges-reconnect");
    let (path, bytes) = long_mp3(&dir);
    let b = bytes.clone();
    let server = ScriptServer::start(2, LIFE, move |i, mut c| {
        let req = read_request(&mut c);
        assert_eq!(
            request_header(&req, "range"),
            if i == 0 { Some("bytes=0-") } else { None }
        );
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: {}\r\n\r\n",
            b.len()
        );
        let _ = c.write_all(head.as_bytes());
        // The first connection drops after 60%; the second sends it all again.
        let end = if i == 0 { b.len() * 3 / 5 } else { b.len() };
        let _ = c.write_all(&b[..end]);
    });
    let mut r = StreamReader::new(
        &server.url("a.mp3"),
        None,
        Some(&opts(&[("reconnect", "1")])),
    )
    .unwrap();
    r.add_basic_audio_stream(1000, usize::MAX).unwrap();
    r.process_all_packets().unwrap();
    assert_eq!(r.stats().reconnects, 1);
    let mut chunks = Vec::new();
    while let Some(c) = r.pop_chunks().remove(0) {
        chunks.push(c);
    }
    assert_eq!(common::ours::concat(&chunks), from_disk(&path));
}

/// A server with range requests that drops the first connection after `cut` bytes.
fn dropping_range_server(
    bytes: Arc<Vec<u8>>,
    cut: usize,
    seen: Arc<Mutex<Vec<String>>>,
) -> ScriptServer {
    let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    ScriptServer::start(8, LIFE, move |i, mut c| {
        let req = read_request(&mut c);
        let range = request_header(&req, "range").unwrap_or("").to_string();
        seen.lock().unwrap().push(range.clone());
        let from: usize = range
            .strip_prefix("bytes=")
            .and_then(|r| r.trim_end_matches('-').parse().ok())
            .unwrap_or(0);
        let total = bytes.len();
        let head = format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Type: audio/mpeg\r\nAccept-Ranges: bytes\r\n\
             Content-Range: bytes {from}-{}/{total}\r\nContent-Length: {}\r\n\r\n",
            total - 1,
            total - from
        );
        let _ = c.write_all(head.as_bytes());
        // The first connection that gets to the cut stops there (whatever range it asked).
        let end = if from < cut && !dropped.swap(true, std::sync::atomic::Ordering::SeqCst) {
            cut
        } else {
            total
        };
        let _ = i;
        let _ = c.write_all(&bytes[from..end.max(from)]);
    })
}

#[test]
fn reconnect_resumes_a_range_capable_download_at_the_byte_reached() {
    let dir = TempDir::new("net-range-reconnect");
    let (path, bytes) = long_mp3(&dir);
    let disk = from_disk(&path);
    let cut = bytes.len() * 2 / 5 + 123;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = dropping_range_server(bytes.clone(), cut, seen.clone());
    // (Resuming by range is the default: no option needed.)
    let mut r = StreamReader::new(&server.url("a.mp3"), None, None).unwrap();
    r.add_basic_audio_stream(1000, usize::MAX).unwrap();
    r.process_all_packets().unwrap();
    assert_eq!(r.stats().reconnects, 1);
    let mut chunks = Vec::new();
    while let Some(c) = r.pop_chunks().remove(0) {
        chunks.push(c);
    }
    // Seamless: every sample of the file, once.
    assert_eq!(common::ours::concat(&chunks), disk);
    // One range request resumed at the byte where the connection dropped.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0], "bytes=0-");
    assert_eq!(
        seen.iter()
            .filter(|r| **r == format!("bytes={cut}-"))
            .count(),
        1,
        "{seen:?}"
    );

    // With `reconnect=false` the same drop is a clean, shorter end.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = dropping_range_server(bytes.clone(), cut, seen.clone());
    let no = opts(&[("reconnect", "false")]);
    let r = StreamReader::new(&server.url("a.mp3"), None, Some(&no)).unwrap();
    let got = common::ours::concat(&read_all(r));
    let n = got[0].len();
    assert!(n < disk[0].len() / 2 && n > disk[0].len() / 3, "{n}");
    assert_eq!(got[0][..], disk[0][..n]);
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.contains(&format!("bytes={cut}-")), "{seen:?}");
}

#[test]
fn reconnect_resumes_a_live_stream_after_a_gap_without_duplicates() {
    let dir = TempDir::new("net-live-reconnect");
    let (path, bytes) = long_mp3(&dir);
    let disk = from_disk(&path);
    let offsets = packet_offsets(&path);
    assert!(offsets.len() > 300, "{}", offsets.len());
    // The first connection stops in the middle of packet 120; the second starts at packet 160,
    // as a live server would after 40 frames (1.04 s) aired while we were away.
    let (cut_frame, resume_frame) = (120usize, 160usize);
    let cut = offsets[cut_frame] + 200;
    let resume = offsets[resume_frame];
    let b = bytes.clone();
    let server = ScriptServer::start(3, LIFE, move |i, mut c| {
        read_request(&mut c);
        // A third connection (the reconnect after the stream's real end) gets nothing.
        let part = match i {
            0 => &b[..cut],
            1 => &b[resume..],
            _ => return,
        };
        let head = "HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\nicy-name: Drop FM\r\n\r\n";
        let _ = c.write_all(head.as_bytes());
        send_paced(&mut c, part, 16 * 1024, Duration::from_millis(2));
    });
    let mut r = StreamReader::new(
        &server.url("live"),
        None,
        Some(&opts(&[("reconnect", "true"), ("reconnect_max", "3")])),
    )
    .unwrap();
    r.add_basic_audio_stream(1000, usize::MAX).unwrap();
    r.process_all_packets().unwrap();
    assert_eq!(r.stats().reconnects, 1);
    // After the live stream's end, the server refuses (it accepts 2 connections only
    // with audio): reconnects are bounded, and the end is clean.
    let mut chunks = Vec::new();
    while let Some(c) = r.pop_chunks().remove(0) {
        chunks.push(c);
    }
    let got = common::ours::concat(&chunks);
    let frame = 1152usize;
    // Before the drop: exactly the file's audio, up to (at least) two frames before the cut.
    let same_prefix = got[0]
        .iter()
        .zip(&disk[0])
        .take_while(|(a, b)| a == b)
        .count();
    assert!(
        same_prefix >= (cut_frame - 3) * frame,
        "identical for {same_prefix} samples, cut at frame {cut_frame}"
    );
    // After the drop: find where the audio continues in the file.
    let probe_at = same_prefix + 20 * frame;
    // (Decoding resumes bit-exactly a few frames after the splice: look for the one place
    // in the file where 512 samples match exactly.)
    let probe = &got[0][probe_at..probe_at + 512];
    let places: Vec<usize> = (0..disk[0].len() - probe.len())
        .filter(|&p| disk[0][p..p + probe.len()] == *probe)
        .collect();
    assert_eq!(places.len(), 1, "{places:?}");
    let offset = places[0] as isize - probe_at as isize; // disk index = got index + offset
    let gap_frames = offset as f64 / frame as f64;
    eprintln!("identical to the file for {same_prefix} samples, then resumes {gap_frames:.2} frames later");
    // The gap is the 40 frames not sent, give or take the frame cut in two and what the
    // demuxer makes of the splice (a damaged frame, a resync) before it finds the next frame.
    assert!(
        (37.0..=44.0).contains(&gap_frames),
        "the audio resumes {gap_frames:.2} frames later"
    );
    // From a few frames after the splice to the end, exactly the file's audio.
    let from = same_prefix + 4 * frame;
    let to = got[0].len().min((disk[0].len() as isize - offset) as usize) - 2 * frame;
    for i in from..to {
        assert_eq!(
            got[0][i],
            disk[0][(i as isize + offset) as usize],
            "sample {i}"
        );
    }
    // Nothing duplicated, nothing else lost: the total is the file less the gap.
    let expected = disk[0].len() as isize - offset;
    assert!(
        (got[0].len() as isize - expected).abs() <= 2 * frame as isize,
        "{} samples, expected {expected}",
        got[0].len()
    );
    // At most 2 audio connections + the bounded refused attempts.
    assert!(server.connections() <= 3);
}

#[test]
fn http_errors_refused_ports_and_redirect_loops_are_network_errors() {
    let server = ScriptServer::start(40, LIFE, |i, mut c| {
        let req = read_request(&mut c);
        let path = req
            .first()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or("")
            .to_string();
        let resp = match path.as_str() {
            "/404" => "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found".to_string(),
            "/500" => "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!".into(),
            "/loop" => "HTTP/1.1 302 Found\r\nLocation: /loop2\r\nContent-Length: 0\r\n\r\n".into(),
            "/loop2" => "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:PORT/loop\r\n\r\n".into(),
            "/noloc" => "HTTP/1.1 302 Found\r\n\r\n".into(),
            "/nothttp" => format!("SSH-2.0-OpenSSH_9 {i}\r\n\r\n"),
            _ => "HTTP/1.1 400 Bad Request\r\n\r\n".into(),
        };
        let port = c.local_addr().map(|a| a.port()).unwrap_or(0);
        let _ = c.write_all(resp.replace("PORT", &port.to_string()).as_bytes());
    });
    for (path, must) in [
        ("404", vec!["404", "Not Found", "/404"]),
        ("500", vec!["500", "oops!", "/500"]),
        ("loop", vec!["redirect", "/loop"]),
        ("noloc", vec!["302", "Location"]),
        ("nothttp", vec!["not an HTTP response"]),
    ] {
        let e = StreamReader::new(&server.url(path), None, None).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, Error::Network(_)), "{path}: {e:?}");
        for m in must {
            assert!(msg.contains(m), "{path}: {msg:?} lacks {m:?}");
        }
    }
    // The loop stopped after 11 requests: 5 others + 11.
    assert_eq!(server.connections(), 15);

    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/x.mp3");
    let e = StreamReader::new(&url, None, None).unwrap_err();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
    // https:// to a plain HTTP server: a TLS failure, typed.
    let e =
        StreamReader::new(&server.url("404").replace("http:", "https:"), None, None).unwrap_err();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
}

#[test]
fn bytes_that_are_not_audio_are_decode_or_unsupported_errors() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let garbage: Arc<Vec<u8>> = Arc::new((0..64 * 1024).map(|_| rng.random()).collect());
    for content_type in [
        "audio/mpeg",
        "application/octet-stream",
        "audio/ogg",
        "text/html",
    ] {
        let g = garbage.clone();
        let server = ScriptServer::start(2, LIFE, move |_, mut c| {
            read_request(&mut c);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
                g.len()
            );
            let _ = c.write_all(head.as_bytes());
            let _ = c.write_all(&g);
        });
        match StreamReader::new(&server.url("stream"), None, None) {
            Err(e) => assert!(
                matches!(e, Error::Decode(_) | Error::Unsupported(_)),
                "{content_type}: {e:?}"
            ),
            Ok(mut r) => {
                r.add_basic_audio_stream(1024, 4).unwrap();
                let e = r.process_all_packets().unwrap_err();
                assert!(matches!(e, Error::Decode(_)), "{content_type}: {e:?}");
            }
        }
    }
}

#[test]
fn a_server_without_ranges_is_forward_only_and_says_why() {
    let dir = TempDir::new("net-noseek");
    let (_, bytes) = long_mp3(&dir);
    for live in [false, true] {
        let b = bytes.clone();
        let server = ScriptServer::start(2, LIFE, move |_, mut c| {
            read_request(&mut c);
            let head = if live {
                "HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n".to_string()
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: {}\r\n\r\n",
                    b.len()
                )
            };
            let _ = c.write_all(head.as_bytes());
            let _ = c.write_all(&b);
        });
        let mut r = StreamReader::new(&server.url("a.mp3"), None, None).unwrap();
        r.add_basic_audio_stream(1024, 4).unwrap();
        r.seek(4.0).unwrap();
        r.fill_buffer().unwrap();
        assert_eq!(r.pop_chunks()[0].as_ref().unwrap().pts, 4.0);
        let e = r.seek(1.0).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, Error::Unsupported(_)), "{e:?}");
        assert!(msg.contains("range requests"), "{msg}");
        if live {
            assert!(msg.contains("live stream"), "{msg}");
        }
    }
}

#[test]
fn icy_metadata_is_cut_from_the_audio_and_titles_update_the_tags() {
    let dir = TempDir::new("net-icy");
    let (path, bytes) = long_mp3(&dir);
    let metaint = 16000usize;
    let b = bytes.clone();
    let asked = Arc::new(Mutex::new(String::new()));
    let asked2 = asked.clone();
    let server = ScriptServer::start(1, LIFE, move |_, mut c| {
        let req = read_request(&mut c);
        *asked2.lock().unwrap() = request_header(&req, "icy-metadata")
            .unwrap_or("")
            .to_string();
        let head = format!(
            "ICY 200 OK\r\nicy-name: Test Radio\r\nicy-genre: Noise\r\nicy-br: 128\r\n\
             icy-metaint: {metaint}\r\nContent-Type: audio/mpeg\r\n\r\n"
        );
        let mut out = head.into_bytes();
        for (i, block) in b.chunks(metaint).enumerate() {
            out.extend_from_slice(block);
            if block.len() < metaint {
                break;
            }
            // A new title every 3 blocks (about 3 s), otherwise "no change".
            if i % 3 == 0 {
                let text = format!("StreamTitle='Song {}';StreamUrl='';", i / 3 + 1);
                let n = text.len().div_ceil(16);
                out.push(n as u8);
                let mut t = text.into_bytes();
                t.resize(n * 16, 0);
                out.extend_from_slice(&t);
            } else {
                out.push(0);
            }
        }
        send_paced(&mut c, &out, 4096, Duration::from_millis(1));
    });
    let mut r = StreamReader::new(&server.url("radio"), None, None).unwrap();
    let m = r.get_metadata();
    assert_eq!(
        m.tags.get("icy-name").map(String::as_str),
        Some("Test Radio")
    );
    assert_eq!(m.tags.get("icy-genre").map(String::as_str), Some("Noise"));
    r.add_basic_audio_stream(1000, usize::MAX).unwrap();
    let mut titles: Vec<String> = Vec::new();
    let mut chunks = Vec::new();
    loop {
        let n = r
            .process_packet_with(Some(Duration::from_secs(5)), Duration::from_millis(1))
            .unwrap();
        if let Some(t) = r.get_metadata().tags.get("title") {
            if titles.last() != Some(t) {
                titles.push(t.clone());
            }
        }
        while let Some(c) = r.pop_chunks().remove(0) {
            chunks.push(c);
        }
        if n == 0 {
            break;
        }
    }
    assert_eq!(*asked.lock().unwrap(), "1");
    let blocks = bytes.len() / metaint;
    let expected: Vec<String> = (0..blocks)
        .step_by(3)
        .map(|i| format!("Song {}", i / 3 + 1))
        .collect();
    assert_eq!(titles, expected);
    // The metadata blocks are gone from the audio: it is the file's, sample for sample.
    assert_eq!(common::ours::concat(&chunks), from_disk(&path));

    // icy=false: no metadata asked for.
    let asked3 = Arc::new(Mutex::new(None));
    let a3 = asked3.clone();
    let b = bytes.clone();
    let server = ScriptServer::start(1, LIFE, move |_, mut c| {
        let req = read_request(&mut c);
        *a3.lock().unwrap() = Some(request_header(&req, "icy-metadata").map(str::to_string));
        let _ = c.write_all(b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n");
        let _ = c.write_all(&b);
    });
    let r =
        StreamReader::new(&server.url("radio"), None, Some(&opts(&[("icy", "false")]))).unwrap();
    drop(r);
    assert_eq!(*asked3.lock().unwrap(), Some(None));
}

#[test]
fn request_headers_chunked_bodies_and_options() {
    let dir = TempDir::new("net-headers");
    let (path, bytes) = long_mp3(&dir);
    let b = bytes.clone();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let server = ScriptServer::start(1, LIFE, move |_, mut c| {
        let req = read_request(&mut c);
        *seen2.lock().unwrap() = req;
        let _ = c.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        for part in b.chunks(7777) {
            let _ = write!(c, "{:x}\r\n", part.len());
            let _ = c.write_all(part);
            let _ = c.write_all(b"\r\n");
        }
        let _ = c.write_all(b"0\r\n\r\n");
    });
    let o = opts(&[
        ("user_agent", "TestAgent/2.0"),
        ("headers", "X-One: 1\r\nX-Two: two words"),
        ("header.Authorization", "Bearer abc"),
    ]);
    let r = StreamReader::new(&server.url("chunked.mp3?x=1"), None, Some(&o)).unwrap();
    let got = common::ours::concat(&read_all(r));
    assert_eq!(got, from_disk(&path));
    let req = seen.lock().unwrap().clone();
    assert_eq!(req[0], "GET /chunked.mp3?x=1 HTTP/1.1");
    assert_eq!(request_header(&req, "user-agent"), Some("TestAgent/2.0"));
    assert_eq!(request_header(&req, "x-one"), Some("1"));
    assert_eq!(request_header(&req, "x-two"), Some("two words"));
    assert_eq!(request_header(&req, "authorization"), Some("Bearer abc"));
    assert_eq!(request_header(&req, "icy-metadata"), Some("1"));

    // Option errors name the key and list what is allowed; nothing is sent.
    for (k, v) in [
        ("bogus", "1"),
        ("timeout", "0"),
        ("reconnect", "perhaps"),
        ("headers", "Bad\r\nInjection"),
        ("reconnect_max", "-1"),
    ] {
        let e = StreamReader::new("http://127.0.0.1:9/x.mp3", None, Some(&opts(&[(k, v)])))
            .unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{k}: {e:?}");
        assert!(
            e.to_string().contains(k) || e.to_string().contains(v),
            "{e}"
        );
    }
    let e = StreamReader::new(
        "http://127.0.0.1:9/x.mp3",
        None,
        Some(&opts(&[("bogus", "1")])),
    )
    .unwrap_err()
    .to_string();
    for allowed in [
        "timeout",
        "user_agent",
        "headers",
        "reconnect",
        "reconnect_max",
        "icy",
    ] {
        assert!(e.contains(allowed), "{e}");
    }
    for bad in [
        "http://",
        "http://:80/x",
        "http://h:0/x",
        "http://h:70000/x",
    ] {
        let e = StreamReader::new(bad, None, None).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{bad}: {e:?}");
    }
}

/// Reads packets until the reader fails (or the stream ends: `Ok` with the chunks); the
/// chunks decoded before a failure are collected too.
fn read_until_error(mut r: StreamReader) -> (Vec<Chunk>, Result<(), Error>) {
    r.add_basic_audio_stream(1000, usize::MAX).unwrap();
    let mut chunks = Vec::new();
    let start = Instant::now();
    let result = loop {
        assert!(start.elapsed() < Duration::from_secs(20), "bounded");
        match r.process_packet() {
            Ok(0) => break Ok(()),
            Ok(_) => {}
            Err(e) => break Err(e),
        }
        while let Some(c) = r.pop_chunks().remove(0) {
            chunks.push(c);
        }
    };
    while let Some(c) = r.pop_chunks().remove(0) {
        chunks.push(c);
    }
    (chunks, result)
}

/// The audio before a failure is the file's start, and there is some of it.
fn assert_file_start(chunks: &[Chunk], disk: &[Vec<f32>]) {
    let got = common::ours::concat(chunks);
    let n = got.first().map_or(0, Vec::len);
    assert!(n > disk[0].len() / 10, "{n} samples before the failure");
    for ch in 0..2 {
        assert_eq!(got[ch][..], disk[ch][..n], "channel {ch}");
    }
}

#[test]
fn a_connection_reset_mid_body_is_a_network_error_naming_the_masked_url() {
    let dir = TempDir::new("net-reset");
    let (path, bytes) = long_mp3(&dir);
    let disk = from_disk(&path);
    let b = bytes.clone();
    let server = ScriptServer::start(1, LIFE, move |_, mut c| {
        // Only the request's first byte is read: closing a socket with unread bytes makes the
        // kernel send a reset (RST) instead of a clean close (RFC 2525, 2.17).
        let mut first = [0u8; 1];
        let _ = std::io::Read::read_exact(&mut c, &mut first);
        std::thread::sleep(Duration::from_millis(50));
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: {}\r\n\r\n",
            b.len()
        );
        let _ = c.write_all(head.as_bytes());
        let _ = c.write_all(&b[..b.len() / 2]);
        std::thread::sleep(Duration::from_millis(300));
    });
    // No ranges: no reconnect by default.
    let url = server.url("a.mp3").replace("http://", "http://me:s3cret@");
    let r = StreamReader::new(&url, None, None).unwrap();
    let (chunks, result) = read_until_error(r);
    match result {
        Err(Error::Network(n)) => {
            assert_eq!(n.kind, NetworkErrorKind::Io, "{n:?}");
            let masked = format!("http://me:***@127.0.0.1:{}/a.mp3", server.port);
            assert_eq!(n.url.as_deref(), Some(masked.as_str()));
            assert!(n.message.starts_with(&masked), "{}", n.message);
            assert!(n.message.contains("the connection failed"), "{}", n.message);
            assert!(!n.to_string().contains("s3cret"), "{n}");
            let io = std::error::Error::source(&n)
                .and_then(|s| s.downcast_ref::<Arc<std::io::Error>>())
                .expect("the socket's error is the source");
            assert_eq!(io.kind(), std::io::ErrorKind::ConnectionReset, "{io:?}");
        }
        other => panic!("expected a network error, got {other:?}"),
    }
    assert_file_start(&chunks, &disk);
}

#[test]
fn reconnects_refused_with_503_are_a_network_error_with_the_status() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let dir = TempDir::new("net-503");
    let (path, bytes) = long_mp3(&dir);
    let disk = from_disk(&path);
    let b = bytes.clone();
    let cut = bytes.len() * 2 / 5;
    // Ranges answered (the open probes some); the first connection from before `cut` closes
    // there, and the range request resuming at `cut` gets 503.
    let dropped = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(AtomicUsize::new(0));
    let refused2 = refused.clone();
    let server = ScriptServer::start(16, LIFE, move |_, mut c| {
        let req = read_request(&mut c);
        let from: usize = request_header(&req, "range")
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.trim_end_matches('-').parse().ok())
            .unwrap_or(0);
        if from == cut {
            refused2.fetch_add(1, Ordering::SeqCst);
            let _ =
                c.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");
            return;
        }
        let total = b.len();
        let head = format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Type: audio/mpeg\r\nAccept-Ranges: bytes\r\n\
             Content-Range: bytes {from}-{}/{total}\r\nContent-Length: {}\r\n\r\n",
            total - 1,
            total - from
        );
        let _ = c.write_all(head.as_bytes());
        // A clean close before the announced end: resuming by range is the default.
        let end = if from < cut && !dropped.swap(true, Ordering::SeqCst) {
            cut
        } else {
            total
        };
        let _ = c.write_all(&b[from..end]);
    });
    let r = StreamReader::new(
        &server.url("a.mp3"),
        None,
        Some(&opts(&[("reconnect_max", "2")])),
    )
    .unwrap();
    let (chunks, result) = read_until_error(r);
    match result {
        Err(Error::Network(n)) => {
            assert_eq!(n.kind, NetworkErrorKind::Status(503), "{n:?}");
            assert_eq!(n.status(), Some(503));
            let url = server.url("a.mp3");
            assert_eq!(n.url.as_deref(), Some(url.as_str()));
            assert!(
                n.message.contains("503") && n.message.contains(&format!("byte {cut}")),
                "{}",
                n.message
            );
        }
        other => panic!("expected HTTP 503, got {other:?}"),
    }
    // The two attempts allowed, no more.
    assert_eq!(refused.load(Ordering::SeqCst), 2);
    assert_file_start(&chunks, &disk);
}

#[test]
fn a_server_going_quiet_mid_stream_is_a_timeout_of_the_asked_length() {
    let dir = TempDir::new("net-idle");
    let (path, bytes) = long_mp3(&dir);
    let disk = from_disk(&path);
    let b = bytes.clone();
    let server = ScriptServer::start(1, LIFE, move |_, mut c| {
        read_request(&mut c);
        let _ = c.write_all(b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n");
        let _ = c.write_all(&b[..b.len() * 2 / 5]);
        std::thread::sleep(Duration::from_millis(1500));
    });
    let r = StreamReader::new(
        &server.url("live"),
        None,
        Some(&opts(&[("timeout", "0.4")])),
    )
    .unwrap();
    let (chunks, result) = read_until_error(r);
    // As when opening: the client's timeout, typed.
    assert!(
        matches!(result, Err(Error::Timeout(d)) if d == Duration::from_millis(400)),
        "{result:?}"
    );
    assert_file_start(&chunks, &disk);
}
