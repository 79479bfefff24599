"""Rows the store cannot read (written past its API) are skipped, noted once and left out of backups,
on SQLite and PostgreSQL; and the one rule for profile names (quizlib.profiles) holds in the store."""
from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from quizlib import export, profiles, progress
from quizlib import store as store_module
from quizlib.model import Attempt
from quizlib.profiles import ProfileNameError
from quizlib.store import Store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def good_attempt(store: Store, qid: str, minutes: int = 0) -> None:
    progress.record_attempt(store, Attempt(profile="ana", question_id=qid, answer="x", correct=False, score=0,
                                           max_score=1, created_at=T0 + timedelta(minutes=minutes)))


def raw(store: Store, table: str, **values) -> None:
    with store.engine.begin() as con:
        con.execute(sa.text(f"INSERT INTO {table} ({', '.join(values)}) VALUES "
                            f"({', '.join(':' + c for c in values)})"), values)


def test_unreadable_rows_are_skipped_and_noted_once(db_url, caplog):
    store = Store(db_url)
    good_attempt(store, "q1")
    good_attempt(store, "q2", 1)
    bad = {"uuid": str(uuid.uuid4()), "profile": "ana", "question_id": "q3", "answer": "x", "correct": 1,
           "score": 1.0, "max_score": 1.0}
    raw(store, "attempts", **bad, created_at="not a date", extra="{}")
    raw(store, "attempts", **{**bad, "uuid": str(uuid.uuid4())}, created_at=store_module.iso(T0), extra="{{{")
    raw(store, "attempts", **{**bad, "uuid": str(uuid.uuid4())}, created_at="2026-03-01T09:00:00", extra="{}")
    raw(store, "exams", uuid=str(uuid.uuid4()), profile="ana", started_at=store_module.iso(T0),
        deadline=store_module.iso(T0), questions='[["q1", 99999999999]]')
    raw(store, "bookmarks", profile="ana", question_id="q1", created_at="yesterday")
    with store.engine.begin() as con:  # the card of q1 (from the good attempt) broken in place
        con.execute(sa.text("UPDATE cards SET card = '{{{' WHERE question_id = 'q1'"))
    with caplog.at_level(logging.WARNING, logger="quizlib.store"):
        for _ in range(3):
            assert [a.question_id for a in store.attempts("ana")] == ["q1", "q2"]
            assert [a.question_id for a in store.class_attempts()] == ["q1", "q2"]
            assert store.exams("ana") == [] and store.class_exams() == []
            assert store.bookmarks("ana") == []
            assert [c.question_id for c in store.cards("ana")] == ["q2"]
    assert len(store.unreadable("ana")) == 6 and store.unreadable("ben") == []
    assert len([r for r in caplog.records if "unreadable" in r.message]) == 6  # logged once per row
    joined = "\n".join(store.unreadable())
    assert "created_at is not a date ('not a date')" in joined and "has no time zone" in joined
    assert "extra is not JSON" in joined and "variant is out of range" in joined and "card is not JSON" in joined
    # the backup leaves them out and imports back cleanly
    data = export.backup_json(store, "ana", T0)
    assert {t: len(r) for t, r in json.loads(data)["tables"].items()} == {
        "attempts": 2, "cards": 1, "bookmarks": 0, "exams": 0, "variants": 0}
    assert export.import_backup(store, data, T0, profile="zoe")["tables"]["attempts"]["added"] == 2
    # a review replaces the broken card with a readable one
    good_attempt(store, "q1", 5)
    assert sorted(c.question_id for c in store.cards("ana")) == ["q1", "q2"]


def test_one_rule_for_profile_names(db_url):
    assert profiles.clean_name("  ana  ") == "ana"
    assert profiles.clean_name("n" * profiles.MAX_NAME) == "n" * 40
    assert profiles.clean_name("sub:" + "s" * 255).startswith("sub:")  # a login's key (quizlib.course)
    for bad, why in [("", "needs a name"), ("   ", "needs a name"), ("n" * 41, "at most 40 characters"),
                     ("x" * 10_000, "this one has 10000"), ("a\nb", "control characters"),
                     ("a\x00b", "control characters"), ("sub:" + "s" * 256, "at most 259"), (7, "not int")]:
        assert why in profiles.name_problem(bad)
        with pytest.raises(ProfileNameError, match=why):
            profiles.clean_name(bad)
    store = Store(db_url)
    with pytest.raises(ProfileNameError, match="at most 40"):
        store.add_profile("n" * 41)
    with pytest.raises(ProfileNameError, match="at most 40"):
        store.load_profile("n" * 41, {}, T0)
    with pytest.raises(ProfileNameError):
        store.add_attempt(Attempt(profile="a\nb", question_id="q", answer="x", correct=True, score=1,
                                  max_score=1, created_at=T0))
    assert store.profiles() == []
    store.add_profile(" ana ")
    assert store.profiles() == ["ana"]


def test_a_profile_stored_before_the_rule_keeps_working(db_url):
    store = Store(db_url)
    old = "o" * 100  # e.g. from an import before the rule
    raw(store, "profiles", name=old, created_at=store_module.iso(T0))
    store.add_attempt(Attempt(profile=old, question_id="q", answer="x", correct=True, score=1, max_score=1,
                              created_at=T0))
    assert len(store.attempts(old)) == 1 and old in store.profiles()
