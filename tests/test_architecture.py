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


NN = sorted((ROOT / "quizlib" / "nn").glob("*.py"))


@pytest.mark.parametrize("path", NN, ids=rel)
def test_nn_is_numpy_only(path):
    allowed = {"numpy", "quizlib", "__future__", "dataclasses", "typing", "math", "json", "pathlib"}
    assert roots(imports(path)) <= allowed, f"{rel(path)} imports {roots(imports(path)) - allowed}"
    project = {n for n in imports(path) if n.startswith("quizlib")}
    assert all(n.startswith(("quizlib.nn", "quizlib.errors")) or n == "quizlib" for n in project), project


def test_the_packages_hold_their_modules():
    """The layout README describes: one package per big idea, nothing of theirs left flat."""
    layout = {
        "answers": {"checker", "context", "feedback", "latex", "lexer", "matrix", "names", "numeric",
                    "parser", "printing", "sandbox", "symbolic"},
        "bank": {"coverage", "fields", "loader", "maths", "parser", "validate", "variants"},
        "nn": {"datasets", "layers", "mlp", "training"},
    }
    for package, modules in layout.items():
        found = {p.stem for p in (ROOT / "quizlib" / package).glob("*.py")} - {"__init__"}
        assert modules <= found, f"quizlib/{package} lacks {modules - found}"
    flat = {p.stem for p in (ROOT / "quizlib").glob("*.py")}
    old = {"answers", "bank", "nn", "nn_layers", "training", "datasets", "variants", "coverage", "sandbox",
           "latex_input", "matrix_check"} | {p for p in flat if p.startswith(("math", "bank_"))}
    assert not flat & old, f"left flat in quizlib/: {sorted(flat & old)}"


def test_the_public_doors_import_from_their_packages():
    from quizlib import answers, bank, nn
    for package, names in ((answers, ("check", "preview", "validate_reference", "evaluate_number")),
                           (bank, ("load_banks", "check_banks", "find_question", "read_catalogues")),
                           (nn, ("MLP", "sgd_step", "glorot_bound", "decay_step", "divergence_message",
                                 "smooth_targets", "dropout_forward", "batchnorm_forward"))):
        for name in names:
            assert callable(getattr(package, name)), f"{package.__name__}.{name}"
            assert name in package.__all__


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = _module_of(path).split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports, anywhere in the file (imports inside functions count:
    a cycle hidden in a function is still a cycle). `from P import m` of a submodule m is an edge to P.m."""
    modules = {_module_of(p): p for p in QUIZLIB}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mod = _resolve(path, node)
                targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in modules else mod for a in node.names]
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def test_no_import_cycle_in_quizlib():
    graph = import_graph()
    assert len(graph) > 30
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_import_graph_sees_edges():
    """The cycle test is only as good as its graph: it must see known edges, lazy ones included."""
    graph = import_graph()
    assert "quizlib.answers.parser" in graph["quizlib.answers.context"]
    assert "quizlib.store" in graph["quizlib.export"]


@pytest.mark.parametrize("path", QUIZLIB + PAGES + [ROOT / "app.py"], ids=rel)
def test_no_import_error_fallback_for_project_modules(path):
    """A module of the project always exists: `try: from quizlib… except ImportError` is dead code."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Try):
            continue
        catches = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
        if not catches & {"ImportError", "ModuleNotFoundError", "(ImportError, ModuleNotFoundError)"}:
            continue
        for inner in node.body:
            for sub in ast.walk(inner):
                if isinstance(sub, ast.ImportFrom):
                    mod = _resolve(path, sub)
                    assert not mod.startswith("quizlib") and sub.level == 0, \
                        f"{rel(path)}:{sub.lineno} falls back when {mod or '.'} is missing"
                elif isinstance(sub, ast.Import):
                    assert not any(a.name.startswith("quizlib") for a in sub.names), f"{rel(path)}:{sub.lineno}"


@pytest.mark.parametrize("path", PAGES, ids=rel)
def test_pages_are_thin(path):
    bad = roots(imports(path)) & {"sympy", "sqlite3", "numpy", "math", "pages"}
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


def test_no_merge_conflict_markers_are_committed():
    import subprocess
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    bad = []
    for name in files:
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".toml", ".txt", ".cfg", ".yml", ".yaml", ""} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in text.splitlines()):
            bad.append(name)
    assert len(files) > 50 and not bad, bad
