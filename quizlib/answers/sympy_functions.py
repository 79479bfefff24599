"""The SymPy functions of our own: the logistic `sigma`, `relu`, `step`, and a maker for more.

SymPy has no sigmoid and no ReLU; these are real functions that print as the material writes them
(`\\sigma(z)`, `\\operatorname{relu}(z)`), evaluate on numbers, and know what simplification needs:
σ' = σ(1−σ), σ(z) = 1/(1+e^{−z}) (the rewrite `simplify(x.rewrite(exp))` uses), relu(z) = max(z, 0).
`named_function` builds one more such function from its definition, for the registry
(`quizlib.answers.registry`).
"""
from __future__ import annotations

import sympy as sp

__all__ = ["sigma", "relu", "step", "named_function"]


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


class _Operator(sp.Function):
    """A one-argument function that prints as `\\operatorname{name}(z)` (or its `latex_head`)."""

    latex_head = ""

    def _latex(self, printer, exp=None):
        head = self.latex_head or rf"\operatorname{{{type(self).__name__}}}"
        base = rf"{head}\left({printer._print(self.args[0])}\right)"
        return base if exp is None else rf"{base}^{{{exp}}}"


class relu(_Operator):  # noqa: N801
    """max(z, 0)."""

    @classmethod
    def eval(cls, z):
        if z.is_Number:
            return sp.Max(z, 0)
        return None

    def _eval_rewrite_as_Max(self, z, **kwargs):
        return sp.Max(z, 0)


class step(_Operator):  # noqa: N801
    """relu'(z): 1 for z > 0, else 0."""

    @classmethod
    def eval(cls, z):
        if z.is_Number:
            return sp.Integer(1) if z > 0 else sp.Integer(0)
        return None


def named_function(name: str, definition, latex: str = ""):
    """A one-argument SymPy function `name` that stays unevaluated on symbols (so the echo shows
    `\\operatorname{name}(x)`), takes its `definition(z)` on numbers, and rewrites to it under
    `rewrite(exp)` so that simplification can see through it."""
    def _eval(cls, z):
        return definition(z) if z.is_Number else None

    return type(name, (_Operator,), {
        "eval": classmethod(_eval), "latex_head": latex,
        "_eval_rewrite_as_exp": lambda self, z, **kw: definition(z),
    })
