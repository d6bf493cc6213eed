"""Every public class and function of audiostream.io, transforms and functional against
FFmpeg's and SoX's output (as the Rust tests check the library)."""

from __future__ import annotations

import io
import os
import sys
import pickle
import subprocess

import numpy as np
import pytest

import audiostream
from audiostream.functional import overdrive
from audiostream.io import AudioEffector, CodecConfig, StreamReader, StreamWriter
from audiostream.transforms import Resample
from conftest import ffmpeg_decode, ffmpeg_decode_s16, fixture, make_tone, probe, read_all, run, snr_db

LOSSLESS = [
    "wav_s16_stereo_44100.wav", "wav_s24_mono_48000.wav", "wav_f32_stereo_22050.wav",
    "aiff_s16_stereo_44100.aiff", "caf_s16_stereo_44100.caf",
    "flac_16_stereo_44100.flac", "flac_24_mono_96000.flac",
]
# Lossy: same frame count as FFmpeg (gapless), SNR measured by the Rust oracle tests.
LOSSY = [("mp3_cbr128_stereo_44100.mp3", 120), ("mp3_vbr_v2_mono_44100.mp3", 120), ("vorbis_q5_stereo_44100.ogg", 130)]


@pytest.mark.parametrize("name", LOSSLESS)
def test_reader_lossless_bit_exact(name):
    expected, _ = ffmpeg_decode(fixture(name))
    got = read_all(fixture(name), frames_per_chunk=1000)
    assert got.dtype == np.float32
    assert np.array_equal(got, expected)


@pytest.mark.parametrize("name, min_snr", LOSSY)
def test_reader_lossy(name, min_snr):
    expected, _ = ffmpeg_decode(fixture(name))
    got = read_all(fixture(name))
    assert got.shape == expected.shape
    assert snr_db(expected, got) >= min_snr


def test_chunks_shape_pts_and_layout():
    path = fixture("wav_s16_stereo_44100.wav")  # 22050 frames
    with StreamReader(path) as r:
        r.add_basic_audio_stream(4096)
        chunks = [c for (c,) in r.stream()]
    assert [c.shape for c in chunks] == [(2, 4096)] * 5 + [(2, 22050 - 5 * 4096)]
    assert [c.pts for c in chunks] == [i * 4096 / 44100 for i in range(6)]
    assert isinstance(chunks[0], audiostream.Chunk) and isinstance(chunks[0], np.ndarray)
    # torch idioms on chunks
    c = chunks[0]
    assert c.mean(dim=0, keepdim=True).shape == (1, 4096)
    assert c.repeat(2, 1).shape == (4, 4096) and np.repeat(c, 2, axis=1).shape == (2, 8192)
    assert type(c.numpy()) is np.ndarray and c.dim() == 2
    assert pickle.loads(pickle.dumps(c)).pts == c.pts
    with StreamReader(path, channels_first=False) as r:
        r.add_basic_audio_stream(4096)
        (t,) = r.pop_chunks() if r.fill_buffer() else (None,)
    assert t.shape == (4096, 2) and np.array_equal(t, chunks[0].T)


def test_sample_formats_s16_exact():
    path = fixture("wav_s16_stereo_44100.wav")
    got = read_all(path, format="s16")
    assert got.dtype == np.int16
    assert np.array_equal(got, ffmpeg_decode_s16(path))
    with pytest.raises(ValueError, match="format = 's24p'"):
        StreamReader(path).add_basic_audio_stream(1024, format="s24p")


