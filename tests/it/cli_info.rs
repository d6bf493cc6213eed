//! The `audiostream` command-line tool: `info` in text and JSON, raw PCM options, exit codes and
//! error messages.

use crate::common;

use common::oracle::fixture;
use std::process::{Command, Output};

/// Runs the binary with `args` (and no RUST_LOG, so stderr holds only what the tool says).
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run the audiostream binary")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

fn path(name: &str) -> String {
    fixture(name).to_str().unwrap().to_string()
}

/// The text after `label` on the first line that starts (after indentation) with it.
fn field<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{text}"))
        .trim()
}

#[test]
fn info_prints_codec_rate_and_channels() {
    let file = path("flac_24_mono_96000.flac");
    let o = run(&["info", &file]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert!(
        out.lines()
            .next()
            .unwrap()
            .contains("flac_24_mono_96000.flac"),
        "{out}"
    );
    assert_eq!(field(&out, "codec:"), "flac", "{out}");
    assert_eq!(field(&out, "sample rate:"), "96000 Hz", "{out}");
    assert_eq!(field(&out, "channels:"), "1", "{out}");
    assert_eq!(field(&out, "format:"), "flac", "{out}");
    assert!(field(&out, "duration:").contains("1.500 s"), "{out}");
    assert!(field(&out, "duration:").contains("144000"), "{out}");
    assert_eq!(field(&out, "bits/sample:"), "24", "{out}");
    assert!(stderr(&o).is_empty(), "stderr: {}", stderr(&o));
}

#[test]
fn info_prints_tags_and_streams() {
    let o = run(&["info", &path("mp3_cbr128_stereo_44100.mp3")]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "codec:"), "mp3", "{out}");
    assert_eq!(field(&out, "title:"), "Fixture Title", "{out}");
    assert_eq!(field(&out, "artist:"), "Fixture Artist", "{out}");
    assert!(out.contains("#0 audio: mp3, 44100 Hz, 2 ch"), "{out}");

    let o = run(&["info", &path("mkv_video_2audio.mkv")]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert!(out.contains("#0 video"), "{out}");
    assert!(out.contains("#1 audio: flac, 44100 Hz, 2 ch"), "{out}");
    assert!(out.contains("#2 audio: flac, 48000 Hz, 1 ch"), "{out}");
}

#[test]
fn info_json_prints_an_array_with_one_object_per_file() {
    let a = path("wav_s16_stereo_44100.wav");
    let b = path("flac_24_mono_96000.flac");
    let o = run(&["info", "--json", &a, &b]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    let trimmed = out.trim();
    assert!(trimmed.starts_with('[') && trimmed.ends_with(']'), "{out}");
    // One top-level object per file, in order.
    assert_eq!(out.matches("\"path\":").count(), 2, "{out}");
    let (ia, ib) = (
        out.find(&format!("\"path\": \"{a}\"")),
        out.find(&format!("\"path\": \"{b}\"")),
    );
    assert!(ia.is_some() && ib.is_some() && ia < ib, "{out}");
    for needle in [
        "\"sample_rate\": 44100",
        "\"num_channels\": 2",
        "\"codec\": \"pcm_s16le\"",
        "\"num_frames\": 22050",
        "\"sample_rate\": 96000",
        "\"num_channels\": 1",
        "\"codec\": \"flac\"",
        "\"num_frames\": 144000",
        "\"media_type\": \"audio\"",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
    // JSON mode prints nothing else on stdout.
    assert!(!out.contains("sample rate:"), "{out}");
}

#[test]
fn missing_file_exits_1_naming_the_file() {
    let missing = "/no/such/dir/missing_file.flac";
    let o = run(&["info", missing]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains(missing))
        .unwrap_or_else(|| panic!("no stderr line names the file:\n{err}"));
    assert!(
        line.contains("No such file") || line.contains("not found"),
        "{line}"
    );
    assert!(stdout(&o).is_empty(), "stdout: {}", stdout(&o));
}

/// The brief asks for one clear error line. Today a single missing file gives two: the
/// per-file line, then a summary "audiostream: error: could not read 1 of 1 files".
#[test]
fn missing_file_prints_one_error_line() {
    let o = run(&["info", "/no/such/dir/missing_file.flac"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "stderr:\n{err}");
    assert!(lines[0].contains("missing_file.flac"), "{err}");
}

#[test]
fn one_bad_file_among_good_ones_still_describes_the_good_ones() {
    let good = path("wav_s16_stereo_44100.wav");
    let bad = path("random_bytes.bin");
    let o = run(&["info", &good, &bad]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stdout(&o).contains("pcm_s16le"), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("random_bytes.bin") && err.contains("not a recognised"),
        "{err}"
    );
    assert!(!err.contains("wav_s16_stereo_44100.wav"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let o = run(&["info"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        stderr(&o).to_lowercase().contains("usage"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());

    let o = run(&["frobnicate", "x.wav"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stderr(&o).contains("frobnicate"), "{}", stderr(&o));

    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");

    let o = run(&["info", "--no-such-flag", &path("wav_s16_stereo_44100.wav")]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
}

#[test]
fn help_and_version_exit_0() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = stdout(&o);
    assert!(
        out.contains("info") && out.to_lowercase().contains("usage"),
        "{out}"
    );

    let o = run(&["info", "--help"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(stdout(&o).contains("--json"), "{}", stdout(&o));

    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(
        stdout(&o).contains(env!("CARGO_PKG_VERSION")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn raw_pcm_with_format_and_options() {
    let raw = path("raw_s16le_stereo_44100.raw");
    let o = run(&[
        "info",
        "-f",
        "s16le",
        "-o",
        "sample_rate=44100",
        "-o",
        "channels=2",
        &raw,
    ]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "format:"), "s16le", "{out}");
    assert_eq!(field(&out, "codec:"), "pcm_s16le", "{out}");
    assert_eq!(field(&out, "sample rate:"), "44100 Hz", "{out}");
    assert_eq!(field(&out, "channels:"), "2", "{out}");
    assert!(field(&out, "duration:").contains("22050 frames"), "{out}");

    // Long forms and JSON work too.
    let o = run(&[
        "info",
        "--json",
        "--format",
        "f32le",
        "--option",
        "sample_rate=16000",
        &path("raw_f32le_mono_16000.raw"),
    ]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert!(
        out.contains("\"sample_rate\": 16000") && out.contains("\"num_frames\": 8000"),
        "{out}"
    );
}

#[test]
fn bad_raw_options_exit_1_with_a_clear_message() {
    let raw = path("raw_s16le_stereo_44100.raw");
    // No sample rate.
    let o = run(&["info", "-f", "s16le", &raw]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).contains("sample_rate"), "{}", stderr(&o));
    // Not KEY=VALUE.
    let o = run(&["info", "-f", "s16le", "-o", "sample_rate", &raw]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).contains("KEY=VALUE"), "{}", stderr(&o));
    // Unknown key.
    let o = run(&[
        "info",
        "-f",
        "s16le",
        "-o",
        "sample_rate=8000",
        "-o",
        "speed=2",
        &raw,
    ]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).contains("speed"), "{}", stderr(&o));
    // Unknown format.
    let o = run(&["info", "-f", "xyz", &raw]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        stderr(&o).contains("xyz") && stderr(&o).contains("s16le"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn info_reads_stdin() {
    use std::io::Write;
    use std::process::Stdio;
    let bytes = std::fs::read(fixture("flac_16_stereo_44100.flac")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(["info", "-"])
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // The tool may stop reading once it has the header: a broken pipe is fine.
        let _ = stdin.write_all(&bytes);
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "codec:"), "flac", "{out}");
    assert_eq!(field(&out, "sample rate:"), "44100 Hz", "{out}");
    assert_eq!(field(&out, "channels:"), "2", "{out}");
}
