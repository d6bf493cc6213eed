"""Array types in and out.

Out: a chunk is a ``torch.Tensor`` when torch is importable (``torch.from_numpy`` on the array
that owns the decoded buffer: no copy), else a :class:`Chunk`, a NumPy array that also speaks
the few ``torch.Tensor`` idioms torchaudio code uses on chunks. Either carries ``.pts``, the
time of its first frame in seconds. Set ``AUDIOSTREAM_ARRAY=numpy`` to get NumPy chunks even
with torch installed.

In: NumPy arrays, torch tensors (through ``.detach().cpu().numpy()``) and anything with
``__array__``.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any, Optional

import numpy as np

#: dtypes the writer, the effects and play_audio take.
SAMPLE_DTYPES = (np.float32, np.float64, np.int16, np.int32, np.uint8)

_torch: Any = None
_use_torch: Optional[bool] = None


def torch_enabled() -> bool:
    """Whether chunks come out as torch tensors (torch importable, not disabled)."""
    global _torch, _use_torch
    if _use_torch is None:
        wanted = os.environ.get("AUDIOSTREAM_ARRAY", "").lower() != "numpy"
        _use_torch = wanted and importlib.util.find_spec("torch") is not None
        if _use_torch:
            import torch  # noqa: PLC0415 (imported on first use: torch takes a second to import)

            _torch = torch
    return _use_torch


_MISSING = object()


class Chunk(np.ndarray):
    """A NumPy array with ``.pts`` (seconds) and the ``torch.Tensor`` idioms chunks meet in
    torchaudio code: ``.numpy()``, ``mean/sum(dim=, keepdim=)``, ``repeat(*sizes)``
    (``torch.Tensor.repeat``, i.e. ``np.tile``; NumPy's ``np.repeat(chunk, n, axis=...)`` still
    works), ``dim()``, ``clone()``, ``contiguous()``, ``unsqueeze(d)``.

    >>> c = Chunk(np.zeros((2, 4), np.float32), pts=1.5)
    >>> c.mean(dim=0, keepdim=True).shape, c.repeat(2, 1).shape, c.pts
    ((1, 4), (4, 4), 1.5)
    """

    pts: Optional[float]

    def __new__(cls, array: Any, pts: Optional[float] = None) -> "Chunk":
        obj = np.asarray(array).view(cls)
        obj.pts = pts
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.pts = getattr(obj, "pts", None)

    def __reduce__(self):  # type: ignore[override]
        fn, args, state = super().__reduce__()[:3]
        return fn, args, (state, self.pts)

    def __setstate__(self, state):  # type: ignore[override]
        base, self.pts = state
        super().__setstate__(base)

    def __repr__(self) -> str:
        return f"Chunk({np.asarray(self)!r}, pts={self.pts!r})"

    def numpy(self) -> np.ndarray:
        """The plain NumPy array (a view, no copy)."""
        return self.view(np.ndarray)

    def _reduce(self, name, axis, dtype, out, keepdims, dim, keepdim, kwargs):
        if dim is not None:
            axis = dim
        if keepdim is not None:
            keepdims = keepdim
        return getattr(np.ndarray, name)(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kwargs)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, *, dim=None, keepdim=None, **kwargs):  # type: ignore[override]
        """NumPy's ``mean``, also with torch's ``dim=`` and ``keepdim=``."""
        return self._reduce("mean", axis, dtype, out, keepdims, dim, keepdim, kwargs)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, *, dim=None, keepdim=None, **kwargs):  # type: ignore[override]
        """NumPy's ``sum``, also with torch's ``dim=`` and ``keepdim=``."""
        return self._reduce("sum", axis, dtype, out, keepdims, dim, keepdim, kwargs)

    def repeat(self, *sizes, axis=_MISSING):  # type: ignore[override]
        """``torch.Tensor.repeat(*sizes)`` (tiles the array); with ``axis=`` (as
        ``np.repeat`` calls it), NumPy's element repeat."""
        if axis is not _MISSING:
            return np.ndarray.repeat(self, sizes[0], axis=axis)
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        if len(sizes) < self.ndim:
            raise ValueError(
                f"repeat sizes = {sizes}; allowed: at least {self.ndim} sizes, one per dimension "
                "(torch's Tensor.repeat; np.repeat(chunk, n, axis=...) repeats elements)"
            )
        # On the plain array: np.tile calls .repeat(n, axis) positionally.
        return np.tile(self.view(np.ndarray), sizes).view(Chunk)

    def dim(self) -> int:
        """Number of dimensions (``torch.Tensor.dim``)."""
        return self.ndim

    def clone(self) -> "Chunk":
        """A copy (``torch.Tensor.clone``)."""
        return self.copy()

    def contiguous(self) -> "Chunk":
        """A C-contiguous array (a copy only when needed)."""
        return np.ascontiguousarray(self).view(Chunk)

    def unsqueeze(self, dim: int) -> "Chunk":
        """A new axis of size 1 at ``dim`` (``torch.Tensor.unsqueeze``)."""
        return np.expand_dims(self, dim)


