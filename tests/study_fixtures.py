"""Small banks built from the data types, for the study tests (no dependence on bank parsing)."""
from __future__ import annotations

from quizlib.model import Bank, CheckResult, Choice, Part, Question, RubricItem


def q(qid, bank, kind="expr", points=2.0, topics=(), answer="2*(o - g)", prompt="", solution="", title="", **kw):
    part_kw = {}
    if kind == "choice":
        part_kw["choices"] = (Choice("a", "Yes", True), Choice("b", "No", False))
        answer = "a"
    if kind == "derivation":
        part_kw["rubric"] = (RubricItem("Chain rule", points / 2), RubricItem("Result", points / 2))
        answer = ""
    return Question(id=qid, title=title or f"Title of {qid}", prompt=prompt or f"Prompt of {qid}: find $x^2$.",
                    parts=(Part(id="", kind=kind, points=points, answer=answer, symbols=("o", "g"), **part_kw),),
                    source=f"{bank}.txt", topics=tuple(topics), bank=bank,
                    solution=solution or f"Solution of {qid}: $$2(o-g)$$", **kw)


def banks() -> list[Bank]:
    def bank(bid, qs):
        return Bank(id=bid, title=f"Bank {bid}", path=f"content/{bid}.md", questions=tuple(qs))
    return [
        bank("l1", [q("l1-a", "l1", topics=("mse",)), q("l1-b", "l1", topics=("mse",)),
                    q("l1-c", "l1", topics=("sigmoid",), kind="choice", points=1)]),
        bank("l2", [q("l2-a", "l2", topics=("dropout",)), q("l2-b", "l2", topics=("dropout",), points=3),
                    q("l2-d", "l2", topics=("glorot",), kind="derivation", points=4)]),
        bank("l3", [q("l3-a", "l3", topics=("batch norm",)), q("l3-b", "l3", topics=("softmax",))]),
    ]


def fake_grade(part: Part, given: str) -> CheckResult:
    """Right iff the text equals the reference ignoring spaces; 'bad(' is unreadable."""
    if "(" in given and ")" not in given:
        return CheckResult(correct=False, valid=False, message="cannot read that", error="syntax")
    ok = given.replace(" ", "") == part.answer.replace(" ", "")
    return CheckResult(correct=ok, valid=True, message="Right." if ok else "Not right.", score=1.0 if ok else 0.0)
