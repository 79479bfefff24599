"""NPFL114 lecture 4 bank: every key recomputed without its formula.

Convolutions are computed by explicit loops over windows and compared with the bank's index
formula; output sizes are counted by sliding windows over (padded) arrays; parameter counts by
building the weight arrays; batch normalisation by NumPy on a random batch; receptive fields by
following which input pixels reach one output unit.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from npfl_bank_helpers import answer, contract, loaded, substitute, ticked, value, variants, wrong

BANK = "npfl114_lecture_04"


def each(qid):
    return [pytest.param(v, id=f"{qid}-{i}") for i, v in enumerate(variants(BANK, qid))]


def test_bank_contract():
    contract(BANK, 4)


def test_official_questions_and_drills():
    qs = loaded(BANK).questions
    assert [q.covers for q in qs if q.covers] == [(f"npfl-l04-q{i}",) for i in range(1, 5)]
    assert sum(1 for q in qs if any(p.kind in ("number", "expr") for p in q.parts)) == len(qs)
    assert all(len(variants(BANK, q.id)) >= 6 for q in qs if q.id.startswith("l4-drill"))


# ---------------------------------------------------------------- the convolution itself
def naive_conv(img, kernel, bias, stride):
    """Output by definition: slide the window, multiply elementwise, sum (no index formula)."""
    h, w, _ = img.shape
    n, m, _, o = kernel.shape
    rows = [r for r in range(h) if r + n <= h][::stride]
    cols = [c for c in range(w) if c + m <= w][::stride]
    out = np.zeros((len(rows), len(cols), o))
    for a, r in enumerate(rows):
        for b, c in enumerate(cols):
            window = img[r:r + n, c:c + m, :]
            for oc in range(o):
                out[a, b, oc] = (window * kernel[..., oc]).sum() + bias[oc]
    return out


def formula_conv(img, kernel, bias, stride, out_shape):
    """The bank's equation: O[i,j,o] = b_o + sum I[i T + m, j S + n, c] K[m,n,c,o]."""
    n, m, c_in, _ = kernel.shape
    out = np.zeros(out_shape)
    for i, j, oc in itertools.product(*(range(s) for s in out_shape)):
        out[i, j, oc] = bias[oc] + sum(img[i * stride + a, j * stride + b, c] * kernel[a, b, c, oc]
                                       for a in range(n) for b in range(m) for c in range(c_in))
    return out


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_the_ticked_index_is_the_convolution(stride):
    assert ticked(BANK, "l4-conv-formula", "index") == [0]
    rng = np.random.default_rng(stride)
    img, kernel, bias = rng.normal(size=(9, 8, 2)), rng.normal(size=(3, 2, 2, 3)), rng.normal(size=3)
    ref = naive_conv(img, kernel, bias, stride)
    assert np.allclose(formula_conv(img, kernel, bias, stride, ref.shape), ref)
    # the flipped index (choice c) is a different operation
    flipped = naive_conv(img, kernel[::-1, ::-1], bias, stride)
    assert not np.allclose(flipped, ref)


@pytest.mark.parametrize("v", each("l4-conv-formula"))
def test_conv_params_and_rows_by_counting(v):
    n, c, o, h, t = (int(v[k]) for k in ("N", "C", "O", "H", "T"))
    weights, biases = np.zeros((n, n, c, o)), np.zeros(o)
    assert value(answer(BANK, "l4-conv-formula", "params"), v) == weights.size + biases.size
    rows = len(range(0, h - n + 1, t))  # window tops 0, T, 2T, ... while the window fits
    assert value(answer(BANK, "l4-conv-formula", "rows"), v) == rows
    assert naive_conv(np.zeros((h, n, 1)), np.zeros((n, n, 1, 1)), np.zeros(1), t).shape[0] == rows


