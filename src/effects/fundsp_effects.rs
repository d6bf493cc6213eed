//! fundsp's own effects by name: `fundsp.reverb`, `fundsp.chorus`, `fundsp.flanger`,
//! `fundsp.phaser` and `fundsp.overdrive` — fundsp 0.23's `reverb_stereo`, `chorus`,
//! `flanger`, `phaser` and `shape(Tanh(..))`, with fundsp's parameters in their order and
//! the values of fundsp's own documentation examples as defaults. Other algorithms than
//! SoX's effects of the same names (`reverb`, `chorus`, ...), which stay SoX's.
//!
//! Each runs as a fundsp graph ([`AudioEffector::from_fundsp`]'s running instance): mono
//! graphs once per channel, fundsp's stereo reverb on stereo streams as it is. Like those
//! graphs, the output is fundsp's, unclipped, with the input's length.
//!
//! Their delay lines grow with the rate (and the reverb's with its room size, per channel):
//! streams above 192 kHz (`MAX_FUNDSP_RATE`) and reverbs whose delay lines would pass 64 MiB
//! for all channels (`MAX_FUNDSP_REVERB_SAMPLES`) are `InvalidArgument` naming the value and
//! the limit when the stream starts.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let fx: AudioEffector = "fundsp.reverb 20 2 0.5 0.3".parse()?;
//! assert_eq!(fx, AudioEffector::new("fundsp.reverb", &[20.0, 2.0])?.param("wet", 0.3)?);
//! let out = fx.apply(Array2::<f32>::zeros((2, 4410)).view(), 44100)?;
//! assert_eq!(out.dim(), (2, 4410));
//! # Ok::<(), audiostream::Error>(())
//! ```
//!
//! [`AudioEffector::from_fundsp`]: crate::AudioEffector::from_fundsp

use super::args::{check_range, number};
use super::catalog::arg;
use super::fundsp_graph::UnitRun;
use super::registry::{ParseSpec, Registration};
use super::{ArgInfo, BuildContext, Effect, EffectInfo, EffectSpec};
use crate::{Error, Result};
use fundsp::prelude32::*;

pub(crate) const EFFECTS: &[Registration] = &[
    Registration::of::<FundspSpec>(REVERB.info),
    Registration::of::<FundspSpec>(CHORUS.info),
    Registration::of::<FundspSpec>(FLANGER.info),
    Registration::of::<FundspSpec>(PHASER.info),
    Registration::of::<FundspSpec>(OVERDRIVE.info),
];

/// One argument: its catalog entry and its range.
struct Param {
    info: ArgInfo,
    default: f64,
    lo: f64,
    hi: f64,
}

/// One of fundsp's effects.
struct Kind {
    info: EffectInfo,
    params: &'static [Param],
    /// The parameter names, in order (`param_names`).
    names: &'static [&'static str],
}

const fn param(info: ArgInfo, default: f64, lo: f64, hi: f64) -> Param {
    Param {
        info,
        default,
        lo,
        hi,
    }
}

/// The `arguments` of a catalog entry from its parameters.
macro_rules! arguments {
    ($params:expr, $n:literal) => {{
        const P: &[Param] = $params;
        const A: [ArgInfo; $n] = {
            let mut a = [arg("", "", ""); $n];
            let mut i = 0;
            while i < $n {
                a[i] = P[i].info;
                i += 1;
            }
            a
        };
        &A
    }};
}

const REVERB_PARAMS: &[Param] = &[
    param(arg("room_size", "10", "0.1 to 100 (m)"), 10.0, 0.1, 100.0),
    param(
        arg("time", "5", "0.1 to 60 (s, reverberation time to -60 dB)"),
        5.0,
        0.1,
        60.0,
    ),
    param(
        arg("damping", "0.5", "0 to 1 (high-frequency damping)"),
        0.5,
        0.0,
        1.0,
    ),
    param(
        arg("wet", "0.2", "0 to 1 (reverb added to the dry signal)"),
        0.2,
        0.0,
        1.0,
    ),
];

