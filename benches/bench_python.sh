#!/usr/bin/env bash
# Python benchmark (issue 17), one Python process, side by side: audiostream.load vs
# soundfile.read vs pedalboard's AudioFile on the 10-minute file (2 cores) and on 1-second
# clips from memory (one core, taskset -c 0), plus decode-and-resample to 16 kHz mono
# (benches/bench_python.py says what each contender does). Medians of --reps runs; the 1-minute
# load average before and after goes beside the figures. Rewrites the section "Python
# (audiostream vs soundfile vs pedalboard)" of BENCHMARKS.md.
#
# Usage: benches/bench_python.sh [--reps N] [--clips N] [--no-write]
# Needs: python3 with venv, cargo, ffmpeg, flac, lame, oggenc, taskset, and the data of
# benches/prepare_data.sh ($BENCH_DATA, default benches/data). The extension is built in
# release by maturin into the virtualenv $BENCH_PY_VENV (default target/pyvenv-bench), with
# soundfile, pedalboard, scipy and numpy from PyPI. torch/torchaudio/TorchCodec are not
# installed (PyPI's torch is several GB).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REPS=5
NCLIPS=1000
WRITE=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --reps) REPS="$2"; shift ;;
        --clips) NCLIPS="$2"; shift ;;
        --no-write) WRITE=0 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
DATA="${BENCH_DATA:-$ROOT/benches/data}"
VENV="${BENCH_PY_VENV:-$ROOT/target/pyvenv-bench}"
for t in cargo python3 ffmpeg flac lame oggenc taskset; do
    command -v "$t" >/dev/null || { echo "bench_python.sh: '$t' not found" >&2; exit 1; }
