//! Per-output chunk buffering: exact `frames_per_chunk` chunks, bounded queue, pts per chunk.

use crate::chunk::{Chunk, Sample};
use ndarray::{Array2, ArrayView2};
use std::collections::VecDeque;

#[cfg(feature = "decode-core")]
use super::pcm::PcmFrames;
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
///
/// A chunk is built by appending converted samples to a `Vec` (row-major `(channels, frames)`)
/// and handed over whole: no chunk is first filled with silence and then overwritten. For PCM,
/// where decoding is itself a copy, that extra pass over every chunk cost 11 % of the decode
/// time (BENCHMARKS.md, reader section). Channel 0's frames go straight into the chunk being
/// built; the other channels' frames wait in `head`, one reused `Vec` per channel, until the
/// chunk is complete, because a row-major chunk takes channel 1's frames only after all of
/// channel 0's.
#[derive(Debug)]
pub(crate) struct ChunkBuffer<T = f32> {
    frames_per_chunk: usize,
    max_chunks: usize,
    channels: usize,
    sample_rate: u32,
    ready: VecDeque<Chunk<T>>,
    /// The chunk being built: channel 0's first `filled` frames (room for all channels).
    current: Option<Vec<T>>,
    /// The first `filled` frames of channels 1.. of the chunk being built, one `Vec` per
    /// channel (`head[0]` stays empty; their capacity is kept from chunk to chunk).
    head: Vec<Vec<T>>,
    filled: usize,
    /// Whether `current` holds whole rows: `channels * frames_per_chunk` samples, channel
    /// `c`'s first `filled` frames from `c * frames_per_chunk` on (the rest silence), the
    /// heads empty. Stereo PCM builds its chunks so, in place ([`ChunkBuffer::push_pcm`]);
    /// the other pushes turn them back first ([`ChunkBuffer::unfull`]).
    full: bool,
    /// Stream frame index of the first frame of the chunk being built.
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
            head: (0..channels).map(|_| Vec::new()).collect(),
            filled: 0,
            full: false,
            current_start: 0,
            dropped_chunks: 0,
            warned: false,
        }
    }

    /// Forgets everything buffered; the next frame pushed is stream frame `start_frame`.
    pub(crate) fn reset(&mut self, start_frame: u64) {
        self.ready.clear();
        self.current = None;
        self.full = false;
        self.head.iter_mut().for_each(Vec::clear);
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

    /// Appends frames `range` of a decoded buffer, converting them to the output's samples
    /// (symphonia's conversions, as its `copy_to_slice_planar` does). A channel the buffer
    /// lacks is silent.
    #[cfg(feature = "decode-core")]
    pub(crate) fn push_decoded(
        &mut self,
        buf: &GenericAudioBufferRef<'_>,
        range: std::ops::Range<usize>,
        keep_all: bool,
    ) {
        let offset = range.start;
        self.push_with(range.len(), keep_all, |c, frames, out| {
            let frames = frames.start + offset..frames.end + offset;
            append_decoded(buf, c, frames, out);
        });
    }

    /// Appends frames `range` of an interleaved PCM packet, converted from its bytes. Stereo
    /// into a stereo output: both channels in one pass over the packet
    /// ([`PcmFrames::write_stereo`]), straight into the rows of the chunk being built, which
    /// is made whole (silent) when it is started ([`ChunkBuffer::full`]): filling it with
    /// silence first costs less than gathering the right channel in its head and copying it
    /// after the left when the chunk is complete. Other channel counts: a channel at a time,
    /// a channel the packet lacks silent.
    #[cfg(feature = "decode-core")]
    pub(crate) fn push_pcm(
        &mut self,
        data: &[u8],
        pcm: PcmFrames,
        range: std::ops::Range<usize>,
        keep_all: bool,
    ) {
        if pcm.channels() == 2 && self.channels == 2 {
            let fpc = self.frames_per_chunk;
            let mut pos = range.start;
            while pos < range.end {
                let filled = self.filled;
                let n = (range.end - pos).min(fpc - filled);
                let mut rows = self.take_full();
                let (left, right) = rows.split_at_mut(fpc);
                // `filled + n <= fpc`: both ranges are within their rows.
                if let (Some(l), Some(r)) = (
                    left.get_mut(filled..filled + n),
                    right.get_mut(filled..filled + n),
                ) {
                    pcm.write_stereo(data, pos..pos + n, l, r);
                }
                if filled + n == fpc {
                    self.emit(rows, fpc, keep_all);
                } else {
                    self.current = Some(rows);
                    self.full = true;
                    self.filled += n;
                }
                pos += n;
            }
            return;
        }
        let offset = range.start;
        self.push_with(range.len(), keep_all, |c, frames, out| {
            let frames = frames.start + offset..frames.end + offset;
            pcm.append_plane(data, c, frames, out);
        });
    }

    /// The chunk being built as whole rows (see [`ChunkBuffer::full`]): as it is, or made so
    /// from channel 0's frames and the heads, or a new silent one. `full` is left false: the
    /// caller sets it when it puts the rows back.
    #[cfg(feature = "decode-core")]
    fn take_full(&mut self) -> Vec<T> {
        let (fpc, channels) = (self.frames_per_chunk, self.channels);
        let full = std::mem::take(&mut self.full);
        match self.current.take() {
            Some(rows) if full => rows,
            Some(mut rows) => {
                rows.resize(fpc, T::SILENCE);
                for (c, head) in self.head.iter_mut().enumerate().skip(1) {
                    rows.extend_from_slice(head);
                    head.clear();
                    rows.resize((c + 1) * fpc, T::SILENCE);
                }
                rows
            }
            None => vec![T::SILENCE; channels * fpc],
        }
    }

    /// Turns a chunk being built as whole rows back into channel 0's frames in `current` and
    /// the others' in their heads, as every push but stereo PCM's builds it.
    fn unfull(&mut self) {
        if !std::mem::take(&mut self.full) {
            return;
        }
        let (fpc, filled) = (self.frames_per_chunk, self.filled);
        if let Some(mut rows) = self.current.take() {
            for (c, head) in self.head.iter_mut().enumerate().skip(1) {
                head.extend_from_slice(rows.get(c * fpc..c * fpc + filled).unwrap_or_default());
            }
            rows.truncate(filled);
            self.current = Some(rows);
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

    /// Appends planar `f32` frames (one slice per channel, equal lengths; a missing channel
    /// is silent).
    pub(crate) fn push_planar(&mut self, planes: &[&[f32]], keep_all: bool) {
        let total = planes.first().map_or(0, |p| p.len());
        self.push_with(total, keep_all, |c, frames, out| {
            if let Some(src) = planes.get(c).and_then(|p| p.get(frames)) {
                out.extend(src.iter().map(|&s| T::convert_from(s)));
            }
        });
    }

    /// Appends `frames` frames of silence.
    pub(crate) fn push_silence(&mut self, frames: usize, keep_all: bool) {
        self.push_with(frames, keep_all, |_, frames, out| {
            out.resize(out.len() + frames.len(), T::SILENCE);
        });
    }

    /// Appends `total` frames: `append(channel, frames, out)` pushes frames `frames` (of
    /// `0..total`) of `channel` onto `out`. Channel 0 goes into the chunk being built, the
    /// others into their heads; the frames that complete a chunk are appended after each
    /// channel's head in one pass.
    fn push_with(
        &mut self,
        total: usize,
        keep_all: bool,
        mut append: impl FnMut(usize, std::ops::Range<usize>, &mut Vec<T>),
    ) {
        self.unfull();
        let (fpc, channels) = (self.frames_per_chunk, self.channels);
        let mut pos = 0;
        while pos < total {
            let filled = self.filled;
            let n = (total - pos).min(fpc - filled);
            let mut data = self
                .current
                .take()
                .unwrap_or_else(|| Vec::with_capacity(channels * fpc));
            if filled + n == fpc {
                for (c, head) in self.head.iter_mut().enumerate() {
                    data.extend_from_slice(head);
                    head.clear();
                    append(c, pos..pos + n, &mut data);
                    // Exactly one row per channel, whatever `append` pushed (silence if short).
                    data.resize((c + 1) * fpc, T::SILENCE);
                }
                self.emit(data, fpc, keep_all);
            } else {
                for (c, head) in self.head.iter_mut().enumerate() {
                    let dst = if c == 0 { &mut data } else { head };
                    append(c, pos..pos + n, dst);
                    dst.resize(filled + n, T::SILENCE);
                }
                self.current = Some(data);
                self.filled += n;
            }
            pos += n;
        }
    }

    /// Emits the partly filled chunk (end of stream): it is shorter than `frames_per_chunk`.
    pub(crate) fn flush(&mut self, keep_all: bool) {
        self.unfull();
        let frames = self.filled;
        if frames == 0 {
            return;
        }
        let mut data = self.current.take().unwrap_or_default();
        for head in &mut self.head {
            data.extend_from_slice(head);
            head.clear();
        }
        self.emit(data, frames, keep_all);
    }

    /// Queues `data`, `channels` rows of `frames` samples one after the other.
    fn emit(&mut self, data: Vec<T>, frames: usize, keep_all: bool) {
        let data = match Array2::from_shape_vec((self.channels, frames), data) {
            Ok(data) => data,
            // `push_with` and `flush` make every row exactly `frames` long.
            Err(e) => unreachable!("a chunk of {} x {frames} samples: {e}", self.channels),
        };
        let pts = self.current_start as f64 / f64::from(self.sample_rate);
        self.ready.push_back(Chunk { data, pts });
        self.current_start += frames as u64;
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

/// Appends frames `frames` of channel `c` of a decoded buffer to `out`, converted by symphonia's
/// `FromSample` (what its `copy_to_slice_planar` does, without needing an initialised target).
#[cfg(feature = "decode-core")]
fn append_decoded<T: OutSample>(
    buf: &GenericAudioBufferRef<'_>,
    c: usize,
    frames: std::ops::Range<usize>,
    out: &mut Vec<T>,
) {
    use symphonia::core::audio::conv::FromSample;
    use symphonia::core::audio::Audio;
    macro_rules! plane {
        ($b:expr) => {
            if let Some(src) = $b.plane(c).and_then(|p| p.get(frames)) {
                out.extend(src.iter().map(|&s| <T as FromSample<_>>::from_sample(s)));
            }
        };
    }
    use GenericAudioBufferRef as G;
    match buf {
        G::U8(b) => plane!(b),
        G::U16(b) => plane!(b),
        G::U24(b) => plane!(b),
        G::U32(b) => plane!(b),
        G::S8(b) => plane!(b),
        G::S16(b) => plane!(b),
        G::S24(b) => plane!(b),
        G::S32(b) => plane!(b),
        G::F32(b) => plane!(b),
        G::F64(b) => plane!(b),
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

    #[cfg(feature = "decode-core")]
    pub(crate) fn push_pcm(
        &mut self,
        data: &[u8],
        pcm: PcmFrames,
        range: std::ops::Range<usize>,
        keep_all: bool,
    ) {
        each!(self, b => b.push_pcm(data, pcm, range, keep_all))
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

    /// Stereo PCM pushed in packets of odd sizes (one pass over both channels, in place), with
    /// silence pushed between two of them, gives the chunks of the same samples converted
    /// first and pushed as planes.
    #[cfg(feature = "decode-core")]
    #[test]
    fn stereo_pcm_equals_its_planes() {
        use symphonia::core::audio::Channels;
        use symphonia::core::codecs::audio::well_known::CODEC_ID_PCM_S16LE;
        use symphonia::core::codecs::audio::AudioCodecParameters;
        let mut params = AudioCodecParameters::new();
        params
            .for_codec(CODEC_ID_PCM_S16LE)
            .with_sample_rate(8000)
            .with_channels(Channels::Discrete(2));
        let pcm = PcmFrames::for_params(&params).unwrap();
        let frames = 3000;
        let samples: Vec<i16> = (0..2 * frames as i32)
            .map(|i| (i * 7919 % 65536 - 32768) as i16)
            .collect();
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        let plane = |c: usize| -> Vec<f32> {
            samples[c..]
                .iter()
                .step_by(2)
                .map(|&s| f32::from(s) / 32768.0)
                .collect()
        };
        let (l, r) = (plane(0), plane(1));
        for fpc in [1, 7, 512, 1000, 4096] {
            let mut a = ChunkBuffer::<f32>::new(fpc, usize::MAX, 2, 8000);
            let mut b = ChunkBuffer::<f32>::new(fpc, usize::MAX, 2, 8000);
            let mut at = 0;
            for (k, len) in [1usize, 513, 999, 1024, 463].into_iter().enumerate() {
                // A packet holds frames `at..at + len`; pushed from its `k`th frame on after a
                // first push of `k` frames, to push ranges that do not start at 0.
                let packet = &bytes[at * 4..(at + len) * 4];
                let k = k.min(len);
                a.push_pcm(packet, pcm, 0..k, false);
                a.push_pcm(packet, pcm, k..len, false);
                b.push_planar(&[&l[at..at + len], &r[at..at + len]], false);
                // Another push between two packets' (a gap filled with silence) takes the
                // chunk being built as the other pushes build it.
                if k == 2 {
                    a.push_silence(37, false);
                    b.push_silence(37, false);
                }
                at += len;
            }
            a.flush(false);
            b.flush(false);
            let a: Vec<Chunk> = std::iter::from_fn(|| a.pop()).collect();
            let b: Vec<Chunk> = std::iter::from_fn(|| b.pop()).collect();
            assert_eq!(at, frames);
            assert_eq!(a.len(), (frames + 37).div_ceil(fpc), "{fpc}");
            for (x, y) in a.iter().zip(&b) {
                assert_eq!((x.pts, &x.data), (y.pts, &y.data), "{fpc}");
            }
        }
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
