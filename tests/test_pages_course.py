"""Course mode in the pages (AppTest): login required, progress keyed by the login's subject,
and every way a student could reach another's data tried — the profile query parameter,
the Progress, Review, Export & backup and Class pages, the backup import target."""
from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quizlib import export
from quizlib.model import Attempt
from quizlib.store import Store
from quizlib.ui import course
from page_helpers import page_tables
from page_scripts import page_script

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ANA = {"sub": "ana-sub", "email": "ana@uni.example", "name": "Ana Lima"}
BEN = {"sub": "ben-sub", "email": "ben@uni.example", "name": "Ben Ode"}
TEACHER = {"sub": "t-sub", "email": "teach@uni.example", "name": "Dr Teach"}


@pytest.fixture
def login(monkeypatch):
    """Course mode on; `login(user)` makes the next runs see that user (None: nobody)."""
    monkeypatch.setenv("QUIZ_COURSE", "1")
    monkeypatch.setenv("QUIZ_TEACHERS", "teach@uni.example")
    who = {"user": None}
    monkeypatch.setattr(course, "current_user", lambda: who["user"])
    return lambda user: who.update(user=user)


def run(page: str, **query) -> AppTest:
    at = AppTest.from_file(page_script(page), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.title] + [m.value for m in at.subheader]
    parts += [m.value for m in at.info] + [m.value for m in at.error] + [m.value for m in at.caption]
    return "\n".join(str(p) for p in parts)


def seed(store: Store) -> None:
    for who, answer in (("sub:ana-sub", "ana's secret answer"), ("sub:ben-sub", "ben's secret answer")):
        store.add_attempt(Attempt(profile=who, question_id="q-x",
                                  answer=answer, correct=False, score=0, max_score=1, created_at=T0,
                                  extra={"seconds": 30}))
    store.set_identity("sub:ana-sub", "Ana Lima", "ana@uni.example")
    store.set_identity("sub:ben-sub", "Ben Ode", "ben@uni.example")


def test_nobody_logged_in_sees_only_the_login(login):
    for page in ("practice.py", "dashboard.py", "data.py", "class_view.py"):
        at = run(page)
        assert not at.exception, page
        assert [b.label for b in at.button] == ["Log in"], page
        assert "Log in to practise" in text(at)


def test_the_profile_query_parameter_cannot_switch_student(login):
    store = Store(os.environ["QUIZ_DB"])
    seed(store)
    login(ANA)
    for profile in ("sub:ben-sub", "ben-sub", "default"):
        at = run("data.py", profile=profile)
        assert not at.exception
        assert "Your attempts (sub:ana-sub)" in text(at)
        assert not [t for t in at.text_input if t.label == "Into profile"]  # no import into another profile
    assert "ben" not in export.attempts_csv(store, "sub:ana-sub")


def test_progress_and_review_show_only_your_own(login):
    store = Store(os.environ["QUIZ_DB"])
    seed(store)
    login(BEN)
    at = run("dashboard.py", profile="sub:ana-sub")
    assert not at.exception and "ana" not in text(at).lower()
    at = run("review.py", profile="sub:ana-sub")
    assert not at.exception and "ana" not in text(at).lower()


def test_class_page_refuses_students_and_local_mode(login, monkeypatch):
    seed(Store(os.environ["QUIZ_DB"]))
    login(ANA)
    at = run("class_view.py")
    assert "for the course's teachers only" in text(at)
    assert not at.dataframe and "secret" not in text(at)
    login({**ANA, "email": "teach@uni.example", "email_verified": False})  # claims a teacher's address
    assert "teachers only" in text(run("class_view.py"))
    monkeypatch.setenv("QUIZ_COURSE", "0")
    assert "belongs to course mode" in text(run("class_view.py"))