def test_outputs_of_different_sample_types():
    """An s16 output beside a float32 one: each pops in its own dtype, both equal to FFmpeg's
    decode of the same file (s16 bit for bit; float32 as FFmpeg's s16 -> float)."""
    path = fixture("wav_s16_stereo_44100.wav")
    parts: list = [[], []]
    with StreamReader(path) as r:
        r.add_basic_audio_stream(1000, format="s16")
        r.add_basic_audio_stream(1500, format="fltp")
        for chunks in r.stream():
            for i, c in enumerate(chunks):
                if c is not None:
                    parts[i].append(np.asarray(c))
    s16, flt = (np.concatenate(p, axis=1) for p in parts)
    assert s16.dtype == np.int16 and flt.dtype == np.float32
    assert np.array_equal(s16, ffmpeg_decode_s16(path))
    assert np.array_equal(flt, ffmpeg_decode(path)[0])


def sox_rate(path: str, rate: int) -> np.ndarray:
    """SoX's very-high-quality resampler (`rate -v`, the oracle of tests/it/reader_convert) on
    FFmpeg's decode of `path`."""
    x, sr = ffmpeg_decode(path)
    p = subprocess.run(
        ["sox", "-t", "raw", "-r", str(sr), "-e", "floating-point", "-b", "32", "-c", str(x.shape[0]), "-",
         "-t", "raw", "-e", "floating-point", "-b", "32", "-", "rate", "-v", str(rate)],
        input=np.ascontiguousarray(x.T).tobytes(), capture_output=True, check=True)
    return np.frombuffer(p.stdout, np.float32).reshape(-1, x.shape[0]).T


def test_conversion_rate_and_channels():
    path = fixture("flac_16_stereo_44100.flac")
    frames = ffmpeg_decode(path)[0].shape[1]
    got = read_all(path, sample_rate=16000, num_channels=1)
    assert got.shape == (1, round(frames * 16000 / 44100))
    # Remixing to mono is the mean of the channels; then SoX's resampler.
    expected = sox_rate(path, 16000).mean(axis=0, keepdims=True)
    assert snr_db(expected, got) > 60


def test_sources_bytes_and_file_objects():
    path = fixture("flac_16_stereo_44100.flac")
    expected = read_all(path)
    data = open(path, "rb").read()
    assert np.array_equal(read_all(data), expected)
    assert np.array_equal(read_all(io.BytesIO(data)), expected)

    class Pipe:  # read() only: not seekable
        def __init__(self, b):
            self.b = io.BytesIO(b)

        def read(self, n):
            return self.b.read(n)

    assert np.array_equal(read_all(Pipe(data)), expected)


def test_seek_exact():
    path = fixture("wav_s16_stereo_44100.wav")
    expected, rate = ffmpeg_decode(path)
    with StreamReader(path) as r:
        r.add_basic_audio_stream(1000)
        r.seek(0.25)
        (c,) = r.pop_chunks() if r.fill_buffer() else (None,)
    start = round(0.25 * rate)
    assert c.pts == pytest.approx(start / rate)
    assert np.array_equal(c, expected[:, start:start + 1000])


def test_metadata_and_stream_info():
    path = fixture("flac_24_mono_96000.flac")
    info = probe(path)
    with StreamReader(path) as r:
        m = r.get_metadata()
        assert (m["sample_rate"], m["num_channels"]) == (int(info["sample_rate"]), int(info["channels"]))
        assert m["num_frames"] == ffmpeg_decode(path)[0].shape[1]
        assert r.num_src_streams == 1 and r.default_audio_stream == 0 and r.num_out_streams == 0
        s = r.get_src_stream_info(0)
        assert (s.media_type, s.codec, s.sample_rate) == ("audio", "flac", 96000)
        i = r.add_basic_audio_stream(512, sample_rate=48000)
        o = r.get_out_stream_info(i)
        assert (o.sample_rate, o.num_channels, o.frames_per_chunk, o.converted) == (48000, 1, 512, True)
    with StreamReader(fixture("mkv_video_2audio.mkv")) as r:
        kinds = [r.get_src_stream_info(i).media_type for i in range(r.num_src_streams)]
        assert kinds.count("audio") == 2 and "video" in kinds


