"""Independent checks of every variant of the numeric drills (content/drills.md).

Each key is recomputed without its formula: weight arrays are built and counted, windows are
slid over padded arrays, dropout masks and label vectors are enumerated, Adam and RMSProp are run
for a step, the SGD gradient comes from central differences, and batch statistics from NumPy.
"""
from __future__ import annotations

import numpy as np
import pytest

from test_content_course import close, num, part, question, variants


def each(qid):
    return [pytest.param(v, id=f"{qid}-{i}") for i, v in enumerate(variants(question(qid)))]


def test_every_drill_has_seeded_variants():
    for q in (question(i) for i in ("drill-glorot-bound", "drill-conv-output", "drill-adam-first-step")):
        assert q.n_variants >= 6


@pytest.mark.parametrize("v", each("drill-glorot-bound"))
def test_glorot_bound_gives_the_variance_2_over_fan_sum(v):
    a = num(part("drill-glorot-bound").answer, v)
    # Var U[-a, a] = a^2/3 (checked by integrating x^2/(2a) numerically) must equal 2/(m+n)
    x = np.linspace(-a, a, 200_001)
    var = np.trapezoid(x**2 / (2 * a), x)
    assert np.isclose(var, 2 / (v["m"] + v["n"]), rtol=1e-6)


@pytest.mark.parametrize("v", each("drill-glorot-normal"))
def test_glorot_normal_std(v):
    s = num(part("drill-glorot-normal").answer, v)
    assert close(s * s, 2 / (v["m"] + v["n"]))


@pytest.mark.parametrize("v", each("drill-dropout-scale"))
def test_dropout_scale_keeps_the_expectation(v):
    c, p = num(part("drill-dropout-scale").answer, v), v["p"]
    expectation = sum(prob * mask * c * 1.0 for mask, prob in ((0, p), (1, 1 - p)))
    assert close(expectation, 1.0)


@pytest.mark.parametrize("v", each("drill-dropout-expectation"))
def test_dropout_expectation_by_enumerating_the_mask(v):
    p, a = v["p"], v["a"]
    assert close(num(part("drill-dropout-expectation").answer, v), p * 0 * a + (1 - p) * 1 * a)


def test_dropout_expectation_by_simulation():
    rng = np.random.default_rng(0)
    v = variants(question("drill-dropout-expectation"))[0]
    masks = rng.random(400_000) >= v["p"]
    assert np.isclose((masks * v["a"]).mean(), num(part("drill-dropout-expectation").answer, v), rtol=0.01)


@pytest.mark.parametrize("v", each("drill-smoothed-targets"))
def test_smoothed_targets_from_the_vector(v):
    K, alpha = int(v["K"]), v["alpha"]
    onehot = np.eye(K)[0]
    g = (1 - alpha) * onehot + alpha * np.full(K, 1 / K)
    assert np.isclose(g.sum(), 1)
    assert close(num(part("drill-smoothed-targets", "gold").answer, v), g[0])
    assert close(num(part("drill-smoothed-targets", "other").answer, v), g[1])


@pytest.mark.parametrize("v", each("drill-variance-z"))
def test_variance_of_z_from_the_input_vector(v):
    k, sd = int(v["k"]), v["sd"]
    x = np.r_[np.ones(k), np.zeros(1000 - k)]
    var = np.sum(x**2 * sd**2) + 1.0  # Var(sum w_j x_j + b) for independent w_j, b
    assert close(num(part("drill-variance-z", "var").answer, v), var)
    assert close(num(part("drill-variance-z", "std").answer, v), np.sqrt(var))


def test_variance_of_z_by_simulation():
    rng = np.random.default_rng(1)
    v = {"k": 500.0, "sd": 0.1}
    z = rng.normal(0, v["sd"], size=(20_000, 500)).sum(axis=1) + rng.normal(size=20_000)
    assert np.isclose(z.var(), num(part("drill-variance-z", "var").answer, v), rtol=0.05)


@pytest.mark.parametrize("v", each("drill-weight-shrink"))
def test_weight_shrink_by_running_the_epoch(v):
    eta, lam, n, B = v["eta"], v["lam"], int(v["n"]), int(v["B"])
    w = 1.0
    for _ in range(0, n, B):  # one update per minibatch
        w = (1 - eta * lam / n) * w
    assert np.isclose(num(part("drill-weight-shrink").answer, v), 1 - w, rtol=1e-9)


