"""Grading parts through the real checker, rubric self-grades, and a multi-part question's score."""
from __future__ import annotations

import pytest

from quizlib import grading
from quizlib.model import CheckResult, Choice, Part, Question, RubricItem, WrongAnswer

EXPR = Part("", "expr", 5.0, answer="2*(o - g)", symbols=("o", "g"),
            wrong_answers=(WrongAnswer("o - g", "That is the gradient of half the squared error."),))
NUMBER = Part("", "number", 2.0, answer="sqrt(6/(784 + 100))", rtol=0.005)
CHOICE = Part("", "choice", 1.0, answer="b", choices=(Choice("a", "x", False), Choice("b", "y", True)))
MULTI = Part("", "choice", 1.0, answer="a, c",
             choices=(Choice("a", "x", True), Choice("b", "y", False), Choice("c", "z", True)))
DERIV = Part("", "derivation", 4.0, rubric=(RubricItem("chain rule", 1), RubricItem("partial fractions", 2),
                                              RubricItem("result", 1)))
SHAPES = ("x: D×1", "W1: D×H", "b1: H×1", "W2: H×K", "b2: K×1", "g: K×1")
LETS = ("h = relu(W1^T x + b1)", "o = softmax(W2^T h + b2)")
MATRIX = Part("W2", "matrix", 3.0, answer="h (o - g)^T", symbols=SHAPES, let=LETS)


def test_expr_right_wrong_listed_and_unreadable():
    right = grading.grade(EXPR, "2(o-g)")
    assert right.result.correct and right.points == 5.0 and right.graded
    assert grading.grade(EXPR, "2 o - 2g").result.correct  # implicit multiplication, spaces
    listed = grading.grade(EXPR, "o-g")
    assert not listed.result.correct and listed.points == 0 and listed.graded
    assert "half the squared error" in listed.result.message
    bad = grading.grade(EXPR, "2(o-q")
    assert not bad.result.valid and not bad.graded and bad.points == 0


def test_number_with_tolerance():
    assert grading.grade(NUMBER, "0.0824").result.correct  # sqrt(6/884) = 0.08239…
    assert grading.grade(NUMBER, "0,0824").result.correct  # decimal comma
    assert not grading.grade(NUMBER, "0.0866").result.correct  # sqrt(6/800): wrong sizes


def test_choice_single_and_multiple():
    assert grading.grade_part(CHOICE, "b").correct
    assert not grading.grade_part(CHOICE, "a").correct
    assert grading.grade_part(MULTI, "c, a").correct
    assert not grading.grade_part(MULTI, "a").correct


def test_matrix_part_uses_shapes_and_lets():
    assert grading.grade(MATRIX, "h(o-g)^T").result.correct
    assert grading.grade(MATRIX, "h (o - g)^T").points == 3.0
    assert not grading.grade(MATRIX, "h(g-o)^T").result.correct
    assert not grading.grade(MATRIX, "(o-g) h^T").result.correct  # K×H, not H×K


def test_derivation_is_self_graded():
    r = grading.grade(DERIV, "anything")
    assert r.result.valid and not r.result.correct and r.result.error == grading.SELF_GRADE and not r.graded


def test_score_rubric():
    assert grading.score_rubric(DERIV, []) == 0
    assert grading.score_rubric(DERIV, [1]) == 2
    assert grading.score_rubric(DERIV, [0, 2, 2]) == 2  # a repeated tick counts once
    assert grading.score_rubric(DERIV, [0, 1, 2]) == 4 and grading.rubric_correct(DERIV, [0, 1, 2])
    assert not grading.rubric_correct(DERIV, [0, 1])
    with pytest.raises(IndexError):
        grading.score_rubric(DERIV, [3])
    over = Part("", "derivation", 2.0, rubric=(RubricItem("a", 2), RubricItem("b", 2)))
    assert grading.score_rubric(over, [0, 1]) == 2  # capped at the part's points


def test_points_for_partial_and_invalid():
    assert grading.points_for(NUMBER, CheckResult(True, True, "")) == 2.0
    assert grading.points_for(NUMBER, CheckResult(False, True, "", score=0.5)) == 1.0
    assert grading.points_for(NUMBER, CheckResult(False, False, "", score=1.0)) == 0.0


def test_question_score_adds_parts():
    b2 = Part("b2", "matrix", 2.0, answer="o - g", symbols=SHAPES, let=LETS)
    q = Question("q", "T", "p", (MATRIX, b2), "")
    s = grading.question_score(q, {"W2": 3.0})
    assert (s.earned, s.possible) == (3.0, 5.0) and s.fraction == pytest.approx(0.6)
    # capped per part, unknown part ids ignored
    assert grading.question_score(q, {"W2": 9.0, "b2": 2.0, "zz": 4.0}).earned == 5.0
    assert grading.Score(0, 0).fraction == 0.0


def test_points_label_is_singular_only_for_one():
    from quizlib.grading import points_label

    assert [points_label(x) for x in (1, 1.0, 0.5, 2, 0, 10)] == [
        "1 point", "1 point", "0.5 points", "2 points", "0 points", "10 points"]
