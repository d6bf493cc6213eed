//! SoX `reverb`: `reverb [-w|--wet-only] [reverberance (50%) [HF-damping (50%)
//! [room-scale (100%) [stereo-depth (100%) [pre-delay (0ms) [wet-gain (0dB)]]]]]]`.
//!
//! SoX 14.4.2's design (`reverb.c`, after Jezar's freeverb): every input channel feeds a
//! pre-delay line and then one or two "filter arrays" of eight parallel feedback combs (each
//! with a one-pole low-pass in its loop: the HF damping) followed by four series all-passes.
//! The delay lengths are freeverb's (for 44.1 kHz), scaled by the sample rate, and the combs'
//! by the room scale. With a stereo depth above 0 a second array, whose lengths are spread
//! by ±12·depth samples, gives a decorrelated second output:
//!
//! * stereo input: each channel feeds both arrays; output channel `w` is
//!   `dry[w] + (wet_left_in[w] + wet_right_in[w]) / 2`;
//! * mono input: SoX makes two channels (`dry + wet[0]`, `dry + wet[1]`), which the `sox`
//!   command then averages back to one for a mono output file; we return that average, so
//!   the result equals `sox mono.wav out.wav reverb ...`;
//! * depth 0, or more than two channels (SoX ignores the depth then): every channel on its
//!   own, `dry + wet`.
//!
//! `-w` drops the dry signal. The arithmetic is SoX's, in `f32` in the same order, so the
//! output matches SoX to its 32-bit integer rounding. Like SoX 14.4.2, the output has the
//! input's length: SoX's reverb has no drain, so there is no tail after the input (append
//! silence to the input to hear the decay), and `flush` returns nothing.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let mut x = Array2::<f32>::zeros((2, 4410));
//! x[[0, 0]] = 1.0;
//! let out = "reverb -w 80 50 100 100 10".parse::<AudioEffector>()?.apply(x.view(), 44100)?;
//! assert_eq!(out.dim(), (2, 4410));
//! assert_eq!(out[[0, 100]], 0.0); // 10 ms pre-delay: silent before sample 441
//! assert!(out.row(1).iter().any(|v| v.abs() > 1e-4)); // the right channel reverberates too
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::{ArgInfo, Effect, EffectInfo, EffectSpec, Planar, ResamplerFactory};
use crate::{Error, Result};

/// Freeverb's comb delays in samples at 44.1 kHz.
const COMB_LENGTHS: [f64; 8] = [
    1116.0, 1188.0, 1277.0, 1356.0, 1422.0, 1491.0, 1557.0, 1617.0,
];
/// Freeverb's all-pass delays in samples at 44.1 kHz.
const ALLPASS_LENGTHS: [f64; 4] = [225.0, 341.0, 441.0, 556.0];
/// Samples (at 44.1 kHz, times the stereo depth) by which the second array's delays differ.
const STEREO_SPREAD: f64 = 12.0;

/// The highest sample rate `reverb` accepts (16 times 192 kHz).
const MAX_RATE: u32 = 3_072_000;

const SYNOPSIS: &str = "reverb [-w|--wet-only] [reverberance (50%) [HF-damping (50%) \
[room-scale (100%) [stereo-depth (100%) [pre-delay (0ms) [wet-gain (0dB)]]]]]]";

/// The positional arguments: param name, lowest, highest, what `allowed` says.
const ARGS: [(&str, f64, f64, &str); 6] = [
    ("reverberance", 0.0, 100.0, "0 to 100 (%)"),
    ("hf_damping", 0.0, 100.0, "0 to 100 (%)"),
    ("room_scale", 0.0, 100.0, "0 to 100 (%)"),
    ("stereo_depth", 0.0, 100.0, "0 to 100 (%)"),
    ("pre_delay", 0.0, 500.0, "0 to 500 (ms)"),
    ("wet_gain", -10.0, 10.0, "-10 to 10 (dB)"),
];

const PARAM_NAMES: &[&str] = &[
    "reverberance",
    "hf_damping",
    "room_scale",
    "stereo_depth",
    "pre_delay",
    "wet_gain",
    "wet_only",
];

