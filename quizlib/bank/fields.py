"""Small readers for the values of a bank's fields and list sections.

Each reader takes the raw text (with its line) and a `Collector`, returns the
value it could read, and records a problem with `file:line` for what it could not:
points, tolerances, precisions, symbol lists (commas inside brackets do not split), variables
(`0.1, 0.2` or `0.1 .. 0.5 step 0.1`), choices, wrong answers and rubric items.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from quizlib.bank import precision
from quizlib.bank.parser import ListItem
from quizlib.model import N_LECTURES, Choice, Precision, Problem, RubricItem, Variable, WrongAnswer

ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
IDENT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
MAX_VARIANTS = 10_000


@dataclass
class Collector:
    """Problems of one file, gathered (never raised) while reading it."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message, "error"))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message, "warning"))

    def n_errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split on `sep` outside brackets: `o in (0, 1), g` → ["o in (0, 1)", "g"]."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth <= 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return [s for s in out if s]


def read_number(text: str) -> float | None:
    try:
        x = float(text.strip())
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def read_points(text: str, line: int, c: Collector) -> float | None:
    x = read_number(text)
    if x is None or x <= 0:
        c.error(line, f"points must be a positive number, not {text!r}")
        return None
    return x


def read_tolerance(text: str, line: int, c: Collector) -> tuple[float | None, float | None]:
    """`0.5%` or `rel 0.005` → rtol; `abs 0.001` → atol."""
    s = text.strip().lower()
    m = re.fullmatch(r"(rel\s+|abs\s+)?([0-9.eE+-]+)\s*(%)?", s)
    x = read_number(m.group(2)) if m else None
    if not m or x is None or x < 0:
        c.error(line, f"tolerance must look like `0.5%`, `rel 0.005` or `abs 0.001`, not {text!r}")
        return None, None
    if m.group(3):
        x /= 100
    if (m.group(1) or "").strip() == "abs":
        return None, x
    return x, None


def read_precision(text: str, line: int, c: Collector) -> Precision | None:
    """`3 decimals` / `4 significant` → Precision; anything else is an error at its line (None)."""
    try:
        return precision.parse(text)
    except ValueError as exc:
        c.error(line, str(exc))
        return None


def read_lecture(text: str, line: int, c: Collector) -> int | None:
    """`lecture: 4` → 4; anything but a whole number 1..N_LECTURES is an error (None)."""
    s = text.strip()
    if re.fullmatch(r"[0-9]{1,3}", s) and 1 <= int(s) <= N_LECTURES:
        return int(s)
    c.error(line, f"lecture must be a whole number from 1 to {N_LECTURES} (the course lecture "
                  f"the questions belong to), not {text.strip()!r}")
    return None


def read_bool(text: str, line: int, c: Collector, key: str) -> bool:
    s = text.strip().lower()
    if s in ("yes", "true", "1"):
        return True
    if s in ("no", "false", "0", ""):
        return False
    c.error(line, f"{key} must be yes or no, not {text!r}")
    return False


def read_variables(items: list[ListItem], c: Collector) -> tuple[Variable, ...]:
    out: list[Variable] = []
    for item in items:
        name, sep, rest = item.text.partition(":")
        name = name.strip()
        if not sep or not IDENT_RE.match(name):
            c.error(item.line, f"a variable is written `- name: 1, 2, 3`, not {item.text!r}")
            continue
        if any(v.name == name for v in out):
            c.error(item.line, f"variable {name!r} is declared twice")
            continue
        values = _read_values(rest.strip())
        if values is None:
            c.error(item.line, f"variable {name!r}: values must be numbers `1, 2, 3` or a range "
                               f"`0.1 .. 0.5 step 0.1`, not {rest.strip()!r}")
            continue
        out.append(Variable(name, values))
    n = math.prod(len(v.values) for v in out)
    if n > MAX_VARIANTS:
        c.error(items[0].line, f"{n} variants is too many (at most {MAX_VARIANTS})")
        return ()
    return tuple(out)


def _read_values(text: str) -> tuple[float, ...] | None:
    m = re.fullmatch(r"(\S+)\s*\.\.\s*(\S+)\s+step\s+(\S+)", text)
    if m:
        lo, hi, step = (read_number(g) for g in m.groups())
        if lo is None or hi is None or step is None or step <= 0 or hi < lo:
            return None
        n = int(math.floor((hi - lo) / step + 1e-9)) + 1
        if n > MAX_VARIANTS:
            return None
        # round away float drift: 0.1 + 2*0.1 → 0.3, not 0.30000000000000004
        return tuple(float(f"{lo + i * step:.12g}") for i in range(n))
    parts = [read_number(p) for p in text.split(",")]
    if not parts or any(p is None for p in parts):
        return None
    return tuple(parts)  # type: ignore[arg-type]


def read_choices(items: list[ListItem], c: Collector) -> tuple[Choice, ...]:
    out: list[Choice] = []
    for item in items:
        m = re.match(r"^\[( |x|X)\]\s*(.*)$", item.text, re.S)
        if not m:
            c.error(item.line, f"a choice is written `- [x] right` or `- [ ] wrong`, not {item.text!r}")
            continue
        label = chr(ord("a") + len(out)) if len(out) < 26 else f"z{len(out)}"
        out.append(Choice(label, m.group(2).strip(), m.group(1) != " "))
    return tuple(out)


def read_wrong_answers(items: list[ListItem], c: Collector) -> list[tuple[int, WrongAnswer]]:
    out = []
    for item in items:
        m = re.match(r"^`([^`]+)`\s*:?\s*(.*)$", item.text, re.S)
        if not m or not m.group(2).strip():
            c.error(item.line, "a wrong answer is written - `answer`: feedback, "
                               f"not {item.text[:60]!r}")
            continue
        out.append((item.line, WrongAnswer(m.group(1).strip(), m.group(2).strip())))
    return out


def read_rubric(items: list[ListItem], c: Collector) -> tuple[RubricItem, ...]:
    out = []
    for item in items:
        m = re.match(r"^\[\s*([^\]]+?)\s*\]\s*(.*)$", item.text, re.S)
        pts = read_number(m.group(1)) if m else None
        if not m or pts is None or pts < 0:
            c.error(item.line, f"a rubric item is written `- [2] what earns the points`, not {item.text[:60]!r}")
            continue
        text, check, final = _rubric_tail(m.group(2).strip())
        out.append(RubricItem(text, pts, check=check, final=final))
    return tuple(out)


def _rubric_tail(text: str) -> tuple[str, str, bool]:
    """`uses σ′ | check: o*(1-o)` → (text, formula, False); `the answer $o-g$ | final` → (…, "", True)."""
    m = re.match(r"^(.*?)\s*\|\s*(check\s*:\s*(.+?)|final)\s*$", text, re.S)
    if not m:
        return text, "", False
    return m.group(1).strip(), (m.group(3) or "").strip(), m.group(3) is None
