//! FLAC through libFLAC (the copy bundled in `libflac-sys`, driven directly through its C API).
//!
//! # Settings
//!
//! | setting | FLAC |
//! |---|---|
//! | `encoder_format` | `s16` (default) → 16-bit FLAC, input [`crate::SampleFormat::S16`] as [`crate::Planar::I16`]; `s24` → 24-bit FLAC, input [`crate::SampleFormat::S24`] as [`crate::Planar::I32`] (range ±2^23); anything else is an error |
//! | sample rate | 1 .. 655350 Hz (rates libFLAC's "streamable subset" cannot code in a frame header, e.g. 88201 Hz, are written with the subset check off) |
//! | channels | 1 .. 8, FLAC's channel order |
//! | `CodecConfig.compression_level` | 0 (fastest) .. 8 (smallest), default 5: libFLAC's compression level (as `flac -0` .. `flac -8`) |
//! | `CodecConfig.bit_rate`, `qscale` | error: FLAC is lossless |
//! | other `CodecConfig` fields | error |
//! | `encoder_option` `verify` | `"true"` / `"false"` (default): libFLAC's verify mode (decodes every frame again and fails on a mismatch) |
//! | other `encoder_option`s | error |
//! | tags | Vorbis comments: `title` → `TITLE`, `artist` → `ARTIST`, `album` → `ALBUM`, `date` → `DATE`, `genre` → `GENRE`, `comment` → `COMMENT`, `track` → `TRACKNUMBER`, any other key uppercased |
//!
//! # Output
//!
//! The stream is `fLaC`, STREAMINFO, one VORBIS_COMMENT block (libFLAC's vendor string and the
//! tags), then frames of libFLAC's fixed block size (4096 frames at levels 3..8, 1152 at 0..2).
//! Nothing is written before the first `encode`, `flush` or `finish`.
//!
//! libFLAC is given a write and a metadata callback but no seek callback, so it never goes
//! back to fill in STREAMINFO itself. For a seekable [`crate::Sink`] this encoder does it: on every
//! `flush` the total sample count is set to the frames written so far, and at `finish` to all of
//! them, together with the MD5 of the audio (interleaved little-endian samples, 2 bytes each
//! for 16-bit, 3 for 24-bit: what `flac -t` checks), which libFLAC computes and hands over in
//! the final STREAMINFO of its metadata callback; the minimum and maximum frame sizes are
//! filled in each time too. For a stream sink nothing is patched: total samples 0 (unknown),
//! frame sizes 0 (unknown) and an all-zero MD5 (unset), all legal, so the stream is readable
//! as it is written; libFLAC's MD5 is switched off there (nothing could use it).
//!
//! `flush` writes every whole block libFLAC has encoded; the last partial block waits for more
//! audio or `finish`. Dropping a started encoder without `finish` finishes it (errors are
//! logged).
//!
//! # How it is built
//!
//! - **libFLAC.** A private `Live` owns the libFLAC encoder (`FLAC__stream_encoder_new`, the
//!   setters, `FLAC__stream_encoder_init_stream`) and, through a raw pointer from
//!   `Box::into_raw`, the `Output` its callbacks append to (their `client_data`). libFLAC
//!   touches the `Output` only inside calls made through `&mut Live`; between calls the encoder
//!   takes the bytes and passes them to the sink. `Live`'s `Drop` deletes the libFLAC encoder
//!   before freeing the box; nothing leaks. Why not seek callbacks, so that libFLAC patches
//!   STREAMINFO itself at `finish`: the output goes through the `Output` buffer (for the tags,
//!   below), so a seek from a callback would have to reach past it into the sink, and `flush`
//!   needs its own patching anyway.
//! - **MD5.** libFLAC hashes the audio as it encodes (`FLAC__stream_encoder_set_do_md5`, on
//!   for seekable sinks only); the sum arrives in the STREAMINFO libFLAC passes to the metadata
//!   callback at `FLAC__stream_encoder_finish`. The setter is exported by libFLAC but declared
//!   only in its private headers (libFLAC keeps its signature stable for callers that declare
//!   it themselves), so it is declared here.
//! - **Tags.** The empty VORBIS_COMMENT block libFLAC writes at initialisation (vendor string
//!   only) is replaced in the buffered header by one with the tags before it reaches the sink
//!   (same vendor string, same last-block flag). libFLAC never learns the header got longer:
//!   without a seek callback it never uses its byte offsets.
//!
//! The code is in rooms of one job each: `libflac` (the libFLAC handle, its callbacks and
//! status names), `tags` (the stream header and the VORBIS_COMMENT block) and `encoder`
//! ([`FlacEncoder`]).