/// fundsp's `reverb_stereo(room_size, time, damping)`, added to the dry signal scaled by
/// `wet`: fundsp's "add 20% reverb" example, `multipass() & 0.2 * reverb_stereo(10.0, 5.0,
/// 0.5)`.
const REVERB: Kind = Kind {
    info: EffectInfo {
        name: "fundsp.reverb",
        usage: "fundsp.reverb [room_size(10) [time(5) [damping(0.5) [wet(0.2)]]]]",
        description: "fundsp's stereo reverb (a 32-line feedback delay network; not SoX's \
                      freeverb): dry + wet x reverb_stereo(room_size, time, damping). Mono \
                      and other channel counts: each channel through it on its own (averaged \
                      back to one). Keeps the length (pad 0 5 to hear the tail). Rates up to \
                      192 kHz; the delay lines of all channels up to 64 MiB.",
        arguments: arguments!(REVERB_PARAMS, 4),
    },
    params: REVERB_PARAMS,
    names: &["room_size", "time", "damping", "wet"],
};

const CHORUS_PARAMS: &[Param] = &[
    param(
        arg(
            "seed",
            "0",
            "integer 0 to 4294967295 (LFO seed; channel c uses seed + c)",
        ),
        0.0,
        0.0,
        4_294_967_295.0,
    ),
    param(
        arg("separation", "0.015", "0 to 0.1 (s, base voice separation)"),
        0.015,
        0.0,
        0.1,
    ),
    param(
        arg("variation", "0.005", "0 to 0.1 (s, delay variation)"),
        0.005,
        0.0,
        0.1,
    ),
    param(
        arg("mod_frequency", "0.5", "0 to 20 (Hz, delay modulation)"),
        0.5,
        0.0,
        20.0,
    ),
];

/// fundsp's `chorus(seed, separation, variation, mod_frequency)`: five voices, the dry signal
/// among them; "for stereo, stack two of these using different seed values" (fundsp), so
/// channel `c` has seed `seed + c`. Defaults: fundsp's example `chorus(0, 0.015, 0.005, 0.5)`.
const CHORUS: Kind = Kind {
    info: EffectInfo {
        name: "fundsp.chorus",
        usage: "fundsp.chorus [seed(0) [separation(0.015) [variation(0.005) \
                [mod_frequency(0.5)]]]]",
        description: "fundsp's chorus: 5 voices (the dry one included) with delays modulated \
                      by fractal noise; channel c uses seed + c.",
        arguments: arguments!(CHORUS_PARAMS, 4),
    },
    params: CHORUS_PARAMS,
    names: &["seed", "separation", "variation", "mod_frequency"],
};

const FLANGER_PARAMS: &[Param] = &[
    param(
        arg(
            "feedback",
            "0.5",
            "-1 to 1 (negative inverts the feedback's phase)",
        ),
        0.5,
        -1.0,
        1.0,
    ),
    param(arg("min_delay", "0.005", "0 to 0.1 (s)"), 0.005, 0.0, 0.1),
    param(
        arg("max_delay", "0.01", "min_delay to 0.1 (s)"),
        0.01,
        0.0,
        0.1,
    ),
    param(
        arg("frequency", "0.1", "0 to 20 (Hz, the delay's sine LFO)"),
        0.1,
        0.0,
        20.0,
    ),
];

/// fundsp's `flanger(feedback, min_delay, max_delay, delay_f)` with fundsp's example LFO,
/// `delay_f = |t| lerp11(min_delay, max_delay, sin_hz(frequency, t))`, and its example's
/// values `flanger(0.5, 0.005, 0.010, |t| lerp11(0.005, 0.010, sin_hz(0.1, t)))`.
const FLANGER: Kind = Kind {
    info: EffectInfo {
        name: "fundsp.flanger",
        usage: "fundsp.flanger [feedback(0.5) [min_delay(0.005) [max_delay(0.01) \
                [frequency(0.1)]]]]",
        description: "fundsp's flanger: the dry signal plus a tanh-saturated feedback delay \
                      swept between min_delay and max_delay by a sine LFO.",
        arguments: arguments!(FLANGER_PARAMS, 4),
    },
    params: FLANGER_PARAMS,
    names: &["feedback", "min_delay", "max_delay", "frequency"],
};

const PHASER_PARAMS: &[Param] = &[
    param(
        arg(
            "feedback",
            "0.5",
            "-0.99 to 0.99 (negative inverts the feedback's phase)",
        ),
        0.5,
        -0.99,
        0.99,
    ),
    param(
        arg("frequency", "0.1", "0 to 20 (Hz, the all-passes' sine LFO)"),
        0.1,
        0.0,
        20.0,
    ),
];

