"""Transforms with torchaudio's names: :class:`Resample`."""

from __future__ import annotations

import numbers
from typing import Any, Optional

import numpy as np

from . import _array
from ._native import NativeResample

__all__ = ["Resample"]


class Resample:
    """Resamples ``(channels, time)`` (or ``(time,)``) audio from ``orig_freq`` to
    ``new_freq`` Hz (seed: ``torchaudio.transforms.Resample(orig, new)``; call it on each
    chunk).

    Unlike torchaudio's stateless transform it keeps its filter state between calls, so a
    signal fed in chunks comes out as if fed whole, with no clicks at chunk borders; the first
    calls return a little less (the filter's delay) and :meth:`flush` returns the rest, for a
    total of ``round(frames * new_freq / orig_freq)``. The channel count is fixed by the first
    call (:meth:`reset` starts a new signal). Floats only (float32 in, float32 out; float64
    comes back float64). The GIL is released while it runs.

    >>> r = Resample(48000, 16000)
    >>> sum(r(np.zeros((1, 4800), np.float32)).shape[1] for _ in range(10)) + r.flush().shape[1]
    16000
    """

    def __init__(self, orig_freq: int = 16000, new_freq: int = 16000, **kwargs: Any) -> None:
        for name, value in (("orig_freq", orig_freq), ("new_freq", new_freq)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or value <= 0 or int(value) != value:
                raise ValueError(f"{name} = {value!r}; allowed: a positive whole number of Hz")
        if kwargs:
            # torchaudio's resampling_method, lowpass_filter_width, rolloff, beta, dtype:
            # audiostream has one resampler (rubato's sinc), so none of them applies.
            raise ValueError(
                f"{', '.join(sorted(kwargs))}: not supported; allowed: orig_freq and new_freq only "
                "(audiostream has one sinc resampler)"
            )
        self.orig_freq = int(orig_freq)
        self.new_freq = int(new_freq)
        self._native: Optional[NativeResample] = None
        self._channels = 0
        self._like: Any = None
        self._dtype: Any = None

    def __call__(self, waveform: Any) -> Any:
        """Resamples the next chunk of the signal."""
        a = _array.as_array(waveform, "waveform")
        one_d = a.ndim == 1
        if one_d:
            a = a[None, :]
        elif a.ndim != 2:
            raise ValueError(f"waveform has shape {a.shape}; allowed: (time,) or (channels, time)")
        if a.dtype.type not in (np.float32, np.float64):
            raise ValueError(f"waveform has dtype {a.dtype}; allowed: float32, float64")
        self._like, self._dtype, self._one_d = waveform, a.dtype, one_d
        if self.orig_freq == self.new_freq:
            return waveform
        if self._native is None:
            self._native = NativeResample(self.orig_freq, self.new_freq, a.shape[0])
            self._channels = a.shape[0]
        elif a.shape[0] != self._channels:
            raise ValueError(
                f"waveform has {a.shape[0]} channels; allowed: {self._channels}, the channels of "
                "the first chunk (call reset() to start a new signal)"
            )
        return self._out(self._native.process(np.ascontiguousarray(a, dtype=np.float32)))

    forward = __call__

    def flush(self) -> Any:
        """The frames still in the filter after the last chunk; then a new signal can start."""
        if self._native is None:
            return _array.to_output(np.zeros((max(1, self._channels), 0), np.float32), self._like)
        return self._out(self._native.flush())

    def reset(self) -> None:
        """Forgets the signal so far (its tail included) and the channel count."""
        self._native = None
        self._channels = 0

    def _out(self, out: np.ndarray) -> Any:
        if self._dtype is not None and self._dtype.type is np.float64:
            out = out.astype(np.float64)
        if getattr(self, "_one_d", False):
            out = out[0]
        return _array.to_output(out, self._like)

    def __repr__(self) -> str:
        return f"Resample(orig_freq={self.orig_freq}, new_freq={self.new_freq})"
