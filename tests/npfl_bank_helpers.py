"""Shared checks of the NPFL114 lecture banks (content/npfl114_lecture_NN.md).

The keys are read straight from the Markdown (`answer:` lines, `### Variables`, wrong answers),
independently of quizlib.bank, and evaluated here with plain Python arithmetic (bank strings
are our content, so a restricted `eval` is fine; never student text). `contract(bank_id)`
checks what every question owes the student through the public doors only
(`quizlib.bank.load_banks`, `quizlib.answers.check`): the bank loads without a problem, the
official items of its catalogue are all covered with their official points, rubrics add up,
formula parts list >= 2 wrong answers, and in every variant the key is accepted and each
listed wrong answer refused with its own feedback.
"""
from __future__ import annotations

import itertools
import math
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FORMULA_KINDS = ("number", "expr", "matrix")
_FUNCS = {"floor": math.floor, "ceil": math.ceil, "sqrt": math.sqrt, "log": math.log,
          "exp": math.exp, "abs": abs, "tanh": math.tanh, "pi": math.pi,
          "sigma": lambda z: 1 / (1 + math.exp(-z)), "relu": lambda z: max(z, 0.0)}


def text(bank_id: str) -> str:
    return (CONTENT / f"{bank_id}.md").read_text(encoding="utf-8")


def block(bank_id: str, qid: str) -> str:
    m = re.search(rf"^## {re.escape(qid)}:.*?(?=^## |\Z)", text(bank_id), flags=re.DOTALL | re.MULTILINE)
    assert m, f"{qid} not in {bank_id}"
    return m.group(0)


def part_block(bank_id: str, qid: str, pid: str | None = None) -> str:
    b = block(bank_id, qid)
    if pid is None:
        return b
    m = re.search(rf"^### Part {re.escape(pid)}:.*?(?=^### |\Z)", b, flags=re.DOTALL | re.MULTILINE)
    assert m, f"part {pid} of {qid} not found"
    return m.group(0)


def answer(bank_id: str, qid: str, pid: str | None = None) -> str:
    m = re.search(r"^answer: (.*)$", part_block(bank_id, qid, pid), flags=re.MULTILINE)
    assert m, f"no answer in {qid}/{pid}"
    return m.group(1).strip()


def wrong(bank_id: str, qid: str, pid: str | None = None) -> list[str]:
    b = part_block(bank_id, qid, pid)
    m = re.search(r"^#{3,4} Wrong answers\n(.*?)(?=^#{2,4} |\Z)", b, flags=re.DOTALL | re.MULTILINE)
    return re.findall(r"^- `([^`]+)`:", m.group(1), flags=re.MULTILINE) if m else []


def ticked(bank_id: str, qid: str, pid: str | None = None) -> list[int]:
    b = part_block(bank_id, qid, pid)
    m = re.search(r"^#{3,4} Choices\n(.*?)(?=^#{2,4} |\Z)", b, flags=re.DOTALL | re.MULTILINE)
    assert m, f"no choices in {qid}/{pid}"
    return [i for i, x in enumerate(re.findall(r"^- \[([ x])\]", m.group(1), flags=re.MULTILINE)) if x == "x"]


def variants(bank_id: str, qid: str) -> list[dict[str, float]]:
    """Every combination of the question's variable values (one empty dict if it has none)."""
    m = re.search(r"^### Variables\n(.*?)(?=^### |\Z)", block(bank_id, qid), flags=re.DOTALL | re.MULTILINE)
    if not m:
        return [{}]
    names, values = [], []
    for name, vals in re.findall(r"^- (\w+): (.*)$", m.group(1), flags=re.MULTILINE):
        names.append(name)
        values.append([float(v) for v in vals.split(",")])
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def value(expr: str, values: dict[str, float]) -> float:
    """A bank expression evaluated with plain floats (our own content, never student text)."""
    x = eval(expr.replace("^", "**"), {"__builtins__": {}}, {**_FUNCS, **values})
    assert math.isfinite(x), f"{expr} at {values} is not finite"
    return float(x)


def substitute(expr: str, values: dict[str, float]) -> str:
    """The expression with each variable replaced by its value, as a student could type it."""
    if not values:
        return expr
    pat = re.compile(r"\b(" + "|".join(sorted(map(re.escape, values), key=len, reverse=True)) + r")\b")
    return pat.sub(lambda m: f"({values[m.group(1)]:.15g})", expr)


def catalogue(lecture: int) -> dict[str, int]:
    """The official items of a lecture's catalogue → their points."""
    f = CONTENT / "sources" / f"npfl114-lecture-{lecture:02d}.md"
    items = re.findall(r"^- (npfl-l\d\d-q\d+): .*\[(\d+)\]\s*$", f.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {i: int(p) for i, p in items}


@lru_cache(maxsize=1)
def _banks():
    from quizlib.bank import load_banks

    return {b.id: b for b in load_banks(CONTENT)}


def loaded(bank_id: str):
    return _banks()[bank_id]


def contract(bank_id: str, lecture: int, whole_catalogue: bool = True) -> None:
    """Everything every NPFL lecture bank owes (see the module docstring); `whole_catalogue=False`
    for a bank that asks only some of its lecture's items (the rest live in older banks)."""
    from quizlib.answers import check

    bank = loaded(bank_id)
    assert bank.problems == (), "\n".join(map(str, bank.problems))
    assert bank.lecture == lecture and bank.sources == (f"npfl114-lecture-{lecture:02d}",)
    official = catalogue(lecture)
    covering: dict[str, list] = {}
    for q in bank.questions:
        assert q.lecture == lecture and q.solution.strip() and q.hints, q.id
        for item in q.covers:
            covering.setdefault(item, []).append(q)
            assert q.source == f"npfl114-lecture-{lecture:02d}", q.id
    if whole_catalogue:
        assert set(covering) == set(official), set(official) ^ set(covering)
    assert set(covering) <= set(official), set(covering) - set(official)
    for item, qs in covering.items():
        assert any(q.points == official[item] for q in qs), (item, [q.points for q in qs])
    for q in bank.questions:
        for p in q.parts:
            if p.kind == "derivation":
                assert p.rubric and math.isclose(sum(r.points for r in p.rubric), p.points), (q.id, p.id)
            if p.kind in FORMULA_KINDS:
                assert len(p.wrong_answers) >= 2, (q.id, p.id)
            if p.kind == "choice":
                assert any(c.correct for c in p.choices) and not all(c.correct for c in p.choices), (q.id, p.id)
            if p.kind not in FORMULA_KINDS:
                continue
            pid = p.id or None
            ref, wrongs = answer(bank_id, q.id, pid), wrong(bank_id, q.id, pid)
            assert len(p.wrong_answers) == len(wrongs), (q.id, p.id)  # loaded = variant 0, rendered
            for v in variants(bank_id, q.id):
                key = substitute(ref, v)
                kw = {"kind": p.kind, "symbols": list(p.symbols), "rtol": p.rtol, "atol": p.atol,
                      "let": p.let, "functions": p.functions}
                listed = [type(w)(substitute(raw, v), w.feedback) for raw, w in zip(wrongs, p.wrong_answers)]
                r = check(key, key, wrong_answers=listed, **kw)
                assert r.correct, (q.id, p.id, v, r.message)
                for w in listed:
                    r = check(key, w.answer, wrong_answers=listed, **kw)
                    assert not r.correct and w.feedback in r.message, (q.id, p.id, v, w.answer, r.message)
