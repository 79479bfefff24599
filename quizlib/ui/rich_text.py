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


def formula(latex: str) -> None:
    """Display maths, centred on the full width of its container.

    Not `st.latex`: Streamlit 1.67 sizes that element to its content and gives the KaTeX block
    `overflow-x: auto`, so a formula whose glyphs overhang by a pixel or two (`gathered`,
    `aligned`, `\\qquad`) becomes a scroll box nobody can reach by keyboard (axe
    `scrollable-region-focusable`). The same KaTeX through `st.markdown` fills its column and
    scrolls only when the formula really is wider than the column.
    """
    st.markdown(f"$$\n{latex}\n$$")
