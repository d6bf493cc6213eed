//! Per-output chunk buffering: exact `frames_per_chunk` chunks, bounded queue, pts per chunk.

use crate::chunk::{Chunk, Sample};
use ndarray::{s, Array2, ArrayView2};
use std::collections::VecDeque;

#[cfg(feature = "decode-core")]
use symphonia::core::audio::conv::ConvertibleSample;
#[cfg(feature = "decode-core")]
use symphonia::core::audio::GenericAudioBufferRef;

/// A sample type an output's chunks can hold: converted from decoded frames by symphonia (exact
/// between integer formats of the same or a wider width, as FFmpeg does), and from `f32`
/// (converted audio) by FFmpeg's rules.
#[cfg(feature = "decode-core")]
pub(crate) trait OutSample: Sample + ConvertibleSample {}
#[cfg(feature = "decode-core")]
impl<T: Sample + ConvertibleSample> OutSample for T {}
#[cfg(not(feature = "decode-core"))]
pub(crate) trait OutSample: Sample {}
#[cfg(not(feature = "decode-core"))]
impl<T: Sample> OutSample for T {}

/// Cuts a stream of decoded frames into chunks of exactly `frames_per_chunk` frames and keeps at
/// most `max_chunks` of them (dropping the oldest, chunk and pts together).
#[derive(Debug)]
pub(crate) struct ChunkBuffer<T = f32> {
    frames_per_chunk: usize,
    max_chunks: usize,
    channels: usize,
    sample_rate: u32,
    ready: VecDeque<Chunk<T>>,
    /// The chunk being filled, `(channels, frames_per_chunk)`; `filled` columns are valid.
    current: Option<Array2<T>>,
    filled: usize,
    /// Stream frame index of the first frame of `current`.
    current_start: u64,
    dropped_chunks: u64,
    warned: bool,
}

impl<T: OutSample> ChunkBuffer<T> {
    pub(crate) fn new(
        frames_per_chunk: usize,
        max_chunks: usize,
        channels: usize,
        sample_rate: u32,
    ) -> Self {
        ChunkBuffer {
            frames_per_chunk,
            max_chunks,
            channels,
            sample_rate,
            ready: VecDeque::new(),
            current: None,
            filled: 0,
            current_start: 0,
            dropped_chunks: 0,
            warned: false,
        }
    }

    /// Forgets everything buffered; the next frame pushed is stream frame `start_frame`.
    pub(crate) fn reset(&mut self, start_frame: u64) {
        self.ready.clear();
        self.current = None;
        self.filled = 0;
        self.current_start = start_frame;
    }

