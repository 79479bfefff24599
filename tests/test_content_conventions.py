"""Conventions a prompt must state, not leave to a hint (issue 9): the base of a logarithm,
and which argument of a two-argument cross-entropy is the prediction.

Rules, checked on what a student sees (the question's prompt, its parts' prompts, its choices):
- a graded formula question (number, expr, matrix) whose prompt mentions a log, or whose formula
  answer uses `log` (the student types it), says it is the natural one: "natural log(arithm)",
  `\\ln`, "nats" or "base e";
- a prompt that writes CE(a, b) or H(a, b) names the prediction ("predicted", "model" …);
- one that writes the notes' CE(a, b) says which argument comes first (the notes put the
  prediction first, most texts the target: the trap is named).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from quizlib.bank import load_banks
from quizlib.model import Question

ROOT = Path(__file__).resolve().parent.parent
LOG = re.compile(r"\\log\b|\blog\b|\\log_|\\ln\b|\bln\b", re.I)
NATURAL = re.compile(r"natural log|\\ln\b|\bln\b|\bnats?\b|base[- ]\$?e\b", re.I)
LOG_IN_ANSWER = re.compile(r"\blog\s*\(")
# CE(p, q), \mathrm{CE}(p, q), H(p, q): two arguments (H(x) of a highway layer has one)
TWO_ARG_CE = re.compile(r"(?:\\mathrm\{CE\}|\\operatorname\{CE\}|\bCE|\bH)\s*\(\s*[^,()$]+,\s*[^()$]+\)")
NOTES_CE = re.compile(r"(?:\\mathrm\{CE\}|\\operatorname\{CE\}|\bCE)\s*\(\s*[^,()$]+,")
NAMES_PREDICTION = re.compile(r"predict|model", re.I)
NAMES_ORDER = re.compile(r"\bfirst\b", re.I)


@lru_cache(maxsize=1)
def all_questions() -> tuple[Question, ...]:
    return tuple(q for b in load_banks(str(ROOT / "content")) for q in b.questions)


def shown_text(q: Question) -> str:
    """What the student reads before answering (variant 0 as rendered)."""
    texts = [q.prompt] + [p.prompt for p in q.parts] + [c.text for p in q.parts for c in p.choices]
    return "\n".join(texts)


def log_base_matters(q: Question) -> bool:
    graded = [p for p in q.parts if p.kind in ("number", "expr", "matrix")]
    if not graded:
        return False
    prompt = q.prompt + "\n" + "\n".join(p.prompt for p in q.parts)
    # a number answer's `log` only computes the value; a typed formula's `log` is read as ln
    return bool(LOG.search(prompt)) or any(p.kind != "number" and LOG_IN_ANSWER.search(p.answer) for p in graded)


def log_violations(questions) -> list[str]:
    return [f"{q.file}:{q.line} {q.id}" for q in questions
            if log_base_matters(q) and not NATURAL.search(q.prompt + "\n" + "\n".join(p.prompt for p in q.parts))]


def ce_violations(questions) -> list[str]:
    out = []
    for q in questions:
        text = shown_text(q)
        if TWO_ARG_CE.search(text) and not NAMES_PREDICTION.search(text):
            out.append(f"{q.file}:{q.line} {q.id}: writes {TWO_ARG_CE.search(text).group(0)} without "
                       "naming the prediction")
        if NOTES_CE.search(text) and not NAMES_ORDER.search(text):
            out.append(f"{q.file}:{q.line} {q.id}: writes {NOTES_CE.search(text).group(0)}…) without "
                       "saying which argument comes first")
    return out


def test_every_prompt_where_the_log_base_matters_says_natural_log():
    assert log_violations(all_questions()) == []


def test_every_two_argument_cross_entropy_names_the_prediction_and_its_place():
    assert ce_violations(all_questions()) == []


def _q(prompt: str, kind: str = "expr", answer: str = "x", choices=()) -> Question:
    from quizlib.model import Choice, Part
    part = Part(id="", kind=kind, points=1, answer=answer,
                choices=tuple(Choice(chr(97 + i), t, i == 0) for i, t in enumerate(choices)))
    return Question(id="q", title="t", prompt=prompt, parts=(part,), source="")


@pytest.mark.parametrize("q, bad", [
    (_q("What is $\\partial L/\\partial z$ for $L = -\\log\\sigma(z)$?"), True),
    (_q("What is $\\partial L/\\partial z$ for $L = -\\log\\sigma(z)$ (natural logarithm)?"), False),
    (_q("What is $\\partial L/\\partial z$ for $L = -\\ln\\sigma(z)$?"), False),
    (_q("Write the loss.", answer="-log(sigma(z))"), True),  # the student must type a log
    (_q("How far apart are the weights?", kind="number", answer="log(2)"), False),  # only a value
    (_q("Tick: $\\log$ is increasing.", kind="choice", choices=("yes", "no")), False),
])
def test_the_log_rule(q, bad):
    assert bool(log_violations([q])) is bad


@pytest.mark.parametrize("q, bad", [
    (_q("What is $CE(p, q) = -\\sum_i q_i \\log p_i$?", kind="number"), True),
    (_q("The predicted $p$, target $q$. What is $CE(p, q)$? The prediction comes first here.",
        kind="number"), False),
    (_q("The predicted $p$, target $q$. What is $CE(p, q)$?", kind="number"), True),  # order unnamed
    (_q("For $p$ (data) and $q$ (model), show $H(p, q) = H(p) + D_{KL}(p\\|q)$.", kind="derivation"), False),
    (_q("Tick.", kind="choice", choices=("$H(g, o) = -\\sum g \\log o$", "no")), True),
    (_q("The highway layer's $H(x)$ and $T(x)$.", kind="derivation"), False),
])
def test_the_cross_entropy_rule(q, bad):
    assert bool(ce_violations([q])) is bad
