//! `audiostream convert`: every fixture to every output format with rate, channels and codec
//! settings (ffprobe and FFmpeg as oracles), exact `--start`/`--duration` cuts, stdin/stdout,
//! tags, the summary line, usage errors (exit 2, one line) and bad inputs (exit 1, one line, no
//! output left behind).

mod common;

use common::oracle::{fixture, snr_db};
use common::signals::{ffmpeg_raw, ffprobe_value, TempDir};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Every audio fixture we read (the error-path fixtures aside).
const INPUTS: &[&str] = &[
    "wav_s16_stereo_44100.wav",
    "wav_s24_mono_48000.wav",
    "wav_f32_stereo_22050.wav",
    "flac_16_stereo_44100.flac",
    "flac_24_mono_96000.flac",
    "mp3_cbr128_stereo_44100.mp3",
    "mp3_vbr_v2_mono_44100.mp3",
    "vorbis_q5_stereo_44100.ogg",
    "aac_stereo_44100.m4a",
    "mkv_video_2audio.mkv",
    "aiff_s16_stereo_44100.aiff",
    "caf_s16_stereo_44100.caf",
    "mp3_notag_cbr128_stereo_44100.mp3",
    "mp3_mode_change_44100.mp3",
    "wav_s24in32_alsa_stereo_48000.wav",
    "wav_s24in32_alsa_stereo_48000.ref.flac",
    "flac_bad_comment_16_stereo_44100.flac",
    "flac_channels_change_44100.flac",
    "aac_fragmented_stereo_44100.m4a",
    "vorbis_chained_rate_change.ogg",
];

/// Fixtures that exist to be rejected.
const BAD_INPUTS: &[&str] = &["text_named.mp3", "empty.wav"];

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run the audiostream binary")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The non-empty lines of stderr.
fn stderr_lines(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn fx(name: &str) -> String {
    s(&fixture(name)).to_string()
}

/// Frames our reader decodes from `path` (its default audio stream) and its rate.
fn our_frames(path: &Path) -> (u64, u32) {
    let reader = common::ours::open(path, None, None);
    let rate = reader.get_metadata().sample_rate;
    let channels = common::ours::decode_reader(reader, None);
    (channels[0].len() as u64, rate)
}

/// Frames FFmpeg decodes from `path`, as 16-bit samples with `channels` channels.
fn ffmpeg_frames(path: &Path, channels: usize) -> u64 {
    (ffmpeg_raw(path, None, "s16le").len() / (2 * channels)) as u64
}

/// Converts `input` to `out` with `args`, asserting success.
fn convert(input: &str, out: &Path, args: &[&str]) -> Output {
    let mut all = vec!["convert", input, s(out)];
    all.extend_from_slice(args);
    let o = run(&all);
    assert!(
        o.status.success(),
        "convert {input} -> {} {args:?} failed: {}",
        out.display(),
        stderr(&o)
    );
    o
}

#[test]
fn the_input_list_covers_every_audio_fixture() {
    let mut found: Vec<String> = std::fs::read_dir(fixture("README.md").parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            let ext = n.rsplit('.').next().unwrap_or("");
            ["wav", "flac", "mp3", "ogg", "m4a", "mkv", "aiff", "caf"].contains(&ext)
        })
        .filter(|n| !BAD_INPUTS.contains(&n.as_str()))
        .collect();
    found.sort();
    let mut listed: Vec<String> = INPUTS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed);
}

