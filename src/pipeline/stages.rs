//! The `dsp` stages as pipeline [`Stage`]s, and the resampler the rate-changing effects get.

use super::Stage;
use crate::dsp::Remixer;
#[cfg(feature = "decode-core")]
use crate::dsp::Resampler;
#[cfg(feature = "decode-core")]
use crate::effects::Resample;
use crate::Result;
use ndarray::Array2;
#[cfg(feature = "decode-core")]
use ndarray::ArrayView2;

impl Stage for Remixer {
    fn process(&mut self, input: Array2<f32>) -> Result<Array2<f32>> {
        Remixer::process(self, input.view())
    }

    /// A remixer holds nothing.
    fn flush(&mut self, _max: usize) -> Result<Option<Array2<f32>>> {
        Ok(None)
    }

    fn reset(&mut self) -> Result<()> {
        Ok(())
    }

    /// A frame out for every frame in.
    fn output_frames(&self, input_frames: u64) -> Option<u64> {
        Some(input_frames)
    }
}

#[cfg(feature = "decode-core")]
impl Stage for Resampler {
    fn process(&mut self, input: Array2<f32>) -> Result<Array2<f32>> {
        Resampler::process(self, input.view())
    }

    /// The tail (at most a block and a half): in one piece, then `None`.
    fn flush(&mut self, _max: usize) -> Result<Option<Array2<f32>>> {
        let tail = Resampler::flush(self)?;
        Ok((tail.ncols() > 0).then_some(tail))
    }

    fn reset(&mut self) -> Result<()> {
        Resampler::reset(self);
        Ok(())
    }

    /// [`Resampler::output_frames_for`] the whole stream, less what is already out.
    fn output_frames(&self, input_frames: u64) -> Option<u64> {
        let total = self.output_frames_for(self.frames_in().checked_add(input_frames)?);
        total.checked_sub(self.frames_out())
    }
}

#[cfg(feature = "decode-core")]
impl Resample for Resampler {
    fn process(&mut self, chunk: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        Resampler::process(self, chunk)
    }

    fn flush(&mut self) -> Result<Array2<f32>> {
        Resampler::flush(self)
    }
}

/// The resamplers `speed` and `pitch` get: [`Resampler`] from `from` Hz to `to` Hz.
#[cfg(feature = "decode-core")]
pub(crate) fn resampler_factory(from: u32, to: u32, channels: usize) -> Result<Box<dyn Resample>> {
    Ok(Box::new(Resampler::new(from, to, channels)?))
}
