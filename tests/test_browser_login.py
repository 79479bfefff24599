"""Course mode end to end in Chromium against a local OpenID Connect provider (oidc-provider-mock)
that the test starts: log in, answer, log out, log in as another student and see only your own
progress (whatever the URL says), then as the teacher see the class on the Class page."""
from __future__ import annotations

import csv
import importlib.util
import io
import secrets
from pathlib import Path

import pytest
from app_process import answer_mse_loss, free_port, oidc_provider, streamlit_app
from axe_scan import scan, settle

ANA = {"sub": "ana-sub", "email": "ana@uni.example", "name": "Ana Lima"}
BEN = {"sub": "ben-sub", "email": "ben@uni.example", "name": "Ben Ode"}
TEACHER = {"sub": "teach-sub", "email": "teach@uni.example", "name": "Dr Teach"}


def log_in(page, url: str, who: dict) -> None:
    page.goto(url)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name=who["sub"], exact=True).click()  # the provider's predefined user
    page.get_by_text(f"Signed in as {who['name']}").wait_for()


def log_out(page, url: str) -> None:
    page.goto(f"{url}/review")  # a plain page (no "page not found" dialog over it)
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="End session").click()  # the provider's logout (RP-initiated)
    page.get_by_role("button", name="Log in").wait_for()


@pytest.mark.browser
@pytest.mark.serial  # three servers (app, provider, database) and a browser: too slow beside another worker
def test_login_answer_logout_and_isolation(browser, tmp_path):
    if importlib.util.find_spec("oidc_provider_mock") is None:
        pytest.fail("oidc-provider-mock is not installed (pip install -r requirements-dev.txt)")
    port = free_port()
    with oidc_provider([ANA, BEN, TEACHER]) as idp:
        secrets_file = tmp_path / "secrets.toml"
        secrets_file.write_text(f'''
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(16)}"
client_id = "quiz-course"
client_secret = "{secrets.token_hex(8)}"
server_metadata_url = "{idp}/.well-known/openid-configuration"

[course]
enabled = true
teachers = ["teach@uni.example"]
''', encoding="utf-8")
        env = {"QUIZ_DB": str(tmp_path / "course.sqlite3")}
        with streamlit_app(env, port=port, args=(f"--secrets.files={secrets_file}",)) as url:
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(60_000)  # generous: CI machines are shared
            try:
                # nobody logged in: the login screen, whatever page or profile is asked for
                page.goto(f"{url}/?profile=ana")
                page.get_by_role("button", name="Log in").wait_for()
                assert page.get_by_text("Cards due for review").count() == 0

                # Ana logs in and answers
                log_in(page, url, ANA)
                page.goto(f"{url}/practice?q=l3-mse")
                answer_mse_loss(page)
                assert page.get_by_text("Class", exact=True).count() == 0  # not a teacher
                page.goto(f"{url}/class_view")
                page.get_by_text("Page not found").or_(page.get_by_text("teachers only")).first.wait_for()
                log_out(page, url)

                # Ben sees none of Ana's progress, not even by asking for her profile in the URL
                log_in(page, url, BEN)
                for q in ("", "?profile=sub:ana-sub", "?profile=ana-sub"):
                    page.goto(f"{url}/dashboard{q}")
                    page.get_by_text("No answers yet").wait_for()
                    page.get_by_text(f"Signed in as {BEN['name']}").wait_for()
                page.goto(f"{url}/review?profile=sub:ana-sub")
                page.get_by_text("No cards yet").wait_for()
                log_out(page, url)

                # Ana again: her answer is still hers
                log_in(page, url, ANA)
                page.goto(f"{url}/review")
                page.get_by_text("Nothing is due. Next card").wait_for()
                log_out(page, url)

                # the teacher sees the class
                log_in(page, url, TEACHER)
                page.get_by_role("link", name="Class").click()
                caption = page.get_by_text("First tries only")  # the Class page's own caption
                try:
                    caption.wait_for(timeout=30_000)
                except Exception:  # seen about once in five runs: the click's rerun is lost; open it directly
                    page.goto(f"{url}/class_view")
                    caption.wait_for()
                settle(page)
                violations = scan(page)  # the Class page is reachable only here: scan it for accessibility
                assert not violations, "\n".join(violations)
                with page.expect_download() as got:
                    page.get_by_role("button", name="Download question statistics (.csv)").click()
                rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8"))))
                assert [(r["question"], r["students"], r["facility"]) for r in rows] == [("l3-mse", "1", "1.0")]
                page.get_by_role("tab", name="Students").click()
                with page.expect_download() as got:
                    page.get_by_role("button", name="Download students (.csv)").click()
                people = {r["student"]: r for r in csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8")))}
                assert people["Ana Lima"]["questions tried"] == "1" and people["Ben Ode"]["attempts"] == "0"
                assert not any(name.startswith("sub:") for name in people)  # by name, never by subject
                assert page.locator("canvas, svg").count() > 0  # the Altair charts rendered
            finally:
                context.close()
