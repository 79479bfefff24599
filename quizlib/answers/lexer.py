"""Characters to tokens: unicode and LaTeX normalisation, the token whitelist, name splitting.

First stage of reading an answer (the parser in `quizlib.answers.parser` is the second). Unicode signs
and Greek letters become ASCII (`−`→`-`, `·`→`*`, `²`→`^2`, `λ`→`lambda`), LaTeX becomes plain
syntax (`quizlib.answers.latex`), and the text is cut into numbers, names and operators — nothing
else passes: quotes, underscores (other than a subscript `W_1`), attribute dots, `!`, `;` and any
other character are refused with a message. A run of letters and digits is split greedily, longest
first, into names the question knows (`lrgrad` → `lr grad`, `ηλ` → `eta lam`); unknown names are
collected so the student hears about all of them at once. `Grammar` says what one box allows.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from quizlib.answers.latex import LatexError, latex_to_plain, looks_like_latex
from quizlib.answers.names import resolve_alias
from quizlib.answers.registry import CONSTANTS, GREEK_CHARS

__all__ = ["ParseError", "Grammar", "normalize", "tokenize", "MAX_LEN", "MAX_DIGITS"]

MAX_LEN = 300  # characters a student may type
MAX_DIGITS = 40  # digits of one number literal

_SIGNS = {"−": "-", "–": "-", "—": "-", "·": "*", "⋅": "*", "×": "*", "∗": "*", "÷": "/", "∘": "⊙",
          "²": "^2", "³": "^3", "⁻¹": "^(-1)", "ᵀ": "^T", "⊤": "T", "（": "(", "）": ")", "，": ",",
          "\u00a0": " ", "\u2009": " ", "\u202f": " "}


class ParseError(ValueError):
    def __init__(self, code: str, message: str, names: tuple = ()):
        super().__init__(message)
        self.code = code  # "syntax" | "unknown-name" | "unsafe" | "too-big" (model.CHECK_ERRORS)
        self.message = message
        self.names = names


@dataclass(frozen=True)
class Grammar:
    """What one answer box may contain."""

    symbols: tuple[str, ...] = ()  # declared names (canonical)
    functions: dict = field(default_factory=dict)  # name -> allowed arg counts
    matrix: bool = False  # ^T and ' are transposes; juxtaposition is a matrix product
    number: bool = False  # decimal comma allowed

    @property
    def known(self) -> set[str]:
        out = set(self.symbols) | set(self.functions) | {c for c in CONSTANTS if c not in self.symbols}
        return out | {"T"} if self.matrix else out  # `T` marks a transpose (W^T) in matrix answers


def normalize(text: str, number: bool = False) -> str:
    """Unicode → ASCII operators and names, LaTeX → plain; raises ParseError."""
    if len(text) > MAX_LEN:
        raise ParseError("too-big", f"Your answer is too long (at most {MAX_LEN} characters).")
    if "__" in text or re.search(r"(^|[^A-Za-z0-9])_", text):
        raise ParseError("unsafe", "Underscores are not allowed (except a subscript such as `W_1`).")
    s = text.strip().strip("$").strip()
    for k, v in _SIGNS.items():
        s = s.replace(k, v)
    s = "".join(f" {GREEK_CHARS[c]} " if c in GREEK_CHARS else c for c in s)
    s = s.replace("√", " √ ")
    if looks_like_latex(s):
        try:
            s = latex_to_plain(s)
        except LatexError as exc:
            raise ParseError("syntax", str(exc)) from None
    if "=" in s:  # "dL/do = 2(o-g)": read what follows the last "="
        s = s.rsplit("=", 1)[1]
    s = s.strip().removesuffix(".").lstrip("≈~").strip()  # "≈ 0.234", "2(o-g)." as in a sentence
    if number:
        s = re.sub(r"(?<=\d) (?=\d{3}(?!\d))", "", s)  # thousands separated by a space: 1 000
        if "(" not in s:
            s = re.sub(r"(?<=\d),(?=\d)", ".", s)  # decimal comma: 0,25
    return s


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<name>[A-Za-z][A-Za-z0-9]*)
  | (?P<op>\*\*|[-+*/^(),⊙@'√\[\]])
""", re.VERBOSE)


