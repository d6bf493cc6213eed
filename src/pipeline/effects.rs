//! [`EffectStream`]: an [`AudioEffector`]'s chain of SoX effects running on a stream, as a
//! pipeline [`Stage`], and [`AudioEffector::apply`] / [`AudioEffector::stream`].
//!
//! The effects work on [`Channels`] (one `Vec<f32>` per channel) in place; the stream keeps
//! that form from one effect to the next and converts once at each end.

use super::Stage;
use crate::effects::{AudioEffector, Channels, Effect, ResamplerFactory};
use crate::{Error, Result};
use ndarray::{Array2, ArrayView2};

#[cfg(feature = "decode-core")]
use super::resampler_factory;

/// Without the `decode` feature there is no resampler: `speed` and `pitch` say so.
#[cfg(not(feature = "decode-core"))]
fn resampler_factory(
    _from: u32,
    _to: u32,
    _channels: usize,
) -> Result<Box<dyn crate::effects::Resample>> {
    Err(Error::Unsupported(
        "speed and pitch resample: they need the `decode` feature (rubato)".into(),
    ))
}

#[allow(dead_code)]
const _: &ResamplerFactory = &resampler_factory;

impl AudioEffector {
    /// Applies the chain to a whole `(channels, frames)` array and returns the whole result
    /// (including any tail).
    ///
    /// ```
    /// use audiostream::AudioEffector;
    /// use audiostream::ndarray::array;
    /// let out = AudioEffector::new("reverse", &[])?.apply(array![[1.0f32, 2.0, 3.0]].view(), 8000)?;
    /// assert_eq!(out, array![[3.0f32, 2.0, 1.0]]);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn apply(&self, waveform: ArrayView2<'_, f32>, sample_rate: u32) -> Result<Array2<f32>> {
        let mut stream = EffectStream::build(self, sample_rate, waveform.nrows())?;
        if waveform.nrows() == 0 {
            // No channels: nothing to process (every effect keeps the length).
            return Ok(waveform.to_owned());
        }
        let mut planar = to_planar(waveform);
        stream.finish(&mut planar)?;
        Ok(from_planar(planar, waveform.nrows()))
    }

    /// A stateful stream of the chain for audio at `sample_rate` with `num_channels`
    /// channels: the output of every `process` call concatenated with `flush` equals
    /// [`apply`](AudioEffector::apply) on the whole signal, bit for bit. `reverse` needs the
    /// whole signal: a chain containing it returns nothing from that point on until `flush`.
    ///
    /// ```
    /// use audiostream::AudioEffector;
    /// use audiostream::ndarray::Array2;
    /// let mut s = "highpass 100".parse::<AudioEffector>()?.stream(16000, 1)?;
    /// let out = s.process(Array2::zeros((1, 160)).view())?;
    /// assert_eq!(out.dim(), (1, 160));
    /// assert_eq!(s.flush()?.ncols(), 0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn stream(&self, sample_rate: u32, num_channels: usize) -> Result<EffectStream> {
        if num_channels == 0 {
            return Err(Error::invalid_argument(
                "num_channels",
                0,
                "at least 1 channel",
            ));
        }
        EffectStream::build(self, sample_rate, num_channels)
    }
}

/// An [`AudioEffector`] running on a stream: feed `(channels, frames)` chunks to
/// [`process`](EffectStream::process), then call [`flush`](EffectStream::flush) once.
///
/// ```
/// use audiostream::AudioEffector;
/// use audiostream::ndarray::Array2;
/// let mut s = AudioEffector::new("reverse", &[])?.stream(8000, 2)?;
/// assert_eq!(s.process(Array2::zeros((2, 10)).view())?.ncols(), 0); // buffered
/// assert_eq!(s.flush()?.ncols(), 10);
/// # Ok::<(), audiostream::Error>(())
/// ```
pub struct EffectStream {
    effects: Vec<Box<dyn Effect>>,
    num_channels: usize,
    flushed: bool,
    /// During a flush: the effects before this one have been flushed.
    flushing: Option<usize>,
    /// What the stream runs, to start it afresh (`reset`, and after a flush as a stage).
    effector: AudioEffector,
    sample_rate: u32,
    /// Frames taken in and put out since the start (what `output_frames` counts from).
    frames_in: u64,
    frames_out: u64,
}

