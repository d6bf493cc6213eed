#!/usr/bin/env python3
"""The Python contenders of benches/bench_load.sh: soundfile.read and pedalboard's AudioFile
decoding 1-second clips from memory (io.BytesIO), timed inside Python (no interpreter start).

Usage: bench_load.py <reps> <file>...   Prints one JSON line per (file, contender) with the
median seconds per clip, or an "error" where the library cannot read the format.
"""
import io
import json
import statistics
import sys
import time

import numpy as np
import soundfile
from pedalboard.io import AudioFile


def sf_read(b):
    data, rate = soundfile.read(io.BytesIO(b), dtype="float32", always_2d=True)
    return data.shape[0]


def pb_read(b):
    with AudioFile(io.BytesIO(b)) as f:
        data = f.read(f.frames)
    return data.shape[1]


def timed(f, b, reps, inner=20):
    f(b)  # warm-up (and the error, for formats the library cannot read)
    runs = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner):
            f(b)
        runs.append((time.perf_counter() - t) / inner)
    return statistics.median(runs)


def main():
    reps = int(sys.argv[1])
    for path in sys.argv[2:]:
        b = open(path, "rb").read()
        for name, f in (("soundfile", sf_read), ("pedalboard", pb_read)):
            row = {"file": path, "contender": name}
            try:
                row["frames"] = f(b)
                row["secs"] = timed(f, b, reps)
            except Exception as e:  # the library does not read this format
                row["error"] = str(e).splitlines()[0][:80]
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
