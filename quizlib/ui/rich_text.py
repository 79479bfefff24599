"""Markdown with drawings: ```mermaid blocks of a model solution shown as Graphviz diagrams.

`show(text)` renders the Markdown around the blocks with `st.markdown` and each flowchart with
`st.graphviz_chart` (Streamlit draws Graphviz offline); a block that is not a flowchart of the
subset `quizlib.diagrams` reads is shown as its source, with a note, never dropped.
`formula(latex)` shows display maths.
"""
from __future__ import annotations

import streamlit as st

from quizlib.diagrams import mermaid_to_dot, split_mermaid


def show(text: str) -> None:
    for kind, body in split_mermaid(text):
        if kind == "markdown":
            st.markdown(body)
            continue
        dot = mermaid_to_dot(body)
        if dot is not None:
            st.graphviz_chart(dot)
        else:
            st.code(body, language="mermaid")
            st.caption("A diagram in Mermaid notation (shown as its source: the app draws flowcharts only).")


# KaTeX's display block scrolls by itself (Streamlit gives it `overflow-x: auto`) and cannot be given a
# tabindex; inside this wrapper it overflows into the wrapper, which scrolls and takes the focus
_FORMULA_CSS = ("<style>.quiz-formula{overflow-x:auto} .quiz-formula:focus-visible{outline:2px solid #1f4ea1}"
                " .quiz-formula .katex-display{overflow:visible}</style>")


def formula(latex: str) -> None:
    """Display maths, centred on the full width of its container, reachable by keyboard when it scrolls.

    Not `st.latex`: Streamlit 1.67 sizes that element to its content and gives the KaTeX block
    `overflow-x: auto`, so a formula whose glyphs overhang by a pixel or two (`gathered`,
    `aligned`, `\\qquad`) becomes a scroll box. The same KaTeX through `st.markdown` fills its column
    and scrolls only when the formula really is wider than the column — as several lab formulas are on
    a 375-px phone — and then the scroll box must take the keyboard focus (axe
    `scrollable-region-focusable`): so the maths sits in a focusable wrapper that does the scrolling.
    The blank lines keep the `$$` block Markdown inside the HTML, so KaTeX still draws it.
    """
    st.markdown(f'{_FORMULA_CSS}<div class="quiz-formula" tabindex="0" role="group" '
                f'aria-label="Formula (scrolls sideways when cut off)">\n\n$$\n{latex}\n$$\n\n</div>',
                unsafe_allow_html=True)
