//! The biquad filters of SoX's `biquads.c` (RBJ Audio-EQ cookbook): `lowpass`, `highpass`
//! (one or two poles), `bandpass` (`-c`: constant skirt gain), `bandreject`, `allpass`,
//! `equalizer`, `bass` and `treble`: their arguments (frequencies with a `k` suffix, widths
//! with a unit suffix), coefficients and filter.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let fx: AudioEffector = "lowpass 1000 bass 3".parse()?;
//! let out = fx.apply(Array2::<f32>::zeros((2, 100)).view(), 16000)?;
//! assert_eq!(out.dim(), (2, 100));
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::args::{arg_count, frequency, number};
use super::catalog::arg;
use super::registry::{ParseSpec, Registration};
use super::{ArgInfo, BuildContext, Channels, Effect, EffectInfo, EffectSpec};
use crate::{Error, Result};
use std::f64::consts::PI;

pub(crate) const EFFECTS: &[Registration] = &[
    Registration::of::<BiquadSpec>(EffectInfo {
        name: "allpass",
        usage: "allpass frequency width[h|k|q|o]",
        description: "Two-pole all-pass filter: phase shift around frequency, flat amplitude.",
        arguments: FREQUENCY_WIDTH,
    }),
    Registration::of::<BiquadSpec>(EffectInfo {
        name: "bandpass",
        usage: "bandpass [-c] frequency width[h|k|q|o]",
        description: "Two-pole band-pass filter; -c: constant skirt gain (peak gain = Q).",
        arguments: FREQUENCY_WIDTH,
    }),
    Registration::of::<BiquadSpec>(EffectInfo {
        name: "bandreject",
        usage: "bandreject frequency width[h|k|q|o]",
        description: "Two-pole band-reject (notch) filter.",
        arguments: FREQUENCY_WIDTH,
    }),
    Registration::of::<BiquadSpec>(EffectInfo {
        name: "bass",
        usage: "bass gain [frequency(100) [width(0.5s)[s|h|k|q|o]]]",
        description: "Low-shelf filter: boost or cut the bass.",
        arguments: &[
            arg("gain", "required", "dB"),
            arg("frequency", "100", FREQ),
            arg("width", "0.5s", SHELF_WIDTH),
        ],
    }),
    Registration::of::<BiquadSpec>(EffectInfo {
        name: "equalizer",
        usage: "equalizer frequency width[q|o|h|k] gain",
        description: "Two-pole peaking equalizer: boost or cut around frequency.",
        arguments: &[
            arg("frequency", "required", FREQ),
            arg("width", "required", WIDTH),
            arg("gain", "required", "dB"),
        ],
    }),
    Registration::of::<BiquadSpec>(EffectInfo {
        name: "highpass",
        usage: "highpass [-1|-2] frequency [width(0.707q)[q|o|h|k]]",
        description: "High-pass filter: one pole (-1) or two poles (-2, default).",
        arguments: FREQUENCY_DEFAULT_WIDTH,
    }),
    Registration::of::<BiquadSpec>(EffectInfo {
        name: "lowpass",
        usage: "lowpass [-1|-2] frequency [width(0.707q)[q|o|h|k]]",
        description: "Low-pass filter: one pole (-1) or two poles (-2, default).",
        arguments: FREQUENCY_DEFAULT_WIDTH,
    }),
    Registration::of::<BiquadSpec>(EffectInfo {
        name: "treble",
        usage: "treble gain [frequency(3000) [width(0.5s)[s|h|k|q|o]]]",
        description: "High-shelf filter: boost or cut the treble.",
        arguments: &[
            arg("gain", "required", "dB"),
            arg("frequency", "3000", FREQ),
            arg("width", "0.5s", SHELF_WIDTH),
        ],
    }),
];

const WIDTH: &str = "> 0, unit suffix q (Q), o (octaves), h (Hz), k (kHz)";
const SHELF_WIDTH: &str = "slope 0 < s <= 1, or a width with unit q, o, h, k";
const FREQ: &str = "Hz > 0, at most half the sample rate; k suffix for kHz";
const FREQUENCY_WIDTH: &[ArgInfo] = &[
    arg("frequency", "required", FREQ),
    arg("width", "required", WIDTH),
];
const FREQUENCY_DEFAULT_WIDTH: &[ArgInfo] = &[
    arg("frequency", "required", FREQ),
    arg("width", "0.707q", WIDTH),
];

/// Which cookbook filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FilterKind {
    Lowpass1,
    Highpass1,
    Lowpass,
    Highpass,
    Bandpass,
    BandpassSkirt,
    Bandreject,
    Allpass,
    Equalizer,
    LowShelf,
    HighShelf,
}

