"""NPFL114 lecture 11 bank: Transformers, ELMo, BERT, GELU. Every reference re-derived independently.

Attention (plain, projected, masked) is recomputed with loops over queries; parameter counts come
from the weight arrays of an encoder layer that is actually run; positional embeddings and GELU from
`math.sin`/`math.cos`/`math.erf`; BERT's masking rates and GELU's stochastic gate by simulation.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from npfl_content_helpers import (
    assert_bank_shape,
    assert_checker_agrees,
    drawings,
    expr,
    matrix_value,
    number,
    part,
    questions,
    raw_answer,
    values,
    variants,
    verdict,
)

LECTURE = 11
RNG = np.random.default_rng(11)


@pytest.fixture(scope="module")
def q():
    return questions(LECTURE)


def ticks(p):
    return [c.correct for c in p.choices]


def attention_loops(Q, K, V, mask=None):
    """Tokens as columns; query i attends over keys j (only j <= i with a causal mask)."""
    dk, n = Q.shape
    out = np.zeros((V.shape[0], n))
    for i in range(n):
        keys = [j for j in range(K.shape[1]) if mask is None or j <= i]
        scores = [float(Q[:, i] @ K[:, j]) / math.sqrt(dk) for j in keys]
        top = max(scores)
        w = [math.exp(s - top) for s in scores]
        for j, wj in zip(keys, w):
            out[:, i] += wj / sum(w) * V[:, j]
    return out


def test_bank_shape(tmp_path):
    assert_bank_shape(LECTURE, tmp_path)
    assert len(questions(LECTURE)) == 11


def test_checker_accepts_references_and_rejects_listed_wrong_answers():
    assert assert_checker_agrees(LECTURE) > 60


def test_scaled_dot_product_attention_against_loops(q):
    att = part(q["l11-encoder"], "attention")
    dk, dv, n, m = 4, 3, 5, 6
    Q, K, V = RNG.normal(size=(dk, n)), RNG.normal(size=(dk, m)), RNG.normal(size=(dv, m))
    got = matrix_value(att.answer, {"Q": Q, "K": K, "V": V, "dk": dk})
    assert got.shape == (dv, n)
    np.testing.assert_allclose(got, attention_loops(Q, K, V), rtol=1e-12)
    # why sqrt(dk): dot products of unit-variance vectors have variance dk
    for d in (16, 256):
        qs, ks = RNG.normal(size=(20_000, d)), RNG.normal(size=(20_000, d))
        dots = (qs * ks).sum(axis=1)
        assert abs(dots.var() / d - 1) < 0.05 and abs((dots / math.sqrt(d)).var() - 1) < 0.05


def layer_norm(x, gamma, beta):
    return gamma[:, None] * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-6) + beta[:, None]


def encoder_layer_shapes(d, f):
    return {"WQ": (d, d), "WK": (d, d), "WV": (d, d), "WO": (d, d), "bQ": (d,), "bK": (d,), "bV": (d,),
            "bO": (d,), "W1": (f, d), "b1": (f,), "W2": (d, f), "b2": (d,), "g1": (d,), "be1": (d,),
            "g2": (d,), "be2": (d,)}


def encoder_layer_arrays(d, f, rng):
    return {k: rng.normal(size=s) * 0.1 for k, s in encoder_layer_shapes(d, f).items()}


def encoder_layer(P, X):
    """Post-LN encoder layer (dropout off), using every array of P."""
    d = X.shape[0]
    Q = P["WQ"] @ X + P["bQ"][:, None]
    K = P["WK"] @ X + P["bK"][:, None]
    V = P["WV"] @ X + P["bV"][:, None]
    a = P["WO"] @ attention_loops(Q, K, V) + P["bO"][:, None]
    X = layer_norm(X + a, P["g1"], P["be1"])
    hidden = np.maximum(P["W1"] @ X + P["b1"][:, None], 0)
    assert X.shape[0] == d
    return layer_norm(X + P["W2"] @ hidden + P["b2"][:, None], P["g2"], P["be2"])


def test_encoder_layer_parameters_from_a_working_layer(q):
    enc = q["l11-encoder"]
    small = encoder_layer_arrays(8, 32, RNG)
    out = encoder_layer(small, RNG.normal(size=(8, 5)))  # every array of the table is used
    assert out.shape == (8, 5) and np.isfinite(out).all()
    for v in variants(enc):
        d, f = int(values(v)["d"]), int(values(v)["f"])
        count = sum(math.prod(shape) for shape in encoder_layer_shapes(d, f).values())
        assert number(part(v, "params").answer) == count
    assert len(drawings(enc)) == 1 and len(drawings(q["l11-decoder"])) == 1


def test_self_attention_with_projections_and_heads(q):
    sa = q["l11-self-attention"]
    d, dk, dv, n = 6, 4, 3, 5
    X = RNG.normal(size=(d, n))
    WQ, WK, WV = RNG.normal(size=(dk, d)), RNG.normal(size=(dk, d)), RNG.normal(size=(dv, d))
    got = matrix_value(part(sa, "formula").answer, {"X": X, "WQ": WQ, "WK": WK, "WV": WV, "dk": dk})
    np.testing.assert_allclose(got, attention_loops(WQ @ X, WK @ X, WV @ X), rtol=1e-12)
    for v in variants(sa):
        d, h, n = (int(values(v)[k]) for k in ("d", "h", "n"))
        head = d // h
        assert head * h == d and number(part(v, "headdim").answer) == head
        per_head = [(head, d)] * h  # the h query projections of the heads, stacked back to d x d
        proj = sum(a * b for a, b in per_head) + d  # weights and bias of one projection
        assert number(part(v, "mhparams").answer) == 4 * proj  # Q, K, V and the output projection W_O (d x d + d)
        assert number(part(v, "weights").answer) == np.empty((h, n, n), dtype=np.int8).size


def test_masked_self_attention_hides_the_future(q):
    masked = part(q["l11-decoder"], "masked")
    dk, dv, n = 4, 3, 6
    Q, K, V = RNG.normal(size=(dk, n)), RNG.normal(size=(dk, n)), RNG.normal(size=(dv, n))
    M = np.where(np.arange(n)[:, None] > np.arange(n)[None, :], -np.inf, 0.0)  # M[j, i] = -inf for j > i
    got = matrix_value(masked.answer, {"Q": Q, "K": K, "V": V, "M": M, "dk": dk})
    np.testing.assert_allclose(got, attention_loops(Q, K, V, mask="causal"), rtol=1e-12)
    V2 = V.copy()
    V2[:, -1] += 100  # changing the last token's value changes only the last output
    got2 = matrix_value(masked.answer, {"Q": Q, "K": K, "V": V2, "M": M, "dk": dk})
    np.testing.assert_allclose(got2[:, :-1], got[:, :-1], rtol=1e-12)
    assert not np.allclose(got2[:, -1], got[:, -1])
    assert ticks(part(q["l11-decoder"], "regimes")) == [True, False, False, False]


def test_sinusoidal_positional_embeddings(q):
    pe = q["l11-positional"]
    assert pe.n_variants == 18
    for v in variants(pe):
        pos, i, d = (values(v)[k] for k in ("pos", "i", "d"))
        angle = pos / 10000 ** (2 * i / d)
        assert math.isclose(number(part(v, "even").answer), math.sin(angle), rel_tol=1e-12, abs_tol=1e-15)
        assert math.isclose(number(part(v, "odd").answer), math.cos(angle), rel_tol=1e-12, abs_tol=1e-15)
        for pid in ("even", "odd"):
            for w in part(v, pid).wrong_answers:
                assert abs(number(w.answer) - number(part(v, pid).answer)) > 0.01
    # a shift by k is a rotation of each (sin, cos) pair: PE(pos + k) is linear in PE(pos)
    even, odd = raw_answer(11, "l11-positional", "even"), raw_answer(11, "l11-positional", "odd")
    for i, d, p, k in ((1, 16, 3, 4), (3, 64, 10, 7)):
        vals = {"i": i, "d": d}
        w = 1 / 10000 ** (2 * i / d)
        rot = np.array([[math.cos(w * k), math.sin(w * k)], [-math.sin(w * k), math.cos(w * k)]])
        at_p = np.array([number(even, {**vals, "pos": p}), number(odd, {**vals, "pos": p})])
        at_pk = np.array([number(even, {**vals, "pos": p + k}), number(odd, {**vals, "pos": p + k})])
        np.testing.assert_allclose(rot @ at_p, at_pk, atol=1e-12)


def test_rnn_vs_transformer_statements(q):
    assert ticks(part(q["l11-rnn-vs-transformer"], "facts")) == [True, True, False, False]
    # self-attention is order-blind: permuting the tokens permutes the outputs
    Q, K, V = RNG.normal(size=(3, 5)), RNG.normal(size=(3, 5)), RNG.normal(size=(2, 5))
    perm = RNG.permutation(5)
    np.testing.assert_allclose(attention_loops(Q[:, perm], K[:, perm], V[:, perm]),
                               attention_loops(Q, K, V)[:, perm], rtol=1e-12)


def test_elmo_weighted_sum(q):
    el = q["l11-elmo"]
    names = ["gamma", "w0", "w1", "w2", "h0", "h1", "h2"]
    f = sympy.lambdify(sympy.symbols(" ".join(names), real=True), expr(part(el, "mix").answer, names))
    for _ in range(5):
        gamma, w, h = RNG.normal(), RNG.normal(size=3), RNG.normal(size=3)
        s = np.exp(w) / np.exp(w).sum()
        assert math.isclose(f(gamma, *w, *h), gamma * (s @ h), rel_tol=1e-12)
    assert ticks(part(el, "layers")) == [True, False, False, False]


def test_bert_embedding_tables(q):
    bert = q["l11-bert"]
    for v in variants(bert):
        V, d = int(values(v)["V"]), int(values(v)["d"])
        tables = [np.empty((V, d), dtype=np.int8), np.empty((512, d), dtype=np.int8), np.empty((2, d), dtype=np.int8)]
        assert number(part(v, "embparams").answer) == sum(t.size for t in tables)
    tok, posn, seg = RNG.normal(size=(50, 4)), RNG.normal(size=(512, 4)), RNG.normal(size=(2, 4))
    ids, segments = np.array([1, 7, 3, 9]), np.array([0, 0, 1, 1])
    x = tok[ids] + posn[np.arange(4)] + seg[segments]  # the input vectors: a sum of the three
    assert x.shape == (4, 4)
    assert ticks(part(bert, "positions")) == [True, False, False, False]
    assert ticks(part(bert, "activation")) == [True, False, False, False]


def test_gelu_values_and_its_stochastic_gate(q):
    ge = q["l11-gelu"]
    rng = np.random.default_rng(5)
    for v in variants(ge):
        x = values(v)["x"]
        exact = x * 0.5 * (1 + math.erf(x / math.sqrt(2)))
        ans = number(part(v, "value").answer)
        assert abs(ans - exact) < 0.0005  # the tanh approximation is well inside the tolerance (0.006)
        keep = rng.random(400_000) < 0.5 * (1 + math.erf(x / math.sqrt(2)))  # m ~ Bernoulli(Phi(x))
        assert abs((x * keep).mean() - exact) < 0.01
        for w in part(v, "value").wrong_answers:
            assert abs(number(w.answer) - exact) > 0.02
    assert ticks(part(ge, "gate")) == [True, False, False, False]


def test_bert_masking_rates_by_simulation(q):
    bt = q["l11-bert-training"]
    rng = np.random.default_rng(6)
    for v in variants(bt):
        N = int(values(v)["N"])
        trials = 2000
        chosen = rng.random((trials, N)) < 0.15
        action = rng.random((trials, N))  # < 0.8 [MASK], < 0.9 random token, else unchanged
        masked = (chosen & (action < 0.8)).sum(axis=1).mean()
        randomised = (chosen & (action >= 0.8) & (action < 0.9)).mean()
        assert abs(masked - number(part(v, "masked").answer)) < 0.05 * masked
        assert abs(randomised - number(part(v, "random").answer)) < 0.001
    assert math.isclose(number(part(bt, "random").answer), 0.015)
    assert ticks(part(bt, "nsp")) == [True, False, False, False]
    assert ticks(part(q["l11-nsp-alternatives"], "statements")) == [True, True, False, False]


def test_attention_scaling_drill_by_simulation(q):
    sc = q["l11-scaling-drill"]
    assert sc.n_variants == 3
    rng = np.random.default_rng(7)
    for v in variants(sc):
        dk = int(values(v)["dk"])
        qs, ks = rng.normal(size=(4000, dk)), rng.normal(size=(4000, dk))
        dots = (qs * ks).sum(axis=1)
        assert abs(dots.std() / number(part(v, "std").answer) - 1) < 0.05
        assert abs((dots / math.sqrt(dk)).std() / number(part(v, "scaled").answer) - 1) < 0.05


def test_typical_student_spellings_are_accepted(q):
    typed = {("l11-encoder", "attention"): "V softmax(K^T Q / √dk)",
             ("l11-decoder", "masked"): "V softmax(K^T Q/√dk + M)",
             ("l11-self-attention", "formula"): "WV X softmax(X^T WK^T WQ X/√dk)",
             ("l11-elmo", "mix"): "γ (e^{w0} h0 + e^{w1} h1 + e^{w2} h2)/(e^{w0}+e^{w1}+e^{w2})"}
    for (qid, pid), text in typed.items():
        r = verdict(part(q[qid], pid), text)
        assert r.correct, (qid, pid, text, r.message)
