"""check(): right and wrong answers in every input style, each feedback kind, numbers, choices, echo."""
import pytest

from quizlib.answers import check, evaluate_number, preview, validate_reference
from quizlib.model import WrongAnswer

OG = ["o", "g"]
WD = ["w", "d", "eta > 0", "lam > 0", "n > 0"]


@pytest.mark.parametrize("expected, given, symbols", [
    ("2*(o - g)", "2(o-g)", OG),
    ("2*(o - g)", "2*o - 2*g", OG),
    ("2*(o - g)", "2o−2g", OG),
    ("2*(o - g)", "-2(g - o)", OG),
    ("2*(o - g)", "2 · (o − g)", OG),
    ("2*(o - g)", r"2 \cdot \left(o - g\right)", OG),
    ("2*(o - g)", "dL/do = 2(o-g)", OG),
    ("2*(o - g)", "2(o-g).", OG),
    ("x*(sigma(z) - y)", "x(σ(z)-y)", ["x", "y", "z"]),
    ("x*(sigma(z) - y)", r"x\left(\sigma(z) - y\right)", ["x", "y", "z"]),
    ("x*(sigma(z) - y)", "x*(1/(1+exp(-z)) - y)", ["x", "y", "z"]),
    ("x*(sigma(z) - y)", "x*(1/(1+e^(-z)) - y)", ["x", "y", "z"]),
    ("sigma(z)*(1 - sigma(z))", "σ(z)(1-σ(z))", ["z"]),
    ("sigma(z)*(1 - sigma(z))", "sigma'(z)", ["z"]),
    ("sigma(z)*(1 - sigma(z))", r"\frac{e^{-z}}{(1+e^{-z})^2}", ["z"]),
    ("sigma(z)", "(1 + tanh(z/2))/2", ["z"]),
    ("1 - tanh(z)^2", "1 - tanh^2(z)", ["z"]),
    ("1 - tanh(z)^2", "1 - tanh(z)²", ["z"]),
    ("1 - tanh(z)^2", "1/cosh(z)^2", ["z"]),
    ("w*(1 - eta*lam/n) - eta*d", "w(1 - ηλ/n) - ηd", WD),
    ("w*(1 - eta*lam/n) - eta*d", "w*(1 - eta*lambda/n) - eta*d", WD),
    ("w*(1 - eta*lam/n) - eta*d", r"w\left(1-\frac{\eta\lambda}{n}\right)-\eta d", WD),
    ("w*(1 - eta*lam/n) - eta*d", "w - η(λw/n + d)", WD),
    ("1/(1 - p)", r"\frac{1}{1-p}", ["p in (0, 1)"]),
    ("1/(1 - p)", "(1-p)^-1", ["p in (0, 1)"]),
    ("log(a1/a2)", "ln(a1) - ln(a2)", ["a1 in (0, 1)", "a2 in (0, 1)"]),
    ("log(a1/a2)", "log a1 - log a2", ["a1 in (0, 1)", "a2 in (0, 1)"]),
    ("sqrt(6/(m + n))", "√(6/(m+n))", ["m > 0", "n > 0"]),
    ("sqrt(6/(m + n))", r"\sqrt{\frac{6}{m+n}}", ["m > 0", "n > 0"]),
    ("sqrt(6/(m + n))", "sqrt(6)/sqrt(m+n)", ["m > 0", "n > 0"]),
    ("lr*grad", "lrgrad", ["lr", "grad"]),
    ("lr*grad", "grad lr", ["lr", "grad"]),
    ("exp(lam*x)", "e^{λx}", ["lam > 0", "x"]),
    ("eps + sqrt(r)", "ε + √r", ["eps > 0", "r > 0"]),
    ("mu*v - eta*g", "μv - ηg", ["mu", "v", "eta", "g"]),
    ("alpha/K", "α/K", ["alpha", "K > 0"]),
    ("theta + mu*v", "θ + μ v", ["theta", "mu", "v"]),
    ("(f - y)/s^2", "(f-y)/s**2", ["f", "y", "s > 0"]),
    ("floor((n + 2*P - k)/s) + 1", "floor((n+2P-k)/s)+1", ["n", "P", "k", "s"]),
    ("x^3", "x³", ["x"]),
])
def test_right_answers(expected, given, symbols):
    r = check(expected, given, symbols=symbols)
    assert r.valid and r.correct, (given, r)
    assert r.score == 1.0 and r.error == "" and r.latex


