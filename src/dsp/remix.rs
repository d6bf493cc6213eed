//! Channel remixing (up- and down-mixing) with a fixed coefficient matrix.
//!
//! [`Remixer`] maps `(in_channels, frames)` audio to `(out_channels, frames)` with an
//! `out × in` matrix: `out[o][t] = Σ_k matrix[o][k] · in[k][t]`. It has no state, so it is
//! trivially chunk-invariant; each output sample is summed in `f32` in input-channel order,
//! skipping zero coefficients, which is the order FFmpeg's swresample uses (so our 5.1 and 7.1
//! downmixes are bit-identical to FFmpeg's).
//!
//! # Rules of [`Remixer::new`]
//!
//! Channel orders are FFmpeg's and WAVE's (`WAVE_FORMAT_EXTENSIBLE` channel-mask order):
//! 5.1 is `FL FR FC LFE BL BR`, 7.1 is `FL FR FC LFE BL BR SL SR`.
//!
//! | in → out | rule |
//! |---|---|
//! | N → N | identity (an exact copy) |
//! | 1 → 2 | copy: `L = R = M` |
//! | 2 → 1 | average: `M = 0.5 L + 0.5 R` |
//! | 6 (5.1) → 2 | ITU-R BS.775: `L = FL + g FC + g BL`, `R = FR + g FC + g BR`, LFE dropped, then normalized |
//! | 8 (7.1) → 2 | ITU-R BS.775: `L = FL + g FC + g BL + g SL`, `R` likewise, LFE dropped, then normalized |
//! | 6 or 8 → 1 | the stereo downmix above, then averaged: `M = 0.5 L + 0.5 R` |
//! | N → M, M < N (others) | output `i` averages the inputs `i, i+M, i+2M, …` |
//! | N → M, M > N (others) | output `j` copies input `j mod N` |
//!
//! `g = 1/√2 = 0.7071…` (-3 dB), the surround and centre levels of ITU-R BS.775-3 (Table 2)
//! and FFmpeg's defaults (`center_mix_level`, `surround_mix_level`; `lfe_mix_level` is 0).
//!
//! **Normalization.** Every matrix is scaled so that no output row's absolute coefficients
//! sum to more than 1: a full-scale input cannot clip. For 5.1 → stereo this divides by
//! `1 + 2g = 2.414` (`FL` → 0.4142, `FC`, `BL` → 0.2929); for 7.1 by `1 + 3g = 3.121`
//! (`FL` → 0.3204, `FC`, `BL`, `SL` → 0.2265). This is what FFmpeg does (`-ac 2`) when the
//! output or internal sample format is an integer one (e.g. writing 16-bit WAV), or with
//! `-af aresample=rematrix_maxval=1`; FFmpeg with float output does *not* normalize (its 5.1
//! `FL` coefficient is then 1.0), nor does the W3C Web Audio API's "speakers" down-mix. The
//! rules that only average or copy are already normalized.
//!
//! **Differences from FFmpeg.** FFmpeg's mono → stereo is `L = R = 0.7071 M` (-3 dB); ours
//! copies (as SoX's `channels 2`/`remix 1 1` and the Web Audio API's up-mix), so that
//! mono → stereo → mono is exact. Other channel counts (3, 4, 5, 7, …) follow the generic
//! rules above, not FFmpeg's layout-aware matrices. For any other mix, build the matrix
//! yourself with [`Remixer::from_matrix`].
//!
//! References: ITU-R BS.775-3, *Multichannel stereophonic sound system with and without
//! accompanying picture* (2012), Table 2; FFmpeg `libswresample/rematrix.c`
//! (`swr_build_matrix`); W3C *Web Audio API*, "Channel Up-Mixing and Down-Mixing".

use super::MAX_CHANNELS;
use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView2};

