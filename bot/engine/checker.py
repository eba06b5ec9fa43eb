"""Checks that need the whole set of flows: references, reachability, loops, names, dates.

Each check reports at the exact place an admin must edit, with a hint.
"""

from __future__ import annotations

import difflib
from collections import deque
from dataclasses import replace
from datetime import date, timedelta

from .fields import Reporter
from .lint import lint_flow
from .located import Pos
from .model import Country, Flow, FlowSet, Step
from .outcome_fields import check_flow_outcomes
from .parse import ParsedFlow
from .same_numbers import check_same_numbers
from .texts import placeholders

Node = tuple[str, str]  # (flow id, step id)
REVIEW_MAX_AGE = timedelta(days=365)


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean `{close[0]}`?" if close else ""


def _is_terminal(step: Step) -> bool:
    return step.kind in {"end", "flow"} or (step.kind == "escalate" and not step.next)


def _automatic_edges(flows: dict[str, Flow], flow: Flow, step: Step) -> list[Node]:
    """Where a step that asks nothing leads by itself (questions stop a loop)."""
    if step.kind == "flow":
        target = flows.get(step.target_flow or "")
        if target is None:
            return []
        return [(target.id, step.target_step or target.start)]
    return [(flow.id, nxt) for nxt in step.successors() if nxt in flow.steps]


def _loops_without_question(flows: dict[str, Flow]) -> list[list[Node]]:
    """Strongly connected groups of non-question steps (Tarjan's algorithm, iterative)."""
    graph: dict[Node, list[Node]] = {}
    for flow in flows.values():
        for step in flow.steps.values():
            if not step.is_question:
                graph[(flow.id, step.id)] = [
                    node for node in _automatic_edges(flows, flow, step)
                    if node[0] in flows and node[1] in flows[node[0]].steps
                    and not flows[node[0]].steps[node[1]].is_question
                ]
    index: dict[Node, int] = {}
    low: dict[Node, int] = {}
    on_stack: set[Node] = set()
    stack: list[Node] = []
    loops: list[list[Node]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, []))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph.get(node, []):
                    loops.append(group[::-1])
    return loops


def _reachable(flow: Flow) -> set[str]:
    seen, queue = {flow.start}, deque([flow.start])
    while queue:
        step = flow.steps.get(queue.popleft())
        for nxt in step.successors() if step else []:
            if nxt in flow.steps and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _can_finish(flow: Flow) -> set[str]:
    incoming: dict[str, list[str]] = {step_id: [] for step_id in flow.steps}
    for step in flow.steps.values():
        for nxt in step.successors():
            if nxt in incoming:
                incoming[nxt].append(step.id)
    done = {step.id for step in flow.steps.values() if _is_terminal(step)}
    queue = deque(done)
    while queue:
        for previous in incoming[queue.popleft()]:
            if previous not in done:
                done.add(previous)
                queue.append(previous)
    return done


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

    callers = _callers(flows)
    for item in parsed:
        flow, report = item.flow, reporters[item.flow.file]
        if flows.get(flow.id) is not flow:
            continue
        saved = _names_available(flows, callers, flow.id)
        flows[flow.id] = _check_one(item, flows, countries.get(flow.country), saved, report, today)
        lint_flow(flow, report)
        check_same_numbers(report, item.translated, flow.languages)

    for loop in _loops_without_question(flows):
        flow_id, step_id = loop[0]
        flow = flows[flow_id]
        path = " -> ".join(step for _, step in [*loop, loop[0]])
        reporters[flow.file].error(flow.steps[step_id].pos, "loop-without-question",
                                   f"steps {path} loop forever without asking anything",
                                   "add a question in the loop or send one branch elsewhere")
    return FlowSet(flows, dict(countries))


def _callers(flows: dict[str, Flow]) -> dict[str, set[str]]:
    """flow id -> the flows with a `flow:` step jumping into it."""
    callers: dict[str, set[str]] = {}
    for flow in flows.values():
        for step in flow.steps.values():
            if step.kind == "flow" and step.target_flow:
                callers.setdefault(step.target_flow, set()).add(flow.id)
    return callers


def _names_available(flows: dict[str, Flow], callers: dict[str, set[str]],
                     flow_id: str) -> set[str]:
    """Answers a flow can read: its own, and those of every flow that jumps into it (answers
    come along on a `flow:` step), transitively."""
    seen, queue = {flow_id}, deque([flow_id])
    while queue:
        for caller in callers.get(queue.popleft(), ()):
            if caller not in seen:
                seen.add(caller)
                queue.append(caller)
    return {name for other in seen if other in flows for name in flows[other].answer_steps}


