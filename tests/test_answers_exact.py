"""Issue 9: the checker against an exact decision, feedback that is true, constrained vectors, A^2.

The property test builds random pairs of formulas in x from the allowed functions (piecewise ones
included): a formula against itself in disguise (an identity), against itself plus something small or
piecewise (`+ step(x - 3)`, `+ 10^-8 x`, `+ floor(x^2/10)`), or against another random formula. SymPy
decides each pair on its own, without the checker: equal when `simplify` of the difference is 0 within
a time limit, different when the difference is non-zero at an exact rational point (integers, small
and large values, both sides of and at every breakpoint, evaluated with 60 digits); undecided pairs
are skipped. `check` must agree with every decided pair.
"""
from __future__ import annotations

import signal
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from quizlib.answers import check, preview
from quizlib.answers.matrix import instantiate
from quizlib.answers.names import parse_decls
from test_answers_corpus import LOCALS, same_function

X = sp.Symbol("x", real=True)
# the app's step is 0 at 0 (relu'(0) = 0): the exact side must use the same convention
_LOCALS = {**LOCALS, "x": X, "step": sp.Lambda(sp.Symbol("t"), sp.Heaviside(sp.Symbol("t"), 0)),
           "floor": sp.floor, "sign": sp.sign, "min": sp.Min, "tanh": sp.tanh, "exp": sp.exp,
           "sin": sp.sin, "cos": sp.cos}

UNARY = ("exp", "tanh", "sigma", "sin", "abs", "relu", "step", "floor", "ceil", "sign", "sech")
LEAVES = st.sampled_from(["x", "2*x", "x - 3", "x/4", "1", "2", "3/2", "0.5", "x^2", "-x"])


@st.composite
def formula(draw, depth=3):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(LEAVES)
    kind = draw(st.sampled_from(["unary", "unary", "add", "mul", "sub", "max", "min"]))
    a = draw(formula(depth=depth - 1))
    if kind == "unary":
        return f"{draw(st.sampled_from(UNARY))}({a})"
    b = draw(formula(depth=depth - 1))
    if kind in ("max", "min"):
        return f"{kind}({a}, {b})"
    return f"({a}) {dict(add='+', mul='*', sub='-')[kind]} ({b})"


# identities (the pair is equal) and perturbations (usually different) of a formula `f`
SAME = ["({f}) + relu(x) - max(x, 0)", "({f})*(sigma(x) + sigma(-x))", "({f}) + abs(x) - x*sign(x)",
        "({f}) + (x + 10^8)^2 - 10^16 - 2*10^8*x - x^2", "-(-({f}))", "({f}) + floor(x) + ceil(-x)"]
OTHER = ["({f}) + step(x - 3)", "({f}) + 10^-8*x", "({f})*(1 + 1e-9)", "({f}) + floor(x^2/10)",
         "({f}) + x*step(abs(x) - 0.1) - x", "({f}) + ceil(x) - 1 - floor(x)", "({f}) + step(abs(x) - 5)",
         "({f}) + sign(x - 0.25) - sign(x)"]


def _sympy(text: str):
    return sp.sympify(text.replace("^", "**"), locals=_LOCALS, rational=True)  # 0.5 exact, not 15 digits


class _Slow(Exception):
    pass


def _alarm(signum, frame):
    raise _Slow


def exact_decision(a: str, b: str, limit: int = 2) -> str | None:
    """'equal' / 'different' decided by SymPy alone (None: not within `limit` seconds)."""
    ea, eb = _sympy(a), _sympy(b)
    if not same_function(ea, eb, ["x"]):
        return "different"  # non-zero at an exact point: a proof
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    try:
        d = sp.simplify((ea - eb).rewrite(sp.exp))
        return "equal" if d == 0 else None
    except (_Slow, RecursionError, TypeError, ValueError, NotImplementedError):
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(f=formula(), how=st.sampled_from(["same", "other", "random"]), k=st.integers(0, 7), g=formula())
def test_check_agrees_with_an_exact_sympy_decision(f, how, k, g):
    b = {"same": SAME[k % len(SAME)], "other": OTHER[k % len(OTHER)], "random": g}[how].format(f=f)
    truth = exact_decision(f, b)
    assume(truth is not None)
    res = check(f, b, symbols=["x"], timeout=5.0)
    assume(res.error != "timeout")
    assert res.valid, res.message
    assert ("equal" if res.correct else "different") == truth, f"{b!r} against {f!r}: {res.message}"


