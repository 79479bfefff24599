"""Independent verification of content/exam_answers_2.md (material file 004).

SymPy for the logistic loss, L2/weight decay and the reparametrisation trick; NumPy for the
dropout formula (uniform draws), in-place derivatives, a sliding window for convolution output
sizes, explicit parameter arrays, and translations of images.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from numpy.lib.stride_tricks import sliding_window_view

from content_material_helpers import (
    LOGISTIC,
    answer,
    parse,
    same,
    ticked,
    value,
    variant_values,
    wrong_answers,
)

BANK = "exam_answers_2.md"
R = lambda name: sp.Symbol(name, real=True)  # noqa: E731 — bank strings are parsed with real symbols


def sig(t):
    return 1 / (1 + np.exp(-t))


def test_mlp_as_composition():
    x, w1, b1, w2, b2, w3, b3 = (R(n) for n in ("x", "w1", "b1", "w2", "b2", "w3", "b3"))
    z1 = LOGISTIC(w1 * x + b1)
    z2 = LOGISTIC(w2 * z1 + b2)
    derived = w3 * z2 + b3
    names = ["x", "w1", "b1", "w2", "b2", "w3", "b3"]
    assert sp.simplify(parse(answer(BANK, "ex2-mlp-function", "formula"), names) - derived) == 0
    for wrong in wrong_answers(BANK, "ex2-mlp-function", "formula"):
        assert not same(parse(wrong, names), derived)
    assert ticked(BANK, "ex2-mlp-function", "domain") == [0]


def test_decision_threshold_is_one_half():
    t = np.linspace(-30, 30, 6001)
    assert (sig(t) > 0).all()  # the exam answer's rule "sigma(output) > 0" accepts everything
    assert np.array_equal(sig(t) > 0.5, t > 0)
    assert ticked(BANK, "ex2-bend-space") == [0, 1]


def test_vanishing_gradient_bound():
    zs = np.linspace(-10, 10, 20001)
    max_slope = float(np.max(sig(zs) * (1 - sig(zs))))
    bound = max_slope**10
    assert float(parse(answer(BANK, "ex2-vanishing", "bound"))) == pytest.approx(bound, rel=1e-6)
    assert bound == pytest.approx(9.5e-7, rel=0.01)
    for wrong in wrong_answers(BANK, "ex2-vanishing", "bound"):
        assert float(parse(wrong)) > 100 * bound
    assert ticked(BANK, "ex2-vanishing", "claims") == [0, 1, 2]


def test_dropout_with_uniform_draws():
    theta, u, x = sp.Symbol("theta", positive=True), sp.Symbol("u"), R("x")
    p_drop = sp.integrate(1, (u, 0, theta))  # P(u <= theta) for u ~ U(0, 1)
    mean = (1 - p_drop) * x / (1 - theta)
    ref_drop = parse(answer(BANK, "ex2-dropout-uniform", "drop"), ["theta"]).subs(R("theta"), theta)
    ref_mean = parse(answer(BANK, "ex2-dropout-uniform", "mean"), ["theta", "x"]).subs(R("theta"), theta)
    assert sp.simplify(ref_drop - p_drop) == 0
    assert sp.simplify(ref_mean - mean) == 0
    for part, exact in (("drop", p_drop), ("mean", mean)):
        for wrong in wrong_answers(BANK, "ex2-dropout-uniform", part):
            assert sp.simplify(parse(wrong, ["theta", "x"]).subs(R("theta"), theta) - exact) != 0
    rng = np.random.default_rng(0)
    th, xv = 0.3, 2.0
    uu = rng.random(400_000)
    y = np.where(uu <= th, 0.0, xv / (1 - th))
    assert np.mean(y == 0) == pytest.approx(th, abs=0.005)
    assert y.mean() == pytest.approx(xv, rel=0.01)


def test_kept_unit_value_by_applying_the_formula():
    ref = answer(BANK, "ex2-dropout-kept-value")
    for vals in variant_values(BANK, "ex2-dropout-kept-value"):
        th, xv, u = vals["theta"], vals["x"], 0.93
        y = 0.0 if u <= th else xv / (1 - th)  # the exam answer's dropout formula
        assert value(ref, vals) == pytest.approx(y, rel=1e-12)
        for wrong in wrong_answers(BANK, "ex2-dropout-kept-value"):
            assert abs(value(wrong, vals) - y) / y > 0.02, (wrong, vals)


def test_l2_step_and_weight_decay_match():
    a, g, eps, lam, d = R("a"), R("g"), sp.Symbol("eps", positive=True), sp.Symbol("lam", positive=True), R("d")
    grad = g + sp.diff(sp.Rational(1, 2) * lam * a**2, a)  # g stands for grad L(a)
    step = a - eps * grad
    names = ["a", "g", "eps", "lam"]
    to_pos = {R("eps"): eps, R("lam"): lam}
    assert sp.simplify(parse(answer(BANK, "ex2-l2-weight-decay", "step"), names).subs(to_pos) - step) == 0
    for wrong in wrong_answers(BANK, "ex2-l2-weight-decay", "step"):
        assert sp.simplify(parse(wrong, names).subs(to_pos) - step) != 0
    lam_star = sp.solve(sp.Eq(1 - eps * lam, 1 - d), lam)[0]
    ref = parse(answer(BANK, "ex2-l2-weight-decay", "match"), ["d", "eps"]).subs(to_pos)
    assert sp.simplify(ref - lam_star) == 0
    for wrong in wrong_answers(BANK, "ex2-l2-weight-decay", "match"):
        assert sp.simplify(parse(wrong, ["d", "eps"]).subs(to_pos) - lam_star) != 0
    assert ticked(BANK, "ex2-l2-weight-decay", "adam") == [0]


def test_adam_l2_differs_from_decoupled_decay():
    # one Adam step from zero moments: the L2 gradient is normalised away, decoupled decay is not
    w, g, lam, lr, eps = 2.0, 0.5, 0.1, 0.01, 1e-8
    grad_l2 = g + lam * w
    step_l2 = w - lr * grad_l2 / (abs(grad_l2) + eps)  # m_hat / sqrt(v_hat) = sign for the first step
    step_adamw = w - lr * g / (abs(g) + eps) - lr * lam * w
    assert abs(step_l2 - step_adamw) > 1e-4


def test_logistic_loss_and_derivatives():
    a, b, x, y = R("a"), R("b"), R("x"), R("y")
    s = LOGISTIC(a * x + b)
    bce = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
    names = ["a", "b", "x", "y"]
    ref_loss = parse(answer(BANK, "ex2-logistic-loss", "loss"), names)
    assert same(ref_loss, bce)
    wrong_loss = wrong_answers(BANK, "ex2-logistic-loss", "loss")
    assert "y*(a*x + b) + log(1 + exp(a*x + b))" in wrong_loss  # the exam answer's formula...
    for wrong in wrong_loss:
        assert not same(parse(wrong, names), bce)  # ...is not the logistic loss
    for part, var in (("da", a), ("db", b)):
        derived = sp.diff(bce, var)
        assert same(parse(answer(BANK, "ex2-logistic-loss", part), names), derived)
        for wrong in wrong_answers(BANK, "ex2-logistic-loss", part):
            assert not same(parse(wrong, names), derived)
    # the exam's explicit line: -yx + x*sigma = x(sigma - y), not x(sigma + y)
    assert same(-y * x + x * s, x * (s - y))


def test_backprop_on_the_small_graph():
    a, b, x, y, xi = R("a"), R("b"), R("x"), R("y"), R("xi")
    zz = xi + b
    loss = -y * zz + sp.log(1 + sp.exp(zz))
    dxi = sp.diff(loss, xi).subs(xi, a * x)
    names = ["a", "b", "x", "y"]
    assert same(parse(answer(BANK, "ex2-backprop-steps", "dxi"), names), dxi)
    for wrong in wrong_answers(BANK, "ex2-backprop-steps", "dxi"):
        assert not same(parse(wrong, names), dxi)
    assert ticked(BANK, "ex2-backprop-steps", "order") == [0, 1, 2]


def test_which_derivatives_are_recoverable_from_the_output():
    xs = np.linspace(-6, 6, 12001)
    # recoverable: f'(x) = g(f(x)) for an explicit g, on the whole grid
    recoverable = {  # f, f', g
        "exp": (np.exp, np.exp, lambda y: y),
        "sigmoid": (sig, lambda t: sig(t) * (1 - sig(t)), lambda y: y * (1 - y)),
        "tanh": (np.tanh, lambda t: 1 - np.tanh(t) ** 2, lambda y: 1 - y**2),
        "relu": (lambda t: np.maximum(t, 0), lambda t: (t > 0).astype(float), lambda y: (y > 0).astype(float)),
    }
    for name, (f, df, g) in recoverable.items():
        assert np.allclose(g(f(xs)), df(xs), atol=1e-12), name
    # not recoverable: two inputs with the same output but different derivatives
    for f, df, x1, x2 in ((lambda t: t**2 / 2, lambda t: t, 1.0, -1.0),
                          (math.sin, math.cos, math.pi / 3, 2 * math.pi / 3)):
        assert f(x1) == pytest.approx(f(x2), abs=1e-12)
        assert abs(df(x1) - df(x2)) > 0.5
    assert ticked(BANK, "ex2-in-place", "which") == [0, 1, 2, 3]
    # the sin counterexample of the solution
    assert math.sin(math.pi / 3) == pytest.approx(math.sin(2 * math.pi / 3))
    assert math.cos(math.pi / 3) == pytest.approx(0.5) and math.cos(2 * math.pi / 3) == pytest.approx(-0.5)
    assert ticked(BANK, "ex2-in-place", "sin") == [1]
    t, yv = R("t"), R("y")
    ref = parse(answer(BANK, "ex2-in-place", "sigmoid"), ["y"]).subs(yv, LOGISTIC(t))
    assert same(ref, sp.diff(LOGISTIC(t), t))
    for wrong in wrong_answers(BANK, "ex2-in-place", "sigmoid"):
        assert not same(parse(wrong, ["y"]).subs(yv, LOGISTIC(t)), sp.diff(LOGISTIC(t), t))


def test_reparametrisation_gradients():
    mu, s, e = R("mu"), sp.Symbol("s", positive=True), R("e")
    zz = mu + s * e
    names = ["mu", "s", "e"]
    to_pos = {R("s"): s}
    for part, exact in (("dmu", sp.diff(zz, mu)), ("ds", sp.diff(zz, s)), ("grad", sp.diff(zz**2, s))):
        assert sp.simplify(parse(answer(BANK, "ex2-reparametrisation", part), names).subs(to_pos) - exact) == 0
        for wrong in wrong_answers(BANK, "ex2-reparametrisation", part):
            assert sp.simplify(parse(wrong, names).subs(to_pos) - exact) != 0
    # unbiased: the sample average of 2 z e approaches d/ds E[z^2] = 2 s
    rng = np.random.default_rng(1)
    eps = rng.normal(size=400_000)
    muv, sv = 0.7, 1.3
    assert np.mean(2 * (muv + sv * eps) * eps) == pytest.approx(2 * sv, rel=0.02)


def _slide_count(n: int, k: int, s: int) -> int:
    windows = sliding_window_view(np.arange(n), k)[::s]
    return len(windows)


def test_conv_output_size_by_sliding_a_window():
    ref = answer(BANK, "ex2-conv-output-size")
    for vals in variant_values(BANK, "ex2-conv-output-size"):
        n, k, s = (int(vals[v]) for v in ("n", "k", "s"))
        count = _slide_count(n, k, s)
        assert value(ref, vals) == count
        for wrong in wrong_answers(BANK, "ex2-conv-output-size"):
            assert value(wrong, vals) != count, (wrong, vals)
    # the example in the feedback
    assert _slide_count(7, 3, 2) == 3 and (7 - 3 + 1) // 2 == 2


def test_conv_and_dense_parameter_counts():
    filters, biases = np.zeros((16, 5, 5)), np.zeros(16)
    side = _slide_count(32, 5, 1)
    assert side == 28
    conv = filters.size + biases.size
    dense_w_shape, dense_b = (side * side * 16, 32 * 32), side * side * 16
    dense = dense_w_shape[0] * dense_w_shape[1] + dense_b
    assert float(parse(answer(BANK, "ex2-conv-weights", "conv"))) == conv == 416
    assert float(parse(answer(BANK, "ex2-conv-weights", "dense"))) == dense == 12_857_600
    for part, exact in (("conv", conv), ("dense", dense)):
        for wrong in wrong_answers(BANK, "ex2-conv-weights", part):
            assert float(parse(wrong)) != exact


def test_invariance_examples():
    rng = np.random.default_rng(2)
    img = rng.random((16, 16))
    shifted = np.roll(img, (3, 5), axis=(0, 1))
    assert shifted.mean() == pytest.approx(img.mean())
    assert np.rot90(img).mean() == pytest.approx(img.mean())
    obj = np.zeros((16, 16))
    obj[2:5, 3:7] = 1
    box = lambda m: tuple(np.argwhere(m).min(0)) + tuple(np.argwhere(m).max(0))  # noqa: E731
    assert box(np.roll(obj, (3, 5), axis=(0, 1))) != box(obj)  # equivariant, not invariant
    assert ticked(BANK, "ex2-invariance-examples") == [0, 1, 2, 3]
    assert ticked(BANK, "ex2-convolution-when") == [0, 1, 2]
    assert ticked(BANK, "ex2-computational-graph") == [0, 1, 2]
    assert ticked(BANK, "ex2-autoencoder") == [0, 1]


def test_outlier_is_the_worst_reconstruction():
    errors = np.array([0.021, 0.018, 0.35, 0.025, 0.019])
    assert float(parse(answer(BANK, "ex2-outlier", "which"))) == int(np.argmax(errors)) + 1
    for wrong in wrong_answers(BANK, "ex2-outlier", "which"):
        assert float(parse(wrong)) != int(np.argmax(errors)) + 1
    assert ticked(BANK, "ex2-outlier", "why") == [0]
