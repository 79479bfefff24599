"""The bank loader: small inline banks in tmp_path, every problem kind at its line."""
from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizlib.bank import check_banks, find_question, load_banks, read_catalogues
from quizlib.errors import BankError

FRONT = "---\ntitle: Test bank\nsources: m.txt\ntopics: t1\n---\n\n"

GOOD = FRONT + textwrap.dedent("""\
    Notes before the first question are ignored.

    ```
    ## not-a-question: inside a fence
    ```

    ## q-expr: An expression
    kind: expr
    points: 2
    symbols: o, g in (0, 1)
    answer: 2*(o - g)
    topics: t2
    covers: item-a

    ### Prompt
    What is $\\partial L/\\partial o$?

    ### Hints
    - first hint
    - second hint
      continued

    ### Wrong answers
    - `o - g`: no half here.

    ### Solution
    It is $2(o-g)$.

    ## q-choice: A choice
    kind: choice
    points: 1

    ### Prompt
    Pick.

    ### Choices
    - [ ] wrong
    - [x] right
    - [X] also right

    ## q-multi: Two parts
    symbols: a, b

    ### Prompt
    Shared prompt.

    ### Part one: first
    kind: expr
    points: 1
    answer: a + b

    Part prompt text.

    #### Wrong answers
    - `a - b`: sign.

    ### Part two: second
    kind: derivation
    points: 3

    #### Rubric
    - [1] one
    - [2] two

    #### Solution
    Because.

    ## q-var: Variables
    kind: number
    points: 1
    answer: sqrt(6/(m + n))
    tolerance: 0.5%

    ### Variables
    - m: 100, 200
    - n: 0.1 .. 0.3 step 0.1

    ### Prompt
    m = {{m}}, n = {{n}}, sum {{ m + n }}.
    """)


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing `needle`."""
    hits = [i + 1 for i, s in enumerate(text.splitlines()) if needle in s]
    return hits[nth - 1]


def problems_of(tmp_path, text, name="b.md"):
    write(tmp_path, name, text)
    return [p for p in check_banks(tmp_path) if p.file.endswith(name)]


def test_good_bank_loads_every_field(tmp_path):
    write(tmp_path, "good.md", GOOD)
    (bank,) = load_banks(tmp_path)
    assert bank.problems == () and bank.title == "Test bank" and bank.sources == ("m.txt",)
    assert [q.id for q in bank.questions] == ["q-expr", "q-choice", "q-multi", "q-var"]
    q = find_question([bank], "q-expr")
    assert q.kind == "expr" and q.points == 2 and q.answer == "2*(o - g)"
    assert q.symbols == ("o", "g in (0, 1)") and q.topics == ("t1", "t2") and q.source == "m.txt"
    assert q.prompt == "What is $\\partial L/\\partial o$?" and q.solution == "It is $2(o-g)$."
    assert q.hints == ("first hint", "second hint\ncontinued") and q.covers == ("item-a",)
    assert q.wrong_answers[0].answer == "o - g" and q.line == line_of(GOOD, "## q-expr")
    c = find_question([bank], "q-choice")
    assert c.answer == "b, c" and [ch.correct for ch in c.choices] == [False, True, True]
    m = find_question([bank], "q-multi")
    assert m.kind == "multi" and m.points == 4 and [p.id for p in m.parts] == ["one", "two"]
    assert m.parts[0].prompt == "Part prompt text." and m.parts[0].symbols == ("a", "b")
    assert m.parts[1].solution == "Because." and sum(r.points for r in m.parts[1].rubric) == 3
    v = find_question([bank], "q-var")
    assert v.n_variants == 6 and v.variables[1].values == (0.1, 0.2, 0.3)
    assert v.parts[0].rtol == pytest.approx(0.005) and v.variant == 0
    assert v.prompt == "m = 100, n = 0.1, sum 100.1." and v.answer == "sqrt(6/(100 + 0.1))"
    assert find_question([bank], "nope") is None and find_question([bank], "not-a-question") is None


def test_ignores_underscore_files_and_catalogues(tmp_path):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "_draft.md", "nothing valid")
    (tmp_path / "sources").mkdir()
    write(tmp_path / "sources", "m.md", "# m\n- note with spaces: x\nItems:\n- item-a: A\n- item-b: B\n")
    assert [b.id for b in load_banks(tmp_path)] == ["good"]
    assert read_catalogues(tmp_path) == {"m": {"item-a": "A", "item-b": "B"}}


QUESTION = "## q1: Title\nkind: expr\npoints: 1\nanswer: x\nsymbols: x\n\n### Prompt\nP\n"


@pytest.mark.parametrize("text, needle, message", [
    ("## q1: T\nkind: expr\n", None, "front matter"),
    ("---\nsources: a\n---\n" + QUESTION, None, "missing title"),
    (FRONT + QUESTION.replace("kind: expr", "kind: essay"), "kind: essay", "unknown kind"),
    (FRONT + QUESTION.replace("### Prompt\nP\n", ""), "## q1", "no prompt"),
    (FRONT + QUESTION.replace("points: 1", "points: -2"), "points: -2", "positive number"),
    (FRONT + QUESTION.replace("points: 1", "points: many"), "points: many", "positive number"),
    (FRONT + QUESTION.replace("answer: x\n", ""), "## q1", "no `answer:`"),
    (FRONT + QUESTION.replace("kind: expr\n", ""), "## q1", "no `kind:`"),
    (FRONT + QUESTION.replace("## q1:", "## q 1!:"), "## q 1!", "bad question id"),
    (FRONT + QUESTION.replace("kind: expr", "kind: derivation") + "### Solution\nS\n### Rubric\n- [1] a\n- [1] b\n",
     "### Rubric", "add up to 2, not its 1 points"),
    (FRONT + QUESTION.replace("kind: expr", "kind: derivation") + "### Solution\nS\n",
     "## q1", "without a `Rubric`"),
    (FRONT + QUESTION.replace("kind: expr", "kind: derivation") + "### Rubric\n- [1] a\n",
     "## q1", "without a model solution"),
    (FRONT + QUESTION.replace("kind: expr", "kind: choice").replace("answer: x\n", "")
     + "### Choices\n- [ ] a\n- [ ] b\n", "### Choices", "no choice is ticked"),
    (FRONT + QUESTION.replace("kind: expr", "kind: choice").replace("answer: x\n", ""), "## q1",
     "without a `Choices`"),
    (FRONT + QUESTION + "### Rubric\n- two points: x\n", "- two points", "rubric item is written"),
    (FRONT + QUESTION + "### Wrong answers\n- no backticks: x\n", "- no backticks", "wrong answer is written"),
    (FRONT + QUESTION + "### Solution\nUses {{m}} here.\n", "Uses {{m}}", "'m', which is not a variable"),
    (FRONT + QUESTION + "### Variables\n- m: 1, two\n", "- m: 1, two", "values must be numbers"),
    (FRONT + QUESTION + "### Variables\n- m: 1, 0\n### Solution\n{{ 1/m }}\n", "{{ 1/m }}",
     "cannot be evaluated in variant 1"),
    (FRONT + QUESTION.replace("points: 1", "points: 1\ntolerance: lots"), "tolerance: lots", "tolerance must"),
    (FRONT + QUESTION + QUESTION, "## q1", "duplicate question id 'q1' (also at line"),
    (FRONT + "## m1: M\n\n### Prompt\nP\n\n### Part a: A\nkind: expr\npoints: 1\nanswer: x\n"
     "### Part a: again\nkind: expr\npoints: 1\nanswer: x\n", "### Part a: again", "duplicate part id"),
    (FRONT + "## m1: M\nkind: expr\n\n### Prompt\nP\n\n### Part a: A\nkind: expr\npoints: 1\nanswer: x\n",
     "kind: expr", "goes on its parts"),
])
def test_each_error_is_reported_at_its_line(tmp_path, text, needle, message):
    problems = problems_of(tmp_path, text)
    hits = [p for p in problems if message in p.message and p.severity == "error"]
    assert hits, problems
    expected_line = line_of(text, needle, 2 if "duplicate question" in message else 1) if needle else 1
    assert hits[0].line == expected_line, hits
    assert str(hits[0]).startswith(f"{hits[0].file}:{expected_line}: error: ")


@pytest.mark.parametrize("text, needle, message", [
    (FRONT + QUESTION.replace("points: 1", "points: 1\ncolour: red"), "colour: red", "unknown key 'colour'"),
    (FRONT + QUESTION + "### Notes\nx\n", "### Notes", "unknown section 'Notes'"),
    (FRONT.replace("topics: t1", "author: me") + QUESTION, "author: me", "unknown front matter key"),
    (FRONT + QUESTION.replace("## q1: Title", "## q1"), "## q1", "has no title"),
    (FRONT + QUESTION.replace("P\n", "gives $0 = $ nan\n"), "## q1", "open or close no maths span"),
    (FRONT + QUESTION + "\n### Solution\n$ x$ is\n", "## q1", "open or close no maths span"),
])
def test_warnings_and_strict_mode(tmp_path, text, needle, message):
    problems = problems_of(tmp_path, text)
    hits = [p for p in problems if message in p.message]
    assert hits and hits[0].severity == "warning" and hits[0].line == line_of(text, needle)
    (bank,) = load_banks(tmp_path)
    assert bank.ok and len(bank.questions) == 1  # a warning does not drop the question
    assert all(p.severity == "error" for p in check_banks(tmp_path, strict=True))
    with pytest.raises(BankError, match=message):
        load_banks(tmp_path, strict=True)


def test_broken_bank_keeps_valid_questions_and_other_banks(tmp_path):
    broken = FRONT + QUESTION + QUESTION.replace("q1", "q2").replace("kind: expr", "kind: essay")
    write(tmp_path, "a_broken.md", broken)
    write(tmp_path, "b_good.md", GOOD)
    write(tmp_path, "c_nofront.md", "just text\n")
    banks = load_banks(tmp_path)
    assert [b.id for b in banks] == ["a_broken", "b_good", "c_nofront"]
    assert [q.id for q in banks[0].questions] == ["q1"] and not banks[0].ok
    assert banks[1].ok and len(banks[1].questions) == 4
    assert not banks[2].ok and banks[2].questions == ()
    with pytest.raises(BankError) as err:
        load_banks(tmp_path, strict=True)
    files = {p.file.rsplit("/", 1)[-1] for p in err.value.problems}
    assert files == {"a_broken.md", "c_nofront.md"}  # all problems, from every file


def test_duplicate_ids_across_files_report_both_places(tmp_path):
    write(tmp_path, "a.md", FRONT + QUESTION)
    write(tmp_path, "b.md", FRONT + "\n\n" + QUESTION)
    banks = load_banks(tmp_path)
    dups = [p for b in banks for p in b.problems if "duplicate question id 'q1'" in p.message]
    places = {(p.file.rsplit("/", 1)[-1], p.line) for p in dups}
    assert places == {("a.md", 7), ("b.md", 9)}
    assert [len(b.problems) for b in banks] == [1, 1]  # each bank shows its side
    assert len(banks[0].questions) == 1 and banks[1].questions == ()  # the first one is kept


def test_covers_unknown_item_is_a_warning(tmp_path):
    (tmp_path / "sources").mkdir()
    write(tmp_path / "sources", "m.md", "Items:\n- item-a: A\n")
    text = FRONT + QUESTION.replace("points: 1", "points: 1\ncovers: item-a, item-zz")
    hits = [p for p in problems_of(tmp_path, text) if "item-zz" in p.message]
    assert len(hits) == 1 and hits[0].severity == "warning" and hits[0].line == line_of(text, "covers:")


# -- checks that need quizlib.answers (the ANSWERS helper's module) -------------------------

def test_answer_checks_through_quizlib_answers(tmp_path):
    pytest.importorskip("quizlib.answers")
    text = FRONT + textwrap.dedent("""\
        ## bad-parse: T
        kind: expr
        points: 1
        symbols: x
        answer: x +* (

        ### Prompt
        P

        ## bad-name: T
        kind: expr
        points: 1
        symbols: x
        answer: x + q

        ### Prompt
        P

        ## bad-wrong: T
        kind: expr
        points: 1
        symbols: x
        answer: 2*x

        ### Prompt
        P

        ### Wrong answers
        - `x + x`: equal to the reference
        - `x +* (`: unreadable
        - `3*x`: three
        - `x + 2*x`: also three, but the feedback of `3*x` comes first

        ## bad-variant: T
        kind: number
        points: 1
        answer: 1/(1 - p)

        ### Variables
        - p: 0.5, 1

        ### Prompt
        P
        """)
    problems = problems_of(tmp_path, text)
    by_line = {p.line: p.message for p in problems if p.severity == "error"}
    assert "does not parse" in by_line[line_of(text, "answer: x +* (")]
    assert "does not parse" in by_line[line_of(text, "answer: x + q")]
    assert "equals the reference" in by_line[line_of(text, "- `x + x`")]
    assert "does not parse" in by_line[line_of(text, "- `x +* (`")]
    assert "not a finite number in variant 1" in by_line[line_of(text, "answer: 1/(1 - p)")]
    warned = {p.line: p.message for p in problems if p.severity == "warning"}
    assert "never gets its own feedback" in warned[line_of(text, "- `x + 2*x`")]
    assert line_of(text, "- `3*x`") not in warned and line_of(text, "- `3*x`") not in by_line
    (bank,) = load_banks(tmp_path)
    assert bank.questions == ()


def test_unreadable_file_is_a_problem_not_an_exception(tmp_path):
    (tmp_path / "bin.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    write(tmp_path, "good.md", GOOD)
    banks = load_banks(tmp_path)
    assert [b.id for b in banks] == ["bin", "good"]
    assert "cannot read the file" in banks[0].problems[0].message and banks[1].ok


LINES = ["---", "title: T", "## q: T", "## bad id!: T", "### Prompt", "### Part a: A", "#### Choices",
         "### Variables", "- m: 1, 2", "- [x] yes", "- [ ] no", "- [2] item", "- `x`: fb", "kind: expr",
         "kind: choice", "kind: derivation", "points: 1", "points: 0", "answer: x", "symbols: x",
         "{{m}}", "{{ 1/(m-1) }}", "```", "text", "", "### Rubric", "### Solution", "tolerance: 1%"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(LINES), max_size=30))
def test_any_arrangement_of_bank_lines_loads_without_raising(tmp_path, lines):
    write(tmp_path, "fuzz.md", "\n".join(lines))
    (bank,) = load_banks(tmp_path)
    for p in bank.problems:
        assert p.line >= 1 and p.severity in ("error", "warning") and p.message
    assert len({q.id for q in bank.questions}) == len(bank.questions)


def test_a_crash_inside_the_checker_becomes_a_problem(tmp_path, monkeypatch):
    answers = pytest.importorskip("quizlib.answers")

    def boom(*args, **kwargs):
        raise RuntimeError("checker bug")

    monkeypatch.setattr(answers, "validate_reference", boom)
    text = FRONT + QUESTION.replace("x\n\n###", "x \n\n###")  # new text: not served from the cache
    problems = problems_of(tmp_path, text)
    assert [(p.line, p.severity) for p in problems] == [(line_of(text, "answer: x"), "error")]
    assert "the answer checker failed" in problems[0].message and "checker bug" in problems[0].message


# -- the `lecture:` key: front matter default, question override, 1..14 -------------------

def test_lecture_front_matter_is_every_questions_default_and_a_question_overrides_it(tmp_path):
    text = (FRONT.replace("topics: t1", "topics: t1\nlecture: 4") + QUESTION + "\n"
            + QUESTION.replace("q1", "q2").replace("points: 1", "points: 1\nlecture: 12"))
    write(tmp_path, "b.md", text)
    (bank,) = load_banks(tmp_path)
    assert bank.problems == () and bank.lecture == 4
    assert {q.id: q.lecture for q in bank.questions} == {"q1": 4, "q2": 12}


def test_lecture_is_none_when_no_lecture_is_given(tmp_path):
    write(tmp_path, "b.md", FRONT + QUESTION)
    (bank,) = load_banks(tmp_path)
    assert bank.lecture is None and bank.questions[0].lecture is None


@pytest.mark.parametrize("value", ["0", "15", "4.5", "four", "", "-3", "1e1", "04x"])
def test_bad_lecture_is_an_error_at_its_line(tmp_path, value):
    in_front = FRONT.replace("topics: t1", f"topics: t1\nlecture: {value}") + QUESTION
    in_question = FRONT + QUESTION.replace("points: 1", f"points: 1\nlecture: {value}")
    for text in (in_front, in_question):
        probs = [p for p in problems_of(tmp_path, text) if "lecture" in p.message]
        assert len(probs) == 1, (value, probs)
        (p,) = probs
        assert p.severity == "error" and p.line == line_of(text, "lecture:")
        assert "1 to 14" in p.message and repr(value) in p.message
    (bank,) = load_banks(tmp_path)
    assert bank.questions == ()  # the question with a bad lecture is left out, not guessed


@pytest.mark.parametrize("value, expected", [("1", 1), ("14", 14), (" 7 ", 7), ("09", 9)])
def test_good_lecture_values(tmp_path, value, expected):
    write(tmp_path, "b.md", FRONT + QUESTION.replace("points: 1", f"points: 1\nlecture: {value}"))
    (bank,) = load_banks(tmp_path)
    assert bank.problems == () and bank.questions[0].lecture == expected


@pytest.mark.parametrize("text, stray", [
    ("$a$ and $$b$$", 0), (r"costs \$5", 0), ("`$x = $` in code", 0), ("$a = $ b", 2), ("$ a$", 2),
    ("one $ alone", 1),
])
def test_stray_dollars_follow_the_span_rule(text, stray):
    from quizlib.markdown_maths import stray_dollars
    assert stray_dollars(text) == stray
