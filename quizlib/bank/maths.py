"""The mathematical checks of a bank question, through `quizlib.answers`.

Reference answers must parse with only the declared names; each variant's number answer
must be finite; every `{{ … }}` must name declared variables and evaluate in every
variant; each listed wrong answer must parse, differ from the reference in every variant
and earn its own feedback. Until `quizlib.answers` is importable these checks are
skipped; a crash inside the checker becomes a problem of the question, never an exception.
"""
from __future__ import annotations

import math

from quizlib import answers
from quizlib.bank import variants
from quizlib.bank.fields import Collector
from quizlib.bank.parser import RawQuestion
from quizlib.model import Part, Question, WrongAnswer

MAX_CHECKED_VARIANTS = 200  # wrong answers are compared with the reference in this many variants
CONSTANT_NAMES = {"sqrt", "log", "ln", "exp", "tanh", "sigma", "abs", "pi", "e", "E"}


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
            unknown = [n for n in bare if n not in names | CONSTANT_NAMES]
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


def check_maths(q: Question, lines: list[tuple[int, list[int]]], c: Collector) -> None:
    renders = [variants.render(q, k) for k in range(min(q.n_variants, MAX_CHECKED_VARIANTS))]
    for tp, p, (answer_line, wrong_lines) in zip(q.parts, renders[0].parts, lines):
        if p.kind not in ("number", "expr", "matrix") or not p.answer:
            continue
        where = f"part {p.id!r} of {q.id!r}" if p.id else f"question {q.id!r}"
        try:
            _check_part_maths(answers, q, renders, tp, p, where, answer_line, wrong_lines, c)
        except Exception as exc:  # noqa: BLE001 — a checker bug must not take every bank down
            c.error(answer_line, f"the answer checker failed on {where}: {type(exc).__name__}: {exc}")


def _check_part_maths(answers, q: Question, renders: list[Question], tp: Part, p: Part, where: str, answer_line: int,
                      wrong_lines: list[int], c: Collector) -> None:
    msg = answers.validate_reference(p.answer, p.kind, list(p.symbols), let=p.let,
                                     functions=p.functions)
    if msg:
        c.error(answer_line, f"the answer of {where} does not parse: {msg}")
        return
    if p.kind == "number" and q.variables:
        for k in range(q.n_variants):
            values = variants.values_for(q, k)
            try:
                x = variants.evaluate(tp.answer, values)
                if not math.isfinite(x):
                    raise ValueError("the value is not finite")
            except (ValueError, ZeroDivisionError, OverflowError) as exc:
                c.error(answer_line, f"the answer of {where} is not a finite number in variant {k} "
                                     f"({', '.join(f'{n}={v:g}' for n, v in values.items())}): {exc}")
                break
    readable = []
    for wline, w in zip(wrong_lines, p.wrong_answers):
        wmsg = answers.validate_reference(w.answer, p.kind, list(p.symbols), let=p.let,
                                          functions=p.functions)
        if wmsg:
            c.error(wline, f"wrong answer `{w.answer}` of {where} does not parse: {wmsg}")
        else:
            readable.append((wline, w))
    # a listed wrong answer must differ from the reference in every variant (values can collide,
    # e.g. 1/p = 1/(1-p) at p = 0.5), and must earn its own feedback (not an earlier listed
    # answer's, nor the checker's generic message), or the student is told the wrong thing
    index = q.parts.index(tp)
    flagged: set[int] = set()
    for k, rendered in enumerate(renders):
        pk = rendered.parts[index]
        at = f" in variant {k}" if q.variables else ""
        for wline, w in readable:
            if wline in flagged:
                continue
            wk = pk.wrong_answers[p.wrong_answers.index(w)]
            if k and pk.kind == "number" and _clearly_apart(tp, w, pk, variants.values_for(q, k)):
                continue  # far from the reference and every listed answer: no check() needed
            r = answers.check(pk.answer, wk.answer, kind=pk.kind, symbols=list(pk.symbols),
                              rtol=pk.rtol, atol=pk.atol, let=pk.let, functions=pk.functions,
                              wrong_answers=pk.wrong_answers)
            if r.correct:
                c.error(wline, f"wrong answer `{w.answer}` of {where} equals the reference answer "
                               f"`{tp.answer}`{at}")
                flagged.add(wline)
            elif wk.feedback not in r.message:
                c.warn(wline, f"wrong answer `{w.answer}` of {where} never gets its own feedback{at}; "
                              f"the checker says: {r.message}")
                flagged.add(wline)


def _clearly_apart(tp: Part, w: WrongAnswer, pk: Part, values: dict[str, float]) -> bool:
    """A number wrong answer ≥ 5 % (and 10 tolerances) from the reference and from every other
    listed answer cannot be confused by the checker; saves a full check() per variant."""
    try:
        x = variants.evaluate(w.answer, values)
        others = [variants.evaluate(tp.answer, values)]
        others += [variants.evaluate(o.answer, values) for o in tp.wrong_answers if o != w]
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    for y in others:
        gap = max(0.05 * abs(y), 10 * (pk.rtol or 0) * abs(y), 10 * (pk.atol or 0))
        if abs(x - y) <= gap:
            return False
    return True
