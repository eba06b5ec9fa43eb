"""The examples in docs/flows.md are real: the flow, its country.yaml and its flow test run.

An admin copies these blocks to start a new procedure; a broken example would teach mistakes.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from bot.engine import load_flows
from bot.flowtests import load_cases, run_cases

DOC = Path(__file__).resolve().parents[1] / "docs" / "flows.md"
BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)


def write_examples(root: Path) -> None:
    flow, country, flow_test = BLOCK.findall(DOC.read_text(encoding="utf-8"))[:3]
    assert flow.startswith("id: kz-birth") and country.startswith("country: KZ")
    folder = root / "KZ"
    (folder / "tests").mkdir(parents=True)
    (folder / "birth.yaml").write_text(flow, encoding="utf-8")
    (folder / "country.yaml").write_text(country, encoding="utf-8")
    (folder / "tests" / "birth.yaml").write_text(flow_test, encoding="utf-8")


def test_documented_flow_and_country_load_without_problems(tmp_path: Path) -> None:
    write_examples(tmp_path)
    result = load_flows(tmp_path, today=date(2026, 11, 20))
    assert [str(p) for p in result.problems] == []
    assert set(result.flows.flows["kz-birth"].steps) >= {"intro", "documents", "office", "done"}


def test_documented_flow_test_passes(tmp_path: Path) -> None:
    write_examples(tmp_path)
    flows = load_flows(tmp_path, today=date(2026, 11, 20)).flows
    cases = load_cases(tmp_path)
    assert cases.problems == [] and cases.cases
    results, _coverage = run_cases(flows, cases.cases)
    assert [r.failure for r in results] == [None] * len(results)