@pytest.mark.parametrize("expected, given, symbols, error", [
    ("2*(o - g)", "2(g-o)", OG, "sign"),
    ("2*(o - g)", "o - g", OG, "factor"),
    ("2*(o - g)", "4(o-g)", OG, "factor"),
    ("2*(o - g)", "2(o+g)", OG, "wrong"),
    ("2*(o - g)", "2o - g", OG, "wrong"),
    ("sigma(z)*(1 - sigma(z))", "1 - sigma(z)^2", ["z"], "wrong"),
    ("sigma(z)*(1 - sigma(z))", "sigma(z)(1 - z)", ["z"], "wrong"),
    ("w*(1 - eta*lam/n) - eta*d", "w*(1 - eta*lam) - eta*d", WD, "wrong"),
    ("log(a1/a2)", "log(a2/a1)", ["a1 in (0, 1)", "a2 in (0, 1)"], "sign"),
    ("1/(1 - p)", "1/p", ["p in (0, 1)"], "wrong"),
    ("x", "x + 1", ["x"], "wrong"),
    ("x", "x + 1e-5", ["x"], "wrong"),
    ("sqrt(x^2)", "x", ["x"], "wrong"),  # |x| ≠ x: a symmetric default domain catches it
    # an ε of 1e-8 is not nothing: at g = 1e-6 the two differ by 1 % (issue 9: x + 10^-8 x is not x)
    ("-eta*g/sqrt(g^2)", "-eta*g/(sqrt(g^2) + 1e-8)", ["eta", "g"], "wrong"),
])
def test_wrong_answers(expected, given, symbols, error):
    r = check(expected, given, symbols=symbols)
    assert r.valid and not r.correct and r.score == 0.0, r
    assert r.error == error, r


def test_factor_messages_name_the_factor():
    assert "factor of 2" in check("2*(o - g)", "o-g", symbols=OG).message
    assert "half" in check("2*(o - g)", "o-g", symbols=OG).message
    assert "2 times" in check("2*(o - g)", "4*(o-g)", symbols=OG).message
    assert "Sign" in check("2*(o - g)", "2*(g-o)", symbols=OG).message


def test_listed_wrong_answer_gets_its_own_feedback_first():
    was = (WrongAnswer("o - g", "That is the gradient of ½(o−g)²."), WrongAnswer("2*(g - o)", "Flip it."))
    r = check("2*(o - g)", "o-g", symbols=OG, wrong_answers=was)
    assert (r.error, r.message) == ("listed", "That is the gradient of ½(o−g)².")
    r = check("2*(o - g)", "-2o+2g", symbols=OG, wrong_answers=was)
    assert (r.error, r.message) == ("listed", "Flip it.")
    assert check("2*(o - g)", "2(o-g)", symbols=OG, wrong_answers=was).correct


def test_unknown_name_message():
    r = check("2*(o - g)", "2(o-q)", symbols=OG)
    assert not r.valid and r.error == "unknown-name"
    assert r.message == "`q` is not a symbol of this question; you may use o, g."


def test_declared_symbol_shadows_a_function():
    assert check("sigma^2", "σ²", symbols=["sigma > 0"]).correct
    assert check("sigma(z)", "σ(z)", symbols=["z"]).correct


def test_domain_matters():
    # sqrt(x^2) = x only for x > 0
    assert check("sqrt(x^2)", "x", symbols=["x > 0"]).correct
    assert not check("sqrt(x^2)", "x", symbols=["x < 0"]).correct


def test_sympy_names_are_ours():
    # E, I, S, N, Q, beta, gamma are plain symbols here, not SymPy's constants or functions
    syms = ["E", "I", "S", "N", "Q", "beta", "gamma"]
    assert check("E*I + S*N - Q*beta*gamma", "EI + SN - Qβγ", symbols=syms).correct
    assert not check("E*I", "e*I", symbols=syms).correct


@pytest.mark.parametrize("expected, given, ok", [
    ("0.25", "0,25", True),
    ("0.25", "1/4", True),
    ("0.25", "25e-2", True),
    ("sqrt(6/110)", "0.234", True),
    ("sqrt(6/110)", "0.2335", True),
    ("sqrt(6/110)", "sqrt(6/110)", True),
    ("sqrt(6/110)", "√(6/110)", True),
    ("sqrt(6/110)", "0.23", False),
    ("0.0012", "1.2×10^-3", True),
    ("0.0012", "1.2*10^(-3)", True),
    ("0.0012", "1.2e-3", True),
    ("1000", "1e3", True),
    ("1/3", "0.333", True),
    ("1/3", "0.33", False),
    ("log(10)", "ln(10)", True),
    ("2", "2.01", True),
    ("2", "2.02", False),
    ("0.234", "≈ 0.234", True),
    ("1000", "1 000", True),
    ("12500", "12 500", True),
    ("0.5", "0.5.", True),
])
def test_numbers(expected, given, ok):
    r = check(expected, given, kind="number")
    assert r.valid and r.correct == ok, r


