//! Library errors as Python exceptions by kind: bad arguments are `ValueError`, I/O is
//! `OSError` (with the `FileNotFoundError`/`PermissionError` subclasses Python code tests
//! for), timeouts `TimeoutError`, and the audio-specific kinds get their own classes. The
//! message is always the library's (it names the value and what is allowed).

use audiostream::Error;
use pyo3::exceptions::{
    PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError, PyRuntimeError,
    PyTimeoutError, PyValueError,
};
use pyo3::prelude::*;
use std::io::ErrorKind;

pyo3::create_exception!(
    audiostream,
    DecodeError,
    PyRuntimeError,
    "The media could not be decoded (corrupt or truncated data)."
);
pyo3::create_exception!(
    audiostream,
    EncodeError,
    PyRuntimeError,
    "An encoder failed."
);
pyo3::create_exception!(
    audiostream,
    UnsupportedError,
    PyValueError,
    "A format, codec, effect or option audiostream does not support; the message lists what it supports."
);
pyo3::create_exception!(
    audiostream,
    DeviceError,
    PyOSError,
    "An audio device failed or does not exist."
);
pyo3::create_exception!(
    audiostream,
    NetworkError,
    PyOSError,
    "A network source or sink failed."
);
pyo3::create_exception!(
    audiostream,
    ClosedError,
    PyValueError,
    "A reader or writer was used after close() (Python's closed-file convention: a ValueError)."
);

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("DecodeError", py.get_type::<DecodeError>())?;
    m.add("EncodeError", py.get_type::<EncodeError>())?;
    m.add("UnsupportedError", py.get_type::<UnsupportedError>())?;
    m.add("DeviceError", py.get_type::<DeviceError>())?;
    m.add("NetworkError", py.get_type::<NetworkError>())?;
    m.add("ClosedError", py.get_type::<ClosedError>())?;
    Ok(())
}

/// The Python exception for a library error, with the library's message.
pub fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::Io { source, .. } => match source.kind() {
            ErrorKind::NotFound => PyFileNotFoundError::new_err(msg),
            ErrorKind::PermissionDenied => PyPermissionError::new_err(msg),
            ErrorKind::IsADirectory => PyIsADirectoryError::new_err(msg),
            _ => PyOSError::new_err(msg),
        },
        Error::Unsupported(_) => UnsupportedError::new_err(msg),
        Error::InvalidArgument(_) => PyValueError::new_err(msg),
        Error::Decode(_) => DecodeError::new_err(msg),
        Error::Encode(_) => EncodeError::new_err(msg),
        Error::Timeout(_) => PyTimeoutError::new_err(msg),
        Error::Device(_) => DeviceError::new_err(msg),
        Error::Network(_) => NetworkError::new_err(msg),
        Error::Closed(_) => ClosedError::new_err(msg),
        // `Error` is non-exhaustive: a kind added later still reaches Python with its message.
        _ => PyRuntimeError::new_err(msg),
    }
}

/// `what` used after `close()`.
pub fn closed(what: &str) -> PyErr {
    ClosedError::new_err(format!("{what} was used after close()"))
}
