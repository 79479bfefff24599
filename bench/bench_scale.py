"""Benchmark: simulated students against one app server on PostgreSQL, and 200 concurrent store writers.

Part 1 (sessions): a throwaway PostgreSQL (tests/pg_server.py) and one `streamlit run app.py`
on it; N browser contexts in one headless Chromium, each a student (own profile) answering
the same typed question (l3-mse, part "loss") several times, all at once. Prints sessions
held, time to verdict (click → verdict on screen) p50/p95, the server's memory per session
(RSS growth / N) and database writes per second (PostgreSQL's committed transactions).

Part 2 (where the time goes): medians, in this process, of the check alone
(grading.grade) and of the store write alone (progress.record_attempt: attempt + card) on
the same PostgreSQL; the rest of the verdict time is the page's rerun and the websocket.

Part 3 (writers): 200 threads, each its own Store on one engine, writing attempts at once;
prints rows written, writes per second and the write latency p50/p95.

Run:  OPENBLAS_NUM_THREADS=1 python bench/bench_scale.py [--sessions 10,25,50] [--answers 3]
The browser runs on the same 2 cores as the server, so the figures are a lower bound.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from app_process import streamlit_app  # noqa: E402 - from tests/, put on sys.path above
from pg_server import PgServer, find_bin  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
QID, PART = "l3-mse", "loss"
ANSWERS = [("o^2 - 2og + g^2", "Right — 2 / 2"), ("o^2 + g^2", "Not right — 0 / 2")]  # alternate: each verdict new


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (streamlit runs in one process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def server_pid(port: int) -> int:
    """The pid listening on the port (the streamlit process), from /proc/net/tcp."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if parts[1].endswith(f":{port:04X}") and parts[3] == "0A":
            inode = parts[9]
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return int(pid)
        except OSError:
            continue
    raise RuntimeError("no server pid")


