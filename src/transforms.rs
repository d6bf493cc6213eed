//! Stateful transforms with torchaudio's names (seed: `torchaudio.transforms.Resample`).

use crate::pipeline::{Pipeline, Stage};
use crate::{dsp, Result};
use ndarray::{Array2, ArrayView2};

/// Resamples `(channels, frames)` audio chunk by chunk (seed: `torchaudio.transforms.Resample`).
///
/// Unlike torchaudio's stateless transform, it carries its filter state across chunks: feeding
/// a signal in chunks of any sizes gives bit for bit what feeding it whole gives, so there are
/// no clicks at chunk borders. Call [`flush`](Self::flush) after the last chunk for the tail;
/// the total output length is `round(input_frames * new_hz / orig_hz)`.
///
/// ```
/// use audiostream::{ndarray::Array2, transforms::Resample};
/// let mut resample = Resample::new(48000, 16000, 1)?;
/// let mut frames = 0;
/// for _ in 0..10 {
///     frames += resample.process(Array2::zeros((1, 4800)).view())?.ncols();
/// }
/// frames += resample.flush()?.ncols();
/// assert_eq!(frames, 16000);
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Debug)]
pub struct Resample {
    /// One resampler stage: the same pipeline as a reader's output or the writer's input.
    inner: Pipeline,
}

impl Resample {
    /// A resampler from `orig_hz` to `new_hz` for `num_channels` channels.
    ///
    /// ```
    /// let r = audiostream::transforms::Resample::new(44100, 48000, 2)?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn new(orig_hz: u32, new_hz: u32, num_channels: usize) -> Result<Self> {
        Ok(Resample {
            inner: Pipeline::new().with(dsp::Resampler::new(orig_hz, new_hz, num_channels)?),
        })
    }

    /// Resamples the next chunk. The first calls may return fewer frames (the filter's latency);
    /// [`flush`](Self::flush) returns the rest.
    ///
    /// ```
    /// use audiostream::{ndarray::Array2, transforms::Resample};
    /// let mut r = Resample::new(8000, 16000, 2)?;
    /// let out = r.process(Array2::zeros((2, 8000)).view())?;
    /// assert_eq!(out.nrows(), 2);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn process(&mut self, chunk: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        self.inner.process(chunk.to_owned())
    }

    /// The frames still inside the filter, after the last chunk; the resampler can then start
    /// a new signal.
    ///
    /// ```
    /// let mut r = audiostream::transforms::Resample::new(8000, 16000, 1)?;
    /// assert_eq!(r.flush()?.ncols(), 0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn flush(&mut self) -> Result<Array2<f32>> {
        let channels = self
            .inner
            .find::<dsp::Resampler>()
            .map_or(0, dsp::Resampler::channels);
        Ok(self
            .inner
            .flush_all()?
            .unwrap_or_else(|| Array2::zeros((channels, 0))))
    }
}
