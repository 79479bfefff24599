"""Hostile and random input: check() never raises, never hangs, never executes anything.

eval/exec, sympy.sympify (on strings) and parse_expr are replaced by tripwires while student text
is checked; a sentinel file that executed input would create must never appear; every check
returns within its time limit plus a margin (the SymPy work runs in a killable worker process).
"""
import builtins
from contextlib import contextmanager
import sys
import threading
import time

import pytest
import sympy
import sympy.parsing.sympy_parser
from hypothesis import given, settings
from hypothesis import strategies as st

from quizlib.answers import check, preview
from quizlib.model import CheckResult

MARGIN = 1.5  # seconds over the time limit a check may take (process kill and restart)


class Tripwire(Exception):
    pass


@pytest.fixture(scope="module", autouse=True)
def _warm_worker():
    """Start the SymPy worker once up front: its start-up (importing SymPy, seconds on a slow
    machine) happens once per process and is not part of any check's time limit."""
    from quizlib.answers import sandbox

    one = ("num", "1")
    assert sandbox.call("quizlib.answers.symbolic:symbolic_equal", (one, one, (), (), ()), 60) == ("ok", "equal")


@contextmanager
def tripwired(calls: list):
    """While active, every road from a string to Python code raises and is recorded in `calls`."""
    # first let every library finish its lazy imports (namedtuple uses eval while a module loads)
    for kind, exp, giv in (("expr", "x", "x+1"), ("number", "1", "2"), ("matrix", "W1^T x", "x")):
        check(exp, giv, kind=kind, symbols=["x"] if kind != "matrix" else ["x: D×1", "W1: D×H"])

    def trip(name, real=None):
        """Raise on source text (str/bytes) or code compiled from a string; let imports through
        (importlib runs module code objects through exec)."""
        def f(*a, **k):
            src = a[0] if a else None
            from_text = isinstance(src, (str, bytes)) or getattr(src, "co_filename", "<string>") in (
                "<string>", "<unknown>", "<stdin>")
            if real is None or from_text:
                calls.append(name)
                raise Tripwire(name)
            return real(*a, **k)
        return f

    module = sys.modules["sympy.core.sympify"]  # the module (sympy.core.sympify is the function)
    real = module.sympify

    def guarded_sympify(a, *args, **kwargs):
        if isinstance(a, str):
            calls.append("sympify(str)")
            raise Tripwire("sympify of a string")
        return real(a, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builtins, "eval", trip("eval", builtins.eval))
        mp.setattr(builtins, "exec", trip("exec", builtins.exec))
        mp.setattr(sympy, "sympify", guarded_sympify)
        mp.setattr(module, "sympify", guarded_sympify)
        mp.setattr(sympy.parsing.sympy_parser, "parse_expr", trip("parse_expr"))
        mp.setattr(sympy, "parse_expr", trip("parse_expr"))
        yield calls


@pytest.fixture
def tripwires():
    calls: list = []
    with tripwired(calls):
        yield calls


def sentinel_payloads(path):
    p = str(path)
    return [
        f"__import__('os').system('touch {p}')",
        f"__import__(\"pathlib\").Path(\"{p}\").touch()",
        f"open('{p}', 'w')",
        f"exec(\"open('{p}','w')\")",
        f"eval('open(\"{p}\",\"w\")')",
        f"(lambda: open('{p}','w'))()",
        "[c for c in ().__class__.__base__.__subclasses__()]",
        f"\\input{{{p}}}",
    ]


HOSTILE = [
    "__import__('os').system('x')", "().__class__", "().__class__.__bases__[0].__subclasses__()",
    "9**9**9", "10^10^10", "9^9^9^9", "2^(2^(2^(2^2)))", "factorial(10**7)", "10**7!", "x^(10^100)",
    "(10^100)^(10^100)", "1" * 299, "9" * 40 + "^100", "1e308*1e308", "exp(exp(exp(1000)))",
    "(" * 200 + "x" + ")" * 200, "((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))",
    "-" * 299 + "x", "x" + "^x" * 140, "sqrt(" * 60 + "x" + ")" * 60, "lambda x: x", "lambda",
    "exec('1')", "eval('1')", "import os", "os.system", "x.__dict__", "x._y", "__builtins__",
    "getattr(x, 'y')", "x if x else y", "x; y", "x\ny", "\\x00", "\x00", "'", '"', "`x`",
    "\\def\\x{1}", "\\input{/etc/passwd}", "\\frac{" * 50, "{" * 100, "}" * 10, "x" * 10_000,
    "σ" * 300, "λ" * 150, "√" * 299 + "x", "²" * 200, "x" + "²" * 150, "1/0", "0^-1", "log(0)",
    "sqrt(-1)", "(x+1)^100 - (x-1)^100", "x^100^100", "tanh(x)^100*sigma(x)^100*exp(x)^100",
    "((x+1)^50*(x-1)^50)^2 - (x^2-1)^100", "floor(1e300)", "1.5e-400", "e^e^e^e^e",
    "\ud800", "x\u202ey", "\ufeffx", "０.５", "x" + "*x" * 140,
    # float-borderline: these go to the SymPy worker
    "2*((o + 1e10) - 1e10 - g) + 1e-5", "(x + 1e10) - 1e10 + ((x+1)^100 - (x-1)^100)*1e-200",
    "((o+1)^100 - (o-1)^100 - ((o+1)^100 - (o-1)^100))*1e-9 + 2*((o + 1e10) - 1e10 - g) - 1e-5",
]


