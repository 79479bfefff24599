"""Hostile backups: every file of a corpus built here is refused whole with a message naming what is
wrong (and the store is unchanged: a full export before and after is identical, on SQLite and
PostgreSQL), or imported whole. Nothing raises anything but the store's own StoreError."""
from __future__ import annotations

import copy
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from study_fixtures import banks, fake_grade

from quizlib import backup_check, exam, export, progress
from quizlib.backup_check import BackupError
from quizlib.errors import StoreError
from quizlib.model import Attempt
from quizlib.store import Store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def fill(store: Store, profile: str = "ana") -> None:
    for i, ok in enumerate([True, False, True]):
        progress.record_attempt(store, Attempt(profile=profile, question_id=f"l1-{'ab'[i % 2]}", answer=f"a{i}",
                                               correct=ok, score=2.0 * ok, max_score=2.0,
                                               created_at=T0 + timedelta(minutes=i), variant=i))
    store.add_bookmark(profile, "l2-b", T0, note="ask")
    store.set_variant(profile, "l1-a", 2)
    e = exam.start(store, profile, banks(), exam.ExamSettings(n_questions=2, seed=4), T0)
    exam.submit(store, e, banks(), {}, T0 + timedelta(minutes=5), grade=fake_grade)


def _good() -> dict:
    with tempfile.TemporaryDirectory() as tmp:  # built at collection, before conftest isolates $QUIZ_DB
        store = Store(Path(tmp) / "good.sqlite3")
        fill(store)
        return export.backup(store, "ana", T0)


GOOD = _good()


def edit(change) -> str:
    """The good backup, changed by `change(doc)` (which may also return a whole new text)."""
    doc = copy.deepcopy(GOOD)
    out = change(doc)
    return out if isinstance(out, str | bytes) else json.dumps(doc)


def row(table: str, i: int = 0, **values):
    def change(doc):
        doc["tables"][table][i].update(values)
    return change


def nested(n: int) -> str:
    return "[" * n + "]" * n


