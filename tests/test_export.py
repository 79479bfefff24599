"""Anki package (opened with zipfile + sqlite3), CSV, and backup round trips without duplicates."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone

import genanki
import pytest

from quizlib import exam, export, markdown_maths, progress
from quizlib.errors import StoreError
from quizlib.model import Attempt, Bank
from quizlib.store import Store
from study_fixtures import banks, fake_grade, q

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def open_apkg(path, tmp_path):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "collection.anki2" in names
        z.extract("collection.anki2", tmp_path)
    con = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        notes = con.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY guid").fetchall()
        decks = json.loads(con.execute("SELECT decks FROM col").fetchone()[0])
        models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
        n_cards = con.execute("SELECT count(*) FROM cards").fetchone()[0]
    finally:
        con.close()
    return notes, decks, models, n_cards


def test_maths_delimiters_for_anki():
    assert markdown_maths.to_delimiters(r"If $x^2$ then $$\frac{a}{b}$$.") == r"If \(x^2\) then \[\frac{a}{b}\]."
    assert markdown_maths.to_delimiters(r"costs \$5 and \$6") == "costs $5 and $6"
    assert markdown_maths.to_delimiters("$$a$$ and $b$ and $$c\nd$$") == "\\[a\\] and \\(b\\) and \\[c\nd\\]"


def test_a_card_renders_lists_tables_italics_and_leaves_maths_alone():
    prompt = ("Given *italic* and **bold**, with $x_1 * y_2$ and $a_i \\cdot b_i$ (no emphasis there):\n\n"
              "- first $W^\\top x$\n- second, costs \\$5\n\n"
              "| layer | output |\n|---|---|\n| hidden | $h_1 = \\sigma(z_1)$ |\n\n"
              "$$\\frac{\\partial L}{\\partial w_{*}} < 1$$")
    front, _ = export.card_sides(q("m", "l1", prompt=prompt))
    assert "<em>italic</em>" in front and "<strong>bold</strong>" in front
    assert r"\(x_1 * y_2\)" in front and r"\(a_i \cdot b_i\)" in front
    assert "<ul>\n<li>first \\(W^\\top x\\)</li>\n<li>second, costs $5</li>\n</ul>" in front
    assert "<table>" in front and "<th>layer</th>" in front and r"<td>\(h_1 = \sigma(z_1)\)</td>" in front
    assert r"\[\frac{\partial L}{\partial w_{*}} &lt; 1\]" in front
    assert "$" not in front.replace("costs $5", "") and "<em>1" not in front


def test_apkg_notes_guids_fields(tmp_path):
    path = export.write_anki(banks(), tmp_path / "deck.apkg", timestamp=1.0)
    notes, decks, models, n_cards = open_apkg(path, tmp_path)
    all_q = [x for b in banks() for x in b.questions]
    assert len(notes) == len(all_q) == n_cards
    by_guid = {g: (mid, flds.split("\x1f"), tags) for g, mid, flds, tags in notes}
    for question in all_q:
        mid, (front, back, qid), tags = by_guid[genanki.guid_for(question.id)]
        assert qid == question.id and mid == export.MODEL_ID
        assert question.title in front and r"\(x^2\)" in front and "$" not in front
        assert r"\[2(o-g)\]" in back  # the solution's $$…$$ in Anki's delimiters
        assert question.bank in tags.split()
    assert str(export.MODEL_ID) in models
    assert {d["name"] for d in decks.values()} >= {f"{export.DECK_NAME}::Bank l1", f"{export.DECK_NAME}::Bank l3"}


def test_reexport_keeps_guids_and_ids(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, d1, _, _ = open_apkg(export.write_anki(banks(), tmp_path / "a" / "d.apkg"), tmp_path / "a")
    edited = [Bank(id=b.id, title=b.title, path=b.path, questions=tuple(
        q(x.id, b.id, title=x.title + " (typo fixed)", kind=x.kind, points=x.points) for x in b.questions))
        for b in banks()]
    second, d2, _, _ = open_apkg(export.write_anki(edited, tmp_path / "b" / "d.apkg"), tmp_path / "b")
    assert [g for g, *_ in first] == [g for g, *_ in second]
    assert set(d1) == set(d2)  # same deck ids
    assert first != second  # but the text did change


def test_choice_and_derivation_cards():
    choice = q("c", "l1", kind="choice", points=1)
    front, back = export.card_sides(choice)
    assert "(a) Yes" in front and "(b) No" in front and "(a) Yes" in back and "No" not in back
    _, back = export.card_sides(q("d", "l1", kind="derivation"))
    assert "model solution" in back


def fill(store: Store) -> None:
    for i, ok in enumerate([True, False, True]):
        progress.record_attempt(store, Attempt(profile="ana", question_id=f"l1-{'ab'[i % 2]}", answer=f"ans {i}, \"q\"",
                                               correct=ok, score=2.0 * ok, max_score=2.0,
                                               created_at=T0 + timedelta(minutes=i), variant=i))
    store.add_bookmark("ana", "l2-b", T0, note="ask in class")
    store.set_variant("ana", "l1-a", 2)
    e = exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=2, seed=4), T0)
    exam.submit(store, e, banks(), {}, T0 + timedelta(minutes=5), grade=fake_grade)
    exam.start(store, "ana", banks(), exam.ExamSettings(n_questions=1, seed=5), T0 + timedelta(hours=1))  # open
    progress.record_attempt(store, Attempt(profile="ben", question_id="l3-a", answer="x", correct=True,
                                           score=1, max_score=1, created_at=T0))


def test_attempts_csv():
    store = Store()
    fill(store)
    rows = list(csv.DictReader(io.StringIO(export.attempts_csv(store, "ana"))))
    assert [r["answer"] for r in rows[:3]] == ['ans 0, "q"', 'ans 1, "q"', 'ans 2, "q"']
    assert len(rows) == len(store.attempts("ana")) and {r["profile"] for r in rows} == {"ana"}
    assert rows[1]["correct"] == "0" and rows[0]["score"] == "2.0"


def test_backup_round_trip_is_identical(tmp_path):
    src = Store(tmp_path / "src.sqlite3")
    fill(src)
    data = export.backup_json(src, "ana", T0)
    dst = Store(tmp_path / "dst.sqlite3")
    summary = export.import_backup(dst, data, T0)
    assert summary["profile"] == "ana"
    assert summary["tables"]["attempts"] == {"added": len(src.attempts("ana")), "skipped": 0}
    assert dst.dump_profile("ana") == src.dump_profile("ana")
    assert dst.profiles() == ["ana"]  # ben's rows were not in ana's backup
    assert [a.extra["uuid"] for a in dst.attempts("ana")] == [a.extra["uuid"] for a in src.attempts("ana")]
    assert exam.current(dst, "ana").questions == exam.current(src, "ana").questions
    # twice = once
    again = export.import_backup(dst, data.encode(), T0)
    assert all(t["added"] == 0 for t in again["tables"].values())
    assert dst.dump_profile("ana") == src.dump_profile("ana")


def test_import_merges_and_into_another_profile(tmp_path):
    src = Store(tmp_path / "src.sqlite3")
    fill(src)
    data = export.backup_json(src, "ana", T0)
    dst = Store(tmp_path / "dst.sqlite3")
    progress.record_attempt(dst, Attempt(profile="zoe", question_id="l1-a", answer="mine", correct=False,
                                         score=0, max_score=2, created_at=T0 + timedelta(days=3)))
    s = export.import_backup(dst, data, T0, profile="zoe")
    assert s["profile"] == "zoe" and len(dst.attempts("zoe")) == len(src.attempts("ana")) + 1
    assert s["tables"]["cards"]["skipped"] == 1  # zoe's own card for l1-a was reviewed later: kept
    assert dst.get_card("zoe", "l1-a").due > T0 + timedelta(days=3)
    assert dst.get_card("zoe", "l1-b") is not None


@pytest.mark.parametrize("bad, message", [
    (b"\x89PNG\r\n", "not a backup"),
    ("[1, 2]", "format"),
    ('{"format": "dl-exam-trainer-backup", "version": 99, "tables": {}}', "version"),
    ('{"format": "dl-exam-trainer-backup", "version": 1, "tables": {"secrets": []}}', "unknown table"),
    ('{"format": "dl-exam-trainer-backup", "version": 1, "tables": {"attempts": [{"uuid": "x"}]}}', "lacks"),
])
def test_bad_backup_files(bad, message):
    with pytest.raises(StoreError, match=message):
        export.import_backup(Store(), bad, T0)


def test_bad_value_rolls_back_nothing_half_imported(tmp_path):
    src = Store(tmp_path / "src.sqlite3")
    fill(src)
    doc = export.backup(src, "ana", T0)
    doc["tables"]["variants"][0]["variant"] = "two"
    dst = Store(tmp_path / "dst.sqlite3")
    with pytest.raises(StoreError, match="variant"):
        export.import_backup(dst, json.dumps(doc), T0)
    assert dst.attempts("ana") == []


def test_real_banks_make_a_clean_deck(tmp_path):
    from quizlib.bank import load_banks
    real = [b for b in load_banks(export_root() / "content") if b.questions]
    n = sum(len(b.questions) for b in real)
    assert n > 0
    notes, decks, _, n_cards = open_apkg(export.write_anki(real, tmp_path / "real.apkg"), tmp_path)
    assert len(notes) == n_cards == n and len({g for g, *_ in notes}) == n
    for _, _, flds, _ in notes:
        front, back, _ = flds.split("\x1f")
        for side in (front, back):  # every $…$ became \(…\) or \[…\]
            assert "$" not in side.replace(r"\$", ""), side[:200]


def export_root():
    from pathlib import Path
    return Path(__file__).resolve().parent.parent
