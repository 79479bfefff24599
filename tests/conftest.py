"""Fixtures every test shares: an isolated progress store, and a live app for browser tests.

Every test gets its own SQLite file through $QUIZ_DB, so no test reads or writes
the developer's real progress; the bank cache is one folder per session ($QUIZ_CACHE_DIR). Browser tests start `streamlit run app.py` on a free
127.0.0.1 port and stop it by its process id; without Chromium or Playwright they
skip — unless $QUIZ_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails.
Store tests run on SQLite and on a real PostgreSQL that the session starts
(tests/pg_server.py) and stops; without PostgreSQL they skip — unless
$QUIZ_REQUIRE_POSTGRES=1 (as in CI), where a missing server fails.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from pg_server import PgServer, find_bin

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def _session_bank_cache(tmp_path_factory):
    """The persistent bank cache (quizlib.bank.cache) of this session only, never the user's; set
    for the whole session so that the app servers of browser tests (module fixtures) share it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QUIZ_CACHE_DIR", str(tmp_path_factory.mktemp("bank-cache")))
        yield


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "progress.sqlite3"))
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def _need_browser(reason: str):
    if os.environ.get("QUIZ_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here ($QUIZ_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the whole session, on a free port, stopped by pg_ctl at the end."""
    def need(reason: str):
        if os.environ.get("QUIZ_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here ($QUIZ_REQUIRE_POSTGRES=1) but {reason}")
        pytest.skip(reason)

    bindir = find_bin()
    if bindir is None:
        need("PostgreSQL is not installed (apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        need("psycopg is not installed (pip install -r requirements.txt)")
    server = PgServer(bindir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Where a store test keeps its data: an SQLite file, or a fresh database on the session's server."""
    if request.param == "sqlite":
        return str(tmp_path / "p.sqlite3")
    return request.getfixturevalue("pg_server").create_database()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """A real `streamlit run app.py` on 127.0.0.1; yields its base URL."""
    port = _free_port()
    db = tmp_path_factory.mktemp("browser") / "progress.sqlite3"
    env = dict(os.environ, QUIZ_DB=str(db), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
           "--server.address=127.0.0.1", f"--server.port={port}",
           "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode(errors="replace") if proc.poll() is not None else ""
                pytest.fail(f"streamlit did not come up on {url}:\n{out}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _need_browser(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need_browser("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, app_server):
    """A fresh browser tab; `page.app_url` is the app's base URL."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(20_000)
    p.app_url = app_server
    try:
        yield p
    finally:
        context.close()
