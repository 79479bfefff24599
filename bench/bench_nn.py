"""Benchmark of quizlib.nn against a minimal hand-written NumPy loop, and of the NN labs' default runs.

Run: `python bench/bench_nn.py` (from the repository root; `--core` skips the labs). Steps/s
of `loss_and_grads` + `sgd_step` on a 64-100-10 ReLU/softmax net at batch 64, and of the
lean step a training Run takes (targets checked once, then `backprop` + `sgd_step`), against
the same net written as a bare loop, measured in interleaved repetitions in one process, by
the wall clock and by CPU time; prints medians and the ratios (goal ≥ 0.85). Then the compute
time of the default runs of the weight-decay, cross-entropy-vs-MSE and batch-norm labs.
"""
from __future__ import annotations

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before numpy: one BLAS thread is faster and steadier here
os.environ["OMP_NUM_THREADS"] = "1"

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from quizlib import nn  # noqa: E402

D, H, K, N, LR = 64, 100, 10, 64, 0.05
STEPS, REPS = 500, 41


def clocks():
    return time.perf_counter(), time.process_time()


def rates(start):
    """Steps/s since `start` by the wall clock and by this process's CPU time.

    On the shared 2-core machine the wall clock also counts the time other jobs hold the
    core; the CPU time (one thread) counts only the work of the loop, so it is the steadier one.
    """
    wall, cpu = clocks()
    return STEPS / (wall - start[0]), STEPS / max(cpu - start[1], 1e-9)


def batch():
    rng = np.random.default_rng(0)
    return rng.normal(size=(N, D)), rng.integers(0, K, N)


def time_quizlib(X, y):
    mlp = nn.MLP([D, H, K], hidden="relu", output="softmax", init="he", seed=0)
    t = clocks()
    for _ in range(STEPS):
        _, gw, gb = mlp.loss_and_grads(X, y)  # the public door: checks X, y and the settings every call
        nn.sgd_step(mlp, gw, gb, LR)
    return rates(t)


def time_checked_once(X, y):
    """As a training Run steps: targets checked once where they enter, then the lean backprop."""
    mlp = nn.MLP([D, H, K], hidden="relu", output="softmax", init="he", seed=0)
    t = clocks()
    labels = mlp.targets(y)
    for _ in range(STEPS):
        _, gw, gb = mlp.backprop(X, labels)
        nn.sgd_step(mlp, gw, gb, LR)
    return rates(t)


def time_minimal(X, y):
    rng = np.random.default_rng(0)
    W1, b1 = rng.normal(0, np.sqrt(2 / D), (D, H)), np.zeros(H)
    W2, b2 = rng.normal(0, np.sqrt(2 / H), (H, K)), np.zeros(K)
    rows = np.arange(N)
    t = clocks()
    for _ in range(STEPS):
        h = np.maximum(X @ W1 + b1, 0)
        z = h @ W2 + b2
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = (np.log(s).sum() - z[rows, y].sum()) / N  # noqa: F841 (computed as the core does)
        dz = e / s
        dz[rows, y] -= 1
        dz /= N
        dW2, db2 = h.T @ dz, dz.sum(axis=0)
        dh = (dz @ W2.T) * (h > 0)
        dW1, db1 = X.T @ dh, dh.sum(axis=0)
        W1 -= LR * dW1
        b1 -= LR * db1
        W2 -= LR * dW2
        b2 -= LR * db2
    return rates(t)


def bench_core():
    X, y = batch()
    timers = {"loss_and_grads + sgd_step": time_quizlib, "targets once, backprop + sgd_step": time_checked_once,
              "minimal loop": time_minimal}
    runs = {name: [] for name in timers}
    names = list(timers)
    for r in range(REPS):  # interleaved, so drifts in machine load hit all alike,
        for name in names[r % 3:] + names[:r % 3]:  # in rotating order, so none always runs first
            runs[name].append(timers[name](X, y))
    print(f"64-100-10 ReLU/softmax, batch {N}, {STEPS} steps × {REPS} interleaved repetitions")
    bare = runs["minimal loop"]
    for i, clock in enumerate(("wall clock", "CPU time")):
        b = [r[i] for r in bare]
        print(f"  {clock}: minimal loop median {statistics.median(b):6.0f} steps/s (min {min(b):.0f}, max {max(b):.0f})")
        for name in names[:2]:
            o = [r[i] for r in runs[name]]
            mo, mb = statistics.median(o), statistics.median(b)
            paired = statistics.median(x / z for x, z in zip(o, b))  # each group ran back to back
            print(f"    {name:34s} median {mo:6.0f} steps/s: ratio {mo / mb:.2f} of medians, "
                  f"{paired:.2f} median of paired ratios (goal ≥ 0.85)")


def bench_labs():
    from quizlib.labs import batchnorm, ce_mse, weight_decay
    cases = [
        ("weight decay: ‖W‖ trajectories", lambda: weight_decay.norm_trajectories(weight_decay.DecaySettings())),
        ("weight decay: zero-gradient demo", lambda: weight_decay.zero_gradient_demo(weight_decay.DecaySettings())),
        ("weight decay: accuracy vs λ", lambda: weight_decay.accuracy_vs_lambda(weight_decay.DecaySettings())),
        ("CE vs MSE: single neuron", lambda: ce_mse.neuron_runs(ce_mse.NeuronSettings())),
        ("batch norm: running statistics", lambda: batchnorm.running_stats(batchnorm.StatsSettings())),
        ("batch norm: train vs eval", lambda: batchnorm.train_vs_eval(batchnorm.StatsSettings())),
        ("batch norm: deep sigmoid net ±BN", lambda: batchnorm.deep_net_runs(batchnorm.DeepSettings())),
    ]
    print("default runs of the NN labs (compute only, median of 3):")
    for name, f in cases:
        ts = []
        for _ in range(3):
            t = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t)
        print(f"  {name:36s} {1000 * statistics.median(ts):8.1f} ms")


if __name__ == "__main__":
    bench_core()
    if "--core" not in sys.argv:
        bench_labs()
