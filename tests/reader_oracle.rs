//! Every fixture format decodes to what FFmpeg decodes: bit for bit for PCM and FLAC, within a
//! measured SNR and with the same length for lossy codecs.

mod common;

use audiostream::StreamReader;
use common::oracle::{best_lag, ffmpeg_decode, fixture, snr_db};
use common::ours;

/// How our decode must relate to FFmpeg's.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Same length, every sample bit-identical.
    Exact,
    /// Same length, aligned at lag 0, each channel at least this SNR (dB).
    Lossy(f64),
    /// Not gapless in the same way: we deliver `ours_head` frames at the start and `ours_tail`
    /// at the end that FFmpeg drops, and FFmpeg delivers `theirs_tail` at the end that we drop.
    /// The rest is aligned, with at least `min_snr` dB.
    Trimmed {
        ours_head: usize,
        ours_tail: usize,
        theirs_tail: usize,
        min_snr: f64,
    },
}

/// (fixture, our stream index, FFmpeg's audio index, expectation)
const CASES: &[(&str, Option<usize>, usize, Expect)] = &[
    ("wav_s16_stereo_44100.wav", None, 0, Expect::Exact),
    ("wav_s24_mono_48000.wav", None, 0, Expect::Exact),
    ("wav_f32_stereo_22050.wav", None, 0, Expect::Exact),
    ("flac_16_stereo_44100.flac", None, 0, Expect::Exact),
    ("flac_24_mono_96000.flac", None, 0, Expect::Exact),
    ("aiff_s16_stereo_44100.aiff", None, 0, Expect::Exact),
    ("caf_s16_stereo_44100.caf", None, 0, Expect::Exact),
    ("mkv_video_2audio.mkv", Some(1), 0, Expect::Exact),
    ("mkv_video_2audio.mkv", Some(2), 1, Expect::Exact),
    // Measured 124.8 dB (symphonia's and FFmpeg's float MP3 decoders differ in rounding only).
    ("mp3_cbr128_stereo_44100.mp3", None, 0, Expect::Lossy(120.0)),
    // Measured 125.1 dB.
    ("mp3_vbr_v2_mono_44100.mp3", None, 0, Expect::Lossy(120.0)),
    // Measured 138.0 dB.
    ("vorbis_q5_stereo_44100.ogg", None, 0, Expect::Lossy(130.0)),
    (
        "aac_stereo_44100.m4a",
        None,
        0,
        // The MP4 edit list says: drop the encoder's 1024 priming frames (as FFmpeg does) and
        // end after 88200 frames. FFmpeg 5.1 also decodes the 888 padding frames of the last
        // AAC block. Measured 134.3 dB.
        Expect::Trimmed {
            ours_head: 0,
            ours_tail: 0,
            theirs_tail: 888,
            min_snr: 130.0,
        },
    ),
    // No Xing/LAME tag: every frame, as FFmpeg (nothing says where the padding is).
    (
        "mp3_notag_cbr128_stereo_44100.mp3",
        None,
        0,
        Expect::Lossy(120.0),
    ),
    (
        "flac_bad_comment_16_stereo_44100.flac",
        None,
        0,
        Expect::Exact,
    ),
];

fn check(name: &str, ours_planar: &[Vec<f32>], theirs: &[Vec<f32>], expect: Expect) {
    assert_eq!(ours_planar.len(), theirs.len(), "{name}: channel count");
    for (ch, (a, b)) in ours_planar.iter().zip(theirs).enumerate() {
        match expect {
            Expect::Exact => {
                assert_eq!(a.len(), b.len(), "{name} ch{ch}: frame count");
                let first_diff = a
                    .iter()
                    .zip(b)
                    .position(|(x, y)| x.to_bits() != y.to_bits());
                assert_eq!(first_diff, None, "{name} ch{ch}: first differing frame");
            }
            Expect::Lossy(min_snr) => {
                assert_eq!(a.len(), b.len(), "{name} ch{ch}: frame count (gapless)");
                assert_eq!(best_lag(b, a, 2000), 0, "{name} ch{ch}: alignment");
                let snr = snr_db(b, a);
                assert!(
                    snr >= min_snr,
                    "{name} ch{ch}: SNR {snr:.1} dB < {min_snr} dB"
                );
            }
            Expect::Trimmed {
                ours_head,
                ours_tail,
                theirs_tail,
                min_snr,
            } => {
                assert_eq!(
                    a.len() - ours_head - ours_tail,
                    b.len() - theirs_tail,
                    "{name} ch{ch}: frame count"
                );
                let a = &a[..a.len() - ours_tail];
                let b = &b[..b.len() - theirs_tail];
                assert_eq!(
                    best_lag(b, a, 3000),
                    ours_head as isize,
                    "{name} ch{ch}: lag"
                );
                let snr = snr_db(b, &a[ours_head..]);
                eprintln!("{name} ch{ch}: SNR {snr:.1} dB");
                assert!(
                    snr >= min_snr,
                    "{name} ch{ch}: SNR {snr:.1} dB < {min_snr} dB"
                );
            }
        }
    }
}