def _unknown_answer(report: Reporter, pos: Pos, flows: dict[str, Flow], flow: Flow, name: str,
                    what: str) -> None:
    """One answer name no step of this flow (or of a flow leading to it) saves."""
    elsewhere = sorted(other.id for other in flows.values() if name in other.answer_steps)
    own = sorted(flow.answer_steps)
    shown = f"{{{name}}}" if what == "text inserts" else name
    if elsewhere:
        report.warning(pos, "answer-from-another-flow",
                       f"{what} `{shown}`, which is saved only in flow {', '.join(elsewhere)}",
                       "people in this flow never gave it (they would see —): ask it here, "
                       + (_did_you_mean(name, own) or "or jump here from that flow with `flow:`"))
        return
    report.error(pos, "unknown-answer", f"{what} `{shown}`, which no step saves",
                 _did_you_mean(name, own) or "save it with `save:` first")


def _check_comparisons(item: ParsedFlow, report: Reporter) -> None:
    """`birthplace == "Senegal"` where the option's value is `senegal`: always false."""
    flow = item.flow
    for name, values, pos in item.comparisons:
        step = flow.answer_steps.get(name)
        if step is None or step.kind != "choose":
            continue
        options = [option.value for option in step.options]
        for value in values:
            if value is not None and value not in options:
                shown = ", ".join(repr(option) for option in options)
                close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1)
                report.warning(pos, "not-an-option",
                               f"`{name}` is compared with {value!r}, which is not one of its "
                               f"options' values ({shown}): the test is never true",
                               f"did you mean {close[0]!r}?" if close else
                               "write one of the option values, exactly")
                break


def _check_one(item: ParsedFlow, flows: dict[str, Flow], country: Country | None,
               saved: set[str], report: Reporter, today: date) -> Flow:
    flow = item.flow
    known_steps = list(flow.steps)
    for target, pos in item.step_refs:
        if target not in flow.steps:
            report.error(pos, "unknown-step", f"no step `{target}` in this flow",
                         _did_you_mean(target, known_steps) or "add the step or fix the id")
    for target, step_id, pos in item.flow_refs:
        other = flows.get(target)
        if other is None:
            report.error(pos, "unknown-flow", f"no flow `{target}`",
                         _did_you_mean(target, list(flows)) or "check the flow id")
        elif step_id is not None and step_id not in other.steps:
            report.error(pos, "unknown-step", f"flow `{target}` has no step `{step_id}`",
                         _did_you_mean(step_id, list(other.steps))
                         or f"check the step ids in {other.file}")
    if country is None:
        report.error(Pos(1, 1), "no-country", f"no country.yaml for {flow.country}",
                     f"add flows/{flow.country}/country.yaml")
    else:
        flow = _resolve_offices(item, flow, country, report)
        for lang in flow.languages:
            if lang not in country.languages:
                report.warning(flow.pos, "language-not-offered",
                               f"`{lang}` is not offered in {country.code}'s country.yaml")
    for expression, pos in item.expressions:
        for name in sorted(expression.names - saved):
            _unknown_answer(report, pos, flows, flow, name, "condition reads")
    for text, pos in item.texts:
        names = {name for template in text.by_lang.values()
                 for name, _offset in placeholders(template)}
        for name in sorted(names - saved):
            _unknown_answer(report, pos, flows, flow, name, "text inserts")
    _check_comparisons(item, report)
    if flow.start in flow.steps:
        reachable = _reachable(flow)
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
    if not any(_is_terminal(step) for step in flow.steps.values()):
        report.error(flow.pos, "no-end-step", "this flow has no `end` step",
                     "add a step `- id: done` with `end: ...` and lead the last steps to it")
        return
    finishing = _can_finish(flow)
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
        region = _region(flow, step.id, stuck_ids)
        covered |= region
        more = f" (nor from the {len(region) - 1} step(s) after it)" if len(region) > 1 else ""
        report.error(step.pos, "no-end", f"from step `{step.id}` no end can be reached{more}",
                     "lead it to an `end`, an `escalate` or another flow")


def _region(flow: Flow, start: str, within: set[str]) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in flow.steps[queue.popleft()].successors():
            if nxt in within and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _resolve_offices(item: ParsedFlow, flow: Flow, country: Country, report: Reporter) -> Flow:
    if not item.office_refs:
        return flow
    for office_id, pos in item.office_refs:
        if office_id not in country.offices:
            report.error(pos, "unknown-office", f"no office `{office_id}` in {country.file}",
                         _did_you_mean(office_id, list(country.offices)) or "add it to offices")
    steps = {
        step_id: replace(step, office=country.offices.get(step.office_ref))
        if step.office_ref else step
        for step_id, step in flow.steps.items()
    }
    return replace(flow, steps=steps)
