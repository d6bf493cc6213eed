//! Audio chunks and the sample types the API accepts.

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
/// Conversions follow FFmpeg's swresample: floats are `[-1, 1]`, integers are full scale
/// (`i16::MAX` is just under 1.0), `u8` is offset by 128.
///
/// ```
/// use audiostream::Sample;
/// assert_eq!(<i16 as Sample>::FORMAT, "s16");
/// assert_eq!(16384i16.to_f32(), 0.5);
/// assert_eq!(i16::from_f32(0.5), 16384);
/// assert_eq!(i16::from_f32(2.0), i16::MAX); // clipped
/// ```
pub trait Sample: Copy + Send + Sync + 'static {
    /// The FFmpeg name of the interleaved sample format (`flt`, `dbl`, `s16`, `s32`, `u8`).
    const FORMAT: &'static str;
    /// Converts to `f32` in `[-1, 1]`.
    fn to_f32(self) -> f32;
    /// Converts from `f32`, clipping to the type's range.
    fn from_f32(v: f32) -> Self;
}

impl Sample for f32 {
    const FORMAT: &'static str = "flt";
    fn to_f32(self) -> f32 {
        self
    }
    fn from_f32(v: f32) -> Self {
        v
    }
}

impl Sample for f64 {
    const FORMAT: &'static str = "dbl";
    fn to_f32(self) -> f32 {
        self as f32
    }
    fn from_f32(v: f32) -> Self {
        f64::from(v)
    }
}

impl Sample for i16 {
    const FORMAT: &'static str = "s16";
    fn to_f32(self) -> f32 {
        f32::from(self) / 32768.0
    }
    fn from_f32(v: f32) -> Self {
        // `as` saturates, which is the clipping we want; NaN becomes 0.
        (v * 32768.0).round().clamp(-32768.0, 32767.0) as i16
    }
}

impl Sample for i32 {
    const FORMAT: &'static str = "s32";
    fn to_f32(self) -> f32 {
        (self as f64 / 2147483648.0) as f32
    }
    fn from_f32(v: f32) -> Self {
        (f64::from(v) * 2147483648.0)
            .round()
            .clamp(-2147483648.0, 2147483647.0) as i32
    }
}

impl Sample for u8 {
    const FORMAT: &'static str = "u8";
    fn to_f32(self) -> f32 {
        (f32::from(self) - 128.0) / 128.0
    }
    fn from_f32(v: f32) -> Self {
        (v * 128.0 + 128.0).round().clamp(0.0, 255.0) as u8
    }
}
