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

use super::args::{arg_count, Time};
use super::catalog::arg;
use super::registry::{ParseSpec, Registration};
use super::{BuildContext, Channels, Effect, EffectInfo, EffectSpec};
use crate::{Error, Result};

pub(crate) const EFFECTS: &[Registration] = &[Registration::of::<FadeSpec>(INFO_FADE)];

const INFO_FADE: EffectInfo = EffectInfo {
    name: "fade",
    usage: "fade [q|h|t|l|p] fade-in-length [stop-position(0) [fade-out-length]]",
    description: "Fade in and out; shapes quarter-sine, half-sine, linear, logarithmic, \
                  inverted parabola; stop-position 0 means the end of the audio.",
    arguments: &[
        arg(
            "fade_in_length",
            "required",
            "time >= 0: seconds, [[hh:]mm:]ss[.frac], or NNNs samples",
        ),
        arg(
            "stop_position",
            "none (no fade-out)",
            "time >= 0; 0 = end of audio",
        ),
        arg("fade_out_length", "fade-in-length", "time >= 0"),
    ],
};

/// Parsed `fade`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FadeSpec {
    kind: char,
    fade_in: Time,
    /// `None`: no fade-out; `Some(None)`: the fade-out ends at the end of the audio.
    stop: Option<Option<Time>>,
    fade_out: Time,
}

impl ParseSpec for FadeSpec {
    fn parse(name: &'static str, args: &[&str]) -> Result<Self> {
        let (kind, rest) = match args.first() {
            Some(t) if t.len() == 1 && t.chars().all(|c| c.is_ascii_alphabetic()) => {
                if !"qhtlp".contains(*t) {
                    return Err(Error::invalid_argument("fade type", t, "q, h, t, l or p"));
                }
                (
                    t.chars().next().unwrap_or('l'),
                    args.get(1..).unwrap_or_default(),
                )
            }
            _ => ('l', args),
        };
        arg_count(
            name,
            rest.len(),
            1,
            3,
            "[type] fade-in-length [stop-position [fade-out-length]]",
        )?;
        let fade_in = Time::parse(name, "fade-in-length", rest.first().copied().unwrap_or(""))?;
        let stop = match rest.get(1).copied() {
            None => None,
            Some("0" | "-0") => Some(None),
            Some(t) => Some(Some(Time::parse(name, "stop-position", t)?)),
        };
        let fade_out = match rest.get(2) {
            Some(t) => Time::parse(name, "fade-out-length", t)?,
            None => fade_in,
        };
        Ok(FadeSpec {
            kind,
            fade_in,
            stop,
            fade_out,
        })
    }
}

impl EffectSpec for FadeSpec {
    fn name(&self) -> &'static str {
        "fade"
    }

    fn param_names(&self) -> &'static [&'static str] {
        &["fade_in_length", "stop_position", "fade_out_length"]
    }

    fn set(&mut self, param: &str, value: f64) {
        match param {
            "fade_in_length" => self.fade_in = Time::Seconds(value),
            "fade_out_length" => self.fade_out = Time::Seconds(value),
            _ => self.stop = Some((value != 0.0).then_some(Time::Seconds(value))),
        }
    }

    fn validate(&self) -> Result<()> {
        let times = [
            ("fade-in-length", Some(self.fade_in)),
            ("stop-position", self.stop.flatten()),
            ("fade-out-length", Some(self.fade_out)),
        ];
        for (arg, t) in times {
            if let Some(v) = t.map(Time::seconds) {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(Error::invalid_argument(
                        &format!("fade {arg}"),
                        v,
                        "a time >= 0 seconds",
                    ));
                }
            }
        }
        Ok(())
    }

    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        Ok(Some(Box::new(Fade::new(
            self,
            cx.sample_rate,
            cx.channels,
        )?)))
    }

    /// With a stop position, exactly that many frames (the audio is cut or padded to it);
    /// otherwise the input's length. `None` where the fade-out would overlap the fade-in.
    fn output_frames(&self, sample_rate: u32, input_frames: u64) -> Option<u64> {
        let in_stop = self.fade_in.frames(sample_rate);
        let out_len = self.fade_out.frames(sample_rate);
        let frames = match self.stop {
            None => return Some(input_frames),
            Some(Some(stop)) => stop.frames(sample_rate),
            Some(None) => input_frames,
        };
        check_overlap(in_stop, frames, out_len)
            .ok()
            .map(|()| frames)
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
struct Fade {
    kind: char,
    in_stop: u64,
    /// `None`: no fade-out. `Some((None, len))`: fade out over the last `len` frames.
    out: Option<(Option<u64>, u64)>,
    /// Frames seen so far.
    done: u64,
    /// Frames held back (end-of-audio fade-out), with the index of the first.
    held: Channels,
    held_start: u64,
    /// Silence still to put out up to the stop position (after `flush`).
    silence_left: u64,
}

impl Fade {
    fn new(spec: &FadeSpec, rate: u32, num_channels: usize) -> Result<Fade> {
        let kind = spec.kind;
        let in_stop = spec.fade_in.frames(rate);
        let out_len = spec.fade_out.frames(rate);
        let out = spec.stop.map(|s| (s.map(|t| t.frames(rate)), out_len));
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

    fn apply(&self, channels: &mut Channels, first: u64, out: Option<(u64, u64)>) {
        for ch in channels.iter_mut() {
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
    fn process(&mut self, channels: &mut Channels) {
        let n = channels.first().map_or(0, Vec::len) as u64;
        let first = self.done;
        self.done += n;
        match self.out {
            None => self.apply(channels, first, None),
            Some((Some(stop), len)) => {
                let keep = stop.saturating_sub(first).min(n) as usize;
                for ch in channels.iter_mut() {
                    ch.truncate(keep);
                }
                self.apply(channels, first, Some((stop, len)));
            }
            Some((None, len)) => {
                // Hold back the last `len` frames: they may be in the fade-out.
                for (h, ch) in self.held.iter_mut().zip(channels.iter_mut()) {
                    h.append(ch);
                }
                let held = self.held.first().map_or(0, Vec::len) as u64;
                let emit = held.saturating_sub(len) as usize;
                for (h, ch) in self.held.iter_mut().zip(channels.iter_mut()) {
                    let rest = h.split_off(emit);
                    *ch = std::mem::replace(h, rest);
                }
                let start = self.held_start;
                self.held_start += emit as u64;
                // These frames are before the fade-out: only the fade-in applies.
                self.apply(channels, start, None);
            }
        }
    }

    fn flush(&mut self, channels: &mut Channels) -> Result<()> {
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
                let mut held = std::mem::replace(&mut self.held, vec![Vec::new(); channels.len()]);
                self.apply(&mut held, self.held_start, Some((stop, len)));
                self.held_start = stop;
                for (ch, h) in channels.iter_mut().zip(held.iter_mut()) {
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

    fn drain(&mut self, channels: &mut Channels, max: usize) -> Result<()> {
        let n = self.silence_left.min(max as u64);
        self.silence_left -= n;
        for ch in channels.iter_mut() {
            ch.resize(ch.len() + n as usize, 0.0);
        }
        Ok(())
    }
}
