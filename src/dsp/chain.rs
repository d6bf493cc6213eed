//! Remix, then resample: the conversion both the reader (per output) and the writer (before
//! the encoder) put between the source's rate/channels and the ones asked for.

use super::Remixer;
#[cfg(feature = "decode")]
use super::Resampler;
#[cfg(not(feature = "decode"))]
use crate::Error;
use crate::Result;
use ndarray::{Array2, ArrayView2};

/// Remix and/or resample, stateful (the resampler keeps its filter state across chunks).
/// Channels are remixed first, so the resampler works on the (usually fewer) output channels.
#[derive(Debug)]
pub(crate) struct Chain {
    remixer: Option<Remixer>,
    #[cfg(feature = "decode")]
    resampler: Option<Resampler>,
    out_channels: usize,
}

impl Chain {
    /// A chain from `in_rate` Hz / `in_channels` to `out_rate` Hz / `out_channels`, or `None`
    /// when they are equal (nothing to convert).
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
                "converting {in_rate} Hz to {out_rate} Hz: resampling needs the `decode` \
                 feature (rubato)"
            )));
        }
        Ok(Some(Chain {
            remixer,
            #[cfg(feature = "decode")]
            resampler,
            out_channels,
        }))
    }

    /// The resampler, when the rates differ (its block grid decides where seeks restart).
    #[cfg(feature = "decode")]
    pub(crate) fn resampler(&self) -> Option<&Resampler> {
        self.resampler.as_ref()
    }

    /// Converts the next chunk (input channels, `f32`). May return fewer frames than given
    /// (the resampler's latency).
    pub(crate) fn process(&mut self, input: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let remixed = match &mut self.remixer {
            Some(remixer) => Some(remixer.process(input)?),
            None => None,
        };
        let input = remixed.as_ref().map_or(input, |r| r.view());
        #[cfg(feature = "decode")]
        if let Some(resampler) = &mut self.resampler {
            return resampler.process(input);
        }
        Ok(match remixed {
            Some(r) => r,
            None => input.to_owned(),
        })
    }

    /// `frames` frames of input silence, converted (remixing zeros gives zeros, so only the
    /// resampler sees them).
    pub(crate) fn silence(&mut self, frames: usize) -> Result<Array2<f32>> {
        let zeros = Array2::<f32>::zeros((self.out_channels, frames));
        #[cfg(feature = "decode")]
        if let Some(resampler) = &mut self.resampler {
            return resampler.process(zeros.view());
        }
        Ok(zeros)
    }

    /// What is left in the resampler at the end of the stream (empty without one); the
    /// resampler is then ready for a new stream.
    pub(crate) fn flush(&mut self) -> Result<Array2<f32>> {
        #[cfg(feature = "decode")]
        if let Some(resampler) = &mut self.resampler {
            return resampler.flush();
        }
        Ok(Array2::zeros((self.out_channels, 0)))
    }

    /// Forgets the resampler's state (after a seek).
    #[cfg(feature = "decode")]
    pub(crate) fn reset(&mut self) {
        if let Some(resampler) = &mut self.resampler {
            resampler.reset();
        }
    }
}
