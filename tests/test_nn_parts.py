"""Exact and statistical tests of quizlib.nn's parts: dropout, targets, Glorot, batch norm, SGD conventions."""
from __future__ import annotations

import math

import numpy as np
import pytest

from quizlib import errors, nn


# --- dropout ---

@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_expectation_and_drop_fraction(p):
    rng = np.random.default_rng(0)
    x = np.linspace(-2, 3, 50)
    T = 4000
    ys = np.stack([nn.dropout(x, p, rng) for _ in range(T)])  # (T, 50)
    # each entry is x/(1−p) with prob 1−p, else 0: mean x, std |x|·sqrt(p/(1−p)); 5 std errors
    se = np.abs(x) * math.sqrt(p / (1 - p)) / math.sqrt(T)
    assert np.all(np.abs(ys.mean(axis=0) - x) <= 5 * se + 1e-12)
    dropped = np.mean(ys[:, x != 0] == 0)
    n = T * np.count_nonzero(x)
    assert abs(dropped - p) <= 5 * math.sqrt(p * (1 - p) / n)
    kept = ys[:, 10][ys[:, 10] != 0]
    np.testing.assert_allclose(kept, x[10] / (1 - p), rtol=1e-15)  # inverted scaling


def test_dropout_is_identity_at_inference_and_never_modifies_input():
    x = np.arange(6.0)
    copy = x.copy()
    out = nn.dropout(x, 0.5, np.random.default_rng(0), train=False)
    np.testing.assert_array_equal(out, x)
    assert out is not x
    y = nn.dropout(x, 0.5, np.random.default_rng(0))
    np.testing.assert_array_equal(x, copy)
    assert y is not x


@pytest.mark.parametrize("p", [1.0, 1.5, -0.1, float("nan")])
def test_dropout_bad_p_is_config_error(p):
    with pytest.raises(errors.ConfigError, match="dropout p"):
        nn.dropout(np.ones(3), p, np.random.default_rng(0))
    with pytest.raises(errors.ConfigError):
        nn.MLP([2, 3, 2], dropout=p)


def test_dropout_changes_training_but_not_inference():
    X = np.random.default_rng(1).normal(size=(4, 3))
    mlp = nn.MLP([3, 50, 2], dropout=0.5, seed=0)
    np.testing.assert_array_equal(mlp.forward(X), mlp.forward(X))
    assert not np.allclose(mlp.forward(X, train=True), mlp.forward(X))


# --- targets ---

def test_smooth_targets_exact():
    t = nn.smooth_targets([2, 0], 4, 0.2)
    np.testing.assert_allclose(t, [[0.05, 0.05, 0.85, 0.05], [0.85, 0.05, 0.05, 0.05]], rtol=1e-15)
    np.testing.assert_allclose(t.sum(axis=1), 1.0)
    np.testing.assert_array_equal(nn.smooth_targets([1], 3, 0.0), [[0, 1, 0]])
    np.testing.assert_allclose(nn.smooth_binary_targets([0, 1], 0.1), [0.05, 0.95], rtol=1e-15)
    # the binary form is the K=2 case of the general one
    np.testing.assert_allclose(nn.smooth_targets([1], 2, 0.3)[0, 1], nn.smooth_binary_targets(1, 0.3))


def test_smooth_targets_bad_settings():
    with pytest.raises(errors.ConfigError):
        nn.smooth_targets([3], 3, 0.1)
    with pytest.raises(errors.ConfigError):
        nn.smooth_targets([0], 3, 1.5)


# --- Glorot and the 784-input example ---

def test_glorot_bound_and_samples():
    assert nn.glorot_bound(784, 100) == pytest.approx(math.sqrt(6 / 884), rel=1e-15)  # 0.0823853
    assert nn.glorot_bound(784, 100) == pytest.approx(0.0823853, abs=1e-7)
    W = nn.glorot_uniform(784, 100, np.random.default_rng(0))
    a = nn.glorot_bound(784, 100)
    assert W.shape == (784, 100) and np.abs(W).max() <= a and np.abs(W).max() > 0.99 * a
    # Var U[−a, a] = a²/3 = 2/(m+n); 78,400 samples: relative std error of a variance ≈ 0.4%
    assert W.var() == pytest.approx(2 / 884, rel=0.03)
    with pytest.raises(errors.ConfigError):
        nn.glorot_bound(0, 10)


