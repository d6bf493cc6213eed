"""``torchaudio.io`` without FFmpeg: :class:`StreamReader`, :class:`StreamWriter`,
:class:`CodecConfig`, :class:`AudioEffector` and :func:`play_audio`.

Chunks are channels-first ``(channels, frames)`` like the seed (``channels_first=False`` gives
torchaudio 2.8's ``(frames, channels)``), float32 in ``[-1, 1]`` unless ``format=`` asks for
another sample type, with ``.pts`` in seconds. Decoding, encoding, resampling and effects run
with the GIL released.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import weakref
from typing import Any, Dict, Iterator, List, Optional, Union

import numpy as np

from . import _array
from ._native import NativeEffector, NativeReader, NativeWriter
from ._native import play_audio as _native_play_audio

__all__ = [
    "StreamReader",
    "StreamWriter",
    "CodecConfig",
    "AudioEffector",
    "play_audio",
    "SourceStream",
    "OutputStream",
]

_FORMAT_DTYPES = {
    "u8": "u8", "u8p": "u8", "s16": "s16", "s16p": "s16", "s32": "s32", "s32p": "s32",
    "flt": "flt", "fltp": "flt", "f32": "flt", "dbl": "dbl", "dblp": "dbl", "f64": "dbl",
}

# Readers and writers alive in this process, to fix up in a child after fork() (see
# _after_fork_in_child).
_live: "weakref.WeakSet[Any]" = weakref.WeakSet()
# Native objects given up in a child after fork() whose lock a thread held at the fork: kept
# alive so their destructors never run in the child.
_abandoned: List[Any] = []


@dataclasses.dataclass(frozen=True)
class SourceStream:
    """A stream of the source (``get_src_stream_info``). ``media_type`` is ``"audio"``,
    ``"video"``, ``"subtitle"``, ``"data"`` or ``""``; the audio fields are ``None`` for other
    streams."""

    index: int
    media_type: str
    codec: str
    codec_long_name: str
    sample_rate: Optional[int]
    num_channels: Optional[int]
    num_frames: Optional[int]
    duration: Optional[float]
    duration_estimated: bool
    bit_rate: Optional[int]
    bits_per_sample: Optional[int]
    language: Optional[str]
    tags: Dict[str, str]


@dataclasses.dataclass(frozen=True)
class OutputStream:
    """An output stream of the reader (``get_out_stream_info``)."""

    source_index: int
    sample_rate: int
    num_channels: int
    frames_per_chunk: int
    buffer_chunk_size: int
    converted: bool


class StreamReader:
    """Reads audio in chunks from a path, a URL, bytes or a binary file object (seed and
    torchaudio: ``StreamReader(src, format=None, option=None)``).

    ``src``: a path (``str``/``os.PathLike``), ``"-"`` for stdin, an ``http(s)://`` URL, a device
    name with ``format="device"``, ``bytes``, or an object with ``read(n)`` (and ``seek`` when
    it can). ``format`` forces the container (``"wav"``, ``"mp3"``, ``"flac"``, ``"ogg"``,
    ``"mp4"``, raw ``"s16le"``/``"f32le"`` with ``option={"sample_rate": ...}``); ``option`` is
    a ``Dict[str, str]`` and any key nobody uses is a ``ValueError``.

    >>> with StreamReader("fixtures/wav_s16_stereo_44100.wav") as r:  # doctest: +SKIP
    ...     r.add_basic_audio_stream(frames_per_chunk=4096)
    ...     for (chunk,) in r.stream():
    ...         print(chunk.shape, chunk.pts)

    Pickling reopens the same source (a path or bytes) with the same output streams, at the
    start; a reader of a file object cannot be pickled. In a child process after ``fork()``, a
    reader of a path reopens the file itself (the descriptor is shared with the parent) at
    the end of the last chunk it popped.
    """

    def __init__(
        self,
        src: Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Any],
        format: Optional[str] = None,
        option: Optional[Dict[str, str]] = None,
        buffer_size: int = 4096,
        *,
        channels_first: bool = True,
    ) -> None:
        self._format = format
        self._option = dict(option) if option is not None else None
        self._channels_first = bool(channels_first)
        self._outputs: List[Dict[str, Any]] = []
        self._dtypes: List[str] = []
        self._resume_at: Optional[float] = None
        self._rate0 = 0
        self._closed = False
        if isinstance(src, (bytes, bytearray, memoryview)):
            self._spec: Optional[tuple] = ("bytes", bytes(src))
        elif isinstance(src, (str, os.PathLike)):
            self._spec = ("path", os.fspath(src))
        elif hasattr(src, "read"):
            self._spec = None
        else:
            raise ValueError(
                f"src = {type(src).__name__}; allowed: a path, a URL, bytes, or a binary file "
                "object with read(n)"
            )
        self._reopen_pending = False
        self._native_reader = self._open(src)
        self._pid = os.getpid()
        _live.add(self)

    def _open(self, src: Any) -> NativeReader:
        if self._spec is None:
            seekable = hasattr(src, "seek") and (not hasattr(src, "seekable") or src.seekable())
            return NativeReader.from_file(src, seekable, self._format, self._option)
        kind, value = self._spec
        if kind == "bytes":
            return NativeReader.from_bytes(value, self._format, self._option)
        return NativeReader.open(value, self._format, self._option)

    # ---- outputs -------------------------------------------------------------------------

    def add_basic_audio_stream(
        self,
        frames_per_chunk: int,
        buffer_chunk_size: int = 3,
        *,
        stream_index: Optional[int] = None,
        decoder: Optional[str] = None,
        decoder_option: Optional[Dict[str, str]] = None,
        format: Optional[str] = "fltp",
        sample_rate: Optional[int] = None,
        num_channels: Optional[int] = None,
    ) -> int:
        """Adds an output of ``frames_per_chunk`` frames per chunk, keeping at most
        ``buffer_chunk_size`` chunks waiting; ``format`` (``"u8"``, ``"s16"``, ``"s32"``,
        ``"flt"``/``"fltp"``, ``"dbl"``) picks the dtype, ``sample_rate``/``num_channels``
        convert. Returns the output's index in :meth:`pop_chunks`."""
        return self.add_audio_stream(
            frames_per_chunk,
            buffer_chunk_size,
            stream_index=stream_index,
            decoder=decoder,
            decoder_option=decoder_option,
            format=format,
            sample_rate=sample_rate,
            num_channels=num_channels,
        )

    def add_audio_stream(
        self,
        frames_per_chunk: int,
        buffer_chunk_size: int = 3,
        *,
        stream_index: Optional[int] = None,
        decoder: Optional[str] = None,
        decoder_option: Optional[Dict[str, str]] = None,
        format: Optional[str] = "fltp",
        sample_rate: Optional[int] = None,
        num_channels: Optional[int] = None,
        effect: Union["AudioEffector", str, None] = None,
    ) -> int:
        """:meth:`add_basic_audio_stream` plus ``effect``: an :class:`AudioEffector` or a SoX
        chain (``"highpass 80 gain -3"``) applied to this output (torchaudio's ``filter_desc``
        took an FFmpeg filter graph; audiostream runs SoX's effects)."""
        for name, value in (("frames_per_chunk", frames_per_chunk), ("buffer_chunk_size", buffer_chunk_size)):
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} = {value!r}; allowed: an integer >= 1")
        fmt = "fltp" if format is None else format
        dtype = _FORMAT_DTYPES.get(fmt)
        if dtype is None:
            raise ValueError(
                f"format = {fmt!r}; allowed: u8, s16, s32, flt, dbl (or u8p, s16p, s32p, fltp, dblp)"
            )
        fx = _effector(effect)
        index = self._native.add_audio_stream(
            int(frames_per_chunk),
            int(buffer_chunk_size),
            stream_index,
            decoder,
            decoder_option,
            fmt,
            sample_rate,
            num_channels,
            fx._native if fx is not None else None,
        )
        if not self._dtypes:
            # Where a reopened reader resumes (after fork) is counted in output 0's frames.
            self._rate0 = self._native.get_out_stream_info(index)["sample_rate"]
        self._dtypes.append(dtype)
        self._outputs.append(
            dict(
                frames_per_chunk=frames_per_chunk,
                buffer_chunk_size=buffer_chunk_size,
                stream_index=stream_index,
                decoder=decoder,
                decoder_option=decoder_option,
                format=format,
                sample_rate=sample_rate,
                num_channels=num_channels,
                effect=fx,
            )
        )
        return index

    # ---- reading -------------------------------------------------------------------------

    def process_packet(self, timeout: Optional[float] = None, backoff: float = 10.0) -> int:
        """Reads and decodes the next packet. Returns the number of packets processed, ``0``
        once the stream has ended and nothing is left to pop (so ``while process_packet() !=
        0`` loops lose nothing). For live sources (URLs, devices), waits at most ``timeout``
        seconds for data, retrying every ``backoff`` milliseconds, then raises
        ``TimeoutError``; ``None`` waits as long as it takes."""
        self._check_fork()
        return self._native.process_packet(timeout, float(backoff))

    def process_all_packets(self) -> None:
        """Processes packets to the end, popping nothing (each output keeps its newest
        ``buffer_chunk_size`` chunks, as in torchaudio)."""
        self._check_fork()
        self._native.process_all_packets()

    def fill_buffer(self, timeout: Optional[float] = None, backoff: float = 10.0) -> int:
        """Processes packets until every output has a chunk; ``0`` once nothing is left."""
        self._check_fork()
        if timeout is None:
            return self._native.fill_buffer()
        while not self._native.is_buffer_ready():
            if self._native.process_packet(timeout, float(backoff)) == 0:
                return 0
        return 1

    def is_buffer_ready(self) -> bool:
        """Whether every output has at least one chunk ready."""
        return self._native.is_buffer_ready()

    def pop_chunks(self) -> List[Optional[Any]]:
        """One chunk (or ``None``) per output, in output order, each in its output's dtype."""
        self._check_fork()
        return [self._chunk(c) for c in self._native.pop_chunks(self._dtypes or ["flt"])]

    def stream(self, timeout: Optional[float] = None, backoff: float = 10.0) -> Iterator[List[Optional[Any]]]:
        """Yields :meth:`pop_chunks` results to the end of the stream, dropping nothing.

        ``timeout``/``backoff`` apply to live sources as in :meth:`process_packet`."""
        self._check_fork()
        if timeout is None:
            while True:
                item = self._native.stream_next(self._dtypes or ["flt"])
                if item is None:
                    return
                yield [self._chunk(c) for c in item]
        # A timeout: packet by packet, each wait bounded (lossless for one output; with several,
        # a faster output's chunks beyond buffer_chunk_size are dropped while a slower fills).
        while True:
            if timeout is not None:
                self.process_packet(timeout, backoff)
            n = self._native.fill_buffer()
            chunks = self.pop_chunks()
            if n == 0 and all(c is None for c in chunks):
                return
            yield chunks

    def _chunk(self, item: Optional[tuple]) -> Optional[Any]:
        if item is None:
            return None
        array, pts = item
        if self._spec is not None and self._rate0:
            self._resume_at = pts + array.shape[1] / self._rate0
        if not self._channels_first:
            array = array.T
        return _array.to_chunk(array, pts)

    # ---- information ---------------------------------------------------------------------

    def get_metadata(self) -> Dict[str, Any]:
        """The default audio stream and the container: ``sample_rate``, ``num_channels``,
        ``num_frames``, ``duration`` (seconds), ``duration_estimated``, ``codec``, ``format``,
        ``bit_rate``, ``bits_per_sample``, ``tags`` (title, artist, ...)."""
        return self._native.get_metadata()

    def get_src_stream_info(self, i: int) -> SourceStream:
        """Source stream ``i`` (``0 <= i < num_src_streams``)."""
        return SourceStream(**self._native.get_src_stream_info(_index(i, "source stream index")))

    def get_out_stream_info(self, i: int) -> OutputStream:
        """Output stream ``i`` (``0 <= i < num_out_streams``)."""
        return OutputStream(**self._native.get_out_stream_info(_index(i, "output stream index")))

    @property
    def num_src_streams(self) -> int:
        """Streams in the source (audio and others)."""
        return self._native.num_src_streams

    @property
    def num_out_streams(self) -> int:
        """Output streams added."""
        return self._native.num_out_streams

    @property
    def default_audio_stream(self) -> Optional[int]:
        """Index of the source's main audio stream, ``None`` when it has none."""
        return self._native.default_audio_stream

    def seek(self, timestamp: float, mode: str = "precise") -> None:
        """Moves to ``timestamp`` seconds; the next chunk starts exactly at
        ``round(timestamp * sample_rate)`` (``mode`` is accepted for torchaudio code: every
        mode is ``"precise"``)."""
        if mode not in ("key", "any", "precise"):
            raise ValueError(f"mode = {mode!r}; allowed: 'key', 'any', 'precise'")
        self._check_fork()
        self._native.seek(float(timestamp))
        self._resume_at = float(timestamp)

    # ---- lifetime ------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._native.closed

    def close(self) -> None:
        """Closes the source; later calls raise ``audiostream.ClosedError`` (a ``ValueError``).
        Closing twice is fine."""
        self._closed = True
        self._native.close()

    def __enter__(self) -> "StreamReader":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __reduce__(self):
        if self._spec is None:
            raise TypeError(
                "a StreamReader of a file object cannot be pickled; open it by path or bytes "
                "to send it to another process"
            )
        return (
            _reopen_reader,
            (self._spec, self._format, self._option, self._channels_first, self._outputs),
        )

    def __repr__(self) -> str:
        src = "<file object>" if self._spec is None else (
            self._spec[1] if self._spec[0] == "path" else f"<{len(self._spec[1])} bytes>")
        state = "closed" if self.closed else f"{self.num_out_streams} outputs"
        return f"StreamReader({src!r}, {state})"

    def _check_fork(self) -> None:
        if self._pid != os.getpid():
            _after_fork_in_child()

    @property
    def _native(self) -> NativeReader:
        # A reader inherited across fork() reopens on first use in the child, not in the
        # fork hook: a DataLoader worker forked with many readers pays only for those it reads.
        if self._reopen_pending:
            self._reopen_pending = False
            self._reopen()
        return self._native_reader

    def _reopen_in_child(self) -> None:
        """In the fork hook: gives up the parent's native reader (its descriptor is shared with
        the parent) and marks the reader to reopen on first use."""
        self._pid = os.getpid()
        if self._closed or self._spec is None or self._spec[0] == "bytes":
            # Bytes live in this process's memory, and a file object is the caller's: only
            # a path shares a descriptor with the parent.
            return
        old = self._native_reader
        if not old.forget_after_fork():
            _abandoned.append(old)
        self._reopen_pending = True

    def _reopen(self) -> None:
        self._native_reader = self._open(None)
        outputs, self._outputs, self._dtypes = self._outputs, [], []
        for o in outputs:
            self.add_audio_stream(**o)
        if self._resume_at:
            self._native_reader.seek(self._resume_at)


