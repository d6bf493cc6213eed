//! MPEG audio compliance bitstreams (`mpeg/vectors`: ISO/IEC 11172-4 and MPEG-2 layer III
//! vectors with reference decodes, deliberately illegal `ILL*` streams, non-standard files).

use crate::decode::{decode, Decoded, Outcome};
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
        let outcome = decode(&path, Some("mp3"));
        if !legal || STRETCH.contains(&stem.as_str()) {
            let contained = !matches!(outcome, Outcome::Panicked | Outcome::Hung);
            let figure = match (&outcome, reference.is_file()) {
                (Outcome::Decoded(d), true) => {
                    accuracy(d, &reference).map_or_else(|e| e, |a| a.describe())
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
        // The frames the stream holds, counted from its frame headers.
        let held = frames_held(&path);
        match accuracy(d, &reference) {
            Ok(a) => {
                let pass = a.rms <= MAX_RMS_LSB
                    && a.max <= MAX_ABS_LSB
                    && a.lag == 0
                    && a.ours == held
                    && d.error.is_none();
                report.add(
                    "mpeg",
                    &file,
                    format!("{held} frames, ISO full"),
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
fn accuracy(d: &Decoded, reference: &Path) -> Result<Accuracy, String> {
    let bytes = std::fs::read(reference).map_err(|e| e.to_string())?;
    let channels = d.channels.len().max(1);
    let theirs: Vec<i32> = bytes
        .chunks_exact(2)
        .map(|b| i32::from(i16::from_le_bytes([b[0], b[1]])))
        .collect();
    let ours: Vec<i32> = d
        .to_ints(16)
        .into_iter()
        .map(|s| s.clamp(-32768, 32767) as i32)
        .collect();
    let lag = best_lag(&ours, &theirs, channels);
    let (o, t) = if lag >= 0 {
        (
            &ours[(lag as usize * channels).min(ours.len())..],
            &theirs[..],
        )
    } else {
        (
            &ours[..],
            &theirs[((-lag) as usize * channels).min(theirs.len())..],
        )
    };
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
/// within two MPEG frames; 0 when it makes no difference.
fn best_lag(ours: &[i32], theirs: &[i32], channels: usize) -> i64 {
    let window = 16384 * channels;
    let cost = |lag: i64| -> u64 {
        let (o, t) = if lag >= 0 {
            (ours.get(lag as usize * channels..).unwrap_or(&[]), theirs)
        } else {
            (
                ours,
                theirs.get((-lag) as usize * channels..).unwrap_or(&[]),
            )
        };
        let n = o.len().min(t.len()).min(window);
        if n < window.min(ours.len().min(theirs.len())) / 2 {
            return u64::MAX;
        }
        o[..n]
            .iter()
            .zip(&t[..n])
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum()
    };
    let zero = cost(0);
    let mut best = (zero, 0i64);
    for lag in (-2304i64..=2304).filter(|&l| l != 0) {
        let c = cost(lag);
        if c < best.0 {
            best = (c, lag);
        }
    }
    best.1
}

/// Frames (samples per channel) in an MPEG audio stream, by walking its frame headers: each
/// frame holds 384 (layer I), 1152 (layer II, MPEG-1 layer III) or 576 (MPEG-2/2.5 layer III)
/// frames. Free-format frames (bit-rate index 0) end the walk.
fn frames_held(path: &Path) -> usize {
    let Ok(bytes) = std::fs::read(path) else {
        return 0;
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
    let mut frames = 0;
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
        frames += spf;
        pos += size as usize;
    }
    frames
}
