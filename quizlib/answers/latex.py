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

__all__ = ["LatexError", "latex_to_plain", "looks_like_latex"]

# commands that become a plain token (surrounded by spaces so they never glue to neighbours)
_WORDS = {
    "cdot": "*", "times": "*", "ast": "*", "div": "/", "odot": "⊙", "circ": "⊙", "otimes": "⊙",
    "top": "T", "intercal": "T", "pi": "pi", "infty": None,
    "ln": "ln", "log": "log", "exp": "exp", "tanh": "tanh", "sinh": "sinh", "cosh": "cosh",
    "sin": "sin", "cos": "cos", "max": "max", "min": "min",
    "lfloor": "floor(", "rfloor": ")", "lceil": "ceil(", "rceil": ")",
}
_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
          "xi rho varrho sigma tau phi varphi chi psi omega Delta Sigma Theta Lambda Phi Omega").split()
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
            j = i + 1
            while j < len(s) and s[j].isalpha():
                j += 1
            name = s[i + 1:j]
            if not name:  # "\," "\;" "\!" "\ " spacing, "\{" "\}" literal braces
                nxt = s[j:j + 1]
                if nxt in "{}":
                    out.append("(" if nxt == "{" else ")")
                elif nxt not in ",;:! ":
                    raise LatexError(f"`\\{nxt}` is not something we read")
                i = j + 1
                continue
            i = j
            if name == "frac" or name in ("dfrac", "tfrac"):
                num, i = _group(s, i, depth)
                den, i = _group(s, i, depth)
                out.append(f" (({num})/({den})) ")
            elif name == "sqrt":
                root = None
                if i < len(s) and s[i] == "[":
                    root, i = _convert(s, i + 1, "]", depth + 1)
                arg, i = _group(s, i, depth)
                out.append(f" sqrt({arg}) " if root is None else f" (({arg})^(1/({root}))) ")
            elif name in _WRAPPERS:
                arg, i = _group(s, i, depth)
                out.append(f" {arg} ")
            elif name in _IGNORED:
                continue
            elif name in _WORDS:
                word = _WORDS[name]
                if word is None:
                    raise LatexError(f"`\\{name}` cannot be part of an answer")
                out.append(f" {word} ")
            elif name in _GREEK:
                out.append(f" {name.removeprefix('var')} ")
            else:
                raise LatexError(f"`\\{name}` is not a LaTeX command we read")
            continue
        if c == "{":
            inner, i = _convert(s, i + 1, "}", depth + 1)
            out.append(f"({inner})")
            continue
        if c == "}":
            raise LatexError("a `}` has no matching `{`")
        if c == "_":
            # subscripts join the name: W_1 → W1, W_{1} → W1, x_{i} → xi
            if not out or not out[-1][-1:].isalnum():
                raise LatexError("a subscript `_` must follow a name, as in `W_1`")
            if s[i + 1:i + 2] == "{":
                j = s.find("}", i + 2)
                sub = s[i + 2:j] if j > 0 else ""
                if not sub.isalnum():
                    raise LatexError("write subscripts as letters or digits, as in `W_{1}`")
                out.append(sub)
                i = j + 1
            elif s[i + 1:i + 2].isalnum():
                out.append(s[i + 1])
                i += 2
            else:
                raise LatexError("a subscript `_` must be followed by a letter or digit")
            continue
        if c == "^":
            # transposes: ^T, ^{T}, ^\top, ^{\top}, ^{\intercal}
            rest = s[i + 1:]
            for t in ("{T}", "{\\top}", "{\\intercal}", "\\top", "\\intercal"):
                if rest.startswith(t):
                    out.append("^T ")
                    i += 1 + len(t)
                    break
            else:
                out.append("^")
                i += 1
            continue
        if c == "&" or c == "$":
            i += 1
            continue
        out.append(c)
        i += 1
    if stop is not None:
        raise LatexError(f"a `{ {')': '(', ']': '[', '}': '{'}.get(stop, stop) }` has no matching `{stop}`")
    return "".join(out), i


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
