"""record_attempt stores the attempt and reschedules the card; due counts, bookmarks, retry list."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fsrs import Rating, Scheduler

from quizlib import progress, schedule
from quizlib.model import Attempt
from quizlib.store import Store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def att(qid="q1", score=1.0, max_score=1.0, correct=None, t=T0, profile="ana", part=""):
    return Attempt(profile=profile, question_id=qid, answer="a", correct=score >= max_score if correct is None
                   else correct, score=score, max_score=max_score, created_at=t, part_id=part)


def test_record_stores_and_schedules():
    store = Store()
    progress.record_attempt(store, att("right", 2, 2))
    progress.record_attempt(store, att("wrong", 0, 2))
    assert len(store.attempts("ana")) == 2
    right, wrong = store.get_card("ana", "right"), store.get_card("ana", "wrong")
    assert wrong.due == T0 + timedelta(minutes=1)  # Again on a new card: first learning step
    assert right.due == T0 + timedelta(minutes=10)  # Good on a new card: second learning step
    assert progress.due_count(store, "ana", T0) == 0
    assert progress.due_count(store, "ana", T0 + timedelta(minutes=2)) == 1
    assert progress.due_questions(store, "ana", T0 + timedelta(minutes=11)) == ["wrong", "right"]
    assert progress.due_count(store, "ben", T0 + timedelta(days=9)) == 0


def test_rating_from_score_fraction():
    assert schedule.rating_for(False, 0.0) is Rating.Again
    assert schedule.rating_for(False, 0.5) is Rating.Hard
    assert schedule.rating_for(True, 1.0) is Rating.Good
    assert schedule.rating_for(False, 1.0) is Rating.Good


def test_card_follows_fsrs_exactly_over_several_reviews():
    store = Store()
    ref = Scheduler(enable_fuzzing=False)
    card = schedule.new_card(T0)
    t = T0
    for score, rating in [(1, Rating.Good), (1, Rating.Good), (0.5, Rating.Hard), (0, Rating.Again), (1, Rating.Good)]:
        progress.record_attempt(store, att("q", score, 1.0, t=t))
        card, _ = ref.review_card(card, rating, t)
        assert store.get_card("ana", "q").due == card.due
        t = card.due
    assert schedule.card_from_json(store.get_card("ana", "q").card).stability == card.stability


def test_multi_part_answer_is_one_review_on_total_points():
    store = Store()
    progress.record_attempts(store, [att("m", 2, 2, part="a"), att("m", 0, 3, part="b")])
    assert len(store.attempts("ana", "m")) == 2
    card = schedule.card_from_json(store.get_card("ana", "m").card)
    expected, _ = Scheduler(enable_fuzzing=False).review_card(schedule.new_card(T0), Rating.Hard, T0)
    assert card.due == expected.due and card.step == expected.step


def test_bookmarks_and_wrong_answers_to_retry():
    store = Store()
    assert progress.toggle_bookmark(store, "ana", "q1", T0) is True
    assert progress.is_bookmarked(store, "ana", "q1")
    assert not progress.is_bookmarked(store, "ben", "q1")
    assert progress.toggle_bookmark(store, "ana", "q1", T0) is False
    assert progress.bookmarks(store, "ana") == []
    progress.record_attempt(store, att("fixed", 0, 1, t=T0))
    progress.record_attempt(store, att("fixed", 1, 1, t=T0 + timedelta(1)))
    progress.record_attempt(store, att("old-miss", 0, 1, t=T0 + timedelta(2)))
    progress.record_attempt(store, att("new-miss", 0, 1, t=T0 + timedelta(3)))
    progress.record_attempt(store, att("partly", 1, 1, t=T0, part="a"))
    progress.record_attempt(store, att("partly", 0, 1, t=T0, part="b"))
    assert progress.wrong_to_retry(store, "ana") == ["new-miss", "old-miss", "partly"]
    assert progress.wrong_to_retry(store, "ben") == []
