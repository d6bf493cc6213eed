#!/usr/bin/env bash
# Corpus conversion benchmark (issue 17): `audiostream convert --manifest` against FFmpeg in a
# shell loop, side by side in one run. The corpus is the 10-minute MP3 of
# benches/prepare_data.sh (stereo 44.1 kHz, LAME) cut into PIECES files by stream copy; each is
# converted to FLAC 16 kHz mono 16-bit (compression level 5, both tools' default):
#   ours, 1 job:   audiostream convert --manifest LIST --out-dir OUT --to flac --rate 16k
#                  --channels 1 --jobs 1
#   ours, 2 jobs:  the same with --jobs 2
#   ffmpeg, 1 job: for f in ...; do ffmpeg -threads 1 -i f -ar 16000 -ac 1 -sample_fmt s16
#                  -c:a flac out; done
#   ffmpeg, 2 jobs: the same commands through xargs -P2
# Each run starts from an empty output directory. Whole-command wall time, CPU time (user+sys)
# and peak RSS (of the largest process) by /usr/bin/time; medians of --reps runs; hours of
# audio converted per second of wall time, per core (divided by the jobs) and per CPU-second.
# The 1-minute load average before and after is written beside the figures. Rewrites the
# "Corpus conversion (convert --manifest)" section of BENCHMARKS.md.
#
# Usage: benches/bench_corpus.sh [--reps N] [--pieces N] [--no-write]
# Needs: cargo (release build of the CLI), ffmpeg, /usr/bin/time, python3, and the data of
# benches/prepare_data.sh ($BENCH_DATA, default benches/data; the music comes from Debian's
# wesnoth-1.16-music and is never committed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REPS=3
PIECES=40
WRITE=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --reps) REPS="$2"; shift ;;
        --pieces) PIECES="$2"; shift ;;
        --no-write) WRITE=0 ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
DATA="${BENCH_DATA:-$ROOT/benches/data}"
for t in cargo ffmpeg python3 xargs /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "bench_corpus.sh: '$t' not found" >&2; exit 1; }
done
[[ -f "$DATA/music10.mp3" ]] || BENCH_DATA="$DATA" benches/prepare_data.sh --quick

echo "bench_corpus: cargo build --release --bin audiostream" >&2
cargo build --release --bin audiostream >&2
BIN="$ROOT/target/release/audiostream"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# The corpus: PIECES cuts of the 10-minute MP3, by stream copy (no re-encoding).
mkdir -p "$WORK/in"
SECS=$(python3 -c "print(600 / $PIECES)")
for ((k = 0; k < PIECES; k++)); do
    ss=$(python3 -c "print($k * $SECS)")
    ffmpeg -v error -nostdin -y -ss "$ss" -t "$SECS" -i "$DATA/music10.mp3" -c copy \
        "$WORK/in/piece$(printf %03d "$k").mp3"
done
(cd "$WORK/in" && ls piece*.mp3 > list.txt)
# Hours of audio in the corpus, as FFmpeg decodes it (the cuts are frame-aligned).
HOURS=$(for f in "$WORK"/in/piece*.mp3; do
    ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$f"
done | python3 -c "import sys; print(sum(float(l) for l in sys.stdin) / 3600)")

# One FFmpeg conversion: ff.sh IN OUTDIR.
cat > "$WORK/ff.sh" <<'SH'
#!/usr/bin/env bash
exec ffmpeg -v error -nostdin -y -threads 1 -i "$1" -ar 16000 -ac 1 -sample_fmt s16 -c:a flac \
    -compression_level 5 "$2/$(basename "$1" .mp3).flac"
SH
chmod +x "$WORK/ff.sh"

LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
: > "$WORK/runs.jsonl"
for ((i = 0; i < REPS; i++)); do
    for contender in ours1 ours2 ffmpeg1 ffmpeg2; do
        out="$WORK/out-$contender"
        rm -rf "$out"
        mkdir -p "$out"
        case "$contender" in
            ours1|ours2)
                jobs="${contender#ours}"
                cmd=("$BIN" convert -q --manifest "$WORK/in/list.txt" --out-dir "$out" --to flac
                     --rate 16k --channels 1 --jobs "$jobs") ;;
            ffmpeg1)
                jobs=1
                cmd=(bash -c 'for f in "$1"/in/piece*.mp3; do "$1/ff.sh" "$f" "$2" || exit 1; done' _ "$WORK" "$out") ;;
            ffmpeg2)
                jobs=2
                cmd=(bash -c 'printf "%s\n" "$1"/in/piece*.mp3 | xargs -P2 -I{} "$1/ff.sh" {} "$2"' _ "$WORK" "$out") ;;
        esac
        echo "bench_corpus: rep $((i + 1))/$REPS $contender" >&2
        /usr/bin/time -f "TIME %e %U %S %M" "${cmd[@]}" > "$WORK/stdout" 2> "$WORK/err" || {
            cat "$WORK/err" >&2
            exit 1
        }
        n=$(find "$out" -name '*.flac' | wc -l)
        [[ "$n" == "$PIECES" ]] || { echo "$contender wrote $n of $PIECES outputs" >&2; exit 1; }
        read -r wall user sys rss < <(grep '^TIME' "$WORK/err" | cut -d' ' -f2-)
        echo "{\"contender\": \"$contender\", \"jobs\": $jobs, \"wall\": $wall, \"cpu\": $(python3 -c "print($user + $sys)"), \"rss_kib\": $rss}" >> "$WORK/runs.jsonl"
    done
