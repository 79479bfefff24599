"""The Practice page with a step-checked derivation (AppTest): each line's mark beside its preview,
the first ✗ highlighted, the app's rubric ticks, and the stored attempt with lines, marks and score."""
from __future__ import annotations

import os

import pytest
from page_scripts import page_script
from streamlit.testing.v1 import AppTest
from test_bank_steps import GOOD

from quizlib.store import Store

K = "practice:s1:0:_:"
STEPS = "∂L/∂z = ∂L/∂o · ∂o/∂z\n= (−g/o + (1−g)/(1−o)) · o(1−o)\n= −g(1−o) + (1−g)o\n= o − g"


@pytest.fixture
def at(tmp_path, monkeypatch):
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "steps.md").write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("QUIZ_CONTENT", str(folder))
    app = AppTest.from_file(page_script("practice"), default_timeout=60)
    app.query_params["q"] = "s1"
    app.run()
    assert not app.exception, app.exception
    return app


def md(app) -> str:
    return "\n".join(m.value for m in app.markdown)


def test_marks_ticks_first_wrong_and_stored_attempt(at):
    at.text_area(key=K + "text").input(STEPS).run()
    assert not at.exception, at.exception
    assert md(at).count("✓ · line") == 4 and "✗" not in md(at)
    assert "starts from the quantity asked" in md(at) and "ends at the answer" in md(at)
    assert at.checkbox(key=K + "r0").value and at.checkbox(key=K + "r2").value
    assert not at.checkbox(key=K + "r1").value and "ticked by the app" in at.checkbox(key=K + "r0").label
    at.checkbox(key=K + "r1").check().run()
    at.button(key=K + "record").click().run()
    assert "4 / 4" in "\n".join(s.value for s in at.success)
    a = Store(os.environ["QUIZ_DB"]).attempts("default", "s1")[-1]
    assert a.score == 4 and a.answer == STEPS and a.extra["steps"] == [[1, "ok"], [2, "ok"], [3, "ok"], [4, "ok"]]
    assert a.extra["auto_ticked"] == [0, 2] and a.extra["step_lines"][3] == "= o − g"

    broken = STEPS.replace("= −g(1−o) + (1−g)o", "= g(1−o) + (1−g)o")
    at.text_area(key=K + "text").input(broken).run()
    assert [e.value for e in at.error if "First wrong step: line 3" in e.value]
    assert "✗" in md(at) and at.checkbox(key=K + "r2").value  # the right end still earns its points
    at.text_area(key=K + "text").input(STEPS.replace("o(1−o)", "o(1+o)")).run()
    assert not at.checkbox(key=K + "r0").value  # σ′ no longer shown by a ✓ line: the app's tick goes
    assert at.text_area(key=K + "text").value == STEPS.replace("o(1−o)", "o(1+o)")


def test_unreadable_line_keeps_text_and_cannot_tick_an_absent_formula(at):
    at.text_area(key=K + "text").input("∂L/∂z = o − q").run()
    assert any("cannot be read" in w.value and "`q`" in w.value for w in at.warning)
    assert at.checkbox(key=K + "r0").disabled and at.checkbox(key=K + "r2").disabled
    assert not at.checkbox(key=K + "r1").disabled
    assert at.text_area(key=K + "text").value == "∂L/∂z = o − q"
