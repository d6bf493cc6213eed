#!/usr/bin/env python3
"""Run the conversion benchmark and write the "convert" section of BENCHMARKS.md.

Called by benches/run_benchmarks.sh with the release `audiostream` CLI; stdlib only. Inputs:
the 10-minute music files of benches/prepare_data.sh. Every contender is a separate process
writing a real output file into a temp dir; runs are interleaved round-robin (the order rotates
every repetition). Reported: median wall time, the median of per-repetition ratios ours/other,
and for the resamplers the stopband each one measures on a test tone above the new Nyquist.
"""

import argparse
import array
import math
import os
import resource
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_reader import fmt_s, log, machine_info, med, replace_section, run  # noqa: E402


def cases(data, tmp, cli):
    wav, flac, mp3 = (os.path.join(data, f"music10.{e}") for e in ("wav", "flac", "mp3"))
    o = lambda name: os.path.join(tmp, name)  # noqa: E731
    return [
        ("resample 44.1k→16k", "16000", [
            ("ours", [cli, "convert", "-q", wav, o("a16.wav"), "--rate", "16000", "--sample-format", "f32"]),
            ("sox", ["sox", wav, "-e", "floating-point", "-b", "32", o("s16.wav"), "rate", "16000"]),
            ("ffmpeg", ["ffmpeg", "-v", "error", "-nostdin", "-y", "-threads", "1", "-i", wav,
                        "-af", "aresample=16000", "-c:a", "pcm_f32le", o("f16.wav")]),
        ], 1.0),
        ("resample 44.1k→48k", "48000", [
            ("ours", [cli, "convert", "-q", wav, o("a48.wav"), "--rate", "48000", "--sample-format", "f32"]),
            ("sox", ["sox", wav, "-e", "floating-point", "-b", "32", o("s48.wav"), "rate", "48000"]),
            ("ffmpeg", ["ffmpeg", "-v", "error", "-nostdin", "-y", "-threads", "1", "-i", wav,
                        "-af", "aresample=48000", "-c:a", "pcm_f32le", o("f48.wav")]),
        ], 1.0),
        ("FLAC → MP3 128k", None, [
            ("ours", [cli, "convert", "-q", flac, o("a.mp3"), "--bitrate", "128k"]),
            ("ffmpeg", ["ffmpeg", "-v", "error", "-nostdin", "-y", "-threads", "1", "-i", flac,
                        "-b:a", "128k", o("f.mp3")]),
        ], 1.0),
        ("MP3 → 16 kHz mono WAV", None, [
            ("ours", [cli, "convert", "-q", mp3, o("a.wav"), "--rate", "16000", "--channels", "1"]),
            ("ffmpeg", ["ffmpeg", "-v", "error", "-nostdin", "-y", "-threads", "1", "-i", mp3,
                        "-ar", "16000", "-ac", "1", o("f.wav")]),
            ("sox", ["sox", mp3, o("s.wav"), "rate", "16000", "channels", "1"]),
        ], 0.9),
    ]


