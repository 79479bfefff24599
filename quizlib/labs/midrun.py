"""What a settings change does to a lab's run in progress: apply it now, or keep the run and offer Reset.

A lab's runs object (an `Arms` subclass) lists in `live_fields` the settings a run can take
mid-flight (η, λ, p, α …: the next step simply uses them) and in `reset_reasons` why the
others cannot (they redraw the data or change the network's shape). `plan_change` turns
(the run's settings, the page's settings) into a `MidRunChange`; the live panel only
renders it. Nothing is thrown away without the student asking: a run that has not taken a
step is rebuilt (there is nothing to lose), otherwise the live fields are applied and the
others wait, named in a message, until the student presses Reset.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

DEFAULT_REASON = "the run was built with it"


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


@dataclass(frozen=True)
class MidRunChange:
    """The decision for one rerun of a lab page.

    rebuild: start afresh with the page's settings (the run has no steps yet);
    settings: the settings the run should carry now (its own, with the live fields taken from the page);
    applied: live fields whose change takes effect at the current step (the curve gets a marker);
    pending: fields that differ from the page but need a Reset; `message` says so.
    """

    rebuild: bool
    settings: Any
    applied: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    message: str = ""


def changed_fields(old, new) -> tuple[str, ...]:
    """Names of the dataclass fields that differ between two settings of one type, in field order."""
    return tuple(f.name for f in dataclasses.fields(new) if getattr(old, f.name) != getattr(new, f.name))


def pending_message(run_settings, page_settings, pending, reasons: dict[str, str] | None = None) -> str:
    """'depth 8 → 5 needs a fresh run (it changes the network's shape); the curves keep depth 8 …'."""
    parts = [f"**{name}** {_fmt(getattr(run_settings, name))} → {_fmt(getattr(page_settings, name))} "
             f"({(reasons or {}).get(name, DEFAULT_REASON)})" for name in pending]
    kept = ", ".join(f"{name} = {_fmt(getattr(run_settings, name))}" for name in pending)
    return (f"Cannot change mid-run: {'; '.join(parts)}. This run goes on with {kept}; "
            "press **Reset** to start a new run with the new setting.")


def plan_change(run_settings, page_settings, live_fields, *, started: bool,
                reasons: dict[str, str] | None = None) -> MidRunChange:
    """Decide what to do when the page's settings differ from the run's.

    `started` is True once the run has taken a step or is running: from then on only
    `live_fields` change the run, the rest is reported as pending (never a silent restart).
    """
    diff = changed_fields(run_settings, page_settings)
    if not diff:
        return MidRunChange(rebuild=False, settings=run_settings)
    if not started:
        return MidRunChange(rebuild=True, settings=page_settings)
    live = set(live_fields)
    applied = tuple(d for d in diff if d in live)
    pending = tuple(d for d in diff if d not in live)
    settings = dataclasses.replace(run_settings, **{d: getattr(page_settings, d) for d in applied})
    message = pending_message(run_settings, page_settings, pending, reasons) if pending else ""
    return MidRunChange(rebuild=False, settings=settings, applied=applied, pending=pending, message=message)
