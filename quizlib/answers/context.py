"""One answer box's reading context: declared symbols, `let` definitions, grammar, parsed reference.

Built once per (kind, symbols, let, functions) and cached, because the same question is checked
many times. A `Context` turns text into an AST for that box (`read`), and raises `ParseError` with a
student-facing message, including the "`q` is not a symbol of this question; you may use o, g"
wording for unknown names. Bank-side mistakes (a symbol declaration or `let` that cannot be read)
raise `ContextError`, which the checker reports as a content problem.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from quizlib.answers.parser import Grammar, ParseError, parse
from quizlib.answers.matrix import ShapeError, infer_shape
from quizlib.answers import registry
from quizlib.answers.names import Decl, SymbolError, parse_decls

__all__ = ["Context", "ContextError", "context_for"]


class ContextError(ValueError):
    """The bank's symbols/let/functions for this box cannot be read."""


@dataclass(frozen=True, eq=False)  # hashed by identity: one cached instance per box
class Context:
    kind: str
    decls: tuple[Decl, ...]
    lets: tuple[tuple[str, tuple], ...]  # (name, ast) in definition order
    grammar: Grammar

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.decls) + tuple(n for n, _ in self.lets)

    @property
    def shapes(self) -> dict:
        out = {d.name: d.shape for d in self.decls}
        for name, ast in self.lets:
            out[name] = infer_shape(ast, out)
        return out

    def read(self, text: str):
        try:
            return parse(text, self.grammar)
        except ParseError as exc:
            if exc.code == "unknown-name":
                raise ParseError("unknown-name", self.unknown_message(exc.names), exc.names) from None
            raise
        except RecursionError:
            raise ParseError("too-big", "The formula is nested too deeply.") from None

    def unknown_message(self, names) -> str:
        listed = ", ".join(f"`{n}`" for n in names)
        verb = "is not a symbol" if len(names) == 1 else "are not symbols"
        if self.kind == "number":
            return (f"{listed} {verb} you can use here: a numeric answer is a number or an expression "
                    "of numbers, like `0.25`, `1/3` or `sqrt(6/110)`.")
        allowed = ", ".join(self.names) or "no symbols"
        return f"{listed} {verb} of this question; you may use {allowed}."


def _split_lets(let) -> list[str]:
    out = []
    for item in let or ():
        out += [x.strip() for x in item.split(";") if x.strip()]
    return out


@lru_cache(maxsize=512)
def _cached(kind: str, symbols: tuple, let: tuple, functions: tuple, registry_version: int) -> Context:
    try:
        decls = tuple(parse_decls(symbols))
    except SymbolError as exc:
        raise ContextError(str(exc)) from None
    if kind == "matrix":
        funcs = registry.matrix_functions()
        for f in functions:
            f = f.strip()
            if f and f not in funcs and f not in ("transpose", "matmul", "outer", "^T", "⊙"):
                raise ContextError(f"the function `{f}` is not one the matrix checker knows "
                                   f"({', '.join(sorted(funcs))})")
    else:
        funcs = registry.expr_functions()
    names = [d.name for d in decls]
    # a declared symbol wins over a function of the same name (a bank may call a std. dev. `sigma`)
    funcs = {k: v for k, v in funcs.items() if k not in names}
    lets: list[tuple[str, tuple]] = []
    for text in _split_lets(let):
        if "=" not in text:
            raise ContextError(f"cannot read the definition {text!r} (write `h = relu(W1^T x + b1)`)")
        name, rhs = (x.strip() for x in text.split("=", 1))
        if not name.isalnum() or not name[0].isalpha():
            raise ContextError(f"`{name}` cannot be defined by `let` (use letters and digits)")
        g = Grammar(tuple(names), funcs, matrix=kind == "matrix")
        try:
            ast = parse(rhs, g)
        except ParseError as exc:
            raise ContextError(f"the definition of `{name}` does not parse: {exc.message}") from None
        lets.append((name, ast))
        names.append(name)
    grammar = Grammar(tuple(names) if kind != "number" else (), funcs, matrix=kind == "matrix",
                      number=kind == "number")
    ctx = Context(kind, decls, tuple(lets), grammar)
    if kind == "matrix":
        try:
            ctx.shapes
        except ShapeError as exc:
            raise ContextError(f"a `let` definition has inconsistent shapes: {exc}") from None
    return ctx


def context_for(kind: str, symbols=None, let=(), functions=()) -> Context:
    return _cached(kind, tuple(symbols or ()), tuple(let or ()), tuple(functions or ()), registry.version())


@lru_cache(maxsize=2048)
def read_reference(ctx: Context, text: str):
    """The reference answer's AST (cached); raises ParseError."""
    return ctx.read(text)
