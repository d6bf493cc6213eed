//! SoX `chorus` (`chorus.c`): the input plus up to seven delayed copies whose delays sweep
//! with a sine (`-s`) or triangle (`-t`) LFO, each scaled by its decay, all scaled by
//! gain-out. The output is longer than the input by the longest delay + depth (SoX's drained
//! tail).
//!
//! `chorus gain-in gain-out delay decay speed depth -s|-t [delay decay speed depth -s|-t ...]`
//! with delay 20–100 ms, decay 0–1, speed 0.1–5 Hz and depth 0–10 ms. We compute what SoX
//! 14.4.2 computes, in `float` as it does, with its integer delay tables: with `-t` the delay
//! sweeps between delay − depth and delay + depth; with `-s` SoX's table sweeps the delay
//! between 0 and depth (a quirk of SoX's `chorus.c` we keep, so the output matches SoX).
//! The `-s|-t` flag may be left out (sine), so that the numeric [`AudioEffector::new`] form
//! works; `param("triangle", 1.0)` selects the triangle.
//!
//! Each channel has its own delay line (SoX runs one instance per channel); the LFOs of all
//! channels run in step.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let fx: AudioEffector = "chorus 0.7 0.9 55 0.4 0.25 2 -t".parse()?;
//! let out = fx.apply(Array2::<f32>::zeros((2, 1000)).view(), 44100)?;
//! assert_eq!(out.ncols(), 1000 + 2513); // (55 + 2) ms of tail at 44.1 kHz
//! # Ok::<(), audiostream::Error>(())
//! ```
//!
//! [`AudioEffector::new`]: crate::AudioEffector::new

use super::lfo::{
    as_float, check_range, count_error, indexed, number, starts_numeric, wave_table_int, Wave,
};
use super::{ArgInfo, Effect, EffectInfo, EffectSpec, Planar, ResamplerFactory};
use crate::{Error, Result};
use std::f64::consts::PI;

/// SoX's limit on the number of delays (`MAX_CHORUS`).
const MAX_VOICES: usize = 7;

const SYNOPSIS: &str =
    "gain-in gain-out delay decay speed depth [-s|-t] [delay decay speed depth [-s|-t] ...] \
     (1 to 7 delays)";

/// `param` names: gain_in, gain_out, then five per delay.
const PARAMS: [&str; 2 + 5 * MAX_VOICES] = [
    "gain_in",
    "gain_out",
    "delay",
    "decay",
    "speed",
    "depth",
    "triangle",
    "delay_2",
    "decay_2",
    "speed_2",
    "depth_2",
    "triangle_2",
    "delay_3",
    "decay_3",
    "speed_3",
    "depth_3",
    "triangle_3",
    "delay_4",
    "decay_4",
    "speed_4",
    "depth_4",
    "triangle_4",
    "delay_5",
    "decay_5",
    "speed_5",
    "depth_5",
    "triangle_5",
    "delay_6",
    "decay_6",
    "speed_6",
    "depth_6",
    "triangle_6",
    "delay_7",
    "decay_7",
    "speed_7",
    "depth_7",
    "triangle_7",
];

/// One modulated delay.
#[derive(Clone, Debug, PartialEq)]
struct Voice {
    delay: f64,
    decay: f64,
    speed: f64,
    depth: f64,
    triangle: bool,
}

/// Parsed arguments of `chorus`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ChorusSpec {
    gain_in: f64,
    gain_out: f64,
    voices: Vec<Voice>,
}

impl ChorusSpec {
    /// Parses SoX's arguments for `chorus`.
    pub(crate) fn parse(_name: &str, args: &[&str]) -> Result<Self> {
        let name = "chorus";
        let (gains, mut rest) = match args {
            [a, b, rest @ ..] if rest.len() >= 4 => ([*a, *b], rest),
            _ => return Err(count_error(name, args.len(), SYNOPSIS)),
        };
        let gain_in = number(name, "gain_in", gains[0])?;
        let gain_out = number(name, "gain_out", gains[1])?;
        let mut voices = Vec::new();
        while !rest.is_empty() {
            if voices.len() == MAX_VOICES {
                return Err(count_error(name, args.len(), SYNOPSIS));
            }
            let k = voices.len();
            let [delay, decay, speed, depth] = match rest {
                [a, b, c, d, ..] => [*a, *b, *c, *d],
                _ => return Err(count_error(name, args.len(), SYNOPSIS)),
            };
            let base = 2 + 5 * k;
            let mut voice = Voice {
                delay: number(name, PARAMS[base], delay)?,
                decay: number(name, PARAMS[base + 1], decay)?,
                speed: number(name, PARAMS[base + 2], speed)?,
                depth: number(name, PARAMS[base + 3], depth)?,
                triangle: false,
            };
            rest = &rest[4..];
            // The modulation flag; without one (the numeric form), the next delay follows.
            if let Some(&flag) = rest.first() {
                if !starts_numeric(flag) {
                    voice.triangle = match flag {
                        "-s" => false,
                        "-t" => true,
                        _ => {
                            return Err(Error::invalid_argument(
                                &format!("{name} modulation"),
                                flag,
                                "-s (sine) or -t (triangle)",
                            ))
                        }
                    };
                    rest = &rest[1..];
                }
            }
            voices.push(voice);
        }
        Ok(ChorusSpec {
            gain_in,
            gain_out,
            voices,
        })
    }
}

