"""What an answer does to a student's progress: store it, and reschedule the question's card.

`record_attempt` is the one door from a graded answer to the store: the attempt is
written, and the question's FSRS card is reviewed with the rating the answer earned
(wrong → Again, partial → Hard, right → Good; see quizlib.schedule). A multi-part
question answered in one go is one review, rated on the points of all its parts.
Also here: what is due, bookmarks ("review later"), and the wrong answers to retry.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from quizlib import schedule
from quizlib.model import Attempt
from quizlib.store import Bookmark, Store


def record_attempt(store: Store, attempt: Attempt) -> None:
    """Store one attempt and update its question's card (review time = the attempt's time)."""
    record_attempts(store, [attempt])


def record_attempts(store: Store, attempts: Iterable[Attempt]) -> None:
    """Store attempts (e.g. every part of a question) and review each question's card once."""
    by_question: dict[tuple[str, str], list[Attempt]] = {}
    for a in attempts:
        store.add_attempt(a)
        by_question.setdefault((a.profile, a.question_id), []).append(a)
    for (profile, qid), group in by_question.items():
        earned = sum(a.score for a in group)
        total = sum(a.max_score for a in group)
        fraction = earned / total if total > 0 else float(all(a.correct for a in group))
        rating = schedule.rating_for(all(a.correct for a in group), fraction)
        when = max(a.created_at for a in group)
        _review(store, profile, qid, rating, when)


def _review(store: Store, profile: str, qid: str, rating: schedule.Rating, now: datetime) -> None:
    def change(old: str | None) -> tuple[str, datetime]:
        try:
            before = None if old is None else schedule.card_from_json(old)
        except (KeyError, TypeError, ValueError):  # a stored card fsrs cannot read: the review starts afresh
            before = None
        card, _ = schedule.review(before, rating, now)
        return schedule.card_to_json(card), card.due

    store.update_card(profile, qid, change)


def due_questions(store: Store, profile: str, now: datetime) -> list[str]:
    """Ids of the profile's questions whose cards are due at `now`, most overdue first."""
    return [c.question_id for c in store.cards(profile, due_before=now)]


def due_count(store: Store, profile: str, now: datetime) -> int:
    return len(store.cards(profile, due_before=now))


def answered_since(store: Store, profile: str, qid: str | None, since: datetime, mode: str) -> bool:
    """Has the question been graded (in `mode`) since it was put on screen?"""
    return qid is not None and any(a.mode == mode and a.created_at >= since for a in store.attempts(profile, qid))


# -- review later ---------------------------------------------------------------
def toggle_bookmark(store: Store, profile: str, question_id: str, now: datetime) -> bool:
    """Bookmark the question, or remove its bookmark; returns whether it is bookmarked now."""
    if is_bookmarked(store, profile, question_id):
        store.remove_bookmark(profile, question_id)
        return False
    store.add_bookmark(profile, question_id, now)
    return True


def is_bookmarked(store: Store, profile: str, question_id: str) -> bool:
    return any(b.question_id == question_id for b in store.bookmarks(profile))


def bookmarks(store: Store, profile: str) -> list[Bookmark]:
    return store.bookmarks(profile)


def wrong_to_retry(store: Store, profile: str) -> list[str]:
    """Questions whose latest answer (to any part) was wrong, most recent mistake first."""
    latest: dict[tuple[str, str], Attempt] = {}
    for a in store.attempts(profile):  # oldest first: later attempts overwrite earlier ones
        latest[(a.question_id, a.part_id)] = a
    wrong: dict[str, datetime] = {}
    for (qid, _), a in latest.items():
        if not a.correct:
            wrong[qid] = max(wrong.get(qid, a.created_at), a.created_at)
    return sorted(wrong, key=lambda q: wrong[q], reverse=True)
