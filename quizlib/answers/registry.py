"""The one table of what an answer may name: functions (with every form a walker needs) and Greek letters.

A function is registered once, as a `Function`: its name and the argument counts it takes, its
complex scalar value (`numeric`, the checker's fast path), its SymPy form (`sympy`, for the echo and
the exact check), its element-wise NumPy form (`numpy`, for matrix answers), how it prints in LaTeX,
the LaTeX commands a student may type for it (`\\tanh`, `\\ln`), other names read as it (`ln` → `log`),
how it changes a matrix's shape, and what `f'` means (`sigma'(z)` = σ(z)(1−σ(z))). The lexer, the
parser, the LaTeX reader, the numeric, SymPy and NumPy evaluators, the shape checker and the printers
all read this table, so adding a function is one `register(Function(...))` call.

A Greek letter is registered as a `Greek`: its name, the unicode characters typed for it, the
LaTeX commands read as it (`\\varepsilon`), and the spelled-out aliases of a symbol (`lam`, `lmbda`
for λ). Students type a symbol in several ways; an alias is read as whichever member of its family
the question declares (`quizlib.answers.names.resolve_alias`).
"""
from __future__ import annotations

import cmath
import math
from dataclasses import dataclass
from typing import Any, Callable

import importlib

import numpy as np

__all__ = ["Function", "Greek", "register", "unregister", "lookup", "canonical", "expr_functions",
           "matrix_functions", "latex_commands", "version", "function_names", "GREEK", "GREEK_CHARS",
           "ALIAS_FAMILIES", "greek_commands", "symbol_latex", "CONSTANTS", "Undefined"]

CONSTANTS = {"e": math.e, "pi": math.pi}  # name -> value


class Undefined(ArithmeticError):
    """The formula has no finite real value at this point."""


@dataclass(frozen=True)
class Function:
    """One function an answer may call."""

    name: str
    arity: tuple[int, ...]  # allowed argument counts
    numeric: Callable[..., complex] | None = None  # complex value; None: not in scalar answers
    sympy: Callable[[list, bool], Any] | None = None  # (args, evaluate) -> SymPy; with `numeric`
    numpy: Callable[..., Any] | None = None  # on arrays, element-wise; None: not in matrix answers
    latex: str | Callable[[list[str]], str] = ""  # head (r"\tanh") or args -> LaTeX; "" = \operatorname
    latex_commands: tuple[str, ...] = ()  # LaTeX commands read as this name or an alias (\tanh, \ln)
    aliases: tuple[str, ...] = ()  # other names read as this function
    shape: str = "same"  # matrix answers: "same" (element-wise), "transposed", "scalar", "elementwise2"
    matrix_arity: tuple[int, ...] | None = None  # argument counts in matrix answers, if not `arity`
    prime: Callable[[tuple, tuple], tuple] | None = None  # (call node, argument) -> AST of f'(arg)
    prime2: Callable[[tuple, tuple], tuple] | None = None  # the same for f''(arg)
    alias_arity: tuple[int, ...] | None = None  # argument counts of the aliases, if not `arity` (ln: 1)
    mp: Callable[..., Any] | None = None  # value in mpmath (the exact re-check of close values)
    breaks: bool = False  # piecewise: jumps or kinks where an argument crosses 0 (floor/ceil: an integer)

    def to_latex(self, args: list[str]) -> str:
        if callable(self.latex):
            return self.latex(args)
        head = self.latex or rf"\operatorname{{{self.name}}}"
        return rf"{head}\left({', '.join(args)}\right)"


_FUNCTIONS: dict[str, Function] = {}
_ALIASES: dict[str, str] = {}
_version = [0]


def register(fn: Function) -> Function:
    """Add `fn` to the table (a name or alias already taken is a programming error)."""
    if (fn.numeric is None) != (fn.sympy is None):
        raise ValueError(f"{fn.name}: a scalar function needs both its numeric and its SymPy form")
    if fn.numeric is None and fn.numpy is None:
        raise ValueError(f"{fn.name}: give a numeric/SymPy form, a NumPy form, or both")
    for name in (fn.name, *fn.aliases):
        if name in _FUNCTIONS or name in _ALIASES:
            raise ValueError(f"the function name {name!r} is taken")
    _FUNCTIONS[fn.name] = fn
    _ALIASES.update({a: fn.name for a in fn.aliases})
    _version[0] += 1
    return fn