/// The unit of a width (`h` Hz, `k` kHz, `o` octaves, `q` Q factor, `s` shelf slope).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WidthType {
    Hz,
    Octaves,
    Q,
    Slope,
}

/// A filter as parsed, before the sample rate is known.
#[derive(Clone, Debug, PartialEq)]
struct BiquadSpec {
    effect: &'static str,
    kind: FilterKind,
    frequency: f64,
    width: f64,
    width_type: WidthType,
    gain: f64,
}

impl ParseSpec for BiquadSpec {
    /// SoX's arguments of the filter `name`.
    fn parse(name: &'static str, args: &[&str]) -> Result<Self> {
        let spec = |kind, frequency, (width, width_type), gain| BiquadSpec {
            effect: name,
            kind,
            frequency,
            width,
            width_type,
            gain,
        };
        let first = || args.first().copied().unwrap_or("");
        Ok(match name {
            "lowpass" | "highpass" => {
                let low = name == "lowpass";
                let (poles, rest) = match args.first() {
                    Some(&"-1") => (1, args.get(1..).unwrap_or_default()),
                    Some(&"-2") => (2, args.get(1..).unwrap_or_default()),
                    _ => (2, args),
                };
                let f = || frequency(name, rest.first().copied().unwrap_or(""));
                if poles == 1 {
                    arg_count(name, rest.len(), 1, 1, "-1 frequency")?;
                    let kind = if low {
                        FilterKind::Lowpass1
                    } else {
                        FilterKind::Highpass1
                    };
                    spec(kind, f()?, (0.0, WidthType::Q), 0.0)
                } else {
                    arg_count(name, rest.len(), 1, 2, "[-2] frequency [width[q|o|h|k]]")?;
                    let width = match rest.get(1) {
                        Some(w) => self::width(name, w, "qohk")?,
                        None => (0.5f64.sqrt(), WidthType::Q),
                    };
                    let kind = if low {
                        FilterKind::Lowpass
                    } else {
                        FilterKind::Highpass
                    };
                    spec(kind, f()?, width, 0.0)
                }
            }
            "bandpass" | "bandreject" | "allpass" => {
                let (kind, rest) = match (name, args.first()) {
                    ("bandpass", Some(&"-c")) => {
                        (FilterKind::BandpassSkirt, args.get(1..).unwrap_or_default())
                    }
                    ("bandpass", _) => (FilterKind::Bandpass, args),
                    ("bandreject", _) => (FilterKind::Bandreject, args),
                    _ => (FilterKind::Allpass, args),
                };
                arg_count(name, rest.len(), 2, 2, "frequency width[h|k|q|o]")?;
                let width = self::width(name, rest.get(1).copied().unwrap_or(""), "hkqo")?;
                let f = frequency(name, rest.first().copied().unwrap_or(""))?;
                spec(kind, f, width, 0.0)
            }
            "equalizer" => {
                arg_count(name, args.len(), 3, 3, "frequency width[q|o|h|k] gain")?;
                let width = self::width(name, args.get(1).copied().unwrap_or(""), "qohk")?;
                let f = frequency(name, first())?;
                let gain = number(name, "gain", args.get(2).copied().unwrap_or(""))?;
                spec(FilterKind::Equalizer, f, width, gain)
            }
            _ => {
                // bass, treble
                let bass = name == "bass";
                arg_count(
                    name,
                    args.len(),
                    1,
                    3,
                    "gain [frequency [width[s|h|k|q|o]]]",
                )?;
                let width = match args.get(2) {
                    Some(w) => self::width(name, w, "shkqo")?,
                    None => (0.5, WidthType::Slope),
                };
                let kind = if bass {
                    FilterKind::LowShelf
                } else {
                    FilterKind::HighShelf
                };
                let f = match args.get(1) {
                    Some(f) => frequency(name, f)?,
                    None if bass => 100.0,
                    None => 3000.0,
                };
                spec(kind, f, width, number(name, "gain", first())?)
            }
        })
    }
}

