"""Small readers of an AppTest page that several page tests share."""
from __future__ import annotations

CHART_TABLE = "Data of this chart (table)"  # quizlib.ui.chart_text's expander under every chart


def formulas(at) -> list:
    """The page's display maths (quizlib.ui.rich_text.formula writes `$$…$$` Markdown in a focusable
    `quiz-formula` wrapper)."""
    return [m for m in at.markdown if 'class="quiz-formula"' in m.value and "$$" in m.value]


def page_tables(at) -> list:
    """The page's own st.dataframe tables, without the charts' data tables."""
    in_charts = {id(d.proto) for e in at.expander if e.label == CHART_TABLE for d in e.dataframe}
    return [d for d in at.dataframe if id(d.proto) not in in_charts]
