"""Review: the cards FSRS says are due now, one at a time; the answer reschedules the card."""
import streamlit as st

from quizlib import practice, progress
from quizlib.bank import find_question
from quizlib.ui import common, question_links, quiz

ctx = common.context()
st.title("Review")
now = common.now()
known = {q.id for b in ctx.banks for q in b.questions}
due = [qid for qid in progress.due_questions(ctx.store, ctx.profile, now) if qid in known]
st.caption(f"**{len(due)}** card(s) due now · a wrong answer comes back in minutes, a right one days later")

state = st.session_state.setdefault(f"review:{ctx.profile}", {"qid": None, "since": now, "n": 0, "skipped": []})
answered = progress.answered_since(ctx.store, ctx.profile, state["qid"], state["since"], mode="review")
if state["qid"] not in due and not answered:  # nothing on screen to finish: take the most overdue
    todo = [q for q in due if q not in state["skipped"]] or due
    state.update(qid=todo[0] if todo else None, since=now, skipped=[] if todo == due else state["skipped"])


def next_card(skip: bool) -> None:
    if skip:
        state["skipped"].append(state["qid"])
    state.update(qid=None, n=state["n"] + 1)


if state["qid"] is None:
    upcoming = [c for c in ctx.store.cards(ctx.profile) if c.question_id in known]
    if upcoming:
        st.success(f"Nothing is due. Next card: {upcoming[0].due:%Y-%m-%d %H:%M} UTC.")
    else:
        st.info("No cards yet: every question you answer on **Practice** or in a **Mock exam** becomes a card here.")
else:
    q = practice.stored_variant(ctx.store, ctx.profile, find_question(ctx.banks, state["qid"]))
    with st.container(border=True):
        quiz.render_question(q, store=ctx.store, profile=ctx.profile, key=f"review{state['n']}", mode="review")
    st.button("Next card →" if answered else "Skip for now", type="primary" if answered else "secondary",
              on_click=next_card, args=(not answered,), key="review-next")

st.divider()
left, right = st.columns(2)
with left:
    st.subheader("Wrong answers to retry")
    question_links.link_list(ctx.banks, progress.wrong_to_retry(ctx.store, ctx.profile), "No wrong answers — well done.",
                    "retry")
with right:
    st.subheader("Bookmarked for later")
    question_links.link_list(ctx.banks, [b.question_id for b in progress.bookmarks(ctx.store, ctx.profile)],
                    "No bookmarks: bookmark questions on the Search page.", "bm",
                    on_remove=lambda qid: ctx.store.remove_bookmark(ctx.profile, qid))
