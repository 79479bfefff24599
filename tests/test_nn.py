"""Gradient checks and hand-computed values for quizlib.nn's MLP.

Every hand-written backward pass is compared with central finite differences
(relative error ‖a−n‖/(‖a‖+‖n‖) per parameter array, as in CS231n's gradient_check, float64); losses are
checked against values computed by hand from the material.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from quizlib import nn

H = 1e-6


def rel_error(a, n):
    """‖a−n‖/(‖a‖+‖n‖): per array, so an entry of 1e-7 drowned in difference noise does not dominate."""
    a, n = np.asarray(a), np.asarray(n)
    return float(np.linalg.norm(a - n) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(n)))


def numerical(f, params, h=H):
    """Central differences of f() w.r.t. every entry of every array in params (modified in place)."""
    out = []
    for P in params:
        g = np.zeros_like(P)
        for idx in np.ndindex(P.shape):
            old = P[idx]
            P[idx] = old + h
            fp = f()
            P[idx] = old - h
            fm = f()
            P[idx] = old
            g[idx] = (fp - fm) / (2 * h)
        out.append(g)
    return out


def targets(output, loss, N, K, rng):
    if output == "softmax":
        return rng.integers(0, K, size=N)
    if output == "sigmoid":
        return rng.integers(0, 2, size=(N, K)).astype(float)
    return rng.normal(size=(N, K))


COMBOS = [("softmax", "ce"), ("sigmoid", "ce"), ("sigmoid", "mse"), ("linear", "mse")]


def check_grads(mlp, X, y, **kw):
    seed = kw.pop("mask_seed", None)

    def f():
        rng = None if seed is None else np.random.default_rng(seed)  # same mask in every pass
        return mlp.loss_and_grads(X, y, rng=rng, **kw)[0]

    rng = None if seed is None else np.random.default_rng(seed)
    _, gw, gb = mlp.loss_and_grads(X, y, rng=rng, **kw)
    dg, db = mlp.bn_grads
    analytic = gw + gb + dg + db
    num = numerical(f, mlp.weights + mlp.biases + mlp.gammas + mlp.betas)
    for a, n in zip(analytic, num):
        assert a.shape == n.shape
        # a bias feeding batch norm has gradient exactly 0 (the batch mean removes it): compare absolutely
        assert rel_error(a, n) < 1e-7 or np.abs(a - n).max() < 1e-9, rel_error(a, n)


@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("output,loss", COMBOS)
def test_gradients_every_combination(hidden, output, loss):
    rng = np.random.default_rng(3)
    K = 3
    mlp = nn.MLP([4, 5, 6, K], hidden=hidden, output=output, loss=loss, init="glorot", seed=1)
    for b in mlp.biases:
        b[:] = rng.normal(scale=0.1, size=b.shape)  # non-zero biases exercise their gradients
    X = rng.normal(size=(7, 4))
    y = targets(output, loss, 7, K, rng)
    check_grads(mlp, X, y)
    check_grads(mlp, X, y, l2=0.3)


@pytest.mark.parametrize("output,loss", [("softmax", "ce"), ("sigmoid", "ce"), ("sigmoid", "mse")])
def test_gradients_with_label_smoothing(output, loss):
    rng = np.random.default_rng(4)
    mlp = nn.MLP([3, 6, 4], hidden="tanh", output=output, loss=loss, seed=2)
    X = rng.normal(size=(5, 3))
    check_grads(mlp, X, targets(output, loss, 5, 4, rng), label_smoothing=0.2, l2=0.05)


@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh"])
def test_gradients_with_dropout_fixed_mask(hidden):
    rng = np.random.default_rng(5)
    mlp = nn.MLP([3, 8, 8, 3], hidden=hidden, seed=3, dropout=0.4)
    X = rng.normal(size=(6, 3))
    check_grads(mlp, X, rng.integers(0, 3, 6), mask_seed=11, l2=0.1)


@pytest.mark.parametrize("hidden,output,loss", [("relu", "softmax", "ce"), ("sigmoid", "sigmoid", "ce"),
                                                ("tanh", "linear", "mse"), ("sigmoid", "sigmoid", "mse")])
def test_gradients_with_batchnorm(hidden, output, loss):
    rng = np.random.default_rng(6)
    mlp = nn.MLP([3, 5, 4, 2], hidden=hidden, output=output, loss=loss, seed=4, batchnorm=True)
    for g, b in zip(mlp.gammas, mlp.betas):
        g[:] = rng.uniform(0.5, 1.5, g.shape)
        b[:] = rng.normal(scale=0.3, size=b.shape)
    X = rng.normal(size=(6, 3))
    check_grads(mlp, X, targets(output, loss, 6, 2, rng))


def test_gradients_batchnorm_and_dropout_together():
    rng = np.random.default_rng(7)
    mlp = nn.MLP([3, 6, 6, 3], hidden="relu", seed=5, batchnorm=True, dropout=0.3)
    X = rng.normal(size=(8, 3))
    check_grads(mlp, X, rng.integers(0, 3, 8), mask_seed=2, label_smoothing=0.1, l2=0.01)


def test_batchnorm_layer_backward_eval_mode():
    rng = np.random.default_rng(8)
    z, gamma, beta = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=3)
    rm, rv = rng.normal(size=3), rng.uniform(0.5, 2, 3)
    dout = rng.normal(size=(4, 3))
    for train in (True, False):
        out, _, _, cache = nn.batchnorm_forward(z, gamma, beta, rm, rv, train)
        dz, dg, db = nn.batchnorm_backward(dout, cache)
        f = lambda: float((nn.batchnorm_forward(z, gamma, beta, rm, rv, train)[0] * dout).sum())
        nz, ng, nb = numerical(f, [z, gamma, beta])
        assert rel_error(dz, nz) < 1e-6 and rel_error(dg, ng) < 1e-6 and rel_error(db, nb) < 1e-6


# --- hand-computed losses from the material ---

def neuron(w, b, output="sigmoid", loss="ce"):
    mlp = nn.MLP([1, 1], output=output, loss=loss)
    mlp.weights[0][:] = w
    mlp.biases[0][:] = b
    return mlp


def test_single_neuron_at_06_09_mse_and_ce():
    # x = 1, y = 0: z = 0.6 + 0.9 = 1.5, a = σ(1.5) = 1/(1+e^−1.5) = 0.8175744761936437
    a = 1 / (1 + math.exp(-1.5))
    assert a == pytest.approx(0.8175744761936437, rel=1e-15)
    X, y = np.array([[1.0]]), np.array([[0.0]])
    loss, gw, gb = neuron(0.6, 0.9, loss="mse").loss_and_grads(X, y)
    assert loss == pytest.approx(0.5 * a**2, rel=1e-12)  # ½(a−y)² = 0.334214
    assert loss == pytest.approx(0.33421401, abs=1e-8)
    assert gw[0][0, 0] == pytest.approx(a * a * (1 - a), rel=1e-10)  # (a−y)σ'(z)x = aσ'(z) = 0.121907
    loss, gw, gb = neuron(0.6, 0.9, loss="ce").loss_and_grads(X, y)
    assert loss == pytest.approx(-math.log(1 - a), rel=1e-12)  # −ln(1−a) = 1.701413
    assert loss == pytest.approx(1.70141328, abs=1e-8)
    assert gw[0][0, 0] == pytest.approx(a, rel=1e-12) and gb[0][0] == pytest.approx(a, rel=1e-12)  # a − y


def test_single_neuron_at_2_2_learns_slowly_under_mse():
    a = 1 / (1 + math.exp(-4.0))  # 0.98201379
    X, y = np.array([[1.0]]), np.array([[0.0]])
    _, gw_mse, _ = neuron(2, 2, loss="mse").loss_and_grads(X, y)
    _, gw_ce, _ = neuron(2, 2, loss="ce").loss_and_grads(X, y)
    assert gw_mse[0][0, 0] == pytest.approx(a * a * (1 - a), rel=1e-10)  # ≈ 0.01735
    assert gw_ce[0][0, 0] == pytest.approx(a, rel=1e-12)  # ≈ 0.982: ~57× larger
    assert gw_ce[0][0, 0] / gw_mse[0][0, 0] > 50


def test_softmax_ce_value_and_stability():
    mlp = nn.MLP([2, 3], output="softmax")
    mlp.weights[0][:] = 0.0
    mlp.biases[0][:] = [1.0, 2.0, 3.0]
    X = np.zeros((2, 2))
    loss, _, _ = mlp.loss_and_grads(X, np.array([2, 0]))
    lse = math.log(math.e + math.e**2 + math.e**3)
    assert loss == pytest.approx(((lse - 3) + (lse - 1)) / 2, rel=1e-12)
    mlp.biases[0][:] = [1000.0, 0.0, -1000.0]  # log-sum-exp keeps this finite
    loss, _, _ = mlp.loss_and_grads(X, np.array([0, 0]))
    assert loss == pytest.approx(0.0, abs=1e-12)
    loss, _, _ = mlp.loss_and_grads(X, np.array([1, 1]))
    assert loss == pytest.approx(1000.0, rel=1e-12)


def test_linear_mse_and_l2_values():
    mlp = nn.MLP([1, 2], output="linear")
    mlp.weights[0][:] = [[1.0, -2.0]]
    X, y = np.array([[1.0], [2.0]]), np.array([[0.0, 0.0], [1.0, 1.0]])
    # outputs [[1, −2], [2, −4]]; ½Σ(o−t)² per row: ½(1+4)=2.5 and ½(1+25)=13; mean 7.75; + (0.1/2)·5
    loss, _, _ = mlp.loss_and_grads(X, y, l2=0.1)
    assert loss == pytest.approx(7.75 + 0.25, rel=1e-12)


def test_smoothed_softmax_loss_value():
    mlp = nn.MLP([1, 2], output="softmax")
    mlp.weights[0][:] = 0.0
    loss, _, _ = mlp.loss_and_grads(np.zeros((1, 1)), np.array([0]), label_smoothing=0.5)
    assert loss == pytest.approx(math.log(2), rel=1e-12)  # uniform p: −Σt log ½ = ln 2 for any t


def test_forward_shapes_and_outputs():
    X = np.random.default_rng(0).normal(size=(5, 3))
    for output in ("softmax", "sigmoid", "linear"):
        out = nn.MLP([3, 4, 2], output=output).forward(X)
        assert out.shape == (5, 2)
    p = nn.MLP([3, 4, 2], output="softmax").forward(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("hidden,output", [("relu", "softmax"), ("tanh", "softmax")])
def test_training_reduces_loss(hidden, output):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    mlp = nn.MLP([2, 16, 2], hidden=hidden, output=output, init="he", seed=0)
    first = mlp.loss_and_grads(X, y)[0]
    for _ in range(300):
        loss, gw, gb = mlp.loss_and_grads(X, y)
        nn.sgd_step(mlp, gw, gb, 0.5)
    assert loss < 0.5 * first
