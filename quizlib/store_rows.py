"""The rows the progress store hands out, and how they are written as text — no SQL here.

quizlib.store (the only module speaking SQL) reads and writes these: cards, bookmarks
and exams as frozen dataclasses (attempts are quizlib.model.Attempt), datetimes as
sortable UTC ISO text, and the list of columns a profile backup carries per table.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime


def iso(t: datetime) -> str:
    """A datetime as sortable UTC text (naive times are taken as UTC)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(s: str) -> datetime:
    return datetime.fromisoformat(s)


@dataclass(frozen=True)
class CardRow:
    question_id: str
    card: str  # JSON of an fsrs.Card
    due: datetime


@dataclass(frozen=True)
class Bookmark:
    question_id: str
    created_at: datetime
    note: str = ""


@dataclass(frozen=True)
class ExamRecord:
    """One mock exam as stored: its questions, deadline, answers and, once graded, its report."""

    id: int
    uuid: str
    profile: str
    started_at: datetime
    deadline: datetime
    questions: tuple[tuple[str, int], ...]  # (question id, variant) in exam order
    settings: dict = field(default_factory=dict, compare=False, hash=False)
    answers: dict = field(default_factory=dict, compare=False, hash=False)
    submitted_at: datetime | None = None
    report: dict | None = field(default=None, compare=False, hash=False)
    score: float | None = None
    max_score: float | None = None

    @property
    def finished(self) -> bool:
        return self.submitted_at is not None


@dataclass(frozen=True, order=True)
class ProfileInfo:
    """Who a profile is: its key (a free name, or `sub:<subject>` after a login) and, after a login,
    the provider's name and e-mail."""

    name: str
    display_name: str = ""
    email: str = ""


BACKUP_COLUMNS = {  # table → the columns a backup carries (natural keys included, row ids not)
    "attempts": ("uuid", "profile", "question_id", "part_id", "variant", "answer", "correct", "score",
                 "max_score", "created_at", "mode", "extra"),
    "cards": ("profile", "question_id", "card", "due"),
    "bookmarks": ("profile", "question_id", "created_at", "note"),
    "exams": ("uuid", "profile", "started_at", "deadline", "questions", "settings", "answers",
              "submitted_at", "report", "score", "max_score"),
    "variants": ("profile", "question_id", "variant"),
}
ORDER = {"attempts": ("created_at", "uuid"), "cards": ("question_id",), "bookmarks": ("question_id",),
         "exams": ("started_at", "uuid"), "variants": ("question_id",)}  # a backup's row order


def card_last_review(card_json: str) -> datetime:
    t = json.loads(card_json).get("last_review")
    return from_iso(t) if t else datetime.min.replace(tzinfo=UTC)
