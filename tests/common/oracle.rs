//! Reference ("oracle") decoding for integration tests: the real FFmpeg CLI.
//!
//! FFmpeg is an independent decoder, so comparing our output against it checks
//! sample values, lengths (encoder delay / padding trimming) and channel order.
//! std only: no external crates. The binaries are `ffmpeg` / `ffprobe` from
//! `PATH`, or the paths in the `FFMPEG` / `FFPROBE` environment variables.
//!
//! Length facts for the committed fixtures (FFmpeg 5.1, see fixtures/README.md):
//! * MP3 (LAME, with Xing/LAME tag): FFmpeg trims encoder delay and padding, so
//!   the decoded length equals the source wav's (88200 frames for the 2 s files).
//! * AAC in M4A: FFmpeg drops the 1024 priming samples (edit list), but does NOT
//!   trim the end: 89088 frames decoded for an 88200-frame source.

#![allow(dead_code)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Planar f32 audio decoded by FFmpeg.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub sample_rate: u32,
    /// One `Vec` per channel, all the same length.
    pub channels: Vec<Vec<f32>>,
}

impl Decoded {
    /// Frames (samples per channel).
    pub fn num_frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    pub fn num_channels(&self) -> usize {
        self.channels.len()
    }

    /// Interleaved copy (frame-major: L0 R0 L1 R1 ...).
    pub fn interleaved(&self) -> Vec<f32> {
        let n = self.num_frames();
        let mut out = Vec::with_capacity(n * self.num_channels());
        for i in 0..n {
            for ch in &self.channels {
                out.push(ch[i]);
            }
        }
        out
    }
}

fn tool(env_var: &str, default: &str) -> OsString {
    std::env::var_os(env_var).unwrap_or_else(|| OsString::from(default))
}

