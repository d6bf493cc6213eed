//! Files over HTTP(S) from a real server (nginx on 127.0.0.1, range requests, TLS): the same
//! chunks, metadata and seeks as the same file read from disk; redirects; errors; the CLI and
//! the `stream_url` example on URLs.

use crate::common;

use audiostream::{Chunk, Error, Metadata, Options, StreamReader};
use common::oracle::fixture;
use common::servers::Nginx;
use common::signals::TempDir;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A web root with the fixtures, a longer MP3 and FLAC (for seeking) and `noext.mp3`.
fn web_root() -> TempDir {
    let dir = TempDir::new("www");
    for name in [
        "mp3_cbr128_stereo_44100.mp3",
        "flac_16_stereo_44100.flac",
        "wav_s16_stereo_44100.wav",
        "vorbis_q5_stereo_44100.ogg",
        "aac_stereo_44100.m4a",
        "mp3_vbr_v2_mono_44100.mp3",
        "random_bytes.bin",
    ] {
        std::fs::copy(fixture(name), dir.path(name)).expect("copy fixture");
    }
    std::fs::copy(
        fixture("mp3_cbr128_stereo_44100.mp3"),
        dir.path("noext.mp3"),
    )
    .unwrap();
    // 12 s of a stereo sweep with noise, as MP3 (lame) and FLAC (flac): long enough for
    // seeks that land far from the start.
    let wav = dir.path("long.wav");
    let ok = Command::new("sox")
        .args(["-R", "-n", "-r", "44100", "-c", "2", "-b", "16"])
        .arg(&wav)
        .args(["synth", "12", "sine", "100-4000", "pinknoise", "vol", "0.4"])
        .status()
        .expect("sox runs");
    assert!(ok.success());
    let ok = Command::new("lame")
        .args(["--quiet", "-b", "128"])
        .arg(&wav)
        .arg(dir.path("long.mp3"))
        .status()
        .expect("lame runs");
    assert!(ok.success());
    let ok = Command::new("flac")
        .args(["-s", "-f", "-o"])
        .arg(dir.path("long.flac"))
        .arg(&wav)
        .status()
        .expect("flac runs");
    assert!(ok.success());
    dir
}

/// Every chunk of a whole read (nothing dropped), with the metadata.
fn read_all(src: &str, options: Option<&Options>, frames: usize) -> (Metadata, Vec<Chunk>) {
    let mut r =
        StreamReader::new(src, None, options).unwrap_or_else(|e| panic!("opening {src}: {e}"));
    r.add_basic_audio_stream(frames, usize::MAX).unwrap();
    r.process_all_packets().unwrap();
    let mut chunks = Vec::new();
    while let Some(c) = r.pop_chunks().remove(0) {
        chunks.push(c);
    }
    (r.get_metadata(), chunks)
}

