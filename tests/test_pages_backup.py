"""Pages and bad data: the Export & backup page refuses a bad file with its list of problems and imports
a good one into another profile whole; every page renders for a profile whose stored rows include
unreadable ones (written straight through the store's engine), and the sidebar says so once."""
from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from quizlib import export, progress
from quizlib import store as store_module
from quizlib.model import Attempt
from quizlib.store import Store
from page_scripts import page_script

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.name for p in (ROOT / "pages").glob("*/*.py"))  # page scripts, not pages/<url>.py
BANK = """---
title: Backup page bank
topics: testing
---

## bk-a: Square
kind: expr
points: 2
symbols: x
answer: x**2

### Prompt
What is $x \\cdot x$?

## bk-b: Two
kind: number
points: 1
answer: 2

### Prompt
What is $1 + 1$?
"""
T0 = datetime.now(UTC) - timedelta(days=2)


@pytest.fixture
def content(tmp_path, monkeypatch):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "bk.md").write_text(BANK, encoding="utf-8")
    monkeypatch.setenv("QUIZ_CONTENT", str(tmp_path / "content"))
    return Store(os.environ["QUIZ_DB"])  # the store the pages open ($QUIZ_DB, set by conftest)


def fill(store: Store, profile: str) -> None:
    for i, (qid, ok) in enumerate([("bk-a", True), ("bk-b", False), ("bk-a", False)]):
        progress.record_attempt(store, Attempt(profile=profile, question_id=qid, answer=f"x{i}", correct=ok,
                                               score=2.0 * ok, max_score=2.0, created_at=T0 + timedelta(hours=i)))
    store.add_bookmark(profile, "bk-b", T0)


