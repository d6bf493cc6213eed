//! SoX-compatible audio effects and fundsp graphs: [`AudioEffector`] (a chain of effects,
//! torchaudio's `AudioEffector`), the effects' arguments and running instances. The chain runs
//! as a stage of the [`pipeline`](crate::pipeline) ([`EffectStream`](crate::EffectStream),
//! fed chunk by chunk; [`AudioEffector::apply`] on a whole signal). Nothing here names the
//! pipeline or `dsp`: `speed` and `pitch` get their resampler from the pipeline
//! (`ResamplerFactory`).
//!
//! Effect names and positional arguments follow SoX (`sox.1`, `src/*.c`); results match
//! `sox -D` with float output to better than 60 dB SNR. Like SoX, every SoX effect clips its
//! output to `[-1, 1]`.
//!
//! The effects (`audiostream effects` prints each with its arguments, defaults and ranges;
//! [`list`] returns the same): `allpass`, `bandpass`, `bandreject`, `bass`, `chorus`, `echo`,
//! `echos`, `equalizer`, `fade`, `flanger`, `gain` (every form: `-n -e -B -b -r -h -l`),
//! `highpass`, `lowpass`, `norm`, `overdrive`, `pad`, `phaser`, `pitch`, `reverb`, `reverse`,
//! `speed`, `tempo`, `treble`, `tremolo`, `vol`. Frequencies take a `k` suffix (`1.5k`). Other
//! SoX effects (compand, silence, ...) are [`Error::Unsupported`](crate::Error::Unsupported),
//! naming these.
//!
//! fundsp's own effects, other algorithms than SoX's, are there by name too: `fundsp.reverb`,
//! `fundsp.chorus`, `fundsp.flanger`, `fundsp.phaser`, `fundsp.overdrive`; and any fundsp
//! graph runs as an effect of a chain with [`AudioEffector::from_fundsp`].
//!
//! Lengths are SoX's: `echo`, `echos` and `chorus` add their tails at the end; `reverb` keeps
//! its input's length, as SoX's does (put `pad 0 3` before it to hear the tail); `speed`,
//! `tempo` change the length by their factor ([`AudioEffector::output_frames`] tells).
//!
//! Streams hold audio back where SoX needs to see ahead: `reverse` and the scanning forms of
//! `gain` (`-n`, `-e`, `-B`, `-b`, `-r`, and `norm`) return everything at `flush`, and `fade`
//! with stop-position `0` (end of audio) holds back the last fade-out-length frames until
//! `flush`. `gain` and `norm` keep up to
//! [`SPOOL_AFTER_SAMPLES`](crate::limits::SPOOL_AFTER_SAMPLES) in memory and the rest of a
//! longer stream in a temporary file, as SoX does (an [`Error::Io`](crate::Error::Io) when
//! it cannot be written; without a file system, WebAssembly, a stream over
//! [`MAX_HELD_SAMPLES_IN_MEMORY`](crate::limits::MAX_HELD_SAMPLES_IN_MEMORY) is
//! [`Error::Unsupported`](crate::Error::Unsupported)); `reverse` keeps it in memory.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let fx: AudioEffector = "gain -3 overdrive 10 20 lowpass 4k".parse()?;
//! let x = Array2::<f32>::zeros((2, 4800));
//! let whole = fx.apply(x.view(), 48000)?;
//! let mut stream = fx.stream(48000, 2)?;
//! let mut n = stream.process(x.view())?.ncols();
//! n += stream.flush()?.ncols();
//! assert_eq!(n, whole.ncols());
//! # Ok::<(), audiostream::Error>(())
//! ```
//!
//! The code: one file per effect family (its arguments, their checks, its running instance
//! and its catalog entries), each listing its effects in an `EFFECTS` table of
//! `Registration`s; `REGISTRY` below puts the tables together, and everything that needs
//! the effects' names (parsing, [`list`], error messages) reads it. Adding an effect is its
//! file and a line here.

mod args;
mod biquad;
mod catalog;
mod chorus;
mod echo;
mod effector;
mod fade;
mod flanger;
mod fundsp_effects;
mod fundsp_graph;
mod gain;
mod lfo;
mod overdrive;
mod pad;
mod phaser;
mod registry;
mod reverb;
mod reverse;
mod speed;
mod spool;
mod tempo;
mod tremolo;
mod vol;

pub use catalog::{list, ArgInfo, EffectInfo};
pub use effector::AudioEffector;

pub(crate) use overdrive::Overdrive as OverdriveState;
pub(crate) use registry::Registration;

use crate::Result;
use ndarray::{Array2, ArrayView2};
use std::any::Any;

/// Every effect: the `EFFECTS` table of each family module, in one place.
const REGISTRY: &[&[Registration]] = &[
    biquad::EFFECTS,
    chorus::EFFECTS,
    echo::EFFECTS,
    fade::EFFECTS,
    flanger::EFFECTS,
    fundsp_effects::EFFECTS,
    gain::EFFECTS,
    overdrive::EFFECTS,
    pad::EFFECTS,
    phaser::EFFECTS,
    reverb::EFFECTS,
    reverse::EFFECTS,
    speed::EFFECTS,
    tempo::EFFECTS,
    tremolo::EFFECTS,
    vol::EFFECTS,
];

/// Audio as the effects hold it: one `Vec` per channel, all of the same length.
pub(crate) type Channels = Vec<Vec<f32>>;