/// Parsed arguments of `reverb`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ReverbSpec {
    /// reverberance, hf_damping, room_scale, stereo_depth, pre_delay (ms), wet_gain (dB),
    /// in SoX's order.
    values: [f64; 6],
    /// `-w`: 0 or 1 (a number so that `param("wet_only", ..)` can set it).
    wet_only: f64,
}

impl ReverbSpec {
    /// Parses SoX's arguments for effect `name` (`reverb`).
    pub(crate) fn parse(name: &str, args: &[&str]) -> Result<Self> {
        let mut spec = ReverbSpec {
            values: [50.0, 50.0, 100.0, 100.0, 0.0, 0.0],
            wet_only: 0.0,
        };
        let mut rest = args;
        if let Some((first, tail)) = args.split_first() {
            if matches!(*first, "-w" | "--wet-only") {
                spec.wet_only = 1.0;
                rest = tail;
            }
        }
        if rest.len() > ARGS.len() {
            return Err(Error::invalid_argument(
                &format!("{name} number of arguments"),
                args.len(),
                format!("at most 6 numbers after an optional -w ({SYNOPSIS})"),
            ));
        }
        for (slot, (token, (arg, _, _, allowed))) in
            spec.values.iter_mut().zip(rest.iter().zip(ARGS))
        {
            // SoX reads each number with strtod and rejects trailing text such as `50%`.
            if let Ok(v) = token.trim().parse::<f64>() {
                *slot = v;
                continue;
            }
            let is_option = token.starts_with('-')
                && token
                    .chars()
                    .nth(1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '-');
            return Err(if is_option {
                let allowed = if matches!(*token, "-w" | "--wet-only") {
                    "-w or --wet-only, only before the numbers"
                } else {
                    "-w or --wet-only (the only option)"
                };
                Error::invalid_argument(&format!("{name} option"), token, allowed)
            } else {
                Error::invalid_argument(
                    &format!("{name} {arg}"),
                    token,
                    format!("a number from {allowed}"),
                )
            });
        }
        spec.validate()?;
        Ok(spec)
    }
}

impl EffectSpec for ReverbSpec {
    fn name(&self) -> &'static str {
        "reverb"
    }

    fn param_names(&self) -> &'static [&'static str] {
        PARAM_NAMES
    }

    fn set(&mut self, param: &str, value: f64) {
        if param == "wet_only" {
            self.wet_only = value;
        } else if let Some(i) = ARGS.iter().position(|a| a.0 == param) {
            if let Some(slot) = self.values.get_mut(i) {
                *slot = value;
            }
        }
    }

    fn validate(&self) -> Result<()> {
        for (&v, (arg, lo, hi, allowed)) in self.values.iter().zip(ARGS) {
            // NaN fails both comparisons, so it is rejected too.
            if !(v >= lo && v <= hi) {
                return Err(Error::invalid_argument(
                    &format!("reverb {arg}"),
                    v,
                    allowed,
                ));
            }
        }
        if self.wet_only != 0.0 && self.wet_only != 1.0 {
            return Err(Error::invalid_argument(
                "reverb wet_only",
                self.wet_only,
                "0 (dry and wet) or 1 (wet only, as -w)",
            ));
        }
        Ok(())
    }

    fn build(
        &self,
        sample_rate: u32,
        num_channels: usize,
        _resample: &ResamplerFactory,
    ) -> Result<Option<Box<dyn Effect>>> {
        // The delay lines grow with the rate (about 1.1 bytes per Hz per filter array, plus
        // the pre-delay): refuse absurd rates rather than allocate gigabytes.
        if sample_rate > MAX_RATE {
            return Err(Error::invalid_argument(
                "reverb sample_rate",
                sample_rate,
                format!("at most {MAX_RATE} Hz"),
            ));
        }
        Ok(Some(Box::new(Reverb::new(
            self,
            f64::from(sample_rate),
            num_channels,
        ))))
    }
}

/// A circular delay line; the value read at the current position was written `len` samples
/// ago (SoX walks its lines backwards; the direction does not change the result).
struct Line {
    buf: Vec<f32>,
    pos: usize,
}

impl Line {
    fn new(len: usize) -> Self {
        // A zero length (possible at very low sample rates) would have no sample to hold;
        // one sample is the shortest delay a feedback loop can have.
        Line {
            buf: vec![0.0; len.max(1)],
            pos: 0,
        }
    }

