//! What an [`EncoderRequest`] means for the Opus encoder: every field checked, mapped or refused
//! (the table is in the module docs of [`crate::opus`]).

use crate::{check_options, reject_config_fields, EncodeError, EncoderRequest, SampleFormat};

/// The rates Opus codes at.
pub const SAMPLE_RATES: &[u32] = &[8000, 12000, 16000, 24000, 48000];
/// The most channels this encoder writes (mapping family 1, Vorbis channel order).
pub const MAX_CHANNELS: u16 = 8;
/// Frame durations Opus has, in tenths of a millisecond.
const FRAME_DURATIONS: &[u32] = &[25, 50, 100, 200, 400, 600, 800, 1000, 1200];
/// The lowest bit rate accepted (RFC 6716: Opus runs from 6 kb/s).
pub const MIN_BIT_RATE: u32 = 6000;
/// The highest bit rate per channel (510 kb/s for a stereo pair, RFC 6716's maximum).
pub const MAX_BIT_RATE_PER_CHANNEL: u32 = 255_000;

/// libopus's `OPUS_APPLICATION_*`: what the encoder optimises for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Application {
    /// Speech (`voip`): SILK preferred, speech intelligibility first.
    Voip,
    /// General audio (`audio`, the default).
    Audio,
    /// Lowest delay (`lowdelay`): CELT only, 2.5 ms less look-ahead.
    LowDelay,
}

/// How the size of packets may vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateControl {
    /// Unconstrained VBR: what `opusenc` does by default.
    Vbr,
    /// Constrained VBR: the rate stays near `bit_rate` over short windows.
    Constrained,
    /// Constant bit rate: every packet of a frame size has the same size.
    Cbr,
}

/// Everything the encoder runs with.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Coding rate (one of [`SAMPLE_RATES`]).
    pub sample_rate: u32,
    /// The rate recorded in OpusHead as the input's.
    pub input_sample_rate: u32,
    /// 1 ..= [`MAX_CHANNELS`].
    pub channels: u16,
    /// Total bit rate, bits/s.
    pub bit_rate: u32,
    /// VBR, constrained VBR or CBR.
    pub rate_control: RateControl,
    /// libopus's complexity, 0 ..= 10.
    pub complexity: i32,
    /// What the encoder optimises for.
    pub application: Application,
    /// Frame duration in tenths of a millisecond.
    pub frame_tenths_ms: u32,
    /// Input format: `F32` (24-bit depth, libopus's default) or `S16` (16-bit depth, as
    /// `opusenc` on a 16-bit WAV).
    pub format: SampleFormat,
    /// Ogg stream serial number (`None`: random).
    pub serial: Option<u32>,
}

impl Settings {
    /// Frames (per channel, at the coding rate) in one Opus frame.
    pub fn frame_size(&self) -> usize {
        (self.sample_rate as usize * self.frame_tenths_ms as usize) / 10_000
    }
}

fn invalid(msg: String) -> EncodeError {
    EncodeError::InvalidArgument(msg)
}

/// Streams and coupled streams libopus makes for `channels` (mapping family 0 for 1 and 2
/// channels, 1 for 3 ..= 8: libopus's surround layouts, RFC 7845 §5.1.1.2).
fn streams(channels: u16) -> (u32, u32) {
    match channels {
        1 => (1, 0),
        2 => (1, 1),
        3 => (2, 1),
        4 => (2, 2),
        5 => (3, 2),
        6 => (4, 2),
        7 => (5, 2),
        _ => (5, 3),
    }
}

/// FFmpeg's default bit rate for libopus: 64 kb/s per stream plus 32 kb/s per coupled stream
/// (96 kb/s stereo, 64 kb/s mono; what `opusenc` picks at 48 kHz too).
pub fn default_bit_rate(channels: u16) -> u32 {
    let (s, c) = streams(channels);
    64_000 * s + 32_000 * c
}

/// "2.5, 5, 10, ..." for messages.
fn list_durations() -> String {
    FRAME_DURATIONS
        .iter()
        .map(|&d| format_tenths(d))
        .collect::<Vec<_>>()
        .join(", ")
}

