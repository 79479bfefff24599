"""Drawings in model solutions: ```mermaid flowcharts turned into Graphviz DOT, without a browser.

Streamlit renders Graphviz (`st.graphviz_chart`) with what it ships, offline; it has no Mermaid.
So a solution's Markdown is split into text and ```mermaid blocks (`split_mermaid`), and each block
of the flowchart subset the banks use is translated into DOT (`mermaid_to_dot`):

    flowchart TD                      (or LR, BT, RL; `graph` works too)
      x["input"] --> c1["1×1 conv"] --> add(("+"))
      x -->|identity| add
      a -- label --> b;  a --- b;  a -.-> b;  a ==> b

Node shapes `[box]`, `(rounded)`, `((circle))`, `{diamond}`, `([stadium])`, `[[subroutine]]`; labels
in quotes or bare; `%%` comments, `subgraph`/`end`, `style`/`classDef`/`class`/`linkStyle` lines are
skipped. Anything else makes `mermaid_to_dot` return None, and the page shows the source as code.
"""
from __future__ import annotations

import re

FENCE_RE = re.compile(r"^```mermaid[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
HEADER_RE = re.compile(r"^\s*(flowchart|graph)(?:\s+(TD|TB|LR|RL|BT))?\s*;?\s*$", re.IGNORECASE)
SKIP_RE = re.compile(r"^\s*(%%|subgraph\b|end\s*$|style\b|classDef\b|class\b|linkStyle\b|click\b)", re.IGNORECASE)
ID_RE = re.compile(r"[A-Za-z0-9_]+")
# (opening, closing, Graphviz node attributes), longest openings first
SHAPES = (("((", "))", 'shape=circle'), ("([", "])", 'shape=box, style="rounded"'),
          ("[[", "]]", 'shape=box, peripheries=2'), ("[(", ")]", 'shape=cylinder'),
          ("[", "]", 'shape=box'), ("(", ")", 'shape=box, style="rounded"'), ("{", "}", 'shape=diamond'),
          (">", "]", 'shape=cds'))
EDGE_TEXT_RE = re.compile(r"\s*(--|==|-\.)\s*([^-=.>|][^>]*?)\s*(-->|==>|\.->|---)\s*")
EDGE_RE = re.compile(r"\s*(<-->|-\.->|-\.-|==>|-->|---|--o|--x)\s*(?:\|([^|]*)\|\s*)?")


def split_mermaid(markdown: str) -> list[tuple[str, str]]:
    """The text as ("markdown", text) and ("mermaid", source) segments, in order."""
    out, pos = [], 0
    for m in FENCE_RE.finditer(markdown):
        if markdown[pos:m.start()].strip():
            out.append(("markdown", markdown[pos:m.start()]))
        out.append(("mermaid", m.group(1)))
        pos = m.end()
    if markdown[pos:].strip() or not out:
        out.append(("markdown", markdown[pos:]))
    return out


def _label(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    text = text.replace("<br>", "\n").replace("<br/>", "\n")
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _node(s: str, i: int, nodes: dict[str, str]) -> tuple[str, int] | None:
    """Parse `id` with an optional shape at s[i:]; record it; return (id, end) or None."""
    m = ID_RE.match(s, i)
    if not m:
        return None
    nid, j = m.group(0), m.end()
    for opening, closing, attrs in SHAPES:
        if s.startswith(opening, j):
            k = j + len(opening)
            if s.startswith('"', k):  # a quoted label may hold brackets
                q = s.find('"', k + 1)
                if q < 0 or not s.startswith(closing, q + 1):
                    return None
                text, end = s[k:q + 1], q + 1 + len(closing)
            else:
                q = s.find(closing, k)
                if q < 0:
                    return None
                text, end = s[k:q], q + len(closing)
            nodes[nid] = f'[label="{_label(text)}", {attrs}]'
            return nid, end
    nodes.setdefault(nid, f'[label="{_label(nid)}", shape=box]')
    return nid, j


def _edge(s: str, i: int) -> tuple[str, str, int] | None:
    """Parse an edge operator at s[i:]: (DOT attributes, label, end) or None."""
    m = EDGE_TEXT_RE.match(s, i)
    if m:
        op, label = m.group(3), m.group(2)
    else:
        m = EDGE_RE.match(s, i)
        if not m:
            return None
        op, label = m.group(1), m.group(2) or ""
    attrs = []
    if op in ("---", "-.-"):
        attrs.append("arrowhead=none")
    if op.startswith("-.") or op == ".->":
        attrs.append("style=dashed")
    if op.startswith("=="):
        attrs.append("penwidth=2")
    if op == "<-->":
        attrs.append("dir=both")
    return ", ".join(attrs), label.strip(), m.end()


def _statements(line: str) -> list[str]:
    """Split a line on `;` outside quoted labels."""
    out, cur, quoted = [], [], False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def mermaid_to_dot(source: str) -> str | None:
    """DOT for a Mermaid flowchart of the subset above, or None when it is not one."""
    lines = [ln for ln in source.splitlines() if ln.strip()]
    if not lines:
        return None
    head = HEADER_RE.match(lines[0])  # its pattern allows a trailing `;`
    if not head:
        return None
    rankdir = {"TD": "TB"}.get((head.group(2) or "TB").upper(), (head.group(2) or "TB").upper())
    nodes: dict[str, str] = {}
    edges: list[str] = []
    for raw in lines[1:]:
        for stmt in _statements(raw):
            s = stmt.strip()
            if not s or SKIP_RE.match(s):
                continue
            got = _node(s, 0, nodes)
            if got is None:
                return None
            left, i = got
            while i < len(s):
                e = _edge(s, i)
                if e is None:
                    return None
                attrs, label, i = e
                got = _node(s, i, nodes)
                if got is None:
                    return None
                right, i = got
                extra = ([f'label="{_label(label)}"'] if label else []) + ([attrs] if attrs else [])
                edges.append(f'  "{left}" -> "{right}"' + (f" [{', '.join(extra)}]" if extra else "") + ";")
                left = right
    if not nodes:
        return None
    out = ["digraph {", f"  rankdir={rankdir};",
           '  node [fontname="Helvetica", fontsize=11, margin="0.12,0.05"];',
           '  edge [fontname="Helvetica", fontsize=10];']
    out += [f'  "{nid}" {attrs};' for nid, attrs in nodes.items()]
    out += edges
    out.append("}")
    return "\n".join(out)
