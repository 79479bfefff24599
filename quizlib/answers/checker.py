"""The only door from a student's text to a verdict: safe reading, equivalence, feedback, echo.

`check(expected, given, kind, symbols, …)` reads the text through `quizlib.answers.parser` (a whitelist
parser; nothing a student types reaches eval/exec/sympify/parse_expr), then decides:
- number: both sides evaluated as floats, equal within rtol (default 5e-3: three significant
  figures) or atol;
- expr: values compared at ≥ MIN_POINTS random points of the symbols' declared domains (complex or undefined
  points are redrawn). Disagreement at valid points means wrong, whatever SymPy could simplify; when
  the points cannot decide (too few valid points, or a difference at the edge of float precision)
  SymPy's simplify and 30-digit evaluation decide in a sandboxed worker with a hard time limit;
- matrix: shapes first, then random instantiations (`quizlib.answers.matrix`);
- choice: the sets of labels.
A wrong answer is compared with the bank's listed wrong answers (their own feedback), then checked
for a sign or constant-factor mistake. `.latex` always echoes how the input was read.
`functions` restricts nothing for scalar kinds (every scalar function of `answers.registry` is allowed); for
matrix answers it may only name functions the matrix checker knows.
"""
from __future__ import annotations

import re
import time

import numpy as np
import numpy.random  # noqa: F401 - eager: NumPy imports it lazily on first use

from quizlib.answers import numeric, registry
from quizlib.answers import sandbox
from quizlib.answers.context import Context, ContextError, context_for, read_reference
from quizlib.answers.feedback import diagnose
from quizlib.answers.matrix import ShapeError, grade_matrix, infer_shape, shape_str, to_latex
from quizlib.answers.parser import Grammar, ParseError, parse
from quizlib.model import CheckResult

__all__ = ["check", "preview", "validate_reference", "evaluate_number", "DEFAULT_RTOL"]

DEFAULT_RTOL = 5e-3  # an answer rounded to 3 significant figures is off by at most 0.5 %
EXPR_RTOL = 1e-7  # float agreement of two formulas at one point
N_DRAWN_POINTS = 40  # random points drawn for an expr answer (complex/undefined ones drop out)
MIN_POINTS = 4  # points with real values both sides needed for a numeric verdict
N_SYMBOLIC_POINTS = 8  # of those, where the SymPy worker evaluates with 30 digits if it must
MIN_DIAGNOSIS_POINTS = 3  # points needed to name a sign or factor slip
SEED = 20240531  # fixed: the same answer always gets the same verdict

CORRECT = "Correct."


def _invalid(err: ParseError | str, code: str = "syntax") -> CheckResult:
    if isinstance(err, ParseError):
        code, msg = err.code, err.message
    else:
        msg = err
    return CheckResult(correct=False, valid=False, message=msg, error=code)


def warm_up() -> None:
    """Import SymPy now. It is imported on first use (the echo of a scalar answer), so that loading
    the banks and the first page need not wait ~1.5 s for it; the app calls this in the background."""
    from quizlib.answers import symbolic  # noqa: F401


def _latex(ctx: Context, ast) -> str:
    if ctx.kind != "matrix":
        from quizlib.answers.symbolic import latex_of, make_symbols, to_sympy  # SymPy on first use
    try:
        if ctx.kind == "matrix":
            return to_latex(ast)
        syms = make_symbols(ctx.decls)
        return latex_of(to_sympy(ast, syms, evaluate=False))
    except Exception:  # noqa: BLE001 - the echo is a courtesy; never fail a check over it
        return ""


def preview(given: str, kind="expr", symbols=None, *, let=(), functions=()) -> CheckResult:
    """How `given` is read (LaTeX echo) without grading it."""
    if kind in ("choice", "derivation"):
        return CheckResult(correct=False, valid=True, message="", latex="")
    try:
        ctx = context_for(kind, symbols, let, functions)
        ast = ctx.read(given)
    except ContextError as exc:
        return _invalid(f"This question is misconfigured: {exc}", "content")
    except ParseError as exc:
        return _invalid(exc)
    msg = ""
    if kind == "matrix":
        try:
            msg = f"Shape: {shape_str(infer_shape(ast, ctx.shapes))}."
        except ShapeError as exc:
            msg = str(exc)
    return CheckResult(correct=False, valid=True, message=msg, latex=_latex(ctx, ast))


