#!/usr/bin/env python3
"""Run the write-throughput benchmark and write the "writer" section of BENCHMARKS.md.

Called by benches/run_benchmarks.sh with the `writer` bench executable (benches/writer.rs);
stdlib only. Input: the 10-minute music WAV of benches/prepare_data.sh. Each case runs our
writer and the reference tool at the same settings, round-robin (the pair's order alternates
every repetition), every run a separate process; outputs go to a temp dir.

Reported per case: median wall time of each, the median of the per-repetition time ratios
(ours / reference: the two runs of a repetition are adjacent in time, so slow drifts of machine
load cancel), output sizes and their ratio, and our peak RSS.
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_reader import fmt_mib, fmt_s, log, machine_info, med, replace_section, run  # noqa: E402

# (case, our mode, reference tool command template, label, time target, size tolerance)
CASES = [
    ("mp3-cbr128", ["lame", "--quiet", "-b", "128", "{in}", "{out}"],
     "MP3 128 kbps CBR vs `lame -b 128`", 1.05, 0.01),
    ("mp3-v2", ["lame", "--quiet", "-V", "2", "{in}", "{out}"],
     "MP3 VBR V2 vs `lame -V 2`", 1.05, 0.01),
    ("flac5", ["flac", "-s", "-f", "-5", "-o", "{out}", "{in}"],
     "FLAC level 5 vs `flac -5`", 1.05, 0.01),
    ("flac8", ["flac", "-s", "-f", "-8", "-o", "{out}", "{in}"],
     "FLAC level 8 vs `flac -8`", 1.05, 0.01),
    ("wav", ["sox", "{in}", "{out}"],
     "WAV 16-bit vs `sox in.wav out.wav` (copy)", 1.00, 0.0),
]
EXT = {"mp3-cbr128": "mp3", "mp3-v2": "mp3", "flac5": "flac", "flac8": "flac", "wav": "wav"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--command", default="benches/run_benchmarks.sh")
    a = ap.parse_args()

    src = os.path.join(a.data, "music10.wav")
    info = machine_info(a.repo)
    results = {}
    problems = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for case, ref_cmd, *_ in CASES:
            ours_out = os.path.join(tmp, f"ours.{EXT[case]}")
            ref_out = os.path.join(tmp, f"ref.{EXT[case]}")
            ours = [a.bin, case, src, ours_out]
            ref = [x.format(**{"in": src, "out": ref_out}) for x in ref_cmd]
            times = {"ours": [], "ref": []}
            rss = []
            # One warm-up each (page cache, lazy binaries), then timed pairs.
            for cmd in (ours, ref):
                _, _, rc, _, err = run(cmd)
                if rc != 0:
                    problems.append(f"{case}: {' '.join(cmd)} failed: {err.strip()[:300]}")
            # The WAV copy takes a quarter second and is dominated by page-cache writes, so
            # single pairs swing ±20%: give it three times the repetitions.
            reps = a.reps * 3 if case == "wav" else a.reps
            for rep in range(reps):
                order = [("ours", ours), ("ref", ref)]
                if rep % 2:
                    order.reverse()
                for who, cmd in order:
                    wall, peak, rc, _, err = run(cmd)
                    if rc != 0:
                        problems.append(f"{case}: {who} failed: {err.strip()[:300]}")
                        continue
                    times[who].append(wall)
                    if who == "ours" and peak is not None:
                        rss.append(peak)
                log(f"{case}: rep {rep + 1}/{reps}")
            sizes = {w: os.path.getsize(p) if os.path.exists(p) else None
                     for w, p in (("ours", ours_out), ("ref", ref_out))}
            paired = [o / r for o, r in zip(times["ours"], times["ref"])]
            results[case] = (times, sizes, med(paired), med(rss))

    L = ["## Writer: encode throughput\n"]
    load_after = os.getloadavg()[0]
    L.append(f"Measured {info['date']} at commit {info['commit']}; regenerate with "
             f"`{a.command}`. 1-minute load average {load_before:.2f} before the run, "
             f"{load_after:.2f} after (2 cores, shared with other work).\n")
    L.append("Encode the 10-minute stereo 44.1 kHz music WAV (`benches/data/music10.wav`): our "
             "`writer MODE in.wav out` (`benches/writer.rs`: `StreamReader` 4096-frame chunks "
             "into `StreamWriter`) against the reference tool at the same settings, each a "
             f"separate process, {a.reps} repetitions ({3 * a.reps} for the WAV copy) interleaved in "
             "pairs. Time ratio = median "
             "of the per-repetition ratios (ours / reference); < 1 means we are faster.\n")
    L.append("| case | reference median | ours median | time ratio | target | size ours / reference "
             "| peak RSS of ours |")
    L.append("|---|--:|--:|--:|--:|--:|--:|")
    for case, _, label, target, tol in CASES:
        times, sizes, ratio, peak = results[case]
        size_ratio = (f"{sizes['ours'] / sizes['ref']:.4f}"
                      if sizes["ours"] and sizes["ref"] else "–")
        ok = "–" if ratio is None else ("yes" if ratio <= target + 1e-9 else "**no**")
        L.append(f"| {label} | {fmt_s(med(times['ref']))} | {fmt_s(med(times['ours']))} | "
                 f"{'–' if ratio is None else f'{ratio:.2f}'} | ≤ {target:.2f} ({ok}) | "
                 f"{size_ratio} (±{tol:.0%}) | {fmt_mib(peak)} |")
    L.append("")
    L.append("<details><summary>All runs (seconds) and output sizes (bytes)</summary>\n")
    L.append("| case | ours runs | reference runs | ours size | reference size |")
    L.append("|---|---|---|--:|--:|")
    for case, *_ in CASES:
        times, sizes, _, _ = results[case]
        fmt = lambda xs: " ".join(f"{x:.3f}" for x in xs)  # noqa: E731
        L.append(f"| {case} | {fmt(times['ours'])} | {fmt(times['ref'])} | {sizes['ours']} "
                 f"| {sizes['ref']} |")
    L.append("\n</details>\n")
    if problems:
        L.append("Problems in this run:\n")
        L.extend(f"- {p}" for p in problems)
    replace_section(a.out, "writer", "\n".join(L))
    for p in problems:
        log("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
