//! SoX `speed factor[c]` (`speed.c`): pitch and tempo change together, like a tape played
//! faster or slower. `c` after the number gives the change in cents (`speed -200c` is a whole
//! tone down, the factor `2^(-200/1200)`).
//!
//! SoX's `speed` leaves the samples alone and only relabels the rate (`R` becomes `R ×
//! factor`); the `rate` effect it then inserts before the output resamples back to `R`. We do
//! the same in one step: [`RateChange`] resamples with the crate's resampler (the pipeline's
//! `dsp::Resampler`, rubato's FFT resampler) by the rate ratio `R × factor : R`.
//! Later effects in a chain see the audio at `R` (SoX runs them at `R × factor` and resamples
//! last; for the usual effects the result is the same).
//!
//! Output length: SoX's exactly, `floor(n / factor' + 1/2)` frames for `n` input frames,
//! where `factor' = (R × factor) / R` as SoX computes it in `double`.
//!
//! Quality: the resampler's filter is flat to 0.98 of the Nyquist frequency (SoX's `rate -h`
//! to 0.91) and the ratio exact for simple factors (1.25 = 5/4) or within about 1e-10 for
//! others; on band-limited tones the output is within 116-150 dB of the ideal result
//! (`tests/it/effects_time.rs`). The price is latency: nothing comes out until the resampler
//! has a block and a half of input: 1920 frames for `speed 1.25` (blocks of 1280), but 79641
//! (1.8 s at 44.1 kHz) for `speed -200c`, whose ratio 26547/29798 needs blocks of 53094.
//!
//! Allowed factors: 0.001 to 1000 (±11958 cents); SoX has no limit, the resampler has (rate
//! ratios up to 1024).
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let x = Array2::<f32>::zeros((2, 44100));
//! let out = "speed 1.25".parse::<AudioEffector>()?.apply(x.view(), 44100)?;
//! assert_eq!(out.ncols(), 35280); // 44100 / 1.25
//! let out = AudioEffector::new("speed", &[0.5])?.apply(x.view(), 44100)?;
//! assert_eq!(out.ncols(), 88200);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::registry::{ParseSpec, Registration};
use super::{
    ArgInfo, BuildContext, Channels, Effect, EffectInfo, EffectSpec, Resample, ResamplerFactory,
};
use crate::{Error, Result};
use ndarray::ArrayView2;

pub(crate) const EFFECTS: &[Registration] = &[Registration::of::<SpeedSpec>(INFO_SPEED)];

/// The smallest and largest speed factor: the resampler converts rate ratios up to 1024.
const MIN_FACTOR: f64 = 0.001;
const MAX_FACTOR: f64 = 1000.0;

const SYNOPSIS: &str = "1 (speed factor[c])";

/// Parsed arguments of `speed`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SpeedSpec {
    /// The speed factor (cents already converted).
    factor: f64,
    /// The argument as given, for error messages.
    token: String,
}