    /// Samples until the position wraps.
    fn room(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next `m` (at most `room()`) cells, contiguous.
    fn window(&mut self, m: usize) -> &mut [f32] {
        let end = (self.pos + m).min(self.buf.len());
        self.buf.get_mut(self.pos..end).unwrap_or_default()
    }

    fn advance(&mut self, m: usize) {
        self.pos += m;
        if self.pos >= self.buf.len() {
            self.pos = 0;
        }
    }
}

/// SoX's coefficients, as the `f32` values its filters use.
#[derive(Clone, Copy)]
struct Coefs {
    feedback: f32,
    damping: f32,
    gain: f32,
}

/// One freeverb "filter array": eight parallel damped combs, then four series all-passes.
struct FilterArray {
    combs: [Line; 8],
    /// The combs' one-pole low-pass states.
    stores: [f32; 8],
    allpasses: [Line; 4],
}

impl FilterArray {
    /// `scale`: room scale factor; `offset`: stereo spread (0 for the first array).
    fn new(rate: f64, scale: f64, offset: f64) -> Self {
        let r = rate * (1.0 / 44100.0);
        // The spread alternates in sign from one filter to the next, combs then all-passes
        // (eight combs, so the all-passes start with the same sign).
        let sign = |i: usize| if i.is_multiple_of(2) { offset } else { -offset };
        let comb = |i: usize| {
            let len = COMB_LENGTHS.get(i).copied().unwrap_or(1.0);
            Line::new((scale * r * (len + STEREO_SPREAD * sign(i)) + 0.5) as usize)
        };
        let allpass = |i: usize| {
            let len = ALLPASS_LENGTHS.get(i).copied().unwrap_or(1.0);
            Line::new((r * (len + STEREO_SPREAD * sign(i)) + 0.5) as usize)
        };
        FilterArray {
            combs: std::array::from_fn(comb),
            stores: [0.0; 8],
            allpasses: std::array::from_fn(allpass),
        }
    }

    /// Filters `input` into `output` (same length). Sample by sample as SoX does, so every
    /// rounding happens in SoX's order; the work is split into runs in which no delay line
    /// wraps, so the inner loop indexes plain slices.
    fn process(&mut self, input: &[f32], output: &mut [f32], k: Coefs) {
        let Coefs {
            feedback,
            damping,
            gain,
        } = k;
        let mut done = 0;
        while done < input.len() {
            let room = self
                .combs
                .iter()
                .chain(self.allpasses.iter())
                .map(Line::room)
                .min()
                .unwrap_or(1);
            let m = room.min(input.len() - done);
            let (Some(inp), Some(out)) =
                (input.get(done..done + m), output.get_mut(done..done + m))
            else {
                return;
            };
            let [c0, c1, c2, c3, c4, c5, c6, c7] = &mut self.combs;
            let [a0, a1, a2, a3] = &mut self.allpasses;
            let (c0, c1, c2, c3) = (c0.window(m), c1.window(m), c2.window(m), c3.window(m));
            let (c4, c5, c6, c7) = (c4.window(m), c5.window(m), c6.window(m), c7.window(m));
            let (a0, a1, a2, a3) = (a0.window(m), a1.window(m), a2.window(m), a3.window(m));
            let [mut s0, mut s1, mut s2, mut s3, mut s4, mut s5, mut s6, mut s7] = self.stores;
            let n = m
                .min(inp.len())
                .min(out.len())
                .min(c0.len())
                .min(c1.len())
                .min(c2.len())
                .min(c3.len())
                .min(c4.len())
                .min(c5.len())
                .min(c6.len())
                .min(c7.len())
                .min(a0.len())
                .min(a1.len())
                .min(a2.len())
                .min(a3.len());
            for j in 0..n {
                let x = inp[j];
                let mut acc = 0.0f32;
                // SoX sums the combs from the last to the first.
                macro_rules! comb {
                    ($line:ident, $store:ident) => {
                        let o = $line[j];
                        $store = o + ($store - o) * damping;
                        $line[j] = x + $store * feedback;
                        acc += o;
                    };
                }
                comb!(c7, s7);
                comb!(c6, s6);
                comb!(c5, s5);
                comb!(c4, s4);
                comb!(c3, s3);
                comb!(c2, s2);
                comb!(c1, s1);
                comb!(c0, s0);
                macro_rules! allpass {
                    ($line:ident) => {
                        let o = $line[j];
                        $line[j] = acc + o * 0.5;
                        acc = o - acc;
                    };
                }
                allpass!(a3);
                allpass!(a2);
                allpass!(a1);
                allpass!(a0);
                out[j] = acc * gain;
            }
            self.stores = [s0, s1, s2, s3, s4, s5, s6, s7];
            for line in self.combs.iter_mut().chain(self.allpasses.iter_mut()) {
                line.advance(m);
            }
            done += m;
        }
    }
}

/// SoX's pre-delay for one input channel: the filter arrays hear the input `len` samples
/// late (the dry signal is not delayed).
struct PreDelay {
    ring: Vec<f32>,
    pos: usize,
}

impl PreDelay {
    /// Writes the delayed `input` into `out` (same length).
    fn run(&mut self, input: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend_from_slice(input);
        if self.ring.is_empty() {
            return;
        }
        for x in out.iter_mut() {
            if let Some(cell) = self.ring.get_mut(self.pos) {
                std::mem::swap(cell, x);
            }
            self.pos += 1;
            if self.pos == self.ring.len() {
                self.pos = 0;
            }
        }
    }
}

/// How channels map to filter arrays (see the module comment).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Each channel alone through one array.
    Independent,
    /// One channel through two arrays, the two outputs averaged.
    MonoWide,
    /// Two channels, each through two arrays; output `w` mixes both channels' array `w`.
    StereoWide,
}