/// `1/√2`, the centre and surround level of ITU-R BS.775 (FFmpeg's `M_SQRT1_2`).
const G: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// A channel remixer: `(in_channels, frames)` → `(out_channels, frames)` through an
/// `out × in` coefficient matrix. See the [module documentation](self) for the rules.
///
/// ```
/// use audiostream::dsp::Remixer;
/// use audiostream::ndarray::array;
///
/// let mut down = Remixer::new(2, 1)?;
/// let mono = down.process(array![[1.0f32, 0.5], [0.0, 0.5]].view())?;
/// assert_eq!(mono, array![[0.5f32, 0.5]]);
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Remixer {
    matrix: Array2<f32>,
    /// Per output channel: the `(input channel, coefficient)` pairs with a nonzero coefficient.
    taps: Vec<Vec<(usize, f32)>>,
    /// `in == out` and the matrix is the identity: copy.
    identity: bool,
}

/// The matrix of [`Remixer::new`] in `f64`, before normalization.
fn default_matrix(n_in: usize, n_out: usize) -> Array2<f64> {
    let mut m = Array2::<f64>::zeros((n_out, n_in));
    match (n_in, n_out) {
        _ if n_in == n_out => m.diag_mut().fill(1.0),
        // 5.1 (FL FR FC LFE BL BR) and 7.1 (+ SL SR) to stereo, BS.775; LFE dropped.
        (6 | 8, 2) => {
            for (o, (front, back, side)) in [(0, 4, 6), (1, 5, 7)].into_iter().enumerate() {
                m[[o, front]] = 1.0;
                m[[o, 2]] = G;
                m[[o, back]] = G;
                if n_in == 8 {
                    m[[o, side]] = G;
                }
            }
        }
        // 5.1 and 7.1 to mono: the normalized stereo downmix, averaged.
        (6 | 8, 1) => {
            let stereo = normalized(default_matrix(n_in, 2));
            let mono = (&stereo.row(0) + &stereo.row(1)) * 0.5;
            m.row_mut(0).assign(&mono);
        }
        // Fewer outputs: output i averages inputs i, i+M, i+2M, ...
        _ if n_out < n_in => {
            for o in 0..n_out {
                let ins: Vec<usize> = (o..n_in).step_by(n_out).collect();
                let w = 1.0 / ins.len() as f64;
                for i in ins {
                    m[[o, i]] = w;
                }
            }
        }
        // More outputs: output j copies input j mod N.
        _ => {
            for o in 0..n_out {
                m[[o, o % n_in]] = 1.0;
            }
        }
    }
    m
}

/// Scales `m` so that no row's absolute coefficients sum to more than 1 (FFmpeg's
/// normalization: one factor for the whole matrix, the largest row sum, summed in input order).
fn normalized(mut m: Array2<f64>) -> Array2<f64> {
    let max = m
        .rows()
        .into_iter()
        .map(|row| row.iter().fold(0.0, |acc, v| acc + v.abs()))
        .fold(0.0, f64::max);
    if max > 1.0 {
        m.mapv_inplace(|v| v / max);
    }
    m
}

