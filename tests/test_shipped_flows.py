"""The shipped flows: clean check, every admin flow test passing, every step covered.

The flow tests are the admins' own YAML cases (flows/<CC>/tests/); pytest runs each as a test,
so a broken flow shows up in CI with the same diff `python -m bot flows test` prints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import flows_docs
from bot.engine import load_flows
from bot.flowtests import Case, load_cases, run_case, run_cases

FLOWS = Path(__file__).resolve().parents[1] / "flows"
RESULT = load_flows(FLOWS)
CASES = load_cases(FLOWS)


def test_shipped_flows_check_clean_without_warnings() -> None:
    assert [str(p) for p in RESULT.problems] == []
    assert len(RESULT.flows.flows) >= 12


def test_every_country_has_two_or_more_flows_in_its_languages() -> None:
    wanted = {"CN": {"zh_Hans", "en"}, "KZ": {"kk", "ru"}, "KG": {"ky", "ru"},
              "LB": {"ar", "en", "fr"}, "SN": {"fr", "wo"}}
    for country, languages in wanted.items():
        flows = RESULT.flows.for_country(country)
        assert len(flows) >= 2, country
        for flow in flows:
            offered = set(RESULT.flows.countries[country].languages)
            assert languages <= set(flow.languages) <= offered, flow.id
            assert flow.sources and flow.last_reviewed, flow.id


def test_flow_test_files_are_valid() -> None:
    assert [str(p) for p in CASES.problems] == []


@pytest.mark.parametrize("case", CASES.cases, ids=lambda c: f"{c.flow}:{c.lang}:{c.line}")
def test_flow_case(case: Case) -> None:
    result = run_case(RESULT.flows, case)
    assert result.passed, result.failure


def test_flow_tests_visit_every_step_in_every_language() -> None:
    _results, coverage = run_cases(RESULT.flows, CASES.cases)
    gaps = {f"{flow} [{lang}]": steps
            for (flow, lang), steps in coverage.missing(RESULT.flows).items() if steps}
    assert gaps == {}


def test_procedures_page_is_up_to_date() -> None:
    committed = FLOWS.parent / "docs" / "procedures.md"
    generated = committed.with_name(".procedures.check.md")  # same folder: same relative links
    try:
        assert flows_docs.run(str(FLOWS), str(generated)) == 0
        assert committed.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), (
            "docs/procedures.md is stale: run `python -m bot flows docs`")
    finally:
        generated.unlink(missing_ok=True)
