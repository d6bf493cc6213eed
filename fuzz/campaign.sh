#!/usr/bin/env bash
# The long run behind BENCHMARKS.md's "Robustness (fuzzing)" section: every target for SECONDS
# (default 600), one at a time (run.sh: executions, exec/s, out-of-memory/timeout/crash
# counts), then every input of the grown corpora replayed alone without a sanitizer
# (replay.sh: peak RSS above the binary's baseline, slowest input, slowest per MB), then the
# regression inputs. Both tables and the date, commit and machine go to
# fuzz/logs/campaign-DATE.txt (and stdout).
#
# Usage: nice fuzz/campaign.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")"
SECS=${1:-600}
shift || true
mkdir -p logs
out=logs/campaign-$(date -u +%Y%m%dT%H%M%SZ).txt
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- .. || echo ' (modified)')"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%d GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "command: fuzz/campaign.sh $SECS $*"
    echo
} | tee "$out"
status=0
./run.sh "$SECS" "$@" 2>&1 | tee -a "$out" | grep -v '^==' || status=1
echo | tee -a "$out"
./replay.sh "$@" 2>&1 | tee -a "$out" || status=1
echo | tee -a "$out"
FUZZ_NO_BUILD=1 ./replay.sh --regressions 2>&1 | tee -a "$out" || status=1
echo "campaign.sh: results in fuzz/$out" >&2
exit $status
