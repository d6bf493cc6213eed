//! Effects, resampling, `functional.overdrive` and `play_audio`, each running with the GIL
//! released.

use crate::arrays::{array_to_py, f32_input};
use crate::errors::to_py;
use audiostream::ndarray::{Array2, ArrayView2};
use audiostream::transforms::Resample;
use audiostream::{AudioEffector, EffectStream};
use pyo3::prelude::*;
use std::sync::Mutex;

/// An [`AudioEffector`] (a chain of SoX effects).
#[pyclass(module = "audiostream._native", frozen)]
pub struct NativeEffector {
    pub effector: AudioEffector,
}

#[pymethods]
impl NativeEffector {
    /// One effect with positional arguments and named parameters, or (no arguments and no
    /// parameters) a SoX-style chain such as `"reverb 50 50 100 chorus 0.7 0.9 55 0.4 0.25 2 -t"`.
    #[new]
    #[pyo3(signature = (effect, args=Vec::new(), params=Vec::new()))]
    fn new(effect: &str, args: Vec<f64>, params: Vec<(String, f64)>) -> PyResult<Self> {
        let effector = if args.is_empty() && params.is_empty() {
            effect.parse::<AudioEffector>()
        } else {
            AudioEffector::new(effect, &args)
                .and_then(|fx| params.iter().try_fold(fx, |fx, (k, v)| fx.param(k, *v)))
        }
        .map_err(to_py)?;
        Ok(NativeEffector { effector })
    }

    fn apply<'py>(
        &self,
        py: Python<'py>,
        waveform: &Bound<'py, PyAny>,
        sample_rate: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = f32_input(waveform, "waveform")?;
        let out = py
            .detach(|| self.effector.apply(input.view(), sample_rate))
            .map_err(to_py)?;
        Ok(array_to_py(py, out))
    }

    fn stream(&self, sample_rate: u32, num_channels: usize) -> PyResult<NativeEffectStream> {
        let stream = self
            .effector
            .stream(sample_rate, num_channels)
            .map_err(to_py)?;
        Ok(NativeEffectStream {
            inner: Mutex::new(stream),
        })
    }
}

/// A stateful [`EffectStream`].
#[pyclass(module = "audiostream._native")]
pub struct NativeEffectStream {
    inner: Mutex<EffectStream>,
}

#[pymethods]
impl NativeEffectStream {
    fn process<'py>(
        &self,
        py: Python<'py>,
        chunk: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        process_locked(py, &self.inner, chunk, "chunk")
    }

    fn flush<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        flush_locked(py, &self.inner)
    }
}

/// A stateful [`Resample`] for a fixed channel count.
#[pyclass(module = "audiostream._native")]
pub struct NativeResample {
    inner: Mutex<Resample>,
}

#[pymethods]
impl NativeResample {
    #[new]
    fn new(orig_hz: u32, new_hz: u32, num_channels: usize) -> PyResult<Self> {
        let inner = Resample::new(orig_hz, new_hz, num_channels).map_err(to_py)?;
        Ok(NativeResample {
            inner: Mutex::new(inner),
        })
    }

    fn process<'py>(
        &self,
        py: Python<'py>,
        chunk: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        process_locked(py, &self.inner, chunk, "waveform")
    }

    fn flush<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        flush_locked(py, &self.inner)
    }
}

/// What the two stateful Python classes wrap: a stream that takes chunks and gives a tail at
/// the end ([`EffectStream`] and [`Resample`] have these two methods, by these names, in the
/// library; this trait lets one pair of functions below serve both classes).
trait ChunkStream: Send {
    fn process_chunk(&mut self, chunk: ArrayView2<'_, f32>) -> audiostream::Result<Array2<f32>>;
    fn flush_stream(&mut self) -> audiostream::Result<Array2<f32>>;
}

impl ChunkStream for EffectStream {
    fn process_chunk(&mut self, chunk: ArrayView2<'_, f32>) -> audiostream::Result<Array2<f32>> {
        self.process(chunk)
    }
    fn flush_stream(&mut self) -> audiostream::Result<Array2<f32>> {
        self.flush()
    }
}

impl ChunkStream for Resample {
    fn process_chunk(&mut self, chunk: ArrayView2<'_, f32>) -> audiostream::Result<Array2<f32>> {
        self.process(chunk)
    }
    fn flush_stream(&mut self) -> audiostream::Result<Array2<f32>> {
        self.flush()
    }
}

/// `process` of a stream shared with Python threads: the input is copied while the GIL is
/// held, then processed with the GIL released (a poisoned lock is taken over: the stream's own
/// state says whether it can go on, by its errors).
fn process_locked<'py, S: ChunkStream>(
    py: Python<'py>,
    stream: &Mutex<S>,
    chunk: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let input = f32_input(chunk, what)?;
    let out = py
        .detach(|| {
            let mut s = stream.lock().unwrap_or_else(|e| e.into_inner());
            s.process_chunk(input.view())
        })
        .map_err(to_py)?;
    Ok(array_to_py(py, out))
}

/// `flush` of a stream shared with Python threads, with the GIL released.
fn flush_locked<'py, S: ChunkStream>(
    py: Python<'py>,
    stream: &Mutex<S>,
) -> PyResult<Bound<'py, PyAny>> {
    let out = py
        .detach(|| {
            stream
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .flush_stream()
        })
        .map_err(to_py)?;
    Ok(array_to_py(py, out))
}

/// `functional.overdrive` on a `(channels, frames)` float32 array.
#[pyfunction]
pub fn overdrive<'py>(
    py: Python<'py>,
    waveform: &Bound<'py, PyAny>,
    gain: f64,
    colour: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let input = f32_input(waveform, "waveform")?;
    let out = py.detach(|| audiostream::functional::overdrive(input.view(), gain, colour));
    Ok(array_to_py(py, out))
}

/// `play_audio` on the default output device; blocks (GIL released) until played.
#[pyfunction]
pub fn play_audio(
    py: Python<'_>,
    waveform: &Bound<'_, PyAny>,
    sample_rate: u32,
    normalize: bool,
    channels_first: bool,
) -> PyResult<()> {
    let input = f32_input(waveform, "waveform")?;
    py.detach(|| audiostream::play_audio(input.view(), sample_rate, normalize, channels_first))
        .map_err(to_py)
}
