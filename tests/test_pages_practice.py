"""The Practice and Banks pages in AppTest, on a small bank of every kind in a temporary content folder.

Each test answers through the page's widgets and then reads the attempt back from the
store of $QUIZ_DB (set per test by conftest), so grading, feedback and storage are
checked end to end with the real bank loader, checker and store.
"""
from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from quizlib.store import Store
from page_helpers import formulas
from page_scripts import page_script

BANK = r"""---
title: Page test bank
sources: 000_3fc7ddf7b73e9fcd.txt
topics: testing
---

## t-mse: MSE gradient
kind: expr
points: 5
symbols: o, g
answer: 2*(o - g)
topics: mse

### Prompt
The loss is $L = (o-g)^2$. What is $\partial L/\partial o$?

### Hints
- Use the chain rule.
- The derivative of $u^2$ is $2u$.

### Wrong answers
- `o - g`: That is the gradient of half the squared error.
- `2*(g - o)`: Sign error: the derivative of $(o-g)^2$ is $2(o-g)$.

### Solution
$\partial L/\partial o = 2(o-g)$.

## t-num: Glorot bound
kind: number
points: 2
answer: sqrt(6/(784 + 100))
tolerance: 0.5%
topics: init

### Prompt
A layer has 784 inputs and 100 outputs. What is Glorot's bound $a$?

## t-choice: Dropout at inference
kind: choice
points: 1

### Prompt
With inverted dropout, what happens at inference?

### Choices
- [ ] Units are dropped with probability $p$.
- [x] Nothing: the layer is the identity.
- [ ] Outputs are multiplied by $1/(1-p)$.

## t-deriv: Derive the cross-entropy
kind: derivation
points: 4

### Prompt
Derive $C(a)$ from $\partial C/\partial b = a - y$.

### Solution
Integrate $\frac{a-y}{a(1-a)}$ by partial fractions.

### Rubric
- [1] Uses the chain rule with $\sigma'(z) = a(1-a)$.
- [2] Integrates by partial fractions.
- [1] States the cross-entropy.

## t-mlp: Gradients of a one-hidden-layer MLP
topics: backprop

### Prompt
$h = \mathrm{relu}(W_1^T x + b_1)$, $o = \mathrm{softmax}(W_2^T h + b_2)$, NLL loss with one-hot target $g$.

### Part b2: gradient of $b_2$
kind: matrix
points: 2
symbols: x: D×1, W1: D×H, b1: H×1, W2: H×K, b2: K×1, g: K×1
let: h = relu(W1^T x + b1); o = softmax(W2^T h + b2)
answer: o - g

### Part W2: gradient of $W_2$
kind: matrix
points: 3
symbols: x: D×1, W1: D×H, b1: H×1, W2: H×K, b2: K×1, g: K×1
let: h = relu(W1^T x + b1); o = softmax(W2^T h + b2)
answer: h (o - g)^T

## t-var: Dropout scaling
kind: number
points: 1
answer: 1/(1 - p)

### Variables
- p: 0.1, 0.2, 0.5

### Prompt
With drop probability $p = {{p}}$, by what factor does inverted dropout scale the kept units?
"""

KEY = "practice"


@pytest.fixture
def content(tmp_path, monkeypatch):
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "tbank.md").write_text(BANK, encoding="utf-8")
    monkeypatch.setenv("QUIZ_CONTENT", str(folder))
    return folder


def open_page(qid: str | None = None, page: str = "practice") -> AppTest:
    at = AppTest.from_file(page_script(page), default_timeout=60)
    if qid:
        at.query_params["q"] = qid
    at.run()
    assert not at.exception, at.exception
    return at


def k(qid: str, part: str, name: str, variant: int = 0) -> str:
    return f"{KEY}:{qid}:{variant}:{part}:{name}"


def attempts(qid: str | None = None):
    return Store(os.environ["QUIZ_DB"]).attempts("default", qid)


def answer(at: AppTest, qid: str, text: str, part: str = "_", variant: int = 0) -> AppTest:
    at.text_input(key=k(qid, part, "text", variant)).input(text).run()
    at.button(key=k(qid, part, "submit", variant)).click().run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(e.value for e in elements)


