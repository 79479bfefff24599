"""Step-checked derivations: read a derivation line by line and mark each line ✓ ✗ ? or not checked.

A derivation is one step per line: an expression or a chain `a = b = c`; a line starting with `=`
continues the chain of the line before, a line with one expression follows from the line before,
and a new line with its own `=` (not starting with `=`) starts a new chain (a fact used later,
like `∂o/∂z = σ(z)(1 − σ(z))`). Each side is read by the SAME safe reader as a typed answer
(`quizlib.answers.context`, LaTeX included; nothing typed reaches eval or sympify) after a front
end here rewrites derivative notation into placeholders the parser reads as symbols:
`∂L/∂z`, `dL/dz`, `d/dz f`, `∂/∂z (…)`, `\\frac{\\partial L}{\\partial z}`, `diff(L, z)` and
`f'(z)` for a `let` quantity f. The derivative itself is taken in the worker with the graph
semantics of `quizlib.answers.step_calculus`. Each line is one call to the sandbox worker with a
hard limit (`LINE_TIMEOUT`): a line undecided in time is "not checked", never ✗.
The first line must equal the quantity asked (`asked`), the last the answer; the verdict says which
holds. Rubric formulas are found in a side, or in some of its factors or terms.
"""
from __future__ import annotations

import re

import numpy as np

from quizlib.answers import sandbox
from quizlib.answers.context import ContextError, context_for
from quizlib.answers.feedback import diagnose
from quizlib.answers.names import resolve_alias
from quizlib.answers.parser import MAX_LEN, ParseError
from quizlib.model import StepMark, StepVerdict

__all__ = ["check_steps", "split_lines", "read_side", "read_random", "validate_steps", "MARKS", "LINE_TIMEOUT"]

LINE_TIMEOUT = 1.0  # seconds of worker time one line may take
MAX_LINES = 40  # lines of one derivation that are checked
MAX_DERIVS = 12  # derivatives in one side
MAX_TEXT = 20_000  # characters of a derivation that are read at all (40 lines of 300 and room for spaces)
N_POINTS = 10  # random points every comparison uses
SEED = 20261207  # fixed: the same derivation always gets the same marks
MARKS = {"ok": "✓", "wrong": "✗", "unchecked": "not checked", "unreadable": "?"}
_PH = "Zqd"  # placeholder names Zqd0, Zqd1 … stand for the derivatives of a side
_NAME = r"[A-Za-z][A-Za-z0-9]*"
_OPEN, _CLOSE = "([{", ")]}"


# -- lines and sides ----------------------------------------------------------

def _clean(line: str) -> str:
    s = line.strip()
    s = re.sub(r"^\$+|\$+$", "", s).strip()
    s = s.replace("&", " ").replace("\\\\", " ").replace(r"\[", " ").replace(r"\]", " ").strip()
    return s.rstrip(".,;").strip()


def _split_top(s: str, sep: str) -> list[str]:
    """Split at `sep` outside brackets."""
    out, depth, cur = [], 0, ""
    for c in s:
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        if c == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += c
    return out + [cur]


def split_lines(text: str) -> list[tuple[int, str, bool, list[str]]]:
    """(line number, text as typed, continues the chain before, side texts) for each non-blank line."""
    out = []
    for n, raw in enumerate(str(text or "")[:MAX_TEXT].splitlines(), 1):
        s = _clean(raw)
        if not s:
            continue
        continues = s.startswith("=")
        sides = [x.strip() for x in _split_top(s.lstrip("=").strip() if continues else s, "=")]
        out.append((n, raw, continues, sides))
    return out


# -- derivative notation → placeholders ---------------------------------------

