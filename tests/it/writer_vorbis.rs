//! Ogg Vorbis through StreamWriter, checked with the Xiph tools (`ogginfo`, `oggdec`,
//! `oggenc`), FFmpeg and our reader: validity, exact lengths, quality and size against
//! `oggenc` at the same settings, every CodecConfig field, bad input, flush and failures, tags,
//! the CLI and Icecast.

#![cfg(feature = "encode-vorbis")]

use crate::common;

use audiostream::ndarray::{s, Array2};
use audiostream::{AudioEncodeOptions, CodecConfig, Error, Options, StreamReader, StreamWriter};
use common::ogg::{
    check_framing, flushed_prefix, info_accepts, interleave, music_wav, packets, pages, read_wav,
    refused_write_changes_nothing, run, speech_wav, xiph_decode,
};
use common::oracle::{ffmpeg_decode, snr_db};
use common::ours::write_chunked;
use common::signals::{music, SharedBuf, TempDir};
use std::path::Path;

fn quality(q: f32) -> CodecConfig {
    CodecConfig {
        qscale: Some(q),
        ..Default::default()
    }
}

/// `ogginfo` accepts every file; FFmpeg, `oggdec` and our reader decode exactly the input's
/// frames; pages are framed right and the last granule position is the input's length. Mono
/// and stereo, 8 to 96 kHz, chunks of 1 to 65536 frames.
#[test]
fn every_decoder_gives_the_input_length() {
    let dir = TempDir::new("vorbis-len");
    for (rate, ch, frames, chunk) in [
        (44_100, 2, 44_100 + 7, 65_536),
        (48_000, 1, 30_011, 1),
        (32_000, 2, 20_001, 999),
        (24_000, 1, 24_000, 7),
        (22_050, 2, 33_076, 1000),
        (16_000, 1, 16_005, 4096),
        (11_025, 2, 11_025, 512),
        (8000, 1, 12_345, 3),
        (96_000, 2, 96_001, 65_536),
        (44_100, 1, 100, 1),
    ] {
        let tag = format!("{rate} Hz {ch} ch, {frames} frames in chunks of {chunk}");
        let data = music(ch, frames, rate);
        let p = dir.path(&format!("l-{rate}-{ch}-{frames}.ogg"));
        let bytes = write_chunked(&p, AudioEncodeOptions::new(rate, ch), &data, chunk);
        info_accepts("ogginfo", &p);
        let pg = pages(&bytes);
        assert_eq!(check_framing(&pg), frames as i64, "{tag}: final granule");
        let id = &packets(&pg[..1])[0];
        assert_eq!(&id[..7], b"\x01vorbis");
        assert_eq!(usize::from(id[11]), ch, "{tag}: channels");
        assert_eq!(
            u32::from_le_bytes(id[12..16].try_into().unwrap()),
            rate,
            "{tag}: rate"
        );
        let ffmpeg = ffmpeg_decode(&p, 0, &[]).num_frames();
        if frames >= 1024 {
            assert_eq!(ffmpeg, frames, "{tag}: ffmpeg");
        } else {
            // A stream of two audio packets is one page, both first and last; FFmpeg 5.1 then
            // decodes a whole block without trimming it (see the Vorbis encoder's docs). It
            // does the same with oggenc's file of the same audio.
            let wav = dir.path("tiny.wav");
            common::ogg::write_wav16(&wav, &data, rate);
            let theirs = dir.path("tiny.ogg");
            let (ok, text) = run(
                "oggenc",
                &["-Q", "-o", theirs.to_str().unwrap(), wav.to_str().unwrap()],
            );
            assert!(ok, "{text}");
            assert_eq!(
                ffmpeg,
                ffmpeg_decode(&theirs, 0, &[]).num_frames(),
                "{tag}: ffmpeg on ours and on oggenc's"
            );
        }
        let ours = common::ours::decode(&p, None);
        assert_eq!((ours.len(), ours[0].len()), (ch, frames), "{tag}: reader");
        assert_eq!(
            xiph_decode("oggdec", &p, &dir.0),
            (frames, rate),
            "{tag}: oggdec"
        );
    }
}

