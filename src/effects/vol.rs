//! SoX `vol gain [type [limiter-gain]]` (`vol.c`): a fixed factor — an amplitude ratio (the
//! default), a power ratio, or dB (`-3dB` or `-3 dB`) — clipped to `[-1, 1]`, or with a
//! limiter-gain, SoX's peak limiter instead of clipping.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::array;
//! let out = "vol -6dB".parse::<AudioEffector>()?.apply(array![[0.5f32, -0.5]].view(), 8000)?;
//! assert!((out[[0, 0]] - 0.2506).abs() < 1e-3);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::args::{arg_count, number};
use super::catalog::arg;
use super::registry::{ParseSpec, Registration};
use super::{BuildContext, Channels, Effect, EffectInfo, EffectSpec};
use crate::{Error, Result};

pub(crate) const EFFECTS: &[Registration] = &[Registration::of::<VolSpec>(INFO_VOL)];

const INFO_VOL: EffectInfo = EffectInfo {
    name: "vol",
    usage: "vol gain [amplitude|power|dB]",
    description: "Change the volume: an amplitude ratio (default), a power ratio, or dB.",
    arguments: &[arg(
        "gain",
        "required",
        "finite number; negative amplitude inverts",
    )],
};

/// `vol`'s gain type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VolType {
    Amplitude,
    Power,
    Db,
}

/// Parsed `vol`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct VolSpec {
    gain: f64,
    kind: VolType,
    /// The third argument: SoX's peak limiter gain (0 < limiter < 1).
    limiter: Option<f64>,
}

impl ParseSpec for VolSpec {
    fn parse(name: &'static str, args: &[&str]) -> Result<Self> {
        arg_count(name, args.len(), 1, 3, "vol gain [type [limiter-gain]]")?;
        let first = args.first().copied().unwrap_or("");
        let split = first
            .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
            .unwrap_or(first.len());
        let (num, suffix) = first.split_at(split);
        let gain = number(name, "gain", num)?;
        // The type is a suffix of the gain (`-3dB`) or the next argument; what follows it is
        // the limiter gain.
        let (type_token, limiter_token) = if suffix.is_empty() {
            (args.get(1).copied(), args.get(2).copied())
        } else {
            if args.len() > 2 {
                return Err(Error::invalid_argument(
                    "vol number of arguments",
                    args.len(),
                    "vol gain[type] [limiter-gain]",
                ));
            }
            (Some(suffix), args.get(1).copied())
        };
        let kind = match type_token.map(str::to_ascii_lowercase) {
            None => VolType::Amplitude,
            Some(t) if !t.is_empty() && "amplitude".starts_with(&t) => VolType::Amplitude,
            Some(t) if !t.is_empty() && "power".starts_with(&t) => VolType::Power,
            Some(t) if !t.is_empty() && "db".starts_with(&t) => VolType::Db,
            Some(t) => {
                return Err(Error::invalid_argument(
                    "vol type",
                    t,
                    "amplitude, power or dB",
                ))
            }
        };
        let limiter = limiter_token
            .map(|t| number(name, "limiter-gain", t))
            .transpose()?;
        Ok(VolSpec {
            gain,
            kind,
            limiter,
        })
    }
}

impl VolSpec {
    /// The gain as an amplitude factor.
    fn factor(&self) -> f64 {
        let gain = self.gain;
        match self.kind {
            VolType::Amplitude => gain,
            VolType::Db => (gain * 10f64.ln() / 20.0).exp(),
            VolType::Power if gain > 0.0 => gain.sqrt(),
            VolType::Power => -(-gain).sqrt(),
        }
    }
}

impl EffectSpec for VolSpec {
    fn name(&self) -> &'static str {
        "vol"
    }

    fn param_names(&self) -> &'static [&'static str] {
        if self.limiter.is_some() {
            &["gain", "limiter_gain"]
        } else {
            &["gain"]
        }
    }

    fn set(&mut self, param: &str, value: f64) {
        if param == "limiter_gain" {
            self.limiter = Some(value);
        } else {
            self.gain = value;
        }
    }

    fn validate(&self) -> Result<()> {
        if !self.gain.is_finite() {
            return Err(Error::invalid_argument(
                "vol gain",
                self.gain,
                "a finite number",
            ));
        }
        if let Some(l) = self.limiter {
            if !(l > 0.0 && l < 1.0) {
                return Err(Error::invalid_argument(
                    "vol limiter-gain",
                    l,
                    "0 < limiter-gain < 1 (e.g. 0.05)",
                ));
            }
            if self.factor().abs() <= 1.0 {
                return Err(Error::invalid_argument(
                    "vol gain",
                    self.gain,
                    "a gain above 1 (amplitude) when a limiter-gain is given",
                ));
            }
        }
        Ok(())
    }

    fn build(&self, _cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        let factor = self.factor();
        Ok(match self.limiter {
            Some(l) => Some(Box::new(VolLimiter::new(factor, l))),
            // SoX: a factor of 1 is a null effect.
            None if factor == 1.0 => None,
            None => Some(Box::new(Scale { factor })),
        })
    }

    fn output_frames(&self, _sample_rate: u32, input_frames: u64) -> Option<u64> {
        Some(input_frames)
    }
}

/// Multiplies every sample by a fixed factor and clips to `[-1, 1]`, as SoX's `vol` does
/// (`SOX_ROUND_CLIP_COUNT(x * factor)`).
struct Scale {
    factor: f64,
}

impl Effect for Scale {
    fn process(&mut self, channels: &mut Channels) {
        for ch in channels.iter_mut() {
            for x in ch.iter_mut() {
                *x = (f64::from(*x) * self.factor).clamp(-1.0, 1.0) as f32;
            }
        }
    }
}

/// SoX `vol gain type limiter-gain`: samples whose gained value would pass full scale are
/// mapped by a line of slope `limiter-gain` ending at full scale instead (the threshold is
/// where the two lines meet, so there is no jump); others are multiplied by the gain.
struct VolLimiter {
    gain: f64,
    limiter_gain: f64,
    threshold: f64,
}

impl VolLimiter {
    /// `gain` as an amplitude factor (|gain| > 1), `limiter_gain` in (0, 1).
    fn new(gain: f64, limiter_gain: f64) -> Self {
        VolLimiter {
            gain,
            limiter_gain,
            threshold: (1.0 - limiter_gain) / (gain.abs() - limiter_gain),
        }
    }
}

impl Effect for VolLimiter {
    fn process(&mut self, channels: &mut Channels) {
        let (g, l, t) = (self.gain, self.limiter_gain, self.threshold);
        for ch in channels.iter_mut() {
            for x in ch.iter_mut() {
                let v = f64::from(*x);
                let y = if v > t {
                    1.0 - l * (1.0 - v)
                } else if v < -t {
                    -(1.0 - l * (1.0 + v))
                } else {
                    g * v
                };
                *x = y.clamp(-1.0, 1.0) as f32;
            }
        }
    }
}
