//! `audiostream devices`, `play`, `record` and `monitor` on real ALSA devices (ALSA `file`
//! plugin PCMs, see `tests/device_alsa/mod.rs`); the child processes inherit the test's
//! `ALSA_CONFIG_PATH`.
#![cfg(all(target_os = "linux", feature = "device", feature = "cli"))]

#[cfg(feature = "net")]
#[allow(dead_code)]
mod common;
mod device_alsa;

use device_alsa::{
    capture_pcm, f32_samples, f32le_bytes, playback_pcm, Alsa, Drain, Feeder, NULL_PCM,
};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const FIFOS: &[&str] = &[
    "cli.fifo",
    "rec.fifo",
    "mon.fifo",
    "int.fifo",
    "url.fifo",
    "opus.fifo",
    "vorbis.fifo",
];

fn alsa() -> &'static Alsa {
    let mut config = String::from(NULL_PCM);
    config += &playback_pcm("as_cli", "cli.fifo", "paced playback");
    config += &playback_pcm("as_url", "url.fifo", "paced playback of a URL");
    for (name, fifo) in [
        ("as_rec", "rec.fifo"),
        ("as_mon", "mon.fifo"),
        ("as_int", "int.fifo"),
        ("as_opus", "opus.fifo"),
        ("as_vorbis", "vorbis.fifo"),
    ] {
        config += &capture_pcm(name, fifo, "fed capture");
    }
    device_alsa::setup("cli", FIFOS, &config)
}

fn cli() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_audiostream"));
    c.env_remove("RUST_LOG").stdin(Stdio::null());
    c
}

fn run_bounded(mut cmd: Command, limit: Duration) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("audiostream runs");
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(o) => o.expect("output"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &id.to_string()])
                .status();
            panic!("audiostream did not finish within {limit:?}");
        }
    }
}

/// A stereo test signal, `(2, frames)`, peak 0.5 (-6 dBFS) in channel 0.
fn signal(frames: usize, rate: u32) -> audiostream::ndarray::Array2<f32> {
    audiostream::ndarray::Array2::from_shape_fn((2, frames), |(c, t)| {
        let x = t as f32 / rate as f32;
        (0.5 - 0.25 * c as f32) * (std::f32::consts::TAU * 441.0 * x).sin()
    })
}

#[test]
fn devices_lists_hosts_devices_channels_and_rates() {
    alsa();
    // The capture devices open their FIFO when asked what they take: keep writers on them.
    let feeders: Vec<Feeder> = [
        "rec.fifo",
        "mon.fifo",
        "int.fifo",
        "opus.fifo",
        "vorbis.fifo",
    ]
    .iter()
    .map(|f| Feeder::start(&alsa().path(f), Some(48000.0 * 8.0), true))
    .collect();
    let o = run_bounded(
        {
            let mut c = cli();
            c.arg("devices");
            c
        },
        Duration::from_secs(30),
    );
    for f in feeders {
        f.stop();
    }
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{o:?}");
    assert!(text.starts_with("hosts: ALSA"), "{text}");
    assert!(text.contains("ALSA \"as_cli\"  (paced playback)"), "{text}");
    assert!(text.contains("ALSA \"as_rec\"  (fed capture)"), "{text}");
    // What the file plugin takes: 1-64 channels (cpal's enumeration cap), any rate, f32 first.
    assert!(
        text.contains("out: 1-64 channels at 1-4294967295 Hz (f32, i32, i16"),
        "{text}"
    );
    assert!(text.contains("in : 1-64 channels"), "{text}");
}

/// Makes `dir/in.wav` (16-bit stereo, `seconds` long, by SoX: the oracle's file) and returns
/// its path and samples.
fn sox_tones(dir: &std::path::Path, seconds: &str) -> (std::path::PathBuf, Vec<f32>) {
    std::fs::create_dir_all(dir).unwrap();
    let input = dir.join("in.wav");
    let ok = Command::new("sox")
        .args(["-n", "-r", "44100", "-c", "2", "-b", "16"])
        .arg(&input)
        .args(["synth", seconds, "sine", "440", "sine", "660", "vol", "0.5"])
        .status()
        .expect("sox runs")
        .success();
    assert!(ok);
    let samples = sox_samples(&input);
    (input, samples)
}

/// Runs `audiostream play --device DEVICE SRC` with the device's FIFO read at 4x real time,
/// checks the summary line, and checks that the device got `expected`, then only silence
/// (16-bit samples are exact in f32).
fn play_and_compare(
    device: &str,
    fifo: &str,
    src: &std::ffi::OsStr,
    expected: &[f32],
    played: &str,
) {
    let drain = Drain::start(&alsa().path(fifo), Some(4.0 * 44100.0 * 8.0));
    let mut c = cli();
    c.args(["play", "--device", device]).arg(src);
    let o = run_bounded(c, Duration::from_secs(30));
    assert!(o.status.success(), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("played {played}")), "{err}");
    let out = f32_samples(&drain.finish());
    assert!(
        out.len() >= expected.len(),
        "{} < {}",
        out.len(),
        expected.len()
    );
    assert_eq!(out[..expected.len()], expected[..]);
    assert!(out[expected.len()..].iter().all(|&v| v == 0.0));
}

#[test]
fn play_delivers_every_sample_in_order() {
    let (input, expected) = sox_tones(&alsa().path("play"), "1");
    play_and_compare("as_cli", "cli.fifo", input.as_os_str(), &expected, "1.00 s");
}

