"""Build SymPy expressions from the parser's AST, with our own symbols and functions.

Nothing here reads text: every SymPy object is constructed directly from AST nodes, so SymPy's own
namespace (where `E`, `I`, `S`, `N`, `beta`, `gamma` already mean something) never sees a student's
name. Symbols carry the declared domain as assumptions (`lam > 0` → positive) so simplification can
use it. Each function's SymPy form is in `quizlib.answers.registry`; `sigma` (the logistic sigmoid),
`relu` and `step` are SymPy functions of our own (`quizlib.answers.sympy_functions`).
`evaluate=False` keeps the expression as typed — that is what the live echo shows and it costs nothing to build; the sandbox worker builds
the evaluated form it simplifies.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from quizlib.answers import registry
from quizlib.answers.sympy_functions import relu, sigma, step

__all__ = ["sigma", "relu", "step", "to_sympy", "make_symbols", "latex_of"]


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


def latex_of(expr) -> str:
    # SymPy prints `lambda` as \lambda but `lam` as "lam": name the Greek aliases ourselves
    names = {s: tex for s in expr.free_symbols if (tex := registry.symbol_latex(s.name))}
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
        return registry.lookup(node[1]).sympy(args, ev)
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
