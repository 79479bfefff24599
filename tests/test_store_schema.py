"""Where the store lives and how its schema grows: paths and URLs, SQLite specifics, the
versioned schema and its migrations (an upgrade keeps every row), a newer schema refused."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from quizlib.errors import StoreError
from quizlib.model import Attempt
from quizlib.store import SCHEMA_VERSION, Store, default_db_path, url_from_settings

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

# The schema as version 1 shipped it (SQLite, PRAGMA user_version = 1, no version table).
V1_SCHEMA = """
CREATE TABLE profiles (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE attempts (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, profile TEXT NOT NULL,
    question_id TEXT NOT NULL, part_id TEXT NOT NULL DEFAULT '', variant INTEGER NOT NULL DEFAULT 0,
    answer TEXT NOT NULL, correct INTEGER NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,
    created_at TEXT NOT NULL, mode TEXT NOT NULL DEFAULT 'practice', extra TEXT NOT NULL DEFAULT '{}');
CREATE TABLE cards (profile TEXT NOT NULL, question_id TEXT NOT NULL, card TEXT NOT NULL, due TEXT NOT NULL,
    PRIMARY KEY (profile, question_id));
CREATE TABLE bookmarks (profile TEXT NOT NULL, question_id TEXT NOT NULL, created_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '', PRIMARY KEY (profile, question_id));
CREATE TABLE exams (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, profile TEXT NOT NULL,
    started_at TEXT NOT NULL, deadline TEXT NOT NULL, questions TEXT NOT NULL, settings TEXT NOT NULL DEFAULT '{}',
    answers TEXT NOT NULL DEFAULT '{}', submitted_at TEXT, report TEXT, score REAL, max_score REAL);
CREATE TABLE variants (profile TEXT NOT NULL, question_id TEXT NOT NULL, variant INTEGER NOT NULL,
    PRIMARY KEY (profile, question_id));
INSERT INTO profiles VALUES ('ana', '2026-01-01T00:00:00.000000+00:00');
INSERT INTO attempts (uuid, profile, question_id, answer, correct, score, max_score, created_at)
    VALUES ('u1', 'ana', 'q1', 'x^2', 1, 2.0, 2.0, '2026-01-01T00:00:00.000000+00:00');
INSERT INTO variants VALUES ('ana', 'q1', 3);
PRAGMA user_version = 1;
"""


def _sql(url: str, *statements: str):
    engine = sa.create_engine(url if "://" in url else f"sqlite:///{url}", poolclass=sa.pool.NullPool)
    with engine.begin() as con:
        out = [con.exec_driver_sql(s) for s in statements]
        return [r.all() if r.returns_rows else None for r in out]


def test_default_path_follows_quiz_db(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "x.sqlite3"))
    monkeypatch.delenv("QUIZ_DB_URL", raising=False)
    assert default_db_path() == tmp_path / "x.sqlite3"
    assert Store().path == tmp_path / "x.sqlite3"
    assert (tmp_path / "x.sqlite3").exists()


def test_quiz_db_url_wins_over_the_path(tmp_path, monkeypatch, db_url):
    url = db_url if "://" in db_url else f"sqlite:///{db_url}"
    monkeypatch.setenv("QUIZ_DB_URL", url)
    store = Store()
    assert store.dialect == ("postgresql" if "postgresql" in url else "sqlite")
    store.add_profile("ana")
    assert Store(url).profiles() == ["ana"]
    assert not (tmp_path / "progress.sqlite3").exists()  # $QUIZ_DB (set by conftest) was not used


def test_default_path_is_a_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("QUIZ_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "dl-exam-trainer" / "progress.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / ".local" / "share" / "dl-exam-trainer" / "progress.sqlite3"


def test_url_from_a_connections_section():
    assert url_from_settings({"url": "postgresql+psycopg://u:p@h/db"}) == "postgresql+psycopg://u:p@h/db"
    assert url_from_settings({"dialect": "postgresql", "driver": "psycopg", "username": "u", "password": "p@w",
                              "host": "db.example", "port": 5433, "database": "quiz"}) == \
        "postgresql+psycopg://u:p%40w@db.example:5433/quiz"
    with pytest.raises(StoreError, match="needs `url`"):
        url_from_settings({"host": "x"})


def test_password_never_in_messages(pg_server):
    url = pg_server.url("no_such_database").replace("quiz@", "quiz:s3cret@")
    with pytest.raises(StoreError) as e:
        Store(url)
    assert "s3cret" not in str(e.value) and "no_such_database" in str(e.value)
    assert "s3cret" not in repr(Store(pg_server.create_database()).__class__)


def test_a_bad_url_is_a_store_error():
    with pytest.raises(StoreError, match="URL"):
        Store("nosuchdialect://x/y")


def test_creates_file_schema_and_wal(tmp_path):
    path = tmp_path / "deep" / "folder" / "p.sqlite3"
    assert Store(path).schema_version() == SCHEMA_VERSION
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"attempts", "cards", "bookmarks", "exams", "variants", "profiles", "schema_version"} <= tables


def test_not_a_database_is_a_store_error(tmp_path):
    bad = tmp_path / "notes.sqlite3"
    bad.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="cannot be used as a progress file"):
        Store(bad)
    assert bad.read_text().startswith("these are my notes")  # and it was left alone
    with pytest.raises(StoreError, match="folder"):
        Store(tmp_path)


def test_a_version_1_file_is_upgraded_without_losing_a_row(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as con:
        con.executescript(V1_SCHEMA)
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION
    [a] = store.attempts("ana")
    assert (a.answer, a.score, a.extra["uuid"]) == ("x^2", 2.0, "u1")
    assert store.get_variant("ana", "q1") == 3
    store.set_identity("ana", "Ana", "ana@x.example")  # the v2 columns are there
    store.add_attempt(Attempt(profile="ana", question_id="q2", answer="y", correct=False, score=0,
                              max_score=1, created_at=T0))
    assert len(Store(path).attempts("ana")) == 2  # opening again migrates nothing twice


def test_migration_from_version_1_on_both_backends(db_url):
    store = Store(db_url)
    store.add_attempt(Attempt(profile="ana", question_id="q1", answer="x", correct=True, score=1,
                              max_score=1, created_at=T0))
    url = db_url if "://" in db_url else f"sqlite:///{db_url}"
    _sql(url, "ALTER TABLE profiles DROP COLUMN display_name", "ALTER TABLE profiles DROP COLUMN email",
         "UPDATE schema_version SET version = 1")
    again = Store(db_url)
    assert again.schema_version() == SCHEMA_VERSION
    assert [a.answer for a in again.attempts("ana")] == ["x"]
    again.set_identity("ana", "Ana", "a@x.example")
    assert again.profile_infos()[0].email == "a@x.example"


def test_newer_schema_is_refused(db_url):
    Store(db_url)
    url = db_url if "://" in db_url else f"sqlite:///{db_url}"
    _sql(url, f"UPDATE schema_version SET version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        Store(db_url)
