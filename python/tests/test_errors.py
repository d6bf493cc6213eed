"""Bad input raises the Python exception of its kind, with the library's message (which names
the value and what is allowed)."""

from __future__ import annotations

import pickle
import socket
import threading

import numpy as np
import pytest

import audiostream
from audiostream.io import AudioEffector, CodecConfig, StreamReader, StreamWriter
from audiostream.transforms import Resample
from conftest import fixture


def test_missing_file_is_file_not_found():
    with pytest.raises(FileNotFoundError, match="/no/such/input.flac"):
        StreamReader("/no/such/input.flac")


def test_not_audio_is_unsupported_or_decode_error():
    with pytest.raises((audiostream.UnsupportedError, audiostream.DecodeError)) as e:
        r = StreamReader(fixture("random_bytes.bin"))
        r.add_basic_audio_stream(1024)
        r.process_all_packets()
    assert str(e.value)
    assert issubclass(audiostream.UnsupportedError, ValueError)
    assert issubclass(audiostream.DecodeError, RuntimeError)


def test_bad_arguments_are_value_errors():
    r = StreamReader(fixture("wav_s16_stereo_44100.wav"))
    with pytest.raises(ValueError, match="frames_per_chunk = 0"):
        r.add_basic_audio_stream(0)
    with pytest.raises(ValueError, match="stream"):
        r.add_basic_audio_stream(1024, stream_index=7)
    with pytest.raises(ValueError, match="no output stream"):
        r.process_packet()
    with pytest.raises(ValueError, match="option"):
        StreamReader(fixture("wav_s16_stereo_44100.wav"), option={"bogus": "1"})
    with pytest.raises(ValueError, match="src = int"):
        StreamReader(42)
    with pytest.raises(ValueError, match="mode"):
        r.seek(0.0, mode="fast")


def test_writer_wrong_dtype_and_channels(tmp):
    w = StreamWriter(str(tmp / "o.wav"))
    w.add_audio_stream(8000, 2)
    with pytest.raises(ValueError, match="chunk of dbl samples.*input format is fltp"):
        w.write_audio_chunk(0, np.zeros((2, 10), np.float64))
    with pytest.raises(ValueError, match="channel"):
        w.write_audio_chunk(0, np.zeros((3, 10), np.float32))
    with pytest.raises(ValueError, match="shape"):
        w.write_audio_chunk(0, np.zeros(10, np.float32))
    with pytest.raises(ValueError, match="int64"):
        w.write_audio_chunk(0, np.zeros((2, 10), np.int64))
    w.write_audio_chunk(0, np.zeros((2, 10), np.float32), 100)
    with pytest.raises(ValueError, match="pts"):
        w.write_audio_chunk(0, np.zeros((2, 10), np.float32), 5)
    w.close()
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(w)


def test_unknown_container_and_bad_codec_config(tmp):
    with pytest.raises(audiostream.UnsupportedError):
        StreamWriter(str(tmp / "o.xyz"))
    w = StreamWriter(str(tmp / "o.wav"))
    with pytest.raises(ValueError, match="bit_rate"):
        w.add_audio_stream(8000, 1, codec_config=CodecConfig(bit_rate=128000))


def test_effects_errors():
    with pytest.raises(ValueError, match="nosuch"):
        AudioEffector("nosuch")
    with pytest.raises(ValueError, match="overdrive"):
        AudioEffector("overdrive", 200)
    with pytest.raises(audiostream.UnsupportedError):
        AudioEffector("compand")
    with pytest.raises(ValueError, match="color"):
        AudioEffector("overdrive", color=50)
    with pytest.raises(ValueError, match="rolloff"):
        Resample(44100, 16000, rolloff=0.9)
    r = Resample(44100, 16000)
    r(np.zeros((2, 100), np.float32))
    with pytest.raises(ValueError, match="channels"):
        r(np.zeros((1, 100), np.float32))


def test_closed_is_value_error():
    r = StreamReader(fixture("wav_s16_stereo_44100.wav"))
    r.close()
    r.close()
    assert r.closed
    with pytest.raises(audiostream.ClosedError, match="after close"):
        r.add_basic_audio_stream(1024)
    assert issubclass(audiostream.ClosedError, ValueError)


def test_timeout_is_timeout_error():
    # An HTTP server that sends headers of a live stream (no length) and then nothing.
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    conns = []

    def serve():
        c, _ = srv.accept()
        c.recv(4096)
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n")
        conns.append(c)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    url = f"http://127.0.0.1:{srv.getsockname()[1]}/live.mp3"
    try:
        with pytest.raises((TimeoutError, OSError)) as e:
            r = StreamReader(url, format="mp3")
            r.add_basic_audio_stream(1024)
            r.process_packet(timeout=0.3)
        assert "timed out" in str(e.value) or "time" in str(e.value).lower()
    finally:
        for c in conns:
            c.close()
        srv.close()