done
[[ -f "$DATA/music10.wav" ]] || BENCH_DATA="$DATA" benches/prepare_data.sh --quick
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check "maturin>=1.9,<2" numpy scipy soundfile pedalboard
echo "bench_python: building the extension (release)" >&2
(cd python && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" maturin develop -q --release)

CLIPS="$(mktemp -d)"
trap 'rm -rf "$CLIPS"' EXIT
# One second from minute 1 of the music, as benches/bench_load.sh makes them.
ffmpeg -v error -nostdin -y -ss 60 -t 1 -i "$DATA/music10.wav" -c:a pcm_s16le "$CLIPS/clip.wav"
flac -s -f -5 -o "$CLIPS/clip.flac" "$CLIPS/clip.wav"
lame --quiet --cbr -b 192 "$CLIPS/clip.wav" "$CLIPS/clip.mp3"
oggenc -Q -q 5 -o "$CLIPS/clip.ogg" "$CLIPS/clip.wav"
ffmpeg -v error -nostdin -y -i "$CLIPS/clip.wav" -c:a aac -b:a 192k "$CLIPS/clip.m4a"

LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
echo "bench_python: whole files (2 cores)" >&2
BENCH_CASES=whole taskset -c 0,1 "$VENV/bin/python" benches/bench_python.py "$REPS" "$NCLIPS" "$CLIPS" "$DATA" > "$CLIPS/rows.jsonl"
echo "bench_python: clips (one core)" >&2
BENCH_CASES=clips,clips16k taskset -c 0 "$VENV/bin/python" benches/bench_python.py "$REPS" "$NCLIPS" "$CLIPS" "$DATA" >> "$CLIPS/rows.jsonl"
LOAD1="$(cut -d' ' -f1 /proc/loadavg)"
VERSIONS="$("$VENV/bin/python" -c 'import soundfile, pedalboard, scipy, numpy, sys; print(f"Python {sys.version.split()[0]}, soundfile {soundfile.__version__} (libsndfile {soundfile.__libsndfile_version__}), pedalboard {pedalboard.__version__}, scipy {scipy.__version__}, NumPy {numpy.__version__}")')"

"$VENV/bin/python" - "$CLIPS/rows.jsonl" "$REPS" "$NCLIPS" "$LOAD0" "$LOAD1" "$WRITE" "$ROOT/BENCHMARKS.md" "$VERSIONS" <<'PY'
import json, os, sys
rows_file, reps, nclips, load0, load1, write, md, versions = sys.argv[1:9]
rows = [json.loads(l) for l in open(rows_file)]
by = {(r["case"], r["ext"], r["contender"]): r for r in rows}
names = {"wav": "WAV s16", "flac": "FLAC", "mp3": "MP3 192k", "ogg": "Ogg Vorbis q5", "m4a": "M4A AAC 192k"}
out = ["## Python (audiostream vs soundfile vs pedalboard)\n"]
out.append(f"`benches/bench_python.sh --reps {reps} --clips {nclips}` (medians of {reps} runs inside one "
           f"Python process; 1-minute load average {load0} before, {load1} after, on this 2-core machine "
           f"shared with other builds). {versions}; audiostream built in release by maturin. "
           "torchaudio and TorchCodec were not installed (PyPI's torch is several GB), so they are not in the table.\n")
def cell(case, ext, c, unit):
    r = by.get((case, ext, c))
    if r is None or "secs" not in r:
        return "—"
    return f"{r['secs']:.2f} s" if unit == "s" else f"{r['n'] / r['secs']:,.0f}"
def best(case, ext, unit):
    rs = [by.get((case, ext, c)) for c in ("audiostream", "soundfile", "pedalboard")]
    rs = [r for r in rs if r and "secs" in r]
    return min(rs, key=lambda r: r["secs"])["contender"] if rs else "—"
def ratio(case, ext, other):
    a, b = by.get((case, ext, "audiostream")), by.get((case, ext, other))
    if not a or not b or "secs" not in a or "secs" not in b:
        return "—"
    return f"{a['secs'] / b['secs']:.2f}"
tables = [
    ("whole", "s", "**The 10-minute file** (`benches/prepare_data.sh`, from its path; 2 cores, `taskset -c 0,1`): seconds."),
    ("clips", "clips/s", f"**{nclips} one-second clips** from memory (audiostream: `bytes`; the others: `io.BytesIO`), one core (`taskset -c 0`): clips per second."),
    ("clips16k", "clips/s", f"**The same clips decoded and resampled to 16 kHz mono**, one core: clips per second. audiostream: `load(b, sample_rate=16000, num_channels=1)` (its reader's remix and resampler); soundfile: `soundfile.read` + channel mean + `scipy.signal.resample_poly(x, 160, 441)`; pedalboard: `AudioFile(...).resampled_to(16000)` + channel mean."),
]
for case, unit, title in tables:
    out.append(title + "\n")
    out.append(f"| format | audiostream | soundfile | pedalboard | ours / soundfile | ours / pedalboard | fastest |")
    out.append("|---|---:|---:|---:|---:|---:|---|")
    for ext in ("wav", "flac", "mp3", "ogg", "m4a"):
        out.append(f"| {names[ext]} | {cell(case, ext, 'audiostream', unit)} | {cell(case, ext, 'soundfile', unit)} "
                   f"| {cell(case, ext, 'pedalboard', unit)} | {ratio(case, ext, 'soundfile')} | {ratio(case, ext, 'pedalboard')} | {best(case, ext, unit)} |")
    out.append("")
errs = {}
for r in rows:
    if "error" in r:
        errs.setdefault((r["contender"], r["ext"]), r["error"].split(":")[0][:40])
out.append("Ratios are our time over theirs (below 1: we are faster). — : the library does not read the format"
           + (" (" + "; ".join(f"{c} on .{e}: \"{m}...\"" for (c, e), m in sorted(errs.items())) + ")." if errs else "."))
text = "\n".join(out) + "\n"
print(text)
if write == "1":
    sys.path.insert(0, os.path.join(os.path.dirname(md), "benches"))
    from bench_reader import replace_section
    replace_section(md, "python", text)
PY
