"""`python -m quizlib check|coverage|list` as a teacher runs it (subprocesses)."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

FRONT = "---\ntitle: T\n---\n\n"
GOOD_Q = "## {id}: Title\nkind: choice\npoints: 1\nsource: m.txt\ntopics: {topic}\ncovers: {covers}\n\n" \
         "### Prompt\nPick.\n\n### Choices\n- [x] yes\n- [ ] no\n\n"


def run(*args, cwd=ROOT):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "quizlib", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=240)


def test_check_passes_on_the_real_content():
    r = run("check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "error:" not in r.stdout
    assert r.stdout.strip().splitlines()[-1].startswith(tuple("0123456789"))
    assert " 0 error(s)" in r.stdout


def test_check_reports_file_line_and_fails_on_a_broken_bank(tmp_path):
    (tmp_path / "a.md").write_text(FRONT + GOOD_Q.format(id="q1", topic="t", covers="i1"))
    (tmp_path / "b.md").write_text(FRONT + "## q2: T\nkind: essay\npoints: 1\n\n### Prompt\nP\n")
    r = run("check", tmp_path)
    assert r.returncode == 1
    assert f"{tmp_path / 'b.md'}:6: error: unknown kind 'essay'" in r.stdout
    assert "2 bank(s), 1 valid question(s), 1 error(s), 0 warning(s)" in r.stdout


def test_strict_turns_warnings_into_failure(tmp_path):
    (tmp_path / "a.md").write_text(FRONT + GOOD_Q.format(id="q1", topic="t", covers="i1")
                                   .replace("points: 1", "points: 1\ncolour: red"))
    r = run("check", tmp_path)
    assert r.returncode == 0 and ":8: warning: unknown key 'colour'" in r.stdout
    r = run("check", "--strict", tmp_path)
    assert r.returncode == 1 and ":8: error: unknown key 'colour'" in r.stdout


def test_coverage_lists_uncovered_items(tmp_path):
    (tmp_path / "a.md").write_text(FRONT + GOOD_Q.format(id="q1", topic="alpha", covers="i1")
                                   + GOOD_Q.format(id="q2", topic="beta", covers="i1, i2"))
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "m.md").write_text("# m\n\nItems:\n- i1: one\n- i2: two\n- i3: three\n")
    r = run("coverage", tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "  m.txt: 2" in out and "  alpha: 1" in out and "  beta: 1" in out
    assert "m: 2/3 items covered" in out and "- i3: three" in out and "- i1" not in out
    assert run("coverage", "--fail-uncovered", tmp_path).returncode == 1
    (tmp_path / "a.md").write_text(FRONT + GOOD_Q.format(id="q1", topic="t", covers="i1, i2, i3"))
    assert run("coverage", "--fail-uncovered", tmp_path).returncode == 0


def test_coverage_of_the_lecture3_catalogue_is_complete():
    r = run("coverage")
    assert r.returncode == 0
    assert "000_3fc7ddf7b73e9fcd: 8/8 items covered" in r.stdout
    assert "000_3fc7ddf7b73e9fcd.txt: 8" in r.stdout


def test_list_prints_one_line_per_question(tmp_path):
    (tmp_path / "a.md").write_text(FRONT + GOOD_Q.format(id="q1", topic="t", covers="i1"))
    r = run("list", tmp_path)
    assert r.returncode == 0 and r.stdout.splitlines() == ["q1\tchoice\t1\ta"]
    assert run("check", tmp_path / "missing").returncode == 1
