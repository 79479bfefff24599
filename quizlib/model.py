"""The app's data types: one frozen dataclass per concept.

A `Bank` (one Markdown file of `content/`) holds `Question`s; a question holds one
or more graded `Part`s (a single-part question keeps its grading fields on its one
part and exposes them through properties, so `q.kind`, `q.answer`, `q.symbols` work
on every question). Checking a student's text gives a `CheckResult`; a stored try
is an `Attempt`. Nothing here does I/O, parsing or maths.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("number", "expr", "choice", "derivation", "matrix")
N_LECTURES = 14
"""The course's lectures are numbered 1..N_LECTURES (a bank's or a question's `lecture:`)."""
"""Kinds a graded part may have. A question with several parts has kind "multi"."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank file, with its place (MkDocs-style collect-then-report)."""

    file: str
    line: int
    message: str
    severity: str = "error"  # "error" | "warning" (strict mode makes warnings fatal)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class WrongAnswer:
    """A wrong answer students are known to give, with the feedback it earns."""

    answer: str  # SymPy syntax, like the reference answer
    feedback: str  # Markdown shown to the student


@dataclass(frozen=True)
class RubricItem:
    text: str  # Markdown
    points: float
    check: str = ""  # a formula (answer syntax): the app ticks the item when a ✓-reached line shows it
    final: bool = False  # earned when the derivation's last line equals the part's answer


@dataclass(frozen=True)
class Choice:
    label: str  # "a", "b", … in the order written
    text: str  # Markdown
    correct: bool


@dataclass(frozen=True)
class Variable:
    """A parameter of a variant question and the values it may take."""

    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Precision:
    """How a number answer is to be rounded: `precision: 3 decimals` / `precision: 4 significant`.

    It sets the part's tolerance (half a unit in the last asked digit, per variant) and writes the
    instruction the prompt shows, so the text never disagrees with the grading."""

    digits: int
    mode: str  # "decimals" | "significant"


@dataclass(frozen=True)
class Part:
    """One graded answer box. Single-part questions have exactly one, with id ""."""

    id: str
    kind: str  # one of KINDS
    points: float
    answer: str = ""  # SymPy syntax (number/expr/matrix); correct labels "a, c" (choice); "" (derivation)
    prompt: str = ""  # Markdown; "" for the only part of a single-part question
    title: str = ""
    symbols: tuple[str, ...] = ()  # "o", "o in (0, 1)", "W1: D×H" — as written in the bank
    functions: tuple[str, ...] = ()  # extra functions a matrix answer may use (relu, step, softmax, …)
    let: tuple[str, ...] = ()  # derived symbols, "h = relu(W1^T x + b1)"
    rtol: float | None = None
    atol: float | None = None
    precision: Precision | None = None  # a `precision:` key; the rendered part's atol comes from it
    choices: tuple[Choice, ...] = ()
    wrong_answers: tuple[WrongAnswer, ...] = ()
    rubric: tuple[RubricItem, ...] = ()
    solution: str = ""  # Markdown, this part's own model solution (optional)
    line: int = 0
    steps: bool = False  # a derivation checked line by line (`steps: yes`)
    asked: str = ""  # with steps: the quantity asked for, which the first line must equal (`dL/dz`)
    random: tuple[str, ...] = ()  # with steps: random quantities for E[…]/Var(…), "m ~ Bernoulli(1-p)"