/// Converts every fixture to `container` with `args` and checks what ffprobe and FFmpeg see.
fn every_input_to(container: &str, args: &[&str], expect: (&str, u32, usize, Option<&str>)) {
    let (codec, rate, channels, bit_rate) = expect;
    let dir = TempDir::new(&format!("convert-all-{container}"));
    for name in INPUTS {
        let input = fixture(name);
        let out = dir.path(&format!("{name}.{container}"));
        let o = convert(s(&input), &out, args);
        let ctx = format!("{name} -> {container} {args:?}");
        assert_eq!(ffprobe_value(&out, "stream=codec_name"), codec, "{ctx}");
        assert_eq!(
            ffprobe_value(&out, "stream=sample_rate"),
            rate.to_string(),
            "{ctx}"
        );
        assert_eq!(
            ffprobe_value(&out, "stream=channels"),
            channels.to_string(),
            "{ctx}"
        );
        if let Some(b) = bit_rate {
            assert_eq!(ffprobe_value(&out, "stream=bit_rate"), b, "{ctx}");
        }
        // Exactly the input's length at the new rate (MP3 too: the LAME tag makes FFmpeg
        // gapless).
        let (frames, in_rate) = our_frames(&input);
        let expected = audiostream::output_frames(in_rate, rate, frames);
        assert_eq!(ffmpeg_frames(&out, channels), expected, "{ctx}");
        // One summary line, naming the output and its frames (after the one warning of a
        // stream whose channel count changes mid-stream, or of a damaged metadata block).
        let lines = stderr_lines(&o);
        let warns = name.contains("change") || name.contains("bad_comment");
        assert_eq!(lines.len(), 1 + usize::from(warns), "{ctx}: {lines:?}");
        if warns {
            assert!(
                lines[0].contains("mid-stream") || lines[0].contains("metadata block"),
                "{ctx}: {lines:?}"
            );
        }
        let summary = lines.last().expect("a summary line");
        assert!(
            summary.starts_with("audiostream: wrote ")
                && summary.contains(&format!("{expected} frames"))
                && summary.contains("x realtime"),
            "{ctx}: {lines:?}"
        );
    }
}

#[test]
fn every_input_to_wav_48000_mono_s24() {
    every_input_to(
        "wav",
        &[
            "--rate",
            "48000",
            "--channels",
            "1",
            "--sample-format",
            "s24",
        ],
        ("pcm_s24le", 48000, 1, None),
    );
}

#[test]
fn every_input_to_flac_22050_stereo() {
    every_input_to(
        "flac",
        &[
            "--rate",
            "22050",
            "--channels",
            "2",
            "--compression-level",
            "8",
        ],
        ("flac", 22050, 2, None),
    );
}

#[test]
fn every_input_to_mp3_22050_mono_96k() {
    every_input_to(
        "mp3",
        &["--rate", "22050", "--channels", "1", "--bitrate", "96k"],
        ("mp3", 22050, 1, Some("96000")),
    );
}

#[test]
fn without_settings_rate_channels_and_lossless_bit_depth_are_kept() {
    let dir = TempDir::new("convert-defaults");
    for (name, rate, channels, bits) in [
        ("wav_s16_stereo_44100.wav", 44100, 2, "16"),
        ("wav_s24_mono_48000.wav", 48000, 1, "24"),
        ("flac_24_mono_96000.flac", 96000, 1, "24"),
        ("mp3_vbr_v2_mono_44100.mp3", 44100, 1, "16"),
    ] {
        let out = dir.path(&format!("{name}.flac"));
        convert(&fx(name), &out, &[]);
        assert_eq!(
            ffprobe_value(&out, "stream=sample_rate"),
            rate.to_string(),
            "{name}"
        );
        assert_eq!(
            ffprobe_value(&out, "stream=channels"),
            channels.to_string(),
            "{name}"
        );
        assert_eq!(
            ffprobe_value(&out, "stream=bits_per_raw_sample"),
            bits,
            "{name}"
        );
    }
    // A 24-bit FLAC becomes a 24-bit WAV, bit for bit.
    let out = dir.path("24.wav");
    convert(&fx("flac_24_mono_96000.flac"), &out, &[]);
    assert_eq!(ffprobe_value(&out, "stream=codec_name"), "pcm_s24le");
    assert!(
        ffmpeg_raw(&out, None, "s32le")
            == ffmpeg_raw(&fixture("flac_24_mono_96000.flac"), None, "s32le")
    );
    // A float WAV stays float.
    let out = dir.path("f32.wav");
    convert(&fx("wav_f32_stereo_22050.wav"), &out, &[]);
    assert_eq!(ffprobe_value(&out, "stream=codec_name"), "pcm_f32le");
    assert!(
        ffmpeg_raw(&out, None, "f32le")
            == ffmpeg_raw(&fixture("wav_f32_stereo_22050.wav"), None, "f32le")
    );
}

