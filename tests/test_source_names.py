"""Progress names a source by its catalogue's title (or the bank's), never by a hashed file name."""
from __future__ import annotations

import re
from pathlib import Path

from quizlib import stats
from quizlib.bank import load_banks
from quizlib.source_names import catalogue_titles, source_name
from quizlib.store import Store
from study_fixtures import banks
from test_stats import fill

ROOT = Path(__file__).resolve().parent.parent


def test_titles_from_the_first_heading(tmp_path):
    cat = tmp_path / "sources"
    cat.mkdir()
    (cat / "000_abc.md").write_text("# 000_abc.txt — lecture 3 exam, students' answers\n\nItems:\n", "utf-8")
    (cat / "npfl-l1.md").write_text("\n# npfl-l1 — Official list, lecture 1\n", "utf-8")
    (cat / "bare.md").write_text("# bare\n", "utf-8")  # no title after the stem
    (cat / "empty.md").write_text("", "utf-8")
    (cat / "binary.md").write_bytes(b"\xff\xfe\x00")
    titles = catalogue_titles(tmp_path)
    assert titles == {"000_abc": "Lecture 3 exam, students' answers", "npfl-l1": "Official list, lecture 1"}
    assert source_name("000_abc.txt", "Bank A", titles) == "Lecture 3 exam, students' answers"
    assert source_name("npfl-l1", "Bank A", titles) == "Official list, lecture 1"
    assert source_name("bare.txt", "Bank A", titles) == "Bank A"  # no catalogue title: the bank's
    assert source_name(None, "Bank A", titles) == "Bank A"
    assert catalogue_titles(tmp_path / "nowhere") == {}


def test_progress_frame_uses_the_names():
    store = Store()
    fill(store)
    df = stats.attempts_frame(store, "ana", banks(), source_titles={"l1": "Lecture one notes"})
    s = stats.by_source(df).set_index("source")
    assert s.loc["Lecture one notes", "attempts"] == 3  # l1.txt has a catalogue title
    assert s.loc["Bank l2", "attempts"] == 3  # l2.txt has none: its bank's title
    assert s.loc["(removed)", "attempts"] == 1


def test_every_source_of_the_real_banks_has_a_human_name():
    titles = catalogue_titles(ROOT / "content")
    hashed = re.compile(r"\d{3}_[0-9a-f]{16}")
    for b in load_banks(str(ROOT / "content")):
        for q in b.questions:
            name = source_name(q.source, b.title, titles)
            assert not hashed.search(name), f"{q.id}: {name}"
            if q.source:
                assert name in titles.values(), f"{q.id}: source {q.source} has no catalogue title"
