"""Batch-norm lab: batch vs running statistics, the B/(B−1) correction, train vs eval, a deep net ±BN.

Notation of the material: a batch z_1..z_B of one unit's pre-activations, μ = (1/B)Σz_i,
σ² = (1/B)Σ(z_i − μ)² (biased), ẑ = (z − μ)/sqrt(σ² + ε), y = γẑ + β. Running statistics:
running_mean ← (1−m)·running_mean + m·μ, running_var ← (1−m)·running_var + m·σ²·B/(B−1).
E[σ²] = (B−1)/B·Var(z), so without the factor the running variance settles (B−1)/B too low.
Train mode normalises a sample with its batch's statistics (its output depends on the other
samples); eval mode uses the running ones (the same input always gives the same output).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quizlib import nn
from quizlib.errors import ConfigError
from quizlib.labs.arms import Arms
from quizlib.nn.training import Run, TrainConfig


@dataclass(frozen=True)
class StatsSettings:
    B: int = 4  # batch size
    momentum: float = 0.1  # m of the running statistics
    steps: int = 200  # batches seen
    mean: float = 2.0  # true mean of the unit's pre-activation z
    std: float = 3.0  # true standard deviation of z (variance std²)
    seed: int = 0

    def validate(self) -> "StatsSettings":
        if int(self.B) < 2:
            raise ConfigError(f"B={self.B}: batch norm in train mode needs a batch of at least 2 "
                              "(a batch of one has variance 0 and B/(B−1) is undefined)")
        if self.B > 4096:
            raise ConfigError(f"B={self.B}: choose a batch of at most 4096")
        nn.check_momentum(self.momentum)
        if not 1 <= self.steps <= 100_000:
            raise ConfigError(f"steps={self.steps}: choose between 1 and 100000")
        if not (math.isfinite(self.mean) and math.isfinite(self.std) and 0 < self.std <= 1e3 and abs(self.mean) <= 1e3):
            raise ConfigError("the true mean must be in [−1000, 1000] and the std in (0, 1000]")
        return self


def _batches(s: StatsSettings) -> np.ndarray:
    return np.random.default_rng(s.seed).normal(s.mean, s.std, size=(s.steps, s.B, 1))  # (steps, B, 1)


def running_stats(s: StatsSettings) -> pd.DataFrame:
    """Per step: batch mean, biased and unbiased batch variance, running mean, running variance with
    the B/(B−1) factor (nn.batchnorm) and without it, and the true values."""
    s.validate()
    rm, rv, rv_biased = np.zeros(1), np.ones(1), 1.0  # PyTorch's initial running statistics
    rows = [{"step": 0, "batch_mean": math.nan, "batch_var": math.nan, "batch_var_unbiased": math.nan,
             "running_mean": 0.0, "running_var": 1.0, "running_var_no_correction": 1.0}]
    for k, z in enumerate(_batches(s), start=1):
        _, rm, rv = nn.batchnorm(z, np.ones(1), np.zeros(1), rm, rv, train=True, momentum=s.momentum)
        var = float(z.var())  # biased, 1/B
        rv_biased = (1 - s.momentum) * rv_biased + s.momentum * var
        rows.append({"step": k, "batch_mean": float(z.mean()), "batch_var": var,
                     "batch_var_unbiased": var * s.B / (s.B - 1), "running_mean": float(rm[0]),
                     "running_var": float(rv[0]), "running_var_no_correction": rv_biased})
    df = pd.DataFrame(rows)
    df["true_mean"], df["true_var"] = s.mean, s.std ** 2
    return df


def bessel_table(Bs=(2, 4, 8, 16, 32, 64, 256), var: float = 1.0) -> pd.DataFrame:
    """B, the factor B/(B−1), E[biased σ²] = (B−1)/B·Var and E[σ²·B/(B−1)] = Var."""
    rows = []
    for B in Bs:
        if int(B) < 2:
            raise ConfigError(f"B={B}: the correction B/(B−1) needs B ≥ 2")
        rows.append({"B": int(B), "factor": B / (B - 1), "expected_biased": (B - 1) / B * var,
                     "expected_corrected": var})
    return pd.DataFrame(rows)


def train_vs_eval(s: StatsSettings) -> pd.DataFrame:
    """The same sample x₀ in two different batches, after s.steps batches of running statistics.

    Rows: batch, sample, z, train_out (batch statistics: differs between the batches),
    eval_out (running statistics: the same for x₀ in both). γ = 1, β = 0, ε = 1e-5.
    """
    s.validate()
    rm, rv = np.zeros(1), np.ones(1)
    for z in _batches(s):
        _, rm, rv = nn.batchnorm(z, np.ones(1), np.zeros(1), rm, rv, train=True, momentum=s.momentum)
    rng = np.random.default_rng([s.seed, 1])
    x0 = s.mean + s.std  # one standard deviation above the mean
    rows = []
    for name, shift in (("batch A", -s.std), ("batch B", +s.std)):  # the rest of the batch sits low / high
        z = np.r_[[x0], rng.normal(s.mean + shift, s.std / 2, size=s.B - 1)][:, None]  # (B, 1)
        tr = nn.batchnorm(z, np.ones(1), np.zeros(1), rm, rv, train=True, momentum=s.momentum)[0]
        ev = nn.batchnorm(z, np.ones(1), np.zeros(1), rm, rv, train=False)[0]
        rows += [{"batch": name, "sample": i, "is_x0": i == 0, "z": float(z[i, 0]),
                  "train_out": float(tr[i, 0]), "eval_out": float(ev[i, 0])} for i in range(s.B)]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class DeepSettings:
    depth: int = 6  # hidden layers
    width: int = 32  # units per hidden layer
    hidden: str = "sigmoid"  # the activation that vanishes without normalisation
    init: str = "glorot"
    dataset: str = "digits"
    n: int = 600  # digits used (train + validation)
    lr: float = 0.5  # η, the same for both arms
    batch_size: int = 32  # B
    momentum: float = 0.1
    steps: int = 300  # steps of the non-live run (deep_net_runs)
    seed: int = 0

    def config(self, batchnorm: bool) -> TrainConfig:
        if not 1 <= self.depth <= 20 or not 2 <= self.width <= 256:
            raise ConfigError("choose 1–20 hidden layers of 2–256 units")
        if not 1 <= self.steps <= 20000:
            raise ConfigError(f"steps={self.steps}: choose between 1 and 20000")
        return TrainConfig(dataset=self.dataset, n=self.n, hidden_sizes=(self.width,) * self.depth,
                           hidden=self.hidden, init=self.init, lr=self.lr, batch_size=self.batch_size,
                           momentum=self.momentum, batchnorm=batchnorm, seed=self.seed,
                           record_every=10 ** 9).validate()  # Arms records, not the Run


class DeepArms(Arms):
    """The same deep net (seed, data, batches) trained with and without batch norm."""

    every = 10
    live_fields = ("lr", "batch_size")  # Run.update_config takes both: the next minibatch uses them
    reset_reasons = {"depth": "it changes the network's shape", "width": "it changes the network's shape",
                     "hidden": "it changes the network", "init": "it redraws the initial weights",
                     "seed": "it redraws the data and the initial weights", "n": "it redraws the data",
                     "dataset": "it changes the data", "momentum": "it is fixed when the net is built"}
    NAMES = ("with batch norm", "without batch norm")

    def __init__(self, s: DeepSettings):
        self.runs = {"with batch norm": Run(s.config(True)), "without batch norm": Run(s.config(False))}
        super().__init__(self.NAMES, s)

    def _step_arm(self, name: str) -> float:
        run = self.runs[name]
        loss = run.train_step()
        if run.error and self.error is None and math.isfinite(loss):
            self.error = f"{name}: {run.error}"  # exploded without a NaN; Arms reports NaNs itself
        return loss

    def _measure(self, name: str) -> dict:
        m = self.runs[name].measure()
        return {"loss": {"train": m["train_loss"], "validation": m["val_loss"]},
                "accuracy": {"train": m["train_acc"], "validation": m["val_acc"]}}

    def _apply(self, settings) -> None:
        for bn, run in zip((True, False), self.runs.values()):
            run.update_config(settings.config(bn))
        self.settings = settings


def deep_net_runs(s: DeepSettings) -> pd.DataFrame:
    """DeepArms trained for s.steps: long rows step, arm, metric (loss/accuracy), split, value."""
    arms = DeepArms(s)
    arms.step(s.steps)
    if arms.error:
        raise ConfigError(arms.error)
    return pd.DataFrame(arms.rows())


def formula_latex(B: int, momentum: float) -> str:
    """BN in train mode, the running update with the current m, and the B/(B−1) factor for the current B."""
    return (rf"\begin{{gathered}}\mu=\tfrac1B\textstyle\sum_i z_i,\quad \sigma^2=\tfrac1B\sum_i(z_i-\mu)^2,\quad"
            rf"\hat z=\frac{{z-\mu}}{{\sqrt{{\sigma^2+\varepsilon}}}},\quad y=\gamma\hat z+\beta\\"
            rf"\text{{running}}\leftarrow(1-m)\,\text{{running}}+m\,\text{{batch}}=(1-{momentum:g})\,\text{{running}}"
            rf"+{momentum:g}\,\text{{batch}}\\ \text{{the running variance takes }}\sigma^2\cdot\tfrac{{B}}{{B-1}}"
            rf"=\sigma^2\cdot\tfrac{{{B}}}{{{B - 1}}}\end{{gathered}}")


def settled_variances(stats: pd.DataFrame, s: StatsSettings) -> dict:
    """Means over the last half of the batches (at least one) of the running variance with and without
    the B/(B−1) correction, against the true variance std²: where each estimate settles."""
    tail = stats.tail(max(1, s.steps // 2))
    return {"batches": len(tail), "corrected": float(tail.running_var.mean()),
            "uncorrected": float(tail.running_var_no_correction.mean()), "true": s.std ** 2}
