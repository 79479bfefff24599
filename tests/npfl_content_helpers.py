"""Shared helpers for the tests of the NPFL114 lecture banks (lectures 8-11).

Each bank `content/npfl114_lecture_NN.md` asks the official exam questions of one lecture, listed in
the catalogue `content/sources/npfl114-lecture-NN.md` as `- npfl-lNN-qM: text [points]`. The helpers
check the bank's shape against its catalogue, run every reference and listed wrong answer of every
variant through the public checker, and evaluate the bank's own answer strings with NumPy or SymPy
(bank strings are OUR content, so eval/sympify is fine here, never on student text) so that each
test file can compare them with an independent computation.
"""
from __future__ import annotations

import math
import re
import shutil
from functools import cache

import numpy as np
import sympy
from conftest import ROOT

from quizlib.answers import check, evaluate_number
from quizlib.bank import load_banks
from quizlib.bank.variants import variant_of

CONTENT = ROOT / "content"
GRADED = ("number", "expr", "matrix")


@cache
def _all_banks():
    return {b.id: b for b in load_banks(CONTENT)}


def bank(lecture: int):
    return _all_banks()[f"npfl114_lecture_{lecture:02d}"]


def questions(lecture: int) -> dict:
    return {q.id: q for q in bank(lecture).questions}


def part(question, pid: str):
    return next(p for p in question.parts if p.id == pid)


def variants(question) -> list:
    return [variant_of(question, k) for k in range(question.n_variants)]


def values(question) -> dict[str, float]:
    return dict(question.values)


def catalogue(lecture: int) -> dict[str, int]:
    """Item id -> official points, read from the catalogue's `Items:` list."""
    text = (CONTENT / "sources" / f"npfl114-lecture-{lecture:02d}.md").read_text(encoding="utf-8")
    items = {}
    for line in text.split("Items:")[1].splitlines():
        m = re.match(r"- (npfl-l\d\d-q\d+): .+ \[(\d+)\]\s*$", line)
        if m:
            items[m.group(1)] = int(m.group(2))
    return items


def assert_bank_shape(lecture: int, tmp_path) -> None:
    """Strict load alone; every catalogue item asked once with its points; parts well formed."""
    b = bank(lecture)
    assert b.problems == (), "\n".join(map(str, b.problems))
    name = f"npfl114_lecture_{lecture:02d}.md"
    shutil.copy(CONTENT / name, tmp_path)
    (tmp_path / "sources").mkdir()
    shutil.copy(CONTENT / "sources" / f"npfl114-lecture-{lecture:02d}.md", tmp_path / "sources")
    (alone,) = load_banks(tmp_path, strict=True)
    assert alone.lecture == lecture and all(q.lecture == lecture for q in alone.questions)
    items = catalogue(lecture)
    covering = {}
    for q in b.questions:
        for item in q.covers:
            assert item not in covering, f"{item} covered twice"
            covering[item] = q
    assert sorted(covering) == sorted(items), "every official item covered, nothing else"
    for item, q in covering.items():
        assert q.points == items[item], (q.id, q.points, items[item])
        assert q.source == f"npfl114-lecture-{lecture:02d}"
    for q in b.questions:
        assert q.solution.strip() and q.topics, q.id
        for p in q.parts:
            if p.kind in GRADED:
                assert len(p.wrong_answers) >= 2, (q.id, p.id)
                assert all(w.feedback.strip() for w in p.wrong_answers), (q.id, p.id)
            if p.kind == "derivation":
                assert p.rubric, (q.id, p.id)
                assert math.isclose(sum(r.points for r in p.rubric), p.points), (q.id, p.id)
            if p.kind == "choice":
                assert any(c.correct for c in p.choices) and any(not c.correct for c in p.choices)
        if q.covers:
            assert any(p.kind == "derivation" for p in q.parts), f"{q.id}: official item without a rubric"


