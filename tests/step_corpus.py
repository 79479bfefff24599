"""Derivations of the step-checked bank questions (content/step_derivations.md), for the tests.

For each question id: two complete correct derivations by different routes, and two wrong ones,
each given as (a correct derivation, the 1-based line that is replaced, the wrong line): the wrong
step must be flagged at exactly that line and at no line before it.
"""
from __future__ import annotations

SIG_CE_A = """∂L/∂z = ∂L/∂o · ∂o/∂z
= (−g/o + (1−g)/(1−o)) · o(1−o)
= −g(1−o) + (1−g)o
= o − g"""
SIG_CE_B = r"""\frac{\partial L}{\partial z} = -g(1-\sigma(z)) + (1-g)\sigma(z)
= \sigma(z) - g
= o - g"""

SOFT_OTHER_A = """dL/dz2 = -1/o1 · ∂o1/∂z2
= -1/o1 · (-o1 o2)
= o2"""
SOFT_OTHER_B = """∂L/∂z2 = ∂/∂z2 (-z1 + log(S))
= exp(z2)/S
= o2"""

SOFT_TARGET_A = """∂L/∂z1 = ∂/∂z1 (-z1 + log(S))
= -1 + exp(z1)/S
= o1 - 1"""
SOFT_TARGET_B = """dL/dz1 = -1/o1 · ∂o1/∂z1
= -1/o1 · o1(1-o1)
= -(1-o1)
= o1 - 1"""

MSE_A = """∂L/∂w = ∂L/∂o · ∂o/∂w
= 2(o-g) · x
= 2(o-g)x"""
MSE_B = """dL/dw = d/dw (w x + b - g)^2
= 2(wx + b - g) x
= 2x(o - g)"""

L2G_A = """∂C/∂w = ∂E/∂w + ∂/∂w (lam/2 w^2)
= (wx - y)x + lam w"""
L2G_B = """dC/dw = d/dw ((w x - y)^2/2 + λ/2 w²)
= (wx - y)·x + λw
= w x^2 - x y + λ w
= (wx - y)x + λw"""

L2U_A = """w - η ∂C/∂w = w - η((wx - y)x + λw)
= w - ηλw - η(wx - y)x
= (1 - ηλ)w - η(wx - y)x"""
L2U_B = """w - eta dC/dw
= w - eta (dE/dw + lam w)
= (1 - eta lam) w - eta dE/dw
= (1 - eta lam) w - eta (w x - y) x"""

GLOROT_A = """sqrt(3V) = sqrt(3 · 2/(m+n))
= sqrt(6/(m+n))"""
GLOROT_B = r"""\sqrt{3V} = \sqrt{\frac{6}{m+n}}
= \frac{\sqrt{6}}{\sqrt{m+n}}
= sqrt(6/(m+n))"""

ADAM_A = """m3/(1-b^3) = (b m2 + (1-b)G)/(1-b^3)
= (b^2 m1 + b(1-b)G + (1-b)G)/(1-b^3)
= (1-b)(b^2 + b + 1)G/(1-b^3)
= (1-b^3)G/(1-b^3)
= G"""
ADAM_B = """m3/(1-b^3) = (1-b)(1 + b + b^2) G / (1 - b^3)
= (1 - b^3) G/(1 - b^3)
= G"""

MOM_A = """v3 = μ v2 − η g3
= μ(μ v1 − η g2) − η g3
= μ(−μη g1 − η g2) − η g3
= −η(μ² g1 + μ g2 + g3)"""
MOM_B = """v3 = mu^2 v1 - mu eta g2 - eta g3
= -mu^2 eta g1 - mu eta g2 - eta g3
= -eta(mu^2 g1 + mu g2 + g3)"""

SIGD_A = """ds/dz = e^{-z}/(1+e^{-z})^2
= 1/(1+e^{-z}) · e^{-z}/(1+e^{-z})
= s · (1 - 1/(1+e^{-z}))
= s(1-s)"""
SIGD_B = """d/dz s = d/dz (1+exp(-z))^(-1)
= -(1+exp(-z))^(-2) · (-exp(-z))
= s^2 exp(-z)
= s^2 (1/s - 1)
= s(1-s)"""

