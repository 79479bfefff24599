"""The progress store: the only module that speaks SQL, on SQLite or PostgreSQL.

Everything a student leaves behind — attempts, spaced-repetition cards, bookmarks,
mock exams, the variant they were shown, their profile — lives in one database:
an SQLite file by default (a user data folder, or $QUIZ_DB), or a server named by a
SQLAlchemy URL ($QUIZ_DB_URL, e.g. `postgresql+psycopg://user:pw@host/quiz`). One
schema (SQLAlchemy Core tables) and one set of queries serve both. The schema carries
its version in `schema_version` and the migrations below run at start, one
transaction each, under a lock, so an upgrade never loses a row.

Every write is one transaction. SQLite: WAL (readers never block the writer) and
`BEGIN IMMEDIATE`, which takes the write lock up front instead of failing half-way
through a read-then-write with "database is locked". PostgreSQL: SERIALIZABLE, retried
on a serialization failure, so a read that decides a write (a card's review) never
loses a concurrent update. Rows carry natural keys (a UUID per attempt and exam,
(profile, question) for the rest) so a backup imports idempotently on either backend.
Text order is decided in Python, not by the server's collation, so both backends
return the same lists. Every row read goes through quizlib.store_rows' readers: a row
that cannot be read (a bad date, broken JSON, written by hand or by an old bug) is
skipped, logged once, and listed by `unreadable()`, so one bad row never breaks a page.
"""
from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.pool import NullPool

