"""The Lecture 3 exam bank: loads cleanly, and every answer is verified independently.

The references are re-derived here — NumPy central differences for the MLP, softmax and L2
gradients, SymPy derivatives from first principles for the scalar losses, NumPy simulations for
dropout, label smoothing and Glorot — rather than compared with themselves. When
`quizlib.answers` exists, the checker must accept each reference and reject each listed wrong
answer with its own feedback, for every variant.
"""
from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
import sympy

from quizlib.bank import load_banks
from quizlib.bank.variants import variant_of

from conftest import ROOT

SOURCE = "000_3fc7ddf7b73e9fcd.txt"


@pytest.fixture(scope="module")
def bank():
    banks = {b.id: b for b in load_banks(ROOT / "content")}
    return banks["lecture3_exam"]


@pytest.fixture(scope="module")
def q(bank):
    return {qq.id: qq for qq in bank.questions}


def part(question, pid):
    return next(p for p in question.parts if p.id == pid)


def compact(s: str) -> str:
    return s.replace(" ", "")


# -- the bank as a whole ---------------------------------------------------------------------

def test_bank_loads_strictly_without_problems(bank, tmp_path):
    assert bank.problems == (), "\n".join(map(str, bank.problems))
    shutil.copy(ROOT / "content" / "lecture3_exam.md", tmp_path)
    (tmp_path / "sources").mkdir()
    shutil.copy(ROOT / "content" / "sources" / "000_3fc7ddf7b73e9fcd.md", tmp_path / "sources")
    shutil.copy(ROOT / "content" / "sources" / "npfl114-lecture-03.md", tmp_path / "sources")
    (alone,) = load_banks(tmp_path, strict=True)
    assert len(alone.questions) == 8


def test_eight_questions_with_the_exam_points_and_coverage(bank):
    qs = bank.questions
    assert len(qs) == 8
    assert [x.points for x in qs] == [10, 5, 5, 5, 5, 5, 5, 5]
    assert all(x.source == SOURCE and x.topics and x.hints for x in qs)
    catalogue = (ROOT / "content" / "sources" / "000_3fc7ddf7b73e9fcd.md").read_text(encoding="utf-8")
    items = [line[2:].split(":")[0] for line in catalogue.split("Items:")[1].splitlines() if line.startswith("- ")]
    assert len(items) == 8 and sorted(c for x in qs for c in x.covers if not c.startswith("npfl-")) == sorted(items)
    # the same eight are the official list's lecture 3 items, in the list's order, worth the same points
    assert [x.covers[-1] for x in qs] == [f"npfl-l03-q{i}" for i in range(1, 9)]
    assert all(x.lecture == 3 for x in qs)


def test_every_formula_has_two_wrong_answers_and_every_derivation_a_rubric(bank):
    for x in bank.questions:
        assert x.solution, x.id
        for p in x.parts:
            if p.kind in ("number", "expr", "matrix"):
                assert len(p.wrong_answers) >= 2, (x.id, p.id)
                assert all(w.feedback for w in p.wrong_answers)
            if p.kind == "derivation":
                assert p.rubric and math.isclose(sum(r.points for r in p.rubric), p.points), (x.id, p.id)


# -- Q1: MLP gradients, by central differences --------------------------------------------

def _mlp_loss(params, x, g):
    W1, b1, W2, b2 = params
    h = np.maximum(W1.T @ x + b1, 0)
    z2 = W2.T @ h + b2
    logp = z2 - z2.max() - np.log(np.exp(z2 - z2.max()).sum())
    return -(g * logp).sum()


def test_mlp_gradients_match_finite_differences(q):
    assert [compact(part(q["l3-mlp-grads"], p).answer) for p in ("W2", "b2", "W1", "b1")] == [
        "h(o-g)^T", "o-g", "x((W2(o-g))⊙step(z1))^T", "(W2(o-g))⊙step(z1)"]
    rng = np.random.default_rng(3)
    D, H, K = 4, 5, 3
    for _ in range(3):
        x = rng.normal(size=(D, 1))
        params = [rng.normal(size=(D, H)), rng.normal(size=(H, 1)), rng.normal(size=(H, K)),
                  rng.normal(size=(K, 1))]
        g = np.eye(K)[:, [rng.integers(K)]]
        W1, b1, W2, b2 = params
        z1 = W1.T @ x + b1
        assert np.abs(z1).min() > 1e-3  # away from the ReLU kink, so differences are exact
        h = np.maximum(z1, 0)
        z2 = W2.T @ h + b2
        o = np.exp(z2 - z2.max()) / np.exp(z2 - z2.max()).sum()
        step = (z1 > 0).astype(float)
        formulas = [x @ ((W2 @ (o - g)) * step).T, (W2 @ (o - g)) * step, h @ (o - g).T, o - g]
        for i, formula in enumerate(formulas):
            num = np.zeros_like(params[i])
            for idx in np.ndindex(params[i].shape):
                for sign in (1, -1):
                    shifted = [p.copy() for p in params]
                    shifted[i][idx] += sign * 1e-6
                    num[idx] += sign * _mlp_loss(shifted, x, g) / 2e-6
            assert formula.shape == params[i].shape
            np.testing.assert_allclose(formula, num, rtol=1e-5, atol=1e-7)


