"""Independent checks of the Nielsen chapter-3 bank (content/nielsen_ch3.md).

The softmax claims are tested on random logits (Jacobian signs, inversion, the c → ∞ limit),
the sigmoid/tanh identities symbolically after substituting the definitions, the log-likelihood
delta and the regularised updates by differentiating the costs with SymPy, and the momentum
ranges by running the velocity recursion.
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


def retag(expr, *symbols):
    """Swap the bank's plain symbols for the test's symbols with assumptions (same names)."""
    return expr.subs({sp.Symbol(x.name): x for x in symbols})


def softmax(zz, c=1.0):
    e = np.exp(c * (zz - zz.max()))
    return e / e.sum()


def jacobian(zz, h=1e-6):
    return np.stack([(softmax(zz + h * d) - softmax(zz - h * d)) / (2 * h) for d in np.eye(zz.size)], 1)


def test_softmax_jacobian_signs_on_random_logits():
    rng = np.random.default_rng(0)
    for _ in range(20):
        J = jacobian(rng.normal(scale=3, size=5))  # J[j, k] = ∂a_j/∂z_k
        assert np.all(np.diag(J) > 0) and np.all(J[~np.eye(5, dtype=bool)] < 0)
    assert correct_labels("n3-softmax-monotone") == {"a", "b"}
    q = question("n3-softmax-monotone-proof")
    assert sum(r.points for r in q.rubric) == q.points


def test_softmax_is_non_local():
    zz = np.array([1.0, 2.0, 3.0])
    bumped = zz + np.array([0, 0, 1.0])
    assert softmax(zz)[0] != softmax(bumped)[0]  # a_1 moved although only z_3 changed
    assert correct_labels("n3-softmax-nonlocal") == {"a"}


def test_softmax_inversion_on_random_logits():
    rng = np.random.default_rng(1)
    e = expr_of("n3-softmax-invert", "diff")
    for _ in range(10):
        zz = rng.normal(scale=2, size=4)
        a = softmax(zz)
        assert close(float(e.subs({sp.Symbol("a1"): a[0], sp.Symbol("a2"): a[1]})), zz[0] - zz[1], rel=1e-7)
        C = zz - np.log(a)
        assert np.allclose(C, C[0])  # z_j = ln a_j + C with one C for all j
    assert correct_labels("n3-softmax-invert", "constant") == {"a"}


def test_sigmoid_from_tanh_and_back_symbolically():
    z = sp.Symbol("z", real=True)
    sigma = lambda u: 1 / (1 + sp.exp(-u))  # noqa: E731
    sig = expr_of("n3-sigmoid-tanh", "sig").subs(sp.Symbol("t"), sp.tanh(z / 2))
    assert sp.simplify((sig - sigma(z)).rewrite(sp.exp)) == 0
    th = expr_of("n3-sigmoid-tanh", "tanh").subs(sp.Symbol("s"), sigma(2 * z))
    assert sp.simplify((th - sp.tanh(z)).rewrite(sp.exp)) == 0
    grid = np.linspace(-6, 6, 25)
    assert np.allclose(1 / (1 + np.exp(-grid)), (1 + np.tanh(grid / 2)) / 2)


def test_log_likelihood_delta_is_a_minus_y():
    z1, z2, z3 = sp.symbols("z1 z2 z3")
    zs = (z1, z2, z3)
    den = sum(sp.exp(v) for v in zs)
    a = [sp.exp(v) / den for v in zs]
    y = [0, 1, 0]  # gold class 2
    C = -sp.log(a[1])
    for j in range(3):
        assert sp.simplify(sp.diff(C, zs[j]) - (a[j] - y[j])) == 0
    q = question("n3-softmax-loglik-delta")
    assert sum(r.points for r in q.rubric) == q.points


def test_momentum_ranges_by_running_the_velocity():
    def run(mu, steps=20):
        v, out = 1.0, []
        for _ in range(steps):
            v = mu * v - 0.0  # zero gradient
            out.append(v)
        return np.array(out)
    assert abs(run(1.1)[-1]) > 5  # μ > 1 blows up
    signs = np.sign(run(-0.5))
    assert np.all(signs[1:] == -signs[:-1])  # μ < 0 flips sign every step
    assert run(0.0)[-1] == 0 and run(1.0)[-1] == 1
    assert correct_labels("n3-momentum-range", "big") == {"a"}
    assert correct_labels("n3-momentum-range", "neg") == {"b"}
    assert correct_labels("n3-momentum-range", "zero") == {"a"}


@pytest.mark.parametrize("v", variants(question("n3-momentum-decay")))
def test_velocity_after_t_steps_without_gradient(v):
    vel = 1.0
    for _ in range(int(v["t"])):
        vel = v["mu"] * vel - 0.3 * 0.0
    assert close(num(part("n3-momentum-decay").answer, v), vel)


def test_gradient_with_respect_to_lambda():
    s, n, lam, C0 = sp.symbols("s n lam C0", positive=True)
    C = C0 + lam / (2 * n) * s
    assert sp.simplify(sp.diff(C, lam) - retag(expr_of("n3-hyper-lambda", "grad"), s, n, lam)) == 0
    assert correct_labels("n3-hyper-lambda", "effect") == {"a"}
    assert correct_labels("n3-hyper-eta") == {"a"}


def test_l1_and_l2_updates_by_differentiating_the_costs():
    d, eta, lam, n = sp.symbols("d eta lam n", positive=True)
    for pid, w in (("pos", sp.Symbol("w", positive=True)), ("neg", sp.Symbol("w", negative=True))):
        C = d * w + lam / n * sp.Abs(w)  # C0 linearised: ∂C0/∂w = d
        key = retag(expr_of("n3-l1-update", pid), w, d, eta, lam, n)
        assert sp.simplify(w - eta * sp.diff(C, w) - key) == 0, pid
    w = sp.Symbol("w")
    C2 = d * w + lam / (2 * n) * w**2
    assert sp.simplify(w - eta * sp.diff(C2, w) - retag(expr_of("n3-l1-update", "l2"), d, eta, lam, n)) == 0


def test_l1_shrinks_small_weights_more_and_large_weights_less():
    eta, lam, n = 0.5, 5.0, 100.0
    l1 = lambda w: eta * lam / n  # noqa: E731  shrink per step, data term ignored
    l2 = lambda w: eta * lam / n * w  # noqa: E731
    assert l1(0.1) > l2(0.1) and l1(10.0) < l2(10.0)
    w = 1.0
    for _ in range(100):  # L2 alone never reaches zero
        w *= 1 - eta * lam / n
    assert w > 0
    assert correct_labels("n3-l1-vs-l2") == {"a", "b", "c"}


@pytest.mark.parametrize("v", variants(question("n3-dropout-halve")))
def test_test_time_factor_matches_the_training_expectation(v):
    p = v["p"]
    expected_training_input = (1 - p) * 1.0 + p * 0.0  # per unit of full contribution
    assert close(num(part("n3-dropout-halve").answer, v), expected_training_input)
    assert correct_labels("n3-dropout-heuristic") == {"a", "b"}


def test_softmax_with_large_c_tends_to_the_hard_max():
    zz = np.array([0.3, 1.2, -0.5, 1.1])
    assert np.allclose(softmax(zz, c=1e4), np.eye(4)[1])
    assert np.allclose(softmax(zz, c=1e-6), 0.25, atol=1e-5)
    assert correct_labels("n3-softmax-temperature") == {"a"}
