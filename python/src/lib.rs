//! The native half of the `audiostream` Python package (`audiostream._native`): thin PyO3
//! wrappers over the Rust library that release the GIL while they decode, encode, resample
//! and apply effects. The Python half (`python/audiostream/`) gives them torchaudio's names,
//! signatures and array types; see its docstrings for the user-facing contract.
//!
//! Built by maturin (`pip install ./python`); not a Rust API.

use pyo3::prelude::*;

mod arrays;
mod effects;
mod errors;
mod load;
mod pyfile;
mod reader;
mod shared;
mod writer;

/// The module `audiostream._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<reader::NativeReader>()?;
    m.add_class::<writer::NativeWriter>()?;
    m.add_class::<effects::NativeEffector>()?;
    m.add_class::<effects::NativeEffectStream>()?;
    m.add_class::<effects::NativeResample>()?;
    m.add_function(wrap_pyfunction!(load::load, m)?)?;
    m.add_function(wrap_pyfunction!(effects::overdrive, m)?)?;
    m.add_function(wrap_pyfunction!(effects::play_audio, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
