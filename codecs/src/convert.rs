//! Sample-format conversions, as FFmpeg's swresample does them: integers scale by powers of
//! two (`i16 → s32` is `<< 16`, `s32 → s16` is `>> 16`), floats are `[-1, 1]`, `u8` is offset
//! by 128. Floats converted to integers are rounded and clipped; each clipped sample is
//! counted so callers can warn.

use crate::{Planar, SampleFormat};

/// A sample type that converts to every [`SampleFormat`]. The `bool` says the value was
/// clipped (out of `[-1, 1]`, or NaN, when converting a float to an integer).
///
/// ```
/// use audiostream_codecs::convert::PcmSample;
/// assert_eq!(0.5f32.to_s16(), (16384, false));
/// assert_eq!(1.5f32.to_s16(), (32767, true));
/// assert_eq!(1000i16.to_s32(), (1000 << 16, false));
/// ```
pub trait PcmSample: Copy {
    /// To unsigned 8-bit.
    fn to_u8(self) -> (u8, bool);
    /// To signed 16-bit.
    fn to_s16(self) -> (i16, bool);
    /// To signed 24-bit (in an `i32`).
    fn to_s24(self) -> (i32, bool);
    /// To signed 32-bit.
    fn to_s32(self) -> (i32, bool);
    /// To 32-bit float.
    fn to_f32(self) -> f32;
    /// To 64-bit float.
    fn to_f64(self) -> f64;
}

/// Float to integer of `bits` bits: round (half away from zero), clip, and say whether it
/// clipped. NaN becomes 0 and counts as clipped.
#[inline]
fn float_to_int(x: f64, bits: u32) -> (i64, bool) {
    let scale = (1u64 << (bits - 1)) as f64;
    let v = x * scale;
    let hi = scale - 1.0;
    if v >= -scale && v <= hi {
        // In range: `as` truncates toward zero after the half-away-from-zero nudge.
        let r = (v + 0.5f64.copysign(v)) as i64;
        (r.clamp(-(scale as i64), hi as i64), false)
    } else if v > hi {
        (hi as i64, true)
    } else if v < -scale {
        (-(scale as i64), true)
    } else {
        (0, true) // NaN
    }
}

/// `float_to_int` in `f32` arithmetic, for up to 24 bits (the scaling is exact in `f32`).
/// Branch-free so that loops over it vectorize.
#[inline]
fn f32_to_int(x: f32, bits: u32) -> (i32, bool) {
    let scale = (1u32 << (bits - 1)) as f32;
    let hi = scale - 1.0;
    let v = x * scale;
    // NaN fails both comparisons: counted as clipped, and `NaN as i32` is 0.
    let clipped = !(v >= -scale && v <= hi);
    let r = v.clamp(-scale, hi);
    ((r + 0.5f32.copysign(r)) as i32, clipped)
}

impl PcmSample for f32 {
    #[inline]
    fn to_u8(self) -> (u8, bool) {
        let (v, c) = f32_to_int(self, 8);
        ((v + 128) as u8, c)
    }
    #[inline]
    fn to_s16(self) -> (i16, bool) {
        let (v, c) = f32_to_int(self, 16);
        (v as i16, c)
    }
    #[inline]
    fn to_s24(self) -> (i32, bool) {
        f32_to_int(self, 24)
    }
    #[inline]
    fn to_s32(self) -> (i32, bool) {
        let (v, c) = float_to_int(f64::from(self), 32);
        (v as i32, c)
    }
    #[inline]
    fn to_f32(self) -> f32 {
        self
    }
    #[inline]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl PcmSample for f64 {
    #[inline]
    fn to_u8(self) -> (u8, bool) {
        let (v, c) = float_to_int(self, 8);
        ((v + 128) as u8, c)
    }
    #[inline]
    fn to_s16(self) -> (i16, bool) {
        let (v, c) = float_to_int(self, 16);
        (v as i16, c)
    }
    #[inline]
    fn to_s24(self) -> (i32, bool) {
        let (v, c) = float_to_int(self, 24);
        (v as i32, c)
    }
    #[inline]
    fn to_s32(self) -> (i32, bool) {
        let (v, c) = float_to_int(self, 32);
        (v as i32, c)
    }
    #[inline]
    fn to_f32(self) -> f32 {
        self as f32
    }
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
}