def test_two_outputs_stream_drops_nothing():
    path = fixture("flac_16_stereo_44100.flac")
    expected, _ = ffmpeg_decode(path)
    with StreamReader(path) as r:
        r.add_basic_audio_stream(1024)
        r.add_basic_audio_stream(100, 1)
        a, b = [], []
        for x, y in r.stream():
            a += [x] if x is not None else []
            b += [y] if y is not None else []
    assert np.array_equal(np.concatenate(a, 1), expected) and np.array_equal(np.concatenate(b, 1), expected)


@pytest.mark.parametrize("fmt, dtype, codec", [("wav", np.int16, "pcm_s16le"), ("flac", np.int16, "flac")])
def test_writer_lossless(tmp, fmt, dtype, codec):
    src = fixture("wav_s16_stereo_44100.wav")
    samples = ffmpeg_decode_s16(src)
    out = str(tmp / f"out.{fmt}")
    with StreamWriter(out) as w:
        w.add_audio_stream(44100, 2, format="s16")
        for i in range(0, samples.shape[1], 1000):
            w.write_audio_chunk(0, samples[:, i:i + 1000])
    assert probe(out)["codec_name"] == codec
    assert np.array_equal(ffmpeg_decode_s16(out), samples)


def test_writer_float_and_channels_last(tmp):
    x, _ = ffmpeg_decode(fixture("wav_f32_stereo_22050.wav"))
    out = str(tmp / "out.wav")
    with StreamWriter(out, channels_first=False) as w:
        w.add_audio_stream(22050, 2, encoder_format="flt")
        w.write_audio_chunk(0, x.T.copy())
    assert np.array_equal(ffmpeg_decode(out)[0], x)


def test_writer_mp3_codec_config_and_pts(tmp):
    x, _ = ffmpeg_decode(fixture("wav_s16_stereo_44100.wav"))
    out = str(tmp / "out.mp3")
    w = StreamWriter(out)
    w.add_audio_stream(44100, 2, encoder="mp3", codec_config=CodecConfig(bit_rate=192000))
    w.write_audio_chunk(0, x[:, :11025])
    w.write_audio_chunk(0, x[:, 11025:], 0.5)  # seconds: a 0.25 s gap of silence
    assert w.stats()["silence_frames"] == 11025
    w.close()
    info = probe(out)
    assert info["bit_rate"] == "192000"
    got, _ = ffmpeg_decode(out)
    assert got.shape == (2, 22050 + 11025)
    assert np.max(np.abs(got[:, 11025 + 2000:22050 - 2000])) < 0.01  # the gap is silent
    assert snr_db(x[:, :11025], got[:, :11025]) > 15


def test_writer_file_object(tmp):
    samples = ffmpeg_decode_s16(fixture("wav_s16_stereo_44100.wav"))
    buf = io.BytesIO()
    with StreamWriter(buf, format="flac") as w:
        w.add_audio_stream(44100, 2, format="s16")
        w.write_audio_chunk(0, samples)
    (tmp / "b.flac").write_bytes(buf.getvalue())
    assert np.array_equal(ffmpeg_decode_s16(str(tmp / "b.flac")), samples)


def sox(path: str, *effect: str) -> np.ndarray:
    ch = int(probe(path)["channels"])
    raw = run(["sox", path, "-t", "raw", "-e", "floating-point", "-b", "32", "-", *effect])
    return np.frombuffer(raw, np.float32).reshape(-1, ch).T


@pytest.mark.parametrize("effect", [("gain", "-6"), ("highpass", "500"), ("reverb", "50", "50", "100"), ("chorus", "0.7", "0.9", "55", "0.4", "0.25", "2", "-t")])
def test_effector_against_sox(effect):
    path = fixture("wav_s16_stereo_44100.wav")
    x, rate = ffmpeg_decode(path)
    expected = sox(path, *effect)
    if effect[0] == "chorus" or not all(a.lstrip("-").replace(".", "").isdigit() for a in effect[1:]):
        fx = AudioEffector(" ".join(effect))
    else:
        fx = AudioEffector(effect[0], *map(float, effect[1:]))
    got = fx.apply(x, rate)
    assert got.shape == expected.shape
    assert snr_db(expected, got) > 90, effect
    # Streaming gives the same samples as applying to the whole.
    streamed = np.concatenate(list(fx.stream(x, rate, 1000)), axis=1)
    assert np.array_equal(streamed, got)
    assert pickle.loads(pickle.dumps(fx)).apply(x, rate).tobytes() == got.tobytes()


