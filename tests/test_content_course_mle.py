"""Independent checks of the MLE and losses bank (content/mle_losses.md).

KL and entropies are summed over explicit probability vectors, the Gaussian NLL comes from
SymPy's normal density, the softmax Jacobian from `sympy.diff` of a three-class softmax, and the
claims of the choice questions from random NumPy experiments.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from sympy.stats import Normal, density

from test_content_course import close, num, part, question, sym, sym_names, variants


def correct_texts(qid, pid=""):
    return [c.text for c in part(qid, pid).choices if c.correct]


@pytest.mark.parametrize("v", variants(question("mle-kl-bernoulli")))
def test_kl_of_bernoullis_from_the_probability_vectors(v):
    P = np.array([1 - v["p"], v["p"]])
    Q = np.array([1 - v["q"], v["q"]])
    assert close(num(part("mle-kl-bernoulli").answer, v), float(np.sum(P * np.log(P / Q))))


def test_cross_entropy_is_entropy_plus_kl_on_random_distributions():
    rng = np.random.default_rng(0)
    for _ in range(20):
        p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
        H_pq, H_p, KL = -(p * np.log(q)).sum(), -(p * np.log(p)).sum(), (p * np.log(p / q)).sum()
        assert np.isclose(H_pq, H_p + KL) and KL >= 0
    q = question("mle-ce-kl")
    assert sum(r.points for r in q.rubric) == q.points


@pytest.mark.parametrize("v", variants(question("mle-initial-loss")))
def test_initial_loss_of_a_uniform_prediction(v):
    K = int(v["K"])
    o = np.full(K, 1 / K)
    g = np.eye(K)[K // 2]
    assert close(num(part("mle-initial-loss").answer, v), float(-(g * np.log(o)).sum()))


def test_nll_equals_cross_entropy_with_one_hot_targets():
    rng = np.random.default_rng(1)
    o, t = rng.dirichlet(np.ones(4)), 2
    assert np.isclose(-(np.eye(4)[t] * np.log(o)).sum(), -np.log(o[t]))
    assert "equals the NLL" in correct_texts("mle-nll-is-ce")[0]


def test_gaussian_nll_and_its_gradient_match_sympy_stats():
    y, f = sp.symbols("y f", real=True)
    s = sp.Symbol("s", positive=True)
    nll = -sp.log(density(Normal("Y", f, s))(y))
    p_nll, p_grad = part("mle-gaussian-mse", "nll"), part("mle-gaussian-mse", "grad")
    names = sym_names(p_nll)
    key = sym(p_nll.answer, names).subs({sp.Symbol("s"): s, sp.Symbol("y"): y, sp.Symbol("f"): f})
    assert sp.simplify(sp.expand_log(nll - key, force=True)) == 0
    gkey = sym(p_grad.answer, names).subs({sp.Symbol("s"): s, sp.Symbol("y"): y, sp.Symbol("f"): f})
    assert sp.simplify(sp.diff(nll, f) - gkey) == 0


def test_minimising_the_gaussian_nll_is_least_squares():
    rng = np.random.default_rng(2)
    X = np.c_[rng.normal(size=(50, 2)), np.ones(50)]
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.3, size=50)
    w_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    nll = lambda w, s=0.7: np.sum(np.log(s * np.sqrt(2 * np.pi)) + (y - X @ w) ** 2 / (2 * s * s))  # noqa: E731
    for d in np.eye(3):
        assert nll(w_ls) < nll(w_ls + 1e-3 * d) and nll(w_ls) < nll(w_ls - 1e-3 * d)


def test_softmax_jacobian_matches_sympy_diff():
    z1, z2, z3 = sp.symbols("z1 z2 z3")
    den = sp.exp(z1) + sp.exp(z2) + sp.exp(z3)
    o1, o2 = sp.exp(z1) / den, sp.exp(z2) / den
    for pid, target in (("diag", sp.diff(o1, z1)), ("off", sp.diff(o1, z2))):
        p = part("mle-softmax-jacobian", pid)
        key = sym(p.answer, sym_names(p)).subs({sp.Symbol("o1"): o1, sp.Symbol("o2"): o2})
        assert sp.simplify(target - key) == 0, pid


def test_softmax_gradient_facts_on_random_logits():
    rng = np.random.default_rng(3)
    for scale in (1, 10, 100):
        zz = rng.normal(scale=scale, size=6)
        o = np.exp(zz - zz.max())
        o /= o.sum()
        g = np.eye(6)[rng.integers(6)]
        grad = o - g
        assert np.isclose(grad.sum(), 0) and np.all(np.abs(grad) <= 1)
        assert grad[g == 1][0] <= 0 and np.all(grad[g == 0] >= 0)
    # confidently wrong: the gold component is ≈ -1, not ≈ 0
    o = np.array([1 - 1e-9, 1e-9])
    assert np.isclose((o - np.array([0, 1]))[1], -1)
    assert len(correct_texts("mle-softmax-grad-facts")) == 3


def test_mse_gradient_vanishes_on_a_saturated_wrong_sigmoid_but_ce_does_not():
    zz, g = 8.0, 0.0
    o = 1 / (1 + np.exp(-zz))
    assert 2 * (o - g) * o * (1 - o) < 1e-3 < o - g
    assert "tiny" in correct_texts("mle-mse-vs-ce")[0]


def test_log_likelihood_choices():
    assert correct_texts("mle-principle") == ["$-\\sum_i \\log p(y_i \\mid x_i; \\theta)$"]
    assert len(correct_texts("mle-why-log")) == 3
    # the product of many probabilities underflows, the sum of logs does not
    probs = np.full(2000, 0.1)
    assert np.prod(probs) == 0.0 and np.isfinite(np.log(probs).sum())
