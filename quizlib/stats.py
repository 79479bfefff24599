"""Where a student stands: the stored attempts as a pandas table, and the summaries the dashboard draws.

One row per attempt, joined with its question's bank, source, title and topics from the
banks (an attempt at a question no longer in the banks shows "(removed)" there). Accuracy is the
share of attempts judged right; points are earned over possible. A question's weakness
is its accuracy over its last `RECENT` attempts, so a question once failed and since
mastered stops being "weak".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import pandas as pd

from quizlib.model import Bank
from quizlib.source_names import source_name
from quizlib.store import Store

RECENT = 3  # attempts that decide whether a question is weak now
REMOVED = "(removed)"  # bank and source of an attempt whose question is no longer in the banks
COLUMNS = ["question_id", "part_id", "bank", "source", "title", "topics", "correct", "score", "max_score",
           "created_at", "mode", "variant"]


def attempts_frame(store: Store, profile: str, banks: Sequence[Bank], bank: str | None = None,
                   source_titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The profile's attempts with question metadata; only those of `bank` if given.

    With `source_titles` ({catalogue stem: title}, see quizlib.source_names) the source column holds
    human names (a catalogue's title, else the bank's title); without, the raw `source:` value."""
    def source(b: Bank, q) -> str:
        if source_titles is None:
            return q.source or "(no source)"
        return source_name(q.source, b.title, source_titles)

    meta = {q.id: (b.id, source(b, q), q.title, list(q.topics) or ["(no topic)"])
            for b in banks for q in b.questions}
    rows = []
    for a in store.attempts(profile):
        b, source, title, topics = meta.get(a.question_id, (REMOVED, REMOVED, a.question_id, ["(no topic)"]))
        rows.append((a.question_id, a.part_id, b, source, title, topics, a.correct, a.score, a.max_score,
                     a.created_at, a.mode, a.variant))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    df["correct"] = df["correct"].astype(bool)
    if bank:
        df = df[df["bank"] == bank].reset_index(drop=True)
    return df


def _summary(df: pd.DataFrame, by: str) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=[by, "attempts", "accuracy", "points", "possible", "share"])
    g = df.groupby(by, sort=True).agg(attempts=("correct", "size"), accuracy=("correct", "mean"),
                                      points=("score", "sum"), possible=("max_score", "sum"))
    g["share"] = (g["points"] / g["possible"]).where(g["possible"] > 0, 0.0)  # points earned / possible
    return g.reset_index()


def by_topic(df: pd.DataFrame) -> pd.DataFrame:
    """Per topic (an attempt counts for each topic of its question): attempts, accuracy, points."""
    return _summary(df.explode("topics").rename(columns={"topics": "topic"}), "topic")


def by_source(df: pd.DataFrame) -> pd.DataFrame:
    return _summary(df, "source")


def over_time(df: pd.DataFrame, freq: str = "D") -> pd.DataFrame:
    """Attempts and accuracy per period (UTC days by default), periods without attempts left out."""
    if df.empty:
        return pd.DataFrame(columns=["period", "attempts", "correct", "accuracy"])
    period = df["created_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period(freq).dt.start_time
    g = df.assign(period=period).groupby("period").agg(attempts=("correct", "size"), correct=("correct", "sum"))
    g["accuracy"] = g["correct"] / g["attempts"]
    return g.reset_index()


def weakest(df: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Questions with the lowest recent accuracy (ties: more attempts first), with their last attempt."""
    if df.empty:
        return pd.DataFrame(columns=["question_id", "title", "bank", "attempts", "recent_accuracy", "last"])
    df = df.sort_values("created_at", kind="stable")
    recent = df.groupby("question_id").tail(RECENT).groupby("question_id")["correct"].mean()
    g = df.groupby("question_id").agg(title=("title", "last"), bank=("bank", "last"),
                                      attempts=("correct", "size"), last=("created_at", "max"))
    g["recent_accuracy"] = recent
    g = g.reset_index().sort_values(["recent_accuracy", "attempts", "question_id"], ascending=[True, False, True])
    return g[["question_id", "title", "bank", "attempts", "recent_accuracy", "last"]].head(n).reset_index(drop=True)


def due_ahead(store: Store, profile: str, now: datetime, days: int = 14,
              question_ids: set[str] | None = None) -> pd.DataFrame:
    """Cards due per coming day (day 0 = today, overdue included); optionally only some questions."""
    counts = [0] * days
    for c in store.cards(profile):
        if question_ids is not None and c.question_id not in question_ids:
            continue
        offset = max(0, (c.due.date() - now.date()).days)
        if offset < days:
            counts[offset] += 1
    dates = pd.date_range(pd.Timestamp(now.date()), periods=days, freq="D")
    return pd.DataFrame({"day": dates, "due": counts})


def totals(df: pd.DataFrame) -> dict:
    """Headline figures: attempts, questions tried, accuracy, points earned and possible."""
    if df.empty:
        return {"attempts": 0, "questions": 0, "accuracy": 0.0, "points": 0.0, "possible": 0.0}
    return {"attempts": int(len(df)), "questions": int(df["question_id"].nunique()),
            "accuracy": float(df["correct"].mean()), "points": float(df["score"].sum()),
            "possible": float(df["max_score"].sum())}


__all__ = ["attempts_frame", "by_topic", "by_source", "over_time", "weakest", "due_ahead", "totals"]
