"""One question on screen: its prompt, an answer box per part with a live echo, grading and feedback.

`render_question` draws a (variant-rendered) question and, with `grade_now=True`, grades
each part on its Submit button, shows the verdict and stores every graded try through
`progress.record_attempt`; with `grade_now=False` it only collects the answers (a mock
exam grades them later) and returns them. Everything the student types or ticks is kept
in `st.session_state` under keys built from (key, question id, variant, part id), copied
to a shadow key each run, so an unreadable answer, a rerun or a trip to another question
never loses it. Unreadable answers show the checker's message, cost nothing and are not stored.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import streamlit as st

from quizlib import grading, practice, progress
from quizlib.errors import StoreError
from quizlib.item_stats import verdict_extra
from quizlib.model import Part, Question
from quizlib.ui import common, rich_text, steps_box
from quizlib.ui.answer_boxes import choice_input, choice_text, echo, keep, text_input, widget_key

__all__ = ["render_question", "header", "widget_key"]

Clock = Callable[[], datetime]


# -- callbacks (run before the rerun, so the page draws the new state) -----------------------

def _given(key: str, q: Question, part: Part) -> str:
    if part.kind == "choice":
        return choice_text(key, q, part)
    return st.session_state.get(widget_key(key, q, part, "text"), "") or ""


def _grade(key: str, q: Question, part: Part, profile: str, mode: str, now: Clock):
    """Grade one part into its result slot; the Attempt to store, or None (empty or unreadable)."""
    given = _given(key, q, part)
    rkey = widget_key(key, q, part, "result")
    if not given.strip():
        st.session_state[rkey] = ("empty", given, None)
        return None
    pr = grading.grade(part, given)
    st.session_state[rkey] = ("graded" if pr.graded else "invalid", given, pr)
    if not pr.graded:
        return None
    extra = {"revealed": True} if st.session_state.get(widget_key(key, q, None, "reveal")) else {}
    extra.update(verdict_extra(part, pr.result))  # which listed wrong answer fired (the Class page)
    t = now()
    shown = st.session_state.get(widget_key(key, q, None, "shown"))
    if shown is not None:
        extra["seconds"] = round(max(0.0, (t - shown).total_seconds()), 1)  # time spent on the question
    return practice.make_attempt(profile, q, part, given, pr.points, pr.result.correct, t, mode, extra)


def _submit(key: str, q: Question, part: Part, store, profile: str, mode: str, now: Clock) -> None:
    attempt = _grade(key, q, part, profile, mode, now)
    if attempt is not None:
        _store(store, [attempt])


def _submit_all(key: str, q: Question, store, profile: str, mode: str, now: Clock) -> None:
    """Grade every answered part at once: one review of the question's card, not one per part."""
    parts = [p for p in q.parts if p.kind != "derivation" and _given(key, q, p).strip()]
    attempts = [a for a in (_grade(key, q, p, profile, mode, now) for p in parts) if a is not None]
    _store(store, attempts)


def _store(store, attempts: list) -> None:
    """Record graded tries; a store that cannot be written is a message, not a traceback."""
    if store is None or not attempts:
        return
    try:
        progress.record_attempts(store, attempts)
    except StoreError as e:
        st.session_state["quiz:store-error"] = str(e)


def _self_grade(key: str, q: Question, part: Part, store, profile: str, mode: str, now: Clock) -> None:
    text = st.session_state.get(widget_key(key, q, part, "text"), "") or ""
    extra: dict = {}
    if part.steps:  # the app's marks decide which items may count; lines and marks are stored
        verdict = steps_box.verdict_for(part, text)
        asked = [i for i in range(len(part.rubric)) if st.session_state.get(widget_key(key, q, part, f"r{i}"))]
        points, ticked = grading.score_steps(part, verdict, asked)
        right = points >= part.points - 1e-9
        extra = grading.steps_extra(verdict, grading.rubric_ticks(part, verdict))
    elif part.rubric:
        ticked = [i for i in range(len(part.rubric))
                  if st.session_state.get(widget_key(key, q, part, f"r{i}"))]
        points, right = grading.score_rubric(part, ticked), grading.rubric_correct(part, ticked)
    else:  # no rubric: all or nothing
        ticked = []
        right = bool(st.session_state.get(widget_key(key, q, part, "allright")))
        points = part.points if right else 0.0
    st.session_state[widget_key(key, q, part, "selfgrade")] = (points, part.points)
    _store(store, [practice.make_attempt(profile, q, part, text, points, right, now(), mode,
                                         {"ticked": ticked, **extra})])