def test_opens_first_question_and_shows_points(content):
    at = open_page()
    assert at.title[0].value == "Practice"
    assert "MSE gradient" in at.subheader[0].value and "5 points" in texts(at.caption)
    assert at.query_params["q"] == ["t-mse"] or at.query_params["q"] == "t-mse"


def test_expr_right_then_wrong_with_feedback_and_stored(content):
    at = open_page("t-mse")
    at.text_input(key=k("t-mse", "_", "text")).input("2(o-g)").run()
    assert any("o - g" in e.value or "o-g" in e.value.replace(" ", "") for e in formulas(at))  # the live echo
    at.button(key=k("t-mse", "_", "submit")).click().run()
    assert "Right" in texts(at.success) and "5 / 5" in texts(at.success)
    answer(at, "t-mse", "o - g")
    assert "half the squared error" in texts(at.error) and "0 / 5" in texts(at.error)
    rows = attempts("t-mse")
    assert [(a.answer, a.correct, a.score, a.max_score, a.mode) for a in rows] == [
        ("2(o-g)", True, 5.0, 5.0, "practice"), ("o - g", False, 0.0, 5.0, "practice")]
    assert rows[0].created_at.tzinfo is not None


def test_bad_input_keeps_text_and_stores_nothing(content):
    at = answer(open_page("t-mse"), "t-mse", "2(o-q")
    assert "Not graded" in texts(at.warning) and "q" in texts(at.warning)
    assert at.text_input(key=k("t-mse", "_", "text")).value == "2(o-q"
    assert attempts() == []
    at.button(key="practice:next").click().run()  # away and back: the text is still there
    at.button(key="practice:prev").click().run()
    assert at.text_input(key=k("t-mse", "_", "text")).value == "2(o-q"


def test_number_question(content):
    at = answer(open_page("t-num"), "t-num", "0.0824")
    assert "Right" in texts(at.success)
    answer(at, "t-num", "0.0866")
    assert at.error
    assert [a.correct for a in attempts("t-num")] == [True, False]


def test_choice_question(content):
    at = open_page("t-choice")
    at.radio(key=k("t-choice", "_", "radio")).set_value("a").run()
    at.button(key=k("t-choice", "_", "submit")).click().run()
    assert at.error and not at.success
    at.radio(key=k("t-choice", "_", "radio")).set_value("b").run()
    at.button(key=k("t-choice", "_", "submit")).click().run()
    assert "Right" in texts(at.success)
    assert [(a.answer, a.correct) for a in attempts("t-choice")] == [("a", False), ("b", True)]


def test_derivation_self_grade_with_rubric(content):
    at = open_page("t-deriv")
    at.text_area(key=k("t-deriv", "_", "text")).input("By the chain rule $C' = \\frac{a-y}{a(1-a)}$").run()
    assert any("chain rule" in m.value for m in at.markdown)  # the Markdown preview
    at.button(key=k("t-deriv", "_", "shown") + ":btn").click().run()
    assert any("partial fractions" in m.value for m in at.markdown)
    at.checkbox(key=k("t-deriv", "_", "r0")).check().run()
    at.checkbox(key=k("t-deriv", "_", "r1")).check().run()
    at.button(key=k("t-deriv", "_", "record")).click().run()
    assert "3 / 4" in texts(at.success)
    [a] = attempts("t-deriv")
    assert (a.score, a.max_score, a.correct, a.extra.get("ticked")) == (3.0, 4.0, False, [0, 1])
    assert "chain rule" in a.answer


def test_multi_part_matrix_question(content):
    at = open_page("t-mlp")
    assert "Part b2" in "\n".join(m.value for m in at.markdown)
    answer(at, "t-mlp", "h(o-g)^T", part="W2")
    answer(at, "t-mlp", "g - o", part="b2")
    assert "Right" in texts(at.success) and at.error
    assert any("3 / 5" in m.value for m in at.markdown)  # the question's score so far
    rows = attempts("t-mlp")
    assert [(a.part_id, a.correct, a.score) for a in rows] == [("W2", True, 3.0), ("b2", False, 0.0)]


def test_hints_and_reveal(content):
    at = open_page("t-mse")
    at.button(key="practice:t-mse:0:hints:btn").click().run()
    assert "chain rule" in texts(at.info) and "2u" not in texts(at.info)
    at.button(key="practice:t-mse:0:reveal:btn").click().run()
    assert any("2*(o - g)" in m.value for m in at.markdown)


