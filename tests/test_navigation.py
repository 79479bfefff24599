"""The navigation and the first-request entry files in pages/ stay in step (quizlib/ui/navigation.py).

Streamlit 1.67 serves a fresh server's first request from `pages/<url>.py` (top level only) while a
folder named pages/ sits beside app.py; each such file must exist for every URL of the navigation and
do nothing but run the app's navigation, and no real page script may sit at the top level.
"""
from __future__ import annotations

import ast
from pathlib import Path

from quizlib.ui import navigation

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ["from quizlib.ui import navigation", "navigation.run()"]


def code_lines(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = tree.body[1:] if ast.get_docstring(tree) else tree.body
    return [ast.unparse(node) for node in body]


def test_one_entry_file_per_url_and_nothing_else_at_the_top():
    urls = [s.url for s in navigation.all_specs()]
    assert len(urls) == len(set(urls)), "two pages share a URL"
    assert sorted(p.stem for p in (ROOT / "pages").glob("*.py")) == sorted(urls)


def test_entry_files_only_run_the_navigation():
    for path in sorted((ROOT / "pages").glob("*.py")):
        assert code_lines(path) == ENTRY, f"{path.name} must only run quizlib.ui.navigation"


def test_every_page_script_is_in_the_navigation_and_exists():
    scripts = {s.script for s in navigation.all_specs()}
    on_disk = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*/*.py")}
    assert scripts == on_disk
    assert all(s.icon.startswith(":material/") and s.icon.endswith(":") for s in navigation.all_specs())
