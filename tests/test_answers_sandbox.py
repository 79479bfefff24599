"""The SymPy worker: exact arithmetic decides float-borderline cases, timeouts kill and recover."""
import time

import pytest

from quizlib.answers import numeric, sandbox
from quizlib.answers import check


def test_worker_decides_a_float_borderline_case_exactly():
    # (x + 1e10) - 1e10 loses ~6 digits in floats; exact rationals show it is x. A generous limit: the
    # worker's start (SymPy's import) on a loaded machine is not what this test is about
    r = check("x", "(x + 1e10) - 1e10", symbols=["x"], timeout=60)
    assert r.correct, r
    r = check("x", "(x + 1e10) - 1e10 + 1e-5", symbols=["x"], timeout=60)
    assert not r.correct and r.valid


def test_without_a_worker_a_borderline_answer_is_never_called_right(monkeypatch):
    # 60-digit arithmetic in the checker decides the cancellation exactly, without the worker
    monkeypatch.setattr(sandbox, "call", lambda *a, **k: ("unavailable", "no worker"))
    assert check("x", "(x + 1e10) - 1e10", symbols=["x"]).correct
    assert not check("x", "(x + 1e10) - 1e10 + 1e-6", symbols=["x"]).correct

    def no_exact(*a, **k):
        raise numeric.Undefined("no exact form")

    monkeypatch.setattr(numeric, "evaluate_exact", no_exact)  # neither exact path: never called right
    r = check("x", "(x + 1e10) - 1e10", symbols=["x"])
    assert r.valid and not r.correct and "could not be shown" in r.message
    # the fast numeric path does not need the worker at all
    assert check("2*(o - g)", "2(o-g)", symbols=["o", "g"]).correct


def test_only_allowed_functions_run():
    with pytest.raises(ValueError):
        sandbox.call("os:system", ("echo hi",), 1.0)


def test_timeout_kills_and_the_next_call_works():
    from quizlib.answers.parser import Grammar, parse
    from quizlib.answers.names import parse_decls
    from quizlib.answers.registry import expr_functions

    g = Grammar(("x",), expr_functions())
    slow = parse("((x+1)^100 - (x-1)^100)*tanh(x)^40*sigma(x)^30", g)
    t0 = time.monotonic()
    status, _ = sandbox.call("quizlib.answers.symbolic:symbolic_equal",
                             (slow, parse("x", g), tuple(parse_decls(["x"])), (), ()), 0.05)
    assert status == "timeout" and time.monotonic() - t0 < 2.0
    status, res = sandbox.call("quizlib.answers.symbolic:symbolic_equal",
                               (parse("2*x", g), parse("x + x", g), tuple(parse_decls(["x"])), (), ()), 30)
    assert (status, res) == ("ok", "equal")
