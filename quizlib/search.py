"""Find questions by a word: over ids, titles, topics, prompts and solutions, ranked.

Text is folded before matching — case, accents (é → e, via Unicode decomposition)
and LaTeX markup (`\\sigma` → `sigma`, braces and `$` become spaces) — so "Entropie",
"entropie" and "ENTROPIE" find the same questions. Every word of the query must occur
somewhere in a question (as the start of a word of it); a hit in the title counts more
than one in the topics, the prompt, or the solution, a whole word more than a prefix,
and the whole query as a phrase adds a bonus. A bank and a course lecture narrow the
search; with a lecture and no words, every question of that lecture is listed (bank
order). Every question has a deep link `practice?q=<id>` that opens it on the Practice page.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from quizlib.model import Bank, Question

# how much a hit in each field weighs (a title names the question; a solution mentions much)
WEIGHTS = {"id": 6.0, "title": 5.0, "topics": 4.0, "prompt": 2.0, "solution": 1.0}
WHOLE_WORD = 2.0  # a whole-word hit counts this many times a prefix hit
PHRASE_BONUS = 3.0  # the query's words side by side, in order, in a field


def fold(text: str) -> str:
    """Lower case, no accents, only letters and digits separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ß", "ss")
    return " ".join(re.findall(r"[^\W_]+", text))


@dataclass(frozen=True)
class Hit:
    question: Question
    score: float
    fields: tuple[str, ...]  # where the query was found
    link: str


def deep_link(question_id: str) -> str:
    """Relative URL that opens the question on the Practice page."""
    return f"practice?q={quote(question_id, safe='-_.')}"


def _fields(q: Question) -> dict[str, str]:
    parts_text = " ".join(f"{p.title} {p.prompt}" for p in q.parts)
    part_solutions = " ".join(p.solution for p in q.parts)
    return {"id": fold(q.id.replace("-", " ")), "title": fold(q.title), "topics": fold(" ".join(q.topics)),
            "prompt": fold(f"{q.prompt} {parts_text}"), "solution": fold(f"{q.solution} {part_solutions}")}


def _score_field(words: list[str], text: str) -> float:
    tokens = text.split()
    score = 0.0
    for w in words:
        if w in tokens:
            score += WHOLE_WORD
        elif any(t.startswith(w) for t in tokens):
            score += 1.0
        else:
            return 0.0 if len(words) == 1 else score
    return score


def search(banks: Sequence[Bank], query: str, *, bank: str | None = None, lecture: int | None = None,
           limit: int = 50) -> list[Hit]:
    """Questions matching every word of `query`, best first (ties: bank order, then id)."""
    words = fold(query).split()
    if not words:
        if lecture is None:
            return []
        return [Hit(q, 0.0, (), deep_link(q.id)) for b in banks if not bank or b.id == bank
                for q in b.questions if q.lecture == lecture][:limit]
    phrase = " ".join(words)
    hits = []
    order = 0
    for b in banks:
        if bank and b.id != bank:
            continue
        for q in b.questions:
            if lecture is not None and q.lecture != lecture:
                continue
            order += 1
            fields = _fields(q)
            joined = " ".join(fields.values()).split()
            if not all(any(t.startswith(w) for t in joined) for w in words):
                continue
            score, where = 0.0, []
            for name, text in fields.items():
                s = _score_field(words, text)
                if len(words) > 1 and f" {phrase} " in f" {text} ":
                    s += PHRASE_BONUS
                if s:
                    score += WEIGHTS[name] * s
                    where.append(name)
            hits.append((-score, order, Hit(q, score, tuple(where), deep_link(q.id))))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [h for _, _, h in hits[:limit]]
