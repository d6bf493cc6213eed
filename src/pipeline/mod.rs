//! Stages and the pipeline that composes them: how audio is converted between where it comes
//! from and where it goes, the same way for a reader's outputs, the writer's input,
//! [`AudioEffector::stream`](crate::AudioEffector::stream),
//! [`transforms::Resample`](crate::transforms::Resample) and `play_audio`.
//!
//! A [`Stage`] takes `(channels, frames)` `f32` chunks and gives chunks back; every stage
//! means the same by each of its methods:
//! - [`process`](Stage::process): the next chunk in, what comes out now (a resampler holds a
//!   block back, an effect may hold its input until the end);
//! - [`drain`](Stage::drain): output the stage makes without more input (a ten-minute `pad`),
//!   a piece at a time, called until `None` before the next chunk, so it never sits in memory
//!   whole;
//! - [`flush`](Stage::flush): the end of the stream — what the stage still holds and makes,
//!   a piece at a time until `None`; the stage is then ready for a new stream;
//! - [`reset`](Stage::reset): forget everything (a seek), ready for a new stream;
//! - [`output_frames`](Stage::output_frames): how many frames an input length becomes, where
//!   the stage knows it exactly.
//!
//! The stages: [`Remixer`](crate::dsp::Remixer) (channels),
//! [`Resampler`](crate::dsp::Resampler) (rate), [`EffectStream`] (a chain of SoX effects),
//! [`SeekTrim`] (drops the frames before a seek target); fundsp graphs
//! ([`AudioEffector::from_fundsp`](crate::AudioEffector::from_fundsp)) run as effects of an
//! [`EffectStream`]. `dsp` and `effects`
//! know nothing of this module nor of each other; the pipeline puts them together.
//!
//! ```
//! # #[cfg(feature = "decode")] {
//! use audiostream::dsp::{Remixer, Resampler};
//! use audiostream::ndarray::Array2;
//! use audiostream::pipeline::{Pipeline, Stage};
//!
//! // Stereo 48 kHz -> mono 16 kHz, then a gain, chunk by chunk.
//! let mut p = Pipeline::new()
//!     .with(Remixer::new(2, 1)?)
//!     .with(Resampler::new(48000, 16000, 1)?)
//!     .with("gain -3".parse::<audiostream::AudioEffector>()?.stream(16000, 1)?);
//! let mut frames = 0;
//! for _ in 0..10 {
//!     frames += p.process(Array2::zeros((2, 4800)))?.ncols();
//! }
//! while let Some(tail) = p.flush(1 << 16)? {
//!     frames += tail.ncols();
//! }
//! assert_eq!(frames, 16000);
//! # }
//! # Ok::<(), audiostream::Error>(())
//! ```

mod effects;
mod stages;
mod trim;

pub use effects::EffectStream;
#[cfg(feature = "decode-core")]
pub(crate) use stages::resampler_factory;
pub use trim::SeekTrim;

/// Frames a drain or flush step of the pipelines the reader and the writer run puts out.
pub(crate) const STEP: usize = 1 << 16;

/// The stages between audio of `in_channels` at `in_rate` Hz and `out_channels` at `out_rate`:
/// a [`Remixer`](crate::dsp::Remixer) where the channel counts differ (first, so the rest
/// works on the usually fewer output channels), a [`Resampler`](crate::dsp::Resampler) where
/// the rates do, a [`SeekTrim`] when `trim` (a reader's output, which drops the frames before
/// a seek target and restarts the effects there, as `sox in out trim T effect` does), then
/// `effects` at the output rate. `None` when there is nothing to do.
pub(crate) fn conversion(
    (in_channels, in_rate): (usize, u32),
    (out_channels, out_rate): (usize, u32),
    trim: bool,
    effects: Option<&crate::AudioEffector>,
) -> Result<Option<Pipeline>> {
    if in_channels == out_channels && in_rate == out_rate && effects.is_none() {
        return Ok(None);
    }
    let mut p = Pipeline::new();
    if in_channels != out_channels {
        p.push(Box::new(crate::dsp::Remixer::new(
            in_channels,
            out_channels,
        )?));
    }
    if in_rate != out_rate {
        #[cfg(feature = "decode-core")]
        p.push(Box::new(crate::dsp::Resampler::new(
            in_rate,
            out_rate,
            out_channels,
        )?));
        #[cfg(not(feature = "decode-core"))]
        return Err(crate::Error::Unsupported(format!(
            "converting {in_rate} Hz to {out_rate} Hz: resampling needs the `decode` feature \
             (rubato)"
        )));
    }
    if trim {
        p.push(Box::new(SeekTrim::new(out_channels)));
    }
    if let Some(effector) = effects {
        p.push(Box::new(effector.stream(out_rate, out_channels)?));
    }
    Ok(Some(p))
}

