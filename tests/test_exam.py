"""Mock exams: seeded drawing across banks, a server-side deadline, grading, report, history."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from quizlib import exam, grading, progress
from quizlib.errors import ConfigError
from quizlib.store import Store
from study_fixtures import banks, fake_grade

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def ids(drawn):
    return [q.id for q, _ in drawn]


def test_draw_is_seeded():
    s = exam.ExamSettings(n_questions=4)
    a = ids(exam.draw(banks(), s, np.random.default_rng(7)))
    assert a == ids(exam.draw(banks(), s, np.random.default_rng(7)))
    others = {tuple(ids(exam.draw(banks(), s, np.random.default_rng(k)))) for k in range(30)}
    assert len(others) > 5  # different seeds, different exams


@pytest.mark.parametrize("seed", range(20))
def test_draw_spreads_over_banks_and_topics(seed):
    drawn = exam.draw(banks(), exam.ExamSettings(n_questions=6, per_bank=2), np.random.default_rng(seed))
    assert len(set(ids(drawn))) == 6
    assert Counter(q.bank for q, _ in drawn) == {"l1": 2, "l2": 2, "l3": 2}
    for bank in ("l1", "l2", "l3"):  # two from one bank cover two topics whenever the bank has two
        assert len({t for q, _ in drawn if q.bank == bank for t in q.topics}) == 2
    three = exam.draw(banks(), exam.ExamSettings(n_questions=3), np.random.default_rng(seed))
    assert sorted(q.bank for q, _ in three) == ["l1", "l2", "l3"]


def test_draw_filters_banks_relaxes_the_cap_and_stops_at_the_pool():
    drawn = exam.draw(banks(), exam.ExamSettings(n_questions=3, banks=("l3",), per_bank=1), np.random.default_rng(0))
    assert sorted(ids(drawn)) == ["l3-a", "l3-b"]
    with pytest.raises(ConfigError):
        exam.draw(banks(), exam.ExamSettings(banks=("nope",)), np.random.default_rng(0))
    with pytest.raises(ConfigError):
        exam.ExamSettings(n_questions=0)
    with pytest.raises(ConfigError):
        exam.ExamSettings(minutes=0)


def test_deadline_is_kept_in_the_store_and_a_new_session_continues():
    store = Store()
    e = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=2, minutes=20, seed=3), T0)
    assert e.deadline == T0 + timedelta(minutes=20)
    again = exam.current(Store(), "ana")  # a reload: new Store object, same file
    assert again.id == e.id and again.deadline == e.deadline and again.questions == e.questions
    assert exam.remaining(again, T0 + timedelta(minutes=5)) == timedelta(minutes=15)
    assert exam.remaining(again, T0 + timedelta(hours=2)) == timedelta(0)
    assert not exam.is_over(again, T0 + timedelta(minutes=19, seconds=59))
    assert exam.is_over(again, T0 + timedelta(minutes=20))
    assert exam.current(store, "ben") is None
    assert again.settings["seed"] == 3 and again.settings["max_score"] == sum(
        q.points for q in exam.questions(again, banks()))


def _answers(e, right=True):
    qs = exam.questions(e, banks())
    return {exam.answer_key(q.id, p.id): (p.answer if right else "nope") for q in qs for p in q.parts}


def test_submit_grades_reports_stores_and_lists():
    store = Store()
    e = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=6, seed=1), T0)
    qs = exam.questions(e, banks())
    answers = _answers(e)
    first = exam.answer_key(qs[0].id, "")
    answers[first] = "o - g" if qs[0].kind != "derivation" else answers[first]
    done = exam.submit(store, e, banks(), answers, T0 + timedelta(minutes=3), grade=fake_grade)
    assert done.finished and not done.report["timed_out"]
    items = {it["question_id"]: it for it in done.report["items"]}
    assert list(items) == [q.id for q in qs]
    for q in qs:
        p = items[q.id]["parts"][0]
        assert p["max"] == q.points and items[q.id]["solution"] == q.solution
        if q.kind == "derivation":
            assert p["verdict"] == "self-grade" and p["score"] == 0
        elif q.id == qs[0].id:
            assert p["verdict"] == "wrong" and p["score"] == 0 and p["given"] == "o - g"
        else:
            assert p["verdict"] == "correct" and p["score"] == q.points
    expected = sum(q.points for q in qs[1:] if q.kind != "derivation")
    assert done.score == pytest.approx(expected) and done.max_score == sum(q.points for q in qs)
    # attempts and cards: every graded part, marked as exam attempts
    graded = [q for q in qs if q.kind != "derivation"]
    stored = store.attempts("ana")
    assert len(stored) == len(graded) and {a.mode for a in stored} == {"exam"}
    assert {a.extra["exam"] for a in stored} == {e.uuid}
    assert all(store.get_card("ana", q.id) is not None for q in graded)
    assert all(store.get_card("ana", q.id) is None for q in qs if q.kind == "derivation")  # until self-graded
    assert exam.history(store, "ana")[0].id == e.id and exam.current(store, "ana") is None
    # submitting twice changes nothing
    exam.submit(store, done, banks(), {}, T0 + timedelta(minutes=4), grade=fake_grade)
    assert len(store.attempts("ana")) == len(graded)


def test_unanswered_invalid_and_late_answers():
    store = Store()
    e = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=2, banks=("l3",), minutes=10, seed=0), T0)
    qa, qb = exam.questions(e, banks())
    exam.save_answers(store, e, {exam.answer_key(qa.id, ""): qa.answer})
    e = store.get_exam(e.id)
    # after the deadline + grace, what the browser sends is ignored: the saved answers count
    late = exam.submit(store, e, banks(), {exam.answer_key(qa.id, ""): "x", exam.answer_key(qb.id, ""): qb.answer},
                       T0 + timedelta(minutes=11), grade=fake_grade)
    assert late.report["timed_out"] and late.report["late_answers_ignored"]
    verdicts = [it["parts"][0]["verdict"] for it in late.report["items"]]
    assert verdicts == ["correct", "unanswered"]
    e2 = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=1, banks=("l3",), seed=0), T0)
    q = exam.questions(e2, banks())[0]
    d = exam.submit(store, e2, banks(), {exam.answer_key(q.id, ""): "bad("}, T0, grade=fake_grade)
    assert d.report["items"][0]["parts"][0]["verdict"] == "invalid" and d.score == 0


def test_submit_if_over_grades_an_abandoned_exam():
    store = Store()
    e = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=1, banks=("l3",), minutes=5, seed=0), T0)
    assert not exam.submit_if_over(store, e, banks(), T0 + timedelta(minutes=5), grade=fake_grade).finished
    done = exam.submit_if_over(store, e, banks(), T0 + timedelta(minutes=6), grade=fake_grade)
    assert done.finished and done.report["timed_out"]


def test_self_grade_a_derivation():
    store = Store()
    e = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=3, banks=("l2",), seed=0), T0)
    done = exam.submit(store, e, banks(), _answers(e), T0, grade=fake_grade)
    assert exam.pending_self_grades(done) == [("l2-d", "")]
    before = done.score
    graded = exam.self_grade(store, done, "l2-d", "", [1], T0 + timedelta(minutes=1))
    assert graded.score == pytest.approx(before + 2) and exam.pending_self_grades(graded) == []
    regraded = exam.self_grade(store, graded, "l2-d", "", [0, 1, 7], T0 + timedelta(minutes=2))
    assert regraded.score == pytest.approx(before + 4)
    deriv = [a for a in store.attempts("ana", "l2-d")]
    assert len(deriv) == 1 and deriv[0].score == 2  # the first self-grade is the attempt
    assert store.get_card("ana", "l2-d") is not None
    with pytest.raises(ConfigError):
        exam.self_grade(store, regraded, "l2-a", "", [0], T0)


def test_exams_are_per_profile():
    store = Store()
    exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=1, seed=0), T0)
    assert exam.current(store, "ben") is None and exam.history(store, "ben") == []
    assert progress.due_count(store, "ana", T0) == 0


def test_report_item_with_the_real_checker():
    pytest.importorskip("quizlib.answers")
    question = banks()[0].questions[0]  # expr, answer 2*(o - g), symbols o, g
    key = exam.answer_key(question.id, "")
    right = exam.grade_question(question.id, 0, question, {key: "2(o-g)"}, grading.grade_part)
    wrong = exam.grade_question(question.id, 0, question, {key: "2*(g - o)"}, grading.grade_part)
    unreadable = exam.grade_question(question.id, 0, question, {key: "2*(o-"}, grading.grade_part)
    assert right["parts"][0]["verdict"] == "correct" and right["score"] == 2
    assert wrong["parts"][0]["verdict"] == "wrong" and wrong["score"] == 0
    assert unreadable["parts"][0]["verdict"] == "invalid"
    p = right["parts"][0]
    assert "o" in p["reference_latex"] and "g" in p["reference_latex"] and p["latex"]


def test_one_exam_at_a_time():
    store = Store()
    first = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=2, minutes=10, seed=1), T0)
    again = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=5, seed=2), T0 + timedelta(minutes=1))
    assert again.id == first.id and len(store.exams("ana")) == 1  # a double click or a second tab
    later = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=1, seed=3), T0 + timedelta(minutes=30),
                       grade=fake_grade)
    assert later.id != first.id and store.get_exam(first.id).finished  # the expired one was graded first
    assert exam.current(store, "ana").id == later.id


# -- `reveals:` — a question that states another's answer is never drawn with it ------------------

def _revealing_banks(tmp_path):
    from quizlib.bank import load_banks
    front = "---\ntitle: T\nlecture: 1\n---\n\n"
    qs = []
    for i in range(6):
        extra = "reveals: q0\n" if i == 1 else ("reveals: q4, q5\n" if i == 3 else "")
        qs.append(f"## q{i}: Q{i}\nkind: expr\npoints: 1\nsymbols: x\nanswer: {i + 1}*x\n{extra}\n### Prompt\nP{i}\n")
    (tmp_path / "b.md").write_text(front + "\n".join(qs), encoding="utf-8")
    return load_banks(tmp_path, strict=True)


@pytest.mark.parametrize("seed", range(40))
def test_no_exam_draws_a_question_with_one_that_states_its_answer(tmp_path, seed):
    banks = _revealing_banks(tmp_path)
    drawn = [q.id for q, _ in exam.draw(banks, exam.ExamSettings(n_questions=6, per_bank=6),
                                         np.random.default_rng(seed))]
    assert len(drawn) == len(set(drawn)) >= 3
    assert not ({"q0", "q1"} <= set(drawn))
    assert not ({"q3", "q4"} <= set(drawn)) and not ({"q3", "q5"} <= set(drawn))


def test_shipped_give_aways_are_declared_and_never_drawn_together():
    from quizlib.bank import load_banks
    banks = load_banks("content")
    by_id = {q.id: q for b in banks for q in b.questions}
    pairs = [("mle-softmax-grad-facts", "l3-softmax-ce"), ("il2-per-epoch-exp", "il2-per-epoch-factor"),
             ("nce-ce-antiderivative", "nce-ce-dcda")]
    for a, b in pairs:
        assert exam.reveals(by_id[a], by_id[b])
    for seed in range(30):
        settings = exam.ExamSettings(n_questions=120, per_bank=20, like_real=False)
        drawn = {q.id for q, _ in exam.draw(banks, settings, np.random.default_rng(seed))}
        assert not any({a, b} <= drawn for a, b in pairs)


def test_reveals_an_unknown_question_is_a_warning(tmp_path):
    from quizlib.bank import check_banks
    (tmp_path / "b.md").write_text("---\ntitle: T\n---\n\n## q1: Q\nkind: expr\npoints: 1\nsymbols: x\n"
                                   "answer: x\nreveals: nowhere\n\n### Prompt\nP\n", encoding="utf-8")
    (problem,) = check_banks(tmp_path)
    assert problem.severity == "warning" and "reveals 'nowhere'" in problem.message and problem.line == 5
