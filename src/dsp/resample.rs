//! Streaming sample-rate conversion between any two integer rates.
//!
//! [`Resampler`] wraps rubato's synchronous FFT resampler ([`rubato::Fft`], `f64` inside) and
//! adds what a streaming reader or writer needs on top of it:
//!
//! - **Chunk invariance.** Input is buffered into rubato's fixed block, so the output does not
//!   depend on how the caller splits the input: any chunking followed by
//!   [`flush`](Resampler::flush) gives the same samples, bit for bit, as one call with the
//!   whole signal.
//! - **Alignment.** The filter delay is removed: output frame `k` is the signal at input time
//!   `k * orig_hz / new_hz` (output frame 0 is input frame 0), like SoX's `rate` and FFmpeg's
//!   `aresample`.
//! - **Exact length.** After `flush`, `n` input frames have become exactly
//!   [`output_frames(orig_hz, new_hz, n)`](output_frames) `= floor(n * new_hz / orig_hz + 1/2)`
//!   output frames (round half up) — the length SoX's `rate` gives (and FFmpeg with
//!   `resampler=soxr`; FFmpeg's default swr engine rounds up instead).
//! - **Pass-through.** Equal rates copy the input unchanged.
//! - **Seekable.** [`Resampler::restart_point`] says where to restart (a block boundary) so
//!   that the output from a given output frame on is bit-identical to a run over the whole
//!   stream: the reader's `seek` on a resampled output uses it.
//!
//! # The filter
//!
//! rubato's [`Fft`] with [`FixedSync::Both`], one FFT block per call, `f64` samples and the
//! [`WindowFunction::BlackmanHarris2`] window. Each block of `N_in` input frames (an even
//! multiple of `orig_hz / gcd(orig_hz, new_hz)`, the smallest one whose lower-rate side has at
//! least 1024 frames: 1280 -> 1176 for 48000 -> 44100, 1024 -> 6144 for 8000 -> 48000) is
//! convolved, in the frequency domain, with an `N_in`-tap sinc low-pass windowed by a squared
//! Blackman-Harris window; its spectrum is cut (or zero-extended) to the new rate and the
//! blocks are overlap-added. The filter is linear-phase with a delay of half a block (a whole
//! number of frames at both rates, since the blocks are even), which is dropped.
//!
//! Measured (`tests/it/dsp_resample.rs`; 48000 -> 44100, 44100 -> 16000, 8000 -> 48000 and
//! others), relative to the lower Nyquist frequency: gain within ±0.00001 dB up to 0.9 and
//! at most 0.1 dB down at 0.98, -3 dB near 0.987, below -110 dB at 0.999; tones above the new Nyquist
//! frequency (from 1.002 of it) come out ≥ 153 dB down; images and noise ≥ 150 dB below a tone
//! (the f32 rounding floor); frequency error below 1e-11. SoX's `rate -v` (175 dB, 95 % band)
//! has its -3 dB point at 0.95 and droops 0.0017 dB at 0.9; FFmpeg's default swr filter is
//! -1 dB at 0.9 and lets tones just above the Nyquist frequency alias at -11 dB.
//!
//! The price of the sharp filter is latency and block-sized work: nothing comes out of
//! [`Resampler::process`] until a block (plus half a block) of input has arrived, see
//! [`Resampler::latency_frames`].

use super::MAX_CHANNELS;
use crate::error::{Error, Result};
use ndarray::{s, Array2, ArrayView2};
use rubato::audioadapter_buffers::direct::SequentialSlice;
use rubato::{Fft, FixedSync, Resampler as _, WindowFunction};

/// Smallest block, in frames at the lower of the two rates. Longer blocks give a sharper
/// anti-aliasing filter (the transition band is about `16 / MIN_LOW_BLOCK` of the lower rate
/// wide) and a longer delay.
const MIN_LOW_BLOCK: u64 = 1024;

/// Largest block, in frames at either rate: rate pairs with a small greatest common divisor
/// need long blocks (44100 -> 44099 needs 88200), and memory grows with the block.
const MAX_BLOCK: u64 = 1 << 20;

/// Largest block over all channels, in samples: the resampler's memory is about 64 bytes per
/// block sample (our `f64` block buffers, rubato's buffers, its FFTs and filter spectrum):
/// 2^19 is about 33 MiB. (2^20 let a damaged FLAC whose frames change to 1,048,564 Hz take
/// 66 MiB, fuzzing finding 3.)
const MAX_BLOCK_SAMPLES: u64 = 1 << 19;

