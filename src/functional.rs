//! Functional forms of effects on whole arrays (torchaudio's `torchaudio.functional`).
//!
//! ```
//! use audiostream::functional::overdrive;
//! use audiostream::ndarray::Array2;
//! let out = overdrive(Array2::<f32>::zeros((2, 100)).view(), 20.0, 20.0);
//! assert_eq!(out.dim(), (2, 100));
//! ```

use crate::effects::{Effect, OverdriveState};
use ndarray::{Array2, ArrayView2};

/// SoX's `overdrive gain colour` on a whole `(channels, frames)` array (torchaudio's
/// `functional.overdrive`, default `gain = 20`, `colour = 20`): the same algorithm as the
/// `overdrive` effect of [`AudioEffector`](crate::AudioEffector), output clamped to `[-1, 1]`.
/// Unlike the effect, the values are not range-checked (torchaudio does not check them), and
/// `gain = 0, colour = 0` still runs the curve as torchaudio does (SoX and the effect treat
/// it as a no-op).
///
/// ```
/// use audiostream::{functional::overdrive, AudioEffector};
/// use audiostream::ndarray::array;
/// let x = array![[0.1f32, 0.5, -0.3, 0.0]];
/// let fx = AudioEffector::new("overdrive", &[10.0, 30.0])?;
/// assert_eq!(overdrive(x.view(), 10.0, 30.0), fx.apply(x.view(), 8000)?);
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn overdrive(waveform: ArrayView2<'_, f32>, gain: f64, colour: f64) -> Array2<f32> {
    let mut planar: Vec<Vec<f32>> = waveform.rows().into_iter().map(|r| r.to_vec()).collect();
    OverdriveState::new(gain, colour, waveform.nrows()).process(&mut planar);
    let mut out = Array2::zeros(waveform.raw_dim());
    for (mut row, ch) in out.rows_mut().into_iter().zip(planar) {
        for (o, x) in row.iter_mut().zip(ch) {
            *o = x;
        }
    }
    out
}
