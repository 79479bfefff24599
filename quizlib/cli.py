"""The command line for teachers: `check`, `coverage` and `list` over the banks.

`python -m quizlib check [--strict] [PATH]` prints each problem as
`file:line: severity: message` and a summary, and exits 1 on any error (or any
warning under --strict). `coverage [--fail-uncovered] [PATH]` prints questions per
source file and topic and the catalogue items no question covers. `list [PATH]`
prints one line per question: id, kind, points, bank.
"""
from __future__ import annotations

import argparse
import sys

from quizlib.bank import bank_files, check_banks, load_banks, read_catalogues
from quizlib.bank.coverage import coverage, format_coverage


def _check(args) -> int:
    problems = check_banks(args.path, strict=args.strict)
    banks = load_banks(args.path)
    for p in problems:
        print(p)
    n_err = sum(p.severity == "error" for p in problems)
    n_warn = len(problems) - n_err
    n_q = sum(len(b.questions) for b in banks)
    print(f"{len(banks)} bank(s), {n_q} valid question(s), {n_err} error(s), {n_warn} warning(s)")
    return 1 if n_err else 0


def _coverage(args) -> int:
    cov = coverage(load_banks(args.path), read_catalogues(args.path))
    print(format_coverage(cov))
    return 1 if args.fail_uncovered and cov.n_uncovered else 0


def _list(args) -> int:
    for bank in load_banks(args.path):
        for q in bank.questions:
            print(f"{q.id}\t{q.kind}\t{q.points:g}\t{bank.id}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quizlib", description="Question bank tools")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="validate every bank; exit 1 on any error")
    c.add_argument("--strict", action="store_true", help="warnings count as errors")
    c.add_argument("path", nargs="?", default="content")
    c.set_defaults(func=_check)
    v = sub.add_parser("coverage", help="questions per source and topic, uncovered items")
    v.add_argument("--fail-uncovered", action="store_true", help="exit 1 if an item is uncovered")
    v.add_argument("path", nargs="?", default="content")
    v.set_defaults(func=_coverage)
    li = sub.add_parser("list", help="one line per question: id, kind, points, bank")
    li.add_argument("path", nargs="?", default="content")
    li.set_defaults(func=_list)
    args = parser.parse_args(argv)
    if not bank_files(args.path):
        print(f"no bank files in {args.path}", file=sys.stderr)
        return 1
    try:
        return args.func(args)
    except BrokenPipeError:  # `python -m quizlib list | head`
        sys.stderr.close()
        return 0
