//! The FLAC decoder testbench (`flac/subset`, `flac/uncommon`, `flac/faulty`).

use crate::decode::{decode, tool_output, Decoded, Outcome};
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

/// libFLAC's decode (`flac -d -F`), raw little-endian signed.
fn libflac(path: &Path) -> Result<Vec<u8>, String> {
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

/// Frames where `ours` equals libFLAC's raw output (at `bits`), and libFLAC's frame count.
fn compare_with_libflac(d: &Decoded, reference: &[u8], bits: u32) -> (usize, usize, bool) {
    let width = bits.div_ceil(8) as usize;
    let channels = d.channels.len().max(1);
    let ref_frames = reference.len() / (width * channels);
    let ours = pcm_bytes(&d.to_ints(bits), bits);
    let common = ours.len().min(reference.len());
    let equal = ours[..common] == reference[..common];
    (d.frames(), ref_frames, equal && d.frames() >= ref_frames)
}

fn uncommon(path: &Path, report: &mut Report) {
    let file = name(path);
    let n = number(path);
    let outcome = decode(path, None);
    match n {
        // The format changes mid-stream: every segment, in the first segment's shape.
        1..=4 => {
            let expected = ffmpeg_frames(path);
            let pass = matches!(&outcome, Outcome::Decoded(d) if d.error.is_none()
                && expected.is_some_and(|e| d.frames().abs_diff(e) <= e / 1000 + 64));
            report.add(
                "flac/uncommon",
                &file,
                format!(
                    "{} frames (FFmpeg)",
                    expected.map_or("?".into(), |e| e.to_string())
                ),
                outcome.describe(),
                pass,
                "every segment, converted",
            );
        }
        // 15 bits: libFLAC cannot write raw 15-bit samples; STREAMINFO's MD5 is the reference.
        7 => subset_like(path, &outcome, report),
        _ => {
            let Outcome::Decoded(d) = &outcome else {
                report.add(
                    "flac/uncommon",
                    &file,
                    "bit-exact vs flac -d",
                    outcome.describe(),
                    false,
                    "",
                );
                return;
            };
            let bits = d.bits_per_sample.unwrap_or(16);
            match libflac(path) {
                Ok(reference) => {
                    let (ours, theirs, equal) = compare_with_libflac(d, &reference, bits);
                    report.add(
                        "flac/uncommon",
                        &file,
                        format!("{theirs} frames = flac -d"),
                        outcome.describe(),
                        equal && ours == theirs && d.error.is_none(),
                        if equal { "bit-exact" } else { "samples differ" },
                    );
                }
                Err(e) => report.add(
                    "flac/uncommon",
                    &file,
                    "bit-exact vs flac -d",
                    outcome.describe(),
                    false,
                    e,
                ),
            }
        }
    }
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

/// Frames FFmpeg decodes (it converts later segments to the first one's format).
fn ffmpeg_frames(path: &Path) -> Option<usize> {
    let probe = tool_output(
        "ffprobe",
        &[
            OsStr::new("-v"),
            OsStr::new("error"),
            OsStr::new("-show_entries"),
            OsStr::new("stream=channels"),
            OsStr::new("-of"),
            OsStr::new("csv=p=0"),
            path.as_os_str(),
        ],
    )
    .ok()?;
    let channels: usize = String::from_utf8_lossy(&probe).trim().parse().ok()?;
    let bytes = tool_output(
        "ffmpeg",
        &[
            OsStr::new("-v"),
            OsStr::new("quiet"),
            OsStr::new("-i"),
            path.as_os_str(),
            OsStr::new("-f"),
            OsStr::new("f32le"),
            OsStr::new("-"),
        ],
    )
    .ok()?;
    Some(bytes.len() / (4 * channels.max(1)))
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
    let (Outcome::Decoded(d), Ok(reference)) = (&outcome, libflac(path)) else {
        report.add(
            "flac/faulty",
            &file,
            "libFLAC's samples",
            outcome.describe(),
            false,
            "",
        );
        return;
    };
    let bits = d.bits_per_sample.unwrap_or(16);
    let (ours, theirs, equal) = compare_with_libflac(d, &reference, bits);
    report.add(
        "flac/faulty",
        &file,
        format!(">= {theirs} frames = flac -d -F"),
        outcome.describe(),
        equal && ours >= theirs,
        if equal {
            "equal over libFLAC's frames"
        } else {
            "samples differ"
        },
    );
}