@pytest.mark.parametrize("v", each("drill-conv-output"))
def test_conv_output_by_sliding_the_window(v):
    n, k, P, s = (int(v[x]) for x in ("n", "k", "P", "s"))
    padded = np.pad(np.zeros((n, n)), P)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k))[::s, ::s]
    assert num(part("drill-conv-output").answer, v) == windows.shape[0] == windows.shape[1]


@pytest.mark.parametrize("v", each("drill-conv-params"))
def test_conv_params_by_building_the_arrays(v):
    k, cin, cout = int(v["k"]), int(v["Cin"]), int(v["Cout"])
    weights, bias = np.empty((cout, cin, k, k)), np.empty(cout)
    assert num(part("drill-conv-params").answer, v) == weights.size + bias.size


@pytest.mark.parametrize("v", each("drill-receptive-field"))
def test_receptive_field_by_backtracking_the_support(v):
    L, k = int(v["L"]), int(v["k"])
    support = np.array([1.0])  # one output unit; each stride-1 layer spreads it over k inputs
    for _ in range(L):
        support = np.convolve(support, np.ones(k))
    assert num(part("drill-receptive-field").answer, v) == np.count_nonzero(support)


def _ce(w, b, x, y):
    a = 1 / (1 + np.exp(-(w * x + b)))
    return -(y * np.log(a) + (1 - y) * np.log(1 - a))


@pytest.mark.parametrize("v", each("drill-sigmoid-sgd-step"))
def test_sigmoid_step_with_a_finite_difference_gradient(v):
    w, b, x, y, eta, h = v["w"], v["b"], v["x"], v["y"], v["eta"], 1e-6
    gw = (_ce(w + h, b, x, y) - _ce(w - h, b, x, y)) / (2 * h)
    gb = (_ce(w, b + h, x, y) - _ce(w, b - h, x, y)) / (2 * h)
    assert np.isclose(num(part("drill-sigmoid-sgd-step", "w").answer, v), w - eta * gw, atol=1e-7)
    assert np.isclose(num(part("drill-sigmoid-sgd-step", "b").answer, v), b - eta * gb, atol=1e-7)


@pytest.mark.parametrize("v", each("drill-bn-running"))
def test_batch_norm_running_statistics(v):
    batch, m = np.array([v["x1"], 4.0, v["x3"]]), v["m"]
    mean = (1 - m) * v["r"] + m * batch.mean()
    var = (1 - m) * v["v"] + m * batch.var(ddof=1)  # unbiased: biased * B/(B-1)
    assert np.isclose(batch.var(ddof=1), batch.var() * 3 / 2)
    assert close(num(part("drill-bn-running", "mean").answer, v), mean)
    assert close(num(part("drill-bn-running", "var").answer, v), var)


def _adam_step(theta, g, eta, b1=0.9, b2=0.999, eps=1e-8):
    m, v, t = 0.0, 0.0, 1
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return theta - eta * m_hat / (np.sqrt(v_hat) + eps)


@pytest.mark.parametrize("v", each("drill-adam-first-step"))
def test_adam_first_step_by_running_adam(v):
    step = _adam_step(0.3, v["g"], v["eta"]) - 0.3
    assert np.isclose(num(part("drill-adam-first-step").answer, v), step, rtol=1e-9, atol=1e-15)
    assert np.isclose(abs(step), v["eta"], rtol=1e-5)  # ≈ η whatever the size of g


@pytest.mark.parametrize("v", each("drill-rmsprop-first-step"))
def test_rmsprop_first_step_by_running_rmsprop(v):
    r = v["rho"] * 0.0 + (1 - v["rho"]) * v["g"] ** 2
    step = -v["eta"] * v["g"] / np.sqrt(r)
    assert close(num(part("drill-rmsprop-first-step").answer, v), step)


@pytest.mark.parametrize("v", each("drill-softmax-ce"))
def test_softmax_and_cross_entropy_with_numpy(v):
    z = np.array([v["z1"], v["z2"], v["z3"]])
    e = np.exp(z - z.max())  # shifted for stability; softmax is shift-invariant
    o = e / e.sum()
    assert close(num(part("drill-softmax-ce", "prob").answer, v), o[0])
    assert close(num(part("drill-softmax-ce", "loss").answer, v), -np.log(o[0]))