/// Per input channel: its pre-delay and its one or two filter arrays.
struct Unit {
    pre_delay: PreDelay,
    arrays: Vec<FilterArray>,
}

/// The running `reverb`.
struct Reverb {
    coefs: Coefs,
    wet_only: bool,
    layout: Layout,
    units: Vec<Unit>,
    /// Scratch: the pre-delayed input of one channel.
    delayed: Vec<f32>,
    /// Scratch: wet outputs, `[unit * arrays + array]`.
    wet: Vec<Vec<f32>>,
}

impl Reverb {
    fn new(spec: &ReverbSpec, rate: f64, num_channels: usize) -> Self {
        let [reverberance, hf_damping, room_scale, mut stereo_depth, pre_delay, wet_gain] =
            spec.values;
        if num_channels > 2 {
            // SoX warns "stereo-depth not applicable with >2 channels" and uses 0.
            stereo_depth = 0.0;
        }
        let layout = match (num_channels, stereo_depth > 0.0) {
            (1, true) => Layout::MonoWide,
            (2, true) => Layout::StereoWide,
            _ => Layout::Independent,
        };
        // SoX's mapping of the percentages to filter coefficients (all in f64, then f32).
        let scale = room_scale / 100.0 * 0.9 + 0.1;
        let depth = stereo_depth / 100.0;
        let a = -1.0 / (1.0 - 0.3f64).ln(); // feedback at reverberance 0
        let b = 100.0 / ((1.0 - 0.98f64).ln() * a + 1.0); // feedback at reverberance 100
        let coefs = Coefs {
            feedback: (1.0 - ((reverberance - b) / (a * b)).exp()) as f32,
            damping: (hf_damping / 100.0 * 0.3 + 0.2) as f32,
            gain: ((wet_gain * std::f64::consts::LN_10 * 0.05).exp() * 0.015) as f32,
        };
        let delay = (pre_delay / 1000.0 * rate + 0.5) as usize;
        let arrays_per_unit = if depth > 0.0 { 2 } else { 1 };
        let units = (0..num_channels)
            .map(|_| Unit {
                pre_delay: PreDelay {
                    ring: vec![0.0; delay],
                    pos: 0,
                },
                arrays: (0..arrays_per_unit)
                    .map(|i| FilterArray::new(rate, scale, i as f64 * depth))
                    .collect(),
            })
            .collect();
        Reverb {
            coefs,
            wet_only: spec.wet_only != 0.0,
            layout,
            units,
            delayed: Vec::new(),
            wet: vec![Vec::new(); num_channels * arrays_per_unit],
        }
    }
}

/// Frames processed at a time: keeps the scratch buffers in cache however long the input.
const BLOCK: usize = 4096;