def assert_checker_agrees(lecture: int) -> int:
    """Every variant: the reference is accepted, each listed wrong answer rejected with its feedback.

    Returns the number of graded parts checked (variants counted), so a test can assert it is not 0.
    """
    n = 0
    for q in bank(lecture).questions:
        for v in variants(q):
            for p in v.parts:
                if p.kind == "choice":
                    ticked = ", ".join(c.label for c in p.choices if c.correct)
                    assert check(p.answer, ticked, kind="choice").correct, (q.id, p.id)
                    wrong = next(c.label for c in p.choices if not c.correct)
                    assert not check(p.answer, wrong, kind="choice").correct, (q.id, p.id)
                if p.kind not in GRADED:
                    continue
                kw = {"kind": p.kind, "symbols": list(p.symbols), "rtol": p.rtol, "atol": p.atol, "let": p.let,
                          "functions": p.functions, "wrong_answers": p.wrong_answers}
                r = check(p.answer, p.answer, **kw)
                assert r.correct, (q.id, p.id, v.variant, r.message)
                for w in p.wrong_answers:
                    r = check(p.answer, w.answer, **kw)
                    assert not r.correct, (q.id, p.id, v.variant, w.answer)
                    assert w.feedback in r.message, (q.id, p.id, w.answer, r.message)
                if p.kind == "number":
                    assert math.isfinite(evaluate_number(p.answer, {})), (q.id, p.id, v.variant)
                n += 1
    return n


# -- evaluating our own answer strings -----------------------------------------------------------

def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def softmax_columns(a):
    e = np.exp(a - a.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def matrix_value(text: str, env: dict) -> np.ndarray:
    """A bank matrix answer (written with `@`, `⊙`, `^T`) evaluated with NumPy arrays."""
    py = text.replace("⊙", "*").replace("^T", ".T").replace("^", "**")
    names = {"sigma": sigmoid, "tanh": np.tanh, "softmax": softmax_columns, "exp": np.exp,
             "log": np.log, "sqrt": np.sqrt, "relu": lambda a: np.maximum(a, 0), **env}
    return eval(py, {"__builtins__": {}}, names)


def number(text: str, vals: dict | None = None) -> float:
    """A bank number answer (SymPy syntax, maybe with the variant's variables) as a float."""
    local = {k: sympy.Symbol(k) for k in (vals or {})}
    s = sympy.Symbol("_s")
    local.update(sigma=sympy.Lambda(s, 1 / (1 + sympy.exp(-s))), relu=sympy.Lambda(s, sympy.Max(0, s)))
    e = sympy.sympify(text.replace("^", "**"), locals=local)
    return float(e.subs({local[k]: v for k, v in (vals or {}).items()}))


def expr(text: str, names) -> sympy.Expr:
    """A bank expr answer as SymPy, with `sigma` the logistic function."""
    local = {n: sympy.Symbol(n, real=True) for n in names}
    z = sympy.Symbol("_s")
    local.update(sigma=sympy.Lambda(z, 1 / (1 + sympy.exp(-z))))
    return sympy.sympify(text.replace("^", "**"), locals=local)


def raw_answer(lecture: int, qid: str, pid: str) -> str:
    """The `answer:` line of a part as written in the bank (before a variant fills in the values)."""
    text = (CONTENT / f"npfl114_lecture_{lecture:02d}.md").read_text(encoding="utf-8")
    block = re.search(rf"^## {re.escape(qid)}:.*?(?=^## |\Z)", text, flags=re.DOTALL | re.MULTILINE).group(0)
    part_text = re.search(rf"^### Part {re.escape(pid)}:.*?(?=^### |\Z)", block, flags=re.DOTALL | re.MULTILINE).group(0)
    return re.search(r"^answer: (.*)$", part_text, flags=re.MULTILINE).group(1).strip()


def verdict(p, typed: str):
    """The checker's verdict on what a student typed into part `p` (with the part's own settings)."""
    return check(p.answer, typed, kind=p.kind, symbols=list(p.symbols), rtol=p.rtol, atol=p.atol, let=p.let,
                 functions=p.functions, wrong_answers=p.wrong_answers)


def drawings(question) -> list[str]:
    """The Mermaid sources of a question's model solution, each asserted to convert to a graph."""
    from quizlib.diagrams import mermaid_to_dot, split_mermaid

    blocks = [src for kind, src in split_mermaid(question.solution) if kind == "mermaid"]
    for src in blocks:
        assert mermaid_to_dot(src) is not None, (question.id, src[:80])
    return blocks
