//! SoX `tempo` and `pitch` (`tempo.c`, SoX 14.4.2).
//!
//! `tempo [-q] [-m|-s|-l] factor [segment [search [overlap]]]` changes the tempo (and the
//! length, by 1/factor) but not the pitch, with WSOLA (waveform-similarity overlap-add): the
//! input is cut into segments of `segment` ms taken `factor` times further apart than they are
//! written out; each segment starts, within `search` ms of its nominal place, where its first
//! `overlap` ms look most like the end of the previous one (least squares over all channels),
//! and is cross-faded into it linearly over `overlap` ms. `-q` searches coarse-to-fine instead
//! of at every position. `-m` (music), `-s` (speech) and `-l` (linear) change the defaults:
//! without them segment is 82 ms, search 82/5.587 ≈ 14.68 ms and overlap 82/6.833 ≈ 12 ms; a
//! given segment also scales the default search and overlap (overlap is at most segment/2).
//!
//! `pitch [-q] shift [segment [search [overlap]]]` shifts the pitch by `shift` cents and keeps
//! the length: `tempo` by `1/2^(shift/1200)` (rounded to 6 significant digits, as SoX passes
//! it on as text), then a rate change by the same factor (see `speed`).
//!
//! The arithmetic is SoX's, in `f32` and in SoX's order (the least-squares sums included, so
//! the same places are chosen): on input SoX reads exactly (multiples of 2^-24; SoX rounds
//! its input to 25 bits) `tempo`'s output is SoX's, sample for sample, once rounded to 25 bits
//! as SoX writes it (`tests/it/effects_time.rs`: all but at most 2 samples per signal, which are
//! one rounding step apart). The linear search sums eight positions side by side (each
//! still in SoX's order), about four times as fast as SoX.
//!
//! Output lengths are SoX's: `tempo` gives `floor(n / factor + 1/2)` frames for `n` input
//! frames (silence is fed in at the end until there are that many); `pitch` gives
//! `floor(m × f + 1/2)` for the `m = floor(n / f + 1/2)` frames of its tempo stage (`f` its
//! tempo factor), i.e. `n` give or take a frame, as SoX. `tempo` holds back up to a segment
//! (or `factor` segments) plus the search range until more input or `flush`; `pitch` adds
//! the resampler's latency (see `speed`).
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let x = Array2::<f32>::zeros((2, 44100));
//! let slower = "tempo 0.8".parse::<AudioEffector>()?.apply(x.view(), 44100)?;
//! assert_eq!(slower.ncols(), 55125); // 44100 / 0.8
//! let higher = "pitch 500".parse::<AudioEffector>()?.apply(x.view(), 44100)?;
//! assert_eq!(higher.ncols(), 44100);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::args::number_in;
use super::registry::{ParseSpec, Registration};
use super::speed::RateChange;
use super::{ArgInfo, BuildContext, Channels, Effect, EffectInfo, EffectSpec};
use crate::{Error, Result};

pub(crate) const EFFECTS: &[Registration] = &[
    Registration::of::<TempoSpec>(INFO_TEMPO),
    Registration::of::<TempoSpec>(INFO_PITCH),
];

const TEMPO_SYNOPSIS: &str = "1 to 4 (tempo [-q] [-m|-s|-l] factor [segment-ms [search-ms \
                              [overlap-ms]]])";
const PITCH_SYNOPSIS: &str = "1 to 4 (pitch [-q] shift-in-cents [segment-ms [search-ms \
                              [overlap-ms]]])";

/// The highest sample rate: the buffers grow with it (a segment is up to 120 ms).
const MAX_RATE: u32 = 3_072_000;

/// SoX's parameter profiles: none, `-m`, `-s`, `-l`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Profile {
    Default,
    Music,
    Speech,
    Linear,
}

/// SoX's defaults per profile: segment ms, the power of the factor it is divided by, and the
/// divisors of the segment that give overlap and search.
const SEGMENT_MS: [f64; 4] = [82.0, 82.0, 35.0, 20.0];
const SEGMENT_POW: [f64; 4] = [0.0, 1.0, 0.33, 1.0];
const OVERLAP_DIV: [f64; 4] = [6.833, 7.0, 2.5, 2.0];
const SEARCH_DIV: [f64; 4] = [5.587, 6.0, 2.14, 2.0];

