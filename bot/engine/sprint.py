"""One sprint's working state: the copied session, and what every part of a run reads from it.

A session is plain JSON-serialisable data, so the bot can store it between messages and a
crash loses nothing. A sprint works on a copy of it (never the caller's dicts) and hands back
the new session with the events to show; the step, answer and navigation modules all act on
this state, so it is the one place that knows the session's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import events as ev
from .model import Flow, FlowSet, Step
from .texts import interpolate

MAX_STEPS = 100
SESSION_FORMAT = 1
Formatter = Callable[[Any, str, str], str]  # (value, kind, lang) -> display text


def plain_format(value: Any, kind: str, lang: str) -> str:
    """The default display of answers; the bot passes a Babel-based formatter instead."""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


@dataclass(frozen=True)
class Sprint:
    session: dict[str, Any]
    events: tuple[ev.Event, ...]
    trace: tuple[tuple[str, str], ...] = ()  # (flow, step) of every step run, for coverage

    @property
    def status(self) -> str:
        return self.session["status"]

    @property
    def step(self) -> str:
        return self.session["step"]


def new_session(flow: Flow, lang: str) -> dict[str, Any]:
    return {"format": SESSION_FORMAT, "flow": flow.id, "root": flow.id, "version": flow.version,
            "lang": lang, "step": flow.start, "kind": None, "status": "waiting", "answers": {},
            "ticked": {}, "history": [], "path": [], "seq": 0}


class Run:
    """One sprint's working state; never shared between sprints."""

    def __init__(self, flows: FlowSet, session: dict[str, Any], today: date | None,
                 fmt: Formatter | None) -> None:
        self.flows = flows
        self.session = {
            **session,
            "answers": dict(session.get("answers", {})),
            "ticked": {k: list(v) for k, v in session.get("ticked", {}).items()},
            "history": list(session.get("history", [])),
        }
        if "path" in session:  # sessions saved before paths were kept have none
            self.session["path"] = list(session["path"])
        self.today = today or date.today()
        self.fmt = fmt or plain_format
        self.events: list[ev.Event] = []
        self.budget = MAX_STEPS
        self.trace: list[tuple[str, str]] = []

    @property
    def flow(self) -> Flow:
        return self.flows.flows[self.session["flow"]]

    @property
    def lang(self) -> str:
        return self.session["lang"]

    def text(self, text: Any) -> str:
        if text is None:
            return ""
        return interpolate(text.get(self.lang), self.session["answers"], self.display)

    def languages(self) -> tuple[str, ...]:
        """The person's language, then the flow's: how their typed answers are read."""
        flow_languages = self.flow.languages
        if flow_languages and flow_languages[0] == self.lang:
            return flow_languages
        return (self.lang, *(lang for lang in flow_languages if lang != self.lang))

    def display(self, name: str, value: Any) -> str:
        step = self.answer_step(name)
        if step is not None and step.kind == "choose":
            for option in step.options:
                if option.value == value:
                    return option.label.get(self.lang)
        kind = step.input or step.kind if step is not None else "text"
        return self.fmt(value, kind, self.lang)

    def answer_step(self, name: str) -> Step | None:
        for flow_id in self._visited_flows():
            flow = self.flows.flows.get(flow_id)
            if flow is not None and name in flow.answer_steps:
                return flow.answer_steps[name]
        return None

    def _visited_flows(self) -> list[str]:
        seen = [self.session["flow"]]
        for frame in reversed(self.session["history"]):
            if frame["flow"] not in seen:
                seen.append(frame["flow"])
        return seen

    def finish(self) -> Sprint:
        self.session["seq"] = self.session.get("seq", 0) + 1
        return Sprint(self.session, tuple(self.events), tuple(self.trace))

    def enter_flow(self, flow: Flow, step_id: str | None = None) -> None:
        self.session.update(flow=flow.id, version=flow.version, step=step_id or flow.start)

    def end_here(self, step_id: str) -> None:
        """The flow cannot go on from `step_id`: say so and end the session."""
        self.events.append(ev.Stuck(step_id))
        self.session["status"] = "ended"

    def push_history(self) -> None:
        """Keep the state before an answer, for /back."""
        frame = {
            "flow": self.session["flow"], "step": self.session["step"],
            "answers": dict(self.session["answers"]),
            "ticked": {k: list(v) for k, v in self.session["ticked"].items()},
        }
        if "path" in self.session:
            frame["path"] = list(self.session["path"])
        self.session["history"].append(frame)

    def walk(self, step: Step) -> None:
        """Record that `step` gave an answer on the current path. Coming back to a step
        already on the path (a loop) abandons what was answered after it the first time."""
        path = self.session.get("path")
        if path is None:  # an older session: it keeps showing every answer
            return
        key = f"{self.session['flow']}/{step.id}"
        if key in path:
            del path[path.index(key):]
        path.append(key)
