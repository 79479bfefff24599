"""Dropout lab: what the mask does to one activation vector, and what it does to training.

Notation of the material: x is the layer's activation vector, p the probability of
DROPPING a unit, m_i ~ Bernoulli(1−p) the keep mask. Three arms see the same masks:

- "inverted":   train y = m⊙x/(1−p),  inference y = x        → E[y_train] = x = y_inf
- "scale at inference": train y = m⊙x, inference y = (1−p)·x → E[y_train] = (1−p)x = y_inf
- "broken":     train y = m⊙x,        inference y = x        → y_inf / E[y_train] = 1/(1−p)

The first two agree in expectation (the next layer sees the same scale at training and
inference); the third feeds the next layer activations 1/(1−p) times larger at inference
than anything it saw while training. `overfit_runs` trains the same small MLP on a small
noisy set with and without dropout (train and validation loss), as two quizlib.nn.training Runs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quizlib import nn
from quizlib.errors import ConfigError
from quizlib.labs.arms import Arms
from quizlib.nn.training import Run, TrainConfig

ARMS = ("inverted", "scale at inference", "broken (no scaling)")


@dataclass(frozen=True)
class MaskSettings:
    """Settings of the mask demo."""

    p: float = 0.5  # probability of dropping a unit
    units: int = 6  # length of the activation vector x
    samples: int = 400  # how many train-time masks are drawn
    seed: int = 0

    def validate(self) -> None:
        nn.check_p(self.p)
        if not 1 <= self.units <= 64:
            raise ConfigError(f"units={self.units}: choose between 1 and 64 units")
        if not 1 <= self.samples <= 100_000:
            raise ConfigError(f"samples={self.samples}: choose between 1 and 100000 masks")


@dataclass(frozen=True)
class MaskDemo:
    """Everything the mask demo shows; arrays are indexed [sample t, unit i]."""

    settings: MaskSettings
    x: np.ndarray  # (D,) the activation vector, fixed
    masks: np.ndarray  # (T, D) 0/1 keep masks, shared by all arms
    train: dict[str, np.ndarray]  # arm → (T, D) train-time outputs
    inference: dict[str, np.ndarray]  # arm → (D,) inference output (deterministic)

    def running_mean(self, arm: str = "inverted") -> np.ndarray:
        """(T, D) mean of the first t+1 train outputs; → E[y_train] as t grows."""
        y = self.train[arm]
        return np.cumsum(y, axis=0) / np.arange(1, len(y) + 1)[:, None]

    def expectation(self, arm: str) -> np.ndarray:
        """(D,) exact E[y_train]: x for inverted dropout, (1−p)·x for the other two arms."""
        p = self.settings.p
        return self.x.copy() if arm == ARMS[0] else (1 - p) * self.x

    def mismatch(self, arm: str) -> float:
        """Inference scale over train scale, Σ|y_inf| / Σ|mean y_train|: 1 when the arm is right."""
        return float(np.abs(self.inference[arm]).sum() / np.abs(self.train[arm].mean(axis=0)).sum())

    def dropped_fraction(self) -> float:
        return float(1.0 - self.masks.mean())

    def running_rows(self, units: int = 3, arm: str = "inverted", max_points: int = 200) -> list[dict]:
        """Long-format rows (t, unit, running mean, x) for a line chart of the first `units` units."""
        rm = self.running_mean(arm)
        ts = np.unique(np.linspace(0, len(rm) - 1, min(max_points, len(rm))).astype(int))
        return [{"mask": int(t) + 1, "unit": f"x{i + 1} = {self.x[i]:.2f}", "running mean": float(rm[t, i]),
                 "x": float(self.x[i])} for i in range(min(units, len(self.x))) for t in ts]

    def arm_rows(self) -> list[dict]:
        """Per arm and unit: the mean train output over the masks and the inference output (grouped bars)."""
        rows = []
        for arm in ARMS:
            mean = self.train[arm].mean(axis=0)
            for i in range(len(self.x)):
                rows.append({"arm": arm, "unit": i + 1, "mode": "train mean", "value": float(mean[i])})
                rows.append({"arm": arm, "unit": i + 1, "mode": "inference",
                             "value": float(self.inference[arm][i])})
        return rows


def mask_demo(settings: MaskSettings) -> MaskDemo:
    """Draw `samples` keep masks m ~ Bernoulli(1−p) for a fixed x and apply the three arms."""
    settings.validate()
    rng = np.random.default_rng(settings.seed)
    x = np.round(rng.uniform(0.2, 2.0, size=settings.units), 2)  # positive, so sums show the scale
    masks = (rng.random((settings.samples, settings.units)) >= settings.p).astype(float)  # keep w.p. 1−p
    p = settings.p
    train = {
        ARMS[0]: masks * x / (1 - p),  # inverted: scale kept units up at training
        ARMS[1]: masks * x,
        ARMS[2]: masks * x,
    }
    inference = {ARMS[0]: x.copy(), ARMS[1]: (1 - p) * x, ARMS[2]: x.copy()}
    return MaskDemo(settings, x, masks, train, inference)


def formula_latex(p: float) -> str:
    """Inverted dropout at training with the current p substituted."""
    nn.check_p(p)
    return (r"\begin{gathered}"
            rf"m_i\sim\mathrm{{Bernoulli}}(1-p)=\mathrm{{Bernoulli}}({1 - p:.2f})\\"
            rf"y_i=\frac{{m_i\,x_i}}{{1-p}}=\frac{{m_i\,x_i}}{{{1 - p:.2f}}}={1 / (1 - p):.3g}\,m_i x_i,\qquad "
            rf"\mathbb{{E}}[y_i]=\frac{{(1-p)\,x_i}}{{1-p}}=x_i"
            r"\end{gathered}")


def arms_latex(p: float) -> str:
    """Train-time expectation vs inference output of the three arms."""
    q = 1 - p
    return (r"\begin{aligned}"
            rf"&\text{{inverted:}} && \mathbb{{E}}[y_\text{{train}}]=x, && y_\text{{inf}}=x\\"
            rf"&\text{{scale at inference:}} && \mathbb{{E}}[y_\text{{train}}]=(1-p)\,x={q:.2f}\,x, "
            rf"&& y_\text{{inf}}=(1-p)\,x={q:.2f}\,x\\"
            rf"&\text{{broken:}} && \mathbb{{E}}[y_\text{{train}}]={q:.2f}\,x, && y_\text{{inf}}=x"
            rf"={1 / q:.3g}\,\mathbb{{E}}[y_\text{{train}}]"
            r"\end{aligned}")


@dataclass(frozen=True)
class TrainSettings:
    """The overfitting experiment: a wide ReLU MLP on a few noisy points, with and without dropout."""

    p: float = 0.5  # dropout probability of the dropout arm (the other arm uses 0)
    lr: float = 0.1  # SGD learning rate η (full batch)
    n_train: int = 40  # training points: few, so the net can memorise them
    noise: float = 0.35  # label-free noise of the moons; more noise, more to overfit
    hidden: int = 128  # units in each of the two hidden layers
    seed: int = 0

    def validate(self) -> None:
        nn.check_p(self.p)
        if not np.isfinite(self.lr) or self.lr <= 0:
            raise ConfigError(f"learning rate {self.lr:g} must be positive")
        if not 4 <= self.n_train <= 2000:
            raise ConfigError(f"n_train={self.n_train}: choose between 4 and 2000 training points")
        if not 0 <= self.noise <= 2:
            raise ConfigError(f"noise={self.noise:g}: choose between 0 and 2")
        if not 2 <= self.hidden <= 1024:
            raise ConfigError(f"hidden={self.hidden}: choose between 2 and 1024 units")


def overfit_config(s: TrainSettings, p: float) -> TrainConfig:
    """A few noisy moons to train on (full batch), 1000 held out: the same for both arms."""
    n_val = 1000
    return TrainConfig(dataset="moons", n=s.n_train + n_val, val_fraction=n_val / (s.n_train + n_val),
                       noise=s.noise, hidden_sizes=(s.hidden, s.hidden), hidden="relu", init="he", lr=s.lr,
                       dropout=p, batch_size=s.n_train, seed=s.seed, record_every=10 ** 9)  # Arms records


class OverfitArms(Arms):
    """Two identical MLPs (same seed, same data, same batches), one trained with dropout p, one without."""

    every = 25
    live_fields = ("lr", "p")  # both only change the next update (Run.update_config takes lr and dropout)
    reset_reasons = {"n_train": "it redraws the training set", "noise": "it redraws the data set",
                     "hidden": "it changes the network's shape",
                     "seed": "it redraws the data and the initial weights"}

    def __init__(self, s: TrainSettings):
        s.validate()
        names = ("with dropout", "no dropout")  # p can change mid-run, so it is not in the name
        self.runs = {n: Run(overfit_config(s, d)) for n, d in zip(names, (s.p, 0.0))}
        super().__init__(names, s)

    def _step_arm(self, name: str) -> float:
        return self.runs[name].train_step()

    def _measure(self, name: str) -> dict:
        m = self.runs[name].measure()  # eval mode: no masks
        return {"loss": {"train": m["train_loss"], "validation": m["val_loss"]},
                "accuracy": {"train": m["train_acc"], "validation": m["val_acc"]}}

    def summary(self) -> dict[str, tuple[str, str]]:
        """Validation loss of each arm, and how far it sits above its training loss (the overfitting gap)."""
        val = {n: self.last("loss", n, "validation") for n in self.names}
        gap = {n: val[n] - self.last("loss", n, "train") for n in self.names}
        label = {self.names[0]: f"{self.names[0]} (p={self.settings.p:g})", self.names[1]: self.names[1]}
        return {f"val. loss, {label[n]}": (f"{val[n]:.3f}", f"{gap[n]:+.3f} above train") for n in self.names}

    def _apply(self, settings) -> None:
        settings.validate()
        for run, p in zip(self.runs.values(), (settings.p, 0.0)):
            run.update_config(overfit_config(settings, p))
        self.settings = settings