#[test]
fn codec_quality_and_bitrate_forms() {
    let dir = TempDir::new("convert-codec");
    let input = fx("flac_16_stereo_44100.flac");
    // --codec picks the WAV PCM codec.
    let out = dir.path("a.wav");
    convert(&input, &out, &["--codec", "pcm_f32le"]);
    assert_eq!(ffprobe_value(&out, "stream=codec_name"), "pcm_f32le");
    // --bitrate forms.
    for (form, bps) in [
        ("128000", "128000"),
        ("192k", "192000"),
        ("0.32M", "320000"),
    ] {
        let out = dir.path(&format!("{form}.mp3"));
        convert(&input, &out, &["--bitrate", form]);
        assert_eq!(ffprobe_value(&out, "stream=bit_rate"), bps, "{form}");
    }
    // --quality: VBR (a Xing header, not Info) and smaller at -V 9 than at -V 0.
    let v0 = dir.path("v0.mp3");
    let v9 = dir.path("v9.mp3");
    convert(&input, &v0, &["--quality", "0"]);
    convert(&input, &v9, &["--quality", "9", "--compression-level", "7"]);
    let (b0, b9) = (std::fs::read(&v0).unwrap(), std::fs::read(&v9).unwrap());
    assert!(b0.windows(4).any(|w| w == b"Xing"), "no Xing header");
    assert!(b9.len() < b0.len(), "{} vs {}", b9.len(), b0.len());
    // --compression-level for FLAC: 0 is bigger than 8, and both are lossless.
    let (c0, c8) = (dir.path("c0.flac"), dir.path("c8.flac"));
    convert(&input, &c0, &["--compression-level", "0"]);
    convert(&input, &c8, &["--compression-level", "8"]);
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    assert!(size(&c0) > size(&c8), "{} vs {}", size(&c0), size(&c8));
    let pcm = ffmpeg_raw(&fixture("flac_16_stereo_44100.flac"), None, "s16le");
    assert!(ffmpeg_raw(&c0, None, "s16le") == pcm);
    assert!(ffmpeg_raw(&c8, None, "s16le") == pcm);
    // --to overrides the extension.
    let out = dir.path("flac_named.wav");
    convert(&input, &out, &["--to", "flac"]);
    assert_eq!(ffprobe_value(&out, "stream=codec_name"), "flac");
}

/// `--start`/`--duration` cut exactly: the output is FFmpeg's decode of the input from frame
/// `round(start * rate)` for `round(duration * rate)` frames, bit for bit.
#[test]
fn start_and_duration_cut_lossless_input_exactly() {
    let dir = TempDir::new("convert-cut");
    // (input, --start, --duration, first frame, frames): cut from the input's own samples.
    let cases: &[(&str, &str, &str, u64, u64)] = &[
        ("flac_16_stereo_44100.flac", "0.25", "0.5", 11025, 22050),
        ("flac_16_stereo_44100.flac", "0:00.1", "1", 4410, 44100),
        // 0.1234 s * 48000 = 5923.2 -> 5923; 0.2 s = 9600 frames.
        ("wav_s24_mono_48000.wav", "0.1234", "0.2", 5923, 9600),
        // Past the end: what there is.
        ("wav_s16_stereo_44100.wav", "0.4", "10", 17640, 4410),
        ("aiff_s16_stereo_44100.aiff", "0", "0.01", 0, 441),
    ];
    for &(name, start, duration, first, frames) in cases {
        let input = fixture(name);
        // 24-bit audio compares as FFmpeg's s32, the rest as s16.
        let (raw, bps) = if name.contains("s24") {
            ("s32le", 4)
        } else {
            ("s16le", 2)
        };
        let ch = if name.contains("mono") { 1 } else { 2 };
        let reference = ffmpeg_raw(&input, None, raw);
        let bytes_per_frame = bps * ch;
        let from = first as usize * bytes_per_frame;
        let to = from + frames as usize * bytes_per_frame;
        for container in ["wav", "flac"] {
            let out = dir.path(&format!("{name}.{start}.{container}"));
            convert(s(&input), &out, &["--start", start, "--duration", duration]);
            let got = ffmpeg_raw(&out, None, raw);
            assert_eq!(
                got.len() / bytes_per_frame,
                frames as usize,
                "{name} -> {container} --start {start} --duration {duration}"
            );
            assert!(
                got == reference[from..to],
                "{name} -> {container} --start {start}: samples differ"
            );
        }
    }
}

