"""The `precision:` key: parsing, the tolerance it sets, the instruction it writes, and the
validator's rule that every correct rounding is accepted and one unit off refused in every variant."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from quizlib import answers, grading
from quizlib.bank import find_question, load_banks, precision
from quizlib.bank.variants import evaluate, values_for, variant_of
from quizlib.model import Precision
from tests.test_bank import FRONT, line_of, problems_of


@pytest.mark.parametrize("text, expected", [
    ("3 decimals", Precision(3, "decimals")),
    ("0 decimals", Precision(0, "decimals")),
    ("2 decimal places", Precision(2, "decimals")),
    (" 4 significant ", Precision(4, "significant")),
    ("4 Significant Figures", Precision(4, "significant")),
    ("1 sf", Precision(1, "significant")),
])
def test_parse_reads_decimals_and_significant_figures(text, expected):
    assert precision.parse(text) == expected


@pytest.mark.parametrize("text, message", [
    ("three decimals", "must look like"),
    ("3", "must look like"),
    ("3 digits", "must look like"),
    ("0.5%", "must look like"),
    ("0 significant", "out of range"),
    ("13 decimals", "out of range"),
])
def test_parse_refuses_what_it_cannot_read_with_the_syntax(text, message):
    with pytest.raises(ValueError, match=message):
        precision.parse(text)


@pytest.mark.parametrize("p, text", [
    (Precision(3, "decimals"), "Give your answer to three decimal places."),
    (Precision(1, "decimals"), "Give your answer to one decimal place."),
    (Precision(4, "significant"), "Give your answer to four significant figures."),
    (Precision(1, "significant"), "Give your answer to one significant figure."),
    (Precision(12, "decimals"), "Give your answer to 12 decimal places."),
])
def test_instruction_says_the_precision_in_words(p, text):
    assert precision.instruction(p) == text


@pytest.mark.parametrize("spec, r, right, off", [
    ("3 decimals", 0.4625, ["0.462", "0.463"], ["0.461", "0.464"]),  # a tie: both roundings
    ("3 decimals", 0.5 - 0.1 * 0.375, ["0.462", "0.463"], ["0.461", "0.464"]),  # float 0.46249999…
    ("3 decimals", 0.4626, ["0.463"], ["0.462", "0.464"]),
    ("2 decimals", -0.125, ["-0.13", "-0.12"], ["-0.14", "-0.11"]),
    ("4 significant", 0.05 / 3, ["0.01667"], ["0.01666", "0.01668"]),
    ("3 significant", 12345.0, ["12300"], ["12200", "12400"]),
    ("2 significant", 0.006479, ["0.0065"], ["0.0064", "0.0066"]),
])
def test_roundings_and_one_unit_off(spec, r, right, off):
    p = precision.parse(spec)
    assert precision.roundings(p, r) == right
    assert precision.one_unit_off(p, r) == off


def test_significant_figures_need_a_nonzero_reference():
    with pytest.raises(ValueError, match="nonzero"):
        precision.tolerance(Precision(3, "significant"), 0.0)


def _accepts(r: float, typed: str, atol: float) -> bool:
    return answers.check(repr(float(r)), typed, kind="number", atol=atol).correct


@pytest.mark.parametrize("spec", ["0 decimals", "2 decimals", "3 decimals", "5 decimals",
                                  "1 significant", "3 significant", "4 significant"])
def test_the_tolerance_accepts_every_rounding_and_refuses_one_unit_off(spec):
    """Through the real checker, on references across scales, at ties and beside them."""
    p = precision.parse(spec)
    rng = np.random.default_rng(7)
    refs = list(rng.uniform(-3, 3, 60)) + list(10.0 ** rng.uniform(-4, 4, 60))
    u = 10.0 ** -p.digits
    refs += [(k + 0.5) * u for k in range(-3, 40, 7)]  # decimal ties (for significant: ties at some scale)
    refs += [(k + 0.5) * u + d for k in (4, 11) for d in (1e-3 * u, -1e-3 * u)]  # beside a tie
    for r in map(float, refs):
        atol = precision.tolerance(p, r)
        for typed in precision.roundings(p, r):
            assert _accepts(r, typed, atol), (spec, r, typed)
        for typed in precision.one_unit_off(p, r):
            assert not _accepts(r, typed, atol), (spec, r, typed)


def _bank(key_lines: str, prompt: str = "What is $w$?", variables: str = "- w: 0.5, 0.6") -> str:
    return FRONT + textwrap.dedent("""\
        ## q-num: A number
        kind: number
        points: 1
        answer: w - 0.0375
        {keys}

        ### Variables
        {variables}

        ### Prompt
        {prompt}
        """).format(keys=key_lines, variables=variables, prompt=prompt)


def test_a_precision_key_passes_and_writes_the_instruction(tmp_path):
    text = _bank("precision: 3 decimals")
    assert problems_of(tmp_path, text) == []
    q = find_question(load_banks(tmp_path), "q-num")
    for k in range(q.n_variants):
        v = variant_of(q, k)
        assert v.prompt.endswith("What is $w$?\n\nGive your answer to three decimal places.")
        r = evaluate("w - 0.0375", dict(v.values))
        for typed in precision.roundings(Precision(3, "decimals"), r):  # 0.4625 → 0.462 and 0.463
            assert grading.grade_part(v.parts[0], typed).correct, (k, typed)


@pytest.mark.parametrize("key_lines, needle, message", [
    ("precision: 3 decimals\ntolerance: abs 0.001", "precision:", "both `precision:` and `tolerance:`"),
    ("precision: three", "precision:", "precision must look like"),
    ("precision: 0 significant", "precision:", "out of range"),
])
def test_bad_precision_is_an_error_at_its_line(tmp_path, key_lines, needle, message):
    text = _bank(key_lines)
    probs = problems_of(tmp_path, text)
    assert any(p.severity == "error" and p.line == line_of(text, needle) and message in p.message
               for p in probs), probs


def test_precision_on_a_formula_part_is_an_error(tmp_path):
    text = _bank("precision: 3 decimals").replace("kind: number", "kind: expr\nsymbols: w") \
        .replace("### Variables\n- w: 0.5, 0.6\n", "")
    probs = problems_of(tmp_path, text)
    assert any(p.line == line_of(text, "precision:") and "number parts only" in p.message for p in probs), probs


def test_a_prompt_asking_for_a_precision_in_words_is_a_warning(tmp_path):
    text = _bank("tolerance: abs 0.0005", prompt="What is $w$? Give three decimal places.")
    probs = problems_of(tmp_path, text)
    assert [(p.severity, p.line) for p in probs if "in words" in p.message] == [
        ("warning", line_of(text, "answer:"))], probs
    text = _bank("precision: 3 decimals", prompt="What is $w$ to 3 s.f.?")
    probs = problems_of(tmp_path, text)
    assert any(p.line == line_of(text, "precision:") and "remove it from the prompt" in p.message
               for p in probs), probs


def _tolerance_times(monkeypatch, factor: float) -> None:
    """Replace the key's tolerance by `factor` half-units: what a hand-written one might be."""
    monkeypatch.setattr(precision, "tolerance", lambda p, r: factor * 0.5 * float(precision.unit(p, r)))


