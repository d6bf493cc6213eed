//! Per-output conversion: decoded frames → [`Remixer`] (channel count) → [`Resampler`]
//! (sample rate) → effects ([`AudioEffector`](crate::AudioEffector)) → the output's
//! [`OutputBuffer`].
//!
//! Outputs without conversion do not have one: they keep the zero-copy path
//! ([`OutputBuffer::push_decoded`]).
//!
//! **Seeking.** The resampler works in fixed input blocks on a grid that starts at the
//! stream's first frame, and the output of a block depends only on that block's and the
//! previous block's input. After a seek the conversion restarts at the input block boundary
//! [`Resampler::restart_point`] gives for the target output frame, is fed the decoded frames
//! from exactly there, and drops its output before the target: the frames delivered are the
//! full converted decode's, bit for bit (given a decoder that is bit-exact after a seek).
//!
//! **Effects** run after the frames before a seek target are dropped, and start afresh at
//! every seek (as `sox in out trim T effect` does): their output from the target on equals
//! `AudioEffector::apply` on the audio from the target on. Effects that change the length
//! (`tempo`, `speed`, tails) make the output's frame count and pts follow the effect's output.

use super::buffer::OutputBuffer;
#[cfg(feature = "decode-core")]
use crate::dsp::Resampler;
use crate::dsp::{output_frames, Remixer};
use crate::pipeline::{self, Pipeline, SeekTrim, Stage};
use crate::{AudioEffector, Error, Result};
use ndarray::{s, Array2, ArrayView2};

/// The conversion stages of one output (a [`Pipeline`]: remix, resample, seek trim, effects),
/// and where its input stands.
#[derive(Debug)]
pub(crate) struct Conversion {
    src_rate: u32,
    out_rate: u32,
    out_channels: usize,
    pipeline: Pipeline,
    /// Index of the first stage after the remixer (frames that already have the output's
    /// channels, and silence, enter there).
    after_remix: usize,
    /// Source frame of the next input frame the conversion expects.
    next_in: u64,
    /// Whether effects run after the remix and resampler.
    effects: bool,
}

impl Conversion {
    /// A conversion from `src_rate` Hz / `src_channels` channels to `out_rate` Hz /
    /// `out_channels` channels, or `None` when they are equal (no conversion).
    pub(crate) fn new(
        src_rate: u32,
        src_channels: usize,
        out_rate: u32,
        out_channels: usize,
        effects: Option<&AudioEffector>,
    ) -> Result<Option<Self>> {
        let pipeline = pipeline::conversion(
            (src_channels, src_rate),
            (out_channels, out_rate),
            true,
            effects,
        )
        .map_err(|e| match e {
            Error::Unsupported(m) => Error::Unsupported(format!("sample_rate = {out_rate}: {m}")),
            other => other,
        })?;
        Ok(pipeline.map(|pipeline| Conversion {
            src_rate,
            out_rate,
            out_channels,
            after_remix: pipeline.position::<Remixer>().map_or(0, |i| i + 1),
            pipeline,
            next_in: 0,
            effects: effects.is_some(),
        }))
    }

    /// Whether output frame `n` is made from source frame `n` alone: a remix, no resampling
    /// and no effects.
    pub(crate) fn frame_for_frame(&self) -> bool {
        self.src_rate == self.out_rate && !self.effects
    }

    /// The resampler, when the rates differ (its block grid decides where seeks restart).
    #[cfg(feature = "decode-core")]
    fn resampler(&self) -> Option<&Resampler> {
        self.pipeline.find::<Resampler>()
    }

    /// Starts a fresh conversion at source frame `src_frame` (an output added after reading
    /// has begun): returns `(first source frame, first output frame)`.
    pub(crate) fn start_at(&mut self, src_frame: u64) -> Result<(u64, u64)> {
        self.restart(src_frame, 0)?;
        Ok((
            src_frame,
            output_frames(self.src_rate, self.out_rate, src_frame),
        ))
    }

    /// Where a seek to `timestamp` seconds (>= 0) puts this output: `(source frame, output
    /// frame)`. The conversion must be fed from that source frame on (a block boundary of the
    /// resampler before the target), and its next chunk starts at that output frame,
    /// `round(timestamp * out_rate)`. An infinite time gives `(u64::MAX, u64::MAX)`.
    pub(crate) fn seek_point(&self, timestamp: f64) -> (u64, u64) {
        if !timestamp.is_finite() {
            return (u64::MAX, u64::MAX);
        }
        let target = (timestamp * f64::from(self.out_rate)).round() as u64;
        #[cfg(feature = "decode-core")]
        if let Some(rs) = self.resampler() {
            return (rs.restart_point(target).0, target);
        }
        (target, target)
    }

