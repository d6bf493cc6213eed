"""Functions with torchaudio's names: :func:`overdrive`."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _array
from ._native import overdrive as _overdrive

__all__ = ["overdrive"]


def overdrive(waveform: Any, gain: float = 20, colour: float = 20) -> Any:
    """SoX's ``overdrive gain colour`` (torchaudio's ``functional.overdrive``) on
    ``(..., time)`` float audio: the same curve as ``AudioEffector("overdrive", gain, colour)``,
    output clamped to ``[-1, 1]``. Returns the input's type, dtype and shape. The GIL is
    released while it runs.

    >>> overdrive(np.zeros((2, 8), np.float32), gain=10, colour=20).shape
    (2, 8)
    """
    a = _array.as_array(waveform, "waveform")
    if a.dtype.type not in (np.float32, np.float64):
        raise ValueError(f"waveform has dtype {a.dtype}; allowed: float32, float64")
    shape = a.shape
    if a.ndim == 0:
        raise ValueError("waveform has shape (); allowed: (..., time)")
    flat = np.ascontiguousarray(a.reshape(-1, shape[-1]), dtype=np.float32)
    out = _overdrive(flat, float(gain), float(colour)).reshape(shape)
    if a.dtype.type is np.float64:
        out = out.astype(np.float64)
    return _array.to_output(out, waveform)
