//! The conversion stage between `write_audio_chunk` and the encoder: channel remix, then
//! resampling, when the encoder's rate or channel count differs from the input's.

use crate::dsp::Remixer;
#[cfg(feature = "decode")]
use crate::dsp::Resampler;
#[cfg(not(feature = "decode"))]
use crate::Error;
use crate::{Result, Sample};
use audiostream_codecs::convert::PcmSample;
use ndarray::{Array2, ArrayView2};

/// Remix and/or resample, stateful (the resampler keeps its filter state across chunks).
#[derive(Debug)]
pub(crate) struct Conversion {
    remixer: Option<Remixer>,
    #[cfg(feature = "decode")]
    resampler: Option<Resampler>,
}

impl Conversion {
    /// `None` when nothing needs converting.
    pub(crate) fn new(
        in_channels: usize,
        out_channels: usize,
        in_rate: u32,
        out_rate: u32,
    ) -> Result<Option<Self>> {
        if in_channels == out_channels && in_rate == out_rate {
            return Ok(None);
        }
        let remixer = if in_channels != out_channels {
            Some(Remixer::new(in_channels, out_channels)?)
        } else {
            None
        };
        #[cfg(feature = "decode")]
        let resampler = if in_rate != out_rate {
            Some(Resampler::new(in_rate, out_rate, out_channels)?)
        } else {
            None
        };
        #[cfg(not(feature = "decode"))]
        if in_rate != out_rate {
            return Err(Error::Unsupported(format!(
                "encoder_sample_rate = {out_rate} with input at {in_rate} Hz: resampling needs \
                 the `decode` feature (rubato)"
            )));
        }
        Ok(Some(Conversion {
            remixer,
            #[cfg(feature = "decode")]
            resampler,
        }))
    }

    /// Converts the next chunk of input (any sample type) to `f32` at the encoder's rate and
    /// channel count. May return fewer frames than given (the resampler's latency).
    pub(crate) fn process<T: Sample>(&mut self, chunk: ArrayView2<'_, T>) -> Result<Array2<f32>> {
        let floats = chunk.mapv(PcmSample::to_f32);
        self.process_f32(floats)
    }

    fn process_f32(&mut self, mut audio: Array2<f32>) -> Result<Array2<f32>> {
        if let Some(remixer) = &mut self.remixer {
            audio = remixer.process(audio.view())?;
        }
        #[cfg(feature = "decode")]
        if let Some(resampler) = &mut self.resampler {
            audio = resampler.process(audio.view())?;
        }
        Ok(audio)
    }

    /// `frames` frames of input silence, converted.
    pub(crate) fn silence(&mut self, channels: usize, frames: usize) -> Result<Array2<f32>> {
        self.process_f32(Array2::zeros((channels, frames)))
    }

    /// What is left in the resampler at the end of the stream.
    pub(crate) fn flush(&mut self) -> Result<Option<Array2<f32>>> {
        #[cfg(feature = "decode")]
        if let Some(resampler) = &mut self.resampler {
            return Ok(Some(resampler.flush()?));
        }
        Ok(None)
    }
}
