#!/usr/bin/env python3
"""The Python benchmark of issue 17 (run by benches/bench_python.sh): inside one Python
process, side by side, `audiostream.load` vs `soundfile.read` vs pedalboard's
`AudioFile(...).read(...)`:

* the 10-minute file in each format (from its path, every core for audiostream);
* 1,000 one-second clips in each format, decoded from memory (`bytes` for audiostream,
  `io.BytesIO` for the others), on one core (the caller pins the process);
* the same clips decoded and resampled to 16 kHz mono: audiostream's `sample_rate=16000,
  num_channels=1`; soundfile + the channel mean + `scipy.signal.resample_poly(x, 160, 441)`;
  pedalboard's `AudioFile(...).resampled_to(16000)` then the channel mean.

Usage: bench_python.py <reps> <clips> <clip_dir> <data_dir>   Prints one JSON line per
(case, format, contender): median seconds of <reps> runs, or the error of a library that
cannot read the format.
"""
import io
import json
import os
import statistics
import sys
import time

import numpy as np
import soundfile
import scipy.signal
from pedalboard.io import AudioFile

import audiostream

FORMATS = ["wav", "flac", "mp3", "ogg", "m4a"]


def as_load(src):
    a, _ = audiostream.load(src)
    return a.shape[1]


def sf_load(src):
    if isinstance(src, bytes):
        src = io.BytesIO(src)
    a, _ = soundfile.read(src, dtype="float32", always_2d=True)
    return a.shape[0]


def pb_load(src):
    if isinstance(src, bytes):
        src = io.BytesIO(src)
    with AudioFile(src) as f:
        a = f.read(f.frames)
    return a.shape[1]


def as_16k(b):
    a, _ = audiostream.load(b, sample_rate=16000, num_channels=1)
    return a.shape[1]


def sf_16k(b):
    a, sr = soundfile.read(io.BytesIO(b), dtype="float32", always_2d=True)
    mono = a.mean(axis=1)
    # 44100 -> 16000: up 160, down 441 (scipy's polyphase FIR, Kaiser window).
    return scipy.signal.resample_poly(mono, 16000 // 100, sr // 100).shape[0]


def pb_16k(b):
    with AudioFile(io.BytesIO(b)).resampled_to(16000) as f:
        a = f.read(f.frames)
    return a.mean(axis=0).shape[0]


def timed(f, items, reps):
    f(items[0])  # warm-up, and the error of a format the library does not read
    runs = []
    for _ in range(reps):
        t = time.perf_counter()
        for x in items:
            f(x)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main():
    reps, nclips, clip_dir, data_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    cases = [
        ("whole", {"audiostream": as_load, "soundfile": sf_load, "pedalboard": pb_load}),
        ("clips", {"audiostream": as_load, "soundfile": sf_load, "pedalboard": pb_load}),
        ("clips16k", {"audiostream": as_16k, "soundfile": sf_16k, "pedalboard": pb_16k}),
    ]
    only = os.environ.get("BENCH_CASES", "whole,clips,clips16k").split(",")
    for case, contenders in cases:
        if case not in only:
            continue
        for ext in FORMATS:
            if case == "whole":
                items = [os.path.join(data_dir, f"music10.{ext}")]
            else:
                clip = open(os.path.join(clip_dir, f"clip.{ext}"), "rb").read()
                # Distinct bytes objects, as a data loader would hold.
                items = [bytes(clip) for _ in range(nclips)]
            for name, f in contenders.items():
                row = {"case": case, "ext": ext, "contender": name, "n": len(items)}
                try:
                    row["secs"] = timed(f, items, reps)
                except Exception as e:  # the library does not read this format
                    row["error"] = str(e).splitlines()[0][:100]
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
