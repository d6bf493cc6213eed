#!/usr/bin/env bash
# The static CLI (scripts/build-static.sh) against the dynamic one (target/debug/audiostream,
# the default features): `file` must call it statically linked, and on every fixture `info`,
# `info --json`, `convert` to FLAC, to MP3 (CBR 128k and VBR -V 2), and `decode` to WAV must give
# the same bytes. Set STATIC_BIN / AUDIOSTREAM_BIN to test other binaries.
#
# Except Opus: opus-pure computes its FFT and MDCT twiddles with f32 sin/cos, where glibc's
# and musl's sinf/cosf differ in the last bit on some inputs, so Opus samples differ by float
# rounding between the two builds. For Opus inputs, `decode` (and `convert` to FLAC, decoded
# again) must be within one 16-bit step; their MP3s are encoded from those samples and are not
# compared.
set -euo pipefail
cd "$(dirname "$0")/.."

# Built in the `ci-test` profile (Cargo.toml: opt-level 1), cheaper than the shipped release
# one: the comparison is of behaviour; bench_web.sh measures the release binary's size.
static="${STATIC_BIN:-$(scripts/build-static.sh --profile ci-test)}"
dynamic="${AUDIOSTREAM_BIN:-target/debug/audiostream}"
[ -n "${AUDIOSTREAM_BIN:-}" ] || cargo build --bin audiostream >&2

desc=$(file -b "$static")
fail=0
pass=0
check() { # check NAME CONDITION-EXIT-CODE [DETAIL]
    if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1 ${3:-}"; fi
}
case "$desc" in *"statically linked"* | *"static-pie linked"*) s=0 ;; *) s=1 ;; esac
check "file: $desc" $s
case "$(file -b "$dynamic")" in *"dynamically linked"*) s=0 ;; *) s=1 ;; esac
check "the dynamic build is dynamically linked" $s

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run_both() { # run_both NAME OUTFILE-or-- ARGS... (OUTFILE: compared as bytes, else stdout)
    local name=$1 out=$2
    shift 2
    local a=0 b=0
    rm -f "$tmp"/s.* "$tmp"/d.*
    if [ "$out" = "--" ]; then
        "$static" "$@" >"$tmp/s.out" 2>"$tmp/s.err" || a=$?
        "$dynamic" "$@" >"$tmp/d.out" 2>"$tmp/d.err" || b=$?
    else
        "$static" -q "${@/OUT/$tmp/s.$out}" 2>"$tmp/s.err" || a=$?
        "$dynamic" -q "${@/OUT/$tmp/d.$out}" 2>"$tmp/d.err" || b=$?
        cp "$tmp/s.$out" "$tmp/s.out" 2>/dev/null || : >"$tmp/s.out"
        cp "$tmp/d.$out" "$tmp/d.out" 2>/dev/null || : >"$tmp/d.out"
    fi
    if [ "$a" -eq "$b" ] && cmp -s "$tmp/s.out" "$tmp/d.out" && cmp -s "$tmp/s.err" "$tmp/d.err"; then
        check "$name (exit $a, $(stat -c %s "$tmp/s.out") bytes)" 0
    elif [ -n "${CLOSE:-}" ] && [ "$a" -eq 0 ] && [ "$b" -eq 0 ] && [ "$out" != "--" ]; then
        # Decode both outputs with the dynamic build and compare 16-bit samples.
        "$dynamic" -q decode "$tmp/s.out" "$tmp/s.cmp.wav" --to wav --sample-format s16 -f "$out"
        "$dynamic" -q decode "$tmp/d.out" "$tmp/d.cmp.wav" --to wav --sample-format s16 -f "$out"
        local steps
        steps=$(node -e '
const fs = require("fs");
const [a, b] = process.argv.slice(1).map((p) => fs.readFileSync(p));
const at = (x) => x.indexOf("data") + 8;
if (a.length !== b.length || at(a) !== at(b)) { console.log("Infinity"); process.exit(); }
let m = 0;
for (let i = at(a); i + 1 < a.length; i += 2) m = Math.max(m, Math.abs(a.readInt16LE(i) - b.readInt16LE(i)));
console.log(m);' "$tmp/s.cmp.wav" "$tmp/d.cmp.wav")
        if [ "$steps" != "Infinity" ] && [ "$steps" -le 1 ]; then
            check "$name: within float rounding (16-bit samples within $steps step)" 0
        else
            check "$name: within float rounding" 1 "(max difference $steps steps)"
        fi
    else
        check "$name" 1 "(exit $a/$b; $(cmp "$tmp/s.out" "$tmp/d.out" 2>&1 | head -1); $(head -c 300 "$tmp/s.err"))"
    fi
}

for f in fixtures/*; do
    case "$f" in *.md | *.sh) continue ;; esac
    [ -f "$f" ] || continue
    case "$f" in
        *raw_s16le_stereo_44100.raw) in=(-f s16le -o sample_rate=44100 -o channels=2 "$f") ;;
        *raw_f32le_mono_16000.raw) in=(-f f32le -o sample_rate=16000 "$f") ;;
        *) in=("$f") ;;
    esac
    n=$(basename "$f")
    CLOSE=""
    case "$n" in opus_*) CLOSE=1 ;; esac
    run_both "$n: info" -- info "${in[@]}"
    run_both "$n: info --json" -- info --json "${in[@]}"
    run_both "$n: convert to FLAC" flac convert "${in[@]}" OUT
    if [ -z "$CLOSE" ]; then
        run_both "$n: convert to MP3 128k" mp3 convert "${in[@]}" OUT --bitrate 128k
        run_both "$n: convert to MP3 -V 2 at 22.05 kHz mono" mp3 convert "${in[@]}" OUT --quality 2 --rate 22050 --channels 1
    fi
    run_both "$n: decode to WAV" wav decode "${in[@]}" OUT
done
echo "scripts/test-static.sh: $pass passed, $fail failed; $static: $(stat -c %s "$static") bytes"
[ "$fail" -eq 0 ]
