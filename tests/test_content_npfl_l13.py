"""NPFL114 lecture 13 bank (reinforcement learning): every reference recomputed independently.

The tiny MDP is solved here by iterative policy evaluation, value iteration and a Monte-Carlo
simulation of episodes (never by the bank's closed forms); the running average against NumPy's
mean; ε-greedy by simulation; returns by the backward recursion; the Monte-Carlo control update
by running the algorithm on the episode; the policy-gradient formulas by SymPy and finite
differences of the solved MDP; the baseline's variance by exact enumeration.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from npfl_variant_helpers import accepts, contract, load, num, part, same_expr, values

BANK = "npfl114_lecture_13"


@pytest.fixture(scope="module")
def qs():
    return load(BANK)


def test_contract_and_official_coverage(qs):
    assert len(qs) == 14
    contract(qs, catalogue="npfl114-lecture-13")


# -- the tiny MDP, as a table -----------------------------------------------------------------
# state -> action -> list of (probability, reward, next state); "T" is terminal.

def tiny_mdp(rB):
    return {"A": {"left": [(1.0, 1.0, "T")], "right": [(1.0, 0.0, "B")]},
            "B": {"go": [(0.5, rB, "A"), (0.5, rB, "T")]}}


def policy(p):
    return {"A": {"left": 1 - p, "right": p}, "B": {"go": 1.0}}


def evaluate(mdp, pi, gamma, sweeps=2000):
    v = {"A": 0.0, "B": 0.0, "T": 0.0}
    for _ in range(sweeps):
        for s in ("A", "B"):
            v[s] = sum(pi[s][a] * sum(pr * (r + gamma * v[s2]) for pr, r, s2 in mdp[s][a]) for a in mdp[s])
    return v


def q_of(mdp, v, gamma, s, a):
    return sum(pr * (r + gamma * v[s2]) for pr, r, s2 in mdp[s][a])


def value_iteration(mdp, gamma, sweeps=2000):
    v = {"A": 0.0, "B": 0.0, "T": 0.0}
    for _ in range(sweeps):
        for s in ("A", "B"):
            v[s] = max(q_of(mdp, v, gamma, s, a) for a in mdp[s])
    return v


def monte_carlo_vA(p, gamma, rB, episodes, rng):
    total = 0.0
    for _ in range(episodes):
        s, g, disc = "A", 0.0, 1.0
        while s != "T":
            if s == "A":
                if rng.random() < p:
                    s = "B"  # reward 0
                else:
                    g += disc * 1.0
                    s = "T"
            else:
                g += disc * rB
                s = "A" if rng.random() < 0.5 else "T"
            disc *= gamma
        total += g
    return total / episodes


def test_value_of_A_by_policy_evaluation_and_simulation(qs):
    q = qs["l13-value-function"]
    for v in values(q):
        sol = evaluate(tiny_mdp(v["rB"]), policy(v["p"]), v["gamma"])
        assert math.isclose(num(part(q, "vA").answer, v), sol["A"], rel_tol=1e-9)
    rng = np.random.default_rng(13)
    v = values(q)[0]
    mc = monte_carlo_vA(v["p"], v["gamma"], v["rB"], 40000, rng)
    assert abs(mc - num(part(q, "vA").answer, v)) < 0.05


def test_action_value_of_right_by_policy_evaluation(qs):
    q = qs["l13-action-value"]
    for v in values(q):
        mdp = tiny_mdp(v["rB"])
        sol = evaluate(mdp, policy(v["p"]), v["gamma"])
        assert math.isclose(num(part(q, "qright").answer, v), q_of(mdp, sol, v["gamma"], "A", "right"), rel_tol=1e-9)
        # and v is the policy's average of q (the relation of l13-v-and-q)
        avg = v["p"] * q_of(mdp, sol, v["gamma"], "A", "right") + (1 - v["p"]) * q_of(mdp, sol, v["gamma"], "A", "left")
        assert math.isclose(avg, sol["A"], rel_tol=1e-9)


def test_optimal_value_by_value_iteration(qs):
    q = qs["l13-optimal"]
    for v in values(q):
        sol = value_iteration(tiny_mdp(v["rB"]), v["gamma"])
        assert math.isclose(num(part(q, "vstar").answer, v), sol["A"], rel_tol=1e-9)
        # no stochastic policy in A does better (the optimum is deterministic)
        best = max(evaluate(tiny_mdp(v["rB"]), policy(p), v["gamma"], 400)["A"] for p in np.linspace(0, 1, 21))
        assert best <= sol["A"] + 1e-9


def test_gradient_of_vA_by_finite_differences(qs):
    q = qs["l13-pg-proof"]
    h = 1e-5
    for v in values(q):
        mdp = tiny_mdp(v["rB"])
        fd = (evaluate(mdp, policy(v["p"] + h), v["gamma"])["A"] - evaluate(mdp, policy(v["p"] - h), v["gamma"])["A"]) / (2 * h)
        assert math.isclose(num(part(q, "dv").answer, v), fd, rel_tol=1e-6)


def test_v_and_q_relations_by_explicit_expectations(qs):
    q = qs["l13-v-and-q"]
    pi, q1, q2, r, g, P, v1, v2 = sympy.symbols("pi q1 q2 r gamma P v1 v2")
    # v: expectation over the policy's action; q: expectation over the environment's next state
    v_mine = sum(prob * val for prob, val in [(pi, q1), (1 - pi, q2)])
    q_mine = sum(prob * (r + g * val) for prob, val in [(P, v1), (1 - P, v2)])
    assert same_expr(part(q, "v").answer, v_mine, ["pi", "q1", "q2"])
    assert same_expr(part(q, "q").answer, q_mine, ["r", "gamma", "P", "v1", "v2"])


# -- running average, bandits, returns, Monte-Carlo control ------------------------------------

def test_running_average_against_numpy(qs):
    q = qs["l13-running-average"]
    rng = np.random.default_rng(1)
    for v in values(q):
        n = int(v["n"])
        first = rng.normal(size=n - 1)
        first = first - first.mean() + v["m"]  # n-1 numbers with mean m
        assert math.isclose(num(part(q, "value").answer, v), float(np.mean(np.append(first, v["x"]))), rel_tol=1e-12)
    for n in range(2, 7):
        xs = sympy.symbols(f"x1:{n + 1}")
        prev = sum(xs[:-1]) / (n - 1)
        rule = sympy.sympify(part(q, "rule").answer.replace("^", "**"), locals={"Q": sympy.Symbol("Q"), "N": sympy.Symbol("N")})
        assert sympy.simplify(rule.subs({"Q": prev, "x": xs[-1], "N": n}) - sum(xs) / n) == 0


def test_epsilon_greedy_probabilities_by_simulation(qs):
    q = qs["l13-bandit"]
    rng = np.random.default_rng(2)
    draws = 200_000
    for v in values(q):
        k, eps = int(v["k"]), v["eps"]
        explore = rng.random(draws) < eps
        arm = np.where(explore, rng.integers(k, size=draws), 0)  # arm 0 is the greedy one
        for pid, freq in (("greedy", np.mean(arm == 0)), ("other", np.mean(arm == 1))):
            ref = num(part(q, pid).answer, v)
            assert abs(freq - ref) < 5 * math.sqrt(ref * (1 - ref) / draws), (pid, v, freq, ref)


def test_return_by_backward_recursion(qs):
    q = qs["l13-mdp"]
    for v in values(q):
        g = 0.0
        for r in reversed([v["r1"], 0.0, v["r3"], 10.0]):
            g = r + v["gamma"] * g
        assert math.isclose(num(part(q, "G0").answer, v), g, rel_tol=1e-12)


def test_every_visit_monte_carlo_by_running_it(qs):
    q = qs["l13-mc-epsilon-soft"]
    for v in values(q):
        episode = [(("s", "a"), 1.0), (("s1", "a1"), v["r2"]), (("s", "a"), v["r3"])]  # (S_t, A_t), R_{t+1}
        Q, C, G = {}, {}, 0.0
        for pair, reward in reversed(episode):
            G = v["gamma"] * G + reward
            C[pair] = C.get(pair, 0) + 1
            Q[pair] = Q.get(pair, 0.0) + (G - Q.get(pair, 0.0)) / C[pair]
        assert math.isclose(num(part(q, "Q").answer, v), Q[("s", "a")], rel_tol=1e-12)


# -- policy gradients ------------------------------------------------------------------------

TH = sympy.Symbol("theta")
SIG = 1 / (1 + sympy.exp(-TH))


def test_policy_gradient_in_one_state(qs):
    q1, q2 = sympy.symbols("q1 q2")
    J = SIG * q1 + (1 - SIG) * q2
    assert same_expr(part(qs["l13-pg-theorem"], "grad").answer, sympy.diff(J, TH), ["theta", "q1", "q2"], lo=-3, hi=3)


def test_log_probability_gradient_and_reinforce_steps(qs):
    alpha, G, b = sympy.symbols("alpha G b")
    assert same_expr(part(qs["l13-reinforce-loss"], "glog").answer, sympy.diff(sympy.log(SIG), TH), ["theta"], lo=-3, hi=3)
    step = TH + alpha * G * sympy.diff(sympy.log(1 - SIG), TH)  # action a2 at t = 0
    assert same_expr(part(qs["l13-reinforce"], "step").answer, step, ["theta", "alpha", "G"], lo=-3, hi=3)
    step_b = TH + alpha * (G - b) * sympy.diff(sympy.log(SIG), TH)  # action a1, baseline b
    assert same_expr(part(qs["l13-reinforce-baseline"], "step").answer, step_b, ["theta", "alpha", "G", "b"], lo=-3, hi=3)


def test_baseline_term_vanishes(qs):
    b = sympy.Symbol("b")
    term = SIG * b * sympy.diff(sympy.log(SIG), TH) + (1 - SIG) * b * sympy.diff(sympy.log(1 - SIG), TH)
    assert sympy.simplify(term) == 0 and part(qs["l13-baseline"], "zero").answer.strip() == "0"
    # and for a softmax policy over 5 actions, by central differences of log pi
    rng = np.random.default_rng(5)
    logits = rng.normal(size=5)

    def logpi(z):
        return z - np.log(np.sum(np.exp(z)))
    pi = np.exp(logpi(logits))
    h = 1e-6
    for j in range(5):
        e = np.zeros(5)
        e[j] = h
        grad = (logpi(logits + e) - logpi(logits - e)) / (2 * h)  # d log pi(a) / d z_j for every a
        assert abs(np.sum(pi * 3.7 * grad)) < 1e-8


def test_baseline_variance_by_enumeration_and_simulation(qs):
    q = qs["l13-reinforce-baseline"]
    rng = np.random.default_rng(7)
    for v in values(q):
        c, d = v["c"], v["d"]
        outcomes = np.array([(c + d) * 0.5, (c - d) * (-0.5)])  # G * dlog pi / dtheta at sigma(theta) = 1/2
        assert math.isclose(num(part(q, "variance").answer, v), float(np.var(outcomes)), rel_tol=1e-12)
        with_baseline = np.array([(c + d - c) * 0.5, (c - d - c) * (-0.5)])
        assert np.var(with_baseline) == 0 and math.isclose(with_baseline.mean(), outcomes.mean())
        sample = outcomes[rng.integers(2, size=100_000)]
        assert abs(sample.var() - c * c / 4) < 0.05 * c * c / 4


def test_typical_student_spellings(qs):
    assert accepts(part(qs["l13-running-average"], "rule"), "(N-1)/N Q + x/N")
    assert accepts(part(qs["l13-reinforce"], "step"), "θ - α G σ(θ)")
    assert accepts(part(qs["l13-v-and-q"], "q"), "r + γ P v1 + γ(1-P) v2")
    assert not accepts(part(qs["l13-v-and-q"], "q"), "r + P v1 + (1-P) v2")
