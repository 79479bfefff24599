"""Every chart with a text alternative: a caption that says what it shows, and its data on demand.

A Vega-Lite chart is a picture to a screen reader (WCAG 1.1.1 asks for a text alternative).
`show(chart)` draws the chart, then a caption "Chart: …" that states what is plotted against
what, split by which series, and the numbers a reader would take from it (each series' last
value, each bar, the tallest bin, the range), then an expander with the chart's data as a table.
`describe(chart)` writes that caption from the chart itself — its marks, encodings and data —
so every chart of the app gets one without a page writing it; a page may pass its own `summary`.
"""
from __future__ import annotations

import math

import altair as alt
import pandas as pd
import streamlit as st

MAX_GROUPS = 8  # more series than this are summed up as a range, not listed one by one
MAX_BARS = 16  # more bars than this: the range, not every bar
TABLE_LABEL = "Data of this chart (table)"


def show(chart, *, summary: str | None = None, table: bool = True, width="stretch") -> None:
    """The chart, its caption, and (unless `table` is False) its data in a collapsed table.

    A chart without data is not drawn, only named: Vega would draw an empty mark group that claims
    a graphics role and has nothing to name (axe `svg-img-alt`), and an empty frame tells nothing."""
    data = chart_data(chart)
    if data is not None and data.empty:
        st.caption(f"Chart: {summary or describe(chart)}")
        return
    st.altair_chart(chart, width=width)
    st.caption(f"Chart: {summary or describe(chart)}")
    if table and data is not None and not data.empty:
        with st.expander(TABLE_LABEL):
            st.dataframe(data, hide_index=True)


def chart_data(chart) -> pd.DataFrame | None:
    """The DataFrame the chart's main marks are drawn from (its first layer's, or the chart's own)."""
    own = getattr(chart, "data", alt.Undefined)
    if isinstance(own, pd.DataFrame):
        return own
    for sub in _children(chart):
        found = chart_data(sub)
        if found is not None:
            return found
    return None


def describe(chart) -> str:
    """One or two sentences: what the chart shows, and its key numbers."""
    title = _title(chart)
    body = _describe(chart, None)
    return f"{title}. {body}" if title else body


def describe_frame(data: pd.DataFrame, x: str, y: str, series: list[str], what: str) -> str:
    """The caption of a line chart drawn from a raw Vega-Lite spec (the labs' live curves): `what`
    against x, one line per series, each line's first and last value."""
    series = [c for c in series if c in data and data[c].astype(str).str.len().gt(0).any()]
    if data.empty:
        return f"{what} against {x}: no data yet."
    by = f", one line per {' and '.join(series)}" if series else ""
    return f"{what} against {x}{by}. " + _lines(data, x, y, series)


# ---------------------------------------------------------------- the walk over the chart's parts
def _children(chart) -> list:
    for attr in ("layer", "hconcat", "vconcat", "concat"):
        parts = getattr(chart, attr, alt.Undefined)
        if isinstance(parts, list):
            return parts
    spec = getattr(chart, "spec", alt.Undefined)
    return [spec] if spec is not alt.Undefined and spec is not None else []


def _describe(chart, inherited: pd.DataFrame | None) -> str:
    data = getattr(chart, "data", alt.Undefined)
    data = data if isinstance(data, pd.DataFrame) else inherited
    facet = getattr(chart, "facet", alt.Undefined)
    if isinstance(chart, alt.FacetChart) and data is not None:
        field = _field(facet)
        panels = list(dict.fromkeys(data[field])) if field in data else []
        inner = _children(chart)[0]
        parts = [f"{field} {p}: {_describe(inner, data[data[field] == p])}" for p in panels[:MAX_GROUPS]]
        more = f" ({len(panels) - MAX_GROUPS} more panels)" if len(panels) > MAX_GROUPS else ""
        return f"One panel per {field}. " + " ".join(parts) + more
    subs = _children(chart)
    if subs:
        return " ".join(s for s in (_describe(c, data) for c in subs) if s)
    if data is None or data.empty:
        enc = chart.encoding
        x, y = _field(getattr(enc, "x", alt.Undefined)), _field(getattr(enc, "y", alt.Undefined))
        what = f"{_label(enc.y, y)} against {_label(enc.x, x)}" if x and y else "this chart"
        return f"{what}: no data yet."
    title = _title(chart)
    text = _unit(chart, data)
    return f"{title}: {text}" if title and inherited is not None else text


