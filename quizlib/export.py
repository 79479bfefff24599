"""Taking things out and back in: an Anki deck of the banks, attempts as CSV, and profile backups.

The Anki deck (`.apkg`, written with genanki) has fixed deck and note-type ids and one
note per question whose GUID is `genanki.guid_for(question id)`: importing a newer
deck updates the notes already in Anki instead of adding copies. Card text goes through
`quizlib.card_html` (markdown-it-py; maths to Anki's `\\(…\\)`/`\\[…\\]`). A backup is one JSON
file with every row of a profile (attempts, cards, bookmarks, exams, variants), keyed
by natural keys — a UUID per attempt and exam, (profile, question) for the rest — so
importing it twice, or into a store that already has part of it, adds each row once;
imported into another profile it brings every row (quizlib.store gives attempts and exams
whose UUID another profile holds a key of their own). A file is checked whole first
(quizlib.backup_check) and refused with every problem listed, nothing written.
"""
from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import tempfile
from collections.abc import Collection, Sequence
from datetime import datetime
from pathlib import Path

import genanki

from quizlib import backup_check, card_html
from quizlib.answers import preview
from quizlib.backup_check import BACKUP_FORMAT, BACKUP_VERSION, Backup
from quizlib.model import Bank, Part, Question
from quizlib.profiles import clean_name
from quizlib.store import Store, iso

DECK_ID = 1_732_250_001  # fixed forever: Anki recognises the deck and note type by these ids
MODEL_ID = 1_732_250_002
DECK_NAME = "DL Exam Trainer"

MODEL = genanki.Model(
    MODEL_ID, "DL Exam Trainer question",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "QuestionId"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
    css=".card { font-family: sans-serif; font-size: 18px; text-align: left; }",
)


# -- Anki ---------------------------------------------------------------------------
def to_html(markdown: str) -> str:
    """Bank Markdown as card HTML (markdown-it-py: lists, tables, emphasis; maths for MathJax)."""
    return card_html.to_html(markdown)


def _answer_latex(part: Part) -> str | None:
    """The reference as the checker reads it, or None (then the card shows the text as typed)."""
    r = preview(part.answer, part.kind, list(part.symbols), let=part.let, functions=part.functions)
    return r.latex if r.valid and r.latex else None


def _answer_html(part: Part) -> str:
    if part.kind == "derivation":
        return "<i>Derivation: see the model solution.</i>"
    if part.kind == "choice":
        return _choices_html(c for c in part.choices if c.correct)
    latex = _answer_latex(part) if part.kind in ("expr", "number", "matrix") else None
    return r"\(" + html.escape(latex, quote=False) + r"\)" if latex else f"<code>{html.escape(part.answer)}</code>"


def _choices_html(choices) -> str:
    return "<br>".join(f"({c.label}) {card_html.to_inline_html(c.text)}" for c in choices)


def card_sides(q: Question) -> tuple[str, str]:
    """(front, back) HTML of a question's note: prompt (and parts) / answers and model solution."""
    inline = card_html.to_inline_html
    front = [f"<p><b>{inline(q.title)}</b> ({q.points:g} points)</p>", to_html(q.prompt)]
    back = []
    for p in q.parts:
        if q.is_multi:
            front.append(f"<p><b>{html.escape(p.id)}.</b> {inline(p.title)}</p>{to_html(p.prompt)}")
        if p.kind == "choice" and not q.is_multi:
            front.append(f"<p>{_choices_html(p.choices)}</p>")
        label = f"<b>{html.escape(p.id)}:</b> " if q.is_multi else "<b>Answer:</b> "
        back.append(f"<p>{label}{_answer_html(p)}</p>")
        if p.solution:
            back.append(to_html(p.solution))
    if q.solution:
        back.append("<p><b>Solution</b></p>" + to_html(q.solution))
    return "\n".join(front), "\n".join(back)


def _deck_id(bank: Bank) -> int:
    return DECK_ID + 1 + int(hashlib.sha1(bank.id.encode()).hexdigest()[:7], 16)  # stable per bank


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


def anki_package(banks: Sequence[Bank]) -> genanki.Package:
    """One sub-deck per bank, one note per question (variant as loaded)."""
    decks = []
    for b in banks:
        deck = genanki.Deck(_deck_id(b), f"{DECK_NAME}::{b.title}")
        for q in b.questions:
            front, back = card_sides(q)
            deck.add_note(genanki.Note(model=MODEL, fields=[front, back, q.id], guid=genanki.guid_for(q.id),
                                       tags=[_tag(b.id)] + [_tag(t) for t in q.topics]))
        decks.append(deck)
    return genanki.Package(decks)


def write_anki(banks: Sequence[Bank], path: str | Path, timestamp: float | None = None) -> Path:
    path = Path(path)
    anki_package(banks).write_to_file(str(path), timestamp=timestamp)
    return path


def anki_bytes(banks: Sequence[Bank], timestamp: float | None = None) -> bytes:
    """The .apkg as bytes (genanki only writes files: a temporary folder holds it meanwhile)."""
    with tempfile.TemporaryDirectory() as tmp:
        return write_anki(banks, Path(tmp) / "dl-exam-trainer.apkg", timestamp).read_bytes()


# -- attempts as CSV -------------------------------------------------------------------
CSV_COLUMNS = ["created_at", "profile", "question_id", "part_id", "variant", "mode", "answer", "correct",
               "score", "max_score", "uuid"]


def attempts_csv(store: Store, profile: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for a in store.attempts(profile):
        w.writerow([iso(a.created_at), a.profile, a.question_id, a.part_id, a.variant, a.mode, a.answer,
                    int(a.correct), a.score, a.max_score, a.extra.get("uuid", "")])
    return buf.getvalue()


# -- backup -------------------------------------------------------------------------
def backup(store: Store, profile: str, now: datetime) -> dict:
    return {"format": BACKUP_FORMAT, "version": BACKUP_VERSION, "profile": profile, "exported_at": iso(now),
            "tables": store.dump_profile(profile)}


def backup_json(store: Store, profile: str, now: datetime) -> str:
    return json.dumps(backup(store, profile, now), ensure_ascii=False, indent=1)


def read_backup(data: bytes | str, target: str | None = None) -> Backup:
    """Parse and check a backup file completely (quizlib.backup_check); BackupError listing what is wrong."""
    return backup_check.check(data, target)


def import_backup(store: Store, data: bytes | str, now: datetime, profile: str | None = None,
                  known_questions: Collection[str] | None = None) -> dict:
    """Add a backup's rows to `profile` (default: the backup's own) in one transaction.

    Returns {"profile", "tables": per-table added/skipped, "unknown_questions"}: the question ids the
    backup mentions that are not in `known_questions` (when given) — imported all the same."""
    doc = read_backup(data, profile or None)
    target = clean_name(profile or doc.profile)
    unknown = sorted(doc.question_ids - set(known_questions)) if known_questions is not None else []
    return {"profile": target, "tables": store.load_profile(target, doc.tables, now), "unknown_questions": unknown}
