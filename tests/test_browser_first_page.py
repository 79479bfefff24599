"""Real browser: the first page after a server start, the profile picker, and a phone-sized screen.

Streamlit 1.67 runs the very first request of a fresh server in its legacy multipage mode while a
folder named pages/ sits beside app.py (quizlib/ui/navigation.py): so each deep-link check starts its
own server and makes the deep link its very first request. The profile and phone checks share one.
"""
from __future__ import annotations

import re

import pytest
from app_process import streamlit_app

pytestmark = pytest.mark.browser

QID, TITLE = "l3-mse", "MSE loss of a single output and its gradient"
NOTICE = re.compile("Page not found|does not seem to exist")
FIRST_LOAD = 90_000  # ms: a fresh server loads every bank first, slow while other jobs load the machine
APP_NAV = ["Practice", "Mock exam", "Export & backup", "Labs"]  # the app's menu, not bare file names


def new_page(browser, url: str, width: int = 1280, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.app_url = url
    return page


def assert_app_navigation(page) -> None:
    nav = page.get_by_test_id("stSidebarNav")
    nav.wait_for()
    text = nav.inner_text()
    assert all(item in text for item in APP_NAV), text
    assert "lab ce mse" not in text.lower() and "class view" not in text.lower(), text  # legacy mode's list
    page.get_by_text("Cards due for review").wait_for()  # the shared sidebar: the app's navigation ran
    assert page.locator(".st-key-sidebar-profile").count() == 1  # the profile picker
    assert page.get_by_text(NOTICE).count() == 0


@pytest.fixture
def fresh_server(tmp_path):
    with streamlit_app({"QUIZ_DB": str(tmp_path / "p.sqlite3")}) as url:
        yield url


def test_fresh_server_first_request_practice_deep_link(browser, fresh_server):
    page = new_page(browser, fresh_server)
    page.goto(f"{fresh_server}/practice?q={QID}")
    page.get_by_text(TITLE).first.wait_for(timeout=FIRST_LOAD)
    assert_app_navigation(page)
    page.locator(f".st-key-practice-{QID}-0-loss-text input").wait_for()  # the question's own answer box
    assert f"q={QID}" in page.url and "/practice" in page.url
    page.context.close()


def test_fresh_server_first_request_data_page(browser, fresh_server):
    page = new_page(browser, fresh_server)
    page.goto(f"{fresh_server}/data")
    page.get_by_role("heading", name="Export & backup").wait_for(timeout=FIRST_LOAD)
    page.locator(".st-key-up-profile input").wait_for()
    assert_app_navigation(page)
    page.context.close()


def pick_profile(page, name: str) -> None:
    page.locator(".st-key-sidebar-profile").click()
    page.get_by_role("option", name=name, exact=True).click()


def has_value(locator, value: str) -> None:
    """Wait (through the rerun, while old elements are still drawn as stale) for an input's value."""
    from playwright.sync_api import expect

    expect(locator).to_have_value(value, timeout=30_000)


def shows_profile(page, name: str) -> None:
    has_value(page.get_by_role("combobox", name="Profile"), name)


def gone(page, selector: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(selector)).to_have_count(0, timeout=30_000)  # stale until the rerun ends


def test_create_and_switch_profiles(browser, app_server):
    page = new_page(browser, app_server)
    page.goto(f"{app_server}/practice")
    page.get_by_text("Cards due for review").wait_for()
    pick_profile(page, "New profile…")
    box = page.locator(".st-key-sidebar-new-profile input")
    box.fill("alice")
    box.press("Enter")
    shows_profile(page, "alice")
    gone(page, ".st-key-sidebar-new-profile")  # the name box is gone
    page.get_by_test_id("stSidebarNav").get_by_text("Export & backup").click()
    has_value(page.locator(".st-key-up-profile input"), "alice")
    shows_profile(page, "alice")
    assert page.locator(".st-key-sidebar-new-profile").count() == 0  # not back on another page either
    pick_profile(page, "default")
    shows_profile(page, "default")
    page.get_by_text("Your attempts (default)").wait_for()
    has_value(page.locator(".st-key-up-profile input"), "default")  # follows the switch
    pick_profile(page, "alice")
    page.get_by_text("Your attempts (alice)").wait_for()
    has_value(page.locator(".st-key-up-profile input"), "alice")
    page.context.close()


def test_phone_shows_the_question_in_the_first_screen(browser, app_server, tmp_path):
    page = new_page(browser, app_server, width=375, height=812)
    page.goto(f"{app_server}/practice?q={QID}")
    title = page.get_by_role("heading", name=TITLE)
    title.wait_for()
    page.screenshot(path=str(tmp_path / "phone.png"))
    box = title.bounding_box()
    assert box is not None and box["y"] + box["height"] < 812, box  # the whole title is on the first screen
    assert not page.get_by_label("Topic").is_visible()  # the filters are folded away
    nav = [page.locator(f".st-key-practice-{k} button").bounding_box() for k in ("prev", "next", "shuffle")]
    assert len({round(b["y"]) for b in nav}) == 1, nav  # one navigation row, not three stacked buttons
    page.context.close()
