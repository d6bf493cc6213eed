//! SoX `gain [-e|-B|-b|-r] [-n] [-l|-h] [gain-dB]` and `norm [level]` (= `gain -n`).
//!
//! The plain form multiplies and clips. The scanning forms (`-n` normalise, `-e` equalise
//! channel peaks, `-B`/`-b` balance channel RMS, `-r` reclaim the headroom an earlier
//! `gain -h` made) need the whole signal before the first output sample: the stream holds
//! everything until `flush`, as SoX does, in memory up to
//! [`SPOOL_AFTER_SAMPLES`](crate::limits::SPOOL_AFTER_SAMPLES) and beyond in a temporary file
//! (SoX's `tmpfile()`; `spool.rs`), read back a piece at a time. `-l` replaces
//! clipping with SoX's simple limiter, `y / (1 + (1 - 1/g) |y|)`.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::array;
//! let out = "gain -n -6".parse::<AudioEffector>()?.apply(array![[0.25f32, -0.1]].view(), 8000)?;
//! assert!((out[[0, 0]] - 0.5012).abs() < 1e-3); // peak at -6 dBFS
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::args::number_in;
use super::registry::{ParseSpec, Registration};
use super::spool::Spool;
use super::{ArgInfo, BuildContext, Channels, Effect, EffectInfo, EffectSpec};
use crate::{Error, Result};

pub(crate) const EFFECTS: &[Registration] = &[
    Registration::of::<GainSpec>(INFO_GAIN),
    Registration::of::<GainSpec>(INFO_NORM),
];

/// What a gain argument must be.
const DB: &str = "a finite number of dB";

/// SoX's sample scale: a float sample `x` is the integer `x * 2^31`.
const SAMPLE_SCALE: f64 = 2_147_483_648.0;
const SAMPLE_MAX: f64 = 2_147_483_647.0;
const SAMPLE_MIN: f64 = -2_147_483_648.0;

/// How the whole-signal scan sets the gain of each channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scan {
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
    channels: Scan,
    normalise: bool,
    reclaim: bool,
    headroom: bool,
    limiter: bool,
}