mod encoder;
mod libflac;
mod tags;

pub use encoder::FlacEncoder;

/// The highest sample rate this encoder takes (FLAC's streamable-subset limit).
pub const MAX_SAMPLE_RATE: u32 = 655_350;
/// The most channels FLAC holds.
pub const MAX_CHANNELS: u16 = 8;
/// libFLAC's default compression level.
const DEFAULT_LEVEL: u32 = 5;
/// The highest compression level.
const MAX_LEVEL: i32 = 8;
/// Frames handed to libFLAC per call: bounds the conversion buffers.
const CHUNK: usize = 8192;
/// Metadata block type of VORBIS_COMMENT.
const VORBIS_COMMENT: u8 = 4;
/// Offset of STREAMINFO's minimum and maximum frame size (after `fLaC`, the block header and
/// the block sizes); then come 8 bytes of rate, channels, bits and total samples, then the MD5.
const FRAME_SIZES_OFFSET: u64 = 12;
/// The largest frame size STREAMINFO holds (24 bits).
const MAX_FRAME_SIZE: usize = (1 << 24) - 1;
/// The low 36 bits of the packed STREAMINFO field: total samples.
const TOTAL_MASK: u64 = (1 << 36) - 1;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{open_encoder, CodecConfig, StreamSpec};
    use crate::{
        EncodeError, Encoder, EncoderDelay, EncoderRequest, Options, Planar, SampleFormat, Sink,
    };
    use md5::{Digest, Md5};
    use std::collections::BTreeMap;
    use std::io;
    use std::io::Cursor;
    use std::io::{Seek, SeekFrom, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};

    /// A seekable in-memory sink the test can read after the encoder is done with it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Cursor<Vec<u8>>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().map_err(|_| io::ErrorKind::Other)?.write(b)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Seek for Shared {
        fn seek(&mut self, p: SeekFrom) -> io::Result<u64> {
            self.0.lock().map_err(|_| io::ErrorKind::Other)?.seek(p)
        }
    }
    impl Shared {
        fn bytes(&self) -> Vec<u8> {
            self.0.lock().unwrap().get_ref().clone()
        }
    }

    /// A non-seekable in-memory sink.
    #[derive(Clone, Default)]
    struct Piped(Arc<Mutex<Vec<u8>>>);
    impl Write for Piped {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::ErrorKind::Other)?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A scratch directory, removed when dropped.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("audiostream-flac-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
        fn path(&self, file: &str) -> PathBuf {
            self.0.join(file)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Test signal: two sines per channel plus noise from a fixed-seed LCG at about 90% of full
    /// scale, with one full-scale peak each way.
    fn signal(frames: usize, channels: usize, bits: u32, seed: u64) -> Vec<Vec<i32>> {
        let mut state = seed;
        let full = f64::from(1u32 << (bits - 1));
        (0..channels)
            .map(|c| {
                let (f1, f2) = (0.01 + 0.003 * c as f64, 0.0731 + 0.011 * c as f64);
                let mut ch: Vec<i32> = (0..frames)
                    .map(|i| {
                        state = state
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        let noise = (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
                        let t = i as f64 * std::f64::consts::TAU;
                        let x = 0.55 * (f1 * t).sin() + 0.25 * (f2 * t).sin() + 0.1 * noise;
                        (x * full).round().clamp(-full, full - 1.0) as i32
                    })
                    .collect();
                if frames > 200 {
                    ch[100] = full as i32 - 1;
                    ch[101] = -(full as i32);
                }
                ch
            })
            .collect()
    }

    fn to_i16(planes: &[Vec<i32>]) -> Vec<Vec<i16>> {
        planes
            .iter()
            .map(|c| c.iter().map(|&s| i16::try_from(s).unwrap()).collect())
            .collect()
    }

    /// Interleaved little-endian samples, `bits / 8` bytes each (FLAC's MD5 input, and what
    /// `flac -d --force-raw-format --endian=little --sign=signed` writes).
    fn pcm_le(planes: &[Vec<i32>], bits: u32) -> Vec<u8> {
        let width = (bits / 8) as usize;
        let mut out = Vec::new();
        for i in 0..planes[0].len() {
            for p in planes {
                out.extend(&p[i].to_le_bytes()[..width]);
            }
        }
        out
    }

    fn request(rate: u32, channels: u16, format: SampleFormat) -> EncoderRequest<'static> {
        let mut r = EncoderRequest::new(
            "flac",
            StreamSpec {
                sample_rate: rate,
                channels,
            },
        );
        r.format = Some(format);
        r
    }

    /// Encodes `planes` in chunks of `chunk` frames (as `s16` or `s24`, per the request).
    fn encode_into(
        req: &EncoderRequest<'_>,
        sink: Sink,
        planes: &[Vec<i32>],
        chunk: usize,
        tags: &Options,
    ) {
        let mut enc = open_encoder(req, sink).unwrap();
        enc.set_tags(tags).unwrap();
        let frames = planes[0].len();
        let mut start = 0;
        while start < frames {
            let end = frames.min(start + chunk);
            let part: Vec<Vec<i32>> = planes.iter().map(|c| c[start..end].to_vec()).collect();
            if enc.input_format() == SampleFormat::S16 {
                enc.encode(Planar::I16(&to_i16(&part))).unwrap();
            } else {
                enc.encode(Planar::I32(&part)).unwrap();
            }
            start = end;
        }
        enc.finish().unwrap();
    }

    fn encode_file(req: &EncoderRequest<'_>, path: &Path, planes: &[Vec<i32>], tags: &Options) {
        let file = std::fs::File::create(path).unwrap();
        encode_into(req, Sink::seekable(file), planes, 4000, tags);
    }

    fn encode_bytes(req: &EncoderRequest<'_>, planes: &[Vec<i32>], chunk: usize) -> Vec<u8> {
        let out = Shared::default();
        encode_into(
            req,
            Sink::seekable(out.clone()),
            planes,
            chunk,
            &Options::new(),
        );
        out.bytes()
    }

    /// Runs a tool (feeding `stdin` from a thread) and returns its output.
    fn run(cmd: &str, args: &[&str], stdin: Option<Vec<u8>>) -> std::process::Output {
        let mut child = Command::new(cmd)
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        let feeder = stdin.map(|data| {
            let mut pipe = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = pipe.write_all(&data);
            })
        });
        let out = child.wait_with_output().unwrap();
        if let Some(f) = feeder {
            f.join().unwrap();
        }
        out
    }

    fn stderr(out: &std::process::Output) -> String {
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// `flac -t`: must pass, with the MD5 checked.
    fn flac_test(path: &Path) {
        let out = run("flac", &["-t", path.to_str().unwrap()], None);
        let err = stderr(&out);
        assert!(out.status.success(), "flac -t failed: {err}");
        assert!(err.contains(": ok"), "{err}");
        assert!(!err.contains("WARNING"), "{err}");
    }

    /// `flac -d` to raw little-endian signed samples.
    fn flac_decode(path: &Path) -> Vec<u8> {
        let args = [
            "-d",
            "-s",
            "-c",
            "--force-raw-format",
            "--endian=little",
            "--sign=signed",
        ];
        let out = run(
            "flac",
            &[&args[..], &[path.to_str().unwrap()]].concat(),
            None,
        );
        assert!(out.status.success(), "flac -d failed: {}", stderr(&out));
        out.stdout
    }

    /// `ffprobe`'s stream and format fields.
    fn ffprobe(path: &Path) -> BTreeMap<String, String> {
        let out = run(
            "ffprobe",
            &[
                "-v",
                "error",
                "-show_entries",
                "stream=codec_name,sample_rate,channels,bits_per_raw_sample:format=duration",
                "-of",
                "default=nw=1",
                path.to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "ffprobe failed: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// STREAMINFO's total samples and MD5.
    fn streaminfo(bytes: &[u8]) -> (u64, [u8; 16]) {
        let packed = u64::from_be_bytes(bytes[18..26].try_into().unwrap());
        (packed & TOTAL_MASK, bytes[26..42].try_into().unwrap())
    }

    /// STREAMINFO's minimum and maximum frame size.
    fn frame_sizes(bytes: &[u8]) -> (u32, u32) {
        let u24 = |b: &[u8]| u32::from_be_bytes([0, b[0], b[1], b[2]]);
        (u24(&bytes[12..15]), u24(&bytes[15..18]))
    }

    /// Seekable file: `flac -t` passes with the MD5 checked, `flac -d` gives the input back bit
    /// for bit, STREAMINFO has the exact total and MD5, ffprobe sees rate, channels, bits and
    /// duration.
    fn check_file(name: &str, rate: u32, channels: u16, format: SampleFormat, frames: usize) {
        let dir = TempDir::new(name);
        let path = dir.path("out.flac");
        let bits = format.bits();
        let planes = signal(frames, usize::from(channels), bits, 7);
        encode_file(
            &request(rate, channels, format),
            &path,
            &planes,
            &Options::new(),
        );
        flac_test(&path);
        let pcm = pcm_le(&planes, bits);
        assert!(
            flac_decode(&path) == pcm,
            "flac -d does not give the input back"
        );
        let bytes = std::fs::read(&path).unwrap();
        let (total, md5) = streaminfo(&bytes);
        assert_eq!(total, frames as u64);
        assert_eq!(md5, <[u8; 16]>::from(Md5::digest(&pcm)));
        let (min, max) = frame_sizes(&bytes);
        assert!(0 < min && min <= max, "frame sizes {min}..{max}");
        let probe = ffprobe(&path);
        assert_eq!(probe["codec_name"], "flac");
        assert_eq!(probe["sample_rate"], rate.to_string());
        assert_eq!(probe["channels"], channels.to_string());
        assert_eq!(probe["bits_per_raw_sample"], bits.to_string());
        let duration: f64 = probe["duration"].parse().unwrap();
        assert!(
            (duration - frames as f64 / f64::from(rate)).abs() < 1e-3,
            "{duration}"
        );
    }

    #[test]
    fn s16_stereo_44k1_file_is_lossless_with_md5() {
        check_file("s16", 44_100, 2, SampleFormat::S16, 3 * 44_100 + 17);
    }

    #[test]
    fn s24_mono_96k_file_is_lossless_with_md5() {
        check_file("s24", 96_000, 1, SampleFormat::S24, 2 * 96_000 + 5);
    }

    #[test]
    fn rate_outside_the_streamable_subset_works() {
        check_file("subset", 88_201, 3, SampleFormat::S16, 20_000);
    }

    /// ffmpeg decodes bytes from a stream sink (`-i pipe:0`) bit-exactly.
    fn check_stream(channels: u16, format: SampleFormat) {
        let bits = format.bits();
        let planes = signal(50_000, usize::from(channels), bits, 11);
        let out = Piped::default();
        let req = request(48_000, channels, format);
        encode_into(
            &req,
            Sink::stream(out.clone()),
            &planes,
            999,
            &Options::new(),
        );
        let bytes = out.0.lock().unwrap().clone();
        assert_eq!(streaminfo(&bytes), (0, [0; 16]), "a stream is not patched");
        let sample_fmt = if bits == 16 { "s16le" } else { "s32le" };
        let decoded = run(
            "ffmpeg",
            &["-v", "error", "-i", "pipe:0", "-f", sample_fmt, "-"],
            Some(bytes),
        );
        assert!(
            decoded.status.success(),
            "ffmpeg failed: {}",
            stderr(&decoded)
        );
        let expected = if bits == 16 {
            pcm_le(&planes, 16)
        } else {
            // FFmpeg's s32 is the 24-bit value shifted up by 8.
            let shifted: Vec<Vec<i32>> = planes
                .iter()
                .map(|c| c.iter().map(|s| s << 8).collect())
                .collect();
            pcm_le(&shifted, 32)
        };
        assert!(
            decoded.stdout == expected,
            "ffmpeg does not give the input back"
        );
    }

    #[test]
    fn stream_sink_decodes_bit_exactly_with_ffmpeg() {
        check_stream(2, SampleFormat::S16);
        check_stream(1, SampleFormat::S24);
    }

    #[test]
    fn chunk_size_does_not_change_the_bytes() {
        let planes = signal(30_000, 2, 16, 3);
        let req = request(44_100, 2, SampleFormat::S16);
        let whole = encode_bytes(&req, &planes, usize::MAX);
        for chunk in [1, 7, 1000] {
            assert!(
                encode_bytes(&req, &planes, chunk) == whole,
                "chunks of {chunk} differ"
            );
        }
        let planes = signal(30_000, 1, 24, 3);
        let req = request(96_000, 1, SampleFormat::S24);
        let whole = encode_bytes(&req, &planes, usize::MAX);
        for chunk in [1, 7, 1000] {
            assert!(
                encode_bytes(&req, &planes, chunk) == whole,
                "chunks of {chunk} differ"
            );
        }
    }

    /// Level 8 is no larger than level 0, and levels 5 and 8 are within 1% of the `flac` CLI's
    /// `-5` / `-8` on the same signal written as WAV. The CLI runs with `--no-padding
    /// --no-seektable`, so both files are `fLaC` + STREAMINFO + an empty VORBIS_COMMENT +
    /// frames, and the sizes compare like for like.
    #[test]
    fn compression_levels_match_the_flac_cli() {
        let dir = TempDir::new("levels");
        let planes = signal(10 * 44_100, 2, 16, 5);
        let wav = dir.path("in.wav");
        let mut enc = open_encoder(
            &EncoderRequest::new(
                "pcm_s16le",
                StreamSpec {
                    sample_rate: 44_100,
                    channels: 2,
                },
            ),
            Sink::seekable(std::fs::File::create(&wav).unwrap()),
        )
        .unwrap();
        enc.encode(Planar::I16(&to_i16(&planes))).unwrap();
        enc.finish().unwrap();
        drop(enc);
        let mut sizes = BTreeMap::new();
        for level in [0, 5, 8] {
            let mut req = request(44_100, 2, SampleFormat::S16);
            req.config = CodecConfig {
                compression_level: Some(level),
                ..Default::default()
            };
            let path = dir.path(&format!("ours{level}.flac"));
            encode_file(&req, &path, &planes, &Options::new());
            flac_test(&path);
            sizes.insert(level, std::fs::metadata(&path).unwrap().len());
        }
        assert!(sizes[&8] <= sizes[&0], "{sizes:?}");
        for level in [0, 5, 8] {
            let cli = dir.path(&format!("cli{level}.flac"));
            let out = run(
                "flac",
                &[
                    &format!("-{level}"),
                    "--no-padding",
                    "--no-seektable",
                    "-s",
                    "-f",
                    "-o",
                    cli.to_str().unwrap(),
                    wav.to_str().unwrap(),
                ],
                None,
            );
            assert!(out.status.success(), "flac -{level}: {}", stderr(&out));
            let theirs = std::fs::metadata(&cli).unwrap().len();
            let ours = sizes[&level];
            let diff = (ours as f64 - theirs as f64) / theirs as f64 * 100.0;
            // Informational: with the same libFLAC frames, the files differ only in the vendor
            // string (libFLAC versions).
            let (a, b) = (
                std::fs::read(dir.path(&format!("ours{level}.flac"))).unwrap(),
                std::fs::read(&cli).unwrap(),
            );
            let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
            println!(
                "level {level}: ours {ours} bytes, flac CLI {theirs} bytes ({diff:+.3}%), \
                 {differing} bytes differ"
            );
            assert!(
                diff.abs() <= 1.0,
                "level {level}: ours {ours}, CLI {theirs}"
            );
        }
    }

    #[test]
    fn tags_are_vorbis_comments() {
        let dir = TempDir::new("tags");
        let path = dir.path("tags.flac");
        let planes = signal(10_000, 2, 16, 9);
        let tags = Options::from([
            ("title".to_string(), "Süße Töne".to_string()),
            ("artist".to_string(), "The Testers".to_string()),
            ("track".to_string(), "3".to_string()),
            ("mood".to_string(), "a=b".to_string()),
        ]);
        encode_file(
            &request(44_100, 2, SampleFormat::S16),
            &path,
            &planes,
            &tags,
        );
        flac_test(&path);
        assert!(flac_decode(&path) == pcm_le(&planes, 16));
        let out = run(
            "ffprobe",
            &["-v", "error", "-show_format", path.to_str().unwrap()],
            None,
        );
        let format = String::from_utf8_lossy(&out.stdout);
        for tag in [
            "TAG:TITLE=Süße Töne",
            "TAG:ARTIST=The Testers",
            "TAG:MOOD=a=b",
        ] {
            assert!(format.contains(tag), "{tag} not in {format}");
        }
        let out = run(
            "metaflac",
            &[
                "--list",
                "--block-type=VORBIS_COMMENT",
                path.to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "metaflac: {}", stderr(&out));
        let list = String::from_utf8_lossy(&out.stdout);
        for entry in [
            "TITLE=Süße Töne",
            "ARTIST=The Testers",
            "TRACKNUMBER=3",
            "MOOD=a=b",
            "is last: true",
        ] {
            assert!(list.contains(entry), "{entry} not in {list}");
        }
        assert!(list.contains("vendor string: reference libFLAC"), "{list}");
    }

    fn open_err(req: &EncoderRequest<'_>) -> String {
        match FlacEncoder::new(req, Sink::stream(io::sink())) {
            Err(EncodeError::InvalidArgument(m)) => m,
            Err(e) => panic!("not InvalidArgument: {e}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn invalid_settings_are_rejected() {
        let base = request(44_100, 2, SampleFormat::S16);
        for level in [9, -1] {
            let mut r = base.clone();
            r.config.compression_level = Some(level);
            let m = open_err(&r);
            assert!(m.contains("compression_level") && m.contains("0..8"), "{m}");
        }
        let mut r = base.clone();
        r.config.bit_rate = Some(128_000);
        let m = open_err(&r);
        assert!(
            m.contains("bit_rate") && m.contains("FLAC is lossless"),
            "{m}"
        );
        let mut r = base.clone();
        r.config.qscale = Some(2.0);
        let m = open_err(&r);
        assert!(
            m.contains("qscale") && m.contains("FLAC is lossless"),
            "{m}"
        );
        let mut r = base.clone();
        r.config.buffer_size = Some(4096);
        assert!(open_err(&r).contains("buffer_size"));
        for format in [SampleFormat::S32, SampleFormat::F32, SampleFormat::U8] {
            let mut r = base.clone();
            r.format = Some(format);
            let m = open_err(&r);
            assert!(
                m.contains("encoder_format") && m.contains("s16, s24"),
                "{m}"
            );
        }
        for channels in [0, 9] {
            let m = open_err(&request(44_100, channels, SampleFormat::S16));
            assert!(m.contains("num_channels") && m.contains("1..8"), "{m}");
        }
        for rate in [0, 655_351] {
            let m = open_err(&request(rate, 2, SampleFormat::S16));
            assert!(m.contains("sample_rate") && m.contains("1..655350"), "{m}");
        }
        let mut r = base.clone();
        r.options.insert("blocksize".into(), "4096".into());
        let m = open_err(&r);
        assert!(m.contains("blocksize") && m.contains("verify"), "{m}");
        let mut r = base.clone();
        r.options.insert("verify".into(), "yes".into());
        assert!(open_err(&r).contains("verify"));
        // Through the registry too.
        let mut r = base.clone();
        r.config.qscale = Some(1.0);
        assert!(matches!(
            open_encoder(&r, Sink::stream(io::sink())),
            Err(EncodeError::InvalidArgument(m)) if m.contains("qscale")
        ));
    }

    #[test]
    fn misuse_is_rejected() {
        let is_invalid =
            |r: Result<(), EncodeError>| matches!(r, Err(EncodeError::InvalidArgument(_)));
        let out = Shared::default();
        let mut enc = FlacEncoder::new(
            &request(8000, 2, SampleFormat::S16),
            Sink::seekable(out.clone()),
        )
        .unwrap();
        assert_eq!(enc.codec(), "flac");
        assert_eq!(enc.input_format(), SampleFormat::S16);
        assert_eq!(enc.delay(), EncoderDelay::default());
        assert!(is_invalid(enc.encode(Planar::I32(&[vec![0], vec![0]]))));
        assert!(is_invalid(enc.encode(Planar::I16(&[vec![0]]))));
        assert!(is_invalid(enc.encode(Planar::I16(&[vec![0, 1], vec![0]]))));
        let bad_key = Options::from([("a=b".to_string(), "x".to_string())]);
        assert!(is_invalid(enc.set_tags(&bad_key)));
        assert!(out.bytes().is_empty(), "nothing is written before audio");
        enc.encode(Planar::I16(&[vec![1, 2, 3], vec![4, 5, 6]]))
            .unwrap();
        assert!(is_invalid(enc.set_tags(&Options::new())));
        enc.finish().unwrap();
        enc.finish().unwrap();
        enc.flush().unwrap();
        assert!(is_invalid(enc.encode(Planar::I16(&[vec![1], vec![4]]))));

        let mut enc = FlacEncoder::new(
            &request(8000, 1, SampleFormat::S24),
            Sink::stream(io::sink()),
        )
        .unwrap();
        assert_eq!(enc.input_format(), SampleFormat::S24);
        assert!(is_invalid(enc.encode(Planar::I16(&[vec![0]]))));
        assert!(is_invalid(enc.encode(Planar::I32(&[vec![0, 1 << 23]]))));
        assert!(is_invalid(enc.encode(Planar::I32(&[vec![-(1 << 23) - 1]]))));
        enc.encode(Planar::I32(&[vec![(1 << 23) - 1, -(1 << 23)]]))
            .unwrap();
        enc.finish().unwrap();
    }

    /// A flushed file is valid up to the whole blocks written: STREAMINFO's total is those
    /// frames, and `flac -t` passes on a copy taken then.
    #[test]
    fn flush_leaves_a_valid_prefix() {
        let dir = TempDir::new("flush");
        let planes = signal(10_000, 2, 16, 13);
        let out = Shared::default();
        let mut enc = FlacEncoder::new(
            &request(44_100, 2, SampleFormat::S16),
            Sink::seekable(out.clone()),
        )
        .unwrap();
        enc.flush().unwrap();
        assert_eq!(streaminfo(&out.bytes()).0, 0);
        enc.encode(Planar::I16(&to_i16(&planes))).unwrap();
        enc.flush().unwrap();
        let snapshot = out.bytes();
        // 10000 frames in blocks of 4096: two written, the rest waits for more audio.
        assert_eq!(streaminfo(&snapshot).0, 8192);
        let path = dir.path("prefix.flac");
        std::fs::write(&path, &snapshot).unwrap();
        let out_t = run("flac", &["-t", path.to_str().unwrap()], None);
        assert!(out_t.status.success(), "{}", stderr(&out_t));
        let prefix: Vec<Vec<i32>> = planes.iter().map(|c| c[..8192].to_vec()).collect();
        assert!(flac_decode(&path) == pcm_le(&prefix, 16));
        enc.finish().unwrap();
        let path = dir.path("whole.flac");
        std::fs::write(&path, out.bytes()).unwrap();
        flac_test(&path);
        assert!(flac_decode(&path) == pcm_le(&planes, 16));
    }

    #[test]
    fn dropping_finishes_the_stream() {
        let dir = TempDir::new("drop");
        let planes = signal(5000, 1, 16, 17);
        let out = Shared::default();
        let mut req = request(22_050, 1, SampleFormat::S16);
        req.options.insert("verify".into(), "true".into());
        let mut enc = FlacEncoder::new(&req, Sink::seekable(out.clone())).unwrap();
        enc.encode(Planar::I16(&to_i16(&planes))).unwrap();
        drop(enc);
        let path = dir.path("dropped.flac");
        std::fs::write(&path, out.bytes()).unwrap();
        flac_test(&path);
        assert!(flac_decode(&path) == pcm_le(&planes, 16));
    }

    #[test]
    fn empty_stream_is_valid() {
        let dir = TempDir::new("empty");
        let out = Shared::default();
        let mut enc = FlacEncoder::new(
            &request(44_100, 2, SampleFormat::S16),
            Sink::seekable(out.clone()),
        )
        .unwrap();
        enc.finish().unwrap();
        let path = dir.path("empty.flac");
        std::fs::write(&path, out.bytes()).unwrap();
        let t = run("flac", &["-t", path.to_str().unwrap()], None);
        assert!(t.status.success(), "{}", stderr(&t));
        assert!(flac_decode(&path).is_empty());
    }
}
