"""Anonymous journey events: where people go in a procedure, and where they stop.

Why this shape (privacy by construction): an event says *what happened where* (procedure, step,
language, country, day) and never *to whom*. There is no user id and no per-run token: to count
each run once per step, the run's own session remembers which steps it already counted (the
``journey`` key of the session, which /forget erases with the session). The events table holds
counts per day (see ``bot/storage/journey.py``), so nothing in it can be linked to a person and
/forget has nothing to erase there.

Kinds, each with the step it happened at:

* ``started`` (the procedure's first step), ``reached`` (once per run and step), ``completed``
  (an end step), ``stuck`` (the step guard stopped a broken flow);
* ``answered`` with the answer's kind as detail (``date``, ``choice``, ``checklist``... never
  the answer), ``invalid`` (an answer that did not fit), ``back``, ``restarted``;
* ``escalated`` (detail ``step``: an escalation step; ``human``: /human or the volunteer button),
  once per run and step;
* ``abandoned``: no activity for ``ABANDON_AFTER_HOURS`` (found by :class:`AbandonScanner`), or
  another procedure opened mid-way; ``returned``: a run counted as abandoned went on after all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.background import BackgroundWorker
from bot.engine import FlowSet, Sprint
from bot.engine import events as ev
from bot.storage import journey as store
from bot.storage.db import Database, Tx

log = logging.getLogger(__name__)

KEY = "journey"  # the session key holding the run's counting state


@dataclass(frozen=True)
class Event:
    """One anonymous event of a run: ``kind`` at ``step`` (``detail``: e.g. an answer kind)."""

    kind: str
    step: str
    detail: str = ""


def day_of(when: float) -> str:
    """The UTC day of a Unix time: events carry no time of day."""
    return datetime.fromtimestamp(when, UTC).date().isoformat()


def _answer_kind(flows: FlowSet, session: dict[str, Any]) -> str:
    flow = flows.flows.get(session.get("flow", ""))
    step = flow.steps.get(session.get("step", "")) if flow else None
    if step is None:
        return ""
    if step.kind == "ask":
        return step.input or "text"
    return "choice" if step.kind == "choose" else step.kind


def _step_key(session: dict[str, Any], flow_id: str, step_id: str) -> str:
    """A step of the procedure itself is its id; a step of a sub-flow is "subflow/step"."""
    root = session.get("root", session.get("flow"))
    return step_id if flow_id == root else f"{flow_id}/{step_id}"


def _running(session: dict[str, Any] | None) -> bool:
    return bool(session) and KEY in session and session.get("status") != "ended"


def derive(before: dict[str, Any] | None, sprint: Sprint, flows: FlowSet
           ) -> tuple[list[Event], list[Event], dict[str, Any]]:
    """What a sprint means for the journey: (events of the run left behind, events of this
    run, this run's new counting state). Pure: no clock, no database."""
    after = sprint.session
    root = after.get("root", after.get("flow", ""))
    left: list[Event] = []
    events: list[Event] = []
    state = after.get(KEY)
    if state is None:  # a new session (engine.start never carries our key)
        same = _running(before) and before.get("root") == root
        if same:
            state = before[KEY]
            if state.get("idle"):
                events.append(Event("returned", _step_key(before, before["flow"],
                                                          before["step"])))
            events.append(Event("restarted", _step_key(before, before["flow"], before["step"])))
        else:
            if _running(before) and not before[KEY].get("idle"):
                left.append(Event("abandoned", _step_key(before, before["flow"],
                                                         before["step"])))
            flow = flows.flows.get(root)
            state = {"c": flow.country if flow else "", "seen": []}
            events.append(Event("started", flow.start if flow else after.get("step", "")))
    else:
        state = dict(state)
        was = before if before is not None else after
        if state.get("idle"):
            events.append(Event("returned", _step_key(was, was["flow"], was["step"])))
        if before is not None:
            events += _moves(before, sprint, flows)
    state["idle"] = False
    seen = list(state.get("seen", []))
    seen += ["e:" + e.step for e in events if e.kind == "escalated"]
    for flow_id, step_id in sprint.trace:
        key = _step_key(after, flow_id, step_id)
        if "r:" + key not in seen:
            seen.append("r:" + key)
            events.append(Event("reached", key))
    for event in sprint.events:
        if isinstance(event, ev.Escalate):
            key = _step_key(after, after["flow"], event.step)
            if "e:" + key not in seen:
                seen.append("e:" + key)
                events.append(Event("escalated", key, "step"))
        elif isinstance(event, ev.End):
            events.append(Event("completed", _step_key(after, after["flow"], event.step)))
        elif isinstance(event, ev.Stuck):
            events.append(Event("stuck", _step_key(after, after["flow"], event.step)))
        elif isinstance(event, ev.Invalid):
            events.append(Event("invalid", _step_key(after, after["flow"], event.step),
                                event.input))
    state["seen"] = seen
    return left, events, state


def _moves(before: dict[str, Any], sprint: Sprint, flows: FlowSet) -> list[Event]:
    """Answers, steps back and /human pauses, from the session before and after."""
    after = sprint.session
    here = _step_key(before, before["flow"], before["step"])
    grew = len(after.get("history", [])) - len(before.get("history", []))
    if grew > 0 and before.get("status") == "waiting":
        return [Event("answered", here, _answer_kind(flows, before))]
    if grew < 0:
        return [Event("back", here)]
    if (before.get("status") == "waiting" and after.get("status") == "escalated"
            and not sprint.events and "e:" + here not in before.get(KEY, {}).get("seen", [])):
        return [Event("escalated", here, "human")]
    return []


def _keys(session: dict[str, Any], country: str, events: list[Event], day: str
          ) -> list[store.EventKey]:
    root = session.get("root", session.get("flow", ""))
    lang = session.get("lang", "")
    return [(day, country, root, e.step, lang, e.kind, e.detail) for e in events]


async def record_sprint(tx: Tx, *, before: dict[str, Any] | None, sprint: Sprint,
                        flows: FlowSet, now: float | None = None) -> dict[str, Any]:
    """Count a sprint's journey events; return the session to save (with the run's state).

    Called by the flow path wherever a sprint is saved; nothing it writes names the person.
    """
    left, events, state = derive(before, sprint, flows)
    session = {**sprint.session, KEY: state}
    day = day_of(time.time() if now is None else now)
    keys = _keys(session, state.get("c", ""), events, day)
    if left and before is not None:
        keys += _keys(before, before[KEY].get("c", ""), left, day)
    await store.add(tx, keys)
    return session


class AbandonScanner(BackgroundWorker):
    """Counts runs nobody touched for ``after_hours`` as abandoned at their step.

    Reads sessions (which name a chat) but writes only anonymous counts: the day of the last
    activity, the procedure, step, language and country. Each run is counted once; a person
    who comes back later is counted as ``returned``.
    """

    batch = 500
    task_name = "passerelle-abandon"

    def __init__(self, db: Database, after_hours: float, *, interval: float = 900.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.db, self.after_s, self.interval, self.clock = db, after_hours * 3600, interval, clock

    async def run_once(self) -> int:
        """Count every run idle for too long; return how many."""
        counted = 0
        while True:
            rows = await store.idle_sessions(self.db, self.clock() - self.after_s, self.batch)
            if not rows:
                return counted
            async with self.db.transaction() as tx:
                keys: list[store.EventKey] = []
                for row in rows:
                    session = json.loads(row["data"])
                    session[KEY] = {**session[KEY], "idle": True}
                    if await store.mark_idle(tx, row["chat_id"], row["updated_at"], session):
                        step = _step_key(session, session["flow"], session["step"])
                        keys += _keys(session, session[KEY].get("c", ""),
                                      [Event("abandoned", step)], day_of(row["updated_at"]))
                        counted += 1
                await store.add(tx, keys)
            if len(rows) < self.batch:
                return counted

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("journey: the abandonment scan failed")
            await asyncio.sleep(self.interval)
