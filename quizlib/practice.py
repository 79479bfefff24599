"""The practice session, without Streamlit: which questions, in what order, which variant, what score.

A session is a frozen `Session` (the ordered question ids and a position) that the page
keeps in its state and replaces on next/previous/shuffle. Questions are filtered by bank,
topic and course lecture; the order is the banks' own or a shuffle from a seeded Generator. A variant
question shows the same student the same variant until they ask for a new one (the
choice lives in the store). `score_so_far` reads the session's attempts from the store's
list; `make_attempt` builds the row a graded answer becomes. Time (`now`) and randomness
(`rng`) are always passed in.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from quizlib.model import Attempt, Bank, Part, Question

ALL = ""  # the "no filter" value of a bank, topic or lecture selector


@dataclass(frozen=True)
class Session:
    """Ordered question ids and where the student is. Moving returns a new Session."""

    ids: tuple[str, ...]
    index: int = 0

    @property
    def current(self) -> str | None:
        return self.ids[self.index] if self.ids else None

    @property
    def position(self) -> str:
        return f"{self.index + 1} / {len(self.ids)}" if self.ids else "0 / 0"

    def next(self) -> Session:
        return replace(self, index=min(self.index + 1, max(len(self.ids) - 1, 0)))

    def previous(self) -> Session:
        return replace(self, index=max(self.index - 1, 0))

    def go_to(self, qid: str) -> Session:
        """Jump to `qid`; a question outside the session is put in front of the rest."""
        if qid in self.ids:
            return replace(self, index=self.ids.index(qid))
        return Session((qid,) + self.ids, 0)


@dataclass(frozen=True)
class SessionScore:
    earned: float  # points of the latest graded try of every part answered in the session
    possible: float  # points of those parts
    answered: int  # questions with at least one graded part
    total: int  # questions in the session


def topics(banks: Iterable[Bank]) -> list[str]:
    """Every topic any question carries, sorted."""
    return sorted({t for b in banks for q in b.questions for t in q.topics})


def lectures(banks: Iterable[Bank]) -> list[int]:
    """Every course lecture some question belongs to, ascending."""
    return sorted({q.lecture for b in banks for q in b.questions if q.lecture is not None})


def lecture_label(lecture: int | str) -> str:
    """How a lecture selector shows a value: "Lecture 4", or "All lectures" for ALL."""
    return f"Lecture {lecture}" if lecture != ALL else "All lectures"


def select(banks: Iterable[Bank], bank: str = ALL, topic: str = ALL, lecture: int | str = ALL) -> list[Question]:
    """Questions of one bank (by id), one topic and/or one lecture, in bank order."""
    return [q for b in banks if bank in (ALL, b.id) for q in b.questions
            if topic in (ALL, *q.topics) and (lecture == ALL or q.lecture == lecture)]


def rng(seed: int) -> np.random.Generator:
    """The Generator a page passes in (pages do not import NumPy)."""
    return np.random.default_rng(seed)


def new_session(questions: Sequence[Question], shuffle: bool = False,
                rng: np.random.Generator | None = None) -> Session:
    ids = [q.id for q in questions]
    if shuffle:
        if rng is None:
            raise ValueError("shuffling needs a numpy Generator")
        ids = [ids[i] for i in rng.permutation(len(ids))]
    return Session(tuple(ids), 0)


# -- variants -------------------------------------------------------------------------------

def variant_index(store, profile: str, question: Question, rng: np.random.Generator) -> int:
    """The variant this profile sees for `question`: the stored one, else a new seeded pick (stored)."""
    if question.n_variants <= 1:
        return 0
    k = store.get_variant(profile, question.id)
    if k is None:
        from quizlib.bank.variants import pick_variant

        k = int(pick_variant(question, rng))
        store.set_variant(profile, question.id, k)
    return int(k) % question.n_variants


def new_variant(store, profile: str, question: Question, rng: np.random.Generator) -> int:
    """Pick and store a variant different from the current one (when there is more than one)."""
    n = question.n_variants
    if n <= 1:
        return 0
    current = store.get_variant(profile, question.id)
    # draw among the other n-1 variants uniformly: offset 1..n-1 from the current one
    k = int(rng.integers(n)) if current is None else (int(current) + 1 + int(rng.integers(n - 1))) % n
    store.set_variant(profile, question.id, k)
    return k


def rendered(question: Question, k: int) -> Question:
    """The question with prompt, answers and solution rendered for variant k."""
    if question.n_variants <= 1:
        return question
    from quizlib.bank.variants import variant_of

    return variant_of(question, k)


def stored_variant(store, profile: str, question: Question) -> Question:
    """The question rendered for the variant this profile was last shown (variant 0 if none yet)."""
    return rendered(question, store.get_variant(profile, question.id) or 0)


# -- attempts and score ---------------------------------------------------------------------

def make_attempt(profile: str, question: Question, part: Part, given: str, points: float, correct: bool,
                 now: datetime, mode: str = "practice", extra: dict | None = None) -> Attempt:
    """The stored row of one graded part (`now` must be timezone-aware UTC)."""
    if now.tzinfo is None:
        raise ValueError("attempt times must be timezone-aware (UTC)")
    return Attempt(profile=profile, question_id=question.id, answer=given, correct=bool(correct),
                   score=float(points), max_score=float(part.points), created_at=now,
                   variant=question.variant, part_id=part.id, mode=mode, extra=dict(extra or {}))


def score_so_far(attempts: Iterable[Attempt], session: Session,
                 since: datetime | None = None) -> SessionScore:
    """Points of the latest try of every (question, part) of the session made at or after `since`."""
    wanted = set(session.ids)
    latest: dict[tuple[str, str], Attempt] = {}
    for a in attempts:  # oldest first: later tries overwrite earlier ones
        if a.question_id in wanted and (since is None or a.created_at >= since):
            latest[(a.question_id, a.part_id)] = a
    earned = sum(a.score for a in latest.values())
    possible = sum(a.max_score for a in latest.values())
    answered = len({qid for qid, _ in latest})
    return SessionScore(earned, possible, answered, len(session.ids))
