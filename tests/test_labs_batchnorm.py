"""Batch-norm lab logic: running statistics, B/(B−1), train vs eval, deep sigmoid net ± BN."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from quizlib.errors import ConfigError
from quizlib.labs import batchnorm as bn


def test_running_stats_follow_the_update_rule():
    s = bn.StatsSettings(B=4, momentum=0.2, steps=5)
    df = bn.running_stats(s)
    assert len(df) == 6 and df.running_mean.iloc[0] == 0.0 and df.running_var.iloc[0] == 1.0
    for k in range(1, 6):
        prev, cur = df.iloc[k - 1], df.iloc[k]
        assert cur.running_mean == pytest.approx(0.8 * prev.running_mean + 0.2 * cur.batch_mean, rel=1e-12)
        assert cur.running_var == pytest.approx(0.8 * prev.running_var + 0.2 * cur.batch_var * 4 / 3, rel=1e-12)
        assert cur.batch_var_unbiased == pytest.approx(cur.batch_var * 4 / 3, rel=1e-12)


def test_correction_makes_running_variance_unbiased():
    df = bn.running_stats(bn.StatsSettings(B=4, momentum=0.05, steps=4000))
    late = df.iloc[500:]
    assert late.running_var.mean() == pytest.approx(9.0, rel=0.08)
    assert late.running_var_no_correction.mean() == pytest.approx(0.75 * 9.0, rel=0.08)  # (B−1)/B·Var


def test_bessel_table():
    t = bn.bessel_table((2, 4, 10), var=9.0)
    np.testing.assert_allclose(t.factor, [2.0, 4 / 3, 10 / 9])
    np.testing.assert_allclose(t.expected_biased, [4.5, 6.75, 8.1])
    with pytest.raises(ConfigError):
        bn.bessel_table((1,))


def test_train_output_depends_on_the_batch_eval_does_not():
    df = bn.train_vs_eval(bn.StatsSettings(B=8))
    x0 = df[df.is_x0].set_index("batch")
    assert x0.z["batch A"] == x0.z["batch B"]
    assert x0.eval_out["batch A"] == x0.eval_out["batch B"]
    assert abs(x0.train_out["batch A"] - x0.train_out["batch B"]) > 0.5
    for _, g in df.groupby("batch"):  # train mode: zero mean, unit (biased) variance in each batch
        assert g.train_out.mean() == pytest.approx(0.0, abs=1e-9)
        assert g.train_out.var(ddof=0) == pytest.approx(1.0, rel=1e-3)


def test_deep_sigmoid_net_trains_better_with_batch_norm():
    s = bn.DeepSettings(n=300, steps=150, depth=5, width=24)
    df = bn.deep_net_runs(s)
    last = df[(df.step == df.step.max()) & (df.metric == "loss") & (df.split == "train")].set_index("arm").value
    assert last["with batch norm"] < 0.7 * last["without batch norm"]


def test_deep_arms_live_lr_and_reset_fields():
    s = bn.DeepSettings(n=200, depth=3, width=8)
    arms = bn.DeepArms(s)
    arms.step(10)
    arms.update(dataclasses.replace(s, lr=0.1))
    assert arms.markers[0]["step"] == 10 and all(r.config.lr == 0.1 for r in arms.runs.values())
    arms.step(10)
    assert arms.steps == 20


@pytest.mark.parametrize("kwargs,match", [
    (dict(B=1), "at least 2"), (dict(momentum=1.5), "momentum"), (dict(momentum=-0.1), "momentum"),
    (dict(std=0.0), "std"), (dict(steps=0), "steps"),
])
def test_bad_stats_settings(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        bn.running_stats(dataclasses.replace(bn.StatsSettings(), **kwargs))


@pytest.mark.parametrize("kwargs,match", [
    (dict(batch_size=1), "batch"), (dict(lr=0.0), "learning rate"), (dict(depth=0), "hidden layers"),
    (dict(hidden="gelu"), "activation"),
])
def test_bad_deep_settings(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        bn.DeepArms(dataclasses.replace(bn.DeepSettings(n=100), **kwargs))
