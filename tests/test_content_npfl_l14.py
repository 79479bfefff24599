"""NPFL114 lecture 14 bank (NAS, WaveNet, Parallel WaveNet, NTM): references recomputed independently.

The receptive field by propagating dependencies through the stack of dilated causal
convolutions, the mixture-of-logistics bin probability by numerically integrating the logistic
density, the composition of logistic flows by sampling, the NTM addressing steps with NumPy on the
prompt's vectors, the NTM sizes by building the heads' parameter lists.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from npfl_variant_helpers import accepts, contract, load, num, part, same_expr, values

BANK = "npfl114_lecture_14"


@pytest.fixture(scope="module")
def qs():
    return load(BANK)


def test_contract_and_official_coverage(qs):
    assert len(qs) == 6
    contract(qs, catalogue="npfl114-lecture-14")
    assert "```mermaid" in qs["l14-wavenet"].solution and "```mermaid" in qs["l14-ntm-architecture"].solution


# -- WaveNet ---------------------------------------------------------------------------------

def receptive_field(dilations, kernel=2):
    """Input offsets one output depends on, by walking back through every causal layer."""
    offsets = {0}
    for d in reversed(dilations):
        offsets = {o - k * d for o in offsets for k in range(kernel)}
    return len(offsets)


def test_receptive_field_by_dependency_propagation(qs):
    q = qs["l14-wavenet"]
    for v in values(q):
        L, B = int(v["L"]), int(v["B"])
        dilations = [2**i for i in range(L)] * B
        assert num(part(q, "rf").answer, v) == receptive_field(dilations)


def test_receptive_field_by_convolving_an_impulse():
    # independent of the set walk: run the causal convolutions on an impulse and count non-zeros
    for L, B in [(3, 1), (4, 2)]:
        x = np.zeros(200)
        x[-1] = 1.0  # which inputs influence the last output = where a backward impulse spreads
        for d in reversed([2**i for i in range(L)] * B):
            y = x.copy()
            y[:-d] += x[d:]
            x = y
        assert np.count_nonzero(x) == B * (2**L - 1) + 1


def test_gated_activation(qs):
    f, g = sympy.symbols("f g")
    p = part(qs["l14-wavenet"], "gate")
    assert same_expr(p.answer, sympy.tanh(f) / (1 + sympy.exp(-g)), ["f", "g"], lo=-3, hi=3)


# -- mixture of logistics ----------------------------------------------------------------------

def logistic_pdf(t, mu, s):
    u = (t - mu) / s
    return np.exp(-u) / (s * (1 + np.exp(-u)) ** 2)


def test_mixture_likelihood_by_integrating_the_density(qs):
    q = qs["l14-mixture-logistic"]
    for v in values(q):
        x = v["x"]
        t = np.linspace(x - 0.5, x + 0.5, 20001)
        mass = sum(w * np.trapezoid(logistic_pdf(t, mu, s), t) for w, mu, s in [(0.3, 2, 1), (0.7, 6, 2)])
        assert math.isclose(num(part(q, "value").answer, v), float(mass), rel_tol=1e-7)
    one = part(q, "one")
    for x, mu, s in [(3, 2.5, 0.7), (0, -1, 2)]:
        t = np.linspace(x - 0.5, x + 0.5, 20001)
        assert math.isclose(num(one.answer, {"x": x, "mu": mu, "s": s}), float(np.trapezoid(logistic_pdf(t, mu, s), t)), rel_tol=1e-7)


def test_bins_of_all_integers_sum_to_one(qs):
    one = part(qs["l14-mixture-logistic"], "one")
    total = sum(num(one.answer, {"x": x, "mu": 3.2, "s": 1.5}) for x in range(-80, 90))
    assert math.isclose(total, 1.0, rel_tol=1e-9)


# -- Parallel WaveNet flows ------------------------------------------------------------------

def test_two_flow_iterations_compose_into_one_logistic(qs):
    q = qs["l14-parallel-wavenet"]
    s1, s2, m1, m2 = 0.7, 1.8, -0.4, 2.5
    vals = {"s1": s1, "s2": s2, "mu1": m1, "mu2": m2}
    rng = np.random.default_rng(14)
    u = rng.random(400_000)
    z = np.log(u / (1 - u))  # Logistic(0, 1) by inverting its CDF
    x2 = (z * s1 + m1) * s2 + m2
    loc, scale = num(part(q, "location").answer, vals), num(part(q, "scale").answer, vals)
    assert abs(np.median(x2) - loc) < 0.02
    # the logistic's quartiles are loc ± scale·log 3
    q1, q3 = np.quantile(x2, [0.25, 0.75])
    assert abs((q3 - q1) / 2 - scale * math.log(3)) < 0.02


# -- NTM addressing ---------------------------------------------------------------------------

M = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
KEY = np.array([1.0, 0.0])


def content(beta):
    cos = M @ KEY / (np.linalg.norm(M, axis=1) * np.linalg.norm(KEY))
    e = np.exp(beta * cos)
    return e / e.sum()


def shift(w, s):  # s: {-1: .., 0: .., 1: ..}; s(+1) moves row i to row i+1, circularly
    out = np.zeros_like(w)
    for j, wj in enumerate(w):
        for k, sk in s.items():
            out[(j + k) % len(w)] += wj * sk
    return out


def test_ntm_addressing_steps_with_numpy(qs):
    q = qs["l14-ntm-addressing"]
    s = {-1: 0.2, 0: 0.5, 1: 0.3}
    shifted = shift(np.array([0.1, 0.6, 0.3]), s)
    assert np.allclose(shifted, [0.26, 0.39, 0.35])  # the values the prompt of the sharpening part gives
    for v in values(q):
        assert math.isclose(num(part(q, "content").answer, v), content(v["beta"])[0], rel_tol=1e-12)
        wg = v["g"] * np.array([0.7, 0.1, 0.2]) + (1 - v["g"]) * np.array([0, 0, 1.0])
        assert math.isclose(num(part(q, "interp").answer, v), wg[2], rel_tol=1e-12)
        assert math.isclose(num(part(q, "shift").answer, v), shifted[0], rel_tol=1e-12)
        sharp = shifted ** v["gamma"] / np.sum(shifted ** v["gamma"])
        assert math.isclose(num(part(q, "sharpen").answer, v), sharp[1], rel_tol=1e-12)


def test_ntm_sizes_by_listing_the_parameters(qs):
    q = qs["l14-ntm-architecture"]
    for v in values(q):
        X, R, W = int(v["X"]), int(v["R"]), int(v["W"])
        read_head = {"key": W, "beta": 1, "gate": 1, "shift": 3, "gamma": 1}
        write_head = dict(read_head, erase=W, add=W)
        assert num(part(q, "heads").answer, v) == R * sum(read_head.values()) + sum(write_head.values())
        assert num(part(q, "input").answer, v) == len(np.zeros(X)) + sum(len(np.zeros(W)) for _ in range(R))


def test_typical_student_spellings(qs):
    assert accepts(part(qs["l14-wavenet"], "gate"), "tanh(f) σ(g)")
    assert accepts(part(qs["l14-parallel-wavenet"], "location"), "mu2 + s2 mu1")
    assert accepts(part(qs["l14-mixture-logistic"], "one"), "σ((x+0.5-μ)/s) - σ((x-0.5-μ)/s)")