BIG = 21 * 1024 * 1024
REFUSED = {  # name → (file, a phrase the message must hold)
    # not a backup at all
    "empty": (b"", "not JSON"),
    "png": (b"\x89PNG\r\n\x1a\n\0\0", "not UTF-8"),
    "text": (b"hello, not json", "not JSON"),
    "json-list": ("[1, 2]", "format"),
    "wrong-format": ('{"format": "anki", "version": 1, "tables": {}}', "format"),
    "version-99": (edit(lambda d: d.update(version=99)), "version 99"),
    "version-text": (edit(lambda d: d.update(version="1")), "version '1'"),
    "no-tables": (edit(lambda d: d.pop("tables") and None), "no tables"),
    "tables-list": (edit(lambda d: d.update(tables=[])), "no tables"),
    "unknown-table": (edit(lambda d: d["tables"].update(secrets=[])), "unknown table 'secrets'"),
    "unknown-field": (edit(lambda d: d.update(admin=True)), "unknown field 'admin'"),
    "rows-not-list": (edit(lambda d: d["tables"].update(attempts={"a": 1})), "attempts is not a list"),
    "row-not-object": (edit(lambda d: d["tables"]["attempts"].append("x")), "attempts row 5 is not an object"),
    "missing-column": (edit(lambda d: d["tables"]["attempts"][0].pop("answer") and None), "attempts row 1 lacks answer"),
    "extra-column": (edit(row("cards", evil=1)), "unknown column 'evil'"),
    # wrong types
    "variant-text": (edit(row("variants", variant="two")), "variant is not a whole number"),
    "variant-float": (edit(row("attempts", variant=1.5)), "variant is not a whole number"),
    "correct-2": (edit(row("attempts", correct=2)), "correct is out of range"),
    "correct-bool": (edit(row("attempts", correct=True)), "correct is not a whole number"),
    "score-text": (edit(row("attempts", score="1")), "score is not a number"),
    "score-null": (edit(row("attempts", score=None)), "score is not a number"),
    "answer-number": (edit(row("attempts", answer=5)), "answer is not text"),
    "extra-braces": (edit(row("attempts", extra="{{{")), "extra is not JSON"),
    "extra-list": (edit(row("attempts", extra="[1]")), "extra is not a JSON object"),
    "qid-number": (edit(row("bookmarks", question_id=7)), "question_id is not text"),
    "qid-empty": (edit(row("bookmarks", question_id=" ")), "question_id is empty"),
    "qid-lines": (edit(row("variants", question_id="a\nb")), "spans lines"),
    "questions-braces": (edit(row("exams", questions="{{{")), "questions is not JSON"),
    "questions-shape": (edit(row("exams", questions='[["l1-a"]]')), "questions is not a list of"),
    "answers-not-text": (edit(row("exams", answers='{"l1-a/": 3}')), "is not text"),
    "report-shape": (edit(row("exams", report='{"items": [{"title": "x"}]}')), "lacks 'question_id'"),
    "report-braces": (edit(row("exams", report="{{{")), "report is not JSON"),
    "card-fields": (edit(row("cards", card='{"card_id": 1}')), "card lacks 'state'"),
    "card-state": (edit(lambda d: d["tables"]["cards"][0].update(
        card=json.dumps({**json.loads(d["tables"]["cards"][0]["card"]), "state": 9}))), "card.state is out of range"),
    "note-null": (edit(row("bookmarks", note=None)), "note is not text"),
    # dates
    "date-words": (edit(row("attempts", created_at="not a date")), "created_at is not a date"),
    "date-month-13": (edit(row("bookmarks", created_at="2026-13-01T00:00:00+00:00")), "created_at is not a date"),
    "date-naive": (edit(row("exams", started_at="2026-03-01T09:00:00")), "started_at has no time zone"),
    "date-number": (edit(row("cards", due=12345)), "due is not text"),
    "exported-at": (edit(lambda d: d.update(exported_at="yesterday")), "exported_at is not a date"),
    "submitted-at": (edit(row("exams", submitted_at="soon")), "submitted_at is not a date"),
    # huge numbers
    "variant-1e30": (edit(row("attempts", variant=10**30)), "variant is out of range"),
    "variant-negative": (edit(row("variants", variant=-1)), "variant is out of range"),
    "exam-variant-huge": (edit(row("exams", questions=json.dumps([["l1-a", 10**20]]))), "variant is out of range"),
    "card-id-huge": (edit(lambda d: d["tables"]["cards"][0].update(
        card=json.dumps({**json.loads(d["tables"]["cards"][0]["card"]), "card_id": 10**100}))), "out of range"),
    "score-1e400": (edit(lambda d: json.dumps(d).replace('"score": 2.0', '"score": 1e400', 1)), "score is out of range"),
    "int-5000-digits": (edit(lambda d: json.dumps(d).replace('"variant": 2', '"variant": ' + "9" * 5000, 1)), "not JSON"),
    "nan": (edit(lambda d: json.dumps(d).replace('"score": 2.0', '"score": NaN', 1)), "NaN is not a number"),
    "infinity": (edit(lambda d: json.dumps(d).replace('"score": 2.0', '"score": -Infinity', 1)), "Infinity"),
    # deep nesting
    "deep-file": ('{"format": "dl-exam-trainer-backup", "version": 1, "tables": ' + nested(100_000) + "}",
                  "nests too deeply"),
    "deep-extra": (edit(row("attempts", extra='{"a": ' + nested(50) + "}")), "extra nests deeper than 12"),
    "deep-extra-recursion": (edit(row("attempts", extra='{"a": ' + nested(20_000) + "}")), "extra nests deeper"),
    "deep-settings": (edit(row("exams", settings='{"a": ' + nested(13) + "}")), "settings nests deeper"),
    "deep-row-value": (edit(row("attempts", answer=json.loads(nested(500)))), "answer is not text (a list)"),
    # sizes
    "huge-file": (b" " * BIG + json.dumps(GOOD).encode(), "at most 20 MB"),
    "huge-answer": (edit(row("attempts", answer="x" * 20_001)), "answer has 20001 characters"),
    # names
    "long-name": (edit(lambda d: d.update(profile="x" * 10_000)), "at most 40 characters (this one has 10000)"),
    "name-newline": (edit(lambda d: d.update(profile="ana\nben")), "control characters"),
    "name-empty": (edit(lambda d: d.update(profile="  ")), "needs a name"),
    "name-number": (edit(lambda d: d.update(profile=42)), "text, not int"),
    # another profile's data inside this profile's backup
    "another-profile": (edit(row("attempts", 1, profile="ben")), "attempts row 2 belongs to another profile ('ben'"),
    # ids
    "uuid-word": (edit(row("attempts", uuid="x")), "uuid is not a UUID"),
    "uuid-number": (edit(row("exams", uuid=5)), "uuid is not a UUID"),
    "uuid-twice": (edit(lambda d: d["tables"]["attempts"][1].update(uuid=d["tables"]["attempts"][0]["uuid"])),
                   "appears twice"),
    "card-twice": (edit(lambda d: d["tables"]["cards"].append(dict(d["tables"]["cards"][0]))), "appears twice"),
}
N = sum(len(rows) for rows in GOOD["tables"].values())
ACCEPTED = {  # name → (file, import into, rows the store gains)
    "good": (json.dumps(GOOD), None, N),
    "bom": (b"\xef\xbb\xbf" + json.dumps(GOOD).encode(), None, N),
    "into-another-profile": (json.dumps(GOOD), "zoe", N),
    "forty-char-name": (edit(lambda d: [d.update(profile="n" * 40)] + [r.update(profile="n" * 40) for rows in
                                                                       d["tables"].values() for r in rows] and None),
                        None, N),
    "unknown-question": (edit(row("bookmarks", question_id="not-in-any-bank")), None, N),
    "empty-tables": (edit(lambda d: d.update(tables={})), None, 0),  # a profile with nothing yet
}


