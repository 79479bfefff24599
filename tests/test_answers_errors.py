"""CheckResult.error: the checker returns only the codes model.CHECK_ERRORS lists, and each is reachable."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from quizlib.answers import check
from quizlib.model import CHECK_ERRORS, WrongAnswer

ANSWERS = Path(__file__).resolve().parent.parent / "quizlib" / "answers"


def codes_in_source() -> dict[str, str]:
    """Every error code the answers package can produce, read from its code: ParseError(code, …),
    _invalid(…, code), error=code, graders' `return False, code, message` and diagnose's `return code, message`."""
    found: dict[str, str] = {}

    def add(node, where):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.setdefault(node.value, where)

    for path in sorted(ANSWERS.glob("*.py")):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for node in ast.walk(fn):
                where = f"{path.name}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                    if name == "ParseError" and node.args:
                        add(node.args[0], where)
                    if name == "_invalid" and len(node.args) > 1:
                        add(node.args[1], where)
                    for kw in node.keywords:
                        if kw.arg == "error":
                            add(kw.value, where)
                if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                    elts = node.value.elts
                    if len(elts) == 3 and isinstance(elts[0], ast.Constant) and isinstance(elts[0].value, bool):
                        add(elts[1], where)
                    if fn.name == "diagnose" and len(elts) == 2:
                        add(elts[0], where)
    return found


def test_the_scan_finds_the_codes():
    found = codes_in_source()
    assert {"syntax", "unknown-name", "unsafe", "too-big", "content", "timeout", "self-grade", "listed",
            "sign", "factor", "shape", "wrong"} <= set(found)


def test_the_checker_only_returns_listed_codes():
    unlisted = {code: where for code, where in codes_in_source().items() if code not in CHECK_ERRORS}
    assert not unlisted, f"error codes not documented in model.CHECK_ERRORS: {unlisted}"


X = ["x"]
MATRIX = ["x: D×1", "W1: D×H"]
# code -> a check that returns it ("timeout" needs a SymPy check slower than its limit: found by the scan)
REACH = {
    "": lambda: check("2*(o - g)", "2(o-g)", symbols=["o", "g"]),
    "syntax": lambda: check("x", "(x", symbols=X),
    "unknown-name": lambda: check("x", "y", symbols=X),
    "unsafe": lambda: check("x", "x.real", symbols=X),
    "too-big": lambda: check("x", "9^9^9", symbols=X),
    "content": lambda: check("x", "x", symbols=["x in (("]),
    "self-grade": lambda: check("", "my derivation", kind="derivation"),
    "listed": lambda: check("2x", "3x", symbols=X, wrong_answers=[WrongAnswer("3x", "You added x.")]),
    "sign": lambda: check("x + 1", "-x - 1", symbols=X),
    "factor": lambda: check("x + 1", "2x + 2", symbols=X),
    "shape": lambda: check("W1^T x", "x^T W1", kind="matrix", symbols=MATRIX),
    "wrong": lambda: check("x", "x^2 + 1", symbols=X),
}


@pytest.mark.parametrize("code", sorted(REACH))
def test_each_listed_code_is_returned(code):
    r = REACH[code]()
    assert r.error == code, r.message
    assert r.valid == (code not in ("syntax", "unknown-name", "unsafe", "too-big", "content"))


def test_every_listed_code_is_reached_or_named():
    assert set(REACH) | {"timeout"} == set(CHECK_ERRORS)
