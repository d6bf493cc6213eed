//! SoX `echo` and `echos` (`echo.c`, `echos.c`): the input plus up to seven delayed copies,
//! each scaled by its decay, then scaled by gain-out. The output is longer than the input by
//! the longest delay (`echo`) or the sum of the delays (`echos`), SoX's drained tail.
//!
//! `echo gain-in gain-out delay decay [delay decay ...]` adds independent delays of the input.
//! `echos` chains its delay lines: SoX's `echos` writes into line *k* the value it has just
//! written into line *k − 1* plus the input, so line *k* holds *k* + 1 times the input, and
//! each line is read after its own delay (not the sum of the delays before it). This is what
//! SoX 14.4.2 computes (checked on an impulse), and what we compute.
//!
//! Delays are in milliseconds, truncated to whole samples; gains and decays are SoX `float`s.
//! Each channel has its own delay lines (SoX runs one instance per channel).
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let mut x = Array2::<f32>::zeros((1, 100));
//! x[[0, 0]] = 0.5;
//! let out = AudioEffector::new("echo", &[1.0, 1.0, 10.0, 0.5])?.apply(x.view(), 1000)?;
//! assert_eq!(out.ncols(), 110); // the 10-sample tail
//! assert_eq!(out[[0, 10]], 0.25);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::args::{as_float, check_range, count_error, indexed, number, out_of_range};
use super::registry::{ParseSpec, Registration};
use super::{ArgInfo, BuildContext, Channels, Effect, EffectInfo, EffectSpec};
use crate::Result;

pub(crate) const EFFECTS: &[Registration] = &[
    Registration::of::<EchoSpec>(INFO_ECHO),
    Registration::of::<EchoSpec>(INFO_ECHOS),
];

/// SoX's limit on the number of delays (`MAX_ECHOS`).
const MAX_DELAYS: usize = 7;

/// SoX's longest delay line in samples (`DELAY_BUFSIZ = 50 * SOX_MAXRATE`).
const MAX_DELAY_SAMPLES: usize = 50 * 51200;

const SYNOPSIS: &str =
    "gain-in gain-out delay decay [delay decay ...] (at most 7 delay-decay pairs)";

/// `param` names: gain_in, gain_out, then one delay/decay pair per echo.
const PARAMS: [&str; 2 + 2 * MAX_DELAYS] = [
    "gain_in", "gain_out", "delay", "decay", "delay_2", "decay_2", "delay_3", "decay_3", "delay_4",
    "decay_4", "delay_5", "decay_5", "delay_6", "decay_6", "delay_7", "decay_7",
];

/// Parsed arguments of `echo` or `echos`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EchoSpec {
    /// `echo` or `echos` (sequential delays).
    name: &'static str,
    gain_in: f64,
    gain_out: f64,
    /// (delay in ms, decay) per echo.
    taps: Vec<(f64, f64)>,
}

impl ParseSpec for EchoSpec {
    /// Parses SoX's arguments for effect `name` (`echo` or `echos`).
    fn parse(name: &'static str, args: &[&str]) -> Result<Self> {
        let name = if name == "echos" { "echos" } else { "echo" };
        if args.len() < 4 || !args.len().is_multiple_of(2) || args.len() > PARAMS.len() {
            return Err(count_error(name, args.len(), SYNOPSIS));
        }
        let mut values = Vec::with_capacity(args.len());
        for (token, param) in args.iter().zip(PARAMS) {
            values.push(number(name, param, token)?);
        }
        Ok(EchoSpec {
            name,
            gain_in: values[0],
            gain_out: values[1],
            taps: values[2..].chunks(2).map(|p| (p[0], p[1])).collect(),
        })
    }
}

