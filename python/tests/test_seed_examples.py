"""The seed's four Python examples (SEED.md, "Usage Examples"), each as the seed writes it with
only its import lines changed:

- ``import torchaudio`` -> ``import audiostream as torchaudio``;
- ``from torchaudio.io import ...`` -> ``from audiostream.io import ...``;
- ``import torch`` (only used in annotations) -> ``from __future__ import annotations``, so
  that ``torch.Tensor`` in the signatures is not evaluated (torch is not installed here);
- ``import matplotlib.pyplot as plt`` -> a recording stand-in (``RecordingPyplot`` below):
  matplotlib is not installed, and the stand-in lets the test see what was plotted.

Their outputs are checked against FFmpeg's decode of the inputs, as tests/it/examples.rs
checks the Rust ports.
"""

from __future__ import annotations  # was: import torch

import http.server
import signal
import threading
from functools import partial

import numpy as np
import pytest

import audiostream as torchaudio  # was: import torchaudio
from audiostream.io import StreamReader, StreamWriter  # was: from torchaudio.io import ...
from audiostream.io import CodecConfig  # (third example's line: ..., CodecConfig)
from conftest import ffmpeg_decode, fixture, make_tone, probe, snr_db
from test_io import sox_rate


# ---- Real-time Audio Processing (verbatim) ------------------------------------------------
# Set up real-time audio processing
def process_audio_stream(input_path: str, output_path: str):
    # Create reader and writer
    reader = StreamReader(input_path)
    writer = StreamWriter(output_path, format="wav")
    # Configure streams
    reader.add_basic_audio_stream(frames_per_chunk=1024, buffer_chunk_size=4)
    writer.add_audio_stream(sample_rate=44100, num_channels=2)
    # Process audio in chunks
    try:
        while True:
            # Read chunk
            code = reader.process_packet()
            if code == 0:  # End of stream
                break
            chunks = reader.pop_chunks()
            if chunks[0] is not None:
                # Apply processing (e.g., effects, filtering)
                processed = apply_effects(chunks[0])
                # Write processed chunk
                writer.write_audio_chunk(0, processed)
    finally:
        reader.close()
        writer.close()


def apply_effects(audio: torch.Tensor) -> torch.Tensor:  # noqa: F821 (annotation only)
    # Example: apply reverb or other effects
    return torchaudio.functional.overdrive(audio, gain=10, colour=20)


def sox_overdrive(x: np.ndarray, gain: float, colour: float) -> np.ndarray:
    """torchaudio's functional.overdrive (SoX's overdrive.c, fresh state per call), written
    from those sources in NumPy: the oracle for audiostream's Rust implementation."""
    g = 10 ** (gain / 20)
    c = colour / 200
    t = x.astype(np.float64) * g + c
    t = np.where(t < -1, -2 / 3, np.where(t > 1, 2 / 3, t - t ** 3 / 3))
    out = np.empty_like(t)
    last_in = np.zeros(x.shape[0])
    last_out = np.zeros(x.shape[0])
    for i in range(x.shape[1]):
        last_out = t[:, i] - last_in + 0.995 * last_out
        last_in = t[:, i]
        out[:, i] = x[:, i] * 0.5 + last_out * 0.75
    return np.clip(out, -1, 1)


@pytest.mark.parametrize("name", ["wav_s16_stereo_44100.wav", "flac_16_stereo_44100.flac", "mp3_cbr128_stereo_44100.mp3"])
def test_realtime_processing(tmp, name):
    src = fixture(name)
    out = str(tmp / "out.wav")
    process_audio_stream(src, out)
    decoded, _ = ffmpeg_decode(src)
    # The seed's apply_effects runs on each 1024-frame chunk: a fresh overdrive per chunk.
    expected = np.concatenate(
        [sox_overdrive(decoded[:, i:i + 1024], 10, 20) for i in range(0, decoded.shape[1], 1024)], axis=1)
    got, rate = ffmpeg_decode(out)
    info = probe(out)
    assert (rate, got.shape) == (44100, expected.shape), info
    # The WAV holds what the writer's default encoding keeps: one 16-bit step of rounding.
    step = 1 / 32768 if info["codec_name"] == "pcm_s16le" else 1e-6
    assert np.max(np.abs(got - expected)) <= step * 1.01, info["codec_name"]