impl PcmSample for i16 {
    #[inline]
    fn to_u8(self) -> (u8, bool) {
        (((self >> 8) + 128) as u8, false)
    }
    #[inline]
    fn to_s16(self) -> (i16, bool) {
        (self, false)
    }
    #[inline]
    fn to_s24(self) -> (i32, bool) {
        (i32::from(self) << 8, false)
    }
    #[inline]
    fn to_s32(self) -> (i32, bool) {
        (i32::from(self) << 16, false)
    }
    #[inline]
    fn to_f32(self) -> f32 {
        f32::from(self) / 32768.0
    }
    #[inline]
    fn to_f64(self) -> f64 {
        f64::from(self) / 32768.0
    }
}

impl PcmSample for i32 {
    #[inline]
    fn to_u8(self) -> (u8, bool) {
        (((self >> 24) + 128) as u8, false)
    }
    #[inline]
    fn to_s16(self) -> (i16, bool) {
        ((self >> 16) as i16, false)
    }
    #[inline]
    fn to_s24(self) -> (i32, bool) {
        (self >> 8, false)
    }
    #[inline]
    fn to_s32(self) -> (i32, bool) {
        (self, false)
    }
    #[inline]
    fn to_f32(self) -> f32 {
        (f64::from(self) / 2147483648.0) as f32
    }
    #[inline]
    fn to_f64(self) -> f64 {
        f64::from(self) / 2147483648.0
    }
}

impl PcmSample for u8 {
    #[inline]
    fn to_u8(self) -> (u8, bool) {
        (self, false)
    }
    #[inline]
    fn to_s16(self) -> (i16, bool) {
        ((i16::from(self) - 128) << 8, false)
    }
    #[inline]
    fn to_s24(self) -> (i32, bool) {
        ((i32::from(self) - 128) << 16, false)
    }
    #[inline]
    fn to_s32(self) -> (i32, bool) {
        ((i32::from(self) - 128) << 24, false)
    }
    #[inline]
    fn to_f32(self) -> f32 {
        (f32::from(self) - 128.0) / 128.0
    }
    #[inline]
    fn to_f64(self) -> f64 {
        (f64::from(self) - 128.0) / 128.0
    }
}

/// Reusable planar buffers of one [`SampleFormat`], filled by [`PlanarBuffer::fill`].
///
/// ```
/// use audiostream_codecs::{convert::PlanarBuffer, SampleFormat};
/// let mut buf = PlanarBuffer::new(SampleFormat::S16, 2);
/// let clipped = buf.fill([vec![0.5f32, 2.0].into_iter(), vec![-0.5f32, 0.0].into_iter()]);
/// assert_eq!(clipped, 1);
/// assert_eq!(buf.frames(), 2);
/// ```
#[derive(Clone, Debug)]
pub enum PlanarBuffer {
    /// `u8` channels.
    U8(Vec<Vec<u8>>),
    /// `s16` channels.
    S16(Vec<Vec<i16>>),
    /// `s24` channels.
    S24(Vec<Vec<i32>>),
    /// `s32` channels.
    S32(Vec<Vec<i32>>),
    /// `flt` channels.
    F32(Vec<Vec<f32>>),
    /// `dbl` channels.
    F64(Vec<Vec<f64>>),
}

impl PlanarBuffer {
    /// Empty buffers for `channels` channels of `format`.
    pub fn new(format: SampleFormat, channels: usize) -> Self {
        match format {
            SampleFormat::U8 => PlanarBuffer::U8(vec![Vec::new(); channels]),
            SampleFormat::S16 => PlanarBuffer::S16(vec![Vec::new(); channels]),
            SampleFormat::S24 => PlanarBuffer::S24(vec![Vec::new(); channels]),
            SampleFormat::S32 => PlanarBuffer::S32(vec![Vec::new(); channels]),
            SampleFormat::F32 => PlanarBuffer::F32(vec![Vec::new(); channels]),
            SampleFormat::F64 => PlanarBuffer::F64(vec![Vec::new(); channels]),
        }
    }

