"""Step-checked derivations (quizlib.answers.steps): lines and chains, derivative notation with the
graph semantics against SymPy done by hand, marks ✓ ✗ ? and not checked, rubric formulas, safety."""
from __future__ import annotations

import time

import pytest
import sympy as sp

from quizlib.answers.step_calculus import Graph
from quizlib.answers.steps import check_steps, read_side, split_lines
from quizlib.answers.context import context_for

SYMS = ("z", "g in (0, 1)")
LETS = ("o = sigma(z)", "L = -(g*log(o) + (1-g)*log(1-o))")
GOOD = """∂L/∂z = ∂L/∂o · ∂o/∂z
      = (−g/o + (1−g)/(1−o)) · o(1−o)
      = o − g"""


def steps(text, asked="dL/dz", answer="o - g", formulas=(), **kw):
    return check_steps(text, symbols=SYMS, let=LETS, asked=asked, answer=answer, formulas=formulas, **kw)


def marks(v):
    return [m.mark for m in v.marks]


def derivative(text, symbols=SYMS, let=LETS):
    """The SymPy value of a side as the worker builds it, lets expanded."""
    ctx = context_for("expr", symbols, let)
    g = Graph(ctx.decls, ctx.lets)
    return g.expand(g.build(read_side(text, symbols, let)))


def test_split_lines_chains_and_continuations():
    lines = split_lines("a = b = c\n\n  = d\n$e$\nf(x, y) = g")
    assert [(n, c, s) for n, _, c, s in lines] == [(1, False, ["a", "b", "c"]), (3, True, ["d"]),
                                                   (4, False, ["e"]), (5, False, ["f(x, y)", "g"])]
    assert split_lines(r"&= \frac{a}{b} \\")[0][2:] == (True, [r"\frac{a}{b}"])


def test_graph_semantics_output_is_a_variable_in_dL_do_and_sigma_z_in_dL_dz():
    z, g, o = sp.Symbol("z", real=True), sp.Symbol("g", positive=True), sp.Symbol("o", real=True)
    s = 1 / (1 + sp.exp(-z))
    by_hand_o = sp.diff(-(g * sp.log(o) + (1 - g) * sp.log(1 - o)), o).subs(o, s)
    by_hand_z = sp.diff(-(g * sp.log(s) + (1 - g) * sp.log(1 - s)), z)
    for text, want in [("∂L/∂o", by_hand_o), ("dL/dz", by_hand_z), ("∂o/∂z", sp.diff(s, z))]:
        got = derivative(text).rewrite(sp.exp)
        for zv, gv in [(0.3, 0.2), (-1.7, 0.9), (2.2, 0.5)]:
            assert float(got.subs({z: zv, g: gv})) == pytest.approx(float(want.subs({z: zv, g: gv})), rel=1e-10)


@pytest.mark.parametrize("text", [
    "dL/dz", "∂L/∂z", r"\frac{\partial L}{\partial z}", r"\frac{dL}{dz}", "diff(L, z)", "d/dz L",
    r"\frac{\partial}{\partial z} L", "∂/∂z (-(g log(o) + (1-g) log(1-o)))",
])
def test_every_derivative_notation_reads_the_same(text):
    want = derivative("dL/dz")
    got = derivative(text)
    pts = [{"z": 0.4, "g": 0.3}, {"z": -2.0, "g": 0.8}]
    for pt in pts:
        subs = {s: pt[s.name] for s in got.free_symbols | want.free_symbols}
        assert float(got.xreplace(subs)) == pytest.approx(float(want.xreplace(subs)), rel=1e-10)


def test_prime_of_a_let_and_of_sigma():
    syms, lets = ("x",), ("f = x^3 + sigma(x)",)
    got = derivative("f'(x)", syms, lets)
    x = sp.Symbol("x", real=True)
    want = 3 * x**2 + sp.exp(-x) / (1 + sp.exp(-x)) ** 2
    assert float(got.subs(x, 0.7)) == pytest.approx(float(want.subs(x, 0.7)), rel=1e-10)


def test_d_over_dz_takes_the_product_that_follows_up_to_plus_or_minus():
    x = sp.Symbol("x", real=True)
    got = derivative("d/dx (x+1)^2/2 + x", ("x",), ())
    assert sp.simplify(got - (x + 1 + x)) == 0


