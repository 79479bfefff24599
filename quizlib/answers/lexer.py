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
from quizlib.answers.registry import CONSTANTS, GREEK_CHARS, expr_functions

__all__ = ["ParseError", "Grammar", "normalize", "tokenize", "MAX_LEN", "MAX_DIGITS"]

MAX_LEN = 300  # characters a student may type
MAX_DIGITS = 40  # digits of one number literal

_SIGNS = {"−": "-", "–": "-", "—": "-", "·": "*", "⋅": "*", "×": "*", "∗": "*", "÷": "/", "∘": "⊙",
          "²": "^2", "³": "^3", "⁻¹": "^(-1)", "ᵀ": "^T", "⊤": "T", "（": "(", "）": ")", "，": ",",
          "\u00a0": " ", "\u2009": " ", "\u202f": " ", "′": "'", "″": "''", "≈": "=",
          "½": "(1/2)", "⅓": "(1/3)", "¼": "(1/4)", "¾": "(3/4)", "⅔": "(2/3)", "⅛": "(1/8)"}
# zero-width spaces and joiners, direction marks, the BOM: invisible when pasted, meaningless here
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\u202a-\u202e\ufeff\u00ad]")
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile("[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


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
    s = _INVISIBLE.sub("", text).strip()
    if s.startswith("\\(") and s.endswith("\\)") or s.startswith("\\[") and s.endswith("\\]"):
        s = s[2:-2]  # \(…\) and \[…\]: LaTeX's maths delimiters
    s = s.strip("$").strip()
    s = _SUPERSCRIPT_RUN.sub(lambda m: f"^({m[0].translate(_SUPERSCRIPT)})", s)  # x⁴, 10⁻³
    for k, v in _SIGNS.items():
        s = s.replace(k, v)
    s = _bars_to_abs(s)
    if "=" in s:  # "dL/do = 2(o-g)", "\hat{y} = …", "p ≈ 0.25": read what follows the last "="
        lhs, s = s.rsplit("=", 1)
        if lhs.rstrip().endswith("=") or not s.strip():
            raise ParseError("syntax", "Write one `=` at most, with your answer after it.")
    s = "".join(f" {GREEK_CHARS[c]} " if c in GREEK_CHARS else c for c in s)
    s = s.replace("√", " √ ")
    if looks_like_latex(s):
        try:
            s = latex_to_plain(s)
        except LatexError as exc:
            raise ParseError("syntax", str(exc)) from None
    s = s.strip().removesuffix(".").lstrip("~").strip()  # "~ 0.234", "2(o-g)." as in a sentence
    if number:
        s = re.sub(r"(?<![\d.])\d{1,3}(?: \d{3})+(?![\d,])", lambda m: m[0].replace(" ", ""), s)  # 1 000
        s = re.sub(r"(\d)\s*[xX]\s*(?=10\s*\^)", r"\1*", s)  # 1.2 x 10^-3
        s = re.sub(r"((?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*%", r"(\1/100)", s)  # 25%, 0.5 %
        s = _number_commas(s)
    return s


def _ONE_OR_TWO() -> set[str]:  # noqa: N802 - reads like the set it is
    return {n for n, arity in expr_functions().items() if 1 in arity and 2 in arity}


def _bars_to_abs(s: str) -> str:
    """`|x|` → `abs(x)`: a bar after an operator or an opening bracket opens, any other closes."""
    if "|" not in s:
        return s
    out, depth = [], 0
    for c in s:
        if c != "|":
            out.append(c)
            continue
        prev = "".join(out).rstrip()[-1:]
        if depth and prev not in ("", "(", "+", "-", "*", "/", "^", ",", "|"):
            out.append(")")
            depth -= 1
        else:
            out.append(" abs(")
            depth += 1
    if depth:
        raise ParseError("syntax", "A `|` has no matching `|`: write `abs(x)` or `|x|`.")
    return "".join(out)


def _number_commas(s: str) -> str:
    """The decimal comma of numeric answers, where it cannot be anything else.

    `0,25` and `(0,125)` are decimals; `1,000.5` has thousands separators; `23,550` could be either
    and `ln(2,5)` / `log(2,5)` could be a decimal or two arguments: those are refused (a function's
    commas with a non-zero integer part stay argument separators, so `ln(2,5)` fails its arity)."""
    if re.search(r"\d,\d", s) is None:
        return s
    s = re.sub(r"(?<![\d.,])\d{1,3}(?:,\d{3})+\.\d+", lambda m: m[0].replace(",", ""), s)  # 1,000.5
    out, stack, i = [], [], 0  # stack: for each open bracket, whether it is a function call's
    for m in re.finditer(r"([A-Za-z]\w*)\s*\(|\(|\)|(?<![\d.])(\d+),(\d+)(?![\d.,])", s):
        out.append(s[i:m.start()])
        i = m.end()
        tok = m[0]
        if m[1]:
            stack.append(m[1])
        elif tok == "(":
            stack.append(None)
        elif tok == ")":
            stack = stack[:-1]
        else:
            whole, frac = m[2], m[3]
            fn = stack[-1] if stack else None
            if whole == "0" or stack and fn is None:
                tok = f"{whole}.{frac}"  # 0,25 · (2,5): only a decimal reads here
            elif fn is not None:
                if fn in _ONE_OR_TWO():  # log(2,5): log(2.5) or the base-5 logarithm of 2?
                    raise ParseError("syntax", f"`{fn}({tok})` could be {fn}({whole}.{frac}) or a base-{frac} "
                                     f"logarithm: write the decimal with a point, as in {fn}({whole}.{frac}).")
                # ln(2,5): two arguments (the arity check refuses it)
            elif len(frac) == 3:
                raise ParseError("syntax", f"`{tok}` could be {whole}{frac} or {whole}.{frac}: write it "
                                 f"without the comma, or with a decimal point.")
            else:
                tok = f"{whole}.{frac}"
        out.append(tok)
    out.append(s[i:])
    return "".join(out)


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
            if toks and toks[-1][0] == "num":
                _two_numbers(toks[-1][1], text, s[i:])
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
                before = toks[-2] if len(toks) > 1 else ("op", "")
                after_fn = (prev[0] == "name" and prev[1] in grammar.functions
                            or prev == ("op", "'") and before[0] == "name" and before[1] in grammar.functions)
                after_value = prev[0] in ("name", "num") or prev == ("op", ")") or prev == ("op", "'")
                if not (after_fn or grammar.matrix and after_value):
                    raise ParseError("unsafe", "Quotes are not allowed in an answer (a prime `'` only in "
                                     "`sigma'(z)`, `relu'(a)` or, in matrix answers, a transpose `W'`).")
            toks.append(("op", "^" if text == "**" else {"[": "(", "]": ")"}.get(text, text)))
    if not grammar.matrix:
        _square_brackets(s)
    if unknown:
        raise ParseError("unknown-name", ", ".join(f"`{n}`" for n in unknown), tuple(unknown))
    return toks


def _two_numbers(first: str, second: str, rest: str) -> None:
    """Two numbers side by side are a typo or a mixed number, never a product: refuse both."""
    if "." not in first and re.match(r"\s*/\s*\d", rest):
        raise ParseError("syntax", f"`{first} {second}/…` looks like a mixed number: write "
                         f"`{first} + {second}/…` or one fraction (`5/2`, not `2 1/2`).")
    raise ParseError("syntax", f"`{first} {second}`: a space inside a number? Write the number without "
                     "spaces, or a `*` between two numbers.")


def _square_brackets(s: str) -> None:
    """`[x]` may be the integer part; square brackets must hold a formula, not one name or number."""
    if m := re.search(r"\[\s*([A-Za-z]+|[\d.]+)\s*\]", s):
        raise ParseError("syntax", f"`{m[0]}` could be the integer part of {m[1]}: write `floor({m[1]})` "
                         f"or round brackets `({m[1]})`.")


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
