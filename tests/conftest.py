"""Fixtures every test shares: an isolated progress store, and a live app for browser tests.

Every test gets its own SQLite file through $QUIZ_DB, so no test reads or writes
the developer's real progress; the bank cache is one folder per run ($QUIZ_CACHE_DIR), shared by pytest-xdist's workers. Browser tests start `streamlit run app.py` on a free
127.0.0.1 port and stop it by its process id; without Chromium or Playwright they
skip — unless $QUIZ_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails.
Store tests run on SQLite and on a real PostgreSQL that the session starts
(tests/pg_server.py) and stops; without PostgreSQL they skip — unless
$QUIZ_REQUIRE_POSTGRES=1 (as in CI), where a missing server fails.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from pg_server import PgServer, find_bin

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def pytest_configure(config):
    """The persistent bank cache (quizlib.bank.cache) of this run only, never the user's: one folder
    for the whole run, set before collection (test modules load the banks at import) and before
    pytest-xdist starts its workers, which inherit it; so the banks are built once per run and the
    workers, their app servers and the CLI subprocesses all read them (its writes are atomic)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):  # a worker uses its controller's folder
        return
    shared = Path(tempfile.mkdtemp(prefix="quiz-tests-"))
    config._quiz_shared = (shared, os.environ.get("QUIZ_CACHE_DIR"))
    os.environ["QUIZ_CACHE_DIR"] = str(shared / "bank-cache")
    os.environ["QUIZ_TEST_SHARED"] = str(shared)


def pytest_unconfigure(config):
    if not hasattr(config, "_quiz_shared"):
        return
    shared, before = config._quiz_shared
    os.environ.pop("QUIZ_TEST_SHARED", None)
    if before is None:
        os.environ.pop("QUIZ_CACHE_DIR", None)
    else:
        os.environ["QUIZ_CACHE_DIR"] = before
    shutil.rmtree(shared, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Under pytest-xdist, a test marked `serial` (it asserts a rate or a duration) and every browser
    test (servers and Chromium beside another worker made their waits time out on 2 cores) runs while
    the other workers wait between tests: a readers-writer lock of two flock()ed files, every other
    test a reader. The turnstile makes it fair: once a serial test waits, no new test starts."""
    shared = os.environ.get("QUIZ_TEST_SHARED")
    if not (shared and os.environ.get("PYTEST_XDIST_WORKER")):
        return (yield)
    serial = item.get_closest_marker("serial") is not None or item.path.name.startswith("test_browser_")
    with open(Path(shared) / "turnstile.lock", "a") as gate, open(Path(shared) / "tests.lock", "a") as lock:
        fcntl.flock(gate, fcntl.LOCK_EX)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if serial else fcntl.LOCK_SH)
        finally:
            fcntl.flock(gate, fcntl.LOCK_UN)
        try:
            return (yield)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "progress.sqlite3"))
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session", autouse=True)
def _scan_streamlit_components_once():
    """Every `AppTest.run()` of a new AppTest scans the metadata of every installed distribution for
    Streamlit v2 components (`scan_component_manifests`, ~0.35 s here, 80 % of a simple page's run);
    the installed packages do not change during a session, so scan once and hand every AppTest the
    same list. Only when a test module imported AppTest (a unit-test run stays free of streamlit)."""
    if "streamlit.testing.v1" not in sys.modules:
        yield
        return
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    found = scan()
    manifest_scanner.scan_component_manifests = lambda *a, **k: list(found)
    try:
        yield
    finally:
        manifest_scanner.scan_component_manifests = scan


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


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """A real `streamlit run app.py` on 127.0.0.1 with its own progress file; yields its base URL."""
    from app_process import streamlit_app

    with streamlit_app({"QUIZ_DB": str(tmp_path_factory.mktemp("browser") / "progress.sqlite3")}) as url:
        yield url


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
    # generous: under two workers the first page of a fresh server waits for its bank load (~7 s of CPU
    # here) while the other worker computes; a wait still fails, only later
    p.set_default_timeout(60_000)
    p.app_url = app_server
    try:
        yield p
    finally:
        context.close()