    /// Seeks to `timestamp` seconds: the conversion restarts at the source frame of
    /// [`seek_point`](Self::seek_point) and drops what it converts before the target.
    pub(crate) fn seek(&mut self, timestamp: f64) -> Result<()> {
        let (from, target) = self.seek_point(timestamp);
        #[allow(unused_mut)]
        let mut drop_out = 0;
        #[cfg(feature = "decode-core")]
        if let (Some(rs), true) = (self.resampler(), timestamp.is_finite()) {
            drop_out = target - rs.restart_point(target).1;
        }
        self.restart(from, drop_out)
    }

    fn restart(&mut self, src_frame: u64, drop_out: u64) -> Result<()> {
        self.pipeline.reset()?;
        if let Some(trim) = self.pipeline.find_mut::<SeekTrim>() {
            trim.drop_next(drop_out);
        }
        self.next_in = src_frame;
        Ok(())
    }

    /// Source frame of the next input frame the conversion expects.
    pub(crate) fn next_in(&self) -> u64 {
        self.next_in
    }

    /// Converts `input` (source channels, `f32`), whose first frame is source frame
    /// `first_frame`, into `buffer`. Frames before the expected one are ignored; if the input
    /// starts later, the missing frames are taken as silence, so the output keeps its time.
    pub(crate) fn push(
        &mut self,
        input: ArrayView2<'_, f32>,
        first_frame: u64,
        buffer: &mut OutputBuffer,
        keep_all: bool,
    ) -> Result<()> {
        self.push_at(0, input, first_frame, buffer, keep_all)
    }

    /// [`push`](Self::push) for frames that already have the output's channel count (a stream
    /// whose channel count changed mid-stream, remixed to the output's): they skip the remixer.
    pub(crate) fn push_remixed(
        &mut self,
        input: ArrayView2<'_, f32>,
        first_frame: u64,
        buffer: &mut OutputBuffer,
        keep_all: bool,
    ) -> Result<()> {
        self.push_at(self.after_remix, input, first_frame, buffer, keep_all)
    }

    fn push_at(
        &mut self,
        stage: usize,
        input: ArrayView2<'_, f32>,
        first_frame: u64,
        buffer: &mut OutputBuffer,
        keep_all: bool,
    ) -> Result<()> {
        let frames = input.ncols() as u64;
        let end = first_frame + frames;
        if end <= self.next_in {
            return Ok(());
        }
        if first_frame > self.next_in {
            let missing = first_frame - self.next_in;
            log::debug!(
                "conversion: {missing} frames before source frame {first_frame} are missing; \
                 converting silence in their place"
            );
            self.push_silence(missing, buffer, keep_all)?;
        }
        let skip = (self.next_in - first_frame) as usize;
        self.next_in = end;
        let out = self
            .pipeline
            .process_from(stage, input.slice(s![.., skip..]).to_owned())?;
        push(buffer, out, keep_all);
        Ok(())
    }

    /// Converts `frames` frames of silence (a gap of lost packets) into `buffer`.
    pub(crate) fn push_silence(
        &mut self,
        frames: u64,
        buffer: &mut OutputBuffer,
        keep_all: bool,
    ) -> Result<()> {
        // The input channels do not matter for silence: remixing zeros gives zeros, so it
        // enters after the remixer.
        let mut left = frames;
        while left > 0 {
            let n = left.min(pipeline::STEP as u64);
            left -= n;
            self.next_in += n;
            let zeros = Array2::<f32>::zeros((self.out_channels, n as usize));
            let out = self.pipeline.process_from(self.after_remix, zeros)?;
            push(buffer, out, keep_all);
        }
        Ok(())
    }

    /// One step of the end of the stream into `buffer` (before the buffer's own flush): the
    /// resampler's tail, then what the effects still hold or make, a piece per call, so the
    /// output has exactly `output_frames(src_rate, out_rate, frames)` frames (without effects
    /// that change the length). `Ok(true)` while more is to come.
    pub(crate) fn finish_step(
        &mut self,
        buffer: &mut OutputBuffer,
        keep_all: bool,
    ) -> Result<bool> {
        match self.pipeline.flush(pipeline::STEP)? {
            Some(piece) => {
                push(buffer, piece, keep_all);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Puts one piece of what the effects make without more input (a long `pad`) into
    /// `buffer`; `false` when nothing waits.
    pub(crate) fn drain_step(&mut self, buffer: &mut OutputBuffer, keep_all: bool) -> Result<bool> {
        match self.pipeline.drain(pipeline::STEP)? {
            Some(piece) => {
                push(buffer, piece, keep_all);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

fn push(buffer: &mut OutputBuffer, out: Array2<f32>, keep_all: bool) {
    if out.ncols() > 0 {
        buffer.push_view(out.view(), keep_all);
    }
}
