//! SoX `pad {length[@position]}`: insert silence — at the start (the first length without a
//! position), at the end (the last one without a position), or at given positions of the
//! input. `pad 0 3 reverb` is SoX's way to hear a reverb's tail, since `reverb` (like SoX's)
//! keeps the length of its input.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::array;
//! let out = "pad 2s 1s@1s".parse::<AudioEffector>()?.apply(array![[1.0f32, 2.0]].view(), 8000)?;
//! assert_eq!(out, array![[0.0f32, 0.0, 1.0, 0.0, 2.0]]);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::args::Time;
use super::registry::{ParseSpec, Registration};
use super::{ArgInfo, BuildContext, Channels, Effect, EffectInfo, EffectSpec};
use crate::{Error, Result};

pub(crate) const EFFECTS: &[Registration] = &[Registration::of::<PadSpec>(INFO_PAD)];

/// Where a pad goes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum At {
    Position(Time),
    End,
}

/// Parsed `pad`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PadSpec {
    pads: Vec<(Time, At)>,
}

impl ParseSpec for PadSpec {
    /// Parses `pad {length[@position]}`.
    fn parse(_name: &'static str, args: &[&str]) -> Result<Self> {
        if args.is_empty() {
            return Err(Error::invalid_argument(
                "pad number of arguments",
                0,
                "at least 1 (pad {length[@position]})",
            ));
        }
        let mut pads = Vec::with_capacity(args.len());
        for (i, token) in args.iter().enumerate() {
            let (length, position) = match token.split_once('@') {
                Some((l, p)) => (l, Some(p)),
                None => (*token, None),
            };
            let length = Time::parse("pad", "length", length)?;
            let at = match position {
                Some(p) => At::Position(Time::parse("pad", "position", p)?),
                None if i == 0 => At::Position(Time::Samples(0)),
                None if i + 1 == args.len() => At::End,
                None => {
                    return Err(Error::invalid_argument(
                        "pad position",
                        token,
                        "length@position (only the first pad may omit it, meaning the start, \
                         and the last, meaning the end)",
                    ))
                }
            };
            pads.push((length, at));
        }
        Ok(PadSpec { pads })
    }
}
impl PadSpec {
    /// The pads at `sample_rate`: (input frame, frames of silence) in order, and the frames
    /// at the end.
    fn frames(&self, sample_rate: u32) -> Result<(Vec<(u64, u64)>, u64)> {
        let mut inserts = Vec::new();
        let mut at_end = 0u64;
        let mut last = 0u64;
        for &(length, at) in &self.pads {
            let frames = length.frames(sample_rate);
            match at {
                At::Position(p) => {
                    let pos = p.frames(sample_rate);
                    if pos < last {
                        return Err(Error::invalid_argument(
                            "pad position",
                            p.seconds(),
                            "positions in increasing order",
                        ));
                    }
                    last = pos;
                    inserts.push((pos, frames));
                }
                At::End => at_end = frames,
            }
        }
        Ok((inserts, at_end))
    }
}

impl EffectSpec for PadSpec {
    fn name(&self) -> &'static str {
        "pad"
    }

    fn param_names(&self) -> &'static [&'static str] {
        &[]
    }

    fn set(&mut self, _param: &str, _value: f64) {}

    fn validate(&self) -> Result<()> {
        Ok(())
    }

    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        let num_channels = cx.channels;
        let (inserts, at_end) = self.frames(cx.sample_rate)?;
        Ok(Some(Box::new(Pad {
            inserts,
            next: 0,
            at_end,
            position: 0,
            num_channels,
            silence_left: 0,
            held: vec![Vec::new(); num_channels],
        })))
    }

    /// The input and every pad; `None` when a position is past the input's end (the stream
    /// fails there).
    fn output_frames(&self, sample_rate: u32, input_frames: u64) -> Option<u64> {
        let (inserts, at_end) = self.frames(sample_rate).ok()?;
        if inserts.iter().any(|&(pos, _)| pos > input_frames) {
            return None;
        }
        inserts
            .iter()
            .try_fold(input_frames.checked_add(at_end)?, |n, &(_, len)| {
                n.checked_add(len)
            })
    }
}

