"""The one way to load flows: read a folder, parse every file, check the set.

The bot, the console, the checker command and the tests all call `load_flows`, so they agree
on what is valid. A result with errors must not replace a working set (see `LoadResult.ok`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from . import file_cache
from .checker import check_flows
from .country import parse_country
from .fields import Reporter
from .located import Pos, YamlSyntaxError, load_yaml
from .model import Country, FlowSet
from .parse import ParsedFlow, parse_flow
from .problems import Problem
from .translation_marks import check_stale
from .yaml_errors import excerpt, explain

T = TypeVar("T")

COUNTRY_FILE = "country.yaml"
TESTS_DIR = "tests"


@dataclass(frozen=True)
class LoadResult:
    flows: FlowSet
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_bytes(path: Path, report: Reporter) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        report.error(Pos(1, 1), "unreadable", f"cannot read the file: {exc}",
                     "save it as UTF-8 text")
        return None


def _read(raw: bytes, report: Reporter) -> object:
    """The located YAML document of a file's bytes (None after reporting why not)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.error(Pos(1, 1), "unreadable", f"cannot read the file: {exc}",
                     "save it as UTF-8 text")
        return None
    try:
        result = load_yaml(text)
    except YamlSyntaxError as exc:
        meaning = explain(str(exc))
        where = excerpt(text, exc.pos.line, exc.pos.column)
        if meaning:
            report.error(exc.pos, "yaml-syntax", f"YAML syntax error: {meaning}",
                         f"the parser says: {exc}{where}")
        else:
            report.error(exc.pos, "yaml-syntax", f"YAML syntax error: {exc}",
                         f"check indentation, colons and quotes around this place{where}")
        return None
    for key, pos in result.duplicates:
        report.error(pos, "duplicate-key", f"`{key}` appears twice in the same mapping",
                     "keep one; YAML would silently drop the first")
    return result.data


def _country(path: Path, code: str, report: Reporter) -> Country | None:
    """Read and parse one country.yaml, or take what the same bytes gave last time."""

    def parse(raw: bytes) -> Country | None:
        data = _read(raw, report)
        _empty(report, data)
        return parse_country(report, data, code) if data is not None else None

    return _cached("country", path, code, report, parse)


def _flow(path: Path, code: str, report: Reporter) -> ParsedFlow | None:
    """Read and parse one flow file, or take what the same bytes gave last time."""

    def parse(raw: bytes) -> ParsedFlow | None:
        data = _read(raw, report)
        return None if _empty(report, data) else parse_flow(report, data, code, raw)

    return _cached("flow", path, code, report, parse)


def _cached(kind: str, path: Path, code: str, report: Reporter,
            parse: Callable[[bytes], T | None]) -> T | None:
    """What ``parse`` makes of the file's bytes, reused while the same bytes come back.

    The key is the content (and country), never the path or time: a proposal checked on a
    copy of the folder reuses it, and any edit is seen.
    """
    raw = _read_bytes(path, report)
    if raw is None:
        return None
    cache_key = file_cache.key(kind, code, raw)
    cached = file_cache.get(cache_key, report.file)
    if cached is not None:
        item, problems = cached
        report.problems.extend(problems)
        return item
    item = parse(raw)
    _stale(report, raw)
    file_cache.put(cache_key, report.file, item, report.problems)
    return item


def _stale(report: Reporter, raw: bytes) -> None:
    """Translations whose source text changed since they were made (translation_marks);
    it depends on the bytes only, so it is cached with the file."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # reported by _read
    check_stale(report, text)


def _empty(report: Reporter, data: object) -> bool:
    """A file with no content (or unreadable): say so instead of skipping it silently."""
    if data is None and not report.problems:
        report.error(Pos(1, 1), "empty-file", "the file is empty",
                     "write the flow (see docs/flows.md) or delete the file")
    return data is None


def country_dirs(root: Path) -> list[Path]:
    """The country folders under `root`; `root` itself when it is one country's folder."""
    if (root / COUNTRY_FILE).exists():
        return [root]
    # dot folders are the live folder's own records (.shipped: see services/live_flows.py)
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Loading builds a million short-lived objects and no reference cycles: the cyclic
    garbage collector would only re-scan them over and over (it took half the load time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_flows(directory: str | Path, today: date | None = None) -> LoadResult:
    """Load `directory/<CC>/country.yaml` and `directory/<CC>/*.yaml`, check them together."""
    with _no_gc_pauses():
        return _load_flows(directory, today)


def _load_flows(directory: str | Path, today: date | None) -> LoadResult:
    root = Path(directory)
    today = today or date.today()
    reporters: dict[str, Reporter] = {}
    countries: dict[str, Country] = {}
    parsed: list[ParsedFlow] = []
    if not root.is_dir():
        report = Reporter(str(root))
        report.error(Pos(1, 1), "no-flows", "flows folder not found",
                     "set FLOWS_DIR or pass the folder")
        return LoadResult(FlowSet(), report.problems)
    for country_dir in country_dirs(root):
        code = country_dir.name
        country_path = country_dir / COUNTRY_FILE
        if country_path.exists():
            report = reporters.setdefault(str(country_path), Reporter(str(country_path)))
            country = _country(country_path, code, report)
            if country is not None:
                countries[code] = country
        for path in sorted(country_dir.glob("*.yaml")):
            if path.name == COUNTRY_FILE:
                continue
            report = reporters.setdefault(str(path), Reporter(str(path)))
            item = _flow(path, code, report)
            if item is not None:
                parsed.append(item)
    flowset = check_flows(parsed, countries, reporters, today)
    problems = sorted(p for report in reporters.values() for p in report.problems)
    return LoadResult(flowset, problems)
