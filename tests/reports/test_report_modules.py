"""Issue 18, item 13: the report modules depend on each other in one direction only."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "bot" / "services"


def _imports(module: str) -> set[str]:
    """The report modules that ``module`` imports (at any depth of its code)."""
    tree = ast.parse((SERVICES / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 1:  # from .report_x import ... / from . import report_x
            names = [node.module] if node.module else [a.name for a in node.names]
        elif (node.module or "") == "bot.services":
            names = [a.name for a in node.names]
        elif (node.module or "").startswith("bot.services."):
            names = [node.module.rsplit(".", 1)[-1]]
        else:
            continue
        found |= {n for n in names if n.startswith("report") and (SERVICES / f"{n}.py").exists()}
    return found - {module}


def test_the_report_modules_form_no_cycle() -> None:
    modules = sorted(p.stem for p in SERVICES.glob("report*.py"))
    graph = {m: _imports(m) for m in modules}
    assert "report_formats" not in graph["report_html"]  # they imported each other
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        assert state.get(module) != 1, " -> ".join([*path, module])
        if state.get(module) == 2:
            return
        state[module] = 1
        for other in graph[module]:
            visit(other, [*path, module])
        state[module] = 2

    for module in modules:
        visit(module, [])
