"""What the server does once, at `streamlit run app.py`, before any browser has connected.

A browser needs about 0.6 s to fetch and start Streamlit's JavaScript before it opens its session,
and the server sits idle meanwhile. app.py hands Streamlit an `st.App` whose lifespan starts
`warm_up` in a thread then: it imports what the first page (Practice) needs — SQLAlchemy, NumPy,
the bank and checker modules — and reads the banks and the store into their `st.cache_resource`
caches, so the first session's run only draws. Measured by bench/bench_startup.py (README,
*Benchmarks*). SymPy is not imported here: it is the checker's, and `common.get_banks` imports it in the
background a moment after the first page is drawn.

A failure here is only logged: the page that needs the banks or the store meets the same problem
and shows it to the user.
"""
from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager

WARM_THREAD = "quizlib-warm-up"
_NOTICE_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"  # Streamlit 1.67's logger name
_LOG = logging.getLogger(__name__)


class _NoSessionNotice(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warning for the warm-up thread only: it fills
    caches outside any session on purpose (a cached function's spinner looks for one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (threading.current_thread().name == WARM_THREAD
                    and "missing ScriptRunContext" in record.getMessage())


def warm_up() -> None:
    """Import the first page's modules and fill the bank and store caches (see the module doc)."""
    try:
        from quizlib import practice  # noqa: F401 - imported for its cost, before the first page
        from quizlib.ui import common, navigation, quiz  # noqa: F401
        common.warm_caches()
    except Exception:  # noqa: BLE001 - the first page reports the same problem to the user
        _LOG.warning("Warming up the banks and the store failed; the first page will retry", exc_info=True)


def start_warm_up() -> threading.Thread:
    """Run `warm_up` in a daemon thread (never delays the server's start) and return the thread."""
    logging.getLogger(_NOTICE_LOGGER).addFilter(_NoSessionNotice())
    thread = threading.Thread(target=warm_up, name=WARM_THREAD, daemon=True)
    thread.start()
    return thread


@asynccontextmanager
async def lifespan(_app):
    """The `st.App` lifespan of app.py: start the warm-up, then serve."""
    start_warm_up()
    yield
