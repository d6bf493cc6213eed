#!/usr/bin/env bash
# Benchmarks, side by side with the reference tools in one run:
# - reader: our StreamReader vs the bare symphonia loop vs ffmpeg (sections "header", "reader");
# - writer: our StreamWriter vs lame, flac and sox at the same settings (section "writer");
# - ogg: our Ogg Opus / Vorbis writer vs opusenc, oggenc and ffmpeg's libopus / libvorbis
#   (section "writer-ogg");
# - convert: our resampler and `audiostream convert` vs sox and ffmpeg (section "convert");
# - effects: `audiostream convert --effect` vs sox on six effects (section "effects").
# Rewrites those sections of BENCHMARKS.md.
#
# Usage: benches/run_benchmarks.sh [--quick] [--reps N] [--bin PATH] [--only reader|writer|ogg|convert|effects]
#   --quick     3 repetitions, no 60-minute memory test (for development)
#   --reps N    repetitions per (format, contender) (default 10; 3 with --quick)
#   --bin PATH  use an already-built `reader` bench executable instead of building one
#   --only X    run only one benchmark: reader, writer, ogg, convert or effects
#
# Needs: cargo, python3, ffmpeg, flac, lame, oggenc, sox with libsox-fmt-mp3 (the convert
# section reads MP3 with it), and the wesnoth-1.16-music package
# (for benches/prepare_data.sh). Takes ~5 minutes in full (the data is made once).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

QUICK=0
REPS=""
BIN="${READER_BIN:-}"
ONLY=""
ARGS=("$@")
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --reps) REPS="$2"; shift ;;
        --bin) BIN="$2"; shift ;;
        --only) ONLY="$2"; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
[[ -n "$REPS" ]] || { [[ $QUICK -eq 1 ]] && REPS=3 || REPS=10; }

for t in cargo python3 ffmpeg /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "run_benchmarks.sh: '$t' not found" >&2; exit 1; }
done

# 1. Build the bench executables (bench profile = release + line debug info).
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
if [[ -z "$BIN" && ( -z "$ONLY" || "$ONLY" == "reader" ) ]]; then
    echo "run_benchmarks: building benches/reader.rs" >&2
    BIN="$(bench_exe reader)"
fi
if [[ -z "$ONLY" || "$ONLY" == "reader" ]]; then
    [[ -x "$BIN" ]] || { echo "run_benchmarks: not executable: $BIN" >&2; exit 1; }
    echo "run_benchmarks: using $BIN" >&2
fi
WRITER_BIN="$(bench_exe writer)"

# 2. Test data (skipped when present).
if [[ $QUICK -eq 1 ]]; then
    benches/prepare_data.sh --quick
else
    benches/prepare_data.sh
fi

# 3. Measure and write BENCHMARKS.md.
status=0
if [[ -z "$ONLY" || "$ONLY" == "reader" ]]; then
    PYARGS=(--bin "$BIN" --data "$ROOT/benches/data" --out "$ROOT/BENCHMARKS.md" --repo "$ROOT"
            --reps "$REPS" --command "benches/run_benchmarks.sh${ARGS[*]:+ ${ARGS[*]}}")
    [[ $QUICK -eq 1 ]] && PYARGS+=(--quick)
    python3 benches/bench_reader.py "${PYARGS[@]}" || status=1
fi
if [[ -z "$ONLY" || "$ONLY" == "writer" ]]; then
    for t in lame flac sox; do
        command -v "$t" >/dev/null || { echo "run_benchmarks.sh: '$t' not found" >&2; exit 1; }
    done
    WREPS=$(( REPS < 5 ? REPS : 5 ))
    python3 benches/bench_writer.py --bin "$WRITER_BIN" --data "$ROOT/benches/data" \
        --out "$ROOT/BENCHMARKS.md" --repo "$ROOT" --reps "$WREPS" \
        --command "benches/run_benchmarks.sh${ARGS[*]:+ ${ARGS[*]}}" || status=1
fi
if [[ -z "$ONLY" || "$ONLY" == "ogg" ]]; then
    for t in opusenc oggenc; do
        command -v "$t" >/dev/null || { echo "run_benchmarks.sh: '$t' not found" >&2; exit 1; }
    done
    python3 benches/bench_ogg.py --bin "$WRITER_BIN" --data "$ROOT/benches/data" \
        --out "$ROOT/BENCHMARKS.md" --repo "$ROOT" --reps "$(( REPS < 5 ? REPS : 5 ))" \
        --command "benches/run_benchmarks.sh${ARGS[*]:+ ${ARGS[*]}}" || status=1
fi
if [[ -z "$ONLY" || "$ONLY" == "convert" ]]; then
    cargo build --release --quiet --bin audiostream
    python3 benches/bench_convert.py --cli "$ROOT/target/release/audiostream" \
        --data "$ROOT/benches/data" --out "$ROOT/BENCHMARKS.md" --repo "$ROOT" \
        --reps "$(( REPS < 5 ? REPS : 5 ))" \
        --command "benches/run_benchmarks.sh${ARGS[*]:+ ${ARGS[*]}}" || status=1
fi
if [[ -z "$ONLY" || "$ONLY" == "effects" ]]; then
    command -v sox >/dev/null || { echo "run_benchmarks.sh: 'sox' not found" >&2; exit 1; }
    cargo build --release --quiet --bin audiostream
    python3 benches/bench_effects.py --cli "$ROOT/target/release/audiostream" \
        --data "$ROOT/benches/data" --out "$ROOT/BENCHMARKS.md" --repo "$ROOT" \
        --reps "$(( REPS < 5 ? REPS : 5 ))" \
        --command "benches/run_benchmarks.sh${ARGS[*]:+ ${ARGS[*]}}" || status=1
fi
exit $status
