"""References between files: `next:` and other step ids, `flow:` targets, named offices.

Each unknown name is reported where it is written, with the closest known name as the hint
(`did_you_mean`, also used by the answer checks).
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from .fields import Reporter
from .model import Country, Flow, Step
from .parse import ParsedFlow


def did_you_mean(name: str, known: list[str]) -> str:
    """The hint for a misspelt name: the closest known one, or "" when none is close."""
    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean `{close[0]}`?" if close else ""


def check_references(item: ParsedFlow, flows: dict[str, Flow], report: Reporter) -> None:
    """Every step id and flow (and step in it) this file names must exist."""
    flow = item.flow
    known_steps = list(flow.steps)
    for target, pos in item.step_refs:
        if target not in flow.steps:
            report.error(pos, "unknown-step", f"no step `{target}` in this flow",
                         did_you_mean(target, known_steps) or "add the step or fix the id")
    for target, step_id, pos in item.flow_refs:
        other = flows.get(target)
        if other is None:
            report.error(pos, "unknown-flow", f"no flow `{target}`",
                         did_you_mean(target, list(flows)) or "check the flow id")
        elif step_id is not None and step_id not in other.steps:
            report.error(pos, "unknown-step", f"flow `{target}` has no step `{step_id}`",
                         did_you_mean(step_id, list(other.steps))
                         or f"check the step ids in {other.file}")


def resolve_offices(item: ParsedFlow, flow: Flow, country: Country, report: Reporter) -> Flow:
    """The flow with each `place: office_id` step, and each checklist item with `office:`,
    given its office from country.yaml."""
    if not item.office_refs:
        return flow
    for office_id, pos in item.office_refs:
        if office_id not in country.offices:
            report.error(pos, "unknown-office", f"no office `{office_id}` in {country.file}",
                         did_you_mean(office_id, list(country.offices)) or "add it to offices")
    steps = {step_id: _resolved(step, country) for step_id, step in flow.steps.items()}
    return replace(flow, steps=steps)


def _resolved(step: Step, country: Country) -> Step:
    if step.office_ref:
        return replace(step, office=country.offices.get(step.office_ref))
    if any(entry.office_ref for entry in step.items):
        return replace(step, items=tuple(
            replace(entry, office=country.offices.get(entry.office_ref))
            if entry.office_ref else entry for entry in step.items))
    return step
