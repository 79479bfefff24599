"""Every question of every bank in content/ opens on the Practice page (via ?q=<id>) without an exception
and shows its title, points and fully rendered prompt. The Lecture 3 exam questions and the first
question of every other bank are also answered with their reference answers through the page (every
question with QUIZ_ALL_ANSWERS=1; the checker's own tests cover every reference answer already).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quizlib.bank import load_banks
from quizlib.grading import points_label
from quizlib.store import Store

ROOT = Path(__file__).resolve().parent.parent
BANKS = load_banks(str(ROOT / "content"))
QUESTIONS = {q.id: q for b in BANKS for q in b.questions}
ANSWERED = {q.id for b in BANKS for i, q in enumerate(b.questions)
            if b.id == "lecture3_exam" or i == 0 or os.environ.get("QUIZ_ALL_ANSWERS") == "1"}


def test_there_are_questions():
    assert len(QUESTIONS) >= 8


@pytest.mark.parametrize("qid", sorted(QUESTIONS))
def test_question_renders_and_accepts_its_reference_answer(qid, monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_CONTENT", str(ROOT / "content"))
    at = AppTest.from_file("../pages/quiz/practice.py", default_timeout=60)
    at.query_params["q"] = qid
    at.run()
    assert not at.exception, at.exception
    q = QUESTIONS[qid]
    assert at.subheader[0].value == q.title
    assert any(points_label(q.points) in c.value for c in at.caption)
    shown = "\n".join(m.value for m in at.markdown)
    assert "{{" not in shown, "a variant placeholder was left unrendered"
    if qid not in ANSWERED:
        return
    variant = Store(os.environ["QUIZ_DB"]).get_variant("default", qid) or 0
    if q.n_variants > 1:
        from quizlib.bank.variants import variant_of

        q = variant_of(q, variant)
    keys = []
    for part in q.parts:  # fill in every part first, then submit them one by one
        key = f"practice:{qid}:{variant}:{part.id or '_'}"
        if part.kind == "derivation":
            assert at.button(key=f"{key}:shown:btn")
            continue
        keys.append((part, key))
        if part.kind == "choice":
            right = [c.label for c in part.choices if c.correct]
            if sum(c.correct for c in part.choices) == 1:
                at.radio(key=f"{key}:radio").set_value(right[0])
            else:
                for c in part.choices:
                    at.checkbox(key=f"{key}:c{c.label}").set_value(c.correct)
        else:
            at.text_input(key=f"{key}:text").input(part.answer)
    for n, (part, key) in enumerate(keys, 1):
        at.button(key=f"{key}:submit").click().run()
        assert not at.exception, at.exception
        verdicts = "\n".join(s.value for s in at.success)
        assert verdicts.count("Right —") == n, f"part {part.id!r}: answer {part.answer!r} not accepted: " \
                                              + "\n".join(e.value for e in [*at.error, *at.warning])
