"""Issue 11's promises checked over every bank of the official list at once (every
`content/npfl114_lecture_NN.md` and `content/course_gaps.md`, found by name, so a new lecture bank
cannot slip past): each formula part lists at least two wrong answers, each with feedback that says
what went wrong (a sentence, not a label; no two alike) and each refused by the grader in every
variant with that feedback; every rubric adds up to its part's points and every question asking an
official item has one; the answers that need a picture carry a Mermaid drawing.

The per-bank tests (tests/test_content_npfl_lNN.py, test_content_course_gaps.py) recompute the
references themselves; this file holds the rules that must hold for all of them alike.
"""
from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path

import pytest

from quizlib.answers import check
from quizlib.bank import load_banks
from quizlib.bank.variants import template_of, variant_of

CONTENT = Path(__file__).resolve().parent.parent / "content"
BANKS = sorted(f.stem for f in CONTENT.glob("npfl114_lecture_*.md")) + ["course_gaps"]
FORMULA = ("number", "expr", "matrix")
MIN_WORDS = 6  # "That is ReLU." names the mistake; the feedback must also say what is right or why
# the pictures issue 11 names, by the question that draws them
NAMED_DRAWINGS = {"l5-resnet": "ResNet bottleneck", "l5-mbconv": "inverted bottleneck",
                  "l10-attention": "seq2seq with attention", "l11-encoder": "Transformer encoder",
                  "l11-decoder": "Transformer decoder", "l12-vae": "VAE"}


@cache
def banks():
    return {b.id: b for b in load_banks(str(CONTENT))}


def formula_parts(bank_id):
    for q in banks()[bank_id].questions:
        for p in q.parts:
            if p.kind in FORMULA:
                yield q, p


def test_the_banks_of_every_lecture_of_the_list_are_here():
    lectures = {int(re.search(r"\d+$", b).group()) for b in BANKS if b.startswith("npfl114_lecture_")}
    assert lectures >= {2, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14}, lectures
    assert all(b in banks() and not banks()[b].problems for b in BANKS)


@pytest.mark.parametrize("bank_id", BANKS)
def test_formula_parts_list_two_wrong_answers_with_explaining_feedback(bank_id):
    n = 0
    for q, p in formula_parts(bank_id):
        n += 1
        where = (q.id, p.id)
        assert len(p.wrong_answers) >= 2, where
        assert len({w.answer.replace(" ", "") for w in p.wrong_answers}) == len(p.wrong_answers), where
        feedback = [w.feedback.strip() for w in p.wrong_answers]
        assert len(set(feedback)) == len(feedback), where  # each mistake explained on its own
        for w, text in zip(p.wrong_answers, feedback):
            words = len(re.sub(r"\$[^$]*\$", "x", text).split())
            assert words >= MIN_WORDS, (*where, w.answer, text)
    assert n > 0 or bank_id == "course_gaps"


@pytest.mark.parametrize("bank_id", BANKS)
def test_every_wrong_answer_differs_from_the_reference_in_every_variant(bank_id):
    for q in banks()[bank_id].questions:
        template = template_of(q)
        for k in range(template.n_variants):
            for p in variant_of(template, k).parts:
                if p.kind not in FORMULA:
                    continue
                kw = {"kind": p.kind, "symbols": list(p.symbols), "rtol": p.rtol, "atol": p.atol, "let": p.let,
                      "functions": p.functions, "wrong_answers": p.wrong_answers}
                assert check(p.answer, p.answer, **kw).correct, (q.id, p.id, k)
                for w in p.wrong_answers:
                    r = check(p.answer, w.answer, **kw)
                    assert r.valid and not r.correct, (q.id, p.id, k, w.answer)
                    assert w.feedback in r.message, (q.id, p.id, k, w.answer, r.message)


@pytest.mark.parametrize("bank_id", BANKS)
def test_rubrics_add_up_and_every_official_question_has_one(bank_id):
    for q in banks()[bank_id].questions:
        for p in q.parts:
            if p.rubric:
                assert all(r.points > 0 for r in p.rubric), (q.id, p.id)
                assert math.isclose(sum(r.points for r in p.rubric), p.points), (q.id, p.id)
            if p.kind == "derivation":
                assert p.rubric, (q.id, p.id)
        assert math.isclose(q.points, sum(p.points for p in q.parts)), q.id
        if any(c.startswith("npfl-l") for c in q.covers):
            assert any(p.rubric for p in q.parts), f"{q.id} asks an official item but has no rubric"


def drawn(q) -> bool:
    return "```mermaid" in q.solution or any("```mermaid" in p.solution for p in q.parts)


def catalogue() -> dict[str, str]:
    items = {}
    for f in sorted((CONTENT / "sources").glob("npfl114-lecture-*.md")):
        items.update(re.findall(r"^- (npfl-l\d\d-q\d+): (.*)$", f.read_text(encoding="utf-8"), flags=re.MULTILINE))
    return items


def test_answers_that_need_a_picture_draw_it():
    questions = {q.id: q for b in banks().values() for q in b.questions}
    for qid, what in NAMED_DRAWINGS.items():
        assert drawn(questions[qid]), f"{qid} ({what}) has no Mermaid drawing"
    # every official item that asks to draw or sketch is answered with a drawing
    pictured = [i for i, text in catalogue().items() if re.search(r"\b(draw|drawing|sketch\w*)\b|\bdrawn\b(?! from)", text)]
    assert len(pictured) >= 14, pictured
    for item in pictured:
        askers = [q for q in questions.values() if item in q.covers]
        assert any(drawn(q) for q in askers), f"{item}: no asker draws it ({[q.id for q in askers]})"
