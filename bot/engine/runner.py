"""Running flows: `start` and `resume` turn a session and an action into a Sprint.

A session is plain JSON-serialisable data, so the bot can store it between messages and a
crash loses nothing. Each sprint runs at most MAX_STEPS steps, so a bad flow cannot hang it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import events as ev
from .inputs import InvalidAnswer, parse_answer
from .model import CHECKLIST_DONE, Flow, FlowSet, Item, Step
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


class _Run:
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

    # -- helpers -------------------------------------------------------------------------
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
        step = self._answer_step(name)
        if step is not None and step.kind == "choose":
            for option in step.options:
                if option.value == value:
                    return option.label.get(self.lang)
        kind = step.input or step.kind if step is not None else "text"
        return self.fmt(value, kind, self.lang)

    def _answer_step(self, name: str) -> Step | None:
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

    # -- running ---------------------------------------------------------------------------
    def advance(self, step_id: str) -> None:
        """Run automatic steps from `step_id` until a question, an end or the guard."""
        self.session["step"] = step_id
        while True:
            self.budget -= 1
            step = self.flow.steps.get(self.session["step"])
            if step is None or self.budget < 0:
                self.events.append(ev.Stuck(self.session["step"]))
                self.session["status"] = "ended"
                return
            self.session["kind"] = step.kind
            self.trace.append((self.session["flow"], step.id))
            nxt = getattr(self, f"_run_{step.kind}")(step)
            if nxt is None:
                return
            self.session["step"] = nxt

    def _run_say(self, step: Step) -> str | None:
        self.events.append(ev.Say(self.text(step.text)))
        return step.next

    def _run_place(self, step: Step) -> str | None:
        office = step.office
        if office is not None:
            self.events.append(ev.Place(
                name=self.text(office.name), address=self.text(office.address) or None,
                hours=self.text(office.hours) or None, phone=office.phone, url=office.url,
                lat=office.lat, lon=office.lon, note=self.text(step.note) or None))
        return step.next

    def _run_branch(self, step: Step) -> str | None:
        answers = self.session["answers"]
        for rule in step.rules:
            if rule.condition.is_true(answers, self.today):
                return rule.next
        return step.otherwise

    def _run_escalate(self, step: Step) -> str | None:
        self.events.append(ev.Escalate(step.id, self.text(step.text), waiting=not step.next))
        if not step.next:
            self.session["status"] = "escalated"
        return step.next

    def _run_compute(self, step: Step) -> str | None:
        value = None
        if step.expression is not None:
            value = step.expression.evaluate(self.session["answers"], self.today)
        if isinstance(value, float) and not math.isfinite(value):
            value = None  # not a number a person could be shown, nor valid JSON
        if step.save:
            self.session["answers"][step.save] = value
            self.walk(step)
        return step.next

    def _run_flow(self, step: Step) -> str | None:
        target = self.flows.flows.get(step.target_flow or "")
        if target is None:
            self.events.append(ev.Stuck(step.id))
            self.session["status"] = "ended"
            return None
        self.enter_flow(target, step.target_step)
        return self.session["step"]

    def _run_end(self, step: Step) -> str | None:
        summary = self._summary() if step.summary else ()
        bring, missing = self._documents()
        self.events.append(ev.End(step.id, self.text(step.text), summary, bring, missing))
        self.session["status"] = "ended"
        return None

    def _run_ask(self, step: Step) -> str | None:
        self.session["status"] = "waiting"
        self.events.append(self.question(step))
        return None

    _run_choose = _run_ask
    _run_checklist = _run_ask

    def question(self, step: Step) -> ev.Event:
        if step.kind == "ask":
            return ev.Ask(step.id, self.text(step.text), step.input or "text")
        if step.kind == "choose":
            return ev.Choices(step.id, self.text(step.text), tuple(
                ev.Choice(o.key, o.label.get(self.lang)) for o in step.options))
        ticked = set(self.session["ticked"].get(self._ticked_key(step), []))
        return ev.Checklist(step.id, self.text(step.text), tuple(
            ev.ChecklistItem(i.id, i.label.get(self.lang), i.id in ticked)
            for i in self.items(step)))

    def items(self, step: Step) -> list[Item]:
        """The checklist items that exist for this person (their `if:` is true now)."""
        answers, today = self.session["answers"], self.today
        return [item for item in step.items
                if item.condition is None or item.condition.is_true(answers, today)]

    def _ticked_key(self, step: Step) -> str:
        return f"{self.session['flow']}/{step.id}"

    def _path_steps(self) -> list[Step] | None:
        """The steps that saved an answer on the person's current path, in order."""
        path = self.session.get("path")
        if path is None:
            return None
        steps = []
        for key in path:
            flow_id, _, step_id = key.partition("/")
            flow = self.flows.flows.get(flow_id)
            step = flow.steps.get(step_id) if flow else None
            if step is not None:
                steps.append(step)
        return steps

    def _summary(self) -> tuple[ev.SummaryLine, ...]:
        answers = self.session["answers"]
        path = self._path_steps()
        if path is None:  # an older session: every answer it holds
            named = {name: self._answer_step(name) for name in answers}
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
            shown = self._option_label(step, value) if step.kind == "choose" else value
            lines.append(ev.SummaryLine(self.text(step.label), shown,
                                        "choice" if step.kind == "choose" else step.input or ""))
        return tuple(lines)

    def _option_label(self, step: Step, value: Any) -> Any:
        for option in step.options:
            if option.value == value:
                return option.label.get(self.lang)
        return self.fmt(value, "choice", self.lang)

    def _checklists(self) -> list[tuple[Step, list[str]]]:
        ticked_by_key = self.session["ticked"]
        path = self.session.get("path")
        keys = ticked_by_key if path is None else dict.fromkeys(
            key for key in path if key in ticked_by_key)
        found = []
        for key in keys:
            flow_id, _, step_id = key.partition("/")
            flow = self.flows.flows.get(flow_id)
            step = flow.steps.get(step_id) if flow else None
            if step is not None and step.kind == "checklist":
                found.append((step, ticked_by_key[key]))
        return found

    def _documents(self) -> tuple[tuple[str, ...], tuple[ev.MissingItem, ...]]:
        bring: list[str] = []
        missing: list[ev.MissingItem] = []
        for step, ticked in self._checklists():
            for item in self.items(step):
                label = item.label.get(self.lang)
                if item.id in ticked:
                    bring.append(label)
                else:
                    missing.append(ev.MissingItem(label, self.text(item.where) or None))
        return tuple(bring), tuple(missing)

    # -- answering -------------------------------------------------------------------------
    def push_history(self) -> None:
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

    def answer(self, step: Step, value: Any, nxt: str | None) -> None:
        self.push_history()
        self.walk(step)
        if step.save:
            self.session["answers"][step.save] = value
        if nxt is None:  # checked at load time; kept safe for a flow loaded with errors
            self.events.append(ev.Stuck(step.id))
            self.session["status"] = "ended"
            return
        self.advance(nxt)

    def on_text(self, step: Step, text: str) -> None:
        if step.kind == "ask":
            try:
                value = parse_answer(step.input or "text", text, languages=self.languages(),
                                     today=self.today, minimum=step.min, maximum=step.max)
            except InvalidAnswer as exc:
                retry = self.text(step.retry) if step.retry else None
                self.events.append(ev.Invalid(step.id, step.input or "text", retry, exc.reason,
                                              step.min, step.max))
                return
            self.answer(step, value, step.next)
            return
        wanted = text.strip().casefold()
        if step.kind == "choose":
            for number, option in enumerate(step.options, start=1):
                if wanted in {str(number), option.label.get(self.lang).casefold()}:
                    self.answer(step, option.value, option.next)
                    return
        else:
            for number, item in enumerate(self.items(step), start=1):
                if wanted in {str(number), item.label.get(self.lang).casefold()}:
                    self.on_press(step, item.id)
                    return
        self.events.append(ev.Invalid(step.id, "choice" if step.kind == "choose" else "checklist",
                                      None))

    def on_press(self, step: Step, key: str) -> None:
        if step.kind == "choose":
            for option in step.options:
                if option.key == key:
                    self.answer(step, option.value, option.next)
                    return
        elif step.kind == "ask" and step.input == "yesno" and key in {"yes", "no"}:
            self.answer(step, key == "yes", step.next)
            return
        elif step.kind == "checklist":
            ticked_key = self._ticked_key(step)
            ticked = self.session["ticked"].setdefault(ticked_key, [])
            if key == CHECKLIST_DONE:
                self.finish_checklist(step, ticked)
                return
            if any(item.id == key for item in self.items(step)):
                if key in ticked:
                    ticked.remove(key)
                else:
                    ticked.append(key)
                self.events.append(self.question(step))
                return
        self.stale()

    def finish_checklist(self, step: Step, ticked: list[str]) -> None:
        items = self.items(step)
        missing = tuple(ev.MissingItem(i.label.get(self.lang), self.text(i.where) or None)
                        for i in items if i.id not in ticked)
        if missing:
            self.events.append(ev.Missing(missing))
        self.answer(step, [i.id for i in items if i.id in ticked], step.next)

    def stale(self) -> None:
        self.events.append(ev.Stale())
        self.show_current()

    def show_current(self) -> None:
        step = self.flow.steps.get(self.session["step"])
        if self.session["status"] == "waiting" and step is not None and step.is_question:
            self.events.append(self.question(step))

    def back(self) -> None:
        history = self.session["history"]
        while history:
            frame = history.pop()
            flow = self.flows.flows.get(frame["flow"])
            step = flow.steps.get(frame["step"]) if flow else None
            if step is None or not step.is_question:
                continue  # the flow changed and that step is gone: go further back
            self.enter_flow(flow, step.id)
            self.session.update(answers=dict(frame["answers"]),
                                ticked={k: list(v) for k, v in frame["ticked"].items()},
                                status="waiting", kind=step.kind)
            if "path" in frame:
                self.session["path"] = list(frame["path"])
            self.events.append(self.question(step))
            return
        self.show_current()