impl EchoSpec {
    /// Delay lengths in samples at `rate`, checked as SoX checks them.
    fn samples(&self, rate: u32) -> Result<Vec<usize>> {
        let mut out = Vec::with_capacity(self.taps.len());
        for (k, &(delay, _)) in self.taps.iter().enumerate() {
            // SoX: float delay * rate / 1000.0, truncated.
            let s = (as_float(delay) * f64::from(rate) / 1000.0).trunc();
            let arg = PARAMS[2 + 2 * k];
            if s < 1.0 {
                return Err(out_of_range(
                    self.name,
                    arg,
                    delay,
                    &format!(
                        "at least one sample ({:.6} ms at {rate} Hz)",
                        1000.0 / f64::from(rate)
                    ),
                ));
            }
            if s > MAX_DELAY_SAMPLES as f64 {
                return Err(out_of_range(
                    self.name,
                    arg,
                    delay,
                    &format!(
                        "at most {MAX_DELAY_SAMPLES} samples ({:.3} ms at {rate} Hz)",
                        MAX_DELAY_SAMPLES as f64 * 1000.0 / f64::from(rate)
                    ),
                ));
            }
            out.push(s as usize);
        }
        Ok(out)
    }
}

impl EffectSpec for EchoSpec {
    fn name(&self) -> &'static str {
        self.name
    }

    fn param_names(&self) -> &'static [&'static str] {
        let n = 2 + 2 * self.taps.len().min(MAX_DELAYS);
        &PARAMS[..n]
    }

    fn set(&mut self, param: &str, value: f64) {
        match indexed(param) {
            ("gain_in", _) => self.gain_in = value,
            ("gain_out", _) => self.gain_out = value,
            ("delay", k) => {
                if let Some(t) = self.taps.get_mut(k) {
                    t.0 = value;
                }
            }
            (_, k) => {
                if let Some(t) = self.taps.get_mut(k) {
                    t.1 = value;
                }
            }
        }
    }

    fn validate(&self) -> Result<()> {
        let name = self.name;
        check_range(name, "gain_in", self.gain_in, 0.0, 1.0, "0 to 1")?;
        check_range(
            name,
            "gain_out",
            self.gain_out,
            0.0,
            f64::MAX,
            "a finite number >= 0",
        )?;
        if self.taps.is_empty() || self.taps.len() > MAX_DELAYS {
            return Err(count_error(name, 2 + 2 * self.taps.len(), SYNOPSIS));
        }
        for (k, &(delay, decay)) in self.taps.iter().enumerate() {
            let (delay_arg, decay_arg) = (PARAMS[2 + 2 * k], PARAMS[3 + 2 * k]);
            if !(delay.is_finite() && delay > 0.0) {
                return Err(out_of_range(
                    name,
                    delay_arg,
                    delay,
                    "a delay > 0 ms (at least one sample, at most 2560000 samples)",
                ));
            }
            check_range(name, decay_arg, decay, 0.0, 1.0, "0 to 1")?;
        }
        Ok(())
    }

    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        let (sample_rate, num_channels) = (cx.sample_rate, cx.channels);
        self.validate()?;
        let samples = self.samples(sample_rate)?;
        let gain_in = as_float(self.gain_in);
        let gain_out = as_float(self.gain_out);
        let decays: Vec<f64> = self.taps.iter().map(|t| as_float(t.1)).collect();
        Ok(Some(if self.name == "echos" {
            Box::new(Echos::new(
                gain_in,
                gain_out,
                &samples,
                decays,
                num_channels,
            ))
        } else {
            Box::new(Echo::new(gain_in, gain_out, &samples, decays, num_channels))
        }))
    }

    /// The input and SoX's drained tail: the longest delay (`echo`) or all delays together
    /// (`echos`), in samples as [`samples`](Self::samples) computes them.
    fn output_frames(&self, sample_rate: u32, input_frames: u64) -> Option<u64> {
        let samples = self.samples(sample_rate).ok()?;
        let tail = if self.name == "echos" {
            samples.iter().map(|&s| s.max(1)).sum::<usize>()
        } else {
            samples.iter().copied().max().unwrap_or(1).max(1)
        };
        input_frames.checked_add(tail as u64)
    }
}

