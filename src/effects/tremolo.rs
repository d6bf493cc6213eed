//! SoX `tremolo` (`tremolo.c`, which runs `synth sine fmod speed offset 25`): the signal
//! multiplied by a sine LFO.
//!
//! `tremolo speed [depth]`: speed in Hz (≥ 0), depth 0–100 % (default 40). The gain swings
//! between 1 and 1 − depth/100, starting at 1 (SoX's synth is given a 25 % phase). Like
//! SoX, the offset `100 − depth/2` goes through `printf("%g")` (six significant digits) on its
//! way to synth, so we round it the same way. The LFO is the same for every channel; the
//! output has the input's length.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let fx = AudioEffector::new("tremolo", &[10.0, 50.0])?;
//! let out = fx.apply(Array2::from_elem((1, 100), 0.5f32).view(), 1000)?;
//! assert_eq!(out[[0, 0]], 0.5); // gain 1 at the start
//! assert!((out[[0, 25]] - 0.375).abs() < 1e-6); // a quarter period later: 0.75
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::lfo::{check_range, count_error, number, out_of_range};
use super::{ArgInfo, Effect, EffectInfo, EffectSpec, Planar, ResamplerFactory};
use crate::Result;
use std::f64::consts::PI;

const SYNOPSIS: &str = "speed [depth] (Hz >= 0, 0 < depth <= 100 %)";

/// Parsed arguments of `tremolo`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TremoloSpec {
    speed: f64,
    depth: f64,
}

impl TremoloSpec {
    /// Parses SoX's arguments for `tremolo`.
    pub(crate) fn parse(_name: &str, args: &[&str]) -> Result<Self> {
        match args {
            [speed] => Ok(TremoloSpec {
                speed: number("tremolo", "speed", speed)?,
                depth: 40.0,
            }),
            [speed, depth] => Ok(TremoloSpec {
                speed: number("tremolo", "speed", speed)?,
                depth: number("tremolo", "depth", depth)?,
            }),
            _ => Err(count_error("tremolo", args.len(), SYNOPSIS)),
        }
    }
}

impl EffectSpec for TremoloSpec {
    fn name(&self) -> &'static str {
        "tremolo"
    }

    fn param_names(&self) -> &'static [&'static str] {
        &["speed", "depth"]
    }

    fn set(&mut self, param: &str, value: f64) {
        if param == "speed" {
            self.speed = value;
        } else {
            self.depth = value;
        }
    }

    fn validate(&self) -> Result<()> {
        check_range(
            "tremolo",
            "speed",
            self.speed,
            0.0,
            f64::MAX,
            "a finite frequency >= 0 Hz",
        )?;
        if self.depth > 0.0 && self.depth <= 100.0 {
            Ok(())
        } else {
            Err(out_of_range(
                "tremolo",
                "depth",
                self.depth,
                "0 < depth <= 100 %",
            ))
        }
    }

    fn build(
        &self,
        sample_rate: u32,
        _num_channels: usize,
        _resample: &ResamplerFactory,
    ) -> Result<Option<Box<dyn Effect>>> {
        self.validate()?;
        // SoX prints the offset with "%g" (6 significant digits) and synth reads it back.
        let offset_percent = format!("{:.5e}", 100.0 - self.depth / 2.0)
            .parse::<f64>()
            .unwrap_or(100.0 - self.depth / 2.0);
        let offset = offset_percent / 100.0;
        Ok(Some(Box::new(Tremolo {
            speed: self.speed,
            rate: f64::from(sample_rate),
            scale: 1.0 - offset.abs(),
            offset,
            done: 0,
            gains: Vec::new(),
        })))
    }
}

/// The running `tremolo`: synth's sine at `speed`, phase 0.25, counted in frames.
struct Tremolo {
    speed: f64,
    rate: f64,
    scale: f64,
    offset: f64,
    /// Frames done (synth's `samples_done`).
    done: u64,
    /// The gains of the current block (kept to avoid an allocation per call).
    gains: Vec<f64>,
}

impl Effect for Tremolo {
    fn process(&mut self, planar: &mut Planar) {
        let frames = planar.first().map_or(0, Vec::len);
        self.gains.clear();
        for n in self.done..self.done + frames as u64 {
            // synth: phase = freq * elapsed seconds, plus the 25 % phase, modulo 1.
            let phase = (self.speed * (n as f64 / self.rate) + 0.25) % 1.0;
            let lfo = (2.0 * PI * phase).sin();
            self.gains.push(lfo * self.scale + self.offset);
        }
        self.done += frames as u64;
        for ch in planar.iter_mut() {
            for (x, g) in ch.iter_mut().zip(&self.gains) {
                *x = (f64::from(*x) * g).clamp(-1.0, 1.0) as f32;
            }
        }
    }
}

/// `audiostream effects` entry for `tremolo`.
pub(crate) const INFO_TREMOLO: EffectInfo = EffectInfo {
    name: "tremolo",
    usage: "tremolo speed [depth(40)]",
    description: "Tremolo: amplitude modulation by a sine LFO; the gain swings between 1 and \
                  1 - depth/100.",
    arguments: &[
        ArgInfo {
            name: "speed",
            default: "required",
            range: "Hz >= 0",
        },
        ArgInfo {
            name: "depth",
            default: "40",
            range: "0 < depth <= 100 %",
        },
    ],
};
