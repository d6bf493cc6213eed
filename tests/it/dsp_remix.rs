//! `dsp::Remixer`: coefficients read back with impulses, the documented rules, round trips,
//! 5.1 and 7.1 downmixes against FFmpeg, and bad input.
//!
//! FFmpeg comparisons: `ffmpeg -f f32le -ch_layout 5.1 -i in -af aresample=rematrix_maxval=1
//! -ac 2 -f f32le out` (FFmpeg's normalized matrix, as it uses by default for integer output)
//! gives bit-identical samples to ours; `-ac 2` into 16-bit output equals ours rounded to 16
//! bits (within 1 LSB); `-ac 2` into float output is not normalized and is exactly ours times
//! `1 + 2/√2` (5.1) or `1 + 3/√2` (7.1), within f32 rounding.

use audiostream::dsp::Remixer;
use audiostream::ndarray::{array, s, Array2};
use audiostream::Error;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const G: f64 = std::f64::consts::FRAC_1_SQRT_2;

fn noise(channels: usize, frames: usize, seed: u64) -> Array2<f32> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    Array2::from_shape_simple_fn((channels, frames), || rng.random_range(-1.0f32..1.0))
}

fn remix(x: &Array2<f32>, out: usize) -> Array2<f32> {
    Remixer::new(x.nrows(), out)
        .unwrap()
        .process(x.view())
        .unwrap()
}

fn assert_close(a: f32, b: f64, what: &str) {
    assert!((f64::from(a) - b).abs() < 1e-7, "{what}: {a} != {b}");
}

#[test]
fn remixer_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Remixer>();
}

#[test]
fn impulses_read_back_the_matrix() {
    for n_in in 1..=8 {
        for n_out in 1..=8 {
            let mut r = Remixer::new(n_in, n_out).unwrap();
            assert_eq!(r.matrix().dim(), (n_out, n_in));
            assert_eq!((r.in_channels(), r.out_channels()), (n_in, n_out));
            for k in 0..n_in {
                let mut x = Array2::<f32>::zeros((n_in, 5));
                x[[k, 2]] = 1.0;
                let y = r.process(x.view()).unwrap();
                assert_eq!(y.dim(), (n_out, 5));
                assert_eq!(
                    y.column(2),
                    r.matrix().column(k),
                    "{n_in}->{n_out}, input {k}"
                );
                for f in [0, 1, 3, 4] {
                    assert!(y.column(f).iter().all(|v| *v == 0.0));
                }
            }
        }
    }
}

#[test]
fn full_scale_input_cannot_clip() {
    for n_in in 1..=8 {
        for n_out in 1..=8 {
            let r = Remixer::new(n_in, n_out).unwrap();
            for row in r.matrix().rows() {
                let sum: f64 = row.iter().map(|v| f64::from(v.abs())).sum();
                assert!(sum <= 1.0 + 1e-6, "{n_in}->{n_out}: row sum {sum}");
            }
            // Every channel at full scale, with the signs that add up: |output| <= 1.
            let mut up = Array2::<f32>::ones((n_in, 1));
            let y = remix(&up, n_out);
            assert!(y.iter().all(|v| v.abs() <= 1.0), "{n_in}->{n_out}: {y}");
            up.fill(-1.0);
            assert!(remix(&up, n_out).iter().all(|v| v.abs() <= 1.0));
        }
    }
}

