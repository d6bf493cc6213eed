#!/usr/bin/env bash
# CI smoke run of the fuzz targets: builds all of them (release, no sanitizer) and runs each for
# FUZZ_SMOKE_SECS seconds (default 20) on a fresh seed corpus made by make_corpus.sh (from
# fixtures/ and ../shared/conformance), one target per core at a time (FUZZ_JOBS; each fuzzer is
# one process, so one after the other left a core idle: 8 x 20 s took 160 s, two at a time 80 s);
# fails on any crash, out-of-memory or hang (run.sh's table says which target; the inputs are
# kept in fuzz/artifacts/TARGET/).
#
# Installs what it needs: cargo-fuzz (`cargo install cargo-fuzz --locked`) when missing, GNU
# time (apt-get) for the RSS column. cargo-fuzz needs nightly's -Z flags: the nightly toolchain
# when rustup has one, else the stable one with RUSTC_BOOTSTRAP=1 (run.sh decides).
#
# Limits differ from a campaign's (run.sh's defaults) only where a loaded CI machine would
# report what is no bug: -timeout=5 s per input (inputs are at most 64 KiB; ASan and other jobs
# slow a run several times) unless FUZZ_TIMEOUT says otherwise. The build uses 16 codegen units
# (cargo-fuzz's default is 1) and no sanitizer: the smoke looks for panics,
# aborts, out-of-memory and hangs, which need no ASan. ASan (memory errors in the unsafe FFI
# glue; also -malloc_limit_mb, whose malloc hooks come with a sanitizer: without one only the
# RSS limit holds) is campaign.sh's, whose runs are long enough to be worth its 2-3x slower
# fuzzing. This build takes a third less CPU than the ASan one (282 s against 425 s of user +
# sys on this machine) and its seed pass is several times faster (reader_convert: 30 s against
# 140 s).
#
# Usage: fuzz/smoke.sh [TARGET...]       (default: every target)
# Time on a 2-core machine: see fuzz/README.md ("CI").
set -euo pipefail
cd "$(dirname "$0")"
SECS=${FUZZ_SMOKE_SECS:-20}
start=$(date +%s)

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "smoke.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi
if ! [ -x /usr/bin/time ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends time >/dev/null
fi

CORPUS=$(mktemp -d)
trap 'rm -rf "$CORPUS"' EXIT
FUZZ_CORPUS=$CORPUS ./make_corpus.sh >/dev/null

export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-$(nproc)}
export FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)}
export FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-5}
export FUZZ_BUILD_ARGS=${FUZZ_BUILD_ARGS:---codegen-units 16 --sanitizer none}
export FUZZ_TARGET_DIR=${FUZZ_TARGET_DIR:-target-smoke}
status=0
FUZZ_CORPUS=$CORPUS ./run.sh "$SECS" "$@" || status=$?
echo "smoke.sh: $(($(date +%s) - start)) s in all (build included)" >&2
exit $status
