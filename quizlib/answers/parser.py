"""Read a typed formula through a whitelist into a small AST of tuples; no eval, no sympify.

`quizlib.answers.lexer` turns the text into whitelisted tokens (unicode and LaTeX normalised, names split
greedily against what the question declares); this module is the recursive-descent parser on top,
with implicit multiplication (`2x`, `2(o-g)`, and `x(σ(z)-y)` when `x` is not a function),
`^`/`**` (right-associative), `tanh^2(z)`, `sigma'(z)`/`relu'(a)`, and in matrix answers the
transposes `^T` and `'`. Nodes are plain tuples (picklable, so the
sandbox worker can take them): ("num", "0.5"), ("sym", name), ("const", "e"|"pi"),
("call", fname, (args…)), ("neg", a), ("add"|"sub"|"mul"|"div"|"pow"|"had", a, b), ("T", a).
Everything a student may get wrong is a ParseError with a `code` from CheckResult.error.
Caps: 300 characters, nesting 40 (brackets, calls, signs, powers), 40 digits per number, constant exponents |p| ≤ 100, and no
constant subexpression beyond the float range (so `9^9^9` and `10^10^10` are refused, not computed).
"""
from __future__ import annotations

import math
import operator

from quizlib.answers.lexer import MAX_LEN, Grammar, ParseError, normalize, tokenize
from quizlib.answers import registry
from quizlib.answers.registry import CONSTANTS

__all__ = ["ParseError", "Grammar", "parse", "normalize", "MAX_LEN", "MAX_EXP", "NODE_TAGS", "ARITHMETIC"]

# every node type a tree may hold; each walker (numeric, symbolic, matrix, printing) handles all
NODE_TAGS = ("num", "sym", "const", "call", "neg", "add", "sub", "mul", "div", "pow", "had", "T")
# the binary nodes every evaluator computes alike (div and pow need care with 0 and size)
ARITHMETIC = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "had": operator.mul}

MAX_DEPTH = 40  # nesting of brackets/operators
MAX_EXP = 100  # |p| of a constant exponent


def parse(text: str, grammar: Grammar):
    """Text → AST; raises ParseError (with a student-facing message)."""
    s = normalize(text, grammar.number)
    toks = tokenize(s, grammar)
    if not toks:
        raise ParseError("syntax", "The answer is empty.")
    p = _Parser(toks, grammar)
    node = p.expr(0)
    if p.i < len(toks):
        raise ParseError("syntax", f"Unexpected `{toks[p.i][1]}`: check brackets and operators.")
    _check_sizes(node)
    return node


