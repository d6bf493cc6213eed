//! Live streams through a real Icecast 2 server on 127.0.0.1: our `StreamWriter` (and,
//! separately, `ffmpeg -re ... -f mp3 icecast://...`) feeds a mount; our `StreamReader` on the
//! listener URL receives the audio that was sent, and song titles set with Icecast's admin API
//! appear in its metadata.
//!
//! The oracle for "the audio that was sent" is the same MP3 byte stream decoded from memory or
//! a file: the listener starts wherever Icecast lets it in, and after a few frames of decoder
//! warm-up its samples equal that decode exactly (found by an exact search), to the end but
//! for the last block Icecast keeps when a source disconnects (at most 4 frames; a plain
//! `curl -T` source shows the same). Against the PCM that was encoded, aligned by
//! cross-correlation, the MP3 tolerance is an SNR of at least 20 dB.

use crate::common;

use audiostream::ndarray::{s, Array2};
use audiostream::{AudioEncodeOptions, CodecConfig, Error, Options, StreamReader, StreamWriter};
use common::oracle::{best_lag, snr_db};
use common::servers::Icecast;
use common::signals::{music, SharedBuf, TempDir};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RATE: u32 = 44100;
const FRAME: usize = 1152;
const CHUNK: usize = 4410;

fn opts(pairs: &[(&str, &str)]) -> Options {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Encodes `pcm` with our writer into `w`, 0.1 s per chunk, 128 kbit/s.
fn encode(mut w: StreamWriter, pcm: &Array2<f32>) {
    w.add_audio_stream_with(AudioEncodeOptions::new(RATE, 2).codec_config(CodecConfig {
        bit_rate: Some(128_000),
        ..Default::default()
    }))
    .unwrap();
    let mut at = 0;
    while at < pcm.ncols() {
        let end = (at + CHUNK).min(pcm.ncols());
        w.write_audio_chunk(0, pcm.slice(s![.., at..end]), None)
            .unwrap();
        at = end;
    }
    w.close().unwrap();
}

/// Waits (at most 10 s) until the mount has a source.
fn wait_for_mount(ice: &Icecast, mount: &str) {
    let start = Instant::now();
    while !ice.has_mount(mount) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no source on {mount}:\n{}",
            ice.error_log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What a listener got: channel 0 of the audio, and the titles seen, in order.
struct Heard {
    audio: Vec<f32>,
    titles: Vec<String>,
    first_chunk_after: Duration,
}

/// Listens to `url` until the stream ends (bounded by `limit`), calling `on_packet` with the
/// seconds of audio received so far.
fn listen(url: &str, limit: Duration, mut on_packet: impl FnMut(f64)) -> Heard {
    let start = Instant::now();
    let mut r = StreamReader::new(url, None, Some(&opts(&[("timeout", "5")])))
        .unwrap_or_else(|e| panic!("listening to {url}: {e}"));
    r.add_basic_audio_stream(1024, usize::MAX).unwrap();
    let mut heard = Heard {
        audio: Vec::new(),
        titles: Vec::new(),
        first_chunk_after: Duration::ZERO,
    };
    loop {
        assert!(
            start.elapsed() < limit,
            "listening took longer than {limit:?}"
        );
        let n = r
            .process_packet_with(Some(Duration::from_secs(5)), Duration::from_millis(5))
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        while let Some(c) = r.pop_chunks().remove(0) {
            if heard.audio.is_empty() {
                heard.first_chunk_after = start.elapsed();
            }
            heard.audio.extend(c.row(0).iter());
        }
        if let Some(t) = r.get_metadata().tags.get("title") {
            if heard.titles.last() != Some(t) {
                heard.titles.push(t.clone());
            }
        }
        on_packet(heard.audio.len() as f64 / f64::from(RATE));
        if n == 0 {
            break;
        }
    }
    heard
}

/// Checks `got` against the decode of the same MP3 stream (`reference`) and the PCM that was
/// encoded; returns (samples of the reference missed at the start, SNR against the PCM).
fn check_against(got: &[f32], reference: &[f32], pcm: &[f32]) -> (isize, f64) {
    assert!(
        got.len() > 20 * FRAME,
        "only {} samples received",
        got.len()
    );
    // Where the listener's audio is in the reference decode: the one place 512 samples
    // match exactly, 10 frames in (past any warm-up).
    let probe_at = 10 * FRAME;
    let probe = &got[probe_at..probe_at + 512];
    let places: Vec<usize> = (0..reference.len().saturating_sub(probe.len()))
        .filter(|&p| reference[p..p + probe.len()] == *probe)
        .collect();
    assert_eq!(places.len(), 1, "exact matches of the probe: {places:?}");
    // reference index = got index + offset (negative: the listener's decode keeps an encoder
    // delay that the reference trims)
    let offset = places[0] as isize - probe_at as isize;
    // From 3 frames in to the end: the same samples, none repeated, none lost but the last
    // block Icecast keeps.
    let tail = (reference.len() as isize - offset) as usize;
    assert!(
        got.len() <= tail && tail - got.len() <= 4 * FRAME,
        "received {} samples, the stream had {tail} from there",
        got.len()
    );
    for i in 3 * FRAME..got.len() {
        assert_eq!(
            got[i],
            reference[(i as isize + offset) as usize],
            "sample {i}"
        );
    }
    // Against the encoded PCM: align by cross-correlation near the offset found, then SNR.
    let window = &got[3 * FRAME..got.len() - FRAME];
    let near = (offset + 3 * FRAME as isize).max(0) as usize;
    let from = near.saturating_sub(3000);
    let lag = best_lag(window, &pcm[from..], 6000);
    let pcm_start = (from as isize + lag).max(0) as usize;
    let snr = snr_db(&pcm[pcm_start..], window);
    eprintln!(
        "received {} samples; offset in the sent stream {offset}; exact from frame 3; SNR {snr:.1} dB",
        got.len()
    );
    (offset, snr)
}

fn decode_file(path: &std::path::Path) -> Vec<f32> {
    common::ours::decode(path, None).swap_remove(0)
}

#[test]
fn our_writer_feeds_icecast_and_a_listener_receives_the_same_audio() {
    let ice = Icecast::start();
    let secs = 5.0;
    let pcm = music(2, (secs * f64::from(RATE)) as usize, RATE);
    // The reference: the same encode into a non-seekable buffer (the same bytes as the
    // stream: no LAME tag).
    let sent = SharedBuf::default();
    encode(
        StreamWriter::from_writer(sent.clone(), "mp3").unwrap(),
        &pcm,
    );
    let reference = common::ours::decode_reader(
        StreamReader::from_reader(std::io::Cursor::new(sent.bytes()), Some("mp3")).unwrap(),
        None,
    )
    .swap_remove(0);
    let source = ice.source_url("ours.mp3");
    let p = pcm.clone();
    let feeder = std::thread::spawn(move || {
        let w = StreamWriter::new(
            &source,
            Some("mp3"),
            Some(&opts(&[
                ("realtime", "true"),
                ("name", "Ours"),
                ("genre", "Test"),
                ("description", "from audiostream"),
            ])),
        )
        .unwrap();
        let start = Instant::now();
        encode(w, &p);
        start.elapsed()
    });
    wait_for_mount(&ice, "ours.mp3");
    let heard = listen(&ice.listen_url("ours.mp3"), Duration::from_secs(30), |_| {});
    let fed_in = feeder.join().unwrap();
    // Real time: 5 s of audio took about 5 s to send (less the pacing lead).
    assert!(
        fed_in > Duration::from_millis(4500) && fed_in < Duration::from_millis(6500),
        "{fed_in:?}"
    );
    let (missed, snr) = check_against(&heard.audio, &reference, pcm.row(0).as_slice().unwrap());
    // Icecast's burst on connect covers the start: little or nothing was missed.
    assert!(
        missed < RATE as isize,
        "missed {missed} samples at the start"
    );
    assert!(snr >= 20.0, "SNR {snr:.1} dB against the PCM sent");
    assert!(
        heard.first_chunk_after < Duration::from_secs(2),
        "{:?}",
        heard.first_chunk_after
    );
}

#[test]
fn ffmpeg_feeds_icecast_and_a_listener_receives_the_same_audio() {
    let ice = Icecast::start();
    let dir = TempDir::new("ice-ffmpeg");
    let secs = 5.0;
    let pcm = music(2, (secs * f64::from(RATE)) as usize, RATE);
    let wav = dir.path("in.wav");
    encode_wav(&wav, &pcm);
    // FFmpeg encodes (libmp3lame) into a file, then streams that file at real time (-re).
    let mp3 = dir.path("ff.mp3");
    let ok = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-y", "-i"])
        .arg(&wav)
        .args([
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            "-write_xing",
            "0",
            "-id3v2_version",
            "0",
        ])
        .arg(&mp3)
        .status()
        .unwrap();
    assert!(ok.success());
    let mut ffmpeg = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-re", "-i"])
        .arg(&mp3)
        .args(["-c", "copy", "-content_type", "audio/mpeg", "-f", "mp3"])
        .arg(format!(
            "icecast://source:{}@127.0.0.1:{}/ff.mp3",
            common::servers::ICECAST_SOURCE_PASSWORD,
            ice.port
        ))
        .stdin(Stdio::null())
        .spawn()
        .expect("ffmpeg runs");
    wait_for_mount(&ice, "ff.mp3");
    let heard = listen(&ice.listen_url("ff.mp3"), Duration::from_secs(30), |_| {});
    let status = ffmpeg.wait().unwrap();
    assert!(status.success(), "{status}");
    let (missed, snr) = check_against(
        &heard.audio,
        &decode_file(&mp3),
        pcm.row(0).as_slice().unwrap(),
    );
    assert!(
        missed < RATE as isize,
        "missed {missed} samples at the start"
    );
    assert!(snr >= 20.0, "SNR {snr:.1} dB against the PCM sent");
}

fn encode_wav(path: &std::path::Path, pcm: &Array2<f32>) {
    let mut w = StreamWriter::new(path.to_str().unwrap(), None, None).unwrap();
    w.add_audio_stream(RATE, 2).unwrap();
    w.write_audio_chunk(0, pcm.view(), None).unwrap();
    w.close().unwrap();
}

#[test]
fn titles_set_with_the_admin_api_appear_in_the_metadata() {
    let ice = Icecast::start();
    let secs = 6.0;
    let pcm = music(2, (secs * f64::from(RATE)) as usize, RATE);
    let source = ice.source_url("titles.mp3");
    let feeder = std::thread::spawn(move || {
        let w = StreamWriter::new(&source, None, Some(&opts(&[("realtime", "1")]))).unwrap();
        encode(w, &pcm);
    });
    wait_for_mount(&ice, "titles.mp3");
    let titles = ["First Song", "Second – Ünïcode & more"];
    let mut set = 0;
    let started = Instant::now();
    let heard = listen(
        &ice.listen_url("titles.mp3"),
        Duration::from_secs(30),
        |_| {
            // A new title at about 1 s and 3 s of the listener's time.
            let due = [1.0, 3.0];
            if set < titles.len() && started.elapsed().as_secs_f64() >= due[set] {
                let status = ice.set_title("titles.mp3", titles[set]);
                assert_eq!(status, 200);
                set += 1;
            }
        },
    );
    feeder.join().unwrap();
    assert_eq!(set, 2);
    // (Icecast sends an empty StreamTitle first: the mount had no title yet.)
    let seen: Vec<&str> = heard
        .titles
        .iter()
        .map(String::as_str)
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(seen, titles.to_vec(), "titles seen: {:?}", heard.titles);
}

#[test]
fn icecast_sink_errors_are_typed() {
    let ice = Icecast::start();
    // A wrong password.
    let url = format!("icecast://source:s3cr3t@127.0.0.1:{}/x.mp3", ice.port);
    let e = StreamWriter::new(&url, Some("mp3"), None).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
    assert!(msg.contains("401") && !msg.contains("s3cr3t"), "{msg}");
    // The mount is taken.
    let first = StreamWriter::new(&ice.source_url("busy.mp3"), None, None).unwrap();
    wait_for_mount(&ice, "busy.mp3");
    let e = StreamWriter::new(&ice.source_url("busy.mp3"), None, None).unwrap_err();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
    assert!(e.to_string().contains("403"), "{e}");
    drop(first);
    // The legacy SOURCE method is accepted too.
    let legacy = StreamWriter::new(
        &ice.source_url("legacy.mp3"),
        None,
        Some(&opts(&[("method", "source")])),
    )
    .unwrap();
    wait_for_mount(&ice, "legacy.mp3");
    drop(legacy);
    // Not MP3, unknown options, no mount, a refused port.
    let e = StreamWriter::new(&ice.source_url("a.wav"), Some("wav"), None).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e:?}");
    let e = StreamWriter::new(
        &ice.source_url("a.mp3"),
        None,
        Some(&opts(&[("bogus", "1")])),
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)) && e.to_string().contains("realtime"));
    let e = StreamWriter::new(
        &format!("icecast://source:x@127.0.0.1:{}", ice.port),
        None,
        None,
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    let port = common::servers::free_port();
    let e = StreamWriter::new(
        &format!("icecast://source:x@127.0.0.1:{port}/a.mp3"),
        None,
        None,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
}