/// Size and quality at the same settings as `oggenc -q Q` on the same 16-bit WAV of real
/// music (Wesnoth, 44.1 kHz stereo) and speech (espeak-ng, 22.05 kHz mono): our file within
/// ±3 % of oggenc's size, the SNR of FFmpeg's decode against the input within 1 dB of oggenc's.
/// Both are libvorbis 1.3.7, so the audio packets are nearly the same.
#[test]
fn size_and_snr_match_oggenc() {
    let dir = TempDir::new("vorbis-quality");
    let music = music_wav(&dir.0, 60.0, 20.0, 44_100);
    let speech = speech_wav(&dir.0, 22_050);
    for (input, rate, q) in [
        (&music, 44_100, 0.0),
        (&music, 44_100, 3.0),
        (&music, 44_100, 5.0),
        (&music, 44_100, 8.0),
        (&speech, 22_050, 3.0),
        (&speech, 22_050, 5.0),
    ] {
        let data = read_wav(input);
        let tag = format!("{} at -q {q}", input.file_name().unwrap().to_string_lossy());
        let theirs = dir.path("oggenc.ogg");
        let (ok, text) = run(
            "oggenc",
            &[
                "-Q",
                "-q",
                &q.to_string(),
                "-o",
                theirs.to_str().unwrap(),
                input.to_str().unwrap(),
            ],
        );
        assert!(ok, "oggenc: {text}");
        let ours = dir.path("ours.ogg");
        write_chunked(
            &ours,
            AudioEncodeOptions::new(rate, data.nrows()).codec_config(quality(q)),
            &data,
            4096,
        );
        info_accepts("ogginfo", &ours);
        let reference = interleave(&data);
        let snr = |p: &Path| {
            let d = ffmpeg_decode(p, 0, &[]);
            assert_eq!(d.num_frames(), data.ncols(), "{tag}: length");
            snr_db(&reference, &d.interleaved())
        };
        let (s_ours, s_theirs) = (snr(&ours), snr(&theirs));
        let size = |p: &Path| std::fs::metadata(p).unwrap().len() as f64;
        let ratio = size(&ours) / size(&theirs);
        eprintln!(
            "{tag}: size ours/oggenc {ratio:.4} ({} / {} bytes), SNR ours {s_ours:.2} dB, \
             oggenc {s_theirs:.2} dB",
            size(&ours),
            size(&theirs)
        );
        assert!((ratio - 1.0).abs() <= 0.03, "{tag}: size ratio {ratio:.4}");
        assert!(
            (s_ours - s_theirs).abs() <= 1.0,
            "{tag}: SNR {s_ours:.2} vs {s_theirs:.2} dB"
        );
    }
}

/// ogginfo's "Nominal/Upper/Lower bitrate" lines (from the identification header).
fn bitrate_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains("bitrate") && !l.contains("Average"))
        .map(|l| l.trim().to_string())
        .collect()
}

