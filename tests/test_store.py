"""The progress store on both backends (SQLite and a real PostgreSQL): round trips, profiles,
variants, cards, bookmarks, exams, the teacher's class-wide reads and failed writes."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quizlib.errors import StoreError
from quizlib.model import Attempt
from quizlib.store import ProfileInfo, Store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def attempt(i=0, profile="ana", qid="q1", correct=True, **kw) -> Attempt:
    return Attempt(profile=profile, question_id=qid, answer=f"answer {i}", correct=correct,
                   score=2.0 if correct else 0.0, max_score=2.0, created_at=T0 + timedelta(seconds=i), **kw)


def test_attempt_round_trip_oldest_first(db_url):
    store = Store(db_url)
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


def test_text_survives_unicode_and_quotes(db_url):
    store = Store(db_url)
    text = "σ'(z) = σ(z)(1 − σ(z)); DROP TABLE attempts; -- \"quoted\" \\ back"
    store.add_attempt(Attempt(profile="zoë", question_id="q'1", answer=text, correct=False, score=0.5,
                              max_score=1.0, created_at=T0))
    got = store.attempts("zoë", "q'1")
    assert [a.answer for a in got] == [text] and got[0].score == 0.5


def test_same_uuid_twice_is_refused(db_url):
    store = Store(db_url)
    store.add_attempt(attempt(extra={"uuid": "fixed"}))
    with pytest.raises(StoreError, match="already stored"):
        store.add_attempt(attempt(1, extra={"uuid": "fixed"}))
    assert len(store.attempts("ana")) == 1
    store.add_attempt(attempt(2))  # the failed transaction left nothing locked
    assert len(store.attempts("ana")) == 2


def test_attempts_survive_a_new_store_object(db_url):
    Store(db_url).add_attempt(attempt())
    assert len(Store(db_url).attempts("ana")) == 1


def test_attempts_filter_by_profile_and_question(db_url):
    store = Store(db_url)
    store.add_attempt(attempt(0, qid="q1"))
    store.add_attempt(attempt(1, qid="q2"))
    store.add_attempt(attempt(2, profile="ben"))
    assert [a.question_id for a in store.attempts("ana")] == ["q1", "q2"]
    assert [a.question_id for a in store.attempts("ana", "q2")] == ["q2"]
    assert store.attempts("nobody") == []
    assert store.profiles() == ["ana", "ben"]
    store.add_profile("cleo")
    store.add_profile("Bob")  # byte order, the same on both backends whatever the server's collation
    assert store.profiles() == ["Bob", "ana", "ben", "cleo"]
    with pytest.raises(StoreError):
        store.add_profile("  ")


def test_identity_of_a_login_profile(db_url):
    store = Store(db_url)
    store.set_identity("sub:123", "Ana Lima", "ana@uni.example", now=T0)
    store.set_identity("sub:123", "Ana M. Lima", "ana@uni.example", now=T0)
    store.add_profile("local")
    assert store.profile_infos() == [ProfileInfo("local", "", ""),
                                     ProfileInfo("sub:123", "Ana M. Lima", "ana@uni.example")]


def test_variants_per_profile(db_url):
    store = Store(db_url)
    assert store.get_variant("ana", "q1") is None
    store.set_variant("ana", "q1", 3)
    store.set_variant("ana", "q1", 4)
    store.set_variant("ben", "q1", 1)
    assert store.get_variant("ana", "q1") == 4 and store.get_variant("ben", "q1") == 1
    assert store.variants("ana") == {"q1": 4}


def test_cards_due_order_and_filter(db_url):
    store = Store(db_url)
    store.update_card("ana", "q2", lambda old: ('{"n": 1}', T0 + timedelta(days=2)))
    store.update_card("ana", "q1", lambda old: ('{"n": 1}', T0 + timedelta(days=1)))
    row = store.update_card("ana", "q1", lambda old: (old.replace("1", "2"), T0 + timedelta(days=3)))
    store.update_card("ben", "q9", lambda old: ("{}", T0))
    assert row.card == '{"n": 2}'
    assert [c.question_id for c in store.cards("ana")] == ["q2", "q1"]
    assert [c.question_id for c in store.cards("ana", due_before=T0 + timedelta(days=2))] == ["q2"]
    assert store.get_card("ana", "q1").due == T0 + timedelta(days=3)
    assert store.get_card("ben", "q1") is None
    assert [(p, c.question_id) for p, c in store.class_cards()] == [("ben", "q9"), ("ana", "q2"), ("ana", "q1")]


def test_bookmarks(db_url):
    store = Store(db_url)
    store.add_bookmark("ana", "q2", T0)
    store.add_bookmark("ana", "q1", T0 + timedelta(1), note="sign!")
    store.add_bookmark("ana", "q2", T0)  # again: still one
    assert [(b.question_id, b.note) for b in store.bookmarks("ana")] == [("q2", ""), ("q1", "sign!")]
    store.remove_bookmark("ana", "q2")
    assert [b.question_id for b in store.bookmarks("ana")] == ["q1"]
    assert store.bookmarks("ben") == []


def test_exam_lifecycle(db_url):
    store = Store(db_url)
    e = store.add_exam("ana", T0, T0 + timedelta(minutes=30), [("q1", 0), ("q2", 3)], {"n": 2})
    assert e.questions == (("q1", 0), ("q2", 3)) and e.deadline == T0 + timedelta(minutes=30)
    assert e.settings == {"n": 2} and not e.finished
    store.save_exam_answers(e.id, {"q1/a": "x"})
    assert store.get_exam(e.id).answers == {"q1/a": "x"}
    assert store.finish_exam(e.id, T0 + timedelta(minutes=5), {"q1/a": "y"}, {"items": [], "r": 1}, 1.5, 4.0)
    assert not store.finish_exam(e.id, T0 + timedelta(minutes=6), {}, {}, 0.0, 4.0)  # a double click
    store.save_exam_answers(e.id, {"q1/a": "late"})  # closed: ignored
    got = store.get_exam(e.id)
    assert got.answers == {"q1/a": "y"} and got.report == {"items": [], "r": 1} and got.score == 1.5 and got.finished
    store.update_exam_report(e.id, {"items": [], "r": 2}, 2.5)  # a report has items (quizlib.store_rows)
    assert store.get_exam(e.id).score == 2.5
    later = store.add_exam("ana", T0 + timedelta(hours=1), T0 + timedelta(hours=2), [("q3", 0)])
    store.add_exam("ben", T0, T0 + timedelta(hours=1), [("q1", 0)])
    assert [x.id for x in store.exams("ana")] == [later.id, e.id]
    assert {x.profile for x in store.class_exams()} == {"ana", "ben"}
    assert store.get_exam(10_000) is None


def test_class_attempts_cover_every_profile(db_url):
    store = Store(db_url)
    for i, p in enumerate(["cleo", "ana", "ben"]):
        store.add_attempt(attempt(i, profile=p))
    assert [a.profile for a in store.class_attempts()] == ["cleo", "ana", "ben"]


def test_failed_write_rolls_back(db_url):
    store = Store(db_url)

    def boom(old):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.update_card("ana", "q1", boom)
    assert store.get_card("ana", "q1") is None
    store.update_card("ana", "q1", lambda old: ('{"x": 1}', T0))  # the lock was released
    assert store.get_card("ana", "q1").due == T0


def test_backup_round_trip_is_idempotent(db_url, tmp_path):
    src = Store(str(tmp_path / "src.sqlite3"))
    src.add_attempt(attempt(0))
    src.update_card("ana", "q1", lambda old: ('{"last_review": "2026-03-01T09:00:00+00:00"}', T0))
    src.add_bookmark("ana", "q1", T0, "n")
    src.set_variant("ana", "q1", 2)
    dump = src.dump_profile("ana")
    store = Store(db_url)
    first = store.load_profile("ben", dump, T0)
    again = store.load_profile("ben", dump, T0)
    assert {t: s["added"] for t, s in first.items()} == {"attempts": 1, "cards": 1, "bookmarks": 1,
                                                         "exams": 0, "variants": 1}
    assert all(s["added"] == 0 for s in again.values())
    assert store.dump_profile("ben") == {t: [dict(r, profile="ben") if "profile" in r else r for r in rows]
                                         for t, rows in dump.items()}
