#!/usr/bin/env bash
# Replays every input of each target's corpus through a release build without a sanitizer and
# without compare tracing (fuzz/target-replay; libFuzzer's edge counters stay, they cost a few
# per cent), one process per input, and reports per target: inputs, failures (a
# panic or an abort: the input crashes without the sanitizer too), the peak RSS and the input
# that had it, the slowest input, and the slowest per MB of input. Inputs over the promises are
# counted: RSS above the binary's own baseline (its RSS on an empty input, ~30 MB: libFuzzer's
# coverage tables) by more than 64 MiB, or more than 1 s per MB (sizes under 64 KiB count as
# 64 KiB, so an input gets at least 62.5 ms: fixed costs such as building a resampler are not
# per byte).
#
# Usage: fuzz/replay.sh [TARGET...]                  (default: every target, fuzz/corpus/TARGET)
#        REPLAY_DIR=DIR fuzz/replay.sh TARGET        (the inputs in DIR instead)
#        fuzz/replay.sh --regressions                (fuzz/regressions/TARGET-*.bin, each with
#                                                     its target: which still fail)
# Environment: FUZZ_NO_BUILD=1 (use the binaries already built), REPLAY_TSV=FILE (also write
# size, ms, rss_kb, exit code and path of every input).
set -euo pipefail
cd "$(dirname "$0")"
FUZZ=$PWD
ALL=(reader reader_seek reader_convert metadata raw_pcm effects cli_args writer)
BIN=$FUZZ/target-replay/x86_64-unknown-linux-gnu/release
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
RSS_LIMIT_KB=$((64 * 1024))
TIME=/usr/bin/time
if ! [ -x $TIME ]; then
    echo "replay.sh: GNU time is needed (apt-get install time)" >&2
    exit 2
fi

regressions=0
if [ "${1:-}" = --regressions ]; then
    regressions=1
    shift
fi
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL[@]}"); fi
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    # Nightly's -Z flags: the nightly toolchain, or RUSTC_BOOTSTRAP=1 (see run.sh).
    if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
        cargo +nightly fuzz build -O -s none --no-trace-compares --target-dir target-replay
    else
        RUSTC_BOOTSTRAP=1 cargo fuzz build -O -s none --no-trace-compares --target-dir target-replay
    fi
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# one TARGET FILE: runs one input; prints "size ms rss_kb rc file".
one() {
    local out=$TMP/out rc ms
    rc=0
    RUST_BACKTRACE=0 timeout 120 $TIME -f %M -o "$TMP/rss" "$BIN/$1" -rss_limit_mb=0 \
        -malloc_limit_mb=0 -timeout=0 "$2" >"$out" 2>&1 || rc=$?
    ms=$(sed -nE 's/^Executed .* in ([0-9]+) ms$/\1/p' "$out" | tail -1)
    echo "$(stat -c %s "$2") ${ms:--1} $(tail -1 "$TMP/rss" 2>/dev/null || echo 0) $rc $2"
    if [ $rc != 0 ]; then
        grep -m1 -A1 -E 'panicked at|ERROR:' "$out" | sed 's/^/      /' >&2 || true
    fi
}

# baseline TARGET: RSS (KB) of the binary on an empty input.
baseline() {
    : >"$TMP/empty"
    one "$1" "$TMP/empty" 2>/dev/null | awk '{print $3}'
}

if [ $regressions = 1 ]; then
    # Each file is run with its target (the name's prefix); a verdict per file: a failure
    # (panic, abort), over the memory or time promise, or within them. Files named *-debug*
    # are overflow panics of debug builds: they are also run with the build of
    # `FUZZ_DEBUG_ASSERTIONS=1 fuzz/run.sh` (fuzz/target-da, with ASan) when it exists.
    status=0
    declare -A base
    printf '%-66s %-14s %8s %9s  %s\n' file target time "RSS-base" verdict
    for f in regressions/*.bin; do
        t=$(basename "$f" .bin)
        t=${t%%-*} # target names have no '-'
        [ -n "${base[$t]:-}" ] || base[$t]=$(baseline "$t")
        read -r size ms rss rc _ <<<"$(one "$t" "$f" 2>/dev/null)"
        extra=$(((rss - base[$t]) / 1024))
        eff=$((size < 65536 ? 65536 : size))
        if [ "$rc" != 0 ]; then
            verdict="FAILS (exit $rc)"
        elif [ $((rss - base[$t])) -gt $RSS_LIMIT_KB ]; then
            verdict="OVER 64 MiB"
        elif [ "$ms" -gt $((1000 * eff / 1048576)) ]; then
            verdict="OVER 1 s/MB"
        else
            verdict=ok
        fi
        case $f in
            *-debug*)
                da=$FUZZ/target-da/x86_64-unknown-linux-gnu/release/$t
                if [ -x "$da" ]; then
                    if ASAN_OPTIONS=quarantine_size_mb=16 "$da" -rss_limit_mb=0 -malloc_limit_mb=0 "$f" >"$TMP/da" 2>&1; then
                        verdict="$verdict; debug build: ok"
                    else
                        verdict="$verdict; debug build: FAILS ($(grep -m1 -A1 'panicked at' "$TMP/da" | tail -1))"
                    fi
                fi
                ;;
        esac
        [ "$verdict" = ok ] || [ "$verdict" = "ok; debug build: ok" ] || status=1
        printf '%-66s %-14s %5s ms %6s MB  %s\n' "$f" "$t" "$ms" "$extra" "$verdict"
    done
    exit $status
fi

printf '%-15s %6s %5s  %-32s  %-32s  %-32s %s\n' target inputs fail "peak RSS - baseline" "slowest" "slowest per MB" "over limits"
for t in "${TARGETS[@]}"; do
    dir=${REPLAY_DIR:-corpus/$t}
    tsv=$TMP/$t.tsv
    b=$(baseline "$t")
    : >"$tsv"
    while IFS= read -r -d '' f; do
        one "$t" "$f" >>"$tsv" 2>>"$TMP/$t.err"
    done < <(find "$dir" -type f -print0 | sort -z)
    [ -n "${REPLAY_TSV:-}" ] && cat "$tsv" >>"$REPLAY_TSV"
    awk -v t="$t" -v lim="$RSS_LIMIT_KB" -v base="$b" '
        {
            n++; if ($4 != 0) fail++
            if ($3 > rss) { rss = $3; rssf = $5 }
            if ($2 > ms) { ms = $2; msf = $5; mss = $1 }
            size = ($1 < 65536 ? 65536 : $1)
            per = $2 / 1000 / (size / 1048576)
            if (per > worst) { worst = per; worstf = $5; worsts = $1; worstms = $2 }
            if ($3 - base > lim || per > 1) over++
        }
        END {
            sub(".*/", "", rssf); sub(".*/", "", msf); sub(".*/", "", worstf)
            printf "%-15s %6d %5d  %6.1f MB %-22s  %6d ms %-22s  %6.2f s/MB %-19s %d\n", \
                t, n, fail, (rss - base) / 1024, substr(rssf, 1, 22), ms, substr(msf, 1, 22), \
                worst, substr(worstf, 1, 19), over
        }' "$tsv"
done
for t in "${TARGETS[@]}"; do
    if [ -s "$TMP/$t.err" ]; then
        echo "-- $t: failing inputs" >&2
        cat "$TMP/$t.err" >&2
    fi
done
