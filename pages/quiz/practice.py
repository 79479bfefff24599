"""Practice: pick a bank, topic or lecture, answer one question at a time, see the score so far.

`?q=<question id>` opens that question directly; the URL follows the question shown.
"""
import secrets

import streamlit as st

from quizlib import practice
from quizlib.bank import find_question
from quizlib.ui import common, quiz

st.title("Practice")
ctx = common.context()
banks, store, profile = ctx.banks, ctx.store, ctx.profile
if any(b.errors for b in banks):
    st.warning(f"{sum(1 for b in banks if b.errors)} bank(s) have problems; see the **Banks** page. "
               "Every other bank works.")
titles = {b.id: b.title for b in banks if b.questions}
if not titles:
    st.info("No questions yet: put a bank in `content/` (see README, *Writing questions*).")
    st.stop()

state = st.session_state
shown = [titles.get(state.get("practice:bank"), "All banks"), state.get("practice:topic") or "All topics",
         practice.lecture_label(state.get("practice:lecture", practice.ALL))]
# folded away, so that on a phone the question is in the first screen
with st.expander("Filter: " + " · ".join(shown), icon=":material/filter_list:"):
    left, middle, right = st.columns([2, 2, 1])
    bank = left.selectbox("Bank", [practice.ALL, *titles], key="practice:bank",
                          format_func=lambda b: titles.get(b, "All banks"))
    topic = middle.selectbox("Topic", [practice.ALL, *practice.topics(banks)], key="practice:topic",
                             format_func=lambda t: t or "All topics")
    lecture = right.selectbox("Lecture", [practice.ALL, *practice.lectures(banks)], key="practice:lecture",
                              format_func=practice.lecture_label)

if state.get("practice:filter") != (bank, topic, lecture):  # new filter → new session in bank order
    state["practice:filter"] = (bank, topic, lecture)
    state["practice:session"] = practice.new_session(practice.select(banks, bank, topic, lecture))
    state["practice:since"] = common.now()

link = st.query_params.get("q")
if link and link != state.get("practice:linked"):  # a deep link not followed yet
    state["practice:linked"] = link
    if find_question(banks, link) is None:
        st.error(f"There is no question with id `{link}`. Pick one below, or use the **Search** page.")
    else:
        state["practice:session"] = state["practice:session"].go_to(link)


def move(how: str) -> None:
    s = state["practice:session"]
    if how == "shuffle":
        seed = secrets.randbits(32)  # the draw is reproducible from this seed (kept for the record)
        state["practice:seed"] = seed
        s = practice.new_session(practice.select(banks, bank, topic, lecture), True, practice.rng(seed))
    state["practice:session"] = {"next": s.next, "previous": s.previous}.get(how, lambda: s)()


session = state["practice:session"]
if session.current is None:
    st.info("No question matches this bank, topic and lecture.")
    st.stop()
nav = st.container(horizontal=True, vertical_alignment="center")  # one row, also on a phone
nav.button("Previous", icon=":material/arrow_back:", on_click=move, args=("previous",),
           disabled=session.index == 0, key="practice:prev")
nav.button("Next", icon=":material/arrow_forward:", on_click=move, args=("next",),
           disabled=session.index >= len(session.ids) - 1, key="practice:next")
nav.button("Shuffle", icon=":material/shuffle:", on_click=move, args=("shuffle",), key="practice:shuffle")
score = practice.score_so_far(store.attempts(profile), session, state["practice:since"])
nav.markdown(f"Question **{session.position}** · score so far **{score.earned:g} / {score.possible:g}** "
             f"({score.answered} answered)", width="content")

base = find_question(banks, session.current)
k = practice.variant_index(store, profile, base, practice.rng(secrets.randbits(32)))
if base.n_variants > 1:
    st.button("New variant", icon=":material/casino:", key="practice:new-variant", help="Same question, other numbers",
              on_click=lambda: practice.new_variant(store, profile, base, practice.rng(secrets.randbits(32))))
with st.container(border=True):
    quiz.render_question(practice.rendered(base, k), store=store, profile=profile, key="practice")
st.query_params["q"] = base.id  # the URL is a deep link to what is on screen
state["practice:linked"] = base.id
