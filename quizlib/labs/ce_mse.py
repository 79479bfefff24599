"""Cross-entropy vs MSE lab: the single sigmoid neuron of the material, input x = 1, target y = 0.

a = σ(wx + b). MSE C = ½(a − y)² gives ∂C/∂w = (a − y)σ'(z)x, and σ'(z) = a(1 − a) is tiny
when the neuron is saturated (a ≈ 1 at (w, b) = (2, 2)), so it learns slowly exactly when
it is most wrong. Cross-entropy C = −[y ln a + (1 − y) ln(1 − a)] gives ∂C/∂w = (a − y)x:
the σ' cancels. Both costs use the same learning rate here (the material's plots did
not). The neuron is an `nn.MLP([1, 1], output="sigmoid")`, trained with nn.sgd_step.
`NeuronArms` trains every start under both costs live (arm = cost, split = start), for the
lab page's Start/Stop/Step/Reset; `neuron_runs` computes the same curves in one go.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quizlib import nn
from quizlib.errors import ConfigError
from quizlib.labs.arms import Arms

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


def neuron(w0: float, b0: float, cost: str) -> nn.MLP:
    """The one sigmoid neuron started at (w0, b0), with the loss of `cost` ("cross-entropy" or "MSE")."""
    if cost not in COSTS:
        raise ConfigError(f"unknown cost {cost!r}; choose cross-entropy or MSE")
    mlp = nn.MLP([1, 1], output="sigmoid", loss=COSTS[cost])
    mlp.weights[0][0, 0], mlp.biases[0][0] = w0, b0
    return mlp


def neuron_run(w0: float, b0: float, cost: str, s: NeuronSettings) -> pd.DataFrame:
    """One start under one cost ("cross-entropy" or "MSE"): step, C, a, w, b, dC_dw, dC_db (before each step)."""
    mlp = neuron(w0, b0, cost)
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


class NeuronArms(Arms):
    """Every start under both costs, trained live: arm = cost (colour), split = start (dash).

    `reached[(cost, start)]` is the first step at which the output a fell to 0.5 (as in
    `steps_to_reach`), tracked at every step although curves are recorded every `every`."""

    every = 2
    live_fields = ("lr", "steps")  # η acts on the next step; steps only moves the end of the run
    reset_reasons = {"starts": "a new starting point is a run of its own, from step 0",
                     "x": "it changes every neuron's input", "y": "it changes every neuron's target"}
    A_TARGET = 0.5

    def __init__(self, s: NeuronSettings):
        s.validate()
        self._X, self._t = np.array([[s.x]]), np.array([[s.y]])
        self._neurons = {(cost, start_label(w, b)): neuron(w, b, cost) for cost in COSTS for w, b in s.starts}
        self.starts = tuple(dict.fromkeys(start for _, start in self._neurons))
        self.reached: dict[tuple[str, str], int] = {}
        for k, mlp in self._neurons.items():
            self._check_reached(k, mlp, 0)
        super().__init__(tuple(COSTS), s)

    def _check_reached(self, k, mlp, step: int) -> None:
        if k not in self.reached and mlp.predict_from_logits(self._X @ mlp.weights[0] + mlp.biases[0])[0, 0] \
                <= self.A_TARGET:
            self.reached[k] = step

    def _step_arm(self, cost: str) -> float:
        worst = 0.0
        for (c, start), mlp in self._neurons.items():
            if c != cost:
                continue
            C, gw, gb = mlp.loss_and_grads(self._X, self._t)
            nn.sgd_step(mlp, gw, gb, self.settings.lr)
            self._check_reached((c, start), mlp, self.steps + 1)
            worst = max(worst, C)
        return worst

    def _measure(self, cost: str) -> dict:
        out: dict[str, dict] = {m: {} for m in ("C", "a", "w", "b", "dC_dw")}
        for (c, start), mlp in self._neurons.items():
            if c != cost:
                continue
            C, gw, _ = mlp.loss_and_grads(self._X, self._t)  # the gradient the next step will use
            W, bb = mlp.weights[0], mlp.biases[0]
            for m, v in (("C", C), ("a", mlp.predict_from_logits(self._X @ W + bb)[0, 0]), ("w", W[0, 0]),
                         ("b", bb[0]), ("dC_dw", gw[0][0, 0])):
                out[m][start] = v
        return out

    def summary(self) -> dict[str, str]:
        """Per start: the step at which each cost brought a down to 0.5, or 'not yet'."""
        def when(cost, start):
            k = self.reached.get((cost, start))
            return "not yet" if k is None else str(k)
        return {f"a ≤ {self.A_TARGET:g} from {start}": " · ".join(f"{'CE' if cost == 'cross-entropy' else cost} "
                                                                  f"{when(cost, start)}" for cost in COSTS)
                for start in self.starts}

    def _apply(self, settings) -> None:
        self.settings = settings.validate()
