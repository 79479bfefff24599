"""The house rules of design.md, read from the imports so a change that breaks them fails.

Data flows content → bank → page → answers.check → store; only quizlib.ui imports
streamlit, only quizlib.store touches sqlite3, nn is NumPy only, pages hold no maths,
and no code path hands text to eval/exec/sympify/parse_expr.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUIZLIB = sorted((ROOT / "quizlib").rglob("*.py"))
PAGES = sorted((ROOT / "pages").rglob("*.py"))


def imports(path: Path) -> set[str]:
    """Top-level module names imported by a file (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def roots(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def calls(path: Path) -> set[str]:
    """Called names that evaluate code: `eval(...)`, `sympy.sympify(...)`, `builtins.exec(...)` …"""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    direct = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr", "parse_latex"}
    via_attr = {"eval", "exec", "sympify", "parse_expr", "parse_latex"}  # not re.compile
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in direct:
                out.add(f.id)
            elif isinstance(f, ast.Attribute) and f.attr in via_attr:
                out.add(f.attr)
    return out


def rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def test_there_is_code_to_check():
    assert len(QUIZLIB) >= 5 and len(PAGES) >= 6


@pytest.mark.parametrize("path", QUIZLIB, ids=rel)
def test_only_ui_imports_streamlit(path):
    if "ui" in path.relative_to(ROOT / "quizlib").parts[:-1]:
        return
    assert "streamlit" not in roots(imports(path)), f"{rel(path)} imports streamlit; only quizlib/ui may"


@pytest.mark.parametrize("path", QUIZLIB + PAGES + [ROOT / "app.py"], ids=rel)
def test_only_store_touches_sqlite(path):
    if rel(path) == "quizlib/store.py":
        return
    bad = roots(imports(path)) & {"sqlite3", "sqlalchemy", "psycopg"}
    assert not bad, f"{rel(path)} imports {bad}; only quizlib/store.py speaks SQL"


def test_nn_is_numpy_only():
    for name in ("nn.py", "nn_layers.py"):
        path = ROOT / "quizlib" / name
        if path.exists():
            allowed = {"numpy", "quizlib", "__future__", "dataclasses", "typing", "math"}
            assert roots(imports(path)) <= allowed, f"{name} imports {roots(imports(path)) - allowed}"


@pytest.mark.parametrize("path", PAGES, ids=rel)
def test_pages_are_thin(path):
    bad = roots(imports(path)) & {"sympy", "sqlite3", "numpy", "pages"}
    assert not bad, f"{rel(path)} imports {bad}: maths, SQL and other pages belong in quizlib"


def test_schedule_never_calls_the_clock():
    path = ROOT / "quizlib" / "schedule.py"
    if not path.exists():
        pytest.skip("no scheduler yet")
    src = path.read_text(encoding="utf-8")
    for clock in ("datetime.now", "datetime.utcnow", "time.time(", "date.today"):
        assert clock not in src, f"schedule.py calls {clock}; take `now` as a parameter"


@pytest.mark.parametrize("path", QUIZLIB + PAGES, ids=rel)
def test_no_code_evaluation(path):
    bad = calls(path)
    assert not bad, f"{rel(path)} calls {bad}: student text must go through quizlib's own parser"
