"""The console's REPRO: what was answered in one run of a flow, printed so it can be replayed.

Two forms: a command line that pipes the same answers into the console again, and the same
answers as a flow-test case (docs/flows.md, "Flow tests") to paste under `cases:` in
`flows/<CC>/tests/`. "today" is written only when a date was answered, where it matters.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from bot.engine.model import Flow


@dataclass
class Record:
    """What was answered in one run of a flow, for the REPRO line."""

    flow: Flow
    lang: str
    today: date | None
    answers: list[str] = field(default_factory=list)
    dated: bool = False  # a date was answered: "today" matters to replay it
    end: str | None = None


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as the same text (quoted only when needed)."""
    try:
        plain_ok = (value == value.strip() and "\n" not in value
                    and yaml.safe_load(f"k: {value}") == {"k": value})
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok else json.dumps(value, ensure_ascii=False)


def repro_lines(record: Record, flows_dir: str | None, _: Callable[[str], str]) -> list[str]:
    """The REPRO command line, then the flow-test case, as lines to print."""
    command = ["python", "-m", "bot", "console", *([flows_dir] if flows_dir else []),
               "--flow", record.flow.id, "--lang", record.lang]
    today = record.today or date.today()
    if record.dated:
        command += ["--today", today.isoformat()]
    line = shlex.join(command)
    if record.answers:
        answers = " ".join(shlex.quote(answer) for answer in record.answers)
        line = f"printf '%s\\n' {answers} | {line}"
    lines = ["REPRO: " + line]
    flow_file = Path(record.flow.file)
    tests_file = flow_file.parent / "tests" / flow_file.name
    lines.append(_("As a flow test (add it under `cases:` in {file}, whose `flow:` is "
                   "{flow}):").format(file=tests_file.as_posix(), flow=record.flow.id))
    lines.append(f"  - name: {yaml_scalar(f'console session, {record.lang}')}")
    lines.append(f"    lang: {record.lang}")
    lines.append(f"    today: {today.isoformat()}")
    if record.answers:
        lines.append("    steps:")
        lines += [f"      - user: {yaml_scalar(answer)}" for answer in record.answers]
    else:
        lines.append("    steps: []")
    if record.end:
        lines.append(f"    end: {record.end}")
    return lines
