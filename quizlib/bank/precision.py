"""The `precision:` key of a number part: the rounding a prompt asks for, as one fact.

`precision: 3 decimals` or `precision: 4 significant` sets the tolerance and writes the
instruction the prompt shows ("Give your answer to three decimal places."), so the text
never disagrees with the grading. A value rounded to d decimals is within half a unit u = 10⁻ᵈ
of the exact one, so the tolerance is an absolute u/2 (for significant figures u = 10^(e−n+1)
with e = ⌊log₁₀|r|⌋, so it is computed per variant from the reference r). At a tie (r exactly
halfway, …5) both roundings are right: half-up and half-down are both within u/2.

Floating point cannot tell a tie from a value 10⁻¹⁶ beside it, so a reference within
TIE·u (+16 ulps of r) of a tie counts as one, and the tolerance carries that band plus a few ulps:
every correctly rounded value is accepted, and a value one unit further off (more than u/2 + the
band from r, away from a tie) is refused. A reference in the few ulps between the band and the
tolerance would fail the validator, which says so: no shipped reference is there.
"""
from __future__ import annotations

import math
import re
from decimal import ROUND_FLOOR, Decimal, localcontext

from quizlib.model import Precision

TIE = Decimal("1e-9")  # in units of the last asked digit
MAX_DIGITS = 12
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_MODES = {"decimals": "decimals", "decimal": "decimals", "dp": "decimals", "decimal places": "decimals",
          "significant": "significant", "sig": "significant", "sf": "significant", "s.f.": "significant",
          "significant figures": "significant"}
SYNTAX = "`precision: 3 decimals` or `precision: 4 significant`"

# a prompt asking for a precision in words: "three decimal places", "4 significant figures", "3 s.f.",
# "to 2 decimals", "2 dp" (used to find prompts that should say it through the key instead)
_NUMBER_WORD = r"(?:\d+|" + "|".join(_WORDS[1:]) + r")"
PRECISION_WORDS_RE = re.compile(
    _NUMBER_WORD + r"\s+(?:decimal\s+places?|decimals|significant\s+(?:figures?|digits)|sig\.?\s*figs?\.?"
    r"|s\.\s?f\.|d\.\s?p\.|dp\b|sf\b)", re.I)


def parse(text: str) -> Precision:
    """`3 decimals` / `4 significant` (also `3 decimal places`, `4 significant figures`) → Precision;
    anything else raises ValueError with the message for the bank's author."""
    m = re.fullmatch(r"\s*(\d+)\s+([a-z. ]+?)\s*", text.lower())
    mode = _MODES.get(m.group(2)) if m else None
    if not m or mode is None:
        raise ValueError(f"precision must look like {SYNTAX}, not {text.strip()!r}")
    digits = int(m.group(1))
    low = 0 if mode == "decimals" else 1
    if not low <= digits <= MAX_DIGITS:
        raise ValueError(f"precision: {digits} {mode} is out of range ({low} to {MAX_DIGITS})")
    return Precision(digits, mode)


def instruction(p: Precision) -> str:
    """The sentence the prompt shows: "Give your answer to three decimal places." """
    word = _WORDS[p.digits] if p.digits < len(_WORDS) else str(p.digits)
    noun = ("decimal place" if p.mode == "decimals" else "significant figure") + ("" if p.digits == 1 else "s")
    return f"Give your answer to {word} {noun}."


def unit(p: Precision, r: float) -> Decimal:
    """The value of one unit in the last asked digit for reference r (exact, a power of ten)."""
    if p.mode == "decimals":
        return Decimal(1).scaleb(-p.digits)
    if r == 0 or not math.isfinite(r):
        raise ValueError("a precision in significant figures needs a nonzero finite reference")
    return Decimal(1).scaleb(Decimal(repr(float(r))).adjusted() - p.digits + 1)


def _tie_band(u: Decimal, r: float) -> float:
    """How close to a tie counts as one: TIE·u, plus the float error of r itself."""
    return float(u) * float(TIE) + 16 * math.ulp(r)


def tolerance(p: Precision, r: float) -> float:
    """The absolute tolerance that accepts every correct rounding of r and nothing a unit further:
    half a unit, the tie band, and a few ulps for reading the typed value and subtracting."""
    u = unit(p, r)
    return 0.5 * float(u) + _tie_band(u, r) + 4 * math.ulp(r)


def _steps(p: Precision, r: float) -> tuple[Decimal, Decimal, list[Decimal]]:
    """(u, r/u exactly, the whole numbers k with k·u a correct rounding of r: two at a tie)."""
    u = unit(p, r)
    with localcontext() as ctx:
        ctx.prec = 60
        s = Decimal(repr(float(r))) / u
        k = s.to_integral_value(rounding=ROUND_FLOOR)
        frac = s - k
        if abs(frac - Decimal("0.5")) <= Decimal(_tie_band(u, r)) / u:
            return u, s, [k, k + 1]  # a tie: half-down and half-up
        return u, s, [k if frac < Decimal("0.5") else k + 1]


def _text(k: Decimal, u: Decimal) -> str:
    with localcontext() as ctx:
        ctx.prec = 60
        return format(k * u, "f")


def roundings(p: Precision, r: float) -> list[str]:
    """Every correctly rounded r as a student would type it (two at a tie): '0.462', '0.463'."""
    u, _, ks = _steps(p, r)
    return [_text(k, u) for k in ks]


def one_unit_off(p: Precision, r: float) -> list[str]:
    """The values one unit in the last asked digit beyond the correct roundings: must be refused."""
    u, _, ks = _steps(p, r)
    return [_text(min(ks) - 1, u), _text(max(ks) + 1, u)]
