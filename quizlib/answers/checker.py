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

import math
import re
import time
from fractions import Fraction

import numpy as np
import numpy.random  # noqa: F401 - eager: NumPy imports it lazily on first use

from quizlib.answers import numeric, registry
from quizlib.answers import sandbox
from quizlib.answers.context import Context, ContextError, context_for, read_reference
from quizlib.answers.feedback import diagnose
from quizlib.answers.matrix import ShapeError, ambiguous_power, grade_matrix, infer_shape, shape_str, to_latex
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
        if (msg := ambiguous_power(ast, ctx.shapes)) is not None:
            return _invalid(msg, "syntax")
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
        allowed = max(atol, rtol * abs(e))
        return False, "wrong", (f"Close, but outside the tolerance: yours is off by {abs(g - e):.2g}, and "
                                f"at most {allowed:.2g} is allowed here. Keep more digits and round only "
                                "at the end.")
    return False, "wrong", "Not the right value."


# -- expr -------------------------------------------------------------------

def _with_lets(ctx: Context, env: dict) -> dict | None:
    """`env` (the declared symbols) completed with the `let` names, None where one is undefined."""
    for name, ast in ctx.lets:
        v = _value(ast, env)
        if v is None:
            return None
        env[name] = v
    return env


def _points(ctx: Context, rng: np.random.Generator, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        env = _with_lets(ctx, {d.name: d.sample(rng) for d in ctx.decls})
        if env is not None:
            out.append(env)
    return out


# -- the special points: scales, domain bounds, both sides of every breakpoint -------------------
# Random points of ±[0.2, 2.5] miss where two formulas differ only for large values, at integers, near
# a domain's edge or past a breakpoint (`x + step(x - 3)` is not `x`; `ceil(x) - 1` is not `floor(x)`).
SCALES = (1e-6, 1e-3, 0.1, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 100.0, 1e3, 1e6)  # small, unit, integers, large
EDGES = (1e-6, 1e-3, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1 - 1e-6)  # fractions of a bounded domain
MAX_BREAKS = 6  # breakpoints kept per piecewise argument and symbol (the ones nearest 0)


def _special_values(d) -> list[float]:
    if d.lo is not None and d.hi is not None:
        w = d.hi - d.lo
        inner = [float(k) for k in range(math.ceil(d.lo), math.floor(d.hi) + 1) if d.lo < k < d.hi][:12]
        return [d.lo + f * w for f in EDGES] + inner
    if d.lo is not None:
        return [d.lo + v for v in SCALES]
    if d.hi is not None:
        return [d.hi - v for v in SCALES]
    return [v * sg for v in SCALES for sg in (1.0, -1.0)]


def _grid(d) -> np.ndarray:
    """Where a breakpoint is looked for along one symbol."""
    if d.lo is not None and d.hi is not None:
        return d.lo + (d.hi - d.lo) * np.linspace(1e-4, 1 - 1e-4, 121)
    half = np.concatenate([np.linspace(1e-4, 12.0, 97), np.logspace(1.1, 4, 12)])
    if d.lo is not None:
        return d.lo + half
    if d.hi is not None:
        return d.hi - half
    return np.concatenate([-half[::-1], [0.0], half])


def _piecewise_args(node, out: list) -> list:
    """(argument whose sign change is a breakpoint, integer-valued?) of step, relu, abs, sign,
    floor, ceil, max, min (for max/min the difference of the two arguments)."""
    if node[0] == "call":
        args = node[2]
        if registry.lookup(node[1]).breaks:
            f = args[0] if len(args) == 1 else ("sub", args[0], args[1])
            out.append((f, node[1] in ("floor", "ceil")))
        for a in args:
            _piecewise_args(a, out)
    elif node[0] not in ("num", "sym", "const"):
        for c in node[1:]:
            _piecewise_args(c, out)
    return out


def _snap(t: float) -> float:
    """A bisected breakpoint as the simple number it probably is (3, 0.1, 1/3)."""
    f = Fraction(t).limit_denominator(1000)
    return float(f) if abs(float(f) - t) <= 1e-9 * max(1.0, abs(t)) else t


def _breakpoints(ctx: Context, f, integer: bool, d, base: dict) -> list[float]:
    """Values of symbol `d` (the others at `base`) where `f` crosses 0 (an integer when `integer`)."""
    ts = _grid(d)

    def at(t):
        env = _with_lets(ctx, {**{k.name: base[k.name] for k in ctx.decls}, d.name: float(t)})
        return None if env is None else _real_value(f, env)

    vals = [at(t) for t in ts]
    found = []
    for i in range(len(ts) - 1):
        a, b = vals[i], vals[i + 1]
        if a is None or b is None:
            continue
        if integer:
            if math.floor(a) == math.floor(b):
                continue
            k = float(max(math.floor(a), math.floor(b)))  # an integer between a and b
        elif (a > 0) == (b > 0):
            continue
        else:
            k = 0.0
        lo, hi, flo = ts[i], ts[i + 1], a - k
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            fm = at(mid)
            if fm is None:
                break
            if (fm - k > 0) == (flo > 0):
                lo, flo = mid, fm - k
            else:
                hi = mid
        found.append(_snap(0.5 * (lo + hi)))
    return sorted(found, key=abs)[:MAX_BREAKS]


def _special_points(ctx: Context, trees, rng: np.random.Generator, base: dict | None) -> list[dict]:
    """Points that vary one symbol at a time, the others at `base`: scales, the edges of a bounded
    domain, and every breakpoint of a piecewise function in either formula with both its sides (at an
    integer crossing of floor/ceil itself `ceil(x) - 1` and `floor(x)` part)."""
    scalars = [d for d in ctx.decls if d.shape is None]
    if base is None or not scalars:
        return []
    kinks = []
    for t in (*trees, *(ast for _, ast in ctx.lets)):
        _piecewise_args(t, kinks)
    out = []
    for d in scalars:
        vals = _special_values(d)
        for f, integer in kinks:
            for t in _breakpoints(ctx, f, integer, d, base):
                eps = 1e-7 * max(1.0, abs(t))
                vals += [t, t - eps, t + eps, t - 1e3 * eps, t + 1e3 * eps]
        for v in vals:
            if (d.lo is not None and v <= d.lo) or (d.hi is not None and v >= d.hi):
                continue
            env = _with_lets(ctx, {**{k.name: base[k.name] for k in ctx.decls}, d.name: v})
            if env is not None:
                out.append(env)
    return out


def _real_value(ast, env) -> float | None:
    v = _value(ast, env)
    if v is None or abs(v.imag) > 1e-9 * max(1.0, abs(v.real)):
        return None
    return v.real


def _pairs(exp_ast, ast, points):
    """(point, expected, given or None) at the points where the expected value is real."""
    out = []
    for env in points:
        e = _real_value(exp_ast, env)
        if e is not None:
            out.append((env, e, _real_value(ast, env)))
    return out


def _compare(exp_ast, ast, points):
    """(expected values, given values, n given-undefined) at points where expected is real."""
    pairs = _pairs(exp_ast, ast, points)
    ev = [e for _, e, g in pairs if g is not None]
    gv = [g for _, e, g in pairs if g is not None]
    return ev, gv, len(pairs) - len(ev)


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-12)