/// Parsed arguments of `tempo` or `pitch`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TempoSpec {
    /// `tempo` or `pitch`.
    name: &'static str,
    /// `-q`: coarse-to-fine search.
    quick: bool,
    profile: Profile,
    /// `tempo`: the factor; `pitch`: the shift in cents.
    value: f64,
    /// Milliseconds; `None` for SoX's default.
    segment: Option<f64>,
    search: Option<f64>,
    overlap: Option<f64>,
}

/// Whether `token` starts like a (negative) number rather than an option letter.
fn numeric_start(token: &str) -> bool {
    let rest = token.strip_prefix('-').unwrap_or(token);
    rest.starts_with(|c: char| c.is_ascii_digit() || c == '.')
}

impl ParseSpec for TempoSpec {
    /// Parses SoX's arguments for `tempo` or `pitch`.
    fn parse(name: &'static str, args: &[&str]) -> Result<Self> {
        let pitch = name == "pitch";
        let name = if pitch { "pitch" } else { "tempo" };
        let synopsis = if pitch {
            PITCH_SYNOPSIS
        } else {
            TEMPO_SYNOPSIS
        };
        let mut spec = TempoSpec {
            name,
            quick: false,
            profile: Profile::Default,
            value: 1.0,
            segment: None,
            search: None,
            overlap: None,
        };
        let mut rest = args;
        // Options come first (SoX's getopt stops at the first non-option). `pitch` takes only
        // `-q`, as one token before the shift.
        while let Some((&token, after)) = rest.split_first() {
            if token == "--" && !pitch {
                rest = after;
                break;
            }
            if !token.starts_with('-') || token.len() < 2 || numeric_start(token) {
                break;
            }
            let allowed = if pitch {
                "-q (before the shift)"
            } else {
                "-q, -m, -s, -l"
            };
            let bad = || Error::invalid_argument(&format!("{name} option"), token, allowed);
            if pitch && (token != "-q" || rest.len() != args.len()) {
                return Err(bad());
            }
            for letter in token.chars().skip(1) {
                match letter {
                    'q' => spec.quick = true,
                    'm' => spec.profile = Profile::Music,
                    's' => spec.profile = Profile::Speech,
                    'l' => {
                        // SoX: -l also zeroes the search (a later -m or -s keeps that).
                        spec.profile = Profile::Linear;
                        spec.search = Some(0.0);
                    }
                    _ => return Err(bad()),
                }
            }
            rest = after;
        }
        if rest.is_empty() || rest.len() > 4 {
            return Err(Error::invalid_argument(
                &format!("{name} number of arguments"),
                rest.len(),
                synopsis,
            ));
        }
        let names = spec.arg_names();
        let allowed = [
            if pitch {
                "a number of cents (-7972 to 3986)"
            } else {
                "a number from 0.1 to 100"
            },
            "a number of ms from 10 to 120",
            "a number of ms from 0 to 30",
            "a number of ms from 0 to 30",
        ];
        for (k, &token) in rest.iter().enumerate() {
            let (arg, allowed) = (names[k], allowed[k]);
            let v = number_in(name, arg, token, allowed)?;
            match k {
                0 => spec.value = v,
                1 => spec.segment = Some(v),
                2 => spec.search = Some(v),
                _ => spec.overlap = Some(v),
            }
        }
        Ok(spec)
    }
}

