//! SoX-compatible audio effects: [`AudioEffector`] (a chain of effects, torchaudio's
//! `AudioEffector`), the effects' arguments and running instances. The chain runs as a stage
//! of the [`pipeline`](crate::pipeline) ([`EffectStream`](crate::EffectStream), fed chunk by
//! chunk; [`AudioEffector::apply`] on a whole signal). Nothing here names the pipeline or
//! `dsp`: `speed` and `pitch` get their resampler from the pipeline
//! ([`ResamplerFactory`]).
//!
//! Effect names and positional arguments follow SoX (`sox.1`, `src/*.c`); results match
//! `sox -D` with float output to better than 60 dB SNR. Like SoX, every effect clips its
//! output to `[-1, 1]`.
//!
//! The effects (`audiostream effects` prints each with its arguments, defaults and ranges;
//! [`list`] returns the same): `allpass`, `bandpass`, `bandreject`, `bass`, `chorus`, `echo`,
//! `echos`, `equalizer`, `fade`, `flanger`, `gain` (every form: `-n -e -B -b -r -h -l`),
//! `highpass`, `lowpass`, `norm`, `overdrive`, `pad`, `phaser`, `pitch`, `reverb`, `reverse`,
//! `speed`, `tempo`, `treble`, `tremolo`, `vol`. Frequencies take a `k` suffix (`1.5k`). Other
//! SoX effects (compand, silence, ...) are [`Error::Unsupported`], naming these.
//!
//! Lengths are SoX's: `echo`, `echos` and `chorus` add their tails at the end; `reverb` keeps
//! its input's length, as SoX's does (put `pad 0 3` before it to hear the tail); `speed`,
//! `tempo` change the length by their factor.
//!
//! Streams hold audio back where SoX needs to see ahead: `reverse` and the scanning forms of
//! `gain` (`-n`, `-e`, `-B`, `-b`, `-r`) return everything at `flush`, and `fade` with
//! stop-position `0` (end of audio) holds back the last fade-out-length frames until `flush`.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let fx: AudioEffector = "gain -3 overdrive 10 20 lowpass 4k".parse()?;
//! let x = Array2::<f32>::zeros((2, 4800));
//! let whole = fx.apply(x.view(), 48000)?;
//! let mut stream = fx.stream(48000, 2)?;
//! let mut n = stream.process(x.view())?.ncols();
//! n += stream.flush()?.ncols();
//! assert_eq!(n, whole.ncols());
//! # Ok::<(), audiostream::Error>(())
//! ```

mod basic;
mod biquad;
mod catalog;
mod chorus;
mod echo;
mod fade;
mod flanger;
mod gain;
mod lfo;
mod pad;
mod phaser;
mod reverb;
mod speed;
mod tempo;
mod tremolo;

pub use catalog::{list, ArgInfo, EffectInfo};

use crate::{Error, Result};
use basic::{Overdrive, Reverse, Scale};
use biquad::{Biquad, BiquadSpec, FilterKind, WidthType};
use fade::{Fade, Time};
#[allow(unused_imports)]
use ndarray::{Array2, ArrayView2};
use std::str::FromStr;

pub(crate) use basic::Overdrive as OverdriveState;

/// Planar audio: one `Vec` per channel.
pub(crate) type Planar = Vec<Vec<f32>>;