def n_rows(doc: dict) -> int:
    return sum(len(rows) for rows in doc["tables"].values())


def test_the_good_file_has_every_table():
    assert set(GOOD["tables"]) == set(backup_check.BACKUP_COLUMNS) and all(GOOD["tables"].values())
    assert backup_check.check(json.dumps(GOOD)).profile == "ana"


@pytest.mark.parametrize("name", REFUSED)
def test_each_bad_file_is_refused_with_its_reason(name):
    data, phrase = REFUSED[name]
    with pytest.raises(BackupError) as e:
        backup_check.check(data)
    assert phrase in str(e.value), str(e.value)
    assert str(e.value).startswith("This backup cannot be imported")


def test_every_problem_is_listed_at_once():
    def many(doc):
        doc["tables"]["attempts"][0].update(created_at="not a date", variant="x")
        doc["tables"]["attempts"][1]["extra"] = "{{{"
        doc["exported_at"] = "later"
    with pytest.raises(BackupError) as e:
        backup_check.check(edit(many), target="t" * 50)
    assert len(e.value.problems) == 4 and "4 problem(s)" in str(e.value)
    assert "the profile to import into" in str(e.value) and "exported_at is not a date" in str(e.value)
    lots = edit(lambda d: [r.update(variant=-1) for r in d["tables"]["attempts"] * 10])
    assert "variant" in str(pytest.raises(BackupError, backup_check.check, lots).value)


def test_the_message_caps_its_list():
    def bad_rows(doc):
        doc["tables"]["variants"] = [{"question_id": f"q{i}", "variant": -i - 1} for i in range(30)]
    e = pytest.raises(BackupError, backup_check.check, edit(bad_rows)).value
    assert len(e.problems) == 30 and "… and 10 more" in str(e) and str(e).count("\n- ") == 21


def test_unknown_question_ids_are_kept_and_reported():
    store = Store()
    data = ACCEPTED["unknown-question"][0]
    known = {q.id for b in banks() for q in b.questions}
    result = export.import_backup(store, data, T0, known_questions=known)
    assert result["unknown_questions"] == ["not-in-any-bank"]
    assert [b.question_id for b in store.bookmarks("ana")] == ["not-in-any-bank"]


def full_export(store: Store) -> dict:
    return {"profiles": store.profiles(), **{p: store.dump_profile(p) for p in store.profiles()}}


def test_store_unchanged_by_every_refused_file(db_url):
    """One store per backend: after each refused file its full export is identical."""
    store = Store(db_url)
    fill(store, "ana")
    fill(store, "ben")
    before = full_export(store)
    for name, (data, _) in REFUSED.items():
        with pytest.raises(StoreError):
            export.import_backup(store, data, T0, profile="carl")
        assert full_export(store) == before, name
    with pytest.raises(StoreError, match="at most 40 characters"):  # a good file, a bad target name
        export.import_backup(store, json.dumps(GOOD), T0, profile="c" * 41)
    assert full_export(store) == before
    zoe = export.import_backup(store, json.dumps(GOOD), T0, profile="zoe")  # and a good one goes in whole
    assert sum(t["added"] for t in zoe["tables"].values()) == n_rows(GOOD)
    assert {t: len(r) for t, r in store.dump_profile("zoe").items()} == {t: len(r) for t, r in GOOD["tables"].items()}


@pytest.mark.parametrize("name", ACCEPTED)
def test_each_accepted_file_is_imported_whole(name, tmp_path):
    data, target, gained = ACCEPTED[name]
    store = Store(tmp_path / "s.sqlite3")
    result = export.import_backup(store, data, T0, profile=target)
    assert sum(t["added"] for t in result["tables"].values()) == gained
    doc = backup_check.check(data)
    got = store.dump_profile(result["profile"])
    assert {t: len(got[t]) for t in doc.tables} == {t: len(r) for t, r in doc.tables.items()}
    again = export.import_backup(store, data, T0, profile=target)
    assert sum(t["added"] for t in again["tables"].values()) == 0