def _reopen_reader(spec, format, option, channels_first, outputs):
    kind, value = spec
    reader = StreamReader(value, format, option, channels_first=channels_first)
    for o in outputs:
        reader.add_audio_stream(**o)
    return reader


def _index(i: Any, what: str) -> int:
    if not isinstance(i, numbers.Integral) or i < 0:
        raise ValueError(f"{what} = {i!r}; allowed: an integer >= 0")
    return int(i)


@dataclasses.dataclass
class CodecConfig:
    """Encoder settings (seed: ``CodecConfig``). Each encoder documents what it honours; a
    field an encoder cannot honour is a ``ValueError`` naming the field and the encoder.

    ``bit_rate``: bits per second (MP3, Opus, Vorbis). ``compression_level``: FLAC 0-8, MP3's
    LAME quality 0-9, Opus complexity 0-10. ``qscale``: VBR quality (MP3 0-9, Vorbis -1..10).
    """

    bit_rate: Optional[int] = None
    compression_level: Optional[int] = None
    qscale: Optional[float] = None
    qmin: Optional[int] = None
    qmax: Optional[int] = None
    bit_rate_tolerance: Optional[int] = None
    buffer_size: Optional[int] = None

    def _fields(self) -> tuple:
        # torchaudio's CodecConfig used -1 for "not set".
        def unset(v: Any) -> Any:
            return None if v is None or (isinstance(v, numbers.Real) and v == -1 and not isinstance(v, bool)) else v

        return (
            unset(self.bit_rate), unset(self.compression_level),
            None if self.qscale is None else float(self.qscale),
            unset(self.qmin), unset(self.qmax), unset(self.bit_rate_tolerance), unset(self.buffer_size),
        )


