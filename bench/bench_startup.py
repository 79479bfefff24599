"""Benchmark: time from `streamlit run app.py` to the first question on screen, median of 5 starts.

Prints, per start, the seconds until /_stcore/health answers "ok" and until headless
Chromium shows the Practice page's first question; then the medians. The bank cache
(`quizlib.bank.cache`) lives in a fresh temporary folder: one cold start builds it first
(validating every bank, as after an edit of the checker; reported, not in the median), then
`--runs` starts read it, as every start does while banks and code are unchanged. Run:
    OPENBLAS_NUM_THREADS=1 python bench/bench_startup.py [--runs 5] [--returning-browser] [--hello]
`--hello` times a one-line Streamlit app the same way: what no app can beat on this machine now.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), to tell work from waiting."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def browser_cpu_seconds() -> float:
    """CPU time so far of the Chromium processes this script started (descendants of this process)."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                parent[int(d)] = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    total = 0.0
    for pid in parent:
        up = pid
        while up in parent and up not in (os.getpid(), 0, 1):
            up = parent[up]
        try:
            if up == os.getpid() and "chrom" in Path(f"/proc/{pid}/comm").read_text():
                total += cpu_seconds(pid)
        except OSError:
            pass
    return total


HELLO = 'import streamlit as st\nst.write("A one-line app: 1 points")\n'


def one_start(browser, cache: Path, context=None, script: Path = ROOT / "app.py") -> tuple[float, ...]:
    """(s to health, s to the first question on screen, server CPU s, Chromium CPU s for the page)."""
    port = free_port()
    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    env = dict(os.environ, QUIZ_DB=str(db), QUIZ_CACHE_DIR=str(cache), OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless=true",
         "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false",
         "--server.fileWatcherType=none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.05)
        t_health = time.perf_counter() - t0
        b0 = browser_cpu_seconds()
        page = context.new_page() if context is not None else browser.new_page()
        page.goto(url)
        page.get_by_text("points", exact=False).first.wait_for(timeout=60_000)
        t_page = time.perf_counter() - t0
        cpu, bcpu = cpu_seconds(proc.pid), browser_cpu_seconds() - b0
        page.close()
        return t_health, t_page, cpu, bcpu
    finally:
        proc.terminate()
        proc.wait()


def line(r: tuple[float, ...]) -> str:
    return (f"health ok after {r[0]:.2f} s, first question shown after {r[1]:.2f} s "
            f"(server CPU {r[2]:.2f} s, Chromium CPU {r[3]:.2f} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--returning-browser", action="store_true",
                    help="one browser profile for every start, so Streamlit's static files come from its "
                         "HTTP cache, as for a user who reloads after a restart (default: a fresh profile "
                         "per start, as on a first visit)")
    ap.add_argument("--hello", action="store_true",
                    help="time a one-line Streamlit app instead: the floor on this machine right now")
    args = ap.parse_args()
    runs = args.runs
    from playwright.sync_api import sync_playwright

    script = ROOT / "app.py"
    if args.hello:
        script = Path(tempfile.mkdtemp()) / "hello.py"
        script.write_text(HELLO, encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        cache = Path(tempfile.mkdtemp()) / "bank-cache"
        context = browser.new_context() if args.returning_browser else None
        print(f"cold start (builds the bank cache): {line(one_start(browser, cache, context, script))}")
        results = []
        for i in range(runs):
            results.append(one_start(browser, cache, context, script))
            print(f"start {i + 1}: {line(results[-1])}")
        browser.close()
    med = [statistics.median(r[k] for r in results) for k in range(4)]
    print(f"{'one-line app' if args.hello else 'app.py'}, median of {runs} starts "
          f"({'returning' if args.returning_browser else 'fresh'} browser profile): health {med[0]:.2f} s, "
          f"first question shown {med[1]:.2f} s, server CPU {med[2]:.2f} s, Chromium CPU {med[3]:.2f} s "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
