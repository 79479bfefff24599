"""The SymPy side of step checking: derivatives on a computational graph, and line equivalence.

Runs in the sandbox worker (`quizlib.answers.sandbox`), one call per derivation line, so the hard
per-line time limit covers every SymPy operation. Input is plain tuples built by
`quizlib.answers.steps` from the safe parser's ASTs — no text is read here.

A *side* is `(ast, derivs)`: the parser's AST in which each derivative the student wrote has been
replaced by a placeholder symbol, and `derivs` = ((placeholder, operand side, variable), …).
Graph semantics (a `let` quantity is a node of the graph): ∂X/∂v differentiates X after
substituting the definition of every `let` quantity that depends on v, directly or through other
lets, and keeps v itself (if it is a `let`) and the lets that do not depend on v as independent
variables. So with `o = sigma(z)`, in ∂L/∂o the output o is a variable, in ∂L/∂z it is σ(z).
Two sides are compared after substituting everything down to the declared symbols: at the random
points first (all agree to 1e-7 → equal, any clear disagreement → different), exact `simplify` only
when the points cannot decide; undecided is "unknown", never "different".
"""
from __future__ import annotations

import cmath
from functools import lru_cache
from itertools import combinations

import sympy as sp

from quizlib.answers.symbolic import make_symbols, relu, sigma, step, to_sympy

__all__ = ["check_line", "clear_cache", "Graph"]

EQ_RTOL = 1e-7  # float agreement of two sides at one point
CLEAR = 1e-3  # beyond this relative difference at a point the sides differ, whatever simplify says
MAX_SUBSET_ARGS = 6  # factors/terms of a side tried as a rubric formula (2^6 subsets at most)


class Graph:
    """The declared symbols and the `let` definitions of one part, as SymPy."""

    def __init__(self, decls, lets, random=()):
        self.random = random  # ((name, "bernoulli", (q side,)) | (name, "uniform", (lo side, hi side)), …)
        self.syms = make_symbols(decls)
        self.decl_names = [d.name for d in decls]
        self.let_names = [n for n, _ in lets]
        for name in self.let_names:
            self.syms[name] = sp.Symbol(name, real=True)
        # each definition as written: in terms of declared symbols and earlier lets (one level)
        self.defs = {name: to_sympy(ast, self.syms, True) for name, ast in lets}

    def depends(self, name: str, v: str, seen=()) -> bool:
        """Does the let `name` depend on the variable `v` (directly or through other lets)?"""
        free = {s.name for s in self.defs[name].free_symbols}
        if v in free:
            return True
        return any(n in self.defs and n not in seen and self.depends(n, v, seen + (name,))
                   for n in free)

    def substitute(self, expr, names):
        """Replace the let symbols in `names` by their definitions until none is left."""
        for _ in range(len(self.let_names) + 1):
            rep = {self.syms[n]: self.defs[n] for n in names if self.syms[n] in expr.free_symbols}
            if not rep:
                return expr
            expr = expr.xreplace(rep)
        return expr

    def expand(self, expr):
        """Down to the declared symbols."""
        return self.substitute(expr, self.let_names)

    def build(self, side):
        """A side as SymPy, its derivatives worked out, lets still as symbols."""
        ast, derivs = side
        values = {ph: self.operator(operand, v) for ph, operand, v in derivs}
        return to_sympy(ast, self.syms, True, values)

    def pieces(self, side):
        """The side and some of its factors/terms, derivatives worked out; a piece that is
        still a written derivative (the factor ∂o/∂z of a chain rule) does not show a formula."""
        ast, derivs = side
        values = {ph: self.operator(operand, v) for ph, operand, v in derivs}
        out = []
        for piece in _pieces(to_sympy(ast, dict(self.syms), True)):
            if not any(s.name in values for s in piece.free_symbols):
                out.append(piece)
            elif any(s.name not in values for s in piece.free_symbols) or piece.is_Add:
                out.append(piece.xreplace({s: values[s.name] for s in piece.free_symbols
                                           if s.name in values}))
        return out

    def operator(self, operand, v):
        """A placeholder's value: a derivative (v is the variable's name), E[…], Var(…), a finite sum
        or a definite integral (v = ("sum"|"int", bound variable, lower side, upper side))."""
        if isinstance(v, str):
            return self.derivative(operand, v)
        if v[0] in ("E", "Var"):
            x = self.expand(self.build(operand))
            if v[0] == "E":
                return self.expect(x)
            return self.expect(x**2) - self.expect(x) ** 2  # Var X = E[X²] − E[X]²
        op, var, lo_side, hi_side = v
        lo, hi = self.expand(self.build(lo_side)), self.expand(self.build(hi_side))
        bound = sp.Symbol(var, integer=True) if op == "sum" else sp.Symbol(var, real=True)
        saved = self.syms.get(var)
        self.syms[var] = bound  # the bound variable, even where a declared symbol has its name
        try:
            x = self.expand(self.build(operand))
        finally:
            if saved is None:
                self.syms.pop(var)
            else:
                self.syms[var] = saved
        if op == "sum":  # term by term, constants pulled out: SymPy is ~100× faster on b^(−i) than on (1−b)b^(t−i)
            out = sp.Integer(0)
            for term in sp.Add.make_args(sp.expand(x, power_exp=True)):
                const, dep = term.as_independent(bound, as_Add=False)
                out += const * (sp.summation(dep, (bound, lo, hi)) if dep.has(bound) else (hi - lo + 1) * dep)
            return out
        return sp.integrate(x, (bound, lo, hi))

    def expect(self, x):
        """E[x] over the declared random quantities, independent of each other: a Bernoulli(q) m
        gives q·x(m=1) + (1−q)·x(m=0); a Uniform(lo, hi) w gives ∫ x dw/(hi − lo)."""
        for name, dist, params in self.random:
            r = self.syms[name]
            if r not in x.free_symbols:
                continue
            ps = [self.expand(self.build(p)) for p in params]
            if dist == "bernoulli":
                x = ps[0] * x.xreplace({r: sp.Integer(1)}) + (1 - ps[0]) * x.xreplace({r: sp.Integer(0)})
            else:
                x = sp.integrate(x, (r, ps[0], ps[1])) / (ps[1] - ps[0])
        return x

    def derivative(self, operand, v: str):
        x = self.build(operand)
        on_path = [n for n in self.let_names if n != v and self.depends(n, v)]
        x = self.substitute(x, on_path)
        d = sp.diff(x, self.syms[v])
        return _relu_prime(d)


