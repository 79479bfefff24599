"""Matrix answers: the four gradients of a one-hidden-layer ReLU/softmax MLP, shapes, feedback.

The reference gradients are verified here by central finite differences on the NLL loss, so the
test does not trust the formulas it grades with.
"""
import numpy as np
import pytest

from quizlib.answers import check, preview
from quizlib.answers.matrix import ShapeError, infer_shape
from quizlib.answers.parser import Grammar, parse
from quizlib.answers.registry import matrix_functions
from quizlib.model import WrongAnswer

SYMS = ["x: D×1", "W1: D×H", "b1: H×1", "W2: H×K", "b2: K×1", "g: K×1"]
LET = ("h = relu(W1^T x + b1); o = softmax(W2^T h + b2)",)
GRADS = {  # parameter -> reference gradient of NLL(softmax) w.r.t. it
    "b2": "o - g",
    "W2": "h (o - g)^T",
    "b1": "(W2 (o - g)) ⊙ step(W1^T x + b1)",
    "W1": "x ((W2 (o - g)) ⊙ step(W1^T x + b1))^T",
}


def mcheck(expected, given, **kw):
    return check(expected, given, kind="matrix", symbols=SYMS, let=LET, **kw)


def test_reference_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    D, H, K = 4, 3, 5
    P = {"W1": rng.standard_normal((D, H)), "b1": rng.standard_normal((H, 1)),
         "W2": rng.standard_normal((H, K)), "b2": rng.standard_normal((K, 1))}
    x = rng.standard_normal((D, 1))
    g = np.eye(K)[:, [2]]

    def loss(P):
        h = np.maximum(P["W1"].T @ x + P["b1"], 0)
        z = P["W2"].T @ h + P["b2"]
        return float(-(g * (z - np.log(np.exp(z).sum()))).sum())

    from quizlib.answers.matrix import evaluate
    env = dict(P, x=x, g=g)
    g_ = Grammar(("x", "W1", "b1", "W2", "b2", "g", "h", "o"), matrix_functions(), matrix=True)
    env["h"] = evaluate(parse("relu(W1^T x + b1)", g_), env)
    env["o"] = evaluate(parse("softmax(W2^T h + b2)", g_), env)
    for name, formula in GRADS.items():
        analytic = evaluate(parse(formula, g_), env)
        num = np.zeros_like(P[name])
        for idx in np.ndindex(P[name].shape):
            for s in (1, -1):
                Q = {k: v.copy() for k, v in P.items()}
                Q[name][idx] += s * 1e-6
                num[idx] += s * loss(Q) / 2e-6
        assert np.allclose(analytic, num, atol=1e-5), name


@pytest.mark.parametrize("param, given", [
    ("b2", "o-g"), ("b2", "softmax(W2^T h + b2) - g"), ("b2", "-(g - o)"),
    ("W2", "h (o-g)^T"), ("W2", "h*transpose(o-g)"), ("W2", "h @ (o - g)'"), ("W2", "h·(o−g)ᵀ"),
    ("W2", r"h\,(o-g)^\top"), ("W2", "relu(W1^T x + b1) (o-g)^{T}"), ("W2", "h o^T - h g^T"),
    ("b1", "(W2 (o-g)) ⊙ step(W1^T x + b1)"), ("b1", "hadamard(W2 (o-g), relu'(W1^T x + b1))"),
    ("b1", r"W_2 (o-g) \odot \mathrm{step}(W_1^\top x + b_1)"), ("b1", "odot(step(W1^T x + b1), W2 (o - g))"),
    ("W1", "x ((W2 (o-g)) ⊙ step(W1^T x + b1))^T"),
    ("W1", "x (step(W1^T x + b1) ⊙ (W2 (o - g)))'"),
    ("W1", r"x \left( W_2 (o-g) \odot \operatorname{relu}'(W_1^\top x + b_1) \right)^\top"),
])
def test_right(param, given):
    r = mcheck(GRADS[param], given)
    assert r.valid and r.correct, (given, r)
    assert r.latex


@pytest.mark.parametrize("param, given, error", [
    ("b2", "g - o", "sign"),
    ("W2", "2 h (o-g)^T", "factor"),
    ("W2", "(o-g) h^T", "shape"),
    ("W1", "((W2 (o-g)) ⊙ step(W1^T x + b1)) x^T", "shape"),
    ("W1", "x (W2 (o-g))^T", "wrong"),
    ("b1", "W2 (o-g)", "wrong"),
    ("b1", "W2^T x + W2", "shape"),
    ("b1", "W1^T x + W2", "shape"),
])
def test_wrong(param, given, error):
    r = mcheck(GRADS[param], given)
    assert r.valid and not r.correct and r.error == error, (given, r)


def test_shape_messages():
    r = mcheck(GRADS["W1"], "((W2 (o-g)) ⊙ step(W1^T x + b1)) x^T")
    assert r.message.startswith("Your answer is H×D, but the answer is D×H")
    r = mcheck(GRADS["b1"], "W1^T x + W2")
    assert "cannot add H×1 and H×K" in r.message
    r = mcheck(GRADS["b1"], "W1 x")
    assert "cannot multiply D×H by D×1" in r.message


def test_listed_wrong_answer():
    was = (WrongAnswer("g - o", "Sign: the gradient of the logits is o − g."),)
    r = mcheck("o - g", "g-o", wrong_answers=was)
    assert (r.error, r.message) == ("listed", "Sign: the gradient of the logits is o − g.")


def test_unknown_and_unsafe():
    r = mcheck("o - g", "o - q")
    assert not r.valid and r.error == "unknown-name" and "you may use x, W1, b1, W2, b2, g, h, o" in r.message
    assert mcheck("o - g", "W1.T").error == "unsafe"


def test_preview_shows_shape_and_latex():
    p = preview("W1^T x", kind="matrix", symbols=SYMS, let=LET)
    assert p.valid and p.message == "Shape: H×1." and p.latex == r"W_{1}^{\top} \, x"


def test_int_dims_and_outer_products():
    syms = ["a: N×1", "b: 3×1"]
    assert check("a b^T", "a*transpose(b)", kind="matrix", symbols=syms).correct
    r = check("a b^T", "b a^T", kind="matrix", symbols=syms)
    assert r.error == "shape" and "3×N" in r.message


def test_infer_shape_errors():
    shapes = {"A": ("D", "H"), "v": ("H", 1)}
    g_ = Grammar(("A", "v"), matrix_functions(), matrix=True)
    assert infer_shape(parse("A v", g_), shapes) == ("D", 1)
    assert infer_shape(parse("v^T A^T", g_), shapes) == (1, "D")
    assert infer_shape(parse("2 v ⊙ v + 1", g_), shapes) == ("H", 1)
    with pytest.raises(ShapeError):
        infer_shape(parse("v A", g_), shapes)
