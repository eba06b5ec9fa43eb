"""Running steps: from a step, run the automatic ones until a question, an end or the guard.

Each step kind has one function here; `advance` dispatches on the kind and bounds the number
of steps per sprint (MAX_STEPS), so a flow that loops without a question cannot hang the bot.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from . import events as ev
from .model import Step
from .sprint import Run
from .summary import documents, items, summary


def advance(run: Run, step_id: str) -> None:
    """Run automatic steps from `step_id` until a question, an end or the guard."""
    session = run.session
    session["step"] = step_id
    while True:
        run.budget -= 1
        step = run.flow.steps.get(session["step"])
        if step is None or run.budget < 0:
            run.end_here(session["step"])
            return
        session["kind"] = step.kind
        run.trace.append((session["flow"], step.id))
        nxt = _RUNNERS[step.kind](run, step)
        if nxt is None:
            return
        session["step"] = nxt


def question(run: Run, step: Step) -> ev.Event:
    """The event that asks `step`'s question (a checklist shows what is ticked so far)."""
    if step.kind == "ask":
        return ev.Ask(step.id, run.text(step.text), step.input or "text")
    if step.kind == "choose":
        return ev.Choices(step.id, run.text(step.text), tuple(
            ev.Choice(o.key, o.label.get(run.lang)) for o in step.options))
    ticked = set(run.session["ticked"].get(ticked_key(run, step), []))
    return ev.Checklist(step.id, run.text(step.text), tuple(
        ev.ChecklistItem(i.id, i.label.get(run.lang), i.id in ticked)
        for i in items(run, step)))


def ticked_key(run: Run, step: Step) -> str:
    return f"{run.session['flow']}/{step.id}"


def _say(run: Run, step: Step) -> str | None:
    run.events.append(ev.Say(run.text(step.text)))
    return step.next


def _place(run: Run, step: Step) -> str | None:
    office = step.office
    if office is not None:
        run.events.append(ev.Place(
            name=run.text(office.name), address=run.text(office.address) or None,
            hours=run.text(office.hours) or None, phone=office.phone, url=office.url,
            lat=office.lat, lon=office.lon, note=run.text(step.note) or None,
            caution=run.text(office.caution) or None))
    return step.next


def _branch(run: Run, step: Step) -> str | None:
    answers = run.session["answers"]
    for rule in step.rules:
        if rule.condition.is_true(answers, run.today):
            return rule.next
    return step.otherwise


def _escalate(run: Run, step: Step) -> str | None:
    run.events.append(ev.Escalate(step.id, run.text(step.text), waiting=not step.next))
    if not step.next:
        run.session["status"] = "escalated"
    return step.next


def _compute(run: Run, step: Step) -> str | None:
    value = None
    if step.expression is not None:
        value = step.expression.evaluate(run.session["answers"], run.today)
    if isinstance(value, float) and not math.isfinite(value):
        value = None  # not a number a person could be shown, nor valid JSON
    if step.save:
        run.session["answers"][step.save] = value
        run.walk(step)
    return step.next


def _flow(run: Run, step: Step) -> str | None:
    target = run.flows.flows.get(step.target_flow or "")
    if target is None:
        run.end_here(step.id)
        return None
    run.enter_flow(target, step.target_step)
    return run.session["step"]


def _end(run: Run, step: Step) -> str | None:
    lines = summary(run) if step.summary else ()
    bring, missing = documents(run)
    run.events.append(ev.End(step.id, run.text(step.text), lines, bring, missing))
    run.session["status"] = "ended"
    return None


def _ask(run: Run, step: Step) -> str | None:
    run.session["status"] = "waiting"
    run.events.append(question(run, step))
    return None


_RUNNERS: dict[str, Callable[[Run, Step], str | None]] = {
    "say": _say, "place": _place, "branch": _branch, "escalate": _escalate,
    "compute": _compute, "flow": _flow, "end": _end,
    "ask": _ask, "choose": _ask, "checklist": _ask,
}
