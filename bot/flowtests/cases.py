"""Reading flow test files (`flows/<CC>/tests/*.yaml`), with file:line for every mistake."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.engine.fields import Reporter
from bot.engine.loader import country_dirs
from bot.engine.located import LocatedDict, LocatedList, YamlSyntaxError, load_yaml, pos_of
from bot.engine.problems import Problem

CHECK_KINDS = ("user", "bot", "at")


@dataclass(frozen=True)
class Check:
    """One line of a case: the person answers (`user`), or the bot said / reached something."""

    kind: str
    value: str
    line: int


@dataclass(frozen=True)
class Case:
    file: str
    line: int
    flow: str
    name: str
    lang: str
    today: date | None
    checks: tuple[Check, ...]
    end: str | None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class LoadedCases:
    cases: list[Case] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _case(report: Reporter, flow: str, data: LocatedDict, file: str) -> Case | None:
    report.unknown_fields(data, {"name", "lang", "today", "steps", "end"}, "a test case")
    if not report.require(data, ("name", "lang", "steps"), "this test case"):
        return None
    today = data.get("today")
    if today is not None and not isinstance(today, date):
        report.error(pos_of(data, "today"), "bad-date", "`today` must be a date like 2026-11-20")
        return None
    steps = data["steps"]
    if not isinstance(steps, LocatedList):
        report.error(pos_of(data, "steps"), "bad-field", "`steps` must be a list")
        return None
    checks = []
    for index, entry in enumerate(steps):
        pos = pos_of(steps, index)
        if not isinstance(entry, LocatedDict) or len(entry) != 1:
            report.error(pos, "bad-step", "each step is one of `user: …`, `bot: …`, `at: …`")
            continue
        kind, value = next(iter(entry.items()))
        if kind not in CHECK_KINDS:
            report.error(pos, "unknown-field", f"unknown test step `{kind}`",
                         "use `user:`, `bot:` or `at:`")
            continue
        if isinstance(value, bool):  # YAML reads a bare yes/no as a boolean
            value = "yes" if value else "no"
        checks.append(Check(kind, str(value), pos.line))
    end = data.get("end")
    return Case(file, data.pos.line, flow, str(data["name"]), str(data["lang"]), today,
                tuple(checks), None if end is None else str(end))


def load_cases(directory: str | Path) -> LoadedCases:
    """Every case of every `*/tests/*.yaml` under the flows folder."""
    loaded = LoadedCases()
    paths = [path for country in country_dirs(Path(directory))
             for path in sorted(country.glob("tests/*.yaml"))]
    for path in paths:
        report = Reporter(str(path))
        try:
            data = load_yaml(path.read_text(encoding="utf-8")).data
        except YamlSyntaxError as exc:
            report.error(exc.pos, "yaml-syntax", f"YAML syntax error: {exc}")
            data = None
        if isinstance(data, LocatedDict):
            report.unknown_fields(data, {"flow", "cases"}, "a test file")
            if report.require(data, ("flow", "cases"), "this test file"):
                cases = data["cases"]
                for index, entry in enumerate(cases if isinstance(cases, list) else []):
                    if not isinstance(entry, LocatedDict):
                        report.error(pos_of(cases, index), "bad-field", "a case is a mapping")
                        continue
                    case = _case(report, str(data["flow"]), entry, str(path))
                    if case is not None:
                        loaded.cases.append(case)
        elif data is not None:
            report.error(pos_of(data), "bad-file", "a test file needs `flow:` and `cases:`")
        loaded.problems.extend(report.problems)
    return loaded
