#!/usr/bin/env bash
# Single-format builds at runtime. CI's `cargo hack clippy --each-feature` shows that each
# `decode-*` feature compiles alone; this script shows that such a build works: the CLI built
# with `--no-default-features --features decode-<fmt>,cli` decodes its own format as FFmpeg
# does (FLAC bit for bit; MP3 the same length and at least 120 dB SNR, as README.md's format
# table says of the full build), and a file of a format not compiled in is `Error::Unsupported`:
# exit code 1, a message listing the containers this build has, and no output file.
#
# Usage: scripts/test-single-format.sh [flac] [mp3]   (default: both)
#
# Not run by scripts/test.sh nor .ci/run: each build recompiles the library with its own
# features, about 2.5 min apiece on the 2-core CI machine (measured: the budget for test.sh
# was 60 s). The builds share target/ with the others; the next ordinary build links
# target/debug/audiostream back to the full one.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# fixture FMT: the fixtures that format decodes (the first one is the other build's foreign file).
declare -A fixtures=(
    [flac]="fixtures/flac_16_stereo_44100.flac fixtures/flac_24_mono_96000.flac"
    [mp3]="fixtures/mp3_cbr128_stereo_44100.mp3 fixtures/mp3_notag_cbr128_stereo_44100.mp3"
)

# Lossless: our WAV (at the source's depth) and FFmpeg's decode, both as s32le, equal.
same_pcm() {
    local src=$1 ours=$2
    ffmpeg -v error -i "$src" -f s32le - >"$work/ref.pcm"
    ffmpeg -v error -i "$ours" -f s32le - >"$work/ours.pcm"
    cmp -s "$work/ref.pcm" "$work/ours.pcm" || fail "$src: our decode differs from FFmpeg's"
    echo "ok: $src bit for bit ($(stat -c %s "$work/ref.pcm") bytes of s32le)"
}

# Lossy: our f32 WAV and FFmpeg's f32 decode, the same length and >= 120 dB apart.
close_pcm() {
    local src=$1 ours=$2
    ffmpeg -v error -i "$src" -f f32le - >"$work/ref.pcm"
    ffmpeg -v error -i "$ours" -f f32le - >"$work/ours.pcm"
    python3 - "$work/ref.pcm" "$work/ours.pcm" "$src" <<'PY'
import sys
import numpy as np
ref = np.fromfile(sys.argv[1], dtype="<f4").astype(np.float64)
ours = np.fromfile(sys.argv[2], dtype="<f4").astype(np.float64)
if ref.size != ours.size:
    sys.exit(f"FAIL: {sys.argv[3]}: {ours.size} samples, FFmpeg {ref.size}")
noise = np.sum((ref - ours) ** 2)
snr = float("inf") if noise == 0 else 10 * np.log10(np.sum(ref**2) / noise)
if snr < 120:
    sys.exit(f"FAIL: {sys.argv[3]}: {snr:.1f} dB from FFmpeg's decode (at least 120 wanted)")
print(f"ok: {sys.argv[3]}: {ref.size} samples, {snr:.1f} dB from FFmpeg's decode")
PY
}

formats=("$@")
[ ${#formats[@]} -gt 0 ] || formats=(flac mp3)
for fmt in "${formats[@]}"; do
    [ -n "${fixtures[$fmt]:-}" ] || fail "format $fmt: flac or mp3"
    start=$(date +%s)
    cargo build --quiet --no-default-features --features "decode-$fmt,cli" --bin audiostream
    bin="$work/audiostream-$fmt"
    cp target/debug/audiostream "$bin"
    echo "== decode-$fmt,cli built in $(($(date +%s) - start)) s"
    for src in ${fixtures[$fmt]}; do
        out="$work/$(basename "$src").wav"
        if [ "$fmt" = flac ]; then
            "$bin" -q decode "$src" "$out"
            same_pcm "$src" "$out"
        else
            "$bin" -q decode --sample-format f32 "$src" "$out"
            close_pcm "$src" "$out"
        fi
    done
    # A format not compiled in: the other one's fixture.
    for other in "${!fixtures[@]}"; do
        [ "$other" != "$fmt" ] || continue
        foreign=${fixtures[$other]%% *}
        out="$work/foreign.wav"
        set +e
        "$bin" -q decode "$foreign" "$out" 2>"$work/err"
        rc=$?
        set -e
        msg=$(cat "$work/err")
        [ "$rc" = 1 ] || fail "$foreign with decode-$fmt only: exit code $rc (1 wanted): $msg"
        [[ "$msg" == *"unsupported: "* ]] || fail "$foreign: not Error::Unsupported: $msg"
        [[ "$msg" == *"supported containers: $fmt, and raw PCM"* ]] ||
            fail "$foreign: the message does not list this build's containers ($fmt only): $msg"
        [ ! -e "$out" ] || fail "$foreign: an output file was written"
        echo "ok: $foreign with decode-$fmt only: exit code 1, $msg"
    done
done
echo "single-format builds: all ok"
