#!/usr/bin/env bash
# One-call load benchmark (issue 14), our code and the references side by side in one run:
# (a) small clips, the data-loading case: 1-second clips (WAV s16, FLAC, MP3, Ogg Vorbis,
#     M4A AAC) decoded from memory on one core (taskset -c 0): `load_bytes` vs the bare
#     symphonia loop (benches/load.rs) vs soundfile.read and pedalboard's AudioFile (timed
#     inside Python, benches/bench_load.py); the fixed cost per file (open + probe) apart.
# (b) whole files: `load` of the 10-minute file in each format on 2 cores vs the bare
#     single-threaded symphonia loop and `ffmpeg -threads 1 ... -f null -` (whole-process wall
#     time to the nanosecond, the contenders alternating; peak RSS and CPU by /usr/bin/time).
# Medians of --reps runs; the 1-minute load average before and after is written beside the
# figures. Rewrites the "One-call load" section of BENCHMARKS.md.
#
# Usage: benches/bench_load.sh [--reps N] [--no-write]
# Needs: cargo, python3 (+ venv with soundfile, pedalboard, numpy: $LOAD_VENV, default
# /work/scratch/venv-load; made with pip when missing), ffmpeg, flac, lame, oggenc, taskset,
# and the data of benches/prepare_data.sh ($BENCH_DATA, default benches/data; the music comes
# from Debian's wesnoth-1.16-music and is never committed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REPS=5
WRITE=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --reps) REPS="$2"; shift ;;
        --no-write) WRITE=0 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
DATA="${BENCH_DATA:-$ROOT/benches/data}"
VENV="${LOAD_VENV:-/work/scratch/venv-load}"
for t in cargo python3 ffmpeg flac lame oggenc taskset /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "bench_load.sh: '$t' not found" >&2; exit 1; }
done
[[ -f "$DATA/music10.wav" ]] || BENCH_DATA="$DATA" benches/prepare_data.sh --quick
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q soundfile pedalboard numpy
fi

echo "bench_load: building benches/load.rs" >&2
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
BIN="$(bench_exe load)"

CLIPS="$(mktemp -d)"
trap 'rm -rf "$CLIPS"' EXIT
# One second from minute 1 of the music: the clips a data loader reads.
ffmpeg -v error -nostdin -y -ss 60 -t 1 -i "$DATA/music10.wav" -c:a pcm_s16le "$CLIPS/clip.wav"
flac -s -f -5 -o "$CLIPS/clip.flac" "$CLIPS/clip.wav"
lame --quiet --cbr -b 192 "$CLIPS/clip.wav" "$CLIPS/clip.mp3"
oggenc -Q -q 5 -o "$CLIPS/clip.ogg" "$CLIPS/clip.wav"
ffmpeg -v error -nostdin -y -i "$CLIPS/clip.wav" -c:a aac -b:a 192k "$CLIPS/clip.m4a"
CLIPFILES=("$CLIPS"/clip.{wav,flac,mp3,ogg,m4a})

LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
echo "bench_load: clips (one core)" >&2
taskset -c 0 "$BIN" clips "$REPS" "${CLIPFILES[@]}" > "$CLIPS/ours.jsonl"
taskset -c 0 "$VENV/bin/python" benches/bench_load.py "$REPS" "${CLIPFILES[@]}" > "$CLIPS/py.jsonl"

echo "bench_load: whole files" >&2
: > "$CLIPS/whole.jsonl"
for ext in wav flac mp3 ogg m4a opus; do
    f="$DATA/music10.$ext"
    [[ -f "$f" ]] || continue
    # The contenders alternate, rep by rep (a slow moment of the machine hits all of them).
    for ((i = 0; i < REPS; i++)); do
        for contender in load bare ffmpeg; do
            case "$contender" in
                load) cmd=(taskset -c 0,1 "$BIN" whole load "$f") ;;
                bare) cmd=(taskset -c 0 "$BIN" whole bare "$f") ;;
                ffmpeg) cmd=(taskset -c 0 ffmpeg -v error -nostdin -threads 1 -i "$f" -f null -) ;;
            esac
            # Wall time to the nanosecond around /usr/bin/time (its %e has 10 ms steps, 4 % of
            # a 0.25 s load); peak RSS and CPU time from /usr/bin/time.
            t0=$(date +%s%N)
            /usr/bin/time -f "TIME %e %M %U %S" "${cmd[@]}" > "$CLIPS/out" 2> "$CLIPS/err" || { cat "$CLIPS/err" >&2; exit 1; }
            t1=$(date +%s%N)
            read -r _ rss user sys < <(grep '^TIME' "$CLIPS/err" | cut -d' ' -f2-)
            secs=$(python3 -c "print(($t1 - $t0) / 1e9)")
            echo "{\"ext\": \"$ext\", \"contender\": \"$contender\", \"secs\": $secs, \"rss_kib\": $rss, \"cpu\": $(python3 -c "print($user + $sys)")}" >> "$CLIPS/whole.jsonl"
        done
    done
