"""The bank format of step-checked derivations: `steps: yes`, `asked:`, rubric `| check:` and
`| final`, their problems reported as file:line; and the scoring rules of the app's ticks."""
from __future__ import annotations

from quizlib import grading
from quizlib.bank import load_bank_file

GOOD = """---
title: Steps
---

## s1: Sigmoid and cross-entropy
kind: derivation
steps: yes
points: 4
symbols: z, g in (0, 1)
let: o = sigma(z); L = -(g*log(o) + (1-g)*log(1-o))
asked: dL/dz
answer: o - g

### Prompt
Derive it.

### Solution
$o - g$.

### Rubric
- [1] uses $\\sigma'$ | check: o*(1-o)
- [1] explains the chain rule
- [2] the answer $o - g$ | final
"""


def load(tmp_path, text):
    f = tmp_path / "b.md"
    f.write_text(text)
    return load_bank_file(f)


def test_a_step_part_loads_with_its_formulas(tmp_path):
    bank = load(tmp_path, GOOD)
    assert not bank.problems, bank.problems
    p = bank.questions[0].parts[0]
    assert p.steps and p.asked == "dL/dz" and p.answer == "o - g"
    assert [(r.check, r.final) for r in p.rubric] == [("o*(1-o)", False), ("", False), ("", True)]
    assert p.rubric[0].text == "uses $\\sigma'$"


def test_bad_step_parts_are_reported_at_their_line(tmp_path):
    maybe = [str(p) for p in load(tmp_path, GOOD.replace("steps: yes", "steps: maybe")).problems]
    assert any(":7: error: steps must be yes or no" in m for m in maybe), maybe
    bad = GOOD.replace("asked: dL/dz", "asked: dL/dq").replace("check: o*(1-o)", "check: o*(1-q")
    msgs = [str(p) for p in load(tmp_path, bad).problems]
    assert any(":11: error:" in m and "`q`" in m for m in msgs), msgs
    assert any(":21: error:" in m and "o*(1-q" in m for m in msgs), msgs
    no_asked = load(tmp_path, GOOD.replace("asked: dL/dz\n", "").replace("steps: maybe", "steps: yes"))
    assert any("no `asked:`" in str(p) for p in no_asked.problems)
    plain = load(tmp_path, GOOD.replace("steps: yes\n", "").replace("asked: dL/dz\n", ""))
    assert any("only a step-checked derivation" in str(p) for p in plain.problems)


def test_app_ticks_and_what_a_student_may_tick(tmp_path):
    p = load(tmp_path, GOOD).questions[0].parts[0]
    good = grading.check_derivation(p, "∂L/∂z = (−g/o + (1−g)/(1−o)) · o(1−o)\n= o − g")
    t = grading.rubric_ticks(p, good)
    assert t.auto == (True, False, True) and t.allowed == (True, True, True)
    assert grading.score_steps(p, good, [0, 1, 2]) == (4, [0, 1, 2])
    # no σ′ anywhere and the wrong end: those items cannot be ticked, the self-ticked one can
    bad = grading.check_derivation(p, "∂L/∂z = g - o")
    t = grading.rubric_ticks(p, bad)
    assert t.auto == (False, False, False) and t.allowed == (False, True, False)
    assert grading.score_steps(p, bad, [0, 1, 2]) == (1, [1])
    extra = grading.steps_extra(good, grading.rubric_ticks(p, good))
    assert extra["steps"] == [[1, "ok"], [2, "ok"]] and extra["auto_ticked"] == [0, 2]
    assert extra["step_lines"][1] == "= o − g" and extra["ends_right"] is True


def test_random_quantities_are_read_and_bad_ones_reported_at_their_line(tmp_path):
    good = GOOD.replace("let: o = sigma(z); L", "random: g ~ Bernoulli(1/2)\nlet: o = sigma(z); L")
    assert load(tmp_path, good).questions[0].parts[0].random == ("g ~ Bernoulli(1/2)",)
    for bad, why in [("g ~ Poisson(2)", "cannot read the random quantity"),
                     ("q ~ Bernoulli(1/2)", "must also be one of the `symbols`"),
                     ("g ~ Uniform(0)", "takes 2 parameter(s)")]:
        msgs = [str(p) for p in load(tmp_path, GOOD.replace("let: o", f"random: {bad}\nlet: o")).problems]
        assert any(":10: error:" in m and why in m for m in msgs), msgs
    plain = GOOD.replace("steps: yes\n", "random: g ~ Bernoulli(1/2)\n").replace("asked: dL/dz\n", "")
    assert any("`random:` is for a step-checked derivation" in str(p) for p in load(tmp_path, plain).problems)


def test_an_exam_marks_the_lines_pre_ticks_the_app_items_and_refuses_an_absent_formula(tmp_path):
    from quizlib import exam

    q = load(tmp_path, GOOD).questions[0]
    key = exam.answer_key(q.id, q.parts[0].id)
    item = exam.grade_question(q.id, 0, q, {key: "∂L/∂z = g - o"}, grading.grade_part)
    row = item["parts"][0]
    assert row["verdict"] == "self-grade" and row["steps"] == [[1, "wrong"]] and row["ends_right"] is False
    assert row["ticked"] == [] and row["allowed"] == [False, True, False]
    assert exam.apply_self_grade(row, [0, 1, 2])["score"] == 1 and row["ticked"] == [1]
    good = exam.grade_question(q.id, 0, q, {key: "∂L/∂z = (−g/o + (1−g)/(1−o)) · o(1−o)\n= o − g"},
                               grading.grade_part)["parts"][0]
    assert good["ticked"] == [0, 2] and exam.apply_self_grade(good, [0, 1, 2])["score"] == 4
