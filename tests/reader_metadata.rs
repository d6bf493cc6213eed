//! Metadata against ffprobe (the oracle): rate, channels, codec, length, duration, bits, bit
//! rate and tags of every fixture, the streams of the MKV, and raw PCM metadata.

mod common;

use audiostream::{MediaType, Metadata, Options, StreamReader};
use common::oracle::{ffmpeg_decode, fixture};
use std::process::Command;

// ---------------------------------------------------------------------------------------------
// A minimal JSON reader for ffprobe's output (no serde in dev-dependencies).
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Json {
        let mut p = JsonParser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value();
        p.ws();
        assert_eq!(p.i, p.s.len(), "trailing characters in JSON");
        v
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A field by key, ignoring ASCII case (ffprobe keeps the container's tag case).
    fn get_ci(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_array(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            other => panic!("not an array: {other:?}"),
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A number, or a string holding one (ffprobe writes many numbers as strings).
    fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            Json::Str(s) => s.parse().ok(),
            _ => None,
        }
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(
            self.s.get(self.i),
            Some(&c),
            "JSON: expected {:?} at {}",
            c as char,
            self.i
        );
        self.i += 1;
    }

    fn value(&mut self) -> Json {
        self.ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.s[self.i] == b'}' {
                    self.i += 1;
                    return Json::Obj(fields);
                }
                loop {
                    self.ws();
                    let k = self.string();
                    self.eat(b':');
                    fields.push((k, self.value()));
                    self.ws();
                    self.i += 1;
                    match self.s[self.i - 1] {
                        b',' => continue,
                        b'}' => return Json::Obj(fields),
                        c => panic!("JSON: unexpected {:?} in object", c as char),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s[self.i] == b']' {
                    self.i += 1;
                    return Json::Arr(items);
                }
                loop {
                    items.push(self.value());
                    self.ws();
                    self.i += 1;
                    match self.s[self.i - 1] {
                        b',' => continue,
                        b']' => return Json::Arr(items),
                        c => panic!("JSON: unexpected {:?} in array", c as char),
                    }
                }
            }
            b'"' => Json::Str(self.string()),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'n' => self.word("null", Json::Null),
            _ => {
                let start = self.i;
                while self.i < self.s.len() && b"+-0123456789.eE".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                Json::Num(
                    text.parse()
                        .unwrap_or_else(|_| panic!("JSON: bad number {text:?}")),
                )
            }
        }
    }

    fn word(&mut self, w: &str, v: Json) -> Json {
        assert!(
            self.s[self.i..].starts_with(w.as_bytes()),
            "JSON: bad literal at {}",
            self.i
        );
        self.i += w.len();
        v
    }

    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = Vec::new();
        loop {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.s[self.i];
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap();
                            self.i += 4;
                            let ch = char::from_u32(u32::from_str_radix(hex, 16).unwrap())
                                .unwrap_or('\u{fffd}');
                            out.extend(ch.to_string().as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        String::from_utf8(out).expect("utf-8 JSON string")
    }
}

#[test]
fn json_reader_self_test() {
    let v = Json::parse(
        r#" {"a": [1, -2.5e1, "x\"y\u00e9"], "b": {}, "c": [], "d": null, "E": true} "#,
    );
    assert_eq!(v.get("a").unwrap().as_array()[1], Json::Num(-25.0));
    assert_eq!(v.get("a").unwrap().as_array()[2].as_str(), Some("x\"yé"));
    assert_eq!(v.get("b"), Some(&Json::Obj(vec![])));
    assert_eq!(v.get("d"), Some(&Json::Null));
    assert_eq!(v.get_ci("e"), Some(&Json::Bool(true)));
    assert_eq!(v.get("missing"), None);
}

// ---------------------------------------------------------------------------------------------
// ffprobe
// ---------------------------------------------------------------------------------------------

/// `ffprobe -v error -show_streams -show_format -of json [input_args] FILE`, parsed.
fn ffprobe(name: &str, input_args: &[&str]) -> Json {
    let path = fixture(name);
    let program = std::env::var_os("FFPROBE").unwrap_or_else(|| "ffprobe".into());
    let out = Command::new(&program)
        .args(["-v", "error"])
        .args(input_args)
        .args(["-show_streams", "-show_format", "-of", "json"])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("could not run ffprobe (install ffmpeg): {e}"));
    assert!(
        out.status.success(),
        "ffprobe {name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Json::parse(&String::from_utf8(out.stdout).expect("utf-8 ffprobe output"))
}

/// ffprobe's stream with `"index": index`.
fn probe_stream(probe: &Json, index: usize) -> &Json {
    probe
        .get("streams")
        .expect("streams")
        .as_array()
        .iter()
        .find(|s| s.get("index").and_then(Json::as_f64) == Some(index as f64))
        .unwrap_or_else(|| panic!("ffprobe has no stream {index}"))
}

fn num(v: &Json, key: &str) -> f64 {
    v.get(key)
        .and_then(Json::as_f64)
        .unwrap_or_else(|| panic!("ffprobe: no number {key:?} in {v:?}"))
}

fn text<'a>(v: &'a Json, key: &str) -> &'a str {
    v.get(key)
        .and_then(Json::as_str)
        .unwrap_or_else(|| panic!("ffprobe: no string {key:?} in {v:?}"))
}