def unregister(name: str) -> None:
    """Remove a function and its aliases (for tests that register one of their own)."""
    fn = _FUNCTIONS.pop(name)
    for a in fn.aliases:
        del _ALIASES[a]
    _version[0] += 1


def version() -> int:
    """Changes whenever the table does; caches of grammars key on it."""
    return _version[0]


def canonical(name: str) -> str:
    return _ALIASES.get(name, name)


def lookup(name: str) -> Function:
    """The function `name` (or an alias) stands for; KeyError if none."""
    return _FUNCTIONS[canonical(name)]


def function_names() -> set[str]:
    """Every name and alias of a registered function."""
    return set(_FUNCTIONS) | set(_ALIASES)


def _table(matrix: bool) -> dict[str, tuple[int, ...]]:
    out = {}
    for fn in _FUNCTIONS.values():
        if (fn.numpy if matrix else fn.numeric) is None:
            continue
        arity = fn.matrix_arity or fn.arity if matrix else fn.arity
        out[fn.name] = arity
        out.update({name: fn.alias_arity or arity for name in fn.aliases})
    return out


def expr_functions() -> dict[str, tuple[int, ...]]:
    """name (or alias) -> argument counts, for number and expr answers."""
    return _table(matrix=False)


def matrix_functions() -> dict[str, tuple[int, ...]]:
    """name (or alias) -> argument counts, for matrix answers."""
    return _table(matrix=True)


def latex_commands() -> set[str]:
    """LaTeX commands that read as a function name (`\\tanh` → `tanh`)."""
    return {c for fn in _FUNCTIONS.values() for c in fn.latex_commands}


# -- the functions -------------------------------------------------------------

def _real(z: complex, what: str) -> float:
    if abs(z.imag) > 1e-12 * max(1.0, abs(z.real)):
        raise Undefined(f"{what} of a complex number")
    return z.real


def _sigma(z: complex) -> complex:
    if z.real < -700:
        return cmath.exp(z)  # 1/(1+e^{-z}) ≈ e^z, and e^{-z} would overflow
    return 1 / (1 + cmath.exp(-z))


def _exp(z: complex) -> complex:
    if z.real > 700:
        raise OverflowError("exp overflow")
    return cmath.exp(z)


def _log(z: complex, base: complex | None = None) -> complex:
    return cmath.log(z) if base is None else cmath.log(z) / cmath.log(base)


def _sp():
    """SymPy, imported on first use: showing a question needs none of it (~1.5 s to import)."""
    return importlib.import_module("sympy")


def _own(name: str):
    """One of the app's own SymPy functions (sigma, relu, step), imported on first use."""
    return getattr(importlib.import_module("quizlib.answers.sympy_functions"), name)


def _sympy_log(args, ev):
    sp = _sp()
    a = sp.log(args[0], evaluate=ev)
    if len(args) == 1:
        return a
    return sp.Mul(a, sp.Pow(sp.log(args[1], evaluate=ev), -1, evaluate=ev), evaluate=ev)


def _one(name: str, own: bool = False):
    """SymPy form of a one-argument function, by its SymPy name (or the app's own function's)."""
    return lambda args, ev: (_own(name) if own else getattr(_sp(), name))(args[0], evaluate=ev)


def _softmax(a):
    a = np.atleast_2d(np.asarray(a, dtype=float))
    e = np.exp(a - a.max(axis=0, keepdims=True))  # each column; shifting by the max avoids overflow
    return e / e.sum(axis=0, keepdims=True)


def _sqrt_tex(args: list[str]) -> str:
    return rf"\sqrt{{{', '.join(args)}}}"


def _odot_tex(args: list[str]) -> str:
    return rf"\left({args[0]}\right) \odot \left({args[1]}\right)"


# f'(a) as a tree: relu' = step, σ' = σ(1−σ), tanh' = 1 − tanh², exp' = exp, log' = 1/a
def _relu_prime(node, a):
    return ("call", "step", (a,))


def _sigma_prime(node, a):
    return ("had", node, ("sub", ("num", "1"), node))


def _tanh_prime(node, a):
    return ("sub", ("num", "1"), ("had", node, node))