def tokenize(s: str, grammar: Grammar) -> list[tuple[str, str]]:
    toks: list[tuple[str, str]] = []
    unknown: list[str] = []
    i = 0
    while i < len(s):
        m = _TOKEN.match(s, i)
        if not m:
            c = s[i]
            if c in "'\"`":
                raise ParseError("unsafe", "Quotes are not allowed in an answer.")
            if c == "_":
                raise ParseError("unsafe", "Underscores are not allowed (write `W1`, not `W_1_`).")
            if c == ".":
                raise ParseError("unsafe", "A `.` may only be a decimal point (no attribute access).")
            if c == "!":
                raise ParseError("syntax", "Factorials `!` are not allowed.")
            raise ParseError("syntax", f"The character `{c}` is not allowed here.")
        i = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        text = m.group()
        if kind == "num":
            if len(re.sub(r"[eE].*", "", text).replace(".", "")) > MAX_DIGITS:
                raise ParseError("too-big", f"A number has more than {MAX_DIGITS} digits.")
            if (mm := re.search(r"[eE]([-+]?\d+)$", text)) and abs(int(mm[1][:6])) > 300:
                raise ParseError("too-big", "A number's power of ten is too large.")
            if i < len(s) and s[i] == "." :
                raise ParseError("unsafe", "A `.` may only be a decimal point (no attribute access).")
            toks.append(("num", text))
        elif kind == "name":
            if i < len(s) and s[i] == ".":
                raise ParseError("unsafe", "Attribute access (`.`) is not allowed; write `W^T`, not `W.T`.")
            try:
                toks.extend(_split_name(text, grammar))
            except ParseError as exc:
                if exc.code != "unknown-name":
                    raise
                unknown += [n for n in exc.names if n not in unknown]
                toks.append(("name", text))
        else:
            if text == "'":
                prev = toks[-1] if toks else ("op", "")
                after_fn = prev[0] == "name" and prev[1] in grammar.functions
                after_value = prev[0] in ("name", "num") or prev == ("op", ")") or prev == ("op", "'")
                if not (after_fn or grammar.matrix and after_value):
                    raise ParseError("unsafe", "Quotes are not allowed in an answer (a prime `'` only in "
                                     "`sigma'(z)`, `relu'(a)` or, in matrix answers, a transpose `W'`).")
            toks.append(("op", "^" if text == "**" else {"[": "(", "]": ")"}.get(text, text)))
    if unknown:
        raise ParseError("unknown-name", ", ".join(f"`{n}`" for n in unknown), tuple(unknown))
    return toks


def _split_name(run: str, grammar: Grammar) -> list[tuple[str, str]]:
    """Split a run of letters/digits into known names, longest first (backtracking)."""
    if keyword.iskeyword(run) and run != "lambda" or run in ("eval", "exec", "import", "compile", "open"):
        if resolve_alias(run, grammar.known) is None:
            raise ParseError("unsafe", f"`{run}` is not allowed in an answer.")
    known = grammar.known

    def canon(piece: str) -> str | None:
        if piece in grammar.functions:
            return piece
        return resolve_alias(piece, known)

    def seg(i: int) -> list[str] | None:
        if i == len(run):
            return []
        for j in range(min(len(run), i + 24), i, -1):
            c = canon(run[i:j])
            if c is not None:
                rest = seg(j)
                if rest is not None:
                    return [c] + rest
        return None

    parts = seg(0) if len(run) <= 40 else None
    if parts is None:
        raise ParseError("unknown-name", f"`{run}`", (run,))
    return [("name", p) for p in parts]
