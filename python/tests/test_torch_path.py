"""The torch path of audiostream._array, with a stand-in `torch` module (PyPI's torch is a
multi-gigabyte CUDA build and PyTorch's index is out of reach here; see README): chunks come
out through `torch.from_numpy` (sharing the decoded buffer) with `.pts`, tensors go in through
`.detach().cpu().numpy()`, and computed results come back as tensors."""

from __future__ import annotations

import importlib.machinery
import sys
import types

import numpy as np
import pytest

from audiostream import _array
from audiostream.functional import overdrive
from audiostream.io import StreamReader, StreamWriter
from conftest import ffmpeg_decode_s16, fixture


class FakeTensor:
    """The part of torch.Tensor audiostream touches."""

    def __init__(self, array):
        self._a = array

    def numpy(self):
        return self._a

    def detach(self):
        return self

    def cpu(self):
        return self

    @property
    def shape(self):
        return self._a.shape


@pytest.fixture
def fake_torch(monkeypatch):
    torch = types.ModuleType("torch")
    torch.__spec__ = importlib.machinery.ModuleSpec("torch", None)
    torch.Tensor = FakeTensor
    torch.from_numpy = FakeTensor
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.delenv("AUDIOSTREAM_ARRAY", raising=False)
    monkeypatch.setattr(_array, "_use_torch", None)
    monkeypatch.setattr(_array, "_torch", None)
    yield torch
    _array._use_torch = None


def test_chunks_are_tensors_sharing_the_buffer(fake_torch, tmp):
    path = fixture("wav_s16_stereo_44100.wav")
    with StreamReader(path) as r:
        r.add_basic_audio_stream(4096, format="s16")
        chunks = [c for (c,) in r.stream()]
    assert all(isinstance(c, FakeTensor) for c in chunks)
    assert [c.pts for c in chunks] == [i * 4096 / 44100 for i in range(len(chunks))]
    # from_numpy got the array over the decoded Rust buffer (rust-numpy's container is its
    # base): no copy was made.
    assert type(chunks[0].numpy().base).__name__ == "PySliceContainer"
    whole = np.concatenate([c.numpy() for c in chunks], axis=1)
    assert np.array_equal(whole, ffmpeg_decode_s16(path))
    # Tensors in: the writer and the functional take them, results come back as tensors.
    out = str(tmp / "o.wav")
    with StreamWriter(out) as w:
        w.add_audio_stream(44100, 2, format="s16")
        for c in chunks:
            w.write_audio_chunk(0, c)
    assert np.array_equal(ffmpeg_decode_s16(out), whole)
    y = overdrive(FakeTensor(np.zeros((2, 10), np.float32)))
    assert isinstance(y, FakeTensor) and y.shape == (2, 10)
