//! The biquad filters of SoX's `biquads.c` (RBJ Audio-EQ cookbook): `lowpass`, `highpass`
//! (one or two poles), `bandpass` (`-c`: constant skirt gain), `bandreject`, `allpass`,
//! `equalizer`, `bass` and `treble`.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let fx: AudioEffector = "lowpass 1000 bass 3".parse()?;
//! let out = fx.apply(Array2::<f32>::zeros((2, 100)).view(), 16000)?;
//! assert_eq!(out.dim(), (2, 100));
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::{Effect, Planar};
use crate::{Error, Result};
use std::f64::consts::PI;

/// Which cookbook filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FilterKind {
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
pub(crate) enum WidthType {
    Hz,
    Octaves,
    Q,
    Slope,
}

/// A filter as parsed, before the sample rate is known.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BiquadSpec {
    pub(crate) effect: &'static str,
    pub(crate) kind: FilterKind,
    pub(crate) frequency: f64,
    pub(crate) width: f64,
    pub(crate) width_type: WidthType,
    pub(crate) gain: f64,
}

impl BiquadSpec {
    /// Normalized coefficients `[b0, b1, b2, a1, a2]`, or `None` when SoX treats the filter
    /// as a no-op (a shelf or peak with 0 dB gain).
    pub(crate) fn coefficients(&self, sample_rate: u32) -> Result<Option<[f64; 5]>> {
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
pub(crate) struct Biquad {
    c: [f64; 5],
    /// Per channel `[i1, i2, o1, o2]`.
    state: Vec<[f64; 4]>,
}

impl Biquad {
    pub(crate) fn new(c: [f64; 5], num_channels: usize) -> Self {
        Biquad {
            c,
            state: vec![[0.0; 4]; num_channels],
        }
    }
}

impl Effect for Biquad {
    fn process(&mut self, planar: &mut Planar) {
        let c = self.c;
        // Stereo: both channels in one loop, so the CPU overlaps their two recurrences (each
        // alone is bound by the latency of its multiply-add chain).
        if let ([left, right], [sl, sr]) = (planar.as_mut_slice(), self.state.as_mut_slice()) {
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
        for (ch, s) in planar.iter_mut().zip(self.state.iter_mut()) {
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