impl ParseSpec for SpeedSpec {
    /// Parses SoX's arguments for `speed`: one token, a factor > 0 or cents with a `c` suffix.
    fn parse(_name: &'static str, args: &[&str]) -> Result<Self> {
        let [token] = args else {
            return Err(Error::invalid_argument(
                "speed number of arguments",
                args.len(),
                SYNOPSIS,
            ));
        };
        let bad = || {
            Error::invalid_argument(
                "speed factor",
                token,
                "a number > 0 (1.25), or cents with a c suffix (-200c)",
            )
        };
        // SoX reads `%lf%c`: a number, optionally followed by exactly the letter `c`.
        let (body, cents) = match token.strip_suffix('c') {
            Some(body) => (body, true),
            None => (*token, false),
        };
        let value: f64 = body.parse().map_err(|_| bad())?;
        if !value.is_finite() {
            return Err(bad());
        }
        let factor = if cents {
            (value / 1200.0).exp2()
        } else {
            value
        };
        Ok(SpeedSpec {
            factor,
            token: token.to_string(),
        })
    }
}
impl EffectSpec for SpeedSpec {
    fn name(&self) -> &'static str {
        "speed"
    }

    fn param_names(&self) -> &'static [&'static str] {
        &["factor"]
    }

    fn set(&mut self, _param: &str, value: f64) {
        self.factor = value;
        self.token = value.to_string();
    }

    fn validate(&self) -> Result<()> {
        // NaN fails both comparisons.
        if self.factor >= MIN_FACTOR && self.factor <= MAX_FACTOR {
            Ok(())
        } else {
            Err(Error::invalid_argument(
                "speed factor",
                &self.token,
                format!(
                    "{MIN_FACTOR} to {MAX_FACTOR}, or -11958c to 11958c (SoX: any factor > 0; \
                     the resampler converts rate ratios up to 1024)"
                ),
            ))
        }
    }

    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        let (sample_rate, num_channels, resample) = (cx.sample_rate, cx.channels, cx.resample);
        // SoX: a factor of exactly 1 is a null effect, and no channels means no frames.
        if self.factor == 1.0 || num_channels == 0 {
            return Ok(None);
        }
        // SoX's arithmetic: the speed effect sets the rate to R * factor, and `rate` divides
        // that by the output rate R.
        let rate = f64::from(sample_rate);
        let sox_factor = rate * self.factor / rate;
        Ok(Some(Box::new(RateChange::new(
            sox_factor,
            num_channels,
            resample,
        )?)))
    }

    /// SoX's length, to which the rate change trims or pads: `floor(n / factor' + 1/2)`.
    fn output_frames(&self, sample_rate: u32, input_frames: u64) -> Option<u64> {
        if self.factor == 1.0 {
            return Some(input_frames);
        }
        let rate = f64::from(sample_rate);
        Some(RateChange::output_frames(
            rate * self.factor / rate,
            input_frames,
        ))
    }
}

/// Relative error of the rational rate ratio [`RateChange`] accepts without looking further.
/// (SoX's `rate` itself steps through the input in 32.32 fixed point, off by up to 2e-10.)
const RATIO_TOLERANCE: f64 = 1e-8;

/// The largest rate term preferred for the ratio: the resampler's blocks are about twice the
/// larger term (65536 frames, 1.5 s at 44.1 kHz) and its latency 1.5 blocks.
const PREFERRED_TERM: u32 = 1 << 15;

/// The largest relative ratio error accepted when no closer ratio fits the resampler.
const RATIO_MAX_ERROR: f64 = 1e-6;

/// Output frames held back until the next call, so that `flush` can end the stream at SoX's
/// length even when the rational ratio rounds the other way (see [`RateChange`]).
const HOLD: usize = 16;

/// Resampling by a real ratio as SoX's automatically inserted `rate` effect does: input rate /
/// output rate = `sox_factor`, output length SoX's `floor(n / sox_factor + 1/2)`, output
/// clipped to `[-1, 1]`. Used by `speed` and `pitch`.
///
/// The crate's resampler converts between integer rates, so the ratio is replaced by a
/// convergent `p / q` of its continued fraction: the closest one with terms up to
/// [`PREFERRED_TERM`] (a simple ratio such as 1.25 = 5/4 is exact; an irrational one such as
/// 2^(-200/1200) becomes 26547/29798, off by 1.2e-10), or, if that is off by more than
/// [`RATIO_TOLERANCE`], the first one within it that the resampler supports (longer blocks).
/// Rounding the input rate to an integer instead (`round(R × factor)` Hz → `R` Hz) would be
/// off by up to `0.5 / R` (1e-5 at 44.1 kHz): a timing drift of half a sample every second;
/// at 1e-8, a millisecond takes 28 hours of audio.
///
/// The resampler's own length, `round(n × q / p)`, can differ from SoX's when `n / factor`
/// lies within `n × 1e-8` of a half; holding the last [`HOLD`] output frames back lets
/// `flush` trim or zero-pad to SoX's length exactly (for outputs under about 10^9 frames).
pub(crate) struct RateChange {
    resampler: Box<dyn Resample>,
    /// SoX's `in_rate / out_rate`, for the output length.
    sox_factor: f64,
    channels: usize,
    /// Input frames since the start.
    frames_in: u64,
    /// Output frames returned since the start.
    emitted: u64,
    /// Output frames computed but not returned yet (the last [`HOLD`]).
    held: Channels,
    /// A resampler failure in `process` (which cannot return it), reported by `flush`.
    error: Option<Error>,
}

