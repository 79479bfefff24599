"""Shared helpers for the tests of the material banks (sources 001–004).

The tests re-derive every reference answer independently and compare it with the answer
string written in the bank. To stay independent of quizlib.bank (tested elsewhere), this
module reads `answer:` lines, `### Variables` and wrong answers straight from the Markdown
with a few regular expressions. Bank strings are OUR content, so sympify is fine here
(never on student text).
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import sympy as sp

CONTENT = Path(__file__).resolve().parent.parent / "content"
MATERIAL_BANKS = (
    "nielsen_cross_entropy.md",
    "init_and_l2.md",
    "lecture2_softmax_dropout_bn.md",
    "exam_answers_2.md",
)

_z = sp.Symbol("_z")
# sigma is the logistic function, as in the bank format; relu/step for completeness.
LOGISTIC = sp.Lambda(_z, 1 / (1 + sp.exp(-_z)))


def _sections(text: str) -> dict[str, str]:
    """Question id → its block of text (from its `## id:` heading to the next `## `)."""
    out: dict[str, str] = {}
    for m in re.finditer(r"^## ([\w-]+):.*?(?=^## |\Z)", text, flags=re.S | re.M):
        out[m.group(1)] = m.group(0)
    return out


def question_block(bank: str, qid: str) -> str:
    blocks = _sections((CONTENT / bank).read_text(encoding="utf-8"))
    assert qid in blocks, f"{qid} not in {bank}"
    return blocks[qid]


def part_block(bank: str, qid: str, part: str | None = None) -> str:
    block = question_block(bank, qid)
    if part is None:
        return block
    m = re.search(rf"^### Part {re.escape(part)}:.*?(?=^### |\Z)", block, flags=re.S | re.M)
    assert m, f"part {part} of {qid} not found"
    return m.group(0)


def key(bank: str, qid: str, name: str, part: str | None = None) -> str:
    m = re.search(rf"^{name}: (.*)$", part_block(bank, qid, part), flags=re.M)
    assert m, f"{name} of {qid}/{part} not found"
    return m.group(1).strip()


def answer(bank: str, qid: str, part: str | None = None) -> str:
    return key(bank, qid, "answer", part)


def wrong_answers(bank: str, qid: str, part: str | None = None) -> list[str]:
    block = part_block(bank, qid, part)
    m = re.search(r"^#{3,4} Wrong answers\n(.*?)(?=^#{2,4} |\Z)", block, flags=re.S | re.M)
    if not m:
        return []
    return re.findall(r"^- `([^`]+)`:", m.group(1), flags=re.M)


def ticked(bank: str, qid: str, part: str | None = None) -> list[int]:
    """Indices (0-based) of the [x] choices of a choice question or part."""
    block = part_block(bank, qid, part)
    m = re.search(r"^#{3,4} Choices\n(.*?)(?=^#{2,4} |\Z)", block, flags=re.S | re.M)
    assert m, f"no choices in {qid}/{part}"
    boxes = re.findall(r"^- \[([ x])\]", m.group(1), flags=re.M)
    return [i for i, b in enumerate(boxes) if b == "x"]


def variables(bank: str, qid: str) -> dict[str, list[float]]:
    block = question_block(bank, qid)
    m = re.search(r"^### Variables\n(.*?)(?=^### |\Z)", block, flags=re.S | re.M)
    assert m, f"no variables in {qid}"
    out = {}
    for name, vals in re.findall(r"^- (\w+): (.*)$", m.group(1), flags=re.M):
        out[name] = [float(v) for v in vals.split(",")]
    return out


def variant_values(bank: str, qid: str):
    """Every combination of the question's variable values, as dicts."""
    vs = variables(bank, qid)
    names = list(vs)
    for combo in itertools.product(*(vs[n] for n in names)):
        yield dict(zip(names, combo))


def parse(text: str, names=()) -> sp.Expr:
    """Our own bank string → SymPy, with `sigma` the logistic function and real symbols."""
    local = {n: sp.Symbol(n, real=True) for n in names}
    local.update(sigma=LOGISTIC, log=sp.log, exp=sp.exp, sqrt=sp.sqrt, floor=sp.floor)
    return sp.sympify(text, locals=local)


def same(a: sp.Expr, b: sp.Expr) -> bool:
    """Symbolic equality, falling back on dense numeric sampling (for log/sigmoid forms)."""
    d = sp.simplify(a - b)
    if d == 0:
        return True
    free = sorted(d.free_symbols, key=str)
    f = sp.lambdify(free, d, "math")
    import random

    rnd = random.Random(1)
    for _ in range(50):
        vals = [rnd.uniform(0.05, 0.95) for _ in free]
        if abs(f(*vals)) > 1e-9:
            return False
    return True


def value(text: str, vals: dict[str, float]) -> float:
    """Numeric value of a bank expression for given variable values."""
    expr = parse(text, list(vals))
    return float(expr.subs({sp.Symbol(k, real=True): v for k, v in vals.items()}))