def commits(url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as con:
        return con.execute(sa.text("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
                           ).scalar_one()


async def student(browser, url: str, i: int, answers: int, verdicts: list[float], ready: asyncio.Barrier) -> None:
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(120_000)
    key = f".st-key-practice-{QID}-0-{PART}"
    try:
        try:
            await page.goto(f"{url}/practice?q={QID}&profile=s{i:03d}")
            await page.locator(f"{key}-text input").wait_for()
        finally:  # a student whose page never loaded still passes the barrier, or the others wait forever
            await ready.wait()
        for k in range(answers):
            text, verdict = ANSWERS[k % 2]
            other = ANSWERS[(k + 1) % 2][1]
            box = page.locator(f"{key}-text input")
            await box.fill(text)  # committed by the click below (blur), as when a student clicks Submit
            t0 = time.perf_counter()
            await page.locator(f"{key}-submit button").click()
            await page.wait_for_function(  # the new verdict is on screen and the previous one gone
                "([v, o]) => { const b = document.body.innerText; return b.includes(v) && !b.includes(o) }",
                arg=[verdict, other])
            verdicts.append(time.perf_counter() - t0)
    finally:
        await context.close()


async def sessions_round(url: str, pid: int, db: str, n: int, answers: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            rss0, c0 = rss_kb(pid), commits(db)
            verdicts: list[float] = []
            ready = asyncio.Barrier(n)
            t0 = time.perf_counter()
            results = await asyncio.gather(*(student(browser, url, i, answers, verdicts, ready) for i in range(n)),
                                           return_exceptions=True)
            wall = time.perf_counter() - t0
            rss1, c1 = rss_kb(pid), commits(db)
        finally:
            await browser.close()
    failed = [r for r in results if isinstance(r, BaseException)]
    return {"sessions": n, "held": n - len(failed), "verdicts": len(verdicts),
            "p50": statistics.median(verdicts) if verdicts else float("nan"),
            "p95": pct(verdicts, 0.95) if verdicts else float("nan"),
            "mb_per_session": (rss1 - rss0) / 1024 / n, "writes_per_s": (c1 - c0) / wall,
            "errors": [repr(e)[:160] for e in failed[:3]]}


def where_time_goes(db: str, reps: int = 30) -> dict:
    from quizlib import grading, progress
    from quizlib.bank import load_banks
    from quizlib.model import Attempt
    from quizlib.store import Store

    q = next(q for b in load_banks(str(ROOT / "content")) for q in b.questions if q.id == QID)
    part = next(p for p in q.parts if p.id == PART)
    grading.grade(part, ANSWERS[0][0])  # warm
    checks, writes = [], []
    store = Store(db)
    for i in range(reps):
        t0 = time.perf_counter()
        grading.grade(part, ANSWERS[i % 2][0])
        checks.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        progress.record_attempt(store, Attempt(profile=f"w{i}", question_id=QID, answer="x", correct=True, score=2,
                                               max_score=2, created_at=datetime.now(UTC), part_id=PART))
        writes.append(time.perf_counter() - t0)
    return {"check_ms": 1000 * statistics.median(checks), "write_ms": 1000 * statistics.median(writes)}


def writers(db: str, n: int = 200, per: int = 10) -> dict:
    from quizlib.model import Attempt
    from quizlib.store import Store

    Store(db)
    lat: list[float] = []
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def run(t: int):
        store = Store(db)
        start.wait()
        try:
            for i in range(per):
                t0 = time.perf_counter()
                store.add_attempt(Attempt(profile=f"p{t}", question_id=f"q{i}", answer="x", correct=True, score=1,
                                          max_score=1, created_at=datetime.now(UTC)))
                lat.append(time.perf_counter() - t0)
        except BaseException as e:  # noqa: BLE001 - counted and printed
            errors.append(e)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(n)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    rows = len(Store(db).class_attempts())
    return {"writers": n, "rows": rows, "expected": n * per, "errors": len(errors), "writes_per_s": rows / wall,
            "p50_ms": 1000 * statistics.median(lat), "p95_ms": 1000 * pct(lat, 0.95)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", default="10,25,50")
    ap.add_argument("--answers", type=int, default=3)
    ap.add_argument("--writers", type=int, default=200)
    args = ap.parse_args()
    bindir = find_bin()
    if bindir is None:
        sys.exit("PostgreSQL is not installed (apt-get install postgresql)")
    pg = PgServer(bindir).start()
    try:
        db = pg.create_database()
        with streamlit_app({"QUIZ_DB_URL": db}) as url:
            pid = server_pid(int(url.rsplit(":", 1)[1]))
            print(f"server pid {pid}, RSS at start {rss_kb(pid) / 1024:.0f} MB, load average {os.getloadavg()[0]:.1f}"
                  f" on {os.cpu_count()} cores")
            for n in map(int, args.sessions.split(",")):
                r = sessions_round(url, pid, db, n, args.answers)
                r = asyncio.run(r)
                print(f"sessions {r['sessions']:3d}  held {r['held']:3d}  verdicts {r['verdicts']:4d}  "
                      f"time to verdict p50 {r['p50']:.2f} s  p95 {r['p95']:.2f} s  "
                      f"memory/session {r['mb_per_session']:.1f} MB  db writes/s {r['writes_per_s']:.1f}"
                      + f"  load avg {os.getloadavg()[0]:.1f}"
                      + (f"  errors {r['errors']}" if r["errors"] else ""), flush=True)
        t = where_time_goes(pg.create_database())
        print(f"where the time goes (one answer, no load): check {t['check_ms']:.1f} ms (median), "
              f"store write (attempt + card) {t['write_ms']:.1f} ms; the rest is the page's rerun and transport")
        w = writers(pg.create_database(), args.writers)
        print(f"writers {w['writers']}: rows {w['rows']}/{w['expected']}, errors {w['errors']}, "
              f"{w['writes_per_s']:.0f} writes/s, latency p50 {w['p50_ms']:.0f} ms p95 {w['p95_ms']:.0f} ms")
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