/// fundsp's `phaser(feedback, phase_f)` with fundsp's example LFO,
/// `phase_f = |t| sin_hz(frequency, t) * 0.5 + 0.5`, and its example's values
/// `phaser(0.5, |t| sin_hz(0.1, t) * 0.5 + 0.5)`.
const PHASER: Kind = Kind {
    info: EffectInfo {
        name: "fundsp.phaser",
        usage: "fundsp.phaser [feedback(0.5) [frequency(0.1)]]",
        description: "fundsp's phaser: the dry signal plus ten modulated all-poles with \
                      feedback, swept by a sine LFO.",
        arguments: arguments!(PHASER_PARAMS, 2),
    },
    params: PHASER_PARAMS,
    names: &["feedback", "frequency"],
};

const OVERDRIVE_PARAMS: &[Param] = &[param(
    arg("hardness", "1", "0.01 to 100 (input gain into tanh)"),
    1.0,
    0.01,
    100.0,
)];

/// fundsp's waveshaper `shape(Tanh(hardness))`: `tanh(hardness * x)`; default fundsp's
/// example `shape(Tanh(1.0))`.
const OVERDRIVE: Kind = Kind {
    info: EffectInfo {
        name: "fundsp.overdrive",
        usage: "fundsp.overdrive [hardness(1)]",
        description: "fundsp's tanh waveshaper: tanh(hardness x), a soft clip.",
        arguments: arguments!(OVERDRIVE_PARAMS, 1),
    },
    params: OVERDRIVE_PARAMS,
    names: &["hardness"],
};

const KINDS: [&Kind; 5] = [&REVERB, &CHORUS, &FLANGER, &PHASER, &OVERDRIVE];

/// Parsed `fundsp.*` effect: which, and its arguments.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FundspSpec {
    /// The effect's name (`fundsp.reverb`, ...): finds its [`Kind`].
    name: &'static str,
    values: Vec<f64>,
}

impl FundspSpec {
    fn kind(&self) -> &'static Kind {
        KINDS
            .iter()
            .find(|k| k.info.name == self.name)
            .copied()
            .unwrap_or(&OVERDRIVE)
    }

    fn value(&self, i: usize) -> f32 {
        self.values.get(i).copied().unwrap_or(0.0) as f32
    }
}

/// The highest sample rate of the `fundsp.*` effects (192 kHz): fundsp's reverb, chorus,
/// flanger and phaser are designed for audio rates, and their delay lines grow with the rate
/// (the fuzzer's `fundsp.reverb 56` at 458,746 Hz on 3 channels took 59 MiB per stream).
pub(crate) const MAX_FUNDSP_RATE: u32 = 192_000;

/// The most samples (`f32`) of delay lines all the `fundsp.reverb` instances of one stream
/// may have (2^24: 64 MiB). At 192 kHz one reverb of the largest room (100 m) has 3.8 M.
pub(crate) const MAX_FUNDSP_REVERB_SAMPLES: u64 = 1 << 24;

/// The delays of fundsp 0.23's `reverb_stereo` for a 10 m room, in seconds (`prelude.rs`,
/// `reverb_stereo`: `DELAYS`, scaled by `room_size / 10`): their sum, 1.986424 s.
const REVERB_DELAYS_10M: f64 = 1.986_424;

/// Samples of delay lines one `reverb_stereo(room, ..)` allocates at `rate` (fundsp's `Delay`:
/// `round(t x rate) + 1` per line, 32 lines), rounded up.
fn reverb_delay_samples(room: f64, rate: u32) -> u64 {
    (REVERB_DELAYS_10M * room / 10.0 * f64::from(rate)).ceil() as u64 + 32
}

impl ParseSpec for FundspSpec {
    /// Positional numbers in the order of fundsp's arguments, each optional (defaults after).
    fn parse(name: &'static str, args: &[&str]) -> Result<Self> {
        let spec = FundspSpec {
            name,
            values: Vec::new(),
        };
        let kind = spec.kind();
        if args.len() > kind.params.len() {
            return Err(Error::invalid_argument(
                &format!("{name} number of arguments"),
                args.len(),
                format!("0 to {} ({})", kind.params.len(), kind.info.usage),
            ));
        }
        let mut values: Vec<f64> = kind.params.iter().map(|p| p.default).collect();
        for ((v, token), p) in values.iter_mut().zip(args).zip(kind.params) {
            *v = number(name, p.info.name, token)?;
        }
        Ok(FundspSpec { name, values })
    }
}