/// A resampler between integer rates, for the effects that change the rate (`speed`,
/// `pitch`): `process` chunks, then `flush` the tail at the end (which also starts over).
pub(crate) trait Resample: Send {
    fn process(&mut self, chunk: ArrayView2<'_, f32>) -> Result<Array2<f32>>;
    fn flush(&mut self) -> Result<Array2<f32>>;
}

/// Makes a [`Resample`] from `from` Hz to `to` Hz for `channels` channels (an error for a
/// ratio it cannot do).
pub(crate) type ResamplerFactory = dyn Fn(u32, u32, usize) -> Result<Box<dyn Resample>> + Sync;

/// One running effect instance (rate and channel count fixed).
pub(crate) trait Effect: Send {
    /// Processes `planar` in place; may change its length (e.g. buffer everything). Called
    /// only when the effect has nothing [`pending`](Self::pending).
    fn process(&mut self, planar: &mut Planar);
    /// Appends what the effect still holds (tails, buffered audio) to `planar`, or makes it
    /// [`pending`](Self::pending) when it is long (generated silence).
    fn flush(&mut self, _planar: &mut Planar) -> Result<()> {
        Ok(())
    }
    /// Whether the effect has output it makes without more input, put out by
    /// [`drain`](Self::drain) a piece at a time (a long `pad`): a stream takes no input until
    /// it is drained, so such output never sits in memory whole.
    fn pending(&self) -> bool {
        false
    }
    /// Appends some of what is [`pending`](Self::pending) to `planar` (about `max` frames).
    fn drain(&mut self, _planar: &mut Planar, _max: usize) {}
}

/// A parsed effect of a family module (`chorus.rs`, `reverb.rs`, ...): its arguments, their
/// checks, and how to start a running instance. Each module also has
/// `fn parse(name, args) -> Result<Self>`.
pub(crate) trait EffectSpec {
    /// SoX's name of the effect.
    fn name(&self) -> &'static str;
    /// The snake_case argument names [`AudioEffector::param`] accepts.
    fn param_names(&self) -> &'static [&'static str];
    /// Sets a parameter; `param` is one of `param_names()` (checked by the caller), and
    /// `validate` runs afterwards.
    fn set(&mut self, param: &str, value: f64);
    /// Checks every argument's range: `InvalidArgument` naming effect, argument and range.
    fn validate(&self) -> Result<()>;
    /// A running instance, or `None` when the effect does nothing with these arguments.
    fn build(
        &self,
        sample_rate: u32,
        num_channels: usize,
        resample: &ResamplerFactory,
    ) -> Result<Option<Box<dyn Effect>>>;
}

/// The effects implemented, in the order listed by error messages.
const AVAILABLE: &[&str] = &[
    "allpass",
    "bandpass",
    "bandreject",
    "bass",
    "chorus",
    "echo",
    "echos",
    "equalizer",
    "fade",
    "flanger",
    "gain",
    "highpass",
    "lowpass",
    "norm",
    "overdrive",
    "pad",
    "phaser",
    "pitch",
    "reverb",
    "reverse",
    "speed",
    "tempo",
    "treble",
    "tremolo",
    "vol",
];

/// SoX effects that exist in SoX but not here yet.
const NOT_YET: &[&str] = &[
    "band",
    "bend",
    "biquad",
    "channels",
    "compand",
    "contrast",
    "dcshift",
    "deemph",
    "delay",
    "dither",
    "divide",
    "downsample",
    "earwax",
    "fir",
    "hilbert",
    "loudness",
    "mcompand",
    "noiseprof",
    "noisered",
    "oops",
    "rate",
    "remix",
    "repeat",
    "riaa",
    "silence",
    "sinc",
    "splice",
    "stat",
    "stats",
    "stretch",
    "swap",
    "synth",
    "trim",
    "upsample",
    "vad",
];

fn available() -> String {
    AVAILABLE.join(", ")
}

/// `vol`'s gain type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VolType {
    Amplitude,
    Power,
    Db,
}

/// One parsed effect with its parameters.
#[derive(Clone, Debug, PartialEq)]
enum Spec {
    Vol {
        gain: f64,
        kind: VolType,
        /// The third argument: SoX's peak limiter gain (0 < limiter < 1).
        limiter: Option<f64>,
    },
    Overdrive {
        gain: f64,
        colour: f64,
    },
    Biquad(BiquadSpec),
    Fade {
        kind: char,
        fade_in: Time,
        /// `None`: no fade-out; `Some(None)`: the fade-out ends at the end of the audio.
        stop: Option<Option<Time>>,
        fade_out: Time,
    },
    Reverse,
    /// Effects whose parsing lives in their own module.
    Family(Family),
}