/// Run a tool, returning stdout; panics (with stderr) if it can't start or fails.
fn run(program: OsString, args: &[OsString], what: &str) -> Vec<u8> {
    let shown = format!(
        "{} {}",
        program.to_string_lossy(),
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let output = match Command::new(&program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!(
            "oracle: could not run `{}` ({what}): {e}. FFmpeg is the reference decoder for these \
             tests: install it (Debian/Ubuntu: `apt-get install ffmpeg`) or set FFMPEG/FFPROBE \
             to the binaries.",
            program.to_string_lossy()
        ),
    };
    if !output.status.success() {
        panic!(
            "oracle: {what} failed ({}).\ncommand: {shown}\nstderr:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output.stdout
}

fn os_args(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// Sample rate and channel count of audio stream `audio_index`, from ffprobe.
fn probe(path: &Path, audio_index: usize, input_args: &[&str]) -> (u32, usize) {
    let mut args = os_args(&["-v", "error"]);
    args.extend(os_args(input_args));
    args.extend(os_args(&[
        "-select_streams",
        &format!("a:{audio_index}"),
        "-show_entries",
        "stream=sample_rate,channels",
        "-of",
        "default=noprint_wrappers=1",
    ]));
    args.push(path.as_os_str().to_owned());
    let out = run(tool("FFPROBE", "ffprobe"), &args, "ffprobe");
    let text = String::from_utf8_lossy(&out);
    let mut rate = None;
    let mut channels = None;
    for line in text.lines() {
        if let Some(v) = line.trim().strip_prefix("sample_rate=") {
            rate = rate.or(v.parse::<u32>().ok());
        } else if let Some(v) = line.trim().strip_prefix("channels=") {
            channels = channels.or(v.parse::<usize>().ok());
        }
    }
    match (rate, channels) {
        (Some(r), Some(c)) if r > 0 && c > 0 => (r, c),
        _ => panic!(
            "oracle: ffprobe found no audio stream a:{audio_index} (with a sample rate and channel \
             count) in {}.\nffprobe output:\n{text}",
            path.display()
        ),
    }
}

/// Decode audio stream `audio_index` (0 = first audio stream, i.e. ffmpeg's `-map 0:a:N`) of
/// `path` with ffmpeg to f32 (`-f f32le -acodec pcm_f32le`), keeping native rate and channels;
/// rate/channels from ffprobe. `input_args` are placed before `-i` (e.g. for raw PCM:
/// `["-f","s16le","-ar","44100","-ac","2"]`).
///
/// Panics with a clear message (including ffmpeg's stderr) if ffmpeg/ffprobe is missing or fails.
pub fn ffmpeg_decode(path: &Path, audio_index: usize, input_args: &[&str]) -> Decoded {
    if !path.exists() {
        panic!("oracle: input file {} does not exist", path.display());
    }
    let (sample_rate, num_channels) = probe(path, audio_index, input_args);

    let mut args = os_args(&["-hide_banner", "-v", "error", "-nostdin"]);
    args.extend(os_args(input_args));
    args.push("-i".into());
    args.push(path.as_os_str().to_owned());
    args.extend(os_args(&[
        "-map",
        &format!("0:a:{audio_index}"),
        "-f",
        "f32le",
        "-acodec",
        "pcm_f32le",
        "pipe:1",
    ]));
    let bytes = run(tool("FFMPEG", "ffmpeg"), &args, "ffmpeg decode");

    let frame_bytes = 4 * num_channels;
    if !bytes.len().is_multiple_of(frame_bytes) {
        panic!(
            "oracle: ffmpeg produced {} bytes for {}, not a whole number of {num_channels}-channel \
             f32 frames (did the channel count change mid-stream?)",
            bytes.len(),
            path.display()
        );
    }
    let frames = bytes.len() / frame_bytes;
    let mut channels = vec![Vec::with_capacity(frames); num_channels];
    for frame in bytes.chunks_exact(frame_bytes) {
        for (ch, s) in channels.iter_mut().zip(frame.chunks_exact(4)) {
            ch.push(f32::from_le_bytes([s[0], s[1], s[2], s[3]]));
        }
    }
    Decoded {
        sample_rate,
        channels,
    }
}

/// [`ffmpeg_decode`] of the first audio stream with FFmpeg input options (`input_args`, e.g.
/// `["-c:a", "libopus"]` to choose the decoder) and output options (`filter_args`, e.g.
/// `["-af", "aresample=rematrix_maxval=1"]`), into `channels` channels at `rate` Hz.
pub fn ffmpeg_decode_with(
    path: &Path,
    input_args: &[&str],
    filter_args: &[&str],
    rate: u32,
    channels: usize,
) -> Decoded {
    let mut args = os_args(&["-hide_banner", "-v", "error", "-nostdin"]);
    args.extend(os_args(input_args));
    args.push("-i".into());
    args.push(path.as_os_str().to_owned());
    args.extend(os_args(&["-map", "0:a:0"]));
    args.extend(os_args(filter_args));
    args.extend(os_args(&[
        "-ar",
        &rate.to_string(),
        "-ac",
        &channels.to_string(),
        "-f",
        "f32le",
        "-acodec",
        "pcm_f32le",
        "pipe:1",
    ]));
    let bytes = run(tool("FFMPEG", "ffmpeg"), &args, "ffmpeg decode");
    let frames = bytes.len() / (4 * channels);
    let mut planar = vec![Vec::with_capacity(frames); channels];
    for frame in bytes.chunks_exact(4 * channels) {
        for (ch, s) in planar.iter_mut().zip(frame.chunks_exact(4)) {
            ch.push(f32::from_le_bytes([s[0], s[1], s[2], s[3]]));
        }
    }
    Decoded {
        sample_rate: rate,
        channels: planar,
    }
}

/// `CARGO_MANIFEST_DIR/fixtures/<name>`; panics if missing, with a hint to run
/// `fixtures/make_fixtures.sh`.
pub fn fixture(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    if !p.exists() {
        panic!(
            "fixture {} is missing: regenerate the fixtures with `bash fixtures/make_fixtures.sh` \
             (needs ffmpeg, sox, flac, lame, vorbis-tools, python3)",
            p.display()
        );
    }
    p
}

/// SNR in dB of `test` against `reference` over their common length:
/// `10*log10(sum ref^2 / sum (ref-test)^2)`; `+inf` when identical.
///
/// Panics if the common length is 0 (an empty comparison would pass vacuously).
pub fn snr_db(reference: &[f32], test: &[f32]) -> f64 {
    let n = reference.len().min(test.len());
    assert!(
        n > 0,
        "snr_db: nothing to compare (reference has {} samples, test has {})",
        reference.len(),
        test.len()
    );
    let (mut sig, mut noise) = (0.0f64, 0.0f64);
    for (&r, &t) in reference[..n].iter().zip(&test[..n]) {
        let (r, t) = (r as f64, t as f64);
        sig += r * r;
        noise += (r - t) * (r - t);
    }
    if noise == 0.0 {
        return f64::INFINITY;
    }
    10.0 * (sig / noise).log10()
}

/// Lag (in samples, within ±`max_lag`) that best aligns `test` to `reference` by
/// cross-correlation.
///
/// Convention: a positive lag `L` means `test` is late: `test[i + L] ≈ reference[i]`,
/// so dropping the first `L` samples of `test` aligns it. A negative lag means `test`
/// starts early (it is missing `-L` samples at the start).
///
/// Uses the normalized cross-correlation coefficient over the overlapping part
/// (so lags with shorter overlap are not penalized), computed by FFT; ties go to
/// the smallest |lag|. Polarity matters (an inverted signal does not match).
/// Returns 0 if either input is empty or silent.
pub fn best_lag(reference: &[f32], test: &[f32], max_lag: usize) -> isize {
    let (nr, nt) = (reference.len(), test.len());
    if nr == 0 || nt == 0 {
        return 0;
    }
    // r[k] = sum_i ref[i] * test[i + k], for k in -(nr-1) ..= nt-1.
    let size = (nr + nt).next_power_of_two();
    let mut a: Vec<(f64, f64)> = vec![(0.0, 0.0); size];
    let mut b: Vec<(f64, f64)> = vec![(0.0, 0.0); size];
    for (i, &x) in reference.iter().enumerate() {
        a[i].0 = x as f64;
    }
    for (i, &x) in test.iter().enumerate() {
        b[i].0 = x as f64;
    }
    fft(&mut a, false);
    fft(&mut b, false);
    for (x, y) in a.iter_mut().zip(&b) {
        // conj(A) * B
        let (ar, ai) = (x.0, -x.1);
        *x = (ar * y.0 - ai * y.1, ar * y.1 + ai * y.0);
    }
    fft(&mut a, true);
    let corr = |k: isize| -> f64 {
        let idx = if k >= 0 {
            k as usize
        } else {
            size - ((-k) as usize)
        };
        a[idx].0 / size as f64
    };

    // Prefix sums of squares for the overlap energies.
    let prefix = |v: &[f32]| -> Vec<f64> {
        let mut p = Vec::with_capacity(v.len() + 1);
        let mut acc = 0.0f64;
        p.push(0.0);
        for &x in v {
            acc += (x as f64) * (x as f64);
            p.push(acc);
        }
        p
    };
    let (pr, pt) = (prefix(reference), prefix(test));

    let lo = -(max_lag.min(nr - 1) as isize);
    let hi = max_lag.min(nt - 1) as isize;
    let mut best: Option<(f64, isize)> = None;
    for k in lo..=hi {
        // Overlap: i in [i0, i1) with 0 <= i < nr and 0 <= i + k < nt.
        let i0 = if k < 0 { (-k) as usize } else { 0 };
        let i1 = nr.min((nt as isize - k) as usize);
        if i1 <= i0 {
            continue;
        }
        let e_ref = pr[i1] - pr[i0];
        let (j0, j1) = ((i0 as isize + k) as usize, (i1 as isize + k) as usize);
        let e_test = pt[j1] - pt[j0];
        let denom = (e_ref * e_test).sqrt();
        if denom <= 0.0 {
            continue;
        }
        let score = corr(k) / denom;
        let better = match best {
            None => true,
            Some((s, l)) => {
                score > s + 1e-12
                    || ((score - s).abs() <= 1e-12 && k.unsigned_abs() < l.unsigned_abs())
            }
        };
        if better {
            best = Some((score, k));
        }
    }
    best.map_or(0, |(_, k)| k)
}

/// In-place iterative radix-2 complex FFT (`data.len()` must be a power of two).
/// The inverse is unscaled.
fn fft(data: &mut [(f64, f64)], inverse: bool) {
    let n = data.len();
    assert!(n.is_power_of_two());
    // Bit-reversal permutation.
    let mut j = 0usize;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            data.swap(i, j);
        }
    }
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut len = 2;
    while len <= n {
        let ang = sign * 2.0 * std::f64::consts::PI / len as f64;
        let half = len / 2;
        // Twiddles computed directly (not by repeated multiplication) for accuracy.
        let tw: Vec<(f64, f64)> = (0..half)
            .map(|m| {
                let a = ang * m as f64;
                (a.cos(), a.sin())
            })
            .collect();
        for start in (0..n).step_by(len) {
            for m in 0..half {
                let (wr, wi) = tw[m];
                let (xr, xi) = data[start + m + half];
                let t = (xr * wr - xi * wi, xr * wi + xi * wr);
                let u = data[start + m];
                data[start + m] = (u.0 + t.0, u.1 + t.1);
                data[start + m + half] = (u.0 - t.0, u.1 - t.1);
            }
        }
        len <<= 1;
    }
}
