//! MPEG audio compliance bitstreams (`mpeg/vectors`: ISO/IEC 11172-4 and MPEG-2 layer III
//! vectors with reference decodes, deliberately illegal `ILL*` streams, non-standard files).

use crate::decode::{decode_to, Decoded, Outcome};
use crate::report::Report;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// ISO/IEC 11172-4 full accuracy, in 16-bit steps: RMS of the difference below 2^-15/sqrt(12)
/// of full scale, no sample more than 2^-14 away.
const MAX_RMS_LSB: f64 = 0.288_675_134_594_812_9;
const MAX_ABS_LSB: i32 = 2;

/// Free-format bit rate: a stretch goal (FFmpeg 5.1 cannot open it either); reported, not
/// required.
const STRETCH: &[&str] = &["l3-he_free"];

pub fn run(dir: &Path, report: &mut Report) {
    if !dir.is_dir() {
        return;
    }
    for path in files(dir) {
        let stem = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let file = path
            .strip_prefix(dir)
            .map_or_else(|_| stem.clone(), |p| p.to_string_lossy().into_owned());
        let reference = path.with_extension("pcm");
        let legal = !stem.starts_with("ILL")
            && !stem.contains("nonstandard")
            && path.parent() == Some(dir)
            && reference.is_file();
        // The frames the stream holds, and their channel counts, from its frame headers. A
        // stream whose channel mode changes (l3-he_mode) is decoded into stereo, which keeps
        // every part as it is (mono parts in both channels), and compared frame by frame.
        let frames = frame_headers(&path);
        let held: usize = frames.iter().map(|f| f.0).sum();
        let max_channels = frames.iter().map(|f| f.1).max().unwrap_or(1);
        let changes = frames.iter().any(|f| f.1 != max_channels);
        let outcome = decode_to(&path, Some("mp3"), changes.then_some(max_channels));
        if !legal || STRETCH.contains(&stem.as_str()) {
            let contained = !matches!(outcome, Outcome::Panicked | Outcome::Hung);
            let figure = match (&outcome, reference.is_file()) {
                (Outcome::Decoded(d), true) => {
                    accuracy(d, &reference, &frames).map_or_else(|e| e, |a| a.describe())
                }
                _ => String::new(),
            };
            report.add(
                "mpeg",
                &file,
                "ends cleanly",
                outcome.describe(),
                contained,
                figure,
            );
            continue;
        }
        let Outcome::Decoded(d) = &outcome else {
            report.add(
                "mpeg",
                &file,
                "ISO full accuracy",
                outcome.describe(),
                false,
                "",
            );
            continue;
        };
        match accuracy(d, &reference, &frames) {
            Ok(a) => {
                let expected_lag = if a.lag == 0 || changes {
                    0
                } else {
                    ffmpeg_lag(&path, &reference, d.channels.len()).unwrap_or(0)
                };
                let pass = a.rms <= MAX_RMS_LSB
                    && a.max <= MAX_ABS_LSB
                    && a.lag == expected_lag
                    && a.ours == held
                    && d.error.is_none();
                report.add(
                    "mpeg",
                    &file,
                    format!("{held} frames, lag {expected_lag}, ISO full"),
                    outcome.describe(),
                    pass,
                    a.describe(),
                );
            }
            Err(e) => report.add(
                "mpeg",
                &file,
                "ISO full accuracy",
                outcome.describe(),
                false,
                e,
            ),
        }
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if matches!(p.extension().and_then(OsStr::to_str), Some("bit" | "mp3")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

struct Accuracy {
    ours: usize,
    theirs: usize,
    lag: i64,
    rms: f64,
    max: i32,
}

impl Accuracy {
    fn describe(&self) -> String {
        format!(
            "{} vs {} frames, lag {}, rms {:.3} LSB, max {} LSB",
            self.ours, self.theirs, self.lag, self.rms, self.max
        )
    }
}

/// Our samples rounded to 16 bits (as a 16-bit decoder outputs them) against the reference.
/// Where the stream's channel count changes, the reference holds each frame in its own count;
/// its mono frames are compared with both of our channels.
fn accuracy(d: &Decoded, reference: &Path, frames: &[(usize, usize)]) -> Result<Accuracy, String> {
    let bytes = std::fs::read(reference).map_err(|e| e.to_string())?;
    let channels = d.channels.len().max(1);
    let mut theirs: Vec<i32> = bytes
        .chunks_exact(2)
        .map(|b| i32::from(i16::from_le_bytes([b[0], b[1]])))
        .collect();
    if frames.iter().any(|f| f.1 != channels) {
        let mut expanded = Vec::with_capacity(theirs.len() * 2);
        let mut pos = 0;
        for &(spf, ch) in frames {
            for _ in 0..spf {
                let Some(frame) = theirs.get(pos..pos + ch) else {
                    break;
                };
                for c in 0..channels {
                    expanded.push(frame[c.min(ch - 1)]);
                }
                pos += ch;
            }
        }
        theirs = expanded;
    }
    let ours: Vec<i32> = d
        .to_ints(16)
        .into_iter()
        .map(|s| s.clamp(-32768, 32767) as i32)
        .collect();
    let lag = best_lag(&ours, &theirs, channels);
    // Where the decoders disagree on the first frames (lag not 0: frames without their bit
    // reservoir, decoded by one and dropped by the other), compare from the second frame of
    // the reference on.
    let settle = if lag == 0 { 0 } else { 1152 * channels };
    let shift = lag.unsigned_abs() as usize * channels;
    let (o, t) = if lag >= 0 {
        (ours.get(shift + settle..), theirs.get(settle..))
    } else {
        (ours.get(settle..), theirs.get(shift + settle..))
    };
    let (o, t) = (o.unwrap_or(&[]), t.unwrap_or(&[]));
    let n = o.len().min(t.len());
    if n == 0 {
        return Err(format!(
            "nothing to compare ({} vs {} samples)",
            ours.len(),
            theirs.len()
        ));
    }
    let mut sum = 0f64;
    let mut max = 0;
    for (a, b) in o[..n].iter().zip(&t[..n]) {
        let diff = a - b;
        sum += f64::from(diff) * f64::from(diff);
        max = max.max(diff.abs());
    }
    Ok(Accuracy {
        ours: ours.len() / channels,
        theirs: theirs.len() / channels,
        lag,
        rms: (sum / n as f64).sqrt(),
        max,
    })
}

/// The shift (in frames, ours relative to theirs) that best lines the signals up, searched
/// within three MPEG frames, over a window past the first frames (where decoders differ in
/// what they make of frames whose bit reservoir is missing); 0 when it makes no difference.
fn best_lag(ours: &[i32], theirs: &[i32], channels: usize) -> i64 {
    const MAX_LAG: i64 = 3456;
    let start = 4608 * channels;
    let window = 16384 * channels;
    let cost = |lag: i64| -> u64 {
        let shift = (lag.unsigned_abs() as usize) * channels;
        let (o, t) = if lag >= 0 {
            (ours.get(start + shift..), theirs.get(start..))
        } else {
            (ours.get(start..), theirs.get(start + shift..))
        };
        let (Some(o), Some(t)) = (o, t) else {
            return u64::MAX;
        };
        let n = o.len().min(t.len()).min(window);
        if n < window.min(
            ours.len()
                .min(theirs.len())
                .saturating_sub(start + MAX_LAG as usize * channels),
        ) {
            return u64::MAX;
        }
        o[..n]
            .iter()
            .zip(&t[..n])
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum()
    };
    let at_zero = cost(0);
    // Lined up already: at most one step of difference per sample on average.
    if at_zero <= window as u64 {
        return 0;
    }
    let mut best = (at_zero, 0i64);
    for lag in (-MAX_LAG..=MAX_LAG).filter(|&l| l != 0) {
        let c = cost(lag);
        if c < best.0 {
            best = (c, lag);
        }
    }
    best.1
}

/// FFmpeg's decode of `path` (16-bit), lined up with the reference as ours is: where the
/// reference decoder dropped frames at the start that FFmpeg and we decode (l3-sin1k0db starts
/// with junk and frames whose bit reservoir is missing), the lag to expect is FFmpeg's.
fn ffmpeg_lag(path: &Path, reference: &Path, channels: usize) -> Option<i64> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "quiet", "-f", "mp3", "-i"])
        .arg(path)
        .args(["-ac", &channels.to_string(), "-f", "s16le", "-"])
        .output()
        .ok()?;
    let ffmpeg: Vec<i32> = out
        .stdout
        .chunks_exact(2)
        .map(|b| i32::from(i16::from_le_bytes([b[0], b[1]])))
        .collect();
    let bytes = std::fs::read(reference).ok()?;
    let theirs: Vec<i32> = bytes
        .chunks_exact(2)
        .map(|b| i32::from(i16::from_le_bytes([b[0], b[1]])))
        .collect();
    (!ffmpeg.is_empty()).then(|| best_lag(&ffmpeg, &theirs, channels))
}

