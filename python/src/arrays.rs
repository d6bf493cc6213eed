//! NumPy arrays in and out. Out: a chunk's `Array2` becomes the NumPy array's own buffer (no
//! copy). In: arrays are copied into Rust-owned memory while the GIL is held, so that no
//! Python thread can change them while the GIL is released for the work on them.

use audiostream::ndarray::Array2;
use audiostream::Chunk;
use numpy::{IntoPyArray, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A popped chunk as `(array, pts)`, the array owning the chunk's buffer.
pub fn chunk_to_py<'py, T: numpy::Element>(
    py: Python<'py>,
    chunk: Chunk<T>,
) -> PyResult<Bound<'py, PyAny>> {
    let array = chunk.data.into_pyarray(py);
    Ok((array, chunk.pts).into_pyobject(py)?.into_any())
}

/// An array returned by an effect or a resampler (no copy).
pub fn array_to_py<T: numpy::Element>(py: Python<'_>, a: Array2<T>) -> Bound<'_, PyAny> {
    a.into_pyarray(py).into_any()
}

/// A 2-D `float32` array as an owned `(channels, frames)` array.
pub fn f32_input(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Array2<f32>> {
    let array: PyReadonlyArray2<'_, f32> = obj.extract().map_err(|_| {
        PyValueError::new_err(format!(
            "{what} must be a 2-D float32 array (channels, frames); got {}",
            describe(obj)
        ))
    })?;
    Ok(array.as_array().to_owned())
}

/// `dtype` and `shape` of an array-like, for messages.
pub fn describe(obj: &Bound<'_, PyAny>) -> String {
    let dtype = obj
        .getattr("dtype")
        .and_then(|d| d.str().map(|s| s.to_string()))
        .unwrap_or_else(|_| "no dtype".into());
    let shape = obj
        .getattr("shape")
        .and_then(|s| s.str().map(|s| s.to_string()))
        .unwrap_or_else(|_| "no shape".into());
    format!("{} of dtype {dtype} and shape {shape}", type_name(obj))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}
