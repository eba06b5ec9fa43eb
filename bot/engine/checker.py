"""Checks that need the whole set of flows: references, reachability, loops, names, dates.

Each check reports at the exact place an admin must edit, with a hint. This module runs them
in order for each flow and owns the end and reachability rules; references are checked in
`check_refs`, answer names in `check_answers`, and the graph walks live in `flow_graph`.
"""

from __future__ import annotations

from datetime import date, timedelta

from .check_answers import callers_of, check_answer_names, check_comparisons, names_available
from .check_guard import check_step_guard
from .check_refs import check_references, resolve_offices
from .check_safety import check_cautions
from .fields import Reporter
from .flow_graph import (
    can_finish,
    is_terminal,
    loops_without_question,
    reachable_steps,
    region_from,
)
from .lint import lint_flow
from .located import Pos
from .model import Country, Flow, FlowSet
from .outcome_fields import check_flow_outcomes
from .parse import ParsedFlow
from .same_numbers import check_same_numbers

REVIEW_MAX_AGE = timedelta(days=365)


def check_flows(
    parsed: list[ParsedFlow],
    countries: dict[str, Country],
    reporters: dict[str, Reporter],
    today: date,
) -> FlowSet:
    """Run the cross-file checks, resolve office references, and return the flow set."""
    flows: dict[str, Flow] = {}
    first_file: dict[str, str] = {}
    for item in parsed:
        flow, report = item.flow, reporters[item.flow.file]
        if flow.id in flows:
            report.error(item.id_pos, "duplicate-id",
                         f"flow id `{flow.id}` is already used by {first_file[flow.id]}",
                         "give each flow its own id")
            continue
        first_file[flow.id] = flow.file
        flows[flow.id] = flow

    callers = callers_of(flows)
    for item in parsed:
        flow, report = item.flow, reporters[item.flow.file]
        if flows.get(flow.id) is not flow:
            continue
        saved = names_available(flows, callers, flow.id)
        flows[flow.id] = _check_one(item, flows, countries.get(flow.country), saved, report, today)
        lint_flow(flow, report)
        check_same_numbers(report, item.translated, flow.languages)

    for loop in loops_without_question(flows):
        flow_id, step_id = loop[0]
        flow = flows[flow_id]
        path = " -> ".join(step for _, step in [*loop, loop[0]])
        reporters[flow.file].error(flow.steps[step_id].pos, "loop-without-question",
                                   f"steps {path} loop forever without asking anything",
                                   "add a question in the loop or send one branch elsewhere")
    check_step_guard(flows, reporters)
    check_cautions(flows, countries, reporters)
    return FlowSet(flows, dict(countries))


def _check_one(item: ParsedFlow, flows: dict[str, Flow], country: Country | None,
               saved: set[str], report: Reporter, today: date) -> Flow:
    flow = item.flow
    check_references(item, flows, report)
    if country is None:
        report.error(Pos(1, 1), "no-country", f"no country.yaml for {flow.country}",
                     f"add flows/{flow.country}/country.yaml")
    else:
        flow = resolve_offices(item, flow, country, report)
        for lang in flow.languages:
            if lang not in country.languages:
                report.warning(flow.pos, "language-not-offered",
                               f"`{lang}` is not offered in {country.code}'s country.yaml")
    check_answer_names(item, flows, flow, saved, report)
    check_comparisons(item, report)
    if flow.start in flow.steps:
        reachable = reachable_steps(flow)
        for step in flow.steps.values():
            if step.id not in reachable:
                report.warning(step.pos, "unreachable", f"no path leads to step `{step.id}`",
                               "link to it with `next:` or remove it")
    _check_ends(flow, report)
    if flow.last_reviewed is not None and today - flow.last_reviewed > REVIEW_MAX_AGE:
        report.warning(item.reviewed_pos, "stale-review",
                       f"last reviewed on {flow.last_reviewed}, more than a year ago",
                       "check the procedure against its sources and update `last_reviewed`")
    check_flow_outcomes(flow, flows, country, report)
    return flow


def _check_ends(flow: Flow, report: Reporter) -> None:
    """One problem per root cause: a flow with no end at all is one error; otherwise only the
    first step of each stuck part is named, with how many steps it takes with it."""
    if not any(is_terminal(step) for step in flow.steps.values()):
        report.error(flow.pos, "no-end-step", "this flow has no `end` step",
                     "add a step `- id: done` with `end: ...` and lead the last steps to it")
        return
    finishing = can_finish(flow)
    stuck = [step for step in flow.steps.values() if step.id not in finishing]
    stuck_ids = {step.id for step in stuck}
    entered = {nxt for step in flow.steps.values() if step.id not in stuck_ids
               for nxt in step.successors()} | {flow.start}
    # where people enter a stuck part first, then any part only entered from itself
    ordered = [s for s in stuck if s.id in entered] + [s for s in stuck if s.id not in entered]
    covered: set[str] = set()
    for step in ordered:
        if step.id in covered:
            continue
        region = region_from(flow, step.id, stuck_ids)
        covered |= region
        more = f" (nor from the {len(region) - 1} step(s) after it)" if len(region) > 1 else ""
        report.error(step.pos, "no-end", f"from step `{step.id}` no end can be reached{more}",
                     "lead it to an `end`, an `escalate` or another flow")
