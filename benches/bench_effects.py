#!/usr/bin/env python3
"""Run the effects benchmark and write the "effects" section of BENCHMARKS.md.

Called by benches/run_benchmarks.sh with the release `audiostream` CLI; stdlib only. Input:
the 10-minute stereo 44.1 kHz music WAV of benches/prepare_data.sh. For each effect, our
`audiostream convert IN OUT --effect CHAIN` and `sox -D IN OUT CHAIN` (no dither, so neither
adds work the other does not) each read the WAV and write a 16-bit WAV, as separate processes;
runs are interleaved round-robin (the order rotates every repetition). Reported: median wall
time, the median of per-repetition ratios ours/sox, and peak RSS.
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_reader import fmt_s, log, machine_info, med, replace_section, run  # noqa: E402

# The six effects, with SoX's defaults or the seed's settings: (row, our chain, SoX's
# chain). The last row is fundsp's reverb (its defaults) beside SoX's: another algorithm (a
# 32-line feedback delay network against SoX's freeverb), the cost of a reverb each.
EFFECTS = [
    ("reverb", "reverb", "reverb"),
    ("chorus", "chorus 0.7 0.9 55 0.4 0.25 2 -t", "chorus 0.7 0.9 55 0.4 0.25 2 -t"),
    ("flanger", "flanger", "flanger"),
    ("overdrive", "overdrive", "overdrive"),
    ("echo", "echo 0.8 0.88 60 0.4", "echo 0.8 0.88 60 0.4"),
    ("lowpass", "lowpass 3000", "lowpass 3000"),
    ("fundsp.reverb", "fundsp.reverb", "reverb"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--command", default="benches/run_benchmarks.sh --only effects")
    a = ap.parse_args()
    info = machine_info(a.repo)
    wav = os.path.join(a.data, "music10.wav")
    rows, problems = [], []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for name, chain, sox_chain in EFFECTS:
            contenders = [
                ("ours", [a.cli, "convert", "-q", wav, os.path.join(tmp, "a.wav"),
                          "--effect", chain]),
                ("sox", ["sox", "-D", wav, os.path.join(tmp, "s.wav"), *sox_chain.split()]),
            ]
            times = {who: [] for who, _ in contenders}
            rss = {who: [] for who, _ in contenders}
            for who, cmd in contenders:  # warm-up
                _, _, rc, _, err = run(cmd)
                if rc != 0:
                    problems.append(f"{name}: {who} failed: {err.strip()[:300]}")
            for rep in range(a.reps):
                order = contenders[rep % 2:] + contenders[:rep % 2]
                for who, cmd in order:
                    wall, peak, rc, _, _ = run(cmd)
                    if rc == 0:
                        times[who].append(wall)
                        if peak:
                            rss[who].append(peak)
                log(f"effects {name}: rep {rep + 1}/{a.reps}")
            same = chain == sox_chain
            shown = chain if same else f"{chain}` vs sox `{sox_chain}"
            rows.append((name, shown, same, times, rss))

    L = ["## Effects: `convert --effect` vs SoX\n"]
    load_after = os.getloadavg()[0]
    L.append(f"Measured {info['date']} at commit {info['commit']}; regenerate with "
             f"`{a.command}`. 1-minute load average {load_before:.2f} before the run, "
             f"{load_after:.2f} after (2 cores, shared with other work).\n")
    L.append("10-minute stereo 44.1 kHz music (`benches/data/music10.wav`). Each contender reads "
             "the WAV, applies the effect and writes a 16-bit WAV: `audiostream convert -q IN "
             "OUT --effect CHAIN` and `sox -D IN OUT CHAIN` (`-D`: no dither). Medians of "
             f"{a.reps} runs interleaved round-robin; ratio = median of the per-repetition "
             "ratios ours / sox (< 1: we are faster); target ≤ 1.0. `convert` decodes on one "
             "thread and applies the effect and encodes on another; SoX uses one thread. Peak "
             "RSS in MiB. Both write SoX's lengths (echo and chorus add their tails; reverb keeps the length).\n")
    L.append("| effect | chain | ours | sox | ours/sox | target ≤ 1.0 | peak RSS ours / sox |")
    L.append("|---|---|--:|--:|--:|--:|--:|")
    for name, chain, same, times, rss in rows:
        if times["ours"] and times["sox"]:
            r = med([x / y for x, y in zip(times["ours"], times["sox"])])
            ratio, ok = f"{r:.2f}", ("yes" if r <= 1.0 else "**no**")
            if not same:
                ok = "none (another algorithm)"
        else:
            ratio, ok = "–", "–"
        mem = " / ".join(f"{med(rss[w]) / 1024:.1f}" if rss[w] else "–" for w in ("ours", "sox"))
        L.append(f"| {name} | `{chain}` | {fmt_s(med(times['ours'])) if times['ours'] else '–'} "
                 f"| {fmt_s(med(times['sox'])) if times['sox'] else '–'} | {ratio} | {ok} "
                 f"| {mem} |")
    L.append("")
    L.append("`fundsp.reverb` is fundsp's `reverb_stereo` (a 32-line feedback delay network, "
             "run sample by sample through fundsp's `tick`, 20% of it added to the dry "
             "signal), not the same computation as SoX's `reverb` (freeverb's combs and "
             "all-passes; ours above is that one, to SoX's rounding): the row puts the cost of "
             "one reverb beside the other's.\n")
    if problems:
        L.append("Problems in this run:\n")
        L.extend(f"- {p}" for p in problems)
    replace_section(a.out, "effects", "\n".join(L))
    for p in problems:
        log("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
