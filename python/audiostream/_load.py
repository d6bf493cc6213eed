"""``audiostream.load``: a whole file (or an excerpt) in one call, as ``torchaudio.load`` and
``soundfile.read`` do; the Rust ``audiostream::load_with`` / ``load_bytes_with``."""

from __future__ import annotations

import os
from typing import Any, Optional, Tuple, Union

from . import _array
from ._native import load as _load

__all__ = ["load"]


def load(
    src: Union[str, os.PathLike, bytes, bytearray, memoryview, Any],
    sample_rate: Optional[int] = None,
    num_channels: Optional[int] = None,
    start: float = 0.0,
    duration: Optional[float] = None,
    channels_first: bool = True,
    threads: Optional[int] = None,
    format: Optional[str] = None,
) -> Tuple[Any, int]:
    """Decodes a file into one ``float32`` array: ``(waveform, sample_rate)``.

    ``src`` is a path, the bytes of a file (``bytes`` are read in place; other buffers are
    copied once), or a binary file object (read whole). ``sample_rate`` / ``num_channels``
    convert as a reader's output does (resampling, remix); ``start`` and ``duration`` (seconds)
    cut an excerpt exact to the sample; ``threads`` bounds the threads a long seekable file is
    decoded on (default every core; the result is the same); ``format`` forces the container
    (e.g. ``"mp3"``). The waveform is ``(channels, time)`` (``channels_first=False``:
    ``(time, channels)``), a torch tensor when torch is importable, NumPy otherwise. The GIL is
    released while decoding.

    >>> import io, wave
    >>> b = io.BytesIO()
    >>> with wave.open(b, "wb") as w:
    ...     w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    ...     w.writeframes(bytes([0, 0, 0, 64]))
    >>> waveform, rate = load(b.getvalue())
    >>> (tuple(waveform.shape), rate, float(waveform[0, 1]))
    ((1, 2), 8000, 0.5)
    """
    if hasattr(src, "read") and not isinstance(src, (str, bytes, os.PathLike)):
        src = src.read()
        if not isinstance(src, (bytes, bytearray, memoryview)):
            raise ValueError(f"src.read() gave {type(src).__name__}; a binary file object gives bytes")
    if isinstance(src, (bytearray, memoryview)):
        src = bytes(src)
    audio, rate = _load(
        src,
        sample_rate=sample_rate,
        num_channels=num_channels,
        start=float(start),
        duration=None if duration is None else float(duration),
        threads=threads,
        format=format,
    )
    if not channels_first:
        audio = audio.T
    if _array.torch_enabled():
        return _array._torch.from_numpy(audio), rate
    return audio, rate
