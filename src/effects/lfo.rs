//! What the modulation and echo effects (`chorus`, `flanger`, `phaser`, `tremolo`, `echo`,
//! `echos`) share: SoX's LFO wave tables (`lsx_generate_wave_table` in `effects_i.c`) and the
//! small argument parsers that give their errors one shape.
//!
//! The tables are built the way SoX builds them (same phase offset, same double arithmetic,
//! same rounding to `int` or `float`) because the effects read their delays from them: a
//! table entry off by one sample would change the output by far more than 60 dB allows.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! // Every effect of this family takes SoX's arguments, also through `new`.
//! let fx = AudioEffector::new("flanger", &[0.0, 2.0, 0.0, 71.0, 0.5])?;
//! let out = fx.apply(Array2::<f32>::zeros((2, 100)).view(), 8000)?;
//! assert_eq!(out.dim(), (2, 100));
//! # Ok::<(), audiostream::Error>(())
//! ```

use crate::{Error, Result};
use std::f64::consts::PI;

/// The LFO wave shapes SoX's effects offer (`lsx_wave_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wave {
    Sine,
    Triangle,
}

impl Wave {
    /// The shape SoX's `-s`/`-t` flags and the 0/1 `param` values select.
    pub(crate) fn from_triangle(triangle: bool) -> Wave {
        if triangle {
            Wave::Triangle
        } else {
            Wave::Sine
        }
    }
}

/// One period of `wave` in `size` entries between `min` and `max`, starting `phase` radians
/// into the period, before SoX converts it to the table's type.
fn wave_values(wave: Wave, size: usize, min: f64, max: f64, phase: f64) -> Vec<f64> {
    // SoX keeps the offset in a uint32_t, truncated after adding 0.5.
    let phase_offset = (phase / PI / 2.0 * size as f64 + 0.5) as u32 as usize;
    (0..size)
        .map(|t| {
            let point = (t + phase_offset) % size;
            let d = match wave {
                Wave::Sine => ((point as f64 / size as f64 * 2.0 * PI).sin() + 1.0) / 2.0,
                Wave::Triangle => {
                    let d = point as f64 * 2.0 / size as f64;
                    match 4 * point / size {
                        0 => d + 0.5,
                        1 | 2 => 1.5 - d,
                        _ => d - 1.5,
                    }
                }
            };
            d * (max - min) + min
        })
        .collect()
}

/// SoX's table of `int`s: the values rounded half away from zero.
pub(crate) fn wave_table_int(wave: Wave, size: usize, min: f64, max: f64, phase: f64) -> Vec<i64> {
    wave_values(wave, size, min, max, phase)
        .into_iter()
        .map(|d| (d + if d < 0.0 { -0.5 } else { 0.5 }) as i64)
        .collect()
}

/// SoX's table of `float`s.
pub(crate) fn wave_table_f32(wave: Wave, size: usize, min: f64, max: f64, phase: f64) -> Vec<f32> {
    wave_values(wave, size, min, max, phase)
        .into_iter()
        .map(|d| d as f32)
        .collect()
}

/// SoX reads most of these effects' arguments with `sscanf("%f")`: their values are `float`s.
pub(crate) fn as_float(v: f64) -> f64 {
    f64::from(v as f32)
}

/// Parses a numeric argument `arg` of `effect`.
pub(crate) fn number(effect: &str, arg: &str, token: &str) -> Result<f64> {
    match token.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(Error::invalid_argument(
            &format!("{effect} {arg}"),
            token,
            "a finite number",
        )),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_follow_sox() {
        // Triangle starting at its minimum (3π/2), as chorus and flanger ask for it.
        let t = wave_table_int(Wave::Triangle, 8, 0.0, 8.0, 3.0 * PI / 2.0);
        assert_eq!(t, vec![0, 2, 4, 6, 8, 6, 4, 2]);
        let s = wave_table_int(Wave::Sine, 4, 0.0, 2.0, 0.0);
        assert_eq!(s, vec![1, 2, 1, 0]);
        let f = wave_table_f32(Wave::Sine, 4, 1.0, 3.0, PI / 2.0);
        assert_eq!(f, vec![3.0, 2.0, 1.0, 2.0]);
    }

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
}
