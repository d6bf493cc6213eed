//! The argument parsers every effect family uses, so that their errors have one shape
//! (`InvalidArgument` naming `effect argument`, the value, and what is allowed): numbers,
//! frequencies, SoX times, ranges, argument counts, SoX's optional positional arguments and
//! their named choices.
//!
//! ```
//! use audiostream::{AudioEffector, Error};
//! let e = "flanger 1 foo".parse::<AudioEffector>().unwrap_err();
//! assert!(matches!(e, Error::InvalidArgument(m) if m.contains("flanger depth")));
//! ```

use crate::limits::{MAX_EFFECT_SAMPLES as MAX_SAMPLES, MAX_EFFECT_SECONDS as MAX_SECONDS};
use crate::{Error, Result};

/// Parses a numeric argument `arg` of `effect`: a finite number.
pub(crate) fn number(effect: &str, arg: &str, token: &str) -> Result<f64> {
    number_in(effect, arg, token, "a finite number")
}

/// [`number`], saying `allowed` when `token` is not a finite number.
pub(crate) fn number_in(effect: &str, arg: &str, token: &str, allowed: &str) -> Result<f64> {
    match token.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(Error::invalid_argument(
            &format!("{effect} {arg}"),
            token,
            allowed,
        )),
    }
}

/// Parses a frequency with an optional `k` suffix (kHz), as SoX's `lsx_parse_frequency`.
pub(crate) fn frequency(effect: &str, token: &str) -> Result<f64> {
    let (body, mult) = match token.strip_suffix('k') {
        Some(b) => (b, 1000.0),
        None => (token, 1.0),
    };
    Ok(number(effect, "frequency", body)? * mult)
}

/// SoX reads most effects' arguments with `sscanf("%f")`: their values are `float`s.
pub(crate) fn as_float(v: f64) -> f64 {
    f64::from(v as f32)
}

/// Whether C's `strtod` reads a number from the start of `token` (SoX's optional numeric
/// arguments skip a token that does not start like a number, and fail on one that does but
/// has more after it).
pub(crate) fn starts_numeric(token: &str) -> bool {
    let t = token.trim_start();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("inf") || lower.starts_with("nan") {
        return true;
    }
    let mut chars = t.chars().peekable();
    if chars.peek().is_some_and(char::is_ascii_digit) {
        return true;
    }
    chars.next() == Some('.') && chars.peek().is_some_and(char::is_ascii_digit)
}

/// `InvalidArgument` for `value` of `effect arg` outside `allowed`.
pub(crate) fn out_of_range(effect: &str, arg: &str, value: f64, allowed: &str) -> Error {
    Error::invalid_argument(&format!("{effect} {arg}"), value, allowed)
}

/// Checks `lo <= value <= hi` (NaN fails).
pub(crate) fn check_range(
    effect: &str,
    arg: &str,
    value: f64,
    lo: f64,
    hi: f64,
    allowed: &str,
) -> Result<()> {
    if value >= lo && value <= hi {
        Ok(())
    } else {
        Err(out_of_range(effect, arg, value, allowed))
    }
}

/// `InvalidArgument` for a wrong number of arguments, with the effect's synopsis.
pub(crate) fn count_error(effect: &str, got: usize, synopsis: &str) -> Error {
    Error::invalid_argument(&format!("{effect} number of arguments"), got, synopsis)
}

/// Checks `min <= got <= max` arguments; the error says how many, with the synopsis.
pub(crate) fn arg_count(
    effect: &str,
    got: usize,
    min: usize,
    max: usize,
    synopsis: &str,
) -> Result<()> {
    if got < min || got > max {
        let allowed = if min == max {
            format!("{min} ({synopsis})")
        } else {
            format!("{min} to {max} ({synopsis})")
        };
        return Err(count_error(effect, got, &allowed));
    }
    Ok(())
}

/// Splits a `param` name such as `delay_3` into (`delay`, 2); `delay` is (`delay`, 0).
pub(crate) fn indexed(param: &str) -> (&str, usize) {
    match param.rsplit_once('_') {
        Some((base, n)) => match n.parse::<usize>() {
            Ok(k) if k >= 1 => (base, k - 1),
            _ => (param, 0),
        },
        None => (param, 0),
    }
}

/// The kind of one of SoX's optional positional arguments.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot {
    /// `NUMERIC_PARAMETER`: a number.
    Number,
    /// `TEXTUAL_PARAMETER`: one of these names, or a unique prefix of one (any case).
    Text(&'static [&'static str]),
}

/// A value read for a [`Slot`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum SlotValue {
    Number(f64),
    /// The index of the name chosen.
    Choice(usize),
}

/// What [`optional_args`] read.
pub(crate) struct OptionalArgs {
    /// One entry per slot; `None` keeps the default.
    pub(crate) values: Vec<Option<SlotValue>>,
    /// How many tokens the slots took.
    pub(crate) used: usize,
    /// The first slot that passed over the first token left (the argument it was meant for).
    pub(crate) skipped_at: Option<usize>,
}