impl RateChange {
    /// A rate change by `sox_factor` (input rate / output rate) for `channels` channels,
    /// with resamplers from `resample`.
    pub(crate) fn new(
        sox_factor: f64,
        channels: usize,
        resample: &ResamplerFactory,
    ) -> Result<Self> {
        Ok(RateChange {
            resampler: rational_resampler(sox_factor, channels, resample)?.2,
            sox_factor,
            channels,
            frames_in: 0,
            emitted: 0,
            held: vec![Vec::new(); channels],
            error: None,
        })
    }

    /// SoX's `rate`: `(size_t)(samples_in / factor + .5)` output frames for `frames_in`.
    pub(crate) fn output_frames(sox_factor: f64, frames_in: u64) -> u64 {
        (frames_in as f64 / sox_factor + 0.5) as u64
    }

    /// Feeds `planar` to the resampler and moves what it returns into `held`.
    fn feed(&mut self, planar: &Channels) {
        let frames = planar.first().map_or(0, Vec::len);
        if frames == 0 || planar.len() != self.channels {
            return;
        }
        self.frames_in += frames as u64;
        let flat: Vec<f32> = planar.iter().flatten().copied().collect();
        let result = ArrayView2::from_shape((self.channels, frames), &flat)
            .map_err(|e| Error::Unsupported(format!("rate change: {e}")))
            .and_then(|view| self.resampler.process(view));
        match result {
            Ok(out) => {
                for (held, row) in self.held.iter_mut().zip(out.rows()) {
                    held.extend(row.iter());
                }
            }
            Err(e) => self.fail(e),
        }
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            log::warn!("rate change failed (reported at flush): {e}");
            self.error = Some(e);
        }
    }

    /// Moves the first `frames` held frames, clipped to [-1, 1], to the end of `planar`.
    fn emit(&mut self, planar: &mut Channels, frames: usize) {
        for (out, held) in planar.iter_mut().zip(self.held.iter_mut()) {
            let n = frames.min(held.len());
            out.extend(held.drain(..n).map(|x| x.clamp(-1.0, 1.0)));
        }
        self.emitted += frames as u64;
    }
}

impl Effect for RateChange {
    fn process(&mut self, planar: &mut Channels) {
        self.feed(planar);
        for ch in planar.iter_mut() {
            ch.clear();
        }
        let ready = self.held.first().map_or(0, Vec::len).saturating_sub(HOLD);
        self.emit(planar, ready);
    }

    fn flush(&mut self, planar: &mut Channels) -> Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let tail = self.resampler.flush()?;
        for (held, row) in self.held.iter_mut().zip(tail.rows()) {
            held.extend(row.iter());
        }
        let target = Self::output_frames(self.sox_factor, self.frames_in);
        let want = usize::try_from(target.saturating_sub(self.emitted))
            .map_err(|_| Error::Unsupported(format!("{target} output frames")))?;
        for held in self.held.iter_mut() {
            // Past the resampler's length: SoX's output there is the filter's decay into the
            // silence after the end, a frame below the noise floor; zeros.
            held.resize(want, 0.0);
        }
        self.emit(planar, want);
        self.frames_in = 0;
        self.emitted = 0;
        Ok(())
    }
}

