"""The mock exam on screen: the countdown, each question with its answer boxes, the graded report.

Answer boxes are Practice's (`quizlib.ui.quiz.render_question` without grading), so a
formula is echoed and kept the same way in both; the exam's answers are keyed by
`exam.answer_key(question id, part id)` and saved by the page. Grading lives in
`quizlib.exam` (a report item per question); this module only draws items and collects what
is ticked for self-grading.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from quizlib import exam as exams
from quizlib.grading import points_label
from quizlib.model import Question
from quizlib.store import ExamRecord, Store
from quizlib.ui import quiz, rich_text
from quizlib.ui.common import now

# Material icons in Markdown (emoji render as empty boxes where no emoji font is installed)
VERDICTS = {"correct": ":material/check_circle: right", "wrong": ":material/cancel: wrong",
            "invalid": ":material/warning: could not be read", "unanswered": "— not answered",
            "self-grade": ":material/rate_review: grade it yourself with the rubric",
            "self-graded": ":material/rate_review: self-graded"}


def answer_inputs(q: Question, key: str, saved: dict | None = None) -> dict[str, str]:
    """One answer box per part (as on Practice); returns {answer_key: text} (choices as "a, c")."""
    saved = saved or {}
    before = {p.id: saved.get(exams.answer_key(q.id, p.id), "") for p in q.parts}
    typed = quiz.render_question(q, key=key, grade_now=False, show_header=False, saved=before)
    return {exams.answer_key(q.id, pid): text for pid, text in typed.items()}


def render_item(item: dict, key: str, on_self_grade: Callable[[str, list[int]], None] | None = None,
                show_prompt: bool = True) -> None:
    """A graded question: per part the answer, verdict, points, model answer; then the solution."""
    if show_prompt:
        st.markdown(item["prompt"])
    for p in item["parts"]:
        head = f"**{p['part_id']}.** " if p["part_id"] else ""
        st.markdown(f"{head}{VERDICTS.get(p['verdict'], p['verdict'])} — **{p['score']:g} / {p['max']:g}** points")
        if p["kind"] == "derivation":
            if p.get("steps"):  # step-checked: each line with the app's mark
                marks = {"ok": "✓", "wrong": "✗", "unchecked": "not checked", "unreadable": "?"}
                st.markdown("\n".join(f"- {marks.get(m, m)} · line {n}: `{t}`"
                                       for (n, m), t in zip(p["steps"], p["step_lines"])))
            elif p["given"]:
                with st.container(border=True):
                    st.markdown(p["given"])
        elif p["given"]:
            read = f" — read as ${p['latex']}$" if p.get("latex") else ""
            st.markdown(f"Your answer: `{p['given']}`{read}")
        if p.get("message"):
            st.markdown(p["message"])
        if p["kind"] == "choice":
            st.markdown(f"Model answer: {p['reference']}")
        elif p.get("reference_latex"):
            st.markdown(f"Model answer: ${p['reference_latex']}$ (typed as `{p['reference']}`)")
        elif p["reference"]:
            st.markdown(f"Model answer: `{p['reference']}`")
        if p.get("solution"):
            rich_text.show(p["solution"])
        if p["kind"] == "derivation" and p["rubric"] and on_self_grade is not None:
            st.markdown("Tick what your derivation has:")
            allowed, auto = p.get("allowed") or [True] * len(p["rubric"]), set(p.get("auto_ticked", ()))
            ticked = [j for j, (text, pts) in enumerate(p["rubric"])
                      if st.checkbox(f"[{pts:g}] {text}" + (" — ✓ ticked by the app" if j in auto else ""),
                                     value=j in p["ticked"], key=f"{key}:{p['part_id']}:r{j}",
                                     disabled=not allowed[j])]
            if st.button("Save self-grade", key=f"{key}:{p['part_id']}:save"):
                on_self_grade(p["part_id"], ticked)
                st.rerun()
    if item.get("solution"):
        st.markdown("**Model solution**")
        rich_text.show(item["solution"])


def render_report(rec: ExamRecord, store: Store) -> None:
    """An exam's report: total, then each question graded, with self-grading for derivations."""
    report = rec.report or {"items": []}
    st.subheader(f"Score: {rec.score:g} / {rec.max_score:g}")
    if report.get("timed_out"):
        st.warning("Time ran out: the exam was graded with the answers saved by then.")
    pending = exams.pending_self_grades(rec)
    if pending:
        st.info(f"{len(pending)} derivation(s) wait for your self-grade: tick the rubric below.")
    for i, item in enumerate(report["items"], 1):
        with st.expander(f"{i}. {item['title']} — {item['score']:g} / {item['points']:g}", expanded=True):
            def grade(part_id: str, ticked: list[int], qid: str = item["question_id"]) -> None:
                exams.self_grade(store, store.get_exam(rec.id), qid, part_id, ticked, now())
            render_item(item, f"report:{rec.id}:{item['question_id']}", grade)


def history_table(records: list[ExamRecord]) -> list[dict]:
    return [{"exam": r.id, "started": r.started_at.strftime("%Y-%m-%d %H:%M UTC"),
             "questions": len(r.questions), "score": f"{r.score:g} / {r.max_score:g}",
             "timed out": bool((r.report or {}).get("timed_out"))} for r in records]


def question_header(q: Question, number: int | None = None) -> None:
    pre = f"{number}. " if number is not None else ""
    st.markdown(f"#### {pre}{q.title}")
    lecture = f" · lecture {q.lecture}" if q.lecture is not None else ""
    st.caption(f"{points_label(q.points)} · {q.bank}{lecture} · {', '.join(q.topics) or 'no topic'}")
    st.markdown(q.prompt)


def countdown(rec: ExamRecord) -> None:
    """Time left, ticking every second on the client's rerun; at zero the whole page reruns to grade."""
    @st.fragment(run_every=1.0)
    def tick() -> None:
        left = int(exams.remaining(rec, now()).total_seconds())
        st.metric("Time left", f"{left // 60:02d}:{left % 60:02d}")
        if left <= 0:
            st.rerun(scope="app")
    tick()