def _flag(skey: str) -> None:
    st.session_state[skey] = True


def _more_hints(skey: str) -> None:
    st.session_state[skey] = st.session_state.get(skey, 0) + 1


def _feedback(key: str, q: Question, part: Part, text: str) -> float:
    """Show the last verdict of this part; returns the points it earned (0 when none)."""
    state = st.session_state.get(widget_key(key, q, part, "result"))
    if state is None:
        return 0.0
    status, given, pr = state
    stale = given != text and part.kind != "choice"
    note = f" *(for your earlier answer `{given}`)*" if stale else ""
    if status == "empty":
        st.info("Pick an answer first." if part.kind == "choice" else "Type an answer first.")
        return 0.0
    if status == "invalid":
        st.warning(f"Not graded — {pr.result.message} "
                   "Nothing was stored; fix the answer and submit again.", icon=":material/warning:")
        return 0.0
    said = pr.result.message.strip()
    msg = f" {said}" if said and said.lower().rstrip(".!") != "correct" else ""  # "Right" says it already
    if pr.result.correct:
        st.success(f"Right — {pr.points:g} / {pr.max_points:g} points.{msg}{note}",
                   icon=":material/check_circle:")
    else:
        st.error(f"Not right — {pr.points:g} / {pr.max_points:g} points.{msg}{note}",
                 icon=":material/cancel:")
    return pr.points


def _derivation(key: str, q: Question, part: Part, ctx: tuple, verdict=None) -> float:
    shown = widget_key(key, q, part, "shown")
    if part.steps:  # the rubric is ticked by the app as the student types; the solution waits
        st.markdown("**Rubric** — the app ticks what your steps show; tick the rest yourself:")
        steps_box.rubric_boxes(part, verdict, lambda i: widget_key(key, q, part, f"r{i}"))
        if not st.session_state.get(shown):
            st.button("Show model solution", key=shown + ":btn", on_click=_flag, args=(shown,))
        else:
            rich_text.show(part.solution or (q.solution if not q.is_multi else "") or "")
        return _record(key, q, part, ctx)
    if not st.session_state.get(shown):
        st.button("Show model solution", key=shown + ":btn", on_click=_flag, args=(shown,))
        return 0.0
    solution = part.solution or (q.solution if not q.is_multi else "")
    st.markdown("**Model solution**")
    rich_text.show(solution or "*No model solution was written for this part.*")
    if part.rubric:
        st.markdown("**Rubric** — tick what your derivation contains:")
        for i, item in enumerate(part.rubric):
            ck = widget_key(key, q, part, f"r{i}")
            keep(ck, ck + ":saved", False)
            st.session_state[ck + ":saved"] = st.checkbox(f"[{item.points:g}] {item.text}", key=ck)
    else:
        ck = widget_key(key, q, part, "allright")
        keep(ck, ck + ":saved", False)
        st.session_state[ck + ":saved"] = st.checkbox("My derivation matches the model solution", key=ck)
    return _record(key, q, part, ctx)


def _record(key: str, q: Question, part: Part, ctx: tuple) -> float:
    st.button("Record self-grade", key=widget_key(key, q, part, "record"), type="primary",
              on_click=_self_grade, args=(key, q, part, *ctx))
    done = st.session_state.get(widget_key(key, q, part, "selfgrade"))
    if done is None:
        return 0.0
    st.success(f"Self-grade recorded: {done[0]:g} / {done[1]:g} points.", icon=":material/rate_review:")
    return done[0]