fn assert_same_chunks(what: &str, a: &[Chunk], b: &[Chunk]) {
    assert_eq!(a.len(), b.len(), "{what}: number of chunks");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert_eq!(x.pts, y.pts, "{what}: pts of chunk {i}");
        assert_eq!(x.data, y.data, "{what}: samples of chunk {i}");
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn files_over_http_give_the_same_chunks_and_metadata_as_from_disk() {
    let root = web_root();
    let server = Nginx::start(&root.0, false);
    for name in [
        "mp3_cbr128_stereo_44100.mp3",
        "flac_16_stereo_44100.flac",
        "wav_s16_stereo_44100.wav",
        "vorbis_q5_stereo_44100.ogg",
        "aac_stereo_44100.m4a",
        "mp3_vbr_v2_mono_44100.mp3",
        "long.mp3",
    ] {
        let disk = root.path(name);
        let (m_disk, c_disk) = read_all(path_str(&disk), None, 1000);
        let (m_http, c_http) = read_all(&server.url(name), None, 1000);
        assert!(!c_disk.is_empty());
        assert_same_chunks(name, &c_disk, &c_http);
        assert_eq!(m_http.sample_rate, m_disk.sample_rate, "{name}");
        assert_eq!(m_http.num_channels, m_disk.num_channels, "{name}");
        assert_eq!(m_http.num_frames, m_disk.num_frames, "{name}");
        assert_eq!(m_http.duration, m_disk.duration, "{name}");
        assert_eq!(m_http.codec, m_disk.codec, "{name}");
        assert_eq!(m_http.format, m_disk.format, "{name}");
        assert_eq!(m_http.tags, m_disk.tags, "{name}");
    }
    // Opening and reading a whole MP3 takes two requests: the file, and a range at its end
    // where the probe looks for trailing tags (its way back reuses the first connection).
    let requests = server
        .access_log()
        .lines()
        .filter(|l| l.contains("GET /long.mp3 "))
        .count();
    assert_eq!(requests, 2, "{}", server.access_log());
    // The fixture's ID3 tags come through.
    let (m, _) = read_all(&server.url("mp3_cbr128_stereo_44100.mp3"), None, 4096);
    assert_eq!(
        m.tags.get("title").map(String::as_str),
        Some("Fixture Title")
    );
}

#[test]
fn seeking_over_http_equals_seeking_on_disk_by_range_requests() {
    let root = web_root();
    let server = Nginx::start(&root.0, false);
    for name in ["long.mp3", "long.flac"] {
        let mut disk = StreamReader::new(path_str(&root.path(name)), None, None).unwrap();
        let mut http = StreamReader::new(&server.url(name), None, None).unwrap();
        for r in [&mut disk, &mut http] {
            r.add_basic_audio_stream(2048, usize::MAX).unwrap();
        }
        // Forward, backward, to the start, near the end, past the end.
        for t in [7.3, 1.25, 0.0, 10.9, 11.99, 3.0, 20.0] {
            let mut got = Vec::new();
            for r in [&mut disk, &mut http] {
                r.seek(t)
                    .unwrap_or_else(|e| panic!("{name}: seek {t}: {e}"));
                let mut chunks = Vec::new();
                while chunks.len() < 4 {
                    let n = r.process_packet().unwrap();
                    while let Some(c) = r.pop_chunks().remove(0) {
                        chunks.push(c);
                    }
                    if n == 0 {
                        break;
                    }
                }
                got.push(chunks);
            }
            assert_same_chunks(&format!("{name} after seek({t})"), &got[0], &got[1]);
            if t < 11.0 {
                assert!(!got[1].is_empty(), "{name} {t}");
                assert_eq!(got[1][0].pts, (t * 44100.0).round() / 44100.0, "{name} {t}");
            } else if t > 12.0 {
                assert!(got[1].is_empty(), "{name}: nothing after the end");
            }
        }
    }
    // The seeks were range requests (206), not reads from the start.
    let log = server.access_log();
    let partial = log.lines().filter(|l| l.contains("\" 206 ")).count();
    assert!(
        partial >= 6,
        "expected range requests in nginx's log:\n{log}"
    );
}

#[test]
fn format_comes_from_the_content_type_when_the_url_has_no_extension() {
    let root = web_root();
    let server = Nginx::start(&root.0, false);
    let (m, chunks) = read_all(&server.url("noext"), None, 4096);
    assert_eq!((m.format.as_str(), m.codec.as_str()), ("mp3", "mp3"));
    let (_, disk) = read_all(path_str(&root.path("noext.mp3")), None, 4096);
    assert_same_chunks("noext", &disk, &chunks);
    // A forced format wins.
    let r = StreamReader::new(&server.url("noext"), Some("mp3"), None).unwrap();
    assert_eq!(r.get_metadata().format, "mp3");
}

#[test]
fn redirects_are_followed_and_loops_are_network_errors() {
    let root = web_root();
    let server = Nginx::start(&root.0, false);
    let (_, direct) = read_all(&server.url("mp3_cbr128_stereo_44100.mp3"), None, 4096);
    let (_, hopped) = read_all(&server.url("hop/4/mp3_cbr128_stereo_44100.mp3"), None, 4096);
    assert_same_chunks("5 redirects", &direct, &hopped);

    let e = StreamReader::new(&server.url("loop"), None, None).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
    assert!(msg.contains("redirect") && msg.contains("/loop"), "{msg}");
    // Bounded: 11 requests at most for the loop. nginx writes its log line after the
    // response, so the last one may lag the error a little: wait for it (bounded).
    let count_loops = || {
        server
            .access_log()
            .lines()
            .filter(|l| l.contains("GET /loop "))
            .count()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while count_loops() < 11 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(count_loops(), 11, "{}", server.access_log());

    let e = StreamReader::new(&server.url("missing.mp3"), None, None).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
    assert!(msg.contains("404") && msg.contains("/missing.mp3"), "{msg}");

    // Bytes that are not audio.
    let e = StreamReader::new(&server.url("random_bytes.bin"), None, None).unwrap_err();
    assert!(
        matches!(e, Error::Unsupported(_) | Error::Decode(_)),
        "{e:?}"
    );
}

#[test]
fn https_works_with_the_servers_ca_and_fails_typed_without_it() {
    let root = web_root();
    let server = Nginx::start(&root.0, true);
    let cert = server.cert.clone().unwrap();
    let name = "flac_16_stereo_44100.flac";
    let opts = Options::from([("ca_file".to_string(), cert.to_str().unwrap().to_string())]);
    let (_, tls) = read_all(&server.https_url(name), Some(&opts), 1000);
    let (_, disk) = read_all(path_str(&root.path(name)), None, 1000);
    assert_same_chunks("https", &disk, &tls);

    // Seeking over TLS (range requests on new TLS connections).
    let mut r = StreamReader::new(&server.https_url("long.flac"), None, Some(&opts)).unwrap();
    r.add_basic_audio_stream(1024, 4).unwrap();
    r.seek(5.0).unwrap();
    r.fill_buffer().unwrap();
    assert_eq!(r.pop_chunks()[0].as_ref().unwrap().pts, 5.0);

    // A self-signed certificate is not trusted by default.
    let e = StreamReader::new(&server.https_url(name), None, None).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
    assert!(msg.contains("TLS") && msg.contains("certificate"), "{msg}");
    // TLS spoken to a plain HTTP port.
    let plain = format!("https://127.0.0.1:{}/{name}", server.port);
    let e = StreamReader::new(&plain, None, None).unwrap_err();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
    // A bad CA file is an argument error naming it.
    let bad = Options::from([("ca_file".to_string(), "/no/such.pem".to_string())]);
    let e = StreamReader::new(&server.https_url(name), None, Some(&bad)).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)) && e.to_string().contains("/no/such.pem"));
}

