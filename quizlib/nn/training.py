"""A small stepwise trainer that the lab pages drive tick by tick.

A `Run` owns an MLP, its data and two Generators (one for the data, one for the minibatch
order and dropout masks), all derived from `TrainConfig.seed`, so the same config gives the
same curve. `step(n)` does n minibatch SGD steps and appends a row of metrics to `history`
every `record_every` steps; `update_config` changes live settings (lr, l2, …) mid-run and
marks the step; a non-finite loss stops the run with a message; `to_json`/`from_json`
export the config, seed and changes so a run can be replayed exactly.
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass

import numpy as np

from quizlib import nn
from quizlib.nn import datasets
from quizlib.errors import ConfigError

# settings a running experiment may change; any other change needs a new Run
LIVE_FIELDS = ("lr", "l2", "weight_decay", "dropout", "label_smoothing", "batch_size", "record_every")


@dataclass(frozen=True)
class TrainConfig:
    dataset: str = "moons"  # moons | circles | spirals | xor | digits
    n: int = 400  # points drawn in total (train + validation)
    noise: float = 0.2  # std of the Gaussian noise on the 2-D sets (ignored for digits)
    val_fraction: float = 0.5  # share of the points held out for validation
    hidden_sizes: tuple[int, ...] = (32, 32)  # widths of the hidden layers
    hidden: str = "relu"  # relu | sigmoid | tanh
    output: str = "softmax"  # softmax | sigmoid (one output per class; one for 2 classes) | linear
    loss: str | None = None  # None = ce for softmax/sigmoid, mse for linear; "mse" with sigmoid
    init: str = "he"  # glorot | normal | scaled_normal | he
    lr: float = 0.1  # η, the learning rate
    l2: float = 0.0  # λ of (λ/2)·Σ‖W‖² in the loss
    weight_decay: float = 0.0  # λ of the decoupled step W ← W − η(g + λW)
    dropout: float = 0.0  # p, the probability of dropping a hidden unit
    label_smoothing: float = 0.0  # α
    batchnorm: bool = False  # batch norm before every hidden activation
    momentum: float = 0.1  # batch-norm running-statistics momentum
    batch_size: int = 32  # B, the minibatch size (capped at the training set size)
    seed: int = 0  # one seed for weights, data, batches and masks
    record_every: int = 10  # record metrics every this many steps

    def validate(self) -> "TrainConfig":
        if self.dataset not in datasets.NAMES:
            raise ConfigError(f"unknown data set {self.dataset!r}; choose one of {', '.join(datasets.NAMES)}")
        if not math.isfinite(self.lr) or self.lr <= 0:
            raise ConfigError(f"learning rate {self.lr:g} must be a positive number")
        for name in ("l2", "weight_decay"):
            v = getattr(self, name)
            if not math.isfinite(v) or v < 0:
                raise ConfigError(f"{name}={v:g} must be ≥ 0")
        nn.check_p(self.dropout)
        nn.check_alpha(self.label_smoothing)
        nn.check_smoothing(self.output, self.label_smoothing)  # a live field: the step no longer checks it
        nn.check_momentum(self.momentum)
        if self.batch_size < 1:
            raise ConfigError(f"batch size {self.batch_size} must be at least 1")
        if self.batchnorm and min(self.batch_size, self.n_train) < 2:
            raise ConfigError("batch norm needs a batch of at least 2 (B=1 has no batch variance)")
        if self.record_every < 1:
            raise ConfigError("record_every must be at least 1")
        if any(int(h) < 1 for h in self.hidden_sizes):
            raise ConfigError(f"hidden sizes {tuple(self.hidden_sizes)} must all be ≥ 1")
        return self

    @property
    def n_train(self) -> int:
        return int(self.n) - int(round(int(self.n) * self.val_fraction))


def _one_hot(y, K):
    t = np.zeros((len(y), K))
    t[np.arange(len(y)), y] = 1.0
    return t


class Run:
    """One training run: `step(n)`, `history` (list of dicts), `markers`, `error`."""

    def __init__(self, config: TrainConfig):
        self.config = self.initial_config = config.validate()
        c = config
        X, y = datasets.make(c.dataset, c.n, c.noise, np.random.default_rng([c.seed, 0]))
        (self.X_train, self.y_train), (self.X_val, self.y_val) = datasets.train_val_split(
            X, y, c.val_fraction, np.random.default_rng([c.seed, 1]))
        self.classes = datasets.N_CLASSES[c.dataset]
        K = 1 if (c.output == "sigmoid" and self.classes == 2) else self.classes
        self.mlp = nn.MLP([X.shape[1], *c.hidden_sizes, K], hidden=c.hidden, output=c.output, loss=c.loss,
                          init=c.init, seed=c.seed, dropout=c.dropout, batchnorm=c.batchnorm, momentum=c.momentum)
        # checked once here; every step then runs the lean mlp.backprop on slices of them
        self.t_train, self.t_val = (self.mlp.targets(self._targets(y), c.label_smoothing)
                                    for y in (self.y_train, self.y_val))
        self.rng = np.random.default_rng([c.seed, 2])  # minibatch order and dropout masks
        self._order, self._pos = np.empty(0, int), 0
        self.steps = 0
        self.history: list[dict] = []
        self.markers: list[dict] = []  # {"step", "label"} where a setting changed mid-run
        self.changes: list[tuple[int, TrainConfig]] = []  # for replay in from_json
        self.error: str | None = None
        self.last_loss = math.nan
        self.first_loss: float | None = None  # reference for "the loss exploded" (nn.divergence_message)
        self._record()

    def _targets(self, y):
        """Labels as the output wants them: ints (softmax), 0/1 column(s) (sigmoid), one-hot (linear)."""
        out, K = self.config.output, self.mlp.sizes[-1]
        if out == "softmax":
            return y
        return y[:, None].astype(float) if K == 1 else _one_hot(y, K)

    def _batch(self):
        B = min(self.config.batch_size, len(self.y_train))
        if self._pos + B > len(self._order):  # new epoch: a fresh permutation
            self._order, self._pos = self.rng.permutation(len(self.y_train)), 0
        idx = self._order[self._pos:self._pos + B]
        self._pos += B
        return idx

    def train_step(self) -> float:
        """One minibatch SGD step; returns the minibatch loss (non-finite → `error` is set, no update)."""
        c = self.config
        idx = self._batch()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # X, t were checked at construction, l2 and α by the config (validate, update_config)
            loss, gw, gb = self.mlp.backprop(self.X_train[idx], self.t_train[idx], c.l2, c.label_smoothing,
                                             self.rng)
        self.last_loss = loss
        if self.first_loss is None:
            self.first_loss = loss
        self.error = nn.divergence_message(loss, self.steps + 1, self.first_loss)
        if self.error is None:
            nn.sgd_step(self.mlp, gw, gb, c.lr, c.weight_decay)
            self.steps += 1
        return loss

    def step(self, n: int = 1) -> bool:
        """Up to n steps; False once the run has diverged (see `error`)."""
        for _ in range(int(n)):
            if self.error is not None:
                return False
            self.train_step()
            if self.error is None and self.steps % self.config.record_every == 0:
                self._record()
        return self.error is None

    def measure(self) -> dict:
        """Metrics of the current net in eval mode on the whole train and validation sets."""
        row = {"step": self.steps}
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for split, X, y, t in (("train", self.X_train, self.y_train, self.t_train),
                                   ("val", self.X_val, self.y_val, self.t_val)):
                z = self.mlp.logits(X)  # (N, K)
                row[f"{split}_loss"] = float(self.mlp.data_loss(z, t)[0])
                p = self.mlp.predict_from_logits(z)
                if p.shape[1] == 1:  # one sigmoid unit: class 1 when a > 1/2
                    pred, conf = (p[:, 0] > 0.5).astype(int), np.maximum(p[:, 0], 1 - p[:, 0])
                else:
                    pred, conf = p.argmax(axis=1), p.max(axis=1)
                row[f"{split}_acc"] = float(np.mean(pred == y))
                if split == "train":
                    row["confidence"] = float(conf.mean())  # mean max probability
                    row["logit_norm"] = float(np.linalg.norm(z, axis=1).mean())  # mean ‖z‖ per example
        row["weight_norm"] = self.mlp.weight_norm()
        row["lr"] = self.config.lr
        return row

    def _record(self):
        self.history.append(self.measure())

    def update_config(self, config: TrainConfig) -> None:
        """Switch to `config` mid-run; only LIVE_FIELDS may differ. Marks the step in `markers`."""
        config.validate()
        old = self.config
        diff = [f.name for f in dataclasses.fields(config) if getattr(old, f.name) != getattr(config, f.name)]
        frozen = [d for d in diff if d not in LIVE_FIELDS]
        if frozen:
            raise ConfigError(f"changing {', '.join(frozen)} needs a reset; mid-run you can change "
                              f"{', '.join(LIVE_FIELDS)}")
        if not diff:
            return
        if config.batchnorm and min(config.batch_size, len(self.y_train)) < 2:
            raise ConfigError("batch norm needs a batch of at least 2")
        self.config = config
        self.mlp.dropout = config.dropout
        label = ", ".join(f"{d} {getattr(old, d)} → {getattr(config, d)}" for d in diff)
        self.markers.append({"step": self.steps, "label": label})
        self.changes.append((self.steps, config))

    def to_json(self) -> str:
        """Config, seed, steps done and mid-run changes: enough for from_json to replay the run."""
        return json.dumps({"config": dataclasses.asdict(self.initial_config), "seed": self.config.seed,
                           "steps": self.steps,
                           "changes": [{"step": s, "config": dataclasses.asdict(c)} for s, c in self.changes]},
                          indent=1)

    @classmethod
    def from_json(cls, text: str, replay: bool = True) -> "Run":
        """A new Run from to_json's text; with replay, redo the steps and changes (same curve)."""
        try:
            data = json.loads(text)
            config = config_from_dict(data["config"])
            changes = [(int(c["step"]), config_from_dict(c["config"])) for c in data.get("changes", [])]
            steps = int(data.get("steps", 0))
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"not an exported run: {e}") from None
        run = cls(config)
        if replay:
            for at, cfg in changes:
                run.step(at - run.steps)
                run.update_config(cfg)
            run.step(steps - run.steps)
        return run


def config_from_dict(d: dict) -> TrainConfig:
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = set(d) - names
    if unknown:
        raise ConfigError(f"unknown settings {sorted(unknown)}")
    d = dict(d)
    if "hidden_sizes" in d:
        d["hidden_sizes"] = tuple(int(h) for h in d["hidden_sizes"])
    return TrainConfig(**d)
