//! SoX `flanger` (`flanger.c`): the input mixed with a copy whose short delay sweeps with an
//! LFO, with optional feedback (regeneration), interpolated between samples.
//!
//! `flanger [delay [depth [regen [width [speed [shape [phase [interp]]]]]]]]`, defaults
//! `0 2 0 71 0.5 sine 25 linear`: delay 0–10 ms (base delay), depth 0–10 ms (swept delay),
//! regen −95–95 % (feedback), width 0–100 % (delayed signal in the mix), speed 0.1–10 Hz,
//! shape `sine`|`triangle`, phase 0–100 % (LFO phase shift from one channel to the next),
//! interp `linear`|`quadratic`. As in SoX, an argument that does not fit its place is passed
//! over (`flanger 0 2 0 71 0.5 50` sets the phase; names may be abbreviated, `tri`, `q`).
//! Through `param`, `shape` and `interp` take 0/1 (sine/triangle, linear/quadratic).
//!
//! The output has the input's length. Unlike SoX (at most 4 channels) any channel count
//! works: channel *c*'s LFO is shifted by *c* × phase of a period, as SoX does.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let fx: AudioEffector = "flanger 0 2 0 71 0.5 tri 25 quad".parse()?;
//! let out = fx.apply(Array2::<f32>::zeros((2, 800)).view(), 8000)?;
//! assert_eq!(out.ncols(), 800);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::lfo::{check_range, optional_args, wave_table_f32, Slot, SlotValue, Wave};
use super::{ArgInfo, Effect, EffectInfo, EffectSpec, Planar, ResamplerFactory};
use crate::{Error, Result};
use std::f64::consts::PI;

const PARAMS: &[&str] = &[
    "delay", "depth", "regen", "width", "speed", "shape", "phase", "interp",
];

const SHAPES: &[&str] = &["sine", "triangle"];
const INTERPS: &[&str] = &["linear", "quadratic"];

const SYNOPSIS: &str = "[delay depth regen width speed shape phase interp] (numbers, \
                        shape sine|triangle, interp linear|quadratic)";

/// Parsed arguments of `flanger`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FlangerSpec {
    delay: f64,
    depth: f64,
    regen: f64,
    width: f64,
    speed: f64,
    triangle: bool,
    phase: f64,
    quadratic: bool,
}

impl FlangerSpec {
    /// Parses SoX's arguments for `flanger`.
    pub(crate) fn parse(_name: &str, args: &[&str]) -> Result<Self> {
        let mut spec = FlangerSpec {
            delay: 0.0,
            depth: 2.0,
            regen: 0.0,
            width: 71.0,
            speed: 0.5,
            triangle: false,
            phase: 25.0,
            quadratic: false,
        };
        let slots = [
            Slot::Number,
            Slot::Number,
            Slot::Number,
            Slot::Number,
            Slot::Number,
            Slot::Text(SHAPES),
            Slot::Number,
            Slot::Text(INTERPS),
        ];
        let read = optional_args("flanger", PARAMS, &slots, args)?;
        for (param, v) in PARAMS.iter().zip(&read.values) {
            match v {
                Some(SlotValue::Number(v)) => spec.set(param, *v),
                Some(SlotValue::Choice(i)) => spec.set(param, *i as f64),
                None => {}
            }
        }
        if let Some(&token) = args.get(read.used) {
            return Err(match read.skipped_at {
                Some(slot) => {
                    let allowed = match slots[slot] {
                        Slot::Text(names) => names.join(" or "),
                        Slot::Number => "a number".to_string(),
                    };
                    Error::invalid_argument(
                        &format!("flanger {}", PARAMS[slot]),
                        token,
                        format!("{allowed}; flanger {SYNOPSIS}"),
                    )
                }
                None => Error::invalid_argument(
                    "flanger number of arguments",
                    args.len(),
                    format!("0 to 8: {SYNOPSIS}"),
                ),
            });
        }
        Ok(spec)
    }
}

