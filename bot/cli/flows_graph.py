"""`python -m bot flows graph ID`: one flow as a Mermaid or Graphviz (DOT) diagram.

    python -m bot flows graph kz-birth                     # Mermaid, in the flow's first language
    python -m bot flows graph kz-birth --format dot --lang ru
    python -m bot flows graph kz-birth --lang ru -o kz-birth.svg   # needs Graphviz `dot`

Every step is a node labelled with its id and the start of its text. Shapes say the kind:
questions are parallelograms, branches diamonds, ends terminals, escalations are red, and a
jump into another flow is a dashed link to a node standing for that flow. Edges carry the
option label, the branch condition, or "else".
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from babel import Locale, UnknownLocaleError

from bot.cli.console import close_matches
from bot.engine import load_flows
from bot.engine.model import Flow, FlowSet, Step

LABEL_TEXT = 40  # characters of a step's text shown in its node
RENDER_FORMATS = ("svg", "png")
GRAPHVIZ_HELP = ("rendering svg/png needs Graphviz's `dot` on PATH: install it "
                 "(apt-get install graphviz, or brew install graphviz), or print the source "
                 "with --format dot / --format mermaid")
START = "__start"

# kind -> (Mermaid opening and closing brackets, DOT attributes)
SHAPES: dict[str, tuple[str, str, str]] = {
    "say": ("[", "]", 'shape=box'),
    "ask": ("[/", "/]", 'shape=parallelogram'),
    "choose": ("[/", "/]", 'shape=parallelogram'),
    "checklist": ("[/", "/]", 'shape=parallelogram'),
    "branch": ("{", "}", 'shape=diamond'),
    "place": ("[\\", "/]", 'shape=house'),
    "escalate": ("[[", "]]",
                 'shape=octagon, style="filled,bold", fillcolor="#ffdddd", color="#cc0000"'),
    "end": ("([", "])", 'shape=box, style="rounded,bold", peripheries=2'),
    "flow": ("[[", "]]", 'shape=cds'),
    "compute": ("[(", ")]", 'shape=cylinder'),
}
MERMAID_CLASSES = {
    "escalate": "fill:#ffdddd,stroke:#cc0000,stroke-width:2px",
    "end": "fill:#e6f4e6,stroke:#2e7d32,stroke-width:2px",
    "flow": "fill:#e8eefc,stroke:#3355aa,stroke-dasharray:4 3",
}


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # a step kind, "start" or "target" (another flow)
    title: str  # first line of the label
    text: str  # the start of the step's text, may be ""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    dashed: bool = False


def snippet(text: str, limit: int = LABEL_TEXT) -> str:
    """The start of a text on one line, cut at a word when it is long."""
    flat = " ".join(text.replace("**", "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(",.;:") + "…"


def graph_of(flows: FlowSet, flow: Flow, lang: str) -> tuple[list[Node], list[Edge]]:
    """The nodes and edges of `flow`, texts in `lang` (its first language when missing)."""
    nodes = [Node(START, "start", "start", "")]
    edges = [Edge(START, flow.start)]
    targets: dict[str, Node] = {}
    for step in flow.steps.values():
        nodes.append(Node(step.id, step.kind, f"{step.id} · {step.kind}", _text(step, lang)))
        edges += _edges(step, lang)
        if step.kind == "flow" and step.target_flow:
            node = _target_node(flows, step, lang)
            targets.setdefault(node.id, node)
            edges.append(Edge(step.id, node.id, step.target_step or "", dashed=True))
    return nodes + list(targets.values()), edges


def _text(step: Step, lang: str) -> str:
    if step.text is not None:
        return snippet(step.text.get(lang))
    if step.kind == "place" and step.office is not None:
        return snippet(step.office.name.get(lang))
    if step.kind == "compute" and step.expression is not None:
        return snippet(f"{step.save} = {step.expression.source}")
    if step.kind == "flow":
        return f"→ {step.target_flow}" + (f" / {step.target_step}" if step.target_step else "")
    return ""


def _target_node(flows: FlowSet, step: Step, lang: str) -> Node:
    target = flows.get(step.target_flow or "")
    title = snippet(target.title.get(lang)) if target is not None else "(missing flow)"
    return Node(f"flow:{step.target_flow}", "target", f"flow {step.target_flow}", title)


def _edges(step: Step, lang: str) -> list[Edge]:
    if step.kind == "choose":
        return [Edge(step.id, o.next, snippet(o.label.get(lang))) for o in step.options]
    if step.kind == "branch":
        edges = [Edge(step.id, rule.next, rule.condition.source) for rule in step.rules]
        if step.otherwise:
            edges.append(Edge(step.id, step.otherwise, "else"))
        return edges
    if step.kind == "checklist" and step.next:
        return [Edge(step.id, step.next, "done")]
    return [Edge(step.id, step.next)] if step.next else []


# -- Mermaid ---------------------------------------------------------------------------------
def mermaid_escape(text: str) -> str:
    """Text for inside a quoted Mermaid label: entity codes for what Mermaid would read."""
    replacements = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;",
                    "`": "#96;"}
    return "".join(replacements.get(char, char) for char in text)


def mermaid_id(node_id: str) -> str:
    """Node ids Mermaid accepts whatever the step is called (`end` is a keyword there)."""
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node_id)


def shown_language(lang: str) -> str:
    """`ru, Russian`: the code and the English name (CLDR) of the language a graph shows."""
    try:
        name = Locale.parse(lang).get_display_name("en")
    except (ValueError, UnknownLocaleError):
        name = None
    return f"{lang}, {name}" if name else lang


def to_mermaid(flow: Flow, nodes: list[Node], edges: list[Edge], lang: str) -> str:
    lines = [f"%% {flow.id}: {' '.join(flow.title.get(lang).split())} ({shown_language(lang)})",
             "flowchart TD"]
    classes: dict[str, list[str]] = {}
    for node in nodes:
        label = mermaid_escape(node.title)
        if node.text:
            label += "<br/>" + mermaid_escape(node.text)
        if node.kind == "start":  # a comment is not drawn: the start names the language shown
            label += "<br/>" + mermaid_escape(shown_language(lang))
            opening, closing = "((", "))"
        elif node.kind == "target":
            opening, closing = "[[", "]]"
            classes.setdefault("flow", []).append(mermaid_id(node.id))
        else:
            opening, closing, _dot = SHAPES[node.kind]
            if node.kind in MERMAID_CLASSES:
                classes.setdefault(node.kind, []).append(mermaid_id(node.id))
        lines.append(f'    {mermaid_id(node.id)}{opening}"{label}"{closing}')
    for edge in edges:
        arrow = "-.->" if edge.dashed else "-->"
        label = f'|"{mermaid_escape(edge.label)}"|' if edge.label else ""
        lines.append(f"    {mermaid_id(edge.source)} {arrow}{label} {mermaid_id(edge.target)}")
    for name, members in classes.items():  # "end" is a Mermaid keyword: prefix class names
        lines.append(f"    classDef kind_{name} {MERMAID_CLASSES[name]}")
        lines.append(f"    class {','.join(members)} kind_{name}")
    return "\n".join(lines) + "\n"


# -- DOT ---------------------------------------------------------------------------------------
def dot_string(text: str) -> str:
    """A double-quoted DOT string; backslashes would start Graphviz escapes, so double them."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(flow: Flow, nodes: list[Node], edges: list[Edge], lang: str) -> str:
    title = f"{flow.id}: {' '.join(flow.title.get(lang).split())} ({shown_language(lang)})"
    lines = [
        f"digraph {dot_string(flow.id)} {{",
        f"    graph [label={dot_string(title)}, labelloc=t, fontname=\"Helvetica\"];",
        '    node [fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    for node in nodes:
        label = dot_string(node.title + ("\n" + node.text if node.text else ""))
        if node.kind == "start":
            attributes = 'shape=circle, style=filled, fillcolor="#333333", fontcolor=white'
        elif node.kind == "target":
            attributes = ('shape=folder, style="filled,dashed", fillcolor="#e8eefc", '
                          f'URL={dot_string(node.id.removeprefix("flow:") + ".svg")}')
        else:
            attributes = SHAPES[node.kind][2]
        lines.append(f"    {dot_string(node.id)} [label={label}, {attributes}];")
    for edge in edges:
        attributes = []
        if edge.label:
            attributes.append(f"label={dot_string(edge.label)}")
        if edge.dashed:
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"    {dot_string(edge.source)} -> {dot_string(edge.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(flows: FlowSet, flow: Flow, fmt: str, lang: str | None = None) -> str:
    """The diagram source of `flow` in `fmt` ("mermaid" or "dot")."""
    lang = lang or flow.languages[0]
    nodes, edges = graph_of(flows, flow, lang)
    return (to_dot if fmt == "dot" else to_mermaid)(flow, nodes, edges, lang)


def run(directory: str, flow_id: str, fmt: str = "mermaid", lang: str | None = None,
        output: str | None = None, out: TextIO | None = None,
        err: TextIO | None = None) -> int:
    """Print (or, with `output`, render) the diagram; 1 for a bad flow, 2 without Graphviz."""
    out = out or sys.stdout
    err = err or sys.stderr
    if output is not None:
        extension = Path(output).suffix.lower().lstrip(".")
        if extension not in RENDER_FORMATS:
            print(f"-o: cannot render `.{extension}`; use a .svg or .png file name",
                  file=err)
            return 2
        if shutil.which("dot") is None:
            print(GRAPHVIZ_HELP, file=err)
            return 2
    loaded = load_flows(directory)
    flow = loaded.flows.get(flow_id)
    if flow is None:
        for problem in loaded.errors:
            print(problem, file=err)
        print(f"no flow `{flow_id}`; {close_matches(flow_id, list(loaded.flows.flows))}",
              file=err)
        return 1
    broken = [problem for problem in loaded.errors if problem.file == flow.file]
    if broken:
        for problem in broken:
            print(problem, file=err)
        print(f"{flow_id} has errors: fix them first (python -m bot flows check)", file=err)
        return 1
    if lang is not None and lang not in flow.languages:
        print(f"{flow_id} has no `{lang}` texts; showing {flow.languages[0]} where missing",
              file=err)
    if output is None:
        out.write(render(loaded.flows, flow, fmt, lang))
        return 0
    source = render(loaded.flows, flow, "dot", lang)
    extension = Path(output).suffix.lower().lstrip(".")
    done = subprocess.run(["dot", f"-T{extension}", "-o", output], input=source.encode("utf-8"),
                          capture_output=True, check=False)
    if done.returncode != 0:
        print(f"Graphviz failed: {done.stderr.decode('utf-8', 'replace').strip()}", file=err)
        return 1
    print(f"wrote {output}", file=out)
    return 0
