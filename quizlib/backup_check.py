"""Checking a profile backup completely before anything is written (plain Python, no SQL).

A backup file is refused whole, with every problem listed at once (as bank errors are:
collected, then raised once), or accepted whole. What is checked: the size (at most
MAX_BYTES, before parsing), UTF-8 and JSON (NaN/Infinity, numbers too long to convert and
nesting past Python's recursion limit are problems, not exceptions), the format marker and
version, the profile name (quizlib.profiles), the tables and their columns (none missing,
none unknown), every row belonging to the backup's profile, attempt and exam ids being
UUIDs, question ids being short single-line text, text sizes, no natural key twice, and
each row passing the very reader the store uses (quizlib.store_rows: types, ranges, dates
with a time zone, JSON of the right shape and at most MAX_DEPTH deep) — so an imported row
can always be read back. Question ids the banks here do not know are kept (the bank may
be added later, or renamed back) and reported in `Backup.unknown_questions`.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from quizlib.errors import StoreError
from quizlib.profiles import name_problem
from quizlib.store_rows import BACKUP_COLUMNS, UnreadableRow, check_fsrs_card, date, read_row

BACKUP_FORMAT = "dl-exam-trainer-backup"
BACKUP_VERSION = 1
MAX_BYTES = 20 * 1024 * 1024  # 20 MB: a year of daily practice is well under 5 MB
MAX_ROWS = 200_000            # per table
MAX_SHOWN = 20                # problems listed in the message (the count says how many more)
TEXT_CAP = {"answer": 20_000, "note": 5_000, "question_id": 200, "part_id": 100, "mode": 20,
            "card": 5_000, "extra": 100_000, "questions": 100_000, "settings": 100_000,
            "answers": 1_000_000, "report": 2_000_000}  # characters per value
TOP_KEYS = {"format", "version", "profile", "exported_at", "tables"}
NATURAL_KEY = {"attempts": "uuid", "exams": "uuid", "cards": "question_id", "bookmarks": "question_id",
               "variants": "question_id"}


class BackupError(StoreError):
    """A backup refused whole; `problems` lists each thing wrong, the message the first MAX_SHOWN."""

    def __init__(self, problems: list[str]):
        self.problems = tuple(problems)
        shown = "\n".join(f"- {p}" for p in self.problems[:MAX_SHOWN])
        more = len(self.problems) - MAX_SHOWN
        tail = f"\n- … and {more} more" if more > 0 else ""
        super().__init__(f"This backup cannot be imported: {len(self.problems)} problem(s).\n{shown}{tail}")


@dataclass(frozen=True)
class Backup:
    """A backup that passed every check."""

    profile: str                       # the profile it was taken of
    exported_at: datetime | None
    tables: dict[str, list[dict]]      # as in the file; every row readable by quizlib.store_rows
    question_ids: frozenset[str] = field(default_factory=frozenset)  # every question id it mentions


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse(data: bytes | str) -> Any:
    """The file as JSON; BackupError (one problem) if it is too big, not UTF-8 or not JSON."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise BackupError([f"the file has {size / 2**20:.1f} MB; a backup may have at most {MAX_BYTES / 2**20:.0f} MB"])
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as e:
        raise BackupError([f"this is not a backup file (not UTF-8 text: {e.reason} at byte {e.start})"]) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise BackupError(["this is not a backup file (its JSON nests too deeply to read)"]) from None
    except ValueError as e:  # not JSON; NaN/Infinity; an integer longer than Python converts (4300 digits)
        raise BackupError([f"this is not a backup file (not JSON: {str(e)[:120]})"]) from None


def _row_problems(table: str, i: int, row: Any, profile: str) -> list[str]:
    where = f"{table} row {i + 1}"
    if not isinstance(row, dict):
        return [f"{where} is not an object"]
    cols = BACKUP_COLUMNS[table]
    out = [f"{where} lacks {c}" for c in cols if c != "profile" and c not in row]
    out += [f"{where} has an unknown column {str(c)[:40]!r}" for c in row if c not in cols]
    if out:
        return out
    if "profile" in row and row["profile"] != profile:
        out.append(f"{where} belongs to another profile ({str(row['profile'])[:40]!r}, "
                   f"the backup is of {profile[:40]!r})")
    for c, cap in TEXT_CAP.items():
        if isinstance(row.get(c), str) and len(row[c]) > cap:
            out.append(f"{where}: {c} has {len(row[c])} characters (at most {cap})")
    if "uuid" in cols:
        try:
            ok = isinstance(row["uuid"], str) and str(uuid.UUID(row["uuid"])) == row["uuid"].lower()
        except ValueError:
            ok = False
        if not ok:
            out.append(f"{where}: uuid is not a UUID ({str(row['uuid'])[:40]!r})")
    qid = row.get("question_id")
    if isinstance(qid, str) and (not qid.strip() or "\n" in qid):
        out.append(f"{where}: question_id is empty or spans lines")
    if out:
        return out
    try:
        read_row(table, {**row, "profile": profile})
        if table == "cards":  # what the scheduler will read at the next review
            check_fsrs_card(row["card"])
    except UnreadableRow as e:
        out.append(f"{where}: {e}")
    return out


def _mentioned(table: str, row: dict) -> list[str]:
    if table == "exams":
        return [q for q, _ in json.loads(row["questions"])]
    return [row["question_id"]]


def check(data: bytes | str, target: str | None = None) -> Backup:
    """The checked backup; BackupError listing every problem (the target profile's name included)."""
    doc = parse(data)
    if not isinstance(doc, dict) or doc.get("format") != BACKUP_FORMAT:
        raise BackupError(["this is not a DL Exam Trainer backup (no 'format' marker)"])
    if doc.get("version") != BACKUP_VERSION:
        v = doc.get("version")
        shown = repr(v)[:20] if isinstance(v, int | str) else f"({type(v).__name__})"
        raise BackupError([f"backup version {shown} is not supported (this app reads {BACKUP_VERSION})"])
    problems = [f"unknown field {str(k)[:40]!r}" for k in doc if k not in TOP_KEYS]
    profile = doc.get("profile", "default")
    why = name_problem(profile)
    if why:
        problems.append(f"the backup's profile: {why}")
        profile = str(profile)
    else:
        profile = profile.strip()
    if target is not None and (why := name_problem(target)):
        problems.append(f"the profile to import into: {why}")
    exported = None
    if doc.get("exported_at") is not None:
        try:
            exported = date(doc["exported_at"], "exported_at")
        except UnreadableRow as e:
            problems.append(str(e))
    tables = doc.get("tables")
    if not isinstance(tables, dict):
        raise BackupError(problems + ["the backup has no tables"])
    mentioned: set[str] = set()
    for table, rows in tables.items():
        if table not in BACKUP_COLUMNS:
            problems.append(f"unknown table {str(table)[:40]!r}")
            continue
        if not isinstance(rows, list):
            problems.append(f"{table} is not a list of rows")
            continue
        if len(rows) > MAX_ROWS:
            problems.append(f"{table} has {len(rows)} rows (at most {MAX_ROWS})")
            continue
        seen: set[str] = set()
        for i, row in enumerate(rows):
            found = _row_problems(table, i, row, profile)
            problems += found
            if not found:
                key = row[NATURAL_KEY[table]]
                if key in seen:
                    problems.append(f"{table} row {i + 1}: {NATURAL_KEY[table]} {key[:40]!r} appears twice")
                seen.add(key)
                mentioned.update(_mentioned(table, row))
    if problems:
        raise BackupError(problems)
    return Backup(profile, exported, tables, frozenset(mentioned))