def test_class_page_for_a_teacher(login):
    seed(Store(os.environ["QUIZ_DB"]))
    login(TEACHER)
    at = run("class_view.py")
    assert not at.exception
    assert at.title[0].value == "Class"
    items = page_tables(at)[0].value
    assert list(items["question"]) == ["q-x"] and list(items["students"]) == [2]
    students = page_tables(at)[2].value
    assert set(students["student"]) >= {"Ana Lima", "Ben Ode"}
    assert all(not s.startswith("sub:") for s in students["student"])


def test_backup_import_lands_in_your_own_profile(login, tmp_path):
    src = Store(tmp_path / "other.sqlite3")
    src.add_attempt(Attempt(profile="sub:ben-sub", question_id="q", answer="planted", correct=True, score=1,
                            max_score=1, created_at=T0))
    doc = json.loads(export.backup_json(src, "sub:ben-sub", T0))
    assert doc["profile"] == "sub:ben-sub"
    store = Store(os.environ["QUIZ_DB"])
    result = export.import_backup(store, json.dumps(doc), T0, profile="sub:ana-sub")  # what data.py passes
    assert result["profile"] == "sub:ana-sub" and store.attempts("sub:ben-sub") == []


def everything(at: AppTest) -> str:
    """Every value the run rendered: text elements, widget values and labels, tables, expanders."""
    seen = []

    def walk(node):
        for attr in ("value", "label", "body"):
            v = getattr(node, attr, None)
            if v is not None and not callable(v):
                seen.append(v.to_csv() if hasattr(v, "to_csv") else str(v))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(seen)


def test_no_page_shows_another_students_exam_attempts_or_bookmarks(login):
    """Ana has an answered, bookmarked question and a submitted mock exam; Ben opens every
    student page with her profile in the URL (and her exam's id in his session) and sees none of it."""
    from quizlib import exam
    from quizlib.bank import load_banks

    store = Store(os.environ["QUIZ_DB"])
    seed(store)
    store.add_attempt(Attempt(profile="sub:ana-sub", question_id="l3-mse", answer="ana's secret answer",
                              correct=False, score=0, max_score=2, created_at=T0, part_id="loss"))
    store.add_bookmark("sub:ana-sub", "l3-mse", T0, note="ana's secret note")
    banks = load_banks(ROOT / "content")
    rec = exam.start(store, "sub:ana-sub", banks, exam.ExamSettings(n_questions=2, seed=3), T0)
    answers = {exam.answer_key(qid, p.id): "ana's secret exam answer"
               for q, (qid, _) in zip(exam.questions(rec, banks), rec.questions) for p in q.parts}
    done = exam.submit(store, rec, banks, answers, T0)
    assert done.finished and "secret" in json.dumps(done.answers)
    login(BEN)
    runs = {page: run(page, profile="sub:ana-sub") for page in ("dashboard.py", "review.py", "search.py", "data.py")}
    runs["practice.py"] = run("practice.py", q="l3-mse", profile="sub:ana-sub")
    at = AppTest.from_file(page_script("exam"), default_timeout=60)
    at.query_params["profile"] = "sub:ana-sub"
    at.session_state["exam_report"] = done.id  # Ana's exam id, as if Ben guessed it
    runs["exam.py"] = at.run()
    for page, at in runs.items():
        assert not at.exception, page
        shown = everything(at)
        assert "secret" not in shown and "ana-sub" not in shown and "Ana Lima" not in shown, page
    assert "No finished exams yet." in everything(runs["exam.py"])
    login(ANA)  # the control: the same run shows Ana her own report, so the walk above would have seen it
    at = AppTest.from_file(page_script("exam"), default_timeout=60)
    at.session_state["exam_report"] = done.id
    assert "ana's secret exam answer" in everything(at.run())
    for own in (export.attempts_csv(store, "sub:ben-sub"), export.backup_json(store, "sub:ben-sub", T0)):
        assert "ben's secret answer" in own and "ana" not in own.lower()  # the exports the pages offer Ben
