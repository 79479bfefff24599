"""Independent checks of the MLP-basics bank (content/mlp_basics.md).

Parameter counts come from building the weight arrays, derivatives from `sympy.diff` of the
functions' definitions, the chain-rule answer from differentiating the loss, and the claims of
the choice questions (shapes, ReLU, linear collapse) from small NumPy experiments.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from test_content_course import num, part, question, sym, sym_names, variants

z = sp.Symbol("z")


def correct_texts(qid, pid=""):
    return [c.text for c in part(qid, pid).choices if c.correct]


@pytest.mark.parametrize("v", variants(question("mlp-param-count")))
def test_param_count_by_building_the_layers(v):
    D, H, K = (int(v[x]) for x in "DHK")
    arrays = [np.empty((D, H)), np.empty(H), np.empty((H, K)), np.empty(K)]
    assert num(part("mlp-param-count").answer, v) == sum(a.size for a in arrays)


@pytest.mark.parametrize("v", variants(question("mlp-param-count-deep")))
def test_deep_param_count_by_building_the_layers(v):
    sizes = [int(v["D"]), int(v["H1"]), int(v["H2"]), int(v["K"])]
    count = sum(np.empty((a, b)).size + np.empty(b).size for a, b in zip(sizes, sizes[1:]))
    assert num(part("mlp-param-count-deep").answer, v) == count


def test_weight_shape_is_the_one_numpy_accepts():
    N, D, H = 5, 4, 3
    X = np.ones((N, D))
    assert (X @ np.ones((D, H))).shape == (N, H)
    with pytest.raises(ValueError):
        X @ np.ones((H, D))
    assert correct_texts("mlp-weight-shape") == ["$D \\times H$"]


def test_output_activations_are_identity_sigmoid_softmax():
    assert "identity" in correct_texts("mlp-output-activation", "reg")[0]
    assert "sigmoid" in correct_texts("mlp-output-activation", "bin")[0]
    assert "softmax" in correct_texts("mlp-output-activation", "multi")[0]


def test_sigmoid_derivative_matches_sympy_diff():
    sigma = 1 / (1 + sp.exp(-z))
    key = sym(part("mlp-sigmoid-derivative").answer, ["z"])
    assert sp.simplify(sp.diff(sigma, z) - key.doit()) == 0


def test_tanh_derivative_matches_sympy_diff():
    key = sym(part("mlp-tanh-derivative").answer, ["z"])
    assert sp.simplify(sp.diff(sp.tanh(z), z) - key) == 0


def test_sigmoid_max_slope_by_a_grid_search():
    grid = np.linspace(-10, 10, 200_001)
    s = 1 / (1 + np.exp(-grid))
    slope = np.gradient(s, grid)
    assert np.isclose(slope.max(), num(part("mlp-sigmoid-max-slope").answer, {}), rtol=1e-6)


def test_relu_derivative_by_finite_differences():
    relu = lambda x: np.maximum(0, x)  # noqa: E731
    for x0, expected in ((2.0, 1.0), (-3.0, 0.0)):
        assert np.isclose((relu(x0 + 1e-6) - relu(x0 - 1e-6)) / 2e-6, expected)
    texts = correct_texts("mlp-relu-derivative")
    assert any("$1$ for $z > 0$" in t for t in texts) and len(texts) == 2


def test_a_deep_linear_network_collapses_to_one_affine_map():
    rng = np.random.default_rng(0)
    Ws = [rng.normal(size=(4, 6)), rng.normal(size=(6, 5)), rng.normal(size=(5, 3))]
    bs = [rng.normal(size=6), rng.normal(size=5), rng.normal(size=3)]
    def net(x):
        for W, b in zip(Ws, bs):
            x = x @ W + b
        return x
    c = net(np.zeros(4))
    A = np.stack([net(e) - c for e in np.eye(4)])  # rows: images of the unit vectors
    X = rng.normal(size=(10, 4))
    assert np.allclose(net(X), X @ A + c)
    assert np.allclose(A, Ws[0] @ Ws[1] @ Ws[2])
    assert question("mlp-linear-collapse").kind == "derivation"


def test_uat_choices_mark_existence_not_learnability():
    texts = correct_texts("mlp-uat")
    assert len(texts) == 2 and any("continuous function" in t for t in texts)
    assert not any("Gradient descent" in t for t in texts)


def test_chain_rule_answer_matches_sympy_diff():
    w1, w2, x, y = sp.symbols("w1 w2 x y")
    L = (w2 * sp.tanh(w1 * x) - y) ** 2 / 2
    p = part("mlp-chain-rule")
    key = sym(p.answer, sym_names(p))
    assert sp.simplify(sp.diff(L, w1) - key) == 0
    # and the listed wrong answer for ∂L/∂w2 really is ∂L/∂w2
    wrong_w2 = [w for w in p.wrong_answers if "w_2" in w.feedback][0]
    assert sp.simplify(sp.diff(L, w2) - sym(wrong_w2.answer, sym_names(p))) == 0


def test_backprop_recursion_matches_finite_differences():
    """The equations the derivation's model solution states, on a random 3-layer tanh net."""
    rng = np.random.default_rng(2)
    sizes = [3, 4, 2]
    Ws = [rng.normal(size=(b, a)) for a, b in zip(sizes, sizes[1:])]
    bs = [rng.normal(size=b) for b in sizes[1:]]
    x, y = rng.normal(size=3), rng.normal(size=2)
    def cost(Ws, bs):
        a = x
        for W, b in zip(Ws, bs):
            a = np.tanh(W @ a + b)
        return 0.5 * np.sum((a - y) ** 2)
    acts, zs = [x], []
    for W, b in zip(Ws, bs):
        zs.append(W @ acts[-1] + b)
        acts.append(np.tanh(zs[-1]))
    fprime = lambda zz: 1 - np.tanh(zz) ** 2  # noqa: E731
    delta = (acts[-1] - y) * fprime(zs[-1])  # δ^L = ∇_a C ⊙ f'(z^L)
    grads = [None, None]
    grads[1] = np.outer(delta, acts[1])  # ∂C/∂W^l = δ^l (a^{l-1})^T
    delta0 = (Ws[1].T @ delta) * fprime(zs[0])  # δ^l = (W^{l+1})^T δ^{l+1} ⊙ f'(z^l)
    grads[0] = np.outer(delta0, acts[0])
    for l in range(2):
        num_grad = np.zeros_like(Ws[l])
        for idx in np.ndindex(Ws[l].shape):
            plus = [W.copy() for W in Ws]
            minus = [W.copy() for W in Ws]
            plus[l][idx] += 1e-6
            minus[l][idx] -= 1e-6
            num_grad[idx] = (cost(plus, bs) - cost(minus, bs)) / 2e-6
        assert np.allclose(num_grad, grads[l], atol=1e-7)
    q = question("mlp-backprop-algorithm")
    assert sum(r.points for r in q.rubric) == q.points == 6


def test_finite_difference_cost_is_quadratic_in_the_parameter_count():
    assert correct_texts("mlp-backprop-cost")[0].startswith("$O(P^2)$")


def test_relu_passes_gradients_that_sigmoid_shrinks():
    zz = np.linspace(0.1, 5, 50)
    s = 1 / (1 + np.exp(-zz))
    assert np.all(s * (1 - s) <= 0.25) and np.prod(np.full(10, 0.25)) < 1e-6
    assert np.all(np.maximum(0, zz) >= 0)  # non-negative outputs: not zero-centred
    assert {c.label for c in part("mlp-relu-vs-sigmoid").choices if c.correct} == {"a", "b"}