/// Parses a width with an optional unit suffix among `allowed` (its first is the default).
fn width(effect: &str, token: &str, allowed: &str) -> Result<(f64, WidthType)> {
    let last = token.chars().last().filter(|c| c.is_ascii_alphabetic());
    let (body, unit) = match last {
        Some(c) => (&token[..token.len() - 1], c),
        None => (token, allowed.chars().next().unwrap_or('q')),
    };
    if !allowed.contains(unit) {
        return Err(Error::invalid_argument(
            &format!("{effect} width"),
            token,
            format!(
                "a number with an optional unit suffix among {}",
                allowed
                    .chars()
                    .map(String::from)
                    .collect::<Vec<_>>()
                    .join("|")
            ),
        ));
    }
    let v = number(effect, "width", body)?;
    Ok(match unit {
        'h' => (v, WidthType::Hz),
        'k' => (v * 1000.0, WidthType::Hz),
        'o' => (v, WidthType::Octaves),
        's' => (v, WidthType::Slope),
        _ => (v, WidthType::Q),
    })
}

impl EffectSpec for BiquadSpec {
    fn name(&self) -> &'static str {
        self.effect
    }

    fn param_names(&self) -> &'static [&'static str] {
        match self.kind {
            FilterKind::Equalizer | FilterKind::LowShelf | FilterKind::HighShelf => {
                &["frequency", "width", "gain"]
            }
            FilterKind::Lowpass1 | FilterKind::Highpass1 => &["frequency"],
            _ => &["frequency", "width"],
        }
    }

    fn set(&mut self, param: &str, value: f64) {
        match param {
            "frequency" => self.frequency = value,
            "width" => self.width = value,
            _ => self.gain = value,
        }
    }

    fn validate(&self) -> Result<()> {
        let name = self.effect;
        if !(self.frequency.is_finite() && self.frequency > 0.0) {
            return Err(Error::invalid_argument(
                &format!("{name} frequency"),
                self.frequency,
                "a frequency > 0 Hz (and at most half the sample rate)",
            ));
        }
        let slope = self.width_type == WidthType::Slope;
        let max_width = if slope { 1.0 } else { f64::INFINITY };
        let one_pole = matches!(self.kind, FilterKind::Lowpass1 | FilterKind::Highpass1);
        let width_ok = self.width.is_finite() && self.width > 0.0 && self.width <= max_width;
        if !one_pole && !width_ok {
            let allowed = if slope {
                "0 < slope <= 1"
            } else {
                "a width > 0"
            };
            return Err(Error::invalid_argument(
                &format!("{name} width"),
                self.width,
                allowed,
            ));
        }
        if !self.gain.is_finite() {
            return Err(Error::invalid_argument(
                &format!("{name} gain"),
                self.gain,
                "a finite number",
            ));
        }
        Ok(())
    }

    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        Ok(self
            .coefficients(cx.sample_rate)?
            .map(|c| Box::new(Biquad::new(c, cx.channels)) as Box<dyn Effect>))
    }

    fn output_frames(&self, _sample_rate: u32, input_frames: u64) -> Option<u64> {
        Some(input_frames)
    }
}

