//! `audiostream decode`: any input to WAV/FLAC, to files or stdout.

use crate::common;

use common::oracle::fixture;
use common::signals::{ffmpeg_raw, TempDir};
use std::path::Path;
use std::process::Command;

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_audiostream"))
}

/// Decoding a 16-bit FLAC to WAV on stdout gives exactly FFmpeg's decode of the FLAC.
#[test]
fn decode_to_stdout_is_a_wav_ffmpeg_reads() {
    let src = fixture("flac_16_stereo_44100.flac");
    let out = cli()
        .args(["decode", src.to_str().unwrap(), "-", "--to", "wav"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let piped = ffmpeg_raw(Path::new("pipe:0"), Some(&out.stdout), "s16le");
    assert!(piped == ffmpeg_raw(&src, None, "s16le"), "samples differ");
}

/// To a file, in the container its extension names; tags are carried over.
#[test]
fn decode_to_files() {
    let dir = TempDir::new("cli-decode");
    let src = fixture("mp3_cbr128_stereo_44100.mp3");
    for name in ["x.wav", "x.flac"] {
        let dst = dir.path(name);
        let out = cli()
            .args(["decode", src.to_str().unwrap(), dst.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let reader = common::ours::open(&dst, None, None);
        let m = reader.get_metadata();
        assert_eq!(
            (m.sample_rate, m.num_channels, m.num_frames),
            (44100, 2, Some(88200)),
            "{name}"
        );
        assert_eq!(
            m.tags.get("title").map(String::as_str),
            Some("Fixture Title"),
            "{name}"
        );
    }
}

#[test]
fn decode_errors_exit_1_with_one_line() {
    let out = cli()
        .args(["decode", "/nonexistent.flac", "/tmp/x.wav"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent.flac"), "{err}");
    let out = cli().args(["decode", "a"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
