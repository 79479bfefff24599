"""Two app processes on one PostgreSQL database, as two replicas behind a proxy would be:
an answer given on one is an attempt, a review card and progress on the other; a mock exam
started on one runs on the other with the same deadline, and its report is in both histories."""
from __future__ import annotations

import re
import time

import pytest
from app_process import answer_mse_loss, streamlit_app


def minutes_left(page) -> int:
    page.get_by_text("Time left").wait_for()
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Time left")
    text = metric.locator('[data-testid="stMetricValue"]').first.inner_text()
    m, s = map(int, re.fullmatch(r"(\d+):(\d+)", text.strip()).groups())
    return m * 60 + s


def open_app(page, url: str, path: str) -> None:
    page.goto(f"{url}/?profile=ana")  # the root first: a fresh server's first request must run app.py
    page.get_by_text("Cards due for review").first.wait_for()
    page.goto(f"{url}/{path}")


@pytest.mark.browser
def test_two_processes_share_progress_and_exam(browser, pg_server):
    db = pg_server.create_database()
    with streamlit_app({"QUIZ_DB_URL": db}) as a, streamlit_app({"QUIZ_DB_URL": db}) as b:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)  # generous: CI machines are shared
        try:
            # 1. answer on A
            open_app(page, a, "practice?q=l3-mse&profile=ana")
            answer_mse_loss(page)

            # 2. on B: the review card and the progress are there
            open_app(page, b, "review?profile=ana")
            page.get_by_text("Nothing is due. Next card").wait_for()
            open_app(page, b, "dashboard?profile=ana")
            page.get_by_text("Progress", exact=True).first.wait_for()
            assert page.get_by_text("No answers yet").count() == 0

            # 3. a mock exam started on A runs on B against the same deadline
            open_app(page, a, "exam?profile=ana")
            page.get_by_label("Number of questions").fill("1")
            page.get_by_label("Minutes").fill("20")
            page.get_by_role("button", name="Start the exam").click()
            left_a = minutes_left(page)
            time.sleep(2)
            open_app(page, b, "exam?profile=ana")
            left_b = minutes_left(page)
            assert 20 * 60 - 60 < left_b <= left_a <= 20 * 60  # the same clock, not a fresh 20 minutes
            assert page.get_by_role("button", name="Start the exam").count() == 0
            page.get_by_role("button", name="Submit the exam").click()
            page.get_by_text(re.compile(r"Score: [\d.]+ / [\d.]+")).wait_for()

            # 4. the report is in A's history too
            open_app(page, a, "exam?profile=ana")
            page.get_by_text("History", exact=True).wait_for()
            page.get_by_role("button", name="Show report").wait_for()
            assert page.get_by_text("No finished exams yet").count() == 0
        finally:
            context.close()
