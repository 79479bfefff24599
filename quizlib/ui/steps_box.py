"""A step-checked derivation on screen: one step per line, each line's mark beside its preview.

The marks come from `quizlib.grading.check_derivation` (memoised per session on the text: every
rerun redraws the page, the text rarely changes). ✓ follows from the line before, ✗ does not (the first ✗ is
highlighted with the sign/factor feedback), "not checked" when it could not be decided in time,
? unreadable with the reason. Rubric items whose formula the app found are ticked for the student,
who may untick them; an item whose formula appears nowhere cannot be ticked.
"""
from __future__ import annotations

import streamlit as st

from quizlib import grading
from quizlib.answers.steps import MARKS
from quizlib.model import Part, StepVerdict

__all__ = ["verdict_for", "show_marks", "rubric_boxes"]

_COLOUR = {"ok": "green", "wrong": "red", "unchecked": "blue", "unreadable": "orange"}


_CACHE = "steps:verdicts"  # session state: (part, text) -> verdict


def verdict_for(part: Part, text: str) -> StepVerdict:
    """The marks, memoised per session — except a verdict with a line not checked in time (under
    load), which is worked out again on the next rerun instead of sticking."""
    cache = st.session_state.setdefault(_CACHE, {})
    key = (part, text or "")
    v = cache.get(key)
    if v is None:
        v = grading.check_derivation(part, text or "")
        if all(m.mark != "unchecked" for m in v.marks):
            if len(cache) > 200:
                cache.clear()
            cache[key] = v
    return v


def show_marks(part: Part, text: str) -> StepVerdict | None:
    """Each line with its mark; the verdict on the start and the end."""
    if not (text or "").strip():
        st.caption("Write one step per line: `∂L/∂z = ∂L/∂o · ∂o/∂z`, then `= …` on the next lines.")
        return None
    v = verdict_for(part, text)
    first_wrong = v.first_wrong
    st.caption("Your steps, as read")
    for m in v.marks:
        cols = st.columns([1, 4])
        cols[0].markdown(f"**:{_COLOUR[m.mark]}[{MARKS[m.mark]} · line {m.line}]**")
        with cols[1]:
            if m.latex:
                st.latex(m.latex)
            else:
                st.code(m.text, language=None)
            if m.mark == "wrong" and m.line == first_wrong:
                st.error(f"**First wrong step: line {m.line}.** {m.message}")
            elif m.mark == "wrong":
                st.caption(m.message)
            elif m.mark == "unreadable":
                st.warning(f"Line {m.line} cannot be read: {m.message}")
            elif m.mark == "unchecked":
                st.info(f"Line {m.line} not checked: {m.message}")
    start = {True: ":green[✓ starts from the quantity asked]",
             False: ":red[✗ does not start from the quantity asked]", None: ":blue[start not checked]"}[v.starts_right]
    end = {True: ":green[✓ ends at the answer]", False: ":red[✗ does not end at the answer]",
           None: ":blue[end not checked]"}[v.ends_right]
    st.markdown(f"**Derivation:** {start} · {end}")
    return v


def rubric_boxes(part: Part, verdict: StepVerdict | None, ck_of) -> list[int]:
    """The rubric checkboxes, app ticks applied; returns the ticked indices."""
    ticks = grading.rubric_ticks(part, verdict) if verdict is not None else None
    ticked = []
    for i, item in enumerate(part.rubric):
        ck = ck_of(i)
        auto = bool(ticks and ticks.auto[i])
        allowed = ticks.allowed[i] if ticks else not (item.check or item.final)
        # the app's tick follows the derivation; a student's untick holds until the app's tick changes
        if st.session_state.get(ck + ":auto") != auto:
            st.session_state[ck] = auto
            st.session_state[ck + ":auto"] = auto
        if not allowed:
            st.session_state[ck] = False
        elif ck not in st.session_state:
            st.session_state[ck] = st.session_state.get(ck + ":saved", auto)
        note = " — ✓ ticked by the app" if auto else ("" if allowed else " — not in your derivation")
        value = st.checkbox(f"[{item.points:g}] {item.text}{note}", key=ck, disabled=not allowed)
        st.session_state[ck + ":saved"] = value
        if value:
            ticked.append(i)
    return ticked