def test_effector_keywords_and_dtypes():
    x = (np.sin(np.arange(8000) / 10) * 0.5).astype(np.float32)[None, :]
    a = AudioEffector("overdrive", 10, colour=30).apply(x, 8000)
    assert np.array_equal(a, AudioEffector("overdrive 10 30").apply(x, 8000))
    s16 = AudioEffector("gain", -6).apply((x * 32767).astype(np.int16), 8000)
    assert s16.dtype == np.int16 and s16.shape == x.shape
    assert AudioEffector("gain", -6).apply(x[0], 8000).shape == (8000,)


def test_overdrive_matches_sox_formula():
    from test_seed_examples import sox_overdrive

    x, _ = ffmpeg_decode(fixture("wav_s16_stereo_44100.wav"))
    got = overdrive(x, gain=10, colour=20)
    assert np.max(np.abs(got - sox_overdrive(x, 10, 20))) < 1e-6
    assert overdrive(x.astype(np.float64)).dtype == np.float64


def test_resample_against_ffmpeg_and_chunking(tmp):
    path = make_tone(str(tmp / "t.wav"), 2.0, rate=48000)
    x, _ = ffmpeg_decode(path)
    whole = Resample(48000, 16000)
    full = np.concatenate([whole(x), whole.flush()], axis=1)
    assert full.shape == (2, 32000)
    assert snr_db(sox_rate(path, 16000), full) > 60
    chunked = Resample(48000, 16000)
    parts = [chunked(x[:, i:i + 777]) for i in range(0, x.shape[1], 777)] + [chunked.flush()]
    assert np.array_equal(np.concatenate(parts, axis=1), full)
    assert Resample(16000, 16000)(x) is x


def test_play_audio_rejects_bad_input():
    from audiostream.io import play_audio

    with pytest.raises(ValueError, match="shape"):
        play_audio(np.zeros((1, 2, 3), np.float32), 8000)
    with pytest.raises(ValueError, match="sample_rate = 0"):
        play_audio(np.zeros((1, 10), np.float32), 0)


PLAY = """
import sys, numpy as np
from audiostream.io import play_audio
x = np.load(sys.argv[1])
play_audio(x, 44100, normalize=True)
"""


def test_play_audio_through_alsa_file_plugin(tmp):
    """play_audio on real ALSA with no sound card: the `file` plugin as the default device
    writes what it is given (float32 interleaved), as tests/device_playback.rs does. ALSA reads
    its configuration once per process, hence the subprocess."""
    (tmp / "asound.conf").write_text(
        'pcm.as_null { type null }\n'
        f'pcm.!default {{ type file; slave.pcm "as_null"; file "{tmp}/default.raw"; format "raw" }}\n')
    x, _ = ffmpeg_decode(fixture("wav_s16_stereo_44100.wav"))
    loud = x * 2.0  # normalize=True scales the peak down to 1.0
    np.save(tmp / "x.npy", loud)
    env = dict(os.environ, ALSA_CONFIG_PATH=str(tmp / "asound.conf"))
    subprocess.run([sys.executable, "-c", PLAY, str(tmp / "x.npy")], env=env, check=True, timeout=120)
    played = np.frombuffer((tmp / "default.raw").read_bytes(), np.float32).reshape(-1, 2).T
    expected = loud / np.max(np.abs(loud))
    n = expected.shape[1]
    assert played.shape[1] >= n
    assert np.max(np.abs(played[:, :n] - expected)) < 1e-6