impl TempoSpec {
    fn arg_names(&self) -> &'static [&'static str; 4] {
        if self.name == "pitch" {
            &["shift", "segment", "search", "overlap"]
        } else {
            &["factor", "segment", "search", "overlap"]
        }
    }

    /// The tempo factor: `tempo`'s factor, or for `pitch` `1 / 2^(shift/1200)` printed with
    /// `%g` (6 significant digits) and read back, as SoX does. Checked: 0.1 to 100.
    fn tempo_factor(&self) -> Result<f64> {
        if self.name == "pitch" {
            let inverse = 1.0 / (self.value / 1200.0).exp2();
            let factor = format!("{inverse:.5e}").parse::<f64>().unwrap_or(f64::NAN);
            if !(0.1..=100.0).contains(&factor) {
                return Err(Error::invalid_argument(
                    "pitch shift",
                    self.value,
                    "-7972 to 3986 cents (SoX's tempo factor 1/2^(shift/1200) must be 0.1 to \
                     100)",
                ));
            }
            Ok(factor)
        } else if (0.1..=100.0).contains(&self.value) {
            Ok(self.value)
        } else {
            Err(Error::invalid_argument(
                "tempo factor",
                self.value,
                "0.1 to 100 (the new tempo / the old)",
            ))
        }
    }

    /// Segment, search and overlap in ms for `factor`, with SoX's defaults.
    fn milliseconds(&self, factor: f64) -> (f64, f64, f64) {
        let p = self.profile as usize;
        let segment = self.segment.unwrap_or_else(|| {
            let divisor = factor.powf(SEGMENT_POW[p]).max(1.0);
            (SEGMENT_MS[p] / divisor).max(10.0)
        });
        let search = self.search.unwrap_or(segment / SEARCH_DIV[p]);
        let overlap = self.overlap.unwrap_or(segment / OVERLAP_DIV[p]);
        (segment, search, overlap.min(segment / 2.0))
    }
}

