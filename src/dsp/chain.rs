//! Remix, then resample, then effects: the stages both the reader (per output) and the writer
//! (before the encoder) put between the audio they get and the audio they deliver. The
//! effects stage is an [`EffectStream`](crate::EffectStream), the same one
//! [`AudioEffector::stream`](crate::AudioEffector::stream) gives: one implementation used three
//! ways.

use super::Remixer;
#[cfg(feature = "decode")]
use super::Resampler;
#[cfg(not(feature = "decode"))]
use crate::Error;
use crate::{AudioEffector, EffectStream, Result};
use ndarray::{s, Array2, ArrayView2};

/// An effect chain running at the chain's output rate and channels.
#[derive(Debug)]
struct EffectStage {
    effector: AudioEffector,
    stream: EffectStream,
    sample_rate: u32,
    channels: usize,
}

impl EffectStage {
    /// Starts the effects afresh (a new stream, or after a seek: tails of the audio before
    /// are not carried over, as `sox in out trim T effect` starts at T).
    fn restart(&mut self) -> Result<()> {
        self.stream = self.effector.stream(self.sample_rate, self.channels)?;
        Ok(())
    }
}

/// Remix and/or resample and/or apply effects, stateful (the resampler and the effects keep
/// their state across chunks). Channels are remixed first, so the resampler and the effects
/// work on the (usually fewer) output channels, at the output rate.
#[derive(Debug)]
pub(crate) struct Chain {
    remixer: Option<Remixer>,
    #[cfg(feature = "decode")]
    resampler: Option<Resampler>,
    effects: Option<EffectStage>,
    out_channels: usize,
}

