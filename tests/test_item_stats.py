"""Item statistics on a synthetic class drawn from known abilities and difficulties (2PL model):
facility recovers the difficulty order, discrimination the slope order, a student's mean
fraction their ability; plus a hand-computed small class, wrong-answer grouping and time."""
from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from quizlib import grading
from quizlib.item_stats import exam_scores, fractions, item_stats, pearson, student_summaries, verdict_extra
from quizlib.model import Attempt, Part, WrongAnswer
from quizlib.store_rows import ExamRecord

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def att(profile, qid, score, i=0, answer="x", part="", **extra) -> Attempt:
    return Attempt(profile=profile, question_id=qid, answer=answer, correct=score == 1, score=float(score),
                   max_score=1.0, created_at=T0 + timedelta(seconds=i), part_id=part, extra=extra)


def spearman(a, b) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


EASY_TO_HARD = (np.linspace(-2, 2, 9), np.full(9, 1.5))  # difficulties q0 easiest … q8 hardest
BANDS = (np.repeat([-0.8, 0.0, 0.8], 3), np.tile([0.0, 1.0, 3.0], 3))  # per difficulty: slopes 0, 1, 3


def synthetic_class(b_a=EASY_TO_HARD, seed=7, n_students=400):
    """2PL: P(right) = sigmoid(a_q (theta_s - b_q)); slope 0 is a coin with P = sigmoid(-b_q).
    Every student tries every question once, then an always-right practice try that must not count."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, n_students)
    b, a = b_a
    attempts = []
    for s in range(n_students):
        for q in range(len(b)):
            p = 1 / (1 + math.exp(-a[q] * (theta[s] - b[q]))) if a[q] else 1 / (1 + math.exp(b[q]))
            right = rng.random() < p
            attempts.append(att(f"s{s:03d}", f"q{q}", int(right), i=q, answer="ok" if right else "wrong",
                                seconds=float(10 + q)))
            attempts.append(att(f"s{s:03d}", f"q{q}", 1, i=100 + q, answer="ok"))  # practice after: ignored
    return theta, b, a, attempts


def test_facility_recovers_the_difficulty_order():
    theta, b, a, attempts = synthetic_class()
    stats = {s.question_id: s for s in item_stats(attempts)}
    fac = [stats[f"q{q}"].facility for q in range(len(b))]
    assert spearman(fac, -b) > 0.95
    for q in range(len(b)):  # each facility near the model's expected value
        p = (1 / (1 + np.exp(-a[q] * (theta - b[q])))) if a[q] else np.full_like(theta, 1 / (1 + np.exp(b[q])))
        assert abs(fac[q] - p.mean()) < 0.08
    assert all(s.students == len(theta) for s in stats.values())
    assert all(s.median_seconds == 10 + q for q, s in enumerate(stats[f"q{q}"] for q in range(9)))


def test_discrimination_recovers_the_slope_order():
    _, b, a, attempts = synthetic_class(BANDS)
    stats = {s.question_id: s for s in item_stats(attempts)}
    disc = [stats[f"q{q}"].discrimination for q in range(len(b))]
    for band in range(3):  # same difficulty, slopes 0 < 1 < 3: discrimination in the same order
        d0, d1, d3 = disc[3 * band: 3 * band + 3]
        assert abs(d0) < 0.12 < d1 < d3  # a coin-flip item does not discriminate
    assert spearman(disc, a) > 0.85


def test_student_means_follow_ability():
    theta, _, _, attempts = synthetic_class()
    summary = {s.profile: s for s in student_summaries(attempts, Counter({"s000": 3}), ["late-joiner"])}
    means = [summary[f"s{s:03d}"].mean_fraction for s in range(len(theta))]
    assert spearman(means, theta) > 0.7
    assert summary["s000"].cards_due == 3 and summary["s000"].questions_tried == 9
    assert summary["s000"].attempts == 18
    assert summary["late-joiner"].mean_fraction is None and summary["late-joiner"].attempts == 0


def test_small_class_by_hand():
    # q1 fractions: ana 1, ben 0, cleo 1; rest (q2): ana 1, ben 0, cleo 0.5
    attempts = [att("ana", "q1", 1), att("ben", "q1", 0), att("cleo", "q1", 1),
                att("ana", "q2", 1), att("ben", "q2", 0), att("cleo", "q2", 0.5),
                att("ben", "q1", 1, i=50)]  # ben's later try: practice, not measured
    s1, s2 = item_stats(attempts)
    assert s1.question_id == "q1" and s1.facility == pytest.approx(2 / 3)
    assert s2.facility == pytest.approx(0.5)
    # by hand: x = (1, 0, 1), y = (1, 0, 0.5): mx = 2/3, my = 0.5
    # sxy = (1/3)(0.5) + (-2/3)(-0.5) + (1/3)(0) = 0.5; sxx = 2/3; syy = 0.5 → r = 0.5 / sqrt(1/3)
    assert s1.discrimination == pytest.approx(0.5 / math.sqrt(1 / 3))
    assert s1.median_seconds is None
    assert pearson([1, 1, 1], [0, 1, 2]) is None  # no spread: undefined, not 0


def test_multi_part_question_scores_first_tries_of_each_part():
    attempts = [att("ana", "q", 1, part="a"), att("ana", "q", 0, i=1, part="b"), att("ana", "q", 1, i=2, part="b")]
    assert fractions(attempts) == {"q": {"ana": 0.5}}


def test_wrong_answers_listed_and_unlisted_candidates():
    attempts = [att("ana", "q", 0, answer="2(o-g)", listed=0), att("ben", "q", 0, answer="2*(o - g)", listed=0),
                att("cleo", "q", 0, answer="o - g"), att("dan", "q", 0, answer="o-g"),
                att("eve", "q", 0, answer="g - o"), att("fay", "q", 1, answer="right"),
                att("gus", "q", 0, answer="derivation text", ticked=[0])]  # self-graded: not an answer
    [s] = item_stats(attempts, {("q", "", 0): "2*(o-g)"})
    assert [(w.answer, w.students, w.listed) for w in s.wrong] == \
        [("2*(o-g)", 2, True), ("o - g", 2, False), ("g - o", 1, False)]
    assert [w.answer for w in s.candidates] == ["o - g"]


def test_verdict_extra_names_the_listed_answer_that_fired():
    part = Part(id="", kind="expr", points=2, answer="2*(o - g)", symbols=("o", "g"),
                wrong_answers=(WrongAnswer("o - g", "You dropped the factor 2."),
                               WrongAnswer("2*(g - o)", "Sign: it is o minus g.")))
    assert verdict_extra(part, grading.grade(part, "2 (g-o)").result) == {"verdict": "listed", "listed": 1}
    assert verdict_extra(part, grading.grade(part, "o-g").result) == {"verdict": "listed", "listed": 0}
    assert verdict_extra(part, grading.grade(part, "2*o - 2*g").result) == {"verdict": ""}
    assert "listed" not in verdict_extra(part, grading.grade(part, "3*(o-g)").result)


def test_exam_scores_only_finished():
    def exam(i, score, finished=True):
        return ExamRecord(id=i, uuid=str(i), profile=f"p{i}", started_at=T0 + timedelta(hours=i), deadline=T0,
                          questions=(("q1", 0), ("q2", 0)), submitted_at=T0 if finished else None,
                          score=score, max_score=4.0)
    rows = exam_scores([exam(2, 3.0), exam(1, 1.0), exam(3, None, finished=False)])
    assert [(r.profile, r.fraction, r.questions) for r in rows] == [("p1", 0.25, 2), ("p2", 0.75, 2)]
