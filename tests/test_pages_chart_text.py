"""Every chart-rendering page gives each chart a text alternative (AppTest): right below the chart a
caption "Chart: …" that names what is plotted and carries numbers of the chart's own data, then an
expander with that data as a table. Also `describe` on small charts whose numbers are known."""
from __future__ import annotations

import os
from datetime import UTC, datetime

import altair as alt
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from quizlib.model import Attempt
from quizlib.ui import chart_text, course
from page_scripts import page_script
from test_pages_course import TEACHER
from test_pages_study import answer
from test_pages_study import ctx  # noqa: F401 (fixture: the study pages on fixture banks)
from test_pages_study import run as run_study

LABS = ["lab_dropout", "lab_smoothing", "lab_glorot", "lab_weight_decay", "lab_ce_mse", "lab_batchnorm"]


def flat(node) -> list:
    """The page's elements and blocks in reading order (a block before what it holds)."""
    out = []
    for child in getattr(node, "children", {}).values():
        out.append(child)
        out.extend(flat(child))
    return out


def assert_every_chart_has_its_alternative(at: AppTest, at_least: int) -> None:
    assert not at.exception, [e.value for e in at.exception]
    items = flat(at.main)
    charts = [i for i, e in enumerate(items) if e.type == "vega_lite_chart"]
    assert len(charts) >= at_least
    for i in charts:
        caption, expander = items[i + 1], items[i + 2]
        assert caption.type == "caption" and caption.value.startswith("Chart: "), caption
        text = caption.value
        assert any(w in text for w in (" against ", " per ", "Histogram", "panel", "Number of")), text
        assert any(ch.isdigit() for ch in text), f"no number of the chart's data in {text!r}"
        assert expander.type == "expander" and expander.label == "Data of this chart (table)"
        tables = [e for e in flat(expander) if e.type == "dataframe"]
        assert len(tables) == 1 and len(tables[0].value) > 0


@pytest.mark.parametrize("name", LABS)
def test_every_lab_chart_has_a_caption_and_its_data(name):
    at = AppTest.from_file(page_script(name), default_timeout=60).run()
    steps = [b for b in at.button if b.label.startswith("Step")]
    if steps:  # the live curves appear after a first slice of training
        steps[0].click().run()
    assert_every_chart_has_its_alternative(at, at_least=2 if steps else 1)


def test_progress_charts_have_captions_and_data(ctx):  # noqa: F811 (the fixture)
    now = datetime.now(UTC)
    for qid, right in [("l1-a", True), ("l1-a", False), ("l2-a", False), ("l3-b", True)]:
        answer(ctx, qid, right, now)
    at = run_study("dashboard.py")
    assert_every_chart_has_its_alternative(at, at_least=6)
    captions = [c.value for c in at.caption if c.value.startswith("Chart: ")]
    assert any("Accuracy by topic" in c for c in captions)


def test_class_charts_have_captions_and_data(monkeypatch):
    from quizlib.store import Store

    monkeypatch.setenv("QUIZ_COURSE", "1")
    monkeypatch.setenv("QUIZ_TEACHERS", TEACHER["email"])
    monkeypatch.setattr(course, "current_user", lambda: TEACHER)
    store = Store(os.environ["QUIZ_DB"])
    t0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for who, scores in {"ana": (0, 1), "ben": (1, 0), "cy": (1, 1)}.items():  # two questions, three students
        store.set_identity(f"sub:{who}", who.title(), f"{who}@uni.example")
        for qid, score in zip(("q-x", "q-y"), scores):
            store.add_attempt(Attempt(profile=f"sub:{who}", question_id=qid, answer=str(score), correct=bool(score),
                                      score=score, max_score=1, created_at=t0, extra={"seconds": 30}))
    at = AppTest.from_file(page_script("class_view"), default_timeout=60).run()
    assert at.title[0].value == "Class"
    assert_every_chart_has_its_alternative(at, at_least=2)  # questions, students (no mock exam yet)


# ---------------------------------------------------------------- the captions' numbers
def test_line_caption_gives_each_series_first_and_last_value():
    df = pd.DataFrame({"step": [0, 10, 20, 0, 10, 20], "loss": [2.0, 1.0, 0.5, 2.0, 1.5, 1.25],
                       "arm": ["a"] * 3 + ["b"] * 3})
    chart = alt.Chart(df, title="Loss").mark_line().encode(x="step:Q", y=alt.Y("loss:Q", title="train loss"),
                                                           color="arm:N")
    assert chart_text.describe(chart) == ("Loss. train loss against step, one line per arm. "
                                          "a: 2 at step 0, 0.5 at step 20; b: 2 at step 0, 1.25 at step 20.")


def test_bar_caption_lists_the_bars_and_histogram_its_tallest_bin():
    bars = alt.Chart(pd.DataFrame({"class": [0, 1], "value": [0.9, 0.1]})).mark_bar().encode(
        x="class:O", y="value:Q")
    assert chart_text.describe(bars) == "value per class. class 0: 0.9; class 1: 0.1."
    hist = alt.Chart(pd.DataFrame({"left": [0.0, 1.0], "right": [1.0, 2.0], "count": [3, 7]})).mark_bar().encode(
        x="left:Q", x2="right:Q", y="count:Q")
    assert chart_text.describe(hist) == "Histogram. 2 bins from 0 to 2, the tallest (7) at [1, 2)."


def test_a_chart_without_data_is_named_not_drawn():
    empty = alt.Chart(pd.DataFrame({"facility": [], "discrimination": []})).mark_circle().encode(
        x=alt.X("facility:Q", title="Facility"), y="discrimination:Q")
    assert chart_text.describe(empty) == "discrimination against Facility: no data yet."
    at = AppTest.from_string(
        "import altair as alt, pandas as pd\nfrom quizlib.ui import chart_text\n"
        "chart_text.show(alt.Chart(pd.DataFrame({'a': []})).mark_bar().encode(x='a:Q', y='a:Q'))").run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 0
    assert [c.value for c in at.caption] == ["Chart: a against a: no data yet."]