    pub(crate) fn has_chunk(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Whether the queue holds `max_chunks` chunks (at least one): `stream()`, which keeps
    /// every chunk, reads no further packet while an output is full.
    pub(crate) fn is_full(&self) -> bool {
        self.ready.len() >= self.max_chunks.max(1)
    }

    pub(crate) fn pop(&mut self) -> Option<Chunk<T>> {
        self.ready.pop_front()
    }

    /// Number of chunks dropped because the queue was full.
    pub(crate) fn dropped_chunks(&self) -> u64 {
        self.dropped_chunks
    }

    /// Appends frames `range` of a decoded buffer, converting them to the output's samples.
    #[cfg(feature = "decode-core")]
    pub(crate) fn push_decoded(
        &mut self,
        buf: &GenericAudioBufferRef<'_>,
        range: std::ops::Range<usize>,
        keep_all: bool,
    ) {
        let mut pos = range.start;
        while pos < range.end {
            let fpc = self.frames_per_chunk;
            let channels = self.channels;
            let filled = self.filled;
            let n = (range.end - pos).min(fpc - filled);
            let current = self
                .current
                .get_or_insert_with(|| Array2::from_elem((channels, fpc), T::SILENCE));
            if let Some(all) = current.as_slice_mut() {
                let mut rows = all
                    .chunks_exact_mut(fpc)
                    .map(|row| &mut row[filled..filled + n]);
                let src = buf.slice(pos..pos + n);
                // Up to 8 channels the row slices live on the stack: no allocation per packet.
                if channels <= 8 {
                    let mut stack: [&mut [T]; 8] =
                        std::array::from_fn(|_| rows.next().unwrap_or_default());
                    src.copy_to_slice_planar(&mut stack[..channels]);
                } else {
                    src.copy_to_slice_planar(&mut rows.collect::<Vec<_>>());
                }
            }
            self.filled += n;
            pos += n;
            if self.filled == fpc {
                self.complete_current(keep_all);
            }
        }
    }

    /// Appends `(channels, frames)` frames (converted audio), whatever the view's layout.
    pub(crate) fn push_view(&mut self, data: ArrayView2<'_, f32>, keep_all: bool) {
        let planes: Option<Vec<&[f32]>> = data.rows().into_iter().map(|r| r.to_slice()).collect();
        match planes {
            Some(planes) => self.push_planar(&planes, keep_all),
            None => {
                let owned = data.as_standard_layout();
                let planes: Vec<&[f32]> = owned
                    .rows()
                    .into_iter()
                    .filter_map(|r| r.to_slice())
                    .collect();
                self.push_planar(&planes, keep_all);
            }
        }
    }

    /// Appends planar `f32` frames (one slice per channel, equal lengths).
    pub(crate) fn push_planar(&mut self, planes: &[&[f32]], keep_all: bool) {
        let total = planes.first().map_or(0, |p| p.len());
        let mut pos = 0;
        while pos < total {
            let fpc = self.frames_per_chunk;
            let channels = self.channels;
            let filled = self.filled;
            let n = (total - pos).min(fpc - filled);
            let current = self
                .current
                .get_or_insert_with(|| Array2::from_elem((channels, fpc), T::SILENCE));
            for (c, plane) in planes.iter().enumerate().take(channels) {
                if let Some(src) = plane.get(pos..pos + n) {
                    let mut dst = current.slice_mut(s![c, filled..filled + n]);
                    dst.iter_mut()
                        .zip(src)
                        .for_each(|(d, s)| *d = T::convert_from(*s));
                }
            }
            self.filled += n;
            pos += n;
            if self.filled == fpc {
                self.complete_current(keep_all);
            }
        }
    }

    /// Appends `frames` frames of silence.
    pub(crate) fn push_silence(&mut self, frames: usize, keep_all: bool) {
        let mut left = frames;
        while left > 0 {
            let (fpc, channels) = (self.frames_per_chunk, self.channels);
            let n = left.min(fpc - self.filled);
            // A new chunk starts as silence, and the columns past `filled` are still silent.
            self.current
                .get_or_insert_with(|| Array2::from_elem((channels, fpc), T::SILENCE));
            self.filled += n;
            left -= n;
            if self.filled == fpc {
                self.complete_current(keep_all);
            }
        }
    }

    /// Emits the partly filled chunk (end of stream): it is shorter than `frames_per_chunk`.
    pub(crate) fn flush(&mut self, keep_all: bool) {
        if self.filled == 0 {
            return;
        }
        if let Some(current) = self.current.take() {
            let data = current.slice(s![.., ..self.filled]).to_owned();
            self.emit(data, keep_all);
        }
    }

    fn complete_current(&mut self, keep_all: bool) {
        if let Some(data) = self.current.take() {
            self.emit(data, keep_all);
        }
    }

    fn emit(&mut self, data: Array2<T>, keep_all: bool) {
        let frames = data.ncols() as u64;
        let pts = self.current_start as f64 / f64::from(self.sample_rate);
        self.ready.push_back(Chunk { data, pts });
        self.current_start += frames;
        self.filled = 0;
        if !keep_all {
            self.overflow();
        }
    }

    /// Drops the oldest chunks beyond `max_chunks` (torchaudio's overflow: the newest are
    /// kept), counting them and warning the first time. A queue that grew past `max_chunks`
    /// by one packet's chunks while its consumer kept pace shrinks back here.
    pub(crate) fn overflow(&mut self) {
        while self.ready.len() > self.max_chunks.max(1) {
            self.ready.pop_front();
            self.dropped_chunks += 1;
            if !self.warned {
                self.warned = true;
                log::warn!(
                    "more than buffer_chunk_size = {} chunks were waiting; dropping the oldest. \
                     Pop chunks after every process_packet() call, use stream(), or raise \
                     buffer_chunk_size.",
                    self.max_chunks
                );
            }
        }
    }
}

/// The chunk buffer of one output, in the sample type the output delivers.
#[derive(Debug)]
pub(crate) enum OutputBuffer {
    F32(ChunkBuffer<f32>),
    F64(ChunkBuffer<f64>),
    S16(ChunkBuffer<i16>),
    S32(ChunkBuffer<i32>),
    U8(ChunkBuffer<u8>),
}

/// Runs `$body` with `$b` bound to the buffer, whatever its sample type.
macro_rules! each {
    ($self:expr, $b:ident => $body:expr) => {
        match $self {
            OutputBuffer::F32($b) => $body,
            OutputBuffer::F64($b) => $body,
            OutputBuffer::S16($b) => $body,
            OutputBuffer::S32($b) => $body,
            OutputBuffer::U8($b) => $body,
        }
    };
}

/// Converts a chunk to another sample type (moved as it is when the type is the same).
fn convert_chunk<X: Sample, T: Sample>(chunk: Chunk<X>) -> Chunk<T> {
    let any: Box<dyn std::any::Any> = Box::new(chunk);
    match any.downcast::<Chunk<T>>() {
        Ok(same) => *same,
        Err(any) => match any.downcast::<Chunk<X>>() {
            Ok(other) => Chunk {
                data: other.data.mapv(T::convert_from),
                pts: other.pts,
            },
            // A Box made from a Chunk<X> is one.
            Err(_) => unreachable!("a chunk of the buffer's own sample type"),
        },
    }
}

impl OutputBuffer {
    /// A buffer of `format` samples (`flt`, `dbl`, `s16`, `s32`, `u8`).
    pub(crate) fn new(
        format: crate::SampleFormat,
        frames_per_chunk: usize,
        max_chunks: usize,
        channels: usize,
        sample_rate: u32,
    ) -> Self {
        use crate::SampleFormat as F;
        let (f, m, c, r) = (frames_per_chunk, max_chunks, channels, sample_rate);
        match format {
            F::F64 => OutputBuffer::F64(ChunkBuffer::new(f, m, c, r)),
            F::S16 => OutputBuffer::S16(ChunkBuffer::new(f, m, c, r)),
            F::S24 | F::S32 => OutputBuffer::S32(ChunkBuffer::new(f, m, c, r)),
            F::U8 => OutputBuffer::U8(ChunkBuffer::new(f, m, c, r)),
            F::F32 => OutputBuffer::F32(ChunkBuffer::new(f, m, c, r)),
        }
    }

