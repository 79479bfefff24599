"""Glorot lab logic: the bound, the variance of the drawn weights, the material's 393 vs 3/2,
and that a deep sigmoid net saturates under N(0,1) but not under Glorot."""
import math

import numpy as np
import pytest

from quizlib.errors import ConfigError
from quizlib.labs import glorot


def test_bound_formula_and_weights_inside_it():
    assert glorot.bound(784, 100) == pytest.approx(math.sqrt(6 / 884))
    d = glorot.bound_demo(glorot.BoundSettings(fan_in=300, fan_out=200, seed=1))
    assert np.abs(d.weights).max() <= d.bound
    assert d.weights.shape == (300, 200)
    # U[−b, b] has variance b²/3 = 2/(m+n), not 1/n (the students' claim) unless m = n
    assert d.theory == pytest.approx(2 / 500)
    assert d.variance == pytest.approx(2 / 500, rel=0.03)
    assert abs(d.variance - 1 / 200) > 0.0005


def test_material_784_example():
    assert glorot.var_z_theory(784, 1.0, 1.0) == 393
    assert glorot.var_z_theory(784, 1 / 784, 1.0) == pytest.approx(1.5)
    rng = np.random.default_rng(0)
    assert glorot.var_z_sample(784, "normal", rng, 20000).var() == pytest.approx(393, rel=0.05)
    assert glorot.var_z_sample(784, "scaled_normal", rng, 20000).var() == pytest.approx(1.5, rel=0.05)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh"])
def test_normal_init_saturates_more_than_glorot(hidden):
    s = glorot.DepthSettings(depth=6, width=64, hidden=hidden)
    normal, glo = glorot.depth_stats(s, "normal"), glorot.depth_stats(s, "glorot")
    assert np.mean(normal.saturated) > 0.3
    assert np.mean(glo.saturated) < 0.05
    assert len(normal.std) == len(normal.grad_norm) == 6


def test_init_variances():
    rng = np.random.default_rng(3)
    assert glorot.init_weights("scaled_normal", 400, 400, rng).var() == pytest.approx(1 / 400, rel=0.05)
    assert glorot.init_weights("he", 400, 400, rng).var() == pytest.approx(2 / 400, rel=0.05)
    assert glorot.init_weights("normal", 400, 400, rng).var() == pytest.approx(1, rel=0.05)


def test_backprop_matches_finite_differences():
    """The lab's hand-written backward pass is a claim too: central differences on every layer."""
    for hidden in ("sigmoid", "tanh"):
        s = glorot.DepthSettings(depth=3, width=5, batch=7, hidden=hidden, seed=2)
        X, y, Ws, Wout = glorot.net(s, "glorot")
        _, grads, _, _, _ = glorot.backprop(Ws, Wout, X, y, hidden)
        h = 1e-6
        for l in range(3):
            for (i, j) in [(0, 0), (2, 4), (4, 1)]:
                Ws[l][i, j] += h
                up = glorot.backprop(Ws, Wout, X, y, hidden)[0]
                Ws[l][i, j] -= 2 * h
                down = glorot.backprop(Ws, Wout, X, y, hidden)[0]
                Ws[l][i, j] += h
                assert grads[l][i, j] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-10)


def test_nonsense_settings_raise_config_error():
    with pytest.raises(ConfigError):
        glorot.bound(0, 5)
    with pytest.raises(ConfigError):
        glorot.depth_stats(glorot.DepthSettings(depth=0), "glorot")
    with pytest.raises(ConfigError):
        glorot.init_weights("zeros", 3, 3, np.random.default_rng(0))
    with pytest.raises(ConfigError):
        glorot.depth_stats(glorot.DepthSettings(hidden="relu"), "glorot")


def test_loss_arms_normal_init_learns_slower_than_glorot():
    runs = glorot.LossArms(glorot.DepthSettings())  # tanh, depth 8, η = 0.3
    runs.step(100)
    normal, glo = glorot.INIT_LABELS["normal"], glorot.INIT_LABELS["glorot"]
    assert runs.last("loss", normal) > 10 * runs.last("loss", glo)
    assert runs.last("loss", glo) < 0.5