def new_session(flow: Flow, lang: str) -> dict[str, Any]:
    return {"format": SESSION_FORMAT, "flow": flow.id, "root": flow.id, "version": flow.version,
            "lang": lang, "step": flow.start, "kind": None, "status": "waiting", "answers": {},
            "ticked": {}, "history": [], "path": [], "seq": 0}


def start(flows: FlowSet, flow_id: str, lang: str, *, today: date | None = None,
          fmt: Formatter | None = None) -> Sprint:
    """Start `flow_id` in `lang` (a language the flow lacks falls back to its first one)."""
    flow = flows.flows[flow_id]
    run = _Run(flows, new_session(flow, lang), today, fmt)
    run.advance(flow.start)
    return run.finish()


def current(flows: FlowSet, session: dict[str, Any], *, today: date | None = None,
            fmt: Formatter | None = None) -> Sprint:
    """Show the current question again (after /menu, a stale button, a restart of the bot)."""
    return resume(flows, session, None, today=today, fmt=fmt)


def _changed_flow(run: _Run, session: dict[str, Any]) -> Sprint | None:
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
    run = _Run(flows, session, today, fmt)
    changed = _changed_flow(run, session)
    if changed is not None:
        return changed
    if isinstance(action, ev.Restart):
        root = flows.flows.get(session.get("root", session["flow"]), run.flow)
        return start(flows, root.id, session["lang"], today=today, fmt=fmt)
    if isinstance(action, ev.Back):
        run.back()
        return run.finish()
    step = run.flow.steps.get(session["step"])
    waiting = session["status"] == "waiting" and step is not None and step.is_question
    if isinstance(action, ev.Press):
        if not waiting or action.step != step.id:
            run.stale()
        else:
            run.on_press(step, action.key)
    elif isinstance(action, ev.Text) and waiting:
        run.on_text(step, action.text)
    elif action is None:
        run.show_current()
    return run.finish()
