//! The FLAC decoder testbench (`flac/subset`, `flac/uncommon`, `flac/faulty`).

use crate::decode::{decode, tool_output, Decoded, Outcome};
use crate::libflac;
use crate::report::Report;
use md5::{Digest, Md5};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

pub fn run(dir: &Path, report: &mut Report) {
    if !dir.is_dir() {
        return;
    }
    for file in flac_files(&dir.join("subset")) {
        subset(&file, report);
    }
    for file in flac_files(&dir.join("uncommon")) {
        uncommon(&file, report);
    }
    for file in flac_files(&dir.join("faulty")) {
        faulty(&file, report);
    }
}

fn flac_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension() == Some(OsStr::new("flac")));
    files.sort();
    files
}

fn name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// The file's number: "05 - 32bps audio.flac" is 5.
fn number(path: &Path) -> u32 {
    name(path)
        .get(..2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// STREAMINFO's bits per sample and MD5, when the file starts with `fLaC` + STREAMINFO.
fn streaminfo(path: &Path) -> Option<(u32, [u8; 16])> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.get(..4)? != b"fLaC" || bytes.get(4)? & 0x7f != 0 {
        return None;
    }
    let si = bytes.get(8..8 + 34)?;
    // bits 108..113 of STREAMINFO: (bits per sample - 1), 5 bits across bytes 12 and 13.
    let bits = (((u32::from(si[12]) & 1) << 4) | (u32::from(si[13]) >> 4)) + 1;
    let mut md5 = [0u8; 16];
    md5.copy_from_slice(&si[18..34]);
    Some((bits, md5))
}

/// Little-endian signed samples in `ceil(bits / 8)` bytes, as STREAMINFO's MD5 is computed.
fn pcm_bytes(samples: &[i64], bits: u32) -> Vec<u8> {
    let width = bits.div_ceil(8) as usize;
    let mut out = Vec::with_capacity(samples.len() * width);
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes()[..width]);
    }
    out
}

fn hex(md5: &[u8]) -> String {
    md5.iter().map(|b| format!("{b:02x}")).collect()
}

/// `flac -t`, the second opinion on a subset file.
fn flac_t(path: &Path) -> &'static str {
    match tool_output(
        "flac",
        &[OsStr::new("-t"), OsStr::new("-s"), path.as_os_str()],
    ) {
        Ok(_) => "flac -t ok",
        Err(_) => "flac -t fails",
    }
}

fn subset(path: &Path, report: &mut Report) {
    let file = name(path);
    let Some((bits, md5)) = streaminfo(path) else {
        report.add(
            "flac/subset",
            &file,
            "MD5 = STREAMINFO",
            "no STREAMINFO",
            false,
            "",
        );
        return;
    };
    let outcome = decode(path, None);
    let Outcome::Decoded(d) = &outcome else {
        report.add(
            "flac/subset",
            &file,
            "MD5 = STREAMINFO",
            outcome.describe(),
            false,
            flac_t(path),
        );
        return;
    };
    let ours: [u8; 16] = Md5::digest(pcm_bytes(&d.to_ints(bits), bits)).into();
    let pass = ours == md5 && d.error.is_none() && d.bits_per_sample == Some(bits);
    report.add(
        "flac/subset",
        &file,
        format!("MD5 {}", &hex(&md5)[..8]),
        format!(
            "MD5 {} {}b {}",
            &hex(&ours)[..8],
            d.bits_per_sample.unwrap_or(0),
            outcome.describe()
        ),
        pass,
        flac_t(path),
    );
}

/// How our decode compares with libFLAC's frame by frame: frames ours and theirs (theirs
/// converted to the first frame's rate, as ours are), and whether every sample of the frames
/// in the first frame's rate and channel count equals libFLAC's at that frame's bit depth.
/// Frames after a change of rate or channel count are converted by us, so only their count is
/// compared.
struct Comparison {
    ours: usize,
    theirs: usize,
    segments: usize,
    exact: bool,
}

fn compare_with_libflac(d: &Decoded, reference: &[libflac::Frame]) -> Comparison {
    let Some(first) = reference.first() else {
        return Comparison {
            ours: d.frames(),
            theirs: 0,
            segments: 0,
            exact: true,
        };
    };
    let shape = (first.sample_rate, first.planes.len());
    let mut theirs = 0f64;
    let mut segments = 0;
    let mut last = (0, 0);
    let mut pos = 0;
    let mut comparable = d.channels.len() == shape.1;
    let mut exact = true;
    for frame in reference {
        let this = (frame.sample_rate, frame.planes.len());
        if this != last {
            segments += 1;
            last = this;
        }
        theirs += frame.frames() as f64 * f64::from(shape.0) / f64::from(frame.sample_rate.max(1));
        comparable &= this == shape;
        if comparable {
            let scale = (1i64 << (frame.bits.max(1) - 1)) as f64;
            for (ours, plane) in d.channels.iter().zip(&frame.planes) {
                let Some(ours) = ours.get(pos..pos + plane.len()) else {
                    exact = false;
                    break;
                };
                exact &= ours
                    .iter()
                    .zip(plane)
                    .all(|(a, b)| (*a * scale).round() as i64 == i64::from(*b));
            }
            pos += frame.frames();
        }
    }
    Comparison {
        ours: d.frames(),
        theirs: theirs.round() as usize,
        segments,
        exact,
    }
}

