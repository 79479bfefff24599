"""The mathematical checks of a bank question, through `quizlib.answers`.

Reference answers must parse with only the declared names; each variant's number answer
must be finite; every `{{ … }}` must name declared variables and evaluate in every
variant; each listed wrong answer must parse, differ from the reference in every variant
and earn its own feedback. A crash inside the checker becomes a problem of the question,
never an exception. A `CheckedPart` is one part as written and in each checked variant.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from quizlib import answers
from quizlib.answers import registry
from quizlib.bank import precision, variants
from quizlib.bank.fields import Collector
from quizlib.bank.parser import RawQuestion
from quizlib.model import Part, Question, WrongAnswer

MAX_CHECKED_VARIANTS = 200  # wrong answers are compared with the reference in this many variants


def check_placeholders(rq: RawQuestion, q: Question, c: Collector) -> None:
    """Every `{{ … }}` names only declared variables and evaluates for every variant."""
    names = {v.name for v in q.variables}
    lines = [(n, t) for s in rq.sections for n, t in s.body]
    lines += [(rq.line, rq.heading)]
    for rp in rq.parts:
        lines += [(rp.line, rp.title)] + rp.prompt + [(n, t) for s in rp.sections for n, t in s.body]
    for no, text in lines:
        for m in variants.PLACEHOLDER_RE.finditer(text):
            expr = m.group(1)
            # a name called as `f(…)` is a function: evaluation decides whether it exists
            bare = [m2.group(0) for m2 in variants.NAME_RE.finditer(expr)
                    if not expr[m2.end():].lstrip().startswith("(")]
            known = names | registry.function_names() | set(registry.CONSTANTS)
            unknown = [n for n in bare if n not in known]
            if unknown:
                c.error(no, f"`{{{{{expr}}}}}` uses {', '.join(map(repr, unknown))}, which is not a "
                            "variable of this question (declare it under `### Variables`)")
                continue
            for k in range(q.n_variants):
                try:
                    x = variants.evaluate(expr, variants.values_for(q, k))
                    if not math.isfinite(x):
                        raise ValueError("the value is not finite")
                except (ValueError, ZeroDivisionError, OverflowError, TypeError) as exc:
                    c.error(no, f"`{{{{{expr}}}}}` cannot be evaluated in variant {k}: {exc}")
                    break


@dataclass(frozen=True)
class PartLines:
    """Where a part's graded fields are written: its answer, each listed wrong answer, its precision."""

    answer: int
    wrong: list[int]
    precision: int = 0  # 0: no `precision:` key


@dataclass(frozen=True)
class CheckedPart:
    """One part of a question under check, in the template and in every checked variant."""

    question: Question  # the unrendered template
    renders: list[Question]  # the question rendered for variants 0, 1, …
    index: int  # which part
    where: str  # "part 'a' of 'q1'" / "question 'q1'"
    answer_line: int
    wrong_lines: list[int]  # the line of each listed wrong answer
    precision_line: int = 0

    @property
    def template(self) -> Part:
        """The part as written, with `{{…}}` and variable names unrendered."""
        return self.question.parts[self.index]

    def in_variant(self, k: int) -> Part:
        return self.renders[k].parts[self.index]


def check_maths(q: Question, lines: list[PartLines], c: Collector) -> None:
    renders = [variants.render(q, k) for k in range(min(q.n_variants, MAX_CHECKED_VARIANTS))]
    for index, (shown, pl) in enumerate(zip(renders[0].parts, lines)):
        if shown.kind not in ("number", "expr", "matrix") or not shown.answer:
            continue
        where = f"part {shown.id!r} of {q.id!r}" if shown.id else f"question {q.id!r}"
        part = CheckedPart(q, renders, index, where, pl.answer, pl.wrong, pl.precision)
        try:
            _check_part_maths(part, c)
        except Exception as exc:  # noqa: BLE001 — a checker bug must not take every bank down
            c.error(pl.answer, f"the answer checker failed on {where}: {type(exc).__name__}: {exc}")


def _check_part_maths(part: CheckedPart, c: Collector) -> None:
    shown = part.in_variant(0)
    msg = _validate(shown.answer, shown)
    if msg:
        c.error(part.answer_line, f"the answer of {part.where} does not parse: {msg}")
        return
    _check_finite_in_every_variant(part, c)
    _check_precision_words(part, c)
    if part.template.precision is None or _check_rounding(part, c):
        _check_wrong_answers_differ(part, _readable_wrong_answers(part, c), c)


def _check_precision_words(part: CheckedPart, c: Collector) -> None:
    """A number prompt asking for a rounding in words must say it through `precision:` (which sets
    the tolerance to match); with the key, words in the prompt would say it twice, maybe differently."""
    if part.template.kind != "number":
        return
    q, p = part.question, part.template
    text = q.prompt + "\n" + p.prompt
    m = precision.PRECISION_WORDS_RE.search(text)
    if m is None:
        return
    if p.precision is None:
        c.warn(part.answer_line, f"the prompt of {part.where} asks for {m.group(0)!r} in words: write "
                                 f"{precision.SYNTAX} instead (it sets the tolerance to match and writes "
                                 "the instruction)")
    else:
        c.warn(part.precision_line, f"the prompt of {part.where} says {m.group(0)!r} and `precision:` "
                                    "writes the instruction too: remove it from the prompt")


