"""Write an AST back out: plain syntax for messages, LaTeX for the echo of matrix answers.

Scalar answers are echoed through SymPy's printer (`quizlib.answers.symbolic.latex_of`); matrix answers
are not SymPy objects, so they are printed here: products as juxtaposition, `⊙`, transposes as
`^\\top`, `W1` as `W_{1}`, Greek names as Greek letters. Brackets appear only where precedence
needs them.
"""
from __future__ import annotations

from quizlib.answers import registry

__all__ = ["plain", "to_latex"]

_PREC = {"add": 1, "sub": 1, "neg": 2, "mul": 3, "had": 3, "div": 3, "pow": 4}


def plain(node) -> str:
    """The AST written back in plain syntax (for messages)."""
    tag = node[0]
    if tag in ("num", "sym", "const"):
        return node[1]
    if tag == "T":
        return f"{_wrap_plain(node[1], 5)}^T"
    if tag == "call":
        return f"{node[1]}({', '.join(plain(a) for a in node[2])})"
    if tag == "neg":
        return f"-{_wrap_plain(node[1], 2)}"
    op = {"add": " + ", "sub": " - ", "mul": " ", "had": " ⊙ ", "div": "/", "pow": "^"}[tag]
    p = _PREC[tag]
    right = p + (1 if tag in ("sub", "div") else 0)
    return f"{_wrap_plain(node[1], p)}{op}{_wrap_plain(node[2], right)}"


def _wrap_plain(node, prec: int) -> str:
    s = plain(node)
    return f"({s})" if _PREC.get(node[0], 9) < prec else s


def _name_tex(name: str) -> str:
    if tex := registry.symbol_latex(name):
        return tex
    head = name.rstrip("0123456789")
    tail = name[len(head):]
    head = registry.symbol_latex(head) or (head if len(head) == 1 else rf"\mathrm{{{head}}}")
    return f"{head}_{{{tail}}}" if tail else head


def to_latex(node) -> str:
    """LaTeX echo of a matrix answer as read (products as juxtaposition, ⊙, ^⊤)."""
    tag = node[0]
    if tag == "num":
        return node[1]
    if tag == "const":
        return "e" if node[1] == "e" else r"\pi"
    if tag == "sym":
        return _name_tex(node[1])
    if tag == "T":
        return f"{_wrap_tex(node[1], 5)}^{{\\top}}"
    if tag == "call":
        return registry.lookup(node[1]).to_latex([to_latex(a) for a in node[2]])
    if tag == "neg":
        return f"-{_wrap_tex(node[1], 2)}"
    if tag == "div":
        return rf"\frac{{{to_latex(node[1])}}}{{{to_latex(node[2])}}}"
    if tag == "pow":
        return f"{_wrap_tex(node[1], 5)}^{{{to_latex(node[2])}}}"
    op = {"add": " + ", "sub": " - ", "mul": r" \, ", "had": r" \odot "}[tag]
    p = _PREC[tag]
    right = p + (1 if tag == "sub" else 0)
    return f"{_wrap_tex(node[1], p)}{op}{_wrap_tex(node[2], right)}"


def _wrap_tex(node, prec: int) -> str:
    s = to_latex(node)
    return rf"\left({s}\right)" if _PREC.get(node[0], 9) < prec else s
