"""Cross-entropy vs MSE lab: the single sigmoid neuron of the material, input x = 1, target y = 0.

a = σ(wx + b). MSE C = ½(a − y)² gives ∂C/∂w = (a − y)σ'(z)x, and σ'(z) = a(1 − a) is tiny
when the neuron is saturated (a ≈ 1 at (w, b) = (2, 2)), so it learns slowly exactly when
it is most wrong. Cross-entropy C = −[y ln a + (1 − y) ln(1 − a)] gives ∂C/∂w = (a − y)x:
the σ' cancels. Both costs use the same learning rate here (the material's plots did
not). The neuron is an `nn.MLP([1, 1], output="sigmoid")`, trained with nn.sgd_step;
cheap enough to recompute on every slider change.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quizlib import nn
from quizlib.errors import ConfigError

COSTS = {"cross-entropy": "ce", "MSE": "mse"}


@dataclass(frozen=True)
class NeuronSettings:
    lr: float = 0.15  # η, the same for both costs
    steps: int = 300  # gradient steps (epochs of the one-example training set)
    starts: tuple[tuple[float, float], ...] = ((0.6, 0.9), (2.0, 2.0))  # initial (w, b)
    x: float = 1.0  # the input
    y: float = 0.0  # the target

    def validate(self) -> "NeuronSettings":
        if not math.isfinite(self.lr) or self.lr <= 0:
            raise ConfigError(f"learning rate η={self.lr:g} must be positive")
        if self.lr > 100:
            raise ConfigError(f"learning rate η={self.lr:g} is too large to show anything; take η ≤ 100")
        if not 1 <= self.steps <= 10_000:
            raise ConfigError(f"steps={self.steps}: choose between 1 and 10000")
        if not self.starts:
            raise ConfigError("give at least one starting point (w, b)")
        for w, b in self.starts:
            if not (math.isfinite(w) and math.isfinite(b) and abs(w) <= 50 and abs(b) <= 50):
                raise ConfigError(f"start (w, b) = ({w:g}, {b:g}): choose values in [−50, 50]")
        if not (math.isfinite(self.x) and abs(self.x) <= 50):
            raise ConfigError(f"input x={self.x:g}: choose a value in [−50, 50]")
        if not 0.0 <= self.y <= 1.0:
            raise ConfigError(f"target y={self.y:g} must be in [0, 1] (a sigmoid output)")
        return self


def start_label(w: float, b: float) -> str:
    return f"w={w:g}, b={b:g}"


def neuron_quantities(w: float, b: float, x: float = 1.0, y: float = 0.0) -> dict:
    """Everything the formulas show at one (w, b): z, a, σ'(z), both costs and both ∂C/∂w, ∂C/∂b."""
    z = w * x + b
    a = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
    ds = a * (1.0 - a)  # σ'(z) = σ(z)(1 − σ(z))
    eps = 1e-300  # ln 0 guard for a exactly 0 or 1
    return {"z": z, "a": a, "sigma_prime": ds,
            "C_mse": 0.5 * (a - y) ** 2, "C_ce": -(y * math.log(max(a, eps)) + (1 - y) * math.log(max(1 - a, eps))),
            "dCdw_mse": (a - y) * ds * x, "dCdb_mse": (a - y) * ds,
            "dCdw_ce": (a - y) * x, "dCdb_ce": a - y}


def neuron_run(w0: float, b0: float, cost: str, s: NeuronSettings) -> pd.DataFrame:
    """One start under one cost ("cross-entropy" or "MSE"): step, C, a, w, b, dC_dw, dC_db (before each step)."""
    if cost not in COSTS:
        raise ConfigError(f"unknown cost {cost!r}; choose cross-entropy or MSE")
    mlp = nn.MLP([1, 1], output="sigmoid", loss=COSTS[cost])
    mlp.weights[0][0, 0], mlp.biases[0][0] = w0, b0
    X, t = np.array([[s.x]]), np.array([[s.y]])
    rows = []
    for k in range(s.steps + 1):
        C, gw, gb = mlp.loss_and_grads(X, t)
        W, bb = mlp.weights[0], mlp.biases[0]
        rows.append((k, C, mlp.predict_from_logits(X @ W + bb)[0, 0], W[0, 0], bb[0], gw[0][0, 0], gb[0][0]))
        if k < s.steps:
            nn.sgd_step(mlp, gw, gb, s.lr)
    df = pd.DataFrame(rows, columns=["step", "C", "a", "w", "b", "dC_dw", "dC_db"])
    df.insert(1, "cost", cost)
    df.insert(2, "start", start_label(w0, b0))
    return df


def neuron_runs(s: NeuronSettings) -> pd.DataFrame:
    """All starts × both costs, long format: step, cost, start, C, a, w, b, dC_dw, dC_db."""
    s.validate()
    return pd.concat([neuron_run(w, b, cost, s) for w, b in s.starts for cost in COSTS], ignore_index=True)


def steps_to_reach(df: pd.DataFrame, a_target: float = 0.5) -> pd.DataFrame:
    """For each (start, cost): the first step at which the output a falls to a_target (NaN if never)."""
    rows = []
    for (start, cost), g in df.groupby(["start", "cost"], sort=False):
        hit = g[g.a <= a_target]
        rows.append({"start": start, "cost": cost, "steps": float(hit.step.iloc[0]) if len(hit) else math.nan})
    return pd.DataFrame(rows)


def gradients_latex(w: float, b: float) -> str:
    """z, a, σ'(z) at (w, b) for the input x = 1, and ∂C/∂w under both costs (target y = 0)."""
    q = neuron_quantities(w, b)
    return (r"\begin{gathered}"
            rf"z=wx+b={w:g}+{b:g}={q['z']:g},\quad a=\sigma(z)={q['a']:.4f},\quad "
            rf"\sigma'(z)=a(1-a)={q['sigma_prime']:.4f}\\"
            rf"\text{{MSE: }}\frac{{\partial C}}{{\partial w}}=(a-y)\,\sigma'(z)\,x={q['dCdw_mse']:.4f}\qquad"
            rf"\text{{CE: }}\frac{{\partial C}}{{\partial w}}=(a-y)\,x={q['dCdw_ce']:.4f}"
            r"\end{gathered}")


def reach_markdown(df: pd.DataFrame, a_target: float = 0.5) -> str:
    """One line: per (start, cost) the steps until a falls to a_target, or 'never' (steps_to_reach)."""
    reach = steps_to_reach(df, a_target)
    return f"Steps until the output falls to a = {a_target:g}: " + " · ".join(
        f"{r.start}, {r.cost}: **{'never' if math.isnan(r.steps) else int(r.steps)}**" for r in reach.itertuples())
