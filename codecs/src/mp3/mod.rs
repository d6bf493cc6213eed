//! MP3 through LAME 3.100 (`mp3lame-sys`, which builds the bundled LAME source).
//!
//! - Input: planar `flt` in `[-1, 1]`, scaled by 32768 and fed to `lame_encode_buffer_float`,
//!   as FFmpeg's libmp3lame does: the power-of-two scale is exact, so audio from 16-bit
//!   samples (`s / 32768`) encodes bit-identically to `lame` and FFmpeg on the same samples.
//!   (`lame_encode_buffer_ieee_float` scales by 32767 instead; after LAME's own per-bit-rate
//!   gain, e.g. 0.95 at 128 kbps, that rounds differently and the frames drift apart.) NaN
//!   samples become 0 and magnitudes beyond 1024 are clipped (a warning is logged).
//!   `encoder_format` may be `flt` or `s16` (LAME works in float either way); anything else
//!   is an error.
//! - Rates: the MPEG rates only — 32000, 44100, 48000 (MPEG-1), 16000, 22050, 24000 (MPEG-2),
//!   8000, 11025, 12000 (MPEG-2.5). LAME would resample anything else silently; the writer's
//!   `encoder_sample_rate` option converts instead. The output rate is pinned to the input rate
//!   (as FFmpeg's libmp3lame does), so LAME never picks a lower rate by itself (`lame -V 9`
//!   would resample 44.1 kHz to 32 kHz). Channels: 1 or 2.
//! - Tags ([`crate::Encoder::set_tags`]): an ID3v2.3 tag before the first frame (no ID3v1). Text
//!   that fits Latin-1 is written as Latin-1, anything else as UTF-16 with BOM; keys as
//!   FFmpeg's ID3v2.3 muxer (`title` → `TIT2`, `artist` → `TPE1`, `album` → `TALB`,
//!   `date`/`year` → `TYER`, `comment` → `COMM`, `genre` → `TCON`, `track` → `TRCK`, ...),
//!   other keys as `TXXX` frames. LAME adds its own `TSSE` (encoder) frame, which an
//!   `encoder` tag replaces.
//! - LAME (Xing/Info) tag: on seekable sinks the first frame is LAME's tag frame, a
//!   placeholder until [`crate::Encoder::finish`] overwrites it with the frame count, the TOC and the
//!   encoder delay and padding — which is what makes FFmpeg decode exactly the frames that were
//!   encoded (gapless). At CBR rates whose frames are too small for the tag (below 64 kbps
//!   at 44.1 kHz stereo, below 24 kbps at 8 kHz, ...) LAME silently writes none; we then write
//!   the same Info + LAME tag ourselves in a frame with a bigger bit rate, as FFmpeg's muxer
//!   does. On streams no tag frame is written (it could not be filled in), so decoders see
//!   LAME's 576 frames of delay plus the padding as extra audio.
//! - [`crate::Encoder::flush`] writes what LAME has produced and flushes the sink; LAME keeps up to
//!   about two frames (2 × 1152 samples) plus its look-ahead until more audio or `finish`.
//!   The tag frame is only filled in by `finish`; until then it decodes as one silent frame.
//! - Output is independent of how the audio is split into `encode` calls.
//!
//! # `CodecConfig` and `encoder_option`
//!
//! | setting | meaning | allowed |
//! |---|---|---|
//! | none | LAME's default, as `lame` and FFmpeg: CBR at about 11:1 — 128 kbps for 44.1/48 kHz stereo, 64 kbps for 44.1 kHz mono, 8 kbps for 8 kHz mono | |
//! | `bit_rate` | CBR at that rate (bits/s) | the MPEG version's rates: MPEG-1 32000, 40000, 48000, 56000, 64000, 80000, 96000, 112000, 128000, 160000, 192000, 224000, 256000, 320000; MPEG-2 8000 .. 160000 (with 144000); MPEG-2.5 8000 .. 64000 |
//! | `bit_rate` + `bit_rate_tolerance` | ABR (`vbr_abr`, `lame --abr`): VBR aiming at a mean of `bit_rate`. LAME has no tolerance setting; the field only selects ABR and must be > 0 | whole kbps: MPEG-1 32000 ..= 320000, MPEG-2 8000 ..= 160000, MPEG-2.5 8000 ..= 64000 |
//! | `qscale` | VBR (`vbr_mtrh`, `lame -V`) quality, 0 best/largest .. 9 smallest; fractions allowed | 0.0 ..= 9.0; not with `bit_rate` |
//! | `qmin` / `qmax` | VBR or ABR minimum / maximum frame bit rate (bits/s); `qmin` is enforced strictly (`lame -b N -F`), also for silent frames | the MPEG version's CBR rates, `qmin` <= `qmax`; only with `qscale` or ABR (and the ABR mean between them) |
//! | `compression_level` | LAME's algorithm quality (`lame -q`): 0 best/slowest .. 9 fastest; default 3 (LAME's and `lame`'s). VBR (`qscale`) uses only 0 (for 0..4), 5, 6, 7 (for 7..9) | 0 ..= 9 |
//! | `buffer_size` | error: LAME has no such setting | |
//! | `encoder_option` `joint_stereo` | `true` (default for stereo, LAME's joint stereo) or `false` (plain stereo); ignored for mono | `true`, `false`, `1`, `0` |
//!
//! With the same settings the output's audio frames (all but the tag frame) are
//! byte-identical to those of the `lame` command line tool on the same 16-bit samples (a WAV
//! whose sample `s` we get as `s / 32768`): `lame -b 128 --cbr`, `lame -V 2`,
//! `lame --abr 160`, `lame -b 192 --cbr -q 0 -m s`; and to FFmpeg's
//! (`ffmpeg -c:a libmp3lame -b:a 128k`). The tag frame differs from `lame`'s in the
//! ReplayGain fields (`lame` runs ReplayGain analysis by default) and so in the tag's CRC;
//! FFmpeg writes its own tag frame instead of LAME's.
//!
//! The code is in rooms of one job each: `settings` (what `CodecConfig` means for LAME, the
//! checks), `lame` (the LAME handle, mp3lame-sys), `tags` (ID3v2 text, the Xing/LAME tag frame)
//! and `encoder` ([`Mp3Encoder`]).