impl EffectSpec for FundspSpec {
    fn name(&self) -> &'static str {
        self.name
    }

    fn param_names(&self) -> &'static [&'static str] {
        self.kind().names
    }

    fn set(&mut self, param: &str, value: f64) {
        if let Some(i) = self.kind().names.iter().position(|n| *n == param) {
            if let Some(v) = self.values.get_mut(i) {
                *v = value;
            }
        }
    }

    fn validate(&self) -> Result<()> {
        let kind = self.kind();
        for (&v, p) in self.values.iter().zip(kind.params) {
            check_range(self.name, p.info.name, v, p.lo, p.hi, p.info.range)?;
        }
        if kind.info.name == CHORUS.info.name
            && self.values.first().is_some_and(|s| s.fract() != 0.0)
        {
            return Err(Error::invalid_argument(
                "fundsp.chorus seed",
                self.values[0],
                CHORUS_PARAMS[0].info.range,
            ));
        }
        // fundsp's tap line needs min_delay <= max_delay (it asserts so).
        if kind.info.name == FLANGER.info.name && self.values[1] > self.values[2] {
            return Err(Error::invalid_argument(
                "fundsp.flanger max_delay",
                self.values[2],
                format!(
                    "at least min_delay ({}) and at most 0.1 (s)",
                    self.values[1]
                ),
            ));
        }
        Ok(())
    }

    /// Refuses rates above `MAX_FUNDSP_RATE` and a reverb whose delay lines, for all its
    /// instances, would pass `MAX_FUNDSP_REVERB_SAMPLES`: `InvalidArgument` naming the
    /// value and the limit, before anything is allocated.
    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        let (rate, channels) = (cx.sample_rate, cx.channels);
        if channels == 0 {
            return Ok(None);
        }
        let name = self.kind().info.name;
        if rate > MAX_FUNDSP_RATE {
            return Err(Error::invalid_argument(
                &format!("{name} sample rate"),
                format!("{rate} Hz"),
                format!(
                    "at most {MAX_FUNDSP_RATE} Hz (fundsp's effects are made for audio \
                     rates; their delay lines grow with the rate)"
                ),
            ));
        }
        let v = |i| self.value(i);
        Ok(Some(match name {
            "fundsp.reverb" => {
                let (room, time, damping, wet) = (v(0), v(1), v(2), v(3));
                // One stereo reverb for a stereo stream, one per channel otherwise.
                let instances = if channels == 2 { 1 } else { channels as u64 };
                let samples = reverb_delay_samples(f64::from(room), rate) * instances;
                if samples > MAX_FUNDSP_REVERB_SAMPLES {
                    return Err(Error::invalid_argument(
                        "fundsp.reverb room_size x sample rate x channels",
                        format!(
                            "{room} m at {rate} Hz x {instances} reverb(s): {samples} samples \
                             of delay lines"
                        ),
                        format!(
                            "at most {MAX_FUNDSP_REVERB_SAMPLES} samples ({} MiB; one reverb \
                             per channel but for stereo): a smaller room, a lower rate or \
                             fewer channels",
                            (MAX_FUNDSP_REVERB_SAMPLES * 4) >> 20
                        ),
                    ));
                }
                if channels == 2 {
                    let unit = multipass::<U2>() & (wet * reverb_stereo(room, time, damping));
                    UnitRun::all_channels(unit, rate)
                } else {
                    let reverb =
                        split::<U2>() >> reverb_stereo(room, time, damping) >> join::<U2>();
                    let unit = pass() & (wet * reverb);
                    UnitRun::per_channel(vec![unit; channels], rate)
                }
            }
            "fundsp.chorus" => {
                let seed = self.values.first().copied().unwrap_or(0.0) as u64;
                let units = (0..channels as u64)
                    .map(|c| chorus(seed.wrapping_add(c), v(1), v(2), v(3)))
                    .collect();
                UnitRun::per_channel(units, rate)
            }
            "fundsp.flanger" => {
                let (feedback, min, max, hz) = (v(0), v(1), v(2), v(3));
                let unit = flanger(feedback, min, max, move |t| lerp11(min, max, sin_hz(hz, t)));
                UnitRun::per_channel(vec![unit; channels], rate)
            }
            "fundsp.phaser" => {
                let (feedback, hz) = (v(0), v(1));
                let unit = phaser(feedback, move |t| sin_hz(hz, t) * 0.5 + 0.5);
                UnitRun::per_channel(vec![unit; channels], rate)
            }
            _ => UnitRun::per_channel(vec![shape(Tanh(v(0))); channels], rate),
        }))
    }

    fn output_frames(&self, _sample_rate: u32, input_frames: u64) -> Option<u64> {
        Some(input_frames)
    }
}