/// The exact number of frames `input_frames` frames at `orig_hz` become at `new_hz`:
/// `floor(input_frames * new_hz / orig_hz + 1/2)`, i.e. rounded to the nearest integer with
/// halves rounded up — what SoX's `rate` effect outputs. A zero rate gives 0.
///
/// ```
/// use audiostream::dsp::output_frames;
/// assert_eq!(output_frames(48000, 44100, 48000), 44100);
/// assert_eq!(output_frames(44100, 48000, 1000), 1088); // 1088.435...
/// assert_eq!(output_frames(44100, 22050, 3), 2); // 1.5 rounds up
/// assert_eq!(output_frames(8000, 8000, 7), 7);
/// ```
pub fn output_frames(orig_hz: u32, new_hz: u32, input_frames: u64) -> u64 {
    if orig_hz == 0 {
        return 0;
    }
    let num = 2 * u128::from(input_frames) * u128::from(new_hz) + u128::from(orig_hz);
    let frames = num / (2 * u128::from(orig_hz));
    u64::try_from(frames).unwrap_or(u64::MAX)
}

/// A stateful streaming resampler for planar `(channels, frames)` `f32` audio.
///
/// Feed chunks of any size to [`process`](Self::process), then call [`flush`](Self::flush)
/// once at the end of the stream for the tail. The concatenated output is independent of the
/// chunking (bit for bit), starts at the same instant as the input (the filter delay is
/// removed) and holds exactly [`output_frames_for`](Self::output_frames_for)`(total input)`
/// frames. See the [module documentation](self) for the filter and its measured quality.
///
/// ```
/// use audiostream::dsp::Resampler;
/// use audiostream::ndarray::Array2;
///
/// let mut rs = Resampler::new(48000, 44100, 2)?;
/// let input = Array2::<f32>::zeros((2, 4800)); // 0.1 s of stereo silence
/// let mut frames = 0;
/// for chunk in input.axis_chunks_iter(audiostream::ndarray::Axis(1), 1000) {
///     frames += rs.process(chunk)?.ncols();
/// }
/// frames += rs.flush()?.ncols();
/// assert_eq!(frames, 4410);
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Debug)]
pub struct Resampler {
    orig_hz: u32,
    new_hz: u32,
    channels: usize,
    /// `None` for a pass-through (`orig_hz == new_hz`).
    inner: Option<Inner>,
    /// Input frames received since the start of the stream.
    frames_in: u64,
    /// Output frames returned since the start of the stream.
    frames_out: u64,
}

/// rubato's resampler and the block buffers around it.
#[derive(Debug)]
struct Inner {
    fft: Fft<f64>,
    /// Frames per block at the input rate.
    block_in: usize,
    /// Frames per block at the output rate.
    block_out: usize,
    /// The filter delay, in output frames.
    delay: usize,
    /// One input block, channel after channel; frames past `fill` are stale until
    /// `run_block` zeroes them.
    in_buf: Vec<f64>,
    /// One output block, channel after channel.
    out_buf: Vec<f64>,
    /// Input frames waiting in `in_buf`.
    fill: usize,
    /// Output frames of the delay still to drop.
    to_trim: usize,
    /// Non-finite input has been reported.
    warned_non_finite: bool,
}

