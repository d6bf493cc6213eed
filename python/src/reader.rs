//! `NativeReader`: a [`StreamReader`] shared with Python threads (`crate::shared`: every
//! method that reads or decodes takes its lock with the GIL released).

use crate::arrays::chunk_to_py;
use crate::errors::to_py;
use crate::pyfile::PyFile;
use crate::shared::Shared;
use audiostream::{AudioStreamOptions, Chunk, Options, SampleFormat, StreamReader};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::ffi::OsString;
use std::io::Cursor;
use std::time::Duration;

/// The reader of one `audiostream.io.StreamReader`.
#[pyclass(module = "audiostream._native")]
pub struct NativeReader {
    inner: Shared<StreamReader>,
}

impl NativeReader {
    fn wrap(r: StreamReader) -> Self {
        NativeReader {
            inner: Shared::new(r, "StreamReader"),
        }
    }

    /// Runs `f` on the reader with the GIL released.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut StreamReader) -> audiostream::Result<T> + Send,
    ) -> PyResult<T> {
        self.inner.with(py, f)
    }

    /// `formats` (one for every output, or one each) as one sample format per output.
    fn formats_per_output(&self, formats: &[String]) -> PyResult<Vec<SampleFormat>> {
        let formats = formats
            .iter()
            .map(|f| sample_format(f))
            .collect::<PyResult<Vec<_>>>()?;
        let outputs = self.peek(StreamReader::num_out_streams)?;
        match formats.len() {
            n if n == outputs => Ok(formats),
            1 => Ok(vec![formats[0]; outputs]),
            n => Err(PyValueError::new_err(format!(
                "{n} sample formats for {outputs} outputs; allowed: one for every output, or one each"
            ))),
        }
    }

    /// Runs `f` on the reader holding the GIL (quick queries).
    fn peek<T>(&self, f: impl FnOnce(&StreamReader) -> T) -> PyResult<T> {
        self.inner.peek(f)
    }
}

fn sample_format(name: &str) -> PyResult<SampleFormat> {
    SampleFormat::parse(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "format = {name:?}; allowed: u8, s16, s32, flt, dbl (or their planar names u8p, \
             s16p, s32p, fltp, dblp)"
        ))
    })
}

#[pymethods]
impl NativeReader {
    /// Opens a path, `-`, a URL or a device.
    #[staticmethod]
    #[pyo3(signature = (src, format=None, option=None))]
    fn open(
        py: Python<'_>,
        src: OsString,
        format: Option<String>,
        option: Option<Options>,
    ) -> PyResult<Self> {
        py.detach(|| StreamReader::new(&src, format.as_deref(), option.as_ref()))
            .map(Self::wrap)
            .map_err(to_py)
    }

    /// Reads bytes held in memory (copied once from the Python object).
    #[staticmethod]
    #[pyo3(signature = (data, format=None, option=None))]
    fn from_bytes(
        py: Python<'_>,
        data: Vec<u8>,
        format: Option<String>,
        option: Option<Options>,
    ) -> PyResult<Self> {
        py.detach(|| {
            StreamReader::from_reader_with(Cursor::new(data), format.as_deref(), option.as_ref())
        })
        .map(Self::wrap)
        .map_err(to_py)
    }