impl EffectSpec for FlangerSpec {
    fn name(&self) -> &'static str {
        "flanger"
    }

    fn param_names(&self) -> &'static [&'static str] {
        PARAMS
    }

    fn set(&mut self, param: &str, value: f64) {
        match param {
            "delay" => self.delay = value,
            "depth" => self.depth = value,
            "regen" => self.regen = value,
            "width" => self.width = value,
            "speed" => self.speed = value,
            "shape" => self.triangle = value != 0.0,
            "phase" => self.phase = value,
            _ => self.quadratic = value != 0.0,
        }
    }

    fn validate(&self) -> Result<()> {
        check_range("flanger", "delay", self.delay, 0.0, 10.0, "0 to 10 ms")?;
        check_range("flanger", "depth", self.depth, 0.0, 10.0, "0 to 10 ms")?;
        check_range("flanger", "regen", self.regen, -95.0, 95.0, "-95 to 95 %")?;
        check_range("flanger", "width", self.width, 0.0, 100.0, "0 to 100 %")?;
        check_range("flanger", "speed", self.speed, 0.1, 10.0, "0.1 to 10 Hz")?;
        check_range("flanger", "phase", self.phase, 0.0, 100.0, "0 to 100 %")
    }

    fn build(
        &self,
        sample_rate: u32,
        num_channels: usize,
        _resample: &ResamplerFactory,
    ) -> Result<Option<Box<dyn Effect>>> {
        self.validate()?;
        let rate = f64::from(sample_rate);
        let feedback = self.regen / 100.0;
        let width = self.width / 100.0;
        let channel_phase = self.phase / 100.0;
        // SoX balances the output, then the feedback loop.
        let in_gain = 1.0 / (1.0 + width);
        let delay_gain = width / (1.0 + width) * (1.0 - feedback.abs());
        // 0..=n samples of delay, plus one for the quadratic interpolator.
        let len = ((self.delay + self.depth) / 1000.0 * rate + 0.5) as usize + 2;
        let lfo_len = (rate / self.speed) as usize;
        if lfo_len == 0 {
            return Err(Error::invalid_argument(
                "flanger speed",
                self.speed,
                format!("0.1 to 10 Hz, and at most the sample rate ({sample_rate} Hz)"),
            ));
        }
        let lfo = wave_table_f32(
            Wave::from_triangle(self.triangle),
            lfo_len,
            ((self.delay / 1000.0 * rate + 0.5) as usize) as f64,
            (len - 2) as f64,
            3.0 * PI / 2.0,
        );
        // Each entry split once into whole samples and fraction (SoX's modf per sample); the
        // fraction of a float is a float exactly.
        let lfo = lfo
            .into_iter()
            .map(|d| (d.trunc() as u32, d.fract()))
            .collect();
        let offsets = (0..num_channels)
            .map(|c| (((c * lfo_len) as f64 * channel_phase + 0.5) as usize) % lfo_len)
            .collect();
        Ok(Some(Box::new(Flanger {
            in_gain,
            delay_gain,
            feedback,
            quadratic: self.quadratic,
            lfo,
            offsets,
            len,
            buffers: vec![vec![0.0; len]; num_channels],
            last: vec![0.0; num_channels],
            pos: 0,
            lfo_pos: 0,
        })))
    }
}

/// The running `flanger`: a `double` delay line per channel; the write position and LFO
/// position advance once per frame (shared), each channel reads the LFO at its own offset.
struct Flanger {
    in_gain: f64,
    delay_gain: f64,
    feedback: f64,
    quadratic: bool,
    /// Per LFO entry: whole samples of delay and the fraction.
    lfo: Vec<(u32, f32)>,
    offsets: Vec<usize>,
    len: usize,
    buffers: Vec<Vec<f64>>,
    last: Vec<f64>,
    pos: usize,
    lfo_pos: usize,
}