/// Every CodecConfig field: mapped (the identification header's bit rates match oggenc's at
/// the same settings, and the average lands where it should) or refused with a message naming
/// what Vorbis takes.
#[test]
fn codec_config_fields_are_mapped_or_refused() {
    let dir = TempDir::new("vorbis-fields");
    let wav = music_wav(&dir.0, 30.0, 10.0, 44_100);
    let music = read_wav(&wav);
    let secs = music.ncols() as f64 / 44_100.0;
    let ours = |name: &str, cfg: CodecConfig| {
        let p = dir.path(name);
        let bytes = write_chunked(
            &p,
            AudioEncodeOptions::new(44_100, 2).codec_config(cfg),
            &music,
            4096,
        );
        let text = info_accepts("ogginfo", &p);
        assert_eq!(
            ffmpeg_decode(&p, 0, &[]).num_frames(),
            music.ncols(),
            "{name}"
        );
        (bytes, text)
    };
    let oggenc = |name: &str, args: &[&str]| {
        let p = dir.path(name);
        let mut all = vec!["-Q", "-o", p.to_str().unwrap()];
        all.extend_from_slice(args);
        all.push(wav.to_str().unwrap());
        let (ok, text) = run("oggenc", &all);
        assert!(ok, "oggenc {args:?}: {text}");
        (std::fs::read(&p).unwrap(), info_accepts("ogginfo", &p))
    };
    let kbps = |bytes: &[u8]| bytes.len() as f64 * 8.0 / secs / 1000.0;
    let cases: Vec<(&str, CodecConfig, Vec<&str>)> = vec![
        ("default", CodecConfig::default(), vec![]),
        ("q-1", quality(-1.0), vec!["-q", "-1"]),
        ("q7.5", quality(7.5), vec!["-q", "7.5"]),
        (
            "managed128",
            CodecConfig {
                bit_rate: Some(128_000),
                ..Default::default()
            },
            vec!["-b", "128", "--managed"],
        ),
        (
            "managed-min-max",
            CodecConfig {
                bit_rate: Some(128_000),
                qmin: Some(96_000),
                qmax: Some(160_000),
                ..Default::default()
            },
            vec!["-b", "128", "--managed", "-m", "96", "-M", "160"],
        ),
        (
            "q5-limits",
            CodecConfig {
                qscale: Some(5.0),
                qmin: Some(128_000),
                qmax: Some(192_000),
                ..Default::default()
            },
            vec!["-q", "5", "--managed", "-m", "128", "-M", "192"],
        ),
        (
            "max-only",
            CodecConfig {
                qmax: Some(100_000),
                ..Default::default()
            },
            vec!["--managed", "-M", "100"],
        ),
    ];
    for (name, cfg, args) in cases {
        let (b_ours, t_ours) = ours(&format!("{name}.ours.ogg"), cfg.clone());
        let (b_theirs, t_theirs) = oggenc(&format!("{name}.oggenc.ogg"), &args);
        assert_eq!(
            bitrate_lines(&t_ours),
            bitrate_lines(&t_theirs),
            "{name}: identification header"
        );
        let (a, b) = (kbps(&b_ours), kbps(&b_theirs));
        eprintln!("{name}: {a:.1} kb/s, oggenc {b:.1} kb/s");
        assert!((a / b - 1.0).abs() < 0.03, "{name}: {a:.1} vs {b:.1} kb/s");
        if let Some(max) = cfg.qmax {
            assert!(
                a * 1000.0 <= f64::from(max) * 1.01,
                "{name}: above the maximum"
            );
        }
    }
    let (managed, _) = ours(
        "m96.ogg",
        CodecConfig {
            bit_rate: Some(96_000),
            ..Default::default()
        },
    );
    assert!(
        (kbps(&managed) / 96.0 - 1.0).abs() < 0.05,
        "managed 96k: {}",
        kbps(&managed)
    );

    let refused = |opts: AudioEncodeOptions, needles: &[&str]| {
        let mut w = StreamWriter::from_writer(Vec::new(), "ogg").unwrap();
        match w.add_audio_stream_with(opts) {
            Err(Error::InvalidArgument(m)) => {
                for n in needles {
                    assert!(m.contains(n), "{n:?} not in {m:?}");
                }
            }
            other => panic!("not refused: {other:?}"),
        }
    };
    let base = || AudioEncodeOptions::new(44_100, 2);
    let takes = "qscale, bit_rate, qmin, qmax";
    for (field, cfg) in [
        (
            "compression_level",
            CodecConfig {
                compression_level: Some(5),
                ..Default::default()
            },
        ),
        (
            "bit_rate_tolerance",
            CodecConfig {
                bit_rate: Some(128_000),
                bit_rate_tolerance: Some(1000),
                ..Default::default()
            },
        ),
        (
            "buffer_size",
            CodecConfig {
                buffer_size: Some(4096),
                ..Default::default()
            },
        ),
    ] {
        refused(base().codec_config(cfg), &[field, takes]);
    }
    refused(
        base().codec_config(quality(10.5)),
        &["qscale = 10.5", "-1 ..= 10"],
    );
    refused(
        base().codec_config(CodecConfig {
            qscale: Some(3.0),
            bit_rate: Some(128_000),
            ..Default::default()
        }),
        &["qscale", "bit_rate", "not both"],
    );
    refused(
        base().codec_config(CodecConfig {
            qmin: Some(200_000),
            qmax: Some(100_000),
            ..Default::default()
        }),
        &["qmin = 200000", "qmax = 100000"],
    );
    refused(
        base().codec_config(CodecConfig {
            bit_rate: Some(2_000_000),
            ..Default::default()
        }),
        &[
            "bit_rate = 2000000",
            "libvorbis has no mode",
            "managed bit rates here",
        ],
    );
    refused(base().encoder_format("s16"), &["encoder_format", "flt"]);
    refused(
        base().encoder_option("quality", "5"),
        &["quality", "serial"],
    );
}

/// Rates and channel counts Vorbis cannot take, with no conversion asked for, are errors naming
/// the writer options that convert; with them the same input works.
#[test]
fn rates_and_channels_vorbis_cannot_take_name_the_conversion_options() {
    let mut w = StreamWriter::from_writer(Vec::new(), "ogg").unwrap();
    let e = w
        .add_audio_stream_with(AudioEncodeOptions::new(384_000, 2))
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("384000") && m.contains("encoder_sample_rate")),
        "{e}"
    );
    let e = w
        .add_audio_stream_with(AudioEncodeOptions::new(44_100, 10))
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("num_channels = 10") && m.contains("encoder_num_channels")),
        "{e}"
    );
    let out = SharedBuf::default();
    let mut w = StreamWriter::from_writer(out.clone(), "ogg").unwrap();
    w.add_audio_stream_with(
        AudioEncodeOptions::new(384_000, 10)
            .encoder_num_channels(2)
            .encoder_sample_rate(48_000),
    )
    .unwrap();
    w.write_audio_chunk(0, music(10, 38_400, 384_000).view(), None)
        .unwrap();
    w.close().unwrap();
    let pg = pages(&out.bytes());
    assert_eq!(check_framing(&pg), 4800);
}