impl BiquadSpec {
    /// Normalized coefficients `[b0, b1, b2, a1, a2]`, or `None` when SoX treats the filter
    /// as a no-op (a shelf or peak with 0 dB gain).
    fn coefficients(&self, sample_rate: u32) -> Result<Option<[f64; 5]>> {
        let rate = f64::from(sample_rate);
        let w0 = 2.0 * PI * self.frequency / rate;
        if w0 > PI {
            return Err(Error::invalid_argument(
                &format!("{} frequency", self.effect),
                self.frequency,
                format!("0 < frequency <= {} Hz (half the sample rate)", rate / 2.0),
            ));
        }
        let a = (self.gain / 40.0 * 10f64.ln()).exp();
        let (sin, cos) = (w0.sin(), w0.cos());
        let width = self.width;
        let alpha = if width > 0.0 {
            match self.width_type {
                WidthType::Slope => sin / 2.0 * ((a + 1.0 / a) * (1.0 / width - 1.0) + 2.0).sqrt(),
                WidthType::Q => sin / (2.0 * width),
                WidthType::Octaves => sin * ((2f64.ln() / 2.0) * width * w0 / sin).sinh(),
                WidthType::Hz => sin / (2.0 * self.frequency / width),
            }
        } else {
            0.0
        };
        let sqa = a.sqrt();
        let (b0, b1, b2, a0, a1, a2) = match self.kind {
            FilterKind::Lowpass1 => {
                let a1 = -(-w0).exp();
                (1.0 + a1, 0.0, 0.0, 1.0, a1, 0.0)
            }
            FilterKind::Highpass1 => {
                let a1 = -(-w0).exp();
                let b0 = (1.0 - a1) / 2.0;
                (b0, -b0, 0.0, 1.0, a1, 0.0)
            }
            FilterKind::Lowpass => (
                (1.0 - cos) / 2.0,
                1.0 - cos,
                (1.0 - cos) / 2.0,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ),
            FilterKind::Highpass => (
                (1.0 + cos) / 2.0,
                -(1.0 + cos),
                (1.0 + cos) / 2.0,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ),
            FilterKind::BandpassSkirt => (
                sin / 2.0,
                0.0,
                -sin / 2.0,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ),
            FilterKind::Bandpass => (alpha, 0.0, -alpha, 1.0 + alpha, -2.0 * cos, 1.0 - alpha),
            FilterKind::Bandreject => (1.0, -2.0 * cos, 1.0, 1.0 + alpha, -2.0 * cos, 1.0 - alpha),
            FilterKind::Allpass => (
                1.0 - alpha,
                -2.0 * cos,
                1.0 + alpha,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ),
            FilterKind::Equalizer => {
                if a == 1.0 {
                    return Ok(None);
                }
                (
                    1.0 + alpha * a,
                    -2.0 * cos,
                    1.0 - alpha * a,
                    1.0 + alpha / a,
                    -2.0 * cos,
                    1.0 - alpha / a,
                )
            }
            FilterKind::LowShelf => {
                if a == 1.0 {
                    return Ok(None);
                }
                (
                    a * ((a + 1.0) - (a - 1.0) * cos + 2.0 * sqa * alpha),
                    2.0 * a * ((a - 1.0) - (a + 1.0) * cos),
                    a * ((a + 1.0) - (a - 1.0) * cos - 2.0 * sqa * alpha),
                    (a + 1.0) + (a - 1.0) * cos + 2.0 * sqa * alpha,
                    -2.0 * ((a - 1.0) + (a + 1.0) * cos),
                    (a + 1.0) + (a - 1.0) * cos - 2.0 * sqa * alpha,
                )
            }
            FilterKind::HighShelf => {
                if a == 1.0 {
                    return Ok(None);
                }
                (
                    a * ((a + 1.0) + (a - 1.0) * cos + 2.0 * sqa * alpha),
                    -2.0 * a * ((a - 1.0) + (a + 1.0) * cos),
                    a * ((a + 1.0) + (a - 1.0) * cos - 2.0 * sqa * alpha),
                    (a + 1.0) - (a - 1.0) * cos + 2.0 * sqa * alpha,
                    2.0 * ((a - 1.0) - (a + 1.0) * cos),
                    (a + 1.0) - (a - 1.0) * cos - 2.0 * sqa * alpha,
                )
            }
        };
        Ok(Some([b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0]))
    }
}

/// Direct form I, one state per channel, as SoX's `lsx_biquad_flow` (state in double,
/// output clipped to `[-1, 1]`).
struct Biquad {
    c: [f64; 5],
    /// Per channel `[i1, i2, o1, o2]`.
    state: Vec<[f64; 4]>,
}

impl Biquad {
    fn new(c: [f64; 5], num_channels: usize) -> Self {
        Biquad {
            c,
            state: vec![[0.0; 4]; num_channels],
        }
    }
}

impl Effect for Biquad {
    fn process(&mut self, channels: &mut Channels) {
        let c = self.c;
        // Stereo: both channels in one loop, so the CPU overlaps their two recurrences (each
        // alone is bound by the latency of its multiply-add chain).
        if let ([left, right], [sl, sr]) = (channels.as_mut_slice(), self.state.as_mut_slice()) {
            if left.len() == right.len() {
                let (mut l, mut r) = (*sl, *sr);
                for (xl, xr) in left.iter_mut().zip(right.iter_mut()) {
                    *xl = step(&c, &mut l, *xl);
                    *xr = step(&c, &mut r, *xr);
                }
                (*sl, *sr) = (l, r);
                return;
            }
        }
        for (ch, s) in channels.iter_mut().zip(self.state.iter_mut()) {
            let mut st = *s;
            for x in ch.iter_mut() {
                *x = step(&c, &mut st, *x);
            }
            *s = st;
        }
    }
}

/// One sample through the direct-form-I biquad (state: last two inputs, last two outputs),
/// clipped like SoX's output.
#[inline(always)]
fn step(c: &[f64; 5], s: &mut [f64; 4], x: f32) -> f32 {
    let [b0, b1, b2, a1, a2] = *c;
    let [i1, i2, o1, o2] = *s;
    let i0 = f64::from(x);
    let o0 = i0 * b0 + i1 * b1 + i2 * b2 - o1 * a1 - o2 * a2;
    *s = [i0, i1, o0, o1];
    o0.clamp(-1.0, 1.0) as f32
}
