#!/usr/bin/env bash
# Vorbis clips, the case of the setup-header cache (symphonia-fixes/vorbis): 1-second Ogg Vorbis
# clips decoded from memory one after another on one core (taskset -c 0), `load_bytes`
# (benches/load.rs `clips`) vs soundfile.read and pedalboard's AudioFile (benches/bench_load.py)
# in one run; with --baseline BIN, also the `clips` mode of another build of benches/load.rs
# (e.g. one made from the commit before the cache: copy its target/release/deps/load-* aside).
# Prints medians of --reps runs (each of 20 calls) as clips per second and ratios, with the
# 1-minute load average before and after. Writes nothing into BENCHMARKS.md.
#
# Usage: benches/bench_vorbis_clips.sh [--reps N] [--quality Q] [--baseline BIN]
# Needs: cargo, python3 + the venv of benches/bench_load.sh ($LOAD_VENV), ffmpeg, oggenc,
# taskset, and the data of benches/prepare_data.sh ($BENCH_DATA, default benches/data).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REPS=5
QUALITY=5
BASELINE=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --reps) REPS="$2"; shift ;;
        --quality) QUALITY="$2"; shift ;;
        --baseline) BASELINE="$2"; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
DATA="${BENCH_DATA:-$ROOT/benches/data}"
VENV="${LOAD_VENV:-/work/scratch/venv-load}"
for t in cargo python3 ffmpeg oggenc taskset; do
    command -v "$t" >/dev/null || { echo "bench_vorbis_clips.sh: '$t' not found" >&2; exit 1; }
done
[[ -x "$VENV/bin/python" ]] || { echo "no venv at $VENV: run benches/bench_load.sh once" >&2; exit 1; }
[[ -f "$DATA/music10.wav" ]] || BENCH_DATA="$DATA" benches/prepare_data.sh --quick

# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
BIN="$(bench_exe load)"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# One second from minute 1 of the music, as benches/bench_load.sh makes its clips.
ffmpeg -v error -nostdin -y -ss 60 -t 1 -i "$DATA/music10.wav" -c:a pcm_s16le "$TMP/clip.wav"
oggenc -Q -q "$QUALITY" -o "$TMP/clip.ogg" "$TMP/clip.wav"

LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
taskset -c 0 "$BIN" clips "$REPS" "$TMP/clip.ogg" | grep '"load_bytes"' > "$TMP/ours.jsonl"
if [[ -n "$BASELINE" ]]; then
    taskset -c 0 "$BASELINE" clips "$REPS" "$TMP/clip.ogg" | grep '"load_bytes"' \
        | sed 's/"load_bytes"/"baseline load_bytes"/' >> "$TMP/ours.jsonl"
fi
taskset -c 0 "$VENV/bin/python" benches/bench_load.py "$REPS" "$TMP/clip.ogg" > "$TMP/py.jsonl"
LOAD1="$(cut -d' ' -f1 /proc/loadavg)"

python3 - "$TMP" "$REPS" "$QUALITY" "$LOAD0" "$LOAD1" <<'EOF'
import json, os, sys
tmp, reps, q, l0, l1 = sys.argv[1:6]
rows = [json.loads(l) for f in ("ours.jsonl", "py.jsonl") for l in open(os.path.join(tmp, f))]
secs = {r["contender"]: r["secs"] for r in rows if "secs" in r}
ours = secs["load_bytes"]
print(f"1-second Ogg Vorbis q{q} clip, one core, medians of {reps} runs; "
      f"load average {l0} before, {l1} after")
print("| contender | clips/s | load_bytes time / its time |")
print("|---|---:|---:|")
for name, s in secs.items():
    print(f"| {name} | {1 / s:,.0f} | {ours / s:.2f} |")
EOF