TANHD_A = """dt/dz = ((e^z + e^{-z})^2 - (e^z - e^{-z})^2)/(e^z + e^{-z})^2
= 1 - (e^z - e^{-z})^2/(e^z + e^{-z})^2
= 1 - t^2"""
TANHD_B = """dt/dz = 4/(e^z + e^{-z})^2
= 1 - t²"""

BP1_A = """∂C/∂z = ∂C/∂a · ∂a/∂z
= (a - y) σ'(z)
= (a - y) a (1 - a)"""
BP1_B = """dC/dz = d/dz (sigma(z) - y)^2/2
= (σ(z) - y) σ(z)(1 - σ(z))
= (a-y)a(1-a)"""

BP2_A = """∂C/∂z1 = ∂C/∂z2 · ∂z2/∂a1 · ∂a1/∂z1
= (a2 - y) a2 (1 - a2) · w2 · a1(1 - a1)
= w2 (a2 - y) a2 (1 - a2) a1 (1 - a1)"""
BP2_B = """dC/dz1 = dC/da2 · da2/dz2 · w2 · a1(1-a1)
= (a2 - y) · a2(1-a2) · w2 · a1(1-a1)"""

CEB_A = """∂C/∂b = ∂C/∂a · ∂a/∂z · ∂z/∂b
= (a-y)/(a(1-a)) · a(1-a) · 1
= a - y"""
CEB_B = """dC/db = (-y/a + (1-y)/(1-a)) a(1-a)
= -y(1-a) + (1-y)a
= a - y"""

CEW_A = """∂C/∂w = ∂C/∂z · ∂z/∂w
= (a - y) x
= x(a - y)"""
CEW_B = """dC/dw = (-y/a + (1-y)/(1-a)) · a(1-a) · x
= (-y(1-a) + (1-y)a) x
= x(a-y)"""

SLOWW_A = """∂C/∂w = ∂C/∂a · ∂a/∂z · ∂z/∂w
= (a - y) · a(1 - a) · x
= (a-y)a(1-a)x"""
SLOWW_B = """dC/dw = (σ(wx+b) - y) σ'(wx+b) x
= (a - y) a (1 - a) x"""

SLOWB_A = """∂C/∂b = ∂C/∂a · ∂a/∂z
= (a - y) a (1 - a)"""
SLOWB_B = """dC/db = (sigma(w x + b) - y) sigma'(w x + b)
= (a - y)(a - a^2)
= (a - y) a (1 - a)"""

WD_A = """w3 = (1 - ηλ/n) w2
= (1 - ηλ/n)^2 w1
= (1 - ηλ/n)^3 w0"""
WD_B = """w3 = (1 - eta lam/n)(1 - eta lam/n)(1 - eta lam/n) w0
= (1 - eta lam/n)^3 w0"""

NL2_A = """w - η ∂C/∂w = w - η(∂E/∂w + λw/n)
= w - ηλw/n - η(wx - y)x
= (1 - ηλ/n)w - η(wx - y)x"""
NL2_B = """w - eta dC/dw = w - eta((w x - y) x + lam/n w)
= (1 - eta lam/n) w - eta (w x - y) x"""

SDIAG_A = """∂a1/∂z1 = (exp(z1) S - exp(z1)^2)/S^2
= a1 - a1^2
= a1(1 - a1)"""
SDIAG_B = r"""\frac{\partial a1}{\partial z1} = \frac{e^{z1}}{S} - \frac{e^{z1} e^{z1}}{S^2}
= a1 - a1·a1
= a1(1-a1)"""

SOFF_A = """∂a1/∂z2 = -exp(z1) exp(z2)/S^2
= -a1 a2"""
SOFF_B = """da1/dz2 = exp(z1) · (-1/S^2) · exp(z2)
= -(exp(z1)/S)(exp(z2)/S)
= -a1·a2"""

