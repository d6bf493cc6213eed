//! SoX `gain [-e|-B|-b|-r] [-n] [-l|-h] [gain-dB]` and `norm [level]` (= `gain -n`).
//!
//! The plain form multiplies and clips. The scanning forms (`-n` normalise, `-e` equalise
//! channel peaks, `-B`/`-b` balance channel RMS, `-r` reclaim the headroom an earlier
//! `gain -h` made) need the whole signal before the first output sample, as in SoX (which
//! keeps it in a temporary file): the stream holds everything until `flush`. `-l` replaces
//! clipping with SoX's simple limiter, `y / (1 + (1 - 1/g) |y|)`.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::array;
//! let out = "gain -n -6".parse::<AudioEffector>()?.apply(array![[0.25f32, -0.1]].view(), 8000)?;
//! assert!((out[[0, 0]] - 0.5012).abs() < 1e-3); // peak at -6 dBFS
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::{ArgInfo, Effect, EffectInfo, EffectSpec, Planar, ResamplerFactory};
use crate::{Error, Result};

/// SoX's sample scale: a float sample `x` is the integer `x * 2^31`.
const SAMPLE_SCALE: f64 = 2_147_483_648.0;
const SAMPLE_MAX: f64 = 2_147_483_647.0;
const SAMPLE_MIN: f64 = -2_147_483_648.0;

/// How the whole-signal scan sets the gain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Channels {
    /// One gain for all channels.
    Together,
    /// `-e`: each channel's peak raised to the loudest channel's peak.
    Equalise,
    /// `-B`: each channel's RMS raised to the loudest channel's RMS, no clip protection.
    Balance,
    /// `-b`: as `-B`, scaled down if that would clip.
    BalanceNoClip,
}

/// Parsed `gain` / `norm`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GainSpec {
    /// `gain` or `norm`.
    name: &'static str,
    /// dB.
    gain: f64,
    channels: Channels,
    normalise: bool,
    reclaim: bool,
    headroom: bool,
    limiter: bool,
}

impl GainSpec {
    /// Parses `gain [-e|-B|-b|-r] [-n] [-l|-h] [gain-dB]` or `norm [level]`.
    pub(crate) fn parse(name: &str, args: &[&str]) -> Result<Self> {
        let mut spec = GainSpec {
            name: "gain",
            gain: 0.0,
            channels: Channels::Together,
            normalise: false,
            reclaim: false,
            headroom: false,
            limiter: false,
        };
        if name == "norm" {
            spec.name = "norm";
            spec.normalise = true;
            if args.len() > 1 {
                return Err(Error::invalid_argument(
                    "norm number of arguments",
                    args.len(),
                    "0 or 1 (norm [level-dB])",
                ));
            }
            if let Some(level) = args.first() {
                spec.gain = number("norm", "level", level)?;
            }
            return Ok(spec);
        }
        // Options come first: `-` followed by letters (a negative number is the gain).
        let is_option = |a: &str| {
            a.strip_prefix('-')
                .and_then(|r| r.chars().next())
                .is_some_and(|c| !c.is_ascii_digit() && c != '.')
        };
        let mut rest = args;
        let mut exclusive = Vec::new();
        while let Some((first, tail)) = rest.split_first() {
            if !is_option(first) {
                break;
            }
            for c in first.chars().skip(1) {
                match c {
                    'n' => spec.normalise = true,
                    'e' => exclusive.push(('e', Channels::Equalise)),
                    'B' => exclusive.push(('B', Channels::Balance)),
                    'b' => exclusive.push(('b', Channels::BalanceNoClip)),
                    'r' => {
                        spec.reclaim = true;
                        exclusive.push(('r', Channels::Together));
                    }
                    'h' => spec.headroom = true,
                    'l' => spec.limiter = true,
                    other => {
                        return Err(Error::invalid_argument(
                            "gain option",
                            format!("-{other}"),
                            "-e, -B, -b, -r, -n, -l, -h",
                        ))
                    }
                }
            }
            rest = tail;
        }
        if exclusive.len() > 1 {
            let given: Vec<String> = exclusive.iter().map(|(c, _)| format!("-{c}")).collect();
            return Err(Error::invalid_argument(
                "gain options",
                given.join(" "),
                "only one of -e, -B, -b, -r",
            ));
        }
        if let Some((_, c)) = exclusive.first() {
            spec.channels = *c;
        }
        if spec.normalise && spec.reclaim {
            return Err(Error::invalid_argument(
                "gain options",
                "-n -r",
                "only one of -n, -r",
            ));
        }
        if spec.limiter && spec.headroom {
            return Err(Error::invalid_argument(
                "gain options",
                "-l -h",
                "only one of -l, -h",
            ));
        }
        match rest {
            [] => {}
            [g] => spec.gain = number("gain", "gain", g)?,
            _ => {
                return Err(Error::invalid_argument(
                    "gain number of arguments",
                    args.len(),
                    "gain [-e|-B|-b|-r] [-n] [-l|-h] [gain-dB] (options first, one gain)",
                ))
            }
        }
        Ok(spec)
    }

