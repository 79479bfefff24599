"""Bank Markdown → the HTML of an Anki card, with markdown-it-py, maths kept for MathJax.

A card shows what the app shows: paragraphs, line breaks, **bold**, *italics*, `code`, lists and
tables (CommonMark with GFM tables; raw HTML in a bank is shown as text, never run). Maths is read
by the span rule of `quizlib.markdown_maths`, before any Markdown, so `_` and `*` inside maths are
never emphasis: `$$…$$` (which may span lines that look like list items, `+ \\mathbb E …`) is set
aside before parsing and put back after; `$…$` is an inline rule of the parser (so a `$` in
`code` stays code). A span becomes Anki's `\\(…\\)` (`$$…$$`: `\\[…\\]`)
with its text HTML-escaped (MathJax reads the decoded text). An escaped `\\$` is a dollar sign.
"""
from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt

from quizlib import markdown_maths

__all__ = ["to_html", "to_inline_html"]


def _math_rule(state, silent: bool) -> bool:
    if state.src[state.pos] != "$":
        return False
    span = markdown_maths.span_at(state.src, state.pos)
    if span is None:
        return False
    end, maths, display = span
    if not silent:
        token = state.push("math", "", 0)
        token.content, token.info = maths, "display" if display else ""
    state.pos = end
    return True


def _render_math(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if token.info == "display":
        return _display(token.content)
    return r"\(" + escape(token.content, quote=False) + r"\)"


_MD = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])
_MD.inline.ruler.before("escape", "math", _math_rule)
_MD.add_render_rule("math", _render_math)


def _display(maths: str) -> str:
    return r"\[" + escape(maths, quote=False) + r"\]"


def to_html(markdown: str) -> str:
    """A block of bank Markdown (paragraphs, lists, tables) as card HTML."""
    shown: list[str] = []

    def set_aside(maths: str) -> str:
        shown.append(_display(maths))
        return f"MATHSPAN{len(shown) - 1}END"  # letters and digits: Markdown leaves them alone

    out = _MD.render(markdown_maths.sub_display(markdown.strip(), set_aside)).strip()
    return re.sub(r"MATHSPAN(\d+)END", lambda m: shown[int(m.group(1))], out)


def to_inline_html(markdown: str) -> str:
    """One line of bank Markdown (a title, a choice) as card HTML without a paragraph around it."""
    return _MD.renderInline(markdown.strip())
