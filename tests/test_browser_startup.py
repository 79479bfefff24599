"""Real browser, two fresh servers on one bank cache: the first start validates the banks and writes
the cache, the second reads it (no cache file is rewritten) and both show the first question. And a
server reads the banks and opens its store at start, before any browser connects (quizlib/ui/startup.py).

The time it takes is measured by bench/bench_startup.py (median of 5 starts), not asserted here:
these machines are shared, and a wall-clock bound would fail on a busy one.
"""
from __future__ import annotations

import time
from pathlib import Path

from app_process import streamlit_app


def _first_question(browser, url: str) -> float:
    t0 = time.perf_counter()
    page = browser.new_page()
    try:
        page.goto(url)
        page.get_by_text("points", exact=False).first.wait_for(timeout=120_000)
        page.get_by_role("heading", name="Practice").wait_for(timeout=10_000)
        return time.perf_counter() - t0
    finally:
        page.close()


def test_a_second_start_reads_the_bank_cache_and_shows_the_first_question(browser, tmp_path):
    cache = tmp_path / "bank-cache"
    env = {"QUIZ_CACHE_DIR": str(cache), "QUIZ_DB": str(tmp_path / "p.sqlite3")}
    with streamlit_app(env) as url:
        cold = _first_question(browser, url)
    written = {f.name: f.stat().st_mtime_ns for f in cache.glob("*.json")}
    assert len(written) >= 20, "the first start did not cache every bank"
    with streamlit_app(env) as url:
        warm = _first_question(browser, url)
    assert {f.name: f.stat().st_mtime_ns for f in cache.glob("*.json")} == written, \
        "the second start rebuilt banks instead of reading the cache"
    print(f"first question after the page opened: cold cache {cold:.2f} s, warm cache {warm:.2f} s")


def _wait_for(done, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_fresh_server_reads_the_banks_and_opens_the_store_before_any_browser(tmp_path):
    cache, db = tmp_path / "bank-cache", tmp_path / "p.sqlite3"
    content = Path(__file__).resolve().parent.parent / "content"
    banks = len(list(content.glob("*.md")))
    with streamlit_app({"QUIZ_CACHE_DIR": str(cache), "QUIZ_DB": str(db)}):
        # nothing but the health poll has reached this server: no session, no script run
        assert _wait_for(lambda: len(list(cache.glob("*.json"))) >= banks, 120), \
            f"the server did not read the banks at start ({len(list(cache.glob('*.json')))} of {banks} cached)"
        assert _wait_for(db.exists, 30), "the server did not open its store at start"