def _unit(chart, data: pd.DataFrame) -> str:
    mark = chart.mark if isinstance(chart.mark, str) else getattr(chart.mark, "type", "mark")
    enc = chart.encoding
    x, y = _field(getattr(enc, "x", alt.Undefined)), _field(getattr(enc, "y", alt.Undefined))
    x2 = _field(getattr(enc, "x2", alt.Undefined))
    series = [f for f in (_field(getattr(enc, c, alt.Undefined)) for c in ("color", "strokeDash"))
              if f and f in data and f not in (x, y)]
    series = list(dict.fromkeys(series))
    offset = _field(getattr(enc, "xOffset", alt.Undefined)) or _field(getattr(enc, "yOffset", alt.Undefined))
    if mark == "rule":
        return _rules(chart, data, x, y)
    if x2 and x in data and y in data:
        return _histogram(data, x, x2, y, series)
    if x not in data and y not in data:
        return f"{mark} chart of {len(data)} rows."
    if y not in data or x not in data:  # an aggregate (count of rows per bin)
        known = x if x in data else y
        return (f"Number of rows by {known}, {len(data)} rows in all; {known} from "
                f"{_num(data[known].min())} to {_num(data[known].max())}.")
    by = f", one {'line' if mark == 'line' else mark} per {' and '.join(series)}" if series else ""
    head = f"{_label(enc.y, y)} against {_label(enc.x, x)}{by}"
    if mark == "bar":
        horizontal = _quantitative(data[x]) and not _quantitative(data[y])
        value, category = (enc.x, x), (enc.y, y)
        if not horizontal:
            value, category = category, value
        head = f"{_label(*value)} per {_label(*category)}{by}"
        return head + ". " + _bars(data, x, y, series + ([offset] if offset and offset not in series else []))
    if _quantitative(data[x]) and mark in ("line", "area", "point"):
        return head + ". " + _lines(data, x, y, series)
    return head + f". {len(data)} points; {_range(data, x)}; {_range(data, y)}."


# ---------------------------------------------------------------- the numbers of each kind of mark
def _lines(data: pd.DataFrame, x: str, y: str, series: list[str]) -> str:
    groups = list(data.groupby(series, sort=False)) if series else [((), data)]
    if len(groups) > MAX_GROUPS:
        return f"{len(groups)} series; {_range(data, x)}; {_range(data, y)}."
    ends = []
    for key, g in groups:
        g = g.sort_values(x)
        name = " ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        rows = g.to_dict("records")
        first, last = rows[0], rows[-1]
        ends.append(f"{name + ': ' if name else ''}{_num(first[y])} at {x} {_num(first[x])}, "
                    f"{_num(last[y])} at {x} {_num(last[x])}")
    return "; ".join(ends) + "."


def _bars(data: pd.DataFrame, x: str, y: str, series: list[str]) -> str:
    category, value = (y, x) if _quantitative(data[x]) and not _quantitative(data[y]) else (x, y)
    if len(data) > MAX_BARS:
        lo, hi = _row(data, data[value].idxmin()), _row(data, data[value].idxmax())
        return (f"{len(data)} bars; lowest {_num(lo[value])} ({_cat(lo[category])}), "
                f"highest {_num(hi[value])} ({_cat(hi[category])}).")
    keys = [category] + [s for s in series if s != category]
    def name(r) -> str:
        return ", ".join([f"{category} {_cat(r[category])}"] + [_cat(r[k]) for k in keys[1:]])
    return "; ".join(f"{name(r)}: {_num(r[value])}" for r in data.to_dict("records")) + "."


def _histogram(data: pd.DataFrame, left: str, right: str, count: str, series: list[str]) -> str:
    groups = list(data.groupby(series, sort=False)) if series else [((), data)]
    out = []
    for key, g in groups[:MAX_GROUPS]:
        name = " ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        top = _row(g, g[count].idxmax())
        out.append(f"{name + ': ' if name else ''}{len(g)} bins from {_num(g[left].min())} to "
                   f"{_num(g[right].max())}, the tallest ({_num(top[count])}) at "
                   f"[{_num(top[left])}, {_num(top[right])})")
    return "Histogram. " + "; ".join(out) + "."


def _rules(chart, data: pd.DataFrame, x: str, y: str) -> str:
    label = "label" if "label" in data else None
    field = x or y
    if not field or field not in data:
        return ""
    marks = [f"{_num(r[field])}" + (f" ({r[label]})" if label and str(r[label]) else "")
             for r in data.head(MAX_GROUPS).to_dict("records")]
    where = f"{field} = " if x else f"{field} = "
    return f"Reference line(s) at {where}{', '.join(marks)}."


# ---------------------------------------------------------------- small readers
def _field(channel) -> str:
    if channel is alt.Undefined or channel is None:
        return ""
    if isinstance(channel, str):
        return alt.utils.parse_shorthand(channel).get("field", "")
    field = _kw(channel, "field")
    if isinstance(field, str):
        return field
    shorthand = _kw(channel, "shorthand")
    if isinstance(shorthand, str):
        return alt.utils.parse_shorthand(shorthand).get("field", "")
    return ""


def _kw(channel, name: str):
    """A channel's own setting (attribute access on an Altair channel gives a setter, not the value)."""
    return getattr(channel, "_kwds", {}).get(name, alt.Undefined)


def _label(channel, field: str) -> str:
    title = _kw(channel, "title")
    return title if isinstance(title, str) and title else field


def _title(chart) -> str:
    title = getattr(chart, "title", alt.Undefined)
    if isinstance(title, str):
        return title
    text = getattr(title, "text", alt.Undefined)
    return text if isinstance(text, str) else ""


def _quantitative(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col)


def _range(data: pd.DataFrame, field: str) -> str:
    return f"{field} from {_num(data[field].min())} to {_num(data[field].max())}"


def _row(data: pd.DataFrame, label) -> dict:
    """One row with each column's own type (a row Series would turn a mixed row's ints into floats)."""
    return data.loc[[label]].to_dict("records")[0]


def _cat(v) -> str:
    return v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else str(v)


def _num(v) -> str:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return "—" if isinstance(v, float) and not math.isfinite(v) else f"{v:.4g}"
    try:
        return f"{float(v):.4g}"
    except (TypeError, ValueError):
        return str(v)
