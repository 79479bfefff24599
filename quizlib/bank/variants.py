"""Parameterised questions: pick and render the k-th variant of a question.

A question with `### Variables` has n = Π len(values) variants; variant k picks one
value per variable by a mixed-radix reading of k mod n (the last variable varies
fastest, so variant 0 takes every first value). Rendering replaces `{{name}}` and
`{{ expression }}` in the Markdown (prompt, solution, hints, parts, choices, rubric,
feedback) by the value to 4 significant figures, and writes the values into the
answer strings in SymPy syntax (`sqrt(6/(m + n))` → `sqrt(6/(100 + 10))`), so a
rendered question is checkable without knowing its variables. The unrendered
templates are kept in a module-level registry keyed by bank file and question id
(filled by the bank loader); a question missing there is re-read from its bank file.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import replace

from quizlib.answers import evaluate_number
from quizlib.bank import precision
from quizlib.model import Choice, Part, Question, RubricItem, WrongAnswer

PLACEHOLDER_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def template_of(question: Question) -> Question:
    """The unrendered question behind `question` (itself if it is one)."""
    return question.template or question


# -- values ------------------------------------------------------------------

def values_for(question: Question, k: int) -> dict[str, float]:
    """Mixed-radix index: variant k (mod n) → one value per variable."""
    n = question.n_variants
    k = k % n if n else 0
    out: dict[str, float] = {}
    for var in reversed(question.variables):
        k, digit = divmod(k, len(var.values))
        out[var.name] = var.values[digit]
    return {v.name: out[v.name] for v in question.variables}


def evaluate(expr: str, values: dict[str, float]) -> float:
    """A bank expression's value (teacher text only) via quizlib.answers.evaluate_number.

    Memoised: validation evaluates the same placeholders and answers for every variant
    several times, and each evaluation parses the text afresh.
    """
    return _evaluate_cached(expr, tuple(sorted(values.items())))


@functools.lru_cache(maxsize=65536)
def _evaluate_cached(expr: str, items: tuple[tuple[str, float], ...]) -> float:
    return evaluate_number(expr, dict(items))


# -- formatting --------------------------------------------------------------

def format_value(x: float) -> str:
    """4 significant figures; integers without decimals; no exponent in 1e-4..1e15."""
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    if abs(x) < 1e-4:
        return f"{x:.4g}"
    digits = 3 - math.floor(math.log10(abs(x)))
    if digits <= 0:
        return str(int(round(x, digits)))
    text = f"{round(x, digits):.{digits}f}".rstrip("0").rstrip(".")
    return text


def sympy_literal(x: float) -> str:
    """A value written into an answer string: exact for integers, negatives bracketed."""
    text = str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(float(x))
    return f"({text})" if x < 0 else text


def render_text(text: str, values: dict[str, float]) -> str:
    """Replace every `{{ expr }}` by its value; a failing one is left as written."""
    def sub(m: re.Match) -> str:
        try:
            return format_value(evaluate(m.group(1), values))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return m.group(0)

    return PLACEHOLDER_RE.sub(sub, text) if "{{" in text else text


def substitute(answer: str, values: dict[str, float]) -> str:
    """Write the variables' values into a SymPy-syntax answer (whole names only)."""
    if not values or not answer:
        return answer
    return NAME_RE.sub(lambda m: sympy_literal(values[m.group(0)]) if m.group(0) in values
                       else m.group(0), answer)


def symbol_name(symbol: str) -> str:
    """`o in (0, 1)` / `W1: D×H` / `lam > 0` → the declared name."""
    m = NAME_RE.match(symbol.strip())
    return m.group(0) if m else symbol.strip()


# -- rendering ---------------------------------------------------------------

def _given_values(p: Part, values: dict[str, float]) -> tuple[str, ...]:
    """A formula answer may name the question's given values (`alpha` for α = 0.1, as the prompt
    does): each variable becomes a `let` of its value, unless the part declares that name itself."""
    if p.kind not in ("expr", "matrix"):
        return ()
    own = {symbol_name(s) for s in p.symbols} | {d.split("=")[0].strip() for d in p.let}
    return tuple(f"{name} = {sympy_literal(v)}" for name, v in values.items() if name not in own)


def _precision_tolerance(p: Part, values: dict[str, float]) -> float | None:
    """A `precision:` part's absolute tolerance in this variant (significant figures depend on the
    reference's size); unchanged when the reference has no value (the validator reports that)."""
    if p.precision is None:
        return p.atol
    try:
        return precision.tolerance(p.precision, evaluate(p.answer, values))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return p.atol


def _with_instruction(prompt: str, p: Part) -> str:
    """The prompt with the sentence a `precision:` key writes ("Give your answer to …")."""
    if p.precision is None:
        return prompt
    return (prompt.rstrip() + "\n\n" if prompt.strip() else "") + precision.instruction(p.precision)


def _instruction_in_part(template: Question, p: Part) -> bool:
    """The precision instruction goes under the part's own prompt when it has one or shares the
    question with other parts; a lone part without text gets it under the question's prompt."""
    return len(template.parts) > 1 or bool(p.prompt.strip())


def _render_part(p: Part, values: dict[str, float], in_part: bool) -> Part:
    prompt = render_text(p.prompt, values)
    return replace(
        p,
        atol=_precision_tolerance(p, values),
        answer=substitute(p.answer, values) if p.kind != "choice" else p.answer,
        let=tuple(substitute(d, values) for d in p.let) + _given_values(p, values),
        prompt=_with_instruction(prompt, p) if in_part else prompt,
        title=render_text(p.title, values),
        symbols=tuple(s for s in p.symbols if symbol_name(s) not in values),
        choices=tuple(Choice(c.label, render_text(c.text, values), c.correct) for c in p.choices),
        wrong_answers=tuple(WrongAnswer(substitute(w.answer, values), render_text(w.feedback, values))
                            for w in p.wrong_answers),
        rubric=tuple(RubricItem(render_text(r.text, values), r.points, r.check, r.final) for r in p.rubric),
        solution=render_text(p.solution, values),
    )


def render(template: Question, k: int) -> Question:
    """The k-th variant of an unrendered question."""
    n = template.n_variants
    k = k % n if n else 0
    values = values_for(template, k)
    prompt = render_text(template.prompt, values)
    lone = template.parts[0] if len(template.parts) == 1 else None
    return replace(
        template,
        title=render_text(template.title, values),
        prompt=(_with_instruction(prompt, lone) if lone and not _instruction_in_part(template, lone)
                else prompt),
        parts=tuple(_render_part(p, values, _instruction_in_part(template, p)) for p in template.parts),
        hints=tuple(render_text(h, values) for h in template.hints),
        solution=render_text(template.solution, values),
        variant=k,
        values=tuple(values.items()),
        template=template,
    )


def variant_of(question: Question, k: int) -> Question:
    """The k-th variant of `question` (k modulo its number of variants), rendered."""
    return render(template_of(question), k)


def pick_variant(question: Question, rng) -> int:
    """A random variant index for `question`, drawn from the caller's numpy Generator."""
    n = question.n_variants
    return int(rng.integers(n)) if n > 1 else 0
