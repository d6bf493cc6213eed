//! [`AudioEffector`]: a chain of parsed effects (SoX's, fundsp's, fundsp graphs), built from
//! the registry by name or from a SoX-style chain string. Running it is the pipeline's
//! ([`EffectStream`](crate::EffectStream), [`AudioEffector::apply`]).

use super::registry::{available, is_effect_name, parse_effect};
use super::{BuildContext, Effect, EffectSpec, ResamplerFactory};
use crate::{Error, Result};
use std::str::FromStr;

/// A chain of effects, applied in order (torchaudio's `AudioEffector`).
///
/// Build it from one effect with [`AudioEffector::new`] (and [`AudioEffector::param`]), from
/// a SoX-style chain with `str::parse`, or from a fundsp graph with
/// [`AudioEffector::from_fundsp`]; join chains with [`AudioEffector::then`]. Then
/// [`apply`](AudioEffector::apply) it to a whole `(channels, frames)` array, or
/// [`stream`](AudioEffector::stream) chunks through it.
///
/// Two effectors are equal when their effects and arguments are; a fundsp graph equals only
/// itself (the effector made by one `from_fundsp` call, and its clones).
///
/// ```
/// use audiostream::AudioEffector;
/// use audiostream::ndarray::array;
/// let fx = AudioEffector::new("vol", &[0.5])?;
/// let out = fx.apply(array![[0.5f32, 1.0]].view(), 8000)?;
/// assert_eq!(out, array![[0.25f32, 0.5]]);
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AudioEffector {
    chain: Vec<Box<dyn EffectSpec>>,
}

impl AudioEffector {
    /// One effect with its positional numeric arguments (`"overdrive", &[10.0, 20.0]`).
    /// Numeric flags are arguments too (`"lowpass", &[-1.0, 500.0]`); widths are in the
    /// effect's default unit (use `str::parse` for suffixes such as `2o`).
    ///
    /// Unknown effects, wrong argument counts and out-of-range values are
    /// [`Error::InvalidArgument`]; SoX effects not implemented yet are [`Error::Unsupported`].
    ///
    /// ```
    /// use audiostream::{AudioEffector, Error};
    /// assert!(AudioEffector::new("equalizer", &[1000.0, 1.0, -6.0]).is_ok());
    /// assert!(matches!(AudioEffector::new("overdrive", &[200.0]), Err(Error::InvalidArgument(_))));
    /// assert!(matches!(AudioEffector::new("compand", &[]), Err(Error::Unsupported(_))));
    /// ```
    pub fn new(effect: &str, args: &[f64]) -> Result<Self> {
        let tokens: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
        Ok(AudioEffector {
            chain: vec![parse_effect(effect, &refs)?],
        })
    }

    /// A chain of one parsed effect.
    pub(crate) fn from_spec(spec: Box<dyn EffectSpec>) -> Self {
        AudioEffector { chain: vec![spec] }
    }

