#!/usr/bin/env bash
# Runs each fuzz target for SECONDS, one after the other (one process fuzzing at a time, or
# FUZZ_JOBS at a time), and prints a table: target, executions, exec/s, out-of-memory / timeout /
# crash counts, peak RSS, new artifacts. Exits 1 when any target had a crash, an out-of-memory
# or a timeout.
#
# Usage: fuzz/run.sh SECONDS [TARGET...]        (default: every target)
#
# Limits (the project's promises: bounded memory, no hangs):
#   -malloc_limit_mb=64   one allocation over 64 MiB is an out-of-memory report (ASan's hook
#                         sees it before it happens, with the stack of the allocation)
#   -rss_limit_mb=256     the whole process: libFuzzer + ASan + the corpus in memory take
#                         60-150 MB, so 256 leaves ~100 MB for one input (replay.sh measures
#                         the real per-input peak without the sanitizer)
#   -timeout=1            one input over 1 s is a hang: inputs are at most 64 KiB, so that is
#                         16x the promised 1 s per MB, with ASan's ~2x slowdown accounted for
#   -max_len=65600        64 KiB of media plus the settings header (4096 for the targets
#                         whose input is settings and text: effects, cli_args, writer)
# Crashes, out-of-memory and timeouts do not stop the run (-fork=1: one child at a time,
# -ignore_crashes/-ignore_ooms/-ignore_timeouts); each is saved in fuzz/artifacts/TARGET/.
# Triage them with fuzz/triage.py TARGET.
#
# Environment:
#   FUZZ_DEBUG_ASSERTIONS=1  build with debug assertions and overflow checks (cargo fuzz -a),
#                            into fuzz/target-da (symphonia's arithmetic wraps silently otherwise)
#   FUZZ_RSS_MB, FUZZ_MALLOC_MB, FUZZ_TIMEOUT   override the limits above
#   FUZZ_NO_BUILD=1          use the binaries already built
#   FUZZ_CORPUS=DIR          the corpora (DIR/TARGET; default fuzz/corpus, seeded by
#                            make_corpus.sh when empty)
#   FUZZ_BUILD_ARGS          more `cargo fuzz build` flags (smoke.sh: --codegen-units 16)
#   FUZZ_TARGET_DIR          cargo's target directory (default fuzz/target, fuzz/target-da;
#                            smoke.sh: fuzz/target-smoke, whose flags differ)
#   CARGO_BUILD_JOBS         defaults to 1 (the machine is shared)
#   FUZZ_JOBS                targets fuzzed at once (default 1, the machine is shared;
#                            smoke.sh: one per core)
#   FUZZ_CARGO               the cargo command (default below)
# cargo-fuzz needs nightly's -Z flags: the nightly toolchain when rustup has one, else the
# default toolchain with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"
FUZZ=$PWD

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
SECS=$1
shift
ALL=(reader reader_seek reader_convert metadata raw_pcm effects cli_args writer)
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL[@]}"); fi

RSS_MB=${FUZZ_RSS_MB:-256}
MALLOC_MB=${FUZZ_MALLOC_MB:-64}
TIMEOUT=${FUZZ_TIMEOUT:-1}
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
if [ "${FUZZ_DEBUG_ASSERTIONS:-0}" = 1 ]; then
    TDIR=target-da
    BUILD_FLAGS=(-O -a)
    SUFFIX=-da
else
    TDIR=target
    BUILD_FLAGS=(-O)
    SUFFIX=
