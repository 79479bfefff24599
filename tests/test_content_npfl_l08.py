"""NPFL114 lecture 8 bank: recurrent networks. Every reference re-derived independently.

The LSTM, GRU and highway formulas are compared with cells written here unit by unit (plain Python
loops over scalars, not the bank's vector formulas); counts come from the arrays of those cells;
probabilities from exact products and Monte Carlo simulation; layer norm from NumPy's statistics.
"""
from __future__ import annotations

import math
from fractions import Fraction

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
    values,
    variants,
    verdict,
)

LECTURE = 8
RNG = np.random.default_rng(8)


@pytest.fixture(scope="module")
def q():
    return questions(LECTURE)


def sig(a: float) -> float:
    return 1 / (1 + math.exp(-a))


def affine_unit(W, V, b, x, h, j):
    """Unit j of W x + V h + b, summed by hand."""
    return sum(W[j, k] * x[k, 0] for k in range(W.shape[1])) + sum(
        V[j, k] * h[k, 0] for k in range(V.shape[1])) + b[j, 0]


def lstm_params(D, H, rng=RNG):
    return {f"{m}{g}": rng.normal(size=s) * 0.5 for g in "ifoc"
            for m, s in (("W", (H, D)), ("V", (H, H)), ("b", (H, 1)))}


def lstm_step(P, x, h, c):
    """One LSTM step, unit by unit; returns the gates, candidate, new cell and new output."""
    H = h.shape[0]
    out = {k: np.zeros((H, 1)) for k in ("i", "f", "o", "chat", "ct", "ht")}
    for j in range(H):
        i, f, o = (sig(affine_unit(P["W" + g], P["V" + g], P["b" + g], x, h, j)) for g in "ifo")
        chat = math.tanh(affine_unit(P["Wc"], P["Vc"], P["bc"], x, h, j))
        ct = f * c[j, 0] + i * chat
        for k, val in zip(("i", "f", "o", "chat", "ct", "ht"), (i, f, o, chat, ct, o * math.tanh(ct))):
            out[k][j, 0] = val
    return out


def gru_params(D, H, rng=RNG):
    return {f"{m}{g}": rng.normal(size=s) * 0.5 for g in "ruh"
            for m, s in (("W", (H, D)), ("V", (H, H)), ("b", (H, 1)))}


def gru_step(P, x, h):
    """One GRU step (u = share of the old state kept), unit by unit."""
    H = h.shape[0]
    r = np.array([[sig(affine_unit(P["Wr"], P["Vr"], P["br"], x, h, j))] for j in range(H)])
    u = np.array([[sig(affine_unit(P["Wu"], P["Vu"], P["bu"], x, h, j))] for j in range(H)])
    rh = np.array([[r[j, 0] * h[j, 0]] for j in range(H)])
    hhat = np.array([[math.tanh(affine_unit(P["Wh"], P["Vh"], P["bh"], x, rh, j))] for j in range(H)])
    new = np.array([[u[j, 0] * h[j, 0] + (1 - u[j, 0]) * hhat[j, 0]] for j in range(H)])
    return {"r": r, "u": u, "hhat": hhat, "h": new}


def test_bank_shape(tmp_path):
    assert_bank_shape(LECTURE, tmp_path)
    assert len(questions(LECTURE)) == 8


def test_checker_accepts_references_and_rejects_listed_wrong_answers():
    assert assert_checker_agrees(LECTURE) > 30


def test_lstm_formulas_match_a_unit_by_unit_cell(q):
    lstm = q["l08-lstm"]
    D, H = 3, 4
    for _ in range(3):
        P = lstm_params(D, H)
        x, h, c = RNG.normal(size=(D, 1)), RNG.normal(size=(H, 1)), RNG.normal(size=(H, 1))
        ref = lstm_step(P, x, h, c)
        env = {"x": x, "h": h, "c": c, "Wf": P["Wf"], "Vf": P["Vf"], "bf": P["bf"]}
        np.testing.assert_allclose(matrix_value(part(lstm, "forget").answer, env), ref["f"], rtol=1e-12)
        env = {"f": ref["f"], "i": ref["i"], "c": c, "chat": ref["chat"]}
        np.testing.assert_allclose(matrix_value(part(lstm, "cell").answer, env), ref["ct"], rtol=1e-12)
        env = {"o": ref["o"], "ct": ref["ct"]}
        np.testing.assert_allclose(matrix_value(part(lstm, "output").answer, env), ref["ht"], rtol=1e-12)
        # the constant error carousel: d c_t / d c_{t-1} = diag(f_t), by central differences
        jac = np.zeros((H, H))
        for k in range(H):
            e = np.zeros((H, 1))
            e[k] = 1e-6
            jac[:, k] = ((lstm_step(P, x, h, c + e)["ct"] - lstm_step(P, x, h, c - e)["ct"]) / 2e-6)[:, 0]
        np.testing.assert_allclose(jac, np.diagflat(ref["f"]), atol=1e-8)