def _balanced(s: str, i: int) -> int:
    """Index just after the bracket group opening at s[i]; ParseError if it never closes."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] in _OPEN:
            depth += 1
        elif s[j] in _CLOSE:
            depth -= 1
            if depth == 0:
                return j + 1
    raise ParseError("syntax", "A bracket is never closed.")


def _term_end(s: str, i: int) -> int:
    """End of the product starting at s[i]: the next + or − (not a sign) outside brackets."""
    depth, prev = 0, ""
    for j in range(i, len(s)):
        c = s[j]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
            if depth < 0:
                return j
        elif depth == 0 and (c in "+-−," and prev and prev not in "^*/·×(" or c == ","):
            return j
        if not c.isspace():
            prev = c
    return len(s)


_LATEX_D = r"(?:\\partial|\\mathrm\{d\}|\\operatorname\{d\}|d)"
_LATEX_FRAC = re.compile(rf"\\[dt]?frac\s*\{{\s*{_LATEX_D}\s*([^{{}}]*)\}}\s*\{{\s*{_LATEX_D}\s*({_NAME})\s*\}}")
_QUOTIENT = re.compile(rf"(∂|(?<![A-Za-z0-9])d)\s*({_NAME})\s*/\s*(?:∂|d)\s*({_NAME})")
_OPERATOR = re.compile(rf"(?:∂|(?<![A-Za-z0-9])d)\s*/\s*(?:∂|d)\s*({_NAME})\s*")
_DIFF = re.compile(r"(?<![A-Za-z0-9])diff\s*\(")
_EXPECT = re.compile(r"(?<![A-Za-z0-9])E\s*\[")
_VAR = re.compile(r"(?<![A-Za-z0-9])Var\s*[(\[]")
_SUM = re.compile(r"(?<![A-Za-z0-9])(sum|integrate|integral)\s*\(")
_LATEX_SUM = re.compile(rf"\\sum\s*_\{{\s*({_NAME})\s*=\s*([^{{}}]*)\}}\s*\^\s*\{{([^{{}}]*)\}}")
_LATEX_INT = re.compile(rf"\\int\s*_\{{([^{{}}]*)\}}\s*\^\s*\{{([^{{}}]*)\}}(.*?)(?:\\[,;!]|\s)*"
                        rf"(?<![A-Za-z0-9])d\s*({_NAME})(?![A-Za-z0-9])")
_PRIME = re.compile(rf"(?<![A-Za-z0-9])({_NAME})'\s*\(\s*({_NAME})\s*\)")


def _front(text: str, names: set, lets: set):
    """Text with each derivative replaced by a placeholder, and [(operand text, variable)]."""
    found: list[tuple[str, str]] = []

    def ph(operand: str, var: str) -> str:
        found.append((operand.strip(), var))
        return f" {_PH}{len(found) - 1} "

    s = _LATEX_FRAC.sub(lambda m: ph(m[1], m[2]) if m[1].strip() else f"∂/∂{m[2]} ", text)
    s = s.replace(r"\partial", "∂")
    s = _LATEX_INT.sub(lambda m: ph(m[3], ("int", m[4], m[1], m[2])), s)
    while m := _LATEX_SUM.search(s):  # \sum_{i=1}^{t} body: the product that follows
        end = _term_end(s, m.end())
        s = s[:m.start()] + ph(s[m.end():end], ("sum", m[1], m[2], m[3])) + s[end:]
    for rx, op in ((_EXPECT, "E"), (_VAR, "Var")):
        while m := rx.search(s):  # E[…], Var(…)
            end = _balanced(s, m.end() - 1)
            s = s[:m.start()] + ph(s[m.end():end - 1], (op,)) + s[end:]
    while m := _SUM.search(s):  # sum(f, i, 1, t), integrate(f, w, -a, a)
        end = _balanced(s, m.end() - 1)
        args = _split_top(s[m.end():end - 1], ",")
        if len(args) != 4 or not re.fullmatch(_NAME, args[1].strip()):
            raise ParseError("syntax", f"`{m[1]}` takes four arguments, as in `{m[1]}(f, i, 1, t)`.")
        op = "sum" if m[1] == "sum" else "int"
        s = s[:m.start()] + ph(args[0], (op, args[1].strip(), args[2], args[3])) + s[end:]
    # diff(X, v): X is any expression, v a name
    while m := _DIFF.search(s):
        end = _balanced(s, m.end() - 1)
        args = _split_top(s[m.end():end - 1], ",")
        if len(args) != 2:
            raise ParseError("syntax", "`diff` takes two arguments, as in `diff(L, z)`.")
        s = s[:m.start()] + ph(args[0], args[1].strip()) + s[end:]

    def quotient(m):
        if m[1] == "d" and m[2] not in names:
            return m[0]  # `d` is not a derivative here (a symbol d, say)
        return ph(m[2], m[3])

    s = _QUOTIENT.sub(quotient, s)
    while m := _OPERATOR.search(s):  # d/dz f, ∂/∂z (…)^2/2: the product that follows, up to + or −
        i = m.end()
        end = _term_end(s, i)
        if not s[i:end].strip():
            raise ParseError("syntax", f"`d/d{m[1]}` needs something to differentiate after it.")
        s = s[:m.start()] + ph(s[i:end], m[1]) + s[end:]
    s = _PRIME.sub(lambda m: ph(m[1], m[2]) if m[1] in lets else m[0], s)
    if len(found) > MAX_DERIVS:
        raise ParseError("too-big", f"At most {MAX_DERIVS} derivatives in one expression.")
    return s, found


def read_side(text: str, symbols=(), let=(), depth: int = 0):
    """One side → (ast, ((placeholder, operand side, variable), …)); raises ParseError."""
    if depth > 3:
        raise ParseError("too-big", "Derivatives are nested too deeply.")
    if len(text) > MAX_LEN:  # before any pattern runs over it
        raise ParseError("too-big", f"This expression is too long (at most {MAX_LEN} characters).")
    base = context_for("expr", symbols, let)
    names = set(base.names)
    s, found = _front(text, names, {n for n, _ in base.lets})
    derivs = []
    for k, (operand, spec) in enumerate(found):
        if isinstance(spec, str):  # a derivative with respect to a declared name
            v = resolve_alias(spec, names)
            if v is None:
                raise ParseError("unknown-name", f"You differentiate with respect to `{spec}`, which is not "
                                 f"a symbol of this question; you may use {', '.join(base.names)}.", (spec,))
            derivs.append((f"{_PH}{k}", read_side(operand, symbols, let, depth + 1), v))
        elif len(spec) == 1:  # E[…], Var(…)
            derivs.append((f"{_PH}{k}", read_side(operand, symbols, let, depth + 1), spec))
        else:  # a sum or an integral: the bound variable is a name inside it only
            op, var, lo, hi = spec
            inner = tuple(symbols) if var in names else tuple(symbols) + (var,)
            derivs.append((f"{_PH}{k}", read_side(operand, inner, let, depth + 1),
                           (op, var, read_side(lo, symbols, let, depth + 1), read_side(hi, symbols, let, depth + 1))))
    ctx = base if not found else context_for("expr", tuple(symbols) + tuple(p for p, _, _ in derivs), let)
    try:
        ast = ctx.read(s)
    except ParseError as exc:
        if exc.code == "unknown-name":
            raise ParseError("unknown-name", base.unknown_message(exc.names), exc.names) from None
        raise
    return ast, tuple(derivs)


# -- the echo -------------------------------------------------------------------

def _side_latex(side) -> str:
    import sympy as sp  # imported on first use: loading banks (which validates with this module) needs no SymPy

    from quizlib.answers.symbolic import to_sympy

    ast, derivs = side
    names = {}
    for ph, operand, v in derivs:
        inner = _side_latex(operand)
        simple = operand[0][0] == "sym" and not operand[1]
        if isinstance(v, str):
            tex = (rf"\frac{{\partial {inner}}}{{\partial {v}}}" if simple else
                   rf"\frac{{\partial}}{{\partial {v}}}\left({inner}\right)")
        elif len(v) == 1:
            tex = rf"\mathbb{{E}}\left[{inner}\right]" if v[0] == "E" else rf"\operatorname{{Var}}\left({inner}\right)"
        elif v[0] == "sum":
            tex = rf"\sum_{{{v[1]}={_side_latex(v[2])}}}^{{{_side_latex(v[3])}}} {inner}"
        else:
            tex = rf"\int_{{{_side_latex(v[2])}}}^{{{_side_latex(v[3])}}} {inner} \, d{v[1]}"
        names[sp.Symbol(ph, real=True)] = tex
    try:
        expr = to_sympy(ast, {}, evaluate=False)
        return sp.latex(expr, symbol_names={s: names.get(s, {"lam": r"\lambda", "eps": r"\epsilon"}
                                                           .get(s.name, s.name))
                                            for s in expr.free_symbols}, order="none")
    except Exception:  # noqa: BLE001 - the echo is a courtesy; never fail a check over it
        return ""


# -- checking -------------------------------------------------------------------

def _points(symbols, let) -> list[dict]:
    rng = np.random.default_rng(SEED)
    decls = context_for("expr", symbols, let).decls
    return [{d.name: d.sample(rng) for d in decls} for _ in range(N_POINTS)]


_RANDOM = re.compile(rf"^\s*({_NAME})\s*~\s*(Bernoulli|Uniform)\s*\((.*)\)\s*$", re.I)


def read_random(random, symbols=(), let=()) -> tuple:
    """`m ~ Bernoulli(1-p)`, `w ~ Uniform(-a, a)` → ((name, dist, parameter sides), …); ValueError."""
    out = []
    names = set(context_for("expr", symbols, let).names)
    for item in random or ():
        m = _RANDOM.match(item)
        if not m:
            raise ValueError(f"cannot read the random quantity {item!r} (write `m ~ Bernoulli(1-p)` "
                             "or `w ~ Uniform(-a, a)`)")
        name, dist, params = m[1], m[2].lower(), _split_top(m[3], ",")
        if name not in names:
            raise ValueError(f"the random quantity `{name}` must also be one of the `symbols`")
        if len(params) != (1 if dist == "bernoulli" else 2):
            raise ValueError(f"{m[2]} takes {1 if dist == 'bernoulli' else 2} parameter(s): {item!r}")
        try:
            out.append((name, dist, tuple(read_side(x, symbols, let) for x in params)))
        except ParseError as exc:
            raise ValueError(f"a parameter of {item!r} does not read: {exc.message}") from None
    return tuple(out)


def validate_steps(asked: str, answer: str, formulas=(), symbols=(), let=(), random=()) -> str | None:
    """None if a step-checked part's `asked`, `answer` and rubric formulas all read, else why."""
    try:
        read_random(random, symbols, let)
    except ValueError as exc:
        return str(exc)
    for what, text in [("asked", asked), ("answer", answer)] + [("check", f) for f in formulas]:
        if not str(text).strip():
            return f"a step-checked derivation needs `{what}:`" if what != "check" else "an empty `check:`"
        try:
            read_side(text, symbols, let)
        except ContextError as exc:
            return str(exc)
        except ParseError as exc:
            return f"`{what}: {text}` does not read: {exc.message}"
    return None