/// The running `echo`: one ring buffer per channel, as long as the longest delay; every
/// channel sees the same number of samples, so the write position is shared.
struct Echo {
    gain_in: f64,
    gain_out: f64,
    /// For each delay: how far behind the write position it reads (`max - samples`), and its
    /// decay.
    taps: Vec<(usize, f64)>,
    len: usize,
    buffers: Vec<Vec<f64>>,
    pos: usize,
    flushed: bool,
}

impl Echo {
    fn new(
        gain_in: f64,
        gain_out: f64,
        samples: &[usize],
        decays: Vec<f64>,
        channels: usize,
    ) -> Self {
        let len = samples.iter().copied().max().unwrap_or(1).max(1);
        Echo {
            gain_in,
            gain_out,
            taps: samples
                .iter()
                .map(|&s| len - s.min(len))
                .zip(decays)
                .collect(),
            len,
            buffers: vec![vec![0.0; len]; channels],
            pos: 0,
            flushed: false,
        }
    }

    /// Runs every channel through the delay lines; returns the new write position.
    fn run(&mut self, planar: &mut Channels) {
        let (len, start) = (self.len, self.pos);
        let mut end = start;
        for (ch, buf) in planar.iter_mut().zip(self.buffers.iter_mut()) {
            let mut pos = start;
            match self.taps.as_slice() {
                // One delay (the usual case): no inner loop.
                &[(back, decay)] => {
                    let mut read = if pos + back >= len {
                        pos + back - len
                    } else {
                        pos + back
                    };
                    for x in ch.iter_mut() {
                        let d_in = f64::from(*x);
                        let d_out = (d_in * self.gain_in + buf[read] * decay) * self.gain_out;
                        buf[pos] = d_in;
                        pos += 1;
                        if pos == len {
                            pos = 0;
                        }
                        read += 1;
                        if read == len {
                            read = 0;
                        }
                        *x = d_out.clamp(-1.0, 1.0) as f32;
                    }
                }
                taps => {
                    for x in ch.iter_mut() {
                        let d_in = f64::from(*x);
                        let mut d_out = d_in * self.gain_in;
                        for &(back, decay) in taps {
                            let r = pos + back;
                            d_out += buf[if r >= len { r - len } else { r }] * decay;
                        }
                        buf[pos] = d_in;
                        pos += 1;
                        if pos == len {
                            pos = 0;
                        }
                        *x = (d_out * self.gain_out).clamp(-1.0, 1.0) as f32;
                    }
                }
            }
            end = pos;
        }
        self.pos = end;
    }
}

impl Effect for Echo {
    fn process(&mut self, planar: &mut Channels) {
        self.run(planar);
    }

    fn flush(&mut self, planar: &mut Channels) -> Result<()> {
        if self.flushed {
            return Ok(());
        }
        self.flushed = true;
        // SoX drains as many samples as the longest delay, reading the lines with input 0.
        let frames = self.len;
        super::append_silence_tail(planar, frames, |tail| self.run(tail));
        Ok(())
    }
}

/// The running `echos`: one line per delay (each its own length, each with its own position,
/// shared by the channels), per channel.
struct Echos {
    gain_in: f64,
    gain_out: f64,
    decays: Vec<f64>,
    lens: Vec<usize>,
    /// `lines[channel][delay]`.
    lines: Vec<Vec<Vec<f64>>>,
    pos: Vec<usize>,
    tail: usize,
    flushed: bool,
}

impl Echos {
    fn new(
        gain_in: f64,
        gain_out: f64,
        samples: &[usize],
        decays: Vec<f64>,
        channels: usize,
    ) -> Self {
        let lens: Vec<usize> = samples.iter().map(|&s| s.max(1)).collect();
        Echos {
            gain_in,
            gain_out,
            decays,
            lines: vec![lens.iter().map(|&l| vec![0.0; l]).collect(); channels],
            pos: vec![0; lens.len()],
            tail: lens.iter().sum(),
            lens,
            flushed: false,
        }
    }

