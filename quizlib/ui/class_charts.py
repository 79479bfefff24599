"""Altair charts of the Class page: facility against discrimination per question, the mock
exams' score distribution, and each student's mean score."""
from __future__ import annotations

import altair as alt
import pandas as pd


def items_chart(items: pd.DataFrame) -> alt.Chart:
    """Each question a point: easy ones right, discriminating ones up (below 0.2 deserves a look)."""
    data = items.dropna(subset=["discrimination"]).astype({"discrimination": float})
    return alt.Chart(data).mark_circle().encode(
        x=alt.X("facility:Q", scale=alt.Scale(domain=[0, 1]), title="Facility (mean score fraction)"),
        y=alt.Y("discrimination:Q", scale=alt.Scale(domain=[-1, 1]), title="Discrimination"),
        size=alt.Size("students:Q", title="Students"),
        tooltip=["question", "title", "students", "facility", "discrimination", "median seconds"],
    ).properties(height=320)


def exams_chart(exams: pd.DataFrame) -> alt.Chart:
    return alt.Chart(exams).mark_bar().encode(
        x=alt.X("score:Q", bin=alt.Bin(step=0.1), scale=alt.Scale(domain=[0, 1]), title="Score fraction"),
        y=alt.Y("count():Q", title="Mock exams"),
    ).properties(height=240)


def students_chart(students: pd.DataFrame) -> alt.Chart:
    data = students.dropna(subset=["mean score"]).astype({"mean score": float})
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("mean score:Q", scale=alt.Scale(domain=[0, 1]), title="Mean score (first tries)"),
        y=alt.Y("student:N", sort="-x", title=None),
        tooltip=["student", "questions tried", "mean score", "cards due"],
    ).properties(height=max(120, 18 * len(data)))
