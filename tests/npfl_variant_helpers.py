"""Shared helpers for the tests of the NPFL114 lecture 12-14 banks and the course-gap bank (variant-based).

`load(bank_id)` loads one bank through the public door `quizlib.bank.load_banks` and returns
its questions by id, unrendered (templates), with `all_variants(q)` rendering each variant.
`contract(...)` checks what every question of such a bank owes the student (points, hints,
solution, two wrong answers with feedback per formula part, rubrics adding up, the checker
accepting every reference and rejecting every listed wrong answer with its feedback, in every
variant). The per-bank tests recompute the references independently: `sym` / `num` parse OUR
bank strings (trusted content, never student text) with SymPy so a test can compare them with
its own derivation, simulation or brute force.
"""
from __future__ import annotations

import itertools
import math
import re
from functools import cache
from pathlib import Path

import sympy

from quizlib.answers import check, evaluate_number
from quizlib.bank import load_banks
from quizlib.model import Part, Question
from quizlib.bank.variants import template_of, variant_of

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FORMULA_KINDS = ("number", "expr", "matrix")


@cache
def _banks():
    return {b.id: b for b in load_banks(str(CONTENT))}


def bank(bank_id: str):
    return _banks()[bank_id]


def load(bank_id: str) -> dict[str, Question]:
    """The bank's questions by id, as unrendered templates."""
    return {q.id: template_of(q) for q in bank(bank_id).questions}


def part(q: Question, pid: str) -> Part:
    return next(p for p in q.parts if p.id == pid)


def all_variants(q: Question) -> list[Question]:
    return [variant_of(q, k) for k in range(q.n_variants)]


def values(q: Question) -> list[dict[str, float]]:
    """The values of every variant, in the product order of the Variables section."""
    names = [v.name for v in q.variables]
    return [dict(zip(names, combo)) for combo in itertools.product(*(v.values for v in q.variables))] or [{}]


_U = sympy.Symbol("u")
_SIGMA = sympy.Lambda(_U, 1 / (1 + sympy.exp(-_U)))


def sym(expr: str, names=()) -> sympy.Expr:
    """A bank expression (trusted content) as SymPy, `sigma` the logistic function."""
    local = {n: sympy.Symbol(n) for n in names}
    local.update(sigma=_SIGMA, pi=sympy.pi, exp=sympy.exp, log=sympy.log, sqrt=sympy.sqrt,
                 tanh=sympy.tanh, cos=sympy.cos, gamma=sympy.Symbol("gamma"), beta=sympy.Symbol("beta"))
    return sympy.sympify(expr.replace("^", "**"), locals=local)


def num(expr: str, vals: dict[str, float]) -> float:
    e = sym(expr, vals)
    value = float(e.subs({sympy.Symbol(k): v for k, v in vals.items()}).evalf(30))
    assert math.isfinite(value), f"{expr} at {vals} is not finite"
    return value


def same_expr(bank_answer: str, mine: sympy.Expr, names, points=40, seed=3, lo=0.2, hi=0.9) -> bool:
    """The bank's answer equals my independent expression at random points (and symbolically if possible)."""
    theirs = sym(bank_answer, names)
    if sympy.simplify(theirs - mine) == 0:
        return True
    import random

    rnd = random.Random(seed)
    syms = [sympy.Symbol(n) for n in names]
    f = sympy.lambdify(syms, theirs - mine, "mpmath")
    for _ in range(points):
        if abs(complex(f(*[rnd.uniform(lo, hi) for _ in syms]))) > 1e-9:
            return False
    return True


def catalogue_items(stem: str) -> dict[str, float]:
    """`content/sources/<stem>.md` → {item id: official points}."""
    text = (CONTENT / "sources" / f"{stem}.md").read_text(encoding="utf-8")
    items = {}
    for line in text.split("Items:")[1].splitlines():
        m = re.match(r"^- ([\w-]+): .*\[(\d+)\]\s*$", line)
        if m:
            items[m.group(1)] = float(m.group(2))
    return items


def contract(questions: dict[str, Question], catalogue: str | None = None) -> None:
    """The promises every question of these banks keeps (see the module docstring)."""
    if catalogue:
        items = catalogue_items(catalogue)
        covering = {}
        for q in questions.values():
            for item in q.covers:
                covering.setdefault(item, []).append(q)
        assert set(items) <= set(covering), f"uncovered: {sorted(set(items) - set(covering))}"
        for item, pts in items.items():
            assert any(math.isclose(q.points, pts) for q in covering[item]), (item, pts)
    for q in questions.values():
        assert q.points > 0 and q.hints and q.topics, q.id
        assert q.solution.strip() or all(p.solution.strip() for p in q.parts), q.id
        for p in q.parts:
            if p.kind in FORMULA_KINDS:
                assert len(p.wrong_answers) >= 2, (q.id, p.id)
                assert all(w.feedback.strip() for w in p.wrong_answers), (q.id, p.id)
            if p.kind == "derivation":
                assert p.rubric and math.isclose(sum(r.points for r in p.rubric), p.points), (q.id, p.id)
            if p.kind == "choice":
                assert any(c.correct for c in p.choices) and not all(c.correct for c in p.choices)
        for v in all_variants(q):
            for p in v.parts:
                if p.kind not in FORMULA_KINDS:
                    continue
                kw = {"kind": p.kind, "symbols": list(p.symbols), "rtol": p.rtol, "atol": p.atol, "let": p.let,
                          "functions": p.functions, "wrong_answers": p.wrong_answers}
                r = check(p.answer, p.answer, **kw)
                assert r.correct, (q.id, p.id, v.variant, r.message)
                for w in p.wrong_answers:
                    r = check(p.answer, w.answer, **kw)
                    assert not r.correct, (q.id, p.id, v.variant, w.answer)
                    assert w.feedback in r.message, (q.id, p.id, v.variant, w.answer, r.message)
                if p.kind == "number":
                    assert math.isfinite(evaluate_number(p.answer, {})), (q.id, p.id, v.variant)


def accepts(p: Part, typed: str) -> bool:
    return check(p.answer, typed, kind=p.kind, symbols=list(p.symbols), rtol=p.rtol, atol=p.atol,
                 let=p.let, functions=p.functions).correct
