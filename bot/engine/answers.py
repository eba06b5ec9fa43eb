"""Answering the waiting question: a typed text or a pressed button becomes an answer.

Typed text is read in the person's language first (`Run.languages`); an option or a checklist
item may also be typed by its number or its label. A press on another step's button is stale.
"""

from __future__ import annotations

from typing import Any

from . import events as ev
from .inputs import InvalidAnswer, parse_answer
from .model import CHECKLIST_DONE, Step
from .navigation import stale
from .sprint import Run
from .steps import advance, question, ticked_key
from .summary import items, missing_item


def answer(run: Run, step: Step, value: Any, nxt: str | None) -> None:
    """Save `value` as `step`'s answer (history first, for /back) and go on to `nxt`."""
    run.push_history()
    run.walk(step)
    if step.save:
        run.session["answers"][step.save] = value
    if nxt is None:  # checked at load time; kept safe for a flow loaded with errors
        run.end_here(step.id)
        return
    advance(run, nxt)


def on_text(run: Run, step: Step, text: str) -> None:
    if step.kind == "ask":
        try:
            value = parse_answer(step.input or "text", text, languages=run.languages(),
                                 today=run.today, minimum=step.min, maximum=step.max)
        except InvalidAnswer as exc:
            retry = run.text(step.retry) if step.retry else None
            run.events.append(ev.Invalid(step.id, step.input or "text", retry, exc.reason,
                                         step.min, step.max))
            return
        answer(run, step, value, step.next)
        return
    wanted = text.strip().casefold()
    if step.kind == "choose":
        for number, option in enumerate(step.options, start=1):
            if wanted in {str(number), option.label.get(run.lang).casefold()}:
                answer(run, step, option.value, option.next)
                return
    else:
        for number, item in enumerate(items(run, step), start=1):
            if wanted in {str(number), item.label.get(run.lang).casefold()}:
                on_press(run, step, item.id)
                return
    run.events.append(ev.Invalid(step.id, "choice" if step.kind == "choose" else "checklist",
                                 None))


def on_press(run: Run, step: Step, key: str) -> None:
    if step.kind == "choose":
        for option in step.options:
            if option.key == key:
                answer(run, step, option.value, option.next)
                return
    elif step.kind == "ask" and step.input == "yesno" and key in {"yes", "no"}:
        answer(run, step, key == "yes", step.next)
        return
    elif step.kind == "checklist":
        ticked = run.session["ticked"].setdefault(ticked_key(run, step), [])
        if key == CHECKLIST_DONE:
            _finish_checklist(run, step, ticked)
            return
        if any(item.id == key for item in items(run, step)):
            if key in ticked:
                ticked.remove(key)
            else:
                ticked.append(key)
            run.events.append(question(run, step))
            return
    stale(run)


def _finish_checklist(run: Run, step: Step, ticked: list[str]) -> None:
    shown = items(run, step)
    missing = tuple(missing_item(run, i) for i in shown if i.id not in ticked)
    if missing:
        run.events.append(ev.Missing(missing))
    answer(run, step, [i.id for i in shown if i.id in ticked], step.next)
