"""Checks shared by the course banks (MLP basics, MLE and losses, optimisation, Nielsen ch. 3, drills).

These banks go beyond the material files, so their keys are verified here and in the per-bank
files `test_content_course_<bank>.py`, which import the helpers below: `course_questions()` loads
the five banks through `quizlib.bank`, `variants(q)` lists every variant's values, and
`num(expr, values)` evaluates a bank expression with SymPy for an *independent* computation to
compare against. The generic tests check the contract every question owes the
student: points, hints, a model solution, topics, two listed wrong answers per formula, rubrics
that add up, keys accepted and wrong answers rejected with their own feedback, in every variant.
"""
from __future__ import annotations

import itertools
import math
import re
import shutil
from functools import lru_cache
from pathlib import Path

import pytest
import sympy

from quizlib.bank import precision
from quizlib.model import Part, Question

ROOT = Path(__file__).resolve().parent.parent
COURSE_BANKS = ("mlp_basics", "mle_losses", "optimisation", "nielsen_ch3", "drills")
FORMULA_KINDS = ("number", "expr", "matrix")


# ---------------------------------------------------------------- loading
@lru_cache(maxsize=1)
def course_questions() -> dict[str, Question]:
    """Every question of the five course banks, by id (unrendered templates)."""
    from quizlib.bank import load_banks
    from quizlib.bank.variants import template_of  # loaded questions are rendered as variant 0

    banks = [b for b in load_banks(str(ROOT / "content")) if b.id in COURSE_BANKS]
    return {q.id: template_of(q) for b in banks for q in b.questions}


def question(qid: str) -> Question:
    q = course_questions().get(qid)
    assert q is not None, f"question {qid} is missing from the course banks"
    return q


def part(qid: str, pid: str = "") -> Part:
    q = question(qid)
    if not pid:
        assert not q.is_multi
        return q.parts[0]
    return next(p for p in q.parts if p.id == pid)


def variants(q: Question) -> list[dict[str, float]]:
    """The values of every variant, in the product order of the Variables section."""
    names = [v.name for v in q.variables]
    return [dict(zip(names, combo)) for combo in itertools.product(*(v.values for v in q.variables))]


_SIGMA = sympy.Lambda(sympy.Symbol("u"), 1 / (1 + sympy.exp(-sympy.Symbol("u"))))


def sym(expr: str, names=()) -> sympy.Expr:
    """Parse a bank expression (trusted content, never student text) for an independent check."""
    local = {n: sympy.Symbol(n) for n in names}
    local.update(sigma=_SIGMA, floor=sympy.floor, pi=sympy.pi, exp=sympy.exp, log=sympy.log,
                 sqrt=sympy.sqrt, tanh=sympy.tanh)
    return sympy.sympify(expr.replace("^", "**"), locals=local)


def num(expr: str, values: dict[str, float]) -> float:
    value = float(sym(expr, values).subs({sympy.Symbol(k): sympy.nsimplify(v) if float(v).is_integer()
                                          else v for k, v in values.items()}).evalf(30))
    assert math.isfinite(value), f"{expr} at {values} is not finite"
    return value