/// Lossy input: the cut has the exact length, and matches FFmpeg's decode from that frame.
#[test]
fn start_and_duration_cut_lossy_input_at_the_exact_frame() {
    let dir = TempDir::new("convert-cut-lossy");
    for name in ["mp3_cbr128_stereo_44100.mp3", "vorbis_q5_stereo_44100.ogg"] {
        let input = fixture(name);
        let out = dir.path(&format!("{name}.wav"));
        convert(
            s(&input),
            &out,
            &[
                "--start",
                "0.7",
                "--duration",
                "0.5",
                "--sample-format",
                "f32",
            ],
        );
        let got = ffmpeg_raw(&out, None, "f32le");
        let reference = ffmpeg_raw(&input, None, "f32le");
        let (first, frames) = (30870usize, 22050usize);
        assert_eq!(got.len(), frames * 8, "{name}");
        let floats = |b: &[u8]| -> Vec<f32> {
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };
        let snr = snr_db(
            &floats(&reference[first * 8..(first + frames) * 8]),
            &floats(&got),
        );
        assert!(
            snr > 80.0,
            "{name}: SNR {snr:.1} dB against FFmpeg's decode"
        );
    }
}

#[test]
fn stdin_to_stdout() {
    let bytes = std::fs::read(fixture("wav_s16_stereo_44100.wav")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(["convert", "-", "-", "--to", "flac"])
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&bytes);
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(&o.stdout[..4], b"fLaC");
    let decoded = ffmpeg_raw(Path::new("pipe:0"), Some(&o.stdout), "s16le");
    assert!(decoded == ffmpeg_raw(&fixture("wav_s16_stereo_44100.wav"), None, "s16le"));
    // The summary counts the bytes that went to stdout.
    let lines = stderr_lines(&o);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("wrote stdout (flac"), "{lines:?}");
}

#[test]
fn tags_are_carried_over_and_quiet_prints_nothing() {
    let dir = TempDir::new("convert-tags");
    for container in ["wav", "flac", "mp3"] {
        let out = dir.path(&format!("tagged.{container}"));
        let o = convert(&fx("mp3_cbr128_stereo_44100.mp3"), &out, &["-q"]);
        assert!(o.stderr.is_empty(), "{}", stderr(&o));
        let tag = |k: &str| {
            let v = ffprobe_value(&out, &format!("format_tags={k}"));
            if v.is_empty() {
                ffprobe_value(&out, &format!("stream_tags={k}"))
            } else {
                v
            }
        };
        assert_eq!(tag("title"), "Fixture Title", "{container}");
        assert_eq!(tag("artist"), "Fixture Artist", "{container}");
        // The input's encoder tag (LAME) is not carried over (MP3 output gets LAME's own).
        if container != "mp3" {
            assert!(!tag("encoder").contains("LAME"), "{container}");
        }
    }
}