use crate::Result;
use ndarray::{Array2, Axis};
use std::any::Any;

/// One step of audio conversion (see the [module](self) for what each method means).
///
/// ```
/// use audiostream::pipeline::{SeekTrim, Stage};
/// use audiostream::ndarray::Array2;
/// let mut trim = SeekTrim::new(1);
/// trim.drop_next(3);
/// assert_eq!(trim.process(Array2::zeros((1, 5)))?.ncols(), 2);
/// assert_eq!(trim.flush(1024)?, None);
/// # Ok::<(), audiostream::Error>(())
/// ```
pub trait Stage: Send + Any {
    /// Takes the next chunk; returns what comes out now (fewer or more frames than went in).
    fn process(&mut self, input: Array2<f32>) -> Result<Array2<f32>>;

    /// A piece (about `max` frames) of output the stage makes without more input, or `None`
    /// when nothing waits. Callers drain until `None` before the next chunk.
    fn drain(&mut self, _max: usize) -> Result<Option<Array2<f32>>> {
        Ok(None)
    }

    /// The end of the stream: a piece (about `max` frames) of what the stage still holds or
    /// makes, or `None` when all of it is out; the stage is then ready for a new stream.
    fn flush(&mut self, max: usize) -> Result<Option<Array2<f32>>>;

    /// Forgets everything held (a seek): ready for a new stream.
    fn reset(&mut self) -> Result<()>;

    /// Frames that come out in all (process, drain and flush) for `input_frames` in, when
    /// known exactly; counted from the stage's state now (a new, reset or flushed stage:
    /// `input_frames` is the whole stream).
    ///
    /// ```
    /// use audiostream::pipeline::{SeekTrim, Stage};
    /// let mut trim = SeekTrim::new(1);
    /// trim.drop_next(300);
    /// assert_eq!(trim.output_frames(1000), Some(700));
    /// ```
    fn output_frames(&self, _input_frames: u64) -> Option<u64> {
        None
    }
}

/// Stages in a row: each chunk goes through all of them. Itself a [`Stage`].
///
/// ```
/// use audiostream::pipeline::{Pipeline, SeekTrim, Stage};
/// use audiostream::ndarray::Array2;
/// let mut p = Pipeline::new().with(SeekTrim::new(2));
/// assert_eq!(p.process(Array2::zeros((2, 10)))?.dim(), (2, 10));
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Default)]
pub struct Pipeline {
    stages: Vec<Box<dyn Stage>>,
    /// During a flush: the stages before this one have been flushed.
    flushing: Option<usize>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("stages", &self.stages.len())
            .finish()
    }
}

/// `a` then `b` (the same channels), in one array.
pub(crate) fn concat(a: Array2<f32>, b: Array2<f32>) -> Array2<f32> {
    if a.ncols() == 0 {
        return b;
    }
    if b.ncols() == 0 {
        return a;
    }
    ndarray::concatenate(Axis(1), &[a.view(), b.view()]).unwrap_or(b)
}

impl Pipeline {
    /// An empty pipeline (it passes audio through).
    pub fn new() -> Self {
        Pipeline::default()
    }

    /// This pipeline with `stage` added at its end.
    pub fn with(mut self, stage: impl Stage) -> Self {
        self.push(Box::new(stage));
        self
    }

    /// Adds `stage` at the end.
    pub fn push(&mut self, stage: Box<dyn Stage>) {
        self.stages.push(stage);
    }

    /// Whether there is no stage.
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// The first stage of type `T`, for what only it knows (a resampler's block grid).
    pub fn find<T: Stage>(&self) -> Option<&T> {
        self.stages
            .iter()
            .find_map(|s| (s.as_ref() as &dyn Any).downcast_ref::<T>())
    }

    /// The first stage of type `T`, to set it (a seek trim's frames to drop).
    pub fn find_mut<T: Stage>(&mut self) -> Option<&mut T> {
        self.stages
            .iter_mut()
            .find_map(|s| (s.as_mut() as &mut dyn Any).downcast_mut::<T>())
    }