L1_A = """∂C/∂w = ∂E/∂w + λ/n sign(w)
= (wx - y)x + λ/n sign(w)"""
L1_B = """dC/dw = d/dw ((w x - y)^2/2) + lam/n sign(w)
= w x^2 - x y + lam sign(w)/n
= (w x - y) x + lam/n sign(w)"""

CEDA_A = """∂C/∂a = -y/a + (1-y)/(1-a)
= (-y(1-a) + (1-y)a)/(a(1-a))
= (a - y)/(a(1-a))"""
CEDA_B = """dC/da = (1-y)/(1-a) - y/a
= (a - a y - y + a y)/(a(1 - a))
= (a-y)/(a(1-a))"""

DROP_A = """E[m x/(1-p)] = x/(1-p) · E[m]
= x/(1-p) · (1-p)
= x"""
DROP_B = """E[m x/(1-p)] = (1-p) · (1·x/(1-p)) + p · (0·x/(1-p))
= x"""

GVAR_A = """Var(w) = E[w^2] - E[w]^2
= E[w^2] - 0
= \\int_{-a}^{a} w^2/(2a) \\, dw
= (a^3/3 - (-a)^3/3)/(2a)
= a^2/3"""
GVAR_B = """Var(w) = integrate(w^2/(2a), w, -a, a) - (integrate(w/(2a), w, -a, a))^2
= 2a^3/(3 · 2a)
= a²/3"""

ADAMS_A = """sum((1-b) b^(t-i), i, 1, t)/(1-b^t) = (1-b) b^t sum(b^(-i), i, 1, t)/(1-b^t)
= (1-b^t)/(1-b^t)
= 1"""
ADAMS_B = """\\sum_{i=1}^{t} (1-b) b^{t-i} / (1-b^t) = (1-b) sum(b^j, j, 0, t-1)/(1-b^t)
= (1-b) (1-b^t)/(1-b) / (1-b^t)
= 1"""

