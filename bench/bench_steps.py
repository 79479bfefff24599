"""Time step checking: every line of the derivation corpus (tests/step_corpus.py), right and wrong.

Run: OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python bench/bench_steps.py [--reps 3]

Each derivation of the 23 step-checked questions (two correct routes and two with a wrong step)
is checked `--reps` times after one warm-up pass: once with the worker's cache of built sides
kept within a repetition (the line before is reused, as while a student edits) and once emptied
before every derivation (every side built afresh).
A line's time is its reading (derivative notation, the safe parser) plus its one call to the
sandbox worker (SymPy: derivatives, expansion, the random points, simplify when they cannot
decide); median and p95 are over all lines of all repetitions (goal: p95 ≤ 150 ms).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from step_corpus import CASES, with_wrong_line  # noqa: E402

from quizlib import grading  # noqa: E402
from quizlib.answers import steps  # noqa: E402
from quizlib.bank import load_banks  # noqa: E402

CLEAR = "quizlib.answers.step_calculus:clear_cache"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    bank = next(b for b in load_banks(str(ROOT / "content")) if b.id == "step_derivations")
    parts = {q.id: q.parts[0] for q in bank.questions}
    texts = [(parts[qid], t) for qid, (good, bad) in CASES.items() for t in
             good + [with_wrong_line(*b) for b in bad]]
    real_call, real_read = steps.sandbox.call, steps.read_side
    for part, t in texts:  # warm-up: the worker starts, references are read once
        grading.check_derivation(part, t)
    for label, cold in (("warm (the worker keeps the sides it built, as while a student edits)", False),
                        ("cold (the worker's cache emptied before every derivation)", True)):
        times: list[float] = []
        clock = {"read": 0.0}

        def timed_read(*a, **k):
            t0 = time.perf_counter()
            try:
                return real_read(*a, **k)
            finally:
                clock["read"] += time.perf_counter() - t0

        def timed_call(*a, **k):
            t0 = time.perf_counter()
            try:
                return real_call(*a, **k)
            finally:
                times.append(time.perf_counter() - t0 + clock["read"])
                clock["read"] = 0.0

        t_all = time.perf_counter()
        for _ in range(args.reps):
            steps.sandbox.call(CLEAR, (), 5.0)
            for part, t in texts:
                if cold:
                    steps.sandbox.call(CLEAR, (), 5.0)
                clock["read"] = 0.0
                steps.sandbox.call, steps.read_side = timed_call, timed_read
                try:
                    grading.check_derivation(part, t)
                finally:
                    steps.sandbox.call, steps.read_side = real_call, real_read
        wall = time.perf_counter() - t_all
        ms = sorted(x * 1000 for x in times)
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        print(f"{label}: {len(texts)} derivations, {len(ms)} line checks over {args.reps} repetitions, "
              f"{wall:.1f} s")
        print(f"  per line: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms "
              f"(goal p95 <= 150 ms)")


if __name__ == "__main__":
    main()
