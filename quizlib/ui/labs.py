"""Streamlit widgets the lab pages share: live training panel, charts, export and deep links.

The live panel keeps a lab's runs (its A/B arms, stepped together on one seed and one
data set) in `st.session_state` and advances them a slice of steps per tick inside
`@st.fragment(run_every=RUN_EVERY)`, so the chart grows while every widget stays usable.
Start/Stop/Step/Reset flip flags through callbacks. What a changed setting does to a run is
decided by `quizlib.labs.midrun.plan_change` from the runs class's `live_fields`: a setting a
run can take mid-flight (learning rate, λ, p …) is applied in place and drawn as a dashed rule
on the chart; any other (seed, data, architecture) leaves the run as it is and says so, with
a Reset that starts afresh — a run is never discarded silently. Each tick only steps the
runs and sends new data to charts whose spec stays fixed, so the browser updates them in
place (see `bench/bench_labs.py` and tests/test_browser_labs.py for the rate). Settings come from a page's
dataclass; `query_defaults` fills that dataclass from the URL once per session, so a link
made by `export_panel` reproduces the experiment. A `ConfigError` is shown with
`st.error`, never as a traceback.

The runs object a lab hands to `live_panel` needs: `step(n)`, `steps` (int), `rows()`
(dicts with step, arm, metric, value and optionally split), `markers` (dicts with step and
label), `update(settings)` and `error` (a message once a loss is NaN, else None); an optional
`summary()` (label → text, or (text, note)) is shown as metrics beside the step counter;
`metric_frame(metric)` (one metric's rows as a DataFrame, built incrementally) is used when present.
"""
from __future__ import annotations

import dataclasses
import json
from contextlib import contextmanager
from typing import Any, Callable
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from quizlib.errors import ConfigError
from quizlib.labs import midrun
from quizlib.ui import chart_text
from quizlib.ui.lab_charts import (PALETTE, bar_chart, curves_datasets, curves_spec,  # noqa: F401 (re-export)
                                   facet_histogram, histogram_chart, is_dashed, line_chart, metrics_by,
                                   runs_lines, wide_lines)
from quizlib.ui.rich_text import formula  # noqa: F401 (re-export: the pages' display maths)

# Seconds between two ticks of a running lab. A tick must stay well below it (bench/bench_labs.py):
# 0.15 s asks for ~6.7 refreshes a second, and live training reads as motion from about 5.
RUN_EVERY = 0.05


# ---------------------------------------------------------------- settings and links
def query_defaults(cls, key: str, prefix: str = ""):
    """Defaults of settings dataclass `cls`, overridden by matching ?<prefix>field=value query
    parameters; read once per session (so widgets keep a constant default)."""
    slot = f"{key}__defaults"
    if slot not in st.session_state:
        base = cls()
        values, bad = {}, []
        for f in dataclasses.fields(cls):
            if prefix + f.name not in st.query_params:
                continue
            raw, default = st.query_params[prefix + f.name], getattr(base, f.name)
            if not isinstance(default, (bool, int, float, str)):
                continue  # tuples (λ sweeps, start points) are not settable from a link
            try:
                if isinstance(default, bool):
                    values[f.name] = raw.lower() in ("1", "true", "yes", "on")
                else:
                    values[f.name] = type(default)(raw)
            except (TypeError, ValueError):
                bad.append(f.name)
        settings = dataclasses.replace(base, **values)
        try:
            if hasattr(settings, "validate"):
                settings.validate()
        except ConfigError as e:
            bad.append(f"{e} — using the defaults")
            settings = base
        st.session_state[slot] = (settings, bad)
    settings, bad = st.session_state[slot]
    if bad:
        st.warning(f"Ignored unreadable link parameter(s): {', '.join(bad)}")
    return settings


def _as_dict(settings) -> dict:
    """One settings dataclass, several (a page with two panels; fields of the same name must agree),
    or {prefix: dataclass} when two of them use one name for different things."""
    if isinstance(settings, dict):
        return {p + k: v for p, s in settings.items() for k, v in dataclasses.asdict(s).items()}
    items = settings if isinstance(settings, (tuple, list)) else (settings,)
    out: dict = {}
    for s in items:
        out |= dataclasses.asdict(s)
    return out


