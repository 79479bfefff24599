"""Checks shared by the course banks (MLP basics, MLE and losses, optimisation, Nielsen ch. 3, drills).

These banks go beyond the material files, so their keys are verified here and in the per-bank
files `test_content_course_<bank>.py`, which import the helpers below: `course_questions()` loads
the five banks (through `quizlib.bank` when it exists, else through a small reader of the same
format so the keys can be verified before the parser lands), `variants(q)` lists every variant's
values, and `num(expr, values)` evaluates a bank expression with SymPy for an *independent*
computation to compare against. The generic tests check the contract every question owes the
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

from quizlib.model import Choice, Part, Question, RubricItem, Variable, WrongAnswer

ROOT = Path(__file__).resolve().parent.parent
COURSE_BANKS = ("mlp_basics", "mle_losses", "optimisation", "nielsen_ch3", "drills")
FORMULA_KINDS = ("number", "expr", "matrix")


# ---------------------------------------------------------------- loading
def _fallback_parse(path: Path) -> list[Question]:
    """A minimal reader of the README's bank format (only what these five banks use)."""
    questions, cur, part, section = [], None, None, None
    def close_part():
        nonlocal part
        if part is not None:
            cur["parts"].append(part)
        part = None
    def close_question():
        nonlocal cur
        close_part()
        if cur is not None:
            single = cur["single"]
            parts = cur["parts"] or [single]
            questions.append(Question(
                id=cur["id"], title=cur["title"], prompt=cur["prompt"].strip(), source="",
                topics=tuple(cur["topics"]), bank=path.stem, hints=tuple(cur["hints"]),
                solution=cur["solution"].strip(),
                variables=tuple(Variable(n, tuple(v)) for n, v in cur["vars"]),
                parts=tuple(Part(**{k: (tuple(v) if isinstance(v, list) else v)
                                    for k, v in p.items() if k != "text"}) for p in parts)))
        cur = None
    def new_part(pid="", title=""):
        return {"id": pid, "title": title, "kind": "", "points": 0.0, "answer": "", "symbols": [],
                "let": [], "wrong_answers": [], "choices": [], "rubric": [], "solution": "",
                "prompt": "", "rtol": None, "atol": None}
    for line in path.read_text(encoding="utf-8").split("---", 2)[2].splitlines():
        if m := re.match(r"^## ([\w-]+): (.*)$", line):
            close_question()
            cur = {"id": m[1], "title": m[2], "prompt": "", "hints": [], "solution": "", "vars": [],
                   "topics": [], "parts": [], "single": new_part()}
            section = "keys"
            continue
        if cur is None:
            continue
        if m := re.match(r"^### Part ([\w-]+): (.*)$", line):
            close_part()
            part, section = new_part(m[1], m[2]), "keys"
            continue
        if m := re.match(r"^(#{3,4}) (.*)$", line):
            if len(m[1]) == 3:
                close_part()  # a level-3 section after the parts belongs to the question
            section = m[2].strip().lower()
            continue
        target = part if part is not None else cur["single"]
        if section == "keys" and (m := re.match(r"^(\w+): (.*)$", line)):
            key, val = m[1], m[2].strip()
            if key == "kind":
                target["kind"] = val
            elif key == "points":
                target["points"] = float(val)
            elif key == "answer":
                target["answer"] = val
            elif key == "symbols":
                target["symbols"] = [s.strip() for s in val.split(",")]
            elif key == "let":
                target["let"] = [s.strip() for s in val.split(";")]
            elif key == "topics":
                cur["topics"] += [s.strip() for s in val.split(",")]
            elif key == "tolerance":
                if val.startswith("abs"):
                    target["atol"] = float(val.split()[1])
                elif val.startswith("rel"):
                    target["rtol"] = float(val.split()[1])
                else:
                    target["rtol"] = float(val.rstrip("%")) / 100
            continue
        if section == "keys" and part is not None:
            part["prompt"] += line + "\n"
        elif section == "prompt":
            cur["prompt"] += line + "\n"
        elif section == "solution":
            (part if part is not None else cur)["solution"] += line + "\n"
        elif section == "hints" and line.startswith("- "):
            cur["hints"].append(line[2:])
        elif section == "variables" and (m := re.match(r"^- (\w+): (.*)$", line)):
            cur["vars"].append((m[1], [float(v) for v in m[2].split(",")]))
        elif section == "wrong answers" and (m := re.match(r"^- `([^`]*)`: (.*)$", line)):
            target["wrong_answers"].append(WrongAnswer(m[1], m[2]))
        elif section == "choices" and (m := re.match(r"^- \[([ x])\] (.*)$", line)):
            label = "abcdefghij"[len(target["choices"])]
            target["choices"].append(Choice(label, m[2], m[1] == "x"))
        elif section == "rubric" and (m := re.match(r"^- \[([\d.]+)\] (.*)$", line)):
            target["rubric"].append(RubricItem(m[2], float(m[1])))
    close_question()
    return questions


@lru_cache(maxsize=1)
def course_questions() -> dict[str, Question]:
    """Every question of the five course banks, by id (variant 0, unrendered answers)."""
    try:
        from quizlib.bank import load_banks
    except ImportError:
        out = {}
        for stem in COURSE_BANKS:
            for q in _fallback_parse(ROOT / "content" / f"{stem}.md"):
                out[q.id] = q
        return out
    from quizlib.variants import template_of  # loaded questions are rendered as variant 0

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
    bank = pytest.importorskip("quizlib.bank")
    for stem in COURSE_BANKS:
        shutil.copy(ROOT / "content" / f"{stem}.md", tmp_path / f"{stem}.md")
    banks = bank.load_banks(str(tmp_path), strict=True)
    assert {b.id for b in banks} == set(COURSE_BANKS)
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
    answers = pytest.importorskip("quizlib.answers")
    from quizlib.variants import variant_of

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
    pytest.importorskip("quizlib.bank")
    from quizlib.variants import variant_of

    q0 = question(qid)
    for k in range(q0.n_variants):
        q = variant_of(q0, k)
        texts = [q.prompt, q.solution, *q.hints] + [t for p in q.parts for t in
                 (p.prompt, p.solution, *(w.feedback for w in p.wrong_answers))]
        leftover = [t for t in texts if "{{" in t]
        assert not leftover, (k, leftover[0][:200])
