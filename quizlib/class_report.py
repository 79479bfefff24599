"""The Class page's tables: item statistics, students and mock exams as DataFrames (and CSV).

Reads the whole class from the store (its class-wide reads, which only the teacher's page
calls) and the banks (titles, listed wrong answers), and hands quizlib.item_stats' numbers
to pandas. Students are shown by the provider's name and e-mail, never by their subject.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from quizlib import item_stats
from quizlib.model import Bank
from quizlib.store import Store


@dataclass(frozen=True)
class ClassReport:
    items: pd.DataFrame     # one row per question tried
    wrong: pd.DataFrame     # one row per (question, wrong answer)
    students: pd.DataFrame  # one row per profile
    exams: pd.DataFrame     # one row per finished mock exam


def _names(banks: list[Bank]) -> tuple[dict[str, str], dict[tuple[str, str, int], str]]:
    titles, listed = {}, {}
    for b in banks:
        for q in b.questions:
            titles[q.id] = q.title
            for part in q.parts:
                for k, wa in enumerate(part.wrong_answers):
                    listed[(q.id, part.id, k)] = wa.answer
    return titles, listed


def build(store: Store, banks: list[Bank], now: datetime) -> ClassReport:
    attempts = store.class_attempts()
    titles, listed = _names(banks)
    infos = {p.name: p for p in store.profile_infos()}

    def who(profile: str) -> str:
        info = infos.get(profile)
        return (info.display_name or info.email or profile) if info else profile

    stats = item_stats.item_stats(attempts, listed)
    items = pd.DataFrame([{
        "question": s.question_id, "title": titles.get(s.question_id, "(not in the banks)"),
        "students": s.students, "facility": round(s.facility, 3),
        "discrimination": None if s.discrimination is None else round(s.discrimination, 3),
        "median seconds": s.median_seconds,
        "listed wrong answers firing": sum(w.students for w in s.wrong if w.listed),
        "unlisted to consider": "; ".join(f"{w.answer} ({w.students})" for w in s.candidates),
    } for s in stats], columns=["question", "title", "students", "facility", "discrimination", "median seconds",
                                "listed wrong answers firing", "unlisted to consider"])
    wrong = pd.DataFrame([{"question": s.question_id, "answer": w.answer, "students": w.students,
                           "listed": w.listed} for s in stats for w in s.wrong],
                         columns=["question", "answer", "students", "listed"])
    due = Counter(p for p, _ in store.class_cards(due_before=now))
    students = pd.DataFrame([{
        "student": who(s.profile), "e-mail": infos[s.profile].email if s.profile in infos else "",
        "questions tried": s.questions_tried,
        "mean score": None if s.mean_fraction is None else round(s.mean_fraction, 3),
        "attempts": s.attempts, "cards due": s.cards_due, "last active": s.last_active,
    } for s in item_stats.student_summaries(attempts, due, infos)],
        columns=["student", "e-mail", "questions tried", "mean score", "attempts", "cards due", "last active"])
    exams = pd.DataFrame([{"student": who(e.profile), "started": e.started_at, "questions": e.questions,
                           "score": round(e.fraction, 3)} for e in item_stats.exam_scores(store.class_exams())],
                         columns=["student", "started", "questions", "score"])
    return ClassReport(items, wrong, students, exams)


def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")
