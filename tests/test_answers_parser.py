"""The whitelist parser: what students type becomes the AST we expect, and nothing else gets in."""
import pytest

from quizlib.answers.parser import MAX_LEN, Grammar, ParseError, parse
from quizlib.answers.names import parse_decls, resolve_alias
from quizlib.answers.registry import expr_functions, matrix_functions

G = Grammar(("o", "g", "x", "y", "z", "lam", "eta", "lr", "grad", "W1", "a1", "a2", "n"),
            expr_functions())
M = Grammar(("W1", "x", "b1", "h"), matrix_functions(), matrix=True)
NUM = Grammar((), expr_functions(), number=True)


def S(n):
    return ("sym", n)


def N(v):
    return ("num", v)


@pytest.mark.parametrize("text, ast", [
    ("2x", ("mul", N("2"), S("x"))),
    ("2(o-g)", ("mul", N("2"), ("sub", S("o"), S("g")))),
    ("2 (o - g)", ("mul", N("2"), ("sub", S("o"), S("g")))),
    ("x(sigma(z)-y)", ("mul", S("x"), ("sub", ("call", "sigma", (S("z"),)), S("y")))),
    ("x(σ(z)-y)", ("mul", S("x"), ("sub", ("call", "sigma", (S("z"),)), S("y")))),
    ("lr*grad", ("mul", S("lr"), S("grad"))),
    ("lrgrad", ("mul", S("lr"), S("grad"))),
    ("x^2", ("pow", S("x"), N("2"))),
    ("x**2", ("pow", S("x"), N("2"))),
    ("x²", ("pow", S("x"), N("2"))),
    ("x³", ("pow", S("x"), N("3"))),
    ("-x^2", ("neg", ("pow", S("x"), N("2")))),
    ("2^-x", ("pow", N("2"), ("neg", S("x")))),
    ("x^y^z", ("pow", S("x"), ("pow", S("y"), S("z")))),
    ("o − g", ("sub", S("o"), S("g"))),
    ("o · g", ("mul", S("o"), S("g"))),
    ("o × g", ("mul", S("o"), S("g"))),
    ("√x", ("call", "sqrt", (S("x"),))),
    ("λ", S("lam")),
    ("lambda", S("lam")),
    ("lmbda", S("lam")),
    ("ηλ", ("mul", S("eta"), S("lam"))),
    ("etalam", ("mul", S("eta"), S("lam"))),
    ("ln(x)", ("call", "log", (S("x"),))),
    ("log(x)", ("call", "log", (S("x"),))),
    ("e^x", ("pow", ("const", "e"), S("x"))),
    ("exp(x)", ("call", "exp", (S("x"),))),
    ("tanh^2(z)", ("pow", ("call", "tanh", (S("z"),)), N("2"))),
    ("sigma'(z)", ("had", ("call", "sigma", (S("z"),)), ("sub", N("1"), ("call", "sigma", (S("z"),))))),
    ("W_1", S("W1")),
    ("a1/a2", ("div", S("a1"), S("a2"))),
    ("[x + 1]", ("add", S("x"), N("1"))),  # square brackets group; `[x]` alone is refused (integer part?)
    ("1.5e-3", N("1.5e-3")),
    ("dL/do = 2(o-g)", ("mul", N("2"), ("sub", S("o"), S("g")))),
    ("$2x$", ("mul", N("2"), S("x"))),
])
def test_reads(text, ast):
    assert parse(text, G) == ast


@pytest.mark.parametrize("text, ast", [
    ("W1^T x", ("mul", ("T", S("W1")), S("x"))),
    ("W1' x", ("mul", ("T", S("W1")), S("x"))),
    ("W_1^\\top x", ("mul", ("T", S("W1")), S("x"))),
    ("transpose(W1) x", ("mul", ("call", "transpose", (S("W1"),)), S("x"))),
    ("h ⊙ b1", ("had", S("h"), S("b1"))),
    ("h \\odot b1", ("had", S("h"), S("b1"))),
    ("relu'(b1)", ("call", "step", (S("b1"),))),
    ("x x^T", ("mul", S("x"), ("T", S("x")))),
])
def test_matrix_reads(text, ast):
    assert parse(text, M) == ast


def test_decimal_comma_only_in_numbers():
    assert parse("0,25", NUM) == N("0.25")
    with pytest.raises(ParseError):
        parse("0,25", G)


@pytest.mark.parametrize("text, code", [
    ("__import__('os')", "unsafe"),
    ("().__class__", "unsafe"),
    ("x.real", "unsafe"),
    ("W1.T", "unsafe"),
    ("'x'", "unsafe"),
    ('"x"', "unsafe"),
    ("import", "unsafe"),
    ("exec", "unsafe"),
    ("q", "unknown-name"),
    ("factorial(10)", "unknown-name"),
    ("10!", "syntax"),
    ("9**9**9", "too-big"),
    ("10^10^10", "too-big"),
    ("2^101", "too-big"),
    ("(10^100)^100", "too-big"),
    ("1" * 50, "too-big"),
    ("x" * (MAX_LEN + 1), "too-big"),
    ("(" * 60 + "x" + ")" * 60, "too-big"),
    ("x +", "syntax"),
    ("(x", "syntax"),
    ("x)", "syntax"),
    ("", "syntax"),
    ("x; y", "syntax"),
    ("sqrt", "syntax"),
    ("log(x, y, z)", "syntax"),
    ("1e999", "too-big"),
])
def test_refused(text, code):
    with pytest.raises(ParseError) as exc:
        parse(text, G)
    assert exc.value.code == code, exc.value.message


def test_unknown_names_are_all_listed():
    with pytest.raises(ParseError) as exc:
        parse("q + r*x", G)
    assert exc.value.names == ("q", "r")


def test_transpose_needs_matrix_grammar():
    with pytest.raises(ParseError):
        parse("W1^T", G)


def test_decls_and_aliases():
    d = {x.name: x for x in parse_decls(["o in (0, 1)", "lam > 0", "w < 0", "x: D×1", "W1: D x 3", "g"])}
    assert (d["o"].lo, d["o"].hi) == (0.0, 1.0) and d["lam"].positive and d["w"].negative
    assert d["x"].shape == ("D", 1) and d["W1"].shape == ("D", 3) and d["g"].shape is None
    assert resolve_alias("lambda", {"lam"}) == "lam" and resolve_alias("epsilon", {"eps"}) == "eps"
    assert resolve_alias("lambda", {"x"}) is None
    with pytest.raises(ValueError):
        parse_decls(["o in 0..1"])