    /// Reads a Python file-like object (`read`, and `seek` when `seekable`).
    #[staticmethod]
    #[pyo3(signature = (obj, seekable, format=None, option=None))]
    fn from_file(
        py: Python<'_>,
        obj: Py<PyAny>,
        seekable: bool,
        format: Option<String>,
        option: Option<Options>,
    ) -> PyResult<Self> {
        let file = PyFile::new(obj);
        py.detach(|| {
            if seekable {
                StreamReader::from_reader_with(file, format.as_deref(), option.as_ref())
            } else {
                StreamReader::from_stream_with(file, format.as_deref(), option.as_ref())
            }
        })
        .map(Self::wrap)
        .map_err(to_py)
    }

    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (frames_per_chunk, buffer_chunk_size, stream_index=None, decoder=None,
                        decoder_option=None, format=None, sample_rate=None, num_channels=None,
                        effect=None))]
    fn add_audio_stream(
        &self,
        py: Python<'_>,
        frames_per_chunk: usize,
        buffer_chunk_size: usize,
        stream_index: Option<usize>,
        decoder: Option<String>,
        decoder_option: Option<Options>,
        format: Option<String>,
        sample_rate: Option<u32>,
        num_channels: Option<usize>,
        effect: Option<PyRef<'_, crate::effects::NativeEffector>>,
    ) -> PyResult<usize> {
        let mut opts =
            AudioStreamOptions::new(frames_per_chunk).buffer_chunk_size(buffer_chunk_size);
        if let Some(i) = stream_index {
            opts = opts.stream_index(i);
        }
        if let Some(d) = &decoder {
            opts = opts.decoder(d);
        }
        for (k, v) in decoder_option.iter().flatten() {
            opts = opts.decoder_option(k, v);
        }
        if let Some(f) = &format {
            opts = opts.format(f);
        }
        if let Some(hz) = sample_rate {
            opts = opts.sample_rate(hz);
        }
        if let Some(n) = num_channels {
            opts = opts.num_channels(n);
        }
        if let Some(fx) = effect {
            opts = opts.effect(fx.effector.clone());
        }
        self.with(py, |r| r.add_audio_stream(opts))
    }

    /// `process_packet_with(timeout, backoff)`; `timeout` in seconds, `backoff` in ms.
    #[pyo3(signature = (timeout=None, backoff_ms=10.0))]
    fn process_packet(
        &self,
        py: Python<'_>,
        timeout: Option<f64>,
        backoff_ms: f64,
    ) -> PyResult<usize> {
        let duration = |what: &str, s: f64| {
            Duration::try_from_secs_f64(s).map_err(|_| {
                PyValueError::new_err(format!(
                    "{what} = {s}; allowed: a finite number of seconds >= 0, or None"
                ))
            })
        };
        let timeout = timeout.map(|t| duration("timeout", t)).transpose()?;
        let backoff = duration("backoff", backoff_ms / 1000.0)?;
        self.with(py, |r| r.process_packet_with(timeout, backoff))
    }

    fn process_all_packets(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, StreamReader::process_all_packets)
    }

    fn fill_buffer(&self, py: Python<'_>) -> PyResult<usize> {
        self.with(py, StreamReader::fill_buffer)
    }

    fn is_buffer_ready(&self) -> PyResult<bool> {
        self.peek(StreamReader::is_buffer_ready)
    }

    /// One `(array, pts)` or `None` per output, output `i`'s array of sample type
    /// `formats[i]` (one format for every output, or one each).
    fn pop_chunks<'py>(
        &self,
        py: Python<'py>,
        formats: Vec<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let formats = self.formats_per_output(&formats)?;
        let popped = self.with(py, |r| pop_typed(r, &formats))?;
        popped_to_py(py, popped)
    }

    /// The next item of `stream()` (nothing dropped), each output's arrays of sample type
    /// `formats[i]` as in `pop_chunks`, or `None` at the end.
    fn stream_next<'py>(
        &self,
        py: Python<'py>,
        formats: Vec<String>,
    ) -> PyResult<Option<Bound<'py, PyList>>> {
        let formats = self.formats_per_output(&formats)?;
        let popped = self.with(py, |r| {
            if r.chunks_due()? {
                pop_typed(r, &formats).map(Some)
            } else {
                Ok(None)
            }
        })?;
        popped.map(|p| popped_to_py(py, p)).transpose()
    }

    fn seek(&self, py: Python<'_>, timestamp: f64) -> PyResult<()> {
        self.with(py, |r| r.seek(timestamp))
    }

    fn get_metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = self.peek(StreamReader::get_metadata)?;
        let d = PyDict::new(py);
        d.set_item("sample_rate", m.sample_rate)?;
        d.set_item("num_channels", m.num_channels)?;
        d.set_item("num_frames", m.num_frames)?;
        d.set_item("duration", m.duration)?;
        d.set_item("duration_estimated", m.duration_estimated)?;
        d.set_item("codec", m.codec)?;
        d.set_item("format", m.format)?;
        d.set_item("bit_rate", m.bit_rate)?;
        d.set_item("bits_per_sample", m.bits_per_sample)?;
        d.set_item("tags", m.tags)?;
        Ok(d)
    }

    fn get_src_stream_info<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyDict>> {
        let s = self.peek(|r| r.get_src_stream_info(i))?.map_err(to_py)?;
        let d = PyDict::new(py);
        d.set_item("index", s.index)?;
        d.set_item("media_type", s.media_type.as_str())?;
        d.set_item("codec", s.codec)?;
        d.set_item("codec_long_name", s.codec_long_name)?;
        d.set_item("sample_rate", s.sample_rate)?;
        d.set_item("num_channels", s.num_channels)?;
        d.set_item("num_frames", s.num_frames)?;
        d.set_item("duration", s.duration)?;
        d.set_item("duration_estimated", s.duration_estimated)?;
        d.set_item("bit_rate", s.bit_rate)?;
        d.set_item("bits_per_sample", s.bits_per_sample)?;
        d.set_item("language", s.language)?;
        d.set_item("tags", s.tags)?;
        Ok(d)
    }

    fn get_out_stream_info<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyDict>> {
        let o = self.peek(|r| r.get_out_stream_info(i))?.map_err(to_py)?;
        let d = PyDict::new(py);
        d.set_item("source_index", o.source_index)?;
        d.set_item("sample_rate", o.sample_rate)?;
        d.set_item("num_channels", o.num_channels)?;
        d.set_item("frames_per_chunk", o.frames_per_chunk)?;
        d.set_item("buffer_chunk_size", o.buffer_chunk_size)?;
        d.set_item("converted", o.converted)?;
        Ok(d)
    }

    #[getter]
    fn num_src_streams(&self) -> PyResult<usize> {
        self.peek(StreamReader::num_src_streams)
    }

    #[getter]
    fn num_out_streams(&self) -> PyResult<usize> {
        self.peek(StreamReader::num_out_streams)
    }

    #[getter]
    fn default_audio_stream(&self) -> PyResult<Option<usize>> {
        self.peek(StreamReader::default_audio_stream)
    }

    /// In a child process after `fork()`: gives up the StreamReader without running its destructor
    /// (see `Shared::forget_after_fork`). `False` when a thread held it at the fork.
    fn forget_after_fork(&self) -> bool {
        self.inner.forget_after_fork()
    }

    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Closes the reader; closing again does nothing (as Python files).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let reader = self.inner.take(py);
        reader.map_or(Ok(()), |r| r.close().map_err(to_py))
    }
}

