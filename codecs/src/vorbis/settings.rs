//! What an [`EncoderRequest`] means for the Vorbis encoder: `oggenc`'s settings, field by field
//! (the table is in the module docs of [`crate::vorbis`]).

use super::libvorbis;
use crate::{check_options, reject_config_fields, EncodeError, EncoderRequest, SampleFormat};

/// The most channels this encoder writes (Vorbis I channel orders are defined up to 8).
pub const MAX_CHANNELS: u16 = 8;
/// `oggenc`'s default quality.
pub const DEFAULT_QUALITY: f32 = 3.0;

/// How libvorbis chooses its bit rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// VBR at a quality -1 ..= 10 (`oggenc -q`), with optional hard minimum / maximum bit
    /// rates in kb/s (`oggenc -q Q --managed --min-bitrate --max-bitrate`).
    Quality {
        /// `oggenc -q`.
        quality: f32,
        /// kb/s.
        min_kbps: Option<u32>,
        /// kb/s.
        max_kbps: Option<u32>,
    },
    /// The bit rate management engine (`oggenc --managed`): average `nominal` bits/s (or none:
    /// only the limits), minimum and maximum bits/s.
    Managed {
        /// bits/s.
        nominal: Option<u32>,
        /// bits/s.
        min: Option<u32>,
        /// bits/s.
        max: Option<u32>,
    },
}

/// Everything the encoder runs with.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Hz.
    pub sample_rate: u32,
    /// 1 ..= [`MAX_CHANNELS`].
    pub channels: u16,
    /// How the bit rate is chosen.
    pub mode: Mode,
    /// Ogg stream serial number (`None`: random).
    pub serial: Option<u32>,
}

fn invalid(msg: String) -> EncodeError {
    EncodeError::InvalidArgument(msg)
}

/// A `qmin`/`qmax` value: a bit rate in bits/s, at least 1 kb/s.
fn limit(field: &str, value: Option<i32>) -> Result<Option<u32>, EncodeError> {
    value
        .map(|v| {
            u32::try_from(v).ok().filter(|&b| b >= 1000).ok_or_else(|| {
                invalid(format!(
                    "CodecConfig.{field} = {v} for encoder vorbis; it is the {} bit rate in bits/s \
                     (as oggenc's --{}-bitrate), allowed: >= 1000",
                    if field == "qmin" { "minimum" } else { "maximum" },
                    if field == "qmin" { "min" } else { "max" },
                ))
            })
        })
        .transpose()
}

impl Settings {
    /// Checks `request`; libvorbis itself is asked whether it has a mode for the result.
    pub fn from_request(request: &EncoderRequest<'_>) -> Result<Self, EncodeError> {
        let codec = super::CODEC;
        let sample_rate = request.spec.sample_rate;
        let channels = request.spec.channels;
        if !(1..=MAX_CHANNELS).contains(&channels) {
            return Err(invalid(format!(
                "num_channels = {channels} for encoder {codec}; allowed: 1 ..= {MAX_CHANNELS} \
                 (the Vorbis channel orders; the writer's encoder_num_channels option remixes)"
            )));
        }
        if let Some(f) = request.format.filter(|f| *f != SampleFormat::F32) {
            return Err(invalid(format!(
                "encoder_format = {} for encoder {codec}; allowed: flt (libvorbis encodes float)",
                f.name()
            )));
        }
        let cfg = &request.config;
        reject_config_fields(
            codec,
            cfg,
            &["qscale", "bit_rate", "qmin", "qmax"],
            "Vorbis takes a quality or a bit rate with limits",
        )?;
        check_options(codec, &request.options, &["serial"])?;
        let min = limit("qmin", cfg.qmin)?;
        let max = limit("qmax", cfg.qmax)?;
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                return Err(invalid(format!(
                    "CodecConfig.qmin = {lo} > CodecConfig.qmax = {hi} for encoder {codec}; the \
                     minimum bit rate must not exceed the maximum"
                )));
            }
        }
        let mode = match (cfg.qscale, cfg.bit_rate) {
            (Some(_), Some(_)) => {
                return Err(invalid(format!(
                    "CodecConfig.qscale together with CodecConfig.bit_rate for encoder {codec}; \
                     choose a quality (qscale, as oggenc -q) or a managed average bit rate \
                     (bit_rate, as oggenc -b --managed), not both"
                )))
            }
            (Some(q), None) => {
                if !(-1.0..=10.0).contains(&q) {
                    return Err(invalid(format!(
                        "CodecConfig.qscale = {q} for encoder {codec}; allowed: -1 ..= 10 (as \
                         oggenc -q)"
                    )));
                }
                Mode::Quality {
                    quality: q,
                    min_kbps: min.map(|b| b / 1000),
                    max_kbps: max.map(|b| b / 1000),
                }
            }
            (None, Some(b)) => Mode::Managed {
                nominal: Some(b),
                min,
                max,
            },
            (None, None) if min.is_some() || max.is_some() => Mode::Managed {
                nominal: None,
                min,
                max,
            },
            (None, None) => Mode::Quality {
                quality: DEFAULT_QUALITY,
                min_kbps: None,
                max_kbps: None,
            },
        };
        let settings = Settings {
            sample_rate,
            channels,
            mode,
            serial: crate::ogg::serial_option(codec, &request.options)?,
        };
        settings.check_with_libvorbis()?;
        Ok(settings)
    }

    /// Sets the mode up on a scratch `vorbis_info`: libvorbis has modes only for some rates,
    /// channel counts and bit rates, and says so only here.
    fn check_with_libvorbis(&self) -> Result<(), EncodeError> {
        if libvorbis::probe(self).is_ok() {
            return Ok(());
        }
        let (rate, ch) = (self.sample_rate, self.channels);
        // Which part has no mode: the rate and channels at the default quality, else the bit
        // rate (whose range here is found by asking libvorbis).
        let plain = Settings {
            mode: Mode::Quality {
                quality: DEFAULT_QUALITY,
                min_kbps: None,
                max_kbps: None,
            },
            ..self.clone()
        };
        if libvorbis::probe(&plain).is_err() {
            return Err(invalid(format!(
                "sample_rate = {rate} Hz with {ch} channel(s) for encoder vorbis: libvorbis has \
                 no mode for it (the writer's encoder_sample_rate option converts the rate)"
            )));
        }
        let what = match self.mode {
            Mode::Quality { quality, .. } => format!("CodecConfig.qscale = {quality}"),
            Mode::Managed {
                nominal: Some(b), ..
            } => format!("CodecConfig.bit_rate = {b}"),
            Mode::Managed { .. } => "CodecConfig.qmin / qmax".to_string(),
        };
        let range = libvorbis::managed_range(rate, ch)
            .map(|(lo, hi)| format!("; managed bit rates here: {lo} ..= {hi} bits/s"))
            .unwrap_or_default();
        Err(invalid(format!(
            "{what} for encoder vorbis at {rate} Hz, {ch} channel(s) (qmin/qmax {:?}): libvorbis \
             has no mode for it{range}",
            match self.mode {
                Mode::Quality {
                    min_kbps, max_kbps, ..
                } => (min_kbps.map(|k| k * 1000), max_kbps.map(|k| k * 1000)),
                Mode::Managed { min, max, .. } => (min, max),
            }
        )))
    }
}
