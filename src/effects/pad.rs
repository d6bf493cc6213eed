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

use super::fade::Time;
use super::{ArgInfo, Effect, EffectInfo, EffectSpec, Planar};
use crate::{Error, Result};

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

impl PadSpec {
    /// Parses `pad {length[@position]}`.
    pub(crate) fn parse(_name: &str, args: &[&str]) -> Result<Self> {
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
            let length = Time::parse_for("pad", "length", length)?;
            let at = match position {
                Some(p) => At::Position(Time::parse_for("pad", "position", p)?),
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

    fn build(&self, sample_rate: u32, num_channels: usize) -> Result<Option<Box<dyn Effect>>> {
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
        Ok(Some(Box::new(Pad {
            inserts,
            next: 0,
            at_end,
            position: 0,
            num_channels,
        })))
    }
}

/// The running `pad`: counts input frames and inserts silence where asked.
struct Pad {
    /// (input frame, frames of silence), in order.
    inserts: Vec<(u64, u64)>,
    next: usize,
    at_end: u64,
    /// Input frames seen.
    position: u64,
    num_channels: usize,
}

impl Effect for Pad {
    fn process(&mut self, planar: &mut Planar) {
        let frames = planar.first().map_or(0, Vec::len) as u64;
        let end = self.position + frames;
        let due = self.inserts[self.next..]
            .iter()
            .take_while(|(pos, _)| *pos < end)
            .count();
        if due == 0 {
            self.position = end;
            return;
        }
        let mut out: Planar = vec![Vec::new(); self.num_channels];
        let mut from = 0usize;
        for &(pos, len) in &self.inserts[self.next..self.next + due] {
            let split = (pos - self.position) as usize;
            for (o, ch) in out.iter_mut().zip(planar.iter()) {
                o.extend_from_slice(ch.get(from..split).unwrap_or_default());
                o.resize(o.len() + len as usize, 0.0);
            }
            from = split;
        }
        for (o, ch) in out.iter_mut().zip(planar.iter()) {
            o.extend_from_slice(ch.get(from..).unwrap_or_default());
        }
        self.next += due;
        self.position = end;
        *planar = out;
    }

    fn flush(&mut self, planar: &mut Planar) -> Result<()> {
        // Pads at the very end of the input (position == its length) and the end pad.
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
        for ch in planar.iter_mut() {
            ch.resize(ch.len() + extra as usize, 0.0);
        }
        Ok(())
    }
}

/// `audiostream effects` entry for `pad`.
pub(crate) const INFO_PAD: EffectInfo = EffectInfo {
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