    /// Replaces the contents with `channels` converted (one iterator per channel); returns how
    /// many samples were clipped.
    pub fn fill<T, I, C>(&mut self, channels: C) -> u64
    where
        T: PcmSample,
        I: Iterator<Item = T>,
        C: IntoIterator<Item = I>,
    {
        fn put<T, V, I, C>(dst: &mut [Vec<V>], channels: C, f: impl Fn(T) -> (V, bool)) -> u64
        where
            I: Iterator<Item = T>,
            C: IntoIterator<Item = I>,
        {
            let mut clipped = 0;
            for (d, src) in dst.iter_mut().zip(channels) {
                d.clear();
                d.extend(src.map(|s| {
                    let (v, c) = f(s);
                    clipped += u64::from(c);
                    v
                }));
            }
            clipped
        }
        match self {
            PlanarBuffer::U8(d) => put(d, channels, T::to_u8),
            PlanarBuffer::S16(d) => put(d, channels, T::to_s16),
            PlanarBuffer::S24(d) => put(d, channels, T::to_s24),
            PlanarBuffer::S32(d) => put(d, channels, T::to_s32),
            PlanarBuffer::F32(d) => put(d, channels, |s: T| (s.to_f32(), false)),
            PlanarBuffer::F64(d) => put(d, channels, |s: T| (s.to_f64(), false)),
        }
    }

    /// [`fill`](Self::fill) from contiguous channel slices (the fast path: it vectorizes).
    pub fn fill_slices<T: PcmSample>(&mut self, channels: &[&[T]]) -> u64 {
        fn put<T: Copy, V>(
            dst: &mut [Vec<V>],
            channels: &[&[T]],
            f: impl Fn(T) -> (V, bool),
        ) -> u64 {
            let mut clipped = 0u64;
            for (d, src) in dst.iter_mut().zip(channels) {
                d.clear();
                d.reserve(src.len());
                let mut n = 0u32;
                d.extend(src.iter().map(|&s| {
                    let (v, c) = f(s);
                    n += u32::from(c);
                    v
                }));
                clipped += u64::from(n);
            }
            clipped
        }
        match self {
            PlanarBuffer::U8(d) => put(d, channels, T::to_u8),
            PlanarBuffer::S16(d) => put(d, channels, T::to_s16),
            PlanarBuffer::S24(d) => put(d, channels, T::to_s24),
            PlanarBuffer::S32(d) => put(d, channels, T::to_s32),
            PlanarBuffer::F32(d) => put(d, channels, |s: T| (s.to_f32(), false)),
            PlanarBuffer::F64(d) => put(d, channels, |s: T| (s.to_f64(), false)),
        }
    }

    /// Replaces the contents with `frames` frames of silence.
    pub fn fill_silence(&mut self, frames: usize) {
        fn put<V: Copy>(dst: &mut [Vec<V>], frames: usize, zero: V) {
            for d in dst {
                d.clear();
                d.resize(frames, zero);
            }
        }
        match self {
            PlanarBuffer::U8(d) => put(d, frames, 128),
            PlanarBuffer::S16(d) => put(d, frames, 0),
            PlanarBuffer::S24(d) | PlanarBuffer::S32(d) => put(d, frames, 0),
            PlanarBuffer::F32(d) => put(d, frames, 0.0),
            PlanarBuffer::F64(d) => put(d, frames, 0.0),
        }
    }

    /// Frames held.
    pub fn frames(&self) -> usize {
        self.as_planar().frames()
    }

    /// The contents, as an encoder takes them.
    pub fn as_planar(&self) -> Planar<'_> {
        match self {
            PlanarBuffer::U8(d) => Planar::U8(d),
            PlanarBuffer::S16(d) => Planar::I16(d),
            PlanarBuffer::S24(d) | PlanarBuffer::S32(d) => Planar::I32(d),
            PlanarBuffer::F32(d) => Planar::F32(d),
            PlanarBuffer::F64(d) => Planar::F64(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_conversions_round_and_clip() {
        assert_eq!((-1.0f32).to_s16(), (-32768, false));
        assert_eq!(1.0f32.to_s16(), (32767, true)); // +1.0 does not fit: clipped
        assert_eq!(f32::NAN.to_s24(), (0, true));
        assert_eq!(0.25f64.to_s24(), (1 << 21, false));
        assert_eq!((-2.0f64).to_s32(), (i32::MIN, true));
        assert_eq!(0.0f32.to_u8(), (128, false));
    }

    #[test]
    fn integer_conversions_shift() {
        assert_eq!((-32768i16).to_u8(), (0, false));
        assert_eq!(0x1234_5678i32.to_s16(), (0x1234, false));
        assert_eq!(0x1234_5678i32.to_s24(), (0x12_3456, false));
        assert_eq!(255u8.to_s16(), (127 << 8, false));
        assert_eq!(i16::MIN.to_f32(), -1.0);
    }
}
