"""Markdown bank text → raw blocks with line numbers (no validation, no maths).

A small line-based state machine reads one bank file: the front matter between
`---` lines, then `## id: title` questions, each with its `key: value` lines, its
`### Section`s and its `### Part id: title` parts (own keys, prompt text, `####`
sections). Fenced code blocks are opaque: a `## ` inside ``` never starts a question.
Everything keeps the 1-based line it came from, so `bank.validate` can report
`file:line` for every problem. Lists (`- item`, continuation lines appended) are
split here too, because every list-shaped section shares that grammar.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

KEY_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):(?:\s+(.*))?$")
QUESTION_RE = re.compile(r"^##\s+(.*)$")
SECTION_RE = re.compile(r"^###\s+(.*)$")
SUBSECTION_RE = re.compile(r"^####\s+(.*)$")
PART_RE = re.compile(r"^Part\s+(.*)$", re.IGNORECASE)
FENCE_RE = re.compile(r"^\s*(```|~~~)")


@dataclass
class RawField:
    value: str
    line: int


@dataclass
class RawSection:
    name: str  # as written, e.g. "Wrong answers"
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)  # (line, text)

    def text(self) -> str:
        return "\n".join(t for _, t in self.body).strip("\n")


@dataclass
class RawPart:
    id: str
    title: str
    line: int
    fields: dict[str, RawField] = field(default_factory=dict)
    prompt: list[tuple[int, str]] = field(default_factory=list)
    sections: list[RawSection] = field(default_factory=list)
    dup_keys: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class RawQuestion:
    heading: str  # text after "## "
    line: int
    fields: dict[str, RawField] = field(default_factory=dict)
    loose: list[tuple[int, str]] = field(default_factory=list)  # text between keys and first ###
    sections: list[RawSection] = field(default_factory=list)
    parts: list[RawPart] = field(default_factory=list)
    dup_keys: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class RawBank:
    front: dict[str, RawField] | None  # None: no front matter at all
    front_line: int
    questions: list[RawQuestion]
    bad_front: list[tuple[int, str]] = field(default_factory=list)  # lines that are not key: value
    unclosed_front: bool = False


@dataclass
class ListItem:
    line: int
    text: str  # the item text after "- ", continuation lines joined with "\n"


def split_heading(text: str) -> tuple[str, str]:
    """`id: title` → (id, title); without a colon the whole text is the id."""
    ident, sep, title = text.partition(":")
    if not sep:
        return text.strip(), ""
    return ident.strip(), title.strip()


def _read_front(lines: list[str]) -> tuple[dict[str, RawField] | None, int, list, bool]:
    """Front matter: `---` on the first non-blank line, `key: value` lines, `---`."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or lines[i].strip() != "---":
        return None, 0, [], False
    front: dict[str, RawField] = {}
    bad: list[tuple[int, str]] = []
    j = i + 1
    while j < len(lines):
        s = lines[j].strip()
        if s == "---":
            return front, j + 1, bad, False
        m = KEY_RE.match(s)
        if m:
            front[m.group(1).lower()] = RawField((m.group(2) or "").strip(), j + 1)
        elif s and not s.startswith("#"):
            bad.append((j + 1, s))
        j += 1
    return front, len(lines), bad, True


def parse_bank_text(text: str) -> RawBank:
    lines = text.splitlines()
    front, start, bad_front, unclosed = _read_front(lines)
    questions: list[RawQuestion] = []
    q: RawQuestion | None = None
    part: RawPart | None = None
    section: RawSection | None = None
    # state: "keys" right after a heading (key lines allowed), else "body"
    state = "none"
    in_fence = False

    for idx in range(start, len(lines)):
        no = idx + 1
        raw = lines[idx]
        stripped = raw.rstrip()
        if not in_fence:
            m = QUESTION_RE.match(stripped)
            if m and not stripped.startswith("###"):
                q = RawQuestion(m.group(1).strip(), no)
                questions.append(q)
                part, section, state = None, None, "keys"
                continue
        if q is None:  # free text before the first question is ignored
            if FENCE_RE.match(stripped):
                in_fence = not in_fence
            continue
        if FENCE_RE.match(stripped):
            in_fence = not in_fence
        elif not in_fence:
            m3 = SECTION_RE.match(stripped)
            if m3 and not stripped.startswith("####"):
                name = m3.group(1).strip()
                pm = PART_RE.match(name)
                if pm:
                    pid, ptitle = split_heading(pm.group(1))
                    part = RawPart(pid, ptitle, no)
                    q.parts.append(part)
                    section, state = None, "keys"
                else:
                    part = None
                    section = RawSection(name, no)
                    q.sections.append(section)
                    state = "body"
                continue
            m4 = SUBSECTION_RE.match(stripped)
            if m4 and part is not None:
                section = RawSection(m4.group(1).strip(), no)
                part.sections.append(section)
                state = "body"
                continue
            if state == "keys":
                km = KEY_RE.match(stripped)
                if km:
                    target = part if part is not None else q
                    key = km.group(1).lower()
                    if key in target.fields:
                        target.dup_keys.append((key, no))
                    target.fields[key] = RawField((km.group(2) or "").strip(), no)
                    continue
                if not stripped.strip() and not (part or q).fields:
                    continue  # blank lines between heading and the first key
                state = "body"
        # body text
        if section is not None:
            section.body.append((no, stripped))
        elif part is not None:
            part.prompt.append((no, stripped))
        else:
            q.loose.append((no, stripped))
    return RawBank(front, 1, questions, bad_front, unclosed)


def list_items(body: list[tuple[int, str]]) -> tuple[list[ListItem], list[tuple[int, str]]]:
    """Split a section body into `- item`s; returns (items, stray non-list lines)."""
    items: list[ListItem] = []
    stray: list[tuple[int, str]] = []
    for no, text in body:
        s = text.strip()
        if re.match(r"^[-*]\s+", s) and not text.startswith(("  ", "\t")):
            items.append(ListItem(no, re.sub(r"^[-*]\s+", "", s)))
        elif not s:
            continue
        elif items:
            items[-1].text += "\n" + s
        else:
            stray.append((no, s))
    return items, stray


def strip_block(body: list[tuple[int, str]]) -> str:
    """Body lines → Markdown text without leading/trailing blank lines."""
    return "\n".join(t for _, t in body).strip("\n")