def test_forget_bias_of_one_keeps_the_cell(q):
    bias = part(q["l08-lstm"], "bias")
    assert [c.correct for c in bias.choices] == [False, True, False, False]
    # zero weights: f = sigma(b_f); after 20 steps the cell keeps f^20 of its content
    P = lstm_params(2, 3)
    for k in P:
        P[k][...] = 0
    kept = {}
    for bf in (0.0, 1.0):
        P["bf"][...] = bf
        c = np.ones((3, 1))
        for _ in range(20):
            c = lstm_step(P, np.zeros((2, 1)), np.zeros((3, 1)), c)["ct"]
        kept[bf] = c[0, 0]
    assert math.isclose(kept[0.0], 0.5 ** 20) and math.isclose(kept[1.0], sig(1) ** 20)
    assert kept[1.0] > 1000 * kept[0.0]


def test_gru_formulas_match_a_unit_by_unit_cell(q):
    gru = q["l08-gru"]
    D, H = 3, 4
    for _ in range(3):
        P = gru_params(D, H)
        x, h = RNG.normal(size=(D, 1)), RNG.normal(size=(H, 1))
        ref = gru_step(P, x, h)
        env = {"x": x, "h": h, "Wr": P["Wr"], "Vr": P["Vr"], "br": P["br"]}
        np.testing.assert_allclose(matrix_value(part(gru, "reset").answer, env), ref["r"], rtol=1e-12)
        env = {"x": x, "h": h, "r": ref["r"], "Wh": P["Wh"], "Vh": P["Vh"], "bh": P["bh"]}
        np.testing.assert_allclose(matrix_value(part(gru, "candidate").answer, env), ref["hhat"], rtol=1e-12)
        env = {"u": ref["u"], "h": h, "hhat": ref["hhat"]}
        np.testing.assert_allclose(matrix_value(part(gru, "update").answer, env), ref["h"], rtol=1e-12)
    # u = 1 keeps the old state exactly (the stated convention)
    ones = np.ones((H, 1))
    np.testing.assert_allclose(matrix_value(part(gru, "update").answer, {"u": ones, "h": h, "hhat": -h}), h)


def test_highway_layer_matches_a_unit_by_unit_layer(q):
    hw = q["l08-highway"]
    n = 5
    WT, bT, WH, bH = RNG.normal(size=(n, n)), RNG.normal(size=(n, 1)), RNG.normal(size=(n, n)), RNG.normal(size=(n, 1))
    x = RNG.normal(size=(n, 1))
    t = np.array([[sig(sum(WT[j, k] * x[k, 0] for k in range(n)) + bT[j, 0])] for j in range(n)])
    hx = np.array([[max(0.0, sum(WH[j, k] * x[k, 0] for k in range(n)) + bH[j, 0])] for j in range(n)])
    y = np.array([[hx[j, 0] * t[j, 0] + x[j, 0] * (1 - t[j, 0])] for j in range(n)])
    np.testing.assert_allclose(matrix_value(part(hw, "gate").answer, {"x": x, "WT": WT, "bT": bT}), t, rtol=1e-12)
    np.testing.assert_allclose(matrix_value(part(hw, "output").answer, {"x": x, "hx": hx, "t": t}), y, rtol=1e-12)
    # a strongly negative gate bias makes the layer (almost) the identity
    closed = matrix_value(part(hw, "gate").answer, {"x": x, "WT": WT * 0, "bT": bT * 0 - 30})
    np.testing.assert_allclose(matrix_value(part(hw, "output").answer, {"x": x, "hx": hx, "t": closed}), x, atol=1e-12)


def test_state_unit_survival_exact_and_simulated(q):
    vd = q["l08-variational-dropout"]
    assert vd.n_variants == 9
    rng = np.random.default_rng(4)
    for v in variants(vd):
        p, T = values(v)["p"], int(values(v)["T"])
        exact = Fraction(1)
        for _ in range(T):
            exact *= 1 - Fraction(p).limit_denominator(100)
        ans = number(part(v, "survive").answer)
        assert math.isclose(ans, float(exact), rel_tol=1e-9)
        if ans > 0.01:  # simulate fresh masks at every step
            kept = (rng.random((200_000, T)) >= p).all(axis=1).mean()
            assert abs(kept - ans) < 5 * math.sqrt(ans * (1 - ans) / 200_000) + 1e-4
        # one mask per sequence (variational dropout): a kept unit stays kept for all T steps
        mask = rng.random(10_000) >= p
        assert (np.tile(mask[:, None], (1, T)).all(axis=1) == mask).all()
    assert [c.correct for c in part(vd, "mask").choices] == [True, False, False, False]


