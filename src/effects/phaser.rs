//! SoX `phaser` (`phaser.c`): the input scaled by gain-in plus a feedback delay line whose
//! delay sweeps with a sine (`-s`, the default) or triangle (`-t`) LFO, scaled by gain-out.
//!
//! `phaser [gain-in [gain-out [delay [decay [speed]]]]] [-s|-t]`, defaults
//! `0.4 0.74 3 0.4 0.5 -s`: gain-in 0–1, gain-out ≥ 0, delay 0–5 ms (at least one sample),
//! decay 0–0.99, speed 0.1–2 Hz. As in SoX, an argument that is not a number is passed over
//! (`phaser -t` keeps every default but the shape). The output has the input's length (SoX
//! 14.4.2's phaser has no tail). Each channel has its own delay line; the LFO is the same for
//! every channel.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let fx: AudioEffector = "phaser 0.8 0.74 3 0.4 0.5 -t".parse()?;
//! let out = fx.apply(Array2::<f32>::zeros((1, 800)).view(), 8000)?;
//! assert_eq!(out.ncols(), 800);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::lfo::{
    check_range, optional_args, starts_numeric, wave_table_int, Slot, SlotValue, Wave,
};
use super::{ArgInfo, Effect, EffectInfo, EffectSpec, Planar, ResamplerFactory};
use crate::{Error, Result};
use std::f64::consts::PI;

const PARAMS: &[&str] = &["gain_in", "gain_out", "delay", "decay", "speed", "triangle"];

const SYNOPSIS: &str = "phaser [gain-in [gain-out [delay [decay [speed]]]]] [-s|-t]";

/// Parsed arguments of `phaser`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PhaserSpec {
    gain_in: f64,
    gain_out: f64,
    delay: f64,
    decay: f64,
    speed: f64,
    triangle: bool,
}

impl PhaserSpec {
    /// Parses SoX's arguments for `phaser`.
    pub(crate) fn parse(_name: &str, args: &[&str]) -> Result<Self> {
        let mut spec = PhaserSpec {
            gain_in: 0.4,
            gain_out: 0.74,
            delay: 3.0,
            decay: 0.4,
            speed: 0.5,
            triangle: false,
        };
        let read = optional_args("phaser", PARAMS, &[Slot::Number; 5], args)?;
        for (param, v) in PARAMS.iter().zip(&read.values) {
            if let Some(SlotValue::Number(v)) = v {
                spec.set(param, *v);
            }
        }
        let mut rest = &args[read.used..];
        match rest.first() {
            Some(&"-s") => rest = &rest[1..],
            Some(&"-t") => {
                spec.triangle = true;
                rest = &rest[1..];
            }
            _ => {}
        }
        if let Some(&token) = rest.first() {
            return Err(if token.starts_with('-') && !starts_numeric(token) {
                Error::invalid_argument("phaser modulation", token, "-s (sine) or -t (triangle)")
            } else if let Some(slot) = read
                .skipped_at
                .filter(|_| rest.len() == args.len() - read.used)
            {
                Error::invalid_argument(
                    &format!("phaser {}", PARAMS[slot]),
                    token,
                    format!("a number ({SYNOPSIS})"),
                )
            } else {
                Error::invalid_argument("phaser number of arguments", args.len(), SYNOPSIS)
            });
        }
        Ok(spec)
    }
}