impl ParseSpec for GainSpec {
    /// Parses `gain [-e|-B|-b|-r] [-n] [-l|-h] [gain-dB]` or `norm [level]`.
    fn parse(name: &'static str, args: &[&str]) -> Result<Self> {
        let mut spec = GainSpec {
            name: "gain",
            gain: 0.0,
            channels: Scan::Together,
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
                spec.gain = number_in("norm", "level", level, DB)?;
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
                    'e' => exclusive.push(('e', Scan::Equalise)),
                    'B' => exclusive.push(('B', Scan::Balance)),
                    'b' => exclusive.push(('b', Scan::BalanceNoClip)),
                    'r' => {
                        spec.reclaim = true;
                        exclusive.push(('r', Scan::Together));
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
            [g] => spec.gain = number_in("gain", "gain", g, DB)?,
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
}

impl GainSpec {
    /// Whether the effect needs the whole signal before it outputs anything.
    fn scans(&self) -> bool {
        self.normalise || self.reclaim || self.channels != Scan::Together
    }

    /// The running effect; `headroom` is what an earlier `gain -h` attenuated by (needed by
    /// `-r`).
    fn build_with(
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
            stats: vec![Stats::new(); num_channels],
            spool: Spool::new(self.name, num_channels),
            factors: Vec::new(),
            failed: None,
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

    /// Takes the headroom an earlier `gain -h` of the chain made (`-r` reclaims it), and
    /// passes its own on: a `gain -h` makes some, a `gain -r` uses it up.
    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        let effect = self.build_with(cx.channels, cx.headroom)?;
        if self.headroom {
            cx.headroom = Some(db_to_linear(self.gain));
        } else if self.reclaim {
            cx.headroom = None;
        }
        Ok(effect)
    }

    /// Every form keeps the length (the scanning forms only hold it back until the end).
    fn output_frames(&self, _sample_rate: u32, input_frames: u64) -> Option<u64> {
        Some(input_frames)
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
    fn process(&mut self, planar: &mut Channels) {
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

/// The scanning forms: everything is held until `flush` (in memory, then in a temporary file:
/// [`Spool`]), then scaled; the statistics are gathered on the way in.
struct ScanGain {
    fixed: f64,
    limiter: Option<f64>,
    channels: Scan,
    normalise: bool,
    /// `-r`: the factor to reclaim.
    reclaim: Option<f64>,
    /// Per channel, of everything so far.
    stats: Vec<Stats>,
    spool: Spool,
    /// The factors, once the stream has ended, while the spooled samples are read back.
    factors: Vec<f64>,
    /// An error of `process` (which cannot return one), returned by the next call that can.
    failed: Option<Error>,
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
    /// SoX starts from 1 and -1 (integer units), so silence does not divide by zero.
    fn new() -> Stats {
        Stats {
            max: 1.0,
            min: -1.0,
            sum_squares: 0.0,
            count: 0.0,
        }
    }

    /// Adds samples, in order (the sum of squares is summed in the stream's order, so it is
    /// the same however the stream was cut into chunks).
    fn add(&mut self, samples: &[f32]) {
        for &x in samples {
            let v = f64::from(x);
            let i = (v * SAMPLE_SCALE).round().clamp(SAMPLE_MIN, SAMPLE_MAX);
            self.max = self.max.max(i);
            self.min = self.min.min(i);
            self.sum_squares += v * v;
            self.count += 1.0;
        }
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
        let n = self.stats.len();
        match self.channels {
            Scan::Together => {
                // Peaks only: the channels' extremes together.
                let all = self.stats.iter().fold(Stats::new(), |a, s| Stats {
                    max: a.max.max(s.max),
                    min: a.min.min(s.min),
                    ..a
                });
                let mut mult = all.headroom();
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
            Scan::Equalise if self.normalise => self
                .stats
                .iter()
                .map(|s| s.headroom() * self.fixed)
                .collect(),
            Scan::Equalise => {
                let peaks: Vec<f64> = self.stats.iter().map(Stats::peak).collect();
                let max_peak = peaks.iter().copied().fold(0.0, f64::max);
                peaks.iter().map(|p| self.fixed / p * max_peak).collect()
            }
            Scan::Balance | Scan::BalanceNoClip => {
                let stats = &self.stats;
                let max_rms = stats.iter().map(Stats::rms).fold(0.0, f64::max);
                let mut max_peak = 0.0f64;
                let mut mults: Vec<f64> = stats
                    .iter()
                    .map(|s| {
                        let rms = s.rms();
                        let m = if rms != 0.0 { max_rms / rms } else { 1.0 };
                        // -B without -n does not track peaks in SoX.
                        let peak = if self.channels == Scan::Balance && !self.normalise {
                            (1.0 / SAMPLE_MAX).max(-1.0 / SAMPLE_MIN)
                        } else {
                            s.peak()
                        };
                        max_peak = max_peak.max(m * peak);
                        m * self.fixed
                    })
                    .collect();
                let no_clip = self.channels == Scan::BalanceNoClip && max_peak > 1.0;
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

impl ScanGain {
    /// Scales `samples` by `mult` and clips or limits them.
    fn scale(&self, samples: impl Iterator<Item = f32>, mult: f64, out: &mut Vec<f32>) {
        out.extend(samples.map(|x| {
            let y = f64::from(x) * mult;
            match self.limiter {
                Some(l) => limit(y, l) as f32,
                None => y.clamp(-1.0, 1.0) as f32,
            }
        }));
    }

    /// Starts the next stream: statistics from scratch.
    fn restart(&mut self) {
        for s in &mut self.stats {
            *s = Stats::new();
        }
        self.factors.clear();
    }
}

impl Effect for ScanGain {
    /// Only through [`try_process`](Effect::try_process), which can fail (the temporary
    /// file); an error here is kept for the next call that can return it.
    fn process(&mut self, planar: &mut Channels) {
        if let Err(e) = self.try_process(planar) {
            self.failed.get_or_insert(e);
        }
    }

    fn try_process(&mut self, planar: &mut Channels) -> Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        for (s, ch) in self.stats.iter_mut().zip(planar.iter()) {
            s.add(ch);
        }
        self.spool.push(planar)
    }

    /// A stream held in memory comes out here, whole; a spooled one is read back by `drain`,
    /// a piece at a time.
    fn flush(&mut self, planar: &mut Channels) -> Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.factors = self.factors();
        let mut held: Channels = vec![Vec::new(); planar.len()];
        if self.spool.finish(&mut held)?.is_some() {
            return Ok(());
        }
        for ((h, ch), &mult) in held.into_iter().zip(planar.iter_mut()).zip(&self.factors) {
            self.scale(h.into_iter(), mult, ch);
        }
        self.restart();
        Ok(())
    }

    fn pending(&self) -> bool {
        self.spool.remaining() > 0
    }

    fn drain(&mut self, planar: &mut Channels, max: usize) -> Result<()> {
        let mut piece: Channels = vec![Vec::new(); planar.len()];
        self.spool.read(&mut piece, max)?;
        for ((p, ch), &mult) in piece.into_iter().zip(planar.iter_mut()).zip(&self.factors) {
            self.scale(p.into_iter(), mult, ch);
        }
        if self.spool.remaining() == 0 {
            self.restart();
        }
        Ok(())
    }
}

/// `audiostream effects` entry for `gain`.
const INFO_GAIN: EffectInfo = EffectInfo {
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
const INFO_NORM: EffectInfo = EffectInfo {
    name: "norm",
    usage: "norm [level-dB(0)]",
    description: "Normalise: peak to level dBFS (gain -n); holds the whole stream until its end.",
    arguments: &[ArgInfo {
        name: "level",
        default: "0",
        range: "dB, any finite number",
    }],
};
