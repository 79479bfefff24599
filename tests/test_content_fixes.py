"""Bank mistakes found by review (issue 9, "The banks"), each pinned by a test that fails on the old text."""
from __future__ import annotations

import numpy as np
import pytest

from quizlib.bank import load_banks
from quizlib.bank.variants import variant_of
from quizlib.grading import grade_part


@pytest.fixture(scope="module")
def qs():
    return {q.id: q for b in load_banks("content") for q in b.questions}


def part(q, pid):
    return next(p for p in q.parts if p.id == pid)


def test_bp4_knows_that_a_is_sigma_of_z_and_does_not_state_the_answer(qs):
    q = qs["nce-backprop-four"]
    bp4 = part(q, "bp4")
    for right in ("delta a^T", "delta sigma(z)^T", "delta (1/(1+exp(-z)))^T"):
        assert grade_part(bp4, right).correct, right
    for wrong in ("delta z^T", "a delta^T", "(delta ⊙ s) a^T"):
        assert not grade_part(bp4, wrong).correct, wrong
    assert r"a_k^{l-1}\delta_j^l" not in bp4.prompt  # the old prompt gave the entries of the answer


def test_variance_drill_sums_over_all_n_inputs_and_its_key_matches_a_simulation(qs):
    q = qs["drill-variance-z"]
    assert r"\sum_{j=1}^{n}" in q.template.prompt and r"\sum_{j=1}^{k}" not in q.template.prompt
    rng = np.random.default_rng(0)
    v = variant_of(q, 4)
    k, sd = int(dict(v.values)["k"]), dict(v.values)["sd"]
    n = k + 200  # the other inputs are 0 and contribute nothing
    x = np.zeros(n)
    x[:k] = 1.0
    z = rng.normal(0, sd, size=(20000, n)) @ x + rng.normal(0, 1, size=20000)
    assert abs(z.var() / (k * sd**2 + 1) - 1) < 0.03  # the key, recomputed by simulation
    assert grade_part(part(v, "var"), repr(k * sd**2 + 1)).correct


def test_vanishing_gradient_claims_do_not_contradict_each_other(qs):
    ticked = [c.text for c in part(qs["ex2-vanishing"], "claims").choices if c.correct]
    shrink = next(t for t in ticked if "shrink" in t)
    assert "weights" in shrink  # the shrink claim holds only when the weights are not large


def test_l1_subgradient_descent_does_not_reach_zero_exactly(qs):
    """Plain subgradient steps w -= eta*lam*sign(w) jitter around 0: the bank must not promise exact zeros."""
    w = np.array([0.37, -0.21, 0.05])
    for _ in range(1000):
        w = w - 0.003 * np.sign(w)
    assert np.all(w != 0) and np.all(np.abs(w) <= 0.003)
    ticked = " ".join(c.text for c in qs["n3-l1-vs-l2"].choices if c.correct)
    assert "exactly to zero" not in ticked and "not exactly" in ticked


def test_backprop_costs_two_matrix_products_per_layer(qs):
    sol = qs["mlp-backprop-algorithm"].solution
    assert "two" in sol and "twice" in sol and "one matrix product per layer), i.e." not in sol
    # count them: forward W a per layer; backward W^T delta (all but the first layer) and delta a^T per layer
    layers = 4
    forward, backward = layers, (layers - 1) + layers
    assert backward == 2 * forward - 1


def test_sigmoid_derivative_feedback_is_readable(qs):
    fb = {w.answer: w.feedback for w in qs["mlp-sigmoid-derivative"].wrong_answers}
    assert "pattern" not in fb["sigma(z)"] and "own derivative" in fb["sigma(z)"]


def test_binary_label_smoothing_accepts_alpha_by_name_in_every_variant(qs):
    q = qs["l3-label-smoothing"]
    for k in range(q.n_variants):
        v = variant_of(q, k)
        b = part(v, "binary")
        a = dict(v.values)["alpha"]
        assert grade_part(b, "y(1-alpha) + alpha/2").correct
        assert grade_part(b, "y*(1-α) + α/2").correct
        assert grade_part(b, f"y*(1 - {a}) + {a}/2").correct
        assert not grade_part(b, "y(1-alpha)").correct
        assert not grade_part(b, "y(1-alpha) + alpha").correct


def test_prompts_say_what_precision_and_what_quantity_is_graded(qs):
    assert "two significant figures" in part(qs["il2-stop-shrinking"], "size").prompt
    assert "new value of $w$" in qs["n3-l1-update"].prompt


def test_conventions_are_stated_in_the_prompt_not_only_in_a_hint(qs):
    assert r"\theta' = \theta + v'" in qs["opt-momentum"].prompt
    assert r"\theta' = \theta + v'" in qs["opt-nesterov"].prompt
    assert "weight of the **new** batch statistic" in qs["l2n-bn-running"].prompt
    assert r"\lambda\,\|\theta\|_2^2" in qs["l3-l2"].prompt and "no $\\tfrac12$" in qs["l3-l2"].prompt


def test_l2_exam_question_uses_the_course_form(qs):
    l2 = qs["l3-l2"]
    assert grade_part(part(l2, "grad"), "grad + 2 λ θ").correct
    assert grade_part(part(l2, "update"), "θ - α(grad + 2λθ)").correct
    assert not grade_part(part(l2, "update"), "(1 - α λ) θ - α grad").correct
