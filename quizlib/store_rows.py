"""The rows the progress store hands out, and how they are written as text — no SQL here.

quizlib.store (the only module speaking SQL) reads and writes these: cards, bookmarks
and exams as frozen dataclasses (attempts are quizlib.model.Attempt), datetimes as
sortable UTC ISO text, and the list of columns a profile backup carries per table.
The readers at the end turn a stored row into its dataclass and check every value on
the way (types, dates with a time zone, JSON of the right shape and depth); a row they
cannot read raises UnreadableRow, so the store can skip it instead of crashing a page,
and the backup check (quizlib.backup_check) refuses a file holding such a row.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from quizlib.model import Attempt


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


# -- readers: a stored row → its dataclass, every value checked --------------------------
MAX_DEPTH = 12         # nesting of a stored JSON value; the app's deepest (an exam report) is 5
MAX_INT = 2**31 - 1    # variants and card ids fit a 32-bit column on both backends (card ids: 64-bit)


class UnreadableRow(ValueError):
    """A stored (or backed-up) row whose values the app cannot use; the message says which."""


def _fail(column: str, why: str) -> UnreadableRow:
    return UnreadableRow(f"{column} {why}")


def text(v: Any, column: str) -> str:
    if not isinstance(v, str):
        raise _fail(column, f"is not text ({_show(v)})")
    return v


def integer(v: Any, column: str, lo: int = 0, hi: int = MAX_INT) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _fail(column, f"is not a whole number ({_show(v)})")
    if not lo <= v <= hi:
        raise _fail(column, f"is out of range ({_show(v)}; {lo}..{hi})")
    return v


def number(v: Any, column: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _fail(column, f"is not a number ({_show(v)})")
    try:
        f = float(v)
    except OverflowError:  # an int beyond 1e308
        raise _fail(column, f"is too large ({_show(v)})") from None
    if not math.isfinite(f) or abs(f) > 1e9:  # scores are points: 1e9 is no exam
        raise _fail(column, f"is out of range ({_show(v)})")
    return f


def date(v: Any, column: str) -> datetime:
    s = text(v, column)
    try:
        t = datetime.fromisoformat(s)
    except ValueError:
        raise _fail(column, f"is not a date ({_show(v)})") from None
    if t.tzinfo is None:  # compared with aware UTC times everywhere: a naive one would raise later
        raise _fail(column, f"has no time zone ({_show(v)})")
    return t


def depth(value: Any) -> int:
    """How deeply lists and objects nest in a JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict | list):
            deepest = max(deepest, d + 1)
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def json_value(v: Any, column: str, kind: type = dict) -> Any:
    """A column holding JSON text: parsed, of type `kind`, at most MAX_DEPTH deep."""
    s = text(v, column)
    try:
        out = json.loads(s)
    except RecursionError:
        raise _fail(column, f"nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as e:  # not JSON, or an integer of more digits than Python converts
        raise _fail(column, f"is not JSON ({_show(s)}: {e})") from None
    if not isinstance(out, kind):
        raise _fail(column, f"is not a JSON {'object' if kind is dict else 'list'} ({_show(s)})")
    if depth(out) > MAX_DEPTH:
        raise _fail(column, f"nests deeper than {MAX_DEPTH} levels")
    return out


def _show(v: Any, n: int = 40) -> str:
    """A short, safe picture of a value for a message (repr of a deep list would itself recurse)."""
    if isinstance(v, dict | list):
        return "an object" if isinstance(v, dict) else "a list"
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10**30:
        return f"a number of about {int(v.bit_length() * 0.30103) + 1} digits"  # log10(2): str() may refuse
    r = repr(v)
    return r if len(r) <= n else r[:n] + "…"


def _keys(d: Any, spec: Mapping[str, Callable[[Any, str], Any]], where: str) -> None:
    """Each key of `spec` present in object `d` and accepted by its check."""
    if not isinstance(d, dict):
        raise _fail(where, "is not an object")
    for k, check in spec.items():
        if k not in d:
            raise _fail(where, f"lacks {k!r}")
        check(d[k], f"{where}.{k}")


def _rubric(v: Any, column: str) -> None:
    if not isinstance(v, list) or not all(isinstance(r, list) and len(r) == 2 for r in v):
        raise _fail(column, "is not a list of [text, points]")
    for i, (t, p) in enumerate(v):
        text(t, f"{column}[{i}]")
        number(p, f"{column}[{i}]")


def _ticked(v: Any, column: str) -> None:
    if not isinstance(v, list):
        raise _fail(column, "is not a list")
    for i, x in enumerate(v):
        integer(x, f"{column}[{i}]", hi=10_000)


_REPORT_PART = {"part_id": text, "kind": text, "verdict": text, "given": text, "reference": text,
                "score": number, "max": number, "rubric": _rubric, "ticked": _ticked}
_REPORT_ITEM = {"question_id": text, "title": text, "prompt": text, "score": number, "points": number}


def _report(report: dict) -> dict:
    """The keys quizlib.exam and the report page read, each of its type (optional texts may be absent)."""
    items = report.get("items")
    if not isinstance(items, list):
        raise _fail("report", "has no list of items")
    for i, it in enumerate(items):
        _keys(it, _REPORT_ITEM, f"report item {i + 1}")
        if not isinstance(it.get("parts"), list):
            raise _fail(f"report item {i + 1}", "has no list of parts")
        for j, p in enumerate(it["parts"]):
            _keys(p, _REPORT_PART, f"report item {i + 1} part {j + 1}")
            for k in ("solution", "message", "latex", "reference_latex"):
                if k in p and not isinstance(p[k], str):
                    raise _fail(f"report item {i + 1} part {j + 1}.{k}", "is not text")
    return report


def _nullable(check: Callable[[Any, str], Any], v: Any, column: str) -> Any:
    return None if v is None else check(v, column)


def attempt_from_row(r: Mapping) -> Attempt:
    extra = json_value(r["extra"], "extra")
    extra["uuid"] = text(r["uuid"], "uuid")
    correct = integer(r["correct"], "correct", hi=1)
    return Attempt(profile=text(r["profile"], "profile"), question_id=text(r["question_id"], "question_id"),
                   answer=text(r["answer"], "answer"), correct=bool(correct), score=number(r["score"], "score"),
                   max_score=number(r["max_score"], "max_score"), created_at=date(r["created_at"], "created_at"),
                   variant=integer(r["variant"], "variant"), part_id=text(r["part_id"], "part_id"),
                   mode=text(r["mode"], "mode"), id=r.get("id"), extra=extra)


def _exam_questions(v: Any) -> tuple[tuple[str, int], ...]:
    qs = json_value(v, "questions", list)
    if not all(isinstance(x, list) and len(x) == 2 for x in qs):
        raise _fail("questions", "is not a list of [question id, variant]")
    return tuple((text(q, "questions' question id"), integer(k, "questions' variant")) for q, k in qs)


def exam_from_row(r: Mapping) -> ExamRecord:
    answers = json_value(r["answers"], "answers")
    for k, v in answers.items():
        text(v, f"answers[{k!r}]")
    report = None if r["report"] is None else _report(json_value(r["report"], "report"))
    return ExamRecord(
        id=r.get("id"), uuid=text(r["uuid"], "uuid"), profile=text(r["profile"], "profile"),
        started_at=date(r["started_at"], "started_at"), deadline=date(r["deadline"], "deadline"),
        questions=_exam_questions(r["questions"]), settings=json_value(r["settings"], "settings"), answers=answers,
        submitted_at=_nullable(date, r["submitted_at"], "submitted_at"), report=report,
        score=_nullable(number, r["score"], "score"), max_score=_nullable(number, r["max_score"], "max_score"))


_CARD = {"card_id": lambda v, c: integer(v, c, hi=2**63 - 1), "state": lambda v, c: integer(v, c, 1, 3),
         "step": lambda v, c: _nullable(lambda x, cc: integer(x, cc, hi=1000), v, c),
         "stability": lambda v, c: _nullable(number, v, c), "difficulty": lambda v, c: _nullable(number, v, c),
         "due": date, "last_review": lambda v, c: _nullable(date, v, c)}


def card_from_row(r: Mapping) -> CardRow:
    """A card row. The store keeps any JSON object (its last_review, if any, a date: merges compare
    it); quizlib.schedule reads it as an fsrs.Card, whose fields `check_fsrs_card` checks."""
    card = json_value(r["card"], "card")
    _nullable(date, card.get("last_review"), "card.last_review")
    return CardRow(text(r["question_id"], "question_id"), r["card"], date(r["due"], "due"))


def check_fsrs_card(card_json: str) -> None:
    """UnreadableRow unless the JSON holds every field of an fsrs.Card, each of its type."""
    _keys(json_value(card_json, "card"), _CARD, "card")


def bookmark_from_row(r: Mapping) -> Bookmark:
    return Bookmark(text(r["question_id"], "question_id"), date(r["created_at"], "created_at"),
                    text(r["note"], "note"))


def variant_from_row(r: Mapping) -> tuple[str, int]:
    return text(r["question_id"], "question_id"), integer(r["variant"], "variant")


READERS: dict[str, Callable[[Mapping], Any]] = {
    "attempts": attempt_from_row, "cards": card_from_row, "bookmarks": bookmark_from_row,
    "exams": exam_from_row, "variants": variant_from_row}


def read_row(table: str, r: Mapping) -> Any:
    """READERS[table](r), any failure as UnreadableRow (a missing column, a wrong type deep inside)."""
    try:
        return READERS[table](r)
    except UnreadableRow:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, RecursionError) as e:
        raise UnreadableRow(f"cannot be read ({type(e).__name__}: {_show(str(e), 60)})") from None
