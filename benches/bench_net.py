#!/usr/bin/env python3
"""Network benchmark: writes the "net" section of BENCHMARKS.md.

Called by benches/bench_net.sh (which builds the bench binaries and the data first); stdlib
only. Servers run on 127.0.0.1 only, on free ports, with configs and logs in a temp dir, and
are stopped at the end:

1. HTTP vs disk: `reader reader FILE` against `reader reader http://127.0.0.1:PORT/FILE`
   (benches/reader.rs: our StreamReader, 1024-frame chunks) with nginx serving
   benches/data; separate processes, interleaved in pairs (order alternating), whole-process
   wall time; ratio = median of the per-pair ratios; peak RSS from GNU time.
2. Time to the first chunk of a live Icecast stream: ffmpeg (`-re -stream_loop -1 -c copy`)
   feeds the 10-minute MP3 to a mount; `net first-chunk URL N` opens N listeners one after
   the other and reports, for each, the time from the start of StreamReader::new (which
   connects) to the first 1024-frame chunk.
3. Memory while listening: `net listen URL SECONDS` on the same mount, VmRSS every 10 s,
   while the song title is changed through Icecast's admin API every minute.
"""

import argparse
import base64
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_reader import fmt_s, machine_info, med, replace_section  # noqa: E402

SOURCE_PASSWORD = "benchsource"
ADMIN = ("admin", "benchadmin")


def log(*a):
    print("bench_net:", *a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, limit=10.0):
    t0 = time.time()
    while time.time() - t0 < limit:
        if proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit(f"{what} did not listen on port {port}")


def is_root():
    return os.geteuid() == 0


