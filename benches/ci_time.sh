#!/usr/bin/env bash
# Times one CI step or build (BENCHMARKS.md, "CI time"): runs the command given, then prints
# one table row: the command, wall seconds, CPU seconds (user + sys, the figure a loaded machine
# disturbs least), peak RSS of the largest process, and the 1-minute load average before and
# after (the machine is shared: figures are comparable only at similar loads).
#
# Usage: benches/ci_time.sh COMMAND [ARG...]     e.g. benches/ci_time.sh web/build.sh --profile ci-test
# Compare like with like: the same command before and after a change, in close succession.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "ci_time.sh: GNU time is needed (apt-get install time)" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
load() { cut -d' ' -f1 /proc/loadavg; }
before=$(load)
status=0
/usr/bin/time -f '%e %U %S %M' -o "$out" "$@" || status=$?
after=$(load)
# GNU time writes "Command exited with non-zero status N" first when it does.
read -r wall user sys rss < <(tail -1 "$out")
cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
printf '| `%s` | %s s | %s s | %d MB | %s -> %s |\n' "$*" "$wall" "$cpu" $((rss / 1024)) "$before" "$after"
exit $status
