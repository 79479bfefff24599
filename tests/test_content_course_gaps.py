"""The course-gaps bank: every reference recomputed independently of the bank's formulas.

The MLP output by an explicit forward pass, activations from exp, the universal approximation
claim by a least-squares fit, AdaGrad / RMSProp / Adam by running them, He initialisation by a
deep ReLU forward pass, early stopping and the halving schedule by running the rules, schedules by
per-step recursions, clipping with NumPy, float64 saturation by trying every integer.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from npfl_variant_helpers import accepts, contract, load, num, part, values

BANK = "course_gaps"


@pytest.fixture(scope="module")
def qs():
    return load(BANK)


def test_contract(qs):
    assert len(qs) == 13
    contract(qs)
    official = {"gap-mlp-parameters": 5, "gap-activations": 5, "gap-uat": 5, "gap-adagrad-decay": 10,
                "gap-adam-algorithm": 10}
    for qid, pts in official.items():
        assert qs[qid].points == pts and qs[qid].covers and qs[qid].lecture in (1, 2)
    assert all(q.lecture for q in qs.values())


def _softmax(z):
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def test_mlp_output_by_an_explicit_forward_pass(qs):
    p = part(qs["gap-mlp-parameters"], "output")
    rng = np.random.default_rng(0)
    D, H, K = 4, 5, 3
    env = {"x": rng.normal(size=(D, 1)), "Wh": rng.normal(size=(D, H)), "bh": rng.normal(size=(H, 1)),
           "Wy": rng.normal(size=(H, K)), "by": rng.normal(size=(K, 1))}
    hidden = [math.tanh(sum(env["Wh"][i, j] * env["x"][i, 0] for i in range(D)) + env["bh"][j, 0]) for j in range(H)]
    logits = [sum(env["Wy"][j, k] * hidden[j] for j in range(H)) + env["by"][k, 0] for k in range(K)]
    mine = np.exp(logits) / np.sum(np.exp(logits))
    code = re.sub(r"(\w+)\^T\s+", r"\1.T @ ", p.answer)  # our bank string → NumPy
    theirs = eval(code, {"softmax": _softmax, "tanh": np.tanh}, env)  # trusted bank content
    assert np.allclose(theirs.ravel(), mine)


def test_activations_from_exp(qs):
    q = qs["gap-activations"]
    for v in values(q):
        z = np.array([v["z1"], 0.0, -1.0])
        assert math.isclose(num(part(q, "softmax").answer, v), float(np.exp(z[0]) / np.exp(z).sum()), rel_tol=1e-12)
        assert math.isclose(num(part(q, "tanh").answer, v), math.tanh(v["x"]), rel_tol=1e-12)


def test_universal_approximation_by_a_least_squares_fit():
    """One hidden sigmoid layer with a linear output fits sin on [0, π] ever better as H grows."""
    rng = np.random.default_rng(1)
    x = np.linspace(0, math.pi, 400)
    errors = []
    for H in (2, 10, 100):
        w, b = rng.normal(scale=3, size=H), rng.uniform(-10, 10, size=H)
        phi = 1 / (1 + np.exp(-(np.outer(x, w) + b)))
        v, *_ = np.linalg.lstsq(np.column_stack([phi, np.ones_like(x)]), np.sin(x), rcond=None)
        errors.append(np.max(np.abs(np.column_stack([phi, np.ones_like(x)]) @ v - np.sin(x))))
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-3


def test_adagrad_and_rmsprop_by_running_them(qs):
    q = qs["gap-adagrad-decay"]
    eta, g = 0.3, 1.7
    r, steps = 0.0, []
    for _ in range(50):
        r += g * g
        steps.append(eta * g / math.sqrt(r))
    for t in (1, 4, 50):
        assert math.isclose(num(part(q, "adagrad").answer, {"eta": eta, "g": g, "t": t}), steps[t - 1], rel_tol=1e-12)
    for v in values(q):
        r = 0.0
        for _ in range(int(v["t"])):
            r = v["rho"] * r + (1 - v["rho"]) * g * g
        assert math.isclose(num(part(q, "rmsprop").answer, v), 0.01 * g / math.sqrt(r), rel_tol=1e-9)


def test_adam_step_by_an_independent_loop(qs):
    q = qs["gap-adam-algorithm"]
    b1, b2, eta, eps = 0.9, 0.999, 0.01, 1e-8
    rng = np.random.default_rng(2)
    theta, m, v = 0.5, 0.0, 0.0
    for t in range(1, 8):
        g = float(rng.normal(0.3, 1.0))
        vals = {"m": m, "v": v, "g": g, "b1": b1, "b2": b2, "t": t, "eta": eta, "eps": eps}
        m_bank, v_bank = num(part(q, "m").answer, vals), num(part(q, "v").answer, vals)
        # my Adam, written from the paper's Algorithm 1
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        new = theta - eta * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
        assert math.isclose(m_bank, m, rel_tol=1e-12) and math.isclose(v_bank, v, rel_tol=1e-12)
        step = num(part(q, "step").answer, dict(vals, m=m, v=v))
        assert math.isclose(step, new - theta, rel_tol=1e-9)
        theta = new


def test_adam_corrected_moments_are_unbiased_by_simulation():
    rng = np.random.default_rng(3)
    b1, b2, runs, T = 0.9, 0.999, 20000, 5
    g = rng.normal(0.3, 1.0, size=(runs, T))
    m = np.zeros(runs)
    v = np.zeros(runs)
    for t in range(1, T + 1):
        m = b1 * m + (1 - b1) * g[:, t - 1]
        v = b2 * v + (1 - b2) * g[:, t - 1] ** 2
    assert abs(np.mean(m / (1 - b1**T)) - 0.3) < 0.02 and abs(np.mean(m) - 0.3) > 0.1
    assert abs(np.mean(v / (1 - b2**T)) - 1.09) < 0.03


def test_he_initialisation_keeps_the_signal_through_depth(qs):
    q = qs["gap-he-init"]
    rng = np.random.default_rng(4)
    for v in values(q):
        n = int(v["n"])
        std, bound = num(part(q, "std").answer, v), num(part(q, "bound").answer, v)
        assert abs(rng.uniform(-bound, bound, 200_000).var() - std**2) < 0.02 * std**2
        x = np.maximum(rng.normal(size=(n, 64)), 0)  # ReLU outputs from the start
        first = None
        for _ in range(30):
            z = rng.normal(scale=std, size=(n, n)) @ x
            first = first if first is not None else np.mean(z**2)
            x = np.maximum(z, 0)
        # finite width makes the log of the second moment drift a little; 1/n would give ~2^-29
        assert 0.2 < np.mean(z**2) / first < 5, (n, np.mean(z**2), first)
    # LeCun's 1/n (the listed wrong answer) loses a factor 2 per ReLU layer
    n, x = 256, rng.normal(size=(256, 64))
    for _ in range(30):
        z = rng.normal(scale=math.sqrt(1 / n), size=(n, n)) @ x
        x = np.maximum(z, 0)
    assert np.mean(z**2) < 1e-6


ACC = [90.1, 91.3, 92.0, 91.8, 92.4, 92.3, 92.1, 92.2, 92.0, 91.9]


def test_early_stopping_rule_by_running_it(qs):
    q = qs["gap-early-stopping"]
    for v in values(q):
        best, best_epoch, stop = -1.0, 0, len(ACC)
        for epoch, acc in enumerate(ACC, start=1):
            if acc > best:
                best, best_epoch = acc, epoch
            elif epoch - best_epoch >= v["n"]:
                stop = epoch
                break
        assert num(part(q, "stop").answer, v) == stop and num(part(q, "kept").answer, v) == best_epoch


def test_schedules_by_per_step_recursions(qs):
    q = qs["gap-lr-schedules"]
    for v in values(q):
        t = int(v["t"])
        eta = 0.1
        for _ in range(t):
            eta *= 0.01 ** (1 / 100)  # the same factor every step
        assert math.isclose(num(part(q, "exp").answer, v), eta, rel_tol=1e-9)
        eta = 0.1  # PyTorch's recursive form of cosine annealing (eta_min = 0)
        for k in range(t):
            eta = eta * (1 + math.cos(math.pi * (k + 1) / 100)) / (1 + math.cos(math.pi * k / 100))
        assert math.isclose(num(part(q, "cos").answer, v), eta, rel_tol=1e-9)


def test_clipping_with_numpy(qs):
    q = qs["gap-gradient-clipping"]
    for v in values(q):
        g = np.array([3 * v["a"], -4 * v["a"]])
        by_norm = g * min(1.0, v["c"] / np.linalg.norm(g))
        assert math.isclose(np.linalg.norm(by_norm), v["c"])
        assert math.isclose(num(part(q, "norm").answer, v), by_norm[0], rel_tol=1e-12)
        assert math.isclose(num(part(q, "value").answer, v), np.clip(g, -v["c"], v["c"])[1], rel_tol=1e-12)


def test_sigmoid_outputs_sum(qs):
    q = qs["gap-n3-sigmoid-sum"]
    for v in values(q):
        z = np.array([v["z1"], v["z2"], 0.0])
        total = float(np.sum(1 / (1 + np.exp(-z))))
        assert math.isclose(num(part(q, "sum").answer, v), total, rel_tol=1e-12) and abs(total - 1) > 0.3


def test_halvings_by_running_the_schedule(qs):
    q = qs["gap-n3-halve-eta"]
    for v in values(q):
        eta, k = 1.0, 0
        while eta > 1 / v["F"] + 1e-15:
            eta /= 2
            k += 1
        assert num(part(q, "count").answer, v) == pytest.approx(k)


def test_float64_sigmoid_saturation(qs):
    z = next(z for z in range(1, 100) if 1 / (1 + np.exp(-np.float64(z))) == 1.0)
    assert num(part(qs["gap-n3-ce-numerics"], "z").answer, {}) == z
    with np.errstate(all="ignore"):
        a, y = 1 / (1 + np.exp(-np.float64(z))), 1.0
        assert math.isnan(-(y * np.log(a) + (1 - y) * np.log(1 - a)))


def test_typical_student_spellings(qs):
    assert accepts(part(qs["gap-adagrad-decay"], "adagrad"), "η/√t")
    assert accepts(part(qs["gap-adam-algorithm"], "m"), "β1 m + (1-β1) g".replace("β1", "b1"))
    assert accepts(part(qs["gap-mlp-parameters"], "output"), "softmax(Wy^T tanh(Wh^T x + bh) + by)")
    assert not accepts(part(qs["gap-adam-algorithm"], "step"), "-eta m/(sqrt(v) + eps)")
