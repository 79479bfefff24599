"""Weight-decay lab logic: identical trajectories, (1−ηλ) per step, per-epoch shrink, λ sweep, conventions."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from quizlib.errors import ConfigError
from quizlib.labs import weight_decay as wd

FAST = wd.DecaySettings(n_train=30, n_val=60, hidden=16, steps=100, demo_steps=30,
                        lambdas=(0.0, 0.03, 0.3))


def test_three_decay_conventions_give_the_same_norm_trajectory():
    df = wd.norm_trajectories(FAST)
    by = {arm: g.sort_values("step").weight_norm.to_numpy() for arm, g in df.groupby("arm")}
    assert set(by) == set(wd.ARMS)
    np.testing.assert_array_equal(by["L2 in the loss"], by["weight decay (decoupled)"])  # bit for bit
    np.testing.assert_allclose(by["(1−λ′)W, λ′ = ηλ"], by["L2 in the loss"], rtol=1e-10)
    assert by["no decay"][-1] > 1.05 * by["L2 in the loss"][-1]  # and decay is visible


def test_arms_are_live_and_mark_changes():
    arms = wd.DecayArms(FAST)
    arms.step(20)
    arms.update(dataclasses.replace(FAST, lam=0.05))
    assert arms.markers == [{"step": 20, "label": "lam 0.01 → 0.05"}]
    arms.step(10)
    assert arms.steps == 30 and arms.error is None
    assert {r["metric"] for r in arms.rows()} == {"weight_norm", "loss", "accuracy"}


def test_zero_gradient_demo_shrinks_by_one_minus_eta_lambda():
    df = wd.zero_gradient_demo(FAST)
    np.testing.assert_allclose(df.simulated, df.formula, rtol=1e-12)
    ratio = df.simulated.iloc[1] / df.simulated.iloc[0]
    assert ratio == pytest.approx(1 - FAST.lr * FAST.lam, rel=1e-12)  # 0.999


def test_epoch_shrink_matches_the_material():
    r = wd.epoch_shrink(lr=0.5, lam=5.0, n=50_000, m=10)
    assert r["per_step"] == pytest.approx(1 - 2.5 / 50_000)
    assert r["steps_per_epoch"] == 5000
    assert r["exact"] == pytest.approx((1 - 2.5 / 50_000) ** 5000, rel=1e-14)
    assert r["simulated"] == pytest.approx(r["exact"], rel=1e-10)
    assert r["approx"] == pytest.approx(math.exp(-0.25), rel=1e-14)  # e^(−ηλ/m)
    assert r["rel_error"] < 1e-5
    # the approximation degrades when ηλ is not ≪ n
    assert wd.epoch_shrink(1.0, 100.0, 1000, 10)["rel_error"] > 1e-3
    t = wd.epoch_shrink_table()
    assert list(t.m) == [1, 10, 100, 1000] and (t.rel_error.diff().dropna() < 0).all()


def test_accuracy_vs_lambda_shape_and_effect():
    df = wd.accuracy_vs_lambda(FAST)
    assert list(df.lam) == [0.0, 0.03, 0.3]
    assert (df.weight_norm.diff().dropna() < 0).all()  # more decay, smaller weights
    assert df.train_accuracy.between(0, 1).all() and df.validation_accuracy.between(0, 1).all()


def test_default_sweep_shows_regularisation_helping_validation():
    df = wd.accuracy_vs_lambda(wd.DecaySettings(lambdas=(0.0, 0.03)))
    assert df.validation_accuracy.iloc[1] > df.validation_accuracy.iloc[0]


def test_conventions_table_values():
    rows = wd.conventions_table(lr=0.1, lam=0.01, n=1000)
    vals = {r["convention"]: r["value"] for r in rows}
    assert vals["λ in the loss"] == 0.01 and vals["PyTorch SGD weight_decay"] == 0.01
    assert vals["λ′ without the learning rate"] == pytest.approx(0.001)
    assert vals["λ/n per example (Nielsen)"] == pytest.approx(10.0)
    assert all(r["shrink per step"] == pytest.approx(0.999) for r in rows)


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=0.0), "learning rate"), (dict(lr=-1.0), "learning rate"), (dict(lam=-0.1), "λ"),
    (dict(lr=1.0, lam=2.0), "ηλ"), (dict(n_train=1), "points"), (dict(lambdas=(0.0, -1.0)), "sweep"),
])
def test_bad_settings(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        wd.DecayArms(dataclasses.replace(FAST, **kwargs))
    with pytest.raises(ConfigError):
        wd.epoch_shrink(0.5, 5.0, 10, 100)  # m > n


def test_huge_learning_rate_stops_with_a_message():
    # ReLU + a stable log-sum-exp: the loss explodes to huge finite values rather than NaN
    for lr in (1e3, 1e6, 1e30):
        arms = wd.DecayArms(dataclasses.replace(FAST, lr=lr, lam=0.0, lambdas=(0.0,)))
        arms.step(100)
        assert arms.error is not None and "lower the learning rate" in arms.error
        stopped = arms.steps
        arms.step(10)
        assert arms.steps == stopped < 100
    with pytest.raises(ConfigError, match="lower the learning rate"):
        wd.accuracy_vs_lambda(dataclasses.replace(FAST, lr=1e6, lam=0.0, lambdas=(0.0,)))
    ok = wd.DecayArms(FAST)
    ok.step(100)
    assert ok.error is None
