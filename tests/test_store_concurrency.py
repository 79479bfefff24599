"""The store under concurrency, on SQLite and on a real PostgreSQL: many writers lose nothing,
a read-then-write (a card review) never loses an update, and a writer killed mid-write
leaves every committed row intact and no torn row."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quizlib.model import Attempt
from quizlib.store import Store

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _run_threads(n: int, target) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def run(t: int):
        start.wait()
        try:
            target(t)
        except BaseException as e:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(e)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def test_twenty_threads_write_at_once(db_url):
    Store(db_url)
    n_threads, per_thread = 20, 25

    def writer(t: int):
        store = Store(db_url)  # each session builds its own, as Streamlit threads would
        for i in range(per_thread):
            store.add_attempt(Attempt(profile=f"p{t % 4}", question_id=f"t{t}", answer=f"answer {i}",
                                      correct=True, score=1.0, max_score=1.0, created_at=T0 + timedelta(seconds=i)))
            store.set_variant(f"p{t % 4}", f"t{t}", i)
            store.attempts(f"p{t % 4}", f"t{t}")  # interleave reads with the writes

    assert _run_threads(n_threads, writer) == []
    store = Store(db_url)
    rows = store.class_attempts()
    assert len(rows) == n_threads * per_thread
    assert len({a.extra["uuid"] for a in rows}) == len(rows)
    for t in range(n_threads):
        assert sorted(a.answer for a in store.attempts(f"p{t % 4}", f"t{t}")) == \
            sorted(f"answer {i}" for i in range(per_thread))
        assert store.get_variant(f"p{t % 4}", f"t{t}") == per_thread - 1


def test_concurrent_reviews_of_one_card_lose_no_update(db_url):
    """Each review reads the card and writes a new one: 12 threads × 10 reviews must count 120."""
    Store(db_url)

    def bump(old):
        n = json.loads(old)["n"] if old else 0
        return json.dumps({"n": n + 1}), T0 + timedelta(days=n)

    def reviewer(t: int):
        store = Store(db_url)
        for _ in range(10):
            store.update_card("ana", "q1", bump)

    assert _run_threads(12, reviewer) == []
    assert json.loads(Store(db_url).get_card("ana", "q1").card) == {"n": 120}


CHILD = """
import sys
from datetime import datetime, timezone
from quizlib.model import Attempt
from quizlib.store import Store
store = Store(sys.argv[1])
i = 0
while True:
    store.add_attempt(Attempt(profile="ana", question_id="q%d" % (i % 7), answer="x" * 2000 + str(i),
                              correct=i % 2 == 0, score=1.0, max_score=1.0,
                              created_at=datetime.now(timezone.utc)))
    print(i, flush=True)  # only after the commit returned
    i += 1
"""


def test_writer_killed_mid_write_loses_nothing_committed(db_url):
    Store(db_url)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, db_url], stdout=subprocess.PIPE, env=env, text=True)
    reported = []
    try:
        for line in proc.stdout:
            reported.append(int(line))
            if len(reported) >= 150:
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    for line in proc.stdout:  # lines already written before the kill
        reported.append(int(line))
    assert len(reported) >= 150, "the child did not write"
    if "://" not in db_url:
        with sqlite3.connect(db_url) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = Store(db_url).attempts("ana")
    stored = {int(a.answer[2000:]) for a in rows}
    assert set(reported) <= stored  # every commit the child saw is there …
    assert len(rows) <= len(reported) + 1  # … and at most the one it was killed after committing
    assert all(a.answer.startswith("x" * 2000) for a in rows)  # no torn rows
    Store(db_url).add_attempt(Attempt(profile="ana", question_id="q", answer="after", correct=True, score=1,
                                      max_score=1, created_at=T0))  # the killed session holds no lock
