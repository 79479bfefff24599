"""A real browser sits a two-question mock exam to its report (`streamlit run app.py` + Chromium)."""
from __future__ import annotations

import re

from pathlib import Path

import numpy as np
import pytest

from quizlib import exam, practice
from quizlib.bank import load_banks

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.browser


def expected_keys(seed: int, n: int) -> list[str]:
    """The container classes of the exam the start form draws with this seed (defaults otherwise)."""
    banks = load_banks(str(ROOT / "content"))
    lectures = practice.lectures(banks)
    settings = exam.settings_for(exam.default_mode(banks), n, 30, (),
                                 exam.lecture_range(lectures[0], lectures[-1], lectures), seed)
    drawn = exam.draw(banks, settings, np.random.default_rng(seed))
    return sorted("st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", f"exam-q-{q.id}") for q, _ in drawn)


def test_two_question_mock_exam_to_its_report(page):
    page.goto(f"{page.app_url}/exam")
    page.get_by_text("Start a mock exam").wait_for(timeout=60_000)  # a fresh server loads every bank first
    n = page.get_by_label("Number of questions")
    n.fill("2")
    n.press("Tab")
    seed = page.get_by_label("Seed (optional")  # a seeded draw: the same two questions on every run
    seed.fill("13")
    seed.press("Tab")
    page.get_by_role("button", name="Start the exam").click()

    page.get_by_text("Time left").wait_for()
    # each question sits in a container keyed by its id (class st-key-exam-q-<id>): found by that key,
    # not by a heading whose KaTeX maths splits its text
    boxes_q = page.locator('[class*="st-key-exam-q-"]')
    boxes_q.nth(1).wait_for()
    drawn = [boxes_q.nth(i).get_attribute("class") for i in range(boxes_q.count())]
    keys = sorted(re.search(r"st-key-exam-q-\S+", c).group(0) for c in drawn)
    assert keys == expected_keys(13, 2)
    # a reload is a new session: the same exam continues with the clock kept on the server
    page.reload()
    page.get_by_text("Time left").wait_for()
    page.locator(f".{keys[0]}").wait_for()
    page.locator(f".{keys[1]}").wait_for()
    assert page.get_by_role("button", name="Start the exam").count() == 0
    # answer whatever the two questions ask: a number/formula box, a derivation box, choice boxes
    boxes = page.get_by_label("Your answer")
    for i in range(boxes.count()):
        boxes.nth(i).fill("2*(o - g)")
        boxes.nth(i).press("Enter")
    areas = page.get_by_label("Your derivation")
    for i in range(areas.count()):
        areas.nth(i).fill("By the chain rule, $2(o-g)$.")
        areas.nth(i).press("Tab")
    page.wait_for_timeout(500)  # let the last rerun (auto-save) settle before submitting
    page.get_by_role("button", name="Submit the exam").click()

    page.get_by_text(re.compile(r"Score: [\d.]+ / [\d.]+")).wait_for()
    assert page.get_by_text("Report", exact=True).is_visible()
    assert page.get_by_text("Model solution").count() >= 1
    verdict = r"(right|wrong|could not be read|with the rubric|self-graded|not answered) — [\d.]+ / [\d.]+ points"
    verdicts = page.get_by_text(re.compile(verdict))
    assert verdicts.count() >= 2
    # the finished exam is listed in the history
    page.get_by_text("History", exact=True).wait_for()
    page.get_by_role("button", name="Show report").wait_for()
