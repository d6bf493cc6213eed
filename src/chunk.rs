//! Audio chunks and the sample types the API accepts.

use audiostream_codecs::convert::PcmSample;
use audiostream_codecs::SampleFormat;
use ndarray::Array2;
use std::ops::{Deref, DerefMut};

/// One chunk popped from a reader: `(channels, frames)` samples plus the time of its first frame.
///
/// Derefs to the sample array, so `chunk.ncols()` is its number of frames. `Chunk` is
/// `Chunk<f32>`, what [`pop_chunks`](crate::StreamReader::pop_chunks) gives;
/// [`pop_chunks_as`](crate::StreamReader::pop_chunks_as) gives the other [`Sample`] types.
///
/// ```
/// use audiostream::{ndarray::Array2, Chunk};
/// let c: Chunk = Chunk { data: Array2::zeros((2, 1024)), pts: 0.5 };
/// assert_eq!((c.nrows(), c.ncols()), (2, 1024));
/// let c: Chunk<i32> = Chunk { data: Array2::zeros((1, 8)), pts: 0.0 };
/// assert_eq!(c[[0, 0]], 0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk<T = f32> {
    /// Samples, `(channels, frames)`: `f32` in `[-1, 1]` unless another sample type was asked.
    pub data: Array2<T>,
    /// Presentation time of the first frame, in seconds.
    pub pts: f64,
}

impl<T> Deref for Chunk<T> {
    type Target = Array2<T>;
    fn deref(&self) -> &Array2<T> {
        &self.data
    }
}

impl<T> DerefMut for Chunk<T> {
    fn deref_mut(&mut self) -> &mut Array2<T> {
        &mut self.data
    }
}

impl<T: Copy> Chunk<T> {
    /// The samples interleaved, frame by frame (`L0 R0 L1 R1 ...`), for code that does not
    /// use ndarray (audio APIs, `soundfile`-style buffers).
    ///
    /// ```
    /// use audiostream::{ndarray::array, Chunk};
    /// let c = Chunk { data: array![[1.0f32, 2.0], [-1.0, -2.0]], pts: 0.0 };
    /// assert_eq!(c.to_interleaved(), [1.0, -1.0, 2.0, -2.0]);
    /// ```
    pub fn to_interleaved(&self) -> Vec<T> {
        // The transpose's logical order is frame-major: iterating it interleaves.
        self.data.t().iter().copied().collect()
    }

    /// Frames in this chunk (`ncols()`).
    ///
    /// ```
    /// use audiostream::{ndarray::Array2, Chunk};
    /// assert_eq!(Chunk { data: Array2::<f32>::zeros((2, 5)), pts: 0.0 }.frames(), 5);
    /// ```
    pub fn frames(&self) -> usize {
        self.data.ncols()
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
    /// The value of silence (128 for `u8`, 0 otherwise).
    const SILENCE: Self;
    /// This type from another sample type, by FFmpeg's conversion rules (see [`PcmSample`]).
    ///
    /// ```
    /// use audiostream::Sample;
    /// assert_eq!(i16::convert_from(0.5f32), 16384);
    /// assert_eq!(i32::convert_from(-16384i16), -16384 << 16);
    /// ```
    fn convert_from<X: PcmSample>(x: X) -> Self;
}

impl Sample for f32 {
    const FORMAT: SampleFormat = SampleFormat::F32;
    const SILENCE: f32 = 0.0;
    fn convert_from<X: PcmSample>(x: X) -> f32 {
        x.to_f32()
    }
}

impl Sample for f64 {
    const FORMAT: SampleFormat = SampleFormat::F64;
    const SILENCE: f64 = 0.0;
    fn convert_from<X: PcmSample>(x: X) -> f64 {
        x.to_f64()
    }
}

impl Sample for i16 {
    const FORMAT: SampleFormat = SampleFormat::S16;
    const SILENCE: i16 = 0;
    fn convert_from<X: PcmSample>(x: X) -> i16 {
        x.to_s16().0
    }
}

impl Sample for i32 {
    const FORMAT: SampleFormat = SampleFormat::S32;
    const SILENCE: i32 = 0;
    fn convert_from<X: PcmSample>(x: X) -> i32 {
        x.to_s32().0
    }
}

impl Sample for u8 {
    const FORMAT: SampleFormat = SampleFormat::U8;
    const SILENCE: u8 = 128;
    fn convert_from<X: PcmSample>(x: X) -> u8 {
        x.to_u8().0
    }
}
