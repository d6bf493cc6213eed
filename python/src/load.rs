//! `audiostream.load`: the Rust one-call `load_with` / `load_bytes_with`, with the GIL released
//! while it decodes.

use crate::arrays::{array_to_py, describe};
use crate::errors::to_py;
use audiostream::LoadOptions;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::PathBuf;

/// Loads a file (a path) or the bytes of one (`bytes`, or any buffer, copied once) as a
/// `(channels, frames)` `float32` array and its sample rate.
#[pyfunction]
#[pyo3(signature = (src, sample_rate=None, num_channels=None, start=0.0, duration=None, threads=None, format=None))]
#[allow(clippy::too_many_arguments)]
pub fn load<'py>(
    py: Python<'py>,
    src: &Bound<'py, PyAny>,
    sample_rate: Option<u32>,
    num_channels: Option<usize>,
    start: f64,
    duration: Option<f64>,
    threads: Option<usize>,
    format: Option<String>,
) -> PyResult<(Bound<'py, PyAny>, u32)> {
    let mut opts = LoadOptions::new().start(start);
    opts.sample_rate = sample_rate;
    opts.num_channels = num_channels;
    opts.duration = duration;
    opts.threads = threads;
    opts.format = format;
    let (audio, rate) = if let Ok(b) = src.cast::<PyBytes>() {
        // `bytes` are immutable: read in place, without the GIL.
        let bytes = b.as_bytes();
        py.detach(|| audiostream::load_bytes_with(bytes, opts))
    } else if let Ok(path) = src.extract::<PathBuf>() {
        py.detach(|| audiostream::load_with(&path, opts))
    } else if let Ok(buf) = src.extract::<Vec<u8>>() {
        py.detach(|| audiostream::load_bytes_with(&buf, opts))
    } else {
        return Err(PyValueError::new_err(format!(
            "src must be a path (str or os.PathLike) or the bytes of a file; got {}",
            describe(src)
        )));
    }
    .map_err(to_py)?;
    Ok((array_to_py(py, audio), rate))
}
