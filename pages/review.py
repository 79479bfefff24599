"""Review: the cards FSRS says are due now, one at a time; the answer reschedules the card."""
import streamlit as st

from quizlib import progress
from quizlib.ui import study

ctx = study.context()
st.title("Review")
now = study.now()
known = {q.id for b in ctx.banks for q in b.questions}
due = [qid for qid in progress.due_questions(ctx.store, ctx.profile, now) if qid in known]
st.caption(f"**{len(due)}** card(s) due now · a wrong answer comes back in minutes, a right one days later")

key = f"review:{ctx.profile}"
state = st.session_state.setdefault(key, {"qid": None, "item": None})
if state["item"] is None and state["qid"] not in due:  # nothing on screen to finish: take the most overdue
    state["qid"] = due[0] if due else None

if state["qid"] is None:
    upcoming = [c for c in ctx.store.cards(ctx.profile) if c.question_id in known]
    if upcoming:
        st.success(f"Nothing is due. Next card: {upcoming[0].due:%Y-%m-%d %H:%M} UTC.")
    else:
        st.info("No cards yet: every question you answer on **Practice** or in a **Mock exam** becomes a card here.")
else:
    q, variant = study.variant_for(ctx.store, ctx.profile, study.find(ctx.banks, state["qid"]))
    with st.container(border=True):
        study.question_header(q)
        if state["item"] is None:
            answers = study.answer_inputs(q, f"{key}:{q.id}")
            if st.button("Check", type="primary", key="review-check"):
                state["item"] = study.grade_for_review(ctx, q, variant, answers)
                st.rerun()
        else:
            study.render_item(state["item"], f"{key}:{q.id}:done",
                              lambda part, ticked: study.self_grade_for_review(ctx, state["item"], part, ticked),
                              show_prompt=False)
            if st.button("Next card", type="primary", key="review-next"):
                state.update(qid=None, item=None)
                st.rerun()

st.divider()
left, right = st.columns(2)
with left:
    st.subheader("Wrong answers to retry")
    study.link_list(ctx.banks, progress.wrong_to_retry(ctx.store, ctx.profile), "No wrong answers — well done.",
                    "retry")
with right:
    st.subheader("Bookmarked for later")
    study.link_list(ctx.banks, [b.question_id for b in progress.bookmarks(ctx.store, ctx.profile)],
                    "No bookmarks: bookmark questions on the Search page.", "bm",
                    on_remove=lambda qid: ctx.store.remove_bookmark(ctx.profile, qid))
