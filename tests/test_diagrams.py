"""Mermaid flowcharts in model solutions → Graphviz DOT, and their rendering on a page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quizlib.diagrams import mermaid_to_dot, split_mermaid
from page_scripts import page_script

ROOT = Path(__file__).resolve().parent.parent


def edges(dot: str) -> list[str]:
    return re.findall(r'^  "(\w+)" -> "(\w+)"(.*);$', dot, flags=re.MULTILINE)


def test_split_keeps_text_and_blocks_in_order():
    text = "Intro $x$.\n\n```mermaid\nflowchart TD\n  a --> b\n```\n\nOutro.\n\n```python\nx = 1\n```\n"
    parts = split_mermaid(text)
    assert [k for k, _ in parts] == ["markdown", "mermaid", "markdown"]
    assert parts[1][1] == "flowchart TD\n  a --> b\n"
    assert "```python" in parts[2][1]  # other fences stay Markdown
    assert split_mermaid("plain") == [("markdown", "plain")]
    assert split_mermaid("") == [("markdown", "")]


def test_shapes_labels_chains_and_edge_kinds():
    dot = mermaid_to_dot('flowchart LR\n  x["in [4F]"] --> c(("+")) --> y{ok?}\n'
                         '  x -->|skip| y\n  y -- back --> x\n  a([stadium]) --- b[[sub]]\n'
                         '  a -.-> b; b ==> a\n  %% a comment\n  style a fill:#f00\n')
    assert dot.startswith("digraph {\n  rankdir=LR;")
    assert '"x" [label="in [4F]", shape=box];' in dot
    assert '"c" [label="+", shape=circle];' in dot and '"y" [label="ok?", shape=diamond];' in dot
    assert '"a" [label="stadium", shape=box, style="rounded"];' in dot
    assert '"b" [label="sub", shape=box, peripheries=2];' in dot
    got = edges(dot)
    assert ("x", "c", "") in got and ("c", "y", "") in got
    assert ("x", "y", ' [label="skip"]') in got and ("y", "x", ' [label="back"]') in got
    assert ("a", "b", " [arrowhead=none]") in got and ("a", "b", " [style=dashed]") in got
    assert ("b", "a", " [penwidth=2]") in got


@pytest.mark.parametrize("head, rankdir", [("flowchart TD", "TB"), ("graph TB", "TB"), ("flowchart BT", "BT"),
                                            ("graph RL", "RL"), ("flowchart", "TB")])
def test_directions(head, rankdir):
    assert f"rankdir={rankdir};" in mermaid_to_dot(f"{head}\n  a --> b")


def test_semicolons_split_statements_outside_quotes_only():
    dot = mermaid_to_dot('flowchart TD;\n  a["x; y"] --> b; b --> c')
    assert '"a" [label="x; y", shape=box];' in dot and ("b", "c", "") in edges(dot)


def test_quotes_in_labels_are_escaped():
    dot = mermaid_to_dot('flowchart TD\n  a[say "hi" to C:\\x] --> b')
    assert dot is not None and '"a" [label="say \\"hi\\" to C:\\\\x", shape=box];' in dot


@pytest.mark.parametrize("source", ["sequenceDiagram\n  A->>B: hi", "flowchart TD\n  a --> ", "flowchart TD\n  a[open",
                                    "flowchart TD\n  a ~~ b", "", "flowchart TD\n"])
def test_not_a_flowchart_of_the_subset_is_none(source):
    assert mermaid_to_dot(source) is None


def test_every_drawing_in_the_banks_converts():
    blocks = [(f.name, body) for f in sorted((ROOT / "content").glob("*.md"))
              for kind, body in split_mermaid(f.read_text(encoding="utf-8")) if kind == "mermaid"]
    assert len(blocks) >= 8
    for name, body in blocks:
        dot = mermaid_to_dot(body)
        assert dot is not None, (name, body)
        assert edges(dot), name


def test_page_draws_flowcharts_and_shows_other_diagrams_as_source():
    at = AppTest.from_string(
        "from quizlib.ui import rich_text\n"
        "rich_text.show('Before\\n\\n```mermaid\\nflowchart LR\\n  a[A] --> b((B))\\n```\\n\\nAfter\\n\\n"
        "```mermaid\\nsequenceDiagram\\n  A->>B: hi\\n```\\n')\n").run()
    assert not at.exception
    charts = at.get("graphviz_chart")
    assert len(charts) == 1 and '"a" -> "b"' in charts[0].proto.spec
    assert [m.value for m in at.markdown] == ["Before", "After"]
    assert [c.value for c in at.code] == ["sequenceDiagram\n  A->>B: hi"]
    assert "Mermaid" in at.caption[0].value


def test_practice_page_draws_the_resnet_bottleneck():
    at = AppTest.from_file(page_script("practice"), default_timeout=60)
    at.query_params["q"] = "l5-resnet"
    at.run()
    assert not at.exception
    next(b for b in at.button if b.label == "Reveal model solution").click().run()
    assert not at.exception
    specs = [c.proto.spec for c in at.get("graphviz_chart")]
    assert len(specs) == 1 and '"add" [label="+", shape=circle];' in specs[0]
    assert not any("flowchart TD" in c.value for c in at.code)  # drawn, not shown as source
