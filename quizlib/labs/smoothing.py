"""Label-smoothing lab: the smoothed target vector, its binary form, and what it does to training.

Softmax with K classes and smoothing α: the target for gold class g is
q = (1−α)·onehot(g) + α/K on every class, so q_g = 1−α+α/K and every other q_i = α/K.
Sigmoid (binary) form: t = y(1−α) + α/2, i.e. α/2 for y=0 and 1−α/2 for y=1.
Cross-entropy against q is minimised at p = q, so a network trained with smoothing
settles with its confidence (mean max probability) near 1−α+α/K instead of creeping to 1,
and its logits stop growing: the best logit gap is log((1−α+α/K)/(α/K)), finite for α > 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from quizlib import nn
from quizlib.errors import ConfigError
from quizlib.labs.arms import Arms


@dataclass(frozen=True)
class TargetSettings:
    """Settings of the target-vector demo."""

    alpha: float = 0.1  # smoothing strength α
    classes: int = 5  # number of classes K
    gold: int = 2  # index of the correct class (0-based)

    def validate(self) -> None:
        nn.check_alpha(self.alpha)
        if not 2 <= self.classes <= 100:
            raise ConfigError(f"K={self.classes} classes: choose between 2 and 100")
        if not 0 <= self.gold < self.classes:
            raise ConfigError(f"the gold class {self.gold} must be one of 0 … {self.classes - 1}")


def target_vector(s: TargetSettings) -> np.ndarray:
    """(K,) smoothed softmax target (1−α)·onehot + α/K."""
    s.validate()
    q = np.full(s.classes, s.alpha / s.classes)
    q[s.gold] += 1.0 - s.alpha
    return q


def target_rows(s: TargetSettings) -> list[dict]:
    """Bar-chart rows: class, one-hot target and smoothed target."""
    q = target_vector(s)
    return [{"class": i, "target": kind, "value": float(v)}
            for i in range(s.classes)
            for kind, v in (("one-hot", float(i == s.gold)), (f"smoothed α={s.alpha:g}", q[i]))]


def binary_targets(alpha: float) -> tuple[float, float]:
    """Sigmoid form: smoothed targets (for y=0, for y=1) = (α/2, 1−α/2)."""
    nn.check_alpha(alpha)
    return alpha / 2, 1 - alpha / 2


def gold_target(alpha: float, classes: int) -> float:
    """q_gold = 1−α+α/K: where a smoothed network's confidence settles."""
    return 1.0 - alpha + alpha / classes


def best_logit_gap(alpha: float, classes: int) -> float:
    """Logit gap z_gold − z_other at the optimum p = q: log((1−α+α/K)/(α/K)); ∞ for α = 0."""
    if alpha <= 0:
        return math.inf
    return math.log(gold_target(alpha, classes) / (alpha / classes))


@dataclass(frozen=True)
class TrainSettings:
    """Two identical MLPs on the same data, trained with targets smoothed by α and with one-hot targets."""

    alpha: float = 0.2  # smoothing of the smoothed arm
    classes: int = 5  # K: Gaussian clusters, one per class
    lr: float = 0.5  # SGD learning rate η
    hidden: int = 64  # units of the hidden layer
    seed: int = 0

    def validate(self) -> None:
        nn.check_alpha(self.alpha)
        if not np.isfinite(self.lr) or self.lr <= 0:
            raise ConfigError(f"learning rate {self.lr:g} must be positive")
        if not 2 <= self.hidden <= 1024:
            raise ConfigError(f"hidden={self.hidden}: choose between 2 and 1024 units")
        if not 2 <= self.classes <= 100:
            raise ConfigError(f"K={self.classes} classes: choose between 2 and 100")


def smoothing_data(s: TrainSettings, per_class: int = 40, dim: int = 8):
    """K well-separated Gaussian clusters in `dim` dimensions: a set the net can fit completely,
    so its confidence shows where the loss wants it, not where the data limits it."""
    rng = np.random.default_rng(s.seed)
    centres = 3.0 * rng.standard_normal((s.classes, dim))
    y = np.repeat(np.arange(s.classes), per_class)
    return centres[y] + rng.standard_normal((len(y), dim)), y


class SmoothArms(Arms):
    """Train with smoothing α and without; record confidence (mean max p) and mean logit norm."""

    every = 20
    live_fields = ("lr", "alpha")  # α only changes the targets of the next steps
    reset_reasons = {"classes": "it redraws the data and changes the output layer",
                     "hidden": "it changes the network's shape",
                     "seed": "it redraws the data and the initial weights"}

    def __init__(self, s: TrainSettings):
        s.validate()
        self.X, self.y = smoothing_data(s)
        names = ("label smoothing", "one-hot (α=0)")  # α can change mid-run, so it is not in the name
        self._alpha = dict(zip(names, (s.alpha, 0.0)))
        self._nets = {n: nn.MLP([self.X.shape[1], s.hidden, s.classes], hidden="relu", output="softmax",
                                init="glorot", seed=s.seed) for n in names}
        super().__init__(names, s)

    def _step_arm(self, name: str) -> float:
        mlp = self._nets[name]
        loss, gw, gb = mlp.loss_and_grads(self.X, self.y, label_smoothing=self._alpha[name])
        if np.isfinite(loss):
            nn.sgd_step(mlp, gw, gb, self.settings.lr)
        return float(loss)

    def _measure(self, name: str) -> dict:
        mlp = self._nets[name]
        z = mlp.logits(self.X)  # (N, K)
        prob = mlp.predict_from_logits(z)
        return {"confidence (mean max p)": float(prob.max(axis=1).mean()),
                "logit norm": float(np.linalg.norm(z, axis=1).mean()),
                "training accuracy": float(np.mean(prob.argmax(axis=1) == self.y))}

    def summary(self) -> dict[str, str]:
        """Confidence of each arm next to where smoothing wants it, 1−α+α/K."""
        target = gold_target(self.settings.alpha, self.settings.classes)
        label = {self.names[0]: f"{self.names[0]} (α={self.settings.alpha:g})", self.names[1]: self.names[1]}
        out = {f"confidence, {label[n]}": f"{self.last('confidence (mean max p)', n):.3f}" for n in self.names}
        out["1−α+α/K"] = f"{target:.3f}"
        return out

    def _apply(self, settings) -> None:
        settings.validate()
        self._alpha[self.names[0]] = settings.alpha
        self.settings = settings


def formula_latex(alpha: float, classes: int) -> str:
    """The softmax and sigmoid forms with the current α and K."""
    g, o = gold_target(alpha, classes), alpha / classes
    t0, t1 = binary_targets(alpha)
    return (r"\begin{gathered}"
            rf"q=(1-\alpha)\,\mathbf{{1}}_\text{{gold}}+\frac{{\alpha}}{{K}}:\quad q_\text{{gold}}=1-{alpha:g}"
            rf"+\frac{{{alpha:g}}}{{{classes}}}={g:.4g},\quad q_\text{{other}}=\frac{{{alpha:g}}}{{{classes}}}"
            rf"={o:.4g}\\ \text{{sigmoid: }} t=y(1-\alpha)+\frac{{\alpha}}{{2}}\in\{{{t0:.4g},\ {t1:.4g}\}}"
            r"\end{gathered}")
