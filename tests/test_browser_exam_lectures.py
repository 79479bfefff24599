"""A real browser draws mock exams by lecture: one "like the real exam" across every lecture of the
official list, then one restricted to a lecture range (seeded draws; widgets and questions found by
their stable keys, `.st-key-<key>`)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizlib import practice
from quizlib.bank import load_banks
from quizlib.bank.coverage import official_items

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent


def content():
    banks = load_banks(ROOT / "content")
    by_id = {q.id: q for b in banks for q in b.questions}
    official = sorted({q.lecture for q in by_id.values() if official_items(q)})
    return by_id, practice.lectures(banks), official


def official_points() -> dict[str, float]:
    """The official list's points per item, read from the catalogues in content/sources/."""
    items = {}
    for f in (ROOT / "content" / "sources").glob("npfl114-lecture-*.md"):
        text = f.read_text(encoding="utf-8")
        for item, pts in re.findall(r"^- (npfl-l\d\d-q\d+): .*\[(\d+)\]\s*$", text, flags=re.MULTILINE):
            items[item] = float(pts)
    return items


def drawn_ids(page) -> list[str]:
    page.locator("[class*='st-key-exam-q-']").first.wait_for()
    classes = page.locator("[class*='st-key-exam-q-']").evaluate_all("els => els.map(e => e.className)")
    return [re.search(r"st-key-exam-q-(\S+)", c).group(1) for c in classes]


def fill(page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Tab")


def start(page, n: int, seed: int) -> list[str]:
    fill(page, "exam-n", str(n))
    fill(page, "exam-seed", str(seed))
    page.get_by_role("button", name="Start the exam").click()
    page.get_by_text("Time left").wait_for()
    # Streamlit draws the questions one after another: read the ids once all n are on the page
    page.wait_for_function("n => document.querySelectorAll(\"[class*='st-key-exam-q-']\").length >= n", arg=n)
    return drawn_ids(page)


def test_exam_across_all_lectures_then_a_lecture_range(page):
    by_id, lectures, official = content()
    assert len(official) >= 6, official  # lectures 1-5 and 7 at least
    page.goto(f"{page.app_url}/exam")
    page.get_by_text("Start a mock exam").wait_for()
    # the default draw is "like the real exam"; one question for every lecture of the official list
    assert page.locator(".st-key-exam-mode input[type=radio]").first.is_checked()
    ids = start(page, len(official), seed=20261202)
    assert len(ids) == len(official) == len(set(ids))
    assert sorted(by_id[i].lecture for i in ids) == official  # round the lectures: one each
    assert all(official_items(by_id[i]) for i in ids)
    real = official_points()
    for i in ids:  # each question's header names its lecture and its real points (the list's, from the catalogue)
        caption = page.locator(f".st-key-exam-q-{i}").get_by_text(re.compile(r"points · .* · lecture \d+"))
        shown = caption.first.inner_text()
        assert f"lecture {by_id[i].lecture}" in shown
        assert float(shown.split(" points")[0]) in {real[item] for item in official_items(by_id[i])}, (i, shown)
    page.locator(".st-key-exam-submit button").click()
    page.get_by_text(re.compile(r"Score: [\d.]+ / [\d.]+")).wait_for()

    # now only lectures 4 to 9: move the range slider's thumbs with the keyboard
    lo, hi = lectures.index(4), lectures.index(9)
    thumbs = page.locator(".st-key-exam-lectures input[type=range]")  # start and end thumbs
    thumbs.first.wait_for(state="attached")  # visually hidden inputs
    assert thumbs.count() == 2
    thumbs.nth(0).focus()
    for _ in range(lo):
        thumbs.nth(0).press("ArrowRight")
    thumbs.nth(1).focus()
    for _ in range(len(lectures) - 1 - hi):
        thumbs.nth(1).press("ArrowLeft")
    page.locator(".st-key-exam-lectures").get_by_text("Lecture 4").first.wait_for()
    page.locator(".st-key-exam-lectures").get_by_text("Lecture 9").first.wait_for()
    in_range = [x for x in official if 4 <= x <= 9]
    ids = start(page, 4, seed=7)
    assert len(ids) == 4
    assert all(4 <= by_id[i].lecture <= 9 for i in ids), [(i, by_id[i].lecture) for i in ids]
    assert all(official_items(by_id[i]) for i in ids)
    # 4 questions round the lectures of the range: as many lectures asked as can be
    assert len({by_id[i].lecture for i in ids}) == min(4, len(in_range))
