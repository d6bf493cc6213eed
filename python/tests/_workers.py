"""Functions run in worker processes (importable by name, as `spawn` needs)."""

import numpy as np


def decode_path(path: str) -> np.ndarray:
    from audiostream.io import StreamReader

    with StreamReader(path) as r:
        r.add_basic_audio_stream(4096)
        return np.concatenate([np.asarray(c) for (c,) in r.stream()], axis=1)


def decode_reader(reader) -> np.ndarray:
    """Reads a reader that came through pickle (reopened from its path or bytes)."""
    with reader:
        return np.concatenate([np.asarray(c) for (c,) in reader.stream()], axis=1)


def rest_of(reader, queue) -> None:
    """Reads what is left of an inherited reader (a fork child)."""
    chunks = []
    while reader.process_packet() != 0:
        c = reader.pop_chunks()[0]
        if c is not None:
            chunks.append(np.asarray(c))
    queue.put(np.concatenate(chunks, axis=1))


def rest_of_beside(reader, untouched, queue) -> None:
    """`rest_of` in a fork child, with whether `untouched` (a reader the child never used) is
    still waiting to reopen."""
    chunks = []
    while reader.process_packet() != 0:
        c = reader.pop_chunks()[0]
        if c is not None:
            chunks.append(np.asarray(c))
    queue.put((np.concatenate(chunks, axis=1), untouched._reopen_pending))
