"""Benchmark of the labs: compute time of each lab's default page work, and time per live tick.

A tick is what the live fragment does every `run_every` seconds while a lab trains: a slice of
optimisation steps on every arm, then the long-format curves and their Altair chart spec. Prints
medians over repeats. Run:  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python bench/bench_labs.py
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from quizlib.labs import dropout, glorot, smoothing  # noqa: E402


def median_time(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def chart_spec(runs, metrics) -> None:
    """What the fragment renders each tick: rows → DataFrame → Altair spec (no browser)."""
    import altair as alt

    df = pd.DataFrame(runs.rows())
    for m in metrics:
        alt.Chart(df[df["metric"] == m]).mark_line().encode(x="step:Q", y="value:Q", color="arm:N").to_dict()


def static_work():
    """Each lab's default computation outside the live panel (what a page load costs)."""
    return {
        "dropout": lambda: dropout.mask_demo(dropout.MaskSettings()),
        "smoothing": lambda: smoothing.target_rows(smoothing.TargetSettings()),
        "glorot": lambda: ([glorot.depth_stats(glorot.DepthSettings(), k) for k in glorot.INITS],
                           glorot.bound_demo(glorot.BoundSettings()), glorot.z_example()),
    }


def live_labs():
    """(make, settings, steps per tick, default run length, metrics) of each live panel."""
    labs = {
        "dropout": (dropout.OverfitArms, dropout.TrainSettings(), 25, 3000, ["loss", "accuracy"]),
        "smoothing": (smoothing.SmoothArms, smoothing.TrainSettings(), 20, 3000,
                      ["confidence (mean max p)", "logit norm"]),
        "glorot": (glorot.LossArms, glorot.DepthSettings(), 10, 400, ["loss"]),
    }
    try:  # the NN helper's labs, when present
        from quizlib.labs import batchnorm, weight_decay
        labs |= getattr(weight_decay, "BENCH", {}) | getattr(batchnorm, "BENCH", {})
    except ImportError:
        pass
    return labs


def main() -> None:
    print(f"{'lab':<14}{'page compute':>14}{'tick (median)':>16}{'steps/tick':>12}{'default run':>14}")
    static = static_work()
    for name, (make, settings, per_tick, length, metrics) in live_labs().items():
        page = median_time(static[name]) if name in static else float("nan")
        runs = make(settings)
        ticks = []
        while runs.steps < length and runs.error is None:
            t = time.perf_counter()
            runs.step(per_tick)
            chart_spec(runs, metrics)
            ticks.append(time.perf_counter() - t)
        full = median_time(lambda: make(settings).step(length), repeats=3)
        print(f"{name:<14}{page * 1e3:>11.1f} ms{statistics.median(ticks) * 1e3:>13.1f} ms"
              f"{per_tick:>12d}{full:>12.2f} s   ({length} steps)")


if __name__ == "__main__":
    main()
