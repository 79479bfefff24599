"""Mock exams: draw one like the real exam, keep its clock on the server, grade it, report it.

An exam is drawn (seeded) by going round the chosen banks, one question per bank at a
time and preferring topics not yet asked, so six questions from three lectures are
two per lecture. A range of course lectures narrows the pool; "like the real exam"
draws only questions of the course's official list (those covering an `npfl-lNN-qM`
item), going round the chosen lectures one official item at a time, each asked by the
question written as the official one (`askers`), so the exam carries the list's real points. The exam row in the store holds `started_at`
and `deadline`: the countdown is `deadline - now`, so a reload or a new session
continues the same exam and cannot reset the clock. Nothing is graded before the
student submits or the time runs out; answers arriving more than `GRACE` after the
deadline are ignored in favour of the last saved ones. The report keeps, per
question, the answer given, the verdict, the points and the model solution;
derivations wait in the report for the student to self-grade them with the rubric.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import numpy as np

from quizlib import grading, progress
from quizlib.bank import variants
from quizlib.bank.coverage import OFFICIAL_SOURCE_PREFIX, official_items, official_lecture
from quizlib.errors import ConfigError
from quizlib.model import N_LECTURES, Attempt, Bank, CheckResult, Part, Question
from quizlib.store import ExamRecord, Store

GRACE = timedelta(seconds=15)  # a submit this late still counts (page round trip, slow network)
Grader = Callable[[Part, str], CheckResult]


@dataclass(frozen=True)
class ExamSettings:
    n_questions: int = 4  # the real exam has about one or two questions per lecture
    minutes: float = 30.0  # time allowed
    banks: tuple[str, ...] = ()  # bank ids to draw from; () = all banks
    per_bank: int = 2  # at most this many from one bank (relaxed only if the banks run out)
    seed: int | None = None  # None: a fresh random exam
    lectures: tuple[int, ...] = ()  # course lectures to draw from; () = every question, with or without one
    like_real: bool = False  # only questions of the official list, round the lectures, with real points

    def __post_init__(self):
        bad = [x for x in self.lectures if not (isinstance(x, int) and 1 <= x <= N_LECTURES)]
        if bad:
            raise ConfigError(f"lectures are numbered 1 to {N_LECTURES}, not {', '.join(map(str, bad))}")
        if self.n_questions < 1:
            raise ConfigError("a mock exam needs at least one question")
        if not 0 < self.minutes <= 24 * 60:
            raise ConfigError("the time allowed must be between a minute and a day")
        if self.per_bank < 1:
            raise ConfigError("per_bank must be at least 1")


def draw(banks: Sequence[Bank], settings: ExamSettings, rng: np.random.Generator) -> list[tuple[Question, int]]:
    """Questions (rendered for their variant) and variant numbers, spread over banks and topics."""
    pool = {b.id: [q for q in b.questions if _in_scope(q, settings)] for b in banks
            if not settings.banks or b.id in settings.banks}
    pool = {bid: qs for bid, qs in pool.items() if qs}
    if not pool:
        raise ConfigError(_empty_message(settings))
    if settings.like_real:
        return _with_variants(_draw_like_real(pool, settings.n_questions, rng), rng)
    for bid in pool:
        pool[bid] = [pool[bid][i] for i in rng.permutation(len(pool[bid]))]
    order = [sorted(pool)[i] for i in rng.permutation(len(pool))]
    n = min(settings.n_questions, sum(len(qs) for qs in pool.values()))
    picked: list[Question] = []
    topics: set[str] = set()
    taken = dict.fromkeys(pool, 0)
    cap = settings.per_bank
    while len(picked) < n and any(pool.values()):
        before = len(picked)
        for bid in order:
            if len(picked) == n or taken[bid] >= cap or not pool[bid]:
                continue
            fresh = [q for q in pool[bid] if not set(q.topics) & topics]
            q = (fresh or pool[bid])[0]
            pool[bid].remove(q)
            picked.append(q)
            topics.update(q.topics)
            taken[bid] += 1
            for other in pool:  # a question whose answer q states (or that states q's) is out
                pool[other] = [o for o in pool[other] if not reveals(o, q)]
        if len(picked) == before:
            cap += 1  # every bank hit its cap before n questions: allow one more each
    return _with_variants(picked, rng)


def reveals(a: Question, b: Question) -> bool:
    """Whether one of the two states the other's answer (a bank's `reveals:` key, either way round):
    such questions are never in one exam."""
    return b.id in a.reveals or a.id in b.reveals


MODES = {"like-real": "Like the real exam: official questions with their real points, round the lectures",
         "any": "Any questions of the banks (drills and material questions too)"}
"""The mock exam's draw modes, as the start form offers them."""


