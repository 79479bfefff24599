"""Cross-entropy vs MSE lab: the single neuron's numbers against hand-derived formulas."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from quizlib.errors import ConfigError
from quizlib.labs import ce_mse


def sigma(z):
    return 1 / (1 + math.exp(-z))


def test_first_row_matches_hand_computation():
    df = ce_mse.neuron_runs(ce_mse.NeuronSettings(steps=5))
    a = sigma(1.5)  # x=1: z = 0.6 + 0.9
    first = df[(df.step == 0) & (df.start == "w=0.6, b=0.9")].set_index("cost")
    assert first.loc["MSE", "C"] == pytest.approx(0.5 * a * a, rel=1e-12)
    assert first.loc["cross-entropy", "C"] == pytest.approx(-math.log(1 - a), rel=1e-12)
    assert first.loc["MSE", "dC_dw"] == pytest.approx(a * a * (1 - a), rel=1e-10)  # a·σ'(z)
    assert first.loc["cross-entropy", "dC_dw"] == pytest.approx(a, rel=1e-12)  # a − y
    assert first.loc["MSE", "a"] == pytest.approx(a, rel=1e-12)


def test_one_step_is_the_sgd_update():
    s = ce_mse.NeuronSettings(lr=0.15, steps=1)
    for cost in ce_mse.COSTS:
        df = ce_mse.neuron_run(2.0, 2.0, cost, s)
        q = ce_mse.neuron_quantities(2.0, 2.0)
        g = q["dCdw_ce"] if cost == "cross-entropy" else q["dCdw_mse"]
        assert df.w.iloc[1] == pytest.approx(2.0 - 0.15 * g, rel=1e-12)
        assert df.b.iloc[1] == pytest.approx(2.0 - 0.15 * g, rel=1e-12)  # x = 1: ∂C/∂b = ∂C/∂w


def test_saturated_start_learns_slowly_under_mse_only():
    df = ce_mse.neuron_runs(ce_mse.NeuronSettings())
    t = ce_mse.steps_to_reach(df, 0.5).set_index(["start", "cost"]).steps
    assert t["w=2, b=2", "MSE"] > 5 * t["w=2, b=2", "cross-entropy"]
    assert t["w=2, b=2", "MSE"] > 3 * t["w=0.6, b=0.9", "MSE"]  # the plateau of the material
    assert len(df) == 4 * 301


def test_neuron_quantities_gradients_by_finite_differences():
    for w, b in [(0.6, 0.9), (2.0, 2.0), (-1.0, 0.3)]:
        q = ce_mse.neuron_quantities(w, b, x=1.5, y=0.2)
        h = 1e-6
        for c in ("mse", "ce"):
            num = (ce_mse.neuron_quantities(w + h, b, 1.5, 0.2)[f"C_{c}"]
                   - ce_mse.neuron_quantities(w - h, b, 1.5, 0.2)[f"C_{c}"]) / (2 * h)
            assert q[f"dCdw_{c}"] == pytest.approx(num, rel=1e-6)


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=0.0), "learning rate"), (dict(lr=float("nan")), "learning rate"), (dict(steps=0), "steps"),
    (dict(starts=()), "starting"), (dict(starts=((float("inf"), 0.0),)), "start"), (dict(y=2.0), "target"),
])
def test_bad_settings(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        ce_mse.neuron_runs(dataclasses.replace(ce_mse.NeuronSettings(), **kwargs))
    with pytest.raises(ConfigError):
        ce_mse.neuron_run(0, 0, "hinge", ce_mse.NeuronSettings())


def test_same_settings_same_numbers():
    s = ce_mse.NeuronSettings(steps=50)
    a, b = ce_mse.neuron_runs(s), ce_mse.neuron_runs(s)
    np.testing.assert_array_equal(a[["C", "w", "b"]].to_numpy(), b[["C", "w", "b"]].to_numpy())
