"""Coverage of the material: questions per source file and topic, uncovered catalogue items.

The course's official exam list has one catalogue per lecture (`npfl114-lecture-NN.md`,
items `npfl-lNN-qM: <question in our words> [points]`); `Coverage.official` lists it item
by item, in lecture order, with the questions that ask each item.

Each material file `X.txt` has a catalogue `content/sources/X.md` listing its items
as `- <item-id>: description`; a question covers items through its `covers:` field.
An item is covered when any loaded question lists its id (ids are meant to be unique
across catalogues, e.g. prefixed `l3-`).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from quizlib.model import Bank, Question

OFFICIAL_ITEM_RE = re.compile(r"^npfl-l(\d\d)-q(\d+)$")
"""Items of the course's official exam list: `npfl-lNN-qM`, lecture NN, M-th question of it."""
OFFICIAL_SOURCE_PREFIX = "npfl114-lecture-"
"""A question whose `source:` is an official catalogue asks its item whole, as the exam would."""
POINTS_RE = re.compile(r"\[(\d+(?:\.\d+)?)\]\s*$")


def official_items(q: Question) -> tuple[str, ...]:
    """The official-list items a question covers (the ones a real exam could ask)."""
    return tuple(c for c in q.covers if OFFICIAL_ITEM_RE.match(c))


def official_lecture(item: str) -> int:
    """`npfl-l04-q2` → 4."""
    m = OFFICIAL_ITEM_RE.match(item)
    if not m:
        raise ValueError(f"{item!r} is not an item of the official list (npfl-lNN-qM)")
    return int(m.group(1))


@dataclass(frozen=True)
class OfficialItem:
    """One question of the official exam list and the bank questions that ask it."""

    id: str
    lecture: int
    number: int  # position in its lecture's section of the list
    text: str  # the catalogue's wording, without the points
    points: float | None  # the official points written as `[5]` at the end, if any
    covered_by: tuple[str, ...]  # question ids


@dataclass(frozen=True)
class Coverage:
    per_source: dict[str, int]  # material file ("" for none) → number of questions
    per_topic: dict[str, int]  # topic → number of questions
    items: dict[str, dict[str, str]]  # catalogue stem → {item id: description}
    uncovered: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # stem → [(id, desc)]
    official: tuple[OfficialItem, ...] = ()  # the official exam list, item by item, in lecture order

    @property
    def n_uncovered(self) -> int:
        return sum(len(v) for v in self.uncovered.values())


def coverage(banks: list[Bank], catalogues: dict[str, dict[str, str]]) -> Coverage:
    questions = [q for b in banks for q in b.questions]
    per_source = Counter(q.source for q in questions)
    per_topic = Counter(t for q in questions for t in q.topics)
    covered = {item for q in questions for item in q.covers}
    uncovered = {stem: [(i, d) for i, d in items.items() if i not in covered]
                 for stem, items in catalogues.items()}
    by_item: dict[str, list[str]] = {}
    for q in questions:
        for item in q.covers:
            by_item.setdefault(item, []).append(q.id)
    official = []
    for items in catalogues.values():
        for item, desc in items.items():
            m = OFFICIAL_ITEM_RE.match(item)
            if m:
                pts = POINTS_RE.search(desc)
                official.append(OfficialItem(item, int(m.group(1)), int(m.group(2)),
                                             POINTS_RE.sub("", desc).strip(),
                                             float(pts.group(1)) if pts else None,
                                             tuple(by_item.get(item, ()))))
    official.sort(key=lambda o: (o.lecture, o.number))
    return Coverage(dict(sorted(per_source.items())), dict(sorted(per_topic.items())), catalogues,
                    {k: v for k, v in uncovered.items() if v}, tuple(official))


def format_coverage(cov: Coverage) -> str:
    lines = ["Questions per source file:"]
    for src, n in cov.per_source.items():
        lines.append(f"  {src or '(no source)'}: {n}")
    lines.append("Questions per topic:")
    for topic, n in cov.per_topic.items():
        lines.append(f"  {topic}: {n}")
    lines.append("Catalogue items without a question:")
    for stem, items in cov.items.items():
        missing = cov.uncovered.get(stem, [])
        lines.append(f"  {stem}: {len(items) - len(missing)}/{len(items)} items covered")
        for item, desc in missing:
            lines.append(f"    - {item}: {desc}")
    if cov.official:
        lines += format_official(cov)
    lines.append(f"{cov.n_uncovered} uncovered item(s)")
    return "\n".join(lines)


def format_official(cov: Coverage) -> list[str]:
    """The official exam list item by item: `[x]` asked by some question (named), `[ ]` not."""
    lines = ["Official exam list, item by item ([x] covered, [ ] uncovered):"]
    lecture = None
    for o in cov.official:
        if o.lecture != lecture:
            lecture = o.lecture
            here = [x for x in cov.official if x.lecture == lecture]
            lines.append(f"  Lecture {lecture}: {sum(bool(x.covered_by) for x in here)}/{len(here)} covered")
        pts = f" [{o.points:g}]" if o.points is not None else ""
        mark, by = ("[x]", ", ".join(o.covered_by)) if o.covered_by else ("[ ]", "UNCOVERED")
        lines.append(f"    {mark} {o.id}{pts} {o.text} -- {by}")
    n_missing = sum(not o.covered_by for o in cov.official)
    lines.append(f"Official list: {len(cov.official) - n_missing}/{len(cov.official)} items covered, "
                 f"{n_missing} uncovered")
    return lines