fn format_tenths(d: u32) -> String {
    if d.is_multiple_of(10) {
        (d / 10).to_string()
    } else {
        format!("{}.{}", d / 10, d % 10)
    }
}

impl Settings {
    /// Checks `request` (see the module docs for what each field means).
    pub fn from_request(request: &EncoderRequest<'_>) -> Result<Self, EncodeError> {
        let codec = super::CODEC;
        let sample_rate = request.spec.sample_rate;
        if !SAMPLE_RATES.contains(&sample_rate) {
            return Err(invalid(format!(
                "sample_rate = {sample_rate} for encoder {codec}; Opus codes at 8000, 12000, \
                 16000, 24000, 48000 Hz (the writer converts other rates to 48000 by itself; its \
                 encoder_sample_rate option picks another of these)"
            )));
        }
        let channels = request.spec.channels;
        if !(1..=MAX_CHANNELS).contains(&channels) {
            return Err(invalid(format!(
                "num_channels = {channels} for encoder {codec}; allowed: 1 ..= {MAX_CHANNELS} \
                 (Ogg Opus mapping families 0 and 1; the writer's encoder_num_channels option \
                 remixes)"
            )));
        }
        let format = match request.format {
            None | Some(SampleFormat::F32) => SampleFormat::F32,
            Some(SampleFormat::S16) => SampleFormat::S16,
            Some(f) => {
                return Err(invalid(format!(
                    "encoder_format = {} for encoder {codec}; allowed: flt (default, 24-bit \
                     depth), s16 (16-bit depth, as opusenc on 16-bit input)",
                    f.name()
                )))
            }
        };
        let cfg = &request.config;
        reject_config_fields(
            codec,
            cfg,
            &["bit_rate", "bit_rate_tolerance", "compression_level"],
            "Opus takes a bit rate, not a quality scale, quantizer limits or a buffer size",
        )?;
        check_options(
            codec,
            &request.options,
            &["application", "frame_duration", "vbr", "serial"],
        )?;
        let max_rate = MAX_BIT_RATE_PER_CHANNEL * u32::from(channels);
        let bit_rate = match cfg.bit_rate {
            None => default_bit_rate(channels),
            Some(b) if (MIN_BIT_RATE..=max_rate).contains(&b) => b,
            Some(b) => {
                return Err(invalid(format!(
                    "CodecConfig.bit_rate = {b} for encoder {codec} with {channels} channel(s); \
                     allowed: {MIN_BIT_RATE} ..= {max_rate} bits/s (6 kb/s up to 255 kb/s per \
                     channel, 510 kb/s per stereo pair)"
                )))
            }
        };
        let vbr = request
            .options
            .get("vbr")
            .map(|v| v.trim().to_ascii_lowercase());
        let rate_control = match (vbr.as_deref(), cfg.bit_rate_tolerance) {
            (_, Some(0)) => {
                return Err(invalid(format!(
                    "CodecConfig.bit_rate_tolerance = 0 for encoder {codec}; allowed: > 0, which \
                     selects constrained VBR (for CBR give encoder_option vbr=off)"
                )))
            }
            (None | Some("constrained"), Some(_)) | (Some("constrained"), None) => {
                RateControl::Constrained
            }
            (None | Some("on"), None) => RateControl::Vbr,
            (Some("off"), None) => RateControl::Cbr,
            (Some(v @ ("on" | "off")), Some(t)) => {
                return Err(invalid(format!(
                    "CodecConfig.bit_rate_tolerance = {t} with encoder_option vbr={v} for encoder \
                     {codec}; bit_rate_tolerance selects constrained VBR, which vbr={v} \
                     contradicts"
                )))
            }
            (Some(v), _) => {
                return Err(invalid(format!(
                    "encoder_option vbr = \"{v}\" for encoder {codec}; allowed: on (VBR, the \
                     default), constrained, off (CBR)"
                )))
            }
        };
        let complexity = match cfg.compression_level {
            None => 10,
            Some(c) if (0..=10).contains(&c) => c,
            Some(c) => {
                return Err(invalid(format!(
                    "CodecConfig.compression_level = {c} for encoder {codec}; allowed: 0 \
                     (fastest) ..= 10 (best, the default): libopus's complexity"
                )))
            }
        };
        let application = match request
            .options
            .get("application")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("audio") => Application::Audio,
            Some("voip") => Application::Voip,
            Some("lowdelay") => Application::LowDelay,
            Some(v) => {
                return Err(invalid(format!(
                    "encoder_option application = \"{v}\" for encoder {codec}; allowed: voip, \
                     audio (default), lowdelay"
                )))
            }
        };
        let frame_tenths_ms = match request.options.get("frame_duration") {
            None => 200,
            Some(v) => v
                .trim()
                .parse::<f64>()
                .ok()
                .map(|ms| (ms * 10.0).round())
                .filter(|t| FRAME_DURATIONS.iter().any(|&d| f64::from(d) == *t))
                .map(|t| t as u32)
                .ok_or_else(|| {
                    invalid(format!(
                        "encoder_option frame_duration = \"{v}\" for encoder {codec}; allowed \
                         (ms): {}",
                        list_durations()
                    ))
                })?,
        };
        let input_sample_rate = request.input_sample_rate.unwrap_or(sample_rate);
        Ok(Settings {
            sample_rate,
            input_sample_rate,
            channels,
            bit_rate,
            rate_control,
            complexity,
            application,
            frame_tenths_ms,
            format,
            serial: crate::ogg::serial_option(codec, &request.options)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CodecConfig, StreamSpec};

    fn req(rate: u32, ch: u16) -> EncoderRequest<'static> {
        EncoderRequest::new(
            "opus",
            StreamSpec {
                sample_rate: rate,
                channels: ch,
            },
        )
    }

