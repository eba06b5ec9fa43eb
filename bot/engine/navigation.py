"""Moving around a flow without answering: /back, a stale button, showing the step again.

/back walks the history kept before each answer (`Run.push_history`); a frame whose step is
gone from a changed flow is skipped, so the person lands on the latest question that exists.
"""

from __future__ import annotations

from . import events as ev
from .sprint import Run
from .steps import question


def stale(run: Run) -> None:
    """A button of an earlier step was pressed: say so and show the current question."""
    run.events.append(ev.Stale())
    show_current(run)


def show_current(run: Run) -> None:
    step = run.flow.steps.get(run.session["step"])
    if run.session["status"] == "waiting" and step is not None and step.is_question:
        run.events.append(question(run, step))


def back(run: Run) -> None:
    history = run.session["history"]
    while history:
        frame = history.pop()
        flow = run.flows.flows.get(frame["flow"])
        step = flow.steps.get(frame["step"]) if flow else None
        if step is None or not step.is_question:
            continue  # the flow changed and that step is gone: go further back
        run.enter_flow(flow, step.id)
        run.session.update(answers=dict(frame["answers"]),
                           ticked={k: list(v) for k, v in frame["ticked"].items()},
                           status="waiting", kind=step.kind)
        if "path" in frame:
            run.session["path"] = list(frame["path"])
        run.events.append(question(run, step))
        return
    show_current(run)
