//! Ogg Opus through StreamWriter, checked with the Xiph tools (`opusinfo`, `opusdec`,
//! `opusenc`), FFmpeg and our reader: validity, exact lengths, quality and size against
//! `opusenc` at the same settings, every CodecConfig field, bad input, flush and failures, tags,
//! the CLI and Icecast.

#![cfg(feature = "encode-opus")]

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

fn config(bit_rate: Option<u32>) -> CodecConfig {
    CodecConfig {
        bit_rate,
        ..Default::default()
    }
}

/// OpusHead's fields: (channels, pre-skip, input rate).
fn opus_head(bytes: &[u8]) -> (u8, u16, u32) {
    let p = pages(bytes);
    let head = &packets(&p[..1])[0];
    assert_eq!(&head[..8], b"OpusHead");
    (
        head[9],
        u16::from_le_bytes([head[10], head[11]]),
        u32::from_le_bytes(head[12..16].try_into().unwrap()),
    )
}

/// The 48 kHz length a stream of `frames` at `rate` declares: `ceil(frames × 48000 / rate)`,
/// as opusenc's files do (so that opusdec, decoding back to `rate` and rounding down, gives
/// exactly `frames`).
fn at_48k(frames: usize, rate: u32) -> usize {
    (frames * 48_000).div_ceil(rate as usize)
}

/// `opusinfo` accepts every file; `opusdec` (which decodes back to the rate OpusHead records)
/// gives exactly the input's frames, FFmpeg and our reader exactly its length at 48 kHz (as
/// for opusenc's files: see `at_48k`); pages are framed right and the last granule is pre-skip
/// + length. Mono and stereo, 8 to 48 kHz, chunks of 1 to 65536 frames.
#[test]
fn every_decoder_gives_the_input_length() {
    let dir = TempDir::new("opus-len");
    for (rate, ch, frames, chunk) in [
        (48_000, 2, 48_000 + 123, 65_536),
        (48_000, 1, 30_011, 1),
        (44_100, 2, 44_100 + 7, 4096),
        (32_000, 1, 20_001, 999),
        (24_000, 2, 24_000, 7),
        (22_050, 1, 33_076, 1000),
        (16_000, 2, 16_005, 65_536),
        (12_000, 1, 6_001, 3),
        (11_025, 2, 11_025, 512),
        (8000, 1, 12_345, 333),
    ] {
        let tag = format!("{rate} Hz {ch} ch, {frames} frames in chunks of {chunk}");
        let data = music(ch, frames, rate);
        let p = dir.path(&format!("l-{rate}-{ch}.opus"));
        let bytes = write_chunked(&p, AudioEncodeOptions::new(rate, ch), &data, chunk);
        info_accepts("opusinfo", &p);
        let expected = at_48k(frames, rate);
        let (channels, pre_skip, input_rate) = opus_head(&bytes);
        assert_eq!(
            (channels, pre_skip, input_rate),
            (ch as u8, 312, rate),
            "{tag}"
        );
        let last = check_framing(&pages(&bytes));
        assert_eq!(last, 312 + expected as i64, "{tag}: final granule");
        assert_eq!(
            ffmpeg_decode(&p, 0, &[]).num_frames(),
            expected,
            "{tag}: ffmpeg"
        );
        let ours = common::ours::decode(&p, None);
        assert_eq!((ours.len(), ours[0].len()), (ch, expected), "{tag}: reader");
        assert_eq!(
            xiph_decode("opusdec", &p, &dir.0),
            (frames, rate),
            "{tag}: opusdec"
        );
    }
}

