"""Export → import into a new profile on the same store → the new profile's attempts, exams, cards,
bookmarks, variants and Progress figures equal the original's; a second import adds nothing.
On SQLite and PostgreSQL (the attempts' and exams' UUIDs are the original profile's: see
Store._keys_in)."""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from study_fixtures import banks, fake_grade

from quizlib import exam, export, progress, stats
from quizlib.model import Attempt
from quizlib.store import Store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=3)


def fill(store: Store, profile: str) -> None:
    qids = [q.id for b in banks() for q in b.questions]
    for i in range(12):
        ok = i % 3 != 0
        progress.record_attempt(store, Attempt(
            profile=profile, question_id=qids[i % len(qids)], answer=f"ans {i} ∂L/∂z", correct=ok,
            score=1.5 * ok, max_score=2.0, created_at=T0 + timedelta(hours=i), variant=i % 3,
            extra={"seconds": 10.0 + i}))
    store.add_bookmark(profile, "l2-b", T0, note="ask in class")
    store.set_variant(profile, "l1-a", 2)
    e = exam.start(store, profile, banks(), exam.ExamSettings(n_questions=3, seed=4), T0 + timedelta(days=1))
    exam.submit(store, e, banks(), {}, T0 + timedelta(days=1, minutes=20), grade=fake_grade)
    exam.start(store, profile, banks(), exam.ExamSettings(n_questions=2, seed=5), T0 + timedelta(days=2))


def attempts(store: Store, profile: str) -> list[tuple]:
    """The attempts without keys (an exam's are referred to by its number in the profile's history).

    Sorted by content: attempts of one exam share a timestamp, and their order among themselves
    follows the keys, which differ from profile to profile."""
    number = {e.uuid: i for i, e in enumerate(store.exams(profile))}
    return sorted((a.question_id, a.part_id, a.variant, a.answer, a.correct, a.score, a.max_score, a.created_at,
                   a.mode, json.dumps({k: number.get(v, v) if k == "exam" else v for k, v in a.extra.items()
                                       if k != "uuid"}, sort_keys=True)) for a in store.attempts(profile))


def exams(store: Store, profile: str) -> list[dict]:
    return [{k: v for k, v in asdict(e).items() if k not in ("id", "uuid", "profile")} for e in store.exams(profile)]


def figures(store: Store, profile: str) -> dict:
    """What the Progress page shows: totals, per topic/source, over time, weakest, cards due."""
    df = stats.attempts_frame(store, profile, banks())
    return {"totals": stats.totals(df), "topic": stats.by_topic(df).to_dict("records"),
            "source": stats.by_source(df).to_dict("records"),
            "time": stats.over_time(df).to_dict("records"), "weakest": stats.weakest(df).to_dict("records"),
            "due": progress.due_count(store, profile, NOW),
            "ahead": stats.due_ahead(store, profile, NOW).to_dict("records"),
            "retry": progress.wrong_to_retry(store, profile)}


def same_profile_data(store: Store, a: str, b: str) -> None:
    assert attempts(store, b) == attempts(store, a)
    assert exams(store, b) == exams(store, a)
    assert store.cards(b) == store.cards(a)
    assert store.bookmarks(b) == store.bookmarks(a)
    assert store.variants(b) == store.variants(a)
    assert figures(store, b) == figures(store, a)


def added(result: dict) -> int:
    return sum(t["added"] for t in result["tables"].values())


def test_import_into_a_new_profile_reproduces_everything(db_url):
    store = Store(db_url)
    fill(store, "default")
    data = export.backup_json(store, "default", NOW)
    doc = json.loads(data)
    n = sum(len(r) for r in doc["tables"].values())
    assert len(doc["tables"]["attempts"]) >= 12 and len(doc["tables"]["exams"]) == 2
    assert figures(store, "default")["totals"]["attempts"] >= 12

    first = export.import_backup(store, data, NOW, profile="alice")
    assert added(first) == n and all(t["skipped"] == 0 for t in first["tables"].values())
    same_profile_data(store, "default", "alice")
    assert exam.current(store, "alice").questions == exam.current(store, "default").questions  # the open exam

    again = export.import_backup(store, data, NOW, profile="alice")  # twice = once
    assert added(again) == 0
    same_profile_data(store, "default", "alice")
    assert added(export.import_backup(store, data, NOW)) == 0  # into its own profile: all there already

    # alice's own backup, imported back into alice (or into a fresh store), adds nothing / everything
    mine = export.backup_json(store, "alice", NOW)
    assert added(export.import_backup(store, mine, NOW, profile="alice")) == 0
    assert len(store.attempts("default")) == len(store.attempts("alice")) == len(doc["tables"]["attempts"])


def test_import_into_a_new_profile_of_a_fresh_store_keeps_the_uuids(db_url, tmp_path):
    src = Store(tmp_path / "src.sqlite3")
    fill(src, "default")
    data = export.backup_json(src, "default", NOW)
    dst = Store(db_url)
    assert added(export.import_backup(dst, data, NOW, profile="alice")) == sum(
        len(r) for r in json.loads(data)["tables"].values())
    keys = [sorted(a.extra["uuid"] for a in s.attempts(p)) for s, p in ((dst, "alice"), (src, "default"))]
    assert keys[0] == keys[1]
    assert attempts(dst, "alice") == attempts(src, "default") and exams(dst, "alice") == exams(src, "default")
    assert figures(dst, "alice") == figures(src, "default")