def default_mode(banks: Sequence[Bank]) -> str:
    """"like-real" when the banks hold questions of the official list, else "any"."""
    return "like-real" if any(official_items(q) for b in banks for q in b.questions) else "any"


def lecture_range(low: int, high: int, available: Sequence[int]) -> tuple[int, ...]:
    """The lectures from `low` to `high` (either order) that have questions; () when that is all
    of them, which also keeps questions that belong to no lecture (a plain "all")."""
    low, high = min(low, high), max(low, high)
    chosen = tuple(x for x in sorted(set(available)) if low <= x <= high)
    return () if set(chosen) == set(available) else chosen


def settings_for(mode: str, n_questions: int, minutes: float, banks: Sequence[str] = (),
                 lectures: tuple[int, ...] = (), seed: int | None = None) -> ExamSettings:
    """The settings the start form describes (`mode` one of MODES)."""
    if mode not in MODES:
        raise ConfigError(f"unknown way to draw an exam: {mode!r}")
    return ExamSettings(n_questions=int(n_questions), minutes=float(minutes), banks=tuple(banks),
                        lectures=tuple(lectures), like_real=mode == "like-real", seed=seed)


def _in_scope(q: Question, settings: ExamSettings) -> bool:
    if settings.lectures and q.lecture not in settings.lectures:
        return False
    return not settings.like_real or bool(official_items(q))


def _empty_message(settings: ExamSettings) -> str:
    where = "the chosen banks"
    if settings.lectures:
        lo, hi = min(settings.lectures), max(settings.lectures)
        where += f" and lecture{'s' if lo != hi else ''} {lo}{f'–{hi}' if lo != hi else ''}"
    what = "questions of the official exam list" if settings.like_real else "questions"
    return f"there are no {what} in {where}"


def askers(covering: Sequence[Question]) -> list[Question]:
    """Of the questions covering one official item, those a real exam would ask: the ones whose
    source is the official list's catalogue (written as the whole question, with its points) if
    any, and among them (or else among all) those with the most points."""
    official = [q for q in covering if q.source.startswith(OFFICIAL_SOURCE_PREFIX)]
    pool = official or list(covering)
    best = max(q.points for q in pool)
    return [q for q in pool if q.points == best]


def _draw_like_real(pool: dict[str, list[Question]], n: int, rng: np.random.Generator) -> list[Question]:
    """Round the lectures in a seeded order, one official item of each at a time; an item is asked
    by one of its `askers` (the question written as the official one, with the real points)."""
    by_lecture: dict[int, dict[str, list[Question]]] = {}
    for qs in pool.values():
        for q in qs:
            for item in official_items(q):
                by_lecture.setdefault(official_lecture(item), {}).setdefault(item, []).append(q)
    lectures = sorted(by_lecture)
    lectures = [lectures[i] for i in rng.permutation(len(lectures))]
    items = {lec: [sorted(by_lecture[lec])[i] for i in rng.permutation(len(by_lecture[lec]))]
             for lec in lectures}
    picked: list[Question] = []
    done_items: set[str] = set()
    while len(picked) < n and any(items.values()):
        for lec in lectures:
            while items[lec] and items[lec][0] in done_items:
                items[lec].pop(0)
            if len(picked) == n or not items[lec]:
                continue
            item = items[lec].pop(0)
            fullest = [q for q in askers(by_lecture[lec][item]) if not any(reveals(q, p) for p in picked)]
            if not fullest:
                continue
            q = fullest[int(rng.integers(len(fullest)))]
            picked.append(q)
            done_items.update(official_items(q))
    return picked


def _with_variants(picked: list[Question], rng: np.random.Generator) -> list[tuple[Question, int]]:
    out = []
    for q in picked:
        if q.n_variants > 1:
            k = int(variants.pick_variant(q, rng))
            out.append((variants.variant_of(q, k), k))
        else:
            out.append((q, 0))
    return out


