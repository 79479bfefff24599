"""NPFL114 lecture 12 bank (VAEs, GANs): every reference recomputed independently.

The Gaussian KL by numerical integration, the ELBO of a two-state model by brute force (and the
bound by comparing with log p(x) and the KL to the true posterior), the reparametrised sample by
simulation and a finite difference, the GAN losses as binary cross-entropies and their logit
gradients by SymPy, the min-max dynamics of x·y by running the gradient steps.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from npfl_variant_helpers import accepts, all_variants, contract, load, num, part, same_expr, values

BANK = "npfl114_lecture_12"


@pytest.fixture(scope="module")
def qs():
    return load(BANK)


def test_contract_and_official_coverage(qs):
    assert len(qs) == 6
    contract(qs, catalogue="npfl114-lecture-12")
    assert all(q.source == "npfl114-lecture-12" for q in qs.values())


def test_vae_picture_is_a_mermaid_drawing(qs):
    sol = qs["l12-vae"].solution
    assert "```mermaid" in sol and "flowchart" in sol and "ε" in sol


# -- ELBO -----------------------------------------------------------------------------------

def _kl_by_integration(mu, s):
    z = np.linspace(mu - 12 * s, mu + 12 * s, 200001)
    q = np.exp(-((z - mu) ** 2) / (2 * s * s)) / (s * np.sqrt(2 * np.pi))
    logq = -((z - mu) ** 2) / (2 * s * s) - np.log(s * np.sqrt(2 * np.pi))
    logp = -(z**2) / 2 - np.log(np.sqrt(2 * np.pi))
    return float(np.trapezoid(q * (logq - logp), z))


@pytest.mark.parametrize("mu,s", [(0.0, 1.0), (0.7, 0.4), (-1.3, 2.1), (2.0, 0.15)])
def test_gaussian_kl_by_numerical_integration(qs, mu, s):
    p = part(qs["l12-elbo"], "kl")
    assert math.isclose(num(p.answer, {"mu": mu, "s": s}), _kl_by_integration(mu, s), rel_tol=1e-6, abs_tol=1e-9)
    for w in p.wrong_answers:  # every listed wrong answer is really wrong somewhere
        if (mu, s) == (0.7, 0.4):
            assert not math.isclose(num(w.answer, {"mu": mu, "s": s}), _kl_by_integration(mu, s), rel_tol=1e-3)


def test_elbo_of_the_two_state_model_by_brute_force(qs):
    q = qs["l12-elbo"]
    p = part(q, "elbo")
    for v in values(q):
        a, b, qv = v["a"], v["b"], v["qv"]
        prior = np.array([0.5, 0.5])
        lik = np.array([a, b])
        enc = np.array([1 - qv, qv])
        # the definition E_q[log p(x, z) - log q(z|x)], summed over both latent states
        elbo = float(np.sum(enc * (np.log(lik * prior) - np.log(enc))))
        assert math.isclose(num(p.answer, v), elbo, rel_tol=1e-12)
        log_px = math.log(float(np.sum(lik * prior)))
        post = lik * prior / np.sum(lik * prior)
        kl_post = float(np.sum(enc * np.log(enc / post)))
        assert elbo < log_px and math.isclose(log_px - elbo, kl_post, rel_tol=1e-9)


def test_elbo_bound_holds_for_random_encoders():
    rng = np.random.default_rng(12)
    for _ in range(200):
        k = rng.integers(2, 6)
        prior, lik, enc = rng.dirichlet(np.ones(k)), rng.uniform(0.01, 1, k), rng.dirichlet(np.ones(k))
        elbo = np.sum(enc * np.log(lik)) - np.sum(enc * np.log(enc / prior))
        assert elbo <= math.log(np.sum(lik * prior)) + 1e-12


# -- VAE ------------------------------------------------------------------------------------

def test_reparametrised_sample_has_the_encoder_distribution_and_its_derivative(qs):
    q = qs["l12-vae"]
    zp, dp = part(q, "z"), part(q, "dz")
    rng = np.random.default_rng(0)
    mu, ell = 0.8, math.log(0.25)  # variance 0.25
    eps = rng.standard_normal(400_000)
    z = np.array([num(zp.answer, {"mu": mu, "l": ell, "eps": e}) for e in eps[:50]])
    assert np.allclose(z, mu + 0.5 * eps[:50])
    zz = mu + math.exp(ell / 2) * eps  # the bank's formula in NumPy, checked above on 50 points
    assert abs(zz.mean() - mu) < 0.01 and abs(zz.var() - 0.25) < 0.005
    h = 1e-6
    for e in (-1.2, 0.3, 2.0):
        fd = (num(zp.answer, {"mu": mu, "l": ell + h, "eps": e}) - num(zp.answer, {"mu": mu, "l": ell - h, "eps": e})) / (2 * h)
        assert math.isclose(num(dp.answer, {"mu": mu, "l": ell, "eps": e}), fd, rel_tol=1e-6)


# -- GANs -----------------------------------------------------------------------------------

def _bce(prob, label):
    return -(label * sympy.log(prob) + (1 - label) * sympy.log(1 - prob))


def test_gan_losses_are_binary_cross_entropies(qs):
    Dx, Dg = sympy.symbols("Dx Dg")
    names = ["Dx", "Dg"]
    t = qs["l12-gan-training"]
    assert same_expr(part(t, "LD").answer, _bce(Dx, 1) + _bce(Dg, 0), names)
    assert same_expr(part(t, "LG").answer, _bce(Dg, 1), names)
    m = qs["l12-gan-minmax"]
    assert same_expr(part(m, "V").answer, -(_bce(Dx, 1) + _bce(Dg, 0)), names)


def test_optimal_discriminator_maximises_the_value():
    # pointwise: maximise p log D + q log(1 - D) over D in (0, 1) -> p/(p + q), by a grid search
    for p, q in [(0.3, 0.7), (2.0, 0.5), (1.0, 1.0)]:
        grid = np.linspace(1e-4, 1 - 1e-4, 100001)
        best = grid[np.argmax(p * np.log(grid) + q * np.log(1 - grid))]
        assert abs(best - p / (p + q)) < 1e-4


def test_non_saturating_gradient_and_the_saturating_one(qs):
    l = sympy.Symbol("l")
    sig = 1 / (1 + sympy.exp(-l))
    p = part(qs["l12-gan-minmax"], "grad")
    assert same_expr(p.answer, sympy.diff(-sympy.log(sig), l), ["l"], lo=-5, hi=5)
    saturating = sympy.lambdify(l, sympy.diff(sympy.log(1 - sig), l))
    fresh = sympy.lambdify(l, sympy.diff(-sympy.log(sig), l))
    bad = math.log(0.001 / 0.999)  # D(G(z)) = 0.001: the discriminator wins easily
    assert abs(saturating(bad)) < 0.002 and abs(fresh(bad)) > 0.99
    assert any("vanishes" in w.feedback for w in p.wrong_answers)


# -- alternating SGD on x*y ----------------------------------------------------------------

def _simultaneous(x, y, a, n):
    for _ in range(n):
        x, y = x - a * y, y + a * x
    return x, y


def _alternating(x, y, a, n):
    out = []
    for _ in range(n):
        x = x - a * y
        y = y + a * x
        out.append((x, y))
    return out


def test_min_max_steps_by_simulation(qs):
    q = qs["l12-alternating-sgd"]
    for v in values(q):
        a, x0, y0 = v["a"], v["x0"], v["y0"]
        x1, _ = _simultaneous(x0, y0, a, 1)
        assert math.isclose(num(part(q, "x1").answer, v), x1)
        (_, y1), *_ = _alternating(x0, y0, a, 1)
        assert math.isclose(num(part(q, "y1").answer, v), y1)
        x20, y20 = _simultaneous(x0, y0, a, 20)
        assert math.isclose(num(part(q, "growth").answer, v), (x20**2 + y20**2) / (x0**2 + y0**2), rel_tol=1e-9)
        # alternating steps neither converge nor blow up: they orbit the equilibrium
        path = np.array(_alternating(x0, y0, a, 20000))
        r = np.hypot(path[:, 0], path[:, 1])
        assert r.min() > 0.3 * math.hypot(x0, y0) and r.max() < 5 * math.hypot(x0, y0)
        assert abs(np.linalg.det(np.array([[1, -a], [a, 1 - a * a]])) - 1) < 1e-12


def test_every_variant_renders_its_numbers(qs):
    q = qs["l12-alternating-sgd"]
    assert q.n_variants == 12
    rendered = all_variants(q)
    assert len({v.prompt for v in rendered}) == 12 and all("{{" not in v.solution for v in rendered)


def test_typical_student_spellings(qs):
    assert accepts(part(qs["l12-vae"], "z"), "μ + √(e^l) ε")
    assert accepts(part(qs["l12-gan-training"], "LG"), "-ln(Dg)")
    assert accepts(part(qs["l12-elbo"], "kl"), "(μ² + s² - 1 - ln(s²))/2")
    assert not accepts(part(qs["l12-gan-training"], "LG"), "ln(1 - Dg)")
