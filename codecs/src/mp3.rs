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
//! - Tags ([`Encoder::set_tags`]): an ID3v2.3 tag before the first frame (no ID3v1). Text
//!   that fits Latin-1 is written as Latin-1, anything else as UTF-16 with BOM; keys as
//!   FFmpeg's ID3v2.3 muxer (`title` → `TIT2`, `artist` → `TPE1`, `album` → `TALB`,
//!   `date`/`year` → `TYER`, `comment` → `COMM`, `genre` → `TCON`, `track` → `TRCK`, ...),
//!   other keys as `TXXX` frames. LAME adds its own `TSSE` (encoder) frame, which an
//!   `encoder` tag replaces.
//! - LAME (Xing/Info) tag: on seekable sinks the first frame is LAME's tag frame, a
//!   placeholder until [`Encoder::finish`] overwrites it with the frame count, the TOC and the
//!   encoder delay and padding — which is what makes FFmpeg decode exactly the frames that were
//!   encoded (gapless). At CBR rates whose frames are too small for the tag (below 64 kbps
//!   at 44.1 kHz stereo, below 24 kbps at 8 kHz, ...) LAME silently writes none; we then write
//!   the same Info + LAME tag ourselves in a frame with a bigger bit rate, as FFmpeg's muxer
//!   does. On streams no tag frame is written (it could not be filled in), so decoders see
//!   LAME's 576 frames of delay plus the padding as extra audio.
//! - [`Encoder::flush`] writes what LAME has produced and flushes the sink; LAME keeps up to
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

use crate::{
    check_options, reject_config_fields, EncodeError, Encoder, EncoderDelay, EncoderRequest,
    Options, Planar, SampleFormat, Sink,
};
use mp3lame_sys as sys;
use std::ffi::{c_char, c_int, c_ushort, CString};
use std::io::{Seek, SeekFrom, Write};
use std::ptr::NonNull;
use std::sync::Mutex;

/// The codec name.
pub const CODEC: &str = "mp3";

