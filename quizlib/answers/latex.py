"""Translate the LaTeX subset students type into the checker's plain syntax.

Students copy formulas from notes written in LaTeX: `\\frac{1}{1-p}`, `\\sigma(z)(1-\\sigma(z))`,
`e^{-x}`, `W_1^\\top x`. Rather than trusting a LaTeX parser (SymPy's ANTLR backend needs one exact
runtime version and reads `e` as a variable), this module rewrites the small subset we accept into
the plain syntax `quizlib.answers.parser` reads: `\\frac{a}{b}` → `((a)/(b))`, `\\sqrt{a}` → `sqrt(a)`,
`\\sqrt[n]{a}` → `((a)^(1/(n)))`, groups `{…}` → `(…)`, `\\cdot`/`\\times` → `*`, `\\odot` → `⊙`,
Greek commands → their names (`\\lambda` → `lambda`), `^\\top`/`^{T}` → `^T`, subscripts `W_{1}` →
`W1`. Unknown commands are reported, never passed on. The output is only text: it still goes through
the whitelist parser, so nothing here needs to be safe on its own.
"""
from __future__ import annotations

import re

from quizlib.answers import registry

__all__ = ["LatexError", "latex_to_plain", "looks_like_latex"]

# operator commands that become a plain token (surrounded by spaces so they never glue to
# neighbours); function names (`\\tanh`) and Greek letters come from `quizlib.answers.registry`
_WORDS = {
    "cdot": "*", "times": "*", "ast": "*", "div": "/", "odot": "⊙", "circ": "⊙", "otimes": "⊙",
    "top": "T", "intercal": "T", "infty": None,
    "lfloor": "floor(", "rfloor": ")", "lceil": "ceil(", "rceil": ")",
}
# spacing and sizing commands that carry no meaning
_IGNORED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle",
            "limits", "nolimits", "quad", "qquad"}
# wrappers whose braced argument is kept as is: \mathrm{relu}, \operatorname{softmax}, \mathbf{x}
_WRAPPERS = {"mathrm", "operatorname", "mathbf", "mathit", "text", "textrm", "boldsymbol", "bm", "vec",
             "mathsf"}
_PAIRS = {"(": ")", "[": "]", "{": "}"}


class LatexError(ValueError):
    """The text uses LaTeX we do not read; the message names the command."""


def looks_like_latex(text: str) -> bool:
    return "\\" in text or "{" in text or "_" in text


def latex_to_plain(text: str) -> str:
    """Rewrite `text` into plain syntax; raises LatexError for unknown commands or bad braces."""
    out, pos = _convert(text, 0, None, 0)
    return out


def _convert(s: str, i: int, stop: str | None, depth: int) -> tuple[str, int]:
    """Convert s[i:] until the closing character `stop` (consumed); returns (text, next index)."""
    if depth > 40:
        raise LatexError("the formula is nested too deeply")
    out: list[str] = []
    while i < len(s):
        c = s[i]
        if stop is not None and c == stop:
            return "".join(out), i + 1
        if c == "\\":
            text, i = _command(s, i, depth)
        elif c == "{":
            inner, i = _convert(s, i + 1, "}", depth + 1)
            text = f"({inner})"
        elif c == "}":
            raise LatexError("a `}` has no matching `{`")
        elif c == "_":
            text, i = _subscript(s, i, out[-1] if out else "")
        elif c == "^":
            text, i = _superscript(s, i)
        elif c in "&$":  # alignment marks and stray dollars carry no maths
            text, i = "", i + 1
        else:
            text, i = c, i + 1
        if text:
            out.append(text)
    if stop is not None:
        raise LatexError(f"a `{ {')': '(', ']': '[', '}': '{'}.get(stop, stop) }` has no matching `{stop}`")
    return "".join(out), i


def _command(s: str, i: int, depth: int) -> tuple[str, int]:
    """The plain text of the command at s[i] (a backslash) and what follows it; (text, next index)."""
    j = i + 1
    while j < len(s) and s[j].isalpha():
        j += 1
    name = s[i + 1:j]
    if not name:  # "\," "\;" "\!" "\ " spacing, "\{" "\}" literal braces
        nxt = s[j:j + 1]
        if nxt in "{}":
            return ("(" if nxt == "{" else ")"), j + 1
        if nxt not in ",;:! ":
            raise LatexError(f"`\\{nxt}` is not something we read")
        return "", j + 1
    i = j
    if name in ("frac", "dfrac", "tfrac"):
        num, i = _group(s, i, depth)
        den, i = _group(s, i, depth)
        return f" (({num})/({den})) ", i
    if name == "sqrt":
        root = None
        if i < len(s) and s[i] == "[":
            root, i = _convert(s, i + 1, "]", depth + 1)
        arg, i = _group(s, i, depth)
        return (f" sqrt({arg}) " if root is None else f" (({arg})^(1/({root}))) "), i
    if name in _WRAPPERS:
        arg, i = _group(s, i, depth)
        return f" {arg} ", i
    if name in _IGNORED:
        return "", i
    if name in _WORDS:
        word = _WORDS[name]
        if word is None:
            raise LatexError(f"`\\{name}` cannot be part of an answer")
        return f" {word} ", i
    if name in registry.latex_commands():
        if s[i:i + 1] == "_":  # \log_2 → log2, \log_{2} → log2 (a name of its own)
            sub, i = _subscript(s, i, name)
            return f" {name}{sub} ", i
        return f" {name} ", i
    if name == "prime":  # f^\prime, a prime outside a superscript
        return "'", i
    if name in (greek := registry.greek_commands()):
        return f" {greek[name]} ", i
    raise LatexError(f"`\\{name}` is not a LaTeX command we read")


def _subscript(s: str, i: int, before: str) -> tuple[str, int]:
    """Subscripts join the name: W_1 → W1, W_{1} → W1, x_{i} → xi; `before` is the text so far."""
    if not before[-1:].isalnum():
        raise LatexError("a subscript `_` must follow a name, as in `W_1`")
    if s[i + 1:i + 2] == "{":
        j = s.find("}", i + 2)
        sub = s[i + 2:j] if j > 0 else ""
        if not sub.isalnum():
            raise LatexError("write subscripts as letters or digits, as in `W_{1}`")
        return sub, j + 1
    if s[i + 1:i + 2].isalnum():
        return s[i + 1], i + 2
    raise LatexError("a subscript `_` must be followed by a letter or digit")


def _superscript(s: str, i: int) -> tuple[str, int]:
    """A transpose (^T, ^{T}, ^\\top, ^{\\top}, ^{\\intercal}) or a plain power sign."""
    rest = s[i + 1:]
    if m := re.match(r"\{?((?:\s*\\prime)+)\s*\}?|\{('+)\}", rest):  # \sigma^{\prime}(z) = σ'(z)
        n = m[1].count("prime") if m[1] else len(m[2])
        return "'" * n, i + 1 + m.end()
    for t in ("{T}", "{\\top}", "{\\intercal}", "\\top", "\\intercal"):
        if rest.startswith(t):
            return "^T ", i + 1 + len(t)
    return "^", i + 1


def _group(s: str, i: int, depth: int) -> tuple[str, int]:
    """Read one argument: a braced group, a command, or a single character (`\\frac12`)."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        raise LatexError("a `\\frac` or `\\sqrt` is missing its argument")
    if s[i] == "{":
        return _convert(s, i + 1, "}", depth + 1)
    if s[i] == "\\":
        j = i + 1
        while j < len(s) and s[j].isalpha():
            j += 1
        return _convert(s[i:j], 0, None, depth + 1)[0], j
    return s[i], i + 1