@pytest.mark.parametrize("given_, expected, symbols", [
    ("ceil(x) - 1", "floor(x)", ["x"]),  # differ at every integer
    ("x step(x - 0.1)", "relu(x)", ["x"]),  # on (0, 0.1)
    ("x + step(x - 3)", "x", ["x"]),  # beyond the random points' range
    ("p + step(p - 0.97)", "p", ["p in (0, 1)"]),  # near the domain's edge
    ("x + 10^-8 x", "x", ["x"]),  # close, not equal: decided with 60 digits
    ("sigma(z) + step(abs(z) - 5)", "sigma(z)", ["z"]),
])
def test_differences_the_random_points_miss_are_found(given_, expected, symbols):
    r = check(expected, given_, symbols=symbols)
    assert r.valid and not r.correct, r
    assert "factor of 1" not in r.message


def test_cancelling_floats_fall_back_to_exact_arithmetic():
    assert check("x^2", "(x + 10^8)^2 - 10^16 - 2*10^8 x", symbols=["x"]).correct
    assert not check("x^2", "(x + 10^8)^2 - 10^16 - 2*10^8 x + 1", symbols=["x"]).correct


@pytest.mark.parametrize("text, latex", [("sin 2x", r"\sin{\left(2 x \right)}"),
                                         (r"\ln 2x", r"\log{\left(2 x \right)}"),
                                         ("2sin x cos x", r"2 \sin{\left(x \right)} \cos{\left(x \right)}")])
def test_a_function_without_brackets_takes_the_implicit_product_and_the_echo_shows_it(text, latex):
    assert preview(text, symbols=["x"]).latex == latex


@pytest.mark.parametrize("text, kind, hint", [
    ("ln(2,5)", "number", "takes 1 argument"), ("log(2,5)", "number", "log(2.5)"),
    ("23,550", "number", "23550 or 23.550"), ("0.08 59", "number", "without spaces"),
    ("2 1/2", "number", "mixed number"), ("[x]", "expr", "floor(x)"), ("x = = 2", "expr", "one `=`"),
])
def test_misreadings_are_refused_with_how_to_write_them(text, kind, hint):
    r = check("x" if kind == "expr" else "2.5", text, kind=kind, symbols=["x"] if kind == "expr" else None)
    assert not r.valid and hint in r.message, r.message


def test_a_square_matrix_power_is_refused_a_vector_power_is_element_wise():
    syms = ["A: n×n", "h: n×1"]
    r = check("A A", "A^2", kind="matrix", symbols=syms)
    assert not r.valid and "`A A`" in r.message and "A ⊙ A" in r.message
    assert check("h ⊙ h", "h^2", kind="matrix", symbols=syms).correct


def test_constrained_vectors_are_declared_and_sampled_so():
    g, p = parse_decls(["g: K×3 simplex", "p: K×2 onehot"])
    env = instantiate([g, p], np.random.default_rng(0))
    assert np.allclose(env["g"].sum(axis=0), 1) and np.all(env["g"] > 0)
    assert set(np.unique(env["p"])) <= {0.0, 1.0} and np.all(env["p"].sum(axis=0) == 1)
    ce, let = "-g^T log(o)", ["o = softmax(z)"]
    given_ = "-g^T z + log(sum(exp(z)))"  # true only when the entries of g sum to 1
    assert check(ce, given_, kind="matrix", symbols=["z: K×1", "g: K×1 simplex"], let=let).correct
    assert check(ce, given_, kind="matrix", symbols=["z: K×1", "g: K×1 onehot"], let=let).correct
    assert not check(ce, given_, kind="matrix", symbols=["z: K×1", "g: K×1"], let=let).correct


def test_close_numbers_are_told_so_not_a_factor_of_one():
    r = check("1", "1.0001", kind="number", rtol=1e-5)
    assert not r.correct and "outside the tolerance" in r.message and "factor" not in r.message
    r = check("x", "x*(1 + 1e-9)", symbols=["x"])
    assert not r.correct and "factor of 1" not in r.message and "close" in r.message.lower()


def test_the_feedback_code_warns_nothing():
    cases = [("1", "1.0001", "number"), ("0", "1e-300", "number"), ("1e-300", "0", "number"),
             ("0", "0.001", "number"), ("x", "0*x", "expr"), ("0*x", "x", "expr"), ("x - x", "1e-320*x", "expr"),
             ("1/x", "x/0", "expr"), ("x", "x + 10^-8 x", "expr"), ("A A", "0*A", "matrix"), ("0*A", "A", "matrix")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for expected, given_, kind in cases:
            syms = ["A: n×n"] if kind == "matrix" else ["x"] if kind == "expr" else None
            check(expected, given_, kind=kind, symbols=syms)