def _log_prime(node, a):
    return ("div", ("num", "1"), a)


# f''(a): σ'' = σ(1−σ)(1−2σ), tanh'' = −2 tanh (1 − tanh²), exp'' = exp, log'' = −1/a²
def _sigma_prime2(node, a):
    return ("had", _sigma_prime(node, a), ("sub", ("num", "1"), ("mul", ("num", "2"), node)))


def _tanh_prime2(node, a):
    return ("neg", ("mul", ("num", "2"), ("had", node, _tanh_prime(node, a))))


def _log_prime2(node, a):
    return ("neg", ("div", ("num", "1"), ("pow", a, ("num", "2"))))


def _mp():
    import mpmath  # SymPy's own dependency; imported only when close values need re-checking

    return mpmath


def _mp_sigma(z):
    m = _mp()
    return 1 / (1 + m.exp(-z))


def _mp_real(z):
    m = _mp()
    if m.im(z) != 0:
        raise Undefined("a complex argument")
    return m.re(z)


def _mp_log(z, base=None):
    m = _mp()
    return m.log(z) if base is None else m.log(z) / m.log(base)


def _m(name):
    """The mpmath function `name`, looked up when first called."""
    return lambda *args: getattr(_mp(), name)(*args)


_ONE = (1,)
for _fn in (
    Function("sqrt", _ONE, cmath.sqrt, lambda args, ev: _sp().Pow(args[0], _sp().Rational(1, 2), evaluate=ev),
             np.sqrt, _sqrt_tex, mp=_m("sqrt")),
    Function("exp", _ONE, _exp, _one("exp"), np.exp, r"\exp", ("exp",), prime=lambda node, a: node,
             prime2=lambda node, a: node, mp=_m("exp")),
    Function("log", (1, 2), _log, _sympy_log, np.log, r"\log", ("log", "ln"), aliases=("ln",),
             matrix_arity=_ONE, prime=_log_prime, prime2=_log_prime2, alias_arity=_ONE, mp=_mp_log),
    Function("log2", _ONE, lambda z: cmath.log(z) / math.log(2),
             lambda args, ev: _sp().Mul(_sp().log(args[0], evaluate=ev), _sp().Pow(_sp().log(2), -1, evaluate=ev),
                                        evaluate=ev),
             latex=lambda args: rf"\log_2\left({args[0]}\right)", mp=lambda z: _mp_log(z, 2)),
    Function("tanh", _ONE, cmath.tanh, _one("tanh"), np.tanh, r"\tanh", ("tanh",), prime=_tanh_prime,
             prime2=_tanh_prime2, mp=_m("tanh")),
    Function("sech", _ONE, lambda z: 1 / cmath.cosh(z), _one("sech"), lambda a: 1.0 / np.cosh(a),
             r"\operatorname{sech}", ("sech",), mp=_m("sech")),
    Function("sigma", _ONE, _sigma, _one("sigma", own=True), lambda a: 1.0 / (1.0 + np.exp(-np.asarray(a, dtype=float))),
             r"\sigma", prime=_sigma_prime, prime2=_sigma_prime2, mp=_mp_sigma),
    Function("sinh", _ONE, cmath.sinh, _one("sinh"), latex=r"\sinh", latex_commands=("sinh",), mp=_m("sinh")),
    Function("cosh", _ONE, cmath.cosh, _one("cosh"), latex=r"\cosh", latex_commands=("cosh",), mp=_m("cosh")),
    Function("sin", _ONE, cmath.sin, _one("sin"), latex=r"\sin", latex_commands=("sin",), mp=_m("sin")),
    Function("cos", _ONE, cmath.cos, _one("cos"), latex=r"\cos", latex_commands=("cos",), mp=_m("cos")),
    Function("abs", _ONE, lambda z: complex(abs(z)), _one("Abs"), np.abs, mp=lambda z: abs(z), breaks=True),
    Function("floor", _ONE, lambda z: complex(math.floor(_real(z, "floor"))), _one("floor"),
             mp=lambda z: _mp().floor(_mp_real(z)), breaks=True),
    Function("ceil", _ONE, lambda z: complex(math.ceil(_real(z, "ceil"))), _one("ceiling"),
             mp=lambda z: _mp().ceil(_mp_real(z)), breaks=True),
    Function("sign", _ONE, lambda z: complex((_real(z, "sign") > 0) - (_real(z, "sign") < 0)), _one("sign"),
             mp=lambda z: _mp().sign(_mp_real(z)), breaks=True),
    Function("relu", _ONE, lambda z: complex(max(_real(z, "relu"), 0.0)), _one("relu", own=True),
             lambda a: np.maximum(a, 0.0), prime=_relu_prime, mp=lambda z: max(_mp_real(z), 0), breaks=True),
    Function("step", _ONE, lambda z: complex(1.0 if _real(z, "step") > 0 else 0.0), _one("step", own=True),
             lambda a: (np.asarray(a) > 0).astype(float), mp=lambda z: 1 if _mp_real(z) > 0 else 0, breaks=True),
    Function("max", (2,), lambda a, b: complex(max(_real(a, "max"), _real(b, "max"))),
             lambda args, ev: _sp().Max(*args, evaluate=ev), latex=r"\max", latex_commands=("max",),
             mp=lambda a, b: max(_mp_real(a), _mp_real(b)), breaks=True),
    Function("min", (2,), lambda a, b: complex(min(_real(a, "min"), _real(b, "min"))),
             lambda args, ev: _sp().Min(*args, evaluate=ev), latex=r"\min", latex_commands=("min",),
             mp=lambda a, b: min(_mp_real(a), _mp_real(b)), breaks=True),
    # matrix answers only
    Function("softmax", _ONE, numpy=_softmax),
    Function("transpose", _ONE, numpy=np.transpose, shape="transposed"),
    Function("odot", (2,), numpy=lambda a, b: a * b, latex=_odot_tex, aliases=("hadamard",),
             shape="elementwise2"),
    Function("sum", _ONE, numpy=lambda a: float(np.sum(a)), shape="scalar"),
):
    register(_fn)


