//! Sample-wise effects: `gain`/`vol` (a fixed factor), `overdrive` and `reverse`.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::array;
//! let out = AudioEffector::new("gain", &[-6.0])?.apply(array![[0.5f32, -0.5]].view(), 8000)?;
//! assert!((out[[0, 0]] - 0.2506).abs() < 1e-3);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::{Effect, Planar};

/// Multiplies every sample by a fixed factor and clips to `[-1, 1]`, as SoX's `gain dB` and
/// `vol` do (`SOX_ROUND_CLIP_COUNT(x * factor)`).
pub(crate) struct Scale {
    pub(crate) factor: f64,
}

impl Effect for Scale {
    fn process(&mut self, planar: &mut Planar) {
        for ch in planar.iter_mut() {
            for x in ch.iter_mut() {
                *x = (f64::from(*x) * self.factor).clamp(-1.0, 1.0) as f32;
            }
        }
    }
}

/// SoX `overdrive.c`: gain (linear), colour offset, cubic soft clip, a DC blocker
/// (`y = d - last_in + 0.995 * last_out`) and the mix `0.5 * dry + 0.75 * y`, clipped.
/// One state per channel (SoX runs one instance per channel).
pub(crate) struct Overdrive {
    gain: f64,
    colour: f64,
    last_in: Vec<f64>,
    last_out: Vec<f64>,
}

impl Overdrive {
    /// `gain_db` and `colour` as SoX takes them (dB, 0–100).
    pub(crate) fn new(gain_db: f64, colour: f64, num_channels: usize) -> Self {
        Overdrive {
            gain: 10f64.powf(gain_db / 20.0),
            colour: colour / 200.0,
            last_in: vec![0.0; num_channels],
            last_out: vec![0.0; num_channels],
        }
    }
}

impl Effect for Overdrive {
    fn process(&mut self, planar: &mut Planar) {
        let (gain, colour) = (self.gain, self.colour);
        // Stereo: both channels in one loop, so the CPU overlaps their DC-blocker recurrences.
        if let ([left, right], [il, ir], [ol, or]) = (
            planar.as_mut_slice(),
            self.last_in.as_mut_slice(),
            self.last_out.as_mut_slice(),
        ) {
            if left.len() == right.len() {
                for (xl, xr) in left.iter_mut().zip(right.iter_mut()) {
                    *xl = overdrive_step(gain, colour, il, ol, *xl);
                    *xr = overdrive_step(gain, colour, ir, or, *xr);
                }
                return;
            }
        }
        for ((ch, last_in), last_out) in planar
            .iter_mut()
            .zip(self.last_in.iter_mut())
            .zip(self.last_out.iter_mut())
        {
            for x in ch.iter_mut() {
                *x = overdrive_step(gain, colour, last_in, last_out, *x);
            }
        }
    }
}

/// One sample of SoX's overdrive for one channel's DC-blocker state.
#[inline(always)]
fn overdrive_step(gain: f64, colour: f64, last_in: &mut f64, last_out: &mut f64, x: f32) -> f32 {
    let d0 = f64::from(x);
    let d = d0 * gain + colour;
    let d = if d < -1.0 {
        -2.0 / 3.0
    } else if d > 1.0 {
        2.0 / 3.0
    } else {
        d - d * d * d * (1.0 / 3.0)
    };
    *last_out = d - *last_in + 0.995 * *last_out;
    *last_in = d;
    (d0 * 0.5 + *last_out * 0.75).clamp(-1.0, 1.0) as f32
}

/// SoX `reverse`: needs the whole signal, so it keeps everything until `flush`.
pub(crate) struct Reverse {
    buffer: Planar,
}

impl Reverse {
    pub(crate) fn new(num_channels: usize) -> Self {
        Reverse {
            buffer: vec![Vec::new(); num_channels],
        }
    }
}

impl Effect for Reverse {
    fn process(&mut self, planar: &mut Planar) {
        for (buf, ch) in self.buffer.iter_mut().zip(planar.iter_mut()) {
            buf.append(ch);
        }
    }

    fn flush(&mut self, planar: &mut Planar) -> crate::Result<()> {
        for (buf, ch) in self.buffer.iter_mut().zip(planar.iter_mut()) {
            buf.reverse();
            ch.append(buf);
        }
        Ok(())
    }
}

/// SoX `vol gain type limiter-gain`: samples whose gained value would pass full scale are
/// mapped by a line of slope `limiter-gain` ending at full scale instead (the threshold is
/// where the two lines meet, so there is no jump); others are multiplied by the gain.
pub(crate) struct VolLimiter {
    gain: f64,
    limiter_gain: f64,
    threshold: f64,
}

impl VolLimiter {
    /// `gain` as an amplitude factor (|gain| > 1), `limiter_gain` in (0, 1).
    pub(crate) fn new(gain: f64, limiter_gain: f64) -> Self {
        VolLimiter {
            gain,
            limiter_gain,
            threshold: (1.0 - limiter_gain) / (gain.abs() - limiter_gain),
        }
    }
}

impl Effect for VolLimiter {
    fn process(&mut self, planar: &mut Planar) {
        let (g, l, t) = (self.gain, self.limiter_gain, self.threshold);
        for ch in planar.iter_mut() {
            for x in ch.iter_mut() {
                let v = f64::from(*x);
                let y = if v > t {
                    1.0 - l * (1.0 - v)
                } else if v < -t {
                    -(1.0 - l * (1.0 + v))
                } else {
                    g * v
                };
                *x = y.clamp(-1.0, 1.0) as f32;
            }
        }
    }
}
