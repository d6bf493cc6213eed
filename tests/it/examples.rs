//! The seed's four usage examples (`examples/*.rs`) run to completion on fixtures, and what
//! they write is read by FFmpeg.
//! (`common::example_bins` builds them.)

use crate::common;

use common::example_bins::{self, example};
use common::oracle::fixture;
use common::signals::{ffmpeg_raw, ffprobe_value, TempDir};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[test]
fn the_feature_list_is_cargo_tomls() {
    let toml = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .expect("Cargo.toml");
    let section = toml
        .split("\n[features]\n")
        .nth(1)
        .expect("a [features] section")
        .split("\n[")
        .next()
        .unwrap_or_default();
    let declared: Vec<&str> = section
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
        .filter_map(|l| l.split_once('=').map(|(name, _)| name.trim()))
        .collect();
    let listed: Vec<&str> = example_bins::FEATURES.iter().map(|f| f.0).collect();
    assert_eq!(
        declared, listed,
        "FEATURES in tests/it/common/example_bins.rs"
    );
}

fn run(name: &str, args: &[&str]) -> Output {
    let out = Command::new(example(name))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("example runs");
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {out:?}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Frames FFmpeg decodes from `path` (16-bit, `channels` channels).
fn ffmpeg_frames(path: &Path, channels: usize) -> usize {
    ffmpeg_raw(path, None, "s16le").len() / (2 * channels)
}

/// `(codec, rate, channels)` of the first audio stream, as ffprobe says.
fn probe(path: &Path) -> (String, String, String) {
    (
        ffprobe_value(path, "stream=codec_name"),
        ffprobe_value(path, "stream=sample_rate"),
        ffprobe_value(path, "stream=channels"),
    )
}

/// A WAV of `seconds` of a 440 Hz sine, stereo 44.1 kHz, made by FFmpeg.
fn sine_wav(dir: &TempDir, seconds: u32) -> PathBuf {
    let path = dir.path(&format!("sine_{seconds}s.wav"));
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!(
            "sine=frequency=440:sample_rate=44100:duration={seconds}"
        ))
        .args(["-ac", "2", "-c:a", "pcm_s16le"])
        .arg(&path)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    path
}

#[test]
fn realtime_processing_writes_a_44100_stereo_wav_of_the_input_length() {
    let dir = TempDir::new("ex-realtime");
    let out = dir.path("processed.wav");
    let input = fixture("vorbis_q5_stereo_44100.ogg");
    let o = run("realtime_processing", &[path_str(&input), path_str(&out)]);
    assert!(stdout(&o).contains("processed.wav"), "{}", stdout(&o));
    assert_eq!(
        probe(&out),
        ("pcm_s16le".into(), "44100".into(), "2".into())
    );
    // Every chunk was written: nothing dropped by the 4-chunk buffer, the last short chunk kept.
    assert_eq!(ffmpeg_frames(&out, 2), 88200);
    // And the effect was applied: the output is not the input.
    let original = ffmpeg_raw(&input, None, "s16le");
    let processed = ffmpeg_raw(&out, None, "s16le");
    assert_ne!(original, processed);
}

#[test]
fn realtime_processing_reads_other_inputs_as_44100_stereo() {
    let dir = TempDir::new("ex-realtime-96k");
    let out = dir.path("processed.wav");
    // 1.5 s of 96 kHz mono.
    let input = fixture("flac_24_mono_96000.flac");
    run("realtime_processing", &[path_str(&input), path_str(&out)]);
    assert_eq!(
        probe(&out),
        ("pcm_s16le".into(), "44100".into(), "2".into())
    );
    assert_eq!(ffmpeg_frames(&out, 2), 66150);
}

#[test]
fn realtime_processing_runs_with_its_defaults() {
    // No arguments: the bundled fixture, into the temporary directory.
    let o = run("realtime_processing", &[]);
    let text = stdout(&o);
    let written = text
        .trim()
        .rsplit(" -> ")
        .next()
        .and_then(|s| s.split(" (").next())
        .expect("the output path is printed");
    assert_eq!(ffmpeg_frames(Path::new(written), 2), 88200);
}