def test_a_correct_derivation_is_all_ticks_and_starts_and_ends_right():
    v = steps(GOOD)
    assert marks(v) == ["ok", "ok", "ok"] and v.starts_right and v.ends_right
    assert [m.line for m in v.marks] == [1, 2, 3] and v.first_wrong is None
    assert "frac{\\partial L}{\\partial z}" in v.marks[0].latex


def test_wrong_step_is_flagged_at_that_line_with_sign_feedback():
    v = steps(GOOD.replace("= o − g", "= g − o"))
    assert marks(v) == ["ok", "ok", "wrong"] and v.first_wrong == 3
    assert "Sign error" in v.marks[2].message and v.ends_right is False


def test_factor_feedback():
    v = steps(GOOD + "\n= 2(o − g)")
    assert marks(v)[-1] == "wrong" and "factor of 2" in v.marks[-1].message


def test_unreadable_line_keeps_its_text_and_reason_and_the_rest_is_checked():
    text = GOOD.replace("= o − g", "= o − q\n= o - g")
    v = steps(text)
    assert marks(v) == ["ok", "ok", "unreadable", "ok"]
    assert "`q`" in v.marks[2].message and v.marks[2].text.strip() == "= o − q"


def test_start_and_end_verdicts():
    v = steps("dL/do = -g/o + (1-g)/(1-o)")
    assert marks(v) == ["ok"] and v.starts_right is False and v.ends_right is False


def test_a_line_the_worker_does_not_answer_in_time_is_not_checked_never_wrong(monkeypatch):
    from quizlib.answers import sandbox

    real, calls = sandbox.call, []

    def slow_second_line(target, args, timeout):
        calls.append(1)
        return ("timeout", "no answer") if len(calls) == 2 else real(target, args, timeout)

    monkeypatch.setattr(sandbox, "call", slow_second_line)
    v = steps(GOOD)
    assert marks(v) == ["ok", "unchecked", "ok"] and v.first_wrong is None
    assert "within 1.0 s" in v.marks[1].message


def test_a_killed_worker_is_not_checked_and_the_next_derivation_is_checked_again():
    v = steps(GOOD + "\n= o - g + 0*(sigma(z)^(1/3))^(7/3)", timeout=0.0001)
    assert "wrong" not in marks(v)
    assert steps(GOOD).all_ok


def test_rubric_formula_reached_only_through_good_steps():
    f = ("o*(1-o)", "-g/o + (1-g)/(1-o)")
    v = steps(GOOD, formulas=f)
    assert v.formulas_reached == (True, True) and v.formulas_seen == (True, True)
    bad = steps(GOOD.replace("o(1−o)", "o(1+o)"), formulas=f)
    assert bad.formulas_reached == (False, False) and bad.formulas_seen == (False, True)
    # writing the chain rule's factor ∂o/∂z is not the same as showing σ′ = o(1 − o)
    assert steps("∂L/∂z = ∂L/∂o · ∂o/∂z", formulas=f).formulas_seen == (False, False)


HOSTILE = [
    "__import__('os').system('echo pwned')", "().__class__.__bases__[0].__subclasses__()",
    "exec(open('x').read())", "lambda: 1", "9^9^9^9", "10^10^10", "(" * 200 + "z" + ")" * 200,
    "z" * 400, "diff(L, __import__)", "d/dos.system L", "eval('1')", "o" + "+o" * 400,
    "diff(diff(diff(diff(diff(L, z), z), z), z), z)", r"\frac{\partial L}{\partial q}", "dL/dq",
    "factorial(10**7)", "z!" ,
]