    fn run(&mut self, planar: &mut Channels) {
        let start = self.pos.clone();
        let mut pos = start.clone();
        for (ch, lines) in planar.iter_mut().zip(self.lines.iter_mut()) {
            pos.copy_from_slice(&start);
            for x in ch.iter_mut() {
                let d_in = f64::from(*x);
                let mut d_out = d_in * self.gain_in;
                for ((line, &p), &decay) in lines.iter().zip(&pos).zip(&self.decays) {
                    d_out += line[p] * decay;
                }
                // Line k gets what line k - 1 has just been given, plus the input.
                let mut carried = 0.0;
                for (line, &p) in lines.iter_mut().zip(&pos) {
                    carried += d_in;
                    line[p] = carried;
                }
                for (p, &len) in pos.iter_mut().zip(&self.lens) {
                    *p += 1;
                    if *p == len {
                        *p = 0;
                    }
                }
                *x = (d_out * self.gain_out).clamp(-1.0, 1.0) as f32;
            }
        }
        if !planar.is_empty() {
            self.pos = pos;
        }
    }
}

impl Effect for Echos {
    fn process(&mut self, planar: &mut Channels) {
        self.run(planar);
    }

    fn flush(&mut self, planar: &mut Channels) -> Result<()> {
        if self.flushed {
            return Ok(());
        }
        self.flushed = true;
        // SoX drains as many samples as all delays together.
        let frames = self.tail;
        super::append_silence_tail(planar, frames, |tail| self.run(tail));
        Ok(())
    }
}

const ECHO_ARGS: &[ArgInfo] = &[
    ArgInfo {
        name: "gain_in",
        default: "required",
        range: "0 to 1",
    },
    ArgInfo {
        name: "gain_out",
        default: "required",
        range: ">= 0",
    },
    ArgInfo {
        name: "delay",
        default: "required",
        range: "ms > 0 (at least one sample); more pairs: delay_2 ... delay_7",
    },
    ArgInfo {
        name: "decay",
        default: "required",
        range: "0 to 1; more pairs: decay_2 ... decay_7",
    },
];

/// `audiostream effects` entry for `echo`.
const INFO_ECHO: EffectInfo = EffectInfo {
    name: "echo",
    usage: "echo gain-in gain-out delay decay [delay decay ...]",
    description: "Echoes: the input plus up to 7 delayed copies (ms), each scaled by its decay; \
                  adds a tail as long as the longest delay.",
    arguments: ECHO_ARGS,
};

/// `audiostream effects` entry for `echos`.
const INFO_ECHOS: EffectInfo = EffectInfo {
    name: "echos",
    usage: "echos gain-in gain-out delay decay [delay decay ...]",
    description: "Sequential echoes: up to 7 chained delay lines (ms), each scaled by its decay; \
                  adds a tail as long as all delays together.",
    arguments: ECHO_ARGS,
};

// The tests build the effect with the pipeline's resampler (rubato: feature `decode`).
#[cfg(all(test, feature = "decode"))]
mod tests {
    use super::*;

    #[test]
    fn echos_lines_hold_multiples_of_the_input() {
        // SoX 14.4.2: echos 1 1 10 0.5 20 0.25 on a 0.5 impulse at 1 kHz gives 0.5 at 0,
        // 0.25 at 10 and 0.25 (2 * 0.5 * 0.25) at 20; 30 samples of tail.
        let spec = EchoSpec::parse("echos", &["1", "1", "10", "0.5", "20", "0.25"]).unwrap();
        let mut cx = BuildContext {
            sample_rate: 1000,
            channels: 1,
            resample: &crate::pipeline::resampler_factory,
            headroom: None,
        };
        let mut fx = spec.build(&mut cx).unwrap().unwrap();
        let mut x = vec![vec![0.0f32; 100]];
        x[0][0] = 0.5;
        fx.process(&mut x);
        fx.flush(&mut x).unwrap();
        assert_eq!(x[0].len(), 130);
        let nonzero: Vec<(usize, f32)> = x[0]
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0.0)
            .map(|(i, v)| (i, *v))
            .collect();
        assert_eq!(nonzero, vec![(0, 0.5), (10, 0.25), (20, 0.25)]);
    }
}
