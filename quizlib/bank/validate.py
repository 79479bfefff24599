"""Raw bank blocks → validated `Bank`, with every problem collected as `file:line`.

`build_bank` turns the output of `bank.parser` into model objects: front matter,
questions, their parts, choices, rubrics and variables. It checks the structure
(kinds, points, required sections, unknown keys and sections), then hands the maths
to `bank.maths`. A question with an error is left out of the
bank; its problems stay in `Bank.problems`. Nothing here raises for bad content.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from quizlib.bank import variants
from quizlib.markdown_maths import stray_dollars
from quizlib.answers.steps import validate_steps
from quizlib.bank.fields import (ID_RE, Collector, read_bool, read_choices, read_lecture, read_points,
                                 read_precision, read_rubric, read_tolerance, read_variables, read_wrong_answers,
                                 split_top)
from quizlib.bank.maths import PartLines, check_maths, check_placeholders
from quizlib.bank.parser import (RawBank, RawField, RawPart, RawQuestion, RawSection, list_items, split_heading,
                                 strip_block)
from quizlib.model import KINDS, Bank, Part, Question

FRONT_KEYS = {"title", "sources", "language", "topics", "lecture"}
PART_KEYS = {"kind", "points", "answer", "symbols", "functions", "let", "tolerance", "precision", "steps", "asked",
             "random"}
QUESTION_KEYS = PART_KEYS | {"topics", "source", "covers", "reconstructed", "lecture", "reveals"}
INHERITED_KEYS = ("symbols", "functions", "let", "tolerance", "precision")  # multi-part: defaults for parts
PART_SECTIONS = {"wrong answers", "choices", "rubric", "solution"}
QUESTION_SECTIONS = PART_SECTIONS | {"prompt", "hints", "variables"}


@dataclass(frozen=True)
class BankDefaults:
    """What every question of a bank inherits from its front matter, and the source catalogue."""

    path: Path
    bank_id: str
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    lecture: int | None = None
    catalogue: dict[str, set[str]] | None = None  # None: covers are not checked


@dataclass(frozen=True)
class PartSource:
    """The raw text of one graded part: a `### Part` block, or a single-part question itself."""

    id: str  # "" for a single-part question
    title: str
    line: int
    fields: dict[str, RawField]
    sections: dict[str, RawSection]  # by lower-case name
    where: str  # "part 'a' of 'q1'" / "question 'q1'": how messages name it
    prompt: str = ""


@dataclass(frozen=True)
class QuestionText:
    """A question's own sections: prompt, hints, variables, model solution."""

    prompt: str
    hints: tuple[str, ...]
    variables: tuple
    solution: str


@dataclass
class BuiltBank:
    bank: Bank
    templates: list[Question] = field(default_factory=list)  # unrendered, passed validation


