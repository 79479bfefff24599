"""The only door from a student's typed text to a verdict.

`check` grades an answer against a reference, `preview` echoes how a text was read (LaTeX)
before grading, `validate_reference` vets a bank's reference answer, `evaluate_number` gives
a reference's value for given variables. Inside: `lexer` and `latex` read the text, `parser`
builds the tree (a whitelist: nothing typed reaches eval/exec/sympify), `registry` is the one
table of functions and Greek letters, `names` reads declared symbols, `numeric` evaluates trees,
`symbolic` builds SymPy objects, `matrix` grades matrix answers, `feedback` explains sign and factor slips, `context`
holds a question's declared symbols, and `sandbox` runs SymPy in a worker with a hard time limit.
`steps` (with `step_calculus` in the worker) checks a derivation line by line.
SymPy is imported on first use (`warm_up` imports it ahead, as the app does after its first page).
"""
from quizlib.answers.checker import check, evaluate_number, preview, validate_reference, warm_up

__all__ = ["check", "evaluate_number", "preview", "validate_reference", "warm_up"]