/// The effects of the family modules.
#[derive(Clone, Debug, PartialEq)]
enum Family {
    Echo(echo::EchoSpec),
    Chorus(chorus::ChorusSpec),
    Flanger(flanger::FlangerSpec),
    Phaser(phaser::PhaserSpec),
    Tremolo(tremolo::TremoloSpec),
    Reverb(reverb::ReverbSpec),
    Tempo(tempo::TempoSpec),
    Speed(speed::SpeedSpec),
    Gain(gain::GainSpec),
    Pad(pad::PadSpec),
}

impl Family {
    fn spec(&self) -> &dyn EffectSpec {
        match self {
            Family::Echo(s) => s,
            Family::Chorus(s) => s,
            Family::Flanger(s) => s,
            Family::Phaser(s) => s,
            Family::Tremolo(s) => s,
            Family::Reverb(s) => s,
            Family::Tempo(s) => s,
            Family::Speed(s) => s,
            Family::Gain(s) => s,
            Family::Pad(s) => s,
        }
    }

    fn spec_mut(&mut self) -> &mut dyn EffectSpec {
        match self {
            Family::Echo(s) => s,
            Family::Chorus(s) => s,
            Family::Flanger(s) => s,
            Family::Phaser(s) => s,
            Family::Tremolo(s) => s,
            Family::Reverb(s) => s,
            Family::Tempo(s) => s,
            Family::Speed(s) => s,
            Family::Gain(s) => s,
            Family::Pad(s) => s,
        }
    }

    /// Parses `name` if a family module owns it.
    fn parse(name: &str, args: &[&str]) -> Option<Result<Family>> {
        Some(match name {
            "echo" | "echos" => echo::EchoSpec::parse(name, args).map(Family::Echo),
            "chorus" => chorus::ChorusSpec::parse(name, args).map(Family::Chorus),
            "flanger" => flanger::FlangerSpec::parse(name, args).map(Family::Flanger),
            "phaser" => phaser::PhaserSpec::parse(name, args).map(Family::Phaser),
            "tremolo" => tremolo::TremoloSpec::parse(name, args).map(Family::Tremolo),
            "reverb" => reverb::ReverbSpec::parse(name, args).map(Family::Reverb),
            "tempo" | "pitch" => tempo::TempoSpec::parse(name, args).map(Family::Tempo),
            "speed" => speed::SpeedSpec::parse(name, args).map(Family::Speed),
            "gain" | "norm" => gain::GainSpec::parse(name, args).map(Family::Gain),
            "pad" => pad::PadSpec::parse(name, args).map(Family::Pad),
            _ => return None,
        })
    }
}