/// The block sizes `(input, output)`: an even multiple of the smallest blocks
/// `(orig/gcd, new/gcd)` whose lower-rate side has at least [`MIN_LOW_BLOCK`] frames.
fn block_sizes(orig_hz: u32, new_hz: u32, min_low_block: u64) -> Result<(usize, usize)> {
    let (a, b) = (u64::from(orig_hz), u64::from(new_hz));
    let g = gcd(a, b);
    let (min_in, min_out) = (a / g, b / g);
    let low = min_in.min(min_out);
    // An even number of minimum blocks, so both blocks are even and the filter delay (half a
    // block) is a whole number of frames at both rates.
    let mut k = min_low_block.div_ceil(low);
    k += k % 2;
    let (block_in, block_out) = (k * min_in, k * min_out);
    if block_in.max(block_out) > MAX_BLOCK {
        return Err(Error::Unsupported(format!(
            "resampling {orig_hz} Hz -> {new_hz} Hz: the rates reduce to {min_in}:{min_out}, which \
             needs blocks of {block_in}:{block_out} frames; supported are ratios whose reduced \
             terms are at most {} and whose two rates differ by at most a factor of {}",
            MAX_BLOCK / 2,
            MAX_BLOCK / MIN_LOW_BLOCK
        )));
    }
    let to_usize = |v: u64| usize::try_from(v).map_err(|_| Error::Unsupported("block size".into()));
    Ok((to_usize(block_in)?, to_usize(block_out)?))
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn rubato_error(e: impl std::fmt::Display) -> Error {
    Error::Unsupported(format!("resampler (rubato) failed: {e}"))
}

impl Inner {
    fn new(orig_hz: u32, new_hz: u32, channels: usize) -> Result<Self> {
        let (mut block_in, mut block_out) = block_sizes(orig_hz, new_hz, MIN_LOW_BLOCK)?;
        // Extreme ratios (`speed 1000`: 1000:1) need long blocks only for the low side's
        // filter sharpness: over the budget, the low side's block is shortened down to
        // `MIN_LOW_BLOCK / 4` (a transition band of about 6 % of the lower rate).
        let mut min_low = MIN_LOW_BLOCK;
        while (block_in.max(block_out) as u64).saturating_mul(channels as u64) > MAX_BLOCK_SAMPLES
            && min_low > MIN_LOW_BLOCK / 4
        {
            min_low /= 2;
            (block_in, block_out) = block_sizes(orig_hz, new_hz, min_low)?;
        }
        // The buffers (rubato's FFT buffers and ours, `f64`) hold a block of every channel
        // several times: bound their size before anything is allocated.
        let samples = (block_in.max(block_out) as u64).saturating_mul(channels as u64);
        if samples > MAX_BLOCK_SAMPLES {
            return Err(Error::Unsupported(format!(
                "resampling {orig_hz} Hz -> {new_hz} Hz with {channels} channels: blocks of \
                 {block_in}:{block_out} frames on every channel are {samples} samples; the \
                 resampler takes at most {MAX_BLOCK_SAMPLES} (fewer channels, or rates whose \
                 ratio reduces to smaller terms)"
            )));
        }
        let to_usize =
            |v: u32| usize::try_from(v).map_err(|_| Error::Unsupported("sample rate".into()));
        let fft = Fft::<f64>::new_custom(
            to_usize(orig_hz)?,
            to_usize(new_hz)?,
            block_in,
            1,
            channels,
            WindowFunction::BlackmanHarris2,
            FixedSync::Both,
        )
        .map_err(rubato_error)?;
        // FixedSync::Both with chunk_size = one block: one FFT block per call.
        if fft.input_frames_next() != block_in || fft.output_frames_next() != block_out {
            return Err(rubato_error(format!(
                "unexpected block sizes {}:{} instead of {block_in}:{block_out}",
                fft.input_frames_next(),
                fft.output_frames_next()
            )));
        }
        let delay = fft.output_delay();
        Ok(Inner {
            fft,
            block_in,
            block_out,
            delay,
            in_buf: vec![0.0; channels * block_in],
            out_buf: vec![0.0; channels * block_out],
            fill: 0,
            to_trim: delay,
            warned_non_finite: false,
        })
    }

    fn reset(&mut self) {
        self.fft.reset();
        self.in_buf.fill(0.0);
        self.fill = 0;
        self.to_trim = self.delay;
    }

    /// Resamples the block in `in_buf` (zero past `fill`), empties it, and returns the output
    /// frames after the delay has been dropped, as a range of `out_buf` frames.
    fn run_block(&mut self, channels: usize) -> Result<std::ops::Range<usize>> {
        if self.fill < self.block_in {
            // A flush's blocks: the frames past the input are silence. (Only these are zeroed:
            // clearing the whole buffer after every block was a memset of every input sample.)
            for plane in self.in_buf.chunks_exact_mut(self.block_in).take(channels) {
                plane[self.fill..].fill(0.0);
            }
        }
        let input =
            SequentialSlice::new(&self.in_buf, channels, self.block_in).map_err(rubato_error)?;
        let mut output = SequentialSlice::new_mut(&mut self.out_buf, channels, self.block_out)
            .map_err(rubato_error)?;
        self.fft
            .process_into_buffer(&input, &mut output, None)
            .map_err(rubato_error)?;
        self.fill = 0;
        let skip = self.to_trim.min(self.block_out);
        self.to_trim -= skip;
        Ok(skip..self.block_out)
    }
}

impl Resampler {
    /// A resampler from `orig_hz` to `new_hz` for audio with `channels` channels.
    ///
    /// Errors: [`Error::InvalidArgument`] for a zero rate, or channels not in
    /// `1..=`[`MAX_CHANNELS`];
    /// [`Error::Unsupported`] for a rate pair whose reduced ratio `orig/gcd : new/gcd` needs
    /// blocks over 2^20 frames (e.g. coprime rates above 524288 Hz, or rates 1024 times apart),
    /// or over 2^19 samples for all channels together (about 33 MiB of buffers).
    ///
    /// ```
    /// use audiostream::dsp::Resampler;
    /// let rs = Resampler::new(44100, 16000, 1)?;
    /// assert_eq!((rs.orig_hz(), rs.new_hz(), rs.channels()), (44100, 16000, 1));
    /// assert!(Resampler::new(0, 16000, 1).is_err());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn new(orig_hz: u32, new_hz: u32, channels: usize) -> Result<Self> {
        if orig_hz == 0 {
            return Err(Error::invalid_argument(
                "orig_hz",
                orig_hz,
                "a positive sample rate",
            ));
        }
        if new_hz == 0 {
            return Err(Error::invalid_argument(
                "new_hz",
                new_hz,
                "a positive sample rate",
            ));
        }
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(Error::invalid_argument(
                "channels",
                channels,
                format!("1 to {MAX_CHANNELS} channels"),
            ));
        }
        let inner = if orig_hz == new_hz {
            None
        } else {
            Some(Inner::new(orig_hz, new_hz, channels)?)
        };
        Ok(Resampler {
            orig_hz,
            new_hz,
            channels,
            inner,
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// The input sample rate.
    ///
    /// ```
    /// assert_eq!(audiostream::dsp::Resampler::new(8000, 48000, 1)?.orig_hz(), 8000);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn orig_hz(&self) -> u32 {
        self.orig_hz
    }

    /// The output sample rate.
    ///
    /// ```
    /// assert_eq!(audiostream::dsp::Resampler::new(8000, 48000, 1)?.new_hz(), 48000);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn new_hz(&self) -> u32 {
        self.new_hz
    }

    /// The number of channels every chunk must have.
    ///
    /// ```
    /// assert_eq!(audiostream::dsp::Resampler::new(8000, 48000, 6)?.channels(), 6);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Input frames the resampler holds back before their output can be computed (one block
    /// plus the filter's half length, at most): an upper bound on the latency of
    /// [`process`](Self::process). 0 for a pass-through.
    ///
    /// ```
    /// use audiostream::dsp::Resampler;
    /// assert_eq!(Resampler::new(44100, 44100, 2)?.latency_frames(), 0);
    /// assert!(Resampler::new(48000, 44100, 2)?.latency_frames() > 0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn latency_frames(&self) -> usize {
        self.inner
            .as_ref()
            .map_or(0, |inner| inner.block_in + inner.block_in / 2)
    }

    /// The processing block `(input frames, output frames)`: input is resampled in blocks of
    /// this many frames on a grid that starts at the stream's first frame, and each block
    /// gives that many output frames. `(1, 1)` for a pass-through.
    ///
    /// ```
    /// use audiostream::dsp::Resampler;
    /// assert_eq!(Resampler::new(48000, 44100, 1)?.block_frames(), (1280, 1176));
    /// assert_eq!(Resampler::new(8000, 8000, 1)?.block_frames(), (1, 1));
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn block_frames(&self) -> (usize, usize) {
        self.inner
            .as_ref()
            .map_or((1, 1), |inner| (inner.block_in, inner.block_out))
    }

    /// Where to restart so that the output from output frame `out_frame` on is bit-identical
    /// to that of a run over the whole stream: returns `(input frame, output frame)` such that
    /// after [`reset`](Self::reset), feeding the stream's input from that input frame on (to
    /// its end, then [`flush`](Self::flush)) outputs the whole stream's output frames from
    /// that output frame on; those before `out_frame` are not exact and are to be dropped.
    ///
    /// This works because the input is processed in fixed blocks on a grid starting at the
    /// stream's first frame (see [`block_frames`](Self::block_frames)), and the output of
    /// block `k` depends only on the input of blocks `k` and `k - 1` (the FFT overlap): the
    /// restart is at the start of the block before the one that produces `out_frame`. The
    /// input frame is a multiple of the input block, and the output frame the same multiple
    /// of the output block, at most `out_frame`. A pass-through returns `(out_frame,
    /// out_frame)`. Use it to seek in a resampled stream.
    ///
    /// ```
    /// use audiostream::dsp::Resampler;
    /// use audiostream::ndarray::{s, Array2};
    ///
    /// let input = Array2::from_shape_fn((1, 20000), |(_, i)| ((i * 7919) % 1000) as f32 / 1000.0);
    /// let mut rs = Resampler::new(48000, 44100, 1)?;
    /// let mut whole = rs.process(input.view())?;
    /// whole.append(audiostream::ndarray::Axis(1), rs.flush()?.view()).unwrap();
    ///
    /// let target = 9000;
    /// let (in_start, out_start) = rs.restart_point(target);
    /// assert!(out_start <= target && in_start % 1280 == 0);
    /// rs.reset();
    /// let mut part = rs.process(input.slice(s![.., in_start as usize..]))?;
    /// part.append(audiostream::ndarray::Axis(1), rs.flush()?.view()).unwrap();
    /// let skip = (target - out_start) as usize;
    /// assert_eq!(part.slice(s![.., skip..]), whole.slice(s![.., target as usize..]));
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn restart_point(&self, out_frame: u64) -> (u64, u64) {
        let Some(inner) = self.inner.as_ref() else {
            return (out_frame, out_frame);
        };
        let (block_in, block_out) = (inner.block_in as u64, inner.block_out as u64);
        // Output frame `out_frame` is frame `out_frame + delay` of rubato's output, which
        // block `(out_frame + delay) / block_out` produces.
        let block = out_frame.saturating_add(inner.delay as u64) / block_out;
        let start = block.saturating_sub(1);
        (
            start.saturating_mul(block_in),
            start.saturating_mul(block_out),
        )
    }

    /// The exact number of output frames `input_frames` input frames become once flushed:
    /// [`output_frames`]`(orig_hz, new_hz, input_frames)`, `round(input_frames * new_hz /
    /// orig_hz)` with halves rounded up. Output frame `k` has time `k / new_hz` seconds.
    ///
    /// ```
    /// let rs = audiostream::dsp::Resampler::new(48000, 44100, 1)?;
    /// assert_eq!(rs.output_frames_for(1001), 920); // 919.67
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn output_frames_for(&self, input_frames: u64) -> u64 {
        output_frames(self.orig_hz, self.new_hz, input_frames)
    }

    /// Input frames received since the start of the stream (the last
    /// [`flush`](Self::flush) or [`reset`](Self::reset)).
    ///
    /// ```
    /// use audiostream::{dsp::Resampler, ndarray::Array2};
    /// let mut rs = Resampler::new(48000, 16000, 1)?;
    /// rs.process(Array2::zeros((1, 480)).view())?;
    /// assert_eq!(rs.frames_in(), 480);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn frames_in(&self) -> u64 {
        self.frames_in
    }

    /// Output frames returned since the start of the stream (the last
    /// [`flush`](Self::flush) or [`reset`](Self::reset)): the index of the next output frame.
    ///
    /// ```
    /// use audiostream::{dsp::Resampler, ndarray::Array2};
    /// let mut rs = Resampler::new(16000, 16000, 1)?;
    /// rs.process(Array2::zeros((1, 160)).view())?;
    /// assert_eq!(rs.frames_out(), 160);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn frames_out(&self) -> u64 {
        self.frames_out
    }

    /// Resamples the next `(channels, frames)` chunk and returns the output frames that are
    /// complete so far (possibly none: the resampler works in blocks, see
    /// [`latency_frames`](Self::latency_frames)). Chunks may have any number of frames,
    /// including 0, and any memory layout. Non-finite samples (NaN, ±infinity) are taken as
    /// 0 (with a warning in the log, once): the FFT would spread them over whole blocks, and
    /// rubato's inverse FFT panics on a NaN. A pass-through copies them unchanged.
    ///
    /// Errors: [`Error::InvalidArgument`] if the chunk does not have
    /// [`channels`](Self::channels) rows.
    ///
    /// ```
    /// use audiostream::{dsp::Resampler, ndarray::Array2};
    /// let mut rs = Resampler::new(16000, 16000, 2)?;
    /// let out = rs.process(Array2::from_elem((2, 10), 0.5f32).view())?;
    /// assert_eq!(out, Array2::from_elem((2, 10), 0.5f32)); // equal rates: a copy
    /// assert!(rs.process(Array2::zeros((1, 10)).view()).is_err());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn process(&mut self, chunk: ArrayView2<f32>) -> Result<Array2<f32>> {
        if chunk.nrows() != self.channels {
            return Err(Error::invalid_argument(
                "chunk channels",
                chunk.nrows(),
                format!("{} (the resampler's channels)", self.channels),
            ));
        }
        let frames = chunk.ncols();
        self.frames_in += frames as u64;
        let channels = self.channels;
        let Some(inner) = self.inner.as_mut() else {
            self.frames_out += frames as u64;
            return Ok(chunk.to_owned());
        };
        // Output frames this call produces: one block per completed input block, less the
        // part of the delay still to drop.
        let blocks = (inner.fill + frames) / inner.block_in;
        let produced = blocks * inner.block_out;
        let out_frames = produced - inner.to_trim.min(produced);
        let mut out = Array2::<f32>::zeros((channels, out_frames));
        let mut written = 0;
        let mut consumed = 0;
        let mut non_finite = false;
        while consumed < frames {
            let take = (inner.block_in - inner.fill).min(frames - consumed);
            let part = chunk.slice(s![.., consumed..consumed + take]);
            for (c, row) in part.rows().into_iter().enumerate() {
                let start = c * inner.block_in + inner.fill;
                let dst = &mut inner.in_buf[start..start + take];
                for (d, s) in dst.iter_mut().zip(row) {
                    // rubato's inverse FFT fails (panics) on a NaN; see `process`'s docs.
                    *d = if s.is_finite() { f64::from(*s) } else { 0.0 };
                    non_finite |= !s.is_finite();
                }
            }
            inner.fill += take;
            consumed += take;
            if inner.fill == inner.block_in {
                let range = inner.run_block(channels)?;
                written += copy_out(inner, &mut out, written, range);
            }
        }
        self.frames_out += written as u64;
        if non_finite && !inner.warned_non_finite {
            inner.warned_non_finite = true;
            log::warn!(
                "resampler {} Hz -> {} Hz: non-finite input samples (NaN or infinity) were \
                 replaced by 0 (warned once per resampler)",
                self.orig_hz,
                self.new_hz
            );
        }
        Ok(out)
    }

    /// Ends the stream: returns the last output frames, so that the stream's whole output has
    /// exactly [`output_frames_for`](Self::output_frames_for)`(frames_in)` frames, and resets
    /// the resampler for a new stream. The frames past the end of the input are taken as
    /// silence.
    ///
    /// ```
    /// use audiostream::{dsp::Resampler, ndarray::Array2};
    /// let mut rs = Resampler::new(44100, 16000, 1)?;
    /// let head = rs.process(Array2::zeros((1, 44100)).view())?;
    /// let tail = rs.flush()?;
    /// assert_eq!(head.ncols() + tail.ncols(), 16000);
    /// assert_eq!(rs.frames_in(), 0); // ready for a new stream
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn flush(&mut self) -> Result<Array2<f32>> {
        let total = self.output_frames_for(self.frames_in);
        let missing = total.saturating_sub(self.frames_out);
        let missing = usize::try_from(missing)
            .map_err(|_| Error::Unsupported(format!("{missing} output frames in one flush")))?;
        let channels = self.channels;
        let mut out = Array2::<f32>::zeros((channels, missing));
        if let Some(inner) = self.inner.as_mut() {
            let mut written = 0;
            while written < missing {
                let mut range = inner.run_block(channels)?;
                range.end = range.end.min(range.start + (missing - written));
                written += copy_out(inner, &mut out, written, range);
            }
        }
        self.reset();
        Ok(out)
    }

    /// Drops the buffered input and the filter state and starts a new stream (as after
    /// [`flush`](Self::flush), without producing the tail). Use it after a seek.
    ///
    /// ```
    /// use audiostream::{dsp::Resampler, ndarray::Array2};
    /// let mut rs = Resampler::new(48000, 44100, 1)?;
    /// rs.process(Array2::from_elem((1, 100), 1.0f32).view())?;
    /// rs.reset();
    /// assert_eq!(rs.flush()?.ncols(), 0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn reset(&mut self) {
        if let Some(inner) = self.inner.as_mut() {
            inner.reset();
        }
        self.frames_in = 0;
        self.frames_out = 0;
    }
}

/// Copies the output frames `range` of `inner.out_buf` into `out` at column `at`; returns
/// the number of frames copied.
fn copy_out(
    inner: &Inner,
    out: &mut Array2<f32>,
    at: usize,
    range: std::ops::Range<usize>,
) -> usize {
    let n = range.len();
    let mut part = out.slice_mut(s![.., at..at + n]);
    for (c, mut row) in part.rows_mut().into_iter().enumerate() {
        let start = c * inner.block_out;
        let src = &inner.out_buf[start + range.start..start + range.end];
        for (d, s) in row.iter_mut().zip(src) {
            *d = *s as f32;
        }
    }
    n
}
