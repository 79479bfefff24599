"""Streamlit widgets the study pages share: answer boxes, a graded question, an exam report.

The Review, Mock exam, Progress, Search and Export pages read the store, the profile
and the banks through `context()` (from quizlib.ui.common, which the sidebar shares;
page tests replace `context` with fixtures). Grading itself lives in quizlib.exam (a
report item per question); this module only draws items and collects what is ticked.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import streamlit as st

from quizlib import exam as exams
from quizlib.answers import preview
from quizlib.bank.variants import variant_of
from quizlib.model import Bank, Part, Question
from quizlib.store import ExamRecord, Store
from quizlib.ui import rich_text

VERDICTS = {"correct": "✅ right", "wrong": "❌ wrong", "invalid": "⚠️ could not be read",
            "unanswered": "— not answered", "self-grade": "📝 grade it yourself with the rubric",
            "self-graded": "📝 self-graded"}


@dataclass(frozen=True)
class Context:
    store: Store
    profile: str
    banks: list[Bank]


def context() -> Context:
    """The store, the current profile and the banks, as the shared sidebar (quizlib.ui.common) has them."""
    from quizlib.ui import common
    return Context(common.get_store(), common.current_profile(), list(common.get_banks()))


def now() -> datetime:
    return datetime.now(timezone.utc)


def find(banks: list[Bank], qid: str) -> Question | None:
    return next((q for b in banks for q in b.questions if q.id == qid), None)


def variant_for(store: Store, profile: str, q: Question) -> tuple[Question, int]:
    """The question rendered for the variant this student was shown (0 if none yet)."""
    k = store.get_variant(profile, q.id) or 0
    if k and q.n_variants > 1:
        return variant_of(q, k), k
    return q, 0


def _preview(part: Part, text: str) -> None:
    """Echo how the checker reads the answer (never grades)."""
    if not text.strip() or part.kind not in ("expr", "number", "matrix"):
        return
    r = preview(text, part.kind, list(part.symbols), let=part.let, functions=part.functions)
    if r.valid and r.latex:
        st.caption("Read as:")
        rich_text.formula(r.latex)
    elif r.message:
        st.caption(f"⚠️ {r.message}")


def answer_inputs(q: Question, key: str, saved: dict | None = None, disabled: bool = False) -> dict[str, str]:
    """One input per part; returns {answer_key: text} (choices as "a, c")."""
    saved = saved or {}
    out = {}
    for part in q.parts:
        k = exams.answer_key(q.id, part.id)
        wkey = f"{key}:{k}"
        if q.is_multi:
            st.markdown(f"**{part.id}.** {part.title} *({part.points:g} points)*")
            if part.prompt:
                st.markdown(part.prompt)
        if part.kind == "choice":
            before = {s.strip() for s in saved.get(k, "").split(",")}
            picked = [c.label for c in part.choices
                      if st.checkbox(f"({c.label}) {c.text}", value=c.label in before, key=f"{wkey}:{c.label}",
                                     disabled=disabled)]
            out[k] = ", ".join(picked)
        elif part.kind == "derivation":
            out[k] = st.text_area("Your derivation (Markdown, $…$ for maths)", value=saved.get(k, ""), key=wkey,
                                  disabled=disabled, height=160)
        else:
            out[k] = st.text_input("Your answer", value=saved.get(k, ""), key=wkey, disabled=disabled,
                                   placeholder="e.g. 2(o-g)" if part.kind == "expr" else "")
            if not disabled:
                _preview(part, out[k])
    return out


def render_item(item: dict, key: str, on_self_grade: Callable[[str, list[int]], None] | None = None,
                show_prompt: bool = True) -> None:
    """A graded question: per part the answer, verdict, points, model answer; then the solution."""
    if show_prompt:
        st.markdown(item["prompt"])
    for p in item["parts"]:
        head = f"**{p['part_id']}.** " if p["part_id"] else ""
        st.markdown(f"{head}{VERDICTS.get(p['verdict'], p['verdict'])} — **{p['score']:g} / {p['max']:g}** points")
        if p["kind"] == "derivation":
            if p["given"]:
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
            ticked = [j for j, (text, pts) in enumerate(p["rubric"])
                      if st.checkbox(f"[{pts:g}] {text}", value=j in p["ticked"], key=f"{key}:{p['part_id']}:r{j}")]
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
    st.caption(f"{q.points:g} points · {q.bank}{lecture} · {', '.join(q.topics) or 'no topic'}")
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


def question_link(q: Question, where=None, label: str | None = None) -> None:
    """A link that opens the question on the Practice page in this session (`practice?q=<id>`).

    st.page_link keeps the session (and so the profile); outside the app's navigation (a page
    run alone, as in page tests) it cannot resolve the page, and a plain Markdown link stands in.
    """
    from streamlit.errors import StreamlitAPIException

    from quizlib.search import deep_link
    where = where or st
    label = label or q.title
    try:
        where.page_link("pages/practice.py", label=label, query_params={"q": q.id}, icon="➡️")
    except StreamlitAPIException:
        where.markdown(f"[{label}]({deep_link(q.id)})")


def link_list(banks: list[Bank], qids: list[str], empty: str, key: str,
              on_remove: Callable[[str], None] | None = None) -> None:
    """Questions as deep links to the Practice page (optionally with a remove button each)."""
    shown = [(qid, find(banks, qid)) for qid in qids]
    shown = [(qid, q) for qid, q in shown if q is not None]
    if not shown:
        st.caption(empty)
        return
    for qid, q in shown:
        cols = st.columns([6, 1]) if on_remove else [st.container()]
        question_link(q, cols[0])
        cols[0].caption(f"`{qid}` · {q.bank}")
        if on_remove and cols[1].button("Remove", key=f"{key}:{qid}"):
            on_remove(qid)
            st.rerun()


def answered_since(store: Store, profile: str, qid: str | None, since: datetime, mode: str) -> bool:
    """Has the question been graded (in `mode`) since it was put on screen?"""
    return qid is not None and any(a.mode == mode and a.created_at >= since for a in store.attempts(profile, qid))


@st.cache_data(show_spinner="Building the Anki deck…")
def anki_deck(banks: list[Bank]) -> bytes:
    from quizlib.export import anki_bytes
    return anki_bytes(banks)