/// Surround: 6 channels in WAV order come back from FFmpeg in the same order (stored in Vorbis
/// order), and the file is oggenc's for the same WAV. (Our reader is not checked here: it
/// decodes one channel of 5.1 Vorbis wrongly, oggenc's files too — a reader issue.)
#[test]
fn surround_keeps_the_channel_order() {
    let dir = TempDir::new("vorbis-51");
    let frames = 48_000;
    // Each channel its own tone, so a swap shows; the LFE's low (libvorbis's 5.1 mode codes
    // it low-passed).
    let data = Array2::from_shape_fn((6, frames), |(c, i)| {
        let f = [200.0, 350.0, 500.0, 60.0, 800.0, 950.0][c];
        0.3 * (std::f32::consts::TAU * f * i as f32 / 48_000.0).sin()
    });
    let p = dir.path("s.ogg");
    write_chunked(&p, AudioEncodeOptions::new(48_000, 6), &data, 4096);
    info_accepts("ogginfo", &p);
    let ff = ffmpeg_decode(&p, 0, &[]);
    for c in 0..6 {
        let want: Vec<f32> = data.row(c).to_vec();
        let snr = snr_db(&want, &ff.channels[c]);
        assert!(snr > 10.0, "ffmpeg channel {c}: {snr:.1} dB");
    }
    let wav = dir.path("s.wav");
    common::ogg::write_wav16(&wav, &data, 48_000);
    let theirs = dir.path("oggenc.ogg");
    let (ok, text) = run(
        "oggenc",
        &["-Q", "-o", theirs.to_str().unwrap(), wav.to_str().unwrap()],
    );
    assert!(ok, "{text}");
    let tf = ffmpeg_decode(&theirs, 0, &[]);
    for c in 0..6 {
        let snr = snr_db(&tf.channels[c], &ff.channels[c]);
        assert!(snr > 30.0, "channel {c}: ours vs oggenc's {snr:.1} dB");
    }
}

/// `flush` leaves a playable file (libvorbis holds back at most two blocks); a write that then
/// fails is an I/O error and leaves exactly that prefix; a refused write changes nothing.
#[test]
fn flush_and_failed_writes_leave_a_playable_file() {
    let dir = TempDir::new("vorbis-flush");
    let data = music(2, 88_200, 44_100);
    let p = dir.path("prefix.ogg");
    flushed_prefix("ogg", 44_100, &data, 44_100, &p);
    let got = ffmpeg_decode(&p, 0, &[]);
    let n = got.num_frames();
    assert!(
        (44_100 - 4096..=44_100).contains(&n),
        "flushed prefix: {n} frames"
    );
    assert_eq!(common::ours::decode(&p, None)[0].len(), n);
    let want = interleave(&data.slice(s![.., ..n]).to_owned());
    assert!(snr_db(&want, &got.interleaved()) > 10.0);
    let (ok, text) = run(
        "oggdec",
        &[
            "-Q",
            "-o",
            dir.path("p.wav").to_str().unwrap(),
            p.to_str().unwrap(),
        ],
    );
    assert!(ok, "{text}");

    // Bad input: refused, then the stream goes on and closes into a valid file.
    let p = dir.path("bad.ogg");
    refused_write_changes_nothing(&p, 44_100, &data, 3, "ogginfo");
}