/// A resampler between integer rates `p` and `q` with `p / q` close to `ratio` (see
/// [`RateChange`]): the closest continued-fraction convergent with terms up to
/// [`PREFERRED_TERM`], else the first within [`RATIO_TOLERANCE`] the resampler accepts.
fn rational_resampler(
    ratio: f64,
    channels: usize,
    resample: &ResamplerFactory,
) -> Result<(u32, u32, Box<dyn Resample>)> {
    let unsupported = || {
        Error::Unsupported(format!(
            "rate change by {ratio}: no rational ratio the resampler supports is within \
             {RATIO_MAX_ERROR} of it"
        ))
    };
    if !(ratio.is_finite() && ratio > 0.0) {
        return Err(unsupported());
    }
    let candidates = convergents(ratio);
    let error = |&(p, q): &(u32, u32)| (f64::from(p) / f64::from(q) / ratio - 1.0).abs();
    let preferred = candidates
        .iter()
        .rposition(|&(p, q)| p.max(q) <= PREFERRED_TERM)
        .filter(|&i| {
            candidates
                .get(i)
                .is_some_and(|c| error(c) <= RATIO_TOLERANCE)
        });
    let first_good = preferred.unwrap_or_else(|| {
        candidates
            .iter()
            .position(|c| error(c) <= RATIO_TOLERANCE)
            .unwrap_or(candidates.len().saturating_sub(1))
    });
    // Later convergents are closer but need longer blocks: step back to the first the
    // resampler supports (a refusal costs nothing: it comes before planning an FFT).
    for c in candidates.iter().take(first_good + 1).rev() {
        if error(c) > RATIO_MAX_ERROR {
            break;
        }
        match resample(c.0, c.1, channels) {
            Ok(r) => return Ok((c.0, c.1, r)),
            Err(Error::Unsupported(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(unsupported())
}

/// The convergents `p / q` of `x`'s continued fraction with `1 <= p, q < 2^21` (the
/// resampler's blocks are at most 2^20 frames), from the coarsest.
fn convergents(x: f64) -> Vec<(u32, u32)> {
    const LIMIT: u64 = 1 << 21;
    let mut out = Vec::new();
    // h(-2) = 0, h(-1) = 1; k(-2) = 1, k(-1) = 0.
    let (mut h0, mut h1, mut k0, mut k1) = (0u64, 1u64, 1u64, 0u64);
    let mut rest = x;
    for _ in 0..64 {
        let a = rest.floor();
        if !(a >= 0.0 && a < LIMIT as f64) {
            break;
        }
        let a = a as u64;
        let (h, k) = (a * h1 + h0, a * k1 + k0);
        if h >= LIMIT || k >= LIMIT {
            break;
        }
        if h >= 1 {
            if let (Ok(p), Ok(q)) = (u32::try_from(h), u32::try_from(k)) {
                out.push((p, q));
            }
        }
        (h0, h1, k0, k1) = (h1, h, k1, k);
        let frac = rest - a as f64;
        // Exact (or as exact as a double gets): the continued fraction ends here.
        if frac < 1e-12 {
            break;
        }
        rest = 1.0 / frac;
    }
    out
}

/// `audiostream effects` entry for `speed`.
const INFO_SPEED: EffectInfo = EffectInfo {
    name: "speed",
    usage: "speed factor[c]",
    description: "Change pitch and tempo together (like a tape): resample by the factor; \
                  the length changes by 1/factor.",
    arguments: &[ArgInfo {
        name: "factor",
        default: "required",
        range: "0.001 to 1000 (> 1 faster and higher); with a c suffix, cents \
                (-11958c to 11958c)",
    }],
};

// The tests build the effect with the pipeline's resampler (rubato: feature `decode`).
#[cfg(all(test, feature = "decode"))]
mod tests {
    use super::*;

    /// The ratio the resampler of `rational_resampler` converts, and its relative error.
    fn ratio(r: f64) -> (u32, u32, f64) {
        let (p, q, _) = rational_resampler(r, 1, &crate::pipeline::resampler_factory).unwrap();
        (p, q, (f64::from(p) / f64::from(q) / r - 1.0).abs())
    }

    #[test]
    fn ratios_are_close_and_supported() {
        assert_eq!(ratio(1.25), (5, 4, 0.0));
        assert_eq!(ratio(0.5), (1, 2, 0.0));
        assert_eq!(ratio(1000.0), (1000, 1, 0.0));
        assert_eq!(ratio(0.001), (1, 1000, 0.0));
        // Arbitrary speeds, and 1/2^(k/12) semitones (irrational).
        for x in [0.00123, 0.0371, 0.7777, 7.7, 77.7] {
            let (p, q, err) = ratio(x);
            assert!(err <= RATIO_MAX_ERROR, "{x}: {p}/{q} off by {err}");
        }
        for k in (-48..=48).step_by(8) {
            let r = (f64::from(k) / 12.0).exp2();
            let (p, q, err) = ratio(r);
            // Within the tolerance, or close to it where the next convergent's blocks would
            // be too long (2^(-44/12): 379/4813, 2.2e-9).
            assert!(err <= 10.0 * RATIO_TOLERANCE, "{r}: {p}/{q} off by {err}");
        }
    }
}
