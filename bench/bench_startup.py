"""Benchmark: time from `streamlit run app.py` to the first question on screen, median of 5 starts.

Prints, per start, the seconds until /_stcore/health answers "ok" and until headless
Chromium shows the Practice page's first question; then the medians. The bank cache
(`quizlib.bank.cache`) lives in a fresh temporary folder: one cold start builds it first
(validating every bank, as after an edit of the checker; reported, not in the median), then
`--runs` starts read it, as every start does while banks and code are unchanged. Run:
    OPENBLAS_NUM_THREADS=1 python bench/bench_startup.py [--runs 5]
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


def one_start(browser, cache: Path, context=None) -> tuple[float, float, float]:
    port = free_port()
    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    env = dict(os.environ, QUIZ_DB=str(db), QUIZ_CACHE_DIR=str(cache), OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
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
        page = context.new_page() if context is not None else browser.new_page()
        page.goto(url)
        page.get_by_text("points", exact=False).first.wait_for(timeout=60_000)
        t_page = time.perf_counter() - t0
        cpu = cpu_seconds(proc.pid)
        page.close()
        return t_health, t_page, cpu
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--returning-browser", action="store_true",
                    help="one browser profile for every start, so Streamlit's static files come from its "
                         "HTTP cache, as for a user who reloads after a restart (default: a fresh profile "
                         "per start, as on a first visit)")
    args = ap.parse_args()
    runs = args.runs
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        cache = Path(tempfile.mkdtemp()) / "bank-cache"
        context = browser.new_context() if args.returning_browser else None
        h, p, c = one_start(browser, cache, context)
        print(f"cold start (builds the bank cache): health ok after {h:.2f} s, "
              f"first question shown after {p:.2f} s (server CPU {c:.2f} s)")
        results = []
        for i in range(runs):
            h, p, c = one_start(browser, cache, context)
            results.append((h, p, c))
            print(f"start {i + 1}: health ok after {h:.2f} s, first question shown after {p:.2f} s "
                  f"(server CPU {c:.2f} s)")
        browser.close()
    print(f"median of {runs} starts ({'returning' if args.returning_browser else 'fresh'} browser profile): health {statistics.median(r[0] for r in results):.2f} s, "
          f"first question shown {statistics.median(r[1] for r in results):.2f} s, "
          f"server CPU {statistics.median(r[2] for r in results):.2f} s "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