# ---- Live Audio Monitoring (verbatim; plt is the recording stand-in) ----------------------
class RecordingPyplot:
    """What the example calls on matplotlib.pyplot; records the plotted waveforms. Ends the
    example's endless loop as a user would (Ctrl-C, i.e. KeyboardInterrupt) once `expected`
    frames were plotted, or after `deadline` seconds (then the test fails on the count)."""

    def __init__(self, expected: int):
        self.expected = expected
        self.plotted = []
        self.ylim = None

    def ion(self):
        pass

    def ioff(self):
        pass

    def subplots(self):
        return None, self

    # Axes
    def clear(self):
        pass

    def plot(self, y):
        self.plotted.append(np.array(y))

    def set_ylim(self, lim):
        self.ylim = lim

    def pause(self, seconds):
        if sum(len(p) for p in self.plotted) >= self.expected:
            raise KeyboardInterrupt


plt = None  # was: import matplotlib.pyplot as plt (set by the test)


def monitor_audio_stream(source: str):
    """Monitor audio stream with real-time visualization."""
    reader = StreamReader(source)
    reader.add_basic_audio_stream(frames_per_chunk=2048)
    plt.ion()  # Interactive mode
    fig, ax = plt.subplots()
    try:
        while True:
            reader.process_packet(timeout=0.1)
            chunks = reader.pop_chunks()
            if chunks[0] is not None:
                # Visualize audio waveform
                waveform = chunks[0][0]  # First channel
                ax.clear()
                ax.plot(waveform.numpy())
                ax.set_ylim([-1, 1])
                plt.pause(0.01)
    except KeyboardInterrupt:
        print("Stopping monitoring...")
    finally:
        reader.close()
        plt.ioff()


@pytest.mark.parametrize("name", ["wav_s16_stereo_44100.wav", "flac_24_mono_96000.flac", "vorbis_q5_stereo_44100.ogg"])
def test_live_monitor(name, capsys):
    global plt
    src = fixture(name)
    decoded, _ = ffmpeg_decode(src)
    plt = RecordingPyplot(decoded.shape[1])
    # A watchdog: if frames were lost the loop never ends by itself; Ctrl-C it after 60 s.
    signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    signal.alarm(60)
    try:
        monitor_audio_stream(src)
    finally:
        signal.alarm(0)
    assert "Stopping monitoring..." in capsys.readouterr().out
    first = np.concatenate(plt.plotted)
    assert first.shape == (decoded.shape[1],)
    assert all(len(p) == 2048 for p in plt.plotted[:-1])
    if name.endswith((".wav", ".flac")):
        assert np.array_equal(first, decoded[0])
    else:
        assert snr_db(decoded[0], first) > 130