def stopband_db(cli, tmp, rate_out):
    """Level (dB re. input) of a 0.5-amplitude tone 10% above the new Nyquist after each tool
    resamples 44.1 kHz to `rate_out` (48 kHz: no stopband to measure, returns None)."""
    nyq = int(rate_out) / 2
    if nyq >= 22050:
        return None
    freq = nyq * 1.1
    src = os.path.join(tmp, "tone.wav")
    subprocess.run(["sox", "-n", "-r", "44100", "-e", "floating-point", "-b", "32", src,
                    "synth", "3", "sine", str(freq), "vol", "0.5"], check=True)
    out = {}
    paths = {w: os.path.join(tmp, f"t_{w}.wav") for w in ("ours", "sox", "ffmpeg")}
    cmds = {
        "ours": [cli, "convert", "-q", src, paths["ours"], "--rate", rate_out,
                 "--sample-format", "f32"],
        "sox": ["sox", src, "-e", "floating-point", "-b", "32", paths["sox"], "rate", rate_out],
        "ffmpeg": ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", src, "-af",
                   f"aresample={rate_out}", "-c:a", "pcm_f32le", paths["ffmpeg"]],
    }
    for who, cmd in cmds.items():
        subprocess.run(cmd, check=True)
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", paths[who], "-f", "f32le", "-"],
                             capture_output=True, check=True).stdout
        x = array.array("f")
        x.frombytes(raw[: len(raw) // 4 * 4])
        body = x[len(x) // 4: 3 * len(x) // 4]  # skip the edges
        rms = math.sqrt(sum(v * v for v in body) / max(1, len(body)))
        ref = 0.5 / math.sqrt(2)
        out[who] = -math.inf if rms == 0 else 20 * math.log10(rms / ref)
    return out


def cpu_of_children():
    """User + system CPU seconds of every waited-for child so far (GNU time and, through it, the
    command it ran)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--command", default="benches/run_benchmarks.sh")
    a = ap.parse_args()
    info = machine_info(a.repo)
    rows, problems = [], []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for label, rate_out, contenders, target in cases(a.data, tmp, a.cli):
            times = {who: [] for who, _ in contenders}
            cpus = {who: [] for who, _ in contenders}
            for who, cmd in contenders:  # warm-up
                _, _, rc, _, err = run(cmd)
                if rc != 0:
                    problems.append(f"{label}: {who} failed: {err.strip()[:300]}")
            for rep in range(a.reps):
                order = contenders[rep % len(contenders):] + contenders[:rep % len(contenders)]
                for who, cmd in order:
                    cpu0 = cpu_of_children()
                    wall, _, rc, _, err = run(cmd)
                    cpu = cpu_of_children() - cpu0
                    if rc == 0:
                        times[who].append(wall)
                        cpus[who].append(cpu)
                log(f"{label}: rep {rep + 1}/{a.reps}")
            stop = stopband_db(a.cli, tmp, rate_out) if rate_out else None
            rows.append((label, contenders, times, cpus, target, stop))
    load_after = os.getloadavg()[0]

    L = ["## Conversion: resampling and `audiostream convert`\n"]
    L.append(f"Measured {info['date']} at commit {info['commit']}; regenerate with "
             f"`{a.command}`.\n")
    L.append("10-minute stereo 44.1 kHz music (`benches/data/music10.*`). Each contender reads "
             "the file and writes a real output file (ffmpeg single-threaded). Medians of "
             f"{a.reps} runs interleaved round-robin; ratio = median of the per-repetition "
             "ratios ours / other (< 1: we are faster). Stopband: level of a 0.5-amplitude "
             "tone at 1.1 × the new Nyquist after resampling, dB re. the input tone (lower is "
             "better); SoX at its default quality (`rate` = `rate -h`), FFmpeg's default "
             "`aresample` (swr). `convert` decodes on one thread and converts/encodes on "
             "another (a bounded queue of 8 chunks between them). *CPU* is user + system time "
             "of the process (the children's rusage around each run), medians; its ratio, "
             "like the wall-time one, is the median of per-repetition ratios. Wall time is what "
             "the targets are set on; CPU time is the work done, which the machine's load "
             "does not change (2 cores shared with other work: 1-minute load average "
             f"{load_before:.2f} before the run, {load_after:.2f} after).\n")
    L.append("| case | ours | sox | ffmpeg | ours/sox | ours/ffmpeg | target | stopband ours / sox / ffmpeg | CPU ours / sox / ffmpeg | CPU ours/ffmpeg |")
    L.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for label, contenders, times, cpus, target, stop in rows:
        def m(who):
            return fmt_s(med(times[who])) if who in times and times[who] else "–"

        def ratio(who):
            if who not in times or not times[who] or not times["ours"]:
                return "–"
            return f"{med([x / y for x, y in zip(times['ours'], times[who])]):.2f}"
        rf, rs = ratio("ffmpeg"), ratio("sox")
        if stop is not None or label.startswith("resample"):
            # The resampler's target: faster than SoX at equal or better stopband.
            better = stop is None or stop["ours"] <= stop["sox"] + 0.5
            ok = "–" if rs == "–" else ("yes" if float(rs) <= 1.0 and better else "**no**")
            goal = "ours/sox ≤ 1.0, stopband ≤ sox's"
        else:
            ok = "–" if rf == "–" else ("yes" if float(rf) <= target + 1e-9 else "**no**")
            goal = f"ours/ffmpeg ≤ {target:.1f}"
        sb = "–" if not stop else " / ".join(f"{stop[w]:.0f} dB" for w in ("ours", "sox", "ffmpeg"))
        cpu = " / ".join(f"{med(cpus[w]):.2f} s" if cpus.get(w) else "–"
                         for w in ("ours", "sox", "ffmpeg"))
        cf = "–" if not cpus.get("ffmpeg") or not cpus["ours"] else \
            f"{med([x / y for x, y in zip(cpus['ours'], cpus['ffmpeg']) if y > 0]):.2f}"
        L.append(f"| {label} | {m('ours')} | {m('sox')} | {m('ffmpeg')} | {rs} | {rf} "
                 f"| {goal} ({ok}) | {sb} | {cpu} | {cf} |")
    L.append("")
    if problems:
        L.append("Problems in this run:\n")
        L.extend(f"- {p}" for p in problems)
    replace_section(a.out, "convert", "\n".join(L))
    for p in problems:
        log("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