def test_the_validator_catches_a_too_tight_tolerance_at_the_precision_line(tmp_path, monkeypatch):
    # exactly half a unit, as `tolerance: abs 0.0005` was: 0.4625 (in floats 0.46249999…) refuses 0.462
    _tolerance_times(monkeypatch, 1.0)
    text = _bank("precision: 3 decimals")
    probs = [p for p in problems_of(tmp_path, text) if p.severity == "error"]
    assert [p.line for p in probs] == [line_of(text, "precision:")], probs
    assert "refuses the correct rounding" in probs[0].message and "variant 0 (w=0.5)" in probs[0].message


def test_the_validator_catches_a_too_loose_tolerance_at_the_precision_line(tmp_path, monkeypatch):
    # 0.7 of a unit: for 0.4624 (variant 1) the value 0.463 one unit off the rounding 0.462 is accepted
    _tolerance_times(monkeypatch, 1.4)
    text = _bank("precision: 3 decimals", variables="- w: 0.5, 0.4999")
    probs = [p for p in problems_of(tmp_path, text) if p.severity == "error"]
    assert [p.line for p in probs] == [line_of(text, "precision:")], probs
    assert "accepts the value one unit off `0.463`" in probs[0].message and "variant 1" in probs[0].message


@pytest.mark.parametrize("qid", ["opt-sgd-step-linear", "drill-smoothed-targets"])
def test_the_named_questions_accept_every_correct_rounding_in_every_variant(qid):
    """Issue 9: opt-sgd-step-linear refused both roundings of 0.4625 and 0.7625, and
    drill-smoothed-targets refused 0.01667 for α = 0.05, K = 3."""
    q = find_question(load_banks("content"), qid)
    template = q.template or q
    checked = 0
    for k in range(q.n_variants):
        v = variant_of(q, k)
        for part, written in zip(v.parts, template.parts):
            r = evaluate(written.answer, values_for(template, k))
            for typed in precision.roundings(written.precision, r):
                assert grading.grade_part(part, typed).correct, (qid, k, part.id, typed)
                checked += 1
            for typed in precision.one_unit_off(written.precision, r):
                assert not grading.grade_part(part, typed).correct, (qid, k, part.id, typed)
    assert checked >= q.n_variants * len(q.parts)