def _part(key: str, q: Question, part: Part, grade_now: bool, ctx: tuple, saved: str) -> tuple[str, float]:
    if q.is_multi:
        st.markdown(f"**Part {part.id}** — {part.title} *({grading.points_label(part.points)})*")
        if part.prompt:
            st.markdown(part.prompt)
    box = choice_input if part.kind == "choice" else text_input
    text = box(key, q, part, False, saved)
    verdict = None
    if part.steps:
        verdict = steps_box.show_marks(part, text)
    elif part.kind != "choice":
        echo(part, text)
    if not grade_now:
        return text, 0.0
    if part.kind == "derivation":
        return text, _derivation(key, q, part, ctx, verdict)
    st.button("Submit", key=widget_key(key, q, part, "submit"), type="primary", on_click=_submit,
              args=(key, q, part, *ctx))
    return text, _feedback(key, q, part, text)


def _hints(key: str, q: Question) -> None:
    hk = widget_key(key, q, None, "hints")
    n = st.session_state.get(hk, 0)
    for i, h in enumerate(q.hints[:n], 1):
        st.info(f"**Hint {i}.** {h}")
    if n < len(q.hints):
        st.button(f"Show a hint ({len(q.hints) - n} left)", key=hk + ":btn", on_click=_more_hints, args=(hk,))


def _reveal(key: str, q: Question) -> None:
    rk = widget_key(key, q, None, "reveal")
    if not st.session_state.get(rk):
        st.button("Reveal model solution", key=rk + ":btn", on_click=_flag, args=(rk,))
        return
    with st.container(border=True):
        st.markdown("**Model answer**")
        for part in q.parts:
            head = f"Part {part.id}: " if q.is_multi else ""
            if part.kind == "choice":
                right = ", ".join(f"({c.label}) {c.text}" for c in part.choices if c.correct)
                st.markdown(f"{head}{right}")
            elif part.kind != "derivation":
                st.markdown(f"{head}`{part.answer}`")
            if part.solution and part.kind != "derivation":
                rich_text.show(part.solution)
        if q.solution:
            rich_text.show(q.solution)


def header(q: Question) -> None:
    st.subheader(q.title)
    bits = [f"**{grading.points_label(q.points)}**", f"`{q.id}`", q.bank]
    if q.lecture is not None:
        bits.append(f"lecture {q.lecture}")
    if q.n_variants > 1:
        bits.append(f"variant {q.variant + 1} of {q.n_variants}")
    if q.topics:
        bits.append(", ".join(q.topics))
    st.caption(" · ".join(b for b in bits if b))
    st.markdown(q.prompt)


def render_question(q: Question, *, store=None, profile: str = "default", key: str = "quiz",
                    grade_now: bool = True, mode: str = "practice", show_header: bool = True,
                    now: Clock = common.now, saved: dict[str, str] | None = None) -> dict[str, str]:
    """Draw `q` (already rendered for its variant) and return {part id: answer text}.

    `saved` ({part id: text}, choices as "a, c") fills boxes shown for the first time in this
    session (a mock exam reopened after a reload).

    grade_now=True: Submit per part, feedback, hints, reveal, rubric self-grading, and every
    graded try stored in `store` (if given) as an Attempt of `profile` with `mode`.
    grade_now=False: only the answer boxes with their live preview (answers collected for later).
    """
    if show_header:
        header(q)
    if "quiz:store-error" in st.session_state:
        st.error("Your last answer was graded but could not be saved: "
                 f"{st.session_state.pop('quiz:store-error')}")
    ctx = (store, profile, mode, now)
    st.session_state.setdefault(widget_key(key, q, None, "shown"), now())  # when the question was first shown
    answers: dict[str, str] = {}
    earned = 0.0
    for part in q.parts:
        answers[part.id], points = _part(key, q, part, grade_now, ctx, (saved or {}).get(part.id, ""))
        earned += points
    if grade_now:
        if sum(p.kind != "derivation" for p in q.parts) > 1:
            st.button("Submit all parts", key=widget_key(key, q, None, "submit-all"), on_click=_submit_all,
                      args=(key, q, *ctx), help="Grade every answered part at once")
        if q.is_multi:
            st.markdown(f"**Score on this question: {earned:g} / {q.points:g}**")
        _hints(key, q)
        _reveal(key, q)
    return answers
