#!/usr/bin/env bash
# Device benchmark (Linux, ALSA; no sound card needed): rewrites the "device" section of
# BENCHMARKS.md.
# - Live capture latency: from the capture callback receiving a frame to that frame being
#   returned by pop_chunks, p50/p99 over >= 10 s, frames_per_chunk 256 and 1024 at 48 kHz
#   (examples/device_bench.rs: an ALSA `file` PCM whose capture reads a FIFO fed in real time
#   in periods of 256 frames).
# - CPU use of `audiostream monitor` on such a live device for 12 s (GNU time: user + system
#   CPU seconds over wall seconds).
#
# Usage: benches/bench_device.sh [--seconds S] [--reps N]
#   --seconds S  measured seconds per latency run (default 12; at least 10)
#   --reps N     latency runs per chunk size (default 3; the median run by p99 is reported)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_PER_RUN=12
REPS=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) SECONDS_PER_RUN="$2"; shift ;;
        --reps) REPS="$2"; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
for t in cargo python3 mkfifo /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "bench_device.sh: '$t' not found" >&2; exit 1; }
done

cargo build --release --quiet --all-features --example device_bench --bin audiostream
BENCH="$ROOT/target/release/examples/device_bench"
CLI="$ROOT/target/release/audiostream"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
: > "$WORK/latency.jsonl"
for chunk in 256 1024; do
    for _ in $(seq "$REPS"); do
        "$BENCH" latency --chunk "$chunk" --seconds "$SECONDS_PER_RUN" --buffer-frames 256 \
            2>/dev/null >> "$WORK/latency.jsonl"
    done
done

# Monitor CPU: a FIFO-fed capture device, fed in real time by another process.
mkfifo "$WORK/mon.fifo"
cat > "$WORK/asound.conf" <<CONF
pcm.as_null { type null }
pcm.as_mon { type file; slave.pcm "as_null"; file "/dev/null"; infile "$WORK/mon.fifo"; format "raw"; hint { show on; description "benchmark capture" } }
CONF
"$BENCH" feed "$WORK/mon.fifo" --seconds 16 &
FEED=$!
ALSA_CONFIG_PATH="$WORK/asound.conf" /usr/bin/time -f "%U %S %e" -o "$WORK/monitor.time" \
    "$CLI" -q monitor --device as_mon --rate 48000 --channels 2 --buffer-frames 256 \
    --duration 12 > "$WORK/monitor.out"
kill "$FEED" 2>/dev/null || true
wait "$FEED" 2>/dev/null || true
LOAD_AFTER="$(cut -d' ' -f1 /proc/loadavg)"

python3 - "$WORK/latency.jsonl" "$WORK/monitor.time" "$WORK/monitor.out" "$ROOT/BENCHMARKS.md" \
    "$SECONDS_PER_RUN" "$REPS" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PY'
import json, os, platform, subprocess, sys, datetime
lat_path, time_path, mon_out, md, secs, reps, load0, load1 = sys.argv[1:]
runs = [json.loads(l) for l in open(lat_path) if l.strip()]
user, system, wall = (float(x) for x in open(time_path).read().split()[-3:])
updates = sum(1 for l in open(mon_out) if l.startswith("ch0"))
cpu = 100.0 * (user + system) / wall
def median_run(chunk):
    rs = sorted((r for r in runs if r["chunk"] == chunk), key=lambda r: r["p99_ms"])
    return rs[len(rs) // 2], rs
ncpu = os.cpu_count()
try:
    model = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")][0]
except Exception:
    model = platform.processor()
commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True).stdout.strip()
alsa = subprocess.run(["sh", "-c", "dpkg-query -W -f '${Version}' libasound2 2>/dev/null || true"], capture_output=True, text=True).stdout.strip()
now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
lines = []
lines.append("<!-- BEGIN device -->")
lines.append("## Devices: live capture latency and `audiostream monitor` CPU")
lines.append("")
lines.append(f"Measured {now} at commit {commit} on {ncpu} CPUs ({model}), Linux {platform.release()}, "
             f"libasound2 {alsa or '?'}, no sound card; regenerate with `benches/bench_device.sh`. "
             f"1-minute load average: {load0} before, {load1} after.")
lines.append("")
lines.append("The device is real ALSA: a `file` plugin PCM whose capture reads a FIFO that a feeder "
             "thread fills with a 48 kHz stereo f32 tone in real time, one 256-frame period every "
             "5.33 ms on an absolute clock (as a sound card delivers periods). The reader is "
             "`device::open_input(\"as_bench\", sample_rate=48000, channels=2, buffer_frames=256)` "
             "with `add_basic_audio_stream(N, 64)`, driven by `process_packet_with(1 s, 1 ms)` + "
             "`pop_chunks()` (`examples/device_bench.rs`). Latency of a frame: from the start of the "
             "capture callback that delivered it (`CaptureMonitor::take_arrivals`) to the return of "
             "the `pop_chunks` that gave it, over every frame of "
             f"{secs} s after 0.5 s of warm-up; the first frames of a chunk wait for the chunk to fill, "
             "which is what the target allows for. *Chunk* latency is that of each chunk's last frame "
             f"(the pipeline's own delay). Median of {reps} runs by p99.")
lines.append("")
lines.append("| frames_per_chunk | chunk duration | target p99 | p50 | p99 | max | meets target | chunk p50 | chunk p99 | frames | overruns |")
lines.append("|--:|--:|--:|--:|--:|--:|:-:|--:|--:|--:|--:|")
for chunk in (256, 1024):
    r, rs = median_run(chunk)
    dur = chunk / 48.0
    target = dur + 5.0
    ok = "yes" if r["p99_ms"] <= target else "no"
    lines.append(f"| {chunk} | {dur:.2f} ms | ≤ {target:.2f} ms | {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | "
                 f"{r['max_ms']:.2f} ms | {ok} | {r['chunk_p50_ms']:.3f} ms | {r['chunk_p99_ms']:.3f} ms | "
                 f"{r['frames']} | {r['overruns']} |")
lines.append("")
lines.append("All runs (p50 / p99 / max, ms): " + "; ".join(
    f"{c}: " + ", ".join(f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f} / {r['max_ms']:.2f}" for r in runs if r["chunk"] == c)
    for c in (256, 1024)) + ".")
lines.append("")
ok = "yes" if cpu < 5.0 else "no"
lines.append(f"`audiostream monitor --device as_mon --rate 48000 --channels 2 --buffer-frames 256 --duration 12` "
             f"(release build) on the same kind of device, fed in real time by another process: "
             f"**{cpu:.2f} % of one core** (user {user:.2f} s + system {system:.2f} s over {wall:.2f} s wall, "
             f"GNU time; includes cpal's capture thread, ALSA and the FIFO reads; {updates} meter updates). "
             f"Target: under 5 %: {ok}.")
lines.append("<!-- END device -->")
section = "\n".join(lines) + "\n"
text = open(md).read() if os.path.exists(md) else ""
b, e = "<!-- BEGIN device -->", "<!-- END device -->"
if b in text and e in text:
    start = text.index(b)
    end = text.index(e) + len(e)
    text = text[:start] + section.rstrip("\n") + text[end:]
else:
    text = text.rstrip("\n") + "\n\n" + section
open(md, "w").write(text)
print(section)
PY