/// An empty stream (no audio) is a valid file of no frames. (For Vorbis libvorbis still makes
/// one audio packet, of granule position 0, which ogginfo notes as the mark of a "buggy
/// encoder" — as it does for oggenc's empty files; without that packet FFmpeg cannot open the
/// stream at all.)
#[test]
fn empty_streams_are_valid() {
    let dir = TempDir::new("vorbis-empty");
    for ext in ["ogg", "opus"] {
        let p = dir.path(&format!("e.{ext}"));
        let mut w = StreamWriter::new(p.to_str().unwrap(), None, None).unwrap();
        w.add_audio_stream(48_000, 2).unwrap();
        w.close().unwrap();
        let pg = pages(&std::fs::read(&p).unwrap());
        check_framing(&pg);
        if ext == "opus" {
            info_accepts("opusinfo", &p);
        } else {
            // ogginfo says the same of oggenc's empty file.
            let (_, text) = run("ogginfo", &[p.to_str().unwrap()]);
            assert!(text.contains("Playback length: 0m:00.000s"), "{text}");
            let wav = dir.path("empty.wav");
            common::ogg::write_wav16(&wav, &Array2::zeros((2, 0)), 48_000);
            let theirs = dir.path("oggenc-empty.ogg");
            let (ok, out) = run(
                "oggenc",
                &["-Q", "-o", theirs.to_str().unwrap(), wav.to_str().unwrap()],
            );
            assert!(ok, "{out}");
            let (_, their_text) = run("ogginfo", &[theirs.to_str().unwrap()]);
            let notes = |t: &str| t.lines().filter(|l| l.contains("buggy")).count();
            assert_eq!(notes(&text), notes(&their_text), "{text}\n{their_text}");
        }
        assert_eq!(ffmpeg_decode(&p, 0, &[]).num_frames(), 0, "{ext}");
        let tool = if ext == "ogg" { "oggdec" } else { "opusdec" };
        assert_eq!(xiph_decode(tool, &p, &dir.0).0, 0, "{tool}");
    }
}

/// Tags from set_metadata are Vorbis comments: ogginfo, FFmpeg and our reader see them.
#[test]
fn tags_are_vorbis_comments() {
    let dir = TempDir::new("vorbis-tags");
    let p = dir.path("t.ogg");
    let mut w = StreamWriter::new(p.to_str().unwrap(), None, None).unwrap();
    w.set_metadata(Options::from([
        ("title".into(), "Süße Töne".into()),
        ("album".into(), "Tests".into()),
        ("track".into(), "7".into()),
    ]))
    .unwrap();
    w.add_audio_stream(44_100, 2).unwrap();
    w.write_audio_chunk(0, music(2, 4410, 44_100).view(), None)
        .unwrap();
    w.close().unwrap();
    let text = info_accepts("ogginfo", &p);
    for t in ["TITLE=Süße Töne", "ALBUM=Tests", "TRACKNUMBER=7"] {
        assert!(text.contains(t), "{t} not in {text}");
    }
    let tags = StreamReader::new(p.to_str().unwrap(), None, None)
        .unwrap()
        .get_metadata()
        .tags;
    assert_eq!(tags.get("title").map(String::as_str), Some("Süße Töne"));
    assert_eq!(tags.get("album").map(String::as_str), Some("Tests"));
}

/// The CLI: `.ogg` and `--to ogg` with --quality and --bitrate, to a file and to stdout.
#[test]
fn cli_converts_to_ogg_vorbis() {
    let dir = TempDir::new("vorbis-cli");
    let input = dir.path("in.wav");
    common::ogg::write_wav16(&input, &music(2, 44_100 * 2, 44_100), 44_100);
    let exe = env!("CARGO_BIN_EXE_audiostream");
    let out = dir.path("a.ogg");
    let (ok, text) = run(
        exe,
        &[
            "convert",
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "--quality",
            "6",
        ],
    );
    assert!(ok, "{text}");
    assert!(text.contains("vorbis -q 6, 44100 Hz"), "{text}");
    let info = info_accepts("ogginfo", &out);
    assert!(info.contains("Nominal bitrate: 192"), "{info}");
    assert_eq!(ffmpeg_decode(&out, 0, &[]).num_frames(), 88_200);
    let piped = std::process::Command::new(exe)
        .args([
            "convert",
            "-q",
            input.to_str().unwrap(),
            "-",
            "--to",
            "ogg",
            "--bitrate",
            "96k",
        ])
        .output()
        .unwrap();
    assert!(piped.status.success());
    let p = dir.path("piped.ogg");
    std::fs::write(&p, &piped.stdout).unwrap();
    let info = info_accepts("ogginfo", &p);
    assert!(info.contains("Nominal bitrate: 96"), "{info}");
    assert_eq!(ffmpeg_decode(&p, 0, &[]).num_frames(), 88_200);
    let (ok, text) = run(
        exe,
        &[
            "convert",
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "--quality",
            "11",
        ],
    );
    assert!(!ok && text.contains("--quality = 11"), "{text}");
}

/// An Ogg Vorbis source for Icecast: announced as audio/ogg, paced at real time by its granule
/// positions, and a listener decodes it.
#[test]
#[cfg(feature = "net")]
fn icecast_streams_ogg_vorbis() {
    common::ogg::icecast_round_trip(
        "live.ogg",
        "ogg",
        44_100,
        "vorbis",
        std::time::Duration::from_millis(2000),
    );
}
