#!/usr/bin/env bash
# Build the benchmark corpus in benches/data/ (gitignored, never committed).
#
#   music10.{wav,flac,mp3,ogg,m4a,opus}  exactly 10 min of stereo 44.1 kHz music (the .opus
#                                   at 48 kHz, as opusenc makes it)
#   music60.{wav,flac}              the same 10 minutes looped 6 times (memory test)
#
# Source: Debian's wesnoth-1.16-music (OGG Vorbis, CC BY-SA / GPL), concatenated
# with ffmpeg. Every output is skipped if it already exists, so re-running is cheap.
#
# Usage: benches/prepare_data.sh [--quick]      (--quick: skip the 60-minute files)
set -euo pipefail

QUICK=0
for a in "$@"; do
    case "$a" in
        --quick) QUICK=1 ;;
        *) echo "unknown argument: $a" >&2; exit 2 ;;
    esac
done

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="$HERE/data"
MUSIC_DIR="${WESNOTH_MUSIC_DIR:-/usr/share/games/wesnoth/1.16/data/core/music}"
# Real music (not silence), > 10 minutes in total: 318 s + 214 s + 325 s.
TRACKS=(battle.ogg breaking_the_chains.ogg casualties_of_war.ogg)
FRAMES10=$((600 * 44100))   # exactly 10 minutes at 44.1 kHz

mkdir -p "$DATA"
cd "$DATA"

need() { command -v "$1" >/dev/null || { echo "prepare_data.sh: '$1' not found" >&2; exit 1; }; }
for t in ffmpeg flac lame oggenc opusenc; do need "$t"; done

log() { echo "prepare_data: $*" >&2; }

# Build to a temp name and rename, so an interrupted run never leaves a
# truncated file that a later run would skip.
if [[ ! -f music10.wav ]]; then
    log "music10.wav (concatenating ${TRACKS[*]})"
    args=()
    filt=""
    for i in "${!TRACKS[@]}"; do
        f="$MUSIC_DIR/${TRACKS[$i]}"
        [[ -f "$f" ]] || { echo "missing $f (apt-get install wesnoth-1.16-music)" >&2; exit 1; }
        args+=(-i "$f")
        filt+="[$i:a]"
    done
    filt+="concat=n=${#TRACKS[@]}:v=0:a=1,aresample=44100,aformat=sample_fmts=s16:channel_layouts=stereo,atrim=end_sample=$FRAMES10[out]"
    ffmpeg -v error -nostdin -y "${args[@]}" -filter_complex "$filt" -map '[out]' \
        -map_metadata -1 -fflags +bitexact -flags:a +bitexact -c:a pcm_s16le -f wav tmp.music10.wav
    mv tmp.music10.wav music10.wav
fi

if [[ ! -f music10.flac ]]; then
    log "music10.flac (flac -5)"
    flac -s -f -5 -o tmp.music10.flac music10.wav
    mv tmp.music10.flac music10.flac
fi

if [[ ! -f music10.mp3 ]]; then
    log "music10.mp3 (lame 192k CBR)"
    lame --quiet --cbr -b 192 music10.wav tmp.music10.mp3
    mv tmp.music10.mp3 music10.mp3
fi

if [[ ! -f music10.ogg ]]; then
    log "music10.ogg (oggenc -q 5)"
    oggenc -Q -q 5 -o tmp.music10.ogg music10.wav
    mv tmp.music10.ogg music10.ogg
fi

if [[ ! -f music10.m4a ]]; then
    log "music10.m4a (ffmpeg aac 192k)"
    ffmpeg -v error -nostdin -y -i music10.wav -c:a aac -b:a 192k -f mp4 tmp.music10.m4a
    mv tmp.music10.m4a music10.m4a
fi

if [[ ! -f music10.opus ]]; then
    log "music10.opus (opusenc --bitrate 96)"
    opusenc --quiet --bitrate 96 music10.wav tmp.music10.opus
    mv tmp.music10.opus music10.opus
fi

if [[ $QUICK -eq 0 ]]; then
    if [[ ! -f music60.wav ]]; then
        log "music60.wav (music10.wav looped 6x)"
        ffmpeg -v error -nostdin -y -stream_loop 5 -i music10.wav -fflags +bitexact -flags:a +bitexact -c:a pcm_s16le -f wav tmp.music60.wav
        mv tmp.music60.wav music60.wav
    fi
    if [[ ! -f music60.flac ]]; then
        log "music60.flac (flac -5)"
        flac -s -f -5 -o tmp.music60.flac music60.wav
        mv tmp.music60.flac music60.flac
    fi
fi

ls -l "$DATA" >&2