# -- Greek letters ---------------------------------------------------------------

@dataclass(frozen=True)
class Greek:
    """One Greek letter: the name it is read as, typed characters, LaTeX, spelled-out aliases."""

    name: str
    chars: str = ""  # unicode characters read as `name`
    variants: tuple[str, ...] = ()  # further LaTeX commands read as it (\varepsilon)
    aliases: tuple[str, ...] = ()  # symbol spellings of the same letter, in order of preference

    @property
    def latex(self) -> str:
        return "\\" + self.name


GREEK = (
    Greek("alpha", "α"), Greek("beta", "β"), Greek("gamma", "γ"), Greek("delta", "δ"),
    Greek("epsilon", "εϵ", ("varepsilon",), ("eps", "epsilon")), Greek("zeta", "ζ"), Greek("eta", "η"),
    Greek("theta", "θϑ", ("vartheta",)), Greek("iota", "ι"), Greek("kappa", "κ"),
    Greek("lambda", "λ", (), ("lam", "lambda", "lmbda", "lamda", "lamb")), Greek("mu", "μµ"),
    Greek("nu", "ν"), Greek("xi", "ξ"), Greek("pi", "π"), Greek("rho", "ρ", ("varrho",)),
    Greek("sigma", "σ"), Greek("tau", "τ"), Greek("phi", "φϕ", ("varphi",)), Greek("chi", "χ"),
    Greek("psi", "ψ"), Greek("omega", "ω"), Greek("Delta", "Δ"), Greek("Sigma", "Σ"),
    Greek("Theta", "Θ"), Greek("Lambda", "Λ"), Greek("Phi"), Greek("Omega"),
)
GREEK_CHARS = {c: g.name for g in GREEK for c in g.chars}
# spelled-out forms of one symbol; only the letters with more than one spelling form a family
ALIAS_FAMILIES = [g.aliases for g in GREEK if g.aliases]
_SYMBOL_LATEX = {a: g.latex for g in GREEK for a in (g.name, *g.aliases)}
_GREEK_COMMANDS = {c: g.name for g in GREEK for c in (g.name, *g.variants)}


def greek_commands() -> dict[str, str]:
    """LaTeX command -> the name it reads as (`varepsilon` -> `epsilon`)."""
    return _GREEK_COMMANDS


def symbol_latex(name: str) -> str | None:
    """LaTeX of a symbol named like a Greek letter (`lam` -> `\\lambda`), else None."""
    return _SYMBOL_LATEX.get(name)