fn uncommon(path: &Path, report: &mut Report) {
    let outcome = decode(path, None);
    // 15 bits: STREAMINFO's MD5 is a second reference.
    if number(path) == 7 {
        subset_like(path, &outcome, report);
    }
    // A stream that changes rate is converted segment by segment: each may round by a frame.
    libflac_row("flac/uncommon", path, &outcome, report, |c| {
        c.ours.abs_diff(c.theirs) <= c.segments.saturating_sub(1)
    });
}

/// One row comparing our decode with libFLAC's; `length_ok` judges the frame counts.
fn libflac_row(
    suite: &str,
    path: &Path,
    outcome: &Outcome,
    report: &mut Report,
    length_ok: impl Fn(&Comparison) -> bool,
) {
    let file = name(path);
    let reference = match libflac::decode(path) {
        Ok(r) => r,
        Err(e) => {
            report.add(
                suite,
                &file,
                "libFLAC's samples",
                outcome.describe(),
                false,
                e,
            );
            return;
        }
    };
    let Outcome::Decoded(d) = outcome else {
        report.add(
            suite,
            &file,
            "libFLAC's samples",
            outcome.describe(),
            false,
            "",
        );
        return;
    };
    let c = compare_with_libflac(d, &reference);
    let converted = if c.segments > 1 {
        format!(", {} segments converted", c.segments)
    } else {
        String::new()
    };
    report.add(
        suite,
        &file,
        format!("{} frames = libFLAC", c.theirs),
        outcome.describe(),
        c.exact && length_ok(&c) && d.error.is_none(),
        format!(
            "{}{converted}",
            if c.exact {
                "bit-exact"
            } else {
                "samples differ"
            }
        ),
    );
}

fn subset_like(path: &Path, outcome: &Outcome, report: &mut Report) {
    let file = name(path);
    match (outcome, streaminfo(path)) {
        (Outcome::Decoded(d), Some((bits, md5))) => {
            let ours: [u8; 16] = Md5::digest(pcm_bytes(&d.to_ints(bits), bits)).into();
            report.add(
                "flac/uncommon",
                &file,
                format!("MD5 {}", &hex(&md5)[..8]),
                format!("MD5 {} {}", &hex(&ours)[..8], outcome.describe()),
                ours == md5 && d.error.is_none(),
                flac_t(path),
            );
        }
        _ => report.add(
            "flac/uncommon",
            &file,
            "MD5 = STREAMINFO",
            outcome.describe(),
            false,
            "",
        ),
    }
}

/// The files libFLAC decodes completely (shared/conformance/README.md).
const LIBFLAC_DECODES: &[u32] = &[1, 2, 5, 6, 7, 8, 9, 10];

fn faulty(path: &Path, report: &mut Report) {
    let file = name(path);
    let outcome = decode(path, None);
    let contained = !matches!(outcome, Outcome::Panicked | Outcome::Hung);
    if !LIBFLAC_DECODES.contains(&number(path)) {
        report.add(
            "flac/faulty",
            &file,
            "no panic, no hang",
            outcome.describe(),
            contained,
            "",
        );
        return;
    }
    // The criterion is `flac -d -F` (decode through errors), which gets further than the
    // library's default on some of these (08); its raw output is in the first frame's format.
    let (Outcome::Decoded(d), Ok(frames), Ok(raw)) =
        (&outcome, libflac::decode(path), flac_d_f(path))
    else {
        report.add(
            "flac/faulty",
            &file,
            "flac -d -F's samples",
            outcome.describe(),
            false,
            "",
        );
        return;
    };
    let Some(first) = frames.first() else {
        report.add(
            "flac/faulty",
            &file,
            "flac -d -F's samples",
            outcome.describe(),
            false,
            "libFLAC decodes nothing",
        );
        return;
    };
    let (bits, channels) = (first.bits, first.planes.len());
    let width = bits.div_ceil(8) as usize;
    let theirs = raw.len() / (width * channels.max(1));
    let ours = pcm_bytes(&d.to_ints(bits), bits);
    let common = ours.len().min(raw.len());
    let equal = d.channels.len() == channels && ours[..common] == raw[..common];
    report.add(
        "flac/faulty",
        &file,
        format!(">= {theirs} frames = flac -d -F"),
        outcome.describe(),
        equal && d.frames() >= theirs,
        if equal {
            "bit-exact over flac's frames"
        } else {
            "samples differ"
        },
    );
}

/// `flac -d -F` (decode through errors), raw little-endian signed.
fn flac_d_f(path: &Path) -> Result<Vec<u8>, String> {
    tool_output(
        "flac",
        &[
            OsStr::new("-d"),
            OsStr::new("-F"),
            OsStr::new("-c"),
            OsStr::new("-s"),
            OsStr::new("--force-raw-format"),
            OsStr::new("--endian=little"),
            OsStr::new("--sign=signed"),
            path.as_os_str(),
        ],
    )
}