def query_string(settings) -> str:
    """'?field=value&…' that `query_defaults` turns back into these settings (one or a tuple)."""
    scalars = {k: v for k, v in _as_dict(settings).items() if isinstance(v, (bool, int, float, str))}
    return "?" + urlencode(scalars)


@contextmanager
def lab_errors():
    """Show a nonsense setting as st.error and stop the page, instead of a traceback."""
    try:
        yield
    except ConfigError as e:
        st.error(f"**Setting not possible:** {e}")
        st.stop()


def attempt(fn, *args, **kwargs):
    """fn(*args) or None after showing its ConfigError with st.error (the rest of the page goes on)."""
    try:
        return fn(*args, **kwargs)
    except ConfigError as e:
        st.error(f"**Setting not possible:** {e}")
        return None


# ---------------------------------------------------------------- drawing


def bar_columns(rows, facet: str, x: str, y: str, color: str, *, height=180) -> None:
    """One grouped bar chart per value of `facet`, side by side in columns."""
    df = pd.DataFrame(rows)
    values = list(dict.fromkeys(df[facet]))
    for col, v in zip(st.columns(len(values)), values):
        with col:
            st.markdown(f"**{v}**")
            show(bar_chart(df[df[facet] == v], x, y, color, offset=color, height=height))


def show(chart, width="stretch", *, table: bool = True) -> None:
    """The chart with its text alternative (a caption of what it shows, its data as a table)."""
    chart_text.show(chart, table=table, width=width)


# ---------------------------------------------------------------- live training
def _start(key):
    st.session_state[key]["running"] = True


def _stop(key):
    st.session_state[key]["running"] = False


def _reset(key):
    st.session_state.pop(key, None)


def _step(key, n):
    state = st.session_state[key]
    if state["runs"].error is None:
        state["runs"].step(n)


def _curves(runs, metric: str) -> pd.DataFrame:
    """One metric's rows (step, arm, split, value): incremental when the runs keep them so (Arms)."""
    if hasattr(runs, "metric_frame"):
        return runs.metric_frame(metric)
    df = pd.DataFrame(runs.rows())
    df = df[df["metric"] == metric]
    return df.assign(split=df["split"] if "split" in df.columns else "")[["step", "arm", "split", "value"]]


def _settle(key: str, settings, make) -> tuple[dict | None, midrun.MidRunChange | None]:
    """The panel's state after this rerun's settings: built, updated in place, or left with a pending change."""
    ss = st.session_state
    state = ss.get(key)
    if state is None:
        state = ss[key] = {"runs": make(settings), "settings": settings, "running": False}
        return state, None
    runs = state["runs"]
    plan = midrun.plan_change(state["settings"], settings, getattr(make, "live_fields", ()),
                              started=state["running"] or runs.steps > 0,
                              reasons=getattr(make, "reset_reasons", None))
    if plan.rebuild:  # no step taken yet: nothing to lose
        state = ss[key] = {"runs": make(settings), "settings": settings, "running": False}
    elif plan.applied:
        runs.update(plan.settings)  # applied mid-run: drawn as a rule on the curve
        state["settings"] = plan.settings
    return state, plan


