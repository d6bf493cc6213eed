#!/usr/bin/env bash
# Seeds the corpus of every fuzz target (fuzz/corpus/<target>/, not in git) from the project's
# fixtures (fixtures/) and the conformance files (../shared/conformance, or
# AUDIOSTREAM_CONFORMANCE=DIR). Media files are cut to their first 64 KiB. Each reader input is
# a settings header followed by the media bytes (see fuzz/src/lib.rs and each target's
# Settings); the seeds use a few header variants per file (probe and the right hint,
# seekable and pipe, several chunk sizes).
#
# With ffmpeg installed, also adds short files of the codecs the fixtures lack (ADPCM, A-law,
# mu-law, u8, f64 WAV, ALAC in M4A and CAF, ADTS AAC, Ogg FLAC, MP2, PCM/MP3/Vorbis in MKV, s24 AIFF),
# so the fuzzer starts inside those demuxers and decoders.
#
# Usage: fuzz/make_corpus.sh            (adds to existing corpora; seeds are named by content)
#        FUZZ_CORPUS=DIR fuzz/make_corpus.sh   (into DIR/TARGET instead of fuzz/corpus/TARGET)
set -euo pipefail
cd "$(dirname "$0")"
FUZZ=$PWD
ROOT=$(cd .. && pwd)
CORPUS=${FUZZ_CORPUS:-corpus}
CONF=${AUDIOSTREAM_CONFORMANCE:-$ROOT/../shared/conformance}
MAX=65536
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

TARGETS=(reader reader_seek reader_convert metadata raw_pcm effects cli_args writer)
for t in "${TARGETS[@]}"; do mkdir -p "$CORPUS/$t"; done

# put TARGET FILE: stores FILE in corpus/TARGET under its sha1 (as libFuzzer names inputs).
put() {
    local sum
    sum=$(sha1sum "$2" | cut -c1-40)
    cp "$2" "$CORPUS/$1/$sum"
}

# hdr BYTE...: writes the bytes (decimal) to stdout.
hdr() {
    local b
    for b in "$@"; do printf "\\x$(printf %02x "$b")"; done
}

# The hint byte a file's extension stands for (HINTS in fuzz/src/lib.rs).
hint_of() {
    case "${1##*.}" in
        wav) echo 1 ;;
        mp3 | bit | mp2) echo 2 ;;
        flac) echo 3 ;;
        ogg | opus | oga) echo 4 ;;
        mp4 | m4a) echo 5 ;;
        mkv | webm | mka) echo 6 ;;
        aiff | aif) echo 7 ;;
        caf) echo 8 ;;
        aac) echo 9 ;;
        *) echo 0 ;;
    esac
}

