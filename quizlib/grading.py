"""Grading a question's parts: from a student's text (or ticked rubric items) to points.

`grade_part` hands one answer box to `quizlib.answers.check` with every field the part
declares (kind, symbols, tolerances, listed wrong answers, `let` definitions, extra
functions); derivations are not machine-graded and come back as "grade it yourself".
`score_rubric` turns ticked rubric items into points, and `question_score` adds the
points of a multi-part question's parts. A step-checked derivation (`Part.steps`) is marked
line by line (`check_derivation`); `rubric_ticks` says which rubric items the app ticks (a formula
shown in a line reached by ✓ steps; a `final` item when the last line equals the answer, as a
typed answer would be graded) and which the student may tick at all (never an item whose formula
appears nowhere), and `score_steps` scores the ticks within those rules. An unreadable answer (`valid=False`) earns
nothing and is never counted as a wrong try: callers store only graded results.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from quizlib.model import CheckResult, Part, Question, StepVerdict

SELF_GRADE = "self-grade"  # CheckResult.error of a derivation: the rubric decides, not the checker


@dataclass(frozen=True)
class PartResult:
    """The graded outcome of one part: the checker's verdict and the points it earned."""

    part_id: str
    given: str
    result: CheckResult
    points: float  # earned
    max_points: float

    @property
    def graded(self) -> bool:
        """True when the answer was read and judged (it may be stored as an attempt)."""
        return self.result.valid and self.result.error != SELF_GRADE


@dataclass(frozen=True)
class Score:
    earned: float
    possible: float

    @property
    def fraction(self) -> float:
        return self.earned / self.possible if self.possible > 0 else 0.0


def points_label(points: float) -> str:
    """"1 point", "0.5 points", "2 points": singular only for exactly one."""
    return f"{points:g} point" + ("" if points == 1 else "s")


def grade_part(part: Part, given: str) -> CheckResult:
    """Check `given` against the part's reference with all the part's settings."""
    if part.kind == "derivation":
        return CheckResult(correct=False, valid=True, error=SELF_GRADE,
                           message="A derivation is graded by you: compare it with the model solution "
                                   "and tick the rubric items it contains.")
    from quizlib.answers import check  # imported late: the checker pulls in SymPy

    return check(part.answer, given, kind=part.kind, symbols=list(part.symbols), rtol=part.rtol,
                 atol=part.atol, wrong_answers=part.wrong_answers, let=part.let, functions=part.functions)


def points_for(part: Part, result: CheckResult) -> float:
    """Points a checked answer earns: all of them when right, else the checker's partial fraction."""
    if not result.valid:
        return 0.0
    fraction = 1.0 if result.correct else min(max(result.score, 0.0), 1.0)
    return part.points * fraction


def grade(part: Part, given: str) -> PartResult:
    """grade_part plus the points earned."""
    result = grade_part(part, given)
    return PartResult(part.id, given, result, points_for(part, result), part.points)


def score_rubric(part: Part, ticked: Iterable[int]) -> float:
    """Points earned from the ticked rubric items (indices into part.rubric; repeats count once).

    Capped at the part's points, since a rubric whose items overshoot is a content error
    the bank loader reports, not a bonus for the student.
    """
    chosen = set(ticked)
    bad = [i for i in chosen if not 0 <= i < len(part.rubric)]
    if bad:
        raise IndexError(f"rubric of part {part.id!r} has {len(part.rubric)} items; got index {bad[0]}")
    total = sum(part.rubric[i].points for i in chosen)
    return min(total, part.points) if part.points > 0 else total


def rubric_correct(part: Part, ticked: Iterable[int]) -> bool:
    """A self-graded derivation counts as right when every rubric point was earned."""
    return score_rubric(part, ticked) >= part.points - 1e-9


def question_score(question: Question, earned: Mapping[str, float]) -> Score:
    """Overall score of a question from the points earned per part id (missing parts earn 0)."""
    got = sum(min(max(earned.get(p.id, 0.0), 0.0), p.points) for p in question.parts)
    return Score(got, question.points)


def check_derivation(part: Part, text: str) -> StepVerdict:
    """Every line of a step-checked derivation marked (see quizlib.answers.steps)."""
    from quizlib.answers.steps import check_steps  # imported late: SymPy

    formulas = tuple(r.check for r in part.rubric if r.check)
    return check_steps(text, symbols=part.symbols, let=part.let, asked=part.asked, answer=part.answer,
                       formulas=formulas, random=part.random)


@dataclass(frozen=True)
class RubricTicks:
    """Per rubric item of a step-checked derivation: ticked by the app, and tickable at all."""

    auto: tuple[bool, ...]
    allowed: tuple[bool, ...]


def rubric_ticks(part: Part, verdict: StepVerdict) -> RubricTicks:
    auto, allowed, k = [], [], 0
    for item in part.rubric:
        if item.final:
            a = ok = bool(verdict.ends_right)  # the final answer: graded like a typed answer
        elif item.check:
            a, ok = verdict.formulas_reached[k], verdict.formulas_seen[k]
            k += 1
        else:
            a, ok = False, True  # self-ticked as before
        auto.append(bool(a))
        allowed.append(bool(ok))
    return RubricTicks(tuple(auto), tuple(allowed))


def score_steps(part: Part, verdict: StepVerdict, ticked: Iterable[int]) -> tuple[float, list[int]]:
    """Points of the ticked items the student may tick, and those items (the rest are dropped)."""
    allowed = rubric_ticks(part, verdict).allowed
    kept = sorted(i for i in set(ticked) if 0 <= i < len(allowed) and allowed[i])
    return score_rubric(part, kept), kept


def steps_extra(verdict: StepVerdict, ticks: RubricTicks) -> dict:
    """What an attempt stores of a step-checked derivation (Attempt.extra)."""
    return {"steps": [[m.line, m.mark] for m in verdict.marks],
            "step_lines": [m.text for m in verdict.marks],
            "starts_right": verdict.starts_right, "ends_right": verdict.ends_right,
            "auto_ticked": [i for i, a in enumerate(ticks.auto) if a]}