def live_panel(key: str, settings, make: Callable[[Any], Any], *, metrics: list[str],
               steps_per_tick: int = 10, run_every: float = RUN_EVERY, max_steps: int = 2000,
               refs: dict[str, tuple[float, str]] | None = None, log_y: tuple[str, ...] = (),
               columns: int = 1):
    """Live training of `make(settings)` with Start/Stop/Step/Reset; returns the runs (or None).

    `make` is the runs class: its `live_fields` may change mid-run, its `reset_reasons` say why
    the others need a Reset. Charts go in `columns` columns."""
    ss = st.session_state
    try:
        state, plan = _settle(key, settings, make)
    except ConfigError as e:
        if key in ss:
            ss[key]["running"] = False
        st.error(f"**Setting not possible:** {e}")
        return None
    runs = state["runs"]
    c = st.columns(4)
    c[0].button("Start", key=f"{key}_start", on_click=_start, args=(key,), disabled=state["running"],
                type="primary", icon=":material/play_arrow:")
    c[1].button("Stop", key=f"{key}_stop", on_click=_stop, args=(key,), disabled=not state["running"],
                icon=":material/pause:")
    c[2].button(f"Step ×{steps_per_tick}", key=f"{key}_stepbtn", on_click=_step, args=(key, steps_per_tick),
                icon=":material/skip_next:")
    c[3].button("Reset", key=f"{key}_reset", on_click=_reset, args=(key,), icon=":material/restart_alt:")
    if plan is not None and plan.pending:
        with st.container(border=True):
            st.warning(plan.message, icon=":material/warning:")
            st.button("Reset and start again with the new settings", key=f"{key}_apply", on_click=_reset,
                      args=(key,), icon=":material/restart_alt:")

    @st.fragment(run_every=run_every if state["running"] else None)
    def _live():
        cur = ss.get(key)
        if cur is None:
            return
        r = cur["runs"]
        if cur["running"]:
            if r.error is None and r.steps < max_steps:
                r.step(min(steps_per_tick, max_steps - r.steps))
            if r.error is not None or r.steps >= max_steps:
                cur["running"] = False
                st.rerun(scope="app")  # stop ticking: the fragment is re-registered without run_every
        if r.error is not None:
            st.error(r.error)
        extra = r.summary() if hasattr(r, "summary") else {}  # a lab's headline numbers, if it has any
        cols = st.columns(1 + len(extra))
        cols[0].metric("training step", r.steps)
        for col, (name, val) in zip(cols[1:], extra.items()):
            value, delta = val if isinstance(val, tuple) else (val, None)  # (value, small text under it)
            col.metric(name, value, delta, delta_color="off")
        if not r.rows():
            st.caption("Press **Start** (or **Step**) to train.")
            return
        slots = st.columns(columns) if columns > 1 else [st.container()]
        for i, m in enumerate(metrics):
            ref, label = (refs or {}).get(m, (None, ""))
            d = _curves(r, m)
            spec = curves_spec(m, dashed=is_dashed(d), ref=ref is not None, log_y=m in log_y)
            spec["datasets"] = curves_datasets(d, r.markers, ref, label)
            with slots[i % len(slots)]:
                st.vega_lite_chart(spec, width="stretch")  # same spec every tick: the browser swaps the data
                st.caption(f"Chart: {chart_text.describe_frame(d, 'step', 'value', ['arm', 'split'], m)}")
                if not cur["running"] and not d.empty:  # a table every tick would slow the live curves
                    with st.expander(chart_text.TABLE_LABEL):
                        st.dataframe(d, hide_index=True)

    _live()
    return runs


def export_panel(key: str, settings, runs=None, extra: dict | None = None) -> None:
    """Curves as CSV, config + seed as JSON, and a link whose query string reproduces the experiment."""
    with st.expander("Export this experiment"):
        qs = query_string(settings)
        base = ""
        try:
            base = (st.context.url or "").split("?")[0]
        except Exception:  # st.context.url is unavailable outside a browser session
            base = ""
        st.markdown(f"[Link that reproduces these settings]({base}{qs})")
        st.code(f"{base}{qs}", language=None)
        meta = {"settings": _as_dict(settings), **(extra or {})}
        if runs is not None:
            meta |= {"steps": runs.steps, "markers": list(runs.markers)}
            st.download_button("Curves (CSV)", pd.DataFrame(runs.rows()).to_csv(index=False),
                               file_name=f"{key}_curves.csv", mime="text/csv", key=f"{key}_csv",
                               on_click="ignore")
        st.download_button("Config + seed (JSON)", json.dumps(meta, indent=2), file_name=f"{key}_config.json",
                           mime="application/json", key=f"{key}_json", on_click="ignore")
