"""Search: find a question by a word; every hit links to it on the Practice page and can be bookmarked."""
import streamlit as st

from quizlib import practice, progress
from quizlib.search import search
from quizlib.ui import common, question_links

ctx = common.context()
st.title("Search")
titles = {"": "All banks"} | {b.id: b.title for b in ctx.banks}
left, middle, right = st.columns([3, 1, 1])
query = left.text_input("Search questions, topics and solutions", value=st.query_params.get("search", ""),
                        placeholder="e.g. cross-entropy, dropout, glorot", key="search-query")
bank = middle.selectbox("Bank", list(titles), format_func=titles.get, key="search-bank") or None
lecture = right.selectbox("Lecture", [practice.ALL, *practice.lectures(ctx.banks)], key="search-lecture",
                          format_func=practice.lecture_label)
lecture = None if lecture == practice.ALL else lecture

marked = {b.question_id for b in progress.bookmarks(ctx.store, ctx.profile)}
if query.strip() or lecture is not None:
    hits = search(ctx.banks, query, bank=bank, lecture=lecture)
    st.caption(f"{len(hits)} question(s) found")
    for hit in hits:
        q = hit.question
        with st.container(border=True):
            cols = st.columns([4, 1.4])
            common.practice_link(q.id, q.title, cols[0], icon="➡️")
            cols[0].caption(f"`{q.id}` · {titles.get(q.bank, q.bank)} · {f'lecture {q.lecture}' if q.lecture else 'no lecture'} · "
                            f"{q.points:g} points · topics: {', '.join(q.topics) or '—'}"
                            + (f" · found in: {', '.join(hit.fields)}" if hit.fields else ""))
            label = "★ Bookmarked" if q.id in marked else "☆ Bookmark"
            if cols[1].button(label, key=f"mark:{q.id}"):
                progress.toggle_bookmark(ctx.store, ctx.profile, q.id, common.now())
                st.rerun()
else:
    st.caption("Type a word, or pick a lecture to list its questions: the search ignores case and accents and "
               "looks in titles, topics, prompts and solutions. Every result links to the question on the Practice page (`practice?q=<id>`).")

st.subheader("Bookmarked for later")
question_links.link_list(ctx.banks, [b.question_id for b in progress.bookmarks(ctx.store, ctx.profile)],
                "No bookmarks yet: press “☆ Bookmark” on a result to review it later.", "unmark",
                on_remove=lambda qid: ctx.store.remove_bookmark(ctx.profile, qid))