# ---------------------------------------------------------------- padding
def count_positions(size, kernel, pad_total, stride=1):
    padded = np.pad(np.zeros(size), (pad_total // 2, pad_total - pad_total // 2))
    return sum(1 for start in range(0, len(padded), stride) if start + kernel <= len(padded))


@pytest.mark.parametrize("h, n", [(h, n) for h in (5, 8, 13, 28) for n in (1, 2, 3, 4, 5)])
def test_valid_and_same_sizes_by_sliding(h, n):
    v = {"H": h, "N": n}
    valid = count_positions(h, n, 0)
    same_pad = value(answer(BANK, "l4-padding", "pad"), v)
    assert value(answer(BANK, "l4-padding", "valid"), v) == valid
    assert count_positions(h, n, int(same_pad)) == h == value(answer(BANK, "l4-padding", "same"), v)
    for w in wrong(BANK, "l4-padding", "valid"):
        if n > 1:
            assert value(w, v) != valid
    # padding one row less or more than the key gives a different size
    assert count_positions(h, n, int(same_pad) + 1) != h
    if same_pad >= 1:
        assert count_positions(h, n, int(same_pad) - 1) != h


@pytest.mark.parametrize("v", each("l4-drill-conv-size"))
def test_strided_valid_and_same(v):
    h, n, s = int(v["H"]), int(v["N"]), int(v["S"])
    assert value(answer(BANK, "l4-drill-conv-size", "valid"), v) == count_positions(h, n, 0, s)
    # SAME with stride S: the stride-1 SAME output (padded by N - 1), keeping every S-th position
    assert value(answer(BANK, "l4-drill-conv-size", "same"), v) == count_positions(h, n, n - 1, s)


# ---------------------------------------------------------------- batch normalisation
def test_normalised_value_against_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.5, size=1000)
    mu, s2, eps = x.mean(), x.var(), 1e-3
    key = answer(BANK, "l4-batchnorm", "xhat")
    xhat = np.array([value(key, {"x": xi, "mu": mu, "s2": s2, "eps": eps}) for xi in x])
    assert abs(xhat.mean()) < 1e-9 and np.isclose(xhat.var(), s2 / (s2 + eps))
    assert np.allclose(xhat, (x - x.mean()) / np.sqrt(x.var() + eps))
    for w in wrong(BANK, "l4-batchnorm", "xhat"):
        got = np.array([value(w, {"x": xi, "mu": mu, "s2": s2, "eps": eps}) for xi in x[:5]])
        assert not np.allclose(got, xhat[:5])


@pytest.mark.parametrize("v", each("l4-batchnorm"))
def test_batchnorm_counts_and_running_mean(v):
    b, h, c = int(v["B"]), int(v["H"]), int(v["C"])
    batch = np.broadcast_to(np.float32(0), (b, h, h, c))  # a view: no memory for the values
    one_channel = batch[..., 0]  # every (example, row, column) of one channel
    assert value(answer(BANK, "l4-batchnorm", "count"), v) == one_channel.size
    gamma, beta = np.ones(c), np.zeros(c)
    assert value(answer(BANK, "l4-batchnorm", "params"), v) == gamma.size + beta.size
    # an exponential moving average with momentum 0.99: simulate it on a constant stream
    running = v["m"]
    running = 0.99 * running + (1 - 0.99) * v["mb"]
    assert np.isclose(value(answer(BANK, "l4-batchnorm", "running"), v), running)


def test_running_mean_converges_to_a_constant_batch_mean():
    key, stream = answer(BANK, "l4-batchnorm", "running"), 5.0
    for _ in range(3000):
        stream = value(key, {"m": stream, "mb": -1.0})
    assert np.isclose(stream, -1.0, atol=1e-9)


# ---------------------------------------------------------------- receptive fields and counts
def receptive_field(kernels, strides):
    """Input pixels reaching output unit 0 of the last layer, followed backwards layer by layer."""
    units = {0}
    for k, s in reversed(list(zip(kernels, strides))):
        units = {u * s + d for u in units for d in range(k)}
    return max(units) - min(units) + 1


@pytest.mark.parametrize("v", each("l4-vgg"))
def test_vgg_receptive_field_and_weights(v):
    k, c = int(v["k"]), int(v["C"])
    assert value(answer(BANK, "l4-vgg", "rf"), v) == receptive_field([3] * k, [1] * k)
    two_layers = [np.zeros((3, 3, c, c)), np.zeros((3, 3, c, c))]
    assert value(answer(BANK, "l4-vgg", "weights"), v) == sum(w.size for w in two_layers)
    assert np.zeros((5, 5, c, c)).size > sum(w.size for w in two_layers)


@pytest.mark.parametrize("v", each("l4-drill-receptive-field"))
def test_receptive_field_with_stride(v):
    k1, s1, k2 = int(v["k1"]), int(v["s1"]), int(v["k2"])
    assert value(answer(BANK, "l4-drill-receptive-field", "rf"), v) == receptive_field([k1, k2], [s1, 1])


@pytest.mark.parametrize("v", each("l4-drill-conv-vs-dense"))
def test_conv_versus_dense_by_counting(v):
    h, c, o, n = (int(v[k]) for k in ("H", "C", "O", "N"))
    conv = np.zeros((n, n, c, o)).size + o
    dense = (h * h * c) * (h * h * o) + h * h * o  # weight matrix (inputs x outputs) + biases
    assert value(answer(BANK, "l4-drill-conv-vs-dense", "conv"), v) == conv
    assert value(answer(BANK, "l4-drill-conv-vs-dense", "dense"), v) == dense


def test_substitution_helper_is_exact():
    assert substitute("N*N*C*O + O", {"N": 3, "C": 16, "O": 8}) == "(3)*(3)*(16)*(8) + (8)"


@pytest.mark.parametrize("v", each("l4-drill-bn-fold"))
def test_batchnorm_folds_into_an_affine_map(v):
    xs = np.linspace(-3, 3, 7)
    normalised = v["g"] * (xs - v["m"]) / np.sqrt(v["v"]) + v["bt"]  # inference BN with eps = 0
    a, b = value(answer(BANK, "l4-drill-bn-fold", "a"), v), value(answer(BANK, "l4-drill-bn-fold", "b"), v)
    assert np.allclose(a * xs + b, normalised)


@pytest.mark.parametrize("v", each("l4-drill-conv-macs"))
def test_multiply_adds_by_counting_a_small_convolution(v):
    h, c, o = int(v["H"]), int(v["C"]), int(v["O"])
    # count the products of a SAME 3x3 convolution: output positions x window size x output channels
    positions = count_positions(h, 3, 2) ** 2
    assert positions == h * h
    assert value(answer(BANK, "l4-drill-conv-macs", "macs"), v) == positions * np.zeros((3, 3, c)).size * o
    # and on a tiny case, by literally counting multiplications in a loop
    tiny, calls = np.ones((4, 4, 2)), 0
    padded = np.pad(tiny, ((1, 1), (1, 1), (0, 0)))
    for i in range(4):
        for j in range(4):
            for _ in range(3):  # three output channels
                calls += padded[i:i + 3, j:j + 3, :].size
    assert calls == value(answer(BANK, "l4-drill-conv-macs", "macs"), {"H": 4, "C": 2, "O": 3})


def dilated_field(dilations):
    """Input pixels reaching one output unit through 3-tap kernels with the given dilations."""
    units = {0}
    for d in reversed(dilations):
        units = {u + t * d for u in units for t in range(3)}
    return max(units) - min(units) + 1


@pytest.mark.parametrize("v", each("l4-drill-dilated"))
def test_dilated_receptive_field(v):
    assert value(answer(BANK, "l4-drill-dilated", "rf"), v) == dilated_field([1, int(v["d2"]), int(v["d3"])])
