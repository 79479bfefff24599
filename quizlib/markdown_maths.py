"""Inline maths in bank Markdown: `$…$` and `$$…$$` spans, found once for every reader.

A span follows Pandoc's rule (which the Anki export and Streamlit's renderer share): `$x$`
opens with a `$` not followed by a space and closes with a `$` not preceded by one, so
`$a = $` is no span and its dollars would show as text. `to_delimiters` turns spans into
MathJax's `\\(…\\)`/`\\[…\\]`; `span_at` reads the one span at a `$` (the Anki export's Markdown
parser uses it as an inline rule, so `_` and `*` inside maths are never emphasis); `stray_dollars`
finds the dollars that open or close nothing, for the bank check to report.
"""
from __future__ import annotations

import re

_DISPLAY = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$]+?)(?<![\\\s])\$")
_CODE = re.compile(r"`[^`]*`")


def to_delimiters(text: str) -> str:
    """`$$x$$` → `\\[x\\]` and `$x$` → `\\(x\\)`; an escaped `\\$` stays a dollar sign."""
    text = _DISPLAY.sub(lambda m: r"\[" + m.group(1) + r"\]", text)
    text = _INLINE.sub(lambda m: r"\(" + m.group(1) + r"\)", text)
    return text.replace(r"\$", "$")


def sub_display(text: str, repl) -> str:
    """Every `$$…$$` span replaced by `repl(maths)`."""
    return _DISPLAY.sub(lambda m: repl(m.group(1)), text)


def span_at(text: str, pos: int) -> tuple[int, str, bool] | None:
    """The maths span opening at `text[pos]`, as (end, maths, display), or None if none opens there."""
    for pattern, display in ((_DISPLAY, True), (_INLINE, False)):
        if m := pattern.match(text, pos):
            return m.end(), m.group(1), display
    return None


def stray_dollars(text: str) -> int:
    """How many unescaped `$` outside code spans belong to no maths span."""
    rest = _INLINE.sub("", _DISPLAY.sub("", _CODE.sub("", text)))
    return len(re.findall(r"(?<!\\)\$", rest))
