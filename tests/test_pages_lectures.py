"""AppTest of studying by lecture: the Practice and Search lecture filters and the mock exam's
"like the real exam" draw and lecture range, through the pages' widgets (selected by key)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_study_lectures import lecture_banks

from quizlib import exam
from quizlib.bank.coverage import official_items
from quizlib.store import Store
from quizlib.ui import common
from page_scripts import page_script

ROOT = Path(__file__).resolve().parent.parent
PROFILE = "ana"

QUESTION = """
## {qid}: Question {qid}
kind: number
points: 1
answer: 2
{extra}
### Prompt
Type 2 ({qid}).
"""


def page(name: str) -> AppTest:
    return AppTest.from_file(page_script(name), default_timeout=30).run()


def texts(at: AppTest) -> str:
    return "\n".join([e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.info]
                     + [e.value for e in at.error])


@pytest.fixture
def ctx(monkeypatch):
    c = common.Context(Store(), PROFILE, lecture_banks())
    monkeypatch.setattr(common, "context", lambda: c)
    return c


def test_practice_filters_by_lecture(tmp_path, monkeypatch):
    (tmp_path / "a.md").write_text("---\ntitle: A\nlecture: 4\n---\n" + QUESTION.format(qid="p4a", extra="")
                                   + QUESTION.format(qid="p5", extra="lecture: 5")
                                   + QUESTION.format(qid="p4b", extra=""), encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: B\n---\n" + QUESTION.format(qid="none", extra="")
                                   + QUESTION.format(qid="p7", extra="lecture: 7"), encoding="utf-8")
    monkeypatch.setenv("QUIZ_CONTENT", str(tmp_path))
    at = page("practice.py")
    assert not at.exception
    box = at.selectbox(key="practice:lecture")
    assert box.options == ["All lectures", "Lecture 4", "Lecture 5", "Lecture 7"]
    assert "Question **1 / 5**" in texts(at)
    box.set_value(4).run()
    assert not at.exception and "Question **1 / 2**" in texts(at) and "Type 2 (p4a)" in texts(at)
    at.button(key="practice:next").click().run()
    assert "Type 2 (p4b)" in texts(at)
    at.selectbox(key="practice:lecture").set_value(5).run()
    assert "Question **1 / 1**" in texts(at) and "Type 2 (p5)" in texts(at)
    at.selectbox(key="practice:bank").set_value("b").run()
    assert "No question matches this bank, topic and lecture." in texts(at)
    at.selectbox(key="practice:lecture").set_value(7).run()
    assert "Type 2 (p7)" in texts(at)


def test_search_lists_a_lecture_without_words_and_narrows_words(ctx):
    at = page("search.py")
    at.selectbox(key="search-lecture").set_value(3).run()
    assert not at.exception
    page_text = texts(at)
    assert "2 question(s) found" in page_text and "(practice?q=c1)" in page_text and "lecture 3" in page_text
    at.text_input(key="search-query").input("title of c2").run()
    assert "1 question(s) found" in texts(at)
    at.selectbox(key="search-lecture").set_value("").run()
    at.text_input(key="search-query").input("prompt").run()
    assert f"{sum(len(b.questions) for b in ctx.banks)} question(s) found" in texts(at)


def start(at: AppTest, mode: str, n: int, lectures: tuple[int, int] | None, seed: int) -> None:
    at.radio(key="exam-mode").set_value(mode)
    if lectures:
        at.select_slider(key="exam-lectures").set_range(*lectures)
    at.number_input(key="exam-n").set_value(n)
    at.number_input(key="exam-seed").set_value(seed)
    next(b for b in at.button if "Start the exam" in b.label).click().run()
    assert not at.exception


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exam_like_the_real_exam_across_all_lectures(ctx, seed):
    at = page("exam.py")
    assert at.radio(key="exam-mode").value == "like-real"  # the default when the list is in the banks
    assert at.select_slider(key="exam-lectures").value == (1, 7)
    start(at, "like-real", 4, None, seed)
    rec = exam.current(ctx.store, PROFILE)
    by_id = {q.id: q for b in ctx.banks for q in b.questions}
    drawn = [by_id[qid] for qid, _ in rec.questions]
    assert sorted(q.lecture for q in drawn) == [1, 3, 4, 7] and all(official_items(q) for q in drawn)
    assert rec.settings["like_real"] is True and rec.settings["lectures"] == [] and rec.settings["seed"] == seed
    assert rec.settings["max_score"] == sum(q.points for q in drawn)
    shown = texts(at)
    assert all(f"lecture {q.lecture}" in shown for q in drawn)


def test_exam_restricted_to_a_lecture_range_in_both_modes(ctx):
    at = page("exam.py")
    start(at, "like-real", 5, (3, 4), 7)
    rec = exam.current(ctx.store, PROFILE)
    by_id = {q.id: q for b in ctx.banks for q in b.questions}
    assert rec.settings["lectures"] == [3, 4]
    assert sorted(qid for qid, _ in rec.questions) == ["c1", "c2", "d1", "d2"]  # every official item of 3-4
    at.button(key="exam-submit").click().run()
    at = page("exam.py")
    start(at, "any", 3, (4, 7), 8)
    rec = exam.current(ctx.store, PROFILE)
    assert len(rec.questions) == 3 and all(by_id[qid].lecture in (4, 7) for qid, _ in rec.questions)


def test_exam_with_nothing_in_range_is_a_message(ctx, monkeypatch):
    c = common.Context(Store(), PROFILE, [b for b in lecture_banks() if b.id in ("l01", "l04", "nielsen")])
    monkeypatch.setattr(common, "context", lambda: c)
    at = page("exam.py")
    at.radio(key="exam-mode").set_value("like-real")
    at.select_slider(key="exam-lectures").set_range(1, 1)
    at.number_input(key="exam-n").set_value(2)
    next(b for b in at.button if "Start the exam" in b.label).click().run()
    assert not at.exception and exam.current(c.store, PROFILE) is not None  # lecture 1 has two items
    at.button(key="exam-submit").click().run()
    c2 = common.Context(Store(), PROFILE, [b for b in lecture_banks() if b.id == "nielsen"])
    monkeypatch.setattr(common, "context", lambda: c2)
    at = page("exam.py")
    assert at.radio(key="exam-mode").value == "any"
    at.radio(key="exam-mode").set_value("like-real")
    next(b for b in at.button if "Start the exam" in b.label).click().run()
    assert not at.exception and "no questions of the official exam list" in "\n".join(e.value for e in at.error)