def start(store: Store, profile: str, banks: Sequence[Bank], settings: ExamSettings, now: datetime,
          grade: Grader | None = None) -> ExamRecord:
    """Draw and store a new exam; its deadline is fixed now.

    One exam at a time: if one is still running (a double click, a second tab) that one is
    returned; one whose time is up is graded with its saved answers first.
    """
    running = current(store, profile)
    if running is not None:
        if not is_over(running, now):
            return running
        submit(store, running, banks, None, now, grade)
    seed = settings.seed if settings.seed is not None else secrets.randbits(32)
    drawn = draw(banks, settings, np.random.default_rng(seed))
    deadline = now + timedelta(minutes=settings.minutes)
    meta = dict(asdict(settings), seed=seed, banks=list(settings.banks), lectures=list(settings.lectures),
                max_score=sum(q.points for q, _ in drawn))
    return store.add_exam(profile, now, deadline, [(q.id, k) for q, k in drawn], meta)


def current(store: Store, profile: str) -> ExamRecord | None:
    """The profile's exam still open (not submitted), if any: a reload continues it."""
    open_ = [e for e in store.exams(profile) if not e.finished]
    return open_[0] if open_ else None


def history(store: Store, profile: str) -> list[ExamRecord]:
    """Submitted exams, newest first."""
    return [e for e in store.exams(profile) if e.finished]


def remaining(exam: ExamRecord, now: datetime) -> timedelta:
    return max(exam.deadline - now, timedelta(0))


def is_over(exam: ExamRecord, now: datetime) -> bool:
    return now >= exam.deadline


def questions(exam: ExamRecord, banks: Sequence[Bank]) -> list[Question | None]:
    """The exam's questions rendered for their variants (None for one no longer in the banks)."""
    by_id = {q.id: q for b in banks for q in b.questions}
    out = []
    for qid, k in exam.questions:
        q = by_id.get(qid)
        out.append(q if q is None or k == 0 else variants.variant_of(q, k))
    return out


def answer_key(question_id: str, part_id: str) -> str:
    return f"{question_id}/{part_id}"


def save_answers(store: Store, exam: ExamRecord, answers: dict[str, str]) -> None:
    store.save_exam_answers(exam.id, dict(answers))


def submit(store: Store, exam: ExamRecord, banks: Sequence[Bank], answers: dict[str, str] | None,
           now: datetime, grade: Grader | None = None) -> ExamRecord:
    """Grade and store the exam (once); records every graded part as an exam attempt."""
    if exam.finished:
        return exam
    late = now > exam.deadline + GRACE
    given = dict(exam.answers) if late or answers is None else dict(answers)
    grade = grade or grading.grade_part
    items, attempts = [], []
    for (qid, k), q in zip(exam.questions, questions(exam, banks)):
        item = grade_question(qid, k, q, given, grade)
        items.append(item)
        attempts += item_attempts(item, exam.profile, now, "exam", {"exam": exam.uuid})
    report = {"items": items, "timed_out": now >= exam.deadline, "late_answers_ignored": late}
    score, max_score = _totals(report)
    if store.finish_exam(exam.id, now, given, report, score, max_score):
        progress.record_attempts(store, attempts)
    return store.get_exam(exam.id)


def submit_if_over(store: Store, exam: ExamRecord, banks: Sequence[Bank], now: datetime,
                   grade: Grader | None = None) -> ExamRecord:
    """Time is up and nobody submitted (tab closed): grade the last saved answers."""
    if not exam.finished and now > exam.deadline + GRACE:
        return submit(store, exam, banks, None, now, grade)
    return exam


def item_attempts(item: dict, profile: str, now: datetime, mode: str, extra: dict | None = None) -> list[Attempt]:
    """The attempts a graded report item stands for (derivations wait for their self-grade)."""
    return [Attempt(profile=profile, question_id=item["question_id"], answer=p["given"],
                    correct=p["verdict"] == "correct", score=p["score"], max_score=p["max"], created_at=now,
                    variant=item["variant"], part_id=p["part_id"], mode=mode, extra=dict(extra or {}))
            for p in item["parts"] if p["verdict"] in ("correct", "wrong", "invalid", "unanswered")]