FLOAT_TIGHT = 1e-12  # float agreement beyond doubt; a larger gap is re-checked with 60 digits
EXACT_RTOL = 1e-25  # agreement at 60 digits
MAX_EXACT_POINTS = 80


def _exact_at(ctx, exp_ast, ast, env) -> bool | None:
    """True/False: the two formulas agree/differ at `env` at 60 digits; None: cannot say there."""
    mp_env = {d.name: env[d.name] for d in ctx.decls}
    try:
        for name, let_ast in ctx.lets:
            mp_env[name] = numeric.evaluate_exact(let_ast, mp_env)
        a = numeric.evaluate_exact(exp_ast, mp_env)
        b = numeric.evaluate_exact(ast, mp_env)
    except numeric.Undefined:
        return None
    scale = max(abs(a), abs(b))
    if abs(a.imag if hasattr(a, "imag") else 0) > EXACT_RTOL * scale or \
            abs(b.imag if hasattr(b, "imag") else 0) > EXACT_RTOL * scale:
        return None
    return scale == 0 or abs(a - b) <= EXACT_RTOL * scale


def _exact_verdict(ctx, exp_ast, ast, suspects) -> str | None:
    """'equal' / 'different' at the points whose float values are not equal beyond doubt; the worst
    first (a real difference shows at once); None when no point could be decided."""
    decided = False
    for env, _, _ in sorted(suspects, key=lambda p: -_rel(p[1], p[2]))[:MAX_EXACT_POINTS]:
        same = _exact_at(ctx, exp_ast, ast, env)
        if same is False:
            return "different"
        decided = decided or same is True
    return "equal" if decided else None


def _grade_expr(ctx, exp_ast, ast, wrong_answers, t0, timeout):
    rng = np.random.default_rng(SEED)
    points = _points(ctx, rng, N_DRAWN_POINTS)
    pairs = _pairs(exp_ast, ast, points)
    ev = [e for _, e, g in pairs if g is not None]
    gv = [g for _, e, g in pairs if g is not None]
    undefined = len(pairs) - len(ev)
    special = [p for p in _pairs(exp_ast, ast, _special_points(ctx, (exp_ast, ast), rng,
                                                                 points[0] if points else None))
               if p[2] is not None]
    verdict = None
    if len(ev) >= MIN_POINTS and undefined <= len(ev):
        defined = [p for p in pairs if p[2] is not None] + special
        suspects = [p for p in defined if _rel(p[1], p[2]) > FLOAT_TIGHT]
        verdict = _exact_verdict(ctx, exp_ast, ast, suspects) if suspects else "equal"
        if verdict is None:  # no exact form: the random points decide as far as floats can (as before)
            worst = max(_rel(e, g) for e, g in zip(ev, gv))
            verdict = "equal" if worst <= EXPR_RTOL else None if worst <= 1e-3 else "different"
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
    # the values where they differ, random points first (a sign or factor slip shows at all of them)
    far = [(e, g) for _, e, g in special if _rel(e, g) > 1e-9]
    return _explain(ctx, exp_ast, ast, wrong_answers, points, ev + [e for e, _ in far], gv + [g for _, g in far])


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
    if ev and max(_rel(e, g) for e, g in zip(ev, gv)) <= 1e-3:
        return False, "wrong", ("Very close to the expected answer, but not equal to it: a tiny term or "
                                "factor too many, or a difference only for some values of the symbols.")
    return False, "wrong", "Not equivalent to the expected answer."
