"""The progress store: the only module that touches SQLite.

Everything a student leaves behind — attempts, spaced-repetition cards, bookmarks,
mock exams, the variant they were shown, their profile name — lives in one SQLite
file (default: a user data folder, or $QUIZ_DB). Streamlit serves sessions from
several threads, so every operation opens its own connection; the file is in WAL
mode (readers never block the writer) and every write runs in `BEGIN IMMEDIATE`,
which takes the write lock up front instead of failing half-way through a
read-then-write with "database is locked". Rows carry natural keys (a UUID per
attempt and exam, (profile, question) for the rest) so a backup imports idempotently.
"""
from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from quizlib.errors import StoreError
from quizlib.model import Attempt
from quizlib.store_rows import (  # noqa: F401 - re-exported: callers import these from the store
    BACKUP_COLUMNS, ORDER, Bookmark, CardRow, ExamRecord, card_last_review, from_iso, iso,
)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000  # a writer waits this long for the lock before giving up

SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (
    name        TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,          -- natural key: backups import without duplicates
    profile     TEXT NOT NULL,
    question_id TEXT NOT NULL,
    part_id     TEXT NOT NULL DEFAULT '',
    variant     INTEGER NOT NULL DEFAULT 0,
    answer      TEXT NOT NULL,
    correct     INTEGER NOT NULL,
    score       REAL NOT NULL,
    max_score   REAL NOT NULL,
    created_at  TEXT NOT NULL,                 -- ISO 8601, UTC, microseconds: sorts as text
    mode        TEXT NOT NULL DEFAULT 'practice',
    extra       TEXT NOT NULL DEFAULT '{}'     -- JSON
);
CREATE INDEX IF NOT EXISTS attempts_by_question ON attempts (profile, question_id, created_at);
CREATE TABLE IF NOT EXISTS cards (
    profile     TEXT NOT NULL,
    question_id TEXT NOT NULL,
    card        TEXT NOT NULL,                 -- fsrs.Card as JSON (quizlib.schedule)
    due         TEXT NOT NULL,
    PRIMARY KEY (profile, question_id)
);
CREATE INDEX IF NOT EXISTS cards_by_due ON cards (profile, due);
CREATE TABLE IF NOT EXISTS bookmarks (
    profile     TEXT NOT NULL,
    question_id TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (profile, question_id)
);
CREATE TABLE IF NOT EXISTS exams (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    profile      TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    deadline     TEXT NOT NULL,                -- kept here, not in the browser: a reload keeps it
    questions    TEXT NOT NULL,                -- JSON [[question_id, variant], …]
    settings     TEXT NOT NULL DEFAULT '{}',
    answers      TEXT NOT NULL DEFAULT '{}',   -- JSON {"qid/part": text}
    submitted_at TEXT,
    report       TEXT,                         -- JSON, once graded
    score        REAL,
    max_score    REAL
);
CREATE INDEX IF NOT EXISTS exams_by_profile ON exams (profile, started_at);
CREATE TABLE IF NOT EXISTS variants (
    profile     TEXT NOT NULL,
    question_id TEXT NOT NULL,
    variant     INTEGER NOT NULL,
    PRIMARY KEY (profile, question_id)
);
"""


def default_db_path() -> Path:
    """$QUIZ_DB, else <XDG_DATA_HOME or ~/.local/share>/dl-exam-trainer/progress.sqlite3."""
    if os.environ.get("QUIZ_DB"):
        return Path(os.environ["QUIZ_DB"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "dl-exam-trainer" / "progress.sqlite3"


class Store:
    """A progress file. Cheap to create; safe to share between threads."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder, not a progress file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the folder for {self.path}: {e}") from e
        with self._connect() as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path} was written by a newer version (schema {version})")
            con.execute("PRAGMA journal_mode=WAL")
        with self._write() as con:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    con.execute(statement)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- connections --------------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per operation, in autocommit mode (transactions are explicit)."""
        con = None
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            yield con
        except sqlite3.IntegrityError as e:  # e.g. an attempt whose UUID is already stored
            raise StoreError(f"{self.path}: {e}") from e
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path} cannot be used as a progress file: {e}") from e
        finally:
            if con is not None:
                con.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # -- profiles -----------------------------------------------------------
    def add_profile(self, name: str, now: datetime | None = None) -> None:
        name = name.strip()
        if not name:
            raise StoreError("a profile needs a name")
        with self._write() as con:
            _ensure_profile(con, name, now)

    def profiles(self) -> list[str]:
        with self._connect() as con:
            rows = con.execute("SELECT name FROM profiles UNION SELECT profile FROM attempts ORDER BY 1")
            return [r[0] for r in rows]

    # -- attempts -----------------------------------------------------------
    def add_attempt(self, a: Attempt) -> int:
        """Store one attempt; returns its row id. extra["uuid"] (made if absent) is its natural key."""
        extra = dict(a.extra)
        key = str(extra.pop("uuid", None) or uuid.uuid4())
        with self._write() as con:
            _ensure_profile(con, a.profile, a.created_at)
            cur = con.execute(
                "INSERT INTO attempts (uuid, profile, question_id, part_id, variant, answer, correct,"
                " score, max_score, created_at, mode, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (key, a.profile, a.question_id, a.part_id, a.variant, a.answer, int(a.correct),
                 float(a.score), float(a.max_score), iso(a.created_at), a.mode, json.dumps(extra)),
            )
            return cur.lastrowid

    def attempts(self, profile: str, question_id: str | None = None) -> list[Attempt]:
        """A profile's attempts, oldest first (optionally of one question)."""
        sql = "SELECT * FROM attempts WHERE profile = ?"
        args: list = [profile]
        if question_id is not None:
            sql += " AND question_id = ?"
            args.append(question_id)
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            return [_attempt(r) for r in con.execute(sql + " ORDER BY created_at, id", args)]

    # -- variants -----------------------------------------------------------
    def get_variant(self, profile: str, question_id: str) -> int | None:
        with self._connect() as con:
            row = con.execute("SELECT variant FROM variants WHERE profile = ? AND question_id = ?",
                              (profile, question_id)).fetchone()
            return None if row is None else row[0]

    def set_variant(self, profile: str, question_id: str, variant: int) -> None:
        with self._write() as con:
            con.execute("INSERT INTO variants (profile, question_id, variant) VALUES (?,?,?)"
                        " ON CONFLICT (profile, question_id) DO UPDATE SET variant = excluded.variant",
                        (profile, question_id, int(variant)))

    # -- cards (spaced repetition) -----------------------------------------
    def get_card(self, profile: str, question_id: str) -> CardRow | None:
        with self._connect() as con:
            row = con.execute("SELECT question_id, card, due FROM cards WHERE profile = ? AND question_id = ?",
                              (profile, question_id)).fetchone()
            return None if row is None else CardRow(row[0], row[1], from_iso(row[2]))

    def update_card(self, profile: str, question_id: str,
                    change: Callable[[str | None], tuple[str, datetime]]) -> CardRow:
        """Read-modify-write one card atomically: `change(old JSON or None) -> (new JSON, due)`."""
        with self._write() as con:
            row = con.execute("SELECT card FROM cards WHERE profile = ? AND question_id = ?",
                              (profile, question_id)).fetchone()
            card, due = change(None if row is None else row[0])
            con.execute("INSERT INTO cards (profile, question_id, card, due) VALUES (?,?,?,?)"
                        " ON CONFLICT (profile, question_id) DO UPDATE SET card = excluded.card,"
                        " due = excluded.due", (profile, question_id, card, iso(due)))
        return CardRow(question_id, card, due)

    def cards(self, profile: str, due_before: datetime | None = None) -> list[CardRow]:
        """A profile's cards, soonest due first (only those due at or before `due_before` if given)."""
        sql, args = "SELECT question_id, card, due FROM cards WHERE profile = ?", [profile]
        if due_before is not None:
            sql += " AND due <= ?"
            args.append(iso(due_before))
        with self._connect() as con:
            return [CardRow(q, c, from_iso(d)) for q, c, d in con.execute(sql + " ORDER BY due, question_id", args)]

    # -- bookmarks ----------------------------------------------------------
    def add_bookmark(self, profile: str, question_id: str, now: datetime, note: str = "") -> None:
        with self._write() as con:
            _ensure_profile(con, profile, now)
            con.execute("INSERT INTO bookmarks (profile, question_id, created_at, note) VALUES (?,?,?,?)"
                        " ON CONFLICT (profile, question_id) DO UPDATE SET note = excluded.note",
                        (profile, question_id, iso(now), note))

    def remove_bookmark(self, profile: str, question_id: str) -> None:
        with self._write() as con:
            con.execute("DELETE FROM bookmarks WHERE profile = ? AND question_id = ?", (profile, question_id))

    def bookmarks(self, profile: str) -> list[Bookmark]:
        with self._connect() as con:
            rows = con.execute("SELECT question_id, created_at, note FROM bookmarks WHERE profile = ?"
                               " ORDER BY created_at, question_id", (profile,))
            return [Bookmark(q, from_iso(t), n) for q, t, n in rows]

    # -- exams --------------------------------------------------------------
    def add_exam(self, profile: str, started_at: datetime, deadline: datetime,
                 questions: list[tuple[str, int]], settings: dict | None = None) -> ExamRecord:
        key = str(uuid.uuid4())
        with self._write() as con:
            _ensure_profile(con, profile, started_at)
            cur = con.execute(
                "INSERT INTO exams (uuid, profile, started_at, deadline, questions, settings)"
                " VALUES (?,?,?,?,?,?)",
                (key, profile, iso(started_at), iso(deadline), json.dumps([list(q) for q in questions]),
                 json.dumps(settings or {})))
            exam_id = cur.lastrowid
        return self.get_exam(exam_id)

    def get_exam(self, exam_id: int) -> ExamRecord | None:
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            row = con.execute("SELECT * FROM exams WHERE id = ?", (exam_id,)).fetchone()
            return None if row is None else _exam(row)

    def exams(self, profile: str) -> list[ExamRecord]:
        """A profile's exams, newest first."""
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            rows = con.execute("SELECT * FROM exams WHERE profile = ? ORDER BY started_at DESC, id DESC",
                               (profile,))
            return [_exam(r) for r in rows]

    def save_exam_answers(self, exam_id: int, answers: dict) -> None:
        """Keep the answers typed so far (only while the exam is open)."""
        with self._write() as con:
            con.execute("UPDATE exams SET answers = ? WHERE id = ? AND submitted_at IS NULL",
                        (json.dumps(answers), exam_id))

    def finish_exam(self, exam_id: int, submitted_at: datetime, answers: dict, report: dict,
                    score: float, max_score: float) -> bool:
        """Store the graded exam once; False if it had already been submitted (a double click)."""
        with self._write() as con:
            cur = con.execute(
                "UPDATE exams SET submitted_at = ?, answers = ?, report = ?, score = ?, max_score = ?"
                " WHERE id = ? AND submitted_at IS NULL",
                (iso(submitted_at), json.dumps(answers), json.dumps(report), score, max_score, exam_id))
            return cur.rowcount == 1

    def update_exam_report(self, exam_id: int, report: dict, score: float) -> None:
        """Replace a submitted exam's report (self-graded derivations change the score)."""
        with self._write() as con:
            con.execute("UPDATE exams SET report = ?, score = ? WHERE id = ? AND submitted_at IS NOT NULL",
                        (json.dumps(report), score, exam_id))

    def variants(self, profile: str) -> dict[str, int]:
        with self._connect() as con:
            return dict(con.execute("SELECT question_id, variant FROM variants WHERE profile = ?", (profile,)))

    # -- backup: plain rows keyed by natural keys, never by row id -----------
    def dump_profile(self, profile: str) -> dict[str, list[dict]]:
        """Every row of a profile, table by table, without row ids (JSON-ready)."""
        out = {}
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            for table, cols in BACKUP_COLUMNS.items():
                rows = con.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE profile = ?"
                                   f" ORDER BY {ORDER[table]}", (profile,))
                out[table] = [dict(r) for r in rows]
        return out

    def load_profile(self, profile: str, tables: dict[str, list[dict]], now: datetime) -> dict[str, dict]:
        """Add the rows of a dump to `profile`, skipping those already here; one transaction.

        Returns {table: {"added": n, "skipped": m}}. A card already here is replaced only by one
        reviewed later (its JSON's last_review), so merging two machines keeps the newer schedule.
        """
        summary = {t: {"added": 0, "skipped": 0} for t in BACKUP_COLUMNS}
        with self._write() as con:
            _ensure_profile(con, profile, now)
            for table, cols in BACKUP_COLUMNS.items():
                for row in tables.get(table, []):
                    values = [profile if c == "profile" else row[c] for c in cols]
                    if table == "cards":
                        old = con.execute("SELECT card FROM cards WHERE profile = ? AND question_id = ?",
                                          (profile, row["question_id"])).fetchone()
                        if old is not None and card_last_review(old[0]) >= card_last_review(row["card"]):
                            summary[table]["skipped"] += 1
                            continue
                        verb = "INSERT OR REPLACE"
                    else:
                        verb = "INSERT OR IGNORE"
                    cur = con.execute(f"{verb} INTO {table} ({', '.join(cols)})"
                                      f" VALUES ({', '.join('?' * len(cols))})", values)
                    summary[table]["added" if cur.rowcount == 1 else "skipped"] += 1
        return summary


