//! Audio chunks and the sample types the API accepts.

use audiostream_codecs::convert::PcmSample;
use audiostream_codecs::SampleFormat;
use ndarray::Array2;
use std::ops::{Deref, DerefMut};

/// One chunk popped from a reader: `(channels, frames)` samples plus the time of its first frame.
///
/// Derefs to the sample array, so `chunk.ncols()` is its number of frames.
///
/// ```
/// use audiostream::{ndarray::Array2, Chunk};
/// let c = Chunk { data: Array2::zeros((2, 1024)), pts: 0.5 };
/// assert_eq!((c.nrows(), c.ncols()), (2, 1024));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    /// Samples, `(channels, frames)`, `f32` in `[-1, 1]`.
    pub data: Array2<f32>,
    /// Presentation time of the first frame, in seconds.
    pub pts: f64,
}

impl Deref for Chunk {
    type Target = Array2<f32>;
    fn deref(&self) -> &Array2<f32> {
        &self.data
    }
}

impl DerefMut for Chunk {
    fn deref_mut(&mut self) -> &mut Array2<f32> {
        &mut self.data
    }
}

/// A sample type the writer accepts, named as FFmpeg names sample formats.
///
/// Conversions (from [`PcmSample`], the codecs crate's) follow FFmpeg's swresample: floats are
/// `[-1, 1]`, integers are full scale and convert by shifting, `u8` is offset by 128; floats
/// are rounded and clipped when they become integers.
///
/// ```
/// use audiostream::{PcmSample, Sample, SampleFormat};
/// assert_eq!(<i16 as Sample>::FORMAT, SampleFormat::S16);
/// assert_eq!(16384i16.to_f32(), 0.5);
/// assert_eq!(0.5f32.to_s16(), (16384, false));
/// assert_eq!(2.0f32.to_s16(), (i16::MAX, true)); // clipped
/// ```
pub trait Sample: PcmSample + Send + Sync + 'static {
    /// The sample format of this type (`flt`, `dbl`, `s16`, `s32`, `u8`).
    const FORMAT: SampleFormat;
}

impl Sample for f32 {
    const FORMAT: SampleFormat = SampleFormat::F32;
}

impl Sample for f64 {
    const FORMAT: SampleFormat = SampleFormat::F64;
}

impl Sample for i16 {
    const FORMAT: SampleFormat = SampleFormat::S16;
}

impl Sample for i32 {
    const FORMAT: SampleFormat = SampleFormat::S32;
}

impl Sample for u8 {
    const FORMAT: SampleFormat = SampleFormat::U8;
}