    /// Whether the effect needs the whole signal before it outputs anything.
    fn scans(&self) -> bool {
        self.normalise || self.reclaim || self.channels != Channels::Together
    }

    /// The factor a `gain -h` leaves for a later `gain -r` to reclaim.
    pub(crate) fn headroom_made(&self) -> Option<f64> {
        self.headroom.then(|| db_to_linear(self.gain))
    }

    /// Whether this is `gain -r`.
    pub(crate) fn reclaims(&self) -> bool {
        self.reclaim
    }

    /// The running effect; `headroom` is what an earlier `gain -h` attenuated by (needed by
    /// `-r`).
    pub(crate) fn build_with(
        &self,
        num_channels: usize,
        headroom: Option<f64>,
    ) -> Result<Option<Box<dyn Effect>>> {
        let fixed = db_to_linear(self.gain);
        let reclaim = if self.reclaim {
            match headroom {
                Some(h) if h < 1.0 => Some(1.0 / h),
                _ => {
                    return Err(Error::invalid_argument(
                        "gain -r",
                        "no headroom to reclaim",
                        "an earlier `gain -h` with a negative gain in the same chain",
                    ))
                }
            }
        } else {
            None
        };
        let limiter = self.limiter.then(|| 1.0 - 1.0 / fixed);
        if !self.scans() {
            if fixed == 1.0 && limiter.is_none() {
                return Ok(None);
            }
            return Ok(Some(Box::new(FixedGain { fixed, limiter })));
        }
        Ok(Some(Box::new(ScanGain {
            fixed,
            limiter,
            channels: self.channels,
            normalise: self.normalise,
            reclaim,
            buffer: vec![Vec::new(); num_channels],
        })))
    }
}

impl EffectSpec for GainSpec {
    fn name(&self) -> &'static str {
        self.name
    }

    fn param_names(&self) -> &'static [&'static str] {
        if self.name == "norm" {
            &["level"]
        } else {
            &["gain"]
        }
    }

    fn set(&mut self, _param: &str, value: f64) {
        self.gain = value;
    }

    fn validate(&self) -> Result<()> {
        if self.gain.is_finite() {
            Ok(())
        } else {
            Err(Error::invalid_argument(
                &format!(
                    "{} {}",
                    self.name,
                    self.param_names().first().unwrap_or(&"gain")
                ),
                self.gain,
                "a finite number of dB",
            ))
        }
    }

    fn build(
        &self,
        _sample_rate: u32,
        num_channels: usize,
        _resample: &ResamplerFactory,
    ) -> Result<Option<Box<dyn Effect>>> {
        self.build_with(num_channels, None)
    }
}

fn number(effect: &str, arg: &str, token: &str) -> Result<f64> {
    match token.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(Error::invalid_argument(
            &format!("{effect} {arg}"),
            token,
            "a finite number of dB",
        )),
    }
}

fn db_to_linear(db: f64) -> f64 {
    (db * std::f64::consts::LN_10 / 20.0).exp()
}

/// SoX's limiter: `y / (1 + L |y|)` with `L = 1 - 1/g`, so full scale in stays (about) full
/// scale out.
fn limit(y: f64, l: f64) -> f64 {
    if y > 0.0 {
        1.0 / (1.0 / y + l)
    } else if y < 0.0 {
        1.0 / (1.0 / y - l)
    } else {
        0.0
    }
}

/// The plain and `-l`/`-h` forms: a fixed factor.
struct FixedGain {
    fixed: f64,
    limiter: Option<f64>,
}

impl Effect for FixedGain {
    fn process(&mut self, planar: &mut Planar) {
        for ch in planar.iter_mut() {
            for x in ch.iter_mut() {
                let y = f64::from(*x) * self.fixed;
                *x = match self.limiter {
                    Some(l) => limit(y, l),
                    None => y.clamp(-1.0, 1.0),
                } as f32;
            }
        }
    }
}

/// The scanning forms: everything is held until `flush`, then scaled.
struct ScanGain {
    fixed: f64,
    limiter: Option<f64>,
    channels: Channels,
    normalise: bool,
    /// `-r`: the factor to reclaim.
    reclaim: Option<f64>,
    buffer: Planar,
}

/// A channel's (or all channels') peak statistics in SoX's integer units.
#[derive(Clone, Copy)]
struct Stats {
    max: f64,
    min: f64,
    sum_squares: f64,
    count: f64,
}

