"""Running flow test cases through the engine, and counting which steps they visit.

A case drives the engine exactly as a person would: it presses buttons by their label and
types answers, so a passing case means the flow reads and works as written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bot.engine import Back, FlowSet, Press, Restart, Text, resume, start
from bot.engine import events as ev
from bot.engine.model import CHECKLIST_DONE

from .cases import Case


@dataclass
class CaseResult:
    case: Case
    failure: str | None = None
    visited: set[tuple[str, str]] = field(default_factory=set)

    @property
    def passed(self) -> bool:
        return self.failure is None


def event_texts(event: ev.Event) -> list[str]:
    """Every text a person would read in one event (for `bot:` checks)."""
    if isinstance(event, ev.Say | ev.Ask):
        return [event.text]
    if isinstance(event, ev.Choices):
        return [event.text, *(c.label for c in event.options)]
    if isinstance(event, ev.Checklist):
        return [event.text, *(i.label for i in event.items)]
    if isinstance(event, ev.Missing):
        return [f"{i.label} {i.where or ''} {i.caution or ''}" for i in event.items]
    if isinstance(event, ev.Place):
        return [" ".join(str(v) for v in (event.name, event.caution, event.address, event.hours,
                                          event.phone, event.note) if v)]
    if isinstance(event, ev.Escalate):
        return [event.reason]
    if isinstance(event, ev.Invalid):
        return [event.text or ""]
    if isinstance(event, ev.End):
        return [event.text, *(f"{s.label}: {s.value}" for s in event.summary), *event.bring,
                *(f"{m.label} {m.caution or ''}" for m in event.missing)]
    return []


def _question(events: tuple[ev.Event, ...]) -> ev.Event | None:
    for event in reversed(events):
        if isinstance(event, ev.QUESTION_EVENTS):
            return event
    return None


def _action(answer: str, question: ev.Event | None, step: str) -> ev.Action | str:
    """The engine action for a `user:` line, or an explanation of why there is none."""
    lowered = answer.strip().casefold()
    if lowered == "/back":
        return Back()
    if lowered == "/restart":
        return Restart()
    if isinstance(question, ev.Checklist):
        if lowered == "/done":
            return Press(step, CHECKLIST_DONE)
        for item in question.items:
            if item.label.casefold() == lowered:
                return Press(step, item.key)
        labels = ", ".join(repr(i.label) for i in question.items)
        return f"no checklist item {answer!r}; items are {labels} (and /done)"
    if isinstance(question, ev.Choices):
        for option in question.options:
            if option.label.casefold() == lowered:
                return Press(step, option.key)
        labels = ", ".join(repr(o.label) for o in question.options)
        return f"no button {answer!r}; buttons are {labels}"
    return Text(answer)


def _show(texts: list[str]) -> str:
    lines = [f"      + {line}" for text in texts for line in text.splitlines()]
    return "\n".join(lines) or "      (nothing)"


def run_case(flows: FlowSet, case: Case) -> CaseResult:
    result = CaseResult(case)
    if case.flow not in flows.flows:
        result.failure = f"no flow `{case.flow}`"
        return result
    sprint = start(flows, case.flow, case.lang, today=case.today)
    said = list(sprint.events)
    question = _question(sprint.events)
    result.visited.update(sprint.trace)
    for check in case.checks:
        where = f"{case.file}:{check.line}"
        if check.kind == "bot":
            texts = [t for e in said for t in event_texts(e)]
            if not any(check.value.casefold() in t.casefold() for t in texts):
                result.failure = (f"{where}: expected the bot to say {check.value!r}\n"
                                  f"      - {check.value}\n    but since the last answer it said:"
                                  f"\n{_show(texts)}")
                return result
        elif check.kind == "at":
            if sprint.session["step"] != check.value:
                result.failure = (f"{where}: expected to be at step {check.value!r}\n"
                                  f"      - {check.value}\n      + {sprint.session['step']}")
                return result
        else:
            action = _action(check.value, question, sprint.session["step"])
            if isinstance(action, str):
                result.failure = f"{where}: {action} (at step {sprint.session['step']!r})"
                return result
            sprint = resume(flows, sprint.session, action, today=case.today)
            result.visited.update(sprint.trace)
            if isinstance(action, Back | Restart):
                result.visited.add((sprint.session["flow"], sprint.session["step"]))
            said = list(sprint.events)
            question = _question(sprint.events) or (
                question if not isinstance(action, Back | Restart) else None)
    if case.end is not None:
        status, step = sprint.session["status"], sprint.session["step"]
        if status not in {"ended", "escalated"} or step != case.end:
            result.failure = (f"{case.where}: expected the flow to end at {case.end!r}\n"
                              f"      - ended at {case.end}\n      + {status} at {step}")
    return result


@dataclass
class Coverage:
    """Steps visited per (flow, language), against all steps of each flow."""

    visited: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, lang: str, steps: set[tuple[str, str]]) -> None:
        for flow_id, step_id in steps:
            self.visited[(flow_id, lang)].add(step_id)

    def missing(self, flows: FlowSet) -> dict[tuple[str, str], list[str]]:
        """Unvisited steps for every flow in each of its languages (untested languages too)."""
        gaps = {}
        for flow in flows.flows.values():
            for lang in flow.languages:
                seen = self.visited.get((flow.id, lang), set())
                gaps[(flow.id, lang)] = [s for s in flow.steps if s not in seen]
        return gaps

    def percent(self, flows: FlowSet) -> float:
        gaps = self.missing(flows)
        total = sum(len(flows.flows[f].steps) for f, _ in gaps)
        missing = sum(len(v) for v in gaps.values())
        return 100.0 if total == 0 else 100.0 * (total - missing) / total


def run_cases(flows: FlowSet, cases: list[Case]) -> tuple[list[CaseResult], Coverage]:
    coverage = Coverage()
    results = []
    for case in cases:
        result = run_case(flows, case)
        coverage.add(case.lang, result.visited)
        results.append(result)
    return results, coverage