def test_variant_question_is_sticky_and_new_variant_changes_it(content):
    at = open_page("t-var")
    store = Store(os.environ["QUIZ_DB"])
    v = store.get_variant("default", "t-var")
    assert v in (0, 1, 2)
    p = [0.1, 0.2, 0.5][v]
    assert f"p = {p:g}" in "\n".join(m.value for m in at.markdown)
    answer(at, "t-var", f"{1 / (1 - p):.4f}", variant=v)
    assert "Right" in texts(at.success)
    assert attempts("t-var")[0].variant == v
    at.button(key="practice:new-variant").click().run()
    assert store.get_variant("default", "t-var") != v


def test_deep_link_unknown_id(content):
    at = open_page("no-such-question")
    assert "no-such-question" in texts(at.error)
    assert at.subheader  # the session still shows a question


def test_navigation_and_score_so_far(content):
    at = open_page()
    answer(at, "t-mse", "2(o-g)")
    at.button(key="practice:next").click().run()
    assert "Glorot" in at.subheader[0].value
    assert any("5 / 5" in m.value and "2 / 6" in m.value for m in at.markdown)
    at.selectbox(key="practice:topic").set_value("init").run()
    assert "Glorot" in at.subheader[0].value and any("1 / 1" in m.value for m in at.markdown)


def test_banks_page_shows_problems_of_a_broken_bank(content):
    (content / "broken.md").write_text("---\ntitle: Broken bank\n---\n\n## b1: Bad\nkind: essay\n"
                                       "points: 1\n\n"
                                       "### Prompt\nWhat?\n", encoding="utf-8")
    at = open_page(page="banks")
    page = texts(at.code)
    assert "broken.md:" in page and "essay" in page
    assert any("Page test bank" in e.label for e in at.expander)
    assert any("Broken bank" in e.label or "broken" in e.label for e in at.expander)
    at = open_page("t-mse")  # the good bank keeps working, with a warning
    assert "Banks" in texts(at.warning) and "MSE gradient" in at.subheader[0].value


def _sidebar_script():
    from quizlib.ui.common import current_profile, sidebar

    sidebar()
    import streamlit as st

    st.write(f"profile={current_profile()}")


def test_sidebar_profiles_and_due_count(content):
    # run through a small script, not app.py: with a folder named pages/ next to app.py, Streamlit 1.67
    # runs AppTest reruns in its old multipage mode, which skips app.py (see the report to the lead)
    at = AppTest.from_function(_sidebar_script, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="sidebar:profile").value == "default"
    assert at.sidebar.metric[0].value == "0"
    at.sidebar.selectbox(key="sidebar:profile").set_value("New profile…").run()
    at.sidebar.text_input(key="sidebar:new-profile").input("ann").run()
    assert not at.exception, at.exception
    assert at.session_state["profile"] == "ann" and "profile=ann" in at.markdown[-1].value
    assert at.sidebar.selectbox(key="sidebar:profile").value == "ann"
    assert "ann" in Store(os.environ["QUIZ_DB"]).profiles()
    assert at.query_params["profile"] in ("ann", ["ann"])  # a reload keeps the profile
    at.sidebar.selectbox(key="sidebar:profile").set_value("default").run()
    assert at.session_state["profile"] == "default"


@pytest.mark.parametrize("name, problem", [("tab\tname", "control"), ("bad\x07name", "control"), ("   ", None)])
def test_a_refused_profile_name_stays_in_the_box_with_its_message(content, name, problem):
    at = AppTest.from_function(_sidebar_script, default_timeout=60)
    at.run()
    at.sidebar.selectbox(key="sidebar:profile").set_value("New profile…").run()
    at.sidebar.text_input(key="sidebar:new-profile").input(name).run()
    assert not at.exception, at.exception
    assert "profile=default" in at.markdown[-1].value  # nothing was created or switched to
    assert sorted(Store(os.environ["QUIZ_DB"]).profiles()) in ([], ["default"])
    box = at.sidebar.text_input(key="sidebar:new-profile")
    assert box.value == name  # what the student typed is not lost
    errors = " ".join(e.value for e in at.sidebar.error)
    assert (problem in errors) if problem else not errors


