//! Python file-like objects as Rust `Read`/`Write`/`Seek` (torchaudio's `BinaryIO` sources and
//! destinations). Each call takes the GIL for the duration of one Python method call, so the
//! reader and writer can keep the GIL released around them.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::io::{self, Read, Seek, SeekFrom, Write};

/// A Python object with `read(n)`, and optionally `seek(offset, whence)`, or `write(b)`.
pub struct PyFile {
    obj: Py<PyAny>,
}

impl PyFile {
    pub fn new(obj: Py<PyAny>) -> Self {
        PyFile { obj }
    }
}

fn io_err(e: PyErr) -> io::Error {
    io::Error::other(format!("the Python file object raised {e}"))
}

impl Read for PyFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Python::attach(|py| {
            let data = self
                .obj
                .bind(py)
                .call_method1("read", (buf.len(),))
                .map_err(io_err)?;
            let bytes = data.cast::<PyBytes>().map_err(|_| {
                io::Error::other(
                    "the Python file object's read() returned something other than bytes",
                )
            })?;
            let bytes = bytes.as_bytes();
            if bytes.len() > buf.len() {
                return Err(io::Error::other(format!(
                    "the Python file object's read({}) returned {} bytes",
                    buf.len(),
                    bytes.len()
                )));
            }
            buf[..bytes.len()].copy_from_slice(bytes);
            Ok(bytes.len())
        })
    }
}

impl Seek for PyFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let (offset, whence) = match pos {
            SeekFrom::Start(o) => (i64::try_from(o).map_err(io::Error::other)?, 0),
            SeekFrom::Current(o) => (o, 1),
            SeekFrom::End(o) => (o, 2),
        };
        Python::attach(|py| {
            self.obj
                .bind(py)
                .call_method1("seek", (offset, whence))
                .and_then(|p| p.extract::<u64>())
                .map_err(io_err)
        })
    }
}

impl Write for PyFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Python::attach(|py| {
            self.obj
                .bind(py)
                .call_method1("write", (PyBytes::new(py, buf),))
                .map_err(io_err)?;
            Ok(buf.len())
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Python::attach(|py| {
            let obj = self.obj.bind(py);
            if obj.hasattr("flush").unwrap_or(false) {
                obj.call_method0("flush").map_err(io_err)?;
            }
            Ok(())
        })
    }
}