/// The frames of an MPEG audio stream, by walking its frame headers: for each, the samples
/// per channel it holds (384 for layer I, 1152 for layer II and MPEG-1 layer III, 576 for
/// MPEG-2/2.5 layer III) and its channel count. Free-format frames (bit-rate index 0) end the
/// walk.
fn frame_headers(path: &Path) -> Vec<(usize, usize)> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    const BITRATES: [[[u32; 15]; 3]; 2] = [
        // MPEG-1: layer I, II, III.
        [
            [
                0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
            ],
            [
                0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
            ],
            [
                0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
            ],
        ],
        // MPEG-2 and 2.5: layer I, II and III.
        [
            [
                0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
            ],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        ],
    ];
    let mut pos = 0;
    let mut frames = Vec::new();
    while pos + 4 <= bytes.len() {
        let h = u32::from_be_bytes([bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]]);
        let version = (h >> 19) & 3; // 0: 2.5, 2: 2, 3: 1
        let layer = (h >> 17) & 3; // 3: I, 2: II, 1: III
        let bitrate = ((h >> 12) & 15) as usize;
        let rate_index = ((h >> 10) & 3) as usize;
        if h >> 21 != 0x7ff || version == 1 || layer == 0 || bitrate == 15 || rate_index == 3 {
            pos += 1;
            continue;
        }
        if bitrate == 0 {
            break;
        }
        let mpeg1 = version == 3;
        let rate = [44100, 48000, 32000][rate_index] >> [2, 0, 1, 0][version as usize];
        let kbps = BITRATES[usize::from(!mpeg1)][(3 - layer) as usize][bitrate];
        let padding = (h >> 9) & 1;
        let (size, spf) = match layer {
            3 => ((12 * kbps * 1000 / rate + padding) * 4, 384),
            2 => (144 * kbps * 1000 / rate + padding, 1152),
            _ if mpeg1 => (144 * kbps * 1000 / rate + padding, 1152),
            _ => (72 * kbps * 1000 / rate + padding, 576),
        };
        if pos + size as usize > bytes.len() {
            break;
        }
        let channels = if (h >> 6) & 3 == 3 { 1 } else { 2 };
        frames.push((spf, channels));
        pos += size as usize;
    }
    frames
}