def validate_reference(answer: str, kind, symbols, *, let=(), functions=()) -> str | None:
    """None if the bank's reference answer reads with only the declared names, else a message."""
    try:
        if kind == "derivation":
            return None
        if kind == "choice":
            return None if _labels(answer) else "a choice answer needs at least one label"
        ctx = context_for(kind, symbols, let, functions)
        ast = ctx.read(answer)
        if kind == "matrix":
            infer_shape(ast, ctx.shapes)
        return None
    except (ContextError, ParseError, ValueError) as exc:
        return getattr(exc, "message", None) or str(exc)
    except Exception as exc:  # noqa: BLE001 - the loader must never crash on content
        return f"{type(exc).__name__}: {exc}"


def evaluate_number(expr: str, values: dict[str, float]) -> float:
    """Value of a number-kind expression with variables (variants); ValueError if unreadable."""
    names = tuple(values)
    try:
        ast = parse(str(expr), Grammar(names, registry.expr_functions()))
        v = numeric.evaluate(ast, {k: float(x) for k, x in values.items()})
    except ParseError as exc:
        raise ValueError(f"{expr!r} does not parse: {exc.message}") from None
    except numeric.Undefined as exc:
        raise ValueError(f"{expr!r} has no finite value for {values}: {exc}") from None
    if abs(v.imag) > 1e-12 * max(1.0, abs(v.real)):
        raise ValueError(f"{expr!r} is not a real number for {values}")
    return float(v.real)


def check(expected: str, given: str, kind="expr", symbols=None, rtol=None, atol=None, *,
          wrong_answers=(), let=(), functions=(), timeout=2.0) -> CheckResult:
    """Grade `given` against the reference `expected` (see the module docstring)."""
    t0 = time.monotonic()
    given = "" if given is None else str(given)
    if not given.strip():
        return _invalid("Type an answer first.", "syntax")
    if kind == "choice":
        return _check_choice(expected, given)
    if kind == "derivation":
        return CheckResult(False, True, "A derivation is graded with its rubric.", error="self-grade")
    try:
        ctx = context_for(kind, symbols, let, functions)
        exp_ast = read_reference(ctx, expected)
    except (ContextError, ParseError) as exc:
        msg = getattr(exc, "message", None) or str(exc)
        return _invalid(f"This question's reference answer cannot be read ({msg}); please report it.",
                        "content")
    try:
        ast = ctx.read(given)
    except ParseError as exc:
        return _invalid(exc)
    if kind == "expr":
        sandbox.warm()  # start the SymPy worker early; most checks never need it
    latex = _latex(ctx, ast)
    if kind == "matrix":
        res = grade_matrix(ctx, exp_ast, ast, wrong_answers)
    elif kind == "number":
        res = _grade_number(ctx, exp_ast, ast, rtol, atol, wrong_answers)
    else:
        res = _grade_expr(ctx, exp_ast, ast, wrong_answers, t0, timeout)
    correct, error, message = res
    return CheckResult(correct=correct, valid=error not in ("timeout",), message=message, latex=latex,
                       error=error, score=1.0 if correct else 0.0)


# -- choice -----------------------------------------------------------------

def _labels(text: str) -> frozenset[str]:
    return frozenset(x for x in re.split(r"[\s,;/()\[\].]+|\band\b", str(text).lower()) if x)


def _check_choice(expected: str, given: str) -> CheckResult:
    want, got = _labels(expected), _labels(given)
    if not got or any(len(x) > 3 for x in got):
        return _invalid("Give the labels of your choices, like `a, c`.")
    if got == want:
        return CheckResult(True, True, CORRECT, score=1.0)
    if got < want:
        msg = "Some right choices are missing."
    elif got > want:
        msg = "You picked a choice that is not right."
    else:
        msg = "That is not the right choice." if len(want) == 1 else "Not the right set of choices."
    return CheckResult(False, True, msg, error="wrong")


# -- number -----------------------------------------------------------------

def _value(ast, env=None) -> complex | None:
    try:
        return numeric.evaluate(ast, env or {})
    except (numeric.Undefined, KeyError):
        return None