impl EffectSpec for ChorusSpec {
    fn name(&self) -> &'static str {
        "chorus"
    }

    fn param_names(&self) -> &'static [&'static str] {
        &PARAMS[..2 + 5 * self.voices.len().min(MAX_VOICES)]
    }

    fn set(&mut self, param: &str, value: f64) {
        let (base, k) = indexed(param);
        match (base, self.voices.get_mut(k)) {
            ("gain_in", _) => self.gain_in = value,
            ("gain_out", _) => self.gain_out = value,
            ("delay", Some(v)) => v.delay = value,
            ("decay", Some(v)) => v.decay = value,
            ("speed", Some(v)) => v.speed = value,
            ("depth", Some(v)) => v.depth = value,
            (_, Some(v)) => v.triangle = value != 0.0,
            _ => {}
        }
    }

    fn validate(&self) -> Result<()> {
        check_range("chorus", "gain_in", self.gain_in, 0.0, 1.0, "0 to 1")?;
        check_range(
            "chorus",
            "gain_out",
            self.gain_out,
            0.0,
            f64::MAX,
            "a finite number >= 0",
        )?;
        if self.voices.is_empty() || self.voices.len() > MAX_VOICES {
            return Err(count_error("chorus", 2 + 5 * self.voices.len(), SYNOPSIS));
        }
        for (k, v) in self.voices.iter().enumerate() {
            let base = 2 + 5 * k;
            check_range("chorus", PARAMS[base], v.delay, 20.0, 100.0, "20 to 100 ms")?;
            check_range("chorus", PARAMS[base + 1], v.decay, 0.0, 1.0, "0 to 1")?;
            check_range("chorus", PARAMS[base + 2], v.speed, 0.1, 5.0, "0.1 to 5 Hz")?;
            check_range("chorus", PARAMS[base + 3], v.depth, 0.0, 10.0, "0 to 10 ms")?;
        }
        Ok(())
    }

    fn build(
        &self,
        sample_rate: u32,
        num_channels: usize,
        _resample: &ResamplerFactory,
    ) -> Result<Option<Box<dyn Effect>>> {
        self.validate()?;
        let rate = f64::from(sample_rate);
        let mut lines = Vec::with_capacity(self.voices.len());
        for (k, v) in self.voices.iter().enumerate() {
            // As SoX: float arguments, the sum of delay and depth in float, truncations.
            let (delay, depth) = (v.delay as f32, v.depth as f32);
            let samples = (f64::from(delay + depth) * rate / 1000.0) as i64;
            let depth_samples = (f64::from(depth) * rate / 1000.0) as i64;
            let length = (rate / as_float(v.speed)) as usize;
            if samples < 1 || length < 1 {
                return Err(Error::invalid_argument(
                    &format!("chorus {}", PARAMS[2 + 5 * k]),
                    v.delay,
                    format!(
                        "20 to 100 ms at a sample rate that holds a delay line \
                         ({sample_rate} Hz is too low)"
                    ),
                ));
            }
            let table = if v.triangle {
                wave_table_int(
                    Wave::Triangle,
                    length,
                    (samples - 1 - 2 * depth_samples) as f64,
                    (samples - 1) as f64,
                    3.0 * PI / 2.0,
                )
            } else {
                wave_table_int(Wave::Sine, length, 0.0, depth_samples as f64, 0.0)
            };
            lines.push((samples, table, as_float(v.decay) as f32));
        }
        let len = lines.iter().map(|l| l.0).max().unwrap_or(1) as usize;
        let voices = lines
            .into_iter()
            .map(|(_, table, decay)| VoiceState {
                // SoX reads at (len + counter - table) % len: store how far ahead of the
                // write position each entry reads.
                ahead: table
                    .iter()
                    .map(|&t| (len as i64 - t).rem_euclid(len as i64) as u32)
                    .collect(),
                decay,
                phase: 0,
            })
            .collect();
        Ok(Some(Box::new(Chorus {
            gain_in: as_float(self.gain_in) as f32,
            gain_out: as_float(self.gain_out) as f32,
            voices,
            len,
            buffers: vec![vec![0.0; len]; num_channels],
            pos: 0,
            flushed: false,
        })))
    }
}