#[test]
fn every_fixture_format_decodes_like_ffmpeg() {
    for &(name, stream, ff_index, expect) in CASES {
        let path = fixture(name);
        let theirs = ffmpeg_decode(&path, ff_index, &[]);
        let ours_planar = ours::decode(&path, stream);
        check(name, &ours_planar, &theirs.channels, expect);
    }
}

#[test]
fn raw_pcm_decodes_like_ffmpeg() {
    let cases = [
        ("raw_s16le_stereo_44100.raw", "s16le", 44100, 2),
        ("raw_f32le_mono_16000.raw", "f32le", 16000, 1),
    ];
    for (name, format, rate, channels) in cases {
        let path = fixture(name);
        let (rate_s, ch_s) = (rate.to_string(), channels.to_string());
        let args = ["-f", format, "-ar", rate_s.as_str(), "-ac", ch_s.as_str()];
        let theirs = ffmpeg_decode(&path, 0, &args);
        let ours_planar = ours::decode_raw(&path, format, rate, channels);
        check(name, &ours_planar, &theirs.channels, Expect::Exact);
    }
}

/// Every raw sample format, made by FFmpeg from the s16 WAV fixture, read back bit-exact.
#[test]
fn every_raw_sample_format_matches_ffmpeg() {
    let dir = std::env::temp_dir().join(format!("audiostream-raw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = fixture("wav_s16_stereo_44100.wav");
    for (format, codec) in [
        ("s16le", "pcm_s16le"),
        ("s24le", "pcm_s24le"),
        ("s32le", "pcm_s32le"),
        ("f32le", "pcm_f32le"),
        ("f64le", "pcm_f64le"),
        ("u8", "pcm_u8"),
    ] {
        let raw = dir.join(format!("x.{format}"));
        let status = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-nostdin", "-y", "-i"])
            .arg(&src)
            .args(["-f", format, "-acodec", codec])
            .arg(&raw)
            .status()
            .expect("ffmpeg runs");
        assert!(status.success());
        let theirs = ffmpeg_decode(&raw, 0, &["-f", format, "-ar", "44100", "-ac", "2"]);
        let ours_planar = ours::decode_raw(&raw, format, 44100, 2);
        check(format, &ours_planar, &theirs.channels, Expect::Exact);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Memory (`Read + Seek`) and non-seekable streams give exactly what the path gives.
/// MP4 with its index (moov) after the audio and CAF cannot be read from a pipe (symphonia's
/// demuxers need to seek there): they fail with an error that says so.
#[test]
fn memory_and_stream_sources_equal_the_path() {
    for &(name, stream, _, _) in CASES {
        let path = fixture(name);
        let from_path = ours::decode(&path, stream);
        let bytes = std::fs::read(&path).unwrap();
        let mem = StreamReader::from_reader(std::io::Cursor::new(bytes.clone()), None).unwrap();
        assert_eq!(
            ours::decode_reader(mem, stream),
            from_path,
            "{name} from memory"
        );
        let piped = StreamReader::from_stream(std::io::Cursor::new(bytes), None);
        if name.ends_with(".m4a") || name.ends_with(".caf") {
            let err = piped.expect_err("needs a seekable source").to_string();
            assert!(err.contains("seekable source"), "{name}: {err}");
        } else {
            let piped = piped.unwrap();
            assert_eq!(
                ours::decode_reader(piped, stream),
                from_path,
                "{name} as a stream"
            );
        }
    }
}

/// An MP4 with its index first ("faststart", as streamed on the web) reads from a pipe.
#[test]
fn faststart_mp4_reads_from_a_stream() {
    let dir = std::env::temp_dir().join(format!("audiostream-fs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fast = dir.join("fast.m4a");
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-y", "-i"])
        .arg(fixture("aac_stereo_44100.m4a"))
        .args(["-c", "copy", "-movflags", "+faststart"])
        .arg(&fast)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    let bytes = std::fs::read(&fast).unwrap();
    let piped = StreamReader::from_stream(std::io::Cursor::new(bytes), None).unwrap();
    assert_eq!(ours::decode_reader(piped, None), ours::decode(&fast, None));
    std::fs::remove_dir_all(&dir).ok();
}

/// `format` forces the demuxer: the right one works, including on a misleading extension.
#[test]
fn format_override_picks_the_demuxer() {
    let dir = std::env::temp_dir().join(format!("audiostream-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, format) in [
        ("wav_s16_stereo_44100.wav", "wav"),
        ("flac_16_stereo_44100.flac", "flac"),
        ("mp3_cbr128_stereo_44100.mp3", "mp3"),
        ("vorbis_q5_stereo_44100.ogg", "ogg"),
        ("aac_stereo_44100.m4a", "mp4"),
        ("mkv_video_2audio.mkv", "mkv"),
        ("aiff_s16_stereo_44100.aiff", "aiff"),
        ("caf_s16_stereo_44100.caf", "caf"),
    ] {
        let path = fixture(name);
        // A misleading name: the content and the override decide, not the extension.
        let renamed = dir.join("audio.bin");
        std::fs::copy(&path, &renamed).unwrap();
        let forced = ours::open(&renamed, Some(format), None);
        assert_eq!(
            forced.get_metadata().format,
            ours::open(&path, None, None).get_metadata().format
        );
        assert_eq!(
            ours::decode_reader(forced, None),
            ours::decode(&path, None),
            "{name} as {format}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// AAC in ADTS: FFmpeg writes it from the M4A fixture; we decode it like FFmpeg.
#[test]
fn adts_aac_decodes_like_ffmpeg() {
    let dir = std::env::temp_dir().join(format!("audiostream-adts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let adts = dir.join("x.aac");
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-y", "-i"])
        .arg(fixture("aac_stereo_44100.m4a"))
        .args(["-c:a", "copy", "-f", "adts"])
        .arg(&adts)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    let theirs = ffmpeg_decode(&adts, 0, &[]);
    let ours_planar = ours::decode(&adts, None);
    // ADTS has no edit list: both decoders deliver the priming frames, so lengths match.
    check("adts", &ours_planar, &theirs.channels, Expect::Lossy(60.0));
    std::fs::remove_dir_all(&dir).ok();
}

/// More codec/container pairs, made by FFmpeg at test time from the s16 WAV fixture, each
/// decoded by us and by FFmpeg.
#[test]
fn more_codecs_made_by_ffmpeg_decode_like_ffmpeg() {
    let dir = std::env::temp_dir().join(format!("audiostream-more-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = fixture("wav_s16_stereo_44100.wav");
    // (file name, ffmpeg output arguments, expectation)
    let cases: &[(&str, &[&str], Expect)] = &[
        ("u8.wav", &["-c:a", "pcm_u8"], Expect::Exact),
        ("s32.wav", &["-c:a", "pcm_s32le"], Expect::Exact),
        ("f64.wav", &["-c:a", "pcm_f64le"], Expect::Exact),
        ("alaw.wav", &["-c:a", "pcm_alaw"], Expect::Exact),
        ("mulaw.wav", &["-c:a", "pcm_mulaw"], Expect::Exact),
        ("adpcm_ms.wav", &["-c:a", "adpcm_ms"], Expect::Exact),
        ("adpcm_ima.wav", &["-c:a", "adpcm_ima_wav"], Expect::Exact),
        ("alac.m4a", &["-c:a", "alac"], Expect::Exact),
        ("alac.caf", &["-c:a", "alac"], Expect::Exact),
        ("s24.aiff", &["-c:a", "pcm_s24be"], Expect::Exact),
        ("flac.ogg", &["-c:a", "flac"], Expect::Exact),
        ("pcm.mkv", &["-c:a", "pcm_s16le"], Expect::Exact),
        (
            "vorbis.mkv",
            &["-c:a", "libvorbis", "-q:a", "5"],
            Expect::Lossy(120.0),
        ),
        // Matroska marks the encoder's end padding for discarding (DiscardPadding): dropped,
        // as FFmpeg does (and, like FFmpeg, the MP3 decoder's delay stays: Matroska has no
        // CodecDelay for MP3).
        (
            "mp3.mkv",
            &["-c:a", "libmp3lame", "-b:a", "128k"],
            Expect::Lossy(120.0),
        ),
        // Measured 86.5 dB.
        (
            "mp2.mp2",
            &["-c:a", "mp2", "-b:a", "192k"],
            Expect::Lossy(80.0),
        ),
    ];
    let mut failures = Vec::new();
    for &(file, args, expect) in cases {
        let out = dir.join(file);
        let status = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-nostdin", "-y", "-i"])
            .arg(&src)
            .args(args)
            .arg(&out)
            .status()
            .expect("ffmpeg runs");
        assert!(status.success(), "ffmpeg made {file}");
        let theirs = ffmpeg_decode(&out, 0, &[]);
        let result = std::panic::catch_unwind(|| {
            let ours_planar = ours::decode(&out, None);
            check(file, &ours_planar, &theirs.channels, expect);
        });
        if result.is_err() {
            failures.push(file);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(failures.is_empty(), "differ from FFmpeg: {failures:?}");
}