@pytest.mark.parametrize("line", HOSTILE)
def test_hostile_lines_are_unreadable_or_checked_in_time(line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    t0 = time.monotonic()
    v = steps(f"∂L/∂z = {line}\n= o - g")
    assert time.monotonic() - t0 < 6
    assert v.marks[0].mark in ("unreadable", "wrong", "unchecked"), v.marks[0]
    assert not list(tmp_path.iterdir())


def value(text, symbols, pt, random=(), let=()):
    from quizlib.answers.steps import read_random

    ctx = context_for("expr", symbols, let)
    g = Graph(ctx.decls, ctx.lets, read_random(random, symbols, let))
    e = g.expand(g.build(read_side(text, symbols, let)))
    return float(sp.N(e.xreplace({s: pt[s.name] for s in e.free_symbols})))


def test_expectation_of_bernoulli_and_uniform_and_variance_against_sympy_by_hand():
    syms = ("x", "p in (0, 1)", "m in (0, 1)", "w", "a > 0")
    rnd = ("m ~ Bernoulli(1-p)", "w ~ Uniform(-a, a)")
    pt = {"x": 1.7, "p": 0.3, "a": 0.8, "m": 0.5, "w": 0.1}
    p, x, a, w = sp.Rational(3, 10), sp.Rational(17, 10), sp.Rational(4, 5), sp.Symbol("w")
    assert value("E[m x/(1-p)]", syms, pt, rnd) == pytest.approx(float((1 - p) * x / (1 - p)))
    assert value("E[m^2 + m]", syms, pt, rnd) == pytest.approx(float(2 * (1 - p)))
    assert value("Var(m)", syms, pt, rnd) == pytest.approx(float(p * (1 - p)))
    assert value("E[w^2]", syms, pt, rnd) == pytest.approx(float(sp.integrate(w**2 / (2 * a), (w, -a, a))))
    assert value("Var(w)", syms, pt, rnd) == pytest.approx(float(a**2 / 3))
    assert value("E[m w^2]", syms, pt, rnd) == pytest.approx(float((1 - p) * a**2 / 3))  # independent
    assert value("E[x]", syms, pt, rnd) == pytest.approx(1.7)


def test_sums_and_integrals_against_sympy_by_hand():
    syms = ("b in (0, 1)", "t > 0", "a > 0")
    pt = {"b": 0.9, "t": 5, "a": 2.0}
    b = sp.Rational(9, 10)
    by_hand = float(sum((1 - b) * b ** (5 - k) for k in range(1, 6)))
    for text in ("sum((1-b) b^(t-i), i, 1, t)", r"\sum_{i=1}^{t} (1-b) b^{t-i}"):
        assert value(text, syms, pt) == pytest.approx(by_hand)
    assert value("sum(i^2, i, 1, 4)", syms, pt) == 30
    w = sp.Symbol("w")
    want = float(sp.integrate(w**2 / (2 * 2), (w, -2, 2)))
    for text in (r"\int_{-a}^{a} w^2/(2a) \, dw", "integrate(w^2/(2a), w, -a, a)", r"\int_{-a}^{a} \frac{w^2}{2a} dw"):
        assert value(text, syms, pt) == pytest.approx(want)


def test_dropout_derivation_with_expectations():
    kw = dict(symbols=("x", "p in (0, 1)", "m in (0, 1)"), random=("m ~ Bernoulli(1-p)",),
              asked="E[m*x/(1-p)]", answer="x")
    v = check_steps("E[m x/(1-p)] = E[m] x/(1-p)\n= (1-p) x/(1-p)\n= x", **kw)
    assert marks(v) == ["ok", "ok", "ok"] and v.starts_right and v.ends_right
    assert "mathbb{E}" in v.marks[0].latex
    v = check_steps("E[m x/(1-p)] = E[m] x/(1-p)\n= p x/(1-p)\n= x", **kw)
    assert v.first_wrong == 2 and marks(v)[0] == "ok"


@pytest.mark.parametrize("line", ["sum(i^i^i, i, 1, 10^9)", "integrate(exp(w^2) sigma(w^3), w, -a, a)",
                                  "sum(1, i, 1)", "E[E[E[E[E[w]]]]]", "Var(", r"\int_{-a}^{a} w"])
def test_hostile_sums_integrals_and_expectations(line):
    t0 = time.monotonic()
    v = check_steps(f"Var(w) = {line}\n= a^2/3", symbols=("w", "a > 0"), random=("w ~ Uniform(-a, a)",),
                    asked="Var(w)", answer="a^2/3")
    assert time.monotonic() - t0 < 6
    assert v.marks[0].mark in ("unreadable", "wrong", "unchecked") or line.startswith("E[E["), v.marks[0]


def test_huge_input_is_refused_fast_and_only_forty_lines_are_checked():
    t0 = time.monotonic()
    v = steps("∂L/∂z = " + "\\int_{0}^{1} " * 20000 + " o")
    assert v.marks[0].mark == "unreadable" and "too long" in v.marks[0].message
    v = steps("∂L/∂z = o - g\n" + "= o - g\n" * 5000)
    assert len(v.marks) == 40 and time.monotonic() - t0 < 20
