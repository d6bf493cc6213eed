"""audiostream: the ``torchaudio.io`` streaming API without FFmpeg.

``import audiostream as torchaudio`` and ``from audiostream.io import StreamReader,
StreamWriter`` are the only changes torchaudio code needs: :mod:`audiostream.io`
(``StreamReader``, ``StreamWriter``, ``CodecConfig``, ``AudioEffector``, ``play_audio``),
:mod:`audiostream.transforms` (``Resample``) and :mod:`audiostream.functional`
(``overdrive``), and :func:`load`, the one-call load of a whole file or of its bytes.

Errors: ``ValueError`` for bad arguments (:class:`UnsupportedError` is one, for what
audiostream does not support), ``OSError`` for I/O (``FileNotFoundError``...),
:class:`NetworkError` and :class:`DeviceError` (both ``OSError``), ``TimeoutError``,
:class:`DecodeError` and :class:`EncodeError` (both ``RuntimeError``, as torchaudio raised),
:class:`ClosedError` (a ``ValueError``) after ``close()``.
"""

from ._native import (
    ClosedError,
    DecodeError,
    DeviceError,
    EncodeError,
    NetworkError,
    UnsupportedError,
    __version__,
)
from . import data, functional, io, transforms  # noqa: E402  (after the native module)
from ._array import Chunk
from ._load import load

__all__ = [
    "load",
    "io",
    "data",
    "functional",
    "transforms",
    "Chunk",
    "DecodeError",
    "EncodeError",
    "UnsupportedError",
    "DeviceError",
    "NetworkError",
    "ClosedError",
    "__version__",
]
