"""Name the mistake: compare a wrong answer's values with the right one's, point by point.

Both the scalar checker (values at random points) and the matrix checker (arrays at random
instantiations) hand over paired values. A constant ratio −1 is a sign error; another constant
ratio is a factor error, named as a fraction when it is a simple one ("off by a factor of 2",
"half the right one"); a constant difference is an additive constant. Nothing here decides
correctness — only what to tell a student who is already wrong.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = ["diagnose", "nice_ratio"]


def nice_ratio(c: float, tol: float = 1e-6) -> str | None:
    """`c` as a simple fraction ("2", "1/2", "3/4") or a known constant, else None."""
    if not np.isfinite(c) or c == 0:
        return None
    f = Fraction(c).limit_denominator(12)
    if f.numerator and abs(float(f) - c) <= tol * max(1.0, abs(c)) and abs(f.numerator) <= 1000:
        return str(f)
    for name, v in (("π", np.pi), ("e", np.e), ("ln 2", np.log(2)), ("√2", np.sqrt(2))):
        for k in (1, 2, 0.5):
            for sgn in (1, -1):
                if abs(sgn * k * v - c) <= tol * abs(c):
                    pre = "-" if sgn < 0 else ""
                    mult = "" if k == 1 else ("2" if k == 2 else "1/2·")
                    return f"{pre}{mult}{name}"
                if abs(sgn / (k * v) - c) <= tol * abs(c):
                    return f"{'-' if sgn < 0 else ''}1/{'' if k == 1 else ('2' if k == 2 else '(1/2)')}{name}"
    return None


def diagnose(given: list, expected: list, rtol: float = 1e-6, nice_only: bool = False
             ) -> tuple[str, str] | None:
    """(error, message) for a sign or factor mistake, or None. Values may be floats or arrays.

    `nice_only`: name a factor only when it is a simple fraction (for single numbers, any two
    values have *some* ratio; only a simple one points at a mistake)."""
    g = [np.asarray(x, dtype=complex).ravel() for x in given]
    e = [np.asarray(x, dtype=complex).ravel() for x in expected]
    if not g or any(a.shape != b.shape for a, b in zip(g, e)):
        return None
    gv, ev = np.concatenate(g), np.concatenate(e)
    if not (np.all(np.isfinite(gv)) and np.all(np.isfinite(ev))) or np.allclose(ev, 0):
        return None
    scale = np.max(np.abs(ev)) + 1e-300

    def close(a, b) -> bool:
        return bool(np.all(np.abs(a - b) <= rtol * np.maximum(np.abs(b), 1e-3 * scale)))

    if close(gv, -ev):
        return "sign", ("Sign error: your answer is the negative of the right one. "
                        "Check which way round the difference goes.")
    c = complex(np.vdot(ev, gv) / np.vdot(ev, ev))
    # a ratio within 0.1 % of 1 is no factor slip (1.0001 against 1 is close, not "a factor of 1")
    if abs(c.imag) < 1e-9 and abs(c.real) > 1e-12 and abs(c.real - 1) > 1e-3 and close(gv, c.real * ev):
        r = c.real
        sign = " and a sign error" if r < 0 else ""
        a = abs(r)
        name = nice_ratio(a)
        if nice_only and not any(abs(x - round(x)) < rtol * x and 2 <= round(x) <= 1000
                                 for x in (a, 1 / a)):
            return None
        if a > 1:
            k = name or f"{a:.3g}"
            return "factor", (f"Off by a factor of {k}{sign}: your answer is {k} times the right one. "
                              "Look for a constant you added or dropped.")
        inv = nice_ratio(1 / a)
        k = inv or f"{1 / a:.3g}"
        part = "half" if inv == "2" else f"1/{k}"
        return "factor", (f"Off by a factor of {k}{sign}: your answer is {part} of the right one. "
                          "Look for a constant you dropped.")
    d = gv - ev
    if close(gv, ev + d[0]) and abs(d[0]) > rtol * scale and np.allclose(d, d[0], rtol=1e-6):
        dd = d[0].real
        return "wrong", (f"Your answer differs from the right one by a constant ({dd:+.4g}). "
                         "Check the constant terms.")
    return None
