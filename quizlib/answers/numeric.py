"""Evaluate a scalar formula AST at a point, in complex floating point, in bounded time.

This is the checker's fast path: two formulas agree when their values agree at several random
points of the symbols' domains. Complex arithmetic lets `log` of a negative number or the square root
of one come out complex instead of raising; the caller treats a complex, infinite or undefined value
as "this point does not count" and draws another. Every operation is one float operation, so a
300-character formula evaluates in microseconds whatever it says (no big integers are ever built).
Each function's value is its `numeric` form in `quizlib.answers.registry`.
"""
from __future__ import annotations

import math

from quizlib.answers import registry
from quizlib.answers.parser import ARITHMETIC
from quizlib.answers.registry import CONSTANTS, Undefined

__all__ = ["Undefined", "evaluate"]


def evaluate(node, env: dict) -> complex:
    """Value of `node` with symbols from `env` (name -> number); raises Undefined."""
    try:
        v = _ev(node, env)
    except (OverflowError, ZeroDivisionError, ValueError) as exc:
        raise Undefined(str(exc)) from None
    if not (math.isfinite(v.real) and math.isfinite(v.imag)):
        raise Undefined("not finite")
    return v


def _ev(node, env) -> complex:
    tag = node[0]
    if tag == "num":
        return complex(float(node[1]))
    if tag == "sym":
        return complex(env[node[1]])
    if tag == "const":
        return complex(CONSTANTS[node[1]])
    if tag == "neg":
        return -_ev(node[1], env)
    if tag == "call":
        return complex(registry.lookup(node[1]).numeric(*(_ev(a, env) for a in node[2])))
    if tag == "T":
        return _ev(node[1], env)
    a = _ev(node[1], env)
    b = _ev(node[2], env)
    if tag in ARITHMETIC:
        return ARITHMETIC[tag](a, b)
    if tag == "div":
        return a / b
    if tag == "pow":
        if a == 0 and b.real <= 0:
            raise ZeroDivisionError("0 to a non-positive power")
        if b.imag == 0 and b.real == int(b.real) and a.imag == 0:
            if abs(b.real) > 1000:
                raise OverflowError("power too large")
            return complex(a.real ** int(b.real)) if a.real != 0 or b.real > 0 else complex(0.0)
        if a.imag == 0 and a.real > 0 and b.imag == 0:
            return complex(a.real ** b.real)
        return a ** b
    raise Undefined(f"unknown node {tag}")


def evaluate_exact(node, env: dict, dps: int = 60):
    """Value of `node` in mpmath with `dps` digits (literals read as decimals, floats of `env` taken
    exactly): decides points where float values are close but not equal, or cancel (`(x + 10^8)^2 −
    10^16 − 2·10^8 x`). Raises Undefined (no finite real value, or a function without an mpmath form)."""
    import mpmath

    with mpmath.workdps(dps):
        try:
            v = _mp(node, env, mpmath)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
            raise Undefined(str(exc)) from None
        v = mpmath.mpmathify(v)
        if not mpmath.isfinite(v):
            raise Undefined("not finite")
        return +v


def _mp(node, env, m):
    tag = node[0]
    if tag == "num":
        return m.mpf(node[1])
    if tag == "sym":
        return m.mpmathify(env[node[1]])
    if tag == "const":
        return m.e if node[1] == "e" else m.pi
    if tag in ("neg", "T"):
        v = _mp(node[1], env, m)
        return -v if tag == "neg" else v
    if tag == "call":
        fn = registry.lookup(node[1])
        if fn.mp is None:
            raise Undefined(f"{node[1]} has no exact form")
        return fn.mp(*(_mp(a, env, m) for a in node[2]))
    a, b = _mp(node[1], env, m), _mp(node[2], env, m)
    if tag in ARITHMETIC:
        return ARITHMETIC[tag](a, b)
    if tag == "div":
        return a / b
    if tag == "pow":
        if a == 0 and m.re(b) <= 0:
            raise ZeroDivisionError("0 to a non-positive power")
        if m.im(b) == 0 and m.re(b) == int(m.re(b)) and abs(m.re(b)) <= 1000:
            return a ** int(m.re(b))
        return m.power(a, b)
    raise Undefined(f"unknown node {tag}")
