"""Matrix and vector answers: shapes, random instantiation with NumPy, and a LaTeX echo.

A matrix question declares symbols with shapes (`x: D×1`, `W1: D×H`; dimensions are letters or
integers). An answer is first checked for shape by walking the AST with symbolic dimensions — so the
student hears "cannot add D×1 and H×K" or "your answer is H×D, the answer is D×H" rather than a
wrong verdict — and then decided by instantiating every symbol with random normal entries for
several draws of distinct dimension sizes (2..6): two formulas that agree on all draws are the same
matrix function. Products: `*`, `@`, `·` and juxtaposition are matrix products (a scalar or a 1×1
factor scales); `⊙` (or `odot(a, b)`, `hadamard(a, b)`) is element-wise; `^T`, `^\\top` and a
postfix `'` transpose; `relu`, `step` (= relu'), `sigma`, `exp`, `log`, `tanh`, `sqrt` act element-wise;
`softmax` normalises each column; a scalar power `h^2` is element-wise. Each function's NumPy form
and shape rule are in `quizlib.answers.registry`.
"""
from __future__ import annotations

import numpy as np

from quizlib.answers import registry
from quizlib.answers.registry import CONSTANTS
from quizlib.answers.feedback import diagnose
from quizlib.answers.printing import plain, to_latex

__all__ = ["ShapeError", "ambiguous_power", "infer_shape", "evaluate", "instantiate", "shape_str", "to_latex", "plain",
           "grade_matrix"]


class ShapeError(ValueError):
    pass


def shape_str(shape) -> str:
    return "a scalar" if shape is None else f"{shape[0]}×{shape[1]}"


def _scalarish(s) -> bool:
    return s is None or s == (1, 1)


def infer_shape(node, shapes: dict):
    """Symbolic shape of `node` (None = scalar); raises ShapeError with a student-facing message."""
    tag = node[0]
    if tag in ("num", "const"):
        return None
    if tag == "sym":
        return shapes.get(node[1])
    if tag == "neg":
        return infer_shape(node[1], shapes)
    if tag == "T":
        s = infer_shape(node[1], shapes)
        return None if s is None else (s[1], s[0])
    if tag == "call":
        args = node[2]
        ss = [infer_shape(a, shapes) for a in args]
        rule = registry.lookup(node[1]).shape
        if rule == "transposed":
            return None if ss[0] is None else (ss[0][1], ss[0][0])
        if rule == "elementwise2":
            return _elementwise(ss[0], ss[1], "multiply element-wise", args)
        if rule == "scalar":
            return None
        return ss[0]  # "same": element-wise
    a, b = infer_shape(node[1], shapes), infer_shape(node[2], shapes)
    if tag in ("add", "sub"):
        return _elementwise(a, b, "add" if tag == "add" else "subtract", node[1:])
    if tag == "had":
        return _elementwise(a, b, "multiply element-wise", node[1:])
    if tag == "mul":
        if _scalarish(a):
            return b if b is not None else a
        if _scalarish(b):
            return a
        if a[1] != b[0]:
            raise ShapeError(f"`{plain(node[1])}` times `{plain(node[2])}`: cannot multiply {shape_str(a)} "
                             f"by {shape_str(b)} (inner sizes {a[1]} and {b[0]} differ).")
        return (a[0], b[1])
    if tag == "div":
        if _scalarish(b):
            return a
        return _elementwise(a, b, "divide element-wise", node[1:])
    if tag == "pow":
        if not _scalarish(b):
            raise ShapeError(f"`{plain(node[2])}`: an exponent must be a scalar.")
        return a
    raise ShapeError(f"unknown node {tag}")


def ambiguous_power(node, shapes: dict) -> str | None:
    """A message if a square matrix is raised to a power (`A^2`: the product A A, or A ⊙ A?)."""
    if not isinstance(node, tuple) or node[0] in ("num", "sym", "const"):
        return None
    if node[0] == "pow":
        try:
            s = infer_shape(node[1], shapes)
        except ShapeError:
            s = None
        if s is not None and s[0] == s[1] and s != (1, 1):
            x = plain(node[1])
            return (f"`{plain(node)}` could be the matrix product or the element-wise power: write "
                    f"`{x} {x}` (the product) or `{x} ⊙ {x}` (element-wise).")
    children = node[2] if node[0] == "call" else node[1:]
    for c in children:
        if (msg := ambiguous_power(c, shapes)) is not None:
            return msg
    return None


def _elementwise(a, b, verb: str, args):
    if _scalarish(a):
        return b if b is not None else a
    if _scalarish(b) or a == b:
        return a
    x, y = plain(args[0]), plain(args[1])
    raise ShapeError(f"`{x}` and `{y}`: cannot {verb} {shape_str(a)} and {shape_str(b)}.")


