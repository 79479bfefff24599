"""The material banks (sources 001–004) through the app's own loader and checker.

Strict validation, catalogue coverage by questions of the same source, the house rules for
content (hints, solutions, ≥ 2 wrong answers per formula, rubrics adding up, reconstructed
questions for 004), and every reference answer accepted / every listed wrong answer rejected
with its own feedback by `quizlib.answers.check`, in every variant.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from content_material_helpers import CONTENT, MATERIAL_BANKS
from quizlib.answers import check
from quizlib.bank import check_banks, load_banks, read_catalogues
from quizlib.bank.variants import variant_of

SOURCE_OF = {
    "nielsen_cross_entropy": "001_2345d26b2fd395cf.txt",
    "init_and_l2": "002_6ba31c345eed338a.txt",
    "lecture2_softmax_dropout_bn": "003_132354b0ed712830.txt",
    "exam_answers_2": "004_6deae66e29b906dd.txt",
}


@pytest.fixture(scope="module")
def banks():
    return {b.id: b for b in load_banks(CONTENT) if b.id in SOURCE_OF}


def _questions(banks):
    return [q for b in banks.values() for q in b.questions]


def _args(part):
    return dict(kind=part.kind, symbols=list(part.symbols), rtol=part.rtol, atol=part.atol,
                wrong_answers=part.wrong_answers, let=part.let, functions=part.functions)


def test_banks_validate_strictly_and_load_every_question(banks):
    ours = {Path(f).name for f in MATERIAL_BANKS}
    problems = [p for p in check_banks(CONTENT, strict=True) if Path(p.file).name in ours]
    assert problems == [], "\n".join(map(str, problems))
    assert set(banks) == set(SOURCE_OF)
    for bank_id, bank in banks.items():
        text = (CONTENT / f"{bank_id}.md").read_text(encoding="utf-8")
        headings = re.findall(r"^## ([\w-]+):", text, flags=re.M)
        assert [q.id for q in bank.questions] == headings
        assert bank.sources == (SOURCE_OF[bank_id],)
    assert len(_questions(banks)) >= 35


def test_question_metadata(banks):
    for bank_id, bank in banks.items():
        for q in bank.questions:
            assert q.source == SOURCE_OF[bank_id], q.id
            assert q.hints, f"{q.id} has no hints"
            assert q.solution.strip(), f"{q.id} has no model solution"
            assert q.covers, f"{q.id} covers no catalogue item"
            assert q.reconstructed == (bank_id == "exam_answers_2"), q.id


def test_every_catalogue_item_is_covered_by_a_question_of_its_source(banks):
    catalogues = read_catalogues(CONTENT)
    for bank_id, source in SOURCE_OF.items():
        items = catalogues[Path(source).stem]
        assert len(items) >= 10
        # a question may also cover an item of the course's official list (npfl-lNN-qM)
        covered = {c for q in banks[bank_id].questions for c in q.covers if not c.startswith("npfl-")}
        assert covered <= set(items), covered - set(items)
        assert set(items) <= covered, f"{source}: uncovered {sorted(set(items) - covered)}"


def test_formula_answers_list_two_wrong_answers_and_rubrics_add_up(banks):
    kinds = set()
    for q in _questions(banks):
        for part in q.parts:
            kinds.add(part.kind)
            if part.kind in ("expr", "matrix"):
                assert len(part.wrong_answers) >= 2, f"{q.id}/{part.id}"
            if part.kind == "derivation":
                assert part.rubric and sum(r.points for r in part.rubric) == pytest.approx(part.points)
    assert kinds == {"number", "expr", "choice", "derivation", "matrix"}
    assert any(q.is_multi for q in _questions(banks))
    assert any(q.variables for q in _questions(banks))


def _all_variants(q):
    return [variant_of(q, k) for k in range(q.n_variants)]


def test_reference_answers_are_accepted_in_every_variant(banks):
    checked = 0
    for q in _questions(banks):
        for v in _all_variants(q):
            for part in v.parts:
                if part.kind == "derivation":
                    continue
                res = check(part.answer, part.answer, **_args(part))
                assert res.valid and res.correct, f"{q.id}/{part.id} variant {v.variant}: {res.message}"
                checked += 1
    assert checked >= 80


def test_listed_wrong_answers_get_their_own_feedback(banks):
    seen = 0
    for q in _questions(banks):
        for v in _all_variants(q):
            for part in v.parts:
                for wrong in part.wrong_answers:
                    res = check(part.answer, wrong.answer, **_args(part))
                    where = f"{q.id}/{part.id} variant {v.variant}: `{wrong.answer}`"
                    assert res.valid and not res.correct, where
                    if part.kind == "matrix" and res.error == "shape":
                        continue  # a transposed answer is caught by the shape check first
                    assert res.error == "listed", f"{where}: {res.error} {res.message}"
                    assert wrong.feedback.strip()[:40] in res.message, where
                    seen += 1
    assert seen >= 100


def test_a_wrong_selection_of_choices_is_rejected(banks):
    for q in _questions(banks):
        for part in q.parts:
            if part.kind != "choice":
                continue
            right = [c.label for c in part.choices if c.correct]
            wrong = [c.label for c in part.choices if not c.correct]
            assert right and wrong, f"{q.id}/{part.id}"
            assert check(part.answer, ", ".join(right), kind="choice").correct
            assert not check(part.answer, ", ".join(right[:-1] + wrong[:1]), kind="choice").correct


EQUIVALENT_FORMS = [  # (question id, part id, a correct answer written differently)
    ("nce-ce-gradient", "w1", "x1(a-y)"),
    ("nce-ce-gradient", "w1", "a*x1 - x1*y"),
    ("nce-ce-dcda", "", "1/(1-a) - y/(a(1-a))"),
    ("nce-ce-antiderivative", "", "-y log(a) - (1-y) log(1-a)"),
    ("nce-mse-neuron-gradient", "b", "(sigma(w x + b) - y) sigma(w x + b)(1 - sigma(w x + b))"),
    ("nce-ce-min-at-y", "d1", "(a - y)/(a(1 - a))"),
    ("il2-per-epoch-exp", "", "e^(-eta lam/m)"),
    ("il2-update-rule", "", "w - eta*lam*w/n - eta*G/m"),
    ("l2n-nll", "", "log(exp(z1)+exp(z2)+exp(z3)) - z2"),
    ("l2n-dropout-train-eval", "var", "p z^2/(1-p)"),
    ("l2n-bn-running-rule", "", "r - m r + m v B/(B-1)"),
    ("ex2-logistic-loss", "da", "x*(1/(1+exp(-(a*x+b))) - y)"),
    ("ex2-logistic-loss", "loss", "log(1+exp(a x+b)) - y(a x+b)"),
    ("ex2-l2-weight-decay", "match", "d/eps"),
    ("ex2-in-place", "sigmoid", "y - y^2"),
    ("nce-backprop-four", "bp2", "s ⊙ (W^T d)"),
]


@pytest.mark.parametrize("qid, part_id, given", EQUIVALENT_FORMS)
def test_equivalent_forms_are_accepted(banks, qid, part_id, given):
    q = next(q for q in _questions(banks) if q.id == qid)
    part = next(p for p in q.parts if p.id == part_id)
    res = check(part.answer, given, **_args(part))
    assert res.valid and res.correct, res.message
