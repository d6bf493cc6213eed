//! The registry: every effect's name, its parser and its catalog entry, from the family
//! modules' `EFFECTS` tables ([`REGISTRY`](super::REGISTRY)); and the SoX effects not here
//! yet. Parsing (`AudioEffector::new`, the chain parser), [`list`](super::list) and the error
//! messages that list the effects all read it.
//!
//! ```
//! use audiostream::AudioEffector;
//! // A chain splits where a registered name starts a new effect, dotted names included.
//! let fx: AudioEffector = "highpass 100 fundsp.reverb 20 2 vol 0.5".parse()?;
//! let parts = AudioEffector::new("highpass", &[100.0])?
//!     .then(AudioEffector::new("fundsp.reverb", &[20.0, 2.0])?)
//!     .then(AudioEffector::new("vol", &[0.5])?);
//! assert_eq!(fx, parts);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::{EffectInfo, EffectSpec, REGISTRY};
use crate::{Error, Result};

/// Parses an effect's arguments (its tokens, as in a SoX chain) into its spec; `name` is the
/// name it was registered under (one parser may serve several names: `lowpass`, `highpass`).
pub(crate) type ParseFn = fn(name: &'static str, args: &[&str]) -> Result<Box<dyn EffectSpec>>;

/// One effect in the registry: its catalog entry (whose `name` is the effect's name) and its
/// parser.
#[derive(Clone, Copy)]
pub(crate) struct Registration {
    pub(crate) info: EffectInfo,
    pub(crate) parse: ParseFn,
}

/// A spec type a family module parses (`EchoSpec::parse(name, args)`), for
/// [`Registration::of`].
pub(crate) trait ParseSpec: EffectSpec + Sized + 'static {
    fn parse(name: &'static str, args: &[&str]) -> Result<Self>;
}

fn parse_boxed<S: ParseSpec>(name: &'static str, args: &[&str]) -> Result<Box<dyn EffectSpec>> {
    Ok(Box::new(S::parse(name, args)?))
}

impl Registration {
    /// The registration of `info.name`, parsed by `S::parse`.
    pub(crate) const fn of<S: ParseSpec>(info: EffectInfo) -> Registration {
        Registration {
            info,
            parse: parse_boxed::<S>,
        }
    }
}

/// Every registration, in the order of [`REGISTRY`](super::REGISTRY).
pub(crate) fn all() -> impl Iterator<Item = &'static Registration> {
    REGISTRY.iter().flat_map(|family| family.iter())
}

/// The registration of effect `name`.
pub(crate) fn find(name: &str) -> Option<&'static Registration> {
    all().find(|r| r.info.name == name)
}

/// The effects' names, sorted, as error messages list them.
pub(crate) fn available() -> String {
    let mut names: Vec<&str> = all().map(|r| r.info.name).collect();
    names.sort_unstable();
    names.join(", ")
}

/// Whether `token` names an effect (one of ours, or a SoX effect not here yet): where a
/// chain starts its next effect.
pub(crate) fn is_effect_name(token: &str) -> bool {
    find(token).is_some() || NOT_YET.contains(&token)
}

/// Parses one effect with its arguments, checked.
pub(crate) fn parse_effect(name: &str, args: &[&str]) -> Result<Box<dyn EffectSpec>> {
    let Some(registration) = find(name) else {
        return Err(if NOT_YET.contains(&name) {
            Error::Unsupported(format!(
                "effect {name} is not available yet; available: {}",
                available()
            ))
        } else {
            Error::invalid_argument(
                "effect",
                name,
                format!("an effect; available: {}", available()),
            )
        });
    };
    let spec = (registration.parse)(registration.info.name, args)?;
    spec.validate()?;
    Ok(spec)
}

/// SoX effects that exist in SoX but not here yet.
const NOT_YET: &[&str] = &[
    "band",
    "bend",
    "biquad",
    "channels",
    "compand",
    "contrast",
    "dcshift",
    "deemph",
    "delay",
    "dither",
    "divide",
    "downsample",
    "earwax",
    "fir",
    "hilbert",
    "loudness",
    "mcompand",
    "noiseprof",
    "noisered",
    "oops",
    "rate",
    "remix",
    "repeat",
    "riaa",
    "silence",
    "sinc",
    "splice",
    "stat",
    "stats",
    "stretch",
    "swap",
    "synth",
    "trim",
    "upsample",
    "vad",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_not_in_not_yet() {
        let mut names: Vec<&str> = all().map(|r| r.info.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a name registered twice");
        for name in names {
            assert!(!NOT_YET.contains(&name), "{name} is registered and not-yet");
        }
    }
}