media=()
for f in "$ROOT"/fixtures/*; do
    [ -f "$f" ] || continue # fixtures/regressions/ and other folders
    case "$f" in *.sh | *.md) continue ;; esac
    media+=("$f")
done
if [ -d "$CONF" ]; then
    while IFS= read -r -d '' f; do media+=("$f"); done < <(
        find "$CONF" -type f \( -name '*.flac' -o -name '*.bit' -o -name '*.mp3' \) -print0 | sort -z
    )
else
    echo "make_corpus: no conformance files at $CONF (set AUDIOSTREAM_CONFORMANCE)" >&2
fi

# Extra codecs, when ffmpeg is there (0.1 s each of a two-tone signal).
if command -v ffmpeg >/dev/null; then
    src="-f lavfi -i sine=frequency=440:sample_rate=44100:duration=0.1 -f lavfi -i sine=frequency=660:sample_rate=44100:duration=0.1 -filter_complex [0][1]amerge=inputs=2"
    gen() { # gen NAME ARGS...: ffmpeg from the stereo signal
        local name=$1
        shift
        # shellcheck disable=SC2086
        ffmpeg -v error -nostdin -y $src "$@" -fflags +bitexact "$TMP/extra/$name" </dev/null 2>/dev/null &&
            media+=("$TMP/extra/$name") || echo "make_corpus: ffmpeg could not make $name" >&2
    }
    mkdir -p "$TMP/extra"
    gen adpcm_ms.wav -c:a adpcm_ms
    gen adpcm_ima.wav -c:a adpcm_ima_wav
    gen alaw.wav -c:a pcm_alaw -ar 8000
    gen mulaw.wav -c:a pcm_mulaw -ar 8000 -ac 1
    gen u8.wav -c:a pcm_u8 -ac 1
    gen f64.wav -c:a pcm_f64le
    gen s32.wav -c:a pcm_s32le
    gen alac.m4a -c:a alac
    gen alac.caf -c:a alac
    gen pcm.caf -c:a pcm_s24be
    gen adts.aac -c:a aac -b:a 64k
    gen aac_frag.mp4 -c:a aac -b:a 64k -movflags frag_keyframe+empty_moov
    gen flac.oga -c:a flac
    gen mp2.mp2 -c:a mp2 -b:a 128k
    gen mp3.mkv -c:a libmp3lame -b:a 64k
    gen pcm.mkv -c:a pcm_s16le
    gen vorbis.webm -c:a libvorbis -q:a 2
    gen s24.aiff -c:a pcm_s24be
    gen mono_22050.flac -ac 1 -ar 22050 -sample_fmt s16
fi

n=0
for f in "${media[@]}"; do
    cut="$TMP/cut"
    head -c $MAX "$f" >"$cut"
    h=$(hint_of "$f")
    i=$((n % 7))
    n=$((n + 1))
    # reader: hint, flags (bit 0 seekable), fpc lo, fpc hi, buffer, 0.
    { hdr 0 1 0 $((0x84)) 3 0; cat "$cut"; } >"$TMP/s" && put reader "$TMP/s"           # probe, seekable, fpc 1025
    { hdr "$h" 0 $((17 + i)) $((0x40 + i)) $((i)) 0; cat "$cut"; } >"$TMP/s" && put reader "$TMP/s" # hint, pipe
    # reader_seek: hint, flags (bit 0 seekable, bits 1-2 seeks-1), fpc, 4 x (kind, 8 value bytes, chunks).
    {
        hdr "$h" 7 0 $((0x44))
        hdr 1 0 0 0 $((0x80)) 0 0 0 0 2 # half the duration
        hdr 2 $((100 + i)) 0 0 0 0 0 0 0 1 # an exact frame
        hdr 3 $((i)) 0 0 0 0 0 0 0 1 # an edge value
        hdr 1 0 0 0 $((0x20)) 0 0 0 0 3 # a quarter, backwards
        cat "$cut"
    } >"$TMP/s" && put reader_seek "$TMP/s"
    {
        hdr 0 2 $((i * 3)) 0
        hdr 0 0 0 0 0 0 0 $((0xe0)) $((0x3f)) 1 # 0.5 s as f64
        hdr 1 0 0 0 $((0xc0)) 0 0 0 0 1
        hdr 0 0 0 0 0 0 0 0 0 0
        hdr 0 0 0 0 0 0 0 0 0 0
        cat "$cut"
    } >"$TMP/s" && put reader_seek "$TMP/s"
    # reader_convert: hint, flags (seekable, reference output, keep rate), fpc, fpc ref,
    # rate selector (even: RATES[sel/2]), rate (3 bytes), channels, buffer.
    { hdr "$h" 3 0 4 0 4 $((2 * ((i * 3) % 12))) 0 0 0 $((1 + i)) 2; cat "$cut"; } >"$TMP/s" && put reader_convert "$TMP/s"
    { hdr 0 2 100 0 0 16 1 $((i * 37)) $((i * 11)) 0 1 1; cat "$cut"; } >"$TMP/s" && put reader_convert "$TMP/s"
    # metadata: hint, flags.
    { hdr 0 1; cat "$cut"; } >"$TMP/s" && put metadata "$TMP/s"
    { hdr "$h" 0; cat "$cut"; } >"$TMP/s" && put metadata "$TMP/s"
done

# raw_pcm: format, flags, rate, channels, fpc (2), 0, 0; text (unused lines) 0; samples.
# format: 0 s16le .. 5 u8; rate % 4 >= 2 picks RATES[rate / 4]; channels likewise.
raw_seed() { # raw_seed FILE FORMAT RATE_IDX CHANNELS_IDX FLAGS
    { hdr "$2" "$5" $((2 + 4 * $3)) $((2 + 4 * $4)) 0 4 0 0; printf '0\n44100\n2\ntrue\nx\ny'; hdr 0; head -c 16384 "$1"; } >"$TMP/s"
    put raw_pcm "$TMP/s"
}
raw_seed "$ROOT/fixtures/raw_s16le_stereo_44100.raw" 0 1 1 1
raw_seed "$ROOT/fixtures/raw_s16le_stereo_44100.raw" 0 1 1 2
raw_seed "$ROOT/fixtures/raw_f32le_mono_16000.raw" 3 9 0 1
raw_seed "$ROOT/fixtures/raw_f32le_mono_16000.raw" 5 0 2 0
raw_seed "$ROOT/fixtures/random_bytes.bin" 1 2 3 1
raw_seed "$ROOT/fixtures/random_bytes.bin" 4 3 4 7
raw_seed "$ROOT/fixtures/random_bytes.bin" 2 10 1 3
if [ -d "$CONF/mpeg/vectors" ]; then
    for f in "$CONF"/mpeg/vectors/l3-si.pcm "$CONF"/mpeg/vectors/l2-fl13.pcm "$CONF"/mpeg/vectors/ILL2_mono.pcm; do
        [ -f "$f" ] && raw_seed "$f" 0 1 1 1
    done
fi
# Text fields: format name, sample_rate, channels, live, extra key, its value.
{ hdr 14 $((1 + 6 + 8)) 1 1 0 1 0 0; printf 's16le\n48000\n2\nyes\nsample_rate\n8000'; hdr 0; head -c 4096 "$ROOT/fixtures/random_bytes.bin"; } >"$TMP/s" && put raw_pcm "$TMP/s"

# effects: mode 0 = text chain, then 0, then the signal bytes (rate, channels, frames, seed,
# amplitude, chunk sizes).
sig() { hdr 1 1 $((0x40)) 3 7 9 1 50 200 0 3 255 17; }
chains=(
    "reverb 50 50 100 chorus 0.7 0.9 55 0.4 0.25 2 -t"
    "highpass 80 reverb"
    "gain -3 overdrive 10 20 lowpass -1 2k"
    "gain -3 bass 6 equalizer 1k 2o -4"
    "echo 0.8 0.9 1000 0.3"
    "echos 0.8 0.7 700 0.25 700 0.3"
    "flanger 0 2 0 71 0.5 sine 25 lin"
    "phaser 0.6 0.66 3 0.6 2 -t"
    "tremolo 6 40"
    "fade q 0.01 0.05 0.01"
    "fade t 1:00 2:00"
    "pad 0.01 0.02@0.01"
    "reverse"
    "speed 1.5"
    "tempo -s 1.2"
    "pitch -q 200"
    "norm -1"
    "gain -n -3"
    "gain -h vol 2 gain -r"
    "vol 0.5 amplitude"
    "vol -6dB"
    "allpass 1k 1q bandpass -c 500 200h bandreject 3k 1o"
    "treble 3 3000 0.5s"
    "reverb -w 80 20 50 50 10 -3"
    "chorus 0.5 0.9 50 0.4 0.25 2 -s 60 0.32 0.4 1.3 -t"
    "trim 0 1"
    "pad 0 1s"
)
for c in "${chains[@]}"; do
    { hdr 0; printf '%s' "$c"; hdr 0; sig; } >"$TMP/s" && put effects "$TMP/s"
done
for m in 1 2 3 5 6 7; do
    for k in 1 2 3; do
        { hdr $m; head -c $((40 * k)) /dev/zero | tr '\0' "\\$(printf %03o $((m * 17 + k)))"; } >"$TMP/s" && put effects "$TMP/s"
    done
done

# cli_args: a selector byte (bit i: field i from a table of typical values), then the fields
# one a line: start, duration, rate, bitrate, channels, quality, --to, -o pairs,
# compression level, effect chain.
cli=(
    "1:30|0.01|48000|128k|2|2|mp3|sample_rate=8000,channels=2|5|highpass 80"
    "0|0:00.02|44.1k|320000|1|0|flac||8|"
    "2s|1|16000Hz|1.5M|6|9.5|wav|a=b|-1|reverb 50"
    "0.001|0.0005|8k|96kbps|1|-1|WAVE|x|0|gain -3 fade 0 0.01"
    "00:00:00.001|5|384k|4294M|1024|nan|ogg|=|99|pad 0 1"
    "1e3|-1|0|0|0|10|Flac|k=v=w|2|chorus 0.7 0.9 55 0.4 0.25 2 -t"
)
for c in "${cli[@]}"; do
    { hdr 0; printf '%s' "$c" | tr '|' '\n'; } >"$TMP/s" && put cli_args "$TMP/s"
    { hdr 255; printf '%s' "$c" | tr '|' '\n'; } >"$TMP/s" && put cli_args "$TMP/s"
done

# writer: byte-driven (see fuzz_targets/writer.rs); a few hand-made shapes plus the
# first bytes of some fixtures as arbitrary settings.
w_seed() { hdr "$@" >"$TMP/s" && put writer "$TMP/s"; }
#       container flags  tags.. rate ch fmt  enc? cfg? opt? ... chunks
w_seed 0 1 5 0 3 0 0 0 0 0 1 0 4 1 64 0 2 2 0 0 3 0
w_seed 1 1 5 1 3 0 1 2 0 0 0 7 9 1 128 0 1 3 0 0 3 0
w_seed 2 1 5 2 0 1 0 1 1 0 0 0 0 0 5 0 1 0 8 1 0 3 0 7 0
w_seed 2 0 5 1 0 1 1 1 0 0 1 0 5 1 2 0 1 0 0 2 0 3 0 6 0
w_seed 0 5 4 1 1 1 4 2 0 0 0 0 1 5 1 3 9 1 3 6 1 0 7 2 0 3 0
w_seed 1 13 6 1 5 0 1 1 1 1 1 3 0 0 1 1 7 4 0 5 4 1 0 2 3 1 0 4 0
w_seed 0 9 2 0 1 3 0 0 0 0 0 0 0 0 8 13 7 64 255 3 0
for f in random_bytes.bin mp3_cbr128_stereo_44100.mp3 flac_16_stereo_44100.flac; do
    head -c 256 "$ROOT/fixtures/$f" >"$TMP/s" && put writer "$TMP/s"
done

for t in "${TARGETS[@]}"; do
    printf '%-16s %5d seeds\n' "$t" "$(find "$CORPUS/$t" -type f | wc -l)"
done
