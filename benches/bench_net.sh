#!/usr/bin/env bash
# Network benchmark: reading the 10-minute MP3 over HTTP (nginx on 127.0.0.1) vs from disk,
# time to the first chunk of a live Icecast stream, and memory while listening to one.
# Rewrites the "net" section of BENCHMARKS.md (benches/bench_net.py does the measuring).
#
# Usage: benches/bench_net.sh [--quick] [--reps N] [--listen SECONDS]
#   --quick          3 repetitions, 10 first-chunk runs, 2 minutes of listening
#   --reps N         HTTP/disk pairs per file (default 10)
#   --listen SECONDS how long to listen to the live stream (default 600: 10 minutes)
#
# Needs: cargo, python3, ffmpeg, nginx (/usr/sbin/nginx), icecast2, GNU time, and the data of
# benches/prepare_data.sh (made if missing). Takes the listening time plus about a minute.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

REPS=10
RUNS=20
LISTEN=600
ARGS=("$@")
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) REPS=3; RUNS=10; LISTEN=120 ;;
        --reps) REPS="$2"; shift ;;
        --listen) LISTEN="$2"; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

for t in cargo python3 ffmpeg /usr/sbin/nginx icecast2 /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "bench_net.sh: '$t' not found (scripts/install-deps.sh)" >&2; exit 1; }
done

# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
echo "bench_net: building benches/reader.rs and benches/net.rs" >&2
READER_BIN="$(bench_exe reader)"
NET_BIN="$(bench_exe net)"

benches/prepare_data.sh --quick

python3 benches/bench_net.py --reader-bin "$READER_BIN" --net-bin "$NET_BIN" \
    --data "$ROOT/benches/data" --out "$ROOT/BENCHMARKS.md" --repo "$ROOT" \
    --reps "$REPS" --first-chunk-runs "$RUNS" --listen-seconds "$LISTEN" \
    --command "benches/bench_net.sh${ARGS[*]:+ ${ARGS[*]}}"
