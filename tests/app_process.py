"""Start and stop `streamlit run app.py` processes for browser tests that need more than the
shared `app_server` fixture (several replicas, other settings): free port, health poll, stop by pid."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(cmd: list[str], **kw) -> subprocess.Popen:
    """Start a server process whose output goes to a temporary file, never to a pipe nobody reads
    (a full pipe would block the server mid-run once it has logged 64 KB); `output` reads it."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **kw)
    proc.log = log
    return proc


def output(proc: subprocess.Popen) -> str:
    """What a process started by `launch` has printed so far."""
    proc.log.seek(0)
    return proc.log.read().decode(errors="replace")


def wait_http(url: str, proc: subprocess.Popen | None = None, timeout: float = 60, expect: str | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if expect is None or r.read().decode().strip() == expect:
                    return
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            out = output(proc) if proc is not None and proc.poll() is not None else ""
            raise RuntimeError(f"{url} did not come up:\n{out}")
        time.sleep(0.2)


@contextmanager
def streamlit_app(env: dict[str, str], port: int | None = None, cwd: Path = ROOT, args: tuple[str, ...] = ()):
    """Yields the base URL of a fresh `streamlit run app.py` with `env` added to the environment."""
    port = port or free_port()
    full = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", **env)
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless=true",
           "--server.address=127.0.0.1", f"--server.port={port}",
           "--browser.gatherUsageStats=false", "--server.fileWatcherType=none", *args]
    proc = launch(cmd, cwd=cwd, env=full)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/_stcore/health", proc, expect="ok")
        yield url
    finally:
        stop(proc)


@contextmanager
def oidc_provider(users: list[dict]):
    """oidc-provider-mock on a free port with predefined users (their claims); yields its base URL."""
    import json

    port = free_port()
    cmd = [sys.executable, "-m", "oidc_provider_mock", "-p", str(port), "-H", "127.0.0.1"]
    for u in users:
        cmd += ["--user-claims", json.dumps(u)]
    proc = launch(cmd)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/.well-known/openid-configuration", proc)
        yield url
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if getattr(proc, "log", None) is not None:
        proc.log.close()


def answer_mse_loss(page) -> None:
    """On an open Practice page of `l3-mse`, type the right loss, see its echo, submit, see the verdict
    (the browser tests' shared way to leave one right answer in a profile)."""
    import re

    box = page.locator(".st-key-practice-l3-mse-0-loss-text input")
    box.fill("o^2 - 2og + g^2")
    box.press("Enter")
    page.get_by_text("Read as").first.wait_for()
    page.locator(".st-key-practice-l3-mse-0-loss-submit button").click()
    page.get_by_text(re.compile("Right — 2 / 2")).first.wait_for()