/// A tag from ffprobe's format tags or the stream's tags, keys compared ignoring case.
fn probe_tag<'a>(probe: &'a Json, stream: &'a Json, key: &str) -> Option<&'a str> {
    let format_tags = probe.get("format").and_then(|f| f.get("tags"));
    let stream_tags = stream.get("tags");
    [format_tags, stream_tags]
        .into_iter()
        .flatten()
        .find_map(|t| t.get_ci(key).and_then(Json::as_str))
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

fn open(name: &str) -> StreamReader {
    let path = fixture(name);
    StreamReader::new(path.to_str().unwrap(), None, None)
        .unwrap_or_else(|e| panic!("opening {name}: {e}"))
}

fn raw_options(rate: u32, channels: usize) -> Options {
    Options::from([
        ("sample_rate".to_string(), rate.to_string()),
        ("channels".to_string(), channels.to_string()),
    ])
}

/// Frames our reader decodes (never dropping a chunk).
fn decoded_frames(reader: StreamReader) -> usize {
    common::ours::decode_reader(reader, None)
        .first()
        .map_or(0, Vec::len)
}

/// Rate, channels and codec against ffprobe; num_frames against what ffmpeg decodes; duration
/// against num_frames / rate; the default stream's `SourceStream` agrees with `Metadata`.
fn check_stream_properties(name: &str) {
    let reader = open(name);
    let m = reader.get_metadata();
    let default = reader.default_audio_stream().expect("an audio stream");
    let probe = ffprobe(name, &[]);
    let ps = probe_stream(&probe, default);
    assert_eq!(text(ps, "codec_type"), "audio");

    assert_eq!(
        f64::from(m.sample_rate),
        num(ps, "sample_rate"),
        "{name}: sample_rate"
    );
    assert_eq!(
        m.num_channels as f64,
        num(ps, "channels"),
        "{name}: channels"
    );
    assert_eq!(m.codec, text(ps, "codec_name"), "{name}: codec");

    let ffmpeg_frames = ffmpeg_decode(&fixture(name), 0, &[]).num_frames() as u64;
    assert_eq!(
        m.num_frames,
        Some(ffmpeg_frames),
        "{name}: num_frames vs ffmpeg's decode"
    );

    let expected_duration = ffmpeg_frames as f64 / f64::from(m.sample_rate);
    let duration = m.duration.expect("a duration");
    assert!(
        (duration - expected_duration).abs() < 1e-9,
        "{name}: duration {duration} vs {ffmpeg_frames} / {} = {expected_duration}",
        m.sample_rate
    );

    let s = reader.get_src_stream_info(default).unwrap();
    assert_eq!(s.media_type, MediaType::Audio);
    assert_eq!(
        (
            s.sample_rate,
            s.num_channels,
            s.num_frames,
            s.duration,
            &s.codec
        ),
        (
            Some(m.sample_rate),
            Some(m.num_channels),
            m.num_frames,
            m.duration,
            &m.codec
        ),
        "{name}: get_src_stream_info({default}) vs get_metadata()"
    );
}

/// Our decoded length equals the num_frames we report (what a caller may preallocate).
fn check_decoded_length(name: &str) {
    let reader = open(name);
    let expected = reader.get_metadata().num_frames.expect("num_frames") as usize;
    assert_eq!(
        decoded_frames(reader),
        expected,
        "{name}: decoded frames vs num_frames"
    );
}

/// bits_per_sample against ffprobe (`bits_per_sample`, or `bits_per_raw_sample` for FLAC),
/// and the bit rate: exact for PCM, within 10% of ffprobe's format bit_rate otherwise.
fn check_bits_and_bit_rate(name: &str, expected_bits: Option<u32>) {
    let reader = open(name);
    let m = reader.get_metadata();
    let default = reader.default_audio_stream().unwrap();
    let probe = ffprobe(name, &[]);
    let ps = probe_stream(&probe, default);
    assert_eq!(m.bits_per_sample, expected_bits, "{name}: bits_per_sample");
    if let Some(bits) = expected_bits {
        let probed = match num(ps, "bits_per_sample") {
            0.0 => num(ps, "bits_per_raw_sample"),
            b => b,
        };
        assert_eq!(
            f64::from(bits),
            probed,
            "{name}: bits_per_sample vs ffprobe"
        );
    }
    let bit_rate = m.bit_rate.expect("a bit rate") as f64;
    if m.codec.starts_with("pcm_") {
        let exact =
            f64::from(m.sample_rate) * m.num_channels as f64 * f64::from(expected_bits.unwrap());
        assert_eq!(bit_rate, exact, "{name}: PCM bit rate");
        assert_eq!(
            bit_rate,
            num(ps, "bit_rate"),
            "{name}: PCM bit rate vs ffprobe's stream"
        );
        let s = reader.get_src_stream_info(default).unwrap();
        assert_eq!(s.bit_rate, m.bit_rate, "{name}: stream bit rate");
    } else {
        let probed = num(probe.get("format").unwrap(), "bit_rate");
        assert!(
            (bit_rate - probed).abs() <= 0.10 * probed,
            "{name}: bit rate {bit_rate} vs ffprobe's {probed}"
        );
    }
}

/// title/artist equal ffprobe's (format or stream tags), i.e. "Fixture Title"/"Fixture Artist".
fn check_tags(name: &str) {
    let m = open(name).get_metadata();
    let probe = ffprobe(name, &[]);
    let ps = probe_stream(&probe, 0);
    for (key, value) in [
        ("title", "Fixture Title"),
        ("artist", "Fixture Artist"),
        ("album", "Fixture Album"),
    ] {
        assert_eq!(
            probe_tag(&probe, ps, key),
            Some(value),
            "{name}: ffprobe's {key}"
        );
        assert_eq!(
            m.tags.get(key).map(String::as_str),
            Some(value),
            "{name}: our tags[{key:?}]; all tags: {:?}",
            m.tags
        );
    }
}

macro_rules! per_fixture {
    ($check:ident: $($(#[$attr:meta])* $test:ident => $file:expr $(, $arg:expr)?;)*) => {$(
        #[test]
        $(#[$attr])*
        fn $test() {
            $check($file $(, $arg)?);
        }
    )*};
}

per_fixture! { check_stream_properties:
    properties_wav_s16 => "wav_s16_stereo_44100.wav";
    properties_wav_s24 => "wav_s24_mono_48000.wav";
    properties_wav_f32 => "wav_f32_stereo_22050.wav";
    properties_aiff => "aiff_s16_stereo_44100.aiff";
    properties_caf => "caf_s16_stereo_44100.caf";
    properties_flac_16 => "flac_16_stereo_44100.flac";
    properties_flac_24 => "flac_24_mono_96000.flac";
    properties_mp3_cbr => "mp3_cbr128_stereo_44100.mp3";
    properties_mp3_vbr => "mp3_vbr_v2_mono_44100.mp3";
    properties_ogg_vorbis => "vorbis_q5_stereo_44100.ogg";
}

per_fixture! { check_decoded_length:
    decoded_length_wav_s16 => "wav_s16_stereo_44100.wav";
    decoded_length_wav_s24 => "wav_s24_mono_48000.wav";
    decoded_length_wav_f32 => "wav_f32_stereo_22050.wav";
    decoded_length_aiff => "aiff_s16_stereo_44100.aiff";
    decoded_length_caf => "caf_s16_stereo_44100.caf";
    decoded_length_flac_16 => "flac_16_stereo_44100.flac";
    decoded_length_flac_24 => "flac_24_mono_96000.flac";
    decoded_length_mp3_cbr => "mp3_cbr128_stereo_44100.mp3";
    decoded_length_mp3_vbr => "mp3_vbr_v2_mono_44100.mp3";
    decoded_length_ogg_vorbis => "vorbis_q5_stereo_44100.ogg";
    /// num_frames says 89224 (the `stts` total: 1024 priming + 88200). Every one of the 88 AAC
    /// packets decodes to 1024 frames; the reader ends where the sample table ends, dropping
    /// the last block's 888 padding frames.
    decoded_length_m4a_aac => "aac_stereo_44100.m4a";
}

per_fixture! { check_bits_and_bit_rate:
    bits_wav_s16 => "wav_s16_stereo_44100.wav", Some(16);
    bits_wav_s24 => "wav_s24_mono_48000.wav", Some(24);
    /// symphonia 0.6.1's WAV reader sets no bits_per_sample for WAVE_FORMAT_IEEE_FLOAT (only for
    /// PCM and EXTENSIBLE), and `describe_track` (src/reader/mod.rs) takes the bits only from
    /// the codec parameters, so a float WAV reports bits_per_sample None and (at stream level)
    /// no bit rate; `get_metadata().bit_rate` then falls back to the file average 1412128
    /// instead of 22050 * 2 * 32 = 1411200. The codec (pcm_f32le) alone says 32.
    bits_wav_f32 => "wav_f32_stereo_22050.wav", Some(32);
    bits_aiff => "aiff_s16_stereo_44100.aiff", Some(16);
    bits_caf => "caf_s16_stereo_44100.caf", Some(16);
    bits_flac_16 => "flac_16_stereo_44100.flac", Some(16);
    bits_flac_24 => "flac_24_mono_96000.flac", Some(24);
    bits_mkv_flac => "mkv_video_2audio.mkv", Some(16);
    bits_mp3_cbr => "mp3_cbr128_stereo_44100.mp3", None;
    bits_mp3_vbr => "mp3_vbr_v2_mono_44100.mp3", None;
    bits_ogg_vorbis => "vorbis_q5_stereo_44100.ogg", None;
    bits_m4a_aac => "aac_stereo_44100.m4a", None;
}

per_fixture! { check_tags:
    tags_mp3_id3v2 => "mp3_cbr128_stereo_44100.mp3";
    tags_flac_vorbis_comments => "flac_16_stereo_44100.flac";
    tags_ogg_vorbis_comments => "vorbis_q5_stereo_44100.ogg";
    tags_m4a_ilst => "aac_stereo_44100.m4a";
    /// The LIST/INFO chunk (INAM, IART, IPRD) is before `data`. symphonia 0.6.1's WavReader
    /// parses it into a local MetadataLog in `try_new` and then drops it (it stores
    /// `opts.external_data.metadata` instead), so the reader sees no tags at all; ffprobe shows
    /// title/artist/album. The fix on our side is to read the INFO chunk ourselves.
    tags_wav_riff_info => "wav_s16_stereo_44100.wav";
}

/// AAC in M4A: symphonia 0.6.1 does not apply the MP4 edit list (`elst` media_time 1024), so we
/// report the track's full `stts` length including the encoder's 1024 priming frames:
/// 1024 + 88200 = 89224 frames, 2.0232 s. FFmpeg trims the priming (its decode starts at the
/// source's first frame) but decodes the last packet in full: 89088 frames. ffprobe's stream
/// duration (2.0 s, duration_ts 88200) is the edit list's.
#[test]
fn m4a_aac_properties_with_the_edit_list() {
    let name = "aac_stereo_44100.m4a";
    let m = open(name).get_metadata();
    let probe = ffprobe(name, &[]);
    let ps = probe_stream(&probe, 0);
    assert_eq!(f64::from(m.sample_rate), num(ps, "sample_rate"));
    assert_eq!(m.num_channels as f64, num(ps, "channels"));
    assert_eq!(m.codec, text(ps, "codec_name"));
    assert_eq!(m.codec, "aac");
    assert_eq!(m.format, "mp4");
    assert_eq!(
        num(ps, "duration_ts"),
        88200.0,
        "ffprobe: the edit list's duration"
    );
    assert_eq!(ffmpeg_decode(&fixture(name), 0, &[]).num_frames(), 89088);
    // The edit list's length, as ffprobe says: the priming and the padding are not audio.
    assert_eq!(m.num_frames, Some(88200), "the edit list's duration");
    let duration = m.duration.unwrap();
    assert!((duration - 2.0).abs() < 1e-9, "{duration}");
}

#[test]
fn formats_are_named_like_ffmpeg() {
    for (name, format) in [
        ("wav_s16_stereo_44100.wav", "wav"),
        ("aiff_s16_stereo_44100.aiff", "aiff"),
        ("caf_s16_stereo_44100.caf", "caf"),
        ("flac_16_stereo_44100.flac", "flac"),
        ("mp3_cbr128_stereo_44100.mp3", "mp3"),
        ("vorbis_q5_stereo_44100.ogg", "ogg"),
        ("aac_stereo_44100.m4a", "mp4"),
        ("mkv_video_2audio.mkv", "matroska"),
    ] {
        let m = open(name).get_metadata();
        assert_eq!(m.format, format, "{name}");
        // ffprobe's format_name is a comma-separated list of demuxer names; ours is one of them.
        let probe = ffprobe(name, &[]);
        let names = text(probe.get("format").unwrap(), "format_name");
        assert!(
            names.split(',').any(|n| n == format),
            "{name}: {format} not in {names}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// MKV with a video stream and two audio streams
// ---------------------------------------------------------------------------------------------

#[test]
fn mkv_streams_match_ffprobe() {
    let name = "mkv_video_2audio.mkv";
    let reader = open(name);
    let probe = ffprobe(name, &[]);
    assert_eq!(reader.num_src_streams(), 3);
    assert_eq!(probe.get("streams").unwrap().as_array().len(), 3);

    let video = reader.get_src_stream_info(0).unwrap();
    assert_eq!(video.media_type, MediaType::Video);
    assert_eq!(video.index, 0);
    assert_eq!(text(probe_stream(&probe, 0), "codec_type"), "video");
    assert_eq!((video.sample_rate, video.num_channels), (None, None));

    for (i, rate, channels) in [(1usize, 44100u32, 2usize), (2, 48000, 1)] {
        let s = reader.get_src_stream_info(i).unwrap();
        let ps = probe_stream(&probe, i);
        assert_eq!(s.index, i);
        assert_eq!(s.media_type, MediaType::Audio, "stream {i}");
        assert_eq!(
            (s.sample_rate, s.num_channels),
            (Some(rate), Some(channels)),
            "stream {i}"
        );
        assert_eq!(f64::from(rate), num(ps, "sample_rate"));
        assert_eq!(channels as f64, num(ps, "channels"));
        assert_eq!(s.codec, text(ps, "codec_name"));
        assert_eq!(s.codec, "flac");
        assert_eq!(s.bits_per_sample, Some(16));
    }
    // ffprobe's default disposition is on stream 1, and so is ours.
    assert_eq!(reader.default_audio_stream(), Some(1));
    let default = probe.get("streams").unwrap().as_array().iter().find(|s| {
        s.get("disposition")
            .and_then(|d| d.get("default"))
            .and_then(Json::as_f64)
            == Some(1.0)
    });
    assert_eq!(default.map(|s| num(s, "index")), Some(1.0));

    let m = reader.get_metadata();
    assert_eq!(
        (m.sample_rate, m.num_channels, m.codec.as_str()),
        (44100, 2, "flac")
    );
    // Matroska stores no frame count; ffmpeg decodes 66150 frames of stream 1.
    assert_eq!(ffmpeg_decode(&fixture(name), 0, &[]).num_frames(), 66150);
}

// ---------------------------------------------------------------------------------------------
// Raw PCM
// ---------------------------------------------------------------------------------------------

fn check_raw(name: &str, format: &str, rate: u32, channels: usize, codec: &str, bits: u32) {
    let path = fixture(name);
    let options = raw_options(rate, channels);
    let reader = StreamReader::new(path.to_str().unwrap(), Some(format), Some(&options))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let m: Metadata = reader.get_metadata();
    let bytes = std::fs::metadata(&path).unwrap().len();
    let frames = bytes / (channels as u64 * u64::from(bits / 8));
    assert_eq!(m.sample_rate, rate, "{name}");
    assert_eq!(m.num_channels, channels, "{name}");
    assert_eq!(m.codec, codec, "{name}");
    assert_eq!(m.format, format, "{name}");
    assert_eq!(m.num_frames, Some(frames), "{name}");
    assert_eq!(m.bits_per_sample, Some(bits), "{name}");
    assert_eq!(
        m.bit_rate,
        Some(u64::from(rate) * channels as u64 * u64::from(bits)),
        "{name}"
    );
    let duration = m.duration.unwrap();
    assert!(
        (duration - frames as f64 / f64::from(rate)).abs() < 1e-9,
        "{name}: {duration}"
    );
    assert!(m.tags.is_empty(), "{name}: {:?}", m.tags);
    assert_eq!(reader.num_src_streams(), 1);
    assert_eq!(reader.default_audio_stream(), Some(0));

    // ffprobe, told the same format, agrees; so does ffmpeg's decode length.
    let ac = channels.to_string();
    let ar = rate.to_string();
    let args = ["-f", format, "-ar", ar.as_str(), "-ac", ac.as_str()];
    let probe = ffprobe(name, &args);
    let ps = probe_stream(&probe, 0);
    assert_eq!(m.codec, text(ps, "codec_name"), "{name}");
    assert_eq!(f64::from(rate), num(ps, "sample_rate"), "{name}");
    assert_eq!(channels as f64, num(ps, "channels"), "{name}");
    assert_eq!(
        ffmpeg_decode(&path, 0, &args).num_frames() as u64,
        frames,
        "{name}"
    );
    assert_eq!(decoded_frames(reader) as u64, frames, "{name}: our decode");
}

#[test]
fn raw_s16le_metadata_comes_from_the_options() {
    check_raw(
        "raw_s16le_stereo_44100.raw",
        "s16le",
        44100,
        2,
        "pcm_s16le",
        16,
    );
}

#[test]
fn raw_f32le_metadata_comes_from_the_options() {
    check_raw(
        "raw_f32le_mono_16000.raw",
        "f32le",
        16000,
        1,
        "pcm_f32le",
        32,
    );
}

#[test]
fn raw_metadata_follows_the_options_not_the_content() {
    // The same bytes read as mono 8 kHz: twice the frames, four times the duration.
    let path = fixture("raw_s16le_stereo_44100.raw");
    let reader = StreamReader::new(
        path.to_str().unwrap(),
        Some("s16le"),
        Some(&raw_options(8000, 1)),
    )
    .unwrap();
    let m = reader.get_metadata();
    assert_eq!(
        (m.sample_rate, m.num_channels, m.num_frames),
        (8000, 1, Some(44100))
    );
    assert!((m.duration.unwrap() - 44100.0 / 8000.0).abs() < 1e-9);
}

/// ID3v1 (a 128-byte tag at the end of an MP3), written by the `lame` CLI at test time, is read
/// as FFmpeg reads it.
#[test]
fn id3v1_tags_are_read() {
    let dir = std::env::temp_dir().join(format!("audiostream-id3v1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("v1.mp3");
    let status = Command::new("lame")
        .args([
            "--quiet",
            "--id3v1-only",
            "--tt",
            "Old Style",
            "--ta",
            "Someone",
        ])
        .arg(fixture("wav_s16_stereo_44100.wav"))
        .arg(&out)
        .status()
        .expect("lame runs");
    assert!(status.success());
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(
        &bytes[bytes.len() - 128..bytes.len() - 125],
        b"TAG",
        "an ID3v1 tag at the end"
    );
    assert!(!bytes.starts_with(b"ID3"), "no ID3v2 tag");
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format_tags=title",
            "-of",
            "default=nw=1:nk=1",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&probe.stdout).trim(),
        "Old Style",
        "ffprobe"
    );
    let reader = StreamReader::new(out.to_str().unwrap(), None, None).unwrap();
    let tags = reader.get_metadata().tags;
    assert_eq!(
        tags.get("title").map(String::as_str),
        Some("Old Style"),
        "{tags:?}"
    );
    assert_eq!(
        tags.get("artist").map(String::as_str),
        Some("Someone"),
        "{tags:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