    /// Index of the first stage of type `T`.
    pub fn position<T: Stage>(&self) -> Option<usize> {
        self.stages
            .iter()
            .position(|s| (s.as_ref() as &dyn Any).is::<T>())
    }

    /// Runs `input` through the stages from index `first` on (`first` past the end: as is).
    /// Output the stages make beyond it waits for [`drain`](Stage::drain).
    pub fn process_from(&mut self, first: usize, input: Array2<f32>) -> Result<Array2<f32>> {
        let mut out = input;
        // Empty chunks go through too: what comes out has the last stage's channel count.
        for stage in self.stages.iter_mut().skip(first) {
            out = stage.process(out)?;
        }
        Ok(out)
    }

    /// Every piece waiting in the stages, in one array (empty when none): for callers that
    /// take whatever a chunk gives at once.
    pub fn drain_all(&mut self) -> Result<Option<Array2<f32>>> {
        let mut out: Option<Array2<f32>> = None;
        while let Some(piece) = self.drain(usize::MAX)? {
            out = Some(match out {
                Some(o) => concat(o, piece),
                None => piece,
            });
        }
        Ok(out)
    }

    /// The whole end of the stream in one array (for callers that hold everything anyway).
    pub fn flush_all(&mut self) -> Result<Option<Array2<f32>>> {
        let mut out: Option<Array2<f32>> = None;
        while let Some(piece) = self.flush(usize::MAX)? {
            out = Some(match out {
                Some(o) => concat(o, piece),
                None => piece,
            });
        }
        Ok(out)
    }
}

impl Stage for Pipeline {
    /// Nothing may wait in the stages when a chunk comes in: what does comes out first.
    fn process(&mut self, input: Array2<f32>) -> Result<Array2<f32>> {
        let waiting = self.drain_all()?;
        let out = self.process_from(0, input)?;
        Ok(match waiting {
            Some(w) => concat(w, out),
            None => out,
        })
    }

    /// The last stage with something waiting goes first: its output comes before anything
    /// the earlier stages still make; the piece then goes through the stages after it.
    fn drain(&mut self, max: usize) -> Result<Option<Array2<f32>>> {
        for j in (0..self.stages.len()).rev() {
            if let Some(piece) = self.stages[j].drain(max)? {
                return self.process_from(j + 1, piece).map(Some);
            }
        }
        Ok(None)
    }

    /// Each stage's end, in order, through the stages after it (whose own waiting output
    /// goes first).
    fn flush(&mut self, max: usize) -> Result<Option<Array2<f32>>> {
        loop {
            if let Some(piece) = self.drain(max)? {
                if piece.ncols() > 0 {
                    return Ok(Some(piece));
                }
                continue;
            }
            let k = self.flushing.unwrap_or(0);
            let Some(stage) = self.stages.get_mut(k) else {
                self.flushing = None;
                return Ok(None);
            };
            match stage.flush(max)? {
                Some(piece) => {
                    self.flushing = Some(k);
                    let out = self.process_from(k + 1, piece)?;
                    if out.ncols() > 0 {
                        return Ok(Some(out));
                    }
                }
                None => self.flushing = Some(k + 1),
            }
        }
    }

    fn reset(&mut self) -> Result<()> {
        self.flushing = None;
        for stage in &mut self.stages {
            stage.reset()?;
        }
        Ok(())
    }

    /// Each stage's output is the next one's input; `None` if any stage cannot tell (or
    /// during a flush, when the earlier stages have already let go of their ends).
    ///
    /// ```
    /// # #[cfg(feature = "decode")] {
    /// use audiostream::dsp::{Remixer, Resampler};
    /// use audiostream::pipeline::{Pipeline, Stage};
    /// let p = Pipeline::new()
    ///     .with(Remixer::new(2, 1)?)
    ///     .with(Resampler::new(48000, 16000, 1)?)
    ///     .with("pad 0 0.5".parse::<audiostream::AudioEffector>()?.stream(16000, 1)?);
    /// assert_eq!(p.output_frames(48000), Some(16000 + 8000));
    /// # }
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    fn output_frames(&self, input_frames: u64) -> Option<u64> {
        if self.flushing.is_some() {
            return None;
        }
        self.stages
            .iter()
            .try_fold(input_frames, |frames, stage| stage.output_frames(frames))
    }
}

#[cfg(test)]
mod tests;