/// SoX's optional positional arguments (a run of `NUMERIC_PARAMETER`/`TEXTUAL_PARAMETER`):
/// each slot in turn takes the next token if it fits (a token that starts like a number for a
/// numeric slot, a name for a textual one) and is passed over otherwise; reading stops when
/// the tokens run out. A token that starts like a number but is not one is an error naming
/// the slot.
pub(crate) fn optional_args(
    effect: &str,
    names: &[&str],
    slots: &[Slot],
    args: &[&str],
) -> Result<OptionalArgs> {
    let mut values = vec![None; slots.len()];
    let mut used = 0;
    let mut skipped_at = None;
    for (i, slot) in slots.iter().enumerate() {
        let Some(&token) = args.get(used) else { break };
        let name = names.get(i).copied().unwrap_or("argument");
        let value = match slot {
            Slot::Number if starts_numeric(token) => {
                Some(SlotValue::Number(number(effect, name, token)?))
            }
            Slot::Number => None,
            Slot::Text(choices) => choice(token, choices).map(SlotValue::Choice),
        };
        match value {
            Some(v) => {
                values[i] = Some(v);
                used += 1;
                skipped_at = None;
            }
            None => {
                skipped_at = skipped_at.or(Some(i));
            }
        }
    }
    Ok(OptionalArgs {
        values,
        used,
        skipped_at,
    })
}

/// SoX's `lsx_find_enum_text`: an exact name, or a prefix of exactly one name, any case.
pub(crate) fn choice(token: &str, choices: &[&str]) -> Option<usize> {
    let t = token.to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    if let Some(i) = choices.iter().position(|c| *c == t) {
        return Some(i);
    }
    let mut found = choices
        .iter()
        .enumerate()
        .filter(|(_, c)| c.starts_with(&t));
    match (found.next(), found.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// A time as SoX writes it (`fade`, `pad`), before the rate is known.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Time {
    Seconds(f64),
    Samples(u64),
}

impl Time {
    /// Parses `Ns` (samples) or `[[hh:]mm:]ss[.frac]` (seconds), argument `arg` of `effect`
    /// (at most 24 hours: [`crate::limits`]).
    pub(crate) fn parse(effect: &str, arg: &str, token: &str) -> Result<Time> {
        let bad = || {
            Error::invalid_argument(
                &format!("{effect} {arg}"),
                token,
                "a time >= 0: seconds, [[hh:]mm:]ss[.frac], or samples with an `s` suffix",
            )
        };
        let too_long = |value: String| {
            Error::invalid_argument(
                &format!("{effect} {arg}"),
                value,
                format!(
                    "at most {MAX_SECONDS} s (24 hours), or {MAX_SAMPLES} samples with an `s` \
                     suffix"
                ),
            )
        };
        if let Some(n) = token.strip_suffix('s') {
            let n = n.parse::<u64>().map_err(|_| bad())?;
            if n > MAX_SAMPLES {
                return Err(too_long(token.to_string()));
            }
            return Ok(Time::Samples(n));
        }
        let mut secs = 0.0;
        let parts: Vec<&str> = token.split(':').collect();
        if parts.len() > 3 {
            return Err(bad());
        }
        for (i, p) in parts.iter().enumerate() {
            let v = p.parse::<f64>().map_err(|_| bad())?;
            let last = i + 1 == parts.len();
            if !v.is_finite() || v < 0.0 || (!last && v.fract() != 0.0) {
                return Err(bad());
            }
            secs = secs * 60.0 + v;
        }
        if secs > MAX_SECONDS {
            return Err(too_long(token.to_string()));
        }
        Ok(Time::Seconds(secs))
    }

    /// Frames at `rate` (rounded as SoX's `lsx_parsesamples`: `secs * rate + 0.5`).
    pub(crate) fn frames(self, rate: u32) -> u64 {
        match self {
            Time::Samples(n) => n,
            Time::Seconds(s) => (s * f64::from(rate) + 0.5) as u64,
        }
    }

    /// The value in seconds (for `param` and validation).
    pub(crate) fn seconds(self) -> f64 {
        match self {
            Time::Seconds(s) => s,
            Time::Samples(n) => n as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_tokens() {
        for t in ["1", "-2.5", ".5", "+3", "1e3", "5x", "inf"] {
            assert!(starts_numeric(t), "{t}");
        }
        for t in ["-t", "sine", "", ".", "-", "x5"] {
            assert!(!starts_numeric(t), "{t}");
        }
        assert_eq!(indexed("delay_3"), ("delay", 2));
        assert_eq!(indexed("gain_in"), ("gain_in", 0));
        assert_eq!(indexed("decay"), ("decay", 0));
        assert_eq!(choice("TRI", &["sine", "triangle"]), Some(1));
        assert_eq!(choice("x", &["sine", "triangle"]), None);
    }

    #[test]
    fn numbers_and_counts() {
        assert_eq!(number("e", "a", " 2.5").unwrap(), 2.5);
        let e = number_in("gain", "gain", "x", "a finite number of dB").unwrap_err();
        assert!(e.to_string().contains("gain gain") && e.to_string().contains("of dB"));
        assert_eq!(frequency("lowpass", "1.5k").unwrap(), 1500.0);
        assert!(arg_count("vol", 0, 1, 3, "vol gain").is_err());
        assert!(arg_count("vol", 2, 1, 3, "vol gain").is_ok());
        assert_eq!(
            Time::parse("fade", "x", "1:30").unwrap(),
            Time::Seconds(90.0)
        );
        assert_eq!(Time::parse("pad", "x", "10s").unwrap().frames(8000), 10);
    }
}
