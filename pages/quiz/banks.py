"""Banks: every question bank with its title, sources and question count, and the problems of broken ones."""
import streamlit as st

from quizlib.ui import common

st.title("Banks")
banks = common.context().banks
st.caption(f"{len(banks)} bank(s) in `{common.content_dir().name}/`, "
           f"{sum(len(b.questions) for b in banks)} question(s) in all. "
           "Run `python -m quizlib check` to validate them from the command line.")
if not banks:
    st.info("No bank found: add a Markdown file to `content/` (see README, *Writing questions*).")
for b in banks:
    mark = (":material/error:" if b.errors else
            ":material/warning:" if b.problems else ":material/check_circle:")
    with st.expander(f"{b.title} — {len(b.questions)} question(s)", icon=mark, expanded=bool(b.errors)):
        st.markdown(f"`{b.id}` · sources: {', '.join(b.sources) or '—'} · "
                    f"topics: {', '.join(b.topics) or '—'}")
        if b.errors:
            st.error(f"{len(b.errors)} error(s): the questions they affect are left out; "
                     "the rest of the app works.")
        if b.problems:
            st.code("\n".join(str(p) for p in b.problems), language=None)
        for q in b.questions:
            common.practice_link(q.id, f"{q.title} · `{q.id}` · {q.kind} · {q.points:g} points")