fi
TDIR=${FUZZ_TARGET_DIR:-$TDIR}
case $TDIR in
    /*) BIN=$TDIR/x86_64-unknown-linux-gnu/release ;;
    *) BIN=$FUZZ/$TDIR/x86_64-unknown-linux-gnu/release ;;
esac
TIME=/usr/bin/time
if ! [ -x $TIME ]; then
    echo "run.sh: GNU time is needed for the peak RSS (apt-get install time)" >&2
    exit 2
fi

if [ -n "${FUZZ_CARGO:-}" ]; then
    read -ra CARGO <<<"$FUZZ_CARGO" # e.g. "env RUSTC_BOOTSTRAP=1 cargo +stable"
elif rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    CARGO=(cargo +nightly)
else
    CARGO=(env RUSTC_BOOTSTRAP=1 cargo)
fi
# shellcheck disable=SC2206
BUILD_FLAGS+=(${FUZZ_BUILD_ARGS:-})
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    # cargo-fuzz builds every target when given none.
    if [ ${#TARGETS[@]} -eq 1 ]; then
        "${CARGO[@]}" fuzz build "${BUILD_FLAGS[@]}" --target-dir "$TDIR" "${TARGETS[0]}"
    else
        "${CARGO[@]}" fuzz build "${BUILD_FLAGS[@]}" --target-dir "$TDIR"
    fi
fi
CORPUS=${FUZZ_CORPUS:-corpus}
for t in "${TARGETS[@]}"; do
    if ! [ -d "$CORPUS/$t" ] || [ -z "$(ls -A "$CORPUS/$t")" ]; then
        FUZZ_CORPUS=$CORPUS ./make_corpus.sh
        break
    fi
done

mkdir -p logs
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# fuzz_one TARGET: runs it, writes its table row to $TMP/TARGET.row and its findings (oom +
# timeout + crash) to $TMP/TARGET.found. Its files are its own, so several can run at once.
fuzz_one() {
    local t=$1 maxlen art log start elapsed last runs counts oom tmo crash
    local new_oom new_tmo new_crash rss_kb new eps
    case $t in
        effects | cli_args | writer) maxlen=4096 ;;
        *) maxlen=65600 ;;
    esac
    art=artifacts/$t
    mkdir -p "$art"
    find "$art" -type f | sort >"$TMP/$t.before"
    log=logs/$t$SUFFIX.log
    echo "== $t: ${SECS} s (log: fuzz/$log)" >&2
    start=$(date +%s)
    ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=1} RUST_BACKTRACE=1 \
        $TIME -f %M -o "$TMP/$t.rss" "$BIN/$t" \
        -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
        -max_total_time="$SECS" -rss_limit_mb="$RSS_MB" -malloc_limit_mb="$MALLOC_MB" \
        -timeout="$TIMEOUT" -max_len="$maxlen" -artifact_prefix="$art/" -print_final_stats=1 \
        "$CORPUS/$t" >"$log" 2>&1 || true
    elapsed=$(($(date +%s) - start))
    last=$(grep -E '^#[0-9]+: ' "$log" | tail -1 || true)
    runs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
    counts=$(sed -E 's/.*oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+).*/\1/' <<<"$last")
    IFS=/ read -r oom tmo crash <<<"${counts:-0/0/0}"
    runs=${runs:-0}
    # libFuzzer's counters miss what the seed corpus itself triggers (fork mode runs it before
    # counting): the new artifact files, by kind, are counted too (the larger number is shown).
    find "$art" -type f | sort >"$TMP/$t.after"
    comm -13 "$TMP/$t.before" "$TMP/$t.after" | sed 's|.*/||; s|-.*||' >"$TMP/$t.new"
    new_oom=$(grep -c '^oom$' "$TMP/$t.new" || true)
    new_tmo=$(grep -cE '^(timeout|slow)$' "$TMP/$t.new" || true)
    new_crash=$(grep -cE '^(crash|leak)$' "$TMP/$t.new" || true)
    oom=$((${oom:-0} > new_oom ? ${oom:-0} : new_oom))
    tmo=$((${tmo:-0} > new_tmo ? ${tmo:-0} : new_tmo))
    crash=$((${crash:-0} > new_crash ? ${crash:-0} : new_crash))
    rss_kb=$(tail -1 "$TMP/$t.rss" 2>/dev/null || echo 0)
    new=$(wc -l <"$TMP/$t.new")
    eps=$((runs / (elapsed > 0 ? elapsed : 1)))
    printf '%-15s %10s %7s %5s %7s %6s %8s %9s\n' "$t" "$runs" "$eps" "$oom" "$tmo" "$crash" "$((rss_kb / 1024))" "$new" >"$TMP/$t.row"
    echo $((oom + tmo + crash)) >"$TMP/$t.found"
}
# FUZZ_JOBS targets at a time (default 1: a campaign shares the machine; smoke.sh runs one per
# core). Each target still gets its SECONDS.
JOBS=${FUZZ_JOBS:-1}
for t in "${TARGETS[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
    fuzz_one "$t" &
done
wait
fail=0
rows=()
for t in "${TARGETS[@]}"; do
    # A target whose run left no row (its shell died) is a failure too.
    if ! [ -s "$TMP/$t.row" ]; then
        rows+=("$(printf '%-15s %10s' "$t" "no result")")
        fail=1
        continue
    fi
    rows+=("$(cat "$TMP/$t.row")")
    [ "$(cat "$TMP/$t.found")" = 0 ] || fail=1
done

printf '%-15s %10s %7s %5s %7s %6s %8s %9s\n' target runs exec/s oom timeout crash "rss(MB)" artifacts
printf '%s\n' "${rows[@]}"
if [ $fail = 1 ]; then
    echo "run.sh: crashes, out-of-memory or timeouts found; see fuzz/artifacts/ and fuzz/triage.py" >&2
    exit 1
fi
