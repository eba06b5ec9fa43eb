"""Checking a candidate flow file exactly as the command line would, before anyone sees it.

The candidate is written into a temporary copy of the flows folder (with the flow tests), so
the checker sees it together with every other flow (a removed step that another flow links to
is an error too), then the flow's own tests run and step coverage is counted per language.
Problems read `file:line:column: error: message (hint)`, like `python -m bot flows check`.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import LoadResult, Problem, load_flows
from bot.flowtests import load_cases, run_cases


@dataclass
class Review:
    """What the checker and the flow's tests say about one candidate file."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tests_passed: int = 0
    test_failures: list[str] = field(default_factory=list)
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)  # lang: visited, total

    @property
    def ok(self) -> bool:
        return not self.errors and not self.test_failures

    def summary(self) -> str:
        """One line, stored with each published version."""
        tests = self.tests_passed + len(self.test_failures)
        cover = ", ".join(f"{lang} {seen}/{total}" for lang, (seen, total)
                          in sorted(self.coverage.items()))
        return (f"{len(self.errors)} errors, {len(self.warnings)} warnings; "
                f"{self.tests_passed}/{tests} tests passed; steps tested: {cover or '-'}")

    def to_json(self) -> dict[str, object]:
        return {"errors": self.errors, "warnings": self.warnings,
                "tests_passed": self.tests_passed, "test_failures": self.test_failures,
                "coverage": {k: list(v) for k, v in self.coverage.items()}}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Review:
        coverage = data.get("coverage") or {}
        assert isinstance(coverage, dict)
        return cls(list(data.get("errors") or []), list(data.get("warnings") or []),
                   int(data.get("tests_passed") or 0), list(data.get("test_failures") or []),
                   {k: (v[0], v[1]) for k, v in coverage.items()})


def fingerprint(flows_dir: Path) -> str:
    """A digest of every file of the flows folder (flows, country files, tests): when it is
    unchanged since a check, the check still holds."""
    digest = hashlib.sha1()
    for path in sorted(flows_dir.rglob("*.yaml")):
        if any(part.startswith(".") for part in path.relative_to(flows_dir).parts):
            continue  # the live folder's own records (see live_flows)
        digest.update(path.relative_to(flows_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _shown(problem: Problem, root: Path, candidate: Path, name: str) -> str:
    path = Path(problem.file)
    if path == candidate:
        shown = name
    else:
        try:
            shown = str(path.relative_to(root))
        except ValueError:
            shown = problem.file
    hint = f" ({problem.hint})" if problem.hint else ""
    return (f"{shown}:{problem.line}:{problem.column}: {problem.severity.value}: "
            f"{problem.message}{hint}")


def review_candidate(flows_dir: Path, rel_path: str, text: str, flow_id: str,
                     shown_name: str) -> Review:
    """Check `text` as the file `rel_path` of `flows_dir` (a copy; nothing real changes)."""
    with tempfile.TemporaryDirectory(prefix="passerelle-review-") as tmp:
        root = Path(tmp) / "flows"
        shutil.copytree(flows_dir, root, ignore=shutil.ignore_patterns(".*"))
        candidate = root / rel_path
        candidate.parent.mkdir(parents=True, exist_ok=True)
        candidate.write_text(text, encoding="utf-8")
        loaded = load_flows(root)
        review = Review(
            errors=[_shown(p, root, candidate, shown_name) for p in loaded.errors],
            warnings=[_shown(p, root, candidate, shown_name) for p in loaded.warnings
                      if Path(p.file) == candidate])
        if loaded.ok:
            _run_tests(review, loaded, candidate.parent, flow_id)
    return review


def _run_tests(review: Review, loaded: LoadResult, country: Path, flow_id: str) -> None:
    """The tests of the flow's country folder (a flow's tests live beside it)."""
    root = country.parent
    cases = load_cases(country)
    review.errors += [str(p).replace(str(root) + "/", "") for p in cases.problems]
    mine = [case for case in cases.cases if case.flow == flow_id]
    results, coverage = run_cases(loaded.flows, mine)
    for result in results:
        if result.passed:
            review.tests_passed += 1
        else:
            failure = (result.failure or "").replace(str(root) + "/", "")
            review.test_failures.append(f"{result.case.name} [{result.case.lang}]: {failure}")
    flow = loaded.flows.get(flow_id)
    if flow is None:
        return
    gaps = coverage.missing(loaded.flows)
    for lang in flow.languages:
        missing = gaps.get((flow_id, lang), [])
        review.coverage[lang] = (len(flow.steps) - len(missing), len(flow.steps))