/// Size and quality at the same settings as `opusenc --bitrate B` on the same 16-bit WAV of
/// real music (Wesnoth) and speech (espeak-ng), both 48 kHz so that neither resamples: our
/// file within ±3 % of opusenc's size, the SNR of FFmpeg's decode against the input within 1 dB
/// of opusenc's. (opusenc here is libopus 1.3.1, ours libopus 1.6.1.)
#[test]
fn size_and_snr_match_opusenc() {
    let dir = TempDir::new("opus-quality");
    let music = music_wav(&dir.0, 60.0, 20.0, 48_000);
    let speech = speech_wav(&dir.0, 48_000);
    for (input, kbps) in [
        (&music, 64),
        (&music, 96),
        (&music, 128),
        (&speech, 16),
        (&speech, 24),
        (&speech, 32),
    ] {
        let data = read_wav(input);
        let tag = format!(
            "{} at {kbps} kb/s",
            input.file_name().unwrap().to_string_lossy()
        );
        let theirs = dir.path("opusenc.opus");
        let (ok, text) = run(
            "opusenc",
            &[
                "--quiet",
                "--bitrate",
                &kbps.to_string(),
                input.to_str().unwrap(),
                theirs.to_str().unwrap(),
            ],
        );
        assert!(ok, "opusenc: {text}");
        let ours = dir.path("ours.opus");
        // opusenc on 16-bit input tells libopus so (LSB depth 16): encoder_format s16.
        write_chunked(
            &ours,
            AudioEncodeOptions::new(48_000, data.nrows())
                .encoder_format("s16")
                .codec_config(config(Some(kbps * 1000))),
            &data,
            4096,
        );
        info_accepts("opusinfo", &ours);
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
            "{tag}: size ours/opusenc {ratio:.4} ({} / {} bytes), SNR ours {s_ours:.2} dB, \
             opusenc {s_theirs:.2} dB",
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

/// Packet sizes of the audio packets (after OpusHead and OpusTags).
fn audio_packets(bytes: &[u8]) -> Vec<Vec<u8>> {
    packets(&pages(bytes)).split_off(2)
}

/// Coefficient of variation of the audio packets' sizes (the last one left out: it is cut).
fn size_variation(bytes: &[u8]) -> f64 {
    let sizes: Vec<f64> = audio_packets(bytes)
        .iter()
        .map(|p| p.len() as f64)
        .collect();
    let sizes = &sizes[..sizes.len() - 1];
    let mean = sizes.iter().sum::<f64>() / sizes.len() as f64;
    let var = sizes.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / sizes.len() as f64;
    var.sqrt() / mean
}

/// Every CodecConfig field and encoder option: mapped (and seen in the file, with opusinfo or
/// by reading the packets) or refused with a message naming what Opus takes.
#[test]
fn codec_config_fields_are_mapped_or_refused() {
    let dir = TempDir::new("opus-fields");
    let music = read_wav(&music_wav(&dir.0, 30.0, 8.0, 48_000));
    let speech = read_wav(&speech_wav(&dir.0, 48_000))
        .slice(s![.., ..48_000 * 6])
        .to_owned();
    let enc = |name: &str, data: &Array2<f32>, opts: AudioEncodeOptions| {
        let p = dir.path(name);
        let bytes = write_chunked(&p, opts, data, 4800);
        let text = info_accepts("opusinfo", &p);
        assert_eq!(
            ffmpeg_decode(&p, 0, &[]).num_frames(),
            data.ncols(),
            "{name}"
        );
        (bytes, text)
    };
    let base = || AudioEncodeOptions::new(48_000, 2);
    let secs = music.ncols() as f64 / 48_000.0;
    let kbps = |bytes: &[u8]| bytes.len() as f64 * 8.0 / secs / 1000.0;

    // bit_rate: the average lands near it (VBR).
    let (b32, _) = enc(
        "b32.opus",
        &music,
        base().codec_config(config(Some(32_000))),
    );
    let (b128, _) = enc(
        "b128.opus",
        &music,
        base().codec_config(config(Some(128_000))),
    );
    assert!(
        (kbps(&b32) - 32.0).abs() < 0.25 * 32.0,
        "32k: {}",
        kbps(&b32)
    );
    assert!(
        (kbps(&b128) - 128.0).abs() < 0.25 * 128.0,
        "128k: {}",
        kbps(&b128)
    );
    // The default: 96 kb/s for stereo.
    let (def, _) = enc("default.opus", &music, base());
    assert!(
        (kbps(&def) - 96.0).abs() < 0.25 * 96.0,
        "default: {}",
        kbps(&def)
    );

    // vbr=off: CBR, every packet the same size; bit_rate_tolerance: constrained VBR, which
    // varies less than VBR.
    let (cbr, _) = enc(
        "cbr.opus",
        &music,
        base()
            .codec_config(config(Some(64_000)))
            .encoder_option("vbr", "off"),
    );
    let sizes: Vec<usize> = audio_packets(&cbr).iter().map(Vec::len).collect();
    assert!(sizes.iter().all(|&n| n == sizes[0]), "CBR sizes {sizes:?}");
    let (cvbr, _) = enc(
        "cvbr.opus",
        &music,
        base().codec_config(CodecConfig {
            bit_rate: Some(64_000),
            bit_rate_tolerance: Some(8000),
            ..Default::default()
        }),
    );
    let (vbr, _) = enc(
        "vbr.opus",
        &music,
        base().codec_config(config(Some(64_000))),
    );
    let (v_cvbr, v_vbr) = (size_variation(&cvbr), size_variation(&vbr));
    eprintln!("packet size variation: CVBR {v_cvbr:.3}, VBR {v_vbr:.3}");
    assert!(v_cvbr > 0.0 && v_cvbr < v_vbr, "CVBR {v_cvbr} VBR {v_vbr}");

    // compression_level: libopus's complexity; another encode, as valid.
    let (c0, _) = enc(
        "c0.opus",
        &music,
        base().codec_config(CodecConfig {
            compression_level: Some(0),
            ..Default::default()
        }),
    );
    assert!(c0 != def, "complexity 0 codes differently from 10");

    // frame_duration: opusinfo sees it.
    for (ms, shown) in [("60", "60.0ms"), ("2.5", "2.5ms"), ("120", "120.0ms")] {
        let (_, text) = enc(
            &format!("f{ms}.opus"),
            &music,
            base().encoder_option("frame_duration", ms),
        );
        let line = text
            .lines()
            .find(|l| l.contains("Packet duration"))
            .unwrap();
        assert_eq!(
            line.matches(shown).count(),
            3,
            "frame_duration {ms}: {line}"
        );
    }

    // application: lowdelay has 120 samples of pre-skip and codes CELT only (TOC configs
    // 16..31); voip codes speech at 16 kb/s with SILK; audio codes music at 96 kb/s as CELT.
    let (low, text) = enc(
        "lowdelay.opus",
        &music,
        base().encoder_option("application", "lowdelay"),
    );
    assert!(text.contains("Pre-skip: 120"), "{text}");
    assert!(audio_packets(&low).iter().all(|p| p[0] >> 3 >= 16));
    let (voip, _) = enc(
        "voip.opus",
        &speech,
        AudioEncodeOptions::new(48_000, 1)
            .codec_config(config(Some(16_000)))
            .encoder_option("application", "voip"),
    );
    // SILK-only (configs 0..11) or hybrid (12..15): the SILK layer codes the speech.
    let configs: Vec<u8> = audio_packets(&voip).iter().map(|p| p[0] >> 3).collect();
    assert!(configs.iter().all(|&c| c < 16), "voip speech: {configs:?}");
    let (audio, _) = enc(
        "audio.opus",
        &music,
        base().codec_config(config(Some(96_000))),
    );
    assert!(
        audio_packets(&audio).iter().all(|p| p[0] >> 3 >= 16),
        "audio music: CELT"
    );

    // Refused, naming what Opus takes.
    let refused = |opts: AudioEncodeOptions, needles: &[&str]| {
        let mut w = StreamWriter::from_writer(Vec::new(), "opus").unwrap();
        match w.add_audio_stream_with(opts) {
            Err(Error::InvalidArgument(m)) => {
                for n in needles {
                    assert!(m.contains(n), "{n:?} not in {m:?}");
                }
            }
            other => panic!("not refused: {other:?}"),
        }
    };
    let takes = "bit_rate, bit_rate_tolerance, compression_level";
    for (field, cfg) in [
        (
            "qscale",
            CodecConfig {
                qscale: Some(5.0),
                ..Default::default()
            },
        ),
        (
            "qmin",
            CodecConfig {
                qmin: Some(32_000),
                ..Default::default()
            },
        ),
        (
            "qmax",
            CodecConfig {
                qmax: Some(128_000),
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
        base().codec_config(config(Some(5000))),
        &["bit_rate = 5000", "6000 ..= 510000"],
    );
    refused(
        AudioEncodeOptions::new(48_000, 1).codec_config(config(Some(300_000))),
        &["6000 ..= 255000"],
    );
    refused(
        base().codec_config(CodecConfig {
            compression_level: Some(11),
            ..Default::default()
        }),
        &["compression_level = 11", "0"],
    );
    refused(
        base().codec_config(CodecConfig {
            bit_rate_tolerance: Some(0),
            ..Default::default()
        }),
        &["bit_rate_tolerance = 0", "vbr=off"],
    );
    refused(
        base().encoder_option("frame_duration", "30"),
        &["frame_duration", "2.5, 5, 10, 20, 40, 60, 80, 100, 120"],
    );
    refused(
        base().encoder_option("application", "music"),
        &["application", "voip, audio"],
    );
    refused(
        base().encoder_option("vbr", "maybe"),
        &["vbr", "constrained"],
    );
    refused(
        base().encoder_option("complexity", "3"),
        &["complexity", "application, frame_duration, vbr, serial"],
    );
    refused(
        base().encoder_format("s24"),
        &["encoder_format", "flt", "s16"],
    );
}

/// Rates and channel counts Opus cannot take, with no conversion asked for, are errors naming
/// the writer options that convert; with them the same input works.
#[test]
fn rates_and_channels_opus_cannot_take_name_the_conversion_options() {
    let mut w = StreamWriter::from_writer(Vec::new(), "opus").unwrap();
    let e = w
        .add_audio_stream_with(AudioEncodeOptions::new(44_100, 2).encoder_sample_rate(44_100))
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("44100") && m.contains("encoder_sample_rate") && m.contains("48000")),
        "{e}"
    );
    let e = w
        .add_audio_stream_with(AudioEncodeOptions::new(48_000, 9))
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("num_channels = 9") && m.contains("encoder_num_channels")),
        "{e}"
    );
    // Asked for: 9 channels remixed to stereo, 44.1 kHz coded at 24 kHz.
    let out = SharedBuf::default();
    let mut w = StreamWriter::from_writer(out.clone(), "opus").unwrap();
    w.add_audio_stream_with(
        AudioEncodeOptions::new(44_100, 9)
            .encoder_num_channels(2)
            .encoder_sample_rate(24_000),
    )
    .unwrap();
    w.write_audio_chunk(0, music(9, 44_100, 44_100).view(), None)
        .unwrap();
    w.close().unwrap();
    let (ch, pre_skip, input_rate) = opus_head(&out.bytes());
    assert_eq!((ch, input_rate), (2, 44_100));
    // The look-ahead at 24 kHz, in 48 kHz samples.
    assert_eq!(pre_skip % 2, 0);
}

