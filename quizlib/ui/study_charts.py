"""Altair charts of a student's progress, built from the tables of quizlib.stats.

Each function takes a stats table and returns a chart; the Progress page lays them
out. Accuracy axes run from 0 to 100 % so two charts side by side compare honestly.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

PCT = alt.Axis(format="%")
ROW = 24  # pixels per topic/source row, so the accuracy and points charts line up


def accuracy_by(table: pd.DataFrame, field: str, title: str) -> alt.Chart:
    """Horizontal bars: accuracy per topic/source, with attempts and points in the tooltip."""
    return alt.Chart(table, title=title).mark_bar().encode(
        x=alt.X("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1]), axis=PCT),
        y=alt.Y(f"{field}:N", sort="x", title=None),
        color=alt.Color("accuracy:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1]), legend=None),
        tooltip=[f"{field}:N", "attempts:Q", alt.Tooltip("accuracy:Q", format=".0%"), "points:Q", "possible:Q"],
    ).properties(height=alt.Step(ROW))


def points_by(table: pd.DataFrame, field: str, title: str) -> alt.Chart:
    """Points earned beside points possible per topic/source."""
    long = table.melt(id_vars=[field], value_vars=["points", "possible"], var_name="kind", value_name="value")
    return alt.Chart(long, title=title).mark_bar().encode(
        x=alt.X("value:Q", title="points"), y=alt.Y(f"{field}:N", title=None),
        yOffset="kind:N", color=alt.Color("kind:N", title=None), tooltip=[f"{field}:N", "kind:N", "value:Q"],
    ).properties(height=alt.Step(ROW // 2))


def over_time(table: pd.DataFrame) -> alt.LayerChart:
    """Attempts per day (bars) and accuracy (line, right axis)."""
    base = alt.Chart(table, title="Attempts over time").encode(x=alt.X("period:T", title="day"))
    bars = base.mark_bar(opacity=0.6).encode(y=alt.Y("attempts:Q", title="attempts"), tooltip=["period:T", "attempts:Q"])
    line = base.mark_line(point=True, color="#d62728").encode(
        y=alt.Y("accuracy:Q", title="accuracy", axis=PCT, scale=alt.Scale(domain=[0, 1])),
        tooltip=["period:T", alt.Tooltip("accuracy:Q", format=".0%")])
    return alt.layer(bars, line).resolve_scale(y="independent")


def due_ahead(table: pd.DataFrame) -> alt.Chart:
    return alt.Chart(table, title="Cards due in the coming days").mark_bar().encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format="%a %d")), y=alt.Y("due:Q", title="cards due"),
        tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), "due:Q"])