# -- Q2–Q4: the losses ----------------------------------------------------------------------

z, g, o, y = sympy.symbols("z g o y", real=True)
SIG = sympy.Lambda(z, 1 / (1 + sympy.exp(-z)))


def scalar(text: str, **extra):
    """A bank answer (teacher text) as SymPy, sigma being the logistic function."""
    names = {"z": z, "g": g, "o": o, "y": y, "sigma": SIG, "log": sympy.log, **extra}
    return sympy.sympify(text.replace("^", "**"), locals=names)


def same(a, b, subs_points):
    return all(abs(complex(sympy.N((a - b).subs(pt)))) < 1e-9 for pt in subs_points)


POINTS = [{z: 0.3, g: 0.2, o: 0.7, y: 1}, {z: -1.7, g: 0.9, o: -0.4, y: 0}, {z: 2.2, g: 0.5, o: 3.1, y: 1}]


def test_mse_loss_and_gradient(q):
    mse = q["l3-mse"]
    loss = scalar(part(mse, "loss").answer)
    assert sympy.simplify(loss - (o - g) ** 2) == 0
    assert sympy.simplify(scalar(part(mse, "grad").answer) - sympy.diff((o - g) ** 2, o)) == 0
    for w in part(mse, "grad").wrong_answers:
        assert not same(scalar(w.answer), sympy.diff(loss, o), POINTS), w.answer


def test_sigmoid_cross_entropy_from_the_bernoulli_likelihood(q):
    ce = q["l3-sigmoid-ce"]
    s = 1 / (1 + sympy.exp(-z))
    nll = -sympy.log(s ** g * (1 - s) ** (1 - g))  # −log of the Bernoulli likelihood
    loss = scalar(part(ce, "loss").answer)
    assert same(loss, nll, POINTS)
    grad = scalar(part(ce, "grad").answer)
    assert same(grad, sympy.diff(nll, z), POINTS)
    zz, gg = 0.4, 0.3
    f = sympy.lambdify((z, g), nll)
    assert abs((f(zz + 1e-6, gg) - f(zz - 1e-6, gg)) / 2e-6 - float(grad.subs({z: zz, g: gg}))) < 1e-8
    for p in ("loss", "grad"):
        ref = scalar(part(ce, p).answer)
        for w in part(ce, p).wrong_answers:
            assert not same(scalar(w.answer), ref, POINTS), w.answer


def test_softmax_cross_entropy_gradient_by_finite_differences(q):
    sce = q["l3-softmax-ce"]
    assert compact(part(sce, "loss").answer) == "-g^Tlog(o)"
    assert compact(part(sce, "grad").answer) == "o-g" and part(sce, "grad").let == ("o = softmax(z)",)
    rng = np.random.default_rng(5)
    zv = rng.normal(size=4)
    gv = rng.dirichlet(np.ones(4))  # any target distribution, not only one-hot

    def loss(zz):
        return -(gv * (zz - np.log(np.exp(zz).sum()))).sum()  # −Σ g_i log softmax(z)_i

    num = np.array([(loss(zv + e * 1e-6) - loss(zv - e * 1e-6)) / 2e-6 for e in np.eye(4)])
    ov = np.exp(zv) / np.exp(zv).sum()
    np.testing.assert_allclose(ov - gv, num, atol=1e-8)
    assert math.isclose(loss(zv), -(gv @ np.log(ov)))


# -- Q5: L2 ---------------------------------------------------------------------------------

def test_l2_gradient_and_update_by_finite_differences(q):
    l2 = q["l3-l2"]
    th, gr, lam, alpha = sympy.symbols("theta grad lam alpha")
    names = {"theta": th, "grad": gr, "lam": lam, "alpha": alpha}
    grad_expr = sympy.sympify(part(l2, "grad").answer.replace("^", "**"), locals=names)
    upd_expr = sympy.sympify(part(l2, "update").answer.replace("^", "**"), locals=names)
    rng = np.random.default_rng(11)
    A = rng.normal(size=(3, 3))
    A = A @ A.T
    c = rng.normal(size=3)
    theta = rng.normal(size=3)
    lam_v, alpha_v = 0.3, 0.05

    def J(t):
        return 0.5 * t @ A @ t + c @ t

    def Jt(t):  # the course's form: no 1/2
        return J(t) + lam_v * t @ t

    gradJ = A @ theta + c
    num = np.array([(Jt(theta + e * 1e-6) - Jt(theta - e * 1e-6)) / 2e-6 for e in np.eye(3)])
    f_grad = sympy.lambdify((th, gr, lam, alpha), grad_expr)
    f_upd = sympy.lambdify((th, gr, lam, alpha), upd_expr)
    np.testing.assert_allclose(f_grad(theta, gradJ, lam_v, alpha_v), num, atol=1e-6)
    np.testing.assert_allclose(f_upd(theta, gradJ, lam_v, alpha_v), theta - alpha_v * num, atol=1e-7)
    for pid, ref in (("grad", f_grad), ("update", f_upd)):
        for w in part(l2, pid).wrong_answers:
            fw = sympy.lambdify((th, gr, lam, alpha), sympy.sympify(w.answer, locals=names))
            assert not np.allclose(fw(theta, gradJ, lam_v, alpha_v), ref(theta, gradJ, lam_v, alpha_v))


