"""Benchmark of the labs: compute time of each lab's default page work, time per live tick, and the
refreshes per second of each running lab in a real browser.

A tick is what the live fragment does every RUN_EVERY seconds while a lab trains: a slice of
optimisation steps on every arm, then each chart's data (its metric's rows, the markers) serialised
to Arrow as Streamlit sends it; the chart spec itself is built once and reused. With --browser (the
default; --no-browser skips it) a fresh `streamlit run app.py` and Debian's headless Chromium run
every live lab for 10 s, three times, and the median count of step-counter changes per second is
printed: the rate the student sees. Run:  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python bench/bench_labs.py
"""
from __future__ import annotations

import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent.parent / "tests")]

import pyarrow as pa  # noqa: E402

from quizlib.labs import batchnorm, ce_mse, dropout, glorot, smoothing, weight_decay  # noqa: E402
from quizlib.ui.lab_charts import curves_datasets, curves_spec, is_dashed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def median_time(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def chart_data(runs, metrics) -> None:
    """What the fragment serialises each tick: every chart's datasets as Arrow IPC (the spec is cached)."""
    for m in metrics:
        d = runs.metric_frame(m)
        curves_spec(m, dashed=is_dashed(d))
        for frame in curves_datasets(d, runs.markers).values():
            table = pa.Table.from_pandas(frame)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)


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
        "dropout": (dropout.OverfitArms, dropout.TrainSettings(), 50, 3000, ["loss", "accuracy"]),
        "smoothing": (smoothing.SmoothArms, smoothing.TrainSettings(), 25, 3000,
                      ["confidence (mean max p)", "logit norm"]),
        "glorot": (glorot.LossArms, glorot.DepthSettings(), 5, 400, ["loss"]),
        "weight_decay": (weight_decay.DecayArms, weight_decay.DecaySettings(), 25, 3000,
                         ["weight_norm", "loss", "accuracy"]),
        "ce_mse": (ce_mse.NeuronArms, ce_mse.NeuronSettings(), 5, 300, ["a", "C", "dC_dw"]),
        "batchnorm": (batchnorm.DeepArms, batchnorm.DeepSettings(), 10, 2000, ["loss", "accuracy"]),
    }


def browser_rates(repeats: int = 3) -> dict[str, list[float]]:
    """Refreshes per second of each running lab in headless Chromium: step-counter changes over 10 s."""
    from playwright.sync_api import sync_playwright

    from app_process import streamlit_app
    from conftest import CHROMIUM, CHROMIUM_ARGS
    from test_browser_labs import COUNT_JS, STEP_JS, WINDOW_S

    out: dict[str, list[float]] = {}
    with streamlit_app({"QUIZ_DB": str(Path(os.environ.get("TMPDIR", "/tmp")) / "bench_labs.sqlite3")}) as url, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for name in live_labs():
            for _ in range(repeats):
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                page.goto(f"{url}/lab_{name}")
                page.get_by_role("button", name="Start").click()
                page.wait_for_function(f"() => ({STEP_JS})() > 0", timeout=60_000)
                page.evaluate(COUNT_JS)
                page.wait_for_function(f"() => performance.now() - window.__labStart >= {WINDOW_S * 1000}",
                                       timeout=(WINDOW_S + 30) * 1000, polling=200)
                ticks, secs = page.evaluate("() => [window.__labTicks, (performance.now() - window.__labStart) / 1000]")
                done = page.evaluate(STEP_JS)
                out.setdefault(name, []).append(ticks / secs)
                if done >= live_labs()[name][3]:
                    print(f"  ({name}: the run ended inside the window, at {done} steps: the rate is a lower bound)")
                page.close()
        browser.close()
    return out


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
                chart_data(runs, metrics)
                ticks.append(time.perf_counter() - t)
            tick = statistics.median(ticks)
            full = median_time(lambda make=make, settings=settings, length=length: make(settings).step(length),
                               repeats=3)
            length = f"  ({length} steps)"
        tick_s = f"{tick * 1e3:>7.0f} ms" if not math.isnan(tick) else f"{'-':>10}"
        full_s = f"{full:>9.2f} s" if not math.isnan(full) else f"{'-':>11}"
        print(f"{name:<14}{compute * 1e3:>7.1f} ms{page * 1e3:>8.0f} ms{tick_s}{per_tick!s:>12}{full_s}{length}")
    print("compute = the page's own NumPy work; page run = AppTest first run of the page (median of 3);")
    print("tick = one fragment tick (steps on every arm + each chart's data as Arrow), median over a full run.")
    if "--no-browser" in sys.argv:
        return
    print(f"\nuptime: {os.getloadavg()[0]:.1f} load (1 min) on {os.cpu_count()} cores")
    rates = browser_rates()
    print(f"{'lab':<14}{'refreshes/s (median of 3 × 10 s)':>36}   all")
    for name, r in rates.items():
        print(f"{name:<14}{statistics.median(r):>36.1f}   {', '.join(f'{x:.1f}' for x in r)}")
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
