"""Altair charts of the lab pages, built from plain rows or DataFrames (no streamlit here).

Arms are told apart by colour (category10, not the theme's blues), train/validation by dash,
mid-run setting changes by dashed grey rules; histograms are bars from zero between bin edges.
The live curves are a fixed spec over named datasets (`curves_spec` + `curves_datasets`): from
one tick to the next only the data changes, so the browser updates the chart's data in place
instead of rebuilding the chart (a rebuilt chart costs the browser far more than the tick itself).
`quizlib.ui.labs` re-exports these and draws them with `show`.
"""
from __future__ import annotations

import functools
import json

import altair as alt
import pandas as pd

PALETTE = alt.Scale(scheme="category10")  # arms must be told apart at a glance (the theme's blues are not)


CURVES, MARKERS, REF = "curves", "markers", "ref"  # names of the live chart's datasets


@functools.lru_cache(maxsize=128)
def _curves_spec_json(metric: str, dashed: bool, ref: bool, log_y: bool, height: int) -> str:
    y = alt.Y("value:Q", title=metric, scale=alt.Scale(type="log") if log_y else alt.Undefined)
    enc = {"x": alt.X("step:Q", title="step"), "y": y, "color": alt.Color("arm:N", title=None, scale=PALETTE),
           "tooltip": ["arm:N", "step:Q", alt.Tooltip("value:Q", format=".4g")]}  # typed: no data to infer from
    if dashed:
        enc["strokeDash"] = alt.StrokeDash("split:N", title=None)
    layers = [alt.Chart(alt.Data(name=CURVES)).mark_line().encode(**enc),
              # aria=False: the markers layer is usually empty, and an empty mark group with a graphics
              # role fails axe svg-img-alt; the chart's caption states the curves
              alt.Chart(alt.Data(name=MARKERS)).mark_rule(strokeDash=[4, 4], color="gray", aria=False)
              .encode(x="step:Q", tooltip=["label:N"])]
    if ref:
        layers.append(alt.Chart(alt.Data(name=REF)).mark_rule(color="black", strokeDash=[2, 2], aria=False)
                      .encode(y="value:Q", tooltip=["label:N"]))
    spec = alt.layer(*layers).properties(height=height).to_dict()
    spec.pop("config", None)  # Altair's default view size; Streamlit sizes the chart
    return json.dumps(spec)


def curves_spec(metric: str, *, dashed: bool = False, ref: bool = False, log_y: bool = False,
                height: int = 260) -> dict:
    """Vega-Lite spec of the live curves over the named datasets CURVES, MARKERS (and REF): arms by
    colour, train/validation (the split) by dash when `dashed`, setting changes as grey rules.
    Built once per combination (Altair's validation is the slow part) and returned as a fresh dict."""
    spec = json.loads(_curves_spec_json(metric, dashed, ref, log_y, height))
    # canvas, not SVG: Streamlit draws small charts as SVG and switches to canvas only for big data,
    # so a live chart would change renderer mid-run; a canvas redraw of thousands of points per tick is
    # the cheaper one (the caption under the chart is its text alternative)
    spec["usermeta"] = {"embedOptions": {"renderer": "canvas"}}
    return spec


def curves_datasets(curves: pd.DataFrame, markers=(), ref: float | None = None,
                    ref_label: str = "") -> dict[str, pd.DataFrame]:
    """The data of `curves_spec`: one metric's rows (step, arm, split, value), the markers, the reference."""
    out = {CURVES: curves, MARKERS: pd.DataFrame(list(markers), columns=["step", "label"])}
    if ref is not None:
        out[REF] = pd.DataFrame({"value": [ref], "label": [ref_label]})
    return out


def is_dashed(curves: pd.DataFrame) -> bool:
    """Whether one metric's rows have several splits (train and validation) to tell apart by dash."""
    return "split" in curves.columns and curves["split"].nunique() > 1


def line_chart(rows, x: str, y: str, color: str | None = None, *, log_y=False, height=240, title=None):
    enc = {"x": f"{x}:Q", "y": alt.Y(f"{y}:Q", scale=alt.Scale(type="log") if log_y else alt.Undefined),
           "tooltip": [c for c in (x, y, color) if c]}
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=None, scale=PALETTE)
    ch = alt.Chart(pd.DataFrame(rows)).mark_line(point=True).encode(**enc).properties(height=height)
    return ch.properties(title=title) if title else ch


