"""Dashboard figures on a fixture store with hand-counted answers."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from quizlib import progress, stats
from quizlib.model import Attempt
from quizlib.store import Store
from study_fixtures import banks

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def fill(store: Store) -> None:
    rows = [  # (question, score, max, day)
        ("l1-a", 2, 2, 0), ("l1-a", 0, 2, 0), ("l1-b", 2, 2, 1),  # l1: mse
        ("l2-a", 0, 2, 1), ("l2-a", 0, 2, 2), ("l2-b", 3, 3, 2),  # l2: dropout
        ("gone", 1, 1, 2),  # a question no longer in the banks
    ]
    for i, (qid, s, m, day) in enumerate(rows):
        progress.record_attempt(store, Attempt(profile="ana", question_id=qid, answer="x", correct=s == m,
                                               score=s, max_score=m, created_at=T0 + timedelta(days=day, minutes=i)))
    progress.record_attempt(store, Attempt(profile="ben", question_id="l3-a", answer="x", correct=True,
                                           score=2, max_score=2, created_at=T0))


def test_frame_and_bank_filter():
    store = Store()
    fill(store)
    df = stats.attempts_frame(store, "ana", banks())
    assert len(df) == 7 and list(df.columns) == stats.COLUMNS
    assert df.loc[df.question_id == "gone", "bank"].item() == "(removed)"
    assert set(stats.attempts_frame(store, "ana", banks(), bank="l2").question_id) == {"l2-a", "l2-b"}
    assert len(stats.attempts_frame(store, "ben", banks())) == 1


def test_by_topic_and_source():
    store = Store()
    fill(store)
    df = stats.attempts_frame(store, "ana", banks())
    t = stats.by_topic(df).set_index("topic")
    assert t.loc["mse", "attempts"] == 3 and t.loc["mse", "accuracy"] == pytest.approx(2 / 3)
    assert t.loc["mse", "points"] == 4 and t.loc["mse", "possible"] == 6
    assert t.loc["dropout", "accuracy"] == pytest.approx(1 / 3) and t.loc["dropout", "share"] == pytest.approx(3 / 7)
    s = stats.by_source(df).set_index("source")
    assert s.loc["l1.txt", "attempts"] == 3 and s.loc["(removed)", "attempts"] == 1
    assert stats.totals(df) == {"attempts": 7, "questions": 5, "accuracy": pytest.approx(4 / 7),
                                "points": 8.0, "possible": 14.0}


def test_over_time_and_weakest():
    store = Store()
    fill(store)
    df = stats.attempts_frame(store, "ana", banks())
    t = stats.over_time(df)
    assert list(t["attempts"]) == [2, 2, 3] and list(t["correct"]) == [1, 1, 2]
    assert t["period"].iloc[0] == pd.Timestamp("2026-03-01")
    w = stats.weakest(df, n=3)
    assert list(w["question_id"]) == ["l2-a", "l1-a", "gone"]
    assert list(w["recent_accuracy"]) == [0.0, 0.5, 1.0]


def test_due_ahead():
    store = Store()
    fill(store)
    d = stats.due_ahead(store, "ana", T0 + timedelta(days=2), days=5)
    assert len(d) == 5 and d["due"].sum() == 5  # five questions, all due within minutes → today
    assert d["due"].iloc[0] == 5
    assert stats.due_ahead(store, "ana", T0, days=5, question_ids={"l1-a"})["due"].sum() == 1


def test_empty_student():
    df = stats.attempts_frame(Store(), "new", banks())
    assert df.empty and stats.totals(df)["attempts"] == 0
    for f in (stats.by_topic, stats.by_source, stats.over_time, stats.weakest):
        assert f(df).empty