def _csv(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


def _texts(q: Question):
    yield q.title
    yield q.prompt
    yield q.solution
    yield from q.hints
    for p in q.parts:
        yield p.prompt
        yield p.title
        yield p.solution
        yield from (c.text for c in p.choices)
        yield from (w.feedback for w in p.wrong_answers)
        yield from (r.text for r in p.rubric)


def _check_math_spans(q: Question, line: int, c: Collector) -> None:
    n = sum(stray_dollars(t) for t in _texts(q))
    if n:
        c.warn(line, f"question {q.id!r}: {n} `$` that open or close no maths span "
                     "(a span must not start or end with a space: `$a = b$`, not `$a = $`)")


def build_bank(path: Path, raw: RawBank, display: str,
               catalogue: dict[str, set[str]] | None = None) -> BuiltBank:
    c = Collector(display)
    front = raw.front or {}
    if raw.front is None:
        c.error(1, "missing front matter: the file must start with `---`, `title: …`, `---`")
    elif raw.unclosed_front:
        c.error(1, "the front matter is not closed by a `---` line")
    for line, text in raw.bad_front:
        c.warn(line, f"front matter line is not `key: value`: {text!r}")
    for key, f in front.items():
        if key not in FRONT_KEYS:
            c.warn(f.line, f"unknown front matter key {key!r} (known: {', '.join(sorted(FRONT_KEYS))})")
    title = front["title"].value if "title" in front else ""
    if raw.front is not None and not title:
        c.error(front["title"].line if "title" in front else 1, "missing title in the front matter")
    sources = _csv(front["sources"].value) if "sources" in front else ()
    topics = _csv(front["topics"].value) if "topics" in front else ()
    language = front["language"].value if "language" in front and front["language"].value else "en"
    lecture = read_lecture(front["lecture"].value, front["lecture"].line, c) if "lecture" in front else None
    if not raw.questions:
        c.warn(1, "the bank has no questions (a question starts with `## id: title`)")

    defaults = BankDefaults(path=path, bank_id=Path(path).stem, topics=topics, sources=sources,
                            lecture=lecture, catalogue=catalogue)
    templates: list[Question] = []
    seen: dict[str, int] = {}
    for rq in raw.questions:
        before = c.n_errors()
        q = _build_question(rq, defaults, c)
        if q is None:
            continue
        if q.id in seen:
            c.error(rq.line, f"duplicate question id {q.id!r} (also at line {seen[q.id]})")
            continue
        seen[q.id] = rq.line
        _check_math_spans(q, rq.line, c)
        if c.n_errors() == before:
            templates.append(q)
    questions = tuple(variants.render(t, 0) for t in templates)
    bank = Bank(id=Path(path).stem, title=title, path=str(path), sources=sources, language=language,
                topics=topics, questions=questions, problems=tuple(c.problems), lecture=lecture)
    return BuiltBank(bank, templates)


def _section_map(sections: list[RawSection], known: set[str], c: Collector, where: str,
                 ) -> dict[str, RawSection]:
    out: dict[str, RawSection] = {}
    for s in sections:
        key = s.name.strip().lower()
        if key not in known:
            c.warn(s.line, f"unknown section {s.name!r} in {where} "
                           f"(known: {', '.join(sorted(known))})")
        elif key in out:
            c.warn(s.line, f"section {s.name!r} appears twice in {where}; the later one is used")
        out[key] = s
    return out


def _items(section: RawSection, c: Collector, stray: str | None = None, error: bool = False):
    """The `- …` items of a section; other lines are reported with `stray` (a warning, or an error)."""
    items, loose = list_items(section.body)
    if stray is not None:
        for line, text in loose:
            (c.error if error else c.warn)(line, stray.format(text=text, short=text[:40]))
    return items


def _build_question(rq: RawQuestion, bank: BankDefaults, c: Collector) -> Question | None:
    heading = _question_heading(rq, c)
    if heading is None:
        return None
    qid, title = heading
    secs = _section_map(rq.sections, QUESTION_SECTIONS, c, f"question {qid!r}")
    text = _question_text(rq, qid, secs, c)
    built = _multi_parts(rq, qid, secs, text.solution, c) if rq.parts else _single_part(rq, qid, secs,
                                                                                          text.solution, c)
    if not built:
        return None
    parts, lines = zip(*built)
    fields = rq.fields
    source = fields["source"].value if "source" in fields else (
        bank.sources[0] if len(bank.sources) == 1 else "")
    covers = _covers(rq, bank, c)
    reveals = _csv(fields["reveals"].value) if "reveals" in fields else ()
    for other in reveals:
        if not ID_RE.fullmatch(other):
            c.error(fields["reveals"].line, f"reveals {other!r}, which is not a question id")
    q_topics = _csv(fields["topics"].value) if "topics" in fields else ()
    reconstructed = (read_bool(fields["reconstructed"].value, fields["reconstructed"].line, c, "reconstructed")
                     if "reconstructed" in fields else False)
    lecture = (read_lecture(fields["lecture"].value, fields["lecture"].line, c)
               if "lecture" in fields else bank.lecture)
    q = Question(id=qid, title=title, prompt=text.prompt, parts=parts, source=source,
                 topics=tuple(dict.fromkeys(bank.topics + q_topics)), bank=bank.bank_id, hints=text.hints,
                 solution=text.solution, variables=text.variables, covers=covers, reconstructed=reconstructed,
                 lecture=lecture, reveals=reveals, file=str(bank.path), line=rq.line)
    check_placeholders(rq, q, c)
    check_maths(q, list(lines), c)
    return q


def _question_heading(rq: RawQuestion, c: Collector) -> tuple[str, str] | None:
    """(id, title) from `## id: title`, with the warnings about the keys under it; None if no id."""
    qid, title = split_heading(rq.heading)
    if not qid or not ID_RE.match(qid):
        c.error(rq.line, f"bad question id {qid!r}: use letters, digits, '-' and '_' only "
                         "(the heading is `## id: title`)")
        return None
    if not title:
        c.warn(rq.line, f"question {qid!r} has no title (`## {qid}: title`)")
    for key, line in rq.dup_keys:
        c.warn(line, f"key {key!r} is given twice; the later one is used")
    for key, f in rq.fields.items():
        if key not in QUESTION_KEYS:
            c.warn(f.line, f"unknown key {key!r} (known: {', '.join(sorted(QUESTION_KEYS))})")
    if any(t.strip() for _, t in rq.loose):
        line = next(n for n, t in rq.loose if t.strip())
        c.warn(line, "text between the keys and the first `###` section is ignored "
                     "(put the prompt under `### Prompt`)")
    return qid, title


def _question_text(rq: RawQuestion, qid: str, secs: dict[str, RawSection], c: Collector) -> QuestionText:
    prompt = strip_block(secs["prompt"].body) if "prompt" in secs else ""
    if not prompt.strip():
        c.error(secs["prompt"].line if "prompt" in secs else rq.line,
                f"question {qid!r} has no prompt (a `### Prompt` section with text)")
    hints: tuple[str, ...] = ()
    if "hints" in secs:
        hint_items = _items(secs["hints"], c)
        hints = tuple(i.text for i in hint_items) or ((secs["hints"].text(),) if secs["hints"].text() else ())
    variables = ()
    if "variables" in secs:
        variables = read_variables(_items(secs["variables"], c, "a variable is written `- name: 1, 2, 3`, "
                                                                "not {text!r}", error=True), c)
    solution = strip_block(secs["solution"].body) if "solution" in secs else ""
    return QuestionText(prompt, hints, variables, solution)


def _covers(rq: RawQuestion, bank: BankDefaults, c: Collector) -> tuple[str, ...]:
    """The catalogue items the question says it covers; an item no catalogue lists is a warning."""
    if "covers" not in rq.fields:
        return ()
    covers = _csv(rq.fields["covers"].value)
    if covers and bank.catalogue is not None:
        known = set().union(*bank.catalogue.values()) if bank.catalogue else set()
        for item in covers:
            if item not in known:
                c.warn(rq.fields["covers"].line, f"covers {item!r}, which no catalogue in "
                                                 "content/sources/ lists")
    return covers


Built = tuple[Part, PartLines]  # a part, with the lines of its answer, wrong answers and precision


def _single_part(rq: RawQuestion, qid: str, secs: dict[str, RawSection], q_solution: str,
                 c: Collector) -> list[Built]:
    # a single part's solution is the question's: keep it there only, shown once
    src = PartSource(id="", title="", line=rq.line, where=f"question {qid!r}",
                     fields={k: v for k, v in rq.fields.items() if k in PART_KEYS},
                     sections={k: s for k, s in secs.items() if k != "solution"})
    built = _build_part(src, q_solution, c)
    return [built] if built is not None else []


def _multi_parts(rq: RawQuestion, qid: str, secs: dict[str, RawSection], q_solution: str,
                 c: Collector) -> list[Built]:
    for key in ("kind", "points", "answer"):
        if key in rq.fields:
            c.error(rq.fields[key].line, f"{key!r} of a multi-part question goes on its parts "
                                         "(`### Part id: title`), not on the question")
    for key in ("wrong answers", "choices", "rubric"):
        if key in secs:
            c.error(secs[key].line, f"section {secs[key].name!r} of a multi-part question "
                                    "goes in a part, as `#### " + secs[key].name + "`")
    out: list[Built] = []
    seen: set[str] = set()
    for rp in rq.parts:
        if not rp.id or not ID_RE.match(rp.id):
            c.error(rp.line, f"bad part id {rp.id!r}: use letters, digits, '-' and '_' "
                             "(`### Part id: title`)")
            continue
        if rp.id in seen:
            c.error(rp.line, f"duplicate part id {rp.id!r} in question {qid!r}")
            continue
        seen.add(rp.id)
        built = _build_part(_part_source(rp, rq, qid, c), q_solution, c)
        if built is not None:
            out.append(built)
    return out


def _part_source(rp: RawPart, rq: RawQuestion, qid: str, c: Collector) -> PartSource:
    """A `### Part` block's fields, the question's inherited ones (symbols, functions …) under them."""
    where = f"part {rp.id!r} of {qid!r}"
    sections = _section_map(rp.sections, PART_SECTIONS, c, f"part {rp.id!r}")
    for key, dline in rp.dup_keys:
        c.warn(dline, f"key {key!r} is given twice; the later one is used")
    for key, f in rp.fields.items():
        if key not in PART_KEYS:
            c.warn(f.line, f"unknown key {key!r} in {where} (known: {', '.join(sorted(PART_KEYS))})")
    inherited = {k: rq.fields[k] for k in INHERITED_KEYS if k in rq.fields}
    return PartSource(id=rp.id, title=rp.title, line=rp.line, fields={**inherited, **rp.fields},
                      sections=sections, where=where, prompt=strip_block(rp.prompt))


def _kind_and_points(src: PartSource, c: Collector) -> tuple[str, float] | None:
    fields, where = src.fields, src.where
    if "kind" not in fields:
        c.error(src.line, f"{where} has no `kind:` (one of {', '.join(KINDS)})")
        return None
    kind = fields["kind"].value.strip().lower()
    if kind not in KINDS:
        c.error(fields["kind"].line, f"unknown kind {fields['kind'].value!r} in {where} "
                                     f"(known: {', '.join(KINDS)})")
        return None
    if "points" not in fields:
        c.error(src.line, f"{where} has no `points:`")
        return None
    points = read_points(fields["points"].value, fields["points"].line, c)
    return None if points is None else (kind, points)


def _build_part(src: PartSource, q_solution: str, c: Collector) -> Built | None:
    """One graded part; with the lines of its answer and of its listed wrong answers."""
    kp = _kind_and_points(src, c)
    if kp is None:
        return None
    kind, points = kp
    fields, secs = src.fields, src.sections
    rtol = atol = None
    if "tolerance" in fields:
        rtol, atol = read_tolerance(fields["tolerance"].value, fields["tolerance"].line, c)
    prec = _precision(src, kind, c)
    symbols = tuple(split_top(fields["symbols"].value)) if "symbols" in fields else ()
    functions = tuple(split_top(fields["functions"].value)) if "functions" in fields else ()
    let = tuple(s.strip() for s in fields["let"].value.split(";") if s.strip()) if "let" in fields else ()
    choices = (read_choices(_items(secs["choices"], c, "text in Choices that is not a `- [ ]` item is ignored: "
                                                       "{short!r}"), c) if "choices" in secs else ())
    wrong = read_wrong_answers(_items(secs["wrong answers"], c), c) if "wrong answers" in secs else []
    rubric = read_rubric(_items(secs["rubric"], c), c) if "rubric" in secs else ()
    solution = strip_block(secs["solution"].body) if "solution" in secs else ""
    steps = "steps" in fields and read_bool(fields["steps"].value, fields["steps"].line, c, "steps")
    asked = fields["asked"].value.strip() if "asked" in fields else ""
    random = tuple(x.strip() for x in fields["random"].value.split(";") if x.strip()) if "random" in fields else ()
    if random and not steps:
        c.error(fields["random"].line, f"`random:` is for a step-checked derivation (`steps: yes`); {src.where} is not")
    if kind != "derivation" and (steps or asked):
        c.error(fields["steps" if "steps" in fields else "asked"].line,
                f"`steps:`/`asked:` are for a derivation; {src.where} is {kind}")
    if not steps and any(r.check or r.final for r in rubric):
        c.error(secs["rubric"].line, f"rubric items of {src.where} name a formula (`| check:` or `| final`), "
                                     "which only a step-checked derivation (`steps: yes`) can tick")
    answer = _answer(src, kind, points, choices, rubric, solution or q_solution, c)
    if steps and kind == "derivation":
        _check_steps_part(fields, symbols, let, random, rubric, secs, src.line, c, src.where)
    part = Part(id=src.id, kind=kind, points=points, answer=answer, prompt=src.prompt, title=src.title,
                symbols=symbols, functions=functions, let=let, rtol=rtol, atol=atol, precision=prec, choices=choices,
                wrong_answers=tuple(w for _, w in wrong), rubric=rubric, solution=solution, line=src.line,
                steps=steps, asked=asked, random=random)
    return part, PartLines(fields["answer"].line if "answer" in fields else src.line, [wl for wl, _ in wrong],
                           fields["precision"].line if "precision" in fields else 0)


def _precision(src: PartSource, kind: str, c: Collector):
    """The part's `precision:`; it is the tolerance, so giving `tolerance:` as well is an error."""
    if "precision" not in src.fields:
        return None
    f = src.fields["precision"]
    if kind != "number":
        c.error(f.line, f"`precision:` of {src.where} is for number parts only, not {kind}")
        return None
    if "tolerance" in src.fields:
        c.error(f.line, f"{src.where} has both `precision:` and `tolerance:` (line "
                        f"{src.fields['tolerance'].line}): the precision sets the tolerance, give only one")
        return None
    return read_precision(f.value, f.line, c)


def _answer(src: PartSource, kind: str, points: float, choices, rubric, solution: str, c: Collector) -> str:
    """The part's reference answer (a choice's: its ticked labels), checked against what its kind needs."""
    fields, secs, where, line = src.fields, src.sections, src.where, src.line
    answer = fields["answer"].value.strip() if "answer" in fields else ""
    if kind == "choice":
        if "answer" in fields:
            c.warn(fields["answer"].line, f"`answer:` of a choice {where} is ignored: "
                                          "the ticked `- [x]` choices are the answer")
        if not choices:
            c.error(line, f"{where} is a choice question without a `Choices` section")
        elif not any(ch.correct for ch in choices):
            c.error(secs["choices"].line, f"{where}: no choice is ticked as correct (`- [x] …`)")
        answer = ", ".join(ch.label for ch in choices if ch.correct)
    elif kind == "derivation":
        if not rubric:
            c.error(line, f"{where} is a derivation without a `Rubric` section")
        elif not math.isclose(sum(r.points for r in rubric), points, abs_tol=1e-9):
            c.error(secs["rubric"].line, f"rubric points of {where} add up to "
                                         f"{sum(r.points for r in rubric):g}, not its {points:g} points")
        if not solution:
            c.error(line, f"{where} is a derivation without a model solution (`Solution` section)")
    elif not answer:
        c.error(fields["answer"].line if "answer" in fields else line, f"{where} has no `answer:`")
    if kind in ("number", "expr", "matrix") and choices:
        c.warn(secs["choices"].line, f"{where}: `Choices` are ignored for kind {kind}")
    return answer


def _check_steps_part(fields, symbols, let, random, rubric, secs, line, c: Collector, where: str) -> None:
    """A step-checked derivation: `random`, `asked`, `answer` and every rubric formula read in its symbols."""
    for key in ("asked", "answer"):
        if key not in fields or not fields[key].value.strip():
            c.error(line, f"{where} is checked step by step (`steps: yes`) but has no `{key}:`")
            return
    if random and (msg := validate_steps("0", "0", (), symbols, let, random)):
        c.error(fields["random"].line, f"{where}: {msg}")
        return
    for key in ("asked", "answer"):
        msg = validate_steps(fields[key].value.strip(), "0", (), symbols, let)
        if msg:
            c.error(fields[key].line, f"{where}: {msg.replace('`asked: ', f'`{key}: ')}")
    items, _ = list_items(secs["rubric"].body) if "rubric" in secs else ([], [])
    lines = [it.line for it in items] if len(items) == len(rubric) else [line] * len(rubric)
    for r, rline in zip(rubric, lines):
        if r.check:
            msg = validate_steps(r.check, "0", (), symbols, let)
            if msg:
                c.error(rline, f"{where}: the rubric formula `{r.check}` does not read: "
                               f"{msg.split(' does not read: ')[-1]}")
