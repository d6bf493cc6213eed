//! Helpers shared by the effects tests: streaming a signal through an `EffectStream` in chunks,
//! and checking an `InvalidArgument` message.

use audiostream::ndarray::{concatenate, s, Array2, Axis};
use audiostream::{AudioEffector, Error};

/// Runs `data` (at `rate`) through a stream of `fx` in chunks of `chunk` frames, then flushes;
/// returns everything it gave, joined.
pub fn streamed(fx: &AudioEffector, data: &Array2<f32>, rate: u32, chunk: usize) -> Array2<f32> {
    let mut st = fx.stream(rate, data.nrows()).unwrap();
    let mut parts = Vec::new();
    let mut start = 0;
    while start < data.ncols() {
        let end = (start + chunk).min(data.ncols());
        parts.push(st.process(data.slice(s![.., start..end])).unwrap());
        start = end;
    }
    parts.push(st.flush().unwrap());
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    concatenate(Axis(1), &views).unwrap()
}

/// Asserts `r` is `InvalidArgument` whose message mentions every needle.
pub fn invalid(r: Result<AudioEffector, Error>, needles: &[&str]) {
    match r {
        Err(Error::InvalidArgument(m)) => {
            for n in needles {
                assert!(m.contains(n), "{m:?} does not mention {n:?}");
            }
        }
        other => panic!("expected InvalidArgument mentioning {needles:?}, got {other:?}"),
    }
}
