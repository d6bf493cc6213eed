"""audiostream.load (the Rust one-call load) against FFmpeg's decode of the same files."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

import audiostream
from conftest import ffmpeg_decode, fixture, snr_db
from test_io import sox_rate

# (fixture, minimum SNR in dB against FFmpeg, or None for bit for bit)
CASES = [
    ("wav_s16_stereo_44100.wav", None),
    ("wav_s24_mono_48000.wav", None),
    ("wav_f32_stereo_22050.wav", None),
    ("flac_16_stereo_44100.flac", None),
    ("mp3_cbr128_stereo_44100.mp3", 120.0),
    ("vorbis_q5_stereo_44100.ogg", 130.0),
]


@pytest.mark.parametrize("name,min_snr", CASES)
def test_load_decodes_like_ffmpeg(name, min_snr):
    path = fixture(name)
    theirs, rate = ffmpeg_decode(path)
    for src in (path, Path(path), Path(path).read_bytes(), io.BytesIO(Path(path).read_bytes())):
        audio, sr = audiostream.load(src)
        assert sr == rate
        assert audio.dtype == np.float32 and audio.shape == theirs.shape, (audio.shape, theirs.shape)
        if min_snr is None:
            assert np.array_equal(audio, theirs)
        else:
            assert snr_db(theirs, audio) >= min_snr


def test_load_options():
    path = fixture("wav_s16_stereo_44100.wav")
    whole, rate = audiostream.load(path)
    part, _ = audiostream.load(path, start=0.1, duration=0.25)
    a = round(0.1 * rate)
    assert np.array_equal(part, whole[:, a : a + round(0.25 * rate)])
    t, _ = audiostream.load(path, channels_first=False)
    assert np.array_equal(t, whole.T)
    mono, sr = audiostream.load(path, sample_rate=16000, num_channels=1)
    assert sr == 16000 and mono.shape == (1, round(whole.shape[1] * 16000 / rate))
    # Remixing to mono is the mean of the channels; then SoX's resampler (as test_io checks
    # the reader's conversion).
    expected = sox_rate(path, 16000).mean(axis=0, keepdims=True)
    assert snr_db(expected, mono) > 60


def test_load_bad_input():
    with pytest.raises(FileNotFoundError):
        audiostream.load("/nonexistent/a.wav")
    with pytest.raises(ValueError, match="src must be a path"):
        audiostream.load(3.5)
    with pytest.raises(ValueError, match="start"):
        audiostream.load(fixture("wav_s16_stereo_44100.wav"), start=-1.0)
    with pytest.raises(audiostream.UnsupportedError):
        audiostream.load(b"not audio at all, not at all")
