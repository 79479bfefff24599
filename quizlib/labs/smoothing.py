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

from quizlib.errors import ConfigError


def check_alpha(alpha: float) -> None:
    if not np.isfinite(alpha) or not 0.0 <= alpha <= 1.0:
        raise ConfigError(f"label smoothing α={alpha:g} must be in [0, 1] (α=0 is no smoothing, "
                          "α=1 makes every target uniform and the labels meaningless)")


@dataclass(frozen=True)
class TargetSettings:
    """Settings of the target-vector demo."""

    alpha: float = 0.1  # smoothing strength α
    classes: int = 5  # number of classes K
    gold: int = 2  # index of the correct class (0-based)

    def validate(self) -> None:
        check_alpha(self.alpha)
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
    check_alpha(alpha)
    return alpha / 2, 1 - alpha / 2


def gold_target(alpha: float, classes: int) -> float:
    """q_gold = 1−α+α/K: where a smoothed network's confidence settles."""
    return 1.0 - alpha + alpha / classes


def best_logit_gap(alpha: float, classes: int) -> float:
    """Logit gap z_gold − z_other at the optimum p = q: log((1−α+α/K)/(α/K)); ∞ for α = 0."""
    if alpha <= 0:
        return math.inf
    return math.log(gold_target(alpha, classes) / (alpha / classes))