impl Spec {
    fn name(&self) -> &'static str {
        match self {
            Spec::Vol { .. } => "vol",
            Spec::Overdrive { .. } => "overdrive",
            Spec::Biquad(b) => b.effect,
            Spec::Fade { .. } => "fade",
            Spec::Reverse => "reverse",
            Spec::Family(f) => f.spec().name(),
        }
    }

    /// The snake_case parameter names `param` accepts for this effect.
    fn param_names(&self) -> &'static [&'static str] {
        match self {
            Spec::Vol { limiter: None, .. } => &["gain"],
            Spec::Vol { .. } => &["gain", "limiter_gain"],
            Spec::Overdrive { .. } => &["gain", "colour"],
            Spec::Biquad(b) => match b.kind {
                FilterKind::Equalizer | FilterKind::LowShelf | FilterKind::HighShelf => {
                    &["frequency", "width", "gain"]
                }
                FilterKind::Lowpass1 | FilterKind::Highpass1 => &["frequency"],
                _ => &["frequency", "width"],
            },
            Spec::Fade { .. } => &["fade_in_length", "stop_position", "fade_out_length"],
            Spec::Reverse => &[],
            Spec::Family(f) => f.spec().param_names(),
        }
    }

    /// Checks every parameter's range.
    fn validate(&self) -> Result<()> {
        let name = self.name();
        let finite = |arg: &str, v: f64| -> Result<()> {
            if v.is_finite() {
                Ok(())
            } else {
                Err(Error::invalid_argument(
                    &format!("{name} {arg}"),
                    v,
                    "a finite number",
                ))
            }
        };
        match self {
            Spec::Vol {
                gain,
                kind,
                limiter,
            } => {
                finite("gain", *gain)?;
                if let Some(l) = limiter {
                    if !(*l > 0.0 && *l < 1.0) {
                        return Err(Error::invalid_argument(
                            "vol limiter-gain",
                            l,
                            "0 < limiter-gain < 1 (e.g. 0.05)",
                        ));
                    }
                    if vol_factor(*gain, *kind).abs() <= 1.0 {
                        return Err(Error::invalid_argument(
                            "vol gain",
                            gain,
                            "a gain above 1 (amplitude) when a limiter-gain is given",
                        ));
                    }
                }
                Ok(())
            }
            Spec::Overdrive { gain, colour } => {
                for (arg, v) in [("gain", *gain), ("colour", *colour)] {
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
            Spec::Biquad(b) => {
                if !(b.frequency.is_finite() && b.frequency > 0.0) {
                    return Err(Error::invalid_argument(
                        &format!("{name} frequency"),
                        b.frequency,
                        "a frequency > 0 Hz (and at most half the sample rate)",
                    ));
                }
                let max_width = if b.width_type == WidthType::Slope {
                    1.0
                } else {
                    f64::INFINITY
                };
                let one_pole = matches!(b.kind, FilterKind::Lowpass1 | FilterKind::Highpass1);
                let width_ok = b.width.is_finite() && b.width > 0.0 && b.width <= max_width;
                if !one_pole && !width_ok {
                    let allowed = if b.width_type == WidthType::Slope {
                        "0 < slope <= 1"
                    } else {
                        "a width > 0"
                    };
                    return Err(Error::invalid_argument(
                        &format!("{name} width"),
                        b.width,
                        allowed,
                    ));
                }
                finite("gain", b.gain)
            }
            Spec::Fade {
                fade_in,
                stop,
                fade_out,
                ..
            } => {
                let times = [
                    ("fade-in-length", Some(*fade_in)),
                    ("stop-position", stop.flatten()),
                    ("fade-out-length", Some(*fade_out)),
                ];
                for (arg, t) in times {
                    if let Some(v) = t.map(Time::seconds) {
                        if !(v.is_finite() && v >= 0.0) {
                            return Err(Error::invalid_argument(
                                &format!("fade {arg}"),
                                v,
                                "a time >= 0 seconds",
                            ));
                        }
                    }
                }
                Ok(())
            }
            Spec::Reverse => Ok(()),
            Spec::Family(f) => f.spec().validate(),
        }
    }

    fn set(&mut self, param: &str, value: f64) -> Result<()> {
        let ok = self.param_names().contains(&param);
        if !ok {
            let names = self.param_names();
            let allowed = if names.is_empty() {
                "none (this effect has no parameters)".to_string()
            } else {
                names.join(", ")
            };
            return Err(Error::invalid_argument(
                &format!("{} parameter", self.name()),
                param,
                allowed,
            ));
        }
        match (self, param) {
            (Spec::Vol { limiter, .. }, "limiter_gain") => *limiter = Some(value),
            (Spec::Vol { gain, .. }, _) => *gain = value,
            (Spec::Overdrive { gain, .. }, "gain") => *gain = value,
            (Spec::Overdrive { colour, .. }, _) => *colour = value,
            (Spec::Biquad(b), "frequency") => b.frequency = value,
            (Spec::Biquad(b), "width") => b.width = value,
            (Spec::Biquad(b), _) => b.gain = value,
            (Spec::Fade { fade_in, .. }, "fade_in_length") => *fade_in = Time::Seconds(value),
            (Spec::Fade { fade_out, .. }, "fade_out_length") => *fade_out = Time::Seconds(value),
            (Spec::Fade { stop, .. }, _) => {
                *stop = Some((value != 0.0).then_some(Time::Seconds(value)))
            }
            (Spec::Reverse, _) => {}
            (Spec::Family(f), _) => f.spec_mut().set(param, value),
        }
        Ok(())
    }

    /// A running instance, or `None` when the effect does nothing (SoX's null effects).
    fn build(
        &self,
        sample_rate: u32,
        num_channels: usize,
        resample: &ResamplerFactory,
    ) -> Result<Option<Box<dyn Effect>>> {
        Ok(match self {
            Spec::Vol {
                gain,
                kind,
                limiter: None,
            } => scale(vol_factor(*gain, *kind)),
            Spec::Vol {
                gain,
                kind,
                limiter: Some(l),
            } => Some(Box::new(basic::VolLimiter::new(
                vol_factor(*gain, *kind),
                *l,
            ))),
            Spec::Overdrive { gain, colour } => {
                if *gain == 0.0 && *colour == 0.0 {
                    None
                } else {
                    Some(Box::new(Overdrive::new(*gain, *colour, num_channels)))
                }
            }
            Spec::Biquad(b) => b
                .coefficients(sample_rate)?
                .map(|c| Box::new(Biquad::new(c, num_channels)) as Box<dyn Effect>),
            Spec::Fade {
                kind,
                fade_in,
                stop,
                fade_out,
            } => Some(Box::new(Fade::new(
                *kind,
                *fade_in,
                *stop,
                *fade_out,
                sample_rate,
                num_channels,
            )?)),
            Spec::Reverse => Some(Box::new(Reverse::new(num_channels))),
            Spec::Family(f) => f.spec().build(sample_rate, num_channels, resample)?,
        })
    }
}

/// `vol`'s gain as an amplitude factor.
fn vol_factor(gain: f64, kind: VolType) -> f64 {
    match kind {
        VolType::Amplitude => gain,
        VolType::Db => (gain * 10f64.ln() / 20.0).exp(),
        VolType::Power if gain > 0.0 => gain.sqrt(),
        VolType::Power => -(-gain).sqrt(),
    }
}

fn scale(factor: f64) -> Option<Box<dyn Effect>> {
    if factor == 1.0 {
        None
    } else {
        Some(Box::new(Scale { factor }))
    }
}

/// Parses a plain number argument.
fn number(effect: &str, arg: &str, token: &str) -> Result<f64> {
    match token.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(Error::invalid_argument(
            &format!("{effect} {arg}"),
            token,
            "a finite number",
        )),
    }
}