/// The sample rates MP3 has: MPEG-1, MPEG-2, MPEG-2.5.
pub const SAMPLE_RATES: &[u32] = &[8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

/// The frames LAME 3.100 delays its output by (`ENCDELAY`).
const LAME_DELAY: u32 = 576;

/// Frames handed to LAME per call; the output buffer is sized for this (lame.h: 1.25 n + 7200).
const CHUNK: usize = 8192;
const OUT_BUFFER: usize = CHUNK * 5 / 4 + 7200;

/// Largest sample magnitude handed to LAME, in its 16-bit scale (1024 × full scale, +60 dBFS).
const INPUT_LIMIT: f32 = 32768.0 * 1024.0;

/// Frame bit rates (kbps) by MPEG version: LAME's `bitrate_table`.
const MPEG1_KBPS: &[u32] = &[
    32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
];
const MPEG2_KBPS: &[u32] = &[8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const MPEG25_KBPS: &[u32] = &[8, 16, 24, 32, 40, 48, 56, 64];

/// The MPEG version's name and bit rates (kbps) for a sample rate.
fn mpeg_version(sample_rate: u32) -> (&'static str, &'static [u32]) {
    if sample_rate >= 32000 {
        ("MPEG-1", MPEG1_KBPS)
    } else if sample_rate >= 16000 {
        ("MPEG-2", MPEG2_KBPS)
    } else {
        ("MPEG-2.5", MPEG25_KBPS)
    }
}

/// "32000, 40000, ..." (bits/s) for error messages.
fn list_bps(kbps: &[u32]) -> String {
    kbps.iter()
        .map(|k| (k * 1000).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How the bit rate is chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
enum RateMode {
    /// LAME's default (CBR at a compression ratio of 11.025).
    Default,
    /// CBR, kbps.
    Cbr(u32),
    /// ABR, mean kbps.
    Abr(u32),
    /// VBR quality 0 ..= 9.
    Vbr(f32),
}

/// Everything `new` decided, applied to a LAME handle by [`Lame::configure`].
#[derive(Clone, Debug, PartialEq)]
struct Settings {
    sample_rate: u32,
    channels: u16,
    rate: RateMode,
    min_kbps: Option<u32>,
    max_kbps: Option<u32>,
    quality: Option<i32>,
    joint_stereo: bool,
    lame_tag: bool,
}

fn invalid(msg: String) -> EncodeError {
    EncodeError::InvalidArgument(msg)
}

/// A `qmin`/`qmax` value (bits/s) as kbps from the version's table.
fn vbr_limit(field: &str, bps: i32, sample_rate: u32) -> Result<u32, EncodeError> {
    let (version, kbps) = mpeg_version(sample_rate);
    u32::try_from(bps)
        .ok()
        .filter(|b| b % 1000 == 0 && kbps.contains(&(b / 1000)))
        .map(|b| b / 1000)
        .ok_or_else(|| {
            invalid(format!(
                "CodecConfig.{field} = {bps} for encoder mp3 at {sample_rate} Hz ({version}); it \
                 is a VBR bit rate limit in bits/s, allowed: {}",
                list_bps(kbps)
            ))
        })
}

impl Settings {
    /// Checks the request: everything LAME could refuse or silently change is an error here.
    fn from_request(request: &EncoderRequest<'_>, seekable: bool) -> Result<Self, EncodeError> {
        let sample_rate = request.spec.sample_rate;
        if !SAMPLE_RATES.contains(&sample_rate) {
            return Err(invalid(format!(
                "sample_rate = {sample_rate} for encoder mp3; MP3 has: {} Hz (the writer's \
                 encoder_sample_rate option converts to one of them)",
                SAMPLE_RATES
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let channels = request.spec.channels;
        if !(1..=2).contains(&channels) {
            return Err(invalid(format!(
                "num_channels = {channels} for encoder mp3; MP3 has: 1, 2"
            )));
        }
        if let Some(f) = request.format {
            if !matches!(f, SampleFormat::F32 | SampleFormat::S16) {
                return Err(invalid(format!(
                    "encoder_format = {} for encoder mp3; allowed: flt, s16 (LAME encodes from \
                     float either way)",
                    f.name()
                )));
            }
        }
        let cfg = &request.config;
        reject_config_fields(
            CODEC,
            cfg,
            &[
                "bit_rate",
                "compression_level",
                "qscale",
                "qmin",
                "qmax",
                "bit_rate_tolerance",
            ],
            "LAME has no encoder buffer size setting",
        )?;
        check_options(CODEC, &request.options, &["joint_stereo"])?;
        let joint_stereo = match request.options.get("joint_stereo").map(String::as_str) {
            None | Some("true") | Some("1") => true,
            Some("false") | Some("0") => false,
            Some(v) => {
                return Err(invalid(format!(
                    "encoder_option joint_stereo = \"{v}\" for encoder mp3; allowed: true, false"
                )))
            }
        };

        let (version, kbps_table) = mpeg_version(sample_rate);
        let rate = match (cfg.bit_rate, cfg.bit_rate_tolerance, cfg.qscale) {
            (Some(_), _, Some(_)) => {
                return Err(invalid(
                    "CodecConfig.qscale together with CodecConfig.bit_rate for encoder mp3; \
                     choose CBR/ABR (bit_rate) or VBR (qscale), not both"
                        .into(),
                ))
            }
            (None, Some(_), _) => {
                return Err(invalid(
                    "CodecConfig.bit_rate_tolerance without CodecConfig.bit_rate for encoder \
                     mp3; it selects ABR around bit_rate"
                        .into(),
                ))
            }
            (Some(_), Some(0), _) => {
                return Err(invalid(
                    "CodecConfig.bit_rate_tolerance = 0 for encoder mp3; allowed: > 0 (with \
                     bit_rate it selects ABR; LAME has no tolerance setting)"
                        .into(),
                ))
            }
            (Some(bps), None, None) => {
                let kbps = bps / 1000;
                if bps % 1000 != 0 || !kbps_table.contains(&kbps) {
                    return Err(invalid(format!(
                        "CodecConfig.bit_rate = {bps} for encoder mp3 at {sample_rate} Hz \
                         ({version}); allowed CBR rates (bits/s): {}",
                        list_bps(kbps_table)
                    )));
                }
                RateMode::Cbr(kbps)
            }
            (Some(bps), Some(_), None) => {
                let (lo, hi) = (
                    kbps_table.first().copied().unwrap_or(8),
                    kbps_table.last().copied().unwrap_or(320),
                );
                let kbps = bps / 1000;
                if bps % 1000 != 0 || !(lo..=hi).contains(&kbps) {
                    return Err(invalid(format!(
                        "CodecConfig.bit_rate = {bps} (ABR, with bit_rate_tolerance) for encoder \
                         mp3 at {sample_rate} Hz ({version}); allowed: whole kbps from {} to {} \
                         bits/s",
                        lo * 1000,
                        hi * 1000
                    )));
                }
                RateMode::Abr(kbps)
            }
            (None, None, Some(q)) => {
                if !(0.0..=9.0).contains(&q) {
                    return Err(invalid(format!(
                        "CodecConfig.qscale = {q} for encoder mp3; allowed: VBR quality 0 (best) \
                         ..= 9 (smallest)"
                    )));
                }
                RateMode::Vbr(q)
            }
            (None, None, None) => RateMode::Default,
        };

        let min_kbps = cfg
            .qmin
            .map(|v| vbr_limit("qmin", v, sample_rate))
            .transpose()?;
        let max_kbps = cfg
            .qmax
            .map(|v| vbr_limit("qmax", v, sample_rate))
            .transpose()?;
        if (min_kbps.is_some() || max_kbps.is_some())
            && !matches!(rate, RateMode::Vbr(_) | RateMode::Abr(_))
        {
            let field = if min_kbps.is_some() { "qmin" } else { "qmax" };
            return Err(invalid(format!(
                "CodecConfig.{field} for encoder mp3 without VBR or ABR; it limits the bit rate \
                 of VBR (qscale) or ABR (bit_rate + bit_rate_tolerance)"
            )));
        }
        if let (Some(lo), Some(hi)) = (min_kbps, max_kbps) {
            if lo > hi {
                return Err(invalid(format!(
                    "CodecConfig.qmin = {} > CodecConfig.qmax = {} for encoder mp3; qmin must \
                     not exceed qmax",
                    lo * 1000,
                    hi * 1000
                )));
            }
        }
        if let RateMode::Abr(mean) = rate {
            let lo = min_kbps.unwrap_or(0);
            let hi = max_kbps.unwrap_or(u32::MAX);
            if !(lo..=hi).contains(&mean) {
                return Err(invalid(format!(
                    "CodecConfig.bit_rate = {} (ABR mean) outside CodecConfig.qmin ..= qmax for \
                     encoder mp3",
                    mean * 1000
                )));
            }
        }
        let quality = match cfg.compression_level {
            Some(q) if !(0..=9).contains(&q) => {
                return Err(invalid(format!(
                    "CodecConfig.compression_level = {q} for encoder mp3; allowed: LAME's \
                     algorithm quality 0 (best, slowest) ..= 9 (fastest)"
                )))
            }
            q => q,
        };
        Ok(Settings {
            sample_rate,
            channels,
            rate,
            min_kbps,
            max_kbps,
            quality,
            joint_stereo,
            lame_tag: seekable,
        })
    }
}

/// What a negative LAME return code means (lame.h).
fn lame_failed(call: &str, rc: c_int) -> EncodeError {
    let what = match rc {
        -1 => "output buffer too small",
        -2 => "out of memory",
        -3 => "lame_init_params not called or failed",
        -4 => "psychoacoustic model problem",
        -6 => "ReplayGain analysis failed",
        _ => "unknown error",
    };
    EncodeError::Failed(format!("LAME {call} returned {rc} ({what})"))
}

/// Serializes `lame_init`: it fills a process-wide table (`init_log_table`) on first use.
static LAME_INIT: Mutex<()> = Mutex::new(());

/// An owned LAME handle (`lame_close` on drop).
struct Lame(NonNull<sys::lame_global_flags>);

// SAFETY: a LAME handle is a heap object with no thread affinity; `Lame` owns it exclusively
// (never copied or shared) and every use goes through the one encoder that holds it, so moving
// it to another thread cannot create aliasing. The only process-wide state LAME 3.100 writes
// is a lookup table filled in `lame_init` (serialized by `LAME_INIT`, read-only afterwards);
// bitstream.c's `hogege` counter exists only in DEBUG builds.
unsafe impl Send for Lame {}

impl Drop for Lame {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `lame_init` and is closed exactly once, here.
        unsafe {
            sys::lame_close(self.0.as_ptr());
        }
    }
}

type IntSetter = unsafe extern "C" fn(*mut sys::lame_global_flags, c_int) -> c_int;

impl Lame {
    fn new() -> Result<Self, EncodeError> {
        let _guard = LAME_INIT.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: lame_init has no preconditions; it returns null on allocation failure.
        let ptr = unsafe { sys::lame_init() };
        let lame = NonNull::new(ptr)
            .map(Lame)
            .ok_or_else(|| EncodeError::Failed("lame_init failed (out of memory)".into()))?;
        // SAFETY: valid handle; null report functions make LAME print nothing (util.c checks
        // for null before calling them). Errors still come back as return codes.
        unsafe {
            sys::lame_set_errorf(lame.ptr(), None);
            sys::lame_set_debugf(lame.ptr(), None);
            sys::lame_set_msgf(lame.ptr(), None);
        }
        Ok(lame)
    }

    fn ptr(&self) -> *mut sys::lame_global_flags {
        self.0.as_ptr()
    }

    /// Calls an `int lame_set_*(gfp, int)` setter and checks its result.
    fn set(&mut self, name: &str, setter: IntSetter, value: c_int) -> Result<(), EncodeError> {
        // SAFETY: valid handle; `setter` is one of LAME's `int lame_set_*(gfp, int)` functions,
        // which only check and store the value in the handle.
        let rc = unsafe { setter(self.ptr(), value) };
        if rc < 0 {
            return Err(EncodeError::Failed(format!(
                "LAME {name}({value}) returned {rc}"
            )));
        }
        Ok(())
    }

    fn configure(&mut self, s: &Settings) -> Result<(), EncodeError> {
        let rate = s.sample_rate as c_int;
        self.set("lame_set_in_samplerate", sys::lame_set_in_samplerate, rate)?;
        self.set(
            "lame_set_out_samplerate",
            sys::lame_set_out_samplerate,
            rate,
        )?;
        self.set(
            "lame_set_num_channels",
            sys::lame_set_num_channels,
            c_int::from(s.channels),
        )?;
        let mode = if s.channels == 1 {
            sys::MPEG_mode::MONO
        } else if s.joint_stereo {
            sys::MPEG_mode::JOINT_STEREO
        } else {
            sys::MPEG_mode::STEREO
        };
        self.set("lame_set_mode", sys::lame_set_mode, mode)?;
        match s.rate {
            RateMode::Default => {
                self.set("lame_set_VBR", sys::lame_set_VBR, sys::vbr_mode::vbr_off)?
            }
            RateMode::Cbr(kbps) => {
                self.set("lame_set_VBR", sys::lame_set_VBR, sys::vbr_mode::vbr_off)?;
                self.set("lame_set_brate", sys::lame_set_brate, kbps as c_int)?;
            }
            RateMode::Abr(kbps) => {
                self.set("lame_set_VBR", sys::lame_set_VBR, sys::vbr_mode::vbr_abr)?;
                self.set(
                    "lame_set_VBR_mean_bitrate_kbps",
                    sys::lame_set_VBR_mean_bitrate_kbps,
                    kbps as c_int,
                )?;
            }
            RateMode::Vbr(q) => {
                self.set("lame_set_VBR", sys::lame_set_VBR, sys::vbr_mode::vbr_mtrh)?;
                // SAFETY: valid handle; the setter stores the value.
                let rc = unsafe { sys::lame_set_VBR_quality(self.ptr(), q) };
                if rc < 0 {
                    return Err(EncodeError::Failed(format!(
                        "LAME lame_set_VBR_quality({q}) returned {rc}"
                    )));
                }
            }
        }
        if let Some(kbps) = s.min_kbps {
            self.set(
                "lame_set_VBR_min_bitrate_kbps",
                sys::lame_set_VBR_min_bitrate_kbps,
                kbps as c_int,
            )?;
            self.set("lame_set_VBR_hard_min", sys::lame_set_VBR_hard_min, 1)?;
        }
        if let Some(kbps) = s.max_kbps {
            self.set(
                "lame_set_VBR_max_bitrate_kbps",
                sys::lame_set_VBR_max_bitrate_kbps,
                kbps as c_int,
            )?;
        }
        if let Some(q) = s.quality {
            self.set("lame_set_quality", sys::lame_set_quality, q)?;
        }
        self.set(
            "lame_set_bWriteVbrTag",
            sys::lame_set_bWriteVbrTag,
            c_int::from(s.lame_tag),
        )?;
        // SAFETY: valid handle. We write the ID3v2 tag ourselves (so we know where the first
        // frame starts); this also keeps LAME from appending an ID3v1 tag.
        unsafe { sys::lame_set_write_id3tag_automatic(self.ptr(), 0) };
        Ok(())
    }

    fn init_params(&mut self) -> Result<(), EncodeError> {
        // SAFETY: valid handle, configured.
        let rc = unsafe { sys::lame_init_params(self.ptr()) };
        if rc < 0 {
            return Err(EncodeError::Failed(format!(
                "LAME lame_init_params returned {rc} (settings rejected)"
            )));
        }
        Ok(())
    }

    /// LAME's ID3v2 tag (empty when no tag was set).
    fn id3v2_tag(&mut self) -> Result<Vec<u8>, EncodeError> {
        // SAFETY: valid handle; a null buffer of size 0 asks for the size.
        let need = unsafe { sys::lame_get_id3v2_tag(self.ptr(), std::ptr::null_mut(), 0) };
        if need == 0 {
            return Ok(Vec::new());
        }
        let mut tag = vec![0u8; need];
        // SAFETY: `tag` is writable for `tag.len()` bytes, which is what LAME is told.
        let got = unsafe { sys::lame_get_id3v2_tag(self.ptr(), tag.as_mut_ptr(), tag.len()) };
        if got != need {
            return Err(EncodeError::Failed(format!(
                "LAME lame_get_id3v2_tag returned {got} bytes, expected {need}"
            )));
        }
        Ok(tag)
    }

    /// LAME's final Xing/LAME tag frame (empty when the tag is off).
    fn lametag_frame(&self) -> Result<Vec<u8>, EncodeError> {
        // SAFETY: valid handle; a null buffer of size 0 asks for the size.
        let need = unsafe { sys::lame_get_lametag_frame(self.ptr(), std::ptr::null_mut(), 0) };
        if need == 0 {
            return Ok(Vec::new());
        }
        let mut frame = vec![0u8; need];
        // SAFETY: `frame` is writable for `frame.len()` bytes, which is what LAME is told.
        let got =
            unsafe { sys::lame_get_lametag_frame(self.ptr(), frame.as_mut_ptr(), frame.len()) };
        if got != need {
            return Err(EncodeError::Failed(format!(
                "LAME lame_get_lametag_frame returned {got} bytes, expected {need}"
            )));
        }
        Ok(frame)
    }
}

/// An ID3v2.3 frame for a tag key (FFmpeg's ID3v2.3 names); `None` → `TXXX`.
fn id3_frame(key: &str) -> Option<&'static str> {
    Some(match key {
        "title" => "TIT2",
        "artist" => "TPE1",
        "album" => "TALB",
        "album_artist" => "TPE2",
        "composer" => "TCOM",
        "performer" => "TPE3",
        "date" | "year" => "TYER",
        "comment" => "COMM",
        "genre" => "TCON",
        "track" => "TRCK",
        "disc" => "TPOS",
        "copyright" => "TCOP",
        "encoded_by" => "TENC",
        "encoder" => "TSSE",
        "publisher" => "TPUB",
        "language" => "TLAN",
        "grouping" => "TIT1",
        "lyricist" => "TEXT",
        _ => return None,
    })
}

/// Tag text in one of LAME's encodings.
enum Text {
    /// Latin-1, NUL-terminated.
    Latin1(CString),
    /// UTF-16 with a BOM, NUL-terminated (native values; LAME writes them little-endian).
    Utf16(Vec<c_ushort>),
}

impl Text {
    fn new(key: &str, value: &str) -> Result<Self, EncodeError> {
        if value.contains('\0') {
            return Err(invalid(format!(
                "tag \"{key}\" contains a NUL character, which ID3v2 text cannot hold"
            )));
        }
        if value.chars().all(|c| u32::from(c) <= 0xFF) {
            let bytes: Vec<u8> = value.chars().map(|c| u32::from(c) as u8).collect();
            CString::new(bytes)
                .map(Text::Latin1)
                .map_err(|_| invalid(format!("tag \"{key}\" contains a NUL character")))
        } else {
            let mut v: Vec<c_ushort> = vec![0xFEFF];
            v.extend(value.encode_utf16());
            v.push(0);
            Ok(Text::Utf16(v))
        }
    }
}

/// LAME's CRC-16 (polynomial 0x8005, reflected, initial 0), of the LAME tag's CRC fields.
fn crc16(mut crc: u16, bytes: &[u8]) -> u16 {
    for &b in bytes {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// A tag frame of our own for CBR rates whose frames are too small for LAME's Info + LAME
/// tag (156 bytes after the side info: e.g. below 64 kbps at 44.1 kHz stereo, below 24 kbps
/// at 8 kHz), where LAME silently writes none. The same fields, in a frame with a bigger bit
/// rate (as FFmpeg's muxer does), so those files are gapless too.
struct OwnTag {
    header: [u8; 4],
    /// Frame length in bytes.
    len: usize,
    /// Bytes of LAME's output after this frame, and their CRC (the tag's "music CRC").
    audio_bytes: u64,
    music_crc: u16,
}

impl OwnTag {
    /// Side information length (with the 4-byte header), as LAME's `sideinfo_len`.
    fn side_info(mpeg1: bool, mono: bool) -> usize {
        match (mpeg1, mono) {
            (true, true) => 21,
            (true, false) => 36,
            (false, true) => 13,
            (false, false) => 21,
        }
    }

    /// `Some` when LAME's own tag does not fit (its `InitVbrTag` test), after init_params.
    fn layout(lame: &Lame, s: &Settings) -> Option<OwnTag> {
        // SAFETY: valid, initialized handle; getters only.
        let (vbr, kbps) = unsafe {
            (
                sys::lame_get_VBR(lame.ptr()),
                sys::lame_get_brate(lame.ptr()),
            )
        };
        let kbps = u32::try_from(kbps).ok()?;
        if vbr != sys::vbr_mode::vbr_off {
            return None; // VBR and ABR tags use a 128/64/32 kbps frame, which always fits
        }
        let rate = s.sample_rate;
        let mpeg1 = rate >= 32000;
        let need = Self::side_info(mpeg1, s.channels == 1) + 156;
        let frame_len = |k: u32| ((if mpeg1 { 144_000 } else { 72_000 }) * k / rate) as usize;
        if frame_len(kbps) >= need {
            return None;
        }
        let (_, table) = mpeg_version(rate);
        let (index, k) = table
            .iter()
            .enumerate()
            .find(|(_, &k)| frame_len(k) >= need)?;
        let version_bits: u8 = if mpeg1 {
            0b11
        } else if rate >= 16000 {
            0b10
        } else {
            0b00
        };
        let rate_index: u8 = match rate {
            44100 | 22050 | 11025 => 0,
            48000 | 24000 | 12000 => 1,
            _ => 2,
        };
        let mode: u8 = match (s.channels, s.joint_stereo) {
            (1, _) => 3,
            (_, true) => 1,
            (_, false) => 0,
        };
        Some(OwnTag {
            // Layer III, no CRC; no padding; original (LAME's default).
            header: [
                0xFF,
                0xE0 | version_bits << 3 | 0b011,
                ((index as u8 + 1) << 4) | rate_index << 2,
                mode << 6 | 0x04,
            ],
            len: frame_len(*k),
            audio_bytes: 0,
            music_crc: 0,
        })
    }

    /// The filled-in frame (LAME's `lame_get_lametag_frame` layout, CBR "Info" flavour).
    fn frame(&self, lame: &Lame, s: &Settings, delay: EncoderDelay) -> Vec<u8> {
        // SAFETY: valid handle after lame_encode_flush; getters only.
        let (frames, lowpass, quality, vbr_q, ath, kbps) = unsafe {
            let g = lame.ptr();
            (
                sys::lame_get_frameNum(g),
                sys::lame_get_lowpassfreq(g),
                sys::lame_get_quality(g),
                sys::lame_get_VBR_q(g),
                sys::lame_get_ATHtype(g),
                sys::lame_get_brate(g),
            )
        };
        let bytes = u32::try_from(self.len as u64 + self.audio_bytes).unwrap_or(u32::MAX);
        let mut f = self.header.to_vec();
        f.resize(Self::side_info(s.sample_rate >= 32000, s.channels == 1), 0);
        f.extend(b"Info");
        f.extend(0x0Fu32.to_be_bytes()); // frames, bytes, TOC, quality
        f.extend(u32::try_from(frames).unwrap_or(0).to_be_bytes());
        f.extend(bytes.to_be_bytes());
        f.extend((0..100u32).map(|i| (i * 256 / 100) as u8)); // CBR: linear
        f.extend(
            u32::try_from(100 - 10 * vbr_q - quality)
                .unwrap_or(0)
                .to_be_bytes(),
        );
        f.extend(b"LAME3.100");
        f.push(0x01); // revision 0, CBR
        f.push(((lowpass + 50) / 100).clamp(0, 255) as u8);
        f.extend([0; 8]); // peak amplitude, radio and audiophile ReplayGain: not computed
        f.push(0x10 | (ath & 0x0F) as u8); // nspsytune, ATH type
        f.push(kbps.clamp(0, 255) as u8);
        let (d, p) = (delay.delay.min(0xFFF), delay.padding.min(0xFFF));
        f.extend([(d >> 4) as u8, ((d << 4) | (p >> 8)) as u8, p as u8]);
        let stereo_mode: u8 = match (s.channels, s.joint_stereo) {
            (1, _) => 0,
            (_, true) => 3,
            (_, false) => 1,
        };
        let source_rate: u8 = match s.sample_rate {
            44100 => 1,
            48000 => 2,
            _ => 0,
        };
        f.push(stereo_mode << 2 | source_rate << 6);
        f.push(0); // MP3 gain
        f.extend([0, 0]); // surround, preset
        f.extend(bytes.to_be_bytes()); // music length (as LAME: with this frame)
        f.extend(self.music_crc.to_be_bytes());
        let crc = crc16(0, &f);
        f.extend(crc.to_be_bytes());
        f.resize(self.len, 0);
        f
    }
}

/// Stage of the encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Settings made; tags may still change; nothing written.
    Configured,
    /// `lame_init_params` done and the ID3v2 tag written.
    Encoding,
    /// `lame_encode_flush` done.
    Finished,
}

/// The MP3 encoder (see the module docs).
///
/// ```
/// use audiostream_codecs::{open_encoder, CodecConfig, EncoderRequest, Planar, Sink, StreamSpec};
/// let mut req = EncoderRequest::new("mp3", StreamSpec { sample_rate: 44100, channels: 1 });
/// req.config = CodecConfig { qscale: Some(2.0), ..Default::default() }; // lame -V 2
/// let out = std::io::Cursor::new(Vec::new());
/// let mut enc = open_encoder(&req, Sink::seekable(out))?;
/// enc.encode(Planar::F32(&[vec![0.0; 4410]]))?;
/// enc.finish()?;
/// assert_eq!(enc.delay().delay, 576);
/// # Ok::<(), audiostream_codecs::EncodeError>(())
/// ```
pub struct Mp3Encoder {
    lame: Lame,
    sink: Sink,
    channels: usize,
    stage: Stage,
    /// Where the first MP3 frame (the tag frame) starts, on seekable sinks.
    tag_frame_pos: Option<u64>,
    /// LAME's output, reused for every call.
    out: Vec<u8>,
    /// Copies of input chunks with non-finite samples replaced.
    scratch: [Vec<f32>; 2],
    /// Whether the "samples tamed" warning was logged.
    warned: bool,
    delay: EncoderDelay,
    settings: Settings,
    /// Our own tag frame, when LAME's does not fit (low CBR rates).
    own_tag: Option<OwnTag>,
}

impl Mp3Encoder {
    /// Checks the request, makes and configures the LAME handle; nothing is written yet.
    pub fn new(request: &EncoderRequest<'_>, sink: Sink) -> Result<Self, EncodeError> {
        if request.codec != CODEC {
            return Err(EncodeError::Unsupported(format!(
                "encoder \"{}\" in the MP3 adapter; it takes: mp3",
                request.codec
            )));
        }
        let settings = Settings::from_request(request, sink.is_seekable())?;
        // Whatever our checks missed, LAME's own must not fail later: try the settings on a
        // throwaway handle (the real one gets `lame_init_params` after the tags are set).
        {
            let mut probe = Lame::new()?;
            probe.configure(&settings)?;
            probe.init_params().map_err(|_| {
                invalid(format!(
                    "LAME rejects these settings for encoder mp3: {settings:?}"
                ))
            })?;
        }
        let mut lame = Lame::new()?;
        lame.configure(&settings)?;
        Ok(Mp3Encoder {
            lame,
            sink,
            channels: usize::from(settings.channels),
            stage: Stage::Configured,
            tag_frame_pos: None,
            out: vec![0; OUT_BUFFER],
            scratch: [Vec::with_capacity(CHUNK), Vec::with_capacity(CHUNK)],
            warned: false,
            settings,
            own_tag: None,
            delay: EncoderDelay {
                delay: LAME_DELAY,
                padding: 0,
            },
        })
    }

    /// `lame_init_params`, then the ID3v2 tag; the first MP3 frame comes next.
    fn start(&mut self) -> Result<(), EncodeError> {
        if self.stage != Stage::Configured {
            return Ok(());
        }
        self.lame.init_params()?;
        // SAFETY: valid, initialized handle.
        let delay = unsafe { sys::lame_get_encoder_delay(self.lame.ptr()) };
        self.delay.delay = u32::try_from(delay).unwrap_or(LAME_DELAY);
        let id3 = self.lame.id3v2_tag()?;
        self.sink.write_all(&id3)?;
        if let (true, Sink::Seekable(w)) = (self.settings.lame_tag, &mut self.sink) {
            self.tag_frame_pos = Some(w.stream_position()?);
            self.own_tag = OwnTag::layout(&self.lame, &self.settings);
            if let Some(own) = &self.own_tag {
                // A placeholder as LAME's: the header, then zeros (a silent frame).
                let mut frame = own.header.to_vec();
                frame.resize(own.len, 0);
                w.write_all(&frame)?;
            }
        }
        self.stage = Stage::Encoding;
        Ok(())
    }

    /// Writes `n` bytes of LAME's output (a return code checked by the caller).
    fn write_out(&mut self, call: &str, rc: c_int) -> Result<(), EncodeError> {
        let n = usize::try_from(rc).map_err(|_| lame_failed(call, rc))?;
        let bytes = self.out.get(..n).ok_or_else(|| {
            EncodeError::Failed(format!(
                "LAME {call} reported {n} bytes in a smaller buffer"
            ))
        })?;
        self.sink.write_all(bytes)?;
        if let Some(own) = &mut self.own_tag {
            own.audio_bytes += n as u64;
            own.music_crc = crc16(own.music_crc, bytes);
        }
        Ok(())
    }

    fn encode_f32(&mut self, planes: &[Vec<f32>]) -> Result<(), EncodeError> {
        let (Some(left), right) = (planes.first(), planes.get(1)) else {
            return Ok(());
        };
        let right = right.unwrap_or(left);
        if right.len() != left.len() {
            return Err(invalid(format!(
                "channels of different lengths ({} and {}) given to the mp3 encoder",
                left.len(),
                right.len()
            )));
        }
        let mono = self.channels == 1;
        for (l, r) in left.chunks(CHUNK).zip(right.chunks(CHUNK)) {
            // Scaled to LAME's 16-bit range by 32768 (exact, and what FFmpeg's libmp3lame
            // feeds to lame_encode_buffer_float); NaN and absurd values are tamed, as LAME's
            // psychoacoustics would turn them into NaN / infinite energies.
            let [sl, sr] = &mut self.scratch;
            let mut tamed = false;
            for (dst, src) in
                [(&mut *sl, l), (&mut *sr, r)]
                    .into_iter()
                    .take(if mono { 1 } else { 2 })
            {
                dst.clear();
                dst.extend(src.iter().map(|&x| {
                    let v = x * 32768.0;
                    if v.is_nan() || v.abs() > INPUT_LIMIT {
                        tamed = true;
                        if v.is_nan() {
                            0.0
                        } else {
                            v.clamp(-INPUT_LIMIT, INPUT_LIMIT)
                        }
                    } else {
                        v
                    }
                }));
            }
            if tamed && !self.warned {
                self.warned = true;
                log::warn!(
                    "mp3 encoder: NaN samples replaced by 0 and samples beyond ±{} clipped",
                    INPUT_LIMIT / 32768.0
                );
            }
            let l = sl.as_slice();
            let r = if mono { l } else { sr.as_slice() };
            if r.len() != l.len() {
                return Err(EncodeError::Failed("channel buffers out of step".into()));
            }
            // SAFETY: valid, initialized handle; `l` and `r` hold `l.len()` floats each
            // (checked equal, <= CHUNK); `out` is writable for `out.len()` bytes, which
            // lame.h's bound (1.25 n + 7200) guarantees is enough for CHUNK frames.
            let rc = unsafe {
                sys::lame_encode_buffer_float(
                    self.lame.ptr(),
                    l.as_ptr(),
                    r.as_ptr(),
                    l.len() as c_int,
                    self.out.as_mut_ptr(),
                    self.out.len() as c_int,
                )
            };
            self.write_out("lame_encode_buffer_float", rc)?;
        }
        Ok(())
    }

    fn set_id3(&mut self, tags: &Options) -> Result<(), EncodeError> {
        let gfp = self.lame.ptr();
        // SAFETY: valid handle, before lame_init_params; these only reset / set tag flags.
        unsafe {
            sys::id3tag_init(gfp);
            sys::id3tag_add_v2(gfp);
            sys::id3tag_v2_only(gfp);
        }
        for (key, value) in tags {
            if value.is_empty() {
                continue;
            }
            let frame = id3_frame(key);
            let text = match frame {
                Some(_) => Text::new(key, value)?,
                None if key.contains('=') || key.is_empty() => {
                    log::warn!("mp3 encoder: tag key \"{key}\" cannot be written to ID3v2");
                    continue;
                }
                None => Text::new(key, &format!("{key}={value}"))?,
            };
            let id = CString::new(frame.unwrap_or("TXXX"))
                .map_err(|_| EncodeError::Failed("frame id with NUL".into()))?;
            let rc = match (&text, frame) {
                // SAFETY (all arms): valid handle; every string is NUL-terminated and outlives
                // the call; LAME copies them.
                (Text::Latin1(t), Some("COMM")) => unsafe {
                    sys::id3tag_set_comment_latin1(gfp, std::ptr::null(), c"".as_ptr(), t.as_ptr())
                },
                (Text::Utf16(t), Some("COMM")) => {
                    let empty: [c_ushort; 2] = [0xFEFF, 0];
                    unsafe {
                        sys::id3tag_set_comment_utf16(
                            gfp,
                            std::ptr::null(),
                            empty.as_ptr(),
                            t.as_ptr(),
                        )
                    }
                }
                (Text::Latin1(t), _) => unsafe {
                    sys::id3tag_set_textinfo_latin1(gfp, id.as_ptr(), t.as_ptr() as *const c_char)
                },
                (Text::Utf16(t), _) => unsafe {
                    sys::id3tag_set_textinfo_utf16(gfp, id.as_ptr(), t.as_ptr())
                },
            };
            match rc {
                0 => {}
                -1 if frame == Some("TCON") => {
                    return Err(invalid(format!(
                        "tag genre = \"{value}\": a number must be an ID3v1 genre 0 ..= 191"
                    )))
                }
                rc => {
                    return Err(EncodeError::Failed(format!(
                        "LAME refused tag \"{key}\" ({rc})"
                    )))
                }
            }
        }
        Ok(())
    }
}

impl Encoder for Mp3Encoder {
    fn codec(&self) -> &'static str {
        CODEC
    }

    fn input_format(&self) -> SampleFormat {
        SampleFormat::F32
    }

    fn set_tags(&mut self, tags: &Options) -> Result<(), EncodeError> {
        if self.stage != Stage::Configured {
            return Err(invalid(
                "tags must be set before the first audio is written".into(),
            ));
        }
        self.set_id3(tags)
    }

    fn encode(&mut self, samples: Planar<'_>) -> Result<(), EncodeError> {
        if self.stage == Stage::Finished {
            return Err(invalid(
                "the mp3 encoder has finished; nothing more can be written".into(),
            ));
        }
        let Planar::F32(planes) = samples else {
            return Err(invalid("the mp3 encoder takes flt samples".into()));
        };
        if planes.len() != self.channels {
            return Err(invalid(format!(
                "{} channels given to a {}-channel mp3 encoder",
                planes.len(),
                self.channels
            )));
        }
        self.start()?;
        self.encode_f32(planes)
    }

    fn flush(&mut self) -> Result<(), EncodeError> {
        if self.stage == Stage::Finished {
            return Ok(());
        }
        self.start()?;
        self.sink.flush()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), EncodeError> {
        if self.stage == Stage::Finished {
            return Ok(());
        }
        self.start()?;
        self.stage = Stage::Finished;
        // SAFETY: valid, initialized handle; `out` is writable for `out.len()` (>= 7200, as
        // lame.h asks) bytes.
        let rc = unsafe {
            sys::lame_encode_flush(
                self.lame.ptr(),
                self.out.as_mut_ptr(),
                self.out.len() as c_int,
            )
        };
        self.write_out("lame_encode_flush", rc)?;
        // SAFETY: valid handle, after lame_encode_flush.
        let padding = unsafe { sys::lame_get_encoder_padding(self.lame.ptr()) };
        self.delay.padding = u32::try_from(padding).unwrap_or(0);
        if let (Some(pos), Sink::Seekable(w)) = (self.tag_frame_pos, &mut self.sink) {
            let frame = match &self.own_tag {
                Some(own) => own.frame(&self.lame, &self.settings, self.delay),
                None => self.lame.lametag_frame()?,
            };
            if !frame.is_empty() {
                let end = w.stream_position()?;
                w.seek(SeekFrom::Start(pos))?;
                w.write_all(&frame)?;
                w.seek(SeekFrom::Start(end))?;
            }
        }
        self.sink.flush()?;
        Ok(())
    }

    fn delay(&self) -> EncoderDelay {
        self.delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{open_encoder, CodecConfig, StreamSpec};
    use std::io::Cursor;
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
