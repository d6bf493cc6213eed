#!/usr/bin/env python3
"""Run the read-throughput benchmark and write the "reader" section of BENCHMARKS.md.

Called by benches/run_benchmarks.sh (which builds the bench binary and the data first);
stdlib only. Every timed run is a separate process; wall time is measured with
time.perf_counter() around it and peak RSS ("Maximum resident set size", KiB) comes from
GNU time (/usr/bin/time) wrapped around the command.

Runs are interleaved round-robin (rep -> format -> command, with the command order rotated
every repetition) so machine noise hits all three contenders equally.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

FORMATS = ["wav", "flac", "mp3", "ogg", "m4a", "opus"]
FORMAT_LABEL = {
    "wav": "WAV (s16)",
    "flac": "FLAC (-5)",
    "mp3": "MP3 (192k CBR)",
    "ogg": "Vorbis (q5)",
    "m4a": "AAC (192k, .m4a)",
    "opus": "Opus (96k, .opus)",
}
TARGET_RATIO = 1.05
GNU_TIME = "/usr/bin/time"
TARGET_RSS_MIB = 32


def log(*a):
    print("bench_reader:", *a, file=sys.stderr, flush=True)


def run(cmd):
    """Run cmd once. Returns (wall seconds, peak RSS KiB, returncode, stdout, stderr).

    Wall time is perf_counter() around the process. Peak RSS comes from GNU time wrapped
    around the command: ru_maxrss of a child forked directly from Python would include the
    Python interpreter's own RSS, inherited by the fork before exec (~16 MiB here).
    """
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe, \
            tempfile.NamedTemporaryFile(mode="r") as ft:
        t0 = time.perf_counter()
        rc = subprocess.call([GNU_TIME, "-q", "-f", "%M", "-o", ft.name, *cmd],
                             stdin=subprocess.DEVNULL, stdout=fo, stderr=fe)
        wall = time.perf_counter() - t0
        fo.seek(0)
        fe.seek(0)
        out = fo.read().decode(errors="replace")
        err = fe.read().decode(errors="replace")
        lines = ft.read().split()
        rss = int(lines[-1]) if lines and lines[-1].isdigit() else None
    return wall, rss, rc, out, err


def inproc_of(stderr):
    """The bench program's own decode time (stderr: '... frames in X s')."""
    m = re.search(r"frames in ([0-9.]+) s", stderr)
    return float(m.group(1)) if m else None


def frames_of(stdout):
    m = re.search(r"^frames=(\d+)$", stdout, re.M)
    return int(m.group(1)) if m else None


def sh(cmd, default="unknown"):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return default


def machine_info(repo):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    commit = sh(["git", "-C", repo, "rev-parse", "--short=12", "HEAD"], "no commit yet")
    dirty = sh(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"], "")
    if dirty and commit != "no commit yet":
        commit += " (+ uncommitted changes)"
    symphonia = "unknown"
    try:
        with open(os.path.join(repo, "Cargo.lock")) as f:
            m = re.search(r'name = "symphonia"\nversion = "([^"]+)"', f.read())
            if m:
                symphonia = m.group(1)
    except OSError:
        pass
    ffmpeg = (sh(["ffmpeg", "-version"]).splitlines() or ["unknown"])[0]
    ffmpeg = re.sub(r"\s*Copyright.*", "", ffmpeg)
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "symphonia": symphonia,
        "ffmpeg": ffmpeg,
        "rustc": sh(["rustc", "--version"]),
    }


def med(xs):
    return statistics.median(xs) if xs else None


def fmt_s(x):
    return "–" if x is None else f"{x:.3f} s"


def fmt_ratio(a, b):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def fmt_mib(kib):
    return "–" if kib is None else f"{kib / 1024:.1f} MiB"


