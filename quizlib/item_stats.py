"""Item statistics for a teacher: how a class does on each question, from stored attempts.

Classical test theory, as Moodle's quiz statistics report it. A student's score on a
question is the fraction of its points earned on their *first* try at each part
(later tries are practice, not measurement). Then per question:

- facility F = mean over students of that fraction (1 = everyone right, 0 = nobody);
- discrimination D = Pearson correlation, over the students who tried it, between the
  question's fraction and the mean fraction on the *other* questions they tried (the rest
  of the score, so the item is not correlated with itself). None with fewer than 3 such
  students or no spread: a correlation of nothing is not 0;
- wrong answers: first tries that missed, grouped by the listed wrong answer that fired
  (its feedback text, stored with the attempt as extra["listed"]) or, for unlisted ones,
  by the answer text with spaces removed; unlisted answers given by 2+ students are
  candidates for a new listed wrong answer with its own feedback;
- time: the median seconds between the question being shown and the answer (extra["seconds"]).

Pure: attempts in, dataclasses out; no store, no clock, no streamlit.
"""
from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from quizlib.model import Attempt, CheckResult, Part

MIN_FOR_DISCRIMINATION = 3
RECURRING = 2  # an unlisted wrong answer given by this many students is worth listing


@dataclass(frozen=True)
class WrongAnswerCount:
    answer: str      # the listed answer's feedback key, or the typed text (unlisted)
    students: int    # distinct students who gave it on their first try
    listed: bool


@dataclass(frozen=True)
class ItemStats:
    question_id: str
    students: int                  # distinct students with a first try
    facility: float                # mean score fraction, 0..1
    discrimination: float | None   # correlation with the rest of the score
    median_seconds: float | None
    wrong: tuple[WrongAnswerCount, ...]  # most frequent first

    @property
    def candidates(self) -> tuple[WrongAnswerCount, ...]:
        """Unlisted wrong answers that recur: worth a listed wrong answer with feedback."""
        return tuple(w for w in self.wrong if not w.listed and w.students >= RECURRING)


@dataclass(frozen=True)
class StudentSummary:
    profile: str
    questions_tried: int
    mean_fraction: float | None  # over the questions tried (first tries)
    attempts: int
    cards_due: int
    last_active: datetime | None


def verdict_extra(part: Part, result: CheckResult) -> dict:
    """What an attempt stores for the statistics: the checker's reason and which listed wrong
    answer fired (its index in part.wrong_answers), found by the feedback the check returned."""
    out = {"verdict": result.error}
    if result.error == "listed":
        for k, wa in enumerate(part.wrong_answers):
            if wa.feedback and wa.feedback in result.message:
                out["listed"] = k
                break
    return out


def first_tries(attempts: Iterable[Attempt]) -> dict[tuple[str, str, str], Attempt]:
    """(profile, question, part) → the first try (attempts may come in any order)."""
    first: dict[tuple[str, str, str], Attempt] = {}
    for a in attempts:
        key = (a.profile, a.question_id, a.part_id)
        if key not in first or (a.created_at, a.id or 0) < (first[key].created_at, first[key].id or 0):
            first[key] = a
    return first


def fractions(attempts: Iterable[Attempt]) -> dict[str, dict[str, float]]:
    """question → {student → score fraction of their first tries at its parts}."""
    earned: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (profile, qid, _), a in first_tries(attempts).items():
        e = earned[(qid, profile)]
        e[0] += a.score
        e[1] += a.max_score
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for (qid, profile), (got, possible) in earned.items():
        if possible > 0:
            out[qid][profile] = got / possible
    return dict(out)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)


def _normalise(text: str) -> str:
    return "".join(text.split())


def item_stats(attempts: Sequence[Attempt], listed_names: dict[tuple[str, str, int], str] | None = None
               ) -> list[ItemStats]:
    """Per question, sorted by id. `listed_names` maps (question, part, index) to how a listed wrong
    answer is shown (default: the typed text of the first student who gave it)."""
    frac = fractions(attempts)
    by_student: dict[str, dict[str, float]] = defaultdict(dict)
    for qid, per in frac.items():
        for profile, f in per.items():
            by_student[profile][qid] = f
    firsts = first_tries(attempts)
    seconds: dict[str, list[float]] = defaultdict(list)
    for a in attempts:
        s = a.extra.get("seconds")
        if isinstance(s, (int, float)) and 0 <= s < 6 * 3600:
            seconds[a.question_id].append(float(s))
    wrong: dict[str, dict[tuple[bool, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    shown: dict[tuple[bool, str], str] = {}
    for (profile, qid, part), a in firsts.items():
        if a.correct or "ticked" in a.extra or not a.answer.strip():  # self-graded derivations have no answer
            continue
        k = a.extra.get("listed")
        if isinstance(k, int):
            key = (True, f"{part}#{k}")
            shown.setdefault(key, (listed_names or {}).get((qid, part, k), a.answer))
        else:
            key = (False, _normalise(a.answer))
            shown.setdefault(key, a.answer)
        wrong[qid][key].add(profile)
    out = []
    for qid in sorted(frac):
        per = frac[qid]
        xs, ys = [], []
        for profile, f in per.items():
            rest = [g for q2, g in by_student[profile].items() if q2 != qid]
            if rest:
                xs.append(f)
                ys.append(sum(rest) / len(rest))
        disc = pearson(xs, ys) if len(xs) >= MIN_FOR_DISCRIMINATION else None
        counts = sorted((WrongAnswerCount(shown[key], len(who), key[0]) for key, who in wrong[qid].items()),
                        key=lambda w: (-w.students, not w.listed, w.answer))
        out.append(ItemStats(qid, len(per), sum(per.values()) / len(per), disc,
                             statistics.median(seconds[qid]) if seconds[qid] else None, tuple(counts)))
    return out


def student_summaries(attempts: Sequence[Attempt], due: Counter, profiles: Iterable[str]) -> list[StudentSummary]:
    """Per student (every profile given, even without attempts): progress and cards due."""
    frac = fractions(attempts)
    per: dict[str, list[float]] = defaultdict(list)
    for by in frac.values():
        for profile, f in by.items():
            per[profile].append(f)
    n_attempts = Counter(a.profile for a in attempts)
    last: dict[str, datetime] = {}
    for a in attempts:
        if a.profile not in last or a.created_at > last[a.profile]:
            last[a.profile] = a.created_at
    names = sorted(set(profiles) | set(n_attempts))
    return [StudentSummary(p, len(per[p]), sum(per[p]) / len(per[p]) if per[p] else None, n_attempts[p],
                           due[p], last.get(p)) for p in names]


@dataclass(frozen=True)
class ExamScore:
    profile: str
    started_at: datetime
    questions: int
    fraction: float  # score / max score


def exam_scores(exams: Iterable) -> list[ExamScore]:
    """Every finished mock exam (store.ExamRecord) as a score fraction, oldest first."""
    rows = [ExamScore(e.profile, e.started_at, len(e.questions), e.score / e.max_score)
            for e in exams if e.finished and e.max_score]
    return sorted(rows, key=lambda r: (r.started_at, r.profile))
