"""Independent verification of content/init_and_l2.md (material file 002).

var z by simulation, the L2 step by differentiating the regularised cost, the per-epoch shrink
by actually applying n/m steps and by SymPy limits and series.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from content_material_helpers import answer, parse, same, ticked, value, variant_values, wrong_answers

BANK = "init_and_l2.md"
eta, lam, n, m, w, G, k, Nw = sp.symbols("eta lam n m w G k Nw", positive=True)


def _simulated_var_z(n_in: int, n_on: int, w_std: float, rng, samples=20000) -> float:
    x = np.zeros(n_in)
    x[:n_on] = 1.0
    W = rng.normal(0.0, w_std, size=(samples, n_in))
    bias = rng.normal(0.0, 1.0, size=samples)
    return float((W @ x + bias).var())


def _exact_var_z(n_in: int, n_on: int, w_std: float) -> float:
    """var(sum_j w_j x_j + b) = sum_j x_j^2 var(w_j) + var(b) for independent terms."""
    x = np.zeros(n_in)
    x[:n_on] = 1.0
    return float(np.sum(x**2 * w_std**2) + 1.0)


def test_var_z_standard_normal_by_simulation():
    rng = np.random.default_rng(0)
    ref = answer(BANK, "il2-var-z-standard-normal")
    for vals in variant_values(BANK, "il2-var-z-standard-normal"):
        n_in = int(vals["n"])
        sim = _simulated_var_z(n_in, n_in // 2, 1.0, rng)
        exact = _exact_var_z(n_in, n_in // 2, 1.0)
        assert value(ref, vals) == pytest.approx(sim, rel=0.05)
        assert value(ref, vals) == pytest.approx(exact, rel=1e-12)
        for wrong in wrong_answers(BANK, "il2-var-z-standard-normal"):
            assert value(wrong, vals) != pytest.approx(exact, rel=1e-6), wrong
    assert value(ref, {"n": 784}) == 393
    assert math.sqrt(393) == pytest.approx(19.8, abs=0.05)


def test_saturation_probabilities():
    p_small = math.erf(1 / (math.sqrt(393) * math.sqrt(2)))
    assert 1 - p_small == pytest.approx(0.96, abs=0.005)
    p_big = 1 - math.erf(3 / (math.sqrt(1.5) * math.sqrt(2)))
    assert p_big == pytest.approx(0.014, abs=0.001)
    assert ticked(BANK, "il2-saturation") == [0, 1, 2]
    assert ticked(BANK, "il2-z-distribution") == [0, 1, 3]
    assert ticked(BANK, "il2-decay-dominates") == [0, 1, 2]


def test_scaled_variance_makes_weighted_sum_unit():
    v = sp.Symbol("v", positive=True)
    derived = sp.solve(sp.Eq(n * v, 1), v)[0]
    ref = parse(answer(BANK, "il2-scaled-variance"), "n")
    assert same(ref.subs(sp.Symbol("n", real=True), n), derived)
    for wrong in wrong_answers(BANK, "il2-scaled-variance"):
        assert not same(parse(wrong, "n").subs(sp.Symbol("n", real=True), n), derived)


def test_var_z_scaled_by_simulation():
    rng = np.random.default_rng(1)
    ref = answer(BANK, "il2-var-z-scaled")
    for vals in variant_values(BANK, "il2-var-z-scaled"):
        n_in = int(vals["n"])
        n_on = int(round(vals["f"] * n_in))
        sim = _simulated_var_z(n_in, n_on, 1 / math.sqrt(n_in), rng)
        exact = _exact_var_z(n_in, n_on, 1 / math.sqrt(n_in))
        assert value(ref, vals) == pytest.approx(sim, rel=0.05)
        assert value(ref, vals) == pytest.approx(exact, rel=1e-12)
        for wrong in wrong_answers(BANK, "il2-var-z-scaled"):
            assert value(wrong, vals) != pytest.approx(exact, rel=1e-6), wrong
    assert value(ref, {"n": 784, "f": 0.5}) == pytest.approx(1.5)


def _pos(expr):
    """Bank expressions are parsed with real symbols; map them to our positive ones."""
    return expr.subs({sp.Symbol(s.name, real=True): s for s in (eta, lam, n, m, w, G, k, Nw)})


def test_update_rule_is_a_gradient_step():
    C0 = sp.Function("C0")
    cost_grad = sp.diff(lam / (2 * n) * w**2, w) + G / m  # G/m: the mini-batch average of dC_x/dw
    derived = sp.expand(w - eta * cost_grad)
    ref = _pos(parse(answer(BANK, "il2-update-rule"), ["w", "G", "eta", "lam", "n", "m"]))
    assert sp.simplify(ref - derived) == 0
    for wrong in wrong_answers(BANK, "il2-update-rule"):
        assert sp.simplify(_pos(parse(wrong, ["w", "G", "eta", "lam", "n", "m"])) - derived) != 0
    del C0


def test_per_epoch_factor_by_applying_the_steps():
    ref = answer(BANK, "il2-per-epoch-factor")
    for n_v, m_v, e_v, l_v in ((600, 10, 0.5, 5.0), (1000, 50, 0.1, 2.0)):
        weight = 1.0
        for _ in range(n_v // m_v):
            weight *= 1 - e_v * l_v / n_v
        vals = {"eta": e_v, "lam": l_v, "n": n_v, "m": m_v}
        assert value(ref, vals) == pytest.approx(weight, rel=1e-12)
        for wrong in wrong_answers(BANK, "il2-per-epoch-factor"):
            assert value(wrong, vals) != pytest.approx(weight, rel=1e-3), wrong


def test_exponential_limit_and_series():
    exact = (1 - eta * lam / n) ** (n / m)
    ref = _pos(parse(answer(BANK, "il2-per-epoch-exp"), ["eta", "lam", "m"]))
    assert sp.simplify(sp.limit(exact, n, sp.oo) - ref) == 0
    # log of the factor = -eta*lam/m + O(1/n): the first term of the series in 1/n
    t = sp.Symbol("t", positive=True)  # t = 1/n
    log_factor = sp.log(1 - eta * lam * t) / (m * t)
    assert sp.simplify(sp.series(log_factor, t, 0, 1).removeO() - sp.log(ref)) == 0
    for wrong in wrong_answers(BANK, "il2-per-epoch-exp"):
        assert sp.simplify(sp.limit(exact, n, sp.oo) - _pos(parse(wrong, ["eta", "lam", "n", "m"]))) != 0


def test_per_epoch_number_by_simulation():
    ref = answer(BANK, "il2-per-epoch-number")
    for vals in variant_values(BANK, "il2-per-epoch-number"):
        weight = 1.0
        for _ in range(int(vals["n"]) // int(vals["m"])):
            weight *= 1 - vals["eta"] * vals["lam"] / vals["n"]
        assert value(ref, vals) == pytest.approx(weight, rel=1e-9)
        assert weight == pytest.approx(math.exp(-vals["eta"] * vals["lam"] / vals["m"]), rel=0.01)
        for wrong in wrong_answers(BANK, "il2-per-epoch-number"):
            # far outside the question's 0.5% tolerance
            assert abs(value(wrong, vals) - weight) / weight > 0.02, wrong


def test_stop_shrinking_exponent():
    total = Nw * (Nw**k) ** 2
    ref = _pos(parse(answer(BANK, "il2-stop-shrinking", "sum"), ["Nw", "k"]))
    assert sp.simplify(sp.powsimp(ref - total, force=True)) == 0
    for wrong in wrong_answers(BANK, "il2-stop-shrinking", "sum"):
        assert sp.simplify(sp.powsimp(_pos(parse(wrong, ["Nw", "k"])) - total, force=True)) != 0
    k_star = sp.solve(sp.Eq(1 + 2 * k, 0), sp.Symbol("k"))
    k_star = sp.solve(sp.Eq(1 + 2 * sp.Symbol("kk"), 0), sp.Symbol("kk"))[0]
    assert parse(answer(BANK, "il2-stop-shrinking", "k")) == k_star
    weights = 784 * 30 + 30 * 10
    assert float(parse(answer(BANK, "il2-stop-shrinking", "size"))) == pytest.approx(weights**-0.5)
    assert weights == 23820 and weights**-0.5 == pytest.approx(0.0065, abs=5e-5)
