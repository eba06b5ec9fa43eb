"""What an `end` step shows: the labelled answers on the person's path and their documents.

Only answers given on the current path count (an answer overwritten by going back shows its
latest value, one on an abandoned branch not at all); sessions saved before paths were kept
show every answer they hold.
"""

from __future__ import annotations

from typing import Any

from . import events as ev
from .model import Item, Step
from .sprint import Run


def items(run: Run, step: Step) -> list[Item]:
    """The checklist items that exist for this person (their `if:` is true now)."""
    answers, today = run.session["answers"], run.today
    return [item for item in step.items
            if item.condition is None or item.condition.is_true(answers, today)]


def _path_steps(run: Run) -> list[Step] | None:
    """The steps that saved an answer on the person's current path, in order."""
    path = run.session.get("path")
    if path is None:
        return None
    steps = []
    for key in path:
        step = _step_at(run, key)
        if step is not None:
            steps.append(step)
    return steps


def _step_at(run: Run, key: str) -> Step | None:
    """The step a "flow/step" key names, or None when the flow or the step is gone."""
    flow_id, _, step_id = key.partition("/")
    flow = run.flows.flows.get(flow_id)
    return flow.steps.get(step_id) if flow else None


def summary(run: Run) -> tuple[ev.SummaryLine, ...]:
    answers = run.session["answers"]
    path = _path_steps(run)
    if path is None:  # an older session: every answer it holds
        named = {name: run.answer_step(name) for name in answers}
    else:  # an answer given twice shows once, with the step that gave the latest one
        named = {}
        for step in path:  # the label of the latest step with one; the latest value
            if step.save and (step.label is not None or step.save not in named):
                named[step.save] = step
    lines = []
    for name, step in named.items():
        if (step is None or step.label is None or step.kind == "checklist"
                or name not in answers):
            continue
        value = answers[name]
        shown = _option_label(run, step, value) if step.kind == "choose" else value
        lines.append(ev.SummaryLine(run.text(step.label), shown,
                                    "choice" if step.kind == "choose" else step.input or ""))
    return tuple(lines)


def _option_label(run: Run, step: Step, value: Any) -> Any:
    for option in step.options:
        if option.value == value:
            return option.label.get(run.lang)
    return run.fmt(value, "choice", run.lang)


def _checklists(run: Run) -> list[tuple[Step, list[str]]]:
    ticked_by_key = run.session["ticked"]
    path = run.session.get("path")
    keys = ticked_by_key if path is None else dict.fromkeys(
        key for key in path if key in ticked_by_key)
    found = []
    for key in keys:
        step = _step_at(run, key)
        if step is not None and step.kind == "checklist":
            found.append((step, ticked_by_key[key]))
    return found


def documents(run: Run) -> tuple[tuple[str, ...], tuple[ev.MissingItem, ...]]:
    """What to bring (ticked) and what is still missing, from the checklists on the path."""
    bring: list[str] = []
    missing: list[ev.MissingItem] = []
    for step, ticked in _checklists(run):
        for item in items(run, step):
            label = item.label.get(run.lang)
            if item.id in ticked:
                bring.append(label)
            else:
                missing.append(missing_item(run, item))
    return tuple(bring), tuple(missing)


def missing_item(run: Run, item: Item) -> ev.MissingItem:
    """A missing document with where to get it and, for an office where people may be
    detained, that office's caution (shown with it, after a checklist and at the end)."""
    office = item.office
    where = run.text(item.where) or (run.text(office.name) if office is not None else "")
    caution = run.text(office.caution) if office is not None else ""
    return ev.MissingItem(item.label.get(run.lang), where or None, caution or None)
