//! SoX `reverse`: the audio backwards. It needs the whole signal, so a stream holds
//! everything until `flush`.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::array;
//! let out = "reverse".parse::<AudioEffector>()?.apply(array![[1.0f32, 2.0]].view(), 8000)?;
//! assert_eq!(out, array![[2.0f32, 1.0]]);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::args::arg_count;
use super::registry::{ParseSpec, Registration};
use super::{BuildContext, Channels, Effect, EffectInfo, EffectSpec};
use crate::Result;

pub(crate) const EFFECTS: &[Registration] = &[Registration::of::<ReverseSpec>(INFO_REVERSE)];

const INFO_REVERSE: EffectInfo = EffectInfo {
    name: "reverse",
    usage: "reverse",
    description: "Reverse the audio (holds it all until the end of the stream).",
    arguments: &[],
};

/// Parsed `reverse` (no arguments).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ReverseSpec;

impl ParseSpec for ReverseSpec {
    fn parse(name: &'static str, args: &[&str]) -> Result<Self> {
        arg_count(name, args.len(), 0, 0, "reverse takes no arguments")?;
        Ok(ReverseSpec)
    }
}

impl EffectSpec for ReverseSpec {
    fn name(&self) -> &'static str {
        "reverse"
    }

    fn param_names(&self) -> &'static [&'static str] {
        &[]
    }

    fn set(&mut self, _param: &str, _value: f64) {}

    fn validate(&self) -> Result<()> {
        Ok(())
    }

    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        Ok(Some(Box::new(Reverse {
            buffer: vec![Vec::new(); cx.channels],
        })))
    }

    fn output_frames(&self, _sample_rate: u32, input_frames: u64) -> Option<u64> {
        Some(input_frames)
    }
}

/// The running `reverse`: keeps everything until `flush`.
struct Reverse {
    buffer: Channels,
}

impl Effect for Reverse {
    fn process(&mut self, channels: &mut Channels) {
        for (buf, ch) in self.buffer.iter_mut().zip(channels.iter_mut()) {
            buf.append(ch);
        }
    }

    fn flush(&mut self, channels: &mut Channels) -> Result<()> {
        for (buf, ch) in self.buffer.iter_mut().zip(channels.iter_mut()) {
            buf.reverse();
            ch.append(buf);
        }
        Ok(())
    }
}