@pytest.mark.parametrize("init,var", [("normal", 393.0), ("scaled_normal", 1.5)])
def test_784_input_example_variance_of_z(init, var):
    # half the 784 inputs are 1, half 0; bias ~ N(0, 1) as in the material: var(z) = 392·var(w) + 1
    rng = np.random.default_rng(0)
    x = np.r_[np.ones(392), np.zeros(392)]
    S = 4000
    std = 1.0 if init == "normal" else math.sqrt(1 / 784)
    W = nn.init_weight(784, S, init, rng)  # (784, S): S independent neurons
    assert W.std() == pytest.approx(std, rel=0.01)
    z = x @ W + rng.normal(size=S)
    # the sample variance of S normals has relative std sqrt(2/S) ≈ 2.2%; allow 4 of them
    assert z.var() == pytest.approx(var, rel=4 * math.sqrt(2 / S))


def test_inits_have_the_stated_scale():
    rng = np.random.default_rng(0)
    assert nn.init_weight(200, 300, "he", rng).std() == pytest.approx(math.sqrt(2 / 200), rel=0.02)
    mlp = nn.MLP([5, 4, 3], init="normal")
    assert all(np.all(b == 0) for b in mlp.biases)
    assert [W.shape for W in mlp.weights] == [(5, 4), (4, 3)]


# --- batch norm ---

def test_batchnorm_train_mode_exact():
    z = np.array([[1.0, 2.0], [3.0, 6.0]])
    out, rm, rv = nn.batchnorm(z, np.ones(2), np.zeros(2), np.zeros(2), np.ones(2), momentum=0.1, eps=0.0)
    np.testing.assert_allclose(out, [[-1, -1], [1, 1]], rtol=1e-15)  # μ=(2,4), σ²=(1,4)
    np.testing.assert_allclose(rm, [0.2, 0.4], rtol=1e-15)  # 0.9·0 + 0.1·μ
    np.testing.assert_allclose(rv, [0.9 + 0.1 * 2, 0.9 + 0.1 * 8], rtol=1e-15)  # σ²·B/(B−1) = 2σ²


def test_batchnorm_eval_mode_uses_running_statistics_and_gamma_beta():
    z = np.array([[3.0], [5.0], [7.0]])
    out, rm, rv = nn.batchnorm(z, [3.0], [1.0], [1.0], [4.0], train=False, eps=0.0)
    np.testing.assert_allclose(out, [[4.0], [7.0], [10.0]])  # 3·(z−1)/sqrt(4) + 1
    np.testing.assert_array_equal(rm, [1.0])
    np.testing.assert_array_equal(rv, [4.0])


def test_running_statistics_converge_to_population_values():
    rng = np.random.default_rng(0)
    rm, rv = np.zeros(1), np.ones(1)
    for _ in range(3000):
        _, rm, rv = nn.batchnorm(rng.normal(2.0, 3.0, size=(4, 1)), [1.0], [0.0], rm, rv, momentum=0.05)
    # the unbiased B/(B−1) makes the running variance estimate 9, not (3/4)·9 = 6.75
    assert rm[0] == pytest.approx(2.0, abs=0.3)
    assert rv[0] == pytest.approx(9.0, rel=0.12)


def test_batchnorm_bad_settings():
    with pytest.raises(errors.ConfigError, match="at least 2"):
        nn.batchnorm(np.ones((1, 3)), 1, 0, 0, 1)
    with pytest.raises(errors.ConfigError, match="momentum"):
        nn.batchnorm(np.ones((2, 3)), 1, 0, 0, 1, momentum=1.5)
    mlp = nn.MLP([2, 3, 2], batchnorm=True)
    with pytest.raises(errors.ConfigError):
        mlp.loss_and_grads(np.ones((1, 2)), [0])
    mlp.forward(np.ones((1, 2)))  # eval mode on one sample is fine


# --- SGD conventions ---

def _data():
    rng = np.random.default_rng(2)
    return rng.normal(size=(16, 3)), rng.integers(0, 3, 16)


def test_weight_decay_equals_l2_for_plain_sgd_bit_for_bit():
    X, y = _data()
    a = nn.MLP([3, 8, 3], seed=1)
    b = nn.MLP([3, 8, 3], seed=1)
    for _ in range(25):
        _, gw, gb = a.loss_and_grads(X, y, l2=0.05)
        nn.sgd_step(a, gw, gb, 0.3)
        _, gw, gb = b.loss_and_grads(X, y)
        nn.sgd_step(b, gw, gb, 0.3, weight_decay=0.05)
    for Wa, Wb in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_array_equal(Wa, Wb)
    c = nn.MLP([3, 8, 3], seed=1)
    for _ in range(25):
        _, gw, gb = c.loss_and_grads(X, y)
        nn.sgd_step(c, gw, gb, 0.3)
    assert not np.allclose(a.weights[0], c.weights[0])  # and the decay did something