/// One voice's LFO: where each table entry reads, and the position in the table.
struct VoiceState {
    ahead: Vec<u32>,
    decay: f32,
    phase: usize,
}

/// The running `chorus`: `float` delay lines (one per channel), LFO positions shared by the
/// channels (every channel sees the same number of samples).
struct Chorus {
    gain_in: f32,
    gain_out: f32,
    voices: Vec<VoiceState>,
    len: usize,
    buffers: Vec<Vec<f32>>,
    pos: usize,
    flushed: bool,
}

impl Chorus {
    fn run(&mut self, planar: &mut Planar) {
        let len = self.len;
        let start_pos = self.pos;
        let start_phases: Vec<usize> = self.voices.iter().map(|v| v.phase).collect();
        let mut phases = start_phases.clone();
        let mut pos = start_pos;
        for (ch, buf) in planar.iter_mut().zip(self.buffers.iter_mut()) {
            pos = start_pos;
            phases.copy_from_slice(&start_phases);
            match self.voices.as_slice() {
                // One voice (the usual case): no inner loop.
                [v] => {
                    let (ahead, decay) = (v.ahead.as_slice(), v.decay);
                    let mut phase = phases[0];
                    for x in ch.iter_mut() {
                        let d_in = *x;
                        let r = pos + ahead.get(phase).map_or(0, |&a| a as usize);
                        let delayed = buf[if r >= len { r - len } else { r }];
                        let d_out = (d_in * self.gain_in + delayed * decay) * self.gain_out;
                        buf[pos] = d_in;
                        pos += 1;
                        if pos == len {
                            pos = 0;
                        }
                        phase += 1;
                        if phase == ahead.len() {
                            phase = 0;
                        }
                        *x = d_out.clamp(-1.0, 1.0);
                    }
                    phases[0] = phase;
                }
                voices => {
                    for x in ch.iter_mut() {
                        let d_in = *x;
                        let mut d_out = d_in * self.gain_in;
                        for (v, phase) in voices.iter().zip(phases.iter_mut()) {
                            let r = pos + v.ahead.get(*phase).map_or(0, |&a| a as usize);
                            d_out += buf[if r >= len { r - len } else { r }] * v.decay;
                            *phase += 1;
                            if *phase == v.ahead.len() {
                                *phase = 0;
                            }
                        }
                        buf[pos] = d_in;
                        pos += 1;
                        if pos == len {
                            pos = 0;
                        }
                        *x = (d_out * self.gain_out).clamp(-1.0, 1.0);
                    }
                }
            }
        }
        if !planar.is_empty() {
            self.pos = pos;
            for (v, p) in self.voices.iter_mut().zip(phases) {
                v.phase = p;
            }
        }
    }
}

impl Effect for Chorus {
    fn process(&mut self, planar: &mut Planar) {
        self.run(planar);
    }

    fn flush(&mut self, planar: &mut Planar) -> Result<()> {
        if self.flushed {
            return Ok(());
        }
        self.flushed = true;
        // SoX drains as many samples as the longest delay line, with input 0.
        let frames = self.len;
        super::append_silence_tail(planar, frames, |tail| self.run(tail));
        Ok(())
    }
}

/// `audiostream effects` entry for `chorus`.
pub(crate) const INFO_CHORUS: EffectInfo = EffectInfo {
    name: "chorus",
    usage:
        "chorus gain-in gain-out delay decay speed depth -s|-t [delay decay speed depth -s|-t ...]",
    description: "Chorus: up to 7 delayed copies whose delays sweep with a sine (-s) or \
                  triangle (-t) LFO; adds a tail as long as the longest delay + depth.",
    arguments: &[
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
            range: "20 to 100 ms; more delays: delay_2 ... delay_7 (likewise the others)",
        },
        ArgInfo {
            name: "decay",
            default: "required",
            range: "0 to 1",
        },
        ArgInfo {
            name: "speed",
            default: "required",
            range: "0.1 to 5 Hz",
        },
        ArgInfo {
            name: "depth",
            default: "required",
            range: "0 to 10 ms",
        },
        ArgInfo {
            name: "triangle",
            default: "0 (-s)",
            range: "-s (0: sine) or -t (1: triangle); may be left out (sine)",
        },
    ],
};