impl Stats {
    fn of<'a>(channels: impl Iterator<Item = &'a Vec<f32>>) -> Stats {
        // SoX starts from 1 and -1 (integer units), so silence does not divide by zero.
        let mut s = Stats {
            max: 1.0,
            min: -1.0,
            sum_squares: 0.0,
            count: 0.0,
        };
        for ch in channels {
            for &x in ch {
                let v = f64::from(x);
                let i = (v * SAMPLE_SCALE).round().clamp(SAMPLE_MIN, SAMPLE_MAX);
                s.max = s.max.max(i);
                s.min = s.min.min(i);
                s.sum_squares += v * v;
                s.count += 1.0;
            }
        }
        s
    }

    /// The largest factor that does not clip.
    fn headroom(&self) -> f64 {
        (SAMPLE_MAX / self.max).min(SAMPLE_MIN / self.min)
    }

    /// Peak as a fraction of full scale.
    fn peak(&self) -> f64 {
        (self.max / SAMPLE_MAX).max(self.min / SAMPLE_MIN)
    }

    fn rms(&self) -> f64 {
        if self.count > 0.0 {
            (self.sum_squares / self.count).sqrt()
        } else {
            0.0
        }
    }
}

impl ScanGain {
    /// The factor for each channel, from the whole signal (SoX's `start_drain`).
    fn factors(&self) -> Vec<f64> {
        let n = self.buffer.len();
        match self.channels {
            Channels::Together => {
                let mut mult = Stats::of(self.buffer.iter()).headroom();
                if let Some(reclaim) = self.reclaim {
                    if reclaim <= mult {
                        mult = reclaim;
                    } else {
                        log::info!(
                            "gain -r: {:.3} dB not reclaimed (it would clip)",
                            20.0 * (reclaim / mult).log10()
                        );
                    }
                }
                vec![mult * self.fixed; n]
            }
            Channels::Equalise if self.normalise => self
                .buffer
                .iter()
                .map(|ch| Stats::of(std::iter::once(ch)).headroom() * self.fixed)
                .collect(),
            Channels::Equalise => {
                let peaks: Vec<f64> = self
                    .buffer
                    .iter()
                    .map(|ch| Stats::of(std::iter::once(ch)).peak())
                    .collect();
                let max_peak = peaks.iter().copied().fold(0.0, f64::max);
                peaks.iter().map(|p| self.fixed / p * max_peak).collect()
            }
            Channels::Balance | Channels::BalanceNoClip => {
                let stats: Vec<Stats> = self
                    .buffer
                    .iter()
                    .map(|ch| Stats::of(std::iter::once(ch)))
                    .collect();
                let max_rms = stats.iter().map(Stats::rms).fold(0.0, f64::max);
                let mut max_peak = 0.0f64;
                let mut mults: Vec<f64> = stats
                    .iter()
                    .map(|s| {
                        let rms = s.rms();
                        let m = if rms != 0.0 { max_rms / rms } else { 1.0 };
                        // -B without -n does not track peaks in SoX.
                        let peak = if self.channels == Channels::Balance && !self.normalise {
                            (1.0 / SAMPLE_MAX).max(-1.0 / SAMPLE_MIN)
                        } else {
                            s.peak()
                        };
                        max_peak = max_peak.max(m * peak);
                        m * self.fixed
                    })
                    .collect();
                let no_clip = self.channels == Channels::BalanceNoClip && max_peak > 1.0;
                if self.normalise || no_clip {
                    for m in &mut mults {
                        *m /= max_peak;
                    }
                }
                mults
            }
        }
    }
}

impl Effect for ScanGain {
    fn process(&mut self, planar: &mut Planar) {
        for (buf, ch) in self.buffer.iter_mut().zip(planar.iter_mut()) {
            buf.append(ch);
        }
    }

    fn flush(&mut self, planar: &mut Planar) -> Result<()> {
        let factors = self.factors();
        for ((buf, ch), mult) in self.buffer.iter_mut().zip(planar.iter_mut()).zip(factors) {
            ch.extend(buf.drain(..).map(|x| {
                let y = f64::from(x) * mult;
                match self.limiter {
                    Some(l) => limit(y, l) as f32,
                    None => y.clamp(-1.0, 1.0) as f32,
                }
            }));
        }
        Ok(())
    }
}

/// `audiostream effects` entry for `gain`.
pub(crate) const INFO_GAIN: EffectInfo = EffectInfo {
    name: "gain",
    usage: "gain [-e|-B|-b|-r] [-n] [-l|-h] [gain-dB(0)]",
    description: "Amplify or attenuate by dB. -n normalise (peak to 0 dBFS, then gain-dB); \
                  -e equalise channel peaks; -B/-b balance channel RMS (-b: no clipping); \
                  -l simple limiter instead of clipping; -h headroom for later effects, \
                  reclaimed by a later gain -r. -n/-e/-B/-b/-r hold the whole stream until \
                  its end.",
    arguments: &[ArgInfo {
        name: "gain",
        default: "0",
        range: "dB, any finite number",
    }],
};

/// `audiostream effects` entry for `norm`.
pub(crate) const INFO_NORM: EffectInfo = EffectInfo {
    name: "norm",
    usage: "norm [level-dB(0)]",
    description: "Normalise: peak to level dBFS (gain -n); holds the whole stream until its end.",
    arguments: &[ArgInfo {
        name: "level",
        default: "0",
        range: "dB, any finite number",
    }],
};
