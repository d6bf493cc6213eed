#!/usr/bin/env python3
"""Replays fuzz artifacts (crash-*, oom-*, timeout-*, leak-*, slow-unit-*) one at a time with the
sanitizer build and groups them by a signature: the kind (panic, oom, timeout, leak, asan,
signal), the first stack frame in the project's code or in a decoding dependency (symphonia,
rubato, LAME, libFLAC), and the panic message with numbers blanked.

Usage: fuzz/triage.py [--bin DIR] [--json OUT] TARGET [FILE...]
       (default FILEs: fuzz/artifacts/TARGET/*)

Prints one block per group: count, kind, location, crate, message, and the smallest artifact.
"""
import argparse
import json
import os
import re
import subprocess
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)

FRAME_RUST = re.compile(r"^\s+at (\S+?):(\d+)(?::\d+)?\s*$")
FRAME_ASAN = re.compile(r"^\s+#\d+ 0x[0-9a-f]+ in (.+?) (/\S+?):(\d+)(?::\d+)?\s*$")
PANIC = re.compile(r"panicked at (\S+?):(\d+):\d+:\s*$", re.M)


def crate_of(path):
    """Who owns a source path: ours (src, codecs, symphonia-fixes/X) or a registry crate."""
    if path.startswith(ROOT + "/src/") or path.startswith("src/"):
        return "audiostream (ours)"
    if "/codecs/" in path and path.startswith(ROOT):
        return "audiostream-codecs (ours)"
    m = re.search(r"symphonia-fixes/([^/]+)/", path)
    if m:
        return f"audiostream-symphonia-{m.group(1)} (our copy of symphonia-*-{m.group(1)})"
    m = re.search(r"registry/src/[^/]+/([^/]+?)-(\d+\.\d+[^/]*)/", path)
    if m:
        return f"{m.group(1)} {m.group(2)}"
    return "?"


def interesting(path):
    if path.startswith(ROOT + "/src/") or path.startswith(ROOT + "/codecs/"):
        return True
    if path.startswith(ROOT + "/symphonia-fixes/"):
        return True
    if path.startswith(("src/", "codecs/", "symphonia-fixes/")):
        return True
    return bool(re.search(r"registry/src/[^/]+/(symphonia|rubato|mp3lame|libflac)", path))


def frames(out):
    """(function, path, line) of every frame of the Rust backtrace and of the sanitizer's."""
    res = []
    lines = out.splitlines()
    for i, l in enumerate(lines):
        m = FRAME_ASAN.match(l)
        if m:
            res.append((m.group(1), m.group(2), int(m.group(3))))
            continue
        m = FRAME_RUST.match(l)
        if m:
            func = lines[i - 1].strip() if i else ""
            func = re.sub(r"^\d+:\s*", "", func)
            res.append((func, m.group(1), int(m.group(2))))
    return res


def norm(msg):
    msg = re.sub(r"0x[0-9a-fA-F]+", "0xN", msg)
    msg = re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "N", msg)
    return msg[:160]


def triage(binary, path, timeout):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "quarantine_size_mb=16")
    env["RUST_BACKTRACE"] = "1"
    cmd = [binary, "-rss_limit_mb=256", "-malloc_limit_mb=64", f"-timeout={timeout}", path]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                           timeout=max(60, timeout * 10))
        out, rc = p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode("utf-8", "replace"), -999
    kind, msg, loc = "ok", "", None
    m = PANIC.search(out)
    if m:
        kind = "panic"
        after = out[m.end():].lstrip("\n").splitlines()
        msg = after[0] if after else ""
        if msg.startswith("assertion") and len(after) > 2:
            msg = " ".join(x.strip() for x in after[:3])
        loc = (m.group(1), int(m.group(2)))
    elif "out-of-memory (malloc(" in out:
        kind = "oom"
        msg = re.search(r"out-of-memory \(malloc\((\d+)\)\)", out).group(0)
    elif "out-of-memory (used:" in out:
        kind = "oom"
        msg = re.search(r"out-of-memory \(used:[^)]*\)", out).group(0)
    elif "ERROR: libFuzzer: timeout" in out or rc == -999:
        kind = "timeout"
        msg = "timeout"
    elif "LeakSanitizer" in out:
        kind = "leak"
        msg = (re.search(r"(Direct|Indirect) leak of \d+ byte.*", out) or re.search("LeakSanitizer.*", out)).group(0)
    elif re.search(r"ERROR: AddressSanitizer", out):
        kind = "asan"
        msg = re.search(r"ERROR: AddressSanitizer: .*", out).group(0)
    elif rc != 0:
        kind = "signal"
        msg = (re.search(r"ERROR: libFuzzer: .*", out) or re.search(r".*", out)).group(0)
    fr = frames(out)
    top = next(((f, p, l) for f, p, l in fr if interesting(p)), None)
    if kind == "panic" and loc and interesting(loc[0]):
        top = ("", loc[0], loc[1])
    if kind == "panic" and loc and "fuzz_targets/" in loc[0] or (kind == "panic" and loc and "fuzz/src/" in loc[0]):
        # An invariant of the harness failed: the assertion's place is the signature.
        top = ("", loc[0], loc[1])
    where = f"{top[1]}:{top[2]}" if top else (f"{loc[0]}:{loc[1]}" if loc else "?")
    func = top[0] if top else ""
    return {
        "file": path,
        "size": os.path.getsize(path),
        "kind": kind,
        "message": msg.strip(),
        "where": where.replace(ROOT + "/", ""),
        "function": func,
        "crate": crate_of(top[1]) if top else "?",
        "panic_at": f"{loc[0]}:{loc[1]}".replace(ROOT + "/", "") if loc else "",
        "signature": f"{kind} | {where.replace(ROOT + '/', '')} | {norm(msg)}",
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(FUZZ, "target/x86_64-unknown-linux-gnu/release"))
    ap.add_argument("--json")
    ap.add_argument("--timeout", type=int, default=1)
    ap.add_argument("target")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = a.files or sorted(
        os.path.join(FUZZ, "artifacts", a.target, f)
        for f in os.listdir(os.path.join(FUZZ, "artifacts", a.target))
        if re.match(r"(crash|oom|timeout|leak|slow-unit)-", f)
    )
    binary = os.path.join(a.bin, a.target)
    results = [triage(binary, f, a.timeout) for f in files]
    groups = {}
    for r in results:
        groups.setdefault(r["signature"], []).append(r)
    for sig, rs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        best = min(rs, key=lambda r: r["size"])
        print(f"[{len(rs)}x] {best['kind']} at {best['where']} ({best['crate']})")
        print(f"      {best['function']}")
        print(f"      {best['message']}")
        if best["panic_at"] and best["panic_at"] != best["where"]:
            print(f"      panic location: {best['panic_at']}")
        print(f"      smallest: {best['file']} ({best['size']} bytes)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