/// A resampler between integer rates, for the effects that change the rate (`speed`,
/// `pitch`): `process` chunks, then `flush` the tail at the end (which also starts over).
pub(crate) trait Resample: Send {
    fn process(&mut self, chunk: ArrayView2<'_, f32>) -> Result<Array2<f32>>;
    fn flush(&mut self) -> Result<Array2<f32>>;
}

/// Makes a [`Resample`] from `from` Hz to `to` Hz for `channels` channels (an error for a
/// ratio it cannot do).
pub(crate) type ResamplerFactory = dyn Fn(u32, u32, usize) -> Result<Box<dyn Resample>> + Sync;

/// One running effect instance (rate and channel count fixed).
pub(crate) trait Effect: Send {
    /// Processes `channels` in place; may change their length (e.g. buffer everything).
    /// Called only when the effect has nothing [`pending`](Self::pending).
    fn process(&mut self, channels: &mut Channels);
    /// [`process`](Self::process) for effects that can fail on the way (a whole-stream
    /// effect whose temporary file cannot be written): what the stream calls. The default
    /// cannot fail.
    fn try_process(&mut self, channels: &mut Channels) -> Result<()> {
        self.process(channels);
        Ok(())
    }
    /// Appends what the effect still holds (tails, buffered audio) to `channels`, or makes it
    /// [`pending`](Self::pending) when it is long (generated silence).
    fn flush(&mut self, _channels: &mut Channels) -> Result<()> {
        Ok(())
    }
    /// Whether the effect has output it makes without more input, put out by
    /// [`drain`](Self::drain) a piece at a time (a long `pad`): a stream takes no input until
    /// it is drained, so such output never sits in memory whole.
    fn pending(&self) -> bool {
        false
    }
    /// Appends some of what is [`pending`](Self::pending) to `channels` (about `max` frames);
    /// fails where that output is read back from a file.
    fn drain(&mut self, _channels: &mut Channels, _max: usize) -> Result<()> {
        Ok(())
    }
}

/// What a spec's [`build`](EffectSpec::build) gets: the stream's rate and channels, the
/// pipeline's resamplers, and what the effects before it in the chain leave for it.
pub(crate) struct BuildContext<'a> {
    pub(crate) sample_rate: u32,
    pub(crate) channels: usize,
    /// Makes the resamplers `speed` and `pitch` need (the pipeline's, `dsp::Resampler`).
    pub(crate) resample: &'a ResamplerFactory,
    /// What the last `gain -h` of the chain so far attenuated by, for a later `gain -r`
    /// (SoX passes it along the chain as the signal's `mult`).
    pub(crate) headroom: Option<f64>,
}

/// A parsed effect (`chorus.rs`, `reverb.rs`, ...): its arguments, their checks, its output
/// length, and how to start a running instance. Each family module registers a parser that
/// makes one ([`Registration`]).
pub(crate) trait EffectSpec: SpecObject + Send + Sync + std::fmt::Debug {
    /// The effect's name (SoX's, or `fundsp.*`).
    fn name(&self) -> &'static str;
    /// The snake_case argument names [`AudioEffector::param`] accepts.
    fn param_names(&self) -> &'static [&'static str];
    /// Sets a parameter; `param` is one of `param_names()` (checked by the caller), and
    /// `validate` runs afterwards.
    fn set(&mut self, param: &str, value: f64);
    /// Checks every argument's range: `InvalidArgument` naming effect, argument and range.
    fn validate(&self) -> Result<()>;
    /// A running instance, or `None` when the effect does nothing with these arguments.
    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>>;
    /// The frames that come out in all for `input_frames` in at `sample_rate`, where the
    /// effect knows it exactly (`None` otherwise, or where the stream would fail).
    fn output_frames(&self, sample_rate: u32, input_frames: u64) -> Option<u64>;
}

/// Cloning and comparing specs behind `Box<dyn EffectSpec>` (so that [`AudioEffector`] is
/// `Clone` and `PartialEq`): implemented for every spec that is `Clone + PartialEq`.
pub(crate) trait SpecObject {
    fn clone_box(&self) -> Box<dyn EffectSpec>;
    fn as_any(&self) -> &dyn Any;
    /// Whether `other` is a spec of the same type with equal arguments.
    fn eq_spec(&self, other: &dyn EffectSpec) -> bool;
}

impl<T: EffectSpec + Clone + PartialEq + 'static> SpecObject for T {
    fn clone_box(&self) -> Box<dyn EffectSpec> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn eq_spec(&self, other: &dyn EffectSpec) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
}

impl Clone for Box<dyn EffectSpec> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

impl PartialEq for dyn EffectSpec {
    fn eq(&self, other: &Self) -> bool {
        self.eq_spec(other)
    }
}

/// Appends to `channels` what `run` makes of `frames` frames of silence on every channel: the
/// tail SoX's delay effects (echo, echos, chorus) drain at the end of the stream.
pub(crate) fn append_silence_tail(
    channels: &mut Channels,
    frames: usize,
    run: impl FnOnce(&mut Channels),
) {
    let mut tail = vec![vec![0.0f32; frames]; channels.len()];
    run(&mut tail);
    for (ch, t) in channels.iter_mut().zip(tail) {
        ch.extend(t);
    }
}

#[cfg(test)]
mod tests;
