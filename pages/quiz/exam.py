"""Mock exam: start one, answer against a server-side clock, submit, read the report, see history."""
import streamlit as st

from quizlib import exam, practice
from quizlib.errors import ConfigError
from quizlib.ui import common, exam_view

ctx = common.context()
st.title("Mock exam")
rec = exam.current(ctx.store, ctx.profile)
if rec is not None:  # time ran out while nobody was looking: grade what was saved
    rec = exam.submit_if_over(ctx.store, rec, ctx.banks, common.now())
    if rec.finished:
        st.session_state["exam_report"] = rec.id
        rec = None

if rec is not None:
    st.caption("Answers are saved as you type. Nothing is graded until you submit or the time runs out; "
               "reloading the page keeps the clock running.")
    over = exam.is_over(rec, common.now())
    if not over:  # at zero the countdown reruns the page, which then grades instead of counting
        exam_view.countdown(rec)
    answers = {}
    for i, q in enumerate(exam.questions(rec, ctx.banks), 1):
        if q is None:
            continue
        with st.container(border=True, key=f"exam-q-{q.id}"):
            exam_view.question_header(q, i)
            answers.update(exam_view.answer_inputs(q, f"exam{rec.id}", rec.answers))
    if answers != rec.answers:
        exam.save_answers(ctx.store, rec, answers)
    submitted = st.button("Submit the exam", type="primary", key="exam-submit")
    if submitted or over or exam.is_over(rec, common.now()):
        done = exam.submit(ctx.store, rec, ctx.banks, answers, common.now())
        st.session_state["exam_report"] = done.id
        st.rerun()
    st.stop()

shown = ctx.store.get_exam(st.session_state.get("exam_report", -1))
if shown is not None and shown.profile == ctx.profile and shown.finished:
    st.header("Report")
    exam_view.render_report(shown, ctx.store)
    st.divider()

st.header("Start a mock exam")
if not ctx.banks:
    st.info("There are no question banks yet: add Markdown banks to content/.")
    st.stop()
titles = {b.id: b.title for b in ctx.banks}
lectures = practice.lectures(ctx.banks)
with st.form("exam-start"):
    mode = st.radio("Questions", list(exam.MODES), format_func=exam.MODES.get, key="exam-mode",
                    index=list(exam.MODES).index(exam.default_mode(ctx.banks)))
    span = (st.select_slider("Lectures", options=lectures, value=(lectures[0], lectures[-1]), key="exam-lectures",
                             format_func=practice.lecture_label) if len(lectures) > 1 else None)
    n = st.number_input("Number of questions", min_value=1, max_value=30, value=4, key="exam-n")
    minutes = st.number_input("Minutes", min_value=1, max_value=300, value=30, key="exam-minutes")
    chosen = st.multiselect("Banks (none = all)", list(titles), format_func=titles.get, key="exam-banks")
    seed = st.number_input("Seed (optional: the same seed draws the same exam)", min_value=0, value=None,
                           step=1, key="exam-seed")
    start = st.form_submit_button("Start the exam", type="primary")
if start:
    try:
        settings = exam.settings_for(mode, n, minutes, chosen,
                                     exam.lecture_range(*span, lectures) if span else (),
                                     None if seed is None else int(seed))
        exam.start(ctx.store, ctx.profile, ctx.banks, settings, common.now())
        st.session_state.pop("exam_report", None)
        st.rerun()
    except ConfigError as e:
        st.error(str(e))

past = exam.history(ctx.store, ctx.profile)
st.header("History")
if not past:
    st.caption("No finished exams yet.")
else:
    st.dataframe(exam_view.history_table(past), hide_index=True)
    pick = st.selectbox("Open a report", [r.id for r in past], format_func=lambda i: f"Exam {i}", key="exam-open")
    if st.button("Show report", key="exam-show"):
        st.session_state["exam_report"] = pick
        st.rerun()