impl Reverb {
    /// Processes frames `range` of every channel in place.
    fn process_block(&mut self, planar: &mut Planar, range: std::ops::Range<usize>) {
        let frames = range.len();
        let mut wet = self.wet.iter_mut();
        for (unit, ch) in self.units.iter_mut().zip(planar.iter()) {
            let dry = ch.get(range.clone()).unwrap_or_default();
            unit.pre_delay.run(dry, &mut self.delayed);
            for array in unit.arrays.iter_mut() {
                if let Some(w) = wet.next() {
                    w.clear();
                    w.resize(frames, 0.0);
                    array.process(&self.delayed, w, self.coefs);
                }
            }
        }
        let mut outputs = planar
            .iter_mut()
            .map(|ch| ch.get_mut(range.clone()).unwrap_or_default());
        // SoX multiplies the dry signal by (1 - wet_only); 0 * dry adds nothing.
        let dry_gain = if self.wet_only { 0.0f32 } else { 1.0 };
        match self.layout {
            Layout::Independent => {
                for (ch, w) in outputs.zip(&self.wet) {
                    for (x, &y) in ch.iter_mut().zip(w) {
                        *x = (dry_gain * *x + y).clamp(-1.0, 1.0);
                    }
                }
            }
            Layout::MonoWide => {
                // SoX hands its two channels on as 32-bit integers (scaled by 2^31,
                // truncated, clipped), and the `channels` effect `sox` adds for a mono output
                // file averages them, rounding to the nearest integer. Done the same way, the
                // result is SoX's mono output rounded to f32.
                const SCALE: f64 = 2_147_483_648.0;
                let to_int = |v: f32| (f64::from(v) * SCALE).trunc().clamp(-SCALE, SCALE - 1.0);
                if let (Some(ch), [w0, w1]) = (outputs.next(), self.wet.as_slice()) {
                    for ((x, &y0), &y1) in ch.iter_mut().zip(w0).zip(w1) {
                        let d = dry_gain * *x;
                        let sum = to_int(d + y0) * 0.5 + to_int(d + y1) * 0.5;
                        *x = (sum.round().clamp(-SCALE, SCALE - 1.0) / SCALE) as f32;
                    }
                }
            }
            Layout::StereoWide => {
                // wet = [ch0 array0, ch0 array1, ch1 array0, ch1 array1]; output w takes
                // array w of both input channels.
                if let [w00, w01, w10, w11] = self.wet.as_slice() {
                    for (ch, (from_l, from_r)) in outputs.zip([(w00, w10), (w01, w11)]) {
                        for ((x, &l), &r) in ch.iter_mut().zip(from_l).zip(from_r) {
                            *x = (dry_gain * *x + 0.5 * (l + r)).clamp(-1.0, 1.0);
                        }
                    }
                }
            }
        }
    }
}

impl Effect for Reverb {
    fn process(&mut self, planar: &mut Planar) {
        let frames = planar.first().map_or(0, Vec::len);
        let mut start = 0;
        while start < frames {
            let end = (start + BLOCK).min(frames);
            self.process_block(planar, start..end);
            start = end;
        }
    }
}

/// `audiostream effects` entry for `reverb`.
pub(crate) const INFO_REVERB: EffectInfo = EffectInfo {
    name: "reverb",
    usage: SYNOPSIS,
    description: "Freeverb-style reverberation (SoX's): damped combs and all-passes, \
wet/dry mix, stereo spread; the output keeps the input's length (no tail), as in SoX.",
    arguments: &[
        ArgInfo {
            name: "wet_only",
            default: "0",
            range: "0 or 1 (-w|--wet-only: no dry signal)",
        },
        ArgInfo {
            name: "reverberance",
            default: "50",
            range: "0 to 100 (%)",
        },
        ArgInfo {
            name: "hf_damping",
            default: "50",
            range: "0 to 100 (%)",
        },
        ArgInfo {
            name: "room_scale",
            default: "100",
            range: "0 to 100 (%)",
        },
        ArgInfo {
            name: "stereo_depth",
            default: "100",
            range: "0 to 100 (%); ignored with more than 2 channels",
        },
        ArgInfo {
            name: "pre_delay",
            default: "0",
            range: "0 to 500 (ms)",
        },
        ArgInfo {
            name: "wet_gain",
            default: "0",
            range: "-10 to 10 (dB)",
        },
    ],
};
