"""AppTest of the study pages (Review, Mock exam, Progress, Search, Export & backup) on fixture banks."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quizlib import exam, export, progress
from quizlib.bank import find_question
from quizlib.model import Attempt
from quizlib.store import Store
from quizlib.ui import common
from quizlib.ui.answer_boxes import widget_key
from page_scripts import page_script
from study_fixtures import banks
from page_helpers import page_tables

ROOT = Path(__file__).resolve().parent.parent
PROFILE = "ana"


@pytest.fixture
def ctx(monkeypatch):
    """The pages read store, profile and banks through common.context(): point it at fixtures."""
    c = common.Context(Store(), PROFILE, banks())
    monkeypatch.setattr(common, "context", lambda: c)
    return c


def run(page: str, **query) -> AppTest:
    at = AppTest.from_file(page_script(page), default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.info] + \
        [e.value for e in at.warning] + [e.value for e in at.error] + [e.value for e in at.success] + \
        [str(e.value) for e in at.metric] + [e.value for e in at.subheader] + [e.value for e in at.header]
    return "\n".join(parts)


# -- Mock exam -----------------------------------------------------------------------
def test_exam_start_answer_submit_report_history(ctx):
    at = run("exam.py")
    assert not at.exception
    at.number_input(key="exam-n").set_value(2)
    at.multiselect(key="exam-banks").set_value(["l3"])
    submit = [b for b in at.button if "Start the exam" in b.label][0]
    submit.click().run()
    assert not at.exception
    rec = exam.current(ctx.store, PROFILE)
    assert rec is not None and len(rec.questions) == 2
    assert rec.deadline - rec.started_at == timedelta(minutes=30)
    assert "Time left" in " ".join(m.label for m in at.metric)
    q1, q2 = exam.questions(rec, ctx.banks)
    at.text_input(key=widget_key(f"exam{rec.id}", q1, q1.parts[0], "text")).input(q1.answer)
    at.text_input(key=widget_key(f"exam{rec.id}", q2, q2.parts[0], "text")).input("o + g")
    at.run()
    assert exam.current(ctx.store, PROFILE).answers[f"{q1.id}/"] == q1.answer  # saved while typing
    at.button(key="exam-submit").click().run()
    assert not at.exception
    done = ctx.store.get_exam(rec.id)
    assert done.finished and done.max_score == q1.points + q2.points
    assert done.score == pytest.approx(q1.points)  # right, then wrong
    page = texts(at)
    assert f"Score: {q1.points:g} / {q1.points + q2.points:g}" in page
    assert ":material/check_circle: right" in page and ":material/cancel: wrong" in page and "Model solution" in page
    assert len(exam.history(ctx.store, PROFILE)) == 1 and len(at.dataframe) == 1
    assert {a.mode for a in ctx.store.attempts(PROFILE)} == {"exam"}


def test_exam_reload_continues_the_same_clock(ctx):
    t0 = datetime.now(timezone.utc) - timedelta(minutes=10)
    rec = exam.start(ctx.store, PROFILE, ctx.banks, exam.ExamSettings(n_questions=1, minutes=30, seed=1), t0)
    at = run("exam.py")
    left = [m.value for m in at.metric if m.label == "Time left"][0]
    assert left.startswith("19:") or left.startswith("20:")
    assert exam.current(ctx.store, PROFILE).id == rec.id


def test_exam_past_deadline_is_graded_on_load(ctx):
    t0 = datetime.now(timezone.utc) - timedelta(hours=2)
    rec = exam.start(ctx.store, PROFILE, ctx.banks, exam.ExamSettings(n_questions=2, minutes=5, seed=2), t0)
    at = run("exam.py")
    assert not at.exception
    assert ctx.store.get_exam(rec.id).finished
    assert "Time ran out" in texts(at)


def test_exam_self_grade_derivation(ctx):
    rec = exam.start(ctx.store, PROFILE, ctx.banks, exam.ExamSettings(n_questions=3, banks=("l2",), seed=0),
                     datetime.now(timezone.utc))
    at = run("exam.py")
    at.button(key="exam-submit").click().run()
    assert "wait for your self-grade" in texts(at)
    key = f"report:{rec.id}:l2-d::r"
    at.checkbox(key=key + "0").check()
    at.checkbox(key=key + "1").check()
    at.button(key=f"report:{rec.id}:l2-d::save").click().run()
    assert not at.exception
    graded = ctx.store.get_exam(rec.id)
    assert exam.pending_self_grades(graded) == []
    assert [a.score for a in ctx.store.attempts(PROFILE, "l2-d")] == [4.0]


def test_exam_single_answer_choice_is_a_radio_and_one_point_is_singular(ctx):
    now = datetime.now(timezone.utc)
    rec = ctx.store.add_exam(PROFILE, now, now + timedelta(minutes=30), [("l1-c", 0), ("l1-a", 0)])
    at = run("exam.py")
    assert not at.exception, at.exception
    q = find_question(ctx.banks, "l1-c")
    radio = at.radio(key=widget_key(f"exam{rec.id}", q, q.parts[0], "radio"))
    assert len(radio.options) == 2 and radio.value is None
    assert not at.checkbox  # no check-boxes for a question with one right answer
    captions = [c.value for c in at.caption]
    assert any(c.startswith("1 point ·") for c in captions) and any(c.startswith("2 points ·") for c in captions)
    radio.set_value("a").run()
    assert exam.current(ctx.store, PROFILE).answers["l1-c/"] == "a"  # saved as the choice's label
    at.button(key="exam-submit").click().run()
    item = next(i for i in ctx.store.get_exam(rec.id).report["items"] if i["question_id"] == "l1-c")
    assert item["score"] == 1


def test_exam_without_banks(monkeypatch):
    monkeypatch.setattr(common, "context", lambda: common.Context(Store(), PROFILE, []))
    at = run("exam.py")
    assert not at.exception and "no question banks" in texts(at)


# -- Review --------------------------------------------------------------------------
def answer(ctx, qid, right, t):
    q = find_question(ctx.banks, qid)
    progress.record_attempt(ctx.store, Attempt(profile=PROFILE, question_id=qid, answer="x", correct=right,
                                               score=q.points * right, max_score=q.points, created_at=t))


def test_review_empty_state(ctx):
    at = run("review.py")
    assert not at.exception and "No cards yet" in texts(at)


def test_review_serves_due_cards_and_reschedules(ctx):
    pytest.importorskip("quizlib.answers")  # the practice widget echoes answers through the checker
    old = datetime.now(timezone.utc) - timedelta(hours=1)
    answer(ctx, "l3-a", False, old)  # wrong an hour ago: due (Again = 1 minute)
    answer(ctx, "l1-a", True, datetime.now(timezone.utc))  # right just now: not due for 10 minutes
    at = run("review.py")
    assert not at.exception
    assert "**1** card(s) due now" in texts(at) and "Title of l3-a" in texts(at)
    assert at.button(key="review-next").label == "Skip for now"
    at.text_input(key="review0:l3-a:0:_:text").input("2*(o - g)")
    at.button(key="review0:l3-a:0:_:submit").click().run()
    assert not at.exception
    assert "Right — 2 / 2 points" in texts(at)
    reviews = [a for a in ctx.store.attempts(PROFILE, "l3-a") if a.mode == "review"]
    assert len(reviews) == 1 and reviews[0].correct
    assert ctx.store.get_card(PROFILE, "l3-a").due > datetime.now(timezone.utc) + timedelta(minutes=5)
    assert "Title of l3-a" in texts(at)  # the answered card stays on screen until "Next"
    assert at.button(key="review-next").label == "Next card →"
    at.button(key="review-next").click().run()
    assert "Nothing is due" in texts(at)
    assert "No wrong answers" in texts(at)  # the review fixed the only mistake


def test_review_skip_moves_on(ctx):
    old = datetime.now(timezone.utc) - timedelta(hours=1)
    answer(ctx, "l3-a", False, old)
    answer(ctx, "l3-b", False, old + timedelta(seconds=1))
    at = run("review.py")
    shown = lambda: [h.value for h in at.subheader if h.value.startswith("Title")]  # noqa: E731
    assert shown() == ["Title of l3-a"]
    at.button(key="review-next").click().run()
    assert shown() == ["Title of l3-b"]
    at.button(key="review-next").click().run()  # everything skipped: start over
    assert shown() == ["Title of l3-a"]


def test_review_lists_retry_and_bookmarks(ctx):
    answer(ctx, "l2-a", False, datetime.now(timezone.utc))
    progress.toggle_bookmark(ctx.store, PROFILE, "l1-b", datetime.now(timezone.utc))
    at = run("review.py")
    page = texts(at)
    assert "[Title of l2-a](practice?q=l2-a)" in page and "[Title of l1-b](practice?q=l1-b)" in page
    at.button(key="bm:l1-b").click().run()
    assert progress.bookmarks(ctx.store, PROFILE) == []


# -- Progress ------------------------------------------------------------------------
def test_dashboard_empty_state(ctx):
    at = run("dashboard.py")
    assert not at.exception and "No answers yet" in texts(at) and "Practice" in texts(at)
    assert len(at.get("vega_lite_chart")) == 0


def test_dashboard_charts_reflect_attempts_and_bank_filter(ctx):
    now = datetime.now(timezone.utc)
    for qid, right in [("l1-a", True), ("l1-a", False), ("l2-a", False), ("l3-b", True)]:
        answer(ctx, qid, right, now)
    at = run("dashboard.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Attempts"] == "4" and metrics["Accuracy"] == "50%" and metrics["Points"] == "4 / 8"
    charts = at.get("vega_lite_chart")
    assert len(charts) == 6
    spec = json.loads(charts[0].proto.spec)
    assert spec["title"] == "Accuracy by topic"
    weak = page_tables(at)[0].value
    assert list(weak["question_id"])[0] == "l2-a" and list(weak["open"])[0] == "practice?q=l2-a"
    at.selectbox(key="dash-bank").set_value("l1").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Attempts"] == "2" and metrics["Accuracy"] == "50%"
    at.selectbox(key="dash-bank").set_value("l3").run()
    assert {m.label: m.value for m in at.metric}["Accuracy"] == "100%"


# -- Search --------------------------------------------------------------------------
def test_search_finds_links_and_bookmarks(ctx):
    at = run("search.py")
    assert not at.exception and "Type a word" in texts(at)
    at.text_input(key="search-query").input("TITLE OF L2-B").run()
    page = texts(at)
    assert "1 question(s) found" in page and "[Title of l2-b](practice?q=l2-b)" in page
    at.button(key="mark:l2-b").click().run()
    assert [b.question_id for b in progress.bookmarks(ctx.store, PROFILE)] == ["l2-b"]
    assert at.button(key="mark:l2-b").label == "★ Bookmarked"
    at.button(key="mark:l2-b").click().run()
    assert progress.bookmarks(ctx.store, PROFILE) == []


def test_search_bank_filter_and_no_hits(ctx):
    at = run("search.py")
    at.text_input(key="search-query").input("prompt").run()
    assert f"{sum(len(b.questions) for b in ctx.banks)} question(s) found" in texts(at)
    at.selectbox(key="search-bank").set_value("l3").run()
    assert "2 question(s) found" in texts(at)
    at.text_input(key="search-query").input("zebra").run()
    assert "0 question(s) found" in texts(at)


# -- Export & backup -----------------------------------------------------------------
def test_data_page_downloads_and_import_twice(ctx, tmp_path):
    src = Store(tmp_path / "other-machine.sqlite3")
    t = datetime(2026, 3, 1, tzinfo=timezone.utc)
    progress.record_attempt(src, Attempt(profile="ana", question_id="l1-a", answer="2*(o-g)", correct=True,
                                         score=2, max_score=2, created_at=t))
    src.add_bookmark("ana", "l2-b", t)
    data = export.backup_json(src, "ana", t).encode()
    at = run("data.py")
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download Anki deck (.apkg)", "Download attempts (.csv)", "Download backup (.json)"]
    at.file_uploader(key="up-backup").set_value(("backup.json", data, "application/json")).run()
    at.button(key="up-import").click().run()
    assert not at.exception
    assert "Imported into **ana**: 3 row(s) added, 0 already there" in texts(at)
    assert len(ctx.store.attempts(PROFILE)) == 1 and len(ctx.store.bookmarks(PROFILE)) == 1
    at.button(key="up-import").click().run()
    assert "0 row(s) added, 3 already there and skipped" in texts(at)
    assert len(ctx.store.attempts(PROFILE)) == 1


def test_data_page_bad_file_is_a_clear_message(ctx):
    at = run("data.py")
    at.file_uploader(key="up-backup").set_value(("notes.json", b"hello, not json", "application/json")).run()
    at.button(key="up-import").click().run()
    assert not at.exception
    assert [e.value for e in at.error][0].startswith("Nothing was imported and nothing was written: 1 problem")
    assert "this is not a backup file (not JSON" in at.code[0].value


def test_data_page_imports_into_another_profile(ctx, tmp_path):
    src = Store(tmp_path / "o.sqlite3")
    progress.record_attempt(src, Attempt(profile="ana", question_id="l1-a", answer="x", correct=False,
                                         score=0, max_score=2, created_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
    at = run("data.py")
    at.file_uploader(key="up-backup").set_value(("b.json", export.backup_json(src, "ana", datetime(2026, 3, 2, tzinfo=timezone.utc)).encode(), "application/json")).run()
    at.text_input(key="up-profile").input("zoe").run()
    at.button(key="up-import").click().run()
    assert len(ctx.store.attempts("zoe")) == 1 and ctx.store.attempts(PROFILE) == []


def test_review_derivation_self_grade(ctx):
    answer(ctx, "l2-d", False, datetime.now(timezone.utc) - timedelta(hours=1))
    at = run("review.py")
    at.text_area(key="review0:l2-d:0:_:text").input("chain rule, then integrate")
    at.button(key="review0:l2-d:0:_:shown:btn").click().run()
    assert "Model solution" in texts(at)
    at.checkbox(key="review0:l2-d:0:_:r0").check()
    at.button(key="review0:l2-d:0:_:record").click().run()
    assert not at.exception
    got = ctx.store.attempts(PROFILE, "l2-d")[-1]
    assert (got.mode, got.score, got.max_score, got.correct) == ("review", 2.0, 4.0, False)
    assert at.button(key="review-next").label == "Next card →"


def test_everything_is_per_profile(ctx, monkeypatch):
    now = datetime.now(timezone.utc)
    answer(ctx, "l1-a", False, now - timedelta(hours=1))
    progress.toggle_bookmark(ctx.store, PROFILE, "l1-b", now)
    exam.start(ctx.store, PROFILE, ctx.banks, exam.ExamSettings(n_questions=1, seed=0), now)
    other = common.Context(ctx.store, "ben", ctx.banks)
    monkeypatch.setattr(common, "context", lambda: other)
    assert "No cards yet" in texts(run("review.py"))
    assert "No answers yet for **ben**" in texts(run("dashboard.py"))
    assert "Start a mock exam" in texts(run("exam.py"))
    assert "No bookmarks yet" in texts(run("search.py"))


# -- the real app context and the real banks of content/ ----------------------------
def test_real_banks_exam_to_report_and_dashboard():
    """No fixtures: quizlib.ui.common's store ($QUIZ_DB of this test) and content/'s banks."""
    from quizlib.bank import load_banks
    real = [b for b in load_banks(ROOT / "content") if b.questions]
    assert real, "content/ has no questions"
    at = run("exam.py")
    assert not at.exception
    at.number_input(key="exam-n").set_value(3)
    [b for b in at.button if "Start the exam" in b.label][0].click().run()
    assert not at.exception
    store = Store()
    rec = exam.current(store, "default")
    assert rec is not None and len(rec.questions) == 3
    assert len({qid for qid, _ in rec.questions}) == 3
    at.button(key="exam-submit").click().run()
    assert not at.exception
    done = store.get_exam(rec.id)
    assert done.finished and done.score == 0 and done.max_score > 0
    assert "Score: 0 /" in texts(at)
    dash = run("dashboard.py")
    assert not dash.exception
    assert {m.label: m.value for m in dash.metric}["Accuracy"] == "0%"
    search = run("search.py")
    search.text_input(key="search-query").input("entropy").run()
    assert not search.exception and "question(s) found" in texts(search)
    assert not run("data.py").exception and not run("review.py").exception


def test_exam_time_out_in_session_grades_what_was_typed(ctx):
    import time
    try:  # warm the checker up first (its sandbox starts once): this test is about the clock
        from quizlib.answers import preview
        preview("2*(o-g)", "expr", ["o", "g"])
    except ImportError:
        pass
    t0 = datetime.now(timezone.utc) - timedelta(minutes=30) + timedelta(seconds=3)
    rec = exam.start(ctx.store, PROFILE, ctx.banks,
                     exam.ExamSettings(n_questions=1, minutes=30, banks=("l3",), seed=0), t0)
    at = run("exam.py")
    assert "Time left" in " ".join(m.label for m in at.metric)
    q = exam.questions(rec, ctx.banks)[0]
    at.text_input(key=widget_key(f"exam{rec.id}", q, q.parts[0], "text")).input(q.answer)
    time.sleep(3.5)  # the deadline passes; the countdown's rerun (here: the next run) grades the exam
    started = time.monotonic()
    at.run()
    assert time.monotonic() - started < 5  # graded at once, not after a loop of reruns
    done = ctx.store.get_exam(rec.id)
    assert done.finished and done.report["timed_out"] and not done.report["late_answers_ignored"]
    assert done.score == q.points and "Time ran out" in texts(at)
