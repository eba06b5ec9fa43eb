"""The shape of flows as graphs: which steps are reached, which can finish, which loop.

Pure graph algorithms over `Flow.steps` and their successors, with no reporting, so the checks
in `checker` read as rules and these can be tested and timed on their own.
"""

from __future__ import annotations

from collections import deque

from .model import Flow, Step

Node = tuple[str, str]  # (flow id, step id)


def is_terminal(step: Step) -> bool:
    """A step after which this flow has nothing left to run."""
    return step.kind in {"end", "flow"} or (step.kind == "escalate" and not step.next)


def _automatic_edges(flows: dict[str, Flow], flow: Flow, step: Step) -> list[Node]:
    """Where a step that asks nothing leads by itself (questions stop a loop)."""
    if step.kind == "flow":
        target = flows.get(step.target_flow or "")
        if target is None:
            return []
        return [(target.id, step.target_step or target.start)]
    return [(flow.id, nxt) for nxt in step.successors() if nxt in flow.steps]


def loops_without_question(flows: dict[str, Flow]) -> list[list[Node]]:
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


def reachable_steps(flow: Flow) -> set[str]:
    seen, queue = {flow.start}, deque([flow.start])
    while queue:
        step = flow.steps.get(queue.popleft())
        for nxt in step.successors() if step else []:
            if nxt in flow.steps and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def can_finish(flow: Flow) -> set[str]:
    incoming: dict[str, list[str]] = {step_id: [] for step_id in flow.steps}
    for step in flow.steps.values():
        for nxt in step.successors():
            if nxt in incoming:
                incoming[nxt].append(step.id)
    done = {step.id for step in flow.steps.values() if is_terminal(step)}
    queue = deque(done)
    while queue:
        for previous in incoming[queue.popleft()]:
            if previous not in done:
                done.add(previous)
                queue.append(previous)
    return done


def region_from(flow: Flow, start: str, within: set[str]) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in flow.steps[queue.popleft()].successors():
            if nxt in within and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
