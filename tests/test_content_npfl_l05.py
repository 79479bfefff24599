"""NPFL114 lecture 5 bank: every key recomputed without its formula.

Weight counts come from building the layers' weight arrays; ResNet's resolutions from following a
224-pixel input through the stem and the stages with the convolution size rule; stochastic depth by
enumerating and by sampling block masks; DropBlock by sampling seeds on a feature map; the transposed
convolution by finite differences of a real strided convolution.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from npfl_bank_helpers import answer, contract, loaded, ticked, value, variants, wrong

BANK = "npfl114_lecture_05"


def each(qid):
    return [pytest.param(v, id=f"{qid}-{i}") for i, v in enumerate(variants(BANK, qid))]


def test_bank_contract():
    contract(BANK, 5)


def test_every_official_question_has_a_graded_part_and_drawings_are_mermaid():
    bank = loaded(BANK)
    assert len([q for q in bank.questions if q.covers]) == 8
    for q in bank.questions:
        assert any(p.kind in ("number", "expr", "choice") for p in q.parts), q.id
    drawn = {q.id for q in bank.questions if "```mermaid" in q.solution}
    assert drawn >= {"l5-resnet", "l5-preact", "l5-resnext", "l5-se", "l5-mbconv"}


def conv_weights(k, c_in, c_out, groups=1):
    return np.zeros((k, k, c_in // groups, c_out)).size


def out_size(n, k, stride, pad):
    return len(range(0, n + 2 * pad - k + 1, stride))


# ---------------------------------------------------------------- ResNet
@pytest.mark.parametrize("v", each("l5-resnet"))
def test_resnet_bottleneck_projection_and_resolution(v):
    f, k = int(v["F"]), int(v["k"])
    block = conv_weights(1, 4 * f, f) + conv_weights(3, f, f) + conv_weights(1, f, 4 * f)
    assert value(answer(BANK, "l5-resnet", "weights"), v) == block
    # the projection joins the outer ends: 4F channels of the old stage to 4 * 2F of the new one
    assert value(answer(BANK, "l5-resnet", "projection"), v) == conv_weights(1, 4 * f, 4 * (2 * f))
    # the stem: 7x7 stride 2 pad 3, then 3x3 max pool stride 2 pad 1; stages 2-4 start with stride 2
    size = out_size(out_size(224, 7, 2, 3), 3, 2, 1)
    for stage in range(2, k + 1):
        size = out_size(size, 3, 2, 1)
    assert value(answer(BANK, "l5-resnet", "size"), v) == size
    for w in wrong(BANK, "l5-resnet", "size"):
        assert value(w, v) != size


def test_resnet_block_cheaper_than_two_wide_3x3():
    f = 64
    assert conv_weights(1, 4 * f, f) + conv_weights(3, f, f) + conv_weights(1, f, 4 * f) < 2 * conv_weights(3, 4 * f, 4 * f)


def test_preact_choices():
    assert ticked(BANK, "l5-preact", "after") == [2] and ticked(BANK, "l5-preact", "why") == [0]
    assert ticked(BANK, "l5-resnext", "grouped") == [0] and ticked(BANK, "l5-se", "where") == [0]


# ---------------------------------------------------------------- ResNeXt
@pytest.mark.parametrize("v", each("l5-resnext"))
def test_resnext_paths_and_grouped_form_have_the_same_weights(v):
    c, d = int(v["C"]), int(v["d"])
    paths = c * (conv_weights(1, 256, d) + conv_weights(3, d, d) + conv_weights(1, d, 256))
    grouped = conv_weights(1, 256, c * d) + conv_weights(3, c * d, c * d, groups=c) + conv_weights(1, c * d, 256)
    assert paths == grouped == value(answer(BANK, "l5-resnext", "weights"), v)


def test_grouped_convolution_equals_the_sum_of_paths():
    """A grouped 3x3 convolution between 1x1 convolutions computes the sum of C separate paths."""
    rng = np.random.default_rng(0)
    c, d, cin = 3, 2, 5
    x = rng.normal(size=(6, 6, cin))
    w1 = rng.normal(size=(cin, c * d))
    w3 = rng.normal(size=(c, 3, 3, d, d))  # one 3x3 kernel per group
    w2 = rng.normal(size=(c * d, cin))

    def conv3(img, k):
        out = np.zeros((img.shape[0] - 2, img.shape[1] - 2, k.shape[-1]))
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                out[i, j] = np.einsum("mnc,mnco->o", img[i:i + 3, j:j + 3], k)
        return out

    h = x @ w1
    grouped = np.concatenate([conv3(h[..., g * d:(g + 1) * d], w3[g]) for g in range(c)], axis=-1) @ w2
    paths = sum(conv3(x @ w1[:, g * d:(g + 1) * d], w3[g]) @ w2[g * d:(g + 1) * d] for g in range(c))
    assert np.allclose(grouped, paths)


# ---------------------------------------------------------------- stochastic depth
@pytest.mark.parametrize("v", each("l5-stochastic-depth"))
def test_stochastic_depth_survival_and_expected_blocks(v):
    l, big_l = int(v["l"]), int(v["L"])
    p = [1 - i / big_l * (1 - 0.5) for i in range(1, big_l + 1)]  # linear from 1 to p_L = 0.5
    assert math.isclose(value(answer(BANK, "l5-stochastic-depth", "survival"), v), p[l - 1])
    assert math.isclose(value(answer(BANK, "l5-stochastic-depth", "expected"), v), sum(p))


def test_stochastic_depth_expectation_by_sampling():
    rng = np.random.default_rng(1)
    big_l = 54
    p = np.array([1 - i / (2 * big_l) for i in range(1, big_l + 1)])
    masks = rng.random((20000, big_l)) < p
    assert np.isclose(masks.sum(axis=1).mean(), value(answer(BANK, "l5-stochastic-depth", "expected"), {"L": big_l}),
                      rtol=0.005)
    assert np.isclose(masks[:, -1].mean(), 0.5, atol=0.02)


# ---------------------------------------------------------------- DropBlock
@pytest.mark.parametrize("v", each("l5-cutout-dropblock"))
def test_dropblock_rate_makes_the_expected_dropped_fraction(v):
    keep, b, f = v["keep"], int(v["b"]), int(v["f"])
    gamma = value(answer(BANK, "l5-cutout-dropblock", "gamma"), v)
    # each of the (f-b+1)^2 possible seeds fires with rate gamma and drops b*b units: without
    # overlaps the expected dropped fraction is gamma * seeds * b^2 / f^2
    assert math.isclose(gamma * (f - b + 1) ** 2 * b * b / (f * f), 1 - keep)


def test_dropblock_by_sampling_masks():
    rng = np.random.default_rng(2)
    keep, b, f = 0.9, 5, 28
    gamma = value(answer(BANK, "l5-cutout-dropblock", "gamma"), {"keep": keep, "b": b, "f": f})
    n = f - b + 1
    dropped = []
    for _ in range(3000):
        seeds = np.argwhere(rng.random((n, n)) < gamma)
        mask = np.ones((f, f))
        for r, c in seeds:
            mask[r:r + b, c:c + b] = 0
        dropped.append(1 - mask.mean())
    # overlapping blocks can only lower the dropped fraction below the overlap-free 1 - keep
    assert 0.8 * (1 - keep) < np.mean(dropped) <= (1 - keep) + 0.003


# ---------------------------------------------------------------- Squeeze-and-Excitation, MBConv
@pytest.mark.parametrize("v", each("l5-se"))
def test_se_parameters_by_counting(v):
    c, r = int(v["C"]), int(v["r"])
    fc1_w, fc1_b = np.zeros((c, c // r)), np.zeros(c // r)
    fc2_w, fc2_b = np.zeros((c // r, c)), np.zeros(c)
    assert value(answer(BANK, "l5-se", "params"), v) == sum(a.size for a in (fc1_w, fc1_b, fc2_w, fc2_b))


def test_se_gates_are_a_per_channel_scale_in_0_1():
    rng = np.random.default_rng(3)
    u = rng.normal(size=(5, 5, 8))
    z = u.mean(axis=(0, 1))  # squeeze
    s = 1 / (1 + np.exp(-(rng.normal(size=(2, 8)).T @ np.maximum(rng.normal(size=(2, 8)) @ z, 0))))
    assert s.shape == (8,) and np.all((s > 0) & (s < 1))
    assert np.allclose((u * s)[..., 3], u[..., 3] * s[3])


@pytest.mark.parametrize("v", each("l5-mbconv"))
def test_mbconv_weights_and_separable_saving(v):
    c, t, d = int(v["C"]), int(v["t"]), int(v["D"])
    depthwise = np.zeros((3, 3, t * c)).size  # one 3x3 filter per channel
    block = conv_weights(1, c, t * c) + depthwise + conv_weights(1, t * c, c)
    assert value(answer(BANK, "l5-mbconv", "weights"), v) == block
    separable = np.zeros((3, 3, d)).size + conv_weights(1, d, d)
    assert math.isclose(value(answer(BANK, "l5-mbconv", "saving"), v), conv_weights(3, d, d) / separable)


# ---------------------------------------------------------------- transposed convolution
def conv1d(x, k, stride):
    return np.array([np.dot(x[i:i + len(k)], k) for i in range(0, len(x) - len(k) + 1, stride)])


def test_input_gradient_by_finite_differences():
    rng = np.random.default_rng(4)
    x, k, g = rng.normal(size=5), rng.normal(size=3), rng.normal(size=2)
    loss = lambda xx: np.dot(g, conv1d(xx, k, 2))
    eps, e2 = 1e-6, np.eye(5)[2]
    numeric = (loss(x + eps * e2) - loss(x - eps * e2)) / (2 * eps)
    vals = {"g0": g[0], "g1": g[1], "k0": k[0], "k1": k[1], "k2": k[2]}
    assert math.isclose(value(answer(BANK, "l5-transposed-conv", "grad"), vals), numeric, rel_tol=1e-6)
    for w in wrong(BANK, "l5-transposed-conv", "grad"):
        assert not math.isclose(value(w, vals), numeric, rel_tol=1e-3), w


def transposed1d(r, k, stride):
    """Scatter a copy of the kernel, weighted by each input value, every `stride` positions."""
    out = np.zeros((len(r) - 1) * stride + len(k))
    for i, ri in enumerate(r):
        out[i * stride:i * stride + len(k)] += ri * k
    return out


@pytest.mark.parametrize("v", each("l5-transposed-conv"))
def test_transposed_size_and_that_it_is_the_adjoint(v):
    h, n, s = int(v["h"]), int(v["N"]), int(v["S"])
    rng = np.random.default_rng(h * 100 + n * 10 + s)
    k, r = rng.normal(size=n), rng.normal(size=h)
    t = transposed1d(r, k, s)
    assert value(answer(BANK, "l5-transposed-conv", "size"), v) == len(t)
    # <conv(x), r> == <x, transposed(r)> for every x of the right length: the transpose of the conv
    x = rng.normal(size=len(t))
    assert len(conv1d(x, k, s)) == h
    assert math.isclose(np.dot(conv1d(x, k, s), r), np.dot(x, t), rel_tol=1e-9)


def test_sum_of_survival_probabilities_symbolically():
    big_l, i = sp.symbols("L i", positive=True, integer=True)
    total = sp.summation(1 - i / (2 * big_l), (i, 1, big_l))
    assert sp.simplify(total - sp.sympify(answer(BANK, "l5-stochastic-depth", "expected").replace("^", "**"),
                                          locals={"L": big_l})) == 0


@pytest.mark.parametrize("v", each("l5-drill-basic-block"))
def test_basic_block_counts(v):
    c = int(v["C"])
    assert value(answer(BANK, "l5-drill-basic-block", "weights"), v) == 2 * conv_weights(3, c, c)
    gammas_betas = [np.zeros(c) for _ in range(2 * 2)]  # two BN layers, gamma and beta each
    assert value(answer(BANK, "l5-drill-basic-block", "bn"), v) == sum(a.size for a in gammas_betas)


@pytest.mark.parametrize("v", each("l5-drill-stochastic-inference"))
def test_stochastic_depth_inference_matches_the_training_expectation(v):
    p = 1 - v["l"] / v["L"] * 0.5
    training = p * (v["x"] + v["f"]) + (1 - p) * v["x"]  # expectation over the block's survival
    assert math.isclose(value(answer(BANK, "l5-drill-stochastic-inference", "out"), v), training, abs_tol=1e-12)
    assert abs(training) > 0.1  # no variant's key is 0, where a relative tolerance would accept nothing else


@pytest.mark.parametrize("v", each("l5-drill-transposed-padding"))
def test_transposed_convolution_with_padding(v):
    h, n = int(v["h"]), int(v["N"])
    full = transposed1d(np.ones(h), np.ones(n), 2)
    cropped = full[1:-1]  # padding 1 removes a row at each border
    assert value(answer(BANK, "l5-drill-transposed-padding", "rows"), v) == len(cropped)