    fn err(r: &EncoderRequest<'_>) -> String {
        match Settings::from_request(r) {
            Err(EncodeError::InvalidArgument(m)) => m,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn defaults_are_opusencs() {
        let s = Settings::from_request(&req(48_000, 2)).unwrap();
        assert_eq!(s.bit_rate, 96_000);
        assert_eq!(s.rate_control, RateControl::Vbr);
        assert_eq!(s.complexity, 10);
        assert_eq!(s.frame_size(), 960);
        assert_eq!(
            Settings::from_request(&req(8000, 1)).unwrap().bit_rate,
            64_000
        );
    }

    #[test]
    fn fields_map_or_are_refused() {
        let mut r = req(48_000, 2);
        r.config = CodecConfig {
            bit_rate: Some(64_000),
            bit_rate_tolerance: Some(1000),
            compression_level: Some(3),
            ..Default::default()
        };
        r.options.insert("frame_duration".into(), "2.5".into());
        r.options.insert("application".into(), "lowdelay".into());
        let s = Settings::from_request(&r).unwrap();
        assert_eq!(s.rate_control, RateControl::Constrained);
        assert_eq!((s.complexity, s.frame_size()), (3, 120));
        assert_eq!(s.application, Application::LowDelay);

        let mut r = req(48_000, 2);
        r.options.insert("vbr".into(), "off".into());
        assert_eq!(
            Settings::from_request(&r).unwrap().rate_control,
            RateControl::Cbr
        );
        r.config.bit_rate_tolerance = Some(5);
        assert!(err(&r).contains("contradicts"));

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
                    qmin: Some(1),
                    ..Default::default()
                },
            ),
            (
                "buffer_size",
                CodecConfig {
                    buffer_size: Some(1),
                    ..Default::default()
                },
            ),
        ] {
            let mut r = req(48_000, 1);
            r.config = cfg;
            let m = err(&r);
            assert!(
                m.contains(field) && m.contains("bit_rate, bit_rate_tolerance"),
                "{m}"
            );
        }
        let mut r = req(48_000, 1);
        r.config.bit_rate = Some(256_000);
        assert!(err(&r).contains("6000 ..= 255000"));
        let mut r = req(48_000, 2);
        r.config.bit_rate = Some(5999);
        assert!(err(&r).contains("6000 ..= 510000"));
        let mut r = req(48_000, 2);
        r.options.insert("frame_duration".into(), "30".into());
        assert!(err(&r).contains("2.5, 5, 10, 20, 40, 60, 80, 100, 120"));
        assert!(err(&req(44_100, 2)).contains("encoder_sample_rate"));
        assert!(err(&req(48_000, 9)).contains("encoder_num_channels"));
    }
}