#[test]
fn cli_info_and_convert_accept_urls() {
    let root = web_root();
    let server = Nginx::start(&root.0, false);
    let url = server.url("mp3_cbr128_stereo_44100.mp3");
    let out = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(["info", &url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        text.contains("44100 Hz") && text.contains("title: Fixture Title"),
        "{text}"
    );

    let dir = TempDir::new("net-cli");
    let wav = dir.path("out.wav");
    let out = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(["convert", "-q", &url])
        .arg(&wav)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let (_, from_http) = read_all(path_str(&wav), None, 100_000);
    let from_disk = common::ours::decode(&root.path("mp3_cbr128_stereo_44100.mp3"), None);
    let http = common::ours::concat(&from_http);
    assert_eq!(http[0].len(), from_disk[0].len());
    // 16-bit WAV of the same decode: within one quantization step.
    for (a, b) in http[0].iter().zip(&from_disk[0]) {
        assert!((a - b).abs() <= 1.0 / 32768.0 + 1e-7, "{a} vs {b}");
    }

    let out = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(["info", &server.url("missing.mp3")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("404"));
}

fn stream_url_example() -> PathBuf {
    crate::common::example_bins::example("stream_url")
}

#[test]
fn the_stream_url_example_reads_a_url() {
    let root = web_root();
    let server = Nginx::start(&root.0, false);
    let url = server.url("long.mp3");
    let out = Command::new(stream_url_example())
        .arg(&url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    for line in [
        format!("Streaming from: {url}"),
        "Sample rate: 44100 Hz".into(),
        "Channels: 2".into(),
        "Processed 500 chunks".into(),
    ] {
        assert!(text.contains(&line), "{line:?} missing:\n{text}");
    }
    // 12 s = 529200 frames: 517 chunks of 1024 and a short one.
    assert!(
        text.contains("End of stream: 517 chunks, 529200 frames"),
        "{text}"
    );
}
