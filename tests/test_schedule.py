"""FSRS scheduling at fixed datetimes: exact intervals, pure functions, JSON round trips."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating, Scheduler, State

from quizlib import schedule

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
REF = Scheduler(enable_fuzzing=False)


def test_new_card_is_due_now_and_has_no_clock_id():
    card = schedule.new_card(T0)
    assert card.due == T0 and card.state is State.Learning
    assert card.card_id == int(T0.timestamp() * 1000)


def test_wrong_soon_right_later_exact_intervals():
    again, _ = schedule.review(None, Rating.Again, T0)
    hard, _ = schedule.review(None, Rating.Hard, T0)
    good, _ = schedule.review(None, Rating.Good, T0)
    assert again.due - T0 == timedelta(minutes=1)
    assert hard.due - T0 == timedelta(minutes=5, seconds=30)  # FSRS: halfway between the 1 and 10 min steps
    assert good.due - T0 == timedelta(minutes=10)
    # a second Good graduates the card to days (FSRS-6 default weights, retention 0.9)
    t1 = good.due
    good2, _ = schedule.review(good, Rating.Good, t1)
    assert good2.state is State.Review
    ref, _ = REF.review_card(good, Rating.Good, t1)
    assert good2.due == ref.due
    assert (good2.due - t1).days >= 1
    # a lapse after graduating comes back in 10 minutes (relearning step)
    lapse, _ = schedule.review(good2, Rating.Again, good2.due)
    assert lapse.state is State.Relearning and lapse.due - good2.due == timedelta(minutes=10)


@pytest.mark.parametrize("ratings", [
    [Rating.Good] * 5,
    [Rating.Again, Rating.Good, Rating.Good, Rating.Hard, Rating.Good, Rating.Good],
    [Rating.Good, Rating.Good, Rating.Again, Rating.Again, Rating.Good, Rating.Good],
])
def test_matches_fsrs_directly(ratings):
    ours, ref = None, schedule.new_card(T0)
    t = T0
    intervals = []
    for r in ratings:
        ours, _ = schedule.review(ours, r, t)
        ref, _ = REF.review_card(ref, r, t)
        assert ours.due == ref.due and ours.stability == ref.stability and ours.difficulty == ref.difficulty
        intervals.append(ours.due - t)
        t = ours.due
    if ratings == [Rating.Good] * 5:  # right again and again → ever longer intervals
        assert intervals == sorted(intervals) and intervals[-1] > timedelta(days=30)


def test_review_does_not_mutate_its_input():
    card, _ = schedule.review(None, Rating.Good, T0)
    before = schedule.card_to_json(card)
    schedule.review(card, Rating.Again, T0 + timedelta(hours=1))
    assert schedule.card_to_json(card) == before


def test_json_round_trip():
    card, _ = schedule.review(None, Rating.Good, T0)
    back = schedule.card_from_json(schedule.card_to_json(card))
    assert back.due == card.due and back.stability == card.stability and back.state == card.state


def test_naive_times_rejected():
    with pytest.raises(ValueError):
        schedule.review(None, Rating.Good, datetime(2026, 1, 1))


def test_settings_change_intervals():
    slow = schedule.ScheduleSettings(learning_steps=(timedelta(minutes=30),))
    card, _ = schedule.review(None, Rating.Again, T0, slow)
    assert card.due - T0 == timedelta(minutes=30)
