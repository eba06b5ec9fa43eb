"""The step guard, known to the checker: no turn may run more steps than the engine allows.

The engine stops a turn after MAX_STEPS steps (engine/sprint.py) so that a bad flow cannot
hang the bot; the person then meets an error. A chain of automatic steps (say, place,
branch, a jump into another flow) longer than that is not a loop, so `loop-without-question`
misses it, and flow tests pass when they never take that branch. This check walks every
path a turn can take, from each place a turn starts (a flow's start, the steps after each
answer), through steps that ask nothing, to the next question or end, and reports each
start whose longest path needs more steps than the guard allows.
"""

from __future__ import annotations

from .fields import Reporter
from .flow_graph import Node, _automatic_edges
from .model import Flow
from .sprint import MAX_STEPS


def turn_entries(flow: Flow) -> list[str]:
    """Where a turn of `flow` can start: its first step and every step after an answer."""
    entries = [flow.start]
    for step in flow.steps.values():
        if step.is_question:
            entries += [nxt for nxt in step.successors() if nxt in flow.steps]
    return list(dict.fromkeys(entries))


def longest_turns(flows: dict[str, Flow]) -> dict[Node, tuple[int, Node]]:
    """For every step: how many steps the longest turn starting there runs (the step itself
    and the question or end it stops at included), and where that turn stops.

    Iterative depth-first search with memory (chains can be thousands of steps long); a
    step met again on the current path (a loop without a question, reported elsewhere)
    counts as a stop there.
    """
    memo: dict[Node, tuple[int, Node]] = {}
    for flow in flows.values():
        for step_id in flow.steps:
            root = (flow.id, step_id)
            if root in memo:
                continue
            on_path = {root}
            work: list[tuple[Node, list[Node]]] = [(root, _next_nodes(flows, root))]
            while work:
                node, children = work[-1]
                child = next((c for c in children if c not in memo and c not in on_path), None)
                if child is not None:
                    children.remove(child)
                    on_path.add(child)
                    work.append((child, _next_nodes(flows, child)))
                    continue
                best = (1, node)
                for c in _next_nodes(flows, node):
                    if c in memo and memo[c][0] + 1 > best[0]:
                        best = (memo[c][0] + 1, memo[c][1])
                memo[node] = best
                on_path.discard(node)
                work.pop()
    return memo


def _next_nodes(flows: dict[str, Flow], node: Node) -> list[Node]:
    flow = flows[node[0]]
    step = flow.steps[node[1]]
    if step.is_question:
        return []  # the turn waits for the person here
    return [n for n in _automatic_edges(flows, flow, step)
            if n[0] in flows and n[1] in flows[n[0]].steps]


def check_step_guard(flows: dict[str, Flow], reporters: dict[str, Reporter]) -> None:
    """An error for each turn start whose longest path exceeds the engine's guard."""
    longest = longest_turns(flows)
    for flow in flows.values():
        for entry in turn_entries(flow):
            steps, (stop_flow, stop) = longest.get((flow.id, entry), (0, (flow.id, entry)))
            if steps <= MAX_STEPS:
                continue
            where = stop if stop_flow == flow.id else f"{stop_flow}/{stop}"
            reporters[flow.file].error(
                flow.steps[entry].pos, "too-many-steps",
                f"a turn from `{entry}` can run {steps} steps without waiting for an answer "
                f"(up to `{where}`); the bot stops a turn after {MAX_STEPS} steps and the "
                "person gets an error",
                f"put a question in that chain, or make it shorter than {MAX_STEPS} steps")