/// Surround: 6 channels in WAV order come back from FFmpeg (which reorders family 1's Vorbis
/// order to WAV order, as our reader does) in the same order.
#[test]
fn surround_keeps_the_channel_order() {
    let dir = TempDir::new("opus-51");
    let frames = 48_000;
    // Each channel its own tone, so a swap shows; the LFE's low (libopus codes it low-passed).
    let data = Array2::from_shape_fn((6, frames), |(c, i)| {
        let f = [200.0, 350.0, 500.0, 60.0, 800.0, 950.0][c];
        0.3 * (std::f32::consts::TAU * f * i as f32 / 48_000.0).sin()
    });
    let p = dir.path("s.opus");
    let bytes = write_chunked(
        &p,
        AudioEncodeOptions::new(48_000, 6).codec_config(config(Some(256_000))),
        &data,
        4096,
    );
    info_accepts("opusinfo", &p);
    assert_eq!(opus_head(&bytes).0, 6);
    let ff = ffmpeg_decode(&p, 0, &[]);
    let ours = common::ours::decode(&p, None);
    for (c, (theirs, ours)) in ff.channels.iter().zip(&ours).enumerate() {
        let want: Vec<f32> = data.row(c).to_vec();
        for (who, got) in [("ffmpeg", theirs), ("reader", ours)] {
            let snr = snr_db(&want, got);
            assert!(snr > 10.0, "{who} channel {c}: {snr:.1} dB");
        }
    }
}