impl Flanger {
    /// One channel; returns the final write and LFO positions.
    fn channel<const QUADRATIC: bool>(
        &self,
        ch: &mut [f32],
        buf: &mut [f64],
        last: &mut f64,
        offset: usize,
    ) -> (usize, usize) {
        let (len, lfo_len) = (self.len, self.lfo.len());
        let mut pos = self.pos;
        let mut lfo_pos = self.lfo_pos;
        let mut read = lfo_pos + offset;
        if read >= lfo_len {
            read -= lfo_len;
        }
        let wrap = |i: usize| if i >= len { i - len } else { i };
        for x in ch.iter_mut() {
            // The write position moves backwards; reads are ahead of it.
            pos = if pos == 0 { len - 1 } else { pos - 1 };
            let (int_delay, frac) = self.lfo.get(read).copied().unwrap_or((0, 0.0));
            let (int_delay, frac) = (int_delay as usize, f64::from(frac));
            let input = f64::from(*x);
            buf[pos] = input + *last * self.feedback;
            let i0 = wrap(pos + int_delay);
            let i1 = wrap(i0 + 1);
            let d0 = buf[i0];
            let d1 = buf[i1];
            let delayed = if QUADRATIC {
                let d2 = buf[wrap(i1 + 1)] - d0;
                let d1 = d1 - d0;
                let a = d2 * 0.5 - d1;
                let b = d1 * 2.0 - d2 * 0.5;
                d0 + (a * frac + b) * frac
            } else {
                d0 + (d1 - d0) * frac
            };
            *last = delayed;
            *x = (input * self.in_gain + delayed * self.delay_gain).clamp(-1.0, 1.0) as f32;
            lfo_pos += 1;
            if lfo_pos == lfo_len {
                lfo_pos = 0;
            }
            read += 1;
            if read == lfo_len {
                read = 0;
            }
        }
        (pos, lfo_pos)
    }
}

impl Effect for Flanger {
    fn process(&mut self, planar: &mut Planar) {
        let mut buffers = std::mem::take(&mut self.buffers);
        let mut last = std::mem::take(&mut self.last);
        let mut end = (self.pos, self.lfo_pos);
        for (((ch, buf), last), &offset) in planar
            .iter_mut()
            .zip(buffers.iter_mut())
            .zip(last.iter_mut())
            .zip(&self.offsets)
        {
            end = if self.quadratic {
                self.channel::<true>(ch, buf, last, offset)
            } else {
                self.channel::<false>(ch, buf, last, offset)
            };
        }
        (self.pos, self.lfo_pos) = end;
        self.buffers = buffers;
        self.last = last;
    }
}

/// `audiostream effects` entry for `flanger`.
pub(crate) const INFO_FLANGER: EffectInfo = EffectInfo {
    name: "flanger",
    usage: "flanger [delay(0) [depth(2) [regen(0) [width(71) [speed(0.5) [shape(sine) \
            [phase(25) [interp(linear)]]]]]]]]",
    description: "Flanger: the input mixed with a copy whose short delay sweeps with an LFO, \
                  with optional feedback.",
    arguments: &[
        ArgInfo {
            name: "delay",
            default: "0",
            range: "0 to 10 ms",
        },
        ArgInfo {
            name: "depth",
            default: "2",
            range: "0 to 10 ms",
        },
        ArgInfo {
            name: "regen",
            default: "0",
            range: "-95 to 95 %",
        },
        ArgInfo {
            name: "width",
            default: "71",
            range: "0 to 100 %",
        },
        ArgInfo {
            name: "speed",
            default: "0.5",
            range: "0.1 to 10 Hz",
        },
        ArgInfo {
            name: "shape",
            default: "sine",
            range: "sine|triangle (param: 0|1)",
        },
        ArgInfo {
            name: "phase",
            default: "25",
            range: "0 to 100 % (LFO shift per channel)",
        },
        ArgInfo {
            name: "interp",
            default: "linear",
            range: "linear|quadratic (param: 0|1)",
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_passed_over_like_sox() {
        let s = FlangerSpec::parse("flanger", &["1", "2", "0", "71", "0.5", "40"]).unwrap();
        assert_eq!(s.phase, 40.0);
        assert!(!s.triangle);
        let s = FlangerSpec::parse("flanger", &["tri", "q"]).unwrap();
        assert!(s.triangle && s.quadratic);
        assert_eq!(s.depth, 2.0);
        assert!(super::super::lfo::choice("s", SHAPES).is_some());
        let e = FlangerSpec::parse("flanger", &["1", "foo"]).unwrap_err();
        assert!(e.to_string().contains("flanger depth"), "{e}");
    }
}