CASES = {
    "st-sigmoid-ce": ([SIG_CE_A, SIG_CE_B],
                      [(SIG_CE_A, 2, "= (g/o + (1−g)/(1−o)) · o(1−o)"), (SIG_CE_A, 4, "= g − o")]),
    "st-softmax-ce-other": ([SOFT_OTHER_A, SOFT_OTHER_B],
                            [(SOFT_OTHER_A, 2, "= -1/o1 · o1 o2"), (SOFT_OTHER_B, 2, "= exp(z1)/S")]),
    "st-softmax-ce-target": ([SOFT_TARGET_A, SOFT_TARGET_B],
                             [(SOFT_TARGET_A, 2, "= 1 + exp(z1)/S"), (SOFT_TARGET_B, 3, "= 1 - o1")]),
    "st-mse-linear": ([MSE_A, MSE_B], [(MSE_A, 2, "= (o-g) · x"), (MSE_B, 2, "= 2(wx + b - g)")]),
    "st-l2-gradient": ([L2G_A, L2G_B], [(L2G_A, 2, "= (wx - y)x + lam w/2"),
                                         (L2G_B, 3, "= w x^2 - x y - λ w")]),
    "st-l2-update": ([L2U_A, L2U_B], [(L2U_A, 2, "= w + ηλw - η(wx - y)x"),
                                       (L2U_B, 3, "= (1 - eta lam) w + eta dE/dw")]),
    "st-glorot-bound": ([GLOROT_A, GLOROT_B], [(GLOROT_A, 2, "= sqrt(3/(m+n))"),
                                                (GLOROT_B, 2, r"= \frac{6}{\sqrt{m+n}}")]),
    "st-adam-bias": ([ADAM_A, ADAM_B], [(ADAM_A, 3, "= (1-b)(b^2 + b)G/(1-b^3)"),
                                         (ADAM_B, 2, "= (1 - b^2) G/(1 - b^3)")]),
    "st-momentum-unrolled": ([MOM_A, MOM_B], [(MOM_A, 3, "= μ(μη g1 − η g2) − η g3"),
                                               (MOM_B, 2, "= -mu^2 eta g1 - eta g2 - eta g3")]),
    "st-sigmoid-derivative": ([SIGD_A, SIGD_B], [(SIGD_A, 1, "ds/dz = -e^{-z}/(1+e^{-z})^2"),
                                                  (SIGD_B, 4, "= s^2 (1/s + 1)")]),
    "st-tanh-derivative": ([TANHD_A, TANHD_B], [(TANHD_A, 3, "= 1 + t^2"), (TANHD_B, 1, "dt/dz = 2/(e^z + e^{-z})^2")]),
    "st-bp1-quadratic": ([BP1_A, BP1_B], [(BP1_A, 2, "= (y - a) σ'(z)"), (BP1_B, 2, "= (σ(z) - y) σ(z)")]),
    "st-bp2-one-neuron": ([BP2_A, BP2_B], [(BP2_A, 2, "= (a2 - y) a2 (1 - a2) · w2 · a1"),
                                            (BP2_B, 2, "= (a2 - y) · a2(1-a2) · a1(1-a1)")]),
    "st-ce-delta-bias": ([CEB_A, CEB_B], [(CEB_A, 2, "= (a-y)/a · a(1-a) · 1"), (CEB_B, 2, "= -y(1-a) - (1-y)a")]),
    "st-ce-delta-weight": ([CEW_A, CEW_B], [(CEW_A, 2, "= (a - y)"), (CEW_B, 2, "= (-y(1-a) + (1-y)a)")]),
    "st-slow-neuron-weight": ([SLOWW_A, SLOWW_B], [(SLOWW_A, 2, "= (a - y) · a · x"),
                                                    (SLOWW_B, 2, "= (a - y) (1 - a) x")]),
    "st-slow-neuron-bias": ([SLOWB_A, SLOWB_B], [(SLOWB_A, 2, "= (a - y)(1 - a)"), (SLOWB_B, 2, "= (a - y)(a + a^2)")]),
    "st-weight-decay-steps": ([WD_A, WD_B], [(WD_A, 2, "= (1 - ηλ/n) w1"), (WD_B, 2, "= (1 - eta lam/n)^2 w0")]),
    "st-nielsen-l2-update": ([NL2_A, NL2_B], [(NL2_A, 2, "= w - ηλw - η(wx - y)x"),
                                               (NL2_B, 2, "= (1 - eta lam/n) w - eta (w x + y) x")]),
    "st-softmax-diagonal": ([SDIAG_A, SDIAG_B], [(SDIAG_A, 2, "= a1 + a1^2"), (SDIAG_B, 3, "= a1(1+a1)")]),
    "st-softmax-offdiagonal": ([SOFF_A, SOFF_B], [(SOFF_A, 1, "∂a1/∂z2 = exp(z1) exp(z2)/S^2"),
                                                   (SOFF_B, 3, "= a1·a2")]),
    "st-l1-gradient": ([L1_A, L1_B], [(L1_A, 2, "= (wx - y)x + λ sign(w)"), (L1_B, 2, "= w x^2 - x y + lam w/n")]),
    "st-dropout-expectation": ([DROP_A, DROP_B], [(DROP_A, 2, "= x/(1-p) · p"), (DROP_B, 2, "= x/(1-p)")]),
    "st-glorot-variance": ([GVAR_A, GVAR_B], [(GVAR_A, 3, "= \\int_{-a}^{a} w^2/a \\, dw"),
                                              (GVAR_B, 2, "= 2a^3/3")]),
    "st-adam-bias-sum": ([ADAMS_A, ADAMS_B], [(ADAMS_A, 2, "= (1-b^(t+1))/(1-b^t)"),
                                              (ADAMS_B, 2, "= (1-b) (1-b^(t-1))/(1-b) / (1-b^t)")]),
    "st-ce-da": ([CEDA_A, CEDA_B], [(CEDA_A, 2, "= (y(1-a) + (1-y)a)/(a(1-a))"),
                                     (CEDA_B, 3, "= (a+y)/(a(1-a))")]),
}


def with_wrong_line(text: str, line: int, wrong: str) -> str:
    lines = text.splitlines()
    assert lines[line - 1] != wrong
    lines[line - 1] = wrong
    return "\n".join(lines)
