#!/usr/bin/env bash
# The measurement behind the Opus encoder choice (README, "Writing Opus and Vorbis"):
# opus-pure 0.2.2 (pure Rust) against libopus — `opusenc --bitrate B` (opus-tools 0.2, libopus
# 1.3.1, Debian's) and libopus 1.6.1 in process (opusic-sys, built from its bundled C source) —
# on speech and music: size, SNR of the decode (opusdec --float) against the input, and encode
# speed on 10 minutes of music. A check of aoTuV Vorbis (vorbis_rs) against `oggenc -q Q` too.
#
# Usage: benches/codec_choice.sh [--reps N] [--only opus|vorbis]   (3 timing repetitions by
#        default; about 3 minutes)
# Needs: cargo, cmake, a C compiler, opus-tools, vorbis-tools, sox, espeak-ng, ffmpeg, and
# benches/data/music10.wav (benches/prepare_data.sh --quick makes it).
set -euo pipefail

REPS=3
ONLY=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --reps) REPS="$2"; shift ;;
        --only) ONLY="$2"; shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/benches/data/choice"
mkdir -p "$DATA"
(cd "$ROOT/benches/codec_choice" && CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1} cargo build --release --quiet)
CC="$ROOT/benches/codec_choice/target/release/codec-choice"
[[ -f "$ROOT/benches/data/music10.wav" ]] || "$ROOT/benches/prepare_data.sh" --quick
cd "$DATA"

# Signals, all 16-bit 48 kHz so that opusenc does not resample: speech (two espeak-ng voices,
# mono), three 30 s music excerpts (stereo), and the whole 10 minutes for speed.
if [[ ! -f speech.wav ]]; then
    espeak-ng -v en-us -s 155 -w s1.wav "The quick brown fox jumps over the lazy dog. \
Streaming audio needs an encoder that is fast, exact and small on every input. \
We compare a pure Rust Opus encoder against the reference implementation from Xiph."
    espeak-ng -v en+f3 -s 170 -p 70 -w s2.wav "Silk handles speech at low bit rates, \
Celt handles music, and the hybrid mode glues them together above eight kilohertz. \
Speech corpora are increasingly stored as Opus files. Thank you for listening."
    sox s1.wav s2.wav -r 48000 -b 16 speech.wav rate -v norm -3
    rm -f s1.wav s2.wav
fi
for start in 30 250 450; do
    [[ -f music$start.wav ]] || sox "$ROOT/benches/data/music10.wav" -r 48000 -b 16 \
        music$start.wav trim "$start" 30 rate -v
done
[[ -f music600.wav ]] || sox "$ROOT/benches/data/music10.wav" -r 48000 -b 16 music600.wav rate -v

snr() { "$CC" snr "$1" "$2" | sed 's/.*snr_db=//'; }
size() { stat -c %s "$1"; }

if [[ -z "$ONLY" || "$ONLY" == opus ]]; then
echo "## Opus: size and SNR (opusdec --float) at the same bit rate"
echo
echo "| input | kb/s | opusenc (1.3.1) bytes | dB | libopus 1.6.1 bytes | dB | opus-pure bytes | dB | pure/opusenc size | pure−opusenc dB | pure/1.6.1 size | pure−1.6.1 dB |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
cases=()
for b in 16 24 32 64; do cases+=("speech $b"); done
for m in music30 music250 music450; do for b in 64 96 128 192; do cases+=("$m $b"); done; done
for c in "${cases[@]}"; do
    set -- $c
    in="$1.wav" b="$2"
    opusenc --quiet --bitrate "$b" "$in" ref.opus
    "$CC" libopus "$in" c16.opus "$b" >/dev/null
    "$CC" opus-pure "$in" pure.opus "$b" >/dev/null
    for f in ref c16 pure; do opusdec --quiet --float --rate 48000 $f.opus $f.f32; done
    r=$(snr "$in" ref.f32) c=$(snr "$in" c16.f32) p=$(snr "$in" pure.f32)
    sr=$(size ref.opus) sc=$(size c16.opus) sp=$(size pure.opus)
    python3 - "$1" "$b" "$sr" "$r" "$sc" "$c" "$sp" "$p" <<'EOF'
import sys
n, b, sr, r, sc, c, sp, p = sys.argv[1:]
sr, sc, sp, r, c, p = int(sr), int(sc), int(sp), float(r), float(c), float(p)
print(f"| {n} | {b} | {sr} | {r:.2f} | {sc} | {c:.2f} | {sp} | {p:.2f} | {sp/sr:.3f} | {p-r:+.2f} "
      f"| {sp/sc:.3f} | {p-c:+.2f} |")
EOF
done
rm -f ref.* c16.* pure.*

echo
echo "## Opus: encode speed, 10 min of stereo music at 96 kb/s (median of $REPS)"
echo
med() { python3 -c 'import sys,statistics; print(f"{statistics.median(map(float, sys.argv[1:])):.2f}")' "$@"; }
t_pure=() t_c16=() t_enc=()
for _ in $(seq "$REPS"); do
    t_pure+=("$("$CC" opus-pure music600.wav pure.opus 96 | sed 's/encode_seconds=//')")
    t_c16+=("$("$CC" libopus music600.wav c16.opus 96 | sed 's/encode_seconds=//')")
    s=$(date +%s.%N); opusenc --quiet --bitrate 96 music600.wav ref.opus; e=$(date +%s.%N)
    t_enc+=("$(python3 -c "print($e - $s)")")
done
echo "| encoder | seconds | size (bytes) |"
echo "|---|--:|--:|"
echo "| opus-pure 0.2.2 (encode loop) | $(med "${t_pure[@]}") | $(size pure.opus) |"
echo "| libopus 1.6.1 in process (encode loop) | $(med "${t_c16[@]}") | $(size c16.opus) |"
echo "| opusenc --bitrate 96 (whole program) | $(med "${t_enc[@]}") | $(size ref.opus) |"
rm -f ref.* c16.* pure.*
fi

if [[ -z "$ONLY" || "$ONLY" == vorbis ]]; then
echo
echo "## Vorbis: aoTuV (vorbis_rs) vs oggenc -q Q (libvorbis 1.3.7): size and SNR (oggdec)"
echo
echo "| input | q | oggenc bytes | dB | aoTuV bytes | dB | size ratio | dB diff |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|"
for c in "speech 3" "speech 5" "music30 3" "music30 5" "music250 5" "music450 5" "music30 8"; do
    set -- $c
    in="$1.wav" q="$2"
    oggenc -Q -q "$q" -o ref.ogg "$in"
    "$CC" vorbis "$in" aot.ogg "$q" >/dev/null
    # oggdec's 16-bit output (libvorbis 1.3.7), read back as f32 (exact for 16-bit values).
    for f in ref aot; do oggdec -Q -o $f.wav $f.ogg; sox $f.wav -t f32 $f.f32; done
    r=$(snr "$in" ref.f32) a=$(snr "$in" aot.f32)
    sr=$(size ref.ogg) sa=$(size aot.ogg)
    python3 -c "print(f'| $1 | $q | $sr | {$r:.2f} | $sa | {$a:.2f} | {$sa/$sr:.3f} | {$a-$r:+.2f} |')"
done
rm -f ref.* aot.*
fi