def replace_section(path, name, body):
    """Replace the text between <!-- BEGIN name --> and <!-- END name --> (append if absent)."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    pat = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pat.search(text):
        text = pat.sub(lambda _: block, text, count=1)
    elif name == "header":
        text = block + "\n\n" + text.lstrip()
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text.rstrip() + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="the built `reader` bench executable")
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True, help="BENCHMARKS.md")
    ap.add_argument("--repo", required=True)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--mem-reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--command", default="benches/run_benchmarks.sh")
    a = ap.parse_args()

    info = machine_info(a.repo)
    load_before = os.getloadavg()[0]
    files = {f: os.path.join(a.data, f"music10.{f}") for f in FORMATS}
    contenders = {
        "bare": lambda p: [a.bin, "bare", p],
        "reader": lambda p: [a.bin, "reader", p],
        # Opus: FFmpeg's libopus decoder (libopus itself, in float) rather than its own.
        "ffmpeg": lambda p: ["ffmpeg", "-v", "error", "-nostdin", "-threads", "1",
                             *(["-c:a", "libopus", "-request_sample_fmt", "flt"]
                               if p.endswith(".opus") else []),
                             "-i", p, "-f", "null", "-"],
    }

    # ---- warm-up (page cache) + correctness check: both modes must agree on frames ----
    frames = {}          # (fmt, mode) -> frames
    reader_error = {}    # fmt -> error text when reader mode fails
    problems = []
    for f, p in files.items():
        for mode in ("bare", "reader", "ffmpeg"):
            _, _, rc, out, err = run(contenders[mode](p))
            if mode == "ffmpeg":
                if rc != 0:
                    sys.exit(f"ffmpeg failed on {p}: {err}")
                continue
            if rc != 0:
                if mode == "bare":
                    sys.exit(f"`reader bare {p}` failed: {err}")
                reader_error[f] = err.strip().splitlines()[-1] if err.strip() else f"exit {rc}"
                log(f"reader mode unavailable on {f}: {reader_error[f]}")
                continue
            frames[(f, mode)] = frames_of(out)
        fb, fr = frames.get((f, "bare")), frames.get((f, "reader"))
        # MP4 and Opus: the reader cuts the encoder's delay and padding (the edit list, the
        # pre-skip and end granule), which the bare loop decodes and counts: up to 1024 + 1024
        # frames for AAC, a pre-skip and one packet (at most 120 ms) for Opus.
        padding_ok = (f in ("m4a", "opus") and fr is not None and fb is not None
                      and 0 <= fb - fr < 6000)
        if fr is not None and fb != fr and not padding_ok:
            msg = f"frame count mismatch on music10.{f}: bare={fb} reader={fr} (diff {fr - fb:+d})"
            problems.append(msg)
            log("WARNING:", msg)
        log(f"{f}: frames bare={fb} reader={fr if fr is not None else 'n/a'}")

    # ---- timed runs, round-robin ----
    wall = {(f, c): [] for f in FORMATS for c in contenders}
    rss = {(f, c): [] for f in FORMATS for c in contenders}
    inproc = {(f, c): [] for f in FORMATS for c in contenders}
    order = list(contenders)
    for rep in range(a.reps):
        rot = order[rep % len(order):] + order[:rep % len(order)]
        for f in FORMATS:
            for c in rot:
                if c == "reader" and f in reader_error:
                    continue
                w, m, rc, out, err = run(contenders[c](files[f]))
                if rc != 0:
                    sys.exit(f"{c} failed on {files[f]} (rep {rep}): {err}")
                wall[(f, c)].append(w)
                rss[(f, c)].append(m)
                t = inproc_of(err)
                if t is not None:
                    inproc[(f, c)].append(t)
        log(f"rep {rep + 1}/{a.reps} done")

    # ---- memory: reader mode on 10 vs 60 minutes ----
    mem = {}
    mem_files = ["music10.flac", "music60.flac", "music10.wav", "music60.wav"]
    if not a.quick:
        for rep in range(a.mem_reps):
            for name in mem_files:
                p = os.path.join(a.data, name)
                for mode in ("bare", "reader"):
                    if mode == "reader" and reader_error:
                        continue
                    _, m, rc, out, err = run([a.bin, mode, p])
                    if rc != 0:
                        sys.exit(f"`reader {mode} {p}` failed: {err}")
                    mem.setdefault((name, mode), []).append(m)
                    if rep == 0:
                        mem.setdefault((name, mode, "frames"), frames_of(out))
        for name in ("music60.flac", "music60.wav"):
            fb, fr = mem.get((name, "bare", "frames")), mem.get((name, "reader", "frames"))
            if fr is not None and fb != fr:
                msg = f"frame count mismatch on {name}: bare={fb} reader={fr} (diff {fr - fb:+d})"
                problems.append(msg)
                log("WARNING:", msg)

    load_after = os.getloadavg()[0]

    # ---- raw results for debugging ----
    raw = {
        "info": info,
        "frames": {f"{k[0]}/{k[1]}": v for k, v in frames.items()},
        "wall_s": {f"{k[0]}/{k[1]}": v for k, v in wall.items()},
        "rss_kib": {f"{k[0]}/{k[1]}": v for k, v in rss.items()},
        "inprocess_s": {f"{k[0]}/{k[1]}": v for k, v in inproc.items()},
        "mem_rss_kib": {f"{k[0]}/{k[1]}": v for k, v in mem.items() if len(k) == 2},
        "reader_error": reader_error,
        "problems": problems,
    }
    with open(os.path.join(a.data, "reader_results.json"), "w") as fh:
        json.dump(raw, fh, indent=1)

    # ---- markdown ----
    header = f"""# Benchmarks