impl Chain {
    /// A chain from `in_rate` Hz / `in_channels` to `out_rate` Hz / `out_channels`, then
    /// `effects`, or `None` when there is nothing to do.
    pub(crate) fn new(
        in_channels: usize,
        out_channels: usize,
        in_rate: u32,
        out_rate: u32,
        effects: Option<&AudioEffector>,
    ) -> Result<Option<Self>> {
        if in_channels == out_channels && in_rate == out_rate && effects.is_none() {
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
        let effects = match effects {
            Some(effector) => Some(EffectStage {
                effector: effector.clone(),
                stream: effector.stream(out_rate, out_channels)?,
                sample_rate: out_rate,
                channels: out_channels,
            }),
            None => None,
        };
        Ok(Some(Chain {
            remixer,
            #[cfg(feature = "decode")]
            resampler,
            effects,
            out_channels,
        }))
    }

    /// The resampler, when the rates differ (its block grid decides where seeks restart).
    #[cfg(feature = "decode")]
    pub(crate) fn resampler(&self) -> Option<&Resampler> {
        self.resampler.as_ref()
    }

    /// Converts the next chunk (input channels, `f32`) and applies the effects. May return
    /// fewer or more frames than given (the resampler's latency, effects that hold audio
    /// back or change the tempo).
    pub(crate) fn process(&mut self, input: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let converted = self.convert(input)?;
        self.apply_effects(converted)
    }

    /// [`process`](Self::process) taking the chunk by value (no copy when there is only an
    /// effects stage).
    pub(crate) fn process_owned(&mut self, input: Array2<f32>) -> Result<Array2<f32>> {
        #[cfg(feature = "decode")]
        let converts = self.remixer.is_some() || self.resampler.is_some();
        #[cfg(not(feature = "decode"))]
        let converts = self.remixer.is_some();
        let converted = if converts {
            self.convert(input.view())?
        } else {
            input
        };
        self.apply_effects(converted)
    }

    /// Remixes and resamples only (no effects).
    pub(crate) fn convert(&mut self, input: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
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

    /// Resamples audio that already has the output's channels (no remix).
    pub(crate) fn convert_remixed(&mut self, input: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        #[cfg(feature = "decode")]
        if let Some(resampler) = &mut self.resampler {
            return resampler.process(input);
        }
        Ok(input.to_owned())
    }

    /// Runs converted audio through the effects (returns it as is without effects). What the
    /// effects make beyond it (a long `pad`) waits: see [`drain_effects`](Self::drain_effects).
    pub(crate) fn apply_effects(&mut self, converted: Array2<f32>) -> Result<Array2<f32>> {
        match &mut self.effects {
            Some(stage) if converted.ncols() > 0 => stage.stream.process_owned_bounded(converted),
            _ => Ok(converted),
        }
    }

    /// Whether the effects have output waiting that they make without more input.
    pub(crate) fn effects_pending(&self) -> bool {
        self.effects
            .as_ref()
            .is_some_and(|e| e.stream.has_pending())
    }

    /// One piece (about `DRAIN_STEP` frames) of what the effects make without more input, or
    /// `None` when nothing waits: callers put it out before the next chunk, so a ten-minute
    /// `pad` goes through in pieces, never whole.
    pub(crate) fn drain_effects(&mut self) -> Option<Array2<f32>> {
        let stage = self.effects.as_mut()?;
        stage.stream.drain_step(crate::effects::DRAIN_STEP)
    }

    /// One piece of the effects' end of stream (tails, generated silence), `None` when all of
    /// it is out; the effects then start afresh.
    pub(crate) fn flush_effects_step(&mut self) -> Result<Option<Array2<f32>>> {
        let Some(stage) = self.effects.as_mut() else {
            return Ok(None);
        };
        match stage.stream.flush_step(crate::effects::DRAIN_STEP)? {
            Some(piece) => Ok(Some(piece)),
            None => {
                stage.restart()?;
                Ok(None)
            }
        }
    }

    /// `frames` frames of input silence, converted, through the effects.
    pub(crate) fn silence(&mut self, frames: usize) -> Result<Array2<f32>> {
        let converted = self.convert_silence(frames)?;
        self.apply_effects(converted)
    }

    /// `frames` frames of input silence, converted (remixing zeros gives zeros, so only the
    /// resampler sees them).
    pub(crate) fn convert_silence(&mut self, frames: usize) -> Result<Array2<f32>> {
        let zeros = Array2::<f32>::zeros((self.out_channels, frames));
        #[cfg(feature = "decode")]
        if let Some(resampler) = &mut self.resampler {
            return resampler.process(zeros.view());
        }
        Ok(zeros)
    }

    /// End of stream: the resampler's tail through the effects, then the effects' tail. The
    /// chain is then ready for a new stream.
    pub(crate) fn flush(&mut self) -> Result<Array2<f32>> {
        let tail = self.flush_convert()?;
        let tail = self.apply_effects(tail)?;
        let effects_tail = self.flush_effects()?;
        if effects_tail.ncols() == 0 {
            return Ok(tail);
        }
        // Both have the chain's output channels.
        let mut out = Array2::zeros((self.out_channels, tail.ncols() + effects_tail.ncols()));
        out.slice_mut(s![.., ..tail.ncols()]).assign(&tail);
        out.slice_mut(s![.., tail.ncols()..]).assign(&effects_tail);
        Ok(out)
    }

    /// What is left in the resampler at the end of the stream (empty without one); the
    /// resampler is then ready for a new stream.
    pub(crate) fn flush_convert(&mut self) -> Result<Array2<f32>> {
        #[cfg(feature = "decode")]
        if let Some(resampler) = &mut self.resampler {
            return resampler.flush();
        }
        Ok(Array2::zeros((self.out_channels, 0)))
    }

    /// What the effects still hold at the end of the stream (tails, held-back audio); they
    /// start afresh afterwards.
    pub(crate) fn flush_effects(&mut self) -> Result<Array2<f32>> {
        match &mut self.effects {
            Some(stage) => {
                let tail = stage.stream.flush()?;
                stage.restart()?;
                Ok(tail)
            }
            None => Ok(Array2::zeros((self.out_channels, 0))),
        }
    }

    /// Forgets the resampler's and the effects' state (after a seek).
    pub(crate) fn reset(&mut self) -> Result<()> {
        #[cfg(feature = "decode")]
        if let Some(resampler) = &mut self.resampler {
            resampler.reset();
        }
        if let Some(stage) = &mut self.effects {
            stage.restart()?;
        }
        Ok(())
    }
}