def _ensure_profile(con: sqlite3.Connection, name: str, now: datetime | None) -> None:
    con.execute("INSERT OR IGNORE INTO profiles (name, created_at) VALUES (?, ?)",
                (name, iso(now or datetime.now(timezone.utc))))


def _attempt(r: sqlite3.Row) -> Attempt:
    extra = json.loads(r["extra"])
    extra["uuid"] = r["uuid"]
    return Attempt(profile=r["profile"], question_id=r["question_id"], answer=r["answer"],
                   correct=bool(r["correct"]), score=r["score"], max_score=r["max_score"],
                   created_at=from_iso(r["created_at"]), variant=r["variant"], part_id=r["part_id"],
                   mode=r["mode"], id=r["id"], extra=extra)


def _exam(r: sqlite3.Row) -> ExamRecord:
    return ExamRecord(
        id=r["id"], uuid=r["uuid"], profile=r["profile"], started_at=from_iso(r["started_at"]),
        deadline=from_iso(r["deadline"]), questions=tuple((q, int(v)) for q, v in json.loads(r["questions"])),
        settings=json.loads(r["settings"]), answers=json.loads(r["answers"]),
        submitted_at=from_iso(r["submitted_at"]) if r["submitted_at"] else None,
        report=json.loads(r["report"]) if r["report"] else None, score=r["score"], max_score=r["max_score"])
