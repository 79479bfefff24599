"""Backups move between backends unchanged: SQLite → PostgreSQL → SQLite (and the reverse)
gives the very same backup file, and importing twice adds nothing."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from study_fixtures import banks, fake_grade

from quizlib import exam, export, progress
from quizlib.model import Attempt
from quizlib.store import Store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def fill(store: Store) -> None:
    for i, ok in enumerate([True, False, True, True]):
        progress.record_attempt(store, Attempt(
            profile="ana", question_id=f"l1-{'ab'[i % 2]}", answer=f"ans {i}, \"q\" σ′(z) ½",
            correct=ok, score=1.75 * ok, max_score=2.0, created_at=T0 + timedelta(minutes=i, microseconds=i),
            variant=i, extra={"seconds": 12.5 + i}))
    store.add_bookmark("ana", "l2-b", T0, note="ask in class — ∂L/∂z")
    store.set_variant("ana", "l1-a", 2)
    e = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=2, seed=4), T0)
    exam.submit(store, e, banks(), {}, T0 + timedelta(minutes=5), grade=fake_grade)
    exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=1, seed=5), T0 + timedelta(hours=1))


def _trip(first: Store, second: Store, third: Store) -> None:
    fill(first)
    original = export.backup_json(first, "ana", T0)
    export.import_backup(second, original, T0)
    middle = export.backup_json(second, "ana", T0)
    export.import_backup(third, middle, T0)
    assert middle == original
    assert export.backup_json(third, "ana", T0) == original
    again = export.import_backup(second, original, T0)
    assert all(t["added"] == 0 for t in again["tables"].values())
    assert export.backup_json(second, "ana", T0) == original
    doc = json.loads(original)
    assert len(doc["tables"]["attempts"]) >= 4 and len(doc["tables"]["exams"]) == 2 and doc["tables"]["cards"]


def test_sqlite_to_postgresql_and_back(tmp_path, pg_server):
    _trip(Store(tmp_path / "a.sqlite3"), Store(pg_server.create_database()), Store(tmp_path / "c.sqlite3"))


def test_postgresql_to_sqlite_and_back(tmp_path, pg_server):
    _trip(Store(pg_server.create_database()), Store(tmp_path / "b.sqlite3"), Store(pg_server.create_database()))
