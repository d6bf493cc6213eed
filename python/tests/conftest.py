"""Shared helpers: the repository's fixtures and FFmpeg/SoX as oracles (as tests/it/common does
for the Rust tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# Chunks are NumPy here whatever is installed: the NumPy path is the tested one.
os.environ.setdefault("AUDIOSTREAM_ARRAY", "numpy")
sys.path.insert(0, str(Path(__file__).parent))

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def fixture(name: str) -> str:
    path = FIXTURES / name
    assert path.exists(), f"missing fixture {path}"
    return str(path)


def run(args: list) -> bytes:
    p = subprocess.run(args, capture_output=True)
    if p.returncode != 0:
        raise AssertionError(f"{args[0]} failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    return p.stdout


def probe(path: str) -> dict:
    """ffprobe's first audio stream."""
    out = run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_streams", "-of", "json", path])
    return json.loads(out)["streams"][0]


def ffmpeg_decode(path: str, *extra: str, rate: int = 0, channels: int = 0) -> tuple:
    """FFmpeg's decode as float32 ``(channels, frames)`` and the rate (``rate``/``channels``
    convert with FFmpeg's resampler and mixer)."""
    info = probe(path)
    sr = rate or int(info["sample_rate"])
    ch = channels or int(info["channels"])
    args = ["ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-i", path, "-map", "0:a:0", *extra]
    if rate:
        args += ["-ar", str(rate)]
    if channels:
        args += ["-ac", str(channels)]
    raw = run(args + ["-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"])
    return np.frombuffer(raw, np.float32).reshape(-1, ch).T.copy(), sr


def ffmpeg_decode_s16(path: str) -> np.ndarray:
    info = probe(path)
    raw = run(["ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-i", path, "-map", "0:a:0",
               "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"])
    return np.frombuffer(raw, np.int16).reshape(-1, int(info["channels"])).T.copy()


def snr_db(reference: np.ndarray, test: np.ndarray) -> float:
    n = min(reference.shape[-1], test.shape[-1])
    r = reference[..., :n].astype(np.float64)
    t = test[..., :n].astype(np.float64)
    noise = np.sum((r - t) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(np.sum(r * r) / noise)


def read_all(path_or_src, **kwargs) -> np.ndarray:
    """Every chunk of the default audio stream, concatenated (channels, frames)."""
    from audiostream.io import StreamReader

    fpc = kwargs.pop("frames_per_chunk", 4096)
    with StreamReader(path_or_src) as r:
        r.add_basic_audio_stream(fpc, **kwargs)
        chunks = [c for (c,) in r.stream()]
    return np.concatenate([np.asarray(c) for c in chunks], axis=1)


@pytest.fixture
def tmp(tmp_path) -> Path:
    return tmp_path


def make_tone(path: str, seconds: float, rate: int = 44100, channels: int = 2) -> str:
    """A test signal (FFmpeg's lavfi sine, different per channel) encoded by FFmpeg."""
    src = f"sine=frequency=440:sample_rate={rate}:duration={seconds}"
    args = ["ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", src]
    if channels == 2:
        args += ["-f", "lavfi", "-i", f"sine=frequency=660:sample_rate={rate}:duration={seconds}",
                 "-filter_complex", "[0:a][1:a]amerge=inputs=2"]
    run(args + [path])
    return path
