"""Weight-decay lab: L2 in the loss vs decoupled decay, the shrink per step and per epoch, λ vs accuracy.

Notation (Nielsen / the material): η = lr, λ = lam. With the loss L = L₀ + (λ/2)‖W‖² plain
SGD does W ← W − η(∇L₀ + λW) = (1 − ηλ)W − η∇L₀, which is exactly decoupled weight decay
with coefficient λ (PyTorch's SGD weight_decay) and the learning-rate-free form
W ← (1−λ′)W − η∇L₀ with λ′ = ηλ. With zero gradient the weights shrink by (1 − ηλ) per
step. In the material's per-example convention C = C₀ + (λ/2n)Σw² (n training examples,
minibatch m) one step multiplies w by (1 − ηλ/n), an epoch of n/m steps by
(1 − ηλ/n)^(n/m) ≈ exp(−ηλ/m) when ηλ ≪ n.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quizlib import nn
from quizlib.nn import datasets
from quizlib.errors import ConfigError
from quizlib.labs.arms import Arms

ARMS = ("no decay", "L2 in the loss", "weight decay (decoupled)", "(1−λ′)W, λ′ = ηλ")


@dataclass(frozen=True)
class DecaySettings:
    lr: float = 0.1  # η
    lam: float = 0.01  # λ: L2 coefficient in the mean loss = PyTorch SGD weight_decay
    n_train: int = 40  # a small noisy training set, so that the net overfits
    n_val: int = 400  # validation points
    noise: float = 0.35  # noise of the moons
    hidden: int = 64  # width of the two hidden layers
    steps: int = 600  # full-batch steps of the non-live runs (accuracy vs λ)
    demo_steps: int = 100  # steps of the zero-gradient demo
    lambdas: tuple[float, ...] = (0.0, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3)  # λ swept against accuracy
    seed: int = 0

    def validate(self) -> "DecaySettings":
        if not math.isfinite(self.lr) or self.lr <= 0:
            raise ConfigError(f"learning rate η={self.lr:g} must be positive")
        if not math.isfinite(self.lam) or self.lam < 0:
            raise ConfigError(f"λ={self.lam:g} must be ≥ 0")
        if self.lr * self.lam >= 1:
            raise ConfigError(f"ηλ = {self.lr * self.lam:g} ≥ 1: the factor (1 − ηλ) would flip or zero the "
                              "weights every step; lower η or λ")
        if not 4 <= self.n_train <= 5000 or not 4 <= self.n_val <= 5000:
            raise ConfigError("choose between 4 and 5000 training and validation points")
        if not 0 <= self.noise <= 2:
            raise ConfigError(f"noise={self.noise:g}: choose between 0 and 2")
        if not 1 <= self.hidden <= 512:
            raise ConfigError(f"hidden={self.hidden}: choose between 1 and 512 units")
        if not 1 <= self.steps <= 20000 or not 1 <= self.demo_steps <= 100000:
            raise ConfigError("steps must be between 1 and 20000 (demo: 100000)")
        if any((not math.isfinite(x)) or x < 0 or self.lr * x >= 1 for x in self.lambdas):
            raise ConfigError("every λ of the sweep must be ≥ 0 with ηλ < 1")
        return self


def make_data(s: DecaySettings):
    """{"train": (X, y), "validation": (X, y)}: the same noisy moons for every arm and every λ."""
    X, y = datasets.moons(s.n_train + s.n_val, s.noise, np.random.default_rng([s.seed, 0]))
    return {"train": (X[:s.n_train], y[:s.n_train]), "validation": (X[s.n_train:], y[s.n_train:])}


def make_net(s: DecaySettings) -> nn.MLP:
    return nn.MLP([2, s.hidden, s.hidden, 2], hidden="relu", output="softmax", init="he", seed=s.seed)


def decay_step_of(arm: str, mlp, X, y, lr, lam) -> float:
    """One full-batch step of an arm; returns the data loss (the L2 term excluded, for comparability)."""
    if arm == "L2 in the loss":
        penalty = 0.5 * lam * mlp.weight_norm() ** 2  # (λ/2)‖W‖² at the weights the loss saw
        loss, gw, gb = mlp.loss_and_grads(X, y, l2=lam)
        nn.sgd_step(mlp, gw, gb, lr)
        return loss - penalty
    loss, gw, gb = mlp.loss_and_grads(X, y)
    if arm == "weight decay (decoupled)":
        nn.sgd_step(mlp, gw, gb, lr, weight_decay=lam)
    elif arm == "(1−λ′)W, λ′ = ηλ":
        nn.decay_step(mlp, gw, gb, lr, decay=lr * lam)
    else:
        nn.sgd_step(mlp, gw, gb, lr)
    return loss


class DecayArms(Arms):
    """Four copies of one net (same seed, same data), full-batch SGD; ‖W‖, loss and accuracy."""

    every = 10
    live_fields = ("lr", "lam")
    reset_reasons = {"seed": "it redraws the data and the initial weights", "n_train": "it redraws the data",
                     "n_val": "it redraws the data", "noise": "it redraws the data",
                     "hidden": "it changes the network's shape"}

    def __init__(self, s: DecaySettings):
        s.validate()
        self.data = make_data(s)
        self._nets = {a: make_net(s) for a in ARMS}
        self._first_loss: dict[str, float] = {}  # each arm's first loss, the reference for divergence
        super().__init__(ARMS, s)

    def _step_arm(self, name: str) -> float:
        X, y = self.data["train"]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # Arms reports a NaN loss
            loss = decay_step_of(name, self._nets[name], X, y, self.settings.lr, self.settings.lam)
        self._first_loss.setdefault(name, loss)
        if self.error is None and math.isfinite(loss):
            self.error = nn.divergence_message(loss, self.steps + 1, self._first_loss[name])  # exploded, not NaN
        return loss

    def _measure(self, name: str) -> dict:
        mlp = self._nets[name]
        out = {"weight_norm": mlp.weight_norm(), "loss": {}, "accuracy": {}}
        for split, (X, y) in self.data.items():
            with np.errstate(over="ignore", invalid="ignore"):
                z = mlp.logits(X)
            out["loss"][split] = mlp.data_loss(z, y)[0]
            out["accuracy"][split] = float(np.mean(z.argmax(axis=1) == y))
        return out

    def _apply(self, settings) -> None:
        self.settings = settings.validate()


def norm_trajectories(s: DecaySettings, steps: int | None = None) -> pd.DataFrame:
    """step, arm, weight_norm for the four arms over `steps` (default s.steps); the three decays coincide."""
    arms = DecayArms(s)
    arms.step(s.steps if steps is None else steps)
    df = pd.DataFrame(arms.rows())
    return df[df.metric == "weight_norm"][["step", "arm", "value"]].rename(columns={"value": "weight_norm"})


def zero_gradient_demo(s: DecaySettings) -> pd.DataFrame:
    """With ∇L₀ = 0 every step is W ← (1 − ηλ)W: step, simulated ‖W‖ (via nn.sgd_step), formula ‖W₀‖(1 − ηλ)^k."""
    s.validate()
    mlp = make_net(s)
    zeros_w = [np.zeros_like(W) for W in mlp.weights]
    zeros_b = [np.zeros_like(b) for b in mlp.biases]
    w0 = mlp.weight_norm()
    rows = [{"step": 0, "simulated": w0, "formula": w0}]
    for k in range(1, s.demo_steps + 1):
        nn.sgd_step(mlp, zeros_w, zeros_b, s.lr, weight_decay=s.lam)
        rows.append({"step": k, "simulated": mlp.weight_norm(), "formula": w0 * (1 - s.lr * s.lam) ** k})
    return pd.DataFrame(rows)


def epoch_shrink(lr: float, lam: float, n: int, m: int) -> dict:
    """Per-step factor 1 − ηλ/n, n/m steps per epoch: exact (1 − ηλ/n)^(n/m) vs exp(−ηλ/m), and a simulation."""
    if not (lr > 0 and lam >= 0 and math.isfinite(lr * lam)):
        raise ConfigError("need η > 0 and λ ≥ 0")
    if not (1 <= m <= n <= 10_000_000):
        raise ConfigError(f"need 1 ≤ m ≤ n (minibatch m={m}, training set n={n})")
    per_step = 1 - lr * lam / n
    if per_step <= 0:
        raise ConfigError(f"ηλ/n = {lr * lam / n:g} ≥ 1: the weights would flip sign each step")
    steps = n / m
    exact, approx = per_step ** steps, math.exp(-lr * lam / m)
    w = 1.0
    for _ in range(n // m):  # the epoch, step by step (n/m rounded down when m does not divide n)
        w *= per_step
    return {"n": n, "m": m, "per_step": per_step, "steps_per_epoch": steps, "exact": exact,
            "simulated": w, "approx": approx, "rel_error": abs(exact - approx) / exact}


def epoch_shrink_table(lr=0.5, lam=5.0, n=50_000, batch_sizes=(1, 10, 100, 1000)) -> pd.DataFrame:
    """epoch_shrink for several m (Nielsen's MNIST defaults: η=0.5, λ=5, n=50,000)."""
    return pd.DataFrame([epoch_shrink(lr, lam, n, m) for m in batch_sizes if m <= n])


def accuracy_vs_lambda(s: DecaySettings) -> pd.DataFrame:
    """lam, train/validation accuracy and loss, weight_norm after s.steps full-batch steps per λ."""
    s.validate()
    data = make_data(s)
    X, y = data["train"]
    rows = []
    for lam in s.lambdas:
        mlp = make_net(s)
        with np.errstate(over="ignore", invalid="ignore"):
            for k in range(s.steps):
                loss, gw, gb = mlp.loss_and_grads(X, y)
                if k == 0:
                    first = loss  # the yardstick of an exploding loss
                message = nn.divergence_message(loss, k + 1, first)
                if message:
                    raise ConfigError(f"λ={lam:g}: {message}")
                nn.sgd_step(mlp, gw, gb, s.lr, weight_decay=lam)
        row = {"lam": lam, "weight_norm": mlp.weight_norm()}
        for split, (Xs, ys) in data.items():
            z = mlp.logits(Xs)
            row[f"{split}_accuracy"] = float(np.mean(z.argmax(axis=1) == ys))
            row[f"{split}_loss"] = mlp.data_loss(z, ys)[0]
        rows.append(row)
    return pd.DataFrame(rows)


def conventions_table(lr: float, lam: float, n: int) -> list[dict]:
    """The same update written four ways; `value` is each convention's coefficient for our λ."""
    if not (lr > 0 and lam >= 0 and n >= 1):
        raise ConfigError("need η > 0, λ ≥ 0 and n ≥ 1")
    shrink = 1 - lr * lam
    return [
        {"convention": "λ in the loss", "written as": "L = L₀ + (λ/2)·‖W‖²;  W ← W − η(∇L₀ + λW)",
         "coefficient": "λ", "value": lam, "shrink per step": shrink},
        {"convention": "PyTorch SGD weight_decay", "written as": "SGD(params, lr=η, weight_decay=wd): g ← g + wd·W",
         "coefficient": "wd = λ", "value": lam, "shrink per step": shrink},
        {"convention": "λ′ without the learning rate", "written as": "W ← (1 − λ′)·W − η∇L₀",
         "coefficient": "λ′ = ηλ", "value": lr * lam, "shrink per step": shrink},
        {"convention": "λ/n per example (Nielsen)", "written as": "C = C₀ + (λ_N/2n)·Σw²;  w ← (1 − ηλ_N/n)w − …",
         "coefficient": "λ_N = nλ", "value": n * lam, "shrink per step": shrink},
    ]


def shrink_factor(lr: float, lam: float) -> float:
    """1 − ηλ: what one SGD step with L2 (or decoupled decay) multiplies W by before −η∇L₀."""
    return 1 - lr * lam


def update_latex(lr: float, lam: float) -> str:
    """W ← W − η(∇L₀ + λW) = (1 − ηλ)W − η∇L₀, with the current η and λ substituted."""
    return (rf"\begin{{aligned}}W&\leftarrow W-\eta(\nabla L_0+\lambda W)=(1-\eta\lambda)\,W-\eta\nabla L_0\\"
            rf"&=(1-{lr:g}\cdot{lam:g})\,W-{lr:g}\,\nabla L_0={shrink_factor(lr, lam):.6g}\,W-{lr:g}\,\nabla L_0"
            rf"\end{{aligned}}")


def epoch_latex(e: dict) -> str:
    """An epoch_shrink result as (1 − ηλ/n)^(n/m) = exact ≈ e^(−ηλ/m) = approx."""
    return (rf"\begin{{gathered}}\left(1-\tfrac{{\eta\lambda}}{{n}}\right)^{{n/m}}={e['exact']:.6g}\\"
            rf"\approx e^{{-\eta\lambda/m}}={e['approx']:.6g}\end{{gathered}}")
