//! Running SoX as the oracle for effects: float WAV in, `sox -D` (no dither), 32-bit float
//! WAV out, decoded by us (WAV float decoding is bit-exact, checked in reader_oracle).

use super::ours::decode;
use super::signals::TempDir;
use audiostream::ndarray::Array2;
use audiostream::{AudioEncodeOptions, StreamWriter};
use std::path::Path;
use std::process::Command;

/// Writes `data` as a 32-bit float WAV at `rate`.
pub fn write_flt(path: &Path, data: &Array2<f32>, rate: u32) {
    let mut w = StreamWriter::new(path.to_str().unwrap(), Some("wav"), None).unwrap();
    w.add_audio_stream_with(AudioEncodeOptions::new(rate, data.nrows()).encoder_format("flt"))
        .unwrap();
    w.write_audio_chunk(0, data.view(), None).unwrap();
    w.close().unwrap();
}

/// Runs `sox -D in.wav -e floating-point -b 32 out.wav <effect>` on `data` (at `rate`) and
/// returns SoX's output, planar.
pub fn sox_effect(data: &Array2<f32>, rate: u32, effect: &str) -> Vec<Vec<f32>> {
    let dir = TempDir::new("effects-sox");
    let (inp, out) = (dir.path("in.wav"), dir.path("out.wav"));
    write_flt(&inp, data, rate);
    let status = Command::new("sox")
        .args(["-V1", "-D"])
        .arg(&inp)
        .args(["-e", "floating-point", "-b", "32"])
        .arg(&out)
        .args(effect.split_whitespace())
        .status()
        .expect("running sox");
    assert!(status.success(), "sox failed for {effect:?}");
    decode(&out, None)
}