# -- Q6–Q8: simulations per variant ---------------------------------------------------------

def number(text: str) -> float:
    return float(sympy.sympify(text.replace("^", "**")))


def test_dropout_factors_by_simulation(q):
    drop = q["l3-dropout"]
    assert drop.n_variants == 5
    assert [c.correct for c in part(drop, "inference").choices] == [False, True, False, False]
    rng = np.random.default_rng(2)
    for k in range(drop.n_variants):
        v = variant_of(drop, k)
        p = dict(v.values)["p"]
        keep = rng.random(400_000) >= p  # a unit survives with probability 1 − p
        activation = rng.normal(1.0, 0.1, size=keep.size)
        train = number(part(v, "train-scale").answer) * keep * activation
        assert abs(train.mean() / activation.mean() - 1) < 0.01  # inverted dropout keeps E[y]
        infer = number(part(v, "infer-scale").answer)
        assert abs(infer - keep.mean()) < 0.005  # original dropout: E[mask] = 1 − p
        assert f"p = {p:g}" in v.prompt


def test_label_smoothing_targets_per_variant(q):
    ls = q["l3-label-smoothing"]
    assert ls.n_variants == 9
    for k in range(ls.n_variants):
        v = variant_of(ls, k)
        alpha, K = dict(v.values)["alpha"], int(dict(v.values)["K"])
        target = (1 - alpha) * np.eye(K)[0] + alpha * np.full(K, 1 / K)  # one-hot mixed with uniform
        assert math.isclose(target.sum(), 1)
        assert math.isclose(number(part(v, "gold").answer), target[0])
        assert math.isclose(number(part(v, "other").answer), target[1])
        binary = scalar(part(v, "binary").answer)
        for label in (0, 1):
            two = (1 - alpha) * np.array([label, 1 - label]) + alpha / 2  # two outcomes
            assert math.isclose(float(binary.subs(y, label)), two[0])
        for pid in ("gold", "other"):
            for w in part(v, pid).wrong_answers:
                assert not math.isclose(number(w.answer), number(part(v, pid).answer), rel_tol=1e-3)


def test_glorot_bound_gives_variance_two_over_m_plus_n(q):
    gl = q["l3-glorot"]
    assert gl.n_variants == 9
    assert [c.text for c in part(gl, "bias").choices if c.correct] == ["To zero."]
    assert [c.text for c in part(gl, "variance").choices if c.correct] == ["$2/(m+n)$"]
    rng = np.random.default_rng(4)
    for k in range(gl.n_variants):
        v = variant_of(gl, k)
        m, n = dict(v.values)["m"], dict(v.values)["n"]
        a = number(part(v, "bound").answer)
        w = rng.uniform(-a, a, size=(int(m), int(n)))
        assert abs(w.var() / (2 / (m + n)) - 1) < 0.05
        assert math.isclose(a * a / 3, 2 / (m + n))
        for wa in part(v, "bound").wrong_answers:
            assert not math.isclose(number(wa.answer), a, rel_tol=0.01)


# -- through the answer checker, once it exists ----------------------------------------------

def _variants(question):
    return [variant_of(question, k) for k in range(question.n_variants)]


def test_checker_accepts_references_and_rejects_wrong_answers_with_their_feedback(bank):
    answers = pytest.importorskip("quizlib.answers")
    for x in bank.questions:
        for v in _variants(x):
            for p in v.parts:
                if p.kind not in ("number", "expr", "matrix"):
                    continue
                kw = dict(kind=p.kind, symbols=list(p.symbols), rtol=p.rtol, atol=p.atol, let=p.let,
                          functions=p.functions, wrong_answers=p.wrong_answers)
                r = answers.check(p.answer, p.answer, **kw)
                assert r.correct, (x.id, p.id, v.variant, r.message)
                for w in p.wrong_answers:
                    r = answers.check(p.answer, w.answer, **kw)
                    assert not r.correct, (x.id, p.id, w.answer)
                    assert w.feedback in r.message, (x.id, p.id, w.answer, r.message)
                if p.kind == "number":
                    assert math.isfinite(answers.evaluate_number(p.answer, {}))


def test_checker_accepts_typical_student_spellings(q):
    answers = pytest.importorskip("quizlib.answers")
    mse = part(q["l3-mse"], "grad")
    assert answers.check(mse.answer, "2(o-g)", symbols=list(mse.symbols)).correct
    sig = part(q["l3-sigmoid-ce"], "grad")
    assert answers.check(sig.answer, "σ(z) - g", symbols=list(sig.symbols)).correct
    w1 = part(q["l3-mlp-grads"], "W1")
    r = answers.check(w1.answer, "x (step(z1) ⊙ (W2 (o - g)))^T", kind="matrix",
                      symbols=list(w1.symbols), let=w1.let)
    assert r.correct, r.message