def _check_rounding(part: CheckedPart, c: Collector) -> bool:
    """In every variant, every correct rounding of the reference to the asked precision (both at a
    tie) is accepted by the checker, and a value one unit off in the last asked digit is refused."""
    q, p = part.question, part.template
    for k in range(q.n_variants):
        values = variants.values_for(q, k)
        shown = variants.render(q, k).parts[part.index]
        try:
            r = variants.evaluate(p.answer, values)
            right, off = precision.roundings(p.precision, r), precision.one_unit_off(p.precision, r)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            c.error(part.precision_line, f"{part.where}: no rounding of the answer in variant {k}: {exc}")
            return False
        at = f" in variant {k} ({', '.join(f'{n}={v:g}' for n, v in values.items())})" if q.variables else ""
        for text, want in [(t, True) for t in right] + [(t, False) for t in off]:
            got = answers.check(shown.answer, text, kind="number", atol=shown.atol, rtol=shown.rtol).correct
            if got != want:
                what = "refuses the correct rounding" if want else "accepts the value one unit off"
                c.error(part.precision_line, f"{part.where}: the tolerance {what} `{text}` of {r!r}{at}")
                return False
    return True


def _validate(text: str, shown: Part) -> str | None:
    return answers.validate_reference(text, shown.kind, list(shown.symbols), let=shown.let,
                                      functions=shown.functions)


def _readable_wrong_answers(part: CheckedPart, c: Collector) -> list[tuple[int, int]]:
    """(line, index) of each listed wrong answer that parses; the others are errors."""
    shown = part.in_variant(0)
    readable = []
    for i, (line, wrong) in enumerate(zip(part.wrong_lines, shown.wrong_answers)):
        wmsg = _validate(wrong.answer, shown)
        if wmsg:
            c.error(line, f"wrong answer `{wrong.answer}` of {part.where} does not parse: {wmsg}")
        else:
            readable.append((line, i))
    return readable


def _check_finite_in_every_variant(part: CheckedPart, c: Collector) -> None:
    q = part.question
    if part.template.kind != "number" or not q.variables:
        return
    for k in range(q.n_variants):
        values = variants.values_for(q, k)
        try:
            x = variants.evaluate(part.template.answer, values)
            if not math.isfinite(x):
                raise ValueError("the value is not finite")
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            c.error(part.answer_line, f"the answer of {part.where} is not a finite number in variant {k} "
                                      f"({', '.join(f'{n}={v:g}' for n, v in values.items())}): {exc}")
            break


def _check_wrong_answers_differ(part: CheckedPart, readable: list[tuple[int, int]], c: Collector) -> None:
    # a listed wrong answer must differ from the reference in every variant (values can collide,
    # e.g. 1/p = 1/(1-p) at p = 0.5), and must earn its own feedback (not an earlier listed
    # answer's, nor the checker's generic message), or the student is told the wrong thing
    template, q = part.template, part.question
    written = part.in_variant(0).wrong_answers  # as the bank writes them (variant 0's values)
    flagged: set[int] = set()
    for k in range(len(part.renders)):
        shown = part.in_variant(k)
        at = f" in variant {k}" if q.variables else ""
        for line, i in readable:
            if line in flagged:
                continue
            wrong = shown.wrong_answers[i]
            if k and shown.kind == "number" and _clearly_apart(template, template.wrong_answers[i], shown,
                                                              variants.values_for(q, k)):
                continue  # far from the reference and every listed answer: no check() needed
            r = answers.check(shown.answer, wrong.answer, kind=shown.kind, symbols=list(shown.symbols),
                              rtol=shown.rtol, atol=shown.atol, let=shown.let, functions=shown.functions,
                              wrong_answers=shown.wrong_answers)
            if r.correct:
                c.error(line, f"wrong answer `{written[i].answer}` of {part.where} equals the reference "
                              f"answer `{template.answer}`{at}")
                flagged.add(line)
            elif wrong.feedback not in r.message:
                c.warn(line, f"wrong answer `{written[i].answer}` of {part.where} never gets its own "
                             f"feedback{at}; the checker says: {r.message}")
                flagged.add(line)


def _clearly_apart(template: Part, wrong: WrongAnswer, shown: Part, values: dict[str, float]) -> bool:
    """A number wrong answer ≥ 5 % (and 10 tolerances) from the reference and from every other
    listed answer cannot be confused by the checker; saves a full check() per variant.
    `template` and `wrong` are as written (with variable names), evaluated at `values`."""
    try:
        x = variants.evaluate(wrong.answer, values)
        others = [variants.evaluate(template.answer, values)]
        others += [variants.evaluate(o.answer, values) for o in template.wrong_answers if o != wrong]
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    for y in others:
        gap = max(0.05 * abs(y), 10 * (shown.rtol or 0) * abs(y), 10 * (shown.atol or 0))
        if abs(x - y) <= gap:
            return False
    return True
