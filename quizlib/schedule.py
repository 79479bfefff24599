"""Spaced repetition with FSRS (the maintained `fsrs` package), pure: time is a parameter.

Every question a student has answered is one FSRS card. An answer becomes a rating
(wrong → Again, partly right → Hard, right → Good), `review` returns the card's new
state and never mutates the old one, and cards travel to and from the store as JSON.
Fuzzing is off: it draws from Python's global random state, and a schedule that the
same answers at the same times always reproduce is one a test can pin down.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from fsrs import Card, Rating, ReviewLog, Scheduler

__all__ = ["Card", "Rating", "ReviewLog", "ScheduleSettings", "rating_for", "new_card", "review",
           "card_to_json", "card_from_json"]


@dataclass(frozen=True)
class ScheduleSettings:
    desired_retention: float = 0.9  # FSRS picks intervals so recall probability at review ≈ this
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))  # new cards
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)  # after a lapse
    maximum_interval: int = 36500  # days


DEFAULT = ScheduleSettings()


@lru_cache(maxsize=8)
def _scheduler(settings: ScheduleSettings) -> Scheduler:
    return Scheduler(desired_retention=settings.desired_retention, learning_steps=settings.learning_steps,
                     relearning_steps=settings.relearning_steps, maximum_interval=settings.maximum_interval,
                     enable_fuzzing=False)


def rating_for(correct: bool, fraction: float) -> Rating:
    """Wrong (nothing earned) → Again; partial credit → Hard; right → Good."""
    if correct or fraction >= 1.0:
        return Rating.Good
    if fraction > 0.0:
        return Rating.Hard
    return Rating.Again


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        raise ValueError("the scheduler needs timezone-aware datetimes")
    return t.astimezone(timezone.utc)


def new_card(now: datetime) -> Card:
    """A card due at once; its id is the creation time in ms (fsrs would read the clock)."""
    now = _utc(now)
    return Card(card_id=int(now.timestamp() * 1000), due=now)


def review(card: Card | None, rating: Rating, now: datetime,
           settings: ScheduleSettings = DEFAULT) -> tuple[Card, ReviewLog]:
    """The card after a review at `now` (a new card if None), and the review's log row."""
    now = _utc(now)
    return _scheduler(settings).review_card(card if card is not None else new_card(now), rating, now)


def card_to_json(card: Card) -> str:
    return card.to_json()


def card_from_json(text: str) -> Card:
    return Card.from_json(text)
