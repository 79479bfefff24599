"""Studying by lecture: Practice and Search filters, the mock exam "like the real exam" and by
lecture range, and the official list item by item in `coverage` (fixture banks built from the
data types, so every expected draw is known by hand)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from study_fixtures import q

from quizlib import exam, practice
from quizlib.bank.coverage import coverage, format_coverage, official_items, official_lecture
from quizlib.errors import ConfigError
from quizlib.model import Bank
from quizlib.search import search


def bank(bid, qs):
    return Bank(id=bid, title=f"Bank {bid}", path=f"content/{bid}.md", questions=tuple(qs))


def lecture_banks() -> list[Bank]:
    """Lectures 1, 3, 4 and 7 with official items; drills and a question of no lecture beside them."""
    return [
        bank("l01", [q("a1", "l01", points=5, lecture=1, covers=("npfl-l01-q1",)),
                     q("a1-part", "l01", points=2, lecture=1, covers=("npfl-l01-q1",)),  # partial: fewer points
                     q("a2", "l01", points=5, lecture=1, covers=("npfl-l01-q2", "mat-item")),
                     q("a-drill", "l01", points=1, lecture=1, topics=("drill",))]),
        bank("l03", [q("c1", "l03", points=10, lecture=3, covers=("npfl-l03-q1",)),
                     q("c2", "l03", points=5, lecture=3, covers=("npfl-l03-q2",))]),
        bank("l04", [q("d1", "l04", points=5, lecture=4, covers=("npfl-l04-q1",)),
                     q("d2", "l04", points=10, lecture=4, covers=("npfl-l04-q3",)),
                     q("d-drill", "l04", points=2, lecture=4)]),
        bank("l07", [replace(q("g1", "l07", points=5, lecture=7, covers=("npfl-l07-q5",)), source="npfl114-lecture-07"),
                     q("g1-long", "l07", points=8, lecture=7, covers=("npfl-l07-q5",)),  # more, but not official
                     q("g-both", "l07", points=10, lecture=7, covers=("npfl-l07-q2", "npfl-l07-q3"))]),
        bank("nielsen", [q("n1", "nielsen", points=2, topics=("softmax",))]),
    ]


# -- Practice --------------------------------------------------------------------------
def test_practice_lectures_and_filter():
    banks = lecture_banks()
    assert practice.lectures(banks) == [1, 3, 4, 7]
    assert [x.id for x in practice.select(banks, lecture=4)] == ["d1", "d2", "d-drill"]
    assert [x.id for x in practice.select(banks, bank="l01", lecture=4)] == []
    assert [x.id for x in practice.select(banks, topic="drill", lecture=1)] == ["a-drill"]
    assert len(practice.select(banks)) == 13  # ALL keeps questions of no lecture too
    assert practice.select(banks, lecture=2) == []
    assert practice.lecture_label(4) == "Lecture 4" and practice.lecture_label(practice.ALL) == "All lectures"


# -- Search ----------------------------------------------------------------------------
def test_search_by_lecture_with_and_without_words():
    banks = lecture_banks()
    assert [h.question.id for h in search(banks, "prompt", lecture=3)] == ["c1", "c2"]
    assert [h.question.id for h in search(banks, "", lecture=7)] == ["g1", "g1-long", "g-both"]
    assert [h.question.id for h in search(banks, "", lecture=7, bank="l01")] == []
    assert search(banks, "") == [] and search(banks, "zebra", lecture=1) == []
    assert {h.question.id for h in search(banks, "title")} >= {"n1", "a1"}
    assert all(h.link == f"practice?q={h.question.id}" for h in search(banks, "", lecture=1))


# -- the mock exam ---------------------------------------------------------------------
def draw(settings, seed=0, banks=None):
    return [x.id for x, _ in exam.draw(banks or lecture_banks(), settings, np.random.default_rng(seed))]


@pytest.mark.parametrize("seed", range(25))
def test_like_the_real_exam_one_official_item_per_lecture_with_real_points(seed):
    ids = draw(exam.ExamSettings(n_questions=4, like_real=True), seed)
    by_id = {x.id: x for b in lecture_banks() for x in b.questions}
    assert len(ids) == 4 and len(set(ids)) == 4
    assert sorted(by_id[i].lecture for i in ids) == [1, 3, 4, 7]  # round the lectures: one each
    assert all(official_items(by_id[i]) for i in ids)  # no drills, no questions outside the list
    assert "a1-part" not in ids  # the fullest question of an item is asked (real points)
    assert "g1-long" not in ids  # ... preferring the one written from the official list


def test_like_real_covers_each_item_once_and_stops_when_the_list_runs_out():
    ids = draw(exam.ExamSettings(n_questions=30, like_real=True), 3)
    by_id = {x.id: x for b in lecture_banks() for x in b.questions}
    items = [i for qid in ids for i in official_items(by_id[qid])]
    assert len(items) == len(set(items))  # g-both covers two items: asked once, not twice
    assert set(items) == {"npfl-l01-q1", "npfl-l01-q2", "npfl-l03-q1", "npfl-l03-q2", "npfl-l04-q1",
                          "npfl-l04-q3", "npfl-l07-q2", "npfl-l07-q3", "npfl-l07-q5"}
    assert len(ids) == 8


def test_like_real_draw_is_seeded_and_varies_with_the_seed():
    s = exam.ExamSettings(n_questions=4, like_real=True)
    assert draw(s, 11) == draw(s, 11)
    assert len({tuple(draw(s, k)) for k in range(20)}) > 3


@pytest.mark.parametrize("seed", range(10))
def test_lecture_range_restricts_both_modes(seed):
    by_id = {x.id: x for b in lecture_banks() for x in b.questions}
    ids = draw(exam.ExamSettings(n_questions=3, lectures=(3, 4)), seed)
    assert len(ids) == 3 and {by_id[i].lecture for i in ids} <= {3, 4}
    real = draw(exam.ExamSettings(n_questions=2, lectures=(3, 4), like_real=True), seed)
    assert sorted(by_id[i].lecture for i in real) == [3, 4]
    assert all(official_items(by_id[i]) for i in real)


def test_lecture_range_helper_and_settings():
    avail = [1, 2, 3, 4, 5, 7]
    assert exam.lecture_range(3, 5, avail) == (3, 4, 5)
    assert exam.lecture_range(7, 4, avail) == (4, 5, 7)
    assert exam.lecture_range(1, 7, avail) == ()  # everything: no restriction at all
    s = exam.settings_for("like-real", 5, 20, ("l04",), (4, 5), seed=9)
    assert (s.like_real, s.n_questions, s.minutes, s.banks, s.lectures, s.seed) == (True, 5, 20.0, ("l04",), (4, 5), 9)
    assert not exam.settings_for("any", 1, 1).like_real
    with pytest.raises(ConfigError, match="unknown way"):
        exam.settings_for("easy", 1, 1)
    with pytest.raises(ConfigError, match="1 to 14"):
        exam.ExamSettings(lectures=(0, 15))
    assert exam.default_mode(lecture_banks()) == "like-real"
    assert exam.default_mode([bank("nielsen", [q("n1", "nielsen")])]) == "any"


def test_empty_draws_say_why():
    with pytest.raises(ConfigError, match="official exam list in the chosen banks and lecture 2"):
        draw(exam.ExamSettings(lectures=(2,), like_real=True))
    with pytest.raises(ConfigError, match="no questions in the chosen banks and lectures 5–6"):
        draw(exam.ExamSettings(lectures=(5, 6)))
    with pytest.raises(ConfigError, match="official exam list"):
        draw(exam.ExamSettings(banks=("nielsen",), like_real=True))


def test_started_exam_keeps_lectures_and_mode_in_its_record():
    from datetime import UTC, datetime

    from quizlib.store import Store
    store = Store()
    rec = exam.start(store, "ana", lecture_banks(), exam.ExamSettings(n_questions=2, lectures=(4, 7), like_real=True,
                                                                      seed=5), datetime.now(UTC))
    assert rec.settings["lectures"] == [4, 7] and rec.settings["like_real"] is True
    by_id = {x.id: x for b in lecture_banks() for x in b.questions}
    assert rec.settings["max_score"] == sum(by_id[qid].points for qid, _ in rec.questions)


# -- coverage of the official list -----------------------------------------------------
def test_coverage_lists_the_official_items_in_order_with_their_questions():
    cats = {"npfl114-lecture-01": {"npfl-l01-q2": "activations [5]", "npfl-l01-q1": "an MLP [5]",
                                   "npfl-l01-q3": "the theorem [5]"},
            "npfl114-lecture-07": {"npfl-l07-q5": "focal loss [5]"},
            "mat": {"mat-item": "a material item"}}
    cov = coverage(lecture_banks(), cats)
    assert [o.id for o in cov.official] == ["npfl-l01-q1", "npfl-l01-q2", "npfl-l01-q3", "npfl-l07-q5"]
    first = cov.official[0]
    assert (first.lecture, first.number, first.text, first.points, first.covered_by) == \
        (1, 1, "an MLP", 5.0, ("a1", "a1-part"))
    assert cov.official[2].covered_by == () and cov.n_uncovered == 1
    assert cov.official[3].covered_by == ("g1", "g1-long")
    out = format_coverage(cov)
    assert "  Lecture 1: 2/3 covered" in out and "  Lecture 7: 1/1 covered" in out
    assert "    [x] npfl-l01-q1 [5] an MLP -- a1, a1-part" in out
    assert "    [x] npfl-l07-q5 [5] focal loss -- g1, g1-long" in out
    assert "    [ ] npfl-l01-q3 [5] the theorem -- UNCOVERED" in out
    assert "Official list: 3/4 items covered, 1 uncovered" in out
    assert official_lecture("npfl-l11-q10") == 11
    with pytest.raises(ValueError):
        official_lecture("l3-mse")


def test_the_shipped_catalogues_list_every_official_item_of_their_lectures():
    """The official list's sections (lecture: number of questions), as published by the course."""
    from pathlib import Path

    from quizlib.bank import load_banks, read_catalogues
    content = Path(__file__).resolve().parent.parent / "content"
    cov = coverage(load_banks(content), read_catalogues(content))
    sizes = {1: 3, 2: 8, 3: 8, 4: 4, 5: 8, 7: 7, 8: 6, 9: 9, 10: 6, 11: 10, 12: 6, 13: 14}
    for lecture, n in sizes.items():
        got = [o.number for o in cov.official if o.lecture == lecture]
        if got:  # each catalogue, once written, lists its whole section 1..n
            assert got == list(range(1, n + 1)), lecture
    for o in cov.official:
        assert o.points in (5.0, 10.0), o.id
    mine = [o for o in cov.official if o.lecture in (1, 2, 3, 4)]
    assert len(mine) == 23 and all(o.covered_by for o in mine)
    # every item of the list, asked as a real exam asks it, carries the list's real points
    by_id = {x.id: x for b in load_banks(content) for x in b.questions}
    for o in cov.official:
        assert o.covered_by, o.id
        assert {x.points for x in exam.askers([by_id[i] for i in o.covered_by])} == {o.points}, o.id