def close(a: float, b: float, rel=1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def sym_names(p: Part) -> list[str]:
    """Symbol names of a part, without their domains ("o in (0, 1)" → "o")."""
    return [re.split(r"[\s:<>]| in ", s.strip())[0] for s in p.symbols]


# ---------------------------------------------------------------- the contract of every question
ALL = sorted(course_questions())


def test_the_course_banks_hold_enough_questions():
    per_bank = {}
    for q in course_questions().values():
        per_bank[q.bank] = per_bank.get(q.bank, 0) + 1
    assert set(per_bank) == set(COURSE_BANKS), per_bank
    assert sum(per_bank.values()) >= 55, per_bank


@pytest.mark.parametrize("qid", ALL)
def test_every_question_has_points_hints_solution_and_topics(qid):
    q = question(qid)
    assert q.points > 0 and all(p.points > 0 for p in q.parts)
    assert q.hints, "no hints"
    assert q.solution.strip() or all(p.solution.strip() for p in q.parts), "no model solution"
    assert q.topics, "no topics"


@pytest.mark.parametrize("qid", ALL)
def test_formula_answers_list_two_wrong_answers_and_rubrics_add_up(qid):
    for p in question(qid).parts:
        if p.kind in FORMULA_KINDS:
            assert len(p.wrong_answers) >= 2, f"part {p.id!r} lists < 2 wrong answers"
            assert all(w.feedback.strip() for w in p.wrong_answers)
        if p.kind == "derivation":
            assert p.rubric and math.isclose(sum(r.points for r in p.rubric), p.points), p.id
        if p.kind == "choice":
            assert any(c.correct for c in p.choices) and not all(c.correct for c in p.choices)


@pytest.mark.parametrize("qid", ALL)
def test_every_variant_of_every_formula_is_finite_and_wrong_answers_differ(qid):
    """Each variant's key is finite and no listed wrong answer coincides with it or another one."""
    q = question(qid)
    for p in q.parts:
        if p.kind != "number":
            continue
        for values in variants(q) or [{}]:
            key = num(p.answer, values)
            seen = [key]
            for w in p.wrong_answers:
                wrong = num(w.answer, values)
                for other in seen:  # well outside the tolerance of the key and of each other
                    if p.precision is not None:  # `precision:` sets this variant's tolerance from its key
                        tol = precision.tolerance(p.precision, key)
                    else:
                        tol = p.atol if p.atol is not None else (p.rtol or 0.005) * max(abs(wrong), abs(other))
                    assert abs(wrong - other) > 2 * tol, (p.id, w.answer, values, wrong, other)
                seen.append(wrong)


@pytest.mark.parametrize("qid", [i for i in ALL if any(p.kind == "expr" for p in question(i).parts)])
def test_expr_wrong_answers_are_not_equivalent_to_the_key(qid):
    for p in question(qid).parts:
        if p.kind != "expr":
            continue
        names = sym_names(p)
        key = sym(p.answer, names)
        assert key.free_symbols <= {sympy.Symbol(n) for n in names}, p.id
        for w in p.wrong_answers:
            assert sympy.simplify(sym(w.answer, names) - key) != 0, (p.id, w.answer)


def test_course_ids_are_unique_across_all_banks():
    ids = []
    for f in sorted((ROOT / "content").glob("*.md")):
        if not f.name.startswith("_"):
            ids += re.findall(r"^## ([\w-]+):", f.read_text(encoding="utf-8"), flags=re.M)
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup & set(ALL), dup


# ---------------------------------------------------------------- the real parser and checker
def test_course_banks_load_strictly_without_problems(tmp_path):
    from quizlib import bank
    for stem in COURSE_BANKS + ("lecture3_exam",):  # lecture 3 holds the question a course one `reveals:`
        shutil.copy(ROOT / "content" / f"{stem}.md", tmp_path / f"{stem}.md")
    banks = bank.load_banks(str(tmp_path), strict=True)
    assert {b.id for b in banks} == set(COURSE_BANKS) | {"lecture3_exam"}
    for b in banks:
        assert not b.problems, [str(p) for p in b.problems]
    assert not bank.check_banks(str(tmp_path), strict=True)


def _checker_cases():
    """(qid, variant) pairs: every variant of every question that has a formula part."""
    out = []
    for qid in ALL:
        q = question(qid)
        if any(p.kind in FORMULA_KINDS + ("choice",) for p in q.parts):
            out += [pytest.param(qid, k, id=f"{qid}-{k}") for k in range(q.n_variants)]
    return out


def _typed(x: float) -> str:
    """How a student types a number: 6 significant figures."""
    return f"{x:.6g}"


@pytest.mark.parametrize(("qid", "k"), _checker_cases())
def test_checker_accepts_the_key_and_rejects_each_wrong_answer_with_its_feedback(qid, k):
    from quizlib import answers
    from quizlib.bank.variants import variant_of

    q = variant_of(question(qid), k)
    for p in q.parts:
        opts = dict(kind=p.kind, symbols=list(p.symbols), rtol=p.rtol, atol=p.atol,
                    let=p.let, functions=p.functions)
        if p.kind == "choice":
            res = answers.check(p.answer, p.answer, kind="choice")
            assert res.valid and res.correct, (p.id, res.message)
            wrong = next(c.label for c in p.choices if not c.correct)
            assert not answers.check(p.answer, wrong, kind="choice").correct
            continue
        if p.kind not in FORMULA_KINDS:
            continue
        given = _typed(answers.evaluate_number(p.answer, {})) if p.kind == "number" else p.answer
        res = answers.check(p.answer, given, wrong_answers=p.wrong_answers, **opts)
        assert res.valid and res.correct, (p.id, p.answer, given, res.message)
        for w in p.wrong_answers:
            typed = _typed(answers.evaluate_number(w.answer, {})) if p.kind == "number" else w.answer
            res = answers.check(p.answer, typed, wrong_answers=p.wrong_answers, **opts)
            assert res.valid and not res.correct, (p.id, w.answer, typed, res.message)
            assert w.feedback in res.message, (p.id, w.answer, res.message)


@pytest.mark.parametrize("qid", [i for i in ALL if question(i).variables])
def test_every_variant_renders_without_leftover_placeholders(qid):
    from quizlib.bank.variants import variant_of

    q0 = question(qid)
    for k in range(q0.n_variants):
        q = variant_of(q0, k)
        texts = [q.prompt, q.solution, *q.hints] + [t for p in q.parts for t in
                 (p.prompt, p.solution, *(w.feedback for w in p.wrong_answers))]
        leftover = [t for t in texts if "{{" in t]
        assert not leftover, (k, leftover[0][:200])


# How students really type the expr answers: Unicode, implicit products, LaTeX, other forms.
STUDENT_FORMS = {
 ("mlp-sigmoid-derivative",""): ["σ(z)(1-σ(z))", "exp(-z)/(1+exp(-z))^2", "sigma(z) - sigma(z)^2"],
 ("mlp-tanh-derivative",""): ["1-tanh(z)²", "(1-tanh(z))(1+tanh(z))", "1 − tanh(z)^2"],
 ("mlp-chain-rule",""): ["(w2 tanh(w1 x) - y) w2 (1 - tanh(w1 x)^2) x", "x*w2*(w2*tanh(w1*x)-y)*(1-tanh(w1*x)**2)"],
 ("mle-gaussian-mse","nll"): ["log(s) + log(2*pi)/2 + (f-y)^2/(2s^2)", "ln(s*sqrt(2π)) + (y-f)²/(2s²)"],
 ("mle-gaussian-mse","grad"): ["-(y-f)/s^2", "(f-y)/s²"],
 ("mle-softmax-jacobian","diag"): ["o1 - o1^2", "o1(1-o1)"],
 ("mle-softmax-jacobian","off"): ["-o2*o1", "-o1 o2"],
 ("opt-momentum","v"): ["-eta*g + mu*v", "μv - ηg"],
 ("opt-momentum","theta"): ["theta + (mu v - eta g)", "θ + μv − ηg"],
 ("opt-nesterov","nesterov"): ["mu v - eta k theta - eta k mu v", "mu*v - eta*k*(theta + mu*v)"],
 ("opt-nesterov","classical"): ["mu v - eta k theta"],
 ("opt-adagrad","theta"): ["theta - eta g/(sqrt(r+g^2)+eps)", "θ - η g/(ε + √(r + g²))"],
 ("opt-adagrad","r"): ["g^2 + r"],
 ("opt-rmsprop",""): ["rho r + g^2 - rho g^2", "ρr + (1-ρ)g²"],
 ("opt-adam-vhat",""): ["v/(1-b2^t)", "\\frac{v}{1-b2^t}"],
 ("n3-softmax-invert","diff"): ["log(a1) - log(a2)", "ln(a1/a2)"],
 ("n3-sigmoid-tanh","sig"): ["1/2 + t/2", "\\frac{1+t}{2}"],
 ("n3-sigmoid-tanh","tanh"): ["2s - 1", "-1 + 2*s"],
 ("n3-hyper-lambda","grad"): ["s/2/n", "\\frac{s}{2n}"],
 ("n3-l1-update","pos"): ["w - eta*(lam/n + d)", "w - ηλ/n - ηd"],
 ("n3-l1-update","neg"): ["w + eta*lam/n - eta*d"],
 ("n3-l1-update","l2"): ["w - eta*lam*w/n - eta*d", "(1 - ηλ/n)w - ηd"],
}


@pytest.mark.parametrize(("qid", "pid"), list(STUDENT_FORMS))
def test_checker_accepts_equivalent_student_forms(qid, pid):
    from quizlib import answers
    p = part(qid, pid)
    for form in STUDENT_FORMS[(qid, pid)]:
        res = answers.check(p.answer, form, kind=p.kind, symbols=list(p.symbols),
                            wrong_answers=p.wrong_answers, let=p.let)
        assert res.valid and res.correct, (form, res.message)