#[test]
fn convert_format_resamples_and_makes_stereo_mp3_at_128k() {
    let dir = TempDir::new("ex-convert");
    // 96 kHz mono: resampled to 44.1 kHz and repeated to stereo.
    let out = dir.path("converted.mp3");
    run(
        "convert_format",
        &[
            path_str(&fixture("flac_24_mono_96000.flac")),
            path_str(&out),
        ],
    );
    assert_eq!(probe(&out), ("mp3".into(), "44100".into(), "2".into()));
    assert_eq!(ffprobe_value(&out, "stream=bit_rate"), "128000");
    // 1.5 s: 66150 frames at 44.1 kHz, gapless (LAME tag), including the resampler's tail.
    assert_eq!(ffmpeg_frames(&out, 2), 66150);

    // Already 44.1 kHz stereo: no resampling, the same length.
    let out = dir.path("same_rate.mp3");
    run(
        "convert_format",
        &[
            path_str(&fixture("wav_s16_stereo_44100.wav")),
            path_str(&out),
        ],
    );
    assert_eq!(probe(&out), ("mp3".into(), "44100".into(), "2".into()));
    assert_eq!(ffmpeg_frames(&out, 2), 22050);
}

#[test]
fn stream_url_prints_metadata_and_every_100th_chunk() {
    let dir = TempDir::new("ex-stream");
    // 5 s at 44.1 kHz = 215.3 chunks of 1024 frames: lines at 100 and 200.
    let input = sine_wav(&dir, 5);
    let o = run("stream_url", &[path_str(&input)]);
    let text = stdout(&o);
    for line in [
        format!("Streaming from: {}", input.display()),
        "Sample rate: 44100 Hz".to_string(),
        "Channels: 2".to_string(),
        "Processed 100 chunks".to_string(),
        "Processed 200 chunks".to_string(),
        "End of stream: 216 chunks, 220500 frames (5.000 s)".to_string(),
    ] {
        assert!(text.contains(&line), "{line:?} missing from:\n{text}");
    }
    assert!(!text.contains("Processed 300 chunks"), "{text}");

    // With its default input (a 2 s MP3 with tags).
    let text = stdout(&run("stream_url", &[]));
    assert!(text.contains("Tag title: Fixture Title"), "{text}");
    assert!(
        text.contains("End of stream: 87 chunks, 88200 frames"),
        "{text}"
    );
}

#[test]
fn live_monitor_draws_each_chunk_and_stops_after_max_chunks() {
    let o = run("live_monitor", &["--max-chunks", "5", "--no-pace"]);
    let text = stdout(&o);
    // Not a terminal: each plot follows the previous one.
    for i in 0..5 {
        assert!(
            text.contains(&format!("  chunk {i}  t = ")),
            "chunk {i}:\n{text}"
        );
    }
    assert!(!text.contains("  chunk 5  "), "{text}");
    assert!(text.trim_end().ends_with("5 chunks shown"), "{text}");
    // A plot is 9 rows inside a +1 / 0 / -1 frame, with the waveform in it.
    assert_eq!(text.matches("\n+1 |").count(), 5, "{text}");
    assert_eq!(text.matches("\n-1 |").count(), 5, "{text}");
    assert!(text.contains('#'), "{text}");

    // Paced, 4 chunks of 2048 frames take at least the time the first 3 play (~139 ms).
    let start = Instant::now();
    run("live_monitor", &["--max-chunks", "4", "--height", "5"]);
    assert!(start.elapsed() >= Duration::from_millis(135));
}

#[test]
fn live_monitor_reads_a_whole_file_to_its_end() {
    let dir = TempDir::new("ex-monitor");
    let input = sine_wav(&dir, 1);
    let text = stdout(&run("live_monitor", &[path_str(&input), "--no-pace"]));
    // 44100 frames = 21 chunks of 2048 and a last one of 1092.
    assert!(text.trim_end().ends_with("22 chunks shown"), "{text}");
}

#[cfg(unix)]
#[test]
fn live_monitor_stops_cleanly_on_ctrl_c() {
    let dir = TempDir::new("ex-monitor-int");
    // 30 s paced: it would run for 30 s without the interrupt.
    let input = sine_wav(&dir, 30);
    let child = Command::new(example("live_monitor"))
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("example runs");
    std::thread::sleep(Duration::from_millis(500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let start = Instant::now();
    let o = child.wait_with_output().expect("example ends");
    assert!(start.elapsed() < Duration::from_secs(5), "it kept running");
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    assert!(text.contains("Stopping monitoring..."), "{text}");
    assert!(text.trim_end().ends_with("chunks shown"), "{text}");
}

#[test]
fn examples_report_a_missing_input_and_fail() {
    for name in [
        "realtime_processing",
        "convert_format",
        "stream_url",
        "live_monitor",
    ] {
        let o = Command::new(example(name))
            .arg("/no/such/input.flac")
            .env_remove("RUST_LOG")
            .output()
            .expect("example runs");
        assert_eq!(o.status.code(), Some(1), "{name}: {o:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("/no/such/input.flac"), "{name}: {err}");
    }
}