def instantiate(decls, rng: np.random.Generator) -> dict:
    """Random values for every declared symbol, with fresh distinct sizes for the letter dims."""
    letters = sorted({d for decl in decls if decl.shape for d in decl.shape if isinstance(d, str)})
    sizes = rng.permutation(np.arange(2, 2 + max(5, len(letters))))[:len(letters)]
    dim = dict(zip(letters, (int(s) for s in sizes)))
    env = {}
    for decl in decls:
        if decl.shape is None:
            env[decl.name] = decl.sample(rng)
        else:
            r, c = (int(dim.get(x, x)) for x in decl.shape)
            if decl.kind == "simplex":  # a distribution per column: -g^T z + log(sum(exp(z))) is its CE
                env[decl.name] = rng.dirichlet(np.ones(r), size=c).T
            elif decl.kind == "onehot":
                env[decl.name] = np.eye(r)[:, rng.integers(0, r, size=c)]
            else:
                env[decl.name] = rng.standard_normal((r, c))
    return env


def evaluate(node, env: dict):
    """NumPy value of `node` (2-D arrays for matrices, floats for scalars)."""
    with np.errstate(all="ignore"):
        return _ev(node, env)


def _ev(node, env):
    tag = node[0]
    if tag == "num":
        return float(node[1])
    if tag == "const":
        return CONSTANTS[node[1]]
    if tag == "sym":
        return env[node[1]]
    if tag == "neg":
        return -_ev(node[1], env)
    if tag == "T":
        return np.transpose(_ev(node[1], env))
    if tag == "call":
        return registry.lookup(node[1]).numpy(*(_ev(a, env) for a in node[2]))
    a, b = _ev(node[1], env), _ev(node[2], env)
    if tag == "add":
        return a + b
    if tag == "sub":
        return a - b
    if tag == "had":
        return a * b
    if tag == "mul":
        if np.ndim(a) == 0 or np.ndim(b) == 0 or np.size(a) == 1 or np.size(b) == 1:
            return a * b
        return a @ b
    if tag == "div":
        return a / b
    if tag == "pow":
        if abs(float(np.real(b))) > 100:
            return np.full(np.shape(a), np.nan) if np.ndim(a) else float("nan")
        return np.power(a, b)
    raise ValueError(f"unknown node {tag}")



N_DRAWS = 3  # instantiations with fresh dimension sizes
SEED = 20240601


def _same_shape(a, b) -> bool:
    return a == b or {a, b} <= {None, (1, 1)}


def _values(ctx, asts, rng):
    """Values of each AST over N_DRAWS instantiations where the reference is finite."""
    out = [[] for _ in asts]
    for _ in range(4 * N_DRAWS):
        env = instantiate(ctx.decls, rng)
        for name, ast in ctx.lets:
            env[name] = evaluate(ast, env)
        vals = [evaluate(a, env) for a in asts]
        if not np.all(np.isfinite(vals[0])):
            continue
        for lst, v in zip(out, vals):
            lst.append(np.asarray(v, dtype=float))
        if len(out[0]) == N_DRAWS:
            break
    return out


def _close(g, e) -> bool:
    if np.shape(g) != np.shape(e) and not (np.size(g) == 1 and np.size(e) == 1):
        return False
    g, e = np.ravel(g), np.ravel(e)
    if not np.all(np.isfinite(g)):
        return False
    scale = max(1.0, float(np.max(np.abs(e))) if e.size else 1.0)
    return bool(np.allclose(g, e, rtol=1e-7, atol=1e-9 * scale))


def grade_matrix(ctx, exp_ast, ast, wrong_answers) -> tuple[bool, str, str]:
    """(correct, error, message) for a matrix answer."""
    shapes = ctx.shapes
    exp_shape = infer_shape(exp_ast, shapes)
    try:
        shape = infer_shape(ast, shapes)
    except ShapeError as exc:
        return False, "shape", str(exc)
    if not _same_shape(shape, exp_shape):
        return False, "shape", (f"Your answer is {shape_str(shape)}, but the answer is "
                                f"{shape_str(exp_shape)}: check the order of the factors and the transposes.")
    rng = np.random.default_rng(SEED)
    ev, gv = _values(ctx, [exp_ast, ast], rng)
    if not ev:
        return False, "wrong", "Your answer could not be evaluated at the random values we tried."
    if all(_close(g, e) for g, e in zip(gv, ev)):
        return True, "", "Correct."
    for wa in wrong_answers:
        try:
            w_ast = ctx.read(wa.answer)
            if not _same_shape(infer_shape(w_ast, shapes), exp_shape):
                continue
        except (ValueError, ShapeError):
            continue
        _, wv, gv2 = _values(ctx, [exp_ast, w_ast, ast], np.random.default_rng(SEED))
        if wv and all(_close(g, w) for g, w in zip(gv2, wv)):
            return False, "listed", wa.feedback
    d = diagnose(gv, ev)
    if d is not None:
        return False, d[0], d[1]
    return False, "wrong", "Not equal to the expected matrix (we compared them at random values)."
