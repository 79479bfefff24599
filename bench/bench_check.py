"""Time quizlib.answers.check(): every expr/number/matrix part of the banks, right and wrong.

Run: OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python bench/bench_check.py [--reps 5]

For each part, its reference answer and a wrong answer (the first listed wrong answer, else the
reference times 2) are checked; median and p95 are over all checks of all repetitions (the first,
cold, repetition is reported apart: it includes parsing the references and warming caches). Without
banks a built-in list of ~30 realistic cases is used. Then the hostile inputs of the safety tests
are timed; the worst must stay under the 2 s limit. Last, the share of tests/answer_corpus.py's typed
answers graded as the corpus says.
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

from quizlib.answers import check  # noqa: E402

BUILTIN = [  # (expected, right, wrong, kind, symbols)
    ("2*(o - g)", "2(o-g)", "o-g", "expr", ["o", "g"]),
    ("2*(o - g)", r"2 \cdot \left(o - g\right)", "2(g-o)", "expr", ["o", "g"]),
    ("sigma(z)*(1 - sigma(z))", "σ(z)(1-σ(z))", "1 - σ(z)^2", "expr", ["z"]),
    ("sigma(z)*(1 - sigma(z))", r"\frac{e^{-z}}{(1+e^{-z})^2}", "sigma(z)(1-z)", "expr", ["z"]),
    ("x*(sigma(z) - y)", "x(σ(z)-y)", "σ(z)-y", "expr", ["x", "y", "z"]),
    ("1 - tanh(z)^2", "1 - tanh^2(z)", "1 + tanh(z)^2", "expr", ["z"]),
    ("w*(1 - eta*lam/n) - eta*d", "w(1-ηλ/n) - ηd", "w(1-ηλ) - ηd", "expr",
     ["w", "d", "eta > 0", "lam > 0", "n > 0"]),
    ("1/(1 - p)", r"\frac{1}{1-p}", "1/p", "expr", ["p in (0, 1)"]),
    ("log(a1/a2)", "ln(a1) - ln(a2)", "log(a2/a1)", "expr", ["a1 in (0, 1)", "a2 in (0, 1)"]),
    ("sqrt(6/(m + n))", "√(6/(m+n))", "sqrt(2/(m+n))", "expr", ["m > 0", "n > 0"]),
    ("mu*v - eta*g", "μv - ηg", "μv + ηg", "expr", ["mu", "v", "eta", "g"]),
    ("theta - eta*g/(eps + sqrt(r + g^2))", "θ - ηg/(ε + √(r+g²))", "θ - ηg/(ε + r + g²)", "expr",
     ["theta", "eta > 0", "g", "eps > 0", "r > 0"]),
    ("v/(1 - b2^t)", "v/(1-b2^t)", "v(1-b2^t)", "expr", ["v > 0", "b2 in (0, 1)", "t > 0"]),
    ("p*log(p/q) + (1 - p)*log((1 - p)/(1 - q))", "p ln(p/q) + (1-p) ln((1-p)/(1-q))", "p log(p/q)", "expr",
     ["p in (0, 1)", "q in (0, 1)"]),
    ("log(s*sqrt(2*pi)) + (y - f)^2/(2*s^2)", r"\ln(s\sqrt{2\pi}) + \frac{(y-f)^2}{2s^2}",
     "log(s*sqrt(2*pi)) + (y - f)^2/(2*s)", "expr", ["y", "f", "s > 0"]),
    ("exp(z1)/(exp(z1) + exp(z2) + exp(z3))", "e^{z1}/(e^{z1}+e^{z2}+e^{z3})", "exp(z1)/(exp(z2)+exp(z3))",
     "expr", ["z1", "z2", "z3"]),
    ("1 - alpha + alpha/K", "1 - α + α/K", "1 - α", "expr", ["alpha in (0, 1)", "K > 1"]),
    ("(1 + t)/2", "(1+t)/2", "1+t", "expr", ["t in (-1, 1)"]),
    ("sqrt(6/110)", "0.234", "0.0545", "number", []),
    ("0.25", "0,25", "0.5", "number", []),
    ("1/3", "1/3", "0.3", "number", []),
    ("0.0012", "1.2×10^-3", "1.2e-2", "number", []),
    ("log(10)", "2.30", "1", "number", []),
    ("o - g", "o-g", "g-o", "matrix", None),
    ("h (o - g)^T", "h (o-g)^T", "(o-g) h^T", "matrix", None),
    ("h (o - g)^T", r"h\,(o-g)^\top", "2 h (o-g)^T", "matrix", None),
    ("(W2 (o - g)) ⊙ step(W1^T x + b1)", "W2 (o-g) ⊙ relu'(W1^T x + b1)", "W2 (o-g)", "matrix", None),
    ("x ((W2 (o - g)) ⊙ step(W1^T x + b1))^T", "x (W2 (o-g) ⊙ step(W1^T x + b1))^T",
     "(W2 (o-g) ⊙ step(W1^T x + b1)) x^T", "matrix", None),
    ("a, c", "c, a", "a", "choice", []),
    ("b", "b", "c", "choice", []),
]
MLP = ["x: D×1", "W1: D×H", "b1: H×1", "W2: H×K", "b2: K×1", "g: K×1"]
MLP_LET = ("h = relu(W1^T x + b1); o = softmax(W2^T h + b2)",)


def cases_from_banks() -> list[tuple]:
    try:
        from quizlib.bank import load_banks
    except ImportError:
        return []
    out = []
    for bank in load_banks(str(ROOT / "content")):
        for q in bank.questions:
            for p in q.parts:
                if p.kind not in ("expr", "number", "matrix") or not p.answer:
                    continue
                wrong = p.wrong_answers[0].answer if p.wrong_answers else f"2*({p.answer})"
                kw = dict(kind=p.kind, symbols=list(p.symbols), rtol=p.rtol, atol=p.atol,
                          wrong_answers=p.wrong_answers, let=p.let, functions=p.functions)
                out.append((f"{q.id}/{p.id}", p.answer, p.answer, wrong, kw))
    return out


def builtin_cases() -> list[tuple]:
    out = []
    for i, (exp, right, wrong, kind, syms) in enumerate(BUILTIN):
        kw = dict(kind=kind, symbols=syms if syms is not None else MLP)
        if syms is None:
            kw["let"] = MLP_LET
        out.append((f"builtin-{i}", exp, right, wrong, kw))
    return out


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--builtin", action="store_true", help="use the built-in cases even if banks exist")
    args = ap.parse_args()
    cases = [] if args.builtin else cases_from_banks()
    source = "banks" if cases else "built-in cases"
    cases = cases or builtin_cases()
    problems = []
    timings, cold = [], []
    for rep in range(args.reps + 1):
        for name, exp, right, wrong, kw in cases:
            for given, want in ((right, True), (wrong, False)):
                t0 = time.perf_counter()
                r = check(exp, given, **kw)
                dt = (time.perf_counter() - t0) * 1000
                (cold if rep == 0 else timings).append(dt)
                if rep == 0 and r.correct != want:
                    problems.append(f"{name}: {given!r} -> correct={r.correct} ({r.error}: {r.message})")
    print(f"check() over {len(cases)} parts of the {source} (reference + wrong answer each), "
          f"{args.reps} warm repetitions: {len(timings)} checks")
    print(f"  warm: median {statistics.median(timings):.2f} ms, p95 {pct(timings, 0.95):.2f} ms, "
          f"max {max(timings):.1f} ms")
    print(f"  cold first pass: median {statistics.median(cold):.2f} ms, p95 {pct(cold, 0.95):.2f} ms, "
          f"max {max(cold):.1f} ms")
    if problems:
        print(f"  {len(problems)} unexpected verdict(s):")
        for p in problems:
            print("   ", p)
    from tests.test_answers_safety import HOSTILE  # the same list the safety tests use

    worst, worst_text = 0.0, ""
    for text in HOSTILE:
        for kind, exp, syms, let in (("expr", "2*(o - g)", ["o", "g", "x"], ()), ("number", "0.25", [], ()),
                                     ("matrix", "o - g", MLP, MLP_LET)):
            t0 = time.perf_counter()
            check(exp, text, kind=kind, symbols=syms, let=let)
            dt = time.perf_counter() - t0
            if dt > worst:
                worst, worst_text = dt, f"{kind}: {text[:40]!r}"
    print(f"hostile inputs ({len(HOSTILE)} × 3 kinds): worst {worst * 1000:.0f} ms ({worst_text}); "
          "limit 2000 ms")
    corpus_share()


def corpus_share() -> None:
    """The share of tests/answer_corpus.py's typed answers the checker grades as the corpus says."""
    sys.path.insert(0, str(ROOT / "tests"))
    from answer_corpus import MATRIX_ROWS, ROWS

    rows = [(k, e, s, g, v) for k, e, s, g, v, _ in ROWS] + [("matrix", e, s, g, v) for e, s, g, v, _ in MATRIX_ROWS]
    right, times = 0, []
    for kind, expected, symbols, given, verdict in rows:
        rtol = None
        if kind == "number" and "|" in expected:
            expected, tol = expected.split("|")
            rtol = float(tol)
        t0 = time.perf_counter()
        res = check(expected, given, kind=kind, symbols=list(symbols), rtol=rtol)
        times.append((time.perf_counter() - t0) * 1000)
        got = "invalid" if not res.valid else ("accept" if res.correct else "reject")
        right += got == verdict
    print(f"answer corpus: {right}/{len(rows)} verdicts right ({100 * right / len(rows):.1f} %); "
          f"median {statistics.median(times):.2f} ms, max {max(times):.0f} ms")


if __name__ == "__main__":
    main()
