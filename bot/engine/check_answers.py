"""Answer names: what a flow's conditions and texts read must be saved on the way there.

A flow can read its own answers and those of every flow that jumps into it with `flow:`
(answers come along), transitively. A comparison with a value no option gives is never true.
"""

from __future__ import annotations

import difflib
from collections import deque

from .check_refs import did_you_mean
from .fields import Reporter
from .located import Pos
from .model import Flow
from .parse import ParsedFlow
from .texts import placeholders


def callers_of(flows: dict[str, Flow]) -> dict[str, set[str]]:
    """flow id -> the flows with a `flow:` step jumping into it."""
    callers: dict[str, set[str]] = {}
    for flow in flows.values():
        for step in flow.steps.values():
            if step.kind == "flow" and step.target_flow:
                callers.setdefault(step.target_flow, set()).add(flow.id)
    return callers


def names_available(flows: dict[str, Flow], callers: dict[str, set[str]],
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


def check_answer_names(item: ParsedFlow, flows: dict[str, Flow], flow: Flow, saved: set[str],
                       report: Reporter) -> None:
    """Each answer a condition or a `{name}` insert reads is one this flow can have."""
    for expression, pos in item.expressions:
        for name in sorted(expression.names - saved):
            _unknown_answer(report, pos, flows, flow, name, "condition reads")
    for text, pos in item.texts:
        names = {name for template in text.by_lang.values()
                 for name, _offset in placeholders(template)}
        for name in sorted(names - saved):
            _unknown_answer(report, pos, flows, flow, name, "text inserts")


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
                       + (did_you_mean(name, own) or "or jump here from that flow with `flow:`"))
        return
    report.error(pos, "unknown-answer", f"{what} `{shown}`, which no step saves",
                 did_you_mean(name, own) or "save it with `save:` first")


def check_comparisons(item: ParsedFlow, report: Reporter) -> None:
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
