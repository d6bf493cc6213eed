//! What `CodecConfig` and `encoder_option` mean for LAME: the MPEG version's rates, the
//! rate mode (CBR, ABR, VBR) and the checks that refuse what LAME would change silently.

use super::{CODEC, SAMPLE_RATES};
use crate::{check_options, reject_config_fields, EncodeError, EncoderRequest, SampleFormat};

/// The frames LAME 3.100 delays its output by (`ENCDELAY`).
pub(super) const LAME_DELAY: u32 = 576;

/// Frames handed to LAME per call; the output buffer is sized for this (lame.h: 1.25 n + 7200).
pub(super) const CHUNK: usize = 8192;
pub(super) const OUT_BUFFER: usize = CHUNK * 5 / 4 + 7200;

/// Largest sample magnitude handed to LAME, in its 16-bit scale (1024 × full scale, +60 dBFS).
pub(super) const INPUT_LIMIT: f32 = 32768.0 * 1024.0;

/// Frame bit rates (kbps) by MPEG version: LAME's `bitrate_table`.
pub(super) const MPEG1_KBPS: &[u32] = &[
    32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
];
pub(super) const MPEG2_KBPS: &[u32] = &[8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
pub(super) const MPEG25_KBPS: &[u32] = &[8, 16, 24, 32, 40, 48, 56, 64];

/// The MPEG version's name and bit rates (kbps) for a sample rate.
pub(super) fn mpeg_version(sample_rate: u32) -> (&'static str, &'static [u32]) {
    if sample_rate >= 32000 {
        ("MPEG-1", MPEG1_KBPS)
    } else if sample_rate >= 16000 {
        ("MPEG-2", MPEG2_KBPS)
    } else {
        ("MPEG-2.5", MPEG25_KBPS)
    }
}

/// "32000, 40000, ..." (bits/s) for error messages.
pub(super) fn list_bps(kbps: &[u32]) -> String {
    kbps.iter()
        .map(|k| (k * 1000).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How the bit rate is chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum RateMode {
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
pub(super) struct Settings {
    pub(super) sample_rate: u32,
    pub(super) channels: u16,
    pub(super) rate: RateMode,
    pub(super) min_kbps: Option<u32>,
    pub(super) max_kbps: Option<u32>,
    pub(super) quality: Option<i32>,
    pub(super) joint_stereo: bool,
    pub(super) lame_tag: bool,
}

pub(super) fn invalid(msg: String) -> EncodeError {
    EncodeError::InvalidArgument(msg)
}

/// A `qmin`/`qmax` value (bits/s) as kbps from the version's table.
pub(super) fn vbr_limit(field: &str, bps: i32, sample_rate: u32) -> Result<u32, EncodeError> {
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
    pub(super) fn from_request(
        request: &EncoderRequest<'_>,
        seekable: bool,
    ) -> Result<Self, EncodeError> {
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
