"""Every question of every bank in content/ opens on the Practice page (via ?q=<id>) without an exception,
shows its title, points and fully rendered prompt, and takes its own reference answer as right.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quizlib.bank import load_banks
from quizlib.store import Store

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = {q.id: q for b in load_banks(str(ROOT / "content")) for q in b.questions}


def test_there_are_questions():
    assert len(QUESTIONS) >= 8


@pytest.mark.parametrize("qid", sorted(QUESTIONS))
def test_question_renders_and_accepts_its_reference_answer(qid, monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_CONTENT", str(ROOT / "content"))
    at = AppTest.from_file("../pages/practice.py", default_timeout=60)
    at.query_params["q"] = qid
    at.run()
    assert not at.exception, at.exception
    q = QUESTIONS[qid]
    assert at.subheader[0].value == q.title
    assert any(f"{q.points:g} points" in c.value for c in at.caption)
    shown = "\n".join(m.value for m in at.markdown)
    assert "{{" not in shown, "a variant placeholder was left unrendered"
    import os

    variant = Store(os.environ["QUIZ_DB"]).get_variant("default", qid) or 0
    if q.n_variants > 1:
        from quizlib.variants import variant_of

        q = variant_of(q, variant)
    for part in q.parts:
        key = f"practice:{qid}:{variant}:{part.id or '_'}"
        if part.kind == "derivation":
            assert at.button(key=f"{key}:shown:btn")
            continue
        if part.kind == "choice":
            right = [c.label for c in part.choices if c.correct]
            if sum(c.correct for c in part.choices) == 1:
                at.radio(key=f"{key}:radio").set_value(right[0])
            else:
                for c in part.choices:
                    at.checkbox(key=f"{key}:c{c.label}").set_value(c.correct)
        else:
            at.text_input(key=f"{key}:text").input(part.answer)
        at.run()
        at.button(key=f"{key}:submit").click().run()
        assert not at.exception, at.exception
        verdicts = "\n".join(s.value for s in at.success)
        assert verdicts.count("Right") >= 1, f"part {part.id!r}: reference answer {part.answer!r} not accepted: " \
                                             + "\n".join(e.value for e in [*at.error, *at.warning])
