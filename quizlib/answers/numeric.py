"""Evaluate a scalar formula AST at a point, in complex floating point, in bounded time.

This is the checker's fast path: two formulas agree when their values agree at several random
points of the symbols' domains. Complex arithmetic lets `log` of a negative number or the square root
of one come out complex instead of raising; the caller treats a complex, infinite or undefined value
as "this point does not count" and draws another. Every operation is one float operation, so a
300-character formula evaluates in microseconds whatever it says (no big integers are ever built).
"""
from __future__ import annotations

import cmath
import math

__all__ = ["Undefined", "evaluate"]


class Undefined(ArithmeticError):
    """The formula has no finite real value at this point."""


def _real(z: complex, what: str) -> float:
    if abs(z.imag) > 1e-12 * max(1.0, abs(z.real)):
        raise Undefined(f"{what} of a complex number")
    return z.real


def _sigma(z: complex) -> complex:
    if z.real < -700:
        return cmath.exp(z)
    return 1 / (1 + cmath.exp(-z))


_F1 = {
    "sqrt": cmath.sqrt, "exp": cmath.exp, "log": cmath.log, "ln": cmath.log, "tanh": cmath.tanh,
    "sinh": cmath.sinh, "cosh": cmath.cosh, "sin": cmath.sin, "cos": cmath.cos, "sigma": _sigma,
    "abs": lambda z: complex(abs(z)),
    "floor": lambda z: complex(math.floor(_real(z, "floor"))),
    "ceil": lambda z: complex(math.ceil(_real(z, "ceil"))),
    "sign": lambda z: complex((_real(z, "sign") > 0) - (_real(z, "sign") < 0)),
    "relu": lambda z: complex(max(_real(z, "relu"), 0.0)),
    "step": lambda z: complex(1.0 if _real(z, "step") > 0 else 0.0),
}


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
        return complex(math.e if node[1] == "e" else math.pi)
    if tag == "neg":
        return -_ev(node[1], env)
    if tag == "call":
        args = [_ev(a, env) for a in node[2]]
        name = node[1]
        if name == "log" and len(args) == 2:
            return cmath.log(args[0]) / cmath.log(args[1])
        if name in ("max", "min"):
            a, b = (_real(x, name) for x in args)
            return complex(max(a, b) if name == "max" else min(a, b))
        if name == "exp" and args[0].real > 700:
            raise OverflowError("exp overflow")
        return complex(_F1[name](args[0]))
    if tag == "T":
        return _ev(node[1], env)
    a = _ev(node[1], env)
    b = _ev(node[2], env)
    if tag == "add":
        return a + b
    if tag == "sub":
        return a - b
    if tag in ("mul", "had"):
        return a * b
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
