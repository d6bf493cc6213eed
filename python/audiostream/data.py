"""Datasets over lists of audio files: :class:`AudioFileDataset`, an iterable dataset (a
``torch.utils.data.IterableDataset`` when torch is importable) that decodes each file to a
fixed sample rate and channel count, and splits the list across DataLoader workers and
distributed ranks by itself, so every file is read exactly once per epoch.

>>> ds = AudioFileDataset(["a.flac", "b.mp3"], sample_rate=16000, num_channels=1)  # doctest: +SKIP
>>> loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2)  # doctest: +SKIP
>>> for waveform, path in loader: ...  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _array
from .io import StreamReader

__all__ = ["AudioFileDataset", "shard_of"]

if importlib.util.find_spec("torch") is not None and os.environ.get("AUDIOSTREAM_ARRAY", "").lower() != "numpy":
    from torch.utils.data import IterableDataset as _Base
else:  # NumPy only: the same iteration protocol without torch's base class.
    _Base = object


def shard_of(explicit: Optional[Tuple[int, int]] = None) -> Tuple[int, int]:
    """``(index, count)`` of this reader among all: ``explicit`` when given, else the
    distributed rank (``torch.distributed``, or the ``RANK``/``WORLD_SIZE`` variables that
    torchrun, Slurm wrappers and Ray set) times the DataLoader workers of this process."""
    if explicit is not None:
        index, count = explicit
        if not (isinstance(index, int) and isinstance(count, int) and 0 <= index < count):
            raise ValueError(f"shard = {explicit!r}; allowed: (index, count) with 0 <= index < count")
        return index, count
    rank, world = 0, 1
    worker, workers = 0, 1
    if _Base is not object:
        import torch  # noqa: PLC0415

        if torch.distributed.is_available() and torch.distributed.is_initialized():
            rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
        info = torch.utils.data.get_worker_info()
        if info is not None:
            worker, workers = info.id, info.num_workers
    if world == 1 and "WORLD_SIZE" in os.environ:
        rank, world = int(os.environ.get("RANK", "0")), int(os.environ["WORLD_SIZE"])
    return rank * workers + worker, world * workers


class AudioFileDataset(_Base):  # type: ignore[misc, valid-type]
    """Iterates ``(waveform, path)`` over ``files`` (paths, or a text file with one path a
    line), each decoded whole, or in ``clip_frames``-frame pieces, at ``sample_rate`` Hz with
    ``num_channels`` channels (``None``: as the file is). Files are dealt round-robin across
    the shards :func:`shard_of` finds (file ``k`` goes to shard ``k % count``). A file that
    fails to decode raises, or with ``skip_errors=True`` is skipped (its error kept in
    :attr:`errors` of the iterating process)."""

    def __init__(
        self,
        files: Union[Sequence[Union[str, "os.PathLike[str]"]], str],
        sample_rate: Optional[int] = None,
        num_channels: Optional[int] = None,
        *,
        clip_frames: Optional[int] = None,
        shard: Optional[Tuple[int, int]] = None,
        skip_errors: bool = False,
    ) -> None:
        if isinstance(files, (str, os.PathLike)):
            with open(files, encoding="utf-8") as f:
                files = [line.strip() for line in f if line.strip()]
        self.files: List[str] = [os.fspath(p) for p in files]
        if clip_frames is not None and (not isinstance(clip_frames, int) or clip_frames < 1):
            raise ValueError(f"clip_frames = {clip_frames!r}; allowed: an integer >= 1, or None")
        self.sample_rate = sample_rate
        self.num_channels = num_channels
        self.clip_frames = clip_frames
        self.shard = shard
        self.skip_errors = skip_errors
        self.errors: List[Tuple[str, BaseException]] = []

    def __iter__(self) -> Iterator[Tuple[Any, str]]:
        index, count = shard_of(self.shard)
        for k in range(index, len(self.files), count):
            path = self.files[k]
            try:
                pieces = list(self._decode(path))
            except (ValueError, OSError, RuntimeError) as e:
                if not self.skip_errors:
                    raise
                self.errors.append((path, e))
                continue
            for piece in pieces:
                yield piece, path

    def _decode(self, path: str) -> Iterator[Any]:
        with StreamReader(path) as r:
            r.add_basic_audio_stream(
                self.clip_frames or 65536, sample_rate=self.sample_rate, num_channels=self.num_channels)
            chunks = [np.asarray(c) for (c,) in r.stream()]
        if self.clip_frames is not None:
            yield from (_array.to_chunk(c, None) for c in chunks)
        elif chunks:
            yield _array.to_chunk(np.concatenate(chunks, axis=1), 0.0)

    def __len__(self) -> int:
        """Files in this shard (clips are not counted without decoding)."""
        index, count = shard_of(self.shard)
        return len(range(index, len(self.files), count))
