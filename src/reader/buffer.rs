//! Per-output chunk buffering: exact `frames_per_chunk` chunks, bounded queue, pts per chunk.

use crate::chunk::Chunk;
use ndarray::{s, Array2, ArrayView2};
use std::collections::VecDeque;

#[cfg(feature = "decode")]
use symphonia::core::audio::GenericAudioBufferRef;

/// Cuts a stream of decoded frames into chunks of exactly `frames_per_chunk` frames and keeps at
/// most `max_chunks` of them (dropping the oldest, chunk and pts together).
#[derive(Debug)]
pub(crate) struct ChunkBuffer {
    frames_per_chunk: usize,
    max_chunks: usize,
    channels: usize,
    sample_rate: u32,
    ready: VecDeque<Chunk>,
    /// The chunk being filled, `(channels, frames_per_chunk)`; `filled` columns are valid.
    current: Option<Array2<f32>>,
    filled: usize,
    /// Stream frame index of the first frame of `current`.
    current_start: u64,
    dropped_chunks: u64,
    warned: bool,
}

impl ChunkBuffer {
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

    pub(crate) fn pop(&mut self) -> Option<Chunk> {
        self.ready.pop_front()
    }

    /// Number of chunks dropped because the queue was full.
    pub(crate) fn dropped_chunks(&self) -> u64 {
        self.dropped_chunks
    }

    /// Appends frames `range` of a decoded buffer, converting them to `f32`.
    #[cfg(feature = "decode")]
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
                .get_or_insert_with(|| Array2::zeros((channels, fpc)));
            if let Some(all) = current.as_slice_mut() {
                let mut rows = all
                    .chunks_exact_mut(fpc)
                    .map(|row| &mut row[filled..filled + n]);
                let src = buf.slice(pos..pos + n);
                // Up to 8 channels the row slices live on the stack: no allocation per packet.
                if channels <= 8 {
                    let mut stack: [&mut [f32]; 8] =
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
                .get_or_insert_with(|| Array2::zeros((channels, fpc)));
            for (c, plane) in planes.iter().enumerate().take(channels) {
                if let Some(src) = plane.get(pos..pos + n) {
                    let mut dst = current.slice_mut(s![c, filled..filled + n]);
                    match dst.as_slice_mut() {
                        Some(dst) => dst.copy_from_slice(src),
                        None => dst.iter_mut().zip(src).for_each(|(d, s)| *d = *s),
                    }
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
            // A new chunk starts as zeros, and the columns past `filled` are still zero.
            self.current
                .get_or_insert_with(|| Array2::zeros((channels, fpc)));
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

    fn emit(&mut self, data: Array2<f32>, keep_all: bool) {
        let frames = data.ncols() as u64;
        let pts = self.current_start as f64 / f64::from(self.sample_rate);
        self.ready.push_back(Chunk { data, pts });
        self.current_start += frames;
        self.filled = 0;
        if !keep_all && self.ready.len() > self.max_chunks {
            self.ready.pop_front();
            self.dropped_chunks += 1;
            if !self.warned {
                self.warned = true;
                log::warn!(
                    "more than buffer_chunk_size = {} chunks were waiting; dropping the oldest. \
                     Pop chunks more often, use stream(), or raise buffer_chunk_size.",
                    self.max_chunks
                );
            }
        }
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
        let mut b = ChunkBuffer::new(4, 100, 2, 10);
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
        let mut b = ChunkBuffer::new(2, 2, 1, 1);
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