def start_nginx(tmp, root):
    port = free_port()
    d = os.path.join(tmp, "nginx")
    os.makedirs(d)
    conf = f"""daemon off;
{"user root;" if is_root() else ""}
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
    types {{ audio/mpeg mp3; audio/flac flac; }}
    sendfile on;
    server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
"""
    path = os.path.join(d, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    proc = subprocess.Popen(["/usr/sbin/nginx", "-p", d, "-c", path, "-e", f"{d}/error.log"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_port(port, proc, "nginx")
    return proc, port


def start_icecast(tmp):
    port = free_port()
    d = os.path.join(tmp, "icecast")
    logdir = os.path.join(d, "log")
    os.makedirs(logdir)
    for p in (tmp, d, logdir):
        os.chmod(p, 0o777)
    owner = ("<changeowner><user>icecast2</user><group>icecast</group></changeowner>"
             if is_root() else "")
    conf = f"""<icecast>
  <location>bench</location><admin>bench@localhost</admin><hostname>127.0.0.1</hostname>
  <limits><clients>100</clients><sources>4</sources><queue-size>524288</queue-size>
    <client-timeout>30</client-timeout><header-timeout>10</header-timeout>
    <source-timeout>10</source-timeout><burst-on-connect>1</burst-on-connect>
    <burst-size>65535</burst-size></limits>
  <authentication><source-password>{SOURCE_PASSWORD}</source-password>
    <admin-user>{ADMIN[0]}</admin-user><admin-password>{ADMIN[1]}</admin-password></authentication>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>0</fileserve>
  <paths><basedir>{d}</basedir><logdir>{logdir}</logdir>
    <webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel></logging>
  <security><chroot>0</chroot>{owner}</security>
</icecast>
"""
    path = os.path.join(d, "icecast.xml")
    with open(path, "w") as f:
        f.write(conf)
    proc = subprocess.Popen(["icecast2", "-c", path], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, proc, "icecast2")
    return proc, port


def admin_get(port, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    token = base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()
    req.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.status, r.read().decode(errors="replace")


def stop(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(cmd):
    """Runs cmd once: (wall s, peak RSS KiB, CPU s (user + sys), returncode, stdout, stderr)."""
    with tempfile.NamedTemporaryFile(mode="r") as ft:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-q", "-f", "%M %U %S", "-o", ft.name, *cmd],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        f = ft.read().split()
    rss = int(f[0]) if len(f) >= 3 and f[0].isdigit() else None
    cpu = float(f[1]) + float(f[2]) if len(f) >= 3 else None
    return wall, rss, cpu, p.returncode, p.stdout, p.stderr


def http_vs_disk(reader_bin, data, port, reps):
    rows = []
    for name in ["music10.mp3", "music10.flac"]:
        path = os.path.join(data, name)
        if not os.path.exists(path):
            log(f"skipping {name}: not in {data}")
            continue
        url = f"http://127.0.0.1:{port}/{name}"
        disk, http, ratios, rss_disk, rss_http, cpu_disk, cpu_http = [], [], [], [], [], [], []
        for rep in range(reps):
            order = [("disk", path), ("http", url)]
            if rep % 2:
                order.reverse()
            res = {}
            for kind, src in order:
                wall, rss, cpu, rc, out, err = run([reader_bin, "reader", src])
                if rc != 0:
                    sys.exit(f"reader {src} failed: {err}")
                res[kind] = (wall, rss, out.strip(), cpu)
            if res["disk"][2] != res["http"][2]:
                sys.exit(f"{name}: frames differ: disk {res['disk'][2]} http {res['http'][2]}")
            disk.append(res["disk"][0])
            http.append(res["http"][0])
            rss_disk.append(res["disk"][1])
            rss_http.append(res["http"][1])
            cpu_disk.append(res["disk"][3])
            cpu_http.append(res["http"][3])
            ratios.append(res["http"][0] / res["disk"][0])
            log(f"{name} rep {rep + 1}/{reps}: disk {res['disk'][0]:.3f} s, "
                f"http {res['http'][0]:.3f} s")
        rows.append({
            "name": name, "disk": disk, "http": http, "ratio": med(ratios),
            "rss_disk": med(rss_disk), "rss_http": med(rss_http),
            "cpu_disk": med(cpu_disk), "cpu_http": med(cpu_http),
            "frames": res["disk"][2],
        })
    return rows


def server_latency(port, mount, runs):
    """What the server alone takes: (ms to the end of the response headers, ms to 16 KiB of
    body) for `runs` raw-socket listeners."""
    heads, bodies = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(f"GET /{mount} HTTP/1.1\r\nHost: 127.0.0.1\r\nIcy-MetaData: 1\r\n\r\n".encode())
            data = b""
            head_at = None
            while time.perf_counter() - t0 < 5:
                d = s.recv(65536)
                if not d:
                    break
                data += d
                if head_at is None and b"\r\n\r\n" in data:
                    head_at = time.perf_counter() - t0
                    data = data.split(b"\r\n\r\n", 1)[1]
                if head_at is not None and len(data) >= 16384:
                    break
            body_at = time.perf_counter() - t0
        heads.append(1e3 * (head_at or 0))
        bodies.append(1e3 * body_at)
        time.sleep(0.2)
    return heads, bodies


def first_chunk(net_bin, url, runs):
    out = subprocess.run([net_bin, "first-chunk", url, str(runs)], capture_output=True,
                         text=True, timeout=120 + runs * 10)
    if out.returncode != 0:
        sys.exit(f"net first-chunk failed: {out.stderr}")
    firsts, opens = [], []
    for line in out.stdout.splitlines():
        m = re.match(r"first_chunk_ms=([\d.]+) open_ms=([\d.]+)", line)
        if m:
            firsts.append(float(m.group(1)))
            opens.append(float(m.group(2)))
    return firsts, opens


def listen(net_bin, url, seconds, ice_port, mount):
    """Runs `net listen` under GNU time; changes the title every 60 s. Returns the samples."""
    stop_titles = threading.Event()

    def titles():
        n = 0
        while not stop_titles.wait(60 if n else 15):
            n += 1
            try:
                admin_get(ice_port, f"/admin/metadata?mount=/{mount}&mode=updinfo"
                                    f"&song=Bench+song+{n}")
            except OSError as e:
                log(f"setting the title failed: {e}")

    t = threading.Thread(target=titles, daemon=True)
    t.start()
    with tempfile.NamedTemporaryFile(mode="r") as ft:
        proc = subprocess.run(["/usr/bin/time", "-q", "-f", "%M %e %U %S", "-o", ft.name,
                               net_bin, "listen", url, str(seconds)],
                              capture_output=True, text=True, timeout=seconds + 120)
        timing = ft.read().split()
    stop_titles.set()
    if proc.returncode != 0:
        sys.exit(f"net listen failed: {proc.stderr}")
    samples = []
    for line in proc.stdout.splitlines():
        m = re.match(r"t=([\d.]+) rss_kib=(\d+) frames=(\d+) audio_s=([\d.]+) timeouts=(\d+) "
                     r"reconnects=(\d+) title=(.*)", line)
        if m:
            samples.append({
                "t": float(m.group(1)), "rss": int(m.group(2)), "frames": int(m.group(3)),
                "audio": float(m.group(4)), "timeouts": int(m.group(5)),
                "reconnects": int(m.group(6)), "title": m.group(7).strip('"'),
            })
    peak = int(timing[0]) if timing and timing[0].isdigit() else None
    cpu = (float(timing[2]) + float(timing[3])) if len(timing) >= 4 else None
    return samples, peak, cpu, proc.stdout


def slope_kib_per_min(samples):
    pts = [(s["t"] / 60, s["rss"]) for s in samples if s["t"] >= 30]
    if len(pts) < 2:
        return None
    mx = statistics.mean(p[0] for p in pts)
    my = statistics.mean(p[1] for p in pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reader-bin", required=True)
    ap.add_argument("--net-bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--first-chunk-runs", type=int, default=20)
    ap.add_argument("--listen-seconds", type=float, default=600)
    ap.add_argument("--command", default="benches/bench_net.sh")
    args = ap.parse_args()
    for tool in ["/usr/sbin/nginx", "icecast2", "ffmpeg", "/usr/bin/time"]:
        if not shutil.which(tool):
            sys.exit(f"bench_net: {tool} not found (scripts/install-deps.sh installs it)")
    info = machine_info(args.repo)
    load_before = os.getloadavg()[0]
    tmp = tempfile.mkdtemp(prefix="audiostream-bench-net-")
    nginx = icecast = feeder = None
    try:
        nginx, http_port = start_nginx(tmp, os.path.abspath(args.data))
        log("nginx on port", http_port)
        rows = http_vs_disk(args.reader_bin, args.data, http_port, args.reps)
        stop(nginx)
        nginx = None

        icecast, ice_port = start_icecast(tmp)
        mount = "bench.mp3"
        src = os.path.join(args.data, "music10.mp3")
        feeder = subprocess.Popen(
            ["ffmpeg", "-v", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", src,
             "-c", "copy", "-content_type", "audio/mpeg", "-f", "mp3",
             f"icecast://source:{SOURCE_PASSWORD}@127.0.0.1:{ice_port}/{mount}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t0 = time.time()
        while True:
            if feeder.poll() is not None:
                sys.exit(f"ffmpeg stopped: {feeder.stderr.read().decode(errors='replace')}")
            try:
                if f'mount="/{mount}"' in admin_get(ice_port, "/admin/listmounts")[1]:
                    break
            except OSError:
                pass
            if time.time() - t0 > 10:
                sys.exit("the Icecast mount did not appear")
            time.sleep(0.1)
        # Let the server's burst buffer fill, as on a station that has been on air a while.
        time.sleep(5)
        url = f"http://127.0.0.1:{ice_port}/{mount}"
        firsts, opens = first_chunk(args.net_bin, url, args.first_chunk_runs)
        heads, bodies = server_latency(ice_port, mount, args.first_chunk_runs)
        log(f"first chunk: median {med(firsts):.1f} ms, max {max(firsts):.1f} ms")
        log(f"listening for {args.listen_seconds:.0f} s")
        samples, peak, cpu, raw = listen(args.net_bin, url, args.listen_seconds, ice_port, mount)
    finally:
        stop(feeder)
        stop(icecast)
        stop(nginx)
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()[0]

    lines = ["## Network: HTTP and live Icecast streams", ""]
    lines.append(f"Measured {info['date']} at commit {info['commit']} on {info['nproc']} CPUs "
                 f"({info['cpu']}); regenerate with `{args.command}`. Servers on 127.0.0.1: "
                 "nginx 1.22 (range requests) and Icecast 2.4, started by the script with "
                 f"configs in a temp dir. 1-minute load average {load_before:.2f} before, "
                 f"{load_after:.2f} after.")
    lines += ["", "### Reading a file over HTTP vs from disk", ""]
    lines.append(f"`reader reader SRC` (`benches/reader.rs`: `StreamReader::new(SRC)`, 1024-frame "
                 "chunks through `stream()`), SRC the file or its nginx URL; whole-process wall "
                 f"time, {args.reps} pairs interleaved (order alternating); ratio = median of "
                 "the per-pair ratios http/disk. Both decode the same number of frames "
                 "(checked).")
    lines += ["", "| file | disk median | HTTP median | HTTP/disk | target ≤ 1.1 | CPU (user+sys) disk / HTTP | peak RSS disk / HTTP |",
              "|---|--:|--:|--:|:-:|--:|--:|"]
    for r in rows:
        ok = "yes" if r["ratio"] <= 1.1 else "no"
        lines.append(f"| {r['name']} | {fmt_s(med(r['disk']))} | {fmt_s(med(r['http']))} | "
                     f"{r['ratio']:.3f} | {ok} | {r['cpu_disk']:.3f} / {r['cpu_http']:.3f} s | "
                     f"{r['rss_disk'] / 1024:.1f} / {r['rss_http'] / 1024:.1f} MiB |")
    lines += ["", "HTTP runs two threads (the pump reading the socket into the queue, the "
              "decoder) on a 2-CPU machine shared with nginx; the CPU column is what the "
              "network path costs in total. All runs: " + "; ".join(
                  f"{r['name']} disk {' '.join(f'{x:.3f}' for x in r['disk'])}, HTTP "
                  f"{' '.join(f'{x:.3f}' for x in r['http'])}" for r in rows) + "."]
    lines += ["", "### Time to the first chunk of a live Icecast stream", ""]
    lines.append("ffmpeg feeds `music10.mp3` (192 kbit/s) to an Icecast mount at real time "
                 "(`-re -stream_loop -1 -c copy`), on air for 5 s before the first listener; "
                 f"`net first-chunk URL {args.first_chunk_runs}` (`benches/net.rs`) opens "
                 f"{len(firsts)} listeners one after another: time from the start of "
                 "`StreamReader::new` (DNS, TCP connect, request, response headers, probe) to "
                 "the first 1024-frame chunk popped, and to `new` returning.")
    firsts_sorted = sorted(firsts)
    p90 = firsts_sorted[min(len(firsts_sorted) - 1, int(0.9 * len(firsts_sorted)))]
    lines += ["", "| | median | p90 | max | target |", "|---|--:|--:|--:|--|",
              f"| first chunk | {med(firsts):.1f} ms | {p90:.1f} ms | {max(firsts):.1f} ms | "
              f"< 300 ms ({'yes' if max(firsts) < 300 else 'no'}) |",
              f"| `StreamReader::new` | {med(opens):.1f} ms | – | {max(opens):.1f} ms | |",
              f"| server alone: response headers (raw socket) | {med(heads):.1f} ms | – | {max(heads):.1f} ms | |",
              f"| server alone: first 16 KiB of audio (raw socket) | {med(bodies):.1f} ms | – | {max(bodies):.1f} ms | |"]
    lines += ["", "Icecast 2.4 services listeners on a ~100 ms loop: it sends the headers about "
              "0.1 s and the burst about 0.2 s after the request, which is most of the time "
              "to the first chunk; our part is the difference between the first and last "
              "rows."]
    lines += ["", "### Memory while listening to a live stream", ""]
    dur = samples[-1]["t"] if samples else 0
    audio = samples[-1]["audio"] if samples else 0
    rss = [s["rss"] for s in samples]
    after30 = [s["rss"] for s in samples if s["t"] >= 30]
    slope = slope_kib_per_min(samples)
    titles = []
    for s in samples:
        if s["title"] and (not titles or titles[-1] != s["title"]):
            titles.append(s["title"])
    lines.append(f"`net listen URL {args.listen_seconds:.0f}` on the same mount: "
                 f"{dur / 60:.1f} minutes of listening ({audio:.0f} s of audio decoded), "
                 "1024-frame chunks with `process_packet_with(1 s, 10 ms)`, the title changed "
                 "through `/admin/metadata` every minute. VmRSS sampled every 10 s.")
    if rss:
        flat = after30 and (max(after30) - min(after30)) < 1024
        lines += ["", "| | |", "|---|--:|",
                  f"| RSS at 10 s | {rss[min(1, len(rss) - 1)] / 1024:.2f} MiB |",
                  f"| RSS at the end | {rss[-1] / 1024:.2f} MiB |",
                  f"| min / max after 30 s | {min(after30) / 1024:.2f} / {max(after30) / 1024:.2f} MiB |"
                  if after30 else "| min / max after 30 s | – |",
                  f"| trend after 30 s (least squares) | {slope:+.1f} KiB/min |"
                  if slope is not None else "| trend | – |",
                  f"| peak RSS (GNU time) | {peak / 1024:.2f} MiB |" if peak else "| peak RSS | – |",
                  f"| CPU time (user + sys) | {cpu:.1f} s ({100 * cpu / max(dur, 1):.1f}% of one core) |"
                  if cpu is not None else "| CPU | – |",
                  f"| read timeouts / reconnects | {samples[-1]['timeouts']} / {samples[-1]['reconnects']} |",
                  f"| flat (max − min after 30 s < 1 MiB) | {'yes' if flat else 'no'} |",
                  f"| titles seen (ICY) | {len(titles)}: {', '.join(titles[:3])}{', …' if len(titles) > 3 else ''} |"]
        lines += ["", "<details><summary>RSS samples (s: MiB)</summary>", "",
                  ", ".join(f"{s['t']:.0f}: {s['rss'] / 1024:.2f}" for s in samples), "",
                  "</details>"]
    replace_section(args.out, "net", "\n".join(lines))
    log("wrote the net section of", args.out)


if __name__ == "__main__":
    main()