from quizlib.errors import StoreError
from quizlib.model import Attempt
from quizlib.profiles import clean_name
from quizlib.store_rows import (  # re-exported: callers import these from the store
    BACKUP_COLUMNS,
    ORDER,
    Bookmark,
    CardRow,
    ExamRecord,
    ProfileInfo,
    UnreadableRow,
    card_last_review,
    from_iso,  # noqa: F401 - re-exported
    iso,
    read_row,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 30_000  # SQLite: a writer waits this long for the lock (a loaded 2-core machine needs >10 s)
RETRIES = 30              # PostgreSQL: attempts at a transaction that keeps hitting serialization failures
_RETRY_STATES = {"40001", "40P01"}  # serialization failure, deadlock detected
CHUNK = 500               # rows per statement of a backup import (and keys per IN list)

meta = sa.MetaData()
T = sa.Text
profiles_t = sa.Table(
    "profiles", meta,
    sa.Column("name", T, primary_key=True),
    sa.Column("created_at", T, nullable=False),
    sa.Column("display_name", T, nullable=False, server_default=""),  # v2: the provider's name
    sa.Column("email", T, nullable=False, server_default=""),         # v2: the provider's e-mail
)
attempts_t = sa.Table(
    "attempts", meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", T, nullable=False, unique=True),  # natural key: backups import without duplicates
    sa.Column("profile", T, nullable=False),
    sa.Column("question_id", T, nullable=False),
    sa.Column("part_id", T, nullable=False, server_default=""),
    sa.Column("variant", sa.Integer, nullable=False, server_default="0"),
    sa.Column("answer", T, nullable=False),
    sa.Column("correct", sa.Integer, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("max_score", sa.Float, nullable=False),
    sa.Column("created_at", T, nullable=False),  # ISO 8601, UTC, microseconds
    sa.Column("mode", T, nullable=False, server_default="practice"),
    sa.Column("extra", T, nullable=False, server_default="{}"),  # JSON
    sa.Index("attempts_by_question", "profile", "question_id", "created_at"),
)
cards_t = sa.Table(
    "cards", meta,
    sa.Column("profile", T, primary_key=True),
    sa.Column("question_id", T, primary_key=True),
    sa.Column("card", T, nullable=False),  # fsrs.Card as JSON (quizlib.schedule)
    sa.Column("due", T, nullable=False),
    sa.Index("cards_by_due", "profile", "due"),
)
bookmarks_t = sa.Table(
    "bookmarks", meta,
    sa.Column("profile", T, primary_key=True),
    sa.Column("question_id", T, primary_key=True),
    sa.Column("created_at", T, nullable=False),
    sa.Column("note", T, nullable=False, server_default=""),
)
exams_t = sa.Table(
    "exams", meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", T, nullable=False, unique=True),
    sa.Column("profile", T, nullable=False),
    sa.Column("started_at", T, nullable=False),
    sa.Column("deadline", T, nullable=False),  # kept here, not in the browser: a reload keeps it
    sa.Column("questions", T, nullable=False),  # JSON [[question_id, variant], …]
    sa.Column("settings", T, nullable=False, server_default="{}"),
    sa.Column("answers", T, nullable=False, server_default="{}"),  # JSON {"qid/part": text}
    sa.Column("submitted_at", T),
    sa.Column("report", T),  # JSON, once graded
    sa.Column("score", sa.Float),
    sa.Column("max_score", sa.Float),
    sa.Index("exams_by_profile", "profile", "started_at"),
)
variants_t = sa.Table(
    "variants", meta,
    sa.Column("profile", T, primary_key=True),
    sa.Column("question_id", T, primary_key=True),
    sa.Column("variant", sa.Integer, nullable=False),
)
version_t = sa.Table("schema_version", meta, sa.Column("version", sa.Integer, nullable=False))
TABLES = {"attempts": attempts_t, "cards": cards_t, "bookmarks": bookmarks_t, "exams": exams_t,
          "variants": variants_t}


def _v2(con: sa.Connection) -> None:
    """v1 → v2: profiles learn the login provider's name and e-mail (course mode)."""
    for col in ("display_name", "email"):
        con.exec_driver_sql(f"ALTER TABLE profiles ADD COLUMN {col} TEXT NOT NULL DEFAULT ''")


MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {2: _v2}  # version reached → step


def default_db_path() -> Path:
    """$QUIZ_DB, else <XDG_DATA_HOME or ~/.local/share>/dl-exam-trainer/progress.sqlite3."""
    if os.environ.get("QUIZ_DB"):
        return Path(os.environ["QUIZ_DB"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "dl-exam-trainer" / "progress.sqlite3"


def default_db_url() -> str | None:
    """$QUIZ_DB_URL (a SQLAlchemy URL), if set."""
    return os.environ.get("QUIZ_DB_URL") or None


def url_from_settings(section: dict) -> str:
    """A `[connections.quiz]` section (Streamlit's st.connection convention) as a URL."""
    if section.get("url"):
        return str(section["url"])
    if not section.get("dialect"):
        raise StoreError("[connections.quiz] needs `url`, or `dialect` with host and database")
    driver = f"{section['dialect']}+{section['driver']}" if section.get("driver") else str(section["dialect"])
    return sa.URL.create(driver, username=section.get("username"), password=section.get("password"),
                         host=section.get("host"), port=section.get("port"),
                         database=section.get("database")).render_as_string(hide_password=False)


_ENGINES: dict[str, sa.Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(url: str) -> sa.Engine:
    """One engine (and so one connection pool) per server URL per process."""
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = sa.create_engine(url, pool_size=10, max_overflow=40, pool_pre_ping=True)
        return _ENGINES[url]


def _sqlite_engine(path: Path) -> sa.Engine:
    """A connection per operation (NullPool): the file is free between operations."""
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=NullPool,
                              connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con, _record):
        dbapi_con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @event.listens_for(engine, "begin")
    def _on_begin(con):  # the driver is in autocommit mode: transactions are ours
        con.exec_driver_sql("BEGIN IMMEDIATE" if con.get_execution_options().get("write") else "BEGIN")

    return engine


class Store:
    """A progress database. Cheap to create; safe to share between threads.

    `Store()` follows $QUIZ_DB_URL, else $QUIZ_DB / the default SQLite path;
    `Store(path)` opens an SQLite file; `Store("postgresql+psycopg://…")` a server.
    """

    def __init__(self, where: str | os.PathLike | None = None):
        if where is None:
            where = default_db_url() or default_db_path()
        if isinstance(where, str) and "://" in where:
            self.path = None
            try:
                self.engine = _engine(where)
            except (exc.ArgumentError, ImportError) as e:
                raise StoreError(f"cannot use the database URL: {e}") from e
        else:
            self.path = Path(where).expanduser()
            if self.path.is_dir():
                raise StoreError(f"{self.path} is a folder, not a progress file")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the folder for {self.path}: {e}") from e
            self.engine = _sqlite_engine(self.path)
        self.url = self.engine.url.render_as_string(hide_password=True)
        self.dialect = self.engine.dialect.name
        self._insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        self._unreadable: dict[tuple[str, str], tuple[str, str]] = {}  # (table, row key) → (profile, why)
        self._migrate()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # -- transactions -------------------------------------------------------
    def _where(self) -> str:
        return str(self.path) if self.path is not None else self.url

    def _read(self, fn: Callable[[sa.Connection], Any]) -> Any:
        with self._errors(), self.engine.connect() as con:
            return fn(con)

    def _write(self, fn: Callable[[sa.Connection], Any]) -> Any:
        """Run `fn(con)` as one transaction; on PostgreSQL retried while it hits a serialization failure."""
        for attempt in range(RETRIES):
            try:
                with self._errors(), self.engine.connect() as con:
                    if self.dialect == "postgresql":
                        con = con.execution_options(isolation_level="SERIALIZABLE")
                    else:
                        con = con.execution_options(write=True)
                    with con.begin():
                        return fn(con)
            except StoreError as e:
                if getattr(e.__cause__, "orig", None) is None or \
                        getattr(e.__cause__.orig, "sqlstate", None) not in _RETRY_STATES or attempt == RETRIES - 1:
                    raise
                time.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 6)))  # jittered back-off
        raise AssertionError("unreachable")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver errors as StoreError, with the place (never the password) in the message."""
        try:
            yield
        except exc.IntegrityError as e:  # e.g. an attempt whose UUID is already stored
            raise StoreError(f"{self._where()}: a row with this key is already stored ({e.orig})") from e
        except exc.OperationalError as e:
            if self.dialect == "postgresql":
                raise StoreError(f"{self._where()}: {e.orig}") from e
            raise StoreError(f"{self._where()} cannot be used as a progress file: {e.orig}") from e
        except exc.DBAPIError as e:
            raise StoreError(f"{self._where()} cannot be used as a progress file: {e.orig}") from e

    def _migrate(self) -> None:
        """Create the schema, or bring an older one up to SCHEMA_VERSION; refuse a newer one."""
        def step(con: sa.Connection) -> None:
            if self.dialect == "postgresql":  # one starting process migrates, the others wait
                con.execute(sa.text("SELECT pg_advisory_xact_lock(7310012)"))
            names = set(sa.inspect(con).get_table_names())
            if "schema_version" in names:
                version = con.execute(sa.select(version_t.c.version)).scalar_one()
            elif "attempts" in names:  # a file from before the version table (SQLite, version 1)
                version = con.exec_driver_sql("PRAGMA user_version").scalar_one() if self.dialect == "sqlite" else 1
                version_t.create(con)
                con.execute(version_t.insert().values(version=version))
            else:
                meta.create_all(con)
                con.execute(version_t.insert().values(version=SCHEMA_VERSION))
                version = SCHEMA_VERSION
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self._where()} was written by a newer version (schema {version})")
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](con)
            if version < SCHEMA_VERSION:
                con.execute(version_t.update().values(version=SCHEMA_VERSION))

        if self.dialect == "sqlite":  # outside any transaction, on the driver's own connection
            with self._errors():
                raw = self.engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA journal_mode=WAL")
            except self.engine.dialect.loaded_dbapi.DatabaseError as e:
                raise StoreError(f"{self.path} cannot be used as a progress file: {e}") from e
            finally:
                raw.close()
        self._write(step)

    def schema_version(self) -> int:
        return self._read(lambda con: con.execute(sa.select(version_t.c.version)).scalar_one())

    # -- rows that cannot be read ------------------------------------------
    def _readable(self, table: str, rows) -> list:
        """The rows' dataclasses (quizlib.store_rows.read_row), skipping and noting unreadable ones."""
        out = []
        for r in rows:
            try:
                out.append(read_row(table, r))
            except UnreadableRow as e:
                self._note_unreadable(table, r, str(e))
        return out

    def _note_unreadable(self, table: str, r, why: str) -> None:
        key = (table, str(r.get("id") or r.get("uuid") or r.get("question_id")))
        if key not in self._unreadable:  # logged once per row and process, however often it is read
            log.warning("%s: skipping unreadable %s row %s of %r: %s", self._where(), table, key[1],
                        r.get("profile"), why)
            self._unreadable[key] = (str(r.get("profile")), why)

    def unreadable(self, profile: str | None = None) -> list[str]:
        """What was skipped so far as unreadable (of one profile, if given), one line per row."""
        return sorted(f"{table} row {key}: {why}" for (table, key), (p, why) in self._unreadable.items()
                      if profile is None or p == profile)

    # -- profiles -----------------------------------------------------------
    def _ensure_profile(self, con: sa.Connection, name: str, now: datetime | None) -> None:
        """Make the profile if it is new; a new one must follow quizlib.profiles' rule for names.

        One stored before the rule (a 10,000-character name from an old import) keeps working:
        refusing its writes would strand its progress."""
        made = con.execute(self._insert(profiles_t).values(name=name, created_at=iso(now or datetime.now(UTC)))
                           .on_conflict_do_nothing().returning(sa.literal(1))).all()
        if made:
            clean_name(name)  # raises ProfileNameError; the transaction, insert included, rolls back

    def add_profile(self, name: str, now: datetime | None = None) -> None:
        name = clean_name(name)
        self._write(lambda con: self._ensure_profile(con, name, now))

    def profiles(self) -> list[str]:
        def q(con):
            names = sa.union(sa.select(profiles_t.c.name), sa.select(attempts_t.c.profile))
            return sorted(r[0] for r in con.execute(names))
        return self._read(q)

    def set_identity(self, profile: str, display_name: str, email: str, now: datetime | None = None) -> None:
        """Record who a (login) profile is: the provider's name and e-mail."""
        def q(con):
            self._ensure_profile(con, profile, now)
            con.execute(profiles_t.update().where(profiles_t.c.name == profile)
                        .values(display_name=display_name, email=email))
        self._write(q)

    def profile_infos(self) -> list[ProfileInfo]:
        """Every profile with its name and e-mail (empty for local profiles), by profile key."""
        rows = self._read(lambda con: con.execute(sa.select(
            profiles_t.c.name, profiles_t.c.display_name, profiles_t.c.email)).all())
        return sorted(ProfileInfo(*r) for r in rows)

    # -- attempts -----------------------------------------------------------
    def add_attempt(self, a: Attempt) -> int:
        """Store one attempt; returns its row id. extra["uuid"] (made if absent) is its natural key."""
        extra = dict(a.extra)
        key = str(extra.pop("uuid", None) or uuid.uuid4())
        row = {"uuid": key, "profile": a.profile, "question_id": a.question_id, "part_id": a.part_id,
               "variant": a.variant, "answer": a.answer, "correct": int(a.correct), "score": float(a.score),
               "max_score": float(a.max_score), "created_at": iso(a.created_at), "mode": a.mode,
               "extra": json.dumps(extra)}

        def q(con):
            self._ensure_profile(con, a.profile, a.created_at)
            return con.execute(attempts_t.insert().values(**row).returning(attempts_t.c.id)).scalar_one()
        return self._write(q)

    def attempts(self, profile: str, question_id: str | None = None) -> list[Attempt]:
        """A profile's attempts, oldest first (optionally of one question)."""
        s = sa.select(attempts_t).where(attempts_t.c.profile == profile)
        if question_id is not None:
            s = s.where(attempts_t.c.question_id == question_id)
        rows = self._read(lambda con: con.execute(s.order_by(attempts_t.c.created_at, attempts_t.c.id)).mappings().all())
        return self._readable("attempts", rows)

    # -- variants -----------------------------------------------------------
    def get_variant(self, profile: str, question_id: str) -> int | None:
        rows = self._read(lambda con: con.execute(sa.select(variants_t).where(
            variants_t.c.profile == profile, variants_t.c.question_id == question_id)).mappings().all())
        return next((k for _, k in self._readable("variants", rows)), None)

    def set_variant(self, profile: str, question_id: str, variant: int) -> None:
        ins = self._insert(variants_t).values(profile=profile, question_id=question_id, variant=int(variant))
        self._write(lambda con: con.execute(ins.on_conflict_do_update(
            index_elements=["profile", "question_id"], set_={"variant": ins.excluded.variant})))

    def variants(self, profile: str) -> dict[str, int]:
        rows = self._read(lambda con: con.execute(sa.select(variants_t).where(variants_t.c.profile == profile))
                          .mappings().all())
        return dict(self._readable("variants", rows))

    # -- cards (spaced repetition) -----------------------------------------
    def get_card(self, profile: str, question_id: str) -> CardRow | None:
        rows = self._read(lambda con: con.execute(sa.select(cards_t).where(
            cards_t.c.profile == profile, cards_t.c.question_id == question_id)).mappings().all())
        return next(iter(self._readable("cards", rows)), None)

    def update_card(self, profile: str, question_id: str,
                    change: Callable[[str | None], tuple[str, datetime]]) -> CardRow:
        """Read-modify-write one card atomically: `change(old JSON or None) -> (new JSON, due)`.

        `change` must be pure: on PostgreSQL a conflicting transaction makes it run again.
        An unreadable stored card counts as none: the review replaces it with a readable one."""
        def q(con):
            old = con.execute(sa.select(cards_t).where(
                cards_t.c.profile == profile, cards_t.c.question_id == question_id)).mappings().first()
            readable = self._readable("cards", [old] if old is not None else [])
            card, due = change(readable[0].card if readable else None)
            self._put_card(con, profile, question_id, card, iso(due))
            return CardRow(question_id, card, due)
        return self._write(q)

    def _put_card(self, con: sa.Connection, profile: str, question_id: str, card: str, due: str) -> None:
        ins = self._insert(cards_t).values(profile=profile, question_id=question_id, card=card, due=due)
        con.execute(ins.on_conflict_do_update(index_elements=["profile", "question_id"],
                                              set_={"card": ins.excluded.card, "due": ins.excluded.due}))

    def cards(self, profile: str, due_before: datetime | None = None) -> list[CardRow]:
        """A profile's cards, soonest due first (only those due at or before `due_before` if given)."""
        return [c for _, c in self._cards(cards_t.c.profile == profile, due_before)]

    def _cards(self, where, due_before: datetime | None) -> list[tuple[str, CardRow]]:
        s = sa.select(cards_t).where(where)
        rows = []
        for r in self._read(lambda con: con.execute(s).mappings().all()):
            rows += [(r["profile"], c) for c in self._readable("cards", [r])]
        if due_before is not None:  # compared as datetimes, not as text in the server's collation
            rows = [(p, c) for p, c in rows if c.due <= due_before]
        return sorted(rows, key=lambda pc: (pc[1].due, pc[1].question_id, pc[0]))

    # -- bookmarks ----------------------------------------------------------
    def add_bookmark(self, profile: str, question_id: str, now: datetime, note: str = "") -> None:
        def q(con):
            self._ensure_profile(con, profile, now)
            ins = self._insert(bookmarks_t).values(profile=profile, question_id=question_id, created_at=iso(now),
                                                   note=note)
            con.execute(ins.on_conflict_do_update(index_elements=["profile", "question_id"],
                                                  set_={"note": ins.excluded.note}))
        self._write(q)

    def remove_bookmark(self, profile: str, question_id: str) -> None:
        self._write(lambda con: con.execute(bookmarks_t.delete().where(
            bookmarks_t.c.profile == profile, bookmarks_t.c.question_id == question_id)))

    def bookmarks(self, profile: str) -> list[Bookmark]:
        rows = self._read(lambda con: con.execute(sa.select(bookmarks_t).where(bookmarks_t.c.profile == profile))
                          .mappings().all())
        return sorted(self._readable("bookmarks", rows), key=lambda b: (b.created_at, b.question_id))

    # -- exams --------------------------------------------------------------
    def add_exam(self, profile: str, started_at: datetime, deadline: datetime,
                 questions: list[tuple[str, int]], settings: dict | None = None) -> ExamRecord:
        row = {"uuid": str(uuid.uuid4()), "profile": profile, "started_at": iso(started_at),
               "deadline": iso(deadline), "questions": json.dumps([list(q) for q in questions]),
               "settings": json.dumps(settings or {})}

        def q(con):
            self._ensure_profile(con, profile, started_at)
            return con.execute(exams_t.insert().values(**row).returning(exams_t.c.id)).scalar_one()
        return self.get_exam(self._write(q))

    def get_exam(self, exam_id: int) -> ExamRecord | None:
        rows = self._read(lambda con: con.execute(sa.select(exams_t).where(exams_t.c.id == exam_id)).mappings().all())
        return next(iter(self._readable("exams", rows)), None)

    def exams(self, profile: str) -> list[ExamRecord]:
        """A profile's exams, newest first."""
        s = sa.select(exams_t).where(exams_t.c.profile == profile)
        rows = self._read(lambda con: con.execute(s).mappings().all())
        return sorted(self._readable("exams", rows), key=lambda e: (e.started_at, e.id), reverse=True)

    def save_exam_answers(self, exam_id: int, answers: dict) -> None:
        """Keep the answers typed so far (only while the exam is open)."""
        self._write(lambda con: con.execute(exams_t.update().where(
            exams_t.c.id == exam_id, exams_t.c.submitted_at.is_(None)).values(answers=json.dumps(answers))))

    def finish_exam(self, exam_id: int, submitted_at: datetime, answers: dict, report: dict,
                    score: float, max_score: float) -> bool:
        """Store the graded exam once; False if it had already been submitted (a double click)."""
        return self._write(lambda con: con.execute(exams_t.update().where(
            exams_t.c.id == exam_id, exams_t.c.submitted_at.is_(None)).values(
            submitted_at=iso(submitted_at), answers=json.dumps(answers), report=json.dumps(report),
            score=score, max_score=max_score)).rowcount == 1)

    def update_exam_report(self, exam_id: int, report: dict, score: float) -> None:
        """Replace a submitted exam's report (self-graded derivations change the score)."""
        self._write(lambda con: con.execute(exams_t.update().where(
            exams_t.c.id == exam_id, exams_t.c.submitted_at.is_not(None)).values(
            report=json.dumps(report), score=score)))

    # -- the whole class, for the teacher's view only (quizlib.course decides who may) --
    def class_attempts(self) -> list[Attempt]:
        """Every profile's attempts, oldest first."""
        s = sa.select(attempts_t).order_by(attempts_t.c.created_at, attempts_t.c.id)
        return self._readable("attempts", self._read(lambda con: con.execute(s).mappings().all()))

    def class_cards(self, due_before: datetime | None = None) -> list[tuple[str, CardRow]]:
        """Every profile's cards as (profile, card), soonest due first."""
        return self._cards(sa.true(), due_before)

    def class_exams(self) -> list[ExamRecord]:
        """Every profile's exams, newest first."""
        rows = self._read(lambda con: con.execute(sa.select(exams_t)).mappings().all())
        return sorted(self._readable("exams", rows), key=lambda e: (e.started_at, e.id), reverse=True)

    # -- backup: plain rows keyed by natural keys, never by row id -----------
    def dump_profile(self, profile: str) -> dict[str, list[dict]]:
        """Every readable row of a profile, table by table, without row ids (JSON-ready).

        An unreadable row is left out (and noted, see `unreadable`): the backup of a profile with
        one bad row still holds all the others, and importing it back never fails on that row."""
        def q(con):
            out = {}
            for table, cols in BACKUP_COLUMNS.items():
                t = TABLES[table]
                ids = [t.c.id] if "id" in t.c else []
                rows = [dict(r) for r in con.execute(sa.select(*ids, *(t.c[c] for c in cols))
                                                     .where(t.c.profile == profile)).mappings()]
                good = []
                for r in rows:
                    if self._readable(table, [r]):
                        r.pop("id", None)
                        good.append(r)
                out[table] = sorted(good, key=lambda r: tuple(r[c] for c in ORDER[table]))
            return out
        return self._read(q)

    def _keys_in(self, con: sa.Connection, t: sa.Table, profile: str, keys: list[str]) -> dict[str, str]:
        """The natural key each backed-up attempt or exam gets in `profile`.

        A UUID is unique in the whole store. Free, or already this profile's, it is kept (so a
        second import finds it and adds nothing); held by another profile (a backup of `default`
        imported into `alice` on the same machine) the row gets uuid5(original, profile): a new
        key, the same one at every import, so importing twice into alice still adds nothing."""
        owner: dict[str, str] = {}
        for i in range(0, len(keys), CHUNK):
            owner.update(con.execute(sa.select(t.c.uuid, t.c.profile).where(t.c.uuid.in_(keys[i:i + CHUNK]))).all())
        return {k: k if owner.get(k, profile) == profile else str(uuid.uuid5(uuid.UUID(k), profile)) for k in keys}

    def load_profile(self, profile: str, tables: dict[str, list[dict]], now: datetime) -> dict[str, dict]:
        """Add the rows of a dump to `profile`, skipping those already here; one transaction.

        The rows must have passed quizlib.backup_check. Returns {table: {"added": n, "skipped": m}}.
        A card already here is replaced only by one reviewed later (its JSON's last_review), so
        merging two machines keeps the newer schedule; an unreadable card here is replaced.
        """
        profile = clean_name(profile)

        def q(con):
            summary = {t: {"added": 0, "skipped": 0} for t in BACKUP_COLUMNS}
            self._ensure_profile(con, profile, now)
            exam_keys = self._keys_in(con, exams_t, profile, [r["uuid"] for r in tables.get("exams", [])])
            for table, cols in BACKUP_COLUMNS.items():
                t, rows = TABLES[table], tables.get(table, [])
                if table == "cards":
                    for row in rows:
                        old = con.execute(sa.select(t).where(
                            t.c.profile == profile, t.c.question_id == row["question_id"])).mappings().first()
                        readable = self._readable("cards", [old] if old is not None else [])
                        if readable and card_last_review(readable[0].card) >= card_last_review(row["card"]):
                            summary[table]["skipped"] += 1
                            continue
                        self._put_card(con, profile, row["question_id"], row["card"], row["due"])
                        summary[table]["added"] += 1
                    continue
                keys = self._keys_in(con, t, profile, [r["uuid"] for r in rows]) if "uuid" in cols else {}
                values = [{c: profile if c == "profile" else row[c] for c in cols} for row in rows]
                for v in values:
                    if "uuid" in v:
                        v["uuid"] = keys[v["uuid"]]
                    if table == "attempts":
                        v["extra"] = _exam_ref(v["extra"], exam_keys)
                ins = self._insert(t).on_conflict_do_nothing().returning(sa.literal(1))
                for i in range(0, len(values), CHUNK):  # one statement per chunk: a skipped row returns none
                    n = len(con.execute(ins, values[i:i + CHUNK]).all())
                    summary[table]["added"] += n
                    summary[table]["skipped"] += len(values[i:i + CHUNK]) - n
            return summary
        return self._write(q)


def _exam_ref(extra: str, exam_keys: dict[str, str]) -> str:
    """An attempt's extra JSON with its "exam" (the exam's UUID, quizlib.exam) moved to the exam's key here."""
    ref = json.loads(extra).get("exam")
    if not isinstance(ref, str) or exam_keys.get(ref, ref) == ref:
        return extra  # unchanged, byte for byte: a same-profile import still finds the row identical
    return json.dumps({**json.loads(extra), "exam": exam_keys[ref]})
