"""Run slow SymPy work in a persistent worker process that is killed when it takes too long.

`signal.alarm` cannot be used because Streamlit runs scripts in threads, so a hard time limit needs
another process: one long-lived worker (multiprocessing 'forkserver' context, SymPy preloaded in the
fork server) takes a task over a pipe; if the answer does not come within the timeout the worker is
killed and a fresh one is started on the next call. Only the functions named in `ALLOWED` may be
called, with plain picklable arguments (ASTs are tuples). A lock serialises callers from several
threads. The worker is a daemon and is stopped at interpreter exit, so pytest never waits for it.
If no worker can be started, `call` reports "unavailable" and the caller decides without it.
"""
from __future__ import annotations

import atexit
import importlib
import multiprocessing as mp
import sys
import threading
import time
import types

__all__ = ["call", "warm", "shutdown", "ALLOWED"]

ALLOWED = {"quizlib.answers.symbolic:symbolic_equal", "quizlib.answers.step_calculus:check_line",
           "quizlib.answers.step_calculus:clear_cache"}
STARTUP_TIMEOUT = 30.0  # seconds for a fresh worker to import SymPy (not counted in a check's limit)

_lock = threading.Lock()
_state: dict = {"proc": None, "conn": None, "broken_at": None}
RETRY_AFTER = 60.0  # seconds before trying again to start a worker that could not start


def _worker_main(conn) -> None:  # pragma: no cover - runs in the child
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        target, args = task
        try:
            if target not in ALLOWED:
                raise ValueError(f"{target} is not allowed")
            mod, fn = target.split(":")
            result = getattr(importlib.import_module(mod), fn)(*args)
            conn.send(("ok", result))
        except Exception as exc:  # noqa: BLE001 - reported to the caller as a value
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _start() -> bool:
    try:
        # forkserver: a clean, SymPy-preloaded parent (never fork a threaded Streamlit server);
        # spawn where forkserver does not exist (Windows)
        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        try:
            ctx.set_forkserver_preload(["sympy", "quizlib.answers.symbolic", "quizlib.answers.step_calculus"])
        except Exception:  # noqa: BLE001 - preload is an optimisation only
            pass
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker_main, args=(child,), daemon=True, name="quizlib-sandbox")
        # multiprocessing would re-run the main script (streamlit's, pytest's, a bench script) in the
        # fork server; hide it so the worker only imports quizlib
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            proc.start()
        finally:
            if main is not None:
                sys.modules["__main__"] = main
        child.close()
        if not parent.poll(STARTUP_TIMEOUT) or parent.recv()[0] != "ready":
            proc.kill()
            return False
        _state.update(proc=proc, conn=parent)
        return True
    except Exception:  # noqa: BLE001 - no processes allowed here: degrade, never crash a check
        return False


def _kill() -> None:
    proc, conn = _state["proc"], _state["conn"]
    _state.update(proc=None, conn=None)
    if conn is not None:
        try:
            conn.close()
        except OSError:
            pass
    if proc is not None:
        proc.kill()
        proc.join(2)


def call(target: str, args: tuple, timeout: float) -> tuple[str, object]:
    """Run `target(*args)` in the worker: ("ok", result) | ("timeout"|"unavailable"|"error", info)."""
    if target not in ALLOWED:
        raise ValueError(f"{target} is not an allowed sandbox function")
    t0 = time.monotonic()
    warming = _state.get("warming") and _state["proc"] is None
    if not _lock.acquire(timeout=timeout + (STARTUP_TIMEOUT if warming else 0.0)):
        return "timeout", "the checker is busy"
    try:
        if _state["proc"] is None or not _state["proc"].is_alive():
            _kill()
            broken = _state["broken_at"]
            if broken is not None and time.monotonic() - broken < RETRY_AFTER or not _start():
                _state["broken_at"] = _state["broken_at"] or time.monotonic()
                return "unavailable", "no worker process"
            _state["broken_at"] = None
            t0 = time.monotonic()  # start-up is not the student's fault
        conn = _state["conn"]
        try:
            conn.send((target, args))
            left = max(0.05, timeout - (time.monotonic() - t0))
            if conn.poll(left):
                status, result = conn.recv()
                return status, result
        except (EOFError, OSError, BrokenPipeError) as exc:
            _kill()
            return "error", str(exc)
        _kill()
        return "timeout", f"no answer within {timeout:.1f} s"
    finally:
        _lock.release()


def warm() -> None:
    """Start the worker in the background (the first slow check then need not wait for it)."""
    def run() -> None:
        with _lock:
            if _state["proc"] is None and _state["broken_at"] is None and not _start():
                _state["broken_at"] = time.monotonic()
            _state["warming"] = False

    if _state["proc"] is None and not _state.get("warming") and _state["broken_at"] is None:
        _state["warming"] = True
        threading.Thread(target=run, name="quizlib-sandbox-warm", daemon=True).start()


def shutdown() -> None:
    """Stop the worker (registered at exit)."""
    with _lock:
        conn = _state["conn"]
        if conn is not None:
            try:
                conn.send(None)
            except OSError:
                pass
        _kill()


atexit.register(shutdown)
