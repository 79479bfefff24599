"""Where a page script lives (pages/quiz/, pages/labs/, pages/teacher/), by its file name."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def page_script(name: str) -> str:
    """The path of `practice`, `practice.py`, `lab_dropout` … for AppTest.from_file."""
    name = name if name.endswith(".py") else f"{name}.py"
    found = [p for p in (ROOT / "pages").glob(f"*/{name}")]
    assert len(found) == 1, f"no single page script named {name}: {found}"
    return str(found[0])
