"""The names a question lets a student use: declared symbols, their domains and shapes, aliases.

A bank writes symbols as `o`, `o in (0, 1)`, `lam > 0`, `w < 0` (scalars, with the domain random
points are drawn from) or `W1: D×H` (a matrix whose dimensions are letters or integers; `g: K×1 simplex` is a distribution,
each column positive and summing to 1, and `g: K×1 onehot` a one-hot column, sampled that way). Students
type the same symbol in several ways — `λ`, `lambda`, `lmbda`, `lam` — so each canonical name has
aliases (`quizlib.answers.registry.GREEK`); an alias is read as whichever member of its family the
question declares. The functions an answer may call are in `quizlib.answers.registry`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from quizlib.answers.registry import ALIAS_FAMILIES

__all__ = ["Decl", "SymbolError", "parse_decls", "resolve_alias"]


class SymbolError(ValueError):
    """A symbol declaration of the bank cannot be read (content error, not student error)."""


@dataclass(frozen=True)
class Decl:
    """One declared symbol. `shape` is None for a scalar, else (rows, cols) of str/int dims."""

    name: str
    lo: float | None = None  # open domain bounds for sampling; None = unbounded
    hi: float | None = None
    shape: tuple | None = None
    kind: str = ""  # a constrained vector: "simplex" (entries > 0 summing to 1 per column) or "onehot"

    @property
    def positive(self) -> bool:
        return self.lo is not None and self.lo >= 0

    @property
    def negative(self) -> bool:
        return self.hi is not None and self.hi <= 0

    def sample(self, rng: np.random.Generator) -> float:
        """A random point of the domain, kept away from its edges (where formulas blow up)."""
        if self.lo is not None and self.hi is not None:
            w = self.hi - self.lo
            return float(rng.uniform(self.lo + 0.05 * w, self.hi - 0.05 * w))
        if self.lo is not None:
            return self.lo + float(rng.uniform(0.2, 2.5))
        if self.hi is not None:
            return self.hi - float(rng.uniform(0.2, 2.5))
        # unbounded: both signs, but not near 0 (0 hides factor and sign errors)
        return float(rng.uniform(0.2, 2.5) * rng.choice((-1.0, 1.0)))


_NAME = r"[A-Za-z][A-Za-z0-9]*"
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)"
_IN = re.compile(rf"^({_NAME})\s+in\s*[(\[]\s*({_NUM}|-inf)\s*,\s*({_NUM}|inf)\s*[)\]]$")
_CMP = re.compile(rf"^({_NAME})\s*(>=|<=|>|<)\s*({_NUM})$")
_SHAPE = re.compile(rf"^({_NAME})\s*:\s*([A-Za-z0-9]+)\s*(?:×|x|X|\*|,)\s*([A-Za-z0-9]+)(?:\s+(simplex|onehot))?$")
CONSTRAINED = ("simplex", "onehot")  # `g: K×1 simplex` (a distribution), `g: K×1 onehot` (a one-hot target)


def _dim(d: str):
    return int(d) if d.isdigit() else d


def parse_decls(symbols) -> list[Decl]:
    """Read the bank's symbol strings; raises SymbolError naming the one it cannot read."""
    out: list[Decl] = []
    for raw in symbols or ():
        s = raw.strip()
        if not s:
            continue
        if m := re.fullmatch(_NAME, s):
            out.append(Decl(s))
        elif m := _IN.match(s):
            lo = None if m[2] == "-inf" else float(m[2])
            hi = None if m[3] == "inf" else float(m[3])
            out.append(Decl(m[1], lo, hi))
        elif m := _CMP.match(s):
            v = float(m[3])
            out.append(Decl(m[1], lo=v) if m[2].startswith(">") else Decl(m[1], hi=v))
        elif m := _SHAPE.match(s):
            out.append(Decl(m[1], shape=(_dim(m[2]), _dim(m[3])), kind=m[4] or ""))
        else:
            raise SymbolError(f"cannot read the symbol declaration {raw!r} "
                              "(write `o`, `o in (0, 1)`, `lam > 0`, `W1: D×H` or `g: K×1 simplex` / `onehot`)")
    return out


def resolve_alias(name: str, declared) -> str | None:
    """The declared name `name` stands for (itself, or a declared member of its alias family)."""
    if name in declared:
        return name
    for fam in ALIAS_FAMILIES:
        if name in fam:
            for member in fam:
                if member in declared:
                    return member
    return None