def _feedback(av, bv) -> str:
    d = diagnose(bv, av) if len(av) >= 3 else None
    if d is not None:
        return d[1].replace("your answer", "this line").replace("the right one", "the line before")
    return "Does not follow from the line before: they differ at the points we tried."


def check_steps(text: str, *, symbols=(), let=(), asked: str, answer: str, formulas=(), random=(),
                timeout: float = LINE_TIMEOUT) -> StepVerdict:
    """Mark every line of a derivation (see the module docstring). Bank errors raise ContextError."""
    symbols, let = tuple(symbols or ()), tuple(let or ())
    decls = context_for("expr", symbols, let).decls
    lets = context_for("expr", symbols, let).lets
    sides: dict[int, tuple] = {0: read_side(asked, symbols, let), 1: read_side(answer, symbols, let)}
    f_idx = []
    for f in formulas:
        f_idx.append(len(sides))
        sides[len(sides)] = read_side(f, symbols, let)
    rand = read_random(random, symbols, let)
    points = _points(symbols, let)
    lines = split_lines(text)[:MAX_LINES]
    marks: list[StepMark] = []
    starts = ends = None
    reached = [False] * len(f_idx)
    seen = [False] * len(f_idx)
    prev = None  # index of the last readable side
    all_ok = True
    for pos, (n, raw, continues, texts) in enumerate(lines):
        try:
            idx = []
            for t in texts:
                if not t:
                    raise ParseError("syntax", "An `=` with nothing on one side.")
                sides[len(sides)] = read_side(t, symbols, let)
                idx.append(len(sides) - 1)
        except ParseError as exc:
            marks.append(StepMark(n, raw, "unreadable", exc.message))
            all_ok = False
            continue
        links = []
        first = prev is None
        if first:
            links.append((0, idx[0]))  # starts from the quantity asked
        elif continues or len(idx) == 1:
            links.append((prev, idx[0]))
        links += [(a, b) for a, b in zip(idx, idx[1:])]
        last = pos == len(lines) - 1
        if last:
            links.append((idx[-1], 1))
        need = {i for link in links for i in link}
        task = (tuple(links), {i: sides[i] for i in need}, tuple((tuple(idx), sides[k]) for k in f_idx),
                decls, lets, points, rand)
        status, res = sandbox.call("quizlib.answers.step_calculus:check_line", task, timeout)
        latex = " = ".join(_side_latex(sides[i]) for i in idx)
        if continues:
            latex = "= " + latex
        if status != "ok":
            why = (f"Could not be decided within {timeout:.1f} s." if status == "timeout"
                   else "The checker is not available right now.")
            marks.append(StepMark(n, raw, "unchecked", why, latex))
            all_ok = False
            prev = idx[-1]
            continue
        verdicts, hits = res
        if first:
            starts = verdicts[0][0] == "equal" if verdicts[0][0] != "unknown" else None
            verdicts = verdicts[1:]
        if last:
            ends = verdicts[-1][0] == "equal" if verdicts[-1][0] != "unknown" else None
            verdicts = verdicts[:-1]
        kinds = [v[0] for v in verdicts]
        if "different" in kinds:
            av, bv = next((a, b) for k, a, b in verdicts if k == "different")
            mark, msg = "wrong", _feedback(av, bv)
        elif "unknown" in kinds:
            mark, msg = "unchecked", "Could not be shown equal or different to the line before."
        else:
            mark, msg = "ok", ""
        all_ok = all_ok and mark == "ok"
        for i, h in enumerate(hits):
            seen[i] = seen[i] or h
            reached[i] = reached[i] or (h and all_ok)
        marks.append(StepMark(n, raw, mark, msg, latex))
        prev = idx[-1]
    return StepVerdict(tuple(marks), starts, ends, tuple(reached), tuple(seen))
