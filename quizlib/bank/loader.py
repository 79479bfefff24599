"""Load the question banks of `content/`: every top-level `*.md` not starting with `_`.

`load_banks` parses (`bank.parser`) and validates (`bank.validate`) each file, then
checks what needs all banks at once — ids unique across banks (both places are
reported; the later question is dropped). A broken bank comes back with its
`problems` and only its valid questions; nothing raises for bad content unless
`strict=True`, which raises one `BankError` listing every problem (warnings included).
Built files are cached by path, content, catalogues and code version, in-process and on disk
(`bank.cache`), since validation runs the answer checker over every reference and wrong answer.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from quizlib.bank import cache
from quizlib.bank.parser import parse_bank_text
from quizlib.bank.validate import BuiltBank, build_bank
from quizlib.errors import BankError
from quizlib.model import Bank, Problem, Question

CATALOGUE_DIR = "sources"
ITEM_RE = re.compile(r"^[-*]\s+([A-Za-z0-9][A-Za-z0-9_.-]*):\s")

_cache: dict[str, BuiltBank] = {}  # cache key → build, for this process


def bank_files(path: str | Path = "content") -> list[Path]:
    """The bank files of a content folder (or a single file), sorted by name."""
    p = Path(path)
    if p.is_file():
        return [p]
    return sorted(f for f in p.glob("*.md") if f.is_file() and not f.name.startswith("_"))


def read_catalogues(path: str | Path = "content") -> dict[str, dict[str, str]]:
    """`content/sources/<stem>.md` → {material file stem: {item id: description}}.

    Items are the list lines `- <item-id>: description`; when the file has an
    `Items:` line, only the lines after it count (notes above it may be lists too).
    """
    folder = (Path(path) if Path(path).is_dir() else Path(path).parent) / CATALOGUE_DIR
    out: dict[str, dict[str, str]] = {}
    for f in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        lines = f.read_text(encoding="utf-8").splitlines()
        starts = [i for i, s in enumerate(lines) if s.strip().lower() in ("items:", "## items")]
        items: dict[str, str] = {}
        for s in lines[starts[0] + 1:] if starts else lines:
            m = ITEM_RE.match(s.strip())
            if m:
                items[m.group(1)] = s.strip()[m.end():].strip()
        out[f.stem] = items
    return out


def _display(f: Path) -> str:
    """A file name as problems show it: relative to the working directory when possible."""
    try:
        return str(f.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(f)


def _build(f: Path, catalogue) -> BuiltBank:
    text = f.read_text(encoding="utf-8")
    display = _display(f)
    key = cache.cache_key(text, str(f), display, catalogue)
    if key not in _cache:
        built = cache.load(key)
        if built is None:
            built = build_bank(f, parse_bank_text(text), display, catalogue)
            cache.store(key, built)
        _cache[key] = built
    return _cache[key]


def load_bank_file(file: str | Path) -> Bank:
    """One bank file, validated on its own (no cross-bank checks)."""
    f = Path(file)
    cats = read_catalogues(f.parent)
    return _build(f, {k: set(v) for k, v in cats.items()} if cats else None).bank


def load_banks(path: str | Path = "content", *, strict: bool = False) -> list[Bank]:
    """Every bank of `path`, sorted by file name; see the module docstring for errors."""
    files = bank_files(path)
    cats = read_catalogues(path)
    catalogue = {k: set(v) for k, v in cats.items()} if cats else None
    banks: list[Bank] = []
    first_seen: dict[str, tuple[Question, int]] = {}  # id → (question, index of its bank)
    extra: dict[int, list[Problem]] = {}  # bank index → cross-bank problems
    dropped: dict[int, set[str]] = {}  # bank index → ids left out as duplicates
    for f in files:
        try:
            bank = _build(f, catalogue).bank
        except (OSError, UnicodeDecodeError) as exc:
            bank = Bank(id=f.stem, title=f.stem, path=str(f),
                        problems=(Problem(_display(f), 1, f"cannot read the file: {exc}"),))
        here_i = len(banks)
        banks.append(bank)
        for q in bank.questions:
            if q.id not in first_seen:
                first_seen[q.id] = (q, here_i)
                continue
            other, there_i = first_seen[q.id]
            here, there = _display(Path(q.file)), _display(Path(other.file))
            extra.setdefault(here_i, []).append(
                Problem(here, q.line, f"duplicate question id {q.id!r}: also at {there}:{other.line}"))
            extra.setdefault(there_i, []).append(
                Problem(there, other.line, f"duplicate question id {q.id!r}: also at {here}:{q.line}"))
            dropped.setdefault(here_i, set()).add(q.id)
    for i, b in enumerate(banks):  # `reveals:` must name a question of some bank
        for q in b.questions:
            for other in q.reveals:
                if other not in first_seen:
                    extra.setdefault(i, []).append(Problem(
                        _display(Path(q.file)), q.line,
                        f"question {q.id!r} reveals {other!r}, which is no question of any bank", "warning"))
    for i in extra:  # the first question with an id is kept, later ones are left out
        b = banks[i]
        banks[i] = replace(b, questions=tuple(q for q in b.questions if q.id not in dropped.get(i, ())),
                           problems=b.problems + tuple(extra[i]))
    if strict:
        problems = [p for b in banks for p in b.problems]
        if problems:
            raise BankError(problems)
    return banks


def check_banks(path: str | Path = "content", *, strict: bool = False) -> list[Problem]:
    """Every problem of every bank; under `strict`, warnings count as errors."""
    problems = [p for b in load_banks(path) for p in b.problems]
    if strict:
        problems = [replace(p, severity="error") for p in problems]
    return problems


def find_question(banks: list[Bank], qid: str) -> Question | None:
    for bank in banks:
        for q in bank.questions:
            if q.id == qid:
                return q
    return None
