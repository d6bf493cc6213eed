"""audiostream.data: shards together equal one unsharded run, worker processes (spawn) agree
with one process, decoding to a fixed rate and channel count."""

from __future__ import annotations

import multiprocessing as mp

import numpy as np
import pytest

from audiostream.data import AudioFileDataset, shard_of
from conftest import fixture, read_all

FILES = [fixture(f) for f in ["wav_s16_stereo_44100.wav", "flac_16_stereo_44100.flac", "mp3_cbr128_stereo_44100.mp3",
                              "vorbis_q5_stereo_44100.ogg", "opus_96k_stereo_48000.opus", "flac_24_mono_96000.flac"]]


def _items(ds):
    return [(np.asarray(w), p) for w, p in ds]


def _shard_items(i):
    return _items(AudioFileDataset(FILES, 16000, 1, shard=(i, 2)))


def test_fixed_rate_and_channels():
    items = _items(AudioFileDataset(FILES, 16000, 1))
    assert [p for _, p in items] == FILES
    for w, p in items:
        assert w.shape[0] == 1 and w.dtype == np.float32
        assert np.array_equal(w, read_all(p, sample_rate=16000, num_channels=1))


def test_two_shards_equal_one_run_also_in_spawned_workers():
    whole = _items(AudioFileDataset(FILES, 16000, 1))
    with mp.get_context("spawn").Pool(2) as pool:
        parts = pool.map(_shard_items, [0, 1])
    merged = [None] * len(whole)
    merged[0::2], merged[1::2] = parts[0], parts[1]
    assert [p for _, p in merged] == [p for _, p in whole]
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(merged, whole))


def test_clips_rank_from_environment_and_errors(monkeypatch, tmp):
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "3")
    assert shard_of() == (1, 3)
    ds = AudioFileDataset(FILES, clip_frames=1000)
    assert len(ds) == 2 and [p for _, p in ds][0] == FILES[1]
    monkeypatch.delenv("WORLD_SIZE")
    clips = _items(AudioFileDataset(FILES[:1], clip_frames=1000))
    assert [w.shape[1] for w, _ in clips] == [1000] * 22 + [50]
    listing = tmp / "list.txt"
    listing.write_text(f"{FILES[0]}\n{fixture('random_bytes.bin')}\n")
    ds = AudioFileDataset(str(listing), skip_errors=True)
    assert [p for _, p in ds] == [FILES[0]] and ds.errors[0][0].endswith("random_bytes.bin")
    with pytest.raises(ValueError):
        list(AudioFileDataset(str(listing)))
    with pytest.raises(ValueError, match="shard"):
        shard_of((2, 2))