Generated by scripts in `benches/`; each section below is rewritten only by its own script
(between its `<!-- BEGIN x -->` / `<!-- END x -->` markers), so sections can be regenerated
independently. Test data (`benches/data/`, gitignored) is made by `benches/prepare_data.sh`
from Debian's `wesnoth-1.16-music` tracks.

| | |
|---|---|
| machine | {info['nproc']} CPUs, {info['cpu']}, Linux {info['kernel']} |
| date | {info['date']} |
| git commit | {info['commit']} |
| symphonia | {info['symphonia']} (features `all`, `opt-simd`) |
| ffmpeg | {info['ffmpeg']} |
| rustc | {info['rustc']} |
| regenerate | `{a.command}` |
"""

    pending = bool(reader_error)
    L = []
    L.append("## Reader: decode throughput\n")
    L.append(f"Measured {info['date']} at commit {info['commit']}; regenerate with "
             f"`{a.command}`{' (quick run: 3 reps, no memory test)' if a.quick else ''}.\n")
    L.append(f"Decode all of a 10-minute stereo 44.1 kHz music file, whole-process wall time, "
             f"median of {a.reps} runs interleaved round-robin with the other contenders:\n")
    L.append("- **ffmpeg**: `ffmpeg -v error -nostdin -threads 1 -i FILE -f null -`")
    L.append("- **bare symphonia**: `reader bare FILE`, the minimal symphonia "
             f"{info['symphonia']} loop (probe, default track, decode every packet, "
             "`copy_to_vecs_planar::<f32>` into a reused buffer)")
    L.append("- **our StreamReader**: `reader reader FILE`, `StreamReader::new(path, None, None)` + "
             "`add_basic_audio_stream(1024, 3)` iterating `stream()`\n")
    L.append("(`reader` is `benches/reader.rs`, built in the `bench` profile.) "
             "reader/bare is the median of the per-repetition ratios (the two runs of a repetition "
             "are adjacent in time); the other ratios are of medians; < 1 means the numerator is "
             "faster. Peak RSS is GNU time's "
             "maximum resident set size. 1-minute load average: "
             f"{load_before:.2f} before the run, {load_after:.2f} after (the benchmark itself "
             "adds about 1; more than that means other work was competing for the CPUs).\n")
    L.append(f"| format | ffmpeg median | bare symphonia median | our StreamReader median "
             f"| reader/bare | meets reader/bare ≤ {TARGET_RATIO:.2f} | bare/ffmpeg | reader/ffmpeg "
             f"| peak RSS of ours |")
    L.append("|---|--:|--:|--:|--:|:-:|--:|--:|--:|")
    for f in FORMATS:
        ff, b, r = (med(wall[(f, c)]) for c in ("ffmpeg", "bare", "reader"))
        if f in reader_error:
            r_s, rb, ok, rf, rr = "pending", "pending", "pending", "pending", "pending"
        else:
            # Paired: each repetition runs bare and reader back to back, so the median of the
            # per-repetition ratios cancels slow drifts of machine load.
            paired = med([x / y for x, y in zip(wall[(f, "reader")], wall[(f, "bare")])])
            r_s, rb, rf = fmt_s(r), f"{paired:.2f}", fmt_ratio(r, ff)
            ok = "yes" if paired <= TARGET_RATIO + 1e-9 else "**no**"
            rr = fmt_mib(med(rss[(f, "reader")]))
        L.append(f"| {FORMAT_LABEL[f]} | {fmt_s(ff)} | {fmt_s(b)} | {r_s} | {rb} | {ok} "
                 f"| {fmt_ratio(b, ff)} | {rf} | {rr} |")
    L.append("")

    # spread, so noise is visible
    L.append("<details><summary>All runs: min / median / max wall time, in-process decode "
             "time, median peak RSS, frames decoded</summary>\n")
    L.append("Wall times are whole-process (seconds); *in-process* is the time the bench "
             "program measures around its own open + decode loop (excludes process start-up "
             "and exit).\n")
    L.append("| format | contender | min | median | max | in-process median | "
             "peak RSS (median) | frames |")
    L.append("|---|---|--:|--:|--:|--:|--:|--:|")
    for f in FORMATS:
        for c in ("ffmpeg", "bare", "reader"):
            xs = wall[(f, c)]
            if not xs:
                L.append(f"| {f} | {c} | pending | | | | | |")
                continue
            fr = frames.get((f, c), "–")
            ip = med(inproc[(f, c)])
            ip = "–" if ip is None else f"{ip:.3f}"
            L.append(f"| {f} | {c} | {min(xs):.3f} | {med(xs):.3f} | {max(xs):.3f} | {ip} "
                     f"| {fmt_mib(med(rss[(f, c)]))} | {fr} |")
    L.append("")
    if any(wall[(f, "reader")] for f in FORMATS):
        L.append("reader/bare three ways, to tell a real difference from noise: ratio of the "
                 "medians, ratio of the minimums, and the median of the "
                 "per-repetition ratios (the main table; the two runs of a repetition are adjacent in time, so "
                 "slow drifts in machine load cancel):\n")
        L.append("| format | of medians | of minimums | median of paired ratios |")
        L.append("|---|--:|--:|--:|")
        for f in FORMATS:
            b, r = wall[(f, "bare")], wall[(f, "reader")]
            if not r:
                continue
            paired = med([x / y for x, y in zip(r, b)])
            L.append(f"| {f} | {fmt_ratio(med(r), med(b))} | {fmt_ratio(min(r), min(b))} "
                     f"| {paired:.2f} |")
        L.append("")
    L.append("</details>\n")

    L.append("### Reader: memory does not grow with file length\n")
    if a.quick:
        L.append("_Not measured in this run (`--quick`)._\n")
    else:
        L.append(f"Peak RSS (median of {a.mem_reps}) decoding the whole file; target for ours: "
                 f"< {TARGET_RSS_MIB} MiB and flat in file length.\n")
        L.append("| file | length | bare symphonia | our StreamReader | meets < "
                 f"{TARGET_RSS_MIB} MiB |")
        L.append("|---|--:|--:|--:|:-:|")
        for name in mem_files:
            length = "10 min" if name.startswith("music10") else "60 min"
            b = fmt_mib(med(mem.get((name, "bare"), [])))
            rk = med(mem.get((name, "reader"), []))
            if pending:
                r, ok = "pending", "pending"
            else:
                r = fmt_mib(rk)
                ok = "yes" if rk / 1024 < TARGET_RSS_MIB else "**no**"
            L.append(f"| {name} | {length} | {b} | {r} | {ok} |")
        L.append("")

    notes = []
    if pending:
        e = next(iter(reader_error.values()))
        notes.append(f"Reader column pending: `reader reader` failed (`{e}`).")
    for p in problems:
        notes.append(f"**{p}**")
    for fmt, what in (("m4a", "the MP4 edit list's 1024 priming frames and the last AAC "
                              "block's padding"),
                      ("opus", "the Opus pre-skip (312 frames) and the last packet's padding")):
        fb, fr = frames.get((fmt, "bare")), frames.get((fmt, "reader"))
        if fb is not None and fr is not None and fb != fr:
            notes.append(f"{fmt}: the bare loop decodes {fb} frames and counts {what}, which "
                         f"the reader cuts ({fr} frames, the source's length; ffmpeg 5.1 keeps "
                         "the MP4 padding).")
    if notes:
        L.append("Notes:\n")
        L.extend(f"- {n}" for n in notes)
        L.append("")

    replace_section(a.out, "header", header)
    replace_section(a.out, "reader", "\n".join(L))
    log(f"wrote {a.out}")
    print("\n".join(L))
    if problems:
        log("FAILED checks:", *problems)
        sys.exit(1)


if __name__ == "__main__":
    main()