done
LOAD1="$(cut -d' ' -f1 /proc/loadavg)"

python3 - "$CLIPS" "$REPS" "$LOAD0" "$LOAD1" "$WRITE" "$ROOT/BENCHMARKS.md" <<'EOF'
import json, os, statistics, sys
clips, reps, load0, load1, write, md = sys.argv[1:7]
rows = [json.loads(l) for f in ("ours.jsonl", "py.jsonl") for l in open(os.path.join(clips, f))]
fmt_of = lambda p: os.path.splitext(p)[1][1:]
names = {"wav": "WAV s16", "flac": "FLAC", "mp3": "MP3 192k", "ogg": "Ogg Vorbis q5", "m4a": "M4A AAC 192k"}
out = []
out.append("## One-call load: small clips from memory, whole files on every core\n")
out.append(f"`benches/bench_load.sh --reps {reps}` (medians of {reps} runs; 1-minute load average "
           f"{load0} before, {load1} after, on this 2-core machine shared with other builds).\n")
out.append("**Small clips** (1 s of stereo 44.1 kHz music, decoded from memory on one core, "
           "`taskset -c 0`): clips per second; the ratios are `load_bytes` against each. "
           "soundfile 0.14 (libsndfile 1.2.2) and pedalboard 0.9 are timed inside Python "
           "(`io.BytesIO`); the bare loop copies the bytes into a `Cursor` as `load_bytes` does.\n")
out.append("| clip | `load_bytes` | bare symphonia | soundfile | pedalboard | bare / ours | soundfile / ours | pedalboard / ours | open+probe (µs): ours / bare probe / bare probe + decoder |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
by = {}
for r in rows:
    by[(fmt_of(r["file"]), r["contender"])] = r
for ext in ("wav", "flac", "mp3", "ogg", "m4a"):
    g = lambda c: by.get((ext, c), {}).get("secs")
    ours = g("load_bytes")
    cell = lambda s: f"{1/s:,.0f}" if s else "—"
    ratio = lambda s: f"{ours/s:.2f}" if s and ours else "—"
    out.append(f"| {names[ext]} | {cell(ours)} | {cell(g('bare'))} | {cell(g('soundfile'))} | {cell(g('pedalboard'))} "
               f"| {ratio(g('bare'))} | {ratio(g('soundfile'))} | {ratio(g('pedalboard'))} "
               f"| {g('open_reader')*1e6:.0f} / {g('open_bare')*1e6:.0f} / {g('decoder_bare')*1e6:.0f} |")
out.append("\nA ratio is our time over theirs: below 1 is faster than them. — : the library does "
           "not read the format (soundfile and pedalboard have no AAC on Linux).\n")
whole = [json.loads(l) for l in open(os.path.join(clips, "whole.jsonl"))]
med = {}
for ext in dict.fromkeys(w["ext"] for w in whole):
    for c in ("load", "bare", "ffmpeg"):
        ws = [w for w in whole if w["ext"] == ext and w["contender"] == c]
        med[(ext, c)] = (statistics.median(w["secs"] for w in ws), max(w["rss_kib"] for w in ws),
                         statistics.median(w["cpu"] for w in ws))
out.append("**Whole files** (the 10-minute file of `benches/prepare_data.sh`, whole process "
           "wall time to the ms, medians of runs alternating between the contenders; peak RSS): `load` on 2 cores (`taskset -c 0,1`), the bare symphonia loop "
           "and `ffmpeg -threads 1 -f null` on one.\n")
out.append("| file | `load`, 2 cores | bare loop, 1 core | `ffmpeg -threads 1` | load / bare | load / ffmpeg | CPU s (user+sys) load / bare / ffmpeg | peak RSS load / bare (MiB) |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
for ext in dict.fromkeys(w["ext"] for w in whole):
    l, b, f = med[(ext, "load")], med[(ext, "bare")], med[(ext, "ffmpeg")]
    out.append(f"| music10.{ext} | {l[0]:.3f} s | {b[0]:.3f} s | {f[0]:.3f} s | {l[0]/b[0]:.2f} | {l[0]/f[0]:.2f} "
               f"| {l[2]:.2f} / {b[2]:.2f} / {f[2]:.2f} | {l[1]/1024:.0f} / {b[1]/1024:.0f} |")
out.append("\nThe bare loop keeps the decoded audio as `load` does (planar `Vec`s); AAC in parts, "
           "the frames around noise bands decoded again with the noise generator set where a decode "
           "from the start has it (`src/load/pns.rs`); Opus in parts joined where the decoders' states "
           "are equal (`src/load/opus.rs`; the states kept in the joins' windows are the extra peak "
           "RSS); WAV takes the direct path (no reader). Opus's bare loop is our opus-pure loop "
           "(symphonia has no Opus decoder).\n")
text = "\n".join(out)
print(text)
if write == "1":
    sys.path.insert(0, os.path.join(os.path.dirname(md), "benches"))
    from bench_reader import replace_section
    replace_section(md, "load", text)
EOF
