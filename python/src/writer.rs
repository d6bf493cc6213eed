//! `NativeWriter`: a [`StreamWriter`] shared with Python threads (`crate::shared`: encoding
//! runs with the GIL released).

use crate::arrays::describe;
use crate::errors::to_py;
use crate::pyfile::PyFile;
use crate::shared::Shared;
use audiostream::ndarray::Array2;
use audiostream::{AudioEncodeOptions, CodecConfig, Options, Pts, StreamWriter};
use numpy::PyReadonlyArray2;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::ffi::OsString;

/// The writer of one `audiostream.io.StreamWriter`.
#[pyclass(module = "audiostream._native")]
pub struct NativeWriter {
    inner: Shared<StreamWriter>,
}

/// `CodecConfig` fields in the order of the Python dataclass.
type CodecFields = (
    Option<u32>,
    Option<i32>,
    Option<f32>,
    Option<i32>,
    Option<i32>,
    Option<u32>,
    Option<u32>,
);

/// A chunk copied out of its NumPy array, in one of the sample types the writer takes.
enum Samples {
    F32(Array2<f32>),
    F64(Array2<f64>),
    S16(Array2<i16>),
    S32(Array2<i32>),
    U8(Array2<u8>),
}

impl Samples {
    fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        macro_rules! try_as {
            ($t:ty, $v:ident) => {
                if let Ok(a) = obj.extract::<PyReadonlyArray2<'_, $t>>() {
                    return Ok(Samples::$v(a.as_array().to_owned()));
                }
            };
        }
        try_as!(f32, F32);
        try_as!(f64, F64);
        try_as!(i16, S16);
        try_as!(i32, S32);
        try_as!(u8, U8);
        Err(PyValueError::new_err(format!(
            "chunk = {}; allowed: a 2-D array of float32, float64, int16, int32 or uint8",
            describe(obj)
        )))
    }
}

impl NativeWriter {
    fn wrap(w: StreamWriter) -> Self {
        NativeWriter {
            inner: Shared::new(w, "StreamWriter"),
        }
    }

    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut StreamWriter) -> audiostream::Result<T> + Send,
    ) -> PyResult<T> {
        self.inner.with(py, f)
    }
}

#[pymethods]
impl NativeWriter {
    /// Creates a path (or `-`, an Icecast URL, a device).
    #[staticmethod]
    #[pyo3(signature = (dst, format=None, option=None))]
    fn open(
        py: Python<'_>,
        dst: OsString,
        format: Option<String>,
        option: Option<Options>,
    ) -> PyResult<Self> {
        py.detach(|| StreamWriter::new(&dst, format.as_deref(), option.as_ref()))
            .map(Self::wrap)
            .map_err(to_py)
    }

    /// Writes into a Python file-like object (`write`, and `seek` when `seekable`).
    #[staticmethod]
    fn to_file(py: Python<'_>, obj: Py<PyAny>, seekable: bool, format: String) -> PyResult<Self> {
        let file = PyFile::new(obj);
        py.detach(|| {
            if seekable {
                StreamWriter::from_seekable(file, &format)
            } else {
                StreamWriter::from_writer(file, &format)
            }
        })
        .map(Self::wrap)
        .map_err(to_py)
    }

    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (sample_rate, num_channels, format, encoder=None, codec_config=None,
                        encoder_option=None, encoder_sample_rate=None, encoder_num_channels=None,
                        encoder_format=None, effect=None))]
    fn add_audio_stream(
        &self,
        py: Python<'_>,
        sample_rate: u32,
        num_channels: usize,
        format: String,
        encoder: Option<String>,
        codec_config: Option<CodecFields>,
        encoder_option: Option<Options>,
        encoder_sample_rate: Option<u32>,
        encoder_num_channels: Option<usize>,
        encoder_format: Option<String>,
        effect: Option<PyRef<'_, crate::effects::NativeEffector>>,
    ) -> PyResult<usize> {
        let mut opts = AudioEncodeOptions::new(sample_rate, num_channels).format(&format);
        if let Some(e) = &encoder {
            opts = opts.encoder(e);
        }
        if let Some((br, cl, q, qmin, qmax, tol, buf)) = codec_config {
            opts = opts.codec_config(CodecConfig {
                bit_rate: br,
                compression_level: cl,
                qscale: q,
                qmin,
                qmax,
                bit_rate_tolerance: tol,
                buffer_size: buf,
            });
        }
        for (k, v) in encoder_option.iter().flatten() {
            opts = opts.encoder_option(k, v);
        }
        if let Some(hz) = encoder_sample_rate {
            opts = opts.encoder_sample_rate(hz);
        }
        if let Some(n) = encoder_num_channels {
            opts = opts.encoder_num_channels(n);
        }
        if let Some(f) = &encoder_format {
            opts = opts.encoder_format(f);
        }
        if let Some(fx) = effect {
            opts = opts.effect(fx.effector.clone());
        }
        self.with(py, |w| w.add_audio_stream_with(opts))
    }

    /// Writes a `(channels, frames)` array; `pts` in frames or in seconds (not both).
    #[pyo3(signature = (stream_index, chunk, pts_frames=None, pts_seconds=None))]
    fn write_audio_chunk(
        &self,
        py: Python<'_>,
        stream_index: usize,
        chunk: &Bound<'_, PyAny>,
        pts_frames: Option<i64>,
        pts_seconds: Option<f64>,
    ) -> PyResult<()> {
        let pts = match (pts_frames, pts_seconds) {
            (Some(f), _) => Pts::Frames(f),
            (None, Some(s)) => Pts::Seconds(s),
            (None, None) => Pts::Next,
        };
        let samples = Samples::extract(chunk)?;
        self.with(py, |w| match &samples {
            Samples::F32(a) => w.write_audio_chunk(stream_index, a.view(), pts),
            Samples::F64(a) => w.write_audio_chunk(stream_index, a.view(), pts),
            Samples::S16(a) => w.write_audio_chunk(stream_index, a.view(), pts),
            Samples::S32(a) => w.write_audio_chunk(stream_index, a.view(), pts),
            Samples::U8(a) => w.write_audio_chunk(stream_index, a.view(), pts),
        })
    }

    fn set_metadata(&self, py: Python<'_>, tags: Options) -> PyResult<()> {
        self.with(py, |w| w.set_metadata(tags))
    }

    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, StreamWriter::flush)
    }

    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.with(py, |w| Ok(w.stats()))?;
        let d = PyDict::new(py);
        d.set_item("frames_written", s.frames_written)?;
        d.set_item("silence_frames", s.silence_frames)?;
        d.set_item("clipped_samples", s.clipped_samples)?;
        d.set_item("encoded_frames", s.encoded_frames)?;
        Ok(d)
    }

    /// In a child process after `fork()`: gives up the StreamWriter without running its destructor
    /// (see `Shared::forget_after_fork`). `False` when a thread held it at the fork.
    fn forget_after_fork(&self) -> bool {
        self.inner.forget_after_fork()
    }

    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Finalizes the output (with the GIL released: the encoder's last frames and the
    /// header's rewrite can take a while); closing again does nothing.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let writer = self.inner.take(py);
        py.detach(|| writer.map_or(Ok(()), |w| w.close().map_err(to_py)))
    }
}
