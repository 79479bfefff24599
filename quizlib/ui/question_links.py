"""Lists of questions as links to the Practice page (wrong answers to retry, bookmarks, search hits)."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from quizlib.bank import find_question
from quizlib.model import Bank
from quizlib.ui.common import practice_link


def link_list(banks: list[Bank], qids: list[str], empty: str, key: str,
              on_remove: Callable[[str], None] | None = None) -> None:
    """Questions as deep links to the Practice page (optionally with a remove button each)."""
    shown = [(qid, find_question(banks, qid)) for qid in qids]
    shown = [(qid, q) for qid, q in shown if q is not None]
    if not shown:
        st.caption(empty)
        return
    for qid, q in shown:
        cols = st.columns([6, 1]) if on_remove else [st.container()]
        practice_link(q.id, q.title, cols[0], icon=":material/arrow_forward:")
        cols[0].caption(f"`{qid}` · {q.bank}")
        if on_remove and cols[1].button("Remove", key=f"{key}:{qid}"):
            on_remove(qid)
            st.rerun()
