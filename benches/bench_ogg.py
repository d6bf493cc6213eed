#!/usr/bin/env python3
"""Ogg Opus and Ogg Vorbis writing, side by side with the reference encoders; writes the
"writer-ogg" section of BENCHMARKS.md.

Called by benches/run_benchmarks.sh (section "ogg") with the `writer` bench executable
(benches/writer.rs); stdlib only. Input: the 10-minute music WAV of benches/prepare_data.sh
(44.1 kHz stereo 16-bit). Contenders, each a separate process, round-robin (the order rotates
every repetition):

- Opus at 96 kb/s: our `writer opus96` (StreamReader -> StreamWriter, resampled to 48 kHz by our
  pipeline), `opusenc --bitrate 96`, `ffmpeg -threads 1 -c:a libopus -b:a 96k` (FFmpeg resamples
  with swresample; its libopus is Debian's 1.3.1, ours 1.6.1);
- Vorbis at -q 5: our `writer vorbis-q5`, `oggenc -q 5`, `ffmpeg -threads 1 -c:a libvorbis -q:a 5`.

Reported: median CPU time (user + system, from GNU time) and wall time of each, our CPU time
over the fastest contender's (median of the per-repetition ratios: the runs of a repetition are
adjacent in time, so slow drifts cancel), sizes and our size over each, and our peak RSS on the
10-minute and (when present) the 60-minute file: memory must not grow with the length. CPU
time is the measure: on a shared machine (load 6-7 on 2 cores when this was written) the wall
time of a single-threaded encoder is mostly waiting for a core, and swings ±30 % between runs.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_reader import GNU_TIME, fmt_mib, fmt_s, log, machine_info, med, replace_section  # noqa: E402


def run(cmd):
    """Run cmd once: (wall s, CPU s = user + system, peak RSS KiB, returncode, stderr)."""
    with tempfile.TemporaryFile() as fe, tempfile.NamedTemporaryFile(mode="r") as ft:
        t0 = time.perf_counter()
        rc = subprocess.call([GNU_TIME, "-q", "-f", "%U %S %M", "-o", ft.name, *cmd],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=fe)
        wall = time.perf_counter() - t0
        fe.seek(0)
        err = fe.read().decode(errors="replace")
        f = ft.read().split()
    try:
        cpu, rss = float(f[-3]) + float(f[-2]), int(f[-1])
    except (IndexError, ValueError):
        cpu, rss = None, None
    return wall, cpu, rss, rc, err

CASES = {
    "opus": {
        "label": "Ogg Opus, 96 kb/s",
        "ext": "opus",
        "ours": "opus96",
        "refs": [
            ("opusenc --bitrate 96", ["opusenc", "--quiet", "--bitrate", "96", "{in}", "{out}"]),
            ("ffmpeg -threads 1 -c:a libopus -b:a 96k",
             ["ffmpeg", "-v", "error", "-nostdin", "-y", "-threads", "1", "-i", "{in}",
              "-c:a", "libopus", "-b:a", "96k", "{out}"]),
        ],
    },
    "vorbis": {
        "label": "Ogg Vorbis, -q 5",
        "ext": "ogg",
        "ours": "vorbis-q5",
        "refs": [
            ("oggenc -q 5", ["oggenc", "-Q", "-q", "5", "-o", "{out}", "{in}"]),
            ("ffmpeg -threads 1 -c:a libvorbis -q:a 5",
             ["ffmpeg", "-v", "error", "-nostdin", "-y", "-threads", "1", "-i", "{in}",
              "-c:a", "libvorbis", "-q:a", "5", "{out}"]),
        ],
    },
}
TARGET = 1.05
SIZE_TOL = 0.03


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--command", default="benches/run_benchmarks.sh --only ogg")
    a = ap.parse_args()

    src = os.path.join(a.data, "music10.wav")
    long_src = os.path.join(a.data, "music60.wav")
    info = machine_info(a.repo)
    problems = []
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, case in CASES.items():
            ext = case["ext"]
            contenders = [("ours", [a.bin, case["ours"], src, os.path.join(tmp, f"ours.{ext}")])]
            for i, (label, cmd) in enumerate(case["refs"]):
                out = os.path.join(tmp, f"ref{i}.{ext}")
                contenders.append((label, [x.format(**{"in": src, "out": out}) for x in cmd]))
            outputs = {"ours": os.path.join(tmp, f"ours.{ext}")}
            outputs.update({label: os.path.join(tmp, f"ref{i}.{ext}")
                            for i, (label, _) in enumerate(case["refs"])})
            times = {who: [] for who, _ in contenders}
            walls = {who: [] for who, _ in contenders}
            rss = []
            ratios = []
            for who, cmd in contenders:  # warm-up: page cache, lazy binaries
                _, _, _, rc, err = run(cmd)
                if rc != 0:
                    problems.append(f"{name}: {who} failed: {err.strip()[:300]}")
            for rep in range(a.reps):
                order = contenders[rep % len(contenders):] + contenders[:rep % len(contenders)]
                rep_times = {}
                for who, cmd in order:
                    wall, cpu, peak, rc, err = run(cmd)
                    if rc != 0 or cpu is None:
                        problems.append(f"{name}: {who} failed: {err.strip()[:300]}")
                        continue
                    times[who].append(cpu)
                    walls[who].append(wall)
                    rep_times[who] = cpu
                    if who == "ours" and peak is not None:
                        rss.append(peak)
                others = [t for w, t in rep_times.items() if w != "ours"]
                if "ours" in rep_times and others:
                    ratios.append(rep_times["ours"] / min(others))
                log(f"{name}: rep {rep + 1}/{a.reps}")
            sizes = {who: os.path.getsize(p) if os.path.exists(p) else None
                     for who, p in outputs.items()}
            long_rss = None
            if os.path.exists(long_src):
                _, _, long_rss, rc, err = run(
                    [a.bin, case["ours"], long_src, os.path.join(tmp, f"long.{ext}")])
                if rc != 0:
                    problems.append(f"{name}: ours on the 60-minute file failed: {err[:300]}")
                    long_rss = None
            results[name] = (times, sizes, med(ratios), med(rss), long_rss, walls)

    L = ["## Writer: Ogg Opus and Ogg Vorbis against opusenc, oggenc and FFmpeg\n"]
    L.append(f"Measured {info['date']} at commit {info['commit']}; regenerate with "
             f"`{a.command}`.\n")
    L.append("Encode the 10-minute stereo 44.1 kHz music WAV (`benches/data/music10.wav`): our "
             "`writer MODE in.wav out` (`benches/writer.rs`: `StreamReader` 4096-frame chunks into "
             "`StreamWriter`; for Opus our resampler converts to 48 kHz first, as `opusenc` and "
             "FFmpeg do with theirs) against the reference encoders at the same settings, each "
             f"a separate process, {a.reps} repetitions, the order rotating. Times are CPU "
             "time (user + system): the machine is shared, and wall time swings with its load. "
             "Ratio = median of the per-repetition ratios of our CPU time to the fastest other "
             "contender's; target "
             f"≤ {TARGET:.2f} at equal size (±{SIZE_TOL:.0%}). Peak RSS of ours on the 10-minute "
             "and the 60-minute file (`music60.wav`, made without `--quick`): it must not grow "
             "with the length.\n")
    L.append("| case | contender | median CPU time | median wall time | size (bytes) | "
             "our size / theirs |")
    L.append("|---|---|--:|--:|--:|--:|")
    for name, case in CASES.items():
        times, sizes, _, _, _, walls = results[name]
        for who in times:
            label = "ours (`writer " + case["ours"] + "`)" if who == "ours" else f"`{who}`"
            rel = "–"
            if who != "ours" and sizes.get(who) and sizes.get("ours"):
                rel = f"{sizes['ours'] / sizes[who]:.4f}"
            L.append(f"| {case['label']} | {label} | {fmt_s(med(times[who]))} | "
                     f"{fmt_s(med(walls[who]))} | {sizes.get(who) or '–'} | {rel} |")
    L.append("")
    L.append("| case | ours / fastest | target | peak RSS, 10 min | peak RSS, 60 min |")
    L.append("|---|--:|--:|--:|--:|")
    for name, case in CASES.items():
        _, _, ratio, peak, long_peak, _ = results[name]
        ok = "–" if ratio is None else ("yes" if ratio <= TARGET + 1e-9 else "**no**")
        L.append(f"| {case['label']} | {'–' if ratio is None else f'{ratio:.2f}'} | "
                 f"≤ {TARGET:.2f} ({ok}) | {fmt_mib(peak)} | {fmt_mib(long_peak)} |")
    L.append("")
    L.append("<details><summary>All runs (CPU seconds)</summary>\n")
    L.append("| case | contender | runs |")
    L.append("|---|---|---|")
    for name, case in CASES.items():
        times = results[name][0]
        for who, ts in times.items():
            L.append(f"| {name} | {who} | {' '.join(f'{t:.3f}' for t in ts)} |")
    L.append("\n</details>\n")
    if problems:
        L.append("Problems in this run:\n")
        L.extend(f"- {p}" for p in problems)
    replace_section(a.out, "writer-ogg", "\n".join(L))
    for p in problems:
        log("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