def test_layer_norm_against_numpy_statistics(q):
    ln = q["l08-layer-norm"]
    assert ln.n_variants == 18
    for v in variants(ln):
        vals = values(v)
        x = np.array([vals["x1"], vals["x2"], vals["x3"], 7.0])
        want = (x[0] - x.mean()) / x.std()  # np.std is the biased (1/H) deviation
        assert math.isclose(number(part(v, "value").answer), want, rel_tol=1e-12)
        unbiased = (x[0] - x.mean()) / x.std(ddof=1)
        assert math.isclose(number(part(v, "value").wrong_answers[0].answer), unbiased, rel_tol=1e-12)
        assert abs(want - unbiased) > 0.01  # the listed slip is really outside the tolerance
        assert f"{vals['x1']:g}" in v.prompt
    formula = expr(part(ln, "formula").answer, ["x", "mu", "s2", "eps", "gamma", "beta"])
    feats = RNG.normal(size=6)
    gamma, beta, eps = 1.7, -0.3, 1e-5
    f = sympy.lambdify(sympy.symbols("x mu s2 eps gamma beta", real=True), formula)
    got = np.array([f(xj, feats.mean(), feats.var(), eps, gamma, beta) for xj in feats])
    normed = (feats - feats.mean()) / np.sqrt(feats.var() + eps)
    np.testing.assert_allclose(got, gamma * normed + beta, rtol=1e-12)
    assert abs(normed.mean()) < 1e-12 and abs(normed.var() - 1) < 1e-3


def test_tagger_word_representation_size_by_building_it(q):
    tg = q["l08-tagger"]
    assert tg.n_variants == 9
    for v in variants(tg):
        E, C = int(values(v)["E"]), int(values(v)["C"])
        word = RNG.normal(size=(E, 1))
        chars = [RNG.normal(size=(8, 1)) for _ in range(5)]  # five embedded characters
        fw, bw = gru_params(8, C), gru_params(8, C)
        hf, hb = np.zeros((C, 1)), np.zeros((C, 1))
        for ch in chars:
            hf = gru_step(fw, ch, hf)["h"]
        for ch in reversed(chars):
            hb = gru_step(bw, ch, hb)["h"]
        rep = np.vstack([word, hf, hb])
        assert number(part(v, "size").answer) == rep.shape[0]
    assert [c.correct for c in part(tg, "residual").choices] == [True, False, False, False]
    assert len(drawings(tg)) == 1


def test_lstm_and_gru_parameter_counts_from_the_cells_arrays(q):
    rp = q["l08-rnn-params"]
    assert rp.n_variants == 9
    for v in variants(rp):
        D, H = int(values(v)["D"]), int(values(v)["H"])
        lstm = sum(a.size for a in lstm_params(D, H).values())
        gru = sum(a.size for a in gru_params(D, H).values())
        assert number(part(v, "lstm").answer) == lstm
        assert number(part(v, "gru").answer) == gru


def test_cell_gradient_factor_by_finite_differences(q):
    cg = q["l08-cell-gradient"]
    assert cg.n_variants == 6
    for v in variants(cg):
        f, T = values(v)["f"], int(values(v)["T"])
        P = lstm_params(1, 1)
        for k in P:
            P[k][...] = 0
        P["bf"][...] = math.log(f / (1 - f))  # sigma(b_f) = f with zero weights
        P["bi"][...] = 2.0
        P["bc"][...] = 0.3  # the input term adds to the cell but does not depend on c

        def run(c0, P=P, T=T):
            c = np.array([[c0]])
            for _ in range(T):
                c = lstm_step(P, np.zeros((1, 1)), np.zeros((1, 1)), c)["ct"]
            return c[0, 0]

        # along this path c_T is affine in c_0, so a wide secant is exact (and resolves 0.5^50)
        grad = (run(1e6) - run(-1e6)) / 2e6
        assert math.isclose(number(part(v, "factor").answer), grad, rel_tol=1e-6)
        assert math.isclose((run(0.5 + 1e-3) - run(0.5 - 1e-3)) / 2e-3, grad, rel_tol=1e-3, abs_tol=1e-9)


def test_typical_student_spellings_are_accepted(q):
    typed = {("l08-lstm", "forget"): "σ(Wf x + Vf h + bf)", ("l08-lstm", "cell"): "i⊙chat + f⊙c",
             ("l08-lstm", "output"): "o ⊙ tanh(ct)", ("l08-gru", "update"): "u⊙h + (1-u)⊙hhat",
             ("l08-gru", "candidate"): "tanh(Wh x + Vh(r⊙h) + bh)", ("l08-highway", "output"): "t⊙hx + (1-t)⊙x",
             ("l08-layer-norm", "formula"): "γ(x-μ)/√(s2+ε)+β"}
    for (qid, pid), text in typed.items():
        r = verdict(part(q[qid], pid), text)
        assert r.correct, (qid, pid, text, r.message)