def grade_question(qid: str, variant: int, q: Question | None, given: dict, grade: Grader) -> dict:
    """Grade every part of one question from `given` {answer_key: text}: a report item."""
    if q is None:
        return {"question_id": qid, "variant": variant, "title": qid, "prompt": "*(no longer in the banks)*",
                "solution": "", "parts": [], "score": 0.0, "points": 0.0}
    parts = []
    for part in q.parts:
        text = str(given.get(answer_key(qid, part.id), "")).strip()
        row = {"part_id": part.id, "title": part.title, "kind": part.kind, "prompt": part.prompt,
               "given": text, "reference": _reference(part), "reference_latex": _latex(part, part.answer),
               "solution": part.solution, "message": "",
               "max": float(part.points), "score": 0.0,
               "rubric": [[r.text, float(r.points)] for r in part.rubric], "ticked": []}
        if part.kind == "derivation":
            row["verdict"] = "self-grade"
            if part.steps and text:  # marked line by line; the app's ticks and what may be ticked at all
                verdict = grading.check_derivation(part, text)
                ticks = grading.rubric_ticks(part, verdict)
                row.update(grading.steps_extra(verdict, ticks), allowed=list(ticks.allowed),
                           ticked=[i for i, a in enumerate(ticks.auto) if a])
        elif not text:
            row["verdict"] = "unanswered"
        else:
            r = grade(part, text)
            # as quizlib.grading.points_for: all points when right, else the checker's partial fraction
            fraction = 0.0 if not r.valid else 1.0 if r.correct else min(max(r.score, 0.0), 1.0)
            row.update(verdict="correct" if r.correct else ("wrong" if r.valid else "invalid"),
                       message=r.message, score=round(fraction * part.points, 6), latex=r.latex)
        parts.append(row)
    return {"question_id": qid, "variant": variant, "title": q.title, "prompt": q.prompt, "solution": q.solution,
            "bank": q.bank, "topics": list(q.topics), "parts": parts,
            "score": sum(p["score"] for p in parts), "points": float(q.points)}


def _latex(part: Part, text: str) -> str:
    """How the checker reads a reference answer, as LaTeX ("" if it cannot say)."""
    if part.kind not in ("expr", "number", "matrix") or not text:
        return ""
    try:
        from quizlib.answers import preview
        r = preview(text, part.kind, list(part.symbols), let=part.let, functions=part.functions)
    except Exception:  # noqa: BLE001 - a report must never fail for want of pretty maths
        return ""
    return r.latex if r.valid else ""


def _reference(part: Part) -> str:
    if part.kind == "choice":
        return "; ".join(f"({c.label}) {c.text}" for c in part.choices if c.correct) or part.answer
    return part.answer


def _totals(report: dict) -> tuple[float, float]:
    score = sum(p["score"] for it in report["items"] for p in it["parts"])
    max_score = sum(p["max"] for it in report["items"] for p in it["parts"])
    return round(score, 6), round(max_score, 6)


def pending_self_grades(exam: ExamRecord) -> list[tuple[str, str]]:
    """(question id, part id) of derivations still waiting for a self-grade."""
    if not exam.report:
        return []
    return [(it["question_id"], p["part_id"]) for it in exam.report["items"] for p in it["parts"]
            if p["verdict"] == "self-grade"]


def apply_self_grade(part_row: dict, ticked: Sequence[int]) -> dict:
    """Score a derivation's report row in place from the ticked rubric items (capped at its points)."""
    allowed = part_row.get("allowed") or [True] * len(part_row["rubric"])  # step-checked: never an absent formula
    ticked = sorted({int(i) for i in ticked if 0 <= int(i) < len(part_row["rubric"]) and allowed[int(i)]})
    part_row["score"] = min(part_row["max"], sum(part_row["rubric"][i][1] for i in ticked))
    part_row["ticked"] = ticked
    part_row["verdict"] = "correct" if part_row["score"] >= part_row["max"] else "self-graded"
    return part_row


def self_grade(store: Store, exam: ExamRecord, question_id: str, part_id: str, ticked: Sequence[int],
               now: datetime) -> ExamRecord:
    """Score a derivation from the rubric items the student ticked; the first grade is an attempt."""
    if not exam.finished:
        raise ConfigError("self-grading comes after the exam is submitted")
    report = {**exam.report, "items": [dict(it, parts=[dict(p) for p in it["parts"]]) for it in exam.report["items"]]}
    for it in report["items"]:
        for p in it["parts"]:
            if it["question_id"] == question_id and p["part_id"] == part_id and p["kind"] == "derivation":
                first = p["verdict"] == "self-grade"
                apply_self_grade(p, ticked)
                ticked = p["ticked"]
                it["score"] = sum(x["score"] for x in it["parts"])
                score, _ = _totals(report)
                store.update_exam_report(exam.id, report, score)
                if first:
                    progress.record_attempt(store, Attempt(
                        profile=exam.profile, question_id=question_id, answer=p["given"] or f"rubric {ticked}",
                        correct=p["score"] >= p["max"], score=p["score"], max_score=p["max"], created_at=now,
                        variant=it["variant"], part_id=part_id, mode="exam",
                        extra={"exam": exam.uuid, "ticked": ticked}))
                return store.get_exam(exam.id)
    raise ConfigError(f"{question_id}/{part_id} is not a derivation of this exam")
