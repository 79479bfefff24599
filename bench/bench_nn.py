"""Benchmark of quizlib.nn against a minimal hand-written NumPy loop, and of the NN labs' default runs.

Run: `python bench/bench_nn.py` (from the repository root). Steps/s of `loss_and_grads` +
`sgd_step` on a 64-100-10 ReLU/softmax net at batch 64 against the same net written as a
bare loop, measured in interleaved repetitions in one process; prints medians and the ratio
(goal ≥ 0.8). Then the compute time of the default runs of the weight-decay,
cross-entropy-vs-MSE and batch-norm labs.
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
STEPS, REPS = 500, 21


def batch():
    rng = np.random.default_rng(0)
    return rng.normal(size=(N, D)), rng.integers(0, K, N)


def time_quizlib(X, y):
    mlp = nn.MLP([D, H, K], hidden="relu", output="softmax", init="he", seed=0)
    t = time.perf_counter()
    for _ in range(STEPS):
        _, gw, gb = mlp.loss_and_grads(X, y)
        nn.sgd_step(mlp, gw, gb, LR)
    return STEPS / (time.perf_counter() - t)


def time_minimal(X, y):
    rng = np.random.default_rng(0)
    W1, b1 = rng.normal(0, np.sqrt(2 / D), (D, H)), np.zeros(H)
    W2, b2 = rng.normal(0, np.sqrt(2 / H), (H, K)), np.zeros(K)
    rows = np.arange(N)
    t = time.perf_counter()
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
    return STEPS / (time.perf_counter() - t)


def bench_core():
    X, y = batch()
    ours, bare = [], []
    for _ in range(REPS):  # interleaved, so drifts in machine load hit both alike
        ours.append(time_quizlib(X, y))
        bare.append(time_minimal(X, y))
    mo, mb = statistics.median(ours), statistics.median(bare)
    print(f"64-100-10 ReLU/softmax, batch {N}, {STEPS} steps × {REPS} interleaved repetitions")
    print(f"  quizlib.nn     median {mo:8.0f} steps/s  (min {min(ours):.0f}, max {max(ours):.0f})")
    print(f"  minimal loop   median {mb:8.0f} steps/s  (min {min(bare):.0f}, max {max(bare):.0f})")
    paired = statistics.median(o / b for o, b in zip(ours, bare))  # each pair ran back to back
    print(f"  ratio quizlib/minimal = {mo / mb:.2f} (of medians), {paired:.2f} (median of paired ratios)  "
          "(goal ≥ 0.8)")
    return mo / mb


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