impl Remixer {
    /// A remixer from `in_channels` to `out_channels` with the rules of the
    /// [module documentation](self) (ITU-R BS.775 for 5.1 and 7.1, normalized).
    ///
    /// Errors: [`Error::InvalidArgument`] if a channel count is not in `1..=`[`MAX_CHANNELS`].
    ///
    /// ```
    /// use audiostream::dsp::Remixer;
    /// let r = Remixer::new(6, 2)?; // 5.1 -> stereo
    /// let l = r.matrix().row(0).to_vec();
    /// assert!((l[0] - 0.41421).abs() < 1e-5 && (l[2] - 0.29289).abs() < 1e-5 && l[3] == 0.0);
    /// assert!(Remixer::new(0, 2).is_err());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn new(in_channels: usize, out_channels: usize) -> Result<Self> {
        for (name, n) in [("in_channels", in_channels), ("out_channels", out_channels)] {
            if n == 0 || n > MAX_CHANNELS {
                let allowed = format!("1 to {MAX_CHANNELS} channels");
                return Err(Error::invalid_argument(name, n, allowed));
            }
        }
        let m = normalized(default_matrix(in_channels, out_channels));
        Self::from_matrix(m.mapv(|v| v as f32))
    }

    /// A remixer with a given `out × in` coefficient matrix (no normalization is applied).
    ///
    /// Errors: [`Error::InvalidArgument`] if the matrix has no rows or no columns (or more than
    /// [`MAX_CHANNELS`]), or a coefficient is not finite.
    ///
    /// ```
    /// use audiostream::dsp::Remixer;
    /// use audiostream::ndarray::array;
    /// // FFmpeg's unnormalized float mono -> stereo: -3 dB in both channels.
    /// let mut r = Remixer::from_matrix(array![[0.5f32], [0.5]])?;
    /// assert_eq!(r.process(array![[1.0f32]].view())?, array![[0.5f32], [0.5]]);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_matrix(matrix: Array2<f32>) -> Result<Self> {
        let (n_out, n_in) = matrix.dim();
        if n_out == 0 || n_in == 0 || n_out > MAX_CHANNELS || n_in > MAX_CHANNELS {
            return Err(Error::invalid_argument(
                "matrix shape",
                format!("{n_out} x {n_in}"),
                format!("1 to {MAX_CHANNELS} output rows and input columns"),
            ));
        }
        if let Some(bad) = matrix.iter().find(|v| !v.is_finite()) {
            return Err(Error::invalid_argument(
                "matrix coefficient",
                bad,
                "finite numbers",
            ));
        }
        let taps = matrix
            .rows()
            .into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(_, c)| **c != 0.0)
                    .map(|(k, c)| (k, *c))
                    .collect()
            })
            .collect();
        let identity = n_in == n_out
            && matrix
                .indexed_iter()
                .all(|((o, i), c)| *c == if o == i { 1.0 } else { 0.0 });
        Ok(Remixer {
            matrix,
            taps,
            identity,
        })
    }

    /// The `out × in` coefficients: `matrix()[[o, i]]` is the gain from input channel `i` to
    /// output channel `o`.
    ///
    /// ```
    /// use audiostream::dsp::Remixer;
    /// use audiostream::ndarray::array;
    /// assert_eq!(Remixer::new(1, 2)?.matrix(), &array![[1.0f32], [1.0]]);
    /// assert_eq!(Remixer::new(2, 1)?.matrix(), &array![[0.5f32, 0.5]]);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn matrix(&self) -> &Array2<f32> {
        &self.matrix
    }

    /// The number of channels the input must have.
    ///
    /// ```
    /// assert_eq!(audiostream::dsp::Remixer::new(8, 2)?.in_channels(), 8);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn in_channels(&self) -> usize {
        self.matrix.ncols()
    }

    /// The number of channels of the output.
    ///
    /// ```
    /// assert_eq!(audiostream::dsp::Remixer::new(8, 2)?.out_channels(), 2);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn out_channels(&self) -> usize {
        self.matrix.nrows()
    }

    /// Remixes a `(in_channels, frames)` chunk to `(out_channels, frames)`. Chunks may have
    /// any number of frames and any memory layout. Takes `&mut self` like the other stages,
    /// though the remixer has no state.
    ///
    /// Errors: [`Error::InvalidArgument`] if the chunk does not have
    /// [`in_channels`](Self::in_channels) rows.
    ///
    /// ```
    /// use audiostream::dsp::Remixer;
    /// use audiostream::ndarray::array;
    /// let mut up = Remixer::new(1, 2)?;
    /// assert_eq!(up.process(array![[0.25f32, -1.0]].view())?, array![[0.25f32, -1.0], [0.25, -1.0]]);
    /// assert!(up.process(array![[0.0f32], [0.0]].view()).is_err());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn process(&mut self, chunk: ArrayView2<f32>) -> Result<Array2<f32>> {
        if chunk.nrows() != self.in_channels() {
            return Err(Error::invalid_argument(
                "chunk channels",
                chunk.nrows(),
                format!("{} (the remixer's input channels)", self.in_channels()),
            ));
        }
        if self.identity {
            return Ok(chunk.to_owned());
        }
        let mut out = Array2::<f32>::zeros((self.out_channels(), chunk.ncols()));
        for (mut out_row, taps) in out.rows_mut().into_iter().zip(&self.taps) {
            for &(k, c) in taps {
                // `Zip` runs contiguous rows as plain slices (vectorised); an element iterator
                // pair walks strides and cost ~30 instructions a frame (callgrind).
                ndarray::Zip::from(&mut out_row)
                    .and(chunk.row(k))
                    .for_each(|o, &x| *o += x * c);
            }
        }
        Ok(out)
    }
}