    /// Sets a named parameter of the last effect in the chain: the snake_case of the SoX
    /// manual's argument name (`gain`, `colour`, `frequency`, `width`).
    ///
    /// ```
    /// use audiostream::AudioEffector;
    /// let fx = AudioEffector::new("overdrive", &[])?.param("colour", 50.0)?;
    /// assert!(AudioEffector::new("overdrive", &[])?.param("color", 50.0).is_err());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn param(mut self, name: &str, value: f64) -> Result<Self> {
        let last = self.chain.last_mut().ok_or_else(|| {
            Error::invalid_argument("param", name, "an effector with at least one effect")
        })?;
        let names = last.param_names();
        if !names.contains(&name) {
            let allowed = if names.is_empty() {
                "none (this effect has no parameters)".to_string()
            } else {
                names.join(", ")
            };
            return Err(Error::invalid_argument(
                &format!("{} parameter", last.name()),
                name,
                allowed,
            ));
        }
        let mut updated = last.clone();
        updated.set(name, value);
        updated.validate()?;
        *last = updated;
        Ok(self)
    }

    /// This chain followed by `next`'s effects: one chain, run as one stage. It is how a
    /// fundsp graph ([`from_fundsp`](Self::from_fundsp)) joins SoX effects (a chain string
    /// cannot name a graph).
    ///
    /// ```
    /// use audiostream::AudioEffector;
    /// let fx = AudioEffector::new("highpass", &[80.0])?.then("gain -3 reverb".parse()?);
    /// assert_eq!(fx, "highpass 80 gain -3 reverb".parse()?);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn then(mut self, next: AudioEffector) -> AudioEffector {
        self.chain.extend(next.chain);
        self
    }

    /// The frames `input_frames` frames at `sample_rate` become through the whole chain
    /// (every `process`, then `flush`), where every effect knows its length exactly: most
    /// keep it; `pad`, `echo`, `echos` and `chorus` add to it; `speed`, `tempo`, `pitch`
    /// change it as SoX does; `fade` with a stop position sets it. `None` where an effect
    /// cannot tell, or the chain would fail on that input (a `pad` position past its end).
    ///
    /// ```
    /// use audiostream::AudioEffector;
    /// let fx: AudioEffector = "pad 0.5 echo 0.8 0.9 100 0.3 tempo 2".parse()?;
    /// // 1 s + 0.5 s of pad + a 100 ms echo tail, then twice as fast.
    /// assert_eq!(fx.output_frames(8000, 8000), Some((8000 + 4000 + 800) / 2));
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn output_frames(&self, sample_rate: u32, input_frames: u64) -> Option<u64> {
        if sample_rate == 0 {
            return None;
        }
        self.chain.iter().try_fold(input_frames, |frames, spec| {
            spec.output_frames(sample_rate, frames)
        })
    }

    /// The running instances of the chain's effects at `sample_rate` with `num_channels`
    /// channels (effects that do nothing with their arguments have none). `resample` makes
    /// the resamplers `speed` and `pitch` need (the pipeline's, `dsp::Resampler`).
    pub(crate) fn instances(
        &self,
        sample_rate: u32,
        num_channels: usize,
        resample: &ResamplerFactory,
    ) -> Result<Vec<Box<dyn Effect>>> {
        if sample_rate == 0 {
            return Err(Error::invalid_argument(
                "sample_rate",
                0,
                "a positive rate in Hz",
            ));
        }
        let mut cx = BuildContext {
            sample_rate,
            channels: num_channels,
            resample,
            headroom: None,
        };
        let mut effects = Vec::new();
        for spec in &self.chain {
            if let Some(e) = spec.build(&mut cx)? {
                effects.push(e);
            }
        }
        Ok(effects)
    }
}

/// Parses a SoX-style chain: effect names, each followed by its arguments; a new effect
/// starts at the next effect name (`"gain -3 overdrive 10 20 lowpass -1 2k"`; fundsp's
/// effects by their dotted names, `"highpass 80 fundsp.reverb 10 3"`).
///
/// ```
/// use audiostream::AudioEffector;
/// let fx: AudioEffector = "gain -3 bass 6 equalizer 1k 2o -4".parse()?;
/// assert!("".parse::<AudioEffector>().is_err());
/// # Ok::<(), audiostream::Error>(())
/// ```
impl FromStr for AudioEffector {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let tokens: Vec<&str> = s.split_whitespace().collect();
        let mut chain = Vec::new();
        let mut i = 0;
        while let Some(&name) = tokens.get(i) {
            let end = tokens
                .iter()
                .skip(i + 1)
                .position(|t| is_effect_name(t))
                .map_or(tokens.len(), |p| i + 1 + p);
            let args = tokens.get(i + 1..end).unwrap_or(&[]);
            chain.push(parse_effect(name, args)?);
            i = end;
        }
        if chain.is_empty() {
            return Err(Error::invalid_argument(
                "effect",
                format!("{s:?}"),
                format!("a chain of one or more effects; available: {}", available()),
            ));
        }
        Ok(AudioEffector { chain })
    }
}