/// `flush` leaves a playable file: after it the bytes decode up to the last whole frame; a
/// write that then fails (the sink dies) is an I/O error and leaves exactly that playable
/// prefix; a write refused for bad input changes nothing, and the stream closes normally.
#[test]
fn flush_and_failed_writes_leave_a_playable_file() {
    let dir = TempDir::new("opus-flush");
    let data = music(2, 96_000, 48_000);
    let p = dir.path("prefix.opus");
    flushed_prefix("opus", 48_000, &data, 48_000, &p);
    // 50 frames of 960 were coded; the pre-skip hides 312 samples.
    let got = ffmpeg_decode(&p, 0, &[]);
    assert_eq!(got.num_frames(), 50 * 960 - 312);
    assert_eq!(common::ours::decode(&p, None)[0].len(), 50 * 960 - 312);
    assert!(
        snr_db(
            &interleave(&data.slice(s![.., ..47_000]).to_owned()),
            &got.interleaved()[..94_000]
        ) > 10.0
    );
    let (ok, text) = run(
        "opusdec",
        &[
            "--quiet",
            p.to_str().unwrap(),
            dir.path("p.wav").to_str().unwrap(),
        ],
    );
    assert!(ok, "{text}");

    // Bad input: refused, then the stream goes on and closes into a valid file.
    let p = dir.path("bad.opus");
    refused_write_changes_nothing(&p, 48_000, &data, 1, "opusinfo");
}