def _relu_prime(expr):
    """relu has no SymPy derivative of its own: d relu(u)/du = step(u)."""
    if not expr.has(sp.Derivative):
        return expr
    return expr.replace(lambda e: isinstance(e, sp.Derivative) and isinstance(e.expr, relu)
                        and e.variables == (e.expr.args[0],),
                        lambda e: step(e.expr.args[0]))


_FUNCS = {sp.exp: cmath.exp, sp.log: cmath.log, sp.tanh: cmath.tanh, sp.sinh: cmath.sinh,
          sp.cosh: cmath.cosh, sp.sin: cmath.sin, sp.cos: cmath.cos, sp.Abs: abs,
          sigma: lambda u: 1 / (1 + cmath.exp(-u)), relu: lambda u: max(u.real, 0.0),
          step: lambda u: 1.0 if u.real > 0 else 0.0, sp.sign: lambda u: float((u.real > 0) - (u.real < 0))}


def _fast(expr, env: dict) -> complex:
    """Complex value of a SymPy tree by plain recursion (no code generation); KeyError if the tree
    has a node it does not know (then SymPy's own evaluation is used)."""
    if expr.is_Symbol:
        return env[expr]
    if expr.is_Number:
        if expr.is_Rational:
            return complex(expr.p / expr.q)
        return complex(float(expr))
    if expr is sp.E:
        return cmath.e
    if expr is sp.pi:
        return cmath.pi
    if expr.is_Add:
        return sum(_fast(a, env) for a in expr.args)
    if expr.is_Mul:
        out = 1 + 0j
        for a in expr.args:
            out *= _fast(a, env)
        return out
    if expr.is_Pow:
        b, e = expr.args
        if e.is_Integer:
            return _fast(b, env) ** int(e)
        return _fast(b, env) ** _fast(e, env)
    f = _FUNCS[expr.func]
    return complex(f(*[_fast(a, env) for a in expr.args]))