done
# FFmpeg's fixed cost per process: a conversion of nothing (10 ms of silence to null).
FFSTART=$(for ((i = 0; i < 5; i++)); do
    /usr/bin/time -f "%e %U %S" ffmpeg -v error -nostdin -threads 1 -f lavfi -i anullsrc \
        -t 0.01 -f null - 2>&1 | tail -1
done | python3 -c "
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin]
print(f'{statistics.median(r[0] for r in rows):.3f} {statistics.median(r[1] + r[2] for r in rows):.3f}')")
LOAD1="$(cut -d' ' -f1 /proc/loadavg)"
# The outputs agree on length: frames of ours and FFmpeg's for the first piece.
OURS_FRAMES=$(ffprobe -v error -show_entries stream=duration_ts -of default=nw=1:nk=1 "$WORK/out-ours1/piece000.flac")
FF_FRAMES=$(ffprobe -v error -show_entries stream=duration_ts -of default=nw=1:nk=1 "$WORK/out-ffmpeg1/piece000.flac")

python3 - "$WORK/runs.jsonl" "$REPS" "$PIECES" "$HOURS" "$LOAD0" "$LOAD1" "$WRITE" "$ROOT/BENCHMARKS.md" "$OURS_FRAMES" "$FF_FRAMES" $FFSTART <<'EOF'
import json, os, statistics, sys
runs, reps, pieces, hours, load0, load1, write, md, ours_frames, ff_frames = sys.argv[1:11]
ff_wall, ff_cpu = map(float, sys.argv[11:13])
hours = float(hours)
rows = [json.loads(l) for l in open(runs)]
med = {}
for c in ("ours1", "ours2", "ffmpeg1", "ffmpeg2"):
    rs = [r for r in rows if r["contender"] == c]
    med[c] = dict(
        jobs=rs[0]["jobs"],
        wall=statistics.median(r["wall"] for r in rs),
        cpu=statistics.median(r["cpu"] for r in rs),
        rss=max(r["rss_kib"] for r in rs),
    )
names = {
    "ours1": "`convert --manifest --jobs 1`",
    "ours2": "`convert --manifest --jobs 2`",
    "ffmpeg1": "`ffmpeg -threads 1`, shell loop",
    "ffmpeg2": "`ffmpeg -threads 1`, `xargs -P2`",
}
out = ["## Corpus conversion (convert --manifest)\n"]
out.append(
    f"`benches/bench_corpus.sh --reps {reps} --pieces {pieces}` (medians of {reps} runs; 1-minute "
    f"load average {load0} before, {load1} after, on this 2-core machine shared with other "
    f"builds). The corpus: the 10-minute MP3 of `benches/prepare_data.sh` (stereo 44.1 kHz, "
    f"LAME) cut into {pieces} files of {600/int(pieces):g} s by stream copy, {hours:.4f} h of "
    f"audio; each converted to FLAC 16 kHz mono 16-bit, compression level 5, into an empty "
    f"directory. Release build. Whole-command wall time and CPU time (user + sys) by "
    f"`/usr/bin/time`; peak RSS of the largest process.\n"
)
out.append("| contender | jobs | wall | CPU | h of audio / s wall | h / s per core (÷ jobs) | h / CPU-s | peak RSS (MiB) |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
for c, m in med.items():
    hps = hours / m["wall"]
    out.append(
        f"| {names[c]} | {m['jobs']} | {m['wall']:.2f} s | {m['cpu']:.2f} s | {hps:.4f} "
        f"| {hps / m['jobs']:.4f} | {hours / m['cpu']:.4f} | {m['rss'] / 1024:.0f} |"
    )
r1 = med["ours1"]["wall"] / med["ffmpeg1"]["wall"]
r2 = med["ours2"]["wall"] / med["ffmpeg2"]["wall"]
s = med["ours1"]["wall"] / med["ours2"]["wall"]
out.append(
    f"\nWall time ours / FFmpeg's: {r1:.2f} with 1 job, {r2:.2f} with 2 (below 1: faster). "
    f"`--jobs 2` over `--jobs 1`: {s:.2f}× (2 cores, shared; one job of ours already decodes and encodes on two threads, so its CPU time can exceed its wall time). The first piece's output holds "
    f"{ours_frames} frames (ours) and {ff_frames} (FFmpeg's): both trim the encoder delay and "
    f"padding from the LAME tag. The resamplers differ (ours: rubato's FFT resampler; FFmpeg: swr's "
    f"default), so the bytes do. FFmpeg's figures include one process start per file: "
    f"{ff_wall:.3f} s of wall time ({ff_cpu:.3f} s CPU) for a conversion of nothing here "
    f"(median of 5), {int(pieces) * ff_wall:.1f} s over the corpus run one after another; "
    f"ours include writing the report and the output manifest (SHA-256 of every output) and an "
    f"`fsync` per output.\n"
)
text = "\n".join(out)
print(text)
if write == "1":
    sys.path.insert(0, os.path.join(os.path.dirname(md), "benches"))
    from bench_reader import replace_section
    replace_section(md, "corpus", text)
EOF