# ---- Format Conversion Pipeline (verbatim) ------------------------------------------------
def convert_audio_format(input_path: str, output_path: str,
                         target_sample_rate: int = 44100,
                         target_channels: int = 2,
                         target_bitrate: int = 128000):
    """Convert audio to different format with streaming."""
    # Create reader
    reader = StreamReader(input_path)
    reader.add_basic_audio_stream(frames_per_chunk=4096)
    # Create writer with codec configuration
    codec_config = CodecConfig(bit_rate=target_bitrate)
    writer = StreamWriter(output_path, format="mp3")
    writer.add_audio_stream(
        sample_rate=target_sample_rate,
        num_channels=target_channels,
        encoder="mp3",
        codec_config=codec_config
    )
    # Set up resampling if needed
    metadata = reader.get_metadata()
    original_sr = metadata["sample_rate"]
    if original_sr != target_sample_rate:
        resampler = torchaudio.transforms.Resample(original_sr, target_sample_rate)
    else:
        resampler = None
    # Process stream
    try:
        while reader.process_packet() != 0:
            chunks = reader.pop_chunks()
            if chunks[0] is not None:
                audio = chunks[0]
                # Resample if needed
                if resampler is not None:
                    audio = resampler(audio)
                # Convert to target channels
                if audio.shape[0] != target_channels:
                    if target_channels == 1 and audio.shape[0] == 2:
                        audio = audio.mean(dim=0, keepdim=True)
                    elif target_channels == 2 and audio.shape[0] == 1:
                        audio = audio.repeat(2, 1)
                writer.write_audio_chunk(0, audio)
    finally:
        reader.close()
        writer.close()


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("wav_s16_stereo_44100.wav", {}),  # copy through
        ("opus_96k_stereo_48000.opus", {}),  # resampled 48 -> 44.1 kHz
        ("flac_24_mono_96000.flac", {}),  # resampled, mono -> stereo by repeat(2, 1)
        ("wav_s16_stereo_44100.wav", {"target_channels": 1, "target_bitrate": 64000}),  # mean(dim=0)
    ],
)
def test_convert_format(tmp, name, kwargs):
    src = fixture(name)
    out = str(tmp / "out.mp3")
    convert_audio_format(src, out, **kwargs)
    channels = kwargs.get("target_channels", 2)
    info = probe(out)
    assert (info["codec_name"], info["sample_rate"], info["channels"]) == ("mp3", "44100", channels)
    assert info["bit_rate"] == str(kwargs.get("target_bitrate", 128000))
    got, _ = ffmpeg_decode(out)
    # The reference: FFmpeg's decode, SoX's resampler, the channel change the example makes.
    decoded, rate = ffmpeg_decode(src)
    reference = decoded if rate == 44100 else sox_rate(src, 44100)
    if reference.shape[0] != channels:
        reference = reference.mean(axis=0, keepdims=True) if channels == 1 else np.tile(reference, (2, 1))
    # Gapless MP3 (LAME tag): the frames written come back. The seed's loop never calls the
    # resampler's flush(), so a resampled stream ends short by what the filter still held.
    tail = 0
    if rate != 44100:
        r = torchaudio.transforms.Resample(rate, 44100)
        for i in range(0, decoded.shape[1], 4096):
            r(decoded[:, i:i + 4096])
        tail = r.flush().shape[1]
    assert got.shape[1] == reference.shape[1] - tail
    # A 128 kb/s MP3 (64 kb/s mono) of these signals against the reference.
    assert snr_db(reference, got) > 15


# ---- Network Audio Streaming (verbatim) ---------------------------------------------------
def stream_from_url(url: str):
    """Stream audio from network URL."""
    reader = StreamReader(url)
    reader.add_basic_audio_stream(frames_per_chunk=1024, buffer_chunk_size=8)
    print(f"Streaming from: {url}")
    metadata = reader.get_metadata()
    print(f"Sample rate: {metadata['sample_rate']} Hz")
    print(f"Channels: {metadata['num_channels']}")
    chunk_count = 0
    try:
        while True:
            code = reader.process_packet(timeout=1.0)
            if code == 0:
                break
            chunks = reader.pop_chunks()
            if chunks[0] is not None:
                chunk_count += 1
                if chunk_count % 100 == 0:
                    print(f"Processed {chunk_count} chunks")
                # Process audio chunk (e.g., save, analyze, play)
                audio_chunk = chunks[0]
                # ... process audio_chunk ...
    except KeyboardInterrupt:
        print("Stream interrupted by user")
    finally:
        reader.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_dir(tmp):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(tmp)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("ext", ["wav", "flac"])
def test_stream_url(tmp, http_dir, capsys, ext):
    # 5 s at 44.1 kHz: 215.3 chunks of 1024 frames, so lines at 100 and 200.
    make_tone(str(tmp / f"tone.{ext}"), 5.0)
    stream_from_url(f"{http_dir}/tone.{ext}")
    text = capsys.readouterr().out
    assert f"Streaming from: {http_dir}/tone.{ext}\nSample rate: 44100 Hz\nChannels: 2\n" in text
    assert "Processed 100 chunks\nProcessed 200 chunks\n" in text
    assert "Processed 300 chunks" not in text and "interrupted" not in text