impl EffectSpec for PhaserSpec {
    fn name(&self) -> &'static str {
        "phaser"
    }

    fn param_names(&self) -> &'static [&'static str] {
        PARAMS
    }

    fn set(&mut self, param: &str, value: f64) {
        match param {
            "gain_in" => self.gain_in = value,
            "gain_out" => self.gain_out = value,
            "delay" => self.delay = value,
            "decay" => self.decay = value,
            "speed" => self.speed = value,
            _ => self.triangle = value != 0.0,
        }
    }

    fn validate(&self) -> Result<()> {
        check_range("phaser", "gain_in", self.gain_in, 0.0, 1.0, "0 to 1")?;
        check_range("phaser", "gain_out", self.gain_out, 0.0, 1e9, "0 to 1e9")?;
        check_range(
            "phaser",
            "delay",
            self.delay,
            0.0,
            5.0,
            "0 to 5 ms (at least one sample)",
        )?;
        check_range("phaser", "decay", self.decay, 0.0, 0.99, "0 to 0.99")?;
        check_range("phaser", "speed", self.speed, 0.1, 2.0, "0.1 to 2 Hz")
    }

    fn build(
        &self,
        sample_rate: u32,
        num_channels: usize,
        _resample: &ResamplerFactory,
    ) -> Result<Option<Box<dyn Effect>>> {
        self.validate()?;
        let rate = f64::from(sample_rate);
        let len = (self.delay * 0.001 * rate + 0.5) as usize;
        if len == 0 {
            // SoX divides by zero here; a delay line needs one sample at least.
            return Err(Error::invalid_argument(
                "phaser delay",
                self.delay,
                format!(
                    "at least half a sample ({} ms at {sample_rate} Hz) up to 5 ms",
                    500.0 / rate
                ),
            ));
        }
        let lfo_len = ((rate / self.speed + 0.5) as usize).max(1);
        let table = wave_table_int(
            Wave::from_triangle(self.triangle),
            lfo_len,
            1.0,
            len as f64,
            PI / 2.0,
        );
        Ok(Some(Box::new(Phaser {
            gain_in: self.gain_in,
            gain_out: self.gain_out,
            decay: self.decay,
            // SoX reads at (pos + table) % len; the entries are 1..=len.
            ahead: table
                .iter()
                .map(|&t| t.rem_euclid(len as i64) as u32)
                .collect(),
            len,
            buffers: vec![vec![0.0; len]; num_channels],
            pos: 0,
            phase: 0,
        })))
    }
}

/// The running `phaser`: a `double` delay line per channel, LFO and positions shared.
struct Phaser {
    gain_in: f64,
    gain_out: f64,
    decay: f64,
    ahead: Vec<u32>,
    len: usize,
    buffers: Vec<Vec<f64>>,
    pos: usize,
    phase: usize,
}

impl Effect for Phaser {
    fn process(&mut self, planar: &mut Planar) {
        let (len, lfo_len) = (self.len, self.ahead.len());
        let (mut pos, mut phase) = (self.pos, self.phase);
        for (ch, buf) in planar.iter_mut().zip(self.buffers.iter_mut()) {
            pos = self.pos;
            phase = self.phase;
            for x in ch.iter_mut() {
                let r = pos + self.ahead.get(phase).map_or(0, |&a| a as usize);
                let d = f64::from(*x) * self.gain_in
                    + buf[if r >= len { r - len } else { r }] * self.decay;
                phase += 1;
                if phase == lfo_len {
                    phase = 0;
                }
                pos += 1;
                if pos == len {
                    pos = 0;
                }
                buf[pos] = d;
                *x = (d * self.gain_out).clamp(-1.0, 1.0) as f32;
            }
        }
        self.pos = pos;
        self.phase = phase;
    }
}

/// `audiostream effects` entry for `phaser`.
pub(crate) const INFO_PHASER: EffectInfo = EffectInfo {
    name: "phaser",
    usage: "phaser [gain-in(0.4) [gain-out(0.74) [delay(3) [decay(0.4) [speed(0.5)]]]]] [-s|-t]",
    description: "Phaser: a feedback delay line whose delay sweeps with a sine (-s) or \
                  triangle (-t) LFO.",
    arguments: &[
        ArgInfo {
            name: "gain_in",
            default: "0.4",
            range: "0 to 1",
        },
        ArgInfo {
            name: "gain_out",
            default: "0.74",
            range: "0 to 1e9",
        },
        ArgInfo {
            name: "delay",
            default: "3",
            range: "0 to 5 ms (at least one sample)",
        },
        ArgInfo {
            name: "decay",
            default: "0.4",
            range: "0 to 0.99",
        },
        ArgInfo {
            name: "speed",
            default: "0.5",
            range: "0.1 to 2 Hz",
        },
        ArgInfo {
            name: "triangle",
            default: "0 (-s)",
            range: "-s (0: sine) or -t (1: triangle)",
        },
    ],
};