def to_chunk(array: np.ndarray, pts: Optional[float]) -> Any:
    """A decoded array as the chunk type users get (torch tensor or :class:`Chunk`)."""
    if torch_enabled():
        tensor = _torch.from_numpy(array)
        tensor.pts = pts
        return tensor
    return Chunk(array, pts)


def to_output(array: np.ndarray, like: Any = None) -> Any:
    """A computed array (effects, resampling) as a torch tensor when the input was one, else
    NumPy (a :class:`Chunk` without pts when the input was a Chunk)."""
    if _torch is not None and isinstance(like, _torch.Tensor):
        return _torch.from_numpy(array)
    if isinstance(like, Chunk):
        return Chunk(array, None)
    return array


def as_array(x: Any, what: str) -> np.ndarray:
    """A NumPy view of a NumPy array, a torch tensor or an array-like."""
    if isinstance(x, np.ndarray):
        return x.view(np.ndarray) if type(x) is not np.ndarray else x
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # torch.Tensor, without importing torch
        return x.detach().cpu().numpy()
    try:
        return np.asarray(x)
    except Exception as e:  # noqa: BLE001 (re-raised with our message)
        raise ValueError(f"{what} = {type(x).__name__}; allowed: a NumPy array or a torch tensor") from e


def as_2d(x: Any, what: str, channels_first: bool = True) -> np.ndarray:
    """A ``(channels, frames)`` array of one of :data:`SAMPLE_DTYPES`, from channels-first
    input (or ``(frames, channels)`` when ``channels_first`` is false)."""
    a = as_array(x, what)
    if a.ndim != 2:
        layout = "(channels, frames)" if channels_first else "(frames, channels)"
        raise ValueError(f"{what} has shape {a.shape}; allowed: a 2-D array {layout}")
    if a.dtype.type not in SAMPLE_DTYPES:
        raise ValueError(
            f"{what} has dtype {a.dtype}; allowed: float32, float64, int16, int32, uint8"
        )
    return a if channels_first else a.T


def as_float32(a: np.ndarray) -> np.ndarray:
    """Samples as float32 in [-1, 1], integers scaled as FFmpeg converts them (u8 offset by
    128, s16 / 2**15, s32 / 2**31)."""
    t = a.dtype.type
    if t is np.float32:
        return a
    if t is np.float64:
        return a.astype(np.float32)
    if t is np.int16:
        return (a.astype(np.float32) / 32768.0).astype(np.float32)
    if t is np.int32:
        return (a.astype(np.float64) / 2147483648.0).astype(np.float32)
    if t is np.uint8:
        return ((a.astype(np.float32) - 128.0) / 128.0).astype(np.float32)
    raise ValueError(f"dtype {a.dtype}; allowed: float32, float64, int16, int32, uint8")
