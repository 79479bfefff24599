"""A real browser sits a two-question mock exam to its report (`streamlit run app.py` + Chromium)."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_two_question_mock_exam_to_its_report(page):
    page.goto(f"{page.app_url}/exam")
    page.get_by_text("Start a mock exam").wait_for()
    n = page.get_by_label("Number of questions")
    n.fill("2")
    n.press("Tab")
    page.get_by_role("button", name="Start the exam").click()

    page.get_by_text("Time left").wait_for()
    page.get_by_text(re.compile(r"^2\. ")).first.wait_for()  # the second question's heading
    first_title = page.get_by_text(re.compile(r"^1\. ")).first.inner_text()
    # a reload is a new session: the same exam continues with the clock kept on the server
    page.reload()
    page.get_by_text("Time left").wait_for()
    page.get_by_text(first_title, exact=True).wait_for()
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
    verdicts = page.get_by_text(re.compile("✅ right|❌ wrong|⚠️ could not be read|📝 grade it yourself|— not answered"))
    assert verdicts.count() >= 2
    # the finished exam is listed in the history
    page.get_by_text("History", exact=True).wait_for()
    page.get_by_role("button", name="Show report").wait_for()
