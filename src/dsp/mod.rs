//! Signal-processing stages on planar `(channels, frames)` `f32` audio.
//!
//! - `Resampler` converts the sample rate between any two integer rates (rubato's FFT
//!   resampler, with the filter delay removed, an exact output length and output that does
//!   not depend on the chunking). It is stateful: feed chunks to `process`, then call `flush`
//!   once at the end of the stream for the tail; `reset` starts over (after a seek).
//!   `output_frames` gives the exact output length for an input length.
//! - [`Remixer`] converts the channel count (mono ↔ stereo, 5.1 and 7.1 → stereo by
//!   ITU-R BS.775, normalized as FFmpeg does, and generic rules for other counts). It has no
//!   state; its `process` has the same shape as the resampler's, and there is nothing to flush.
//!
//! Both stages take a chunk view and return a new array, so they chain: the reader uses them
//! after decoding (output `sample_rate` and channel count), the writer before encoding, and
//! `transforms::Resample` wraps the resampler for whole tensors.
//!
//! ```
//! # #[cfg(feature = "decode")] {
//! use audiostream::dsp::{Remixer, Resampler};
//! use audiostream::ndarray::{Array2, Axis};
//!
//! // 5.1 at 48 kHz -> stereo at 44.1 kHz, in chunks of 1000 frames.
//! let input = Array2::<f32>::zeros((6, 4800));
//! let mut remix = Remixer::new(6, 2)?;
//! let mut resample = Resampler::new(48000, 44100, 2)?;
//! let mut frames = 0;
//! for chunk in input.axis_chunks_iter(Axis(1), 1000) {
//!     frames += resample.process(remix.process(chunk)?.view())?.ncols();
//! }
//! let tail = resample.flush()?;
//! assert_eq!((tail.nrows(), frames + tail.ncols()), (2, 4410));
//! # }
//! # Ok::<(), audiostream::Error>(())
//! ```
//!
//! The resampler needs the `decode` feature (it is built on rubato); the remixer is always
//! available.

/// The most channels a `Resampler` or [`Remixer`] accepts (FFmpeg's
/// swresample takes 64).
///
/// ```
/// assert!(audiostream::dsp::Remixer::new(audiostream::dsp::MAX_CHANNELS + 1, 2).is_err());
/// ```
pub const MAX_CHANNELS: usize = 1024;

pub mod remix;
#[cfg(feature = "decode-core")]
pub mod resample;

pub use remix::Remixer;
#[cfg(feature = "decode-core")]
pub use resample::{output_frames, Resampler};