mod encoder;
mod lame;
mod settings;
mod tags;

pub use encoder::Mp3Encoder;

/// The codec name.
pub const CODEC: &str = "mp3";

/// The sample rates MP3 has: MPEG-1, MPEG-2, MPEG-2.5.
pub const SAMPLE_RATES: &[u32] = &[8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

#[cfg(test)]
mod tests {
    use super::settings::*;
    use super::tags::*;
    use super::*;
    use crate::{open_encoder, CodecConfig, StreamSpec};
    use crate::{EncodeError, Encoder, EncoderRequest, Options, Planar, SampleFormat, Sink};
    use std::io::Cursor;
    use std::io::{Seek, SeekFrom, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};

    const RATE: u32 = 44100;

    /// A seekable in-memory sink the test can read after the encoder is done with it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Cursor<Vec<u8>>>>);
    impl Shared {
        fn bytes(&self) -> Vec<u8> {
            self.0.lock().unwrap().get_ref().clone()
        }
    }
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(b)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl Seek for Shared {
        fn seek(&mut self, p: SeekFrom) -> std::io::Result<u64> {
            self.0.lock().unwrap().seek(p)
        }
    }

    /// A non-seekable sink.
    #[derive(Clone, Default)]
    struct Pipe(Arc<Mutex<Vec<u8>>>);
    impl Write for Pipe {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    struct TempDir(PathBuf);
    impl TempDir {
        fn new(tag: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("audiostream-mp3-{tag}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
        fn path(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Two sines per channel plus a little noise (fixed-seed LCG), quantized to 16 bits
    /// (`s / 32768`, which the encoder scales back to `s` exactly) so the `lame` CLI can get
    /// the same samples from a 16-bit WAV.
    fn signal(channels: usize, frames: usize) -> (Vec<Vec<f32>>, Vec<Vec<i16>>) {
        let mut seed: u32 = 0x1234_5678;
        let mut noise = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        let mut ints = vec![Vec::with_capacity(frames); channels];
        for i in 0..frames {
            let t = i as f32 / RATE as f32;
            for (c, ch) in ints.iter_mut().enumerate() {
                let f1 = 220.0 * (c as f32 + 1.0);
                let f2 = 1330.0 + 170.0 * c as f32;
                let env = 0.6 + 0.4 * (std::f32::consts::TAU * 1.5 * t).sin();
                let x = 0.5 * env * (std::f32::consts::TAU * f1 * t).sin()
                    + 0.25 * (std::f32::consts::TAU * f2 * t).sin()
                    + 0.02 * noise();
                ch.push((x * 32768.0).round() as i16);
            }
        }
        let floats = ints
            .iter()
            .map(|ch| ch.iter().map(|&s| f32::from(s) / 32768.0).collect())
            .collect();
        (floats, ints)
    }

    fn request(channels: u16, config: CodecConfig) -> EncoderRequest<'static> {
        let mut r = EncoderRequest::new(
            "mp3",
            StreamSpec {
                sample_rate: RATE,
                channels,
            },
        );
        r.config = config;
        r
    }

    /// Encodes `planes` in chunks of `chunk` frames into a seekable memory sink.
    fn encode(req: &EncoderRequest<'_>, planes: &[Vec<f32>], chunk: usize) -> Vec<u8> {
        let out = Shared::default();
        let mut enc = open_encoder(req, Sink::seekable(out.clone())).unwrap();
        encode_into(&mut *enc, planes, chunk);
        out.bytes()
    }

    fn encode_into(enc: &mut dyn Encoder, planes: &[Vec<f32>], chunk: usize) {
        let frames = planes[0].len();
        let mut i = 0;
        while i < frames {
            let end = (i + chunk).min(frames);
            let part: Vec<Vec<f32>> = planes.iter().map(|p| p[i..end].to_vec()).collect();
            enc.encode(Planar::F32(&part)).unwrap();
            i = end;
        }
        enc.finish().unwrap();
        enc.finish().unwrap(); // idempotent
    }

    fn cbr(kbps: u32) -> CodecConfig {
        CodecConfig {
            bit_rate: Some(kbps * 1000),
            ..Default::default()
        }
    }

    fn ffprobe(path: &Path) -> String {
        let out = Command::new("ffprobe")
            .args(["-v", "error", "-show_streams", "-show_format"])
            .arg(path)
            .output()
            .expect("ffprobe (install ffmpeg)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// FFmpeg's decode, interleaved f32; FFmpeg must not even warn about the file.
    fn ffmpeg_decode(input: &Path) -> Vec<f32> {
        ffmpeg_decode_args(&[], input)
    }

    fn ffmpeg_decode_args(input_args: &[&str], input: &Path) -> Vec<f32> {
        let out = Command::new("ffmpeg")
            .args(["-v", "warning"])
            .args(input_args)
            .arg("-i")
            .arg(input)
            .args(["-f", "f32le", "-"])
            .output()
            .expect("ffmpeg");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        le_f32(&out.stdout)
    }

    /// FFmpeg's decode of bytes piped to it.
    fn ffmpeg_decode_pipe(bytes: Vec<u8>) -> Vec<f32> {
        let mut child = Command::new("ffmpeg")
            .args([
                "-v", "error", "-f", "mp3", "-i", "pipe:0", "-f", "f32le", "-",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ffmpeg");
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || stdin.write_all(&bytes));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        le_f32(&out.stdout)
    }

    fn le_f32(b: &[u8]) -> Vec<f32> {
        b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    fn interleave(planes: &[Vec<f32>]) -> Vec<f32> {
        (0..planes[0].len())
            .flat_map(|i| planes.iter().map(move |p| p[i]))
            .collect()
    }

    fn snr_db(reference: &[f32], decoded: &[f32]) -> f64 {
        let (mut sig, mut err) = (0f64, 0f64);
        for (&a, &b) in reference.iter().zip(decoded) {
            sig += f64::from(a) * f64::from(a);
            err += f64::from(a - b) * f64::from(a - b);
        }
        10.0 * (sig / err).log10()
    }

    /// A 16-bit WAV of `ints`, for the `lame` CLI.
    fn write_wav(path: &Path, ints: &[Vec<i16>]) {
        let spec = StreamSpec {
            sample_rate: RATE,
            channels: ints.len() as u16,
        };
        let file = std::fs::File::create(path).unwrap();
        let mut enc = open_encoder(
            &EncoderRequest::new("pcm_s16le", spec),
            Sink::seekable(file),
        )
        .unwrap();
        enc.encode(Planar::I16(ints)).unwrap();
        enc.finish().unwrap();
    }

    fn lame_cli(args: &[&str], wav: &Path, mp3: &Path) -> Vec<u8> {
        let st = Command::new("lame")
            .arg("--quiet")
            .args(args)
            .arg(wav)
            .arg(mp3)
            .status()
            .expect("lame CLI");
        assert!(st.success());
        std::fs::read(mp3).unwrap()
    }

    /// Length of the first MP3 frame (the Xing/Info tag frame) at `pos`, from its header.
    fn frame_len(b: &[u8], pos: usize) -> usize {
        let h = &b[pos..pos + 4];
        assert_eq!((h[0], h[1] & 0xE0), (0xFF, 0xE0), "frame sync at {pos}");
        let mpeg1 = h[1] & 0x08 != 0;
        let idx = usize::from(h[2] >> 4);
        let kbps = if mpeg1 { MPEG1_KBPS } else { MPEG2_KBPS }[idx - 1] as usize;
        let rate = [
            [11025, 12000, 8000],
            [22050, 24000, 16000],
            [44100, 48000, 32000],
        ][if mpeg1 {
            2
        } else if h[1] & 0x10 != 0 {
            1
        } else {
            0
        }][usize::from(h[2] >> 2 & 3)];
        let pad = usize::from(h[2] >> 1 & 1);
        (if mpeg1 { 144_000 } else { 72_000 }) * kbps / rate + pad
    }

    #[test]
    fn cbr_128_file_decodes_gapless_in_ffmpeg() {
        let dir = TempDir::new("cbr");
        let (planes, _) = signal(2, 2 * RATE as usize);
        let path = dir.path("x.mp3");
        let file = std::fs::File::create(&path).unwrap();
        let mut enc = open_encoder(&request(2, cbr(128)), Sink::seekable(file)).unwrap();
        assert_eq!(
            (enc.codec(), enc.input_format()),
            ("mp3", SampleFormat::F32)
        );
        encode_into(&mut *enc, &planes, 4096);
        let d = enc.delay();
        drop(enc);
        assert_eq!(d.delay, 576);
        // 2 s = 88200 frames; LAME pads to whole 1152-frame frames, plus its delay and
        // look-ahead.
        assert!(
            d.padding > 0 && (88200 + d.delay + d.padding).is_multiple_of(1152),
            "{d:?}"
        );

        let probe = ffprobe(&path);
        for line in [
            "codec_name=mp3",
            "sample_rate=44100",
            "channels=2",
            "bit_rate=128000",
        ] {
            assert!(probe.lines().any(|l| l == line), "{line} not in\n{probe}");
        }
        let decoded = ffmpeg_decode(&path);
        // The key check: FFmpeg trims delay and padding from the LAME tag.
        assert_eq!(decoded.len(), 2 * 88200, "decoded frames");
        let snr = snr_db(&interleave(&planes), &decoded);
        eprintln!("128k CBR SNR vs input: {snr:.2} dB");
        // Measured 24.66 dB: a waveform SNR, low because LAME drops what its psychoacoustic
        // model says is masked or above its 17 kHz lowpass (much of the 2% white noise).
        assert!(snr > 22.0, "SNR {snr:.2} dB");
    }

    #[test]
    fn output_does_not_depend_on_chunking() {
        let (planes, _) = signal(2, 3 * RATE as usize);
        for cfg in [
            cbr(128),
            CodecConfig {
                qscale: Some(2.0),
                ..Default::default()
            },
        ] {
            let whole = encode(&request(2, cfg.clone()), &planes, usize::MAX);
            for chunk in [1, 7, 1000] {
                assert!(
                    encode(&request(2, cfg.clone()), &planes, chunk) == whole,
                    "chunk {chunk}"
                );
            }
        }
        let (mono, _) = signal(1, 10_000);
        let whole = encode(&request(1, CodecConfig::default()), &mono, usize::MAX);
        assert!(encode(&request(1, CodecConfig::default()), &mono, 7) == whole);
    }

    #[test]
    fn sizes_follow_the_settings() {
        let (planes, _) = signal(2, 5 * RATE as usize);
        let size = |cfg: CodecConfig| encode(&request(2, cfg), &planes, 65536).len();
        let (b128, b320) = (size(cbr(128)), size(cbr(320)));
        let q = |v: f32| CodecConfig {
            qscale: Some(v),
            ..Default::default()
        };
        let (v0, v9) = (size(q(0.0)), size(q(9.0)));
        let abr = size(CodecConfig {
            bit_rate: Some(192_000),
            bit_rate_tolerance: Some(1),
            ..Default::default()
        });
        eprintln!("5 s stereo: 128k {b128}, 320k {b320}, V0 {v0}, V9 {v9}, ABR 192k {abr} bytes");
        assert!(b320 > b128 * 2);
        assert!(v0 > v9);
        let target = 192_000.0 / 8.0 * 5.0;
        assert!(
            (abr as f64 - target).abs() < 0.1 * target,
            "ABR {abr} vs {target}"
        );
        // VBR limits are honoured: a 320k floor makes every frame 320k.
        let floor = size(CodecConfig {
            qscale: Some(9.0),
            qmin: Some(320_000),
            ..Default::default()
        });
        assert!(
            (floor as i64 - b320 as i64).abs() < 2000,
            "{floor} vs {b320}"
        );
        // Algorithm quality changes the bits, not the CBR size.
        let fast = encode(
            &request(
                2,
                CodecConfig {
                    compression_level: Some(9),
                    ..cbr(128)
                },
            ),
            &planes,
            65536,
        );
        assert_eq!(fast.len(), b128);
        assert!(fast != encode(&request(2, cbr(128)), &planes, 65536));
    }

    #[test]
    fn matches_the_lame_cli_and_ffmpeg() {
        let dir = TempDir::new("cli");
        let (planes, ints) = signal(2, 3 * RATE as usize);
        let wav = dir.path("in.wav");
        write_wav(&wav, &ints);
        let cases: [(&[&str], CodecConfig); 4] = [
            (&["-b", "128", "--cbr"], cbr(128)),
            (
                &["-V", "2"],
                CodecConfig {
                    qscale: Some(2.0),
                    ..Default::default()
                },
            ),
            (
                &["--abr", "160"],
                CodecConfig {
                    bit_rate: Some(160_000),
                    bit_rate_tolerance: Some(1),
                    ..Default::default()
                },
            ),
            (
                &["-b", "192", "--cbr", "-q", "0", "-m", "s"],
                CodecConfig {
                    compression_level: Some(0),
                    ..cbr(192)
                },
            ),
        ];
        for (args, cfg) in cases {
            let mut req = request(2, cfg);
            if args.contains(&"s") {
                req.options.insert("joint_stereo".into(), "false".into());
            }
            let ours = encode(&req, &planes, 10_000);
            let theirs = lame_cli(args, &wav, &dir.path("lame.mp3"));
            let diff = (ours.len() as f64 - theirs.len() as f64).abs() / theirs.len() as f64;
            let first = frame_len(&ours, 0);
            let same_audio = ours[first..] == theirs[frame_len(&theirs, 0)..];
            eprintln!(
                "lame {args:?}: ours {} bytes, lame {} bytes, audio frames identical: {same_audio}",
                ours.len(),
                theirs.len()
            );
            assert!(diff < 0.01, "{args:?}: {} vs {}", ours.len(), theirs.len());
            assert!(same_audio, "{args:?}: audio frames differ from lame's");
        }
        // FFmpeg's libmp3lame (its muxer's ID3v2 and Xing frame off) gives the same frames.
        let ff = dir.path("ff.mp3");
        let st = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-i"])
            .arg(&wav)
            .args(["-c:a", "libmp3lame", "-b:a", "128k", "-write_xing", "0"])
            .args(["-id3v2_version", "0"])
            .arg(&ff)
            .status()
            .expect("ffmpeg");
        assert!(st.success());
        let theirs = std::fs::read(&ff).unwrap();
        let ours = encode(&request(2, cbr(128)), &planes, 4096);
        let same = ours[frame_len(&ours, 0)..] == theirs[..];
        eprintln!("ffmpeg -c:a libmp3lame -b:a 128k: audio frames identical: {same}");
        assert!(same, "audio frames differ from FFmpeg's");
    }

    fn open_err(req: &EncoderRequest<'_>) -> String {
        match open_encoder(req, Sink::stream(std::io::sink())) {
            Err(EncodeError::InvalidArgument(m)) => m,
            Err(e) => panic!("not InvalidArgument: {e}"),
            Ok(_) => panic!("accepted {req:?}"),
        }
    }

    #[test]
    fn invalid_settings_are_rejected_naming_the_field() {
        let c = |f: fn(&mut CodecConfig)| {
            let mut cfg = CodecConfig::default();
            f(&mut cfg);
            request(2, cfg)
        };
        let cases: Vec<(EncoderRequest<'_>, &[&str])> = vec![
            (
                c(|c| c.bit_rate = Some(100_000)),
                &["bit_rate", "32000", "320000"],
            ),
            (c(|c| c.bit_rate = Some(144_000)), &["bit_rate", "MPEG-1"]),
            (c(|c| c.bit_rate = Some(128_500)), &["bit_rate"]),
            (c(|c| c.bit_rate = Some(400_000)), &["bit_rate"]),
            (
                c(|c| {
                    c.bit_rate = Some(128_000);
                    c.qscale = Some(2.0);
                }),
                &["qscale", "bit_rate"],
            ),
            (c(|c| c.qscale = Some(9.5)), &["qscale", "9"]),
            (c(|c| c.qscale = Some(-1.0)), &["qscale"]),
            (c(|c| c.qscale = Some(f32::NAN)), &["qscale"]),
            (
                c(|c| c.bit_rate_tolerance = Some(5)),
                &["bit_rate_tolerance"],
            ),
            (
                c(|c| {
                    c.bit_rate = Some(128_000);
                    c.bit_rate_tolerance = Some(0);
                }),
                &["bit_rate_tolerance"],
            ),
            (
                c(|c| {
                    c.bit_rate = Some(400_000);
                    c.bit_rate_tolerance = Some(1);
                }),
                &["bit_rate", "ABR"],
            ),
            (c(|c| c.qmin = Some(64_000)), &["qmin"]),
            (
                c(|c| {
                    c.bit_rate = Some(128_000);
                    c.qmax = Some(192_000);
                }),
                &["qmax"],
            ),
            (
                c(|c| {
                    c.qscale = Some(2.0);
                    c.qmin = Some(65_000);
                }),
                &["qmin"],
            ),
            (
                c(|c| {
                    c.qscale = Some(2.0);
                    c.qmin = Some(192_000);
                    c.qmax = Some(128_000);
                }),
                &["qmin", "qmax"],
            ),
            (
                c(|c| {
                    c.bit_rate = Some(96_000);
                    c.bit_rate_tolerance = Some(1);
                    c.qmin = Some(128_000);
                }),
                &["bit_rate", "qmin"],
            ),
            (
                c(|c| c.compression_level = Some(10)),
                &["compression_level"],
            ),
            (
                c(|c| c.compression_level = Some(-1)),
                &["compression_level"],
            ),
            (c(|c| c.buffer_size = Some(4096)), &["buffer_size"]),
        ];
        for (req, words) in cases {
            let m = open_err(&req);
            for w in words {
                assert!(m.contains(w), "{:?}: \"{m}\" lacks {w}", req.config);
            }
        }

        let mut req = request(2, CodecConfig::default());
        req.spec.sample_rate = 96000;
        let m = open_err(&req);
        assert!(
            m.contains("44100") && m.contains("8000") && m.contains("encoder_sample_rate"),
            "{m}"
        );
        let m = open_err(&request(3, CodecConfig::default()));
        assert!(m.contains("1, 2"), "{m}");
        let mut req = request(2, CodecConfig::default());
        req.format = Some(SampleFormat::S24);
        assert!(open_err(&req).contains("encoder_format"));
        let mut req = request(2, CodecConfig::default());
        req.options.insert("vbr".into(), "1".into());
        let m = open_err(&req);
        assert!(m.contains("vbr") && m.contains("joint_stereo"), "{m}");
        let mut req = request(2, CodecConfig::default());
        req.options.insert("joint_stereo".into(), "maybe".into());
        assert!(open_err(&req).contains("joint_stereo"));
        // MPEG-2 and MPEG-2.5 have their own tables.
        let mut req = request(1, cbr(192));
        req.spec.sample_rate = 22050;
        assert!(open_err(&req).contains("160000"));
        let mut req = request(1, cbr(96));
        req.spec.sample_rate = 8000;
        assert!(open_err(&req).contains("64000"));
    }

    #[test]
    fn accepted_settings_open() {
        let ok = |rate: u32, channels: u16, cfg: CodecConfig, format: Option<SampleFormat>| {
            let mut req = request(channels, cfg);
            req.spec.sample_rate = rate;
            req.format = format;
            open_encoder(&req, Sink::stream(std::io::sink()))
                .unwrap_or_else(|e| panic!("{rate} {channels} {:?}: {e}", req.config));
        };
        for &rate in SAMPLE_RATES {
            ok(rate, 1, CodecConfig::default(), Some(SampleFormat::S16));
            ok(
                rate,
                2,
                CodecConfig {
                    qscale: Some(4.5),
                    ..Default::default()
                },
                None,
            );
            for &k in mpeg_version(rate).1 {
                ok(rate, 2, cbr(k), Some(SampleFormat::F32));
            }
        }
        ok(
            RATE,
            2,
            CodecConfig {
                qscale: Some(0.0),
                qmin: Some(128_000),
                qmax: Some(256_000),
                compression_level: Some(0),
                ..Default::default()
            },
            None,
        );
    }

    #[test]
    fn stream_sink_decodes_in_ffmpeg() {
        let (planes, _) = signal(2, RATE as usize);
        let out = Pipe::default();
        let mut enc = open_encoder(&request(2, cbr(128)), Sink::stream(out.clone())).unwrap();
        encode_into(&mut *enc, &planes, 3000);
        let padding = enc.delay().padding;
        let bytes = out.0.lock().unwrap().clone();
        // No tag frame: the stream starts with an audio frame, and every frame is audio.
        assert!(!bytes
            .windows(4)
            .take(200)
            .any(|w| w == b"Info" || w == b"Xing"));
        let decoded = ffmpeg_decode_pipe(bytes);
        // Without the tag FFmpeg cannot trim: it decodes every frame, delay and padding too.
        let frames = decoded.len() / 2;
        eprintln!("stream: {frames} frames decoded for 44100 (padding {padding})");
        assert_eq!(frames as u32, 44100 + 576 + padding);
    }

    #[test]
    fn defaults_mono_and_low_rates_round_trip() {
        let dir = TempDir::new("mono");
        // The default bit rate is LAME's (and so `lame`'s and FFmpeg's): about 11:1.
        for (rate, channels, cfg, kbps) in [
            (44100, 2, CodecConfig::default(), 128),
            (48000, 2, CodecConfig::default(), 128),
            (44100, 1, CodecConfig::default(), 64),
            (8000, 1, CodecConfig::default(), 8),
            (8000, 1, cbr(32), 32),
            // Frames too small for LAME's tag: ours (in a bigger frame) keeps them gapless.
            (44100, 2, cbr(32), 32),
            (48000, 1, cbr(56), 56),
            (24000, 2, cbr(8), 8),
            (11025, 1, cbr(16), 16),
            (22050, 1, cbr(64), 64),
            (12000, 2, cbr(64), 64),
        ] {
            let (planes, _) = signal(channels, rate as usize);
            let mut req = request(channels as u16, cfg);
            req.spec.sample_rate = rate;
            let bytes = encode(&req, &planes, 5000);
            let path = dir.path(&format!("m{rate}-{channels}-{kbps}.mp3"));
            std::fs::write(&path, bytes).unwrap();
            let probe = ffprobe(&path);
            for line in [
                format!("sample_rate={rate}"),
                format!("channels={channels}"),
                format!("bit_rate={}", kbps * 1000),
            ] {
                assert!(probe.lines().any(|l| l == line), "{line} not in\n{probe}");
            }
            assert_eq!(
                ffmpeg_decode(&path).len(),
                channels * rate as usize,
                "{rate} {channels}"
            );
        }
    }

    #[test]
    fn tags_appear_in_ffprobe() {
        let dir = TempDir::new("tags");
        let (planes, _) = signal(2, 20_000);
        let out = Shared::default();
        let mut enc = open_encoder(&request(2, cbr(128)), Sink::seekable(out.clone())).unwrap();
        let tags: Options = [
            ("title", "Ünïcode ✓ title"),
            ("artist", "Some Artist"),
            ("album", "Café"),
            ("date", "2024"),
            ("comment", "コメント"),
            ("genre", "Rock"),
            ("track", "3/12"),
            ("mood", "calm ☺"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        enc.set_tags(&tags).unwrap();
        encode_into(&mut *enc, &planes, 20_000);
        let e = enc.set_tags(&tags).unwrap_err();
        assert!(matches!(e, EncodeError::InvalidArgument(_)));
        let e = enc.encode(Planar::F32(&planes)).unwrap_err();
        assert!(matches!(e, EncodeError::InvalidArgument(_)));
        let path = dir.path("t.mp3");
        std::fs::write(&path, out.bytes()).unwrap();
        let probe = ffprobe(&path);
        for line in [
            "TAG:title=Ünïcode ✓ title",
            "TAG:artist=Some Artist",
            "TAG:album=Café",
            "TAG:date=2024",
            "TAG:comment=コメント",
            "TAG:genre=Rock",
            "TAG:track=3/12",
            "TAG:mood=calm ☺",
        ] {
            assert!(probe.lines().any(|l| l == line), "{line} not in\n{probe}");
        }
        // Still gapless after an ID3v2 tag: the LAME tag frame was found after it.
        assert_eq!(ffmpeg_decode(&path).len(), 2 * 20_000);
    }

    #[test]
    fn wrong_input_and_empty_streams() {
        let out = Shared::default();
        let mut enc = open_encoder(&request(2, cbr(128)), Sink::seekable(out.clone())).unwrap();
        assert!(enc.encode(Planar::I16(&[vec![0], vec![0]])).is_err());
        assert!(enc.encode(Planar::F32(&[vec![0.0]])).is_err());
        assert!(enc
            .encode(Planar::F32(&[vec![0.0; 3], vec![0.0; 2]]))
            .is_err());
        // Non-finite samples do not break LAME.
        enc.encode(Planar::F32(&[
            vec![f32::NAN; 2000],
            vec![f32::INFINITY; 2000],
        ]))
        .unwrap();
        enc.encode(Planar::F32(&[vec![1e30; 2000], vec![-1e30; 2000]]))
            .unwrap();
        enc.flush().unwrap();
        enc.finish().unwrap();
        assert!(!out.bytes().is_empty());
        // Finishing without audio: LAME still flushes one frame after the tag frame, as
        // `lame` does on an empty WAV (834 bytes at 128k). FFmpeg 5.1 cannot open files with a
        // single audio frame (lame's neither), so check the tag: 1 frame, 834 bytes.
        let out = Shared::default();
        let mut enc = open_encoder(&request(2, cbr(128)), Sink::seekable(out.clone())).unwrap();
        enc.finish().unwrap();
        let b = out.bytes();
        assert_eq!(b.len(), 834);
        let info = b.windows(4).position(|w| w == b"Info").unwrap();
        assert_eq!(b[info + 8..info + 16], [0, 0, 0, 1, 0, 0, 0x03, 0x42]);
        // A very short stream (less than one frame) is still exact.
        let dir = TempDir::new("short");
        let (planes, _) = signal(2, 441);
        let path = dir.path("s.mp3");
        std::fs::write(&path, encode(&request(2, cbr(128)), &planes, 441)).unwrap();
        // (`-f mp3`: three frames are too few for FFmpeg's probe to be sure.)
        assert_eq!(ffmpeg_decode_args(&["-f", "mp3"], &path).len(), 2 * 441);
    }

    #[test]
    fn own_tag_frame_has_lames_fields() {
        // Where LAME's tag fits, build ours from the same state and compare field by field.
        let (planes, _) = signal(2, 3 * RATE as usize);
        let out = Shared::default();
        let mut enc = Mp3Encoder::new(&request(2, cbr(128)), Sink::seekable(out.clone())).unwrap();
        enc.encode(Planar::F32(&planes)).unwrap();
        enc.finish().unwrap();
        let bytes = out.bytes();
        let lame = enc.lame.lametag_frame().unwrap();
        assert_eq!(lame[..], bytes[..lame.len()]);
        let own = OwnTag {
            header: [lame[0], lame[1], lame[2], lame[3]],
            len: lame.len(),
            audio_bytes: (bytes.len() - lame.len()) as u64,
            music_crc: crc16(0, &bytes[lame.len()..]),
        };
        let ours = own.frame(&enc.lame, &enc.settings, enc.delay);
        assert_eq!(ours.len(), lame.len());
        // Equal but for the TOC (ours is linear), the preset field (LAME: the CBR rate), the
        // noise shaping bits of "misc" and so the tag CRC: LAME's API does not expose those.
        let x = 36; // "Info" after MPEG-1 stereo side info
        for (name, range) in [
            ("header, side info", 0..x),
            ("Info, flags, frames, bytes", x..x + 16),
            (
                "quality, version, method, lowpass, peak, gains, flags",
                x + 116..x + 140,
            ),
            ("bit rate, delay, padding", x + 140..x + 144),
            ("mp3 gain, surround", x + 145..x + 147),
            ("music length, music CRC", x + 148..x + 154),
            ("rest", x + 156..lame.len()),
        ] {
            assert_eq!(lame[range.clone()], ours[range], "{name}");
        }
        assert_eq!(lame[x + 144] & 0xFC, ours[x + 144] & 0xFC, "misc");
        assert_eq!(
            crc16(0, &ours[..x + 154]).to_be_bytes(),
            ours[x + 154..x + 156]
        );
    }
}
