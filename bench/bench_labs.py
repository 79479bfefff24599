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

from quizlib.labs import batchnorm, ce_mse, dropout, glorot, smoothing, weight_decay  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


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
    wd = weight_decay.DecaySettings()
    st_ = batchnorm.StatsSettings()
    return {
        "dropout": lambda: dropout.mask_demo(dropout.MaskSettings()).arm_rows(),
        "smoothing": lambda: smoothing.target_rows(smoothing.TargetSettings()),
        "glorot": lambda: ([glorot.depth_stats(glorot.DepthSettings(), k) for k in glorot.INITS],
                           glorot.bound_demo(glorot.BoundSettings()), glorot.z_example()),
        "weight_decay": lambda: (weight_decay.zero_gradient_demo(wd), weight_decay.epoch_shrink(0.1, 5.0, 50_000, 10),
                                 weight_decay.conventions_table(0.1, 0.01, 50_000)),
        "ce_mse": lambda: ce_mse.steps_to_reach(ce_mse.neuron_runs(ce_mse.NeuronSettings())),
        "batchnorm": lambda: (batchnorm.running_stats(st_), batchnorm.train_vs_eval(st_), batchnorm.bessel_table()),
    }


def live_labs():
    """(make, settings, steps per tick, default run length, metrics) of each live panel, as the pages set them."""
    return {
        "dropout": (dropout.OverfitArms, dropout.TrainSettings(), 100, 3000, ["loss", "accuracy"]),
        "smoothing": (smoothing.SmoothArms, smoothing.TrainSettings(), 50, 3000,
                      ["confidence (mean max p)", "logit norm"]),
        "glorot": (glorot.LossArms, glorot.DepthSettings(), 10, 400, ["loss"]),
        "weight_decay": (weight_decay.DecayArms, weight_decay.DecaySettings(), 50, 3000,
                         ["weight_norm", "loss", "accuracy"]),
        "batchnorm": (batchnorm.DeepArms, batchnorm.DeepSettings(), 20, 2000, ["loss", "accuracy"]),
    }


def page_time(name: str, repeats: int = 3) -> float:
    """Median wall time of a page's first script run in AppTest (Streamlit overhead included)."""
    from streamlit.testing.v1 import AppTest

    return median_time(lambda: AppTest.from_file(str(ROOT / "pages" / "labs" / f"lab_{name}.py"),
                                                 default_timeout=60).run(), repeats)


def main() -> None:
    print(f"{'lab':<14}{'compute':>10}{'page run':>11}{'tick':>10}{'steps/tick':>12}{'full run':>11}")
    static, live = static_work(), live_labs()
    for name in static:
        compute, page = median_time(static[name]), page_time(name)
        tick = full = float("nan")
        per_tick, length = "-", ""
        if name in live:
            make, settings, per_tick, length, metrics = live[name]
            runs, ticks = make(settings), []
            while runs.steps < length and runs.error is None:
                t = time.perf_counter()
                runs.step(per_tick)
                chart_spec(runs, metrics)
                ticks.append(time.perf_counter() - t)
            tick = statistics.median(ticks)
            full = median_time(lambda: make(settings).step(length), repeats=3)
            length = f"  ({length} steps)"
        tick_s = f"{tick * 1e3:>7.0f} ms" if tick == tick else f"{'-':>10}"
        full_s = f"{full:>9.2f} s" if full == full else f"{'-':>11}"
        print(f"{name:<14}{compute * 1e3:>7.1f} ms{page * 1e3:>8.0f} ms{tick_s}{per_tick!s:>12}{full_s}{length}")
    print("compute = the page's own NumPy work; page run = AppTest first run of the page (median of 3);")
    print("tick = one fragment tick (steps on every arm + curves + Altair spec), median over a full run.")


if __name__ == "__main__":
    main()