#[test]
fn bad_values_are_usage_errors_with_one_line() {
    let dir = TempDir::new("convert-usage");
    let input = fx("wav_s16_stereo_44100.wav");
    let cases: &[(&str, &[&str], &str)] = &[
        ("out.wav", &["--rate", "0"], "--rate"),
        ("out.wav", &["--rate", "abc"], "--rate"),
        ("out.wav", &["--rate", "-8000"], "--rate"),
        ("out.wav", &["--channels", "0"], "--channels"),
        ("out.wav", &["--channels", "two"], "--channels"),
        ("out.mp3", &["--bitrate", "abc"], "--bitrate"),
        ("out.mp3", &["--bitrate", "128q"], "--bitrate"),
        ("out.mp3", &["--quality", "best"], "--quality"),
        ("out.wav", &["--sample-format", "s8"], "--sample-format"),
        ("out.wav", &["--start", "-1"], "--start"),
        ("out.wav", &["--duration", "soon"], "--duration"),
        ("out.wav", &["--to", "ogg"], "--to"),
        // Values the output format cannot take, found before anything is written.
        ("out.wav", &["--bitrate", "128k"], "bitrate"),
        ("out.mp3", &["--bitrate", "100k"], "bitrate"),
        ("out.mp3", &["--rate", "96000"], "96000"),
        ("out.mp3", &["--quality", "12"], "quality"),
        ("out.mp3", &["--sample-format", "s24"], "sample-format"),
        ("out.flac", &["--sample-format", "f32"], "sample-format"),
        (
            "out.flac",
            &["--compression-level", "42"],
            "compression-level",
        ),
        ("out.wav", &["--codec", "opus"], "opus"),
        ("out.ogg", &[], "out.ogg"),
        ("out.wav", &["-o", "sample_rate"], "KEY=VALUE"),
    ];
    for (out, args, needle) in cases {
        let out = dir.path(out);
        let mut all = vec!["convert", &input, s(&out)];
        all.extend_from_slice(args);
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let lines = stderr_lines(&o);
        assert_eq!(lines.len(), 1, "{args:?}: {lines:?}");
        assert!(
            lines[0].starts_with("audiostream: error: ") && lines[0].contains(needle),
            "{args:?}: {lines:?}"
        );
        assert!(!out.exists(), "{args:?} left {}", out.display());
    }
    // stdout needs --to.
    let o = run(&["convert", &input, "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--to"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn usage_errors_exit_2_with_clap_message() {
    let o = run(&["convert", "only_one_arg.wav"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("Usage"), "{}", stderr(&o));
    // --bitrate (CBR) and --quality (VBR) exclude each other.
    let o = run(&[
        "convert",
        &fx("wav_s16_stereo_44100.wav"),
        "x.mp3",
        "--bitrate",
        "128k",
        "--quality",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    let o = run(&["convert", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8_lossy(&o.stdout);
    for flag in [
        "--rate",
        "--channels",
        "--bitrate",
        "--start",
        "--keep-partial",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}

/// A FLAC header followed by bytes that are no FLAC frames (deterministic).
fn header_then_junk(dir: &TempDir) -> PathBuf {
    let flac = std::fs::read(fixture("flac_16_stereo_44100.flac")).unwrap();
    let mut bytes = flac[..9000].to_vec();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..60_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x >> 24) as u8);
    }
    let path = dir.path("junk.flac");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Asserts exit 1, one error line naming `name` (after what the demuxer warned about the
/// damaged file, if anything), and no file at `out`.
fn assert_fails_cleanly(o: &Output, name: &str, out: &Path) {
    assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(o));
    let lines = stderr_lines(o);
    let (last, before) = lines.split_last().expect("an error line");
    assert!(
        last.starts_with("audiostream: error: ") && last.contains(name),
        "{name}: {lines:?}"
    );
    assert!(
        before.len() <= 2
            && before
                .iter()
                .all(|l| l.starts_with("audiostream: warning: ")),
        "{name}: {lines:?}"
    );
    assert!(!out.exists(), "{name}: {} was left behind", out.display());
}

#[test]
fn bad_input_exits_1_with_one_line_and_no_output() {
    let dir = TempDir::new("convert-bad");
    let truncated = dir.path("truncated.flac");
    let flac = std::fs::read(fixture("flac_16_stereo_44100.flac")).unwrap();
    std::fs::write(&truncated, &flac[..100]).unwrap();
    let junk = header_then_junk(&dir);
    let inputs = [
        fixture("text_named.mp3"),
        fixture("empty.wav"),
        fixture("random_bytes.bin"),
        truncated,
        junk.clone(),
        PathBuf::from("/no/such/file.flac"),
    ];
    for input in &inputs {
        let name = input.file_name().unwrap().to_str().unwrap();
        for container in ["wav", "flac", "mp3"] {
            let out = dir.path(&format!("out.{container}"));
            let o = run(&["convert", s(input), s(&out)]);
            assert_fails_cleanly(&o, name, &out);
        }
    }
    // The junk file opens (the output is created) and fails later: --keep-partial keeps what
    // was written.
    let out = dir.path("kept.wav");
    let o = run(&["convert", s(&junk), s(&out), "--keep-partial"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out.exists(), "--keep-partial did not keep the output");
}

#[test]
fn a_file_truncated_mid_stream_converts_what_is_there_with_one_warning() {
    let dir = TempDir::new("convert-truncated");
    let input = dir.path("half.flac");
    let flac = std::fs::read(fixture("flac_16_stereo_44100.flac")).unwrap();
    std::fs::write(&input, &flac[..flac.len() / 2]).unwrap();
    let out = dir.path("half.wav");
    let o = convert(s(&input), &out, &[]);
    let lines = stderr_lines(&o);
    // Our warning, once (the FLAC demuxer may say what it expected as well), then the summary.
    let (last, warnings) = lines.split_last().expect("a summary line");
    assert!(last.starts_with("audiostream: wrote "), "{lines:?}");
    assert!(warnings.len() <= 2, "{lines:?}");
    assert!(warnings
        .iter()
        .all(|l| l.starts_with("audiostream: warning: ")));
    assert_eq!(
        warnings.iter().filter(|l| l.contains("truncated")).count(),
        1,
        "{lines:?}"
    );
    let frames = ffmpeg_frames(&out, 2);
    assert!(frames > 0 && frames < 66150, "{frames}");
}

#[test]
fn output_errors_exit_1_and_devices_are_never_deleted() {
    let dir = TempDir::new("convert-out");
    let input = fx("wav_s16_stereo_44100.wav");
    // A directory that does not exist.
    let out = dir.path("no/such/dir/out.wav");
    let o = run(&["convert", &input, s(&out)]);
    assert_fails_cleanly(&o, "out.wav", &out);
    // The input as the output: refused, the input untouched.
    let copy = dir.path("copy.wav");
    std::fs::copy(fixture("wav_s16_stereo_44100.wav"), &copy).unwrap();
    let o = run(&["convert", s(&copy), s(&copy)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(fixture("wav_s16_stereo_44100.wav")).unwrap()
    );
    // /dev/null works as an output, and a failure does not delete it.
    if Path::new("/dev/null").exists() {
        let o = run(&["convert", &input, "/dev/null", "--to", "wav"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let junk = header_then_junk(&dir);
        let o = run(&["convert", s(&junk), "/dev/null", "--to", "wav"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(Path::new("/dev/null").exists(), "/dev/null was deleted");
    }
}

#[test]
fn raw_pcm_input_with_format_options() {
    let dir = TempDir::new("convert-raw");
    let out = dir.path("raw.flac");
    convert(
        &fx("raw_s16le_stereo_44100.raw"),
        &out,
        &["-f", "s16le", "-o", "sample_rate=44100", "-o", "channels=2"],
    );
    assert!(
        ffmpeg_raw(&out, None, "s16le")
            == std::fs::read(fixture("raw_s16le_stereo_44100.raw")).unwrap()
    );
}

#[test]
fn decode_is_convert_to_wav() {
    let dir = TempDir::new("convert-decode");
    // No recognised extension: WAV.
    let out = dir.path("decoded.pcm");
    let o = run(&["decode", &fx("vorbis_q5_stereo_44100.ogg"), s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(ffprobe_value(&out, "stream=codec_name"), "pcm_s16le");
    assert_eq!(ffmpeg_frames(&out, 2), 88200);
    assert!(
        stderr(&o).starts_with("audiostream: wrote "),
        "{}",
        stderr(&o)
    );
    // The same failure handling.
    let out = dir.path("bad.wav");
    let o = run(&["decode", &fx("text_named.mp3"), s(&out)]);
    assert_fails_cleanly(&o, "text_named.mp3", &out);
}

#[test]
fn demo_converts_the_bundled_file_from_any_directory() {
    let cwd = TempDir::new("convert-demo-cwd");
    let o = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .arg("demo")
        .current_dir(&cwd.0)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    let dir = std::env::temp_dir().join("audiostream-demo");
    for needle in [
        "vorbis_q5_stereo_44100.ogg",
        "ogg / vorbis, 44100 Hz, 2 ch, 2.000 s (88200 frames)",
        "mp3 128 kb/s, 48000 Hz, 2 ch: 96000 frames",
        "flac 16-bit, 48000 Hz, 2 ch: 96000 frames",
        "x realtime",
        &format!("The files are in {}", dir.display()),
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    let mp3 = dir.join("demo.mp3");
    let flac = dir.join("demo.flac");
    assert_eq!(ffprobe_value(&mp3, "stream=sample_rate"), "48000");
    assert_eq!(ffprobe_value(&mp3, "stream=bit_rate"), "128000");
    assert_eq!(ffmpeg_frames(&mp3, 2), 96000);
    assert_eq!(ffprobe_value(&flac, "stream=codec_name"), "flac");
    assert_eq!(ffprobe_value(&flac, "stream=sample_rate"), "48000");
    assert_eq!(ffmpeg_frames(&flac, 2), 96000);
    // Nothing was written where it ran.
    assert_eq!(std::fs::read_dir(&cwd.0).unwrap().count(), 0);
}