def run(page: str, **query) -> AppTest:
    at = AppTest.from_file(page_script(page), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def full_export(store: Store) -> dict:
    return {p: store.dump_profile(p) for p in store.profiles()}


def test_export_page_refuses_a_bad_file_then_imports_a_good_one_into_another_profile(content):
    store = content
    fill(store, "default")
    good = export.backup_json(store, "default", T0)
    doc = json.loads(good)
    doc["tables"]["attempts"][0]["created_at"] = "not a date"
    doc["tables"]["attempts"][1]["extra"] = "{{{"
    before = full_export(store)

    at = run("data.py")
    at.file_uploader(key="up-backup").set_value(("bad.json", json.dumps(doc).encode(), "application/json")).run()
    at.button(key="up-import").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Nothing was imported and nothing was written: 2 problem(s)")
    listed = at.code[0].value
    assert "attempts row 1: created_at is not a date ('not a date')" in listed
    assert "attempts row 2: extra is not JSON" in listed
    assert full_export(store) == before

    at.file_uploader(key="up-backup").set_value(("good.json", good.encode(), "application/json")).run()
    at.text_input(key="up-profile").input("alice").run()
    at.button(key="up-import").click().run()
    assert not at.exception and not at.error
    n = sum(len(r) for r in doc["tables"].values())
    assert f"Imported into **alice**: {n} row(s) added, 0 already there" in at.success[0].value
    assert len(store.attempts("alice")) == len(store.attempts("default")) == 3
    assert [b.question_id for b in store.bookmarks("alice")] == ["bk-b"]
    at.button(key="up-import").click().run()
    assert f"0 row(s) added, {n} already there and skipped" in at.success[0].value


def test_export_page_refuses_a_long_profile_name_and_names_unknown_questions(content):
    src = Store(Path(os.environ["QUIZ_DB"]).with_name("other.sqlite3"))
    src.add_bookmark("default", "gone-question", T0)
    data = export.backup_json(src, "default", T0).encode()
    at = run("data.py")
    at.file_uploader(key="up-backup").set_value(("b.json", data, "application/json")).run()
    at.text_input(key="up-profile").input("n" * 40).run()  # the box holds MAX_NAME characters
    at.button(key="up-import").click().run()
    assert not at.exception and "1 row(s) added" in at.success[0].value
    assert "gone-question" in at.code[-1].value and "not in the banks here" in at.info[0].value
    with pytest.raises(Exception, match="at most 40 characters"):
        export.import_backup(content, data, T0, profile="n" * 41)


def corrupt(store: Store, profile: str) -> int:
    """Rows no reader accepts, written past the store's API; returns how many."""
    now = store_module.iso(T0)
    bad = {
        store_module.attempts_t: [
            dict(uuid=str(uuid.uuid4()), profile=profile, question_id="bk-a", answer="x", correct=1, score=1.0,
                 max_score=2.0, created_at="not a date", extra="{}"),
            dict(uuid=str(uuid.uuid4()), profile=profile, question_id="bk-b", answer="x", correct=0, score=0.0,
                 max_score=1.0, created_at=now, extra="{{{"),
            dict(uuid=str(uuid.uuid4()), profile=profile, question_id="bk-a", answer="x", correct=0, score="lots",
                 max_score=1.0, created_at=now, extra="{}"),
        ],
        store_module.exams_t: [
            dict(uuid=str(uuid.uuid4()), profile=profile, started_at=now, deadline=now, questions='[["bk-a", 0]]',
                 submitted_at=now, report="{{{", score=1.0, max_score=2.0),
            dict(uuid=str(uuid.uuid4()), profile=profile, started_at="soon", deadline=now, questions="[]"),
        ],
        store_module.cards_t: [dict(profile=profile, question_id="bk-b", card="{{{", due="tomorrow")],
        store_module.bookmarks_t: [dict(profile=profile, question_id="bk-a", created_at="yesterday")],
        store_module.variants_t: [dict(profile=profile, question_id="bk-a", variant="abc")],
    }
    with store.engine.begin() as con:  # untyped SQL: "lots" in a REAL column is what SQLite would keep
        con.execute(sa.text("DELETE FROM cards WHERE profile = :p AND question_id = 'bk-b'"), {"p": profile})
        for table, rows in bad.items():
            for r in rows:
                con.execute(sa.text(f"INSERT INTO {table.name} ({', '.join(r)}) VALUES "
                                    f"({', '.join(':' + c for c in r)})"), r)
    return sum(len(r) for r in bad.values())


@pytest.fixture
def broken(content):
    store = content
    fill(store, "ana")
    return store, corrupt(store, "ana")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_unreadable_rows(broken, page):
    store, n_bad = broken
    query = {"profile": "ana", **({"q": "bk-a"} if page == "practice.py" else {})}
    at = run(page, **query)
    assert not at.exception, at.exception
    if page == "dashboard.py":
        assert "3" in [str(m.value) for m in at.metric][:2]  # the three good attempts, the bad ones left out
    if page in ("data.py", "review.py", "exam.py", "practice.py", "dashboard.py"):
        assert len(Store(os.environ["QUIZ_DB"]).attempts("ana")) == 3


def _sidebar_script():
    from quizlib.ui.common import sidebar

    sidebar()


def test_sidebar_reports_unreadable_rows_once(broken):
    store, n_bad = broken
    at = AppTest.from_function(_sidebar_script, default_timeout=60)
    at.query_params["profile"] = "ana"
    at.run()
    assert not at.exception
    [warning] = at.sidebar.warning
    assert warning.value.startswith(f"{n_bad} stored row(s) of this profile cannot be read")
    assert "created_at is not a date" in at.sidebar.code[0].value
    at.run()
    assert len(at.sidebar.warning) == 1  # one warning per run, not one per row or per read
    data = json.loads(export.backup_json(store, "ana", T0))  # the export skips them and imports cleanly
    assert len(data["tables"]["attempts"]) == 3
    assert export.import_backup(Store(Path(os.environ["QUIZ_DB"]).with_name("x.sqlite3")), json.dumps(data), T0)


def _profile_script():
    import streamlit as st

    from quizlib.ui.common import current_profile, sidebar

    sidebar()
    st.write(f"profile={current_profile()}")


@pytest.mark.parametrize("asked, shown", [("n" * 41, "default"), ("a\u0007b", "default"), (" ana ", "ana")])
def test_a_link_follows_the_profile_name_rule(content, asked, shown):
    at = AppTest.from_function(_profile_script, default_timeout=60)
    at.query_params["profile"] = asked
    at.run()
    assert not at.exception and at.markdown[-1].value == f"profile={shown}"