def test_number_tolerances_and_feedback():
    assert check("100", "101", kind="number", rtol=0.02).correct
    assert not check("100", "101", kind="number", rtol=0.001).correct
    assert check("0", "0.0004", kind="number", atol=1e-3).correct
    assert not check("0", "0.01", kind="number").correct
    assert check("0.5", "-0.5", kind="number").error == "sign"
    assert check("0.5", "1", kind="number").error == "factor"
    assert check("0.5", "0.49", kind="number").message.startswith("Close")
    was = (WrongAnswer("2/(m + n)".replace("m + n", "110"), "variance, not bound"),)
    r = check("sqrt(6/110)", "0.0182", kind="number", wrong_answers=was)
    assert r.error == "listed" and r.message == "variance, not bound"
    r = check("0.5", "x", kind="number")
    assert not r.valid and r.error == "unknown-name" and "number" in r.message


@pytest.mark.parametrize("expected, given, ok", [
    ("a, c", "c,a", True), ("a, c", "a c", True), ("a, c", "(a), (c)", True), ("b", "B", True),
    ("a, c", "a", False), ("a, c", "a, b, c", False), ("b", "c", False),
])
def test_choices(expected, given, ok):
    r = check(expected, given, kind="choice")
    assert r.valid and r.correct == ok


def test_choice_messages():
    assert "missing" in check("a, c", "a", kind="choice").message
    assert not check("a", "", kind="choice").valid


def test_echo_shows_how_it_was_read():
    assert check("2*(o - g)", "2(o-g)", symbols=OG).latex == r"2 \left(o - g\right)"
    p = preview("σ(z)(1-σ(z))", symbols=["z"])
    assert p.valid and not p.correct and r"\sigma\left(z\right)" in p.latex
    p = preview("ηλ", symbols=["eta", "lam"])
    assert r"\eta" in p.latex and r"\lambda" in p.latex
    p = preview(r"\frac{1}{1-p}", symbols=["p"])
    assert p.latex == r"\frac{1}{1 - p}"
    p = preview("2(o-q)", symbols=OG)
    assert not p.valid and "`q`" in p.message and p.latex == ""


def test_empty_answer_is_invalid_not_wrong():
    r = check("x", "   ", symbols=["x"])
    assert not r.valid and not r.correct


def test_validate_reference():
    assert validate_reference("2*(o - g)", "expr", OG) is None
    assert "`q`" in validate_reference("2*(o - q)", "expr", OG)
    assert validate_reference("o - ", "expr", OG)
    assert validate_reference("sqrt(6/110)", "number", []) is None
    assert validate_reference("h (o - g)^T", "matrix", ["h: H×1", "o: K×1", "g: K×1"]) is None
    assert "cannot add" in validate_reference("h + o", "matrix", ["h: H×1", "o: K×1"])
    assert validate_reference("x", "expr", ["x in 0..1"])  # a bad declaration is reported, not raised
    assert validate_reference("a, c", "choice", []) is None


def test_evaluate_number():
    assert evaluate_number("sqrt(6/(m + n))", {"m": 100, "n": 10}) == pytest.approx((6 / 110) ** 0.5)
    assert evaluate_number("floor((n + 2*P - k)/s) + 1", {"n": 28, "P": 1, "k": 3, "s": 2}) == 14
    assert evaluate_number("1/(1 - p)", {"p": 0.5}) == 2.0
    with pytest.raises(ValueError):
        evaluate_number("1/(1 - p)", {"p": 1})
    with pytest.raises(ValueError):
        evaluate_number("q + 1", {"p": 1})
    with pytest.raises(ValueError):
        evaluate_number("log(-1)", {})


# -- properties: any formula equals itself in another spelling, and differs from its double -------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_LEAF = st.sampled_from(["o", "g", "x", "2", "3", "0.5", "eta"])


def _formula(leaf):
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["exp", "sigma", "tanh", "sqrt", "log"]), inner).map(
            lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda a: f"({a})^2")), max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(f=_formula(_LEAF))
def test_property_formula_equals_its_respelling(f):
    syms = ["o in (0, 1)", "g in (0, 1)", "x > 0", "eta > 0"]
    respelt = f.replace("*", "·").replace("eta", "η").replace("sigma", "σ").replace("^2", "²")
    r = check(f, respelt, symbols=syms)
    assert r.valid
    # only a formula without any finite value (e.g. log(3 - 3)) cannot be confirmed
    assert r.correct or "could not be shown" in r.message, (f, r)
    if r.correct:
        doubled = check(f, f"2*({respelt})", symbols=syms)
        assert not doubled.correct or doubled.error == "timeout" or check(f, "0", symbols=syms).correct


def test_let_in_scalar_answers():
    let = ("s = sigma(z)",)
    assert check("s*(1 - s)", "σ(z)(1-σ(z))", symbols=["z"], let=let).correct
    assert check("sigma(z)*(1 - sigma(z))", "s(1-s)", symbols=["z"], let=let).correct
    r = check("s*(1 - s)", "s(1+s)", symbols=["z"], let=let)
    assert r.valid and not r.correct
