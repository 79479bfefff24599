"""A/B arms: named training runs stepped together, with curves, setting-change markers and NaN stop.

This is the object `quizlib.ui.labs.live_panel` drives. A lab subclasses `Arms` and fills
in `_step_arm(name) -> loss` (one optimisation step of one arm) and `_measure(name)` (the
metrics recorded every `every` steps), and `_apply(settings)` for settings a run can take
mid-flight (listed in `live_fields`; `reset_reasons` says why each other setting needs a new run,
see `quizlib.labs.midrun`). All arms are built from one seed and one data set, so a difference between
their curves is the lesson, not noise. A non-finite loss stops every arm with a message
naming the step (also a loss 1000× above the first: ReLU nets often explode finitely).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from quizlib import nn


class Arms:
    """Named runs stepped in lockstep; `rows()` are long-format (step, arm, metric, value, split)."""

    every: int = 10  # record metrics every this many steps
    live_fields: tuple[str, ...] = ()  # settings that `update` may change mid-run
    reset_reasons: dict[str, str] = {}  # setting → why changing it needs a new run (shown to the student)

    def __init__(self, names, settings):
        self.names = tuple(names)
        self.settings = settings
        self.steps = 0
        self.markers: list[dict] = []
        self.error: str | None = None
        self._rows: list[dict] = []
        self._by_metric: dict[str, list[dict]] = {}  # the same rows, split by metric (what one chart shows)
        self._metric_frames: dict[str, pd.DataFrame] = {}  # … as DataFrames, extended by the rows added since
        self._first: dict[str, float] = {}  # first loss of each arm: the yardstick for "it exploded"
        self._record()

    # -- to fill in
    def _step_arm(self, name: str) -> float:
        raise NotImplementedError

    def _measure(self, name: str) -> dict:
        """metric → value, or metric → {split: value} for train/validation pairs."""
        raise NotImplementedError

    def _apply(self, settings) -> None:
        self.settings = settings

    # -- the panel's interface
    def step(self, n: int) -> None:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # NaN is reported, not warned
            self._steps(int(n))

    def _steps(self, n: int) -> None:
        for _ in range(n):
            if self.error is not None:
                return
            for name in self.names:
                loss = self._step_arm(name)
                first = self._first.setdefault(name, loss)
                message = nn.divergence_message(loss, self.steps + 1, first if math.isfinite(first) else None)
                if message is not None:
                    self.error = f"{name}: {message}"
                    return
            self.steps += 1
            if self.steps % self.every == 0:
                self._record()

    def rows(self) -> list[dict]:
        return list(self._rows)

    def metric_frame(self, metric: str) -> pd.DataFrame:
        """step, arm, split, value of one metric, extended incrementally like `frame` (no filtering per tick)."""
        rows = self._by_metric.get(metric, [])
        old = self._metric_frames.get(metric)
        done = 0 if old is None else len(old)
        if old is None or done < len(rows):
            new = pd.DataFrame(rows[done:], columns=["step", "arm", "split", "value"])
            old = new if not done else pd.concat([old, new], ignore_index=True)
            self._metric_frames[metric] = old
        return old

    def update(self, settings) -> None:
        """Apply changed live settings and mark the curve at the current step."""
        diff = [f"{f.name} {getattr(self.settings, f.name)} → {getattr(settings, f.name)}"
                for f in dataclasses.fields(settings)
                if getattr(self.settings, f.name) != getattr(settings, f.name)]
        self._apply(settings)
        if diff and self.steps > 0:
            self.markers.append({"step": self.steps, "label": ", ".join(diff)})

    def last(self, metric: str, arm: str, split: str | None = None) -> float:
        """The latest recorded value of a metric (NaN if none)."""
        for r in reversed(self._rows):
            if r["metric"] == metric and r["arm"] == arm and (split is None or r.get("split") == split):
                return r["value"]
        return math.nan

    def _record(self) -> None:
        for name in self.names:
            for metric, v in self._measure(name).items():
                for split, val in (v.items() if isinstance(v, dict) else (("", v),)):
                    row = {"step": self.steps, "arm": name, "metric": metric, "split": split, "value": float(val)}
                    self._rows.append(row)
                    self._by_metric.setdefault(metric, []).append(row)