/// Parses a frequency with an optional `k` suffix (kHz), as SoX's `lsx_parse_frequency`.
fn frequency(effect: &str, token: &str) -> Result<f64> {
    let (body, mult) = match token.strip_suffix('k') {
        Some(b) => (b, 1000.0),
        None => (token, 1.0),
    };
    Ok(number(effect, "frequency", body)? * mult)
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

fn arg_count(effect: &str, got: usize, min: usize, max: usize, synopsis: &str) -> Result<()> {
    if got < min || got > max {
        let allowed = if min == max {
            format!("{min} ({synopsis})")
        } else {
            format!("{min} to {max} ({synopsis})")
        };
        return Err(Error::invalid_argument(
            &format!("{effect} number of arguments"),
            got,
            allowed,
        ));
    }
    Ok(())
}

/// Parses one effect with its SoX arguments.
fn parse_effect(name: &str, args: &[&str]) -> Result<Spec> {
    if let Some(family) = Family::parse(name, args) {
        let spec = Spec::Family(family?);
        spec.validate()?;
        return Ok(spec);
    }
    let spec = match name {
        "vol" => {
            arg_count(name, args.len(), 1, 3, "vol gain [type [limiter-gain]]")?;
            let first = args.first().copied().unwrap_or("");
            let split = first
                .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
                .unwrap_or(first.len());
            let (num, suffix) = first.split_at(split);
            let gain = number(name, "gain", num)?;
            // The type is a suffix of the gain (`-3dB`) or the next argument; what follows
            // it is the limiter gain.
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
            Spec::Vol {
                gain,
                kind,
                limiter,
            }
        }
        "overdrive" => {
            arg_count(name, args.len(), 0, 2, "overdrive [gain [colour]]")?;
            let gain = args.first().map_or(Ok(20.0), |a| number(name, "gain", a))?;
            let colour = args
                .get(1)
                .map_or(Ok(20.0), |a| number(name, "colour", a))?;
            Spec::Overdrive { gain, colour }
        }
        "lowpass" | "highpass" => {
            let low = name == "lowpass";
            let (poles, rest) = match args.first() {
                Some(&"-1") => (1, args.get(1..).unwrap_or_default()),
                Some(&"-2") => (2, args.get(1..).unwrap_or_default()),
                _ => (2, args),
            };
            let effect = if low { "lowpass" } else { "highpass" };
            if poles == 1 {
                arg_count(name, rest.len(), 1, 1, "-1 frequency")?;
                Spec::Biquad(BiquadSpec {
                    effect,
                    kind: if low {
                        FilterKind::Lowpass1
                    } else {
                        FilterKind::Highpass1
                    },
                    frequency: frequency(name, rest.first().copied().unwrap_or(""))?,
                    width: 0.0,
                    width_type: WidthType::Q,
                    gain: 0.0,
                })
            } else {
                arg_count(name, rest.len(), 1, 2, "[-2] frequency [width[q|o|h|k]]")?;
                let (width, width_type) = match rest.get(1) {
                    Some(w) => self::width(name, w, "qohk")?,
                    None => (0.5f64.sqrt(), WidthType::Q),
                };
                Spec::Biquad(BiquadSpec {
                    effect,
                    kind: if low {
                        FilterKind::Lowpass
                    } else {
                        FilterKind::Highpass
                    },
                    frequency: frequency(name, rest.first().copied().unwrap_or(""))?,
                    width,
                    width_type,
                    gain: 0.0,
                })
            }
        }
        "bandpass" | "bandreject" | "allpass" => {
            let (kind, rest, effect) = match (name, args.first()) {
                ("bandpass", Some(&"-c")) => (
                    FilterKind::BandpassSkirt,
                    args.get(1..).unwrap_or_default(),
                    "bandpass",
                ),
                ("bandpass", _) => (FilterKind::Bandpass, args, "bandpass"),
                ("bandreject", _) => (FilterKind::Bandreject, args, "bandreject"),
                _ => (FilterKind::Allpass, args, "allpass"),
            };
            arg_count(name, rest.len(), 2, 2, "frequency width[h|k|q|o]")?;
            let (width, width_type) =
                self::width(name, rest.get(1).copied().unwrap_or(""), "hkqo")?;
            Spec::Biquad(BiquadSpec {
                effect,
                kind,
                frequency: frequency(name, rest.first().copied().unwrap_or(""))?,
                width,
                width_type,
                gain: 0.0,
            })
        }
        "equalizer" => {
            arg_count(name, args.len(), 3, 3, "frequency width[q|o|h|k] gain")?;
            let (width, width_type) =
                self::width(name, args.get(1).copied().unwrap_or(""), "qohk")?;
            Spec::Biquad(BiquadSpec {
                effect: "equalizer",
                kind: FilterKind::Equalizer,
                frequency: frequency(name, args.first().copied().unwrap_or(""))?,
                width,
                width_type,
                gain: number(name, "gain", args.get(2).copied().unwrap_or(""))?,
            })
        }
        "bass" | "treble" => {
            let bass = name == "bass";
            arg_count(
                name,
                args.len(),
                1,
                3,
                "gain [frequency [width[s|h|k|q|o]]]",
            )?;
            let (width, width_type) = match args.get(2) {
                Some(w) => self::width(name, w, "shkqo")?,
                None => (0.5, WidthType::Slope),
            };
            Spec::Biquad(BiquadSpec {
                effect: if bass { "bass" } else { "treble" },
                kind: if bass {
                    FilterKind::LowShelf
                } else {
                    FilterKind::HighShelf
                },
                frequency: match args.get(1) {
                    Some(f) => frequency(name, f)?,
                    None if bass => 100.0,
                    None => 3000.0,
                },
                width,
                width_type,
                gain: number(name, "gain", args.first().copied().unwrap_or(""))?,
            })
        }
        "fade" => {
            let (kind, rest) = match args.first() {
                Some(t) if t.len() == 1 && t.chars().all(|c| c.is_ascii_alphabetic()) => {
                    if !"qhtlp".contains(*t) {
                        return Err(Error::invalid_argument("fade type", t, "q, h, t, l or p"));
                    }
                    (
                        t.chars().next().unwrap_or('l'),
                        args.get(1..).unwrap_or_default(),
                    )
                }
                _ => ('l', args),
            };
            arg_count(
                name,
                rest.len(),
                1,
                3,
                "[type] fade-in-length [stop-position [fade-out-length]]",
            )?;
            let fade_in = Time::parse("fade-in-length", rest.first().copied().unwrap_or(""))?;
            let stop = match rest.get(1).copied() {
                None => None,
                Some("0" | "-0") => Some(None),
                Some(t) => Some(Some(Time::parse("stop-position", t)?)),
            };
            let fade_out = match rest.get(2) {
                Some(t) => Time::parse("fade-out-length", t)?,
                None => fade_in,
            };
            Spec::Fade {
                kind,
                fade_in,
                stop,
                fade_out,
            }
        }
        "reverse" => {
            arg_count(name, args.len(), 0, 0, "reverse takes no arguments")?;
            Spec::Reverse
        }
        _ if NOT_YET.contains(&name) => {
            return Err(Error::Unsupported(format!(
                "effect {name} is not available yet; available: {}",
                available()
            )))
        }
        _ => {
            return Err(Error::invalid_argument(
                "effect",
                name,
                format!("a SoX effect; available: {}", available()),
            ))
        }
    };
    spec.validate()?;
    Ok(spec)
}

/// A chain of SoX effects, applied in order (torchaudio's `AudioEffector`).
///
/// Build it from one effect with [`AudioEffector::new`] (and [`AudioEffector::param`]), or
/// from a SoX-style chain with `str::parse`. Then [`apply`](AudioEffector::apply) it to a
/// whole `(channels, frames)` array, or [`stream`](AudioEffector::stream) chunks through it.
///
/// ```
/// use audiostream::AudioEffector;
/// use audiostream::ndarray::array;
/// let fx = AudioEffector::new("vol", &[0.5])?;
/// let out = fx.apply(array![[0.5f32, 1.0]].view(), 8000)?;
/// assert_eq!(out, array![[0.25f32, 0.5]]);
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AudioEffector {
    chain: Vec<Spec>,
}

impl AudioEffector {
    /// One SoX effect with its positional numeric arguments (`"overdrive", &[10.0, 20.0]`).
    /// Numeric flags are arguments too (`"lowpass", &[-1.0, 500.0]`); widths are in the
    /// effect's default unit (use `str::parse` for suffixes such as `2o`).
    ///
    /// Unknown effects, wrong argument counts and out-of-range values are
    /// [`Error::InvalidArgument`]; SoX effects not implemented yet are [`Error::Unsupported`].
    ///
    /// ```
    /// use audiostream::{AudioEffector, Error};
    /// assert!(AudioEffector::new("equalizer", &[1000.0, 1.0, -6.0]).is_ok());
    /// assert!(matches!(AudioEffector::new("overdrive", &[200.0]), Err(Error::InvalidArgument(_))));
    /// assert!(matches!(AudioEffector::new("compand", &[]), Err(Error::Unsupported(_))));
    /// ```
    pub fn new(effect: &str, args: &[f64]) -> Result<Self> {
        let tokens: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
        Ok(AudioEffector {
            chain: vec![parse_effect(effect, &refs)?],
        })
    }

    /// Sets a named parameter of the last effect in the chain: the snake_case of the SoX
    /// manual's argument name (`gain`, `colour`, `frequency`, `width`).
    ///
    /// ```
    /// use audiostream::AudioEffector;
    /// let fx = AudioEffector::new("overdrive", &[])?.param("colour", 50.0)?;
    /// assert!(AudioEffector::new("overdrive", &[])?.param("color", 50.0).is_err());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn param(mut self, name: &str, value: f64) -> Result<Self> {
        let last = self.chain.last_mut().ok_or_else(|| {
            Error::invalid_argument("param", name, "an effector with at least one effect")
        })?;
        let mut updated = last.clone();
        updated.set(name, value)?;
        updated.validate()?;
        *last = updated;
        Ok(self)
    }

    /// The running instances of the chain's effects at `sample_rate` with `num_channels`
    /// channels (effects that do nothing with their arguments have none). `resample` makes
    /// the resamplers `speed` and `pitch` need (the pipeline's, `dsp::Resampler`).
    pub(crate) fn instances(
        &self,
        sample_rate: u32,
        num_channels: usize,
        resample: &ResamplerFactory,
    ) -> Result<Vec<Box<dyn Effect>>> {
        if sample_rate == 0 {
            return Err(Error::invalid_argument(
                "sample_rate",
                0,
                "a positive rate in Hz",
            ));
        }
        let mut effects = Vec::new();
        // What the last `gain -h` attenuated by, for a later `gain -r` (SoX passes it along
        // the chain as the signal's `mult`).
        let mut headroom = None;
        for spec in &self.chain {
            let effect = match spec {
                Spec::Family(Family::Gain(g)) => {
                    let e = g.build_with(num_channels, headroom)?;
                    if let Some(h) = g.headroom_made() {
                        headroom = Some(h);
                    } else if g.reclaims() {
                        headroom = None;
                    }
                    e
                }
                other => other.build(sample_rate, num_channels, resample)?,
            };
            if let Some(e) = effect {
                effects.push(e);
            }
        }
        Ok(effects)
    }
}