/// `audiostream play http://...`: a file served by nginx on loopback reaches the device
/// sample for sample, as the same file does from disk.
#[cfg(feature = "net")]
#[test]
fn play_reads_a_url() {
    let dir = alsa().path("url");
    let (_, expected) = sox_tones(&dir, "0.5");
    let server = common::servers::Nginx::start(&dir, false);
    let url = server.url("in.wav");
    play_and_compare("as_url", "url.fifo", url.as_ref(), &expected, "0.50 s");
}

/// Interleaved samples of a 16-bit file, decoded by SoX.
fn sox_samples(path: &std::path::Path) -> Vec<f32> {
    let o = Command::new("sox")
        .arg(path)
        .args(["-t", "raw", "-e", "signed", "-b", "16", "-"])
        .output()
        .expect("sox runs");
    o.stdout
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect()
}

#[test]
fn record_writes_exactly_the_asked_duration_of_the_captured_audio() {
    let alsa = alsa();
    let rate = 48000;
    // 0.5 s of signal (whole 4096-byte blocks), then silence, at 4x real time.
    let x = signal(47 * 512, rate);
    let feeder = Feeder::start(&alsa.path("rec.fifo"), Some(4.0 * 48000.0 * 8.0), false);
    feeder.feed(&f32le_bytes(&x));
    feeder.set_silence(true);
    let out = alsa.path("rec.wav");
    let mut c = cli();
    c.args([
        "record",
        "--device",
        "as_rec",
        "--rate",
        "48000",
        "--channels",
        "2",
        "--duration",
        "0.5",
    ])
    .arg(&out);
    let o = run_bounded(c, Duration::from_secs(30));
    feeder.stop();
    assert!(o.status.success(), "{o:?}");
    // Exactly 0.5 s, 16-bit WAV (the writer's default): within half a 16-bit step of the
    // fed f32 samples (SoX reads the file).
    let got = sox_samples(&out);
    assert_eq!(got.len(), 2 * 24000);
    for t in 0..24000 {
        for ch in 0..2 {
            let d = (got[2 * t + ch] - x[[ch, t]]).abs();
            assert!(d <= 0.5 / 32768.0 + 1e-7, "frame {t} ch {ch}: {d}");
        }
    }
}

/// `record` into Ogg Opus (with --bitrate) and Ogg Vorbis (with --quality): exactly the asked
/// duration, as FFmpeg decodes it, and the audio is the captured signal.
#[cfg(all(feature = "encode-opus", feature = "encode-vorbis"))]
#[test]
fn record_into_opus_and_ogg_vorbis() {
    let alsa = alsa();
    let rate = 48000;
    for (device, fifo, file, flags) in [
        ("as_opus", "opus.fifo", "rec.opus", ["--bitrate", "128k"]),
        ("as_vorbis", "vorbis.fifo", "rec.ogg", ["--quality", "6"]),
    ] {
        let x = signal(47 * 512, rate);
        let feeder = Feeder::start(&alsa.path(fifo), Some(4.0 * 48000.0 * 8.0), false);
        feeder.feed(&f32le_bytes(&x));
        feeder.set_silence(true);
        let out = alsa.path(file);
        let mut c = cli();
        c.args([
            "record",
            "--device",
            device,
            "--rate",
            "48000",
            "--channels",
            "2",
        ])
        .args(["--duration", "0.5"])
        .args(flags)
        .arg(&out);
        let o = run_bounded(c, Duration::from_secs(30));
        feeder.stop();
        assert!(o.status.success(), "{file}: {o:?}");
        let decoded = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(&out)
            .args(["-f", "f32le", "-"])
            .output()
            .expect("ffmpeg runs");
        assert!(decoded.status.success(), "{file}");
        let got: Vec<f32> = decoded
            .stdout
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(got.len(), 2 * 24000, "{file}: exactly 0.5 s");
        let (mut sig, mut err) = (0.0f64, 0.0f64);
        for t in 0..24000 {
            for ch in 0..2 {
                let (a, b) = (f64::from(x[[ch, t]]), f64::from(got[2 * t + ch]));
                sig += a * a;
                err += (a - b) * (a - b);
            }
        }
        let snr = 10.0 * (sig / err).log10();
        assert!(snr > 15.0, "{file}: SNR {snr:.1} dB");
    }
}

#[test]
fn monitor_shows_levels_and_stops_on_ctrl_c() {
    let alsa = alsa();
    // A -6 dBFS / -12 dBFS stereo tone in real time, for 1 s of monitoring.
    let x = signal(48000 * 3, 48000);
    let feeder = Feeder::start(&alsa.path("mon.fifo"), Some(48000.0 * 8.0), true);
    feeder.feed(&f32le_bytes(&x));
    let mut c = cli();
    c.args([
        "monitor",
        "--device",
        "as_mon",
        "--duration",
        "1",
        "--interval",
        "0.2",
    ]);
    let o = run_bounded(c, Duration::from_secs(30));
    assert!(o.status.success(), "{o:?}");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("ch0  |"), "{text}");
    assert!(text.contains("peak   -6.0 dBFS"), "{text}");
    assert!(text.contains("peak  -12.0 dBFS"), "{text}");
    assert!(text.lines().count() >= 6, "{text}");
    feeder.stop();

    // Ctrl-C ends it cleanly.
    let feeder = Feeder::start(&alsa.path("int.fifo"), Some(48000.0 * 8.0), true);
    let mut child = cli()
        .args(["monitor", "--device", "as_int"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("monitor kept running after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let o = child.wait_with_output().unwrap();
    assert!(status.success(), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("monitoring stopped after"), "{err}");
    feeder.stop();
}