impl std::fmt::Debug for EffectStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EffectStream")
            .field("effects", &self.effects.len())
            .field("num_channels", &self.num_channels)
            .field("flushed", &self.flushed)
            .finish()
    }
}

impl EffectStream {
    /// The chain's effects running at `sample_rate` with `num_channels` channels.
    fn build(effector: &AudioEffector, sample_rate: u32, num_channels: usize) -> Result<Self> {
        if sample_rate == 0 {
            return Err(Error::invalid_argument(
                "sample_rate",
                0,
                "a positive rate in Hz",
            ));
        }
        Ok(EffectStream {
            effects: effector.instances(sample_rate, num_channels, &resampler_factory)?,
            num_channels,
            flushed: false,
            flushing: None,
            effector: effector.clone(),
            sample_rate,
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// Starts the stream afresh: nothing held, nothing flushed. The old effects go first, so
    /// that two sets (delay lines, held audio) never exist at once.
    fn restart(&mut self) -> Result<()> {
        self.effects.clear();
        match EffectStream::build(&self.effector.clone(), self.sample_rate, self.num_channels) {
            Ok(fresh) => {
                *self = fresh;
                Ok(())
            }
            Err(e) => {
                // No effects left: closed, rather than passing audio through unchanged.
                self.flushed = true;
                Err(e)
            }
        }
    }

    /// Processes one chunk; the result may be shorter or longer than the chunk (effects
    /// that buffer, like `reverse`, return audio later).
    ///
    /// ```
    /// use audiostream::AudioEffector;
    /// use audiostream::ndarray::Array2;
    /// let mut s = AudioEffector::new("gain", &[-6.0])?.stream(8000, 1)?;
    /// assert!(s.process(Array2::zeros((2, 10)).view()).is_err()); // wrong channel count
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn process(&mut self, chunk: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        if self.flushed {
            return Err(Error::Closed("EffectStream (after flush)"));
        }
        if chunk.nrows() != self.num_channels {
            return Err(Error::invalid_argument(
                "chunk channels",
                chunk.nrows(),
                format!("{} (the stream's num_channels)", self.num_channels),
            ));
        }
        self.frames_in += chunk.ncols() as u64;
        let mut planar = to_planar(chunk);
        self.run(&mut planar)?;
        self.drain_all(&mut planar)?;
        Ok(self.put_out(from_planar(planar, self.num_channels)))
    }

    /// Counts `out` as put out.
    fn put_out(&mut self, out: Array2<f32>) -> Array2<f32> {
        self.frames_out += out.ncols() as u64;
        out
    }

    /// One piece of the output waiting in the effects (the last effect with some first: its
    /// output comes before anything the earlier ones still make), through the effects after
    /// it; `None` when nothing waits.
    pub(crate) fn drain_step(&mut self, max: usize) -> Result<Option<Array2<f32>>> {
        let Some(piece) = self.next_pending(max)? else {
            return Ok(None);
        };
        Ok(Some(self.put_out(from_planar(piece, self.num_channels))))
    }

    /// [`drain_step`](Self::drain_step), not counted as put out (the caller does).
    fn next_pending(&mut self, max: usize) -> Result<Option<Channels>> {
        let Some(j) = self.effects.iter().rposition(|e| e.pending()) else {
            return Ok(None);
        };
        let mut planar: Channels = vec![Vec::new(); self.num_channels];
        self.effects[j].drain(&mut planar, max)?;
        self.run_from(j + 1, &mut planar)?;
        Ok(Some(planar))
    }

    fn drain_all(&mut self, planar: &mut Channels) -> Result<()> {
        while let Some(piece) = self.next_pending(usize::MAX)? {
            for (ch, p) in planar.iter_mut().zip(piece) {
                ch.extend(p);
            }
        }
        Ok(())
    }

    /// One piece of the end of the stream: what the effects still hold and make, a piece at a
    /// time (each effect's tail through the effects after it); `None` once everything is out,
    /// and the stream is then closed, as after [`flush`](Self::flush).
    pub(crate) fn flush_step(&mut self, max: usize) -> Result<Option<Array2<f32>>> {
        loop {
            if let Some(piece) = self.drain_step(max)? {
                return Ok(Some(piece));
            }
            let k = match self.flushing {
                _ if self.flushed => return Ok(None),
                Some(k) => k,
                None => 0,
            };
            if k >= self.effects.len() {
                self.flushed = true;
                self.flushing = None;
                return Ok(None);
            }
            self.flushing = Some(k + 1);
            let mut planar: Channels = vec![Vec::new(); self.num_channels];
            self.effects[k].flush(&mut planar)?;
            self.run_from(k + 1, &mut planar)?;
            if planar.first().is_some_and(|c| !c.is_empty()) {
                return Ok(Some(self.put_out(from_planar(planar, self.num_channels))));
            }
        }
    }

    /// [`process`](Self::process) taking the chunk by value (the first channel's samples are
    /// processed in the array's own allocation), without draining what the effects make
    /// beyond the input (see [`drain_step`](Self::drain_step)): the pipeline's path, which
    /// drains a piece at a time between its own steps.
    pub(crate) fn process_owned_bounded(&mut self, chunk: Array2<f32>) -> Result<Array2<f32>> {
        let mut before: Channels = vec![Vec::new(); self.num_channels];
        // Nothing may be pending when input comes in: put out what is, first.
        self.drain_all(&mut before)?;
        let mut planar = self.process_owned_core(chunk)?;
        if before.first().is_some_and(|c| !c.is_empty()) {
            for (b, p) in before.iter_mut().zip(planar.iter_mut()) {
                b.append(p);
            }
            planar = before;
        }
        Ok(self.put_out(join_planar(planar, self.num_channels)))
    }

    fn process_owned_core(&mut self, chunk: Array2<f32>) -> Result<Channels> {
        if self.flushed {
            return Err(Error::Closed("EffectStream (after flush)"));
        }
        if chunk.nrows() != self.num_channels {
            return Err(Error::invalid_argument(
                "chunk channels",
                chunk.nrows(),
                format!("{} (the stream's num_channels)", self.num_channels),
            ));
        }
        let frames = chunk.ncols();
        self.frames_in += frames as u64;
        let mut planar = if chunk.is_standard_layout() && self.num_channels > 0 {
            let (mut all, _) = chunk.into_raw_vec_and_offset();
            // Channels 1.. are copied out; channel 0 keeps the allocation.
            let mut planar: Channels = Vec::with_capacity(self.num_channels);
            planar.push(Vec::new());
            for c in 1..self.num_channels {
                planar.push(
                    all.get(c * frames..(c + 1) * frames)
                        .unwrap_or_default()
                        .to_vec(),
                );
            }
            all.truncate(frames);
            planar[0] = all;
            planar
        } else {
            to_planar(chunk.view())
        };
        self.run(&mut planar)?;
        Ok(planar)
    }

    /// Ends the stream and returns what the effects still hold (tails, buffered audio); the
    /// stream is then ready for a new signal, as a fresh [`AudioEffector::stream`] would be
    /// (the `Stage` meaning of flush: end this stream, start the next); flushing again at
    /// once gives what a fresh stream's flush gives.
    ///
    /// ```
    /// use audiostream::{ndarray::Array2, AudioEffector};
    /// let mut s = AudioEffector::new("echo", &[0.8, 0.9, 100.0, 0.3])?.stream(8000, 1)?;
    /// let first = s.process(Array2::ones((1, 80)).view())?;
    /// let tail = s.flush()?; // the echo after the input's end
    /// assert_eq!(first.ncols() + tail.ncols(), 80 + 800);
    /// // The same stream takes the next signal from a clean start.
    /// assert_eq!(s.process(Array2::ones((1, 80)).view())?, first);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn flush(&mut self) -> Result<Array2<f32>> {
        let mut planar: Channels = vec![Vec::new(); self.num_channels];
        while let Some(piece) = self.flush_step(usize::MAX)? {
            for (ch, row) in planar.iter_mut().zip(piece.rows()) {
                ch.extend(row.iter());
            }
        }
        self.restart()?;
        Ok(from_planar(planar, self.num_channels))
    }

    fn run(&mut self, planar: &mut Channels) -> Result<()> {
        self.run_from(0, planar)
    }

    /// Runs `planar` through the effects from index `first` on.
    fn run_from(&mut self, first: usize, planar: &mut Channels) -> Result<()> {
        for e in self.effects.iter_mut().skip(first) {
            e.try_process(planar)?;
        }
        Ok(())
    }

    /// The whole signal through the chain, and the chain's end: `apply`.
    fn finish(&mut self, planar: &mut Channels) -> Result<()> {
        self.run(planar)?;
        self.drain_all(planar)?;
        let tail = self.flush()?;
        for (ch, row) in planar.iter_mut().zip(tail.rows()) {
            ch.extend(row.iter());
        }
        Ok(())
    }
}

impl Stage for EffectStream {
    fn process(&mut self, input: Array2<f32>) -> Result<Array2<f32>> {
        self.process_owned_bounded(input)
    }

    fn drain(&mut self, max: usize) -> Result<Option<Array2<f32>>> {
        self.drain_step(max)
    }

    /// The effects' tails and generated silence, a piece at a time; then the chain starts
    /// afresh, ready for a new stream.
    fn flush(&mut self, max: usize) -> Result<Option<Array2<f32>>> {
        match self.flush_step(max)? {
            Some(piece) => Ok(Some(piece)),
            None => {
                self.restart()?;
                Ok(None)
            }
        }
    }

    fn reset(&mut self) -> Result<()> {
        self.restart()
    }

    /// From the chain's effects ([`AudioEffector::output_frames`]): the length the whole
    /// stream so far and `input_frames` more become, less what is already out. `None` once
    /// the stream is flushed (by [`EffectStream::flush`]) or while a flush is under way.
    ///
    /// ```
    /// use audiostream::pipeline::Stage;
    /// use audiostream::ndarray::Array2;
    /// let mut s = "echo 0.8 0.8 10 0.5".parse::<audiostream::AudioEffector>()?.stream(1000, 1)?;
    /// assert_eq!(s.output_frames(100), Some(110)); // 10 frames of echo tail
    /// let out = s.process(Array2::zeros((1, 60)).view())?;
    /// assert_eq!(s.output_frames(40), Some(110 - out.ncols() as u64));
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    fn output_frames(&self, input_frames: u64) -> Option<u64> {
        if self.flushed || self.flushing.is_some() {
            return None;
        }
        let total = self
            .effector
            .output_frames(self.sample_rate, self.frames_in.checked_add(input_frames)?)?;
        total.checked_sub(self.frames_out)
    }
}

fn to_planar(view: ArrayView2<'_, f32>) -> Channels {
    view.rows().into_iter().map(|r| r.to_vec()).collect()
}

/// [`from_planar`] reusing the first channel's allocation (one copy of the others).
fn join_planar(mut planar: Channels, num_channels: usize) -> Array2<f32> {
    let frames = planar.first().map_or(0, Vec::len);
    if planar.len() != num_channels || planar.iter().any(|c| c.len() != frames) {
        return from_planar(planar, num_channels);
    }
    let mut rest = planar.split_off(1.min(planar.len()));
    let mut all = planar.pop().unwrap_or_default();
    all.reserve(frames * rest.len());
    for ch in rest.iter_mut() {
        all.append(ch);
    }
    match Array2::from_shape_vec((num_channels, frames), all) {
        Ok(a) => a,
        Err(_) => Array2::zeros((num_channels, 0)),
    }
}

fn from_planar(planar: Channels, num_channels: usize) -> Array2<f32> {
    let frames = planar.first().map_or(0, Vec::len);
    let mut out = Array2::zeros((num_channels, frames));
    for (mut row, ch) in out.rows_mut().into_iter().zip(planar) {
        for (o, x) in row.iter_mut().zip(ch) {
            *o = x;
        }
    }
    out
}
