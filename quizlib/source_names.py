"""Human names for the material a question comes from, instead of its file name.

A question's `source:` is a material file (`000_3fc7ddf7b73e9fcd.txt`) or an official-list
catalogue (`npfl114-lecture-08`); its catalogue `content/sources/<stem>.md` opens with
`# <stem> — <what it is>`, and that title is the name shown. A source without a catalogue,
or a question without a source, is named by its bank's title.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

CATALOGUE_DIR = "sources"


def _stem(source: str) -> str:
    return source.removesuffix(".txt").removesuffix(".md")


def catalogue_titles(content: str | Path) -> dict[str, str]:
    """{catalogue stem: its title} from the first heading of every `content/sources/*.md`."""
    out = {}
    for f in sorted((Path(content) / CATALOGUE_DIR).glob("*.md")):
        try:
            first = f.read_text(encoding="utf-8").lstrip().splitlines()[0]
        except (OSError, UnicodeDecodeError, IndexError):
            continue  # an unreadable catalogue keeps its file name
        head = first.lstrip("#").strip()
        title = head.split(" — ", 1)[1].strip() if " — " in head else ""
        if first.startswith("#") and title:
            out[f.stem] = title[0].upper() + title[1:]
    return out


def source_name(source: str | None, bank_title: str, titles: Mapping[str, str]) -> str:
    """The catalogue's title of `source`, else the bank's title."""
    if source and _stem(source) in titles:
        return titles[_stem(source)]
    return bank_title
