"""Real browser: Chromium opens the Practice page by deep link, types formulas, sees the echo, submits.

One test answers an expr question of the Lecture 3 bank with `^` and implicit
multiplication; the other answers the multi-part MLP-gradient question in matrix form.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizlib.bank import load_banks

ROOT = Path(__file__).resolve().parent.parent
BANKS = load_banks(str(ROOT / "content"))
LECTURE3 = next(b for b in BANKS if b.id == "lecture3_exam")


def mlp_question():
    """The Lecture 3 question whose parts are matrix gradients of the one-hidden-layer MLP."""
    return next(q for q in LECTURE3.questions if q.is_multi and sum(p.kind == "matrix" for p in q.parts) >= 2)


def css_key(qid: str, part: str, name: str, variant: int = 0) -> str:
    """The class Streamlit puts on a keyed widget (`st-key-` + key, other characters as `-`)."""
    return ".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", f"practice:{qid}:{variant}:{part or '_'}:{name}")


def answer_box(page, qid: str, part: str):
    return page.locator(f"{css_key(qid, part, 'text')} input")


def submit(page, qid: str, part: str) -> None:
    page.locator(f"{css_key(qid, part, 'submit')} button").click()


def open_question(page, qid: str, title: str) -> None:
    # Streamlit runs a first visit to a sub-page of a folder named pages/ in its old multipage mode
    # (without app.py) until some session has run app.py's st.navigation; so open the root first.
    page.goto(page.app_url)
    page.get_by_text("Profile").first.wait_for()
    page.goto(f"{page.app_url}/practice?q={qid}")
    page.get_by_text(title).first.wait_for()
    page.get_by_text("Profile").first.wait_for()  # the shared sidebar is there: app.py ran
    if page.get_by_text("Page not found").count():
        pytest.fail("/practice is not a page of app.py: a page with default=True is served only at / "
                    "(st.Page url_path is ignored for it), so deep links practice?q=<id> show "
                    "'Page not found'")


def type_and_see_echo(page, box, text: str, echoes: int = 1) -> None:
    """Type, commit with Enter, and wait until `echoes` "Read as" previews are on the page."""
    box.fill(text)
    box.press("Enter")  # Streamlit commits a text_input on Enter (or blur); the rerun draws the echo
    count_at_least(page, "Read as", echoes)


def count_at_least(page, text: str, n: int) -> None:
    page.wait_for_function("([t, n]) => document.body.innerText.split(t).length - 1 >= n", arg=[text, n])


@pytest.mark.browser
def test_expr_question_with_caret_and_implicit_product(page):
    q = next(x for x in LECTURE3.questions if x.id == "l3-mse")
    assert [p.id for p in q.parts] == ["loss", "grad"] and all(p.kind == "expr" for p in q.parts)
    open_question(page, q.id, q.title)
    loss, grad = answer_box(page, q.id, "loss"), answer_box(page, q.id, "grad")
    type_and_see_echo(page, loss, "o^2 - 2og + g^2")  # `^` and the implicit product `2og` = 2·o·g
    assert page.locator(".katex").count() >= 1  # the echo is typeset maths
    submit(page, q.id, "loss")
    page.get_by_text(re.compile("Right — 2 / 2")).first.wait_for()
    type_and_see_echo(page, grad, "(o-g)")
    submit(page, q.id, "grad")
    page.get_by_text(re.compile("Not right — 0 / 3")).first.wait_for()
    assert grad.input_value() == "(o-g)"  # the text stays
    grad.fill("2(o - g)")
    grad.press("Enter")
    submit(page, q.id, "grad")
    page.get_by_text(re.compile("Right — 3 / 3")).first.wait_for()
    page.get_by_text(re.compile("Score on this question: 5 / 5")).first.wait_for()


@pytest.mark.browser
def test_mlp_gradient_question_in_matrix_form(page):
    q = mlp_question()
    assert all(p.kind == "matrix" for p in q.parts)
    open_question(page, q.id, q.title)
    typed = {"W2": "h(o-g)^T", "b2": "o-g"}  # matrix form as a student writes it; W1, b1 as in the bank
    for n, part in enumerate(q.parts):
        box = answer_box(page, q.id, part.id)
        type_and_see_echo(page, box, typed.get(part.id, part.answer), echoes=n + 1)
        submit(page, q.id, part.id)
        count_at_least(page, "Right — ", n + 1)
    page.get_by_text(re.compile(f"Score on this question: {q.points:g} / {q.points:g}")).first.wait_for()
    box = answer_box(page, q.id, "W2")  # the transpose is refused with the shape explained
    box.fill("(o-g)h^T")
    box.press("Enter")
    submit(page, q.id, "W2")
    page.get_by_text(re.compile("Not right — 0 / 3")).first.wait_for()
    page.get_by_text(re.compile("the transpose")).first.wait_for()