/// Tags from set_metadata are OpusTags comments: opusinfo, FFmpeg and our reader see them.
#[test]
fn tags_are_opus_comments() {
    let dir = TempDir::new("opus-tags");
    let p = dir.path("t.opus");
    let mut w = StreamWriter::new(p.to_str().unwrap(), None, None).unwrap();
    w.set_metadata(Options::from([
        ("title".into(), "Süße Töne".into()),
        ("artist".into(), "The Testers".into()),
        ("track".into(), "3".into()),
    ]))
    .unwrap();
    w.add_audio_stream(48_000, 1).unwrap();
    w.write_audio_chunk(0, music(1, 4800, 48_000).view(), None)
        .unwrap();
    w.close().unwrap();
    let text = info_accepts("opusinfo", &p);
    for t in ["TITLE=Süße Töne", "ARTIST=The Testers", "TRACKNUMBER=3"] {
        assert!(text.contains(t), "{t} not in {text}");
    }
    assert!(text.contains("libopus 1.6.1"), "{text}");
    let tags = StreamReader::new(p.to_str().unwrap(), None, None)
        .unwrap()
        .get_metadata()
        .tags;
    assert_eq!(tags.get("title").map(String::as_str), Some("Süße Töne"));
    assert_eq!(tags.get("artist").map(String::as_str), Some("The Testers"));
    // A key Vorbis comments cannot hold is refused.
    let mut w = StreamWriter::from_writer(Vec::new(), "opus").unwrap();
    w.add_audio_stream(48_000, 1).unwrap();
    let e = w
        .set_metadata(Options::from([("a=b".into(), "x".into())]))
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("a=b")),
        "{e}"
    );
}

/// The CLI: `--to opus`, `.opus` and `.ogg --codec opus`, with --bitrate and
/// --compression-level, to a file and to stdout.
#[test]
fn cli_converts_to_opus() {
    let dir = TempDir::new("opus-cli");
    let input = dir.path("in.wav");
    common::ogg::write_wav16(&input, &music(2, 44_100 * 2, 44_100), 44_100);
    let exe = env!("CARGO_BIN_EXE_audiostream");
    let out = dir.path("a.opus");
    let (ok, text) = run(
        exe,
        &[
            "convert",
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "--bitrate",
            "64k",
            "--compression-level",
            "5",
        ],
    );
    assert!(ok, "{text}");
    assert!(text.contains("opus 64 kb/s, 48000 Hz"), "{text}");
    info_accepts("opusinfo", &out);
    assert_eq!(ffmpeg_decode(&out, 0, &[]).num_frames(), 96_000);
    let ogg = dir.path("b.ogg");
    let (ok, text) = run(
        exe,
        &[
            "convert",
            input.to_str().unwrap(),
            ogg.to_str().unwrap(),
            "--codec",
            "libopus",
        ],
    );
    assert!(ok, "{text}");
    info_accepts("opusinfo", &ogg);
    // stdout: the same as a file (a stream, nothing to patch).
    let piped = std::process::Command::new(exe)
        .args([
            "convert",
            "-q",
            input.to_str().unwrap(),
            "-",
            "--to",
            "opus",
        ])
        .output()
        .unwrap();
    assert!(piped.status.success());
    let p = dir.path("piped.opus");
    std::fs::write(&p, &piped.stdout).unwrap();
    info_accepts("opusinfo", &p);
    assert_eq!(ffmpeg_decode(&p, 0, &[]).num_frames(), 96_000);
    // A bit rate Opus cannot take is a usage error in flag terms.
    let (ok, text) = run(
        exe,
        &[
            "convert",
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "--bitrate",
            "2k",
        ],
    );
    assert!(!ok && text.contains("--bitrate = 2000"), "{text}");
}

/// An Ogg Opus source for Icecast: announced as audio/ogg, paced at real time by its granule
/// positions, and a listener decodes it.
#[test]
#[cfg(feature = "net")]
fn icecast_streams_ogg_opus() {
    common::ogg::icecast_round_trip(
        "live.opus",
        "opus",
        48_000,
        "opus",
        std::time::Duration::from_millis(2500),
    );
}
