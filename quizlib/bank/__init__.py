"""Markdown question banks → validated questions, their variants, and coverage of the sources.

`parser` splits a bank file into raw blocks with their lines, `fields` reads the `key: value`
lines and lists, `validate` builds the model objects and collects every problem as `file:line`,
`maths` runs the checker over references and wrong answers, `variants` renders a question
for a variant of its variables, `loader` reads a content folder (`load_banks`), and `coverage`
tells which items of the source catalogues the questions cover.
"""
from quizlib.bank.loader import (bank_files, check_banks, find_question, load_bank_file, load_banks,
                                 read_catalogues)

__all__ = ["bank_files", "check_banks", "find_question", "load_bank_file", "load_banks", "read_catalogues"]
