"""The answer boxes of one part: text, formula, choice and derivation inputs, each with its live echo.

Every widget's value is copied to a shadow key in `st.session_state` on each run and restored
from it when Streamlit has dropped the widget (the student went to another question and came
back), so nothing typed is ever lost. The echo shows how `quizlib.answers.preview` read a
formula (memoised: every rerun redraws every part, the text rarely changes) or renders a
derivation's Markdown; it never grades.
"""
from __future__ import annotations

import streamlit as st

from quizlib.model import Part, Question
from quizlib.ui import rich_text


def widget_key(key: str, q: Question, part: Part | None, name: str) -> str:
    """The session-state key of one widget or value (tests address widgets by it)."""
    pid = "" if part is None else f":{part.id or '_'}"
    return f"{key}:{q.id}:{q.variant}{pid}:{name}"


def keep(wkey: str, shadow: str, default) -> None:
    """Restore a widget's value from its shadow copy when Streamlit dropped the widget's state."""
    if wkey not in st.session_state:
        st.session_state[wkey] = st.session_state.get(shadow, default)


def choice_text(key: str, q: Question, part: Part) -> str:
    if multi_select(part):
        ticked = [c.label for c in part.choices
                  if st.session_state.get(widget_key(key, q, part, f"c{c.label}"))]
        return ", ".join(ticked)
    return st.session_state.get(widget_key(key, q, part, "radio")) or ""


def multi_select(part: Part) -> bool:
    return sum(c.correct for c in part.choices) != 1


def _labels(saved: str) -> set[str]:
    return {s.strip() for s in saved.split(",") if s.strip()}


def choice_input(key: str, q: Question, part: Part, disabled: bool, saved: str = "") -> str:
    """Checkboxes (several right choices) or a radio (one); `saved` ("a, c") is the first value."""
    before = _labels(saved)
    if multi_select(part):
        st.caption("Tick every right statement.")
        for c in part.choices:
            ck = widget_key(key, q, part, f"c{c.label}")
            keep(ck, ck + ":saved", c.label in before)
            st.session_state[ck + ":saved"] = st.checkbox(f"({c.label}) {c.text}", key=ck, disabled=disabled)
    else:
        rk = widget_key(key, q, part, "radio")
        texts = {c.label: c.text for c in part.choices}
        keep(rk, rk + ":saved", next((lab for lab in texts if lab in before), None))
        picked = st.radio("Pick one", list(texts), key=rk, index=None, disabled=disabled,
                          format_func=lambda lab: f"({lab}) {texts[lab]}")
        st.session_state[rk + ":saved"] = picked
    return choice_text(key, q, part)


def text_input(key: str, q: Question, part: Part, disabled: bool, saved: str = "") -> str:
    """A formula or number box with the symbols it may use, or a derivation's text area."""
    wk = widget_key(key, q, part, "text")
    keep(wk, wk + ":saved", saved)
    if part.kind == "derivation":
        label = ("Your derivation — one step per line, `= …` continues the line before"
                 if part.steps else "Your derivation (Markdown, `$…$` for maths)")
        text = st.text_area(label, key=wk, height=180, disabled=disabled)
    else:
        hint = {"expr": "e.g. 2(o-g) or σ(z)(1-σ(z))", "number": "e.g. 0.0866 or 8.66e-2",
                "matrix": "e.g. h(o-g)^T or W2 (o-g) ⊙ step(W1^T x + b1)"}.get(part.kind, "")
        label = "Your answer" + (f" — you may use {', '.join(_names(part))}" if part.symbols else "")
        text = st.text_input(label, key=wk, placeholder=hint, disabled=disabled)
    st.session_state[wk + ":saved"] = text
    return text or ""


def _names(part: Part) -> list[str]:
    """The bare symbol names of a part ("o in (0, 1)" → "o", "W1: D×H" → "W1")."""
    out = []
    for s in part.symbols:
        name = s.split(":")[0].split(" in ")[0].split(">")[0].split("<")[0].strip()
        out.append(f"`{name}`")
    for let in part.let:
        out.append(f"`{let.split('=')[0].strip()}`")
    return out


@st.cache_data(show_spinner=False, max_entries=4096)
def _preview(text: str, kind: str, symbols: tuple, let: tuple, functions: tuple):
    """answers.preview, memoised: every rerun redraws every part's echo, the text rarely changes."""
    from quizlib.answers import preview

    return preview(text, kind, list(symbols), let=let, functions=functions)


def echo(part: Part, text: str) -> None:
    """Live preview: how the checker reads the text (never grades, never stores)."""
    if not text.strip():
        return
    if part.kind == "derivation":
        st.caption("Preview")
        with st.container(border=True):
            st.markdown(text)
        return
    r = _preview(text, part.kind, part.symbols, part.let, part.functions)
    if r.valid and r.latex:
        st.caption("Read as")
        rich_text.formula(r.latex)
    elif not r.valid:
        st.warning(r.message or "This cannot be read yet.", icon=":material/warning:")