impl EffectSpec for TempoSpec {
    fn name(&self) -> &'static str {
        self.name
    }

    fn param_names(&self) -> &'static [&'static str] {
        self.arg_names()
    }

    fn set(&mut self, param: &str, value: f64) {
        match param {
            "segment" => self.segment = Some(value),
            "search" => self.search = Some(value),
            "overlap" => self.overlap = Some(value),
            _ => self.value = value,
        }
    }

    fn validate(&self) -> Result<()> {
        self.tempo_factor()?;
        let ranges = [
            ("segment", self.segment, 10.0, 120.0),
            ("search", self.search, 0.0, 30.0),
            ("overlap", self.overlap, 0.0, 30.0),
        ];
        for (arg, value, lo, hi) in ranges {
            if let Some(v) = value {
                // NaN fails both comparisons.
                if !(v >= lo && v <= hi) {
                    return Err(Error::invalid_argument(
                        &format!("{} {arg}", self.name),
                        v,
                        format!("{lo} to {hi} ms"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        let (sample_rate, num_channels, resample) = (cx.sample_rate, cx.channels, cx.resample);
        let factor = self.tempo_factor()?;
        // SoX: factor 1 is a null effect (and pitch's rate change is then 1 too).
        if factor == 1.0 || num_channels == 0 {
            return Ok(None);
        }
        if sample_rate > MAX_RATE {
            return Err(Error::invalid_argument(
                &format!("{} sample_rate", self.name),
                sample_rate,
                format!("at most {MAX_RATE} Hz"),
            ));
        }
        let (segment, search, overlap) = self.milliseconds(factor);
        let rate = f64::from(sample_rate);
        let wsola = Wsola::new(
            rate,
            num_channels,
            self.quick,
            factor,
            [segment, search, overlap],
        )
        .map_err(|needed| {
            Error::invalid_argument(
                &format!("{} segment", self.name),
                segment,
                format!(
                    "at least {needed} ms at {sample_rate} Hz (one sample more than the overlap)"
                ),
            )
        })?;
        if self.name == "tempo" {
            return Ok(Some(Box::new(wsola)));
        }
        // SoX's pitch sets its output rate to R / factor, and `rate` converts that to R.
        let sox_factor = rate / factor / rate;
        Ok(Some(Box::new(Pitch {
            wsola,
            rate: RateChange::new(sox_factor, num_channels, resample)?,
            channels: num_channels,
        })))
    }

    /// SoX's lengths: `tempo` feeds silence until it has `floor(n / factor + 1/2)` frames;
    /// `pitch` then changes the rate back by the same factor (see `speed`).
    fn output_frames(&self, sample_rate: u32, input_frames: u64) -> Option<u64> {
        let factor = self.tempo_factor().ok()?;
        if factor == 1.0 {
            return Some(input_frames);
        }
        let stretched = (input_frames as f64 / factor + 0.5) as u64;
        if self.name == "tempo" {
            return Some(stretched);
        }
        let rate = f64::from(sample_rate);
        Some(RateChange::output_frames(rate / factor / rate, stretched))
    }
}

/// Positions whose least-squares differences are summed side by side (one per SIMD lane):
/// each sum still adds its terms in SoX's order, so the results are SoX's bit for bit.
const LANES: usize = 8;

/// SoX's WSOLA time stretcher on planar `f32` audio.
struct Wsola {
    channels: usize,
    quick: bool,
    factor: f64,
    /// Frames per segment, of search range and of cross-fade.
    segment: usize,
    search: usize,
    overlap: usize,
    /// Input frames needed to write one segment.
    process_size: usize,
    /// Input per channel; frames before `start` are consumed.
    input: Channels,
    start: usize,
    /// Frames in each `input` vector.
    input_len: usize,
    /// The end of the previous segment, to cross-fade from (per channel).
    overlap_buf: Channels,
    /// Cross-fade gains `(out, in)` for each overlap frame, computed as SoX does.
    fades: Vec<(f32, f32)>,
    /// Scratch: the difference at every search position.
    diffs: Vec<f32>,
    segments_total: u64,
    skip_total: u64,
    samples_in: u64,
    samples_out: u64,
}

impl Wsola {
    /// SoX's `tempo_setup`; `ms` is segment, search and overlap in milliseconds. `Err` holds
    /// the smallest workable segment in ms when the rate is too low for this one.
    fn new(
        rate: f64,
        channels: usize,
        quick: bool,
        factor: f64,
        ms: [f64; 3],
    ) -> std::result::Result<Self, f64> {
        let [segment_ms, search_ms, overlap_ms] = ms;
        let segment = (rate * segment_ms / 1000.0 + 0.5) as usize;
        let search = (rate * search_ms / 1000.0 + 0.5) as usize;
        // At least 16 frames, a multiple of 8 (SoX unrolls its loop by 8).
        let mut overlap = ((rate * overlap_ms / 1000.0 + 4.5).max(16.0) as usize) & !7;
        if overlap * 2 > segment {
            overlap -= 8;
        }
        // Below about 1.6 kHz SoX's segment cannot hold two overlaps even then (and its
        // arithmetic wraps around): shrink the overlap further.
        while overlap * 2 > segment && overlap >= 8 {
            overlap -= 8;
        }
        if segment <= overlap {
            return Err((overlap + 1) as f64 * 1000.0 / rate);
        }
        let max_skip = (factor * (segment - overlap) as f64).ceil() as usize;
        let process_size = (max_skip + overlap).max(segment) + search;
        let step = 1.0f32 / overlap as f32;
        let fades = (0..overlap)
            .map(|i| {
                let fade_in = step * i as f32;
                (1.0 - fade_in, fade_in)
            })
            .collect();
        // SoX starts with half a search range of silence, so the first segment (taken from
        // the middle of the range) starts at the first input frame.
        let lead = search / 2;
        Ok(Wsola {
            channels,
            quick,
            factor,
            segment,
            search,
            overlap,
            process_size,
            input: vec![vec![0.0; lead]; channels],
            start: 0,
            input_len: lead,
            overlap_buf: vec![vec![0.0; overlap]; channels],
            fades,
            diffs: vec![0.0; search],
            segments_total: 0,
            skip_total: 0,
            samples_in: 0,
            samples_out: 0,
        })
    }

    fn append_input(&mut self, planar: &Channels, frames: usize) {
        for (buf, ch) in self.input.iter_mut().zip(planar) {
            buf.extend_from_slice(ch);
        }
        self.input_len += frames;
    }

    /// SoX's `tempo_process`: writes every segment the buffered input allows to `out`;
    /// returns the number of frames written.
    fn run(&mut self, out: &mut Channels) -> usize {
        let (segment, overlap) = (self.segment, self.overlap);
        let mut written = 0;
        while self.input_len - self.start >= self.process_size {
            let first = self.segments_total == 0;
            let at = self.start
                + if first {
                    self.search / 2
                } else {
                    self.best_position()
                };
            for ((x, o), ob) in self
                .input
                .iter()
                .zip(out.iter_mut())
                .zip(self.overlap_buf.iter_mut())
            {
                let head = &x[at..at + overlap];
                if first {
                    o.extend_from_slice(head);
                } else {
                    o.extend(head.iter().zip(ob.iter()).zip(&self.fades).map(
                        |((&new, &old), &(fade_out, fade_in))| old * fade_out + new * fade_in,
                    ));
                }
                o.extend_from_slice(&x[at + overlap..at + segment - overlap]);
                ob.copy_from_slice(&x[at + segment - overlap..at + segment]);
            }
            written += segment - overlap;
            // Advance by the factor times the output written so far, rounded (SoX's skip).
            self.segments_total += 1;
            let done = self.segments_total * (segment - overlap) as u64;
            let skip_to = (self.factor * done as f64 + 0.5) as u64;
            let skip = skip_to.saturating_sub(self.skip_total);
            self.skip_total += skip;
            self.start += skip as usize;
        }
        // Drop consumed input now and then (amortized: at most as much as is kept).
        if self.start > 4096 && self.start * 2 > self.input_len {
            for buf in &mut self.input {
                buf.drain(..self.start);
            }
            self.input_len -= self.start;
            self.start = 0;
        }
        written
    }

    /// SoX's `tempo_best_overlap_position`: the offset in `0..search` from `start` where the
    /// next segment's beginning is most like `overlap_buf` (the first of equal ones).
    fn best_position(&mut self) -> usize {
        if self.quick {
            return self.best_position_quick();
        }
        let (search, overlap) = (self.search, self.overlap);
        if search <= 1 {
            return 0;
        }
        let base = self.start;
        self.diffs.resize(search, 0.0);
        let full = search / LANES * LANES;
        let mut i = 0;
        while i < full {
            let sums = lane_differences(&self.input, &self.overlap_buf, base + i, overlap);
            self.diffs[i..i + LANES].copy_from_slice(&sums);
            i += LANES;
        }
        for i in full..search {
            self.diffs[i] = difference(&self.input, &self.overlap_buf, base + i, overlap);
        }
        let mut best = 0;
        let mut least = self.diffs[0];
        for (i, &d) in self.diffs.iter().enumerate().skip(1) {
            if d < least {
                least = d;
                best = i;
            }
        }
        best
    }

    /// SoX's hierarchical search: every 64th position from the middle, then steps of 16, 4
    /// and 1 around the best so far. The positions of one step depend only on the best of the
    /// previous step, so they are summed side by side, then compared in SoX's order.
    fn best_position_quick(&mut self) -> usize {
        let search = self.search as i64;
        let mut prev = (search + 1) >> 1;
        let mut best = prev;
        let mut least = difference(
            &self.input,
            &self.overlap_buf,
            self.start + prev as usize,
            self.overlap,
        );
        let mut positions = Vec::new();
        let mut step = 64i64;
        while step > 0 {
            positions.clear();
            for k in [-1i64, 1] {
                let mut j = 1i64;
                while j < 4 || step == 64 {
                    let i = prev + k * j * step;
                    if i < 0 || i >= search {
                        break;
                    }
                    positions.push(i as usize);
                    j += 1;
                }
            }
            self.diffs.clear();
            for batch in positions.chunks(LANES) {
                let mut at = [self.start; LANES];
                for (a, &p) in at.iter_mut().zip(batch) {
                    *a += p;
                }
                let sums = gathered_differences(&self.input, &self.overlap_buf, &at, self.overlap);
                self.diffs.extend_from_slice(&sums[..batch.len()]);
            }
            for (&i, &d) in positions.iter().zip(&self.diffs) {
                if d < least {
                    least = d;
                    best = i as i64;
                }
            }
            prev = best;
            step >>= 2;
        }
        best as usize
    }

    /// SoX's `tempo_flush`: feeds silence until the output reaches
    /// `floor(samples_in / factor + 1/2)` frames, and appends the rest of it to `planar`.
    fn finish(&mut self, planar: &mut Channels) {
        let target = (self.samples_in as f64 / self.factor + 0.5) as u64;
        let remaining = target.saturating_sub(self.samples_out) as usize;
        if remaining == 0 {
            return;
        }
        let silence = vec![vec![0.0f32; 128]; self.channels];
        let mut tail: Channels = vec![Vec::new(); self.channels];
        let mut produced = 0;
        while produced < remaining {
            self.append_input(&silence, 128);
            produced += self.run(&mut tail);
        }
        for (out, mut t) in planar.iter_mut().zip(tail) {
            t.truncate(remaining);
            out.extend(t.into_iter().map(|x| x.clamp(-1.0, 1.0)));
        }
        self.samples_out += remaining as u64;
        self.samples_in = 0;
    }
}

/// SoX's `difference` at one position: the sum over the overlap of the squared differences,
/// frame by frame, channel by channel, in `f32`.
fn difference(input: &Channels, overlap_buf: &Channels, at: usize, overlap: usize) -> f32 {
    let mut sum = 0.0f32;
    for j in 0..overlap {
        for (x, ob) in input.iter().zip(overlap_buf) {
            let d = x[at + j] - ob[j];
            sum += d * d;
        }
    }
    sum
}

/// [`difference`] at positions `at..at + LANES`, computed side by side.
fn lane_differences(
    input: &Channels,
    overlap_buf: &Channels,
    at: usize,
    overlap: usize,
) -> [f32; LANES] {
    let mut sums = [0.0f32; LANES];
    for j in 0..overlap {
        for (x, ob) in input.iter().zip(overlap_buf) {
            let old = ob[j];
            let window = &x[at + j..at + j + LANES];
            for (s, &new) in sums.iter_mut().zip(window) {
                let d = new - old;
                *s += d * d;
            }
        }
    }
    sums
}

/// [`difference`] at the positions `at` (any), computed side by side.
fn gathered_differences(
    input: &Channels,
    overlap_buf: &Channels,
    at: &[usize; LANES],
    overlap: usize,
) -> [f32; LANES] {
    let mut sums = [0.0f32; LANES];
    for j in 0..overlap {
        for (x, ob) in input.iter().zip(overlap_buf) {
            let old = ob[j];
            for (s, &a) in sums.iter_mut().zip(at) {
                let d = x[a + j] - old;
                *s += d * d;
            }
        }
    }
    sums
}

impl Effect for Wsola {
    fn process(&mut self, planar: &mut Channels) {
        let frames = planar.first().map_or(0, Vec::len);
        self.samples_in += frames as u64;
        self.append_input(planar, frames);
        for ch in planar.iter_mut() {
            ch.clear();
        }
        let written = self.run(planar);
        self.samples_out += written as u64;
        for ch in planar.iter_mut() {
            for x in ch.iter_mut() {
                *x = x.clamp(-1.0, 1.0);
            }
        }
    }

    fn flush(&mut self, planar: &mut Channels) -> Result<()> {
        self.finish(planar);
        Ok(())
    }
}

/// `pitch`: the tempo change, then the rate change back to the original length.
struct Pitch {
    wsola: Wsola,
    rate: RateChange,
    channels: usize,
}

impl Effect for Pitch {
    fn process(&mut self, planar: &mut Channels) {
        self.wsola.process(planar);
        self.rate.process(planar);
    }

    fn flush(&mut self, planar: &mut Channels) -> Result<()> {
        let mut tail: Channels = vec![Vec::new(); self.channels];
        self.wsola.finish(&mut tail);
        self.rate.process(&mut tail);
        self.rate.flush(&mut tail)?;
        for (out, t) in planar.iter_mut().zip(tail) {
            out.extend(t);
        }
        Ok(())
    }
}

const SEGMENT_RANGE: &str = "10 to 120 ms (-m, -s, -l: derived from factor)";
const SEARCH_RANGE: &str = "0 to 30 ms (default segment / 5.587)";
const OVERLAP_RANGE: &str = "0 to 30 ms, at most segment / 2 (default segment / 6.833)";

/// `audiostream effects` entry for `tempo`.
const INFO_TEMPO: EffectInfo = EffectInfo {
    name: "tempo",
    usage: "tempo [-q] [-m|-s|-l] factor [segment(82) [search(14.68) [overlap(12)]]]",
    description: "Change the tempo but not the pitch (WSOLA); the length changes by \
                  1/factor. -q: quicker search; -m/-s/-l: defaults for music, speech, linear.",
    arguments: &[
        ArgInfo {
            name: "factor",
            default: "required",
            range: "0.1 to 100 (new tempo / old tempo)",
        },
        ArgInfo {
            name: "segment",
            default: "82",
            range: SEGMENT_RANGE,
        },
        ArgInfo {
            name: "search",
            default: "14.68",
            range: SEARCH_RANGE,
        },
        ArgInfo {
            name: "overlap",
            default: "12",
            range: OVERLAP_RANGE,
        },
    ],
};

/// `audiostream effects` entry for `pitch`.
const INFO_PITCH: EffectInfo = EffectInfo {
    name: "pitch",
    usage: "pitch [-q] shift [segment(82) [search(14.68) [overlap(12)]]]",
    description: "Change the pitch by shift cents but not the tempo or length (tempo, then \
                  resample).",
    arguments: &[
        ArgInfo {
            name: "shift",
            default: "required",
            range: "cents, -7972 to 3986 (100 = one semitone up)",
        },
        ArgInfo {
            name: "segment",
            default: "82",
            range: "10 to 120 ms",
        },
        ArgInfo {
            name: "search",
            default: "14.68",
            range: SEARCH_RANGE,
        },
        ArgInfo {
            name: "overlap",
            default: "12",
            range: OVERLAP_RANGE,
        },
    ],
};

// The tests build the effect with the pipeline's resampler (rubato: feature `decode`).
#[cfg(all(test, feature = "decode"))]
mod tests {
    use super::*;

    fn run(spec: &TempoSpec, rate: u32, frames: usize) -> Result<usize> {
        let mut planar: Channels = vec![(0..frames).map(|i| (i as f32 * 0.37).sin()).collect()];
        let mut cx = BuildContext {
            sample_rate: rate,
            channels: 1,
            resample: &crate::pipeline::resampler_factory,
            headroom: None,
        };
        let Some(mut fx) = spec.build(&mut cx)? else {
            return Ok(frames);
        };
        fx.process(&mut planar);
        fx.flush(&mut planar)?;
        Ok(planar[0].len())
    }

    /// Low rates, where SoX's segment cannot hold two overlaps (SoX itself would fail),
    /// still give `round(n / factor)` frames; a rate too low for one segment is an error.
    #[test]
    fn low_rates() {
        for (rate, frames) in [(10, 37), (100, 999), (1000, 5000), (1600, 3001)] {
            for factor in [0.5, 1.3, 4.0] {
                let spec = TempoSpec::parse("tempo", &[&factor.to_string()]).unwrap();
                let expected = (frames as f64 / factor + 0.5) as usize;
                assert_eq!(run(&spec, rate, frames).unwrap(), expected, "{rate} Hz");
            }
        }
        let spec = TempoSpec::parse("tempo", &["1.3"]).unwrap();
        assert!(matches!(run(&spec, 1, 10), Err(Error::InvalidArgument(_))));
        assert!(matches!(
            run(&spec, MAX_RATE + 1, 10),
            Err(Error::InvalidArgument(_))
        ));
    }

    /// SoX's derived defaults (as `sox -V4 ... tempo` reports them) and pitch's 6-digit factor.
    #[test]
    fn defaults() {
        let ms = |args: &[&str]| {
            let spec = TempoSpec::parse("tempo", args).unwrap();
            let (seg, search, overlap) = spec.milliseconds(spec.tempo_factor().unwrap());
            (
                (seg * 1000.0).round() / 1000.0,
                (search * 1000.0).round() / 1000.0,
                (overlap * 1000.0).round() / 1000.0,
            )
        };
        assert_eq!(ms(&["1.1"]), (82.0, 14.677, 12.001));
        assert_eq!(ms(&["-m", "2"]), (41.0, 6.833, 5.857));
        assert_eq!(ms(&["-s", "1.25"]), (32.515, 15.194, 13.006));
        assert_eq!(ms(&["-l", "1.5"]), (13.333, 0.0, 6.667));
        assert_eq!(ms(&["1.1", "40"]), (40.0, 7.159, 5.854));
        assert_eq!(ms(&["1.1", "20", "5", "15"]), (20.0, 5.0, 10.0));
        let pitch = TempoSpec::parse("pitch", &["-300"]).unwrap();
        assert_eq!(pitch.tempo_factor().unwrap(), 1.18921);
    }
}