def test_sgd_step_in_place_and_biases_not_decayed():
    mlp = nn.MLP([2, 2], output="linear")
    W, b = mlp.weights[0], mlp.biases[0]
    b[:] = 1.0
    W0 = W.copy()
    nn.sgd_step(mlp, [np.zeros((2, 2))], [np.zeros(2)], lr=0.1, weight_decay=0.5)
    assert mlp.weights[0] is W and mlp.biases[0] is b
    np.testing.assert_allclose(W, 0.95 * W0, rtol=1e-15)  # (1 − ηλ) per step
    np.testing.assert_array_equal(b, 1.0)


def test_decay_without_learning_rate_is_l2_with_lambda_over_lr():
    assert nn.l2_from_decay(0.01, 0.5) == pytest.approx(0.02)
    X, y = _data()
    a, b = nn.MLP([3, 5, 3], seed=4), nn.MLP([3, 5, 3], seed=4)
    for _ in range(20):
        _, gw, gb = a.loss_and_grads(X, y)
        nn.decay_step(a, gw, gb, lr=0.5, decay=0.01)  # W ← (1−λ′)W − η·g
        _, gw, gb = b.loss_and_grads(X, y, l2=0.01 / 0.5)
        nn.sgd_step(b, gw, gb, lr=0.5)
    for Wa, Wb in zip(a.weights, b.weights):
        np.testing.assert_allclose(Wa, Wb, rtol=1e-12)
    m = nn.MLP([2, 2], output="linear")
    W0 = m.weights[0].copy()
    nn.decay_step(m, [np.zeros((2, 2))], [np.zeros(2)], lr=0.5, decay=0.01)
    np.testing.assert_allclose(m.weights[0], 0.99 * W0, rtol=1e-14)


