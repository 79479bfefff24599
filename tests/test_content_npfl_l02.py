"""NPFL114 lecture 2 questions asked whole: every key recomputed without its formula.

NLL and KL by direct sums over outcomes; the Gaussian NLL's derivative by finite differences of the
density itself; minibatch noise by sampling; learning-rate schedules by SymPy's convergence test; the
backpropagation example by finite differences; Nesterov's step by running the algorithm.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from npfl_bank_helpers import answer, contract, loaded, ticked, value, variants, wrong

BANK = "npfl114_lecture_02"


def each(qid):
    return [pytest.param(v, id=f"{qid}-{i}") for i, v in enumerate(variants(BANK, qid))]


def test_bank_contract():
    contract(BANK, 2, whole_catalogue=False)


def test_the_whole_questions_carry_the_official_points():
    qs = {q.id: q for q in loaded(BANK).questions}
    assert {q.covers[0]: q.points for q in qs.values()} == {
        "npfl-l02-q1": 10, "npfl-l02-q2": 5, "npfl-l02-q3": 5, "npfl-l02-q4": 5, "npfl-l02-q5": 5, "npfl-l02-q6": 5}


@pytest.mark.parametrize("v", each("l2-mle"))
def test_nll_and_kl_by_sums(v):
    likelihood = v["p1"] * v["p2"]
    assert math.isclose(value(answer(BANK, "l2-mle", "nll"), v), -math.log(likelihood))
    p, q = [v["a"], 1 - v["a"]], [v["c"], 1 - v["c"]]
    cross = -sum(pi * math.log(qi) for pi, qi in zip(p, q))
    entropy = -sum(pi * math.log(pi) for pi in p)
    assert math.isclose(value(answer(BANK, "l2-mle", "kl"), v), cross - entropy)  # H(p,q) = H(p) + KL
    assert math.isclose(value(wrong(BANK, "l2-mle", "kl")[1], v), cross)


def test_gaussian_nll_derivative_by_finite_differences():
    rng = np.random.default_rng(0)
    for _ in range(20):
        y, f, s = rng.normal(), rng.normal(), rng.uniform(0.3, 3)
        def nll(ff, y=y, s=s):
            return -math.log(math.exp(-(y - ff) ** 2 / (2 * s * s)) / math.sqrt(2 * math.pi * s * s))
        h = 1e-6
        numeric = (nll(f + h) - nll(f - h)) / (2 * h)
        assert math.isclose(value(answer(BANK, "l2-mse-mle", "grad"), {"y": y, "f": f, "s": s}), numeric, rel_tol=1e-5)


@pytest.mark.parametrize("v", each("l2-gd-sgd"))
def test_updates_per_epoch(v):
    n, b = int(v["N"]), int(v["B"])
    assert value(answer(BANK, "l2-gd-sgd", "updates"), v) == len(range(0, n, b))


def test_minibatch_noise_by_sampling():
    rng = np.random.default_rng(1)
    for b in (16, 64, 100):
        means = rng.normal(0.0, 1.0, size=(20000, b)).mean(axis=1)
        assert math.isclose(means.std(), value(answer(BANK, "l2-gd-sgd", "noise"), {"B": b}), rel_tol=0.03)


def test_schedules_by_the_two_series():
    t = sp.Symbol("t", positive=True, integer=True)
    schedules = [sp.Rational(1, 10) / t, t ** sp.Rational(-3, 4), 1 / sp.sqrt(t), 1 / t**2, sp.Rational(1, 100)]

    def ok(a):
        return (sp.Sum(a, (t, 1, sp.oo)).is_convergent() is sp.false
                and sp.Sum(a**2, (t, 1, sp.oo)).is_convergent() is sp.true)
    assert [i for i, a in enumerate(schedules) if ok(a)] == ticked(BANK, "l2-robbins-monro", "which") == [0, 1]


def test_backprop_example_by_finite_differences():
    rng = np.random.default_rng(2)
    for _ in range(20):
        w1, w2, x, t = rng.normal(size=4)
        def loss(a, w2=w2, x=x, t=t):
            return 0.5 * (w2 * math.tanh(a * x) - t) ** 2
        h = 1e-6
        numeric = (loss(w1 + h) - loss(w1 - h)) / (2 * h)
        vals = {"w1": w1, "w2": w2, "x": x, "t": t}
        assert math.isclose(value(answer(BANK, "l2-backprop", "w1"), vals), numeric, rel_tol=1e-5, abs_tol=1e-9)


@pytest.mark.parametrize("v", each("l2-momentum-nesterov"))
def test_nesterov_step_by_running_it(v):
    grad = lambda th: th
    beta, alpha = 0.9, v["al"]
    th, vel = v["th"], v["v"]
    vel = beta * vel - alpha * grad(th + beta * vel)
    assert math.isclose(value(answer(BANK, "l2-momentum-nesterov", "step"), v), th + vel)
    classical = v["th"] + beta * v["v"] - alpha * grad(v["th"])
    assert math.isclose(value(wrong(BANK, "l2-momentum-nesterov", "step")[0], v), classical)