class _Parser:
    def __init__(self, toks, grammar: Grammar):
        self.toks, self.g, self.i = toks, grammar, 0

    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else ("end", "")

    def take(self, value: str) -> bool:
        if self.peek() == ("op", value):
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.take(value):
            got = self.peek()[1] or "the end"
            raise ParseError("syntax", f"Expected `{value}` but found `{got}`: check the brackets.")

    @staticmethod
    def _deep(depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ParseError("too-big", "The formula is nested too deeply.")

    def expr(self, d):
        self._deep(d)
        node = self.term(d)
        while True:
            if self.take("+"):
                node = ("add", node, self.term(d))
            elif self.take("-"):
                node = ("sub", node, self.term(d))
            else:
                return node

    def starts_primary(self) -> bool:
        kind, v = self.peek()
        return kind in ("num", "name") or v in ("(", "√")

    def term(self, d):
        self._deep(d)
        node = self.unary(d)
        while True:
            kind, v = self.peek()
            if v in ("*", "@"):
                self.i += 1
                node = ("mul", node, self.unary(d))
            elif v == "/":
                self.i += 1
                node = ("div", node, self.unary(d))
            elif v == "⊙":
                self.i += 1
                node = ("had", node, self.unary(d))
            elif self.starts_primary():  # implicit multiplication: 2x, 2(o-g), x(σ(z)-y)
                node = ("mul", node, self.power(d))
            else:
                return node

    def unary(self, d):
        self._deep(d)
        if self.take("-"):
            return ("neg", self.unary(d + 1))
        if self.take("+"):
            return self.unary(d + 1)
        return self.power(d)

    def power(self, d):
        self._deep(d)
        base = self.postfix(d)
        if self.take("^"):
            if self.g.matrix and self._transpose_mark():
                return self._post(("T", base))
            return ("pow", base, self.unary(d + 1))
        return base

    def _transpose_mark(self) -> bool:
        """After `^`: `T` or `(T)` (from `^{T}`) is a transpose unless T is a declared symbol."""
        if "T" in self.g.symbols:
            return False
        if self.peek() == ("name", "T"):
            self.i += 1
            return True
        if self.peek() == ("op", "(") and self.peek(1) == ("name", "T") and self.peek(2) == ("op", ")"):
            self.i += 3
            return True
        return False

    def _post(self, node):
        while True:
            if self.g.matrix and self.take("'"):
                node = ("T", node)
            elif self.g.matrix and self.peek() == ("op", "^") and "T" not in self.g.symbols and (
                    self.peek(1) == ("name", "T")
                    or self.peek(1) == ("op", "(") and self.peek(2) == ("name", "T") and self.peek(3) == ("op", ")")):
                self.i += 1
                self._transpose_mark()
                node = ("T", node)
            else:
                return node

    def postfix(self, d):
        return self._post(self.primary(d))

    def primary(self, d):
        self._deep(d)
        kind, v = self.peek()
        if kind == "num":
            self.i += 1
            return ("num", v)
        if v == "(":
            self.i += 1
            node = self.expr(d + 1)
            self.expect(")")
            return node
        if v == "√":
            self.i += 1
            return ("call", "sqrt", (self.postfix(d + 1),))
        if kind == "name":
            self.i += 1
            if v in self.g.functions:
                return self.call(v, d)
            if v in CONSTANTS and v not in self.g.symbols:
                return ("const", v)
            if v == "T" and "T" not in self.g.symbols:
                raise ParseError("syntax", "`T` means a transpose only right after `^`, as in `W1^T`.")
            return ("sym", v)
        if kind == "end":
            raise ParseError("syntax", "The answer ends too early: something is missing after the last "
                                       "operator.")
        if v == "'":
            raise ParseError("syntax", "A prime `'` is read only after relu, sigma, tanh, exp or log "
                                       "(as in `sigma'(z)`).")
        raise ParseError("syntax", f"Unexpected `{v}`: check brackets and operators.")

    def _at_function(self) -> bool:
        kind, v = self.peek()
        return kind == "name" and v in self.g.functions

    def call(self, fname: str, d):
        primes = 0
        while self.take("'"):
            primes += 1
        power = None
        if self.take("^"):  # tanh^2(z) means tanh(z)^2
            power = self.primary(d + 1)
        if self.take("("):
            args = [self.expr(d + 1)]
            while self.take(","):
                args.append(self.expr(d + 1))
            self.expect(")")
        elif self.starts_primary():  # \ln x, sin 2x: takes the implicit product that follows
            arg = self.power(d + 1)
            while self.starts_primary() and not self._at_function():  # sin x cos x: stops at cos
                arg = ("mul", arg, self.power(d + 1))
            args = [arg]
        else:
            raise ParseError("syntax", f"`{fname}` needs an argument in brackets, as in `{fname}(z)`.")
        counts = self.g.functions[fname]  # the typed name's own arity (ln: 1, log: 1 or 2)
        if len(args) not in counts:
            raise ParseError("syntax", f"`{fname}` takes {' or '.join(map(str, counts))} argument(s).")
        fname = registry.canonical(fname)  # ln -> log, after the arity check
        node = ("call", fname, tuple(args))
        if primes:
            node = _derivative(fname, node, args, primes)
        return ("pow", node, power) if power is not None else node


def _derivative(fname: str, node, args, primes: int = 1):
    fn = registry.lookup(fname)
    prime = fn.prime if primes == 1 else fn.prime2 if primes == 2 else None
    if prime is None:
        raise ParseError("syntax", f"`{fname}{chr(39) * primes}` is not read; write the derivative out.")
    return prime(node, args[0])


def _const_value(node):
    """Float value of a constant subtree, None if it has names; raises ParseError when too big."""
    tag = node[0]
    if tag == "num":
        return float(node[1])
    if tag == "const":
        return CONSTANTS[node[1]]
    if tag in ("sym", "call", "T"):
        return None
    vals = [_const_value(c) for c in node[1:]]
    if any(v is None for v in vals):
        return None
    try:
        if tag == "neg":
            return -vals[0]
        a, b = vals
        if tag in ARITHMETIC:
            return ARITHMETIC[tag](a, b)
        if tag == "div":
            return a / b if b else None
        r = abs(a) ** b if a or b > 0 else None  # pow: magnitude only (sign irrelevant to size)
        return r
    except OverflowError:
        raise ParseError("too-big", "A number in your answer is too large.") from None


def _check_sizes(node) -> None:
    """Constant exponents |p| ≤ MAX_EXP; constant subexpressions must fit a float (no 9^9^9)."""
    if not isinstance(node, tuple):
        return
    tag = node[0]
    if tag == "pow":
        p = _const_value(node[2])
        if p is not None and abs(p) > MAX_EXP:
            raise ParseError("too-big", f"Exponents are limited to ±{MAX_EXP}.")
    for child in node[1:]:
        if isinstance(child, tuple):
            if child and isinstance(child[0], tuple):  # call args
                for a in child:
                    _check_sizes(a)
            else:
                _check_sizes(child)
    v = _const_value(node) if tag not in ("sym", "call", "T") else None
    if v is not None and (math.isinf(v) or v != v and tag != "div"):
        raise ParseError("too-big", "A number in your answer is too large.")