#[test]
fn the_documented_rules() {
    // Identity.
    for n in 1..=8 {
        let r = Remixer::new(n, n).unwrap();
        assert_eq!(r.matrix(), &Array2::<f32>::eye(n));
    }
    // Mono <-> stereo: copy and average.
    assert_eq!(
        Remixer::new(1, 2).unwrap().matrix(),
        &array![[1.0f32], [1.0]]
    );
    assert_eq!(Remixer::new(2, 1).unwrap().matrix(), &array![[0.5f32, 0.5]]);

    // 5.1 -> stereo: (FL + g FC + g BL) / (1 + 2g), LFE dropped.
    let m = Remixer::new(6, 2).unwrap().matrix().clone();
    let n = 1.0 + 2.0 * G;
    let l = [1.0 / n, 0.0, G / n, 0.0, G / n, 0.0];
    let r = [0.0, 1.0 / n, G / n, 0.0, 0.0, G / n];
    for k in 0..6 {
        assert_close(m[[0, k]], l[k], &format!("5.1 L from {k}"));
        assert_close(m[[1, k]], r[k], &format!("5.1 R from {k}"));
    }
    assert_close(m[[0, 0]], 0.414_213_56, "5.1 FL");
    assert_close(m[[0, 2]], 0.292_893_22, "5.1 FC");

    // 7.1 -> stereo: (FL + g FC + g BL + g SL) / (1 + 3g).
    let m = Remixer::new(8, 2).unwrap().matrix().clone();
    let n = 1.0 + 3.0 * G;
    let l = [1.0 / n, 0.0, G / n, 0.0, G / n, 0.0, G / n, 0.0];
    let r = [0.0, 1.0 / n, G / n, 0.0, 0.0, G / n, 0.0, G / n];
    for k in 0..8 {
        assert_close(m[[0, k]], l[k], &format!("7.1 L from {k}"));
        assert_close(m[[1, k]], r[k], &format!("7.1 R from {k}"));
    }

    // 5.1 and 7.1 -> mono: the stereo downmix, averaged.
    for n_in in [6, 8] {
        let mono = Remixer::new(n_in, 1).unwrap().matrix().clone();
        let stereo = Remixer::new(n_in, 2).unwrap().matrix().clone();
        for k in 0..n_in {
            let want = 0.5 * (f64::from(stereo[[0, k]]) + f64::from(stereo[[1, k]]));
            assert_close(mono[[0, k]], want, &format!("{n_in} -> mono from {k}"));
        }
        assert_eq!(mono[[0, 3]], 0.0, "LFE dropped");
    }

    // Fewer outputs: output i averages inputs i, i+M, i+2M, ...
    let third = 1.0f32 / 3.0;
    assert_eq!(
        Remixer::new(4, 2).unwrap().matrix(),
        &array![[0.5f32, 0.0, 0.5, 0.0], [0.0, 0.5, 0.0, 0.5]]
    );
    assert_eq!(
        Remixer::new(5, 2).unwrap().matrix(),
        &array![[third, 0.0, third, 0.0, third], [0.0, 0.5, 0.0, 0.5, 0.0]]
    );
    assert_eq!(
        Remixer::new(3, 1).unwrap().matrix(),
        &array![[third, third, third]]
    );
    assert_eq!(
        Remixer::new(7, 3).unwrap().matrix().row(0),
        array![third, 0.0, 0.0, third, 0.0, 0.0, third]
    );
    // More outputs: output j copies input j mod N.
    assert_eq!(
        Remixer::new(2, 4).unwrap().matrix(),
        &array![[1.0f32, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
    );
    assert_eq!(
        Remixer::new(2, 6).unwrap().matrix().column(0),
        array![1.0f32, 0.0, 1.0, 0.0, 1.0, 0.0]
    );
    assert_eq!(
        Remixer::new(3, 5).unwrap().matrix().column(1),
        array![0.0f32, 1.0, 0.0, 0.0, 1.0]
    );
}

#[test]
fn mono_stereo_round_trip_is_exact_and_chunking_does_not_matter() {
    let mono = noise(1, 10_000, 1);
    let stereo = remix(&mono, 2);
    assert_eq!(stereo.row(0), mono.row(0));
    assert_eq!(stereo.row(1), mono.row(0));
    assert_eq!(remix(&stereo, 1), mono);
    // Identity is an exact copy.
    let x = noise(3, 1000, 2);
    assert_eq!(remix(&x, 3), x);

    // Stateless: chunks of any size give the same samples as the whole.
    let x = noise(8, 10_000, 3);
    let whole = remix(&x, 2);
    let mut r = Remixer::new(8, 2).unwrap();
    let mut at = 0;
    for size in [1usize, 37, 0, 1024, 4410].into_iter().cycle() {
        if at == x.ncols() {
            break;
        }
        let n = size.min(x.ncols() - at);
        let y = r.process(x.slice(s![.., at..at + n])).unwrap();
        assert_eq!(y, whole.slice(s![.., at..at + n]));
        at += n;
    }
    // Any memory layout: a (frames, channels) array seen transposed.
    let t = x.t().to_owned();
    assert_eq!(r.process(t.t()).unwrap(), whole);
}

// ---------------------------------------------------------------------------------------------
// Against FFmpeg

static TMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

fn tmp_dir() -> PathBuf {
    let n = TMP_COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("dsp_remix_{}_{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `ffmpeg` on `x` as raw f32 with channel layout `layout`, with `args` between input
/// and output, writing raw `out_format` (`f32le` or `s16le`); returns the (stereo) output as
/// f32.
fn ffmpeg(x: &Array2<f32>, layout: &str, args: &[&str], out_format: &str) -> Array2<f32> {
    let dir = tmp_dir();
    let (input, output) = (dir.join("in.raw"), dir.join("out.raw"));
    let mut bytes = Vec::with_capacity(x.len() * 4);
    for frame in x.columns() {
        for v in frame {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    std::fs::write(&input, bytes).unwrap();
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-y", "-f", "f32le", "-ar", "48000"]);
    cmd.args(["-ch_layout", layout, "-i"]).arg(&input);
    cmd.args(args).args(["-f", out_format]).arg(&output);
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("running {cmd:?} (FFmpeg is a test oracle): {e}"));
    assert!(status.success(), "{cmd:?} failed");
    let bytes = std::fs::read(&output).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let v: Vec<f32> = if out_format == "s16le" {
        bytes
            .chunks_exact(2)
            .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0)
            .collect()
    } else {
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    let frames = v.len() / 2;
    Array2::from_shape_fn((2, frames), |(c, f)| v[f * 2 + c])
}

#[test]
fn surround_downmix_matches_ffmpeg() {
    for (layout, n_in, norm) in [("5.1", 6, 1.0 + 2.0 * G), ("7.1", 8, 1.0 + 3.0 * G)] {
        // Random samples, plus every channel at full scale for a few frames.
        let mut x = noise(n_in, 48_000, n_in as u64);
        x.slice_mut(s![.., 100..110]).fill(1.0);
        x.slice_mut(s![.., 200..210]).fill(-1.0);
        let ours = remix(&x, 2);

        // FFmpeg's normalized matrix (its default whenever the output is integer): bit-exact.
        let args = ["-af", "aresample=rematrix_maxval=1", "-ac", "2"];
        let ff = ffmpeg(&x, layout, &args, "f32le");
        assert_eq!(ff.dim(), ours.dim());
        let mismatches = ours.iter().zip(&ff).filter(|(a, b)| a != b).count();
        assert_eq!(mismatches, 0, "{layout}: samples differing from ffmpeg");

        // Plain `-ac 2` writing 16-bit: ours rounded to 16 bits, within one LSB.
        let ff16 = ffmpeg(&x, layout, &["-ac", "2"], "s16le");
        let worst = ours
            .iter()
            .zip(&ff16)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst <= 1.0 / 32768.0, "{layout}: s16 differs by {worst}");

        // Plain `-ac 2` writing float is not normalized: ours times the row sum.
        let ff_float = ffmpeg(&x, layout, &["-ac", "2"], "f32le");
        let worst = ours
            .iter()
            .zip(&ff_float)
            .map(|(a, b)| (f64::from(*a) * norm - f64::from(*b)).abs())
            .fold(0.0f64, f64::max);
        assert!(worst < 1e-6, "{layout}: float -ac 2 differs by {worst}");
        println!("{layout}: bit-exact with rematrix_maxval=1; s16 within 1 LSB; float x{norm:.4}");
    }
}

#[test]
fn stereo_to_mono_matches_ffmpeg_normalized_and_mono_to_stereo_does_not() {
    // Stereo -> mono: FFmpeg's normalized matrix is 0.5 L + 0.5 R, as ours.
    let x = noise(2, 4800, 9);
    let ours = remix(&x, 1);
    let ff = {
        let dir = tmp_dir();
        let (input, output) = (dir.join("in.raw"), dir.join("out.raw"));
        let bytes: Vec<u8> = x
            .columns()
            .into_iter()
            .flat_map(|f| f.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>())
            .collect();
        std::fs::write(&input, bytes).unwrap();
        let status = Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-y",
                "-f",
                "f32le",
                "-ar",
                "48000",
                "-ch_layout",
            ])
            .args(["stereo", "-i"])
            .arg(&input)
            .args([
                "-af",
                "aresample=rematrix_maxval=1",
                "-ac",
                "1",
                "-f",
                "f32le",
            ])
            .arg(&output)
            .status()
            .unwrap();
        assert!(status.success());
        let v: Vec<f32> = std::fs::read(&output)
            .unwrap()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let _ = std::fs::remove_dir_all(&dir);
        v
    };
    assert_eq!(ff.len(), ours.ncols());
    assert!(ours.iter().zip(&ff).all(|(a, b)| a == b), "stereo -> mono");
    // Mono -> stereo: FFmpeg uses -3 dB (0.7071) per channel; ours copies (documented).
    assert_eq!(Remixer::new(1, 2).unwrap().matrix()[[0, 0]], 1.0);
}

// ---------------------------------------------------------------------------------------------
// Bad input

fn is_invalid_argument<T: std::fmt::Debug>(r: Result<T, Error>, name: &str) {
    match r {
        Err(Error::InvalidArgument(msg)) => assert!(msg.contains(name), "{msg}"),
        other => panic!("expected InvalidArgument naming {name}, got {other:?}"),
    }
}

#[test]
fn bad_input_is_an_invalid_argument() {
    is_invalid_argument(Remixer::new(0, 2), "in_channels");
    is_invalid_argument(Remixer::new(2, 0), "out_channels");
    is_invalid_argument(Remixer::new(0, 0), "in_channels");
    let too_many = audiostream::dsp::MAX_CHANNELS + 1;
    is_invalid_argument(Remixer::new(too_many, 2), "in_channels");
    is_invalid_argument(Remixer::new(2, usize::MAX), "out_channels");
    assert!(Remixer::new(audiostream::dsp::MAX_CHANNELS, 1).is_ok());
    let mut r = Remixer::new(6, 2).unwrap();
    for channels in [0, 1, 2, 5, 7, 8] {
        let x = Array2::<f32>::zeros((channels, 10));
        is_invalid_argument(r.process(x.view()), "chunk channels");
    }
    let mut id = Remixer::new(2, 2).unwrap();
    is_invalid_argument(id.process(Array2::zeros((1, 4)).view()), "chunk channels");
    assert_eq!(
        r.process(Array2::zeros((6, 0)).view()).unwrap().dim(),
        (2, 0)
    );

    is_invalid_argument(Remixer::from_matrix(Array2::zeros((0, 2))), "matrix shape");
    is_invalid_argument(Remixer::from_matrix(Array2::zeros((2, 0))), "matrix shape");
    is_invalid_argument(
        Remixer::from_matrix(array![[f32::NAN]]),
        "matrix coefficient",
    );
    is_invalid_argument(
        Remixer::from_matrix(array![[1.0, f32::INFINITY]]),
        "coefficient",
    );
    // A custom matrix is used as given.
    let mut custom = Remixer::from_matrix(array![[2.0f32, -1.0]]).unwrap();
    let y = custom.process(array![[0.5f32], [0.25]].view()).unwrap();
    assert_eq!(y, array![[0.75f32]]);
}
