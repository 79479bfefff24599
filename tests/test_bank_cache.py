"""The persistent bank cache (quizlib.bank.cache): hits, misses, corrupt files, concurrent writers,
and a cached build identical to a fresh one for every shipped bank."""
from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from quizlib.bank import cache, load_banks, loader
from quizlib.bank.parser import parse_bank_text
from quizlib.bank.validate import build_bank

ROOT = Path(__file__).resolve().parent.parent
BANK = """---
title: Cache test
topics: t
---

## c-mse: MSE gradient
kind: expr
points: 2
symbols: o, g
answer: 2*(o - g)

### Prompt
$L = (o-g)^2$. What is $\\partial L/\\partial o$?

### Wrong answers
- `o - g`: That is the gradient of half the square.

## c-glorot: The Glorot bound
kind: number
points: 1.5
answer: sqrt(6/(m + n))
tolerance: 0.5%

### Variables
- m: 100, 256
- n: 10, 64

### Prompt
$m = {{m}}$, $n = {{n}}$: the bound $a$?
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A content folder with one bank, an empty cache folder, and a count of real builds."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "b.md").write_text(BANK, encoding="utf-8")
    monkeypatch.setenv("QUIZ_CACHE_DIR", str(tmp_path / "cache"))
    builds: list[str] = []
    real = loader.build_bank

    def counting(path, *args, **kwargs):
        builds.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(loader, "build_bank", counting)
    loader._cache.clear()  # every load below is a new process as far as the in-process cache goes
    return content, tmp_path / "cache", builds


def fresh_start(content: Path):
    loader._cache.clear()
    return load_banks(content)


def cache_files(where: Path) -> list[Path]:
    return sorted(where.glob("*.json"))


def same(a, b, path="") -> None:
    """a and b are equal value by value *and* type by type (1 vs 1.0, tuple vs list), templates
    included (Question.template is left out of ==)."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), f"{path}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def test_a_second_start_reads_the_cache_and_builds_nothing(folder):
    content, where, builds = folder
    first = fresh_start(content)
    assert builds == ["b.md"] and len(cache_files(where)) == 1
    second = fresh_start(content)
    assert builds == ["b.md"], "the second start validated the bank again"
    same(first, second)
    assert [q.id for q in second[0].questions] == ["c-mse", "c-glorot"]
    assert second[0].questions[1].template is not None  # a rendered question keeps its template


def test_an_edited_bank_is_a_miss_and_the_edit_shows(folder):
    content, where, builds = folder
    fresh_start(content)
    (content / "b.md").write_text(BANK.replace("points: 2", "points: 3"), encoding="utf-8")
    (bank,) = fresh_start(content)
    assert builds == ["b.md", "b.md"]
    assert bank.questions[0].points == 3
    assert len(cache_files(where)) == 2  # both versions are kept: an undo is a hit again
    (content / "b.md").write_text(BANK, encoding="utf-8")
    assert fresh_start(content)[0].questions[0].points == 2 and len(builds) == 2


def test_a_new_catalogue_item_is_a_miss(folder):
    content, _, builds = folder
    fresh_start(content)
    (content / "sources").mkdir()
    (content / "sources" / "m.md").write_text("- item-1: something\n", encoding="utf-8")
    fresh_start(content)
    assert len(builds) == 2


def test_the_code_version_changes_with_any_checker_or_parser_file(tmp_path, monkeypatch):
    pkg = tmp_path / "quizlib"
    shutil.copytree(ROOT / "quizlib", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_PKG", pkg)
    monkeypatch.setattr(cache, "_version", {})
    before = cache.code_version()
    assert cache.code_version() == before  # stable
    for f in ("bank/parser.py", "bank/validate.py", "answers/checker.py", "answers/lexer.py", "model.py"):
        monkeypatch.setattr(cache, "_version", {})
        text = (pkg / f).read_text(encoding="utf-8")
        (pkg / f).write_text(text + "\n# edited\n", encoding="utf-8")
        after = cache.code_version()
        assert after != before, f"editing {f} left the code version unchanged"
        (pkg / f).write_text(text, encoding="utf-8")
    monkeypatch.setattr(cache, "_version", {})
    (pkg / "ui" / "common.py").write_text("# the UI does not decide what a bank holds\n", encoding="utf-8")
    assert cache.code_version() == before


def test_a_new_code_version_is_a_miss(folder, monkeypatch):
    content, where, builds = folder
    fresh_start(content)
    monkeypatch.setattr(cache, "_version", {"v": "another version of the checker"})
    fresh_start(content)
    assert len(builds) == 2 and len(cache_files(where)) == 2


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}  # `from quizlib import model`
    return out


