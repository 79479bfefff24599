"""Mid-run settings of the labs: which change applies to a running run, which waits for a Reset, and that
the ones that apply really reach the training (and the ones that wait never touch it)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from quizlib.labs import batchnorm, ce_mse, dropout, glorot, midrun, smoothing, weight_decay

LABS = [  # runs class, settings class
    (dropout.OverfitArms, dropout.TrainSettings), (smoothing.SmoothArms, smoothing.TrainSettings),
    (glorot.LossArms, glorot.DepthSettings), (weight_decay.DecayArms, weight_decay.DecaySettings),
    (batchnorm.DeepArms, batchnorm.DeepSettings), (ce_mse.NeuronArms, ce_mse.NeuronSettings),
]


def test_no_change_keeps_the_run():
    s = glorot.DepthSettings()
    plan = midrun.plan_change(s, s, ("lr",), started=True)
    assert not plan.rebuild and plan.settings is s and not plan.applied and not plan.pending and not plan.message


def test_a_run_without_steps_is_rebuilt_with_any_change():
    old, new = glorot.DepthSettings(), glorot.DepthSettings(depth=3, lr=0.1)
    plan = midrun.plan_change(old, new, ("lr",), started=False)
    assert plan.rebuild and plan.settings == new and not plan.pending


def test_live_field_applies_mid_run():
    old, new = glorot.DepthSettings(), glorot.DepthSettings(lr=0.05)
    plan = midrun.plan_change(old, new, ("lr",), started=True)
    assert not plan.rebuild and plan.applied == ("lr",) and plan.pending == () and plan.settings == new


def test_frozen_field_waits_for_reset_and_says_why():
    old, new = glorot.DepthSettings(), glorot.DepthSettings(depth=5)
    plan = midrun.plan_change(old, new, glorot.LossArms.live_fields, started=True,
                              reasons=glorot.LossArms.reset_reasons)
    assert not plan.rebuild and plan.settings == old and plan.pending == ("depth",) and plan.applied == ()
    assert "depth** 8 → 5" in plan.message and "network's shape" in plan.message
    assert "depth = 8" in plan.message and "Reset" in plan.message


def test_mixed_change_applies_the_live_part_only():
    old, new = glorot.DepthSettings(), glorot.DepthSettings(depth=5, lr=0.05)
    plan = midrun.plan_change(old, new, ("lr",), started=True)
    assert plan.applied == ("lr",) and plan.pending == ("depth",)
    assert plan.settings == dataclasses.replace(old, lr=0.05)  # depth stays that of the run


def test_unknown_reason_falls_back_to_a_default():
    old, new = weight_decay.DecaySettings(), weight_decay.DecaySettings(steps=10)
    assert midrun.DEFAULT_REASON in midrun.plan_change(old, new, ("lr",), started=True).message


@pytest.mark.parametrize("arms, settings", LABS, ids=lambda x: getattr(x, "__name__", ""))
def test_every_lab_names_real_fields(arms, settings):
    names = {f.name for f in dataclasses.fields(settings)}
    assert "lr" in arms.live_fields
    assert set(arms.live_fields) <= names and set(arms.reset_reasons) <= names
    assert not set(arms.live_fields) & set(arms.reset_reasons)
    assert "seed" in arms.reset_reasons or "starts" in arms.reset_reasons


def _plan_and_apply(runs, new):
    plan = midrun.plan_change(runs.settings, new, type(runs).live_fields, started=True,
                              reasons=type(runs).reset_reasons)
    if plan.applied:
        runs.update(plan.settings)
    return plan


def test_dropout_p_applies_to_the_dropout_arm_mid_run():
    runs = dropout.OverfitArms(dropout.TrainSettings())
    runs.step(20)
    plan = _plan_and_apply(runs, dropout.TrainSettings(p=0.2))
    assert plan.applied == ("p",) and runs.markers == [{"step": 20, "label": "p 0.5 → 0.2"}]
    with_d, without = runs.runs.values()
    assert with_d.mlp.dropout == 0.2 and without.mlp.dropout == 0.0
    runs.step(5)
    assert runs.steps == 25 and runs.error is None
    assert "p=0.2" in next(iter(runs.summary()))


def test_dropout_noise_waits_and_leaves_the_data_alone():
    runs = dropout.OverfitArms(dropout.TrainSettings())
    runs.step(20)
    X = next(iter(runs.runs.values())).X_train.copy()
    plan = _plan_and_apply(runs, dropout.TrainSettings(noise=0.8))
    assert plan.pending == ("noise",) and "redraws the data" in plan.message
    assert runs.steps == 20 and not runs.markers and runs.settings.noise == 0.35
    assert np.array_equal(next(iter(runs.runs.values())).X_train, X)


def test_smoothing_alpha_changes_the_targets_mid_run():
    s = smoothing.TrainSettings(alpha=0.2)
    runs, fresh = smoothing.SmoothArms(s), smoothing.SmoothArms(s)
    runs.step(30)
    fresh.step(30)
    _plan_and_apply(runs, dataclasses.replace(s, alpha=0.0))
    runs.step(200)
    fresh.step(200)
    smooth = runs.names[0]
    # without smoothing from step 30 on, the first arm's confidence climbs past the smoothed one's
    assert runs.last("confidence (mean max p)", smooth) > fresh.last("confidence (mean max p)", smooth) + 0.03
    assert runs.markers == [{"step": 30, "label": "alpha 0.2 → 0.0"}]


def test_batchnorm_batch_size_applies_mid_run():
    runs = batchnorm.DeepArms(batchnorm.DeepSettings(depth=2))
    runs.step(10)
    _plan_and_apply(runs, batchnorm.DeepSettings(depth=2, batch_size=8))
    assert all(r.config.batch_size == 8 for r in runs.runs.values())
    plan = _plan_and_apply(runs, batchnorm.DeepSettings(depth=3, batch_size=8))
    assert plan.pending == ("depth",) and runs.settings.depth == 2


def test_neuron_arms_match_the_offline_curves():
    s = ce_mse.NeuronSettings(steps=120)
    runs = ce_mse.NeuronArms(s)
    runs.step(s.steps)
    df = ce_mse.neuron_runs(s)
    for cost in ce_mse.COSTS:
        for start in runs.starts:
            offline = df[(df.cost == cost) & (df.start == start)].set_index("step")
            live = runs.metric_frame("a")
            live = live[(live.arm == cost) & (live.split == start)].set_index("step")["value"]
            assert np.allclose(live.to_numpy(), offline.loc[live.index, "a"].to_numpy(), rtol=1e-12)
    reach = ce_mse.steps_to_reach(df)
    for row in reach.itertuples():
        got = runs.reached.get((row.cost, row.start))
        assert (got is None and np.isnan(row.steps)) or got == row.steps


def test_neuron_arms_summary_and_live_steps():
    s = ce_mse.NeuronSettings(steps=100)
    runs = ce_mse.NeuronArms(s)
    runs.step(100)
    summary = runs.summary()
    assert set(summary) == {f"a ≤ 0.5 from {st}" for st in runs.starts}
    assert "not yet" in summary["a ≤ 0.5 from w=2, b=2"]  # MSE is still on its plateau at step 100
    plan = _plan_and_apply(runs, dataclasses.replace(s, steps=400, lr=0.3))
    assert plan.applied == ("lr", "steps") and runs.settings.lr == 0.3
    plan = _plan_and_apply(runs, dataclasses.replace(s, starts=((1.0, 1.0),)))
    assert plan.pending == ("starts",) and "run of its own" in plan.message


def test_metric_frame_grows_with_the_rows():
    runs = weight_decay.DecayArms(weight_decay.DecaySettings())
    first = runs.metric_frame("loss")
    runs.step(30)
    d = runs.metric_frame("loss")
    expect = [r for r in runs.rows() if r["metric"] == "loss"]
    assert len(first) == 8 and len(d) == len(expect) == 32  # 4 arms × 2 splits × (1 + 3 records)
    assert d["value"].tolist() == [r["value"] for r in expect] and set(d.columns) == {"step", "arm", "split",
                                                                                      "value"}
