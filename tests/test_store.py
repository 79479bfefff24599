"""The progress store: round trips, profiles, variants, bad files, concurrency and crashes."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quizlib.errors import StoreError
from quizlib.model import Attempt
from quizlib.store import SCHEMA_VERSION, Store, default_db_path

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def attempt(i=0, profile="ana", qid="q1", correct=True, **kw) -> Attempt:
    return Attempt(profile=profile, question_id=qid, answer=f"answer {i}", correct=correct,
                   score=2.0 if correct else 0.0, max_score=2.0, created_at=T0 + timedelta(seconds=i), **kw)


def test_default_path_follows_quiz_db(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "x.sqlite3"))
    assert default_db_path() == tmp_path / "x.sqlite3"
    assert Store().path == tmp_path / "x.sqlite3"
    assert (tmp_path / "x.sqlite3").exists()


def test_default_path_is_a_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("QUIZ_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "dl-exam-trainer" / "progress.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / ".local" / "share" / "dl-exam-trainer" / "progress.sqlite3"


def test_creates_file_schema_and_wal(tmp_path):
    path = tmp_path / "deep" / "folder" / "p.sqlite3"
    Store(path)
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"attempts", "cards", "bookmarks", "exams", "variants", "profiles"} <= tables


def test_attempt_round_trip_oldest_first(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    a = attempt(5, variant=2, part_id="b2", mode="exam", extra={"exam": "u-1"})
    b = attempt(1, correct=False)
    ida, idb = store.add_attempt(a), store.add_attempt(b)
    assert ida != idb
    got = store.attempts("ana")
    assert [g.answer for g in got] == ["answer 1", "answer 5"]
    g = got[1]
    assert (g.profile, g.question_id, g.variant, g.part_id, g.mode, g.correct, g.score, g.max_score) == \
        ("ana", "q1", 2, "b2", "exam", True, 2.0, 2.0)
    assert g.created_at == a.created_at and g.created_at.tzinfo is not None
    assert g.id == ida and g.extra["exam"] == "u-1" and len(g.extra["uuid"]) == 36


def test_same_uuid_twice_is_refused(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    store.add_attempt(attempt(extra={"uuid": "fixed"}))
    with pytest.raises(StoreError, match="UNIQUE"):
        store.add_attempt(attempt(1, extra={"uuid": "fixed"}))
    assert len(store.attempts("ana")) == 1


def test_attempts_survive_a_new_store_object(tmp_path):
    Store(tmp_path / "p.sqlite3").add_attempt(attempt())
    assert len(Store(tmp_path / "p.sqlite3").attempts("ana")) == 1


def test_attempts_filter_by_profile_and_question(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    store.add_attempt(attempt(0, qid="q1"))
    store.add_attempt(attempt(1, qid="q2"))
    store.add_attempt(attempt(2, profile="ben"))
    assert [a.question_id for a in store.attempts("ana")] == ["q1", "q2"]
    assert [a.question_id for a in store.attempts("ana", "q2")] == ["q2"]
    assert store.attempts("nobody") == []
    assert store.profiles() == ["ana", "ben"]
    store.add_profile("cleo")
    assert store.profiles() == ["ana", "ben", "cleo"]
    with pytest.raises(StoreError):
        store.add_profile("  ")


def test_variants_per_profile(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    assert store.get_variant("ana", "q1") is None
    store.set_variant("ana", "q1", 3)
    store.set_variant("ana", "q1", 4)
    store.set_variant("ben", "q1", 1)
    assert store.get_variant("ana", "q1") == 4 and store.get_variant("ben", "q1") == 1
    assert store.variants("ana") == {"q1": 4}


def test_bookmarks(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    store.add_bookmark("ana", "q2", T0)
    store.add_bookmark("ana", "q1", T0 + timedelta(1), note="sign!")
    store.add_bookmark("ana", "q2", T0)  # again: still one
    assert [(b.question_id, b.note) for b in store.bookmarks("ana")] == [("q2", ""), ("q1", "sign!")]
    store.remove_bookmark("ana", "q2")
    assert [b.question_id for b in store.bookmarks("ana")] == ["q1"]
    assert store.bookmarks("ben") == []


def test_not_a_database_is_a_store_error(tmp_path):
    bad = tmp_path / "notes.sqlite3"
    bad.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="cannot be used as a progress file"):
        Store(bad)
    with pytest.raises(StoreError, match="folder"):
        Store(tmp_path)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "p.sqlite3"
    Store(path)
    with sqlite3.connect(path) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_failed_write_rolls_back(tmp_path):
    store = Store(tmp_path / "p.sqlite3")

    def boom(old):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.update_card("ana", "q1", boom)
    assert store.get_card("ana", "q1") is None
    store.update_card("ana", "q1", lambda old: ('{"x": 1}', T0))  # the lock was released
    assert store.get_card("ana", "q1").due == T0


def test_twenty_threads_write_at_once(tmp_path):
    path = tmp_path / "p.sqlite3"
    Store(path)
    n_threads, per_thread = 20, 25
    errors: list[BaseException] = []
    start = threading.Barrier(n_threads)

    def writer(t: int):
        store = Store(path)  # each session builds its own, as Streamlit threads would
        start.wait()
        try:
            for i in range(per_thread):
                store.add_attempt(attempt(i, profile=f"p{t % 4}", qid=f"t{t}"))
                store.set_variant(f"p{t % 4}", f"t{t}", i)
                store.attempts(f"p{t % 4}", f"t{t}")  # interleave reads with the writes
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    store = Store(path)
    rows = [a for p in store.profiles() for a in store.attempts(p)]
    assert len(rows) == n_threads * per_thread
    assert len({a.extra["uuid"] for a in rows}) == len(rows)
    for t in range(n_threads):
        assert sorted(a.answer for a in store.attempts(f"p{t % 4}", f"t{t}")) == \
            sorted(f"answer {i}" for i in range(per_thread))


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


def test_writer_killed_mid_write_loses_nothing_committed(tmp_path):
    path = tmp_path / "p.sqlite3"
    Store(path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, env=env, text=True)
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
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = Store(path).attempts("ana")
    stored = {int(a.answer[2000:]) for a in rows}
    assert set(reported) <= stored  # every commit the child saw is there …
    assert len(rows) <= len(reported) + 1  # … and at most the one it was killed after committing
    assert all(a.answer.startswith("x" * 2000) for a in rows)  # no torn rows
