"""bot.engine is pure: no Telegram, no database, no HTTP, no Babel, no environment."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENGINE = REPO / "bot" / "engine"
FORBIDDEN = ("telegram", "aiosqlite", "sqlite3", "aiohttp", "babel")


def is_forbidden(module: str) -> bool:
    return module.split(".")[0].lower() in FORBIDDEN


def test_importing_the_engine_loads_none_of_them() -> None:
    code = "import bot.engine, json, sys; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60, check=True)
    modules = json.loads(done.stdout)
    assert "bot.engine.runner" in modules
    assert [m for m in modules if is_forbidden(m)] == []


def test_the_engine_runs_without_them() -> None:
    # block them outright: loading and running a flow must not even try to import them
    code = f"""
import sys
for name in {FORBIDDEN!r}:
    sys.modules[name] = None
from datetime import date
from bot.engine import load_flows, start, resume, Text
result = load_flows({str(Path(__file__).parent / "fixtures" / "complete")!r},
                    today=date(2026, 6, 1))
assert result.ok, result.problems
sprint = start(result.flows, "demo-main", "en", today=date(2026, 6, 1))
sprint = resume(result.flows, sprint.session, Text("Ann"), today=date(2026, 6, 1))
print(sprint.step)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "age"


ENGINE_FILES = sorted(ENGINE.glob("*.py"))


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: p.name)
def test_no_forbidden_import_or_environment(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if is_forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if is_forbidden(node.module):
                found.append(f"from {node.module} import ...")
            if node.module == "os" and any(a.name in {"environ", "getenv"} for a in node.names):
                found.append("from os import environ/getenv")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "os" and node.attr in {"environ", "getenv", "putenv"}:
                found.append(f"os.{node.attr} (line {node.lineno})")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in {"__import__", "eval", "exec"}):
            found.append(f"{node.func.id}() (line {node.lineno})")
    assert found == [], f"{path.name}: {found}"


def test_the_scan_sees_every_engine_file() -> None:
    names = {p.name for p in ENGINE_FILES}
    assert {"loader.py", "parse.py", "checker.py", "expressions.py", "runner.py", "events.py",
            "inputs.py", "texts.py"} <= names
