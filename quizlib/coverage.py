"""Coverage of the material: questions per source file and topic, uncovered catalogue items.

Each material file `X.txt` has a catalogue `content/sources/X.md` listing its items
as `- <item-id>: description`; a question covers items through its `covers:` field.
An item is covered when any loaded question lists its id (ids are meant to be unique
across catalogues, e.g. prefixed `l3-`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .model import Bank


@dataclass(frozen=True)
class Coverage:
    per_source: dict[str, int]  # material file ("" for none) → number of questions
    per_topic: dict[str, int]  # topic → number of questions
    items: dict[str, dict[str, str]]  # catalogue stem → {item id: description}
    uncovered: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # stem → [(id, desc)]

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
    return Coverage(dict(sorted(per_source.items())), dict(sorted(per_topic.items())), catalogues,
                    {k: v for k, v in uncovered.items() if v})


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
    lines.append(f"{cov.n_uncovered} uncovered item(s)")
    return "\n".join(lines)