class StreamWriter:
    """Encodes audio chunk by chunk to a path or a binary file object (seed and torchaudio:
    ``StreamWriter(dst, format=None, option=None)``).

    ``dst``: a path, ``"-"`` for stdout, an ``icecast://`` URL, a device name with
    ``format="device"``, or an object with ``write(b)`` (``format`` required then). ``format``:
    ``"wav"``, ``"mp3"``, ``"flac"``, ``"ogg"``, ``"opus"`` (default: from the extension).

    Chunks are ``(channels, frames)`` (``channels_first=False``: ``(frames, channels)``) of
    the dtype the stream's ``format`` says: ``"flt"``/``"fltp"`` float32 (default), ``"dbl"``
    float64, ``"s16"`` int16, ``"s32"`` int32, ``"u8"`` uint8.

    >>> with StreamWriter("out.flac") as w:  # doctest: +SKIP
    ...     w.add_audio_stream(sample_rate=44100, num_channels=2)
    ...     w.write_audio_chunk(0, np.zeros((2, 4410), np.float32))

    Not picklable (a second process writing the same file would corrupt it): create writers
    inside the worker. A writer inherited through ``fork()`` is unusable in the child (its
    destructor never runs there, so it cannot finalize the parent's file).
    """

    def __init__(
        self,
        dst: Union[str, "os.PathLike[str]", Any],
        format: Optional[str] = None,
        option: Optional[Dict[str, str]] = None,
        buffer_size: int = 4096,
        *,
        channels_first: bool = True,
    ) -> None:
        self._channels_first = bool(channels_first)
        if isinstance(dst, (str, os.PathLike)):
            self._native = NativeWriter.open(os.fspath(dst), format, dict(option) if option else None)
        elif hasattr(dst, "write"):
            if format is None:
                raise ValueError("format = None; allowed: a container name (wav, mp3, flac, ogg, opus), required for a file object")
            if option:
                raise ValueError(f"option = {option!r}; allowed: none for a file object")
            seekable = hasattr(dst, "seek") and (not hasattr(dst, "seekable") or dst.seekable())
            self._native = NativeWriter.to_file(dst, seekable, format)
        else:
            raise ValueError(
                f"dst = {type(dst).__name__}; allowed: a path, or a binary file object with write(b)"
            )
        self._pid = os.getpid()
        _live.add(self)

    def add_audio_stream(
        self,
        sample_rate: int,
        num_channels: int,
        format: str = "fltp",
        encoder: Optional[str] = None,
        codec_config: Optional[CodecConfig] = None,
        encoder_option: Optional[Dict[str, str]] = None,
        *,
        encoder_sample_rate: Optional[int] = None,
        encoder_num_channels: Optional[int] = None,
        encoder_format: Optional[str] = None,
        effect: Union["AudioEffector", str, None] = None,
    ) -> int:
        """Adds an audio stream taking ``num_channels`` channels at ``sample_rate`` Hz in
        sample type ``format``; the encoder (default: the container's) converts rate,
        channels and sample type as needed. Returns the stream index."""
        self._check_fork()
        if codec_config is not None and not isinstance(codec_config, CodecConfig):
            raise ValueError(f"codec_config = {codec_config!r}; allowed: an audiostream.io.CodecConfig")
        fx = _effector(effect)
        return self._native.add_audio_stream(
            sample_rate,
            num_channels,
            format,
            encoder,
            codec_config._fields() if codec_config is not None else None,
            encoder_option,
            encoder_sample_rate,
            encoder_num_channels,
            encoder_format,
            fx._native if fx is not None else None,
        )

    def write_audio_chunk(self, stream_index: int, chunk: Any, pts: Union[int, float, None] = None) -> None:
        """Writes ``chunk`` to stream ``stream_index``. ``pts``: ``None`` (right after what was
        written), an integer frame index at the input rate (the seed's), or seconds as a float
        (a reader chunk's ``.pts``, torchaudio's); a gap is filled with silence, a position
        behind what was written is a ``ValueError``."""
        self._check_fork()
        array = _array.as_2d(chunk, "chunk", self._channels_first)
        if pts is None or isinstance(pts, bool):
            frames, seconds = None, None
        elif isinstance(pts, numbers.Integral):
            frames, seconds = int(pts), None
        elif isinstance(pts, numbers.Real):
            if not math.isfinite(pts):
                raise ValueError(f"pts = {pts!r}; allowed: a finite number of seconds >= 0, an integer frame index, or None")
            frames, seconds = None, float(pts)
        else:
            raise ValueError(f"pts = {pts!r}; allowed: None, an integer frame index, or seconds")
        self._native.write_audio_chunk(_index(stream_index, "stream_index"), array, frames, seconds)

    def set_metadata(self, metadata: Dict[str, str]) -> None:
        """Sets the container's tags (title, artist, ...), before the first chunk."""
        self._native.set_metadata(dict(metadata))

    def flush(self) -> None:
        """Encodes what is buffered and patches headers so far."""
        self._check_fork()
        self._native.flush()

    def stats(self) -> Dict[str, int]:
        """``frames_written``, ``silence_frames``, ``clipped_samples``, ``encoded_frames``."""
        return self._native.stats()

    def open(self, option: Optional[Dict[str, str]] = None) -> "StreamWriter":
        """torchaudio's ``open()``: the writer is open from construction, so this only
        returns ``self`` (``with w.open(): ...`` works)."""
        if option:
            raise ValueError(f"option = {option!r}; allowed: none (pass options to the constructor)")
        return self

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._native.closed

    def close(self) -> None:
        """Finalizes the file (headers, encoder tails); closing twice is fine."""
        self._check_fork()
        self._native.close()

    def __enter__(self) -> "StreamWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __reduce__(self):
        raise TypeError(
            "a StreamWriter cannot be pickled: two processes writing one file would corrupt "
            "it; create the writer inside the worker"
        )

    def _check_fork(self) -> None:
        if self._pid != os.getpid():
            _after_fork_in_child()

    def _reopen_in_child(self) -> None:
        old = self._native
        if not old.forget_after_fork():
            _abandoned.append(old)
        self._pid = os.getpid()


