//! Bad input never panics or hangs: every failure is a typed [`Error`] whose message names what
//! is at fault. Covers bad paths and formats, bad options and arguments, truncated files (every
//! fixture, cut at 49 points, seekable and non-seekable) and corrupted files.

use crate::common;

use audiostream::{AudioStreamOptions, Error, Options, StreamReader};
use common::oracle::fixture;
use std::io::Cursor;

/// Upper bound on `process_packet` calls for one decode: far more than any fixture needs
/// (the largest has ~100 packets), so hitting it means the reader is looping.
const MAX_CALLS: usize = 100_000;

fn opts(pairs: &[(&str, &str)]) -> Options {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn path_of(name: &str) -> String {
    fixture(name).to_str().expect("utf-8 path").to_string()
}

/// Opens a fixture by path, panicking with the error if that fails.
fn open(name: &str) -> StreamReader {
    StreamReader::new(&path_of(name), None, None).unwrap_or_else(|e| panic!("opening {name}: {e}"))
}

/// The error of opening `src`, panicking if it opens.
fn open_err(src: &str, format: Option<&str>, options: Option<&Options>) -> Error {
    match StreamReader::new(src, format, options) {
        Ok(r) => panic!("opening {src} (format {format:?}, options {options:?}) succeeded: {r:?}"),
        Err(e) => e,
    }
}

/// The error of adding an output with `o` to a fresh reader of fixture `name`.
fn add_err(name: &str, o: AudioStreamOptions) -> Error {
    let mut r = open(name);
    match r.add_audio_stream(o.clone()) {
        Ok(i) => panic!("add_audio_stream({o:?}) on {name} succeeded (output {i})"),
        Err(e) => e,
    }
}

fn assert_invalid_argument(e: &Error, needles: &[&str]) {
    assert!(
        matches!(e, Error::InvalidArgument(_)),
        "expected InvalidArgument, got {e:?}"
    );
    let msg = e.to_string();
    for n in needles {
        assert!(msg.contains(n), "message {msg:?} should contain {n:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Sources and formats
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_file_is_io_error_naming_the_path() {
    let src = "/definitely/not/here/missing_input.wav";
    let e = open_err(src, None, None);
    match &e {
        Error::Io { source, .. } => assert_eq!(source.kind(), std::io::ErrorKind::NotFound),
        other => panic!("expected Error::Io, got {other:?}"),
    }
    assert!(e.to_string().contains(src), "{e}");
}

#[test]
fn directory_is_invalid_argument() {
    let dir = fixture("README.md")
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let e = open_err(&dir, None, None);
    assert_invalid_argument(&e, &[&dir, "directory"]);
}

#[test]
fn empty_file_is_decode_error_mentioning_empty() {
    let src = path_of("empty.wav");
    let e = open_err(&src, None, None);
    assert!(matches!(e, Error::Decode(_)), "expected Decode, got {e:?}");
    let msg = e.to_string();
    assert!(msg.contains("empty"), "{msg}");
    assert!(msg.contains("empty.wav"), "{msg}");
}

#[test]
fn empty_bytes_from_memory_and_stream_are_errors() {
    let e = StreamReader::from_reader(Cursor::new(Vec::new()), None).unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
    assert!(e.to_string().contains("empty"), "{e}");
    // A non-seekable source does not know its length up front: it must still fail cleanly.
    let e = StreamReader::from_stream(Cursor::new(Vec::new()), None).unwrap_err();
    assert!(
        matches!(e, Error::Decode(_) | Error::Unsupported(_)),
        "{e:?}"
    );
}

/// Content no demuxer recognises is `Unsupported`, and the message names the source and the
/// formats that are supported.
#[test]
fn unrecognised_content_is_unsupported_naming_the_source() {
    for name in ["random_bytes.bin", "text_named.mp3"] {
        let src = path_of(name);
        let e = open_err(&src, None, None);
        assert!(
            matches!(e, Error::Unsupported(_)),
            "{name}: expected Unsupported, got {e:?}"
        );
        let msg = e.to_string();
        assert!(msg.contains(name), "{name}: {msg}");
        assert!(msg.contains("wav") && msg.contains("flac"), "{name}: {msg}");
    }
}

#[test]
fn unrecognised_content_from_memory_is_unsupported() {
    let bytes = std::fs::read(fixture("random_bytes.bin")).unwrap();
    let e = StreamReader::from_reader(Cursor::new(bytes.clone()), None).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e:?}");
    assert!(e.to_string().contains("<reader>"), "{e}");
    let e = StreamReader::from_stream(Cursor::new(bytes), None).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e:?}");
    assert!(e.to_string().contains("<stream>"), "{e}");
}

#[test]
fn unknown_format_override_lists_supported_formats() {
    let e = open_err(&path_of("wav_s16_stereo_44100.wav"), Some("xyz"), None);
    assert!(matches!(e, Error::Unsupported(_)), "{e:?}");
    let msg = e.to_string();
    for needle in ["xyz", "wav", "s16le", "flac", "mp3"] {
        assert!(msg.contains(needle), "{msg:?} should contain {needle:?}");
    }
}

#[test]
fn option_on_a_container_format_is_invalid_argument_naming_it() {
    let wav = path_of("wav_s16_stereo_44100.wav");
    let e = open_err(&wav, None, Some(&opts(&[("foo", "1")])));
    assert_invalid_argument(&e, &["foo"]);
    // Raw-PCM options make no sense for a container either.
    let e = open_err(&wav, Some("wav"), Some(&opts(&[("sample_rate", "8000")])));
    assert_invalid_argument(&e, &["sample_rate"]);
}

#[test]
fn raw_pcm_option_errors() {
    let raw = path_of("raw_s16le_stereo_44100.raw");
    // No sample rate.
    let e = open_err(&raw, Some("s16le"), None);
    assert_invalid_argument(&e, &["sample_rate"]);
    let e = open_err(&raw, Some("s16le"), Some(&opts(&[("channels", "2")])));
    assert_invalid_argument(&e, &["sample_rate"]);
    // Bad values.
    let e = open_err(
        &raw,
        Some("s16le"),
        Some(&opts(&[("sample_rate", "44100"), ("channels", "0")])),
    );
    assert_invalid_argument(&e, &["channels", "0"]);
    let e = open_err(&raw, Some("s16le"), Some(&opts(&[("sample_rate", "abc")])));
    assert_invalid_argument(&e, &["sample_rate", "abc"]);
    let e = open_err(&raw, Some("f32le"), Some(&opts(&[("sample_rate", "0")])));
    assert_invalid_argument(&e, &["sample_rate"]);
    let e = open_err(&raw, Some("s16le"), Some(&opts(&[("sample_rate", "-5")])));
    assert_invalid_argument(&e, &["sample_rate"]);
    // Unknown key.
    let e = open_err(
        &raw,
        Some("s16le"),
        Some(&opts(&[("sample_rate", "44100"), ("bogus_key", "3")])),
    );
    assert_invalid_argument(&e, &["bogus_key"]);
}

#[test]
fn forcing_the_wrong_container_is_an_error_not_a_panic() {
    let wav = path_of("wav_s16_stereo_44100.wav");
    // Every container but wav forced on the wav fixture: a Decode error naming the format and
    // the file (none of these demuxers mistakes RIFF/PCM bytes for its own format).
    for f in [
        "flac", "mp3", "ogg", "mp4", "m4a", "mkv", "webm", "aiff", "caf", "aac",
    ] {
        let e = open_err(&wav, Some(f), None);
        assert!(matches!(e, Error::Decode(_)), "forcing {f}: {e:?}");
        let msg = e.to_string();
        assert!(msg.contains(&format!("\"{f}\"")), "forcing {f}: {msg}");
        assert!(
            msg.contains("wav_s16_stereo_44100.wav"),
            "forcing {f}: {msg}"
        );
    }
    // Forcing the right one works, and the name is case-insensitive.
    assert_eq!(
        StreamReader::new(&wav, Some("WAV"), None)
            .unwrap()
            .get_metadata()
            .format,
        "wav"
    );
}

/// A container that symphonia recognises but cannot open because the file is cut short must
/// not be reported as "not a recognised audio format" (which lists the very format the file
/// is in): symphonia's reason ("isomp4: missing moov atom", "mkv: missing segment element") is
/// an `Unsupported` error from the demuxer, which `probe_error` (src/reader/source.rs) maps to
/// the same message as content no demuxer recognised, dropping the reason.
#[test]
fn truncated_container_error_says_why() {
    for (name, reason) in [
        ("aac_stereo_44100.m4a", "moov"),
        ("mkv_video_2audio.mkv", "segment"),
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let prefix = bytes[..bytes.len() * 9 / 10].to_vec();
        let e = StreamReader::from_reader(Cursor::new(prefix), None).unwrap_err();
        let msg = e.to_string();
        assert!(!msg.contains("not a recognised"), "{name}: {msg}");
        assert!(
            msg.contains(reason) || msg.contains("truncated"),
            "{name}: {msg}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// add_audio_stream and friends
// ---------------------------------------------------------------------------------------------

#[test]
fn zero_frames_per_chunk_or_buffer_is_invalid_argument() {
    let e = add_err("wav_s16_stereo_44100.wav", AudioStreamOptions::new(0));
    assert_invalid_argument(&e, &["frames_per_chunk"]);
    let e = add_err(
        "wav_s16_stereo_44100.wav",
        AudioStreamOptions::new(1024).buffer_chunk_size(0),
    );
    assert_invalid_argument(&e, &["buffer_chunk_size"]);
    let mut r = open("wav_s16_stereo_44100.wav");
    assert_invalid_argument(
        &r.add_basic_audio_stream(0, 3).unwrap_err(),
        &["frames_per_chunk"],
    );
    assert_invalid_argument(
        &r.add_basic_audio_stream(10, 0).unwrap_err(),
        &["buffer_chunk_size"],
    );
    assert_eq!(r.num_out_streams(), 0, "failed calls must not add outputs");
}

#[test]
fn video_stream_index_is_invalid_argument_listing_audio_streams() {
    let mkv = "mkv_video_2audio.mkv";
    let e = add_err(mkv, AudioStreamOptions::new(1024).stream_index(0));
    assert_invalid_argument(&e, &["video", "[1, 2]"]);
    let e = add_err(mkv, AudioStreamOptions::new(1024).stream_index(99));
    assert_invalid_argument(&e, &["99"]);
    // The audio streams themselves are fine.
    let mut r = open(mkv);
    assert_eq!(
        r.add_audio_stream(AudioStreamOptions::new(1024).stream_index(2))
            .unwrap(),
        0
    );
}

#[test]
fn stream_index_out_of_range_is_invalid_argument() {
    let e = add_err(
        "flac_16_stereo_44100.flac",
        AudioStreamOptions::new(1024).stream_index(99),
    );
    assert_invalid_argument(&e, &["99"]);
    let r = open("flac_16_stereo_44100.flac");
    assert_invalid_argument(&r.get_src_stream_info(99).unwrap_err(), &["99"]);
    assert_invalid_argument(&r.get_src_stream_info(1).unwrap_err(), &["1"]);
}

#[test]
fn wrong_decoder_is_invalid_argument_naming_the_codec() {
    let e = add_err(
        "flac_16_stereo_44100.flac",
        AudioStreamOptions::new(1024).decoder("mp3"),
    );
    assert_invalid_argument(&e, &["mp3", "flac"]);
    // The right name is accepted.
    let mut r = open("flac_16_stereo_44100.flac");
    r.add_audio_stream(AudioStreamOptions::new(1024).decoder("flac"))
        .unwrap();
}

#[test]
fn bad_decoder_options_are_invalid_argument() {
    let flac = "flac_16_stereo_44100.flac";
    let e = add_err(
        flac,
        AudioStreamOptions::new(1024).decoder_option("speed", "fast"),
    );
    assert_invalid_argument(&e, &["speed", "gapless, verify"]);
    let e = add_err(
        flac,
        AudioStreamOptions::new(1024).decoder_option("gapless", "maybe"),
    );
    assert_invalid_argument(&e, &["gapless", "maybe"]);
    let e = add_err(
        flac,
        AudioStreamOptions::new(1024).decoder_option("verify", ""),
    );
    assert_invalid_argument(&e, &["verify"]);
    // Valid values are accepted.
    let mut r = open(flac);
    r.add_audio_stream(
        AudioStreamOptions::new(1024)
            .decoder_option("gapless", "false")
            .decoder_option("verify", "TRUE"),
    )
    .unwrap();
}

#[test]
fn zero_output_rate_or_channels_are_invalid_argument() {
    let wav = "wav_s16_stereo_44100.wav";
    let e = add_err(wav, AudioStreamOptions::new(1024).sample_rate(0));
    assert_invalid_argument(&e, &["sample_rate"]);
    let e = add_err(wav, AudioStreamOptions::new(1024).num_channels(0));
    assert_invalid_argument(&e, &["num_channels"]);
}

#[test]
fn process_packet_without_output_is_invalid_argument() {
    let mut r = open("wav_s16_stereo_44100.wav");
    assert_invalid_argument(
        &r.process_packet().unwrap_err(),
        &["add_basic_audio_stream"],
    );
    assert!(matches!(
        r.process_all_packets(),
        Err(Error::InvalidArgument(_))
    ));
    assert!(r.pop_chunks().is_empty());
}

/// With no output, `is_buffer_ready()` is vacuously true, so `fill_buffer()` returns `Ok(1)`
/// without reading anything, forever: the documented loop `while reader.fill_buffer()? != 0`
/// never ends, and `stream()` yields empty `Vec`s endlessly. Both should fail like
/// `process_packet()` does.
#[test]
fn fill_buffer_and_stream_without_output_are_invalid_argument() {
    let mut r = open("wav_s16_stereo_44100.wav");
    let e = r.fill_buffer();
    assert!(
        matches!(e, Err(Error::InvalidArgument(_))),
        "fill_buffer() gave {e:?}"
    );
    let items: Vec<_> = r.stream().take(5).collect();
    assert!(
        matches!(items.as_slice(), [Err(Error::InvalidArgument(_))]),
        "stream() gave {} items: {:?}",
        items.len(),
        items.first()
    );
}

#[test]
fn negative_or_nan_seek_is_invalid_argument() {
    let mut r = open("wav_s16_stereo_44100.wav");
    r.add_basic_audio_stream(1024, 3).unwrap();
    assert_invalid_argument(&r.seek(-1.0).unwrap_err(), &["timestamp", "-1"]);
    assert_invalid_argument(&r.seek(f64::NAN).unwrap_err(), &["timestamp", "NaN"]);
    assert_invalid_argument(&r.seek(f64::NEG_INFINITY).unwrap_err(), &["timestamp"]);
    // The reader is still usable after the rejected seeks.
    r.fill_buffer().unwrap();
    let c = r.pop_chunks().remove(0).expect("a chunk");
    assert_eq!((c.pts, c.ncols()), (0.0, 1024));
}

// ---------------------------------------------------------------------------------------------
// Truncated and corrupted input
// ---------------------------------------------------------------------------------------------

/// A fixture with what opening it from memory needs.
struct Fx {
    name: &'static str,
    format: Option<&'static str>,
    options: &'static [(&'static str, &'static str)],
    /// Lossless (PCM or FLAC): whatever a prefix yields is bit-exact the full decode's start.
    exact: bool,
    /// Of the 2 x 49 prefixes (seekable and not), at least this many must yield audio: a check
    /// that the test exercises decoding and not only failed opens.
    min_with_audio: usize,
}

const fn fx(name: &'static str, exact: bool, min_with_audio: usize) -> Fx {
    Fx {
        name,
        format: None,
        options: &[],
        exact,
        min_with_audio,
    }
}

const RAW_S16: Fx = Fx {
    name: "raw_s16le_stereo_44100.raw",
    format: Some("s16le"),
    options: &[("sample_rate", "44100"), ("channels", "2")],
    exact: true,
    min_with_audio: 98,
};
const RAW_F32: Fx = Fx {
    name: "raw_f32le_mono_16000.raw",
    format: Some("f32le"),
    options: &[("sample_rate", "16000"), ("channels", "1")],
    exact: true,
    min_with_audio: 98,
};

/// How one decode ended.
struct Outcome {
    /// Planar frames popped (everything, including after an error).
    frames: Vec<Vec<f32>>,
    /// `Ok(())` for `Ok(0)`, else the error.
    end: Result<(), Error>,
}

impl Outcome {
    fn num_frames(&self) -> usize {
        self.frames.first().map_or(0, Vec::len)
    }
}

fn pop_into(r: &mut StreamReader, frames: &mut Vec<Vec<f32>>) {
    while let Some(c) = r.pop_chunks().remove(0) {
        if frames.is_empty() {
            frames.resize(c.nrows(), Vec::new());
        }
        assert_eq!(
            frames.len(),
            c.nrows(),
            "channel count changed between chunks"
        );
        for (ch, row) in c.rows().into_iter().enumerate() {
            frames[ch].extend(row.iter());
        }
    }
}

/// Calls `process_packet` until `Ok(0)` or an error, popping as it goes; asserts the bound on
/// calls is not hit (no endless loop).
fn run_to_end(r: &mut StreamReader) -> (Vec<Vec<f32>>, Result<(), Error>) {
    let mut frames = Vec::new();
    for _ in 0..MAX_CALLS {
        let step = r.process_packet();
        pop_into(r, &mut frames);
        match step {
            Ok(0) => {
                // After the end it stays at the end.
                assert!(
                    matches!(r.process_packet(), Ok(0)),
                    "process_packet after the end"
                );
                pop_into(r, &mut frames);
                return (frames, Ok(()));
            }
            Ok(_) => {}
            Err(e) => return (frames, Err(e)),
        }
    }
    panic!("process_packet did not finish within {MAX_CALLS} calls: {r:?}");
}

/// Opens `bytes` as `f` from memory (seekable or not). Opening may fail (with an error).
fn open_bytes(f: &Fx, bytes: Vec<u8>, seekable: bool) -> Result<StreamReader, Error> {
    let options = opts(f.options);
    let options = (!options.is_empty()).then_some(&options);
    if seekable {
        StreamReader::from_reader_with(Cursor::new(bytes), f.format, options)
    } else {
        StreamReader::from_stream_with(Cursor::new(bytes), f.format, options)
    }
}

/// Opens `bytes` and decodes the default audio stream; the error when opening fails.
fn decode_bytes(f: &Fx, bytes: Vec<u8>, seekable: bool) -> Result<Outcome, Error> {
    let mut r = open_bytes(f, bytes, seekable)?;
    r.add_basic_audio_stream(1024, usize::MAX)
        .unwrap_or_else(|e| panic!("{}: the reader opened but has no usable audio: {e}", f.name));
    let (frames, end) = run_to_end(&mut r);
    Ok(Outcome { frames, end })
}

fn assert_prefix_of(f: &Fx, what: &str, got: &[Vec<f32>], full: &[Vec<f32>]) {
    if got.is_empty() {
        return;
    }
    assert_eq!(got.len(), full.len(), "{} {what}: channel count", f.name);
    for (ch, (g, a)) in got.iter().zip(full).enumerate() {
        if let Some(i) = g
            .iter()
            .zip(a)
            .position(|(x, y)| x.to_bits() != y.to_bits())
        {
            panic!(
                "{} {what}: channel {ch} frame {i}: {} but the full decode has {}",
                f.name, g[i], a[i]
            );
        }
    }
}

/// Every prefix of k/50 of the file (k = 1..50), seekable and non-seekable: no panic, no hang,
/// never more frames than the full file, and a bit-exact prefix for lossless codecs.
fn check_truncations(f: Fx) {
    let bytes = std::fs::read(fixture(f.name)).unwrap();
    let full = decode_bytes(&f, bytes.clone(), true).expect("the whole file opens");
    assert!(
        full.end.is_ok(),
        "{}: full decode ended with {:?}",
        f.name,
        full.end
    );
    let n_full = full.num_frames();
    assert!(n_full > 0, "{}: the full decode is empty", f.name);

    let mut with_audio = 0;
    for k in 1..50 {
        let prefix = bytes[..bytes.len() * k / 50].to_vec();
        for seekable in [true, false] {
            let what = format!(
                "{k}/50 of the bytes ({}seekable)",
                if seekable { "" } else { "non-" }
            );
            let out = match decode_bytes(&f, prefix.clone(), seekable) {
                Err(e) => {
                    assert!(
                        !e.to_string().is_empty(),
                        "{} {what}: empty error message",
                        f.name
                    );
                    continue;
                }
                Ok(out) => out,
            };
            let n = out.num_frames();
            if n > 0 {
                with_audio += 1;
            }
            assert!(
                n <= n_full,
                "{} {what}: {n} frames, more than the {n_full} of the whole file",
                f.name
            );
            if let Err(e) = &out.end {
                assert!(
                    !e.to_string().is_empty(),
                    "{} {what}: empty error message",
                    f.name
                );
            }
            if f.exact {
                assert_prefix_of(&f, &what, &out.frames, &full.frames);
            }
        }
    }
    eprintln!("{}: {with_audio} of 98 prefixes gave audio", f.name);
    assert!(
        with_audio >= f.min_with_audio,
        "{}: only {with_audio} of 98 prefixes gave audio (expected at least {})",
        f.name,
        f.min_with_audio
    );
}

macro_rules! truncation_tests {
    ($($test:ident => $fx:expr;)*) => {$(
        #[test]
        fn $test() {
            check_truncations($fx);
        }
    )*};
}

// The minimum counts of prefixes with audio record what works today (of 98: 49 seekable + 49
// non-seekable), so a regression shows:
// * AIFF: symphonia's AIFF reader, on a seekable source, skips over the whole SSND chunk to look
//   for chunks after it, so a truncated file fails to open ("truncated before any audio"); the
//   same bytes through a pipe decode up to the cut.
// * CAF: symphonia needs the whole `data` chunk to open: no prefix opens, seekable or not.
// * M4A: the `moov` index is at the end (no faststart): no prefix can open.
// * MKV: on a seekable source symphonia follows the segment size past the end ("missing
//   segment element"); through a pipe every prefix past the first packets decodes.
// * Ogg: the first ~20% of the file does not open (headers + first audio page).
truncation_tests! {
    truncated_wav_s16 => fx("wav_s16_stereo_44100.wav", true, 96);
    truncated_wav_s24 => fx("wav_s24_mono_48000.wav", true, 96);
    truncated_wav_f32 => fx("wav_f32_stereo_22050.wav", true, 96);
    truncated_aiff => fx("aiff_s16_stereo_44100.aiff", true, 48);
    truncated_caf => fx("caf_s16_stereo_44100.caf", true, 0);
    truncated_raw_s16 => RAW_S16;
    truncated_raw_f32 => RAW_F32;
    truncated_flac_16 => fx("flac_16_stereo_44100.flac", true, 84);
    truncated_flac_24 => fx("flac_24_mono_96000.flac", true, 90);
    truncated_mkv_flac => fx("mkv_video_2audio.mkv", true, 45);
    truncated_mp3_cbr => fx("mp3_cbr128_stereo_44100.mp3", false, 94);
    truncated_mp3_vbr => fx("mp3_vbr_v2_mono_44100.mp3", false, 94);
    truncated_ogg_vorbis => fx("vorbis_q5_stereo_44100.ogg", false, 70);
    truncated_m4a_aac => fx("aac_stereo_44100.m4a", false, 0);
    truncated_mp3_untagged => fx("mp3_notag_cbr128_stereo_44100.mp3", false, 96);
    truncated_mp3_mode_change => fx("mp3_mode_change_44100.mp3", false, 96);
    truncated_wav_24_in_32 => fx("wav_s24in32_alsa_stereo_48000.wav", true, 96);
    // Damaged metadata: prefixes that end inside it or just after have no audio to find.
    truncated_flac_bad_comment => fx("flac_bad_comment_16_stereo_44100.flac", true, 64);
    truncated_flac_channels_change => fx("flac_channels_change_44100.flac", true, 90);
    // opusenc puts up to 1 s of audio in one Ogg page, and a cut page has no whole packet: the
    // first half of the 2 s file has nothing to decode, and the 1 s 5.1 file only its last
    // prefixes. The MP4 has its index at the end.
    truncated_ogg_opus => fx("opus_96k_stereo_48000.opus", false, 46);
    truncated_webm_opus => fx("opus_96k_stereo_48000.webm", false, 46);
    truncated_mp4_opus => fx("opus_96k_stereo_48000.mp4", false, 0);
    truncated_ogg_opus_51 => fx("opus_51_48000.opus", false, 2);
}

/// A fixed pseudo-random byte pattern (xorshift64*), the same on every run.
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            (s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
enum Damage {
    /// 64 bytes of pseudo-random garbage in the middle.
    Garbage64,
    /// 1 KiB of zeros in the middle.
    Zero1K,
}

const DAMAGES: [Damage; 2] = [Damage::Garbage64, Damage::Zero1K];

fn damaged(bytes: &[u8], damage: Damage) -> Vec<u8> {
    let mut bad = bytes.to_vec();
    let mid = bad.len() / 2;
    match damage {
        Damage::Garbage64 => {
            bad[mid..mid + 64].copy_from_slice(&pattern(64, 0x5EED_1234_ABCD_0001))
        }
        Damage::Zero1K => bad[mid - 512..mid + 512].fill(0),
    }
    bad
}

/// A decode of a fixture damaged in the middle, with the intact file's decode.
struct Corrupted {
    full: Outcome,
    out: Outcome,
    chunks: Vec<audiostream::Chunk>,
    sample_rate: u32,
    failed_packets: u64,
    stats: audiostream::ReaderStats,
}

fn decode_corrupted(name: &'static str, damage: Damage) -> Corrupted {
    let f = fx(name, false, 0);
    let bytes = std::fs::read(fixture(name)).unwrap();
    let full = decode_bytes(&f, bytes.clone(), true).expect("the whole file opens");
    assert!(full.end.is_ok(), "{name}: {:?}", full.end);

    let mut r = StreamReader::from_reader(Cursor::new(damaged(&bytes, damage)), None)
        .unwrap_or_else(|e| {
            panic!("{name} {damage:?}: the header is intact, opening must work: {e}")
        });
    let sample_rate = r.get_metadata().sample_rate;
    r.add_basic_audio_stream(1024, usize::MAX).unwrap();
    let mut chunks = Vec::new();
    let mut end = None;
    for _ in 0..MAX_CALLS {
        let step = r.process_packet();
        chunks.extend(std::iter::from_fn(|| r.pop_chunks().remove(0)));
        match step {
            Ok(0) => end = Some(Ok(())),
            Ok(_) => continue,
            Err(e) => end = Some(Err(e)),
        }
        break;
    }
    let end = end.unwrap_or_else(|| panic!("{name} {damage:?}: no end within {MAX_CALLS} calls"));
    let frames = common::ours::concat(&chunks);
    Corrupted {
        full,
        out: Outcome { frames, end },
        chunks,
        sample_rate,
        failed_packets: r.stats().failed_packets,
        stats: r.stats(),
    }
}

/// Codecs that resync: most of the audio survives damage in the middle, and damage never adds
/// audio.
fn check_mostly_survives(name: &'static str, damage: Damage) -> Corrupted {
    let c = decode_corrupted(name, damage);
    let (n, n_full) = (c.out.num_frames(), c.full.num_frames());
    assert!(
        2 * n >= n_full,
        "{name} {damage:?}: only {n} of {n_full} frames survived (end: {:?})",
        c.out.end
    );
    assert!(
        n <= n_full,
        "{name} {damage:?}: {n} frames from a {n_full}-frame file"
    );
    c
}

/// FLAC resyncs after damage: the damaged frame is lost, the gap it leaves is filled with
/// silence (so every later frame keeps its time), and everything else is bit-exact.
#[test]
fn corrupted_flac_resyncs_after_the_damage() {
    for name in ["flac_16_stereo_44100.flac", "flac_24_mono_96000.flac"] {
        for damage in DAMAGES {
            let c = check_mostly_survives(name, damage);
            assert!(c.out.end.is_ok(), "{name} {damage:?}: {:?}", c.out.end);
            let n_full = c.full.num_frames();
            assert_eq!(c.out.num_frames(), n_full, "{name} {damage:?}: length kept");
            assert!(
                c.stats.gaps > 0,
                "{name} {damage:?}: the lost frame is counted"
            );
            let gap = c.stats.gap_frames as usize;
            assert!(
                gap > 0 && gap < n_full / 2,
                "{name} {damage:?}: {gap} frames lost"
            );
            for (ch, (got, want)) in c.out.frames.iter().zip(&c.full.frames).enumerate() {
                // Exactly `gap` frames differ from the full decode, and they are silent.
                let differing: Vec<usize> = (0..n_full).filter(|&i| got[i] != want[i]).collect();
                assert!(differing.len() <= gap, "{name} {damage:?}: channel {ch}");
                assert!(
                    differing.iter().all(|&i| got[i] == 0.0),
                    "{name} {damage:?}: channel {ch}: the gap is silence"
                );
            }
        }
    }
}

/// A frame lost to corruption is counted: symphonia's FLAC demuxer drops the damaged bytes
/// (the frame CRC fails) and the reader sees the gap in the packet timestamps.
#[test]
fn corrupted_flac_counts_the_lost_frame() {
    for name in ["flac_16_stereo_44100.flac", "flac_24_mono_96000.flac"] {
        for damage in DAMAGES {
            let c = decode_corrupted(name, damage);
            assert!(c.stats.gaps >= 1, "{name} {damage:?}: {:?}", c.stats);
            assert!(c.stats.gap_frames >= 1, "{name} {damage:?}: {:?}", c.stats);
        }
    }
}

/// After a packet is lost, later chunks still carry their true time: the reader fills the gap
/// the packet timestamps show with silence, so the last chunk ends where the stream ends and
/// holds the frames the full decode has there. (MP3 has no timestamps: its demuxer counts the
/// frames it finds, so a lost MP3 frame cannot be told from a shorter stream, as in FFmpeg.)
#[test]
fn chunk_pts_stay_true_after_a_lost_packet() {
    for name in ["flac_16_stereo_44100.flac", "vorbis_q5_stereo_44100.ogg"] {
        let c = decode_corrupted(name, Damage::Zero1K);
        let n_full = c.full.num_frames();
        assert!(
            c.stats.gaps > 0 || c.failed_packets > 0,
            "{name}: expected a lost packet: {:?}",
            c.stats
        );
        let last = c.chunks.last().expect("chunks");
        let start = (last.pts * f64::from(c.sample_rate)).round() as usize;
        assert_eq!(
            start + last.ncols(),
            n_full,
            "{name}: the last chunk (pts {:.6} s, {} frames) should end where the stream ends \
             ({n_full} frames = {:.6} s)",
            last.pts,
            last.ncols(),
            n_full as f64 / f64::from(c.sample_rate)
        );
        if name.ends_with(".flac") {
            // Lossless: the last chunk is the full decode's frames at the time its pts says.
            for (ch, row) in last.rows().into_iter().enumerate() {
                let want = &c.full.frames[ch][start..start + last.ncols()];
                assert!(
                    row.iter().eq(want.iter()),
                    "{name}: channel {ch} of the last chunk"
                );
            }
        }
    }
}

#[test]
fn corrupted_mp3_keeps_most_frames() {
    for name in ["mp3_cbr128_stereo_44100.mp3", "mp3_vbr_v2_mono_44100.mp3"] {
        for damage in DAMAGES {
            let c = check_mostly_survives(name, damage);
            assert!(c.out.end.is_ok(), "{name} {damage:?}: {:?}", c.out.end);
            // At most a handful of 1152-frame MP3 frames are lost to 1 KiB of damage.
            let lost = c.full.num_frames() - c.out.num_frames();
            assert!(lost <= 5 * 1152, "{name} {damage:?}: {lost} frames lost");
        }
    }
}

#[test]
fn corrupted_ogg_and_m4a_end_cleanly() {
    for name in ["vorbis_q5_stereo_44100.ogg", "aac_stereo_44100.m4a"] {
        for damage in DAMAGES {
            let c = decode_corrupted(name, damage);
            let (n, n_full) = (c.out.num_frames(), c.full.num_frames());
            assert!(
                n <= n_full,
                "{name} {damage:?}: {n} frames from a {n_full}-frame file"
            );
            match &c.out.end {
                Ok(()) => assert!(2 * n >= n_full, "{name} {damage:?}: only {n} of {n_full}"),
                Err(e) => assert!(
                    matches!(e, Error::Decode(_) | Error::Io { .. }),
                    "{name}: {e:?}"
                ),
            }
        }
    }
}

#[test]
fn corrupted_m4a_counts_failed_packets() {
    // AAC has no resync problem in MP4 (the index says where each packet is), so damaged
    // packets reach the decoder, fail, and are counted.
    for damage in DAMAGES {
        let c = decode_corrupted("aac_stereo_44100.m4a", damage);
        assert!(c.out.end.is_ok(), "{damage:?}: {:?}", c.out.end);
        assert!(c.failed_packets > 0, "{damage:?}: no failed packet counted");
    }
}

#[test]
fn corrupted_wav_samples_keep_the_length() {
    for name in [
        "wav_s16_stereo_44100.wav",
        "wav_s24_mono_48000.wav",
        "wav_f32_stereo_22050.wav",
    ] {
        for damage in DAMAGES {
            let c = decode_corrupted(name, damage);
            assert!(c.out.end.is_ok(), "{name} {damage:?}: {:?}", c.out.end);
            // PCM has no framing to lose: damaged samples are still samples.
            assert_eq!(c.out.num_frames(), c.full.num_frames(), "{name} {damage:?}");
            assert_eq!(c.failed_packets, 0, "{name} {damage:?}");
            let differs = c.out.frames.iter().zip(&c.full.frames).any(|(a, b)| a != b);
            assert!(
                differs,
                "{name} {damage:?}: the damage should show in the samples"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Every packet fails
// ---------------------------------------------------------------------------------------------

/// Byte offsets and lengths of the MPEG-1 Layer III frames of `mp3` (after any ID3v2 tag).
fn mp3_frames(mp3: &[u8]) -> Vec<(usize, usize)> {
    const KBPS: [usize; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const RATES: [usize; 3] = [44100, 48000, 32000];
    let mut pos = 0;
    if mp3.starts_with(b"ID3") {
        let size = mp3[6..10]
            .iter()
            .fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7f));
        pos = 10 + size;
    }
    let mut frames = Vec::new();
    while pos + 4 <= mp3.len() {
        let h = &mp3[pos..pos + 4];
        // Sync, MPEG-1, Layer III.
        assert!(
            h[0] == 0xFF && h[1] & 0xFE == 0xFA,
            "no MPEG-1 Layer III frame at byte {pos}"
        );
        let kbps = KBPS[usize::from(h[2] >> 4)];
        let rate = RATES[usize::from((h[2] >> 2) & 3)];
        let padding = usize::from((h[2] >> 1) & 1);
        let len = 144_000 * kbps / rate + padding;
        if pos + len > mp3.len() {
            break;
        }
        frames.push((pos, len));
        pos += len;
    }
    frames
}

/// An MP3 whose frame headers are intact but whose payloads are all 0xFF: the side info then
/// has big_values = 511 > 288, which no decoder accepts, so every packet fails. The reader must
/// report that as `Error::Decode` at the end rather than "succeed" with no audio.
#[test]
fn mp3_where_every_packet_fails_is_a_decode_error() {
    let mut bytes = std::fs::read(fixture("mp3_vbr_v2_mono_44100.mp3")).unwrap();
    let frames = mp3_frames(&bytes);
    assert!(frames.len() >= 78, "found {} frames", frames.len());
    for &(start, len) in &frames {
        bytes[start + 4..start + len].fill(0xFF);
    }
    for seekable in [true, false] {
        let src = bytes.clone();
        let mut r = if seekable {
            StreamReader::from_reader(Cursor::new(src), None)
        } else {
            StreamReader::from_stream(Cursor::new(src), None)
        }
        .expect("the headers are intact: the file opens");
        assert_eq!(r.get_metadata().codec, "mp3");
        r.add_basic_audio_stream(1024, usize::MAX).unwrap();
        let (out, end) = run_to_end(&mut r);
        assert!(
            out.is_empty(),
            "{} channels of audio from garbage",
            out.len()
        );
        match end {
            Err(Error::Decode(d)) => {
                assert_eq!(d.kind, audiostream::DecodeErrorKind::Malformed);
                let msg = d.message;
                assert!(msg.contains("none of the"), "{msg}");
                assert!(msg.contains("mp3"), "{msg}");
            }
            other => panic!("seekable={seekable}: expected Error::Decode, got {other:?}"),
        }
        assert_eq!(r.stats().decoded_packets, 0);
        assert!(r.stats().failed_packets >= 77, "{:?}", r.stats());
    }
}

/// The files of the conformance fixes, damaged in the middle: every one ends cleanly, keeps most
/// of its audio, and never gains any.
#[test]
fn corrupted_conformance_fixtures_end_cleanly() {
    for name in [
        "mp3_notag_cbr128_stereo_44100.mp3",
        "mp3_mode_change_44100.mp3",
        "wav_s24in32_alsa_stereo_48000.wav",
        "flac_bad_comment_16_stereo_44100.flac",
        "flac_channels_change_44100.flac",
    ] {
        for damage in DAMAGES {
            let c = check_mostly_survives(name, damage);
            if let Err(e) = &c.out.end {
                assert!(!e.to_string().is_empty(), "{name} {damage:?}: empty error");
            }
        }
    }
}

/// Ogg Opus from opusenc holds up to 1 s of audio in one page: damage in the middle of a 2 s
/// file hits the first audio page, whose CRC fails when the demuxer opens the stream (symphonia
/// refuses the whole stream then). Opening fails cleanly, or what can be decoded is; never
/// more frames than the intact file.
#[test]
fn corrupted_ogg_opus_ends_cleanly() {
    // And WebM: symphonia's Matroska demuxer does not resynchronise after damage (FFmpeg looks
    // for the next cluster): it ends there, with an error naming the damage.
    for name in [
        "opus_96k_stereo_48000.opus",
        "opus_51_48000.opus",
        "opus_96k_stereo_48000.webm",
    ] {
        let f = fx(name, false, 0);
        let bytes = std::fs::read(fixture(name)).unwrap();
        let full = decode_bytes(&f, bytes.clone(), true).expect("the whole file opens");
        for damage in DAMAGES {
            for seekable in [true, false] {
                match decode_bytes(&f, damaged(&bytes, damage), seekable) {
                    Err(e) => assert!(!e.to_string().is_empty(), "{name} {damage:?}"),
                    Ok(out) => {
                        assert!(out.num_frames() <= full.num_frames(), "{name} {damage:?}");
                        if let Err(e) = &out.end {
                            assert!(!e.to_string().is_empty(), "{name} {damage:?}");
                        }
                    }
                }
            }
        }
    }
}