def test_the_code_version_covers_everything_a_build_imports():
    """The quizlib modules reachable from the loader (imports inside functions too) are all hashed."""
    hashed = {f.resolve() for pattern in cache.CODE_FILES for f in (ROOT / "quizlib").glob(pattern)}
    todo, seen = ["quizlib.bank.loader"], set()
    while todo:
        name = todo.pop()
        base = ROOT / Path(*name.split("."))
        f = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
        if name in seen or not f.is_file():
            continue
        seen.add(name)
        assert f.resolve() in hashed, f"{f.relative_to(ROOT)} shapes a build but is not in CODE_FILES"
        todo += [m for m in _imports(f) if m.startswith("quizlib")]
    assert {"quizlib.answers.symbolic", "quizlib.bank.maths", "quizlib.model"} <= seen


@pytest.mark.parametrize("damage", [
    "truncated", "not json", "empty", "another key", "checksum", "wrong type", "missing field",
    "extra field", "template index", "deep nesting",
])
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(folder, damage):
    content, where, builds = folder
    good = fresh_start(content)
    (f,) = cache_files(where)
    raw = f.read_text(encoding="utf-8")
    doc = json.loads(raw)
    payload = json.loads(doc["payload"])

    def with_payload(p):
        text = json.dumps(p)
        return json.dumps({**doc, "payload": text, "sha256": hashlib.sha256(text.encode()).hexdigest()})

    if damage == "truncated":
        bad = raw[: len(raw) // 2]
    elif damage == "not json":
        bad = "\x00\xff garbage"
    elif damage == "empty":
        bad = ""
    elif damage == "another key":
        bad = json.dumps({**doc, "key": "0" * 64})
    elif damage == "checksum":  # a flipped character inside the payload
        bad = json.dumps({**doc, "payload": doc["payload"].replace("c-mse", "c-msf", 1)})
    elif damage == "wrong type":  # consistent checksum, but points is not a number
        payload["bank"]["questions"][0]["parts"][0]["points"] = "2"
        bad = with_payload(payload)
    elif damage == "missing field":
        del payload["bank"]["questions"][0]["parts"][0]["rtol"]
        bad = with_payload(payload)
    elif damage == "extra field":
        payload["bank"]["questions"][0]["__class__"] = "os.system"
        bad = with_payload(payload)
    elif damage == "template index":
        payload["of"][0] = 99
        bad = with_payload(payload)
    else:
        bad = "[" * 100_000 + "]" * 100_000
    f.write_text(bad, encoding="utf-8")
    assert cache.load(f.stem) is None
    rebuilt = fresh_start(content)
    assert len(builds) == 2, "a damaged cache file was trusted"
    same(good, rebuilt)
    assert cache.load(f.stem) is not None, "the rebuilt bank was not written back"


def test_concurrent_writers_and_readers_never_see_a_torn_file(folder):
    content, where, _ = folder
    (bank,) = fresh_start(content)
    text = (content / "b.md").read_text(encoding="utf-8")
    built = build_bank(content / "b.md", parse_bank_text(text), str(content / "b.md"))
    key = "f" * 64
    errors: list[str] = []
    seen = {"hits": 0}

    def write() -> None:
        for _ in range(40):
            if not cache.store(key, built):
                errors.append("a store failed")

    def read() -> None:
        for _ in range(200):
            got = cache.load(key)
            if got is not None:
                seen["hits"] += 1
                if got.bank != built.bank or got.templates != built.templates:
                    errors.append("a reader saw a different bank")

    threads = [threading.Thread(target=write) for _ in range(4)] + [threading.Thread(target=read)
                                                                    for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert seen["hits"] > 0
    assert not list(where.glob("*.tmp")), "temporary files were left behind"
    assert cache.load(key) is not None


def test_two_processes_starting_at_once_both_load_and_leave_one_good_file(folder):
    content, where, _ = folder
    code = ("import sys; from quizlib.bank import load_banks; (b,) = load_banks(sys.argv[1]); "
            "print(len(b.questions), len(b.problems))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", code, str(content)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and outs == ["2 0", "2 0"]
    (f,) = cache_files(where)
    assert cache.load(f.stem) is not None and not list(where.glob("*.tmp"))


def test_old_builds_and_dead_writers_temporary_files_are_pruned(folder):
    content, where, _ = folder
    fresh_start(content)
    (original,) = cache_files(where)  # written just now: the newest
    built = cache.load(original.stem)
    for i in range(5):
        assert cache.store(f"{i:064x}", built)
        os.utime(where / f"{i:064x}.json", (1000 + i, 1000 + i))  # written in this order, long ago
    dead = where / ".deadbeef.tmp"
    dead.write_text("half a file", encoding="utf-8")
    os.utime(dead, (1000, 1000))
    young = where / ".alive.tmp"
    young.write_text("being written", encoding="utf-8")
    cache.prune(where, keep=3)
    assert {f.name for f in where.iterdir()} == {original.name, f"{4:064x}.json", f"{3:064x}.json",
                                                 ".alive.tmp"}


def test_no_cache_folder_or_an_unwritable_one_still_loads(folder, monkeypatch, tmp_path):
    content, _, builds = folder
    monkeypatch.setenv("QUIZ_CACHE_DIR", "off")
    assert cache.cache_dir() is None
    assert [len(b.questions) for b in fresh_start(content)] == [2]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("QUIZ_CACHE_DIR", str(blocker / "cache"))
    assert [len(b.questions) for b in fresh_start(content)] == [2] and len(builds) == 2


def test_the_default_folder_is_the_users_cache_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("QUIZ_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "dl-exam-trainer" / "banks"


def test_every_shipped_bank_from_the_cache_equals_a_fresh_build(tmp_path, monkeypatch):
    """Build each bank of content/ without any cache, store it, read it back: identical, field by
    field and type by type, templates included."""
    monkeypatch.setenv("QUIZ_CACHE_DIR", str(tmp_path / "cache"))
    content = ROOT / "content"
    cats = {k: set(v) for k, v in loader.read_catalogues(content).items()} or None
    files = loader.bank_files(content)
    assert len(files) >= 20
    n_questions = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        fresh = build_bank(f, parse_bank_text(text), str(f), cats)
        key = cache.cache_key(text, str(f), str(f), cats)
        assert cache.store(key, fresh)
        cached = cache.load(key)
        assert cached is not None, f.name
        same(fresh.bank, cached.bank, f.name)
        same(fresh.templates, cached.templates, f.name)
        n_questions += len(cached.bank.questions)
        for q in cached.bank.questions:  # a rendered question carries its own unrendered template
            assert q.template == next(t for t in cached.templates if t.id == q.id)
    assert n_questions >= 250


def test_loading_from_the_cache_imports_no_sympy(tmp_path):
    """SymPy (~1.5 s to import) is needed to echo or simplify answers, not to show a question; the first
    echo imports it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QUIZ_CACHE_DIR=str(tmp_path / "cache"))
    code = ("import sys; from quizlib.bank import load_banks; b = load_banks(sys.argv[1]); "
            "print(sum(len(x.questions) for x in b), 'sympy' in sys.modules); "
            "from quizlib.answers import preview; r = preview('2(o-g)', 'expr', ['o', 'g']); "
            "print(r.valid, repr(r.latex), 'sympy' in sys.modules)")
    content = tmp_path / "content"
    content.mkdir()
    (content / "b.md").write_text(BANK, encoding="utf-8")
    run = [sys.executable, "-c", code, str(content)]
    subprocess.run(run, env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)  # builds the cache
    out = subprocess.run(run, env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=300)
    first, echo = out.stdout.splitlines()
    assert first.split() == ["2", "False"]
    assert echo.startswith("True") and echo.endswith("True") and "o - g" in echo  # imported on first use
