"""Independent checks of the optimisation bank (content/optimisation.md).

Minibatch noise is simulated, the Robbins–Monro conditions are decided by SymPy's series
convergence test, SGD and Nesterov steps come from differentiating the loss, momentum is checked
against PyTorch's convention and a long simulation, and AdaGrad, RMSProp and Adam are run as
written in Goodfellow et al. (Algorithms 8.4, 8.5, 8.7) on random numbers.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from test_content_course import close, num, part, question, sym, sym_names, variants


def correct_labels(qid, pid=""):
    return {c.label for c in part(qid, pid).choices if c.correct}


def expr_of(qid, pid=""):
    p = part(qid, pid)
    return sym(p.answer, sym_names(p))


def at(expr, **values):
    return float(expr.subs({sp.Symbol(k): v for k, v in values.items()}))


def test_minibatch_mean_is_unbiased_and_epoch_has_n_over_b_updates():
    rng = np.random.default_rng(0)
    grads = rng.normal(2.0, 3.0, size=1000)
    means = [grads[rng.integers(1000, size=32)].mean() for _ in range(4000)]
    assert abs(np.mean(means) - grads.mean()) < 0.05
    assert len(range(0, 1000, 50)) == 1000 // 50
    assert correct_labels("opt-gd-variants") == {"a", "b", "c"}


@pytest.mark.parametrize("v", variants(question("opt-minibatch-noise")))
def test_minibatch_noise_by_simulation(v):
    rng = np.random.default_rng(int(v["B1"] * v["B2"]))
    population = rng.normal(0, 1, size=100_000)
    population *= v["s"] * np.sqrt(v["B1"]) / population.std()  # batch-B1 std is s
    def batch_std(B, draws=3000):
        return population[rng.integers(population.size, size=(draws, int(B)))].mean(axis=1).std()
    assert np.isclose(batch_std(v["B1"]), v["s"], rtol=0.05)
    assert np.isclose(num(part("opt-minibatch-noise").answer, v), batch_std(v["B2"]), rtol=0.05)


def test_robbins_monro_choices_by_sympy_convergence():
    t = sp.Symbol("t", positive=True, integer=True)
    schedules = {"a": sp.Rational(1, 100), "b": 1 / t, "c": 1 / sp.sqrt(t), "d": 1 / t**2,
                 "e": t ** sp.Rational(-3, 4)}
    ok = set()
    for label, eta in schedules.items():
        diverges = sp.Sum(eta, (t, 1, sp.oo)).is_convergent() is sp.false
        squares_converge = sp.Sum(eta**2, (t, 1, sp.oo)).is_convergent() is sp.true
        if diverges and squares_converge:
            ok.add(label)
    assert ok == correct_labels("opt-robbins-monro") == {"b", "e"}
    texts = {c.label: c.text for c in part("opt-robbins-monro").choices}
    assert "1/t$" in texts["b"] and "3/4" in texts["e"]


@pytest.mark.parametrize("v", variants(question("opt-sgd-step-linear")))
def test_linear_sgd_step_with_a_finite_difference_gradient(v):
    w, x, y, eta, h = v["w"], v["x"], v["y"], v["eta"], 1e-6
    loss = lambda w: (w * x + 0.5 - y) ** 2  # noqa: E731
    grad = (loss(w + h) - loss(w - h)) / (2 * h)
    assert np.isclose(num(part("opt-sgd-step-linear").answer, v), w - eta * grad, atol=1e-8)


def test_momentum_matches_pytorchs_convention():
    # PyTorch: buf = mu*buf + g; theta -= eta*buf. With v = -eta*buf this is v' = mu*v - eta*g.
    buf, g, theta, eta, mu = sp.symbols("buf g theta eta mu")
    v_new = expr_of("opt-momentum", "v").subs(sp.Symbol("v"), -eta * buf)
    assert sp.simplify(v_new - (-eta * (mu * buf + g))) == 0
    theta_new = expr_of("opt-momentum", "theta").subs(sp.Symbol("v"), -eta * buf)
    assert sp.simplify(theta_new - (theta - eta * (mu * buf + g))) == 0


def test_nesterov_and_classical_momentum_from_the_gradient_of_the_loss():
    theta, v, k, eta, mu = sp.symbols("theta v k eta mu")
    grad = sp.diff(k / 2 * theta**2, theta)
    classical = mu * v - eta * grad
    nesterov = mu * v - eta * grad.subs(theta, theta + mu * v)
    assert sp.simplify(expr_of("opt-nesterov", "classical") - classical) == 0
    assert sp.simplify(expr_of("opt-nesterov", "nesterov") - nesterov) == 0


@pytest.mark.parametrize("v", variants(question("opt-momentum-gain")))
def test_momentum_gain_by_simulation(v):
    mu, eta, g, vel = v["mu"], 0.1, 2.0, 0.0
    for _ in range(5000):
        vel = mu * vel - eta * g
    assert np.isclose(num(part("opt-momentum-gain").answer, v), vel / (-eta * g), rtol=1e-6)


def test_adagrad_as_in_goodfellow_algorithm_8_4():
    rng = np.random.default_rng(1)
    r_e, th_e = expr_of("opt-adagrad", "r"), expr_of("opt-adagrad", "theta")
    for _ in range(10):
        r, g, theta, eta, eps = rng.uniform(0.1, 5), rng.normal(), rng.normal(), 0.1, 1e-7
        r_new = r + g * g  # accumulate squared gradient
        theta_new = theta - eta / (eps + np.sqrt(r_new)) * g
        assert close(at(r_e, r=r, g=g), r_new)
        assert close(at(th_e, r=r, g=g, theta=theta, eta=eta, eps=eps), theta_new)


def test_rmsprop_as_in_goodfellow_algorithm_8_5():
    rng = np.random.default_rng(2)
    e = expr_of("opt-rmsprop")
    for rho in (0.9, 0.99):
        r, g = rng.uniform(0, 2), rng.normal()
        assert close(at(e, r=r, g=g, rho=rho), rho * r + (1 - rho) * g * g)
    assert correct_labels("opt-adagrad-vs-rmsprop") == {"a", "b", "c"}


@pytest.mark.parametrize("v", variants(question("opt-adam-bias")))
def test_adam_corrected_moments_by_running_adam(v):
    b1, m, hats = v["b1"], 0.0, []
    for t, g in enumerate((v["g1"], v["g2"]), start=1):
        m = b1 * m + (1 - b1) * g
        hats.append(m / (1 - b1**t))
    assert close(num(part("opt-adam-bias", "m1").answer, v), hats[0])
    assert close(num(part("opt-adam-bias", "m2").answer, v), hats[1])


def test_adam_vhat_is_unbiased_for_a_constant_gradient():
    e = expr_of("opt-adam-vhat")
    for b2 in (0.9, 0.999):
        v, g = 0.0, 1.7
        for t in range(1, 30):
            v = b2 * v + (1 - b2) * g * g
            assert close(at(e, v=v, b2=b2, t=t), g * g, rel=1e-9)


@pytest.mark.parametrize("v", variants(question("opt-gd-stable-rate")))
def test_stable_rate_by_running_gradient_descent(v):
    k, limit = v["k"], num(part("opt-gd-stable-rate").answer, v)
    def final(eta, theta=1.0):
        for _ in range(2000):
            theta -= eta * k * theta
        return abs(theta)
    assert final(0.99 * limit) < 1e-3 and final(1.01 * limit) > 1e3


def test_newton_step_lands_on_the_minimum():
    theta, c = sp.symbols("theta c")
    k = sp.Symbol("k", positive=True)
    L = k / 2 * (theta - c) ** 2
    step = theta - sp.diff(L, theta) / sp.diff(L, theta, 2)
    key = expr_of("opt-newton-step").subs(sp.Symbol("k"), k)
    assert sp.simplify(step - key) == 0