def _value(expr, point) -> float | None:
    """Value at one point = (SymPy substitution, the same as Python complex numbers)."""
    subs, env = point
    try:
        c = _fast(expr, env)
        if cmath.isfinite(c) and abs(c.imag) <= 1e-9 * max(1.0, abs(c.real)):
            return c.real
        if cmath.isfinite(c):
            return None
    except (KeyError, ZeroDivisionError, OverflowError, ValueError, TypeError):
        pass
    try:
        v = sp.N(expr.xreplace(subs), 20)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not v.is_number or v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    try:
        c = complex(v)
    except (TypeError, ValueError):
        return None
    if c != c or abs(c.imag) > 1e-9 * max(1.0, abs(c.real)) or abs(c.real) == float("inf"):
        return None
    return c.real


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-12)


def compare(a, b, subs_list, exact: bool = True) -> tuple[str, list, list]:
    """('equal'|'different'|'unknown', values of a, values of b) for two expanded expressions."""
    av, bv, undefined = [], [], 0
    for subs in subs_list:
        x = _value(a, subs)
        if x is None:
            continue
        y = _value(b, subs)
        if y is None:
            undefined += 1
            continue
        av.append(x)
        bv.append(y)
    if len(av) >= 4 and undefined <= len(av):
        worst = max(_rel(x, y) for x, y in zip(av, bv))
        if worst <= EQ_RTOL:
            return "equal", av, bv
        if worst > CLEAR:
            return "different", av, bv
    elif len(av) + undefined >= 4 and undefined > len(av):
        return "different", av, bv
    if not exact:
        return "unknown", av, bv
    d = a - b
    for attempt in (lambda x: x, sp.simplify, lambda x: sp.simplify(x.rewrite(sp.exp))):
        try:
            if attempt(d) == 0:
                return "equal", av, bv
        except Exception:  # noqa: BLE001 - SymPy gives up in many ways; then it is undecided
            pass
    return "unknown", av, bv


def _pieces(expr):
    """The side itself, and products/sums of some of its top-level factors/terms."""
    out = [expr]
    for maker, args in ((sp.Mul, sp.Mul.make_args(expr)), (sp.Add, sp.Add.make_args(expr))):
        if 1 < len(args) <= MAX_SUBSET_ARGS:
            for k in range(1, len(args)):
                out += [maker(*c) for c in combinations(args, k)]
    return out


@lru_cache(maxsize=16)
def _graph(decls, lets, random=()) -> Graph:
    return Graph(decls, lets, random)


@lru_cache(maxsize=256)
def _side(side, decls, lets, random=()):
    """(as written with lets as symbols, expanded to the declared symbols): the line before is
    built once, not again for the next line (the worker lives on between calls)."""
    g = _graph(decls, lets, random)
    raw = g.build(side)
    return raw, g.expand(raw)


def clear_cache() -> None:
    """Forget built sides (a benchmark measures lines on an empty cache)."""
    _side.cache_clear()
    _graph.cache_clear()


def check_line(links, sides, formulas, decls, lets, points, random=()):
    """One derivation line, in the worker.

    links: ((i, j), …) pairs of indexes into `sides` to compare (i the earlier one);
    sides: the side tuples (earlier lines' sides included where a link needs them);
    formulas: ((k, formula side), …): for each, does any side index in `k` contain it (see _pieces)?
    points: dicts name -> float. Returns (link verdicts (verdict, a values, b values), formula hits).
    """
    g = _graph(decls, lets, random)
    subs_list = [({g.syms[k]: sp.Float(v, 20) for k, v in pt.items() if k in g.syms},
                  {g.syms[k]: complex(v) for k, v in pt.items() if k in g.syms}) for pt in points]

    def side(i):
        return _side(sides[i], decls, lets, random)

    verdicts = [compare(side(i)[1], side(j)[1], subs_list) for i, j in links]
    hits = []
    for ks, fside in formulas:
        f = _side(fside, decls, lets, random)[1]
        hit = False
        for k in ks:
            for piece in g.pieces(sides[k]):
                if compare(g.expand(piece), f, subs_list, exact=False)[0] == "equal":
                    hit = True
                    break
            if hit:
                break
        hits.append(hit)
    return verdicts, hits