def _run(text, kind="expr", **kw):
    symbols = ["x", "y", "o", "g"] if kind != "matrix" else ["x: D×1", "W1: D×H"]
    expected = {"expr": "2*(o - g)", "number": "0.25", "matrix": "W1^T x", "choice": "a"}[kind]
    t0 = time.monotonic()
    r = check(expected, text, kind=kind, symbols=symbols, timeout=2.0, **kw)
    elapsed = time.monotonic() - t0
    assert isinstance(r, CheckResult)
    assert elapsed < 2.0 + MARGIN, (text, elapsed)
    return r


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("kind", ["expr", "number", "matrix"])
def test_hostile_strings_never_raise_hang_or_execute(text, kind, tripwires):
    r = _run(text, kind)
    assert not r.correct
    assert tripwires == []
    preview(text, kind=kind, symbols=["x", "o", "g"])
    assert tripwires == []


@pytest.mark.parametrize("kind", ["expr", "number", "matrix"])
def test_sentinel_file_never_created(tmp_path, tripwires, kind):
    sentinel = tmp_path / "pwned"
    for payload in sentinel_payloads(sentinel):
        r = _run(payload, kind)
        assert not r.valid, payload
    assert not sentinel.exists()
    assert tripwires == []


@pytest.mark.parametrize("text, code", [
    ("__import__('os').system('x')", "unsafe"), ("().__class__", "unsafe"), ("x.real", "unsafe"),
    ("'x'", "unsafe"), ("9**9**9", "too-big"), ("10^10^10", "too-big"), ("x" * 400, "too-big"),
    ("(" * 100 + "x" + ")" * 100, "too-big"), ("factorial(10**7)", "unknown-name"),
])
def test_hostile_strings_get_a_clear_reason(text, code):
    r = _run(text)
    assert not r.valid and r.error == code and r.message


def test_tripwires_work(tripwires):
    """The tripwires themselves fire (so the tests above could fail)."""
    with pytest.raises(Tripwire):
        sympy.sympify("1+1")
    with pytest.raises(Tripwire):
        eval("1")  # noqa: S307
    with pytest.raises(Tripwire):
        exec(compile("x = 1", "<string>", "exec"))  # noqa: S102
    assert tripwires == ["sympify(str)", "eval", "exec"]
    tripwires.clear()


def test_slow_symbolic_work_times_out_with_a_message():
    # a difference at the edge of float precision escalates to SymPy; 0.05 s cannot suffice
    t0 = time.monotonic()
    r = check("(x+1)^100", "(x+1)^100 + 1e-9*((x+2)^97 - (x-3)^98)*tanh(x)^40", symbols=["x"],
              timeout=0.05)
    assert time.monotonic() - t0 < 0.05 + MARGIN
    assert not r.correct
    if r.error == "timeout":  # the numeric path may decide first on some machines
        assert not r.valid and "too long" in r.message


def test_timeout_from_a_thread_and_recovery():
    """Streamlit calls check() from threads: the limit must hold there too, and the next check works."""
    results = []

    def work():
        results.append(check("x", "x + 1e-6*((x+1)^90 - (x-1)^90)", symbols=["x > 0"], timeout=0.02))
        results.append(check("2*(o - g)", "2(o-g)", symbols=["o", "g"]))

    t = threading.Thread(target=work)
    t0 = time.monotonic()
    t.start()
    t.join(30)
    assert not t.is_alive() and time.monotonic() - t0 < 30
    assert not results[0].correct
    assert results[1].correct


PIECES = list("xyog0123456789+-*/^()., eσλ√²·−_'\"[]{}\\!;:=|&$#@⊙T") + [
    "sqrt", "exp", "log", "sigma", "lambda", "__", "**", "\\frac", "\\left(", "^T", "import", "class",
    "9**9", "^100", "'", "W1", "relu'"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_property_structured_noise(text):
    calls: list = []
    with tripwired(calls):
        for kind in ("expr", "number", "matrix"):
            _run(text, kind)
            preview(text, kind=kind, symbols=["x", "o", "g"])
    assert calls == []


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=400))
def test_property_arbitrary_unicode(text):
    calls: list = []
    with tripwired(calls):
        r = _run(text)
    assert r.valid or r.message
    assert calls == []


@settings(max_examples=60, deadline=None)
@given(a=st.integers(-20, 20), b=st.integers(-20, 20))
def test_property_linear_forms(a, b):
    """a·o + b·g is right exactly when (a, b) = (2, −2): the checker can say no."""
    r = check("2*(o - g)", f"{a}o + {b}g".replace("+ -", "- "), symbols=["o", "g"])
    assert r.valid and r.correct == ((a, b) == (2, -2))
