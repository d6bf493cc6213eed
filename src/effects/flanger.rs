//! SoX `flanger` (being written: every call returns Unsupported until then).

use super::{Effect, EffectInfo, EffectSpec};
use crate::{Error, Result};

/// Parsed arguments of `flanger`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FlangerSpec {
    name: &'static str,
}

impl FlangerSpec {
    /// Parses SoX's arguments for effect `name`.
    pub(crate) fn parse(name: &str, _args: &[&str]) -> Result<Self> {
        Err(Error::Unsupported(format!(
            "effect {name} is not available yet"
        )))
    }
}

impl EffectSpec for FlangerSpec {
    fn name(&self) -> &'static str {
        self.name
    }
    fn param_names(&self) -> &'static [&'static str] {
        &[]
    }
    fn set(&mut self, _param: &str, _value: f64) {}
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    fn build(&self, _sample_rate: u32, _num_channels: usize) -> Result<Option<Box<dyn Effect>>> {
        Ok(None)
    }
}

/// `audiostream effects` entry for `flanger`.
pub(crate) const INFO_FLANGER: EffectInfo = EffectInfo {
    name: "flanger",
    usage: "flanger ...",
    description: "(being written)",
    arguments: &[],
};
