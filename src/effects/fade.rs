//! SoX `fade [type] fade-in-length [stop-position [fade-out-length]]` (`fade.c`).
//!
//! Types: `q` quarter sine, `h` half sine, `t` linear, `l` logarithmic (the default), `p`
//! inverted parabola. Times are seconds, `[[hh:]mm:]ss[.frac]`, or samples with an `s`
//! suffix. The audio stops at `stop-position` (padded with silence if it ends earlier);
//! `0` or `-0` means the end of the audio: then a stream holds back the last
//! `fade-out-length` frames until `flush`.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let fx: AudioEffector = "fade t 10s 30s 5s".parse()?;
//! let out = fx.apply(Array2::<f32>::ones((1, 50)).view(), 1000)?;
//! assert_eq!(out.ncols(), 30);
//! assert_eq!((out[[0, 0]], out[[0, 5]], out[[0, 15]], out[[0, 29]]), (0.0, 0.5, 1.0, 0.2));
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::{Effect, Planar};
use crate::{Error, Result};

use crate::limits::{MAX_EFFECT_SAMPLES as MAX_SAMPLES, MAX_EFFECT_SECONDS as MAX_SECONDS};

/// A time as SoX writes it, before the rate is known.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Time {
    Seconds(f64),
    Samples(u64),
}

impl Time {
    /// Parses `Ns` (samples) or `[[hh:]mm:]ss[.frac]` (seconds), an argument of `fade`.
    pub(crate) fn parse(arg: &str, token: &str) -> Result<Time> {
        Self::parse_for("fade", arg, token)
    }

    /// [`parse`](Self::parse) for an argument of `effect`.
    pub(crate) fn parse_for(effect: &str, arg: &str, token: &str) -> Result<Time> {
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

/// SoX's `fade_gain(index, range, type)`.
fn gain(index: u64, range: u64, kind: char) -> f64 {
    let x = (index as f64 / range as f64).clamp(0.0, 1.0);
    match kind {
        't' => x,
        'q' => (x * std::f64::consts::PI / 2.0).sin(),
        'h' => (1.0 - (x * std::f64::consts::PI).cos()) / 2.0,
        'p' => 1.0 - (1.0 - x) * (1.0 - x),
        _ => 0.1f64.powf((1.0 - x) * 5.0),
    }
}

/// A running fade.
pub(crate) struct Fade {
    kind: char,
    in_stop: u64,
    /// `None`: no fade-out. `Some((None, len))`: fade out over the last `len` frames.
    out: Option<(Option<u64>, u64)>,
    /// Frames seen so far.
    done: u64,
    /// Frames held back (end-of-audio fade-out), with the index of the first.
    held: Planar,
    held_start: u64,
    /// Silence still to put out up to the stop position (after `flush`).
    silence_left: u64,
}

impl Fade {
    /// `stop`: `None` = no fade-out, `Some(None)` = end of audio.
    pub(crate) fn new(
        kind: char,
        fade_in: Time,
        stop: Option<Option<Time>>,
        fade_out: Time,
        rate: u32,
        num_channels: usize,
    ) -> Result<Fade> {
        let in_stop = fade_in.frames(rate);
        let out_len = fade_out.frames(rate);
        let out = stop.map(|s| (s.map(|t| t.frames(rate)), out_len));
        if let Some((Some(stop), len)) = out {
            check_overlap(in_stop, stop, len)?;
        }
        Ok(Fade {
            kind,
            in_stop,
            out,
            done: 0,
            held: vec![Vec::new(); num_channels],
            held_start: 0,
            silence_left: 0,
        })
    }

    /// The gain at frame `i` for a fade-out ending at `stop` after `len` frames.
    fn gain_at(&self, i: u64, out: Option<(u64, u64)>) -> f64 {
        if i < self.in_stop {
            return gain(i, self.in_stop, self.kind);
        }
        match out {
            Some((stop, len)) if i >= stop.wrapping_sub(len) => {
                gain(stop.saturating_sub(i), len, self.kind)
            }
            _ => 1.0,
        }
    }

    fn apply(&self, planar: &mut Planar, first: u64, out: Option<(u64, u64)>) {
        for ch in planar.iter_mut() {
            for (k, x) in ch.iter_mut().enumerate() {
                let g = self.gain_at(first + k as u64, out);
                if g != 1.0 {
                    *x = (f64::from(*x) * g) as f32;
                }
            }
        }
    }
}

fn check_overlap(in_stop: u64, stop: u64, len: u64) -> Result<()> {
    if in_stop > stop.wrapping_sub(len) {
        return Err(Error::invalid_argument(
            "fade fade-out-length",
            format!(
                "{len} frames (fade-out from frame {} to {stop})",
                stop as i128 - len as i128
            ),
            format!("a fade-out that starts at or after the end of the fade-in (frame {in_stop})"),
        ));
    }
    Ok(())
}

impl Effect for Fade {
    fn process(&mut self, planar: &mut Planar) {
        let n = planar.first().map_or(0, Vec::len) as u64;
        let first = self.done;
        self.done += n;
        match self.out {
            None => self.apply(planar, first, None),
            Some((Some(stop), len)) => {
                let keep = stop.saturating_sub(first).min(n) as usize;
                for ch in planar.iter_mut() {
                    ch.truncate(keep);
                }
                self.apply(planar, first, Some((stop, len)));
            }
            Some((None, len)) => {
                // Hold back the last `len` frames: they may be in the fade-out.
                for (h, ch) in self.held.iter_mut().zip(planar.iter_mut()) {
                    h.append(ch);
                }
                let held = self.held.first().map_or(0, Vec::len) as u64;
                let emit = held.saturating_sub(len) as usize;
                for (h, ch) in self.held.iter_mut().zip(planar.iter_mut()) {
                    let rest = h.split_off(emit);
                    *ch = std::mem::replace(h, rest);
                }
                let start = self.held_start;
                self.held_start += emit as u64;
                // These frames are before the fade-out: only the fade-in applies.
                self.apply(planar, start, None);
            }
        }
    }

    fn flush(&mut self, planar: &mut Planar) -> Result<()> {
        match self.out {
            Some((Some(stop), _)) if self.done < stop => {
                // Silence up to the stop position (SoX pads to it): put out by `drain`, a piece
                // at a time.
                self.silence_left = stop - self.done;
                self.done = stop;
            }
            Some((None, len)) => {
                let stop = self.done;
                check_overlap(self.in_stop, stop, len)?;
                let mut held = std::mem::replace(&mut self.held, vec![Vec::new(); planar.len()]);
                self.apply(&mut held, self.held_start, Some((stop, len)));
                self.held_start = stop;
                for (ch, h) in planar.iter_mut().zip(held.iter_mut()) {
                    ch.append(h);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn pending(&self) -> bool {
        self.silence_left > 0
    }

    fn drain(&mut self, planar: &mut Planar, max: usize) {
        let n = self.silence_left.min(max as u64);
        self.silence_left -= n;
        for ch in planar.iter_mut() {
            ch.resize(ch.len() + n as usize, 0.0);
        }
    }
}