    pub(crate) fn reset(&mut self, start_frame: u64) {
        each!(self, b => b.reset(start_frame))
    }

    pub(crate) fn has_chunk(&self) -> bool {
        each!(self, b => b.has_chunk())
    }

    pub(crate) fn is_full(&self) -> bool {
        each!(self, b => b.is_full())
    }

    /// The next chunk, in sample type `T`.
    pub(crate) fn pop<T: Sample>(&mut self) -> Option<Chunk<T>> {
        each!(self, b => b.pop().map(convert_chunk))
    }

    pub(crate) fn dropped_chunks(&self) -> u64 {
        each!(self, b => b.dropped_chunks())
    }

    pub(crate) fn overflow(&mut self) {
        each!(self, b => b.overflow())
    }

    #[cfg(feature = "decode-core")]
    pub(crate) fn push_decoded(
        &mut self,
        buf: &GenericAudioBufferRef<'_>,
        range: std::ops::Range<usize>,
        keep_all: bool,
    ) {
        each!(self, b => b.push_decoded(buf, range, keep_all))
    }

    pub(crate) fn push_view(&mut self, data: ArrayView2<'_, f32>, keep_all: bool) {
        each!(self, b => b.push_view(data, keep_all))
    }

    pub(crate) fn push_silence(&mut self, frames: usize, keep_all: bool) {
        each!(self, b => b.push_silence(frames, keep_all))
    }

    pub(crate) fn flush(&mut self, keep_all: bool) {
        each!(self, b => b.flush(keep_all))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize) -> Vec<f32> {
        (0..n).map(|i| i as f32).collect()
    }

    #[test]
    fn chunks_are_exact_and_pts_follow_frames() {
        let mut b = ChunkBuffer::<f32>::new(4, 100, 2, 10);
        let l = ramp(10);
        let r: Vec<f32> = l.iter().map(|v| -v).collect();
        b.push_planar(&[&l[..3], &r[..3]], false);
        b.push_planar(&[&l[3..], &r[3..]], false);
        b.flush(false);
        let chunks: Vec<Chunk> = std::iter::from_fn(|| b.pop()).collect();
        assert_eq!(
            chunks.iter().map(|c| c.ncols()).collect::<Vec<_>>(),
            [4, 4, 2]
        );
        assert_eq!(
            chunks.iter().map(|c| c.pts).collect::<Vec<_>>(),
            [0.0, 0.4, 0.8]
        );
        assert_eq!(chunks[1].data[[0, 0]], 4.0);
        assert_eq!(chunks[2].data[[1, 1]], -9.0);
    }

    #[test]
    fn overflow_keeps_the_newest_with_their_pts() {
        let mut b = ChunkBuffer::<f32>::new(2, 2, 1, 1);
        let x = ramp(9);
        b.push_planar(&[&x], false);
        b.flush(false);
        let chunks: Vec<Chunk> = std::iter::from_fn(|| b.pop()).collect();
        assert_eq!(chunks.len(), 2);
        assert_eq!((chunks[0].pts, chunks[0].data[[0, 0]]), (6.0, 6.0));
        assert_eq!((chunks[1].pts, chunks[1].ncols()), (8.0, 1));
        assert_eq!(b.dropped_chunks(), 3);
    }
}
