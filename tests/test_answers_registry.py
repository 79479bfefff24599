"""The function registry: one registration reaches every walker; every walker reads every node type."""
from __future__ import annotations

import cmath
import math

import numpy as np
import pytest
import sympy as sp

from quizlib.answers import check, evaluate_number, numeric, preview, registry
from quizlib.answers.matrix import evaluate as matrix_value
from quizlib.answers.matrix import infer_shape
from quizlib.answers.names import parse_decls
from quizlib.answers.parser import NODE_TAGS, Grammar, _check_sizes, parse
from quizlib.answers.printing import plain, to_latex
from quizlib.answers.registry import Function
from quizlib.answers.symbolic import symbolic_equal, to_sympy
from quizlib.answers.sympy_functions import named_function

X, THREE = ("sym", "x"), ("num", "3")
# one tree per node type, with x = 2: (tree, value, plain form, LaTeX form)
EXAMPLES = {
    "num": (THREE, 3, "3", "3"),
    "sym": (X, 2, "x", "x"),
    "const": (("const", "pi"), math.pi, "pi", r"\pi"),
    "call": (("call", "tanh", (X,)), math.tanh(2), "tanh(x)", r"\tanh\left(x\right)"),
    "neg": (("neg", X), -2, "-x", "-x"),
    "add": (("add", X, THREE), 5, "x + 3", "x + 3"),
    "sub": (("sub", X, THREE), -1, "x - 3", "x - 3"),
    "mul": (("mul", X, THREE), 6, "x 3", r"x \, 3"),
    "div": (("div", X, THREE), 2 / 3, "x/3", r"\frac{x}{3}"),
    "pow": (("pow", X, THREE), 8, "x^3", "x^{3}"),
    "had": (("had", X, THREE), 6, "x ⊙ 3", r"x \odot 3"),
    "T": (("T", X), 2, "x^T", r"x^{\top}"),
}


def test_the_examples_cover_every_node_type_the_parser_makes():
    assert set(EXAMPLES) == set(NODE_TAGS)
    g = Grammar(("x", "W"), registry.matrix_functions(), matrix=True)
    seen: set[str] = set()

    def walk(node):
        seen.add(node[0])
        for child in node[1:]:
            if isinstance(child, tuple) and child and isinstance(child[0], tuple):
                for a in child:
                    walk(a)
            elif isinstance(child, tuple):
                walk(child)

    walk(parse("-(x + 2) - W^T ⊙ W / 3 * e^x + relu(x)^2", g))
    assert seen == set(NODE_TAGS)


@pytest.mark.parametrize("tag", NODE_TAGS)
def test_every_walker_reads_every_node_type(tag):
    tree, value, plain_form, latex_form = EXAMPLES[tag]
    x = sp.Symbol("x", real=True)
    assert numeric.evaluate(tree, {"x": 2.0}) == pytest.approx(value)
    assert float(to_sympy(tree, {"x": x}).subs(x, 2)) == pytest.approx(value)
    assert float(to_sympy(tree, {"x": x}, evaluate=False).subs(x, 2)) == pytest.approx(value)
    assert float(matrix_value(tree, {"x": 2.0})) == pytest.approx(value)
    assert infer_shape(tree, {"x": None}) is None
    assert plain(tree) == plain_form
    assert to_latex(tree) == latex_form
    _check_sizes(tree)  # raises on a node it cannot size


def test_shapes_follow_transposes_and_products():
    w = ("sym", "W")
    assert infer_shape(("T", w), {"W": ("D", "H")}) == ("H", "D")
    assert infer_shape(("mul", ("T", w), w), {"W": ("D", "H")}) == ("H", "H")


@pytest.mark.parametrize("name", sorted(n for n, f in registry._FUNCTIONS.items() if f.numeric))
def test_each_scalar_function_has_agreeing_numeric_and_sympy_forms(name):
    fn = registry.lookup(name)
    args = (0.7, 1.9)[:fn.arity[-1]]
    got = numeric.evaluate(("call", name, tuple(("num", str(a)) for a in args)), {})
    want = complex(to_sympy(("call", name, tuple(("num", str(a)) for a in args)), {}).evalf())
    assert got == pytest.approx(want)
    if fn.numpy is not None and fn.shape == "same" and len(args) == 1:
        assert float(fn.numpy(np.array([[args[0]]]))[0, 0]) == pytest.approx(got.real)


@pytest.mark.parametrize("name", sorted(registry.latex_commands()))
def test_each_latex_command_of_a_function_reads_as_it(name):
    r = check(f"{name}(x)" if name not in ("max", "min") else f"{name}(x, 1)",
              f"\\{name}(x)" if name not in ("max", "min") else f"\\{name}(x, 1)", symbols=["x > 0"])
    assert r.correct, r.message


_SOFTPLUS_SYMPY = named_function("softplus", lambda z: sp.log(1 + sp.exp(z)))


@pytest.fixture
def softplus():
    """softplus(z) = log(1 + e^z), registered once with each of its forms."""
    registry.register(Function(
        "softplus", (1,), numeric=lambda z: cmath.log(1 + cmath.exp(z)),
        sympy=lambda args, ev: _SOFTPLUS_SYMPY(args[0]), numpy=lambda a: np.logaddexp(0.0, a)))
    yield
    registry.unregister("softplus")


def test_an_unregistered_function_is_an_unknown_name():
    r = check("log(1 + exp(x))", "softplus(x)", symbols=["x"])
    assert not r.valid and r.error == "unknown-name"


def test_a_function_registered_once_parses_and_evaluates(softplus):
    assert check("log(1 + exp(x))", "softplus(x)", symbols=["x"]).correct
    assert not check("log(1 + exp(x))", "softplus(2x)", symbols=["x"]).correct
    assert check("softplus(x)", r"\operatorname{softplus}(x)", symbols=["x"]).correct
    assert evaluate_number("softplus(0)", {}) == pytest.approx(math.log(2))


def test_a_function_registered_once_works_in_sympy(softplus):
    decls = parse_decls(["x"])
    g = Grammar(("x",), registry.expr_functions())
    ours, written_out = parse("softplus(x)", g), parse("log(1 + e^x)", g)
    assert symbolic_equal(ours, written_out, decls) == "equal"
    assert symbolic_equal(ours, parse("log(1 + e^(2x))", g), decls, points=[{"x": 0.5}]) == "different"
    x = sp.Symbol("x", real=True)
    assert sp.simplify(to_sympy(ours, {"x": x}).rewrite(sp.exp) - sp.log(1 + sp.exp(x))) == 0


def test_a_function_registered_once_works_in_matrix_answers_and_prints(softplus):
    symbols = ["x: D×1", "W1: H×D"]
    assert check("log(1 + exp(W1 x))", "softplus(W1 x)", kind="matrix", symbols=symbols).correct
    assert not check("log(1 + exp(W1 x))", "softplus(W1 x) + 1", kind="matrix", symbols=symbols).correct
    shown = preview("softplus(W1 x)", kind="matrix", symbols=symbols)
    assert shown.message == "Shape: H×1."
    assert shown.latex == r"\operatorname{softplus}\left(W_{1} \, x\right)"
    assert preview("softplus(x)", symbols=["x"]).latex == r"\operatorname{softplus}\left(x\right)"


def test_a_name_is_registered_only_once():
    with pytest.raises(ValueError, match="taken"):
        registry.register(Function("ln", (1,), numeric=cmath.log, sympy=lambda args, ev: sp.log(args[0])))
