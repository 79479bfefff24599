"""quizlib/ui/startup.py and app.py: `streamlit run app.py` serves an st.App whose lifespan warms
the caches in a thread before the first browser connects (the first page then only draws)."""
from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest
from streamlit.web.server.app_discovery import discover_asgi_app

from quizlib.ui import common, startup

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def counted_loads(monkeypatch, tmp_path):
    """Fresh caches on a temporary store; counts the bank loads behind the cache."""
    import quizlib.bank

    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "p.sqlite3"))
    monkeypatch.delenv("QUIZ_DB_URL", raising=False)
    calls = []
    real = quizlib.bank.load_banks
    monkeypatch.setattr(quizlib.bank, "load_banks", lambda path: calls.append(path) or real(path))
    common._banks.clear()
    common._store.clear()
    yield calls
    common._banks.clear()
    common._store.clear()


def test_app_py_is_served_as_an_st_app_named_app():
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"


def test_warm_up_fills_the_bank_and_store_caches(counted_loads, tmp_path):
    startup.warm_up()
    assert len(counted_loads) == 1
    assert (tmp_path / "p.sqlite3").exists(), "the store was not opened"
    banks = common.get_banks()  # what the first page asks for: from the cache, no second load
    assert len(counted_loads) == 1
    assert sum(len(b.questions) for b in banks) > 200


def test_a_failing_warm_up_is_logged_and_never_raises(monkeypatch, caplog):
    def broken():
        raise RuntimeError("database is down")

    monkeypatch.setattr(common, "warm_caches", broken)
    with caplog.at_level(logging.WARNING, logger="quizlib.ui.startup"):
        startup.warm_up()
    assert "Warming up" in caplog.text and "database is down" in caplog.text


def test_the_lifespan_starts_the_warm_up_in_its_own_thread(monkeypatch):
    ran = threading.Event()
    names = []
    monkeypatch.setattr(startup, "warm_up", lambda: (names.append(threading.current_thread().name), ran.set()))

    async def serve():
        async with startup.lifespan(None):
            assert ran.wait(10)

    asyncio.run(serve())
    assert names == [startup.WARM_THREAD]


def test_only_the_warm_up_threads_missing_session_notice_is_dropped():
    keep = startup._NoSessionNotice()

    def record(msg: str) -> logging.LogRecord:
        return logging.LogRecord("x", logging.WARNING, __file__, 1, msg, (), None)

    notice = "Thread 'quizlib-warm-up': missing ScriptRunContext! This warning can be ignored"
    assert keep.filter(record(notice)), "dropped outside the warm-up thread"
    seen = []
    worker = threading.Thread(target=lambda: seen.extend([keep.filter(record(notice)),
                                                          keep.filter(record("another warning"))]),
                              name=startup.WARM_THREAD)
    worker.start()
    worker.join()
    assert seen == [False, True]


def test_streamlit_skips_its_full_collection_after_every_run():
    """gc.collect(2) after each run took ~60 ms here (first page: twice; running labs: every tick)."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_the_notice_filter_sits_on_the_logger_streamlit_warns_with():
    from streamlit.runtime.scriptrunner_utils import script_run_context

    assert script_run_context._LOGGER.name == startup._NOTICE_LOGGER  # a Streamlit upgrade that renames it fails here