@dataclass(frozen=True)
class Question:
    id: str  # stable: progress is keyed by it, never by position or text
    title: str
    prompt: str  # Markdown with $…$ maths, already rendered for `variant`
    parts: tuple[Part, ...]
    source: str  # material file the question comes from ("" if none)
    topics: tuple[str, ...] = ()
    bank: str = ""  # id of the bank (file stem)
    hints: tuple[str, ...] = ()
    solution: str = ""  # Markdown model solution, rendered for `variant`
    variables: tuple[Variable, ...] = ()
    variant: int = 0  # index of the rendered variant (0 for questions without variables)
    values: tuple[tuple[str, float], ...] = ()  # the variables' values in this variant
    covers: tuple[str, ...] = ()  # ids of items of the source file this question covers
    reveals: tuple[str, ...] = ()  # ids of questions whose answer this one's text states (never in one exam)
    reconstructed: bool = False  # the material gave only an answer; the question was rebuilt
    lecture: int | None = None  # the course lecture (1..14) it belongs to: the question's `lecture:` or its bank's
    file: str = ""
    line: int = 0
    # the unrendered question this one was rendered from (None for a template itself): a rendered
    # question carries what it takes to render any other variant, so variants need no registry
    template: Question | None = field(default=None, compare=False, repr=False)

    # -- convenience for single-part questions (and the API outside checks rely on)
    @property
    def is_multi(self) -> bool:
        return len(self.parts) > 1

    @property
    def kind(self) -> str:
        return "multi" if self.is_multi else self.parts[0].kind

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts)

    @property
    def answer(self) -> str:
        return "" if self.is_multi else self.parts[0].answer

    @property
    def symbols(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for p in self.parts:
            seen.update(dict.fromkeys(p.symbols))
        return tuple(seen)

    @property
    def rubric(self) -> tuple[RubricItem, ...]:
        return tuple(item for p in self.parts for item in p.rubric)

    @property
    def choices(self) -> tuple[Choice, ...]:
        return () if self.is_multi else self.parts[0].choices

    @property
    def wrong_answers(self) -> tuple[WrongAnswer, ...]:
        return () if self.is_multi else self.parts[0].wrong_answers

    @property
    def n_variants(self) -> int:
        n = 1
        for v in self.variables:
            n *= len(v.values)
        return n


@dataclass(frozen=True)
class Bank:
    id: str  # file stem, e.g. "lecture3_exam"
    title: str
    path: str
    sources: tuple[str, ...] = ()
    language: str = "en"
    topics: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()  # the questions that passed validation
    lecture: int | None = None  # the front matter's `lecture:` (1..14), the default of its questions
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        return not self.errors


# Every `CheckResult.error` the checker returns, and what it means (tests/test_answers_errors.py
# holds the checker to this list). The reading errors (syntax … content) and "timeout" come with
# valid=False: an answer that was not graded costs nothing.
CHECK_ERRORS = {
    "": "correct",
    "syntax": "the text cannot be read: empty, brackets, operators, LaTeX or labels we do not read",
    "unknown-name": "a name the question does not declare (the message lists the ones it does)",
    "unsafe": "quotes, underscores, attribute dots or keywords: refused before anything is read",
    "too-big": "too long, nested too deeply, or a number or exponent beyond the caps",
    "content": "the question's reference, symbols or `let` cannot be read: a bank error to report",
    "timeout": "the exact (SymPy) check took longer than its limit: try a simpler form",
    "self-grade": "a derivation: graded with its rubric, not by the checker",
    "listed": "equal to a wrong answer the bank lists; the message is that answer's feedback",
    "sign": "the negative of the right answer",
    "factor": "a constant multiple of the right answer",
    "shape": "a matrix answer of the wrong shape, or factors whose shapes do not fit",
    "wrong": "readable and wrong, with no more specific diagnosis",
}


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer. `valid=False` means the text could not be read."""

    correct: bool
    valid: bool
    message: str  # Markdown for the student
    latex: str = ""  # the answer as the checker read it ("" if unreadable)
    error: str = ""  # machine-readable reason: one of CHECK_ERRORS
    score: float = 0.0  # fraction of the points earned, 0..1


@dataclass(frozen=True)
class StepMark:
    """The mark of one line of a step-checked derivation."""

    line: int  # 1-based, counting every line typed (blank ones too)
    text: str  # exactly as typed
    mark: str  # "ok" ✓ follows | "wrong" ✗ | "unchecked" (undecided in time) | "unreadable" ?
    message: str = ""  # why (the parser's reason, sign/factor feedback, …)
    latex: str = ""  # how the line was read


@dataclass(frozen=True)
class StepVerdict:
    """A whole step-checked derivation: each line's mark and what the chain shows."""

    marks: tuple[StepMark, ...]
    starts_right: bool | None  # the first line equals the quantity asked (None: undecided/unreadable)
    ends_right: bool | None  # the last line equals the answer
    formulas_reached: tuple[bool, ...] = ()  # per rubric formula: shown in a line reached by ✓ steps
    formulas_seen: tuple[bool, ...] = ()  # per rubric formula: shown in some readable line

    @property
    def first_wrong(self) -> int | None:
        """Line number of the first ✗, or None."""
        return next((m.line for m in self.marks if m.mark == "wrong"), None)

    @property
    def all_ok(self) -> bool:
        return bool(self.marks) and all(m.mark == "ok" for m in self.marks)


@dataclass(frozen=True)
class Attempt:
    """One stored try at one part of a question."""

    profile: str
    question_id: str
    answer: str  # exactly what the student typed (or ticked rubric items, for derivations)
    correct: bool
    score: float  # points earned
    max_score: float
    created_at: datetime  # timezone-aware UTC
    variant: int = 0
    part_id: str = ""
    mode: str = "practice"  # "practice" | "exam" | "review"
    id: int | None = None  # row id once stored
    extra: dict = field(default_factory=dict, compare=False, hash=False)  # e.g. {"exam_id": 3}
