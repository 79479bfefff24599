"""The step-checked bank (content/step_derivations.md): every question, two correct derivations by
different routes (✓ on every line, starting from the quantity asked and ending at the answer, the
`| final` item earned) and two with one wrong step (✗ at exactly that line, ✓ on every line before)."""
from __future__ import annotations

from pathlib import Path

import pytest
from step_corpus import CASES, with_wrong_line

from quizlib import grading
from quizlib.bank import load_banks

ROOT = Path(__file__).resolve().parent.parent
BANK = next(b for b in load_banks(str(ROOT / "content")) if b.id == "step_derivations")
PARTS = {q.id: q.parts[0] for q in BANK.questions}


def test_the_bank_has_twenty_step_parts_eight_from_lectures_2_and_3_and_a_corpus_for_each():
    assert len(PARTS) >= 20 and all(p.steps for p in PARTS.values())
    assert sum(q.lecture in (2, 3) for q in BANK.questions) >= 8
    assert set(CASES) == set(PARTS)
    assert sum(len(g) + len(b) for g, b in CASES.values()) >= 80


@pytest.mark.parametrize("qid", sorted(CASES))
def test_correct_routes_and_wrong_steps(qid):
    part = PARTS[qid]
    good, bad = CASES[qid]
    assert len(good) >= 2 and len(bad) >= 2 and good[0] != good[1]
    final = [i for i, r in enumerate(part.rubric) if r.final]
    for text in good:
        v = grading.check_derivation(part, text)
        assert v.all_ok and v.starts_right and v.ends_right, (text, v.marks)
        ticks = grading.rubric_ticks(part, v)
        assert all(ticks.auto[i] for i in final)
        points, _ = grading.score_steps(part, v, [i for i, a in enumerate(ticks.auto) if a])
        assert points >= sum(part.rubric[i].points for i in final)
    for text, line, wrong in bad:
        v = grading.check_derivation(part, with_wrong_line(text, line, wrong))
        assert v.first_wrong == line, (wrong, v.marks)
        assert all(m.mark == "ok" for m in v.marks if m.line < line), v.marks


@pytest.mark.parametrize("qid", sorted(CASES))
def test_an_unreadable_line_is_marked_with_its_reason_and_the_rest_still_checked(qid):
    part = PARTS[qid]
    lines = CASES[qid][0][0].splitlines()
    text = "\n".join(lines[:1] + ["= (" + lines[0].split("=")[-1].strip()] + lines[1:])
    v = grading.check_derivation(part, text)
    assert [m.mark for m in v.marks] == ["ok", "unreadable"] + ["ok"] * (len(lines) - 1), v.marks
    assert v.marks[1].message and v.marks[1].text.startswith("= (") and v.ends_right