/// A chunk popped in the sample type its output asked for.
enum Popped {
    F32(Chunk<f32>),
    F64(Chunk<f64>),
    S16(Chunk<i16>),
    S32(Chunk<i32>),
    U8(Chunk<u8>),
}

/// Pops one chunk from each output `i` in sample type `formats[i]`.
fn pop_typed(
    r: &mut StreamReader,
    formats: &[SampleFormat],
) -> audiostream::Result<Vec<Option<Popped>>> {
    formats
        .iter()
        .enumerate()
        .map(|(i, f)| {
            Ok(match f {
                SampleFormat::F32 => r.pop_chunk_as::<f32>(i)?.map(Popped::F32),
                SampleFormat::F64 => r.pop_chunk_as::<f64>(i)?.map(Popped::F64),
                SampleFormat::S16 => r.pop_chunk_as::<i16>(i)?.map(Popped::S16),
                SampleFormat::S24 | SampleFormat::S32 => r.pop_chunk_as::<i32>(i)?.map(Popped::S32),
                SampleFormat::U8 => r.pop_chunk_as::<u8>(i)?.map(Popped::U8),
            })
        })
        .collect()
}

/// Popped chunks as Python `(array, pts)` tuples, `None` where an output had none.
fn popped_to_py<'py>(py: Python<'py>, popped: Vec<Option<Popped>>) -> PyResult<Bound<'py, PyList>> {
    let items = popped
        .into_iter()
        .map(|c| match c {
            Some(Popped::F32(c)) => chunk_to_py(py, c),
            Some(Popped::F64(c)) => chunk_to_py(py, c),
            Some(Popped::S16(c)) => chunk_to_py(py, c),
            Some(Popped::S32(c)) => chunk_to_py(py, c),
            Some(Popped::U8(c)) => chunk_to_py(py, c),
            None => Ok(py.None().into_bound(py)),
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}
