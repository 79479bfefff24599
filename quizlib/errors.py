"""Named exceptions for broken content and misuse.

A student's bad input is never an exception: it is a `CheckResult(valid=False)`.
These are for the other channel — a bank that does not validate, a store that
cannot be opened, a lab asked for something impossible.
"""
from __future__ import annotations


class QuizlibError(Exception):
    """Base class of every error this package raises on purpose."""


class BankError(QuizlibError):
    """One or more bank files do not validate; `problems` lists each with file:line."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the question banks:\n{lines}")


class StoreError(QuizlibError):
    """The progress store cannot be opened or read (bad path, not a database, bad backup)."""


class ConfigError(QuizlibError, ValueError):
    """A setting outside what makes sense (dropout p=1, batch norm on a batch of one, …)."""
