"""The formulas and numbers the lab pages show, computed in the lab modules (the pages only render them)."""
from __future__ import annotations

import math

import numpy as np

from quizlib.labs import batchnorm, ce_mse, glorot
from quizlib.labs import weight_decay as wd


def test_batchnorm_formula_substitutes_m_and_the_bessel_factor():
    tex = batchnorm.formula_latex(2, 0.3)
    assert r"(1-0.3)\,\text{running}+0.3\,\text{batch}" in tex
    assert r"\sigma^2\cdot\tfrac{2}{1}" in tex  # B/(B−1) at B = 2
    assert r"\tfrac{16}{15}" in batchnorm.formula_latex(16, 0.1)


def test_settled_variances_show_why_the_running_variance_needs_b_over_b_minus_1():
    # E[biased batch variance] = σ²(B−1)/B: at B = 2 the uncorrected running variance settles at half of σ²
    s = batchnorm.StatsSettings(B=2, momentum=0.01, steps=3000, std=3.0, seed=1)
    v = batchnorm.settled_variances(batchnorm.running_stats(s), s)
    assert v["batches"] == 1500 and v["true"] == 9.0
    assert abs(v["corrected"] - 9.0) < 0.15 * 9.0
    assert abs(v["uncorrected"] - 4.5) < 0.15 * 4.5
    short = batchnorm.StatsSettings(steps=1)
    assert batchnorm.settled_variances(batchnorm.running_stats(short), short)["batches"] == 1


def test_ce_mse_gradients_at_the_saturated_start():
    a = 1 / (1 + math.exp(-4.0))  # (w, b) = (2, 2), x = 1: z = 4
    tex = ce_mse.gradients_latex(2.0, 2.0)
    assert "=4," in tex and f"a=\\sigma(z)={a:.4f}" in tex and f"a(1-a)={a * (1 - a):.4f}" in tex
    assert f"\\sigma'(z)\\,x={a * a * (1 - a):.4f}" in tex  # MSE: (a − 0)·σ'(z)·1
    assert f"(a-y)\\,x={a:.4f}" in tex  # CE: (a − 0)·1, no σ'


def test_ce_mse_reach_line_gives_steps_or_never():
    s = ce_mse.NeuronSettings(steps=40, starts=((0.6, 0.9), (2.0, 2.0)))
    df = ce_mse.neuron_runs(s)
    line = ce_mse.reach_markdown(df)
    reach = ce_mse.steps_to_reach(df)
    assert line.startswith("Steps until the output falls to a = 0.5: ")
    assert line.count(" · ") == len(reach) - 1
    for r in reach.itertuples():
        shown = "never" if math.isnan(r.steps) else str(int(r.steps))
        assert f"{r.start}, {r.cost}: **{shown}**" in line
    # 40 steps from the saturated start: cross-entropy gets there, MSE (σ' ≈ 0.018) never does
    assert "w=2, b=2, cross-entropy: **never**" not in line and "w=2, b=2, MSE: **never**" in line


def test_weight_decay_update_and_epoch_formulas():
    assert wd.shrink_factor(0.5, 0.01) == 1 - 0.5 * 0.01
    assert r"=(1-0.5\cdot0.01)\,W-0.5\,\nabla L_0=0.995\,W" in wd.update_latex(0.5, 0.01)
    e = wd.epoch_shrink(0.5, 5.0, 50_000, 10)
    tex = wd.epoch_latex(e)
    assert f"={(1 - 0.5 * 5 / 50_000) ** 5000:.6g}" in tex and f"={math.exp(-0.25):.6g}" in tex


def test_glorot_demo_largest_weight_and_one_over_n():
    demo = glorot.bound_demo(glorot.BoundSettings(fan_in=30, fan_out=7, seed=3))
    assert demo.largest == np.abs(demo.weights).max() and demo.largest <= demo.bound
    assert demo.one_over_n == 1 / 7