/// Parses a SoX-style chain: effect names, each followed by its arguments; a new effect
/// starts at the next SoX effect name (`"gain -3 overdrive 10 20 lowpass -1 2k"`).
///
/// ```
/// use audiostream::AudioEffector;
/// let fx: AudioEffector = "gain -3 bass 6 equalizer 1k 2o -4".parse()?;
/// assert!("".parse::<AudioEffector>().is_err());
/// # Ok::<(), audiostream::Error>(())
/// ```
impl FromStr for AudioEffector {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let tokens: Vec<&str> = s.split_whitespace().collect();
        let is_name = |t: &str| AVAILABLE.contains(&t) || NOT_YET.contains(&t);
        let mut chain = Vec::new();
        let mut i = 0;
        while let Some(&name) = tokens.get(i) {
            let end = tokens
                .iter()
                .skip(i + 1)
                .position(|t| is_name(t))
                .map_or(tokens.len(), |p| i + 1 + p);
            let args = tokens.get(i + 1..end).unwrap_or(&[]);
            chain.push(parse_effect(name, args)?);
            i = end;
        }
        if chain.is_empty() {
            return Err(Error::invalid_argument(
                "effect",
                format!("{s:?}"),
                format!(
                    "a chain of one or more SoX effects; available: {}",
                    available()
                ),
            ));
        }
        Ok(AudioEffector { chain })
    }
}

/// Appends to `planar` what `run` makes of `frames` frames of silence on every channel: the
/// tail SoX's delay effects (echo, echos, chorus) drain at the end of the stream.
pub(crate) fn append_silence_tail(
    planar: &mut Planar,
    frames: usize,
    run: impl FnOnce(&mut Planar),
) {
    let mut tail = vec![vec![0.0f32; frames]; planar.len()];
    run(&mut tail);
    for (ch, t) in planar.iter_mut().zip(tail) {
        ch.extend(t);
    }
}