/// Silence put out at once at most: a longer pad comes out a piece at a time (see
/// [`Effect::pending`]), so ten minutes of it never sit in memory whole.
const STEP: u64 = 1 << 16;

/// The running `pad`: counts input frames and inserts silence where asked.
struct Pad {
    /// (input frame, frames of silence), in order.
    inserts: Vec<(u64, u64)>,
    next: usize,
    at_end: u64,
    /// Input frames taken in (put out, or held behind silence).
    position: u64,
    num_channels: usize,
    /// Silence still to put out.
    silence_left: u64,
    /// Input that comes after the silence being put out.
    held: Channels,
}

impl Pad {
    /// Puts `input` (which starts at input frame `self.position`) out, with the silence due
    /// inside it: at most `STEP` frames of a pad at once; the rest of a longer pad, and the
    /// input after it, wait in `silence_left` and `held`.
    fn take(&mut self, input: Channels, out: &mut Channels) {
        let frames = input.first().map_or(0, Vec::len) as u64;
        let start = self.position;
        let end = start + frames;
        let mut from = 0usize;
        while let Some(&(pos, len)) = self.inserts.get(self.next) {
            if pos >= end {
                break;
            }
            let split = (pos - start) as usize;
            let now = len.min(STEP) as usize;
            for (o, ch) in out.iter_mut().zip(input.iter()) {
                o.extend_from_slice(ch.get(from..split).unwrap_or_default());
                o.resize(o.len() + now, 0.0);
            }
            from = split;
            self.next += 1;
            if len > STEP {
                self.silence_left = len - STEP;
                for (h, ch) in self.held.iter_mut().zip(input.iter()) {
                    h.extend_from_slice(ch.get(split..).unwrap_or_default());
                }
                self.position = pos;
                return;
            }
        }
        for (o, ch) in out.iter_mut().zip(input.iter()) {
            o.extend_from_slice(ch.get(from..).unwrap_or_default());
        }
        self.position = end;
    }
}

impl Effect for Pad {
    fn process(&mut self, planar: &mut Channels) {
        let frames = planar.first().map_or(0, Vec::len) as u64;
        let due = self
            .inserts
            .get(self.next)
            .is_some_and(|(pos, _)| *pos < self.position + frames);
        if !due {
            self.position += frames;
            return;
        }
        let input = std::mem::replace(planar, vec![Vec::new(); self.num_channels]);
        self.take(input, planar);
    }

    fn pending(&self) -> bool {
        self.silence_left > 0 || self.held.first().is_some_and(|h| !h.is_empty())
    }

    fn drain(&mut self, planar: &mut Channels, max: usize) -> Result<()> {
        if self.silence_left > 0 {
            let n = self.silence_left.min(max as u64);
            self.silence_left -= n;
            for ch in planar.iter_mut() {
                ch.resize(ch.len() + n as usize, 0.0);
            }
            return Ok(());
        }
        let held = std::mem::replace(&mut self.held, vec![Vec::new(); self.num_channels]);
        self.take(held, planar);
        Ok(())
    }

    fn flush(&mut self, _planar: &mut Channels) -> Result<()> {
        // Pads at the very end of the input (position == its length) and the end pad: put
        // out by `drain`, a piece at a time.
        let mut extra = self.at_end;
        while let Some(&(pos, len)) = self.inserts.get(self.next) {
            if pos > self.position {
                return Err(Error::invalid_argument(
                    "pad position",
                    format!("frame {pos}"),
                    format!(
                        "a position within the input ({} frames long)",
                        self.position
                    ),
                ));
            }
            extra += len;
            self.next += 1;
        }
        self.silence_left += extra;
        Ok(())
    }
}

/// `audiostream effects` entry for `pad`.
const INFO_PAD: EffectInfo = EffectInfo {
    name: "pad",
    usage: "pad {length[@position]}",
    description: "Insert silence: the first length without @position at the start, the last \
                  at the end, others at input positions (e.g. `pad 0 3 reverb` to hear the \
                  reverb's tail).",
    arguments: &[ArgInfo {
        name: "length",
        default: "required",
        range: "time >= 0: seconds, [[hh:]mm:]ss[.frac], or NNNs samples; @position likewise",
    }],
};