def test_sidebar_due_count_follows_the_store(content):
    from datetime import datetime, timezone

    from quizlib import progress
    from quizlib.model import Attempt

    store = Store(os.environ["QUIZ_DB"])
    progress.record_attempt(store, Attempt("default", "t-mse", "x", False, 0, 5,
                                           datetime(2020, 1, 1, tzinfo=timezone.utc)))
    at = AppTest.from_function(_sidebar_script, default_timeout=60)
    at.run()
    assert at.sidebar.metric[0].value == "1"  # a wrong answer from 2020 is long due


def test_an_edited_bank_shows_up_without_a_restart(content):
    at = open_page(page="banks")
    assert any("6 question(s)" in e.label for e in at.expander)
    bank = content / "tbank.md"
    bank.write_text(bank.read_text(encoding="utf-8") + "\n## t-new: A new question\nkind: number\npoints: 1\n"
                    "answer: 2\n\n### Prompt\nOne plus one?\n", encoding="utf-8")
    at.run()
    assert any("7 question(s)" in e.label for e in at.expander), [e.label for e in at.expander]


def _collect_script():
    import streamlit as st

    from quizlib.bank import find_question
    from quizlib.ui import common, quiz

    q = find_question(common.get_banks(), "t-mlp")
    answers = quiz.render_question(q, store=common.get_store(), key="exam", grade_now=False)
    st.write(f"collected={answers}")


def test_collect_mode_returns_answers_without_grading(content):
    at = AppTest.from_function(_collect_script, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key and b.key.endswith(":submit")]
    at.text_input(key="exam:t-mlp:0:W2:text").input("h(o-g)^T").run()
    assert formulas(at)  # the live echo is there in collect mode too
    assert "collected={'b2': '', 'W2': 'h(o-g)^T'}" in at.markdown[-1].value  # part order of the bank
    assert attempts() == []


def test_a_store_that_cannot_be_written_is_a_message(content, monkeypatch):
    from quizlib import progress
    from quizlib.errors import StoreError

    def broken(store, attempts):
        raise StoreError("disk full")

    monkeypatch.setattr(progress, "record_attempts", broken)
    at = answer(open_page("t-mse"), "t-mse", "2(o-g)")
    assert "Right" in texts(at.success) and "could not be saved: disk full" in texts(at.error)


def test_profile_survives_a_reload_through_the_url(content):
    at = AppTest.from_function(_sidebar_script, default_timeout=60)
    at.query_params["profile"] = "bob"
    at.run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="sidebar:profile").value == "bob"
    assert "profile=bob" in at.markdown[-1].value
    at.sidebar.selectbox(key="sidebar:profile").set_value("default").run()
    assert "profile" not in at.query_params


def test_submit_all_parts_grades_the_answered_parts_as_one_review(content):
    at = open_page("t-mlp")
    at.text_input(key=k("t-mlp", "W2", "text")).input("h(o-g)^T")
    at.text_input(key=k("t-mlp", "b2", "text")).input("o-g").run()
    at.button(key="practice:t-mlp:0:submit-all").click().run()
    assert not at.exception, at.exception
    assert texts(at.success).count("Right") == 2 and any("5 / 5" in m.value for m in at.markdown)
    rows = attempts("t-mlp")
    assert sorted((a.part_id, a.correct) for a in rows) == [("W2", True), ("b2", True)]
    assert len(Store(os.environ["QUIZ_DB"]).cards("default")) == 1


def test_submit_all_skips_unanswered_parts(content):
    at = open_page("t-mlp")
    at.text_input(key=k("t-mlp", "b2", "text")).input("g-o").run()
    at.button(key="practice:t-mlp:0:submit-all").click().run()
    assert [(a.part_id, a.correct) for a in attempts("t-mlp")] == [("b2", False)]
    assert not at.info  # no "type an answer first" for the part left empty


def test_attempts_record_listed_wrong_answer_and_time_for_the_class_page(content):
    at = open_page("t-mse")
    answer(at, "t-mse", "o - g")      # the bank's first listed wrong answer
    answer(at, "t-mse", "3(o - g)")   # wrong, not listed
    listed, unlisted = attempts("t-mse")
    assert listed.extra["verdict"] == "listed" and listed.extra["listed"] == 0
    assert "listed" not in unlisted.extra and unlisted.extra["verdict"] != "listed"
    assert 0 <= listed.extra["seconds"] <= unlisted.extra["seconds"] < 600  # time since the question was shown
