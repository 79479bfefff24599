"""Build SymPy expressions from the parser's AST, with our own symbols and functions.

Nothing here reads text: every SymPy object is constructed directly from AST nodes, so SymPy's own
namespace (where `E`, `I`, `S`, `N`, `beta`, `gamma` already mean something) never sees a student's
name. Symbols carry the declared domain as assumptions (`lam > 0` → positive) so simplification can
use it. `sigma` is the logistic sigmoid, a real SymPy function of our own that prints as `\\sigma`
and differentiates to σ(1−σ); `relu` and `step` likewise. `evaluate=False` keeps the expression as
typed — that is what the live echo shows and it costs nothing to build; the sandbox worker builds
the evaluated form it simplifies.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

__all__ = ["sigma", "relu", "step", "to_sympy", "make_symbols", "latex_of"]


class sigma(sp.Function):  # noqa: N801 - the maths name
    """The logistic sigmoid 1/(1+e^{-z})."""

    is_real = True

    @classmethod
    def eval(cls, z):
        if z.is_Number:
            return 1 / (1 + sp.exp(-z))
        return None

    def fdiff(self, argindex=1):
        return sigma(self.args[0]) * (1 - sigma(self.args[0]))

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return 1 / (1 + sp.exp(-z))

    def _eval_is_positive(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        base = rf"\sigma\left({arg}\right)"
        return base if exp is None else rf"{base}^{{{exp}}}"


class relu(sp.Function):  # noqa: N801
    """max(z, 0)."""

    @classmethod
    def eval(cls, z):
        if z.is_Number:
            return sp.Max(z, 0)
        return None

    def _eval_rewrite_as_Max(self, z, **kwargs):
        return sp.Max(z, 0)

    def _latex(self, printer, exp=None):
        base = rf"\operatorname{{relu}}\left({printer._print(self.args[0])}\right)"
        return base if exp is None else rf"{base}^{{{exp}}}"


class step(sp.Function):  # noqa: N801
    """relu'(z): 1 for z > 0, else 0."""

    @classmethod
    def eval(cls, z):
        if z.is_Number:
            return sp.Integer(1) if z > 0 else sp.Integer(0)
        return None

    def _latex(self, printer, exp=None):
        base = rf"\operatorname{{step}}\left({printer._print(self.args[0])}\right)"
        return base if exp is None else rf"{base}^{{{exp}}}"


def make_symbols(decls) -> dict:
    """name -> sp.Symbol with the domain as assumptions (real always)."""
    out = {}
    for d in decls:
        if d.positive:
            out[d.name] = sp.Symbol(d.name, positive=True)
        elif d.negative:
            out[d.name] = sp.Symbol(d.name, negative=True)
        else:
            out[d.name] = sp.Symbol(d.name, real=True)
    return out


_LATEX_NAMES = {"lam": r"\lambda", "eps": r"\epsilon"}


def latex_of(expr) -> str:
    names = {s: _LATEX_NAMES[s.name] for s in expr.free_symbols if s.name in _LATEX_NAMES}
    return sp.latex(expr, symbol_names=names, order="none")


def to_sympy(node, syms: dict, evaluate: bool = True, lets: dict | None = None):
    """AST → SymPy. `lets` maps derived names to their (already built) expressions."""
    ev = evaluate
    tag = node[0]
    if tag == "num":
        if not ev and any(c in node[1] for c in ".eE"):
            return sp.Float(node[1])  # the echo shows decimals as typed
        f = Fraction(node[1])
        return sp.Rational(f.numerator, f.denominator)
    if tag == "sym":
        name = node[1]
        if lets and name in lets:
            return lets[name]
        if name not in syms:
            syms[name] = sp.Symbol(name, real=True)
        return syms[name]
    if tag == "const":
        return sp.E if node[1] == "e" else sp.pi
    if tag == "neg":
        inner = to_sympy(node[1], syms, ev, lets)
        return -inner if inner.is_Number else sp.Mul(-1, inner, evaluate=ev)
    if tag == "T":
        return to_sympy(node[1], syms, ev, lets)
    if tag == "call":
        args = [to_sympy(a, syms, ev, lets) for a in node[2]]
        return _call(node[1], args, ev)
    a = to_sympy(node[1], syms, ev, lets)
    b = to_sympy(node[2], syms, ev, lets)
    if tag == "add":
        return sp.Add(a, b, evaluate=ev)
    if tag == "sub":
        return sp.Add(a, sp.Mul(-1, b, evaluate=ev), evaluate=ev)
    if tag in ("mul", "had"):
        return sp.Mul(a, b, evaluate=ev)
    if tag == "div":
        if a == 1:
            return sp.Pow(b, -1, evaluate=ev)
        return sp.Mul(a, sp.Pow(b, -1, evaluate=ev), evaluate=ev)
    if tag == "pow":
        return sp.Pow(a, b, evaluate=ev)
    raise ValueError(f"unknown node {tag}")


def _call(name: str, args, ev: bool):
    a = args[0]
    if name == "sqrt":
        return sp.Pow(a, sp.Rational(1, 2), evaluate=ev)
    if name == "log" and len(args) == 2:
        return sp.Mul(sp.log(a, evaluate=ev), sp.Pow(sp.log(args[1], evaluate=ev), -1, evaluate=ev),
                      evaluate=ev)
    if name in ("max", "min"):
        f = sp.Max if name == "max" else sp.Min
        return f(*args, evaluate=ev)
    table = {"exp": sp.exp, "log": sp.log, "ln": sp.log, "tanh": sp.tanh, "sinh": sp.sinh,
             "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos, "abs": sp.Abs, "floor": sp.floor,
             "ceil": sp.ceiling, "sign": sp.sign, "sigma": sigma, "relu": relu, "step": step}
    return table[name](a, evaluate=ev)


def symbolic_equal(e_ast, g_ast, decls, lets=(), points=()) -> str:
    """'equal' | 'different' | 'unknown': runs in the sandbox worker (it may take long).

    `lets` is a sequence of (name, ast) in order; `points` are dicts name -> float at which the
    difference is evaluated with 30 digits when simplification cannot decide.
    """
    syms = make_symbols(decls)
    let_exprs: dict = {}
    for name, ast in lets:
        let_exprs[name] = to_sympy(ast, syms, True, let_exprs)
    d = to_sympy(e_ast, syms, True, let_exprs) - to_sympy(g_ast, syms, True, let_exprs)
    if d == 0:
        return "equal"
    for attempt in (lambda x: sp.simplify(x), lambda x: sp.simplify(x.rewrite(sp.exp))):
        try:
            if attempt(d) == 0:
                return "equal"
        except Exception:  # noqa: BLE001 - SymPy gives up in many ways; the points decide then
            pass
    verdicts = []
    for pt in points:
        subs = {syms[k]: sp.Float(v, 30) for k, v in pt.items() if k in syms}
        val = d.evalf(30, subs=subs)
        if not val.is_number or val.has(sp.zoo, sp.nan, sp.oo):
            continue
        verdicts.append(abs(complex(val)) < 1e-15)
    if verdicts:
        return "equal" if all(verdicts) else "different"
    return "unknown"