@pytest.mark.parametrize("lr", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_learning_rate(lr):
    mlp = nn.MLP([2, 2])
    with pytest.raises(errors.ConfigError, match="learning rate"):
        nn.sgd_step(mlp, [np.zeros((2, 2))], [np.zeros(2)], lr)


def test_negative_or_nan_regularisation_is_config_error():
    X, y = _data()
    mlp = nn.MLP([3, 4, 3])
    for bad in (-0.1, float("nan")):
        with pytest.raises(errors.ConfigError, match="l2"):
            mlp.loss_and_grads(X, y, l2=bad)
        with pytest.raises(errors.ConfigError, match="weight_decay"):
            nn.sgd_step(mlp, [np.zeros_like(W) for W in mlp.weights], [np.zeros_like(b) for b in mlp.biases],
                        0.1, weight_decay=bad)


def test_seed_determinism():
    X, y = _data()
    runs = []
    for _ in range(2):
        mlp = nn.MLP([3, 6, 3], seed=7, dropout=0.3)
        rng = np.random.default_rng(9)
        for _ in range(10):
            loss, gw, gb = mlp.loss_and_grads(X, y, rng=rng)
            nn.sgd_step(mlp, gw, gb, 0.1)
        runs.append((loss, mlp.weights[0].copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert not np.array_equal(nn.MLP([3, 6, 3], seed=7).weights[0], nn.MLP([3, 6, 3], seed=8).weights[0])


@pytest.mark.parametrize("kwargs,match", [
    (dict(sizes=[3]), "sizes"), (dict(sizes=[3, 0, 2]), "sizes"), (dict(hidden="gelu"), "activation"),
    (dict(output="softplus"), "output"), (dict(init="xavier"), "init"),
    (dict(output="linear", loss="ce"), "loss"), (dict(output="softmax", loss="mse"), "loss"),
    (dict(momentum=2.0, batchnorm=True), "momentum"),
])
def test_bad_mlp_settings(kwargs, match):
    kw = dict(sizes=[3, 4, 2]) | kwargs
    with pytest.raises(errors.ConfigError, match=match):
        nn.MLP(**kw)


def test_bad_data():
    mlp = nn.MLP([3, 4, 2])
    X = np.ones((2, 3))
    with pytest.raises(errors.ConfigError, match="out of range"):
        mlp.loss_and_grads(X, [0, 2])
    with pytest.raises(errors.ConfigError, match="X must be"):
        mlp.loss_and_grads(np.ones((2, 4)), [0, 1])
    with pytest.raises(errors.ConfigError, match="targets"):
        mlp.loss_and_grads(X, [0, 1, 1])
    with pytest.raises(errors.ConfigError, match="linear"):
        nn.MLP([3, 2], output="linear").loss_and_grads(X, np.zeros((2, 2)), label_smoothing=0.1)
    with pytest.raises(errors.ConfigError, match="targets must be"):
        nn.MLP([3, 2], output="sigmoid").loss_and_grads(X, [0, 1])  # (N,) for two outputs
    with pytest.raises(errors.ConfigError, match="sigmoid targets"):
        nn.MLP([3, 1], output="sigmoid").loss_and_grads(X, [0, 2])


@pytest.mark.parametrize("labels", [[-1, 0], np.array([0, -3], dtype=np.int32), np.array([2, 0], dtype=np.uint8)])
def test_labels_out_of_range_at_either_end(labels):
    # the range check is one pass over the labels viewed as unsigned: negative ones must fail too
    with pytest.raises(errors.ConfigError, match=r"out of range.*\[0, 1\]"):
        nn.MLP([3, 4, 2]).loss_and_grads(np.ones((2, 3)), labels)


def test_dropout_is_checked_when_set_and_a_bad_value_changes_nothing():
    mlp = nn.MLP([3, 4, 2], dropout=0.2)
    with pytest.raises(errors.ConfigError, match="dropout p"):
        mlp.dropout = 1.0  # checked here once, not again on every training step
    assert mlp.dropout == 0.2
    mlp.dropout = 0.5
    assert mlp.dropout == 0.5


@pytest.mark.parametrize("output,loss,alpha", [("softmax", "ce", 0.0), ("softmax", "ce", 0.3), ("sigmoid", "ce", 0.2),
                                               ("sigmoid", "mse", 0.1), ("linear", "mse", 0.0)])
def test_backprop_on_checked_targets_is_loss_and_grads_bit_for_bit(output, loss, alpha):
    rng = np.random.default_rng(8)
    X = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, 6) if output == "softmax" else rng.integers(0, 2, (6, 2)).astype(float)
    a, b = (nn.MLP([3, 5, 2], output=output, loss=loss, dropout=0.3, batchnorm=True, seed=1) for _ in range(2))
    la, gwa, gba = a.loss_and_grads(X, y, l2=0.1, label_smoothing=alpha, rng=np.random.default_rng(3))
    lb, gwb, gbb = b.backprop(X, b.targets(y, alpha), 0.1, alpha, np.random.default_rng(3))
    assert la == lb
    for g, h in zip(gwa + gba + a.bn_grads[0] + a.bn_grads[1], gwb + gbb + b.bn_grads[0] + b.bn_grads[1]):
        np.testing.assert_array_equal(g, h)


def test_smoothed_losses_use_the_smoothed_targets():
    # the step builds (1−α)·one-hot + α/K inline; it must be smooth_targets' t (and y(1−α)+α/2 for sigmoid)
    z = np.array([[1.0, -0.5, 2.0], [0.3, 0.1, -1.0]])
    t = nn.smooth_targets([2, 0], 3, 0.3)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss, dz = nn.softmax_ce(z, np.array([2, 0]), 0.3)
    assert loss == pytest.approx(-(t * logp).sum() / 2, rel=1e-14)
    np.testing.assert_allclose(dz, (np.exp(logp) - t) / 2, rtol=1e-13)
    mlp = nn.MLP([1, 1], output="sigmoid")
    zs, ys = np.array([[0.7], [-1.2]]), np.array([[1.0], [0.0]])
    assert mlp.data_loss(zs, ys, 0.2)[0] == mlp.data_loss(zs, nn.smooth_binary_targets(ys, 0.2))[0]


def test_divergence_message():
    assert nn.divergence_message(0.3, 5) is None
    assert nn.divergence_message(float("nan"), 17) == (
        "diverged (loss became NaN at step 17) — lower the learning rate")
    assert "infinite" in nn.divergence_message(float("inf"), 2)
    assert nn.divergence_message(900.0, 3, reference=0.7) is None  # below 1000·max(ref, 1)
    assert nn.divergence_message(1500.0, 3, reference=0.7) == (
        "diverged (loss grew from 0.7 to 1.5e+03 by step 3) — lower the learning rate")
    mlp = nn.MLP([1, 8, 1], output="linear", init="normal", seed=0)
    X = np.linspace(-3, 3, 32)[:, None]
    step, message = 0, None
    with np.errstate(all="ignore"):
        while message is None and step < 200:
            step += 1
            loss, gw, gb = mlp.loss_and_grads(X, 100 * X)
            message = nn.divergence_message(loss, step)
            nn.sgd_step(mlp, gw, gb, lr=10.0)  # far too large: the loss overflows
    assert message is not None and f"step {step}" in message