def _after_fork_in_child() -> None:
    """In a child after ``fork()``: readers of paths give up the parent's descriptor and reopen
    their file when first used, writers give theirs up (see the class docs)."""
    for obj in list(_live):
        if obj._pid != os.getpid():
            obj._reopen_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class AudioEffector:
    """SoX effects (seed: ``AudioEffector(effect, *args, **kwargs)``): ``reverb``, ``chorus``,
    ``flanger``, ``overdrive``, ``echo``, ``phaser``, ``tremolo``, ``gain``, ``highpass``, ...
    with SoX's positional arguments, named parameters as keywords (``reverberance=50``), or
    with neither, a whole SoX chain: ``AudioEffector("highpass 80 reverb 50")``.

    >>> AudioEffector("overdrive", 10, 20).apply(np.zeros((2, 100), np.float32), 44100).shape
    (2, 100)
    """

    def __init__(self, effect: str, *args: float, **kwargs: float) -> None:
        if not isinstance(effect, str):
            raise ValueError(f"effect = {effect!r}; allowed: an effect name or a SoX chain string")
        self.effect = effect
        self.args = tuple(float(a) for a in args)
        self.kwargs = {k: float(v) for k, v in kwargs.items()}
        self._native = NativeEffector(effect, list(self.args), list(self.kwargs.items()))

    def apply(self, waveform: Any, sample_rate: int, *, channels_first: bool = True) -> Any:
        """Applies the chain to a whole waveform (``(channels, time)``, or ``(time,)``) and
        returns the whole result, tails included, in the input's dtype and layout. The GIL is
        released while it runs."""
        array, restore = _effect_input(waveform, channels_first)
        out = self._native.apply(array, sample_rate)
        return restore(out, waveform)

    def stream(self, waveform: Any, sample_rate: int, frames_per_chunk: int, *, channels_first: bool = True) -> Iterator[Any]:
        """torchaudio's ``stream``: applies the chain ``frames_per_chunk`` input frames at a
        time, yielding each output (the last one with the effects' tails)."""
        array, restore = _effect_input(waveform, channels_first)
        if not isinstance(frames_per_chunk, numbers.Integral) or frames_per_chunk < 1:
            raise ValueError(f"frames_per_chunk = {frames_per_chunk!r}; allowed: an integer >= 1")
        s = self._native.stream(sample_rate, array.shape[0])
        for start in range(0, array.shape[1], frames_per_chunk):
            yield restore(s.process(np.ascontiguousarray(array[:, start:start + frames_per_chunk])), waveform)
        yield restore(s.flush(), waveform)

    def __reduce__(self):
        return (_make_effector, (self.effect, self.args, self.kwargs))

    def __repr__(self) -> str:
        parts = [repr(self.effect)] + [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"AudioEffector({', '.join(parts)})"


def _make_effector(effect, args, kwargs):
    return AudioEffector(effect, *args, **kwargs)


def _effector(effect: Union[AudioEffector, str, None]) -> Optional[AudioEffector]:
    if effect is None or isinstance(effect, AudioEffector):
        return effect
    if isinstance(effect, str):
        return AudioEffector(effect)
    raise ValueError(f"effect = {effect!r}; allowed: an AudioEffector, a SoX chain string, or None")


def _effect_input(waveform: Any, channels_first: bool):
    """A float32 ``(channels, frames)`` array, and how to give a result the input's form."""
    a = _array.as_array(waveform, "waveform")
    one_d = a.ndim == 1
    if one_d:
        a = a[None, :]
    elif a.ndim != 2:
        raise ValueError(f"waveform has shape {a.shape}; allowed: (time,) or a 2-D array")
    elif not channels_first:
        a = a.T
    dtype = a.dtype
    if dtype.type not in _array.SAMPLE_DTYPES:
        raise ValueError(f"waveform has dtype {dtype}; allowed: float32, float64, int16, int32, uint8")
    f = np.ascontiguousarray(_array.as_float32(a))

    def restore(out: np.ndarray, like: Any) -> Any:
        if dtype.type is np.float64:
            out = out.astype(np.float64)
        elif dtype.type is not np.float32:
            out = _from_float32(out, dtype)
        if one_d:
            out = out[0]
        elif not channels_first:
            out = out.T
        return _array.to_output(out, like)

    return f, restore


def _from_float32(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """float32 back to an integer type (FFmpeg's rounding and clipping)."""
    t = dtype.type
    if t is np.int16:
        return np.clip(np.round(a * 32768.0), -32768, 32767).astype(np.int16)
    if t is np.int32:
        return np.clip(np.round(a.astype(np.float64) * 2147483648.0), -2147483648, 2147483647).astype(np.int32)
    return np.clip(np.round(a * 128.0 + 128.0), 0, 255).astype(np.uint8)


def play_audio(waveform: Any, sample_rate: int, normalize: bool = True, channels_first: bool = True) -> None:
    """Plays a waveform on the default output device and returns when it has played (seed:
    ``play_audio``). ``normalize`` scales the peak down to 1.0 when it is above (never
    louder). Integer dtypes are converted as FFmpeg converts them. Raises
    ``audiostream.DeviceError`` (an ``OSError``) when there is no device. The GIL is released
    while it plays."""
    a = _array.as_array(waveform, "waveform")
    if a.ndim == 1:
        a = a[None, :] if channels_first else a[:, None]
    if a.ndim != 2:
        raise ValueError(f"waveform has shape {a.shape}; allowed: (time,) or a 2-D array")
    if a.dtype.type not in _array.SAMPLE_DTYPES:
        raise ValueError(f"waveform has dtype {a.dtype}; allowed: float32, float64, int16, int32, uint8")
    _native_play_audio(np.ascontiguousarray(_array.as_float32(a)), int(sample_rate), bool(normalize), bool(channels_first))
