"""Independent verification of content/lecture2_softmax_dropout_bn.md (material file 003).

Softmax/NLL with NumPy and SymPy, dropout by sampling Bernoulli masks and by exact two-point
expectations, batch norm by running a small NumPy implementation of train and eval mode.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from content_material_helpers import answer, parse, ticked, value, variant_values, wrong_answers

BANK = "lecture2_softmax_dropout_bn.md"


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def test_error_rate_has_zero_gradient_almost_everywhere():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = (X[:, 0] > 0).astype(int)
    w = np.array([1.0, 0.3])

    def err(wv):
        return np.mean((X @ wv > 0).astype(int) != y)

    h = 1e-7
    grads = [(err(w + h * e) - err(w - h * e)) / (2 * h) for e in np.eye(2)]
    assert grads == [0.0, 0.0]
    assert ticked(BANK, "l2n-error-rate") == [0, 1]


def test_softmax_value_per_variant():
    ref = answer(BANK, "l2n-softmax-value")
    for vals in variant_values(BANK, "l2n-softmax-value"):
        p3 = softmax(np.array([0.0, 1.0, vals["t"]]))[2]
        assert value(ref, vals) == pytest.approx(p3, rel=1e-12)
        for wrong in wrong_answers(BANK, "l2n-softmax-value"):
            try:
                got = value(wrong, vals)
            except (ZeroDivisionError, TypeError):
                continue  # t/(1+t) at t = -1 is not even defined
            assert got != pytest.approx(p3, rel=0.01), (wrong, vals)


def test_softmax_properties():
    rng = np.random.default_rng(1)
    for _ in range(100):
        z = rng.normal(scale=3, size=5)
        p = softmax(z)
        assert (p > 0).all() and p.sum() == pytest.approx(1.0)
        order = np.argsort(z)
        assert (np.diff(p[order]) > 0).all()  # same order as the logits
        assert np.allclose(softmax(z + 7.5), p)
        assert not np.allclose(softmax(2 * z), p)
    assert ticked(BANK, "l2n-softmax-properties") == [0, 1, 2]


def test_nll_from_logits():
    z1, z2, z3 = sp.symbols("z1 z2 z3", real=True)
    p2 = sp.exp(z2) / (sp.exp(z1) + sp.exp(z2) + sp.exp(z3))
    derived = -sp.log(p2)
    ref = parse(answer(BANK, "l2n-nll"), ["z1", "z2", "z3"])
    assert sp.simplify(sp.expand_log(derived - ref, force=True)) == 0
    for wrong in wrong_answers(BANK, "l2n-nll"):
        expr = parse(wrong, ["z1", "z2", "z3"])
        f = sp.lambdify((z1, z2, z3), expr - derived)
        assert abs(f(0.3, 1.2, -0.4)) > 1e-3 or abs(f(2.0, 0.1, 0.5)) > 1e-3


def test_log_softmax_of_large_logits():
    z = np.array([1000.0, 1001.0, 1002.0])
    shifted = z[2] - z.max() - np.log(np.sum(np.exp(z - z.max())))
    assert float(parse(answer(BANK, "l2n-logsumexp", "value"))) == pytest.approx(shifted, rel=1e-12)
    assert shifted == pytest.approx(-0.408, abs=1e-3)
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.log(np.exp(z[2]) / np.sum(np.exp(z)))
    assert not np.isfinite(naive)
    for wrong in wrong_answers(BANK, "l2n-logsumexp", "value"):
        assert abs(float(parse(wrong)) - shifted) > 0.05
    assert ticked(BANK, "l2n-logsumexp", "overflow") == [1]
    assert ticked(BANK, "l2n-nll-likelihood") == [0, 1, 2]


def test_cross_entropy_with_soft_target():
    p, q = np.array([0.7, 0.2, 0.1]), np.array([0.8, 0.1, 0.1])
    ce = -np.sum(q * np.log(p))
    assert float(parse(answer(BANK, "l2n-ce-soft-target"))) == pytest.approx(ce, rel=1e-12)
    assert ce == pytest.approx(0.677, abs=1e-3)
    for wrong in wrong_answers(BANK, "l2n-ce-soft-target"):
        assert abs(float(parse(wrong)) - ce) > 0.05
    # one-hot target: CE equals the NLL
    assert -np.sum(np.array([1.0, 0, 0]) * np.log(p)) == pytest.approx(-np.log(0.7))


def test_dropout_expectation_by_sampling():
    rng = np.random.default_rng(2)
    ref = answer(BANK, "l2n-dropout-expectation")
    for vals in variant_values(BANK, "l2n-dropout-expectation"):
        p, z = vals["p"], vals["z"]
        masks = rng.random(200_000) >= p  # Bernoulli(1 - p): kept with probability 1 - p
        sim = float(np.mean(masks * z))
        exact = (1 - p) * z * 1 + p * z * 0  # two-point expectation
        assert value(ref, vals) == pytest.approx(exact, rel=1e-12)
        assert sim == pytest.approx(exact, rel=0.02)
        for wrong in wrong_answers(BANK, "l2n-dropout-expectation"):
            assert value(wrong, vals) != pytest.approx(exact, rel=0.01), (wrong, vals)


def test_inverted_dropout_scale_and_variance():
    p, z, c = sp.symbols("p z c", real=True)
    mean = (1 - p) * c * z  # m = 1 with probability 1 - p
    c_star = sp.solve(sp.Eq(mean, z), c)[0]
    ref_c = parse(answer(BANK, "l2n-dropout-train-eval", "scale"), "p")
    assert sp.simplify(ref_c - c_star) == 0
    second = (1 - p) * (c_star * z) ** 2
    var = sp.simplify(second - z**2)
    ref_v = parse(answer(BANK, "l2n-dropout-train-eval", "var"), "pz")
    assert sp.simplify(ref_v - var) == 0
    for part, exact in (("scale", c_star), ("var", var)):
        for wrong in wrong_answers(BANK, "l2n-dropout-train-eval", part):
            assert sp.simplify(parse(wrong, "pz") - exact) != 0
    # and by sampling: p = 0.25, z = 2
    rng = np.random.default_rng(3)
    y = (rng.random(400_000) >= 0.25) * 2.0 / 0.75
    assert y.mean() == pytest.approx(2.0, rel=0.01)
    assert y.var() == pytest.approx(4 * 0.25 / 0.75, rel=0.02)
    assert ticked(BANK, "l2n-dropout-train-eval", "eval") == [0]


class _BatchNorm1d:
    """A reference batch norm for one feature, written from the PyTorch documentation."""

    def __init__(self, momentum=0.1, eps=0.0):
        self.momentum, self.eps = momentum, eps
        self.running_mean, self.running_var = 0.0, 1.0

    def train_step(self, z):
        mu, var = z.mean(), z.var()  # biased variance for normalising
        unbiased = z.var(ddof=1)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased
        return (z - mu) / np.sqrt(var + self.eps), mu, var

    def eval_step(self, z):
        return (z - self.running_mean) / np.sqrt(self.running_var + self.eps)


def test_batch_norm_train_mode_and_running_stats():
    bn = _BatchNorm1d()
    zhat, mu, var = bn.train_step(np.array([1.0, 3.0, 5.0, 7.0]))
    assert float(parse(answer(BANK, "l2n-bn-train", "mean"))) == pytest.approx(mu)
    assert float(parse(answer(BANK, "l2n-bn-train", "var"))) == pytest.approx(var)
    assert float(parse(answer(BANK, "l2n-bn-train", "zhat"))) == pytest.approx(zhat[3])
    for part, exact in (("var", var), ("zhat", zhat[3])):
        for wrong in wrong_answers(BANK, "l2n-bn-train", part):
            assert abs(float(parse(wrong)) - exact) > 0.05
    assert zhat.mean() == pytest.approx(0.0, abs=1e-12) and np.mean(zhat**2) == pytest.approx(1.0)
    assert float(parse(answer(BANK, "l2n-bn-running", "mean"))) == pytest.approx(bn.running_mean)
    assert float(parse(answer(BANK, "l2n-bn-running", "var"))) == pytest.approx(bn.running_var)
    for part, exact in (("mean", bn.running_mean), ("var", bn.running_var)):
        for wrong in wrong_answers(BANK, "l2n-bn-running", part):
            assert abs(float(parse(wrong)) - exact) > 0.05
    # eval mode is per example: the same input gives the same output in any batch
    a = bn.eval_step(np.array([2.0, 10.0]))[0]
    b = bn.eval_step(np.array([2.0]))[0]
    assert a == b
    assert ticked(BANK, "l2n-bn-eval") == [0, 1]
    assert ticked(BANK, "l2n-bn-affine") == [0, 1]


def test_bn_mean_square_with_eps():
    rng = np.random.default_rng(4)
    z, eps = rng.normal(size=16), 0.3
    zhat = (z - z.mean()) / np.sqrt(z.var() + eps)
    ms = float(np.mean(zhat**2))
    assert value(answer(BANK, "l2n-bn-mean-square"), {"v": float(z.var()), "eps": eps}) == pytest.approx(ms)
    for wrong in wrong_answers(BANK, "l2n-bn-mean-square"):
        assert value(wrong, {"v": float(z.var()), "eps": eps}) != pytest.approx(ms, rel=1e-3)


def test_running_variance_rule_matches_reference_implementation():
    rng = np.random.default_rng(5)
    ref = answer(BANK, "l2n-bn-running-rule")
    for B in (2, 5, 32):
        bn = _BatchNorm1d(momentum=0.1)
        bn.running_var = 0.7
        z = rng.normal(size=B)
        bn.train_step(z)
        vals = {"r": 0.7, "v": float(z.var()), "m": 0.1, "B": B}
        assert value(ref, vals) == pytest.approx(bn.running_var, rel=1e-12)
        for wrong in wrong_answers(BANK, "l2n-bn-running-rule"):
            assert value(wrong, vals) != pytest.approx(bn.running_var, rel=1e-3)



def test_shifted_logsumexp_is_between_zero_and_log_c():
    rng = np.random.default_rng(6)
    for _ in range(200):
        z = rng.normal(scale=50, size=7)
        lse = np.log(np.sum(np.exp(z - z.max())))
        assert 0.0 <= lse <= np.log(7) + 1e-12
        logp = z - z.max() - lse
        assert np.allclose(np.exp(logp), softmax(z)) and np.all(np.isfinite(logp))
