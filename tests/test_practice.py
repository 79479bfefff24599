"""The practice session's pure logic: filters, order, moving, variants, attempts, score so far."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from quizlib import practice
from quizlib.model import Attempt, Bank, Part, Question, Variable
from quizlib.store import Store

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)


def q(qid, topics=(), bank="b1", variables=(), points=1.0):
    part = Part("", "expr", points, answer="x", symbols=("x",))
    return Question(id=qid, title=f"T {qid}", prompt="p", parts=(part,),
                    source="", topics=tuple(topics), bank=bank, variables=tuple(variables))


BANKS = [Bank("b1", "Bank one", "b1.md",
              questions=(q("a", ["loss"]), q("b", ["init"]), q("c", ["loss", "init"]))),
         Bank("b2", "Bank two", "b2.md", questions=(q("d", ["loss"], "b2"),))]


def test_topics_and_select():
    assert practice.topics(BANKS) == ["init", "loss"]
    assert [x.id for x in practice.select(BANKS)] == ["a", "b", "c", "d"]
    assert [x.id for x in practice.select(BANKS, bank="b1")] == ["a", "b", "c"]
    assert [x.id for x in practice.select(BANKS, topic="loss")] == ["a", "c", "d"]
    assert [x.id for x in practice.select(BANKS, "b1", "init")] == ["b", "c"]
    assert practice.select(BANKS, "nope") == []


def test_session_moves_and_clamps():
    s = practice.new_session(practice.select(BANKS))
    assert s.current == "a" and s.position == "1 / 4"
    assert s.previous().current == "a"
    s = s.next().next().next().next()
    assert s.current == "d" and s.position == "4 / 4"
    assert s.previous().current == "c"
    assert practice.Session(()).current is None and practice.Session(()).next().current is None


def test_go_to_inside_and_outside_the_session():
    s = practice.new_session(practice.select(BANKS, "b1"))
    assert s.go_to("c").current == "c" and s.go_to("c").ids == s.ids
    out = s.go_to("d")
    assert out.current == "d" and out.ids == ("d", "a", "b", "c")


def test_shuffle_is_seeded_and_a_permutation():
    qs = practice.select(BANKS)
    one = practice.new_session(qs, True, np.random.default_rng(7))
    two = practice.new_session(qs, True, np.random.default_rng(7))
    assert one.ids == two.ids and sorted(one.ids) == ["a", "b", "c", "d"]
    orders = {practice.new_session(qs, True, np.random.default_rng(s)).ids for s in range(30)}
    assert len(orders) > 5  # really shuffles
    with pytest.raises(ValueError):
        practice.new_session(qs, True)


def test_variant_is_sticky_per_profile_until_a_new_one(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    vq = q("v", variables=[Variable("m", (1.0, 2.0, 3.0)), Variable("n", (4.0, 5.0))])
    assert vq.n_variants == 6
    k = practice.variant_index(store, "ann", vq, np.random.default_rng(1))
    assert 0 <= k < 6 and store.get_variant("ann", "v") == k
    for seed in range(10):  # another draw does not change what ann sees
        assert practice.variant_index(store, "ann", vq, np.random.default_rng(seed)) == k
    seen = set()
    for seed in range(20):
        before = store.get_variant("ann", "v")
        after = practice.new_variant(store, "ann", vq, np.random.default_rng(seed))
        assert after != before and store.get_variant("ann", "v") == after
        seen.add(after)
    assert len(seen) >= 4
    assert practice.variant_index(store, "ann", q("plain"), np.random.default_rng(0)) == 0
    assert store.get_variant("ann", "plain") is None  # nothing stored for a question without variants


def test_make_attempt_and_naive_time_rejected():
    vq = Question("v", "T", "p", (Part("w", "number", 2.0, answer="1"),), "", variant=3)
    a = practice.make_attempt("ann", vq, vq.parts[0], "1.0", 2.0, True, NOW, extra={"x": 1})
    got = (a.question_id, a.part_id, a.variant, a.score, a.max_score, a.mode)
    assert got == ("v", "w", 3, 2.0, 2.0, "practice")
    assert a.created_at == NOW and a.extra == {"x": 1} and a.correct is True
    with pytest.raises(ValueError):
        practice.make_attempt("ann", vq, vq.parts[0], "1", 0, False, datetime(2026, 1, 1))


def att(qid, score, mx=1.0, part="", minutes=0):
    return Attempt("ann", qid, "x", score == mx, score, mx, NOW + timedelta(minutes=minutes), part_id=part)


def test_score_so_far_counts_the_latest_try_per_part_since_the_start():
    s = practice.Session(("a", "b", "c"))
    attempts = [att("a", 0, minutes=-10),  # before the session: ignored
                att("a", 0, minutes=1), att("a", 1, minutes=2),  # latest counts
                att("b", 1, 2, "p1", 3), att("b", 2, 2, "p2", 4),
                att("zz", 5, 5, minutes=5)]  # not in the session
    sc = practice.score_so_far(attempts, s, NOW)
    assert (sc.earned, sc.possible, sc.answered, sc.total) == (4, 5, 2, 3)
    assert practice.score_so_far(attempts, s).earned == 4  # without `since` the latest still wins
    assert practice.score_so_far([], s, NOW).possible == 0
