"""Running flows: `start` and `resume` turn a session and an action into a Sprint.

A session is plain JSON-serialisable data, so the bot can store it between messages and a
crash loses nothing. Each sprint runs at most MAX_STEPS steps, so a bad flow cannot hang it.

This module is the engine's entry: it decides what an action does (restart, back, a press,
a text) and what happens when the flow changed under a saved session. The work itself lives
in `sprint` (the session's working state), `steps` (running steps), `answers` (typed text and
presses), `navigation` (/back, stale buttons) and `summary` (what an end step shows).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from . import events as ev
from .answers import on_press, on_text
from .model import FlowSet
from .navigation import back, show_current, stale
from .sprint import MAX_STEPS, SESSION_FORMAT, Formatter, Run, Sprint, new_session, plain_format
from .steps import advance

__all__ = ["MAX_STEPS", "SESSION_FORMAT", "Formatter", "Sprint", "current", "new_session",
           "plain_format", "resume", "start"]


def start(flows: FlowSet, flow_id: str, lang: str, *, today: date | None = None,
          fmt: Formatter | None = None) -> Sprint:
    """Start `flow_id` in `lang` (a language the flow lacks falls back to its first one)."""
    flow = flows.flows[flow_id]
    run = Run(flows, new_session(flow, lang), today, fmt)
    advance(run, flow.start)
    return run.finish()


def current(flows: FlowSet, session: dict[str, Any], *, today: date | None = None,
            fmt: Formatter | None = None) -> Sprint:
    """Show the current question again (after /menu, a stale button, a restart of the bot)."""
    return resume(flows, session, None, today=today, fmt=fmt)


def _changed_flow(run: Run, session: dict[str, Any]) -> Sprint | None:
    """Handle a flow file that changed or vanished since the session was saved."""
    flow = run.flows.flows.get(session["flow"])
    if flow is None:
        run.events.append(ev.FlowChanged(removed=True))
        run.session["status"] = "ended"
        return run.finish()
    if flow.version == session.get("version"):
        return None
    step = flow.steps.get(session["step"])
    if step is not None and step.kind == session.get("kind"):
        run.session["version"] = flow.version  # their step still exists: carry on
        return None
    run.events.append(ev.FlowChanged(removed=False))
    root = run.flows.flows.get(session.get("root", flow.id), flow)
    fresh = start(run.flows, root.id, session["lang"], today=run.today, fmt=run.fmt)
    return Sprint(fresh.session, (*run.events, *fresh.events), fresh.trace)


def resume(flows: FlowSet, session: dict[str, Any], action: ev.Action | None, *,
           today: date | None = None, fmt: Formatter | None = None) -> Sprint:
    """Apply one action to a session; `None` only shows the current step again."""
    run = Run(flows, session, today, fmt)
    changed = _changed_flow(run, session)
    if changed is not None:
        return changed
    if isinstance(action, ev.Restart):
        root = flows.flows.get(session.get("root", session["flow"]), run.flow)
        return start(flows, root.id, session["lang"], today=today, fmt=fmt)
    if isinstance(action, ev.Back):
        back(run)
        return run.finish()
    step = run.flow.steps.get(session["step"])
    waiting = session["status"] == "waiting" and step is not None and step.is_question
    if isinstance(action, ev.Press):
        if not waiting or action.step != step.id:
            stale(run)
        else:
            on_press(run, step, action.key)
    elif isinstance(action, ev.Text) and waiting:
        on_text(run, step, action.text)
    elif action is None:
        show_current(run)
    return run.finish()
