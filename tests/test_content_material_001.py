"""Independent verification of content/nielsen_cross_entropy.md (material file 001).

Each reference answer of the bank is re-derived here with SymPy (diff, integrate, solve) or
NumPy finite differences, and compared with the answer string written in the bank.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

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

BANK = "nielsen_cross_entropy.md"
a, y, w, x, b, z, x1, w1, w2, x2 = sp.symbols("a y w x b z x1 w1 w2 x2", real=True)


def sig(t):
    return 1 / (1 + np.exp(-t))


def test_mse_neuron_gradients_match_sympy():
    cost = sp.Rational(1, 2) * (y - LOGISTIC(w * x + b)) ** 2
    for part, var in (("w", w), ("b", b)):
        ref = parse(answer(BANK, "nce-mse-neuron-gradient", part), "wxby")
        assert same(ref, sp.diff(cost, var))
        for wrong in wrong_answers(BANK, "nce-mse-neuron-gradient", part):
            assert not same(parse(wrong, "wxby"), sp.diff(cost, var)), wrong
    # The listed factor-2 answer is exactly the derivative of the slides' C = (y - a)^2.
    slide_cost = (y - LOGISTIC(w * x + b)) ** 2
    factor2 = parse(wrong_answers(BANK, "nce-mse-neuron-gradient", "w")[0], "wxby")
    assert same(factor2, sp.diff(slide_cost, w))


def test_slow_neuron_start_by_finite_differences():
    ref = answer(BANK, "nce-slow-neuron-start")
    seen = {}
    for vals in variant_values(BANK, "nce-slow-neuron-start"):
        wv, bv = vals["w"], vals["b"]

        def cost(bb):
            return 0.5 * (0.0 - sig(wv * 1.0 + bb)) ** 2

        h = 1e-6
        fd = (cost(bv + h) - cost(bv - h)) / (2 * h)
        got = value(ref, {"w": wv, "b": bv})
        assert got == pytest.approx(fd, rel=1e-6)
        seen[(wv, bv)] = got
    # The solution's figures: about 0.122 at (0.6, 0.9), about 0.017 at (2, 2), ratio about 7.
    assert seen[(0.6, 0.9)] == pytest.approx(0.122, abs=5e-4)
    assert seen[(2.0, 2.0)] == pytest.approx(0.0173, abs=5e-4)
    assert 6.5 < seen[(0.6, 0.9)] / seen[(2.0, 2.0)] < 7.5
    assert sig(4.0) == pytest.approx(0.982, abs=1e-3)


def test_sigmoid_derivative_claims():
    zs = np.linspace(-20, 20, 40001)
    d = sig(zs) * (1 - sig(zs))
    assert d.max() == pytest.approx(0.25, abs=1e-9)
    assert d[0] < 1e-8 and d[-1] < 1e-8
    assert ticked(BANK, "nce-saturation") == [0, 1, 3]
    assert ticked(BANK, "nce-improvements") == [0, 1]


def test_dcda_solves_the_wish():
    dcda = sp.Symbol("dcda")
    derived = sp.solve(sp.Eq(dcda * a * (1 - a), a - y), dcda)[0]
    ref = parse(answer(BANK, "nce-ce-dcda"), "ay")
    assert same(ref, derived)
    for wrong in wrong_answers(BANK, "nce-ce-dcda"):
        assert not same(parse(wrong, "ay"), derived)


def test_antiderivative_is_cross_entropy():
    a_pos = sp.Symbol("a", positive=True)
    integrand = (a - y) / (a * (1 - a))
    ref = parse(answer(BANK, "nce-ce-antiderivative"), "ay")
    assert same(sp.diff(ref, a), integrand)
    # "no constant term": the answer vanishes where both logs vanish in the limit y -> 1, a -> 1 ...
    # more directly: it equals SymPy's own antiderivative up to a constant that we then identify.
    sym_int = sp.integrate(sp.apart(integrand, a), a)
    diff = sp.simplify(sp.expand_log(ref - sym_int, force=True))
    assert sp.diff(diff, a) == 0 or same(sp.diff(diff, a), sp.Integer(0))
    # value check: C(a=1/2) = ln 2 for every y (no hidden constant)
    assert same(ref.subs(a, sp.Rational(1, 2)), sp.log(2) + 0 * y)
    wrongs = wrong_answers(BANK, "nce-ce-antiderivative")
    # the slides' middle line has the wrong derivative (sign slip in dt)
    slide_line = parse(wrongs[0], "ay")
    assert not same(sp.diff(slide_line, a), integrand)
    # with dt = -da/a^2 the same line has the opposite sign of its y-term, and then equals the key
    assert same(-sp.log(1 - a) + y * sp.log((1 - a) / a), ref)
    for wrong in wrongs:
        assert not same(parse(wrong, "ay"), ref)
    del a_pos


def test_ce_properties_numerically():
    av = np.linspace(1e-6, 1 - 1e-6, 10001)
    for yv in (0.0, 0.3, 0.5, 1.0):
        c = -(yv * np.log(av) + (1 - yv) * np.log(1 - av))
        assert (c > 0).all()
    h = -(0.3 * math.log(0.3) + 0.7 * math.log(0.7))
    assert h == pytest.approx(0.611, abs=1e-3)
    assert ticked(BANK, "nce-ce-properties") == [0, 1, 3]


def test_ce_gradient_cancels_sigma_prime():
    zz = w1 * x1 + w2 * x2 + b
    s = LOGISTIC(zz)
    cost = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
    for part, var in (("w1", w1), ("b", b)):
        derived = sp.simplify(sp.diff(cost, var))
        ref = parse(answer(BANK, "nce-ce-gradient", part), ["a", "x1", "y"]).subs(
            sp.Symbol("a", real=True), s
        )
        assert same(ref.subs({w2: 0.3, x2: 0.7}), derived.subs({w2: 0.3, x2: 0.7}))
        for wrong in wrong_answers(BANK, "nce-ce-gradient", part):
            wexpr = parse(wrong, ["a", "x1", "y"]).subs(sp.Symbol("a", real=True), s)
            assert not same(wexpr.subs({w2: 0.3, x2: 0.7}), derived.subs({w2: 0.3, x2: 0.7}))


def test_two_output_cross_entropy_value():
    av, yv = np.array([0.8, 0.3]), np.array([1.0, 0.0])
    c = -np.sum(yv * np.log(av) + (1 - yv) * np.log(1 - av))
    assert float(parse(answer(BANK, "nce-ce-many-outputs"))) == pytest.approx(c, rel=1e-12)
    assert c == pytest.approx(0.580, abs=1e-3)
    for wrong in wrong_answers(BANK, "nce-ce-many-outputs"):
        assert abs(float(parse(wrong)) - c) > 0.05


def test_swapped_cost_is_undefined():
    with np.errstate(divide="ignore", invalid="ignore"):
        for yv, av in ((1.0, 0.9), (0.0, 0.1)):
            swapped = -(av * np.log(yv) + (1 - av) * np.log(1 - yv))
            assert not np.isfinite(swapped)
    assert ticked(BANK, "nce-swap-y-a") == [1]


def test_soft_target_minimum():
    cost = -(y * sp.log(a) + (1 - y) * sp.log(1 - a))
    d1 = sp.diff(cost, a)
    assert same(parse(answer(BANK, "nce-ce-min-at-y", "d1"), "ay"), d1)
    assert sp.solve(sp.Eq(d1, 0), a) == [parse(answer(BANK, "nce-ce-min-at-y", "argmin"), "y")]
    d2 = sp.diff(cost, a, 2)
    assert same(parse(answer(BANK, "nce-ce-min-at-y", "d2"), "ay"), d2)
    assert same(parse(answer(BANK, "nce-ce-min-at-y", "minvalue"), "y"), cost.subs(a, y))
    for part, ref in (("d1", d1), ("d2", d2)):
        for wrong in wrong_answers(BANK, "nce-ce-min-at-y", part):
            assert not same(parse(wrong, "ay"), ref)


def test_mse_and_linear_output_deltas():
    s = LOGISTIC(z)
    delta_sig = sp.diff(sp.Rational(1, 2) * (y - s) ** 2, z)
    ref = parse(answer(BANK, "nce-mse-delta"), "ay").subs(sp.Symbol("a", real=True), s)
    assert same(ref, delta_sig)
    delta_lin = sp.diff(sp.Rational(1, 2) * (z - y) ** 2, z)
    ref_lin = parse(answer(BANK, "nce-linear-output-mse", "delta"), "ay").subs(sp.Symbol("a", real=True), z)
    assert sp.simplify(ref_lin - delta_lin) == 0
    for wrong in wrong_answers(BANK, "nce-linear-output-mse", "delta"):
        assert sp.simplify(parse(wrong, "ay").subs(sp.Symbol("a", real=True), z) - delta_lin) != 0
    assert ticked(BANK, "nce-linear-output-mse", "slow") == [0]


def _eval_matrix(text: str, env: dict[str, np.ndarray]) -> np.ndarray:
    """Evaluate our own simple matrix answers: `X^T`, `⊙`, juxtaposition = matrix product."""
    t = text.replace("⊙", "*").replace("^T", ".T")
    t = " ".join(t.split())
    t = t.replace(") (", ") @ (")
    import re

    t = re.sub(r"(\w|\.T|\)) (?=[\w(])", r"\1 @ ", t)
    return eval(t, {"__builtins__": {}}, dict(env))  # our own content only, never student text


def test_backprop_equations_by_finite_differences():
    rng = np.random.default_rng(0)
    H, J, K = 3, 4, 2
    a_prev = rng.normal(size=(H, 1))
    W_l, b_l = rng.normal(size=(J, H)), rng.normal(size=(J, 1))
    W_next, b_next = rng.normal(size=(K, J)), rng.normal(size=(K, 1))
    target = rng.normal(size=(K, 1))

    def cost_from_z(z_l):
        z_next = W_next @ sig(z_l) + b_next
        return 0.5 * float(np.sum((sig(z_next) - target) ** 2))

    z_l = W_l @ a_prev + b_l
    z_next = W_next @ sig(z_l) + b_next
    d = (sig(z_next) - target) * sig(z_next) * (1 - sig(z_next))  # BP1 for MSE
    s = sig(z_l) * (1 - sig(z_l))
    h = 1e-6
    fd_delta = np.array(
        [[(cost_from_z(z_l + h * e) - cost_from_z(z_l - h * e)) / (2 * h)] for e in np.eye(J)[:, :, None]]
    ).reshape(J, 1)
    t = sig(z_next) * (1 - sig(z_next))
    env2 = {"W": W_next, "d": d, "s": s, "t": t}
    bp2 = _eval_matrix(answer(BANK, "nce-backprop-four", "bp2"), env2)
    assert np.allclose(bp2, fd_delta, rtol=1e-5, atol=1e-8)
    for wrong in wrong_answers(BANK, "nce-backprop-four", "bp2"):
        assert not np.allclose(_eval_matrix(wrong, env2), fd_delta, rtol=1e-3)

    def cost_from_wb(Wl, bl):
        return cost_from_z(Wl @ a_prev + bl)

    fd_W = np.zeros((J, H))
    for j in range(J):
        for k in range(H):
            E = np.zeros((J, H))
            E[j, k] = h
            fd_W[j, k] = (cost_from_wb(W_l + E, b_l) - cost_from_wb(W_l - E, b_l)) / (2 * h)
    fd_b = np.array([[(cost_from_wb(W_l, b_l + h * e) - cost_from_wb(W_l, b_l - h * e)) / (2 * h)]
                     for e in np.eye(J)[:, :, None]]).reshape(J, 1)
    env = {"delta": fd_delta, "a": a_prev, "s": s, "z": rng.normal(size=(H, 1))}  # z^{l-1}, not a^{l-1}
    assert np.allclose(_eval_matrix(answer(BANK, "nce-backprop-four", "bp3"), env), fd_b, rtol=1e-5, atol=1e-8)
    env3 = dict(env, W=W_next, d=d)
    for wrong in wrong_answers(BANK, "nce-backprop-four", "bp3"):
        assert not np.allclose(_eval_matrix(wrong, env3), fd_b, rtol=1e-3)
    assert np.allclose(_eval_matrix(answer(BANK, "nce-backprop-four", "bp4"), env), fd_W, rtol=1e-5, atol=1e-8)
    wrong4 = [_eval_matrix(wa, env) for wa in wrong_answers(BANK, "nce-backprop-four", "bp4")]
    for wrong_grad in wrong4:
        assert wrong_grad.shape == fd_W.shape and not np.allclose(wrong_grad, fd_W, rtol=1e-3)
    assert _eval_matrix("a delta^T", env).shape == (H, J) != fd_W.shape  # the transpose named in the prompt


def test_ce_delta_is_a_minus_y_for_every_output():
    # d/dz_j of the summed binary cross-entropy of two sigmoid outputs, by finite differences
    rng = np.random.default_rng(1)
    zz, yy = rng.normal(size=2), np.array([1.0, 0.0])

    def cost(v):
        av = sig(v)
        return -np.sum(yy * np.log(av) + (1 - yy) * np.log(1 - av))

    h = 1e-6
    fd = np.array([(cost(zz + h * e) - cost(zz - h * e)) / (2 * h) for e in np.eye(2)])
    assert np.allclose(fd, sig(zz) - yy, rtol=1e-6)
