//! SoX `overdrive [gain [colour]]` (`overdrive.c`): gain (dB, 0–100, default 20), colour
//! (0–100, default 20: even harmonics), a cubic soft clip and a DC blocker. Also what
//! [`functional::overdrive`](crate::functional::overdrive) runs.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let out = AudioEffector::new("overdrive", &[10.0])?.apply(Array2::<f32>::zeros((1, 8)).view(), 8000)?;
//! assert_eq!(out.ncols(), 8);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::args::{arg_count, number};
use super::catalog::arg;
use super::registry::{ParseSpec, Registration};
use super::{BuildContext, Channels, Effect, EffectInfo, EffectSpec};
use crate::{Error, Result};

pub(crate) const EFFECTS: &[Registration] = &[Registration::of::<OverdriveSpec>(INFO_OVERDRIVE)];

const INFO_OVERDRIVE: EffectInfo = EffectInfo {
    name: "overdrive",
    usage: "overdrive [gain(20) [colour(20)]]",
    description: "Non-linear distortion (soft clipping) with even harmonics from colour.",
    arguments: &[
        arg("gain", "20", "dB, 0 to 100"),
        arg("colour", "20", "0 to 100"),
    ],
};

/// Parsed `overdrive`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OverdriveSpec {
    gain: f64,
    colour: f64,
}

impl ParseSpec for OverdriveSpec {
    fn parse(name: &'static str, args: &[&str]) -> Result<Self> {
        arg_count(name, args.len(), 0, 2, "overdrive [gain [colour]]")?;
        let gain = args.first().map_or(Ok(20.0), |a| number(name, "gain", a))?;
        let colour = args
            .get(1)
            .map_or(Ok(20.0), |a| number(name, "colour", a))?;
        Ok(OverdriveSpec { gain, colour })
    }
}

impl EffectSpec for OverdriveSpec {
    fn name(&self) -> &'static str {
        "overdrive"
    }

    fn param_names(&self) -> &'static [&'static str] {
        &["gain", "colour"]
    }

    fn set(&mut self, param: &str, value: f64) {
        if param == "gain" {
            self.gain = value;
        } else {
            self.colour = value;
        }
    }

    fn validate(&self) -> Result<()> {
        for (arg, v) in [("gain", self.gain), ("colour", self.colour)] {
            if !(0.0..=100.0).contains(&v) {
                return Err(Error::invalid_argument(
                    &format!("overdrive {arg}"),
                    v,
                    "0 to 100",
                ));
            }
        }
        Ok(())
    }

    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        Ok(if self.gain == 0.0 && self.colour == 0.0 {
            None
        } else {
            Some(Box::new(Overdrive::new(
                self.gain,
                self.colour,
                cx.channels,
            )))
        })
    }

    fn output_frames(&self, _sample_rate: u32, input_frames: u64) -> Option<u64> {
        Some(input_frames)
    }
}

/// SoX `overdrive.c`: gain (linear), colour offset, cubic soft clip, a DC blocker
/// (`y = d - last_in + 0.995 * last_out`) and the mix `0.5 * dry + 0.75 * y`, clipped.
/// One state per channel (SoX runs one instance per channel).
pub(crate) struct Overdrive {
    gain: f64,
    colour: f64,
    last_in: Vec<f64>,
    last_out: Vec<f64>,
}

impl Overdrive {
    /// `gain_db` and `colour` as SoX takes them (dB, 0–100).
    pub(crate) fn new(gain_db: f64, colour: f64, num_channels: usize) -> Self {
        Overdrive {
            gain: 10f64.powf(gain_db / 20.0),
            colour: colour / 200.0,
            last_in: vec![0.0; num_channels],
            last_out: vec![0.0; num_channels],
        }
    }
}

impl Effect for Overdrive {
    fn process(&mut self, channels: &mut Channels) {
        let (gain, colour) = (self.gain, self.colour);
        // Stereo: both channels in one loop, so the CPU overlaps their DC-blocker recurrences.
        if let ([left, right], [il, ir], [ol, or]) = (
            channels.as_mut_slice(),
            self.last_in.as_mut_slice(),
            self.last_out.as_mut_slice(),
        ) {
            if left.len() == right.len() {
                for (xl, xr) in left.iter_mut().zip(right.iter_mut()) {
                    *xl = overdrive_step(gain, colour, il, ol, *xl);
                    *xr = overdrive_step(gain, colour, ir, or, *xr);
                }
                return;
            }
        }
        for ((ch, last_in), last_out) in channels
            .iter_mut()
            .zip(self.last_in.iter_mut())
            .zip(self.last_out.iter_mut())
        {
            for x in ch.iter_mut() {
                *x = overdrive_step(gain, colour, last_in, last_out, *x);
            }
        }
    }
}

/// One sample of SoX's overdrive for one channel's DC-blocker state.
#[inline(always)]
fn overdrive_step(gain: f64, colour: f64, last_in: &mut f64, last_out: &mut f64, x: f32) -> f32 {
    let d0 = f64::from(x);
    let d = d0 * gain + colour;
    let d = if d < -1.0 {
        -2.0 / 3.0
    } else if d > 1.0 {
        2.0 / 3.0
    } else {
        d - d * d * d * (1.0 / 3.0)
    };
    *last_out = d - *last_in + 0.995 * *last_out;
    *last_in = d;
    (d0 * 0.5 + *last_out * 0.75).clamp(-1.0, 1.0) as f32
}
