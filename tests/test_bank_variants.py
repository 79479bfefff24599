"""Variants: mixed-radix indexing, rendering of text and answers, re-rendering loaded questions."""
from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

from quizlib.bank import variants
from quizlib.bank import load_banks
from quizlib.model import Part, Question, Variable
from quizlib.bank.variants import (format_value, pick_variant, render_text, substitute, template_of, values_for,
                              variant_of)

BANK = textwrap.dedent("""\
    ---
    title: V
    ---

    ## v-glorot: Glorot
    kind: number
    points: 2
    answer: sqrt(6/(m + n))

    ### Variables
    - m: 100, 256, 784
    - n: 10, 64

    ### Prompt
    $m = {{m}}$, $n = {{n}}$, $m+n = {{m + n}}$.

    ### Hints
    - The bound for m = {{m}}.

    ### Wrong answers
    - `sqrt(6/m)`: only {{m}}.

    ### Solution
    $a \\approx {{ sqrt(6/(m+n)) }}$

    ## v-multi: Parts
    symbols: y

    ### Variables
    - a: -2, 0.5

    ### Prompt
    a is {{a}}.

    ### Part e: expr
    kind: expr
    points: 1
    answer: y*a + a^2

    Use a = {{a}}.

    ### Part c: choice
    kind: choice
    points: 1

    #### Choices
    - [x] {{2*a}}
    - [ ] {{a}}
    """)


@pytest.fixture
def bank(tmp_path):
    (tmp_path / "v.md").write_text(BANK, encoding="utf-8")
    (b,) = load_banks(tmp_path)
    assert b.ok, b.problems
    return b


def test_mixed_radix_order_covers_every_combination():
    q = Question("q", "t", "", (Part("", "number", 1, "m"),), "",
                 variables=(Variable("m", (1.0, 2.0, 3.0)), Variable("n", (10.0, 20.0))))
    seen = [tuple(values_for(q, k).values()) for k in range(6)]
    assert seen == [(1, 10), (1, 20), (2, 10), (2, 20), (3, 10), (3, 20)]
    assert values_for(q, 6) == values_for(q, 0) and values_for(q, -1) == values_for(q, 5)


def test_loaded_question_is_variant_zero_rendered(bank):
    q = bank.questions[0]
    assert q.variant == 0 and dict(q.values) == {"m": 100, "n": 10}
    assert q.prompt == "$m = 100$, $n = 10$, $m+n = 110$."
    assert q.answer == "sqrt(6/(100 + 10))" and q.hints == ("The bound for m = 100.",)
    assert q.wrong_answers[0].answer == "sqrt(6/100)" and q.wrong_answers[0].feedback == "only 100."
    assert q.solution == "$a \\approx 0.2335$"  # sqrt(6/110) = 0.23354…


def test_variant_of_rerenders_from_the_template(bank):
    q = bank.questions[0]
    v = variant_of(q, 5)  # m = 784, n = 64
    assert v.variant == 5 and dict(v.values) == {"m": 784, "n": 64}
    assert v.answer == "sqrt(6/(784 + 64))" and "$m = 784$" in v.prompt
    assert v.solution == f"$a \\approx {format_value(math.sqrt(6 / 848))}$"
    assert variant_of(v, 0) == q  # rendering a rendered question starts from the template again
    assert variant_of(q, 11).variant == 5


def test_negative_values_and_parts(bank):
    q = bank.questions[1]
    v0, v1 = variant_of(q, 0), variant_of(q, 1)
    assert v0.parts[0].answer == "y*(-2) + (-2)^2" and v0.prompt == "a is -2."
    assert v0.parts[0].prompt == "Use a = -2." and v0.parts[0].symbols == ("y",)
    assert [c.text for c in v0.parts[1].choices] == ["-4", "-2"]
    assert v1.parts[0].answer == "y*0.5 + 0.5^2" and v1.parts[1].choices[0].text == "1"


def test_variants_are_pure_a_question_carries_its_template(bank, tmp_path):
    q = bank.questions[0]
    for f in tmp_path.rglob("*.md"):
        f.unlink()  # nothing is re-read: the rendered question carries its template
    assert variant_of(q, 1).answer == "sqrt(6/(100 + 64))"
    assert variant_of(variant_of(q, 1), 0) == q and template_of(q).template is None
    assert not hasattr(variants, "_TEMPLATES") and not hasattr(variants, "register_template")


@pytest.mark.parametrize("x, text", [
    (100.0, "100"), (-3.0, "-3"), (0.23354, "0.2335"), (1.0 / 3, "0.3333"), (12345.6, "12350"),
    (0.5, "0.5"), (1.25, "1.25"), (2.0e-6, "2e-06"), (1.11111, "1.111"),
])
def test_format_value_four_significant_figures(x, text):
    assert format_value(x) == text


def test_substitute_replaces_whole_names_only():
    assert substitute("sqrt(6/(m + n))", {"m": 100.0, "n": 10.0}) == "sqrt(6/(100 + 10))"
    assert substitute("exp(m) + mm + m2", {"m": 2.0}) == "exp(2) + mm + m2"
    assert substitute("1 - p", {"p": -0.25}) == "1 - (-0.25)"
    assert render_text("{{ nope(1) }} and {{p}}", {"p": 0.1}) == "{{ nope(1) }} and 0.1"


def test_pick_variant_is_seeded_and_in_range(bank):
    q = bank.questions[0]
    picks = [pick_variant(q, np.random.default_rng(7)) for _ in range(3)]
    assert len(set(picks)) == 1  # same seed, same variant
    rng = np.random.default_rng(0)
    drawn = {pick_variant(q, rng) for _ in range(200)}
    assert drawn == set(range(6))
    single = Question("s", "t", "", (Part("", "expr", 1, "x"),), "")
    assert pick_variant(single, rng) == 0 and variant_of(single, 3) == single


def test_same_id_in_two_folders_keeps_its_own_template(tmp_path):
    for name, values in (("one", "1, 2"), ("two", "5, 6")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "b.md").write_text(f"---\ntitle: B\n---\n\n## same-id: T\nkind: number\npoints: 1\n"
                                     f"answer: 2*k\n\n### Variables\n- k: {values}\n\n### Prompt\nk = {{{{k}}}}\n")
    q1 = load_banks(tmp_path / "one")[0].questions[0]
    q2 = load_banks(tmp_path / "two")[0].questions[0]
    assert variant_of(q1, 1).prompt == "k = 2" and variant_of(q2, 1).prompt == "k = 6"