def metrics_by(rows, x: str, metrics: list[str], color: str, *, log_y=(), width=150, height=170):
    """Several metrics against the same x, side by side with one shared colour legend."""
    df = pd.DataFrame(rows)
    charts = [alt.Chart(df).mark_line(point=True).encode(
        x=f"{x}:Q", y=alt.Y(f"{m}:Q", scale=alt.Scale(type="log") if m in log_y else alt.Undefined),
        color=alt.Color(f"{color}:N", title=None, scale=PALETTE), tooltip=[x, m, color])
        .properties(width=width, height=height) for m in metrics]
    return alt.hconcat(*charts).resolve_scale(color="shared")


def wide_lines(df: pd.DataFrame, x: str, columns: list[str], *, names: dict | None = None, log_y=False,
               height=220, title=None, ref: float | None = None):
    """Several columns of a wide frame as overlaid lines (legend = column names, renamed by `names`)."""
    long = df.melt(id_vars=[x], value_vars=columns, var_name="series", value_name="value")
    if names:
        long["series"] = long["series"].map(lambda c: names.get(c, c))
    ch = alt.Chart(long).mark_line().encode(
        x=f"{x}:Q", y=alt.Y("value:Q", title=None, scale=alt.Scale(type="log") if log_y else alt.Undefined),
        color=alt.Color("series:N", title=None, scale=PALETTE, legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=[x, "series", alt.Tooltip("value:Q", format=".4g")])
    layers = [ch]
    if ref is not None:
        layers.append(alt.Chart(pd.DataFrame({"v": [ref]})).mark_rule(color="black", strokeDash=[2, 2])
                      .encode(y="v:Q"))
    out = alt.layer(*layers).properties(height=height)
    return out.properties(title=title) if title else out


def runs_lines(df: pd.DataFrame, y: str, *, color: str, dash: str, height=280, log_y=False):
    """One quantity of a long frame against step: colour for one factor, dash for the other."""
    bottom = alt.Legend(orient="bottom", direction="vertical")
    return alt.Chart(df).mark_line().encode(
        x="step:Q", y=alt.Y(f"{y}:Q", scale=alt.Scale(type="symlog") if log_y else alt.Undefined),
        color=alt.Color(f"{color}:N", title=None, scale=PALETTE, legend=bottom),
        strokeDash=alt.StrokeDash(f"{dash}:N", title=None, legend=bottom),
        tooltip=["step", color, dash, alt.Tooltip(f"{y}:Q", format=".4g")]).properties(height=height, title=y)


def bar_chart(rows, x: str, y: str, color: str | None = None, *, offset: str | None = None, height=240):
    enc = {"x": f"{x}:O", "y": f"{y}:Q", "tooltip": [c for c in (x, y, color) if c]}
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=None, scale=PALETTE, legend=alt.Legend(orient="bottom"))
    if offset:
        enc["xOffset"] = f"{offset}:N"
    return alt.Chart(pd.DataFrame(rows)).mark_bar().encode(**enc).properties(height=height)


def histogram_chart(rows, color: str | None = None, *, rules=(), height=220, title=None):
    """Bars from histogram rows (left, right, count); `rules` are x positions of vertical rules."""
    enc = {"x": alt.X("left:Q", title="value"), "x2": "right:Q",
           "y": alt.Y("count:Q", stack=None, scale=alt.Scale(zero=True)), "y2": alt.datum(0)}
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=None, scale=PALETTE, legend=alt.Legend(orient="bottom"))
    layers = [alt.Chart(pd.DataFrame(rows)).mark_bar(opacity=0.6).encode(**enc)]
    if len(rules):
        layers.append(alt.Chart(pd.DataFrame({"x": list(rules)})).mark_rule(color="red").encode(x="x:Q"))
    ch = alt.layer(*layers).properties(height=height)
    return ch.properties(title=title) if title else ch


def facet_histogram(rows, facet: str, *, columns: int = 4, height=90):
    """Small multiples of histograms (one panel per value of `facet`, e.g. per layer)."""
    return (alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("left:Q", title=None), x2="right:Q", y=alt.Y("count:Q", title=None), y2=alt.datum(0))
        .properties(height=height, width=150).facet(facet=f"{facet}:O", columns=columns))