def _grade_number(ctx, exp_ast, ast, rtol, atol, wrong_answers):
    e, g = _value(exp_ast), _value(ast)
    if e is None:
        return False, "content", "This question's reference answer has no value; please report it."
    if g is None or abs(g.imag) > 1e-12 * max(1.0, abs(g.real)):
        return False, "wrong", "Your answer has no finite real value."
    e, g = e.real, g.real
    rtol = DEFAULT_RTOL if rtol is None and atol is None else (rtol or 0.0)
    atol = atol or (1e-12 if e != 0 else 1e-9)

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= max(atol, rtol * abs(b) * (1 + 1e-9))

    if close(g, e):
        return True, "", CORRECT
    for wa in wrong_answers:
        try:
            w = _value(ctx.read(wa.answer))
        except ParseError:
            continue
        if w is not None and close(g, w.real) and not close(w.real, e):
            return False, "listed", wa.feedback
    d = diagnose([g], [e], rtol=max(rtol, 1e-9), nice_only=True)
    if d is not None and d[0] in ("sign", "factor"):
        return False, d[0], d[1]
    if e != 0 and abs(g - e) <= 0.05 * abs(e):
        return False, "wrong", ("Close, but not within the tolerance: keep more digits "
                                "(at least three significant figures) and round only at the end.")
    return False, "wrong", "Not the right value."


# -- expr -------------------------------------------------------------------

def _points(ctx: Context, rng: np.random.Generator, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        env = {d.name: d.sample(rng) for d in ctx.decls}
        for name, ast in ctx.lets:
            v = _value(ast, env)
            if v is None:
                break
            env[name] = v
        else:
            out.append(env)
    return out


def _real_value(ast, env) -> float | None:
    v = _value(ast, env)
    if v is None or abs(v.imag) > 1e-9 * max(1.0, abs(v.real)):
        return None
    return v.real


def _compare(exp_ast, ast, points):
    """(expected values, given values, n given-undefined) at points where expected is real."""
    ev, gv, undefined = [], [], 0
    for env in points:
        e = _real_value(exp_ast, env)
        if e is None:
            continue
        g = _real_value(ast, env)
        if g is None:
            undefined += 1
            continue
        ev.append(e)
        gv.append(g)
    return ev, gv, undefined


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-12)


def _grade_expr(ctx, exp_ast, ast, wrong_answers, t0, timeout):
    rng = np.random.default_rng(SEED)
    points = _points(ctx, rng, N_DRAWN_POINTS)
    ev, gv, undefined = _compare(exp_ast, ast, points)
    rels = [_rel(a, b) for a, b in zip(ev, gv)]
    verdict = None
    if len(ev) >= MIN_POINTS and undefined <= len(ev):
        worst = max(rels)
        if worst <= EXPR_RTOL:
            verdict = "equal"
        elif worst <= 1e-3:
            verdict = None  # at the edge of float precision: let exact arithmetic decide
        else:
            verdict = "different"
    elif len(ev) + undefined >= MIN_POINTS and undefined > len(ev):
        verdict = "different"  # undefined (complex, infinite) where the right answer has a value
    if verdict is None:
        left = timeout - (time.monotonic() - t0)
        status, res = sandbox.call("quizlib.answers.symbolic:symbolic_equal",
                                   (exp_ast, ast, ctx.decls, ctx.lets, points[:N_SYMBOLIC_POINTS]), max(0.1, left))
        if status == "timeout":
            return False, "timeout", ("Checking this answer took too long. Simplify your expression "
                                      "(or write it as in the question) and try again.")
        verdict = res if status == "ok" else "unknown"
        if verdict == "unknown":
            return False, "wrong", ("Your answer could not be shown equal to the expected one "
                                    "at the points we tried.")
    if verdict == "equal":
        return True, "", CORRECT
    return _explain(ctx, exp_ast, ast, wrong_answers, points, ev, gv)


def _explain(ctx, exp_ast, ast, wrong_answers, points, ev, gv):
    for wa in wrong_answers:
        try:
            w_ast = ctx.read(wa.answer)
        except ParseError:
            continue
        wv, gv2, und = _compare(w_ast, ast, points)
        if len(wv) >= MIN_POINTS and all(_rel(a, b) <= 1e-6 for a, b in zip(wv, gv2)):
            return False, "listed", wa.feedback
    if len(ev) >= MIN_DIAGNOSIS_POINTS:
        d = diagnose(gv, ev)
        if d is not None:
            return False, d[0], d[1]
    return False, "wrong", "Not equivalent to the expected answer."
