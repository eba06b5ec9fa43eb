"""Outcome fields: followup, reminders, changes in flows; blockers, timezone in country.yaml.

Each mistake is reported at the place to edit (file:line:column) with a hint; dates are
computed from the end of the run or from a saved date answer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.engine import load_flows
from bot.engine.outcomes import END, When, add, parse_quiet_hours

from .test_checker import ERROR, WARNING, assert_problem, at, flow, only

COUNTRY = """\
country: TT
name: {en: Testland, fr: Testlande}
languages: [en, fr]
default_language: en
timezone: Africa/Dakar
blockers:
  - id: missing_document
    label: {en: A document was missing, fr: Il manquait un document}
  - id: other
    label: {en: Something else, fr: Autre chose}
"""

STEPS = """
- id: born
  ask: "When was the baby born? For example 5/3/2026"
  input: date
  save: birth_date
- id: name
  ask: Name?
  input: text
  save: name
- id: done
  end: Done.
"""


def with_outcomes(extra: str) -> str:
    return flow(STEPS).replace("steps:\n", extra + "steps:\n", 1)


def test_valid_outcomes_are_parsed(build) -> None:
    text = with_outcomes("""\
followup: 2 weeks after end
reminders:
  - id: register
    deadline: 1 month after birth_date
    before: 7 days
    text: "Register by {deadline}."
changes:
  - id: no-fee
    date: 2026-05-01
    text: "The office stopped asking for a fee."
""")
    result = build({"a.yaml": text}, country=COUNTRY)
    assert result.problems == [], "\n".join(map(str, result.problems))
    outcomes = result.flows.flows["t-flow"].outcomes
    assert outcomes.followup.anchor == END and (outcomes.followup.count,
                                                 outcomes.followup.unit) == (2, "week")
    reminder = outcomes.reminders[0]
    assert (reminder.id, reminder.days_before) == ("register", 7)
    assert reminder.deadline.resolve(date(2026, 6, 1), {"birth_date": "2026-01-31"}) == date(
        2026, 2, 28)
    assert outcomes.changes[0].date == date(2026, 5, 1)
    country = result.flows.countries["TT"].outcomes
    assert [b.id for b in country.blockers] == ["missing_document", "other"]
    assert country.timezone == "Africa/Dakar" and country.quiet_hours is None


def test_dates_count_from_the_end_or_an_answer() -> None:
    end = date(2026, 3, 10)
    assert When(END, 14, "day").resolve(end, {}) == date(2026, 3, 24)
    assert When("birth_date", 1, "year").resolve(end, {"birth_date": "2024-02-29"}) == date(
        2025, 2, 28)
    assert When("birth_date").resolve(end, {"birth_date": "2026-01-05"}) == date(2026, 1, 5)
    assert When("birth_date", 3, "day").resolve(end, {}) is None  # not answered on this path
    assert add(date(2026, 11, 30), 3, "month") == date(2027, 2, 28)


@pytest.mark.parametrize(("value", "expected"), [
    ("21:00-08:00", (1260, 480)), ("13:30 - 14:00", (810, 840)), ("25:00-08:00", None),
    ("evening", None), (None, None)])
def test_quiet_hours_are_read(value, expected) -> None:
    assert parse_quiet_hours(value) == expected


def test_unknown_answer_is_reported_where_the_anchor_is(build, tmp_path: Path) -> None:
    text = with_outcomes("followup: 30 days after birth_day\n")
    result = build({"a.yaml": text}, country=COUNTRY)
    problem = only(result, "unknown-answer")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "followup"))
    assert "birth_day" in problem.message


def test_an_answer_that_is_not_a_date_is_refused(build, tmp_path: Path) -> None:
    text = with_outcomes("""\
reminders:
  - id: r
    deadline: 10 days after name
    text: "By {deadline}."
""")
    result = build({"a.yaml": text}, country=COUNTRY)
    problem = only(result, "not-a-date")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "deadline"))
    assert "`name`" in problem.message and "step `name`" in problem.hint


def test_a_reminder_must_be_translated_and_insert_only_the_deadline(build,
                                                                    tmp_path: Path) -> None:
    text = flow(STEPS).replace("languages: [en]", "languages: [en, fr]").replace(
        "steps:\n", """\
reminders:
  - id: r
    deadline: 1 month after birth_date
    text: {en: "By {deadline}, {name}."}
steps:
""", 1)
    result = build({"a.yaml": text}, country=COUNTRY)
    errors = [p for p in result.problems if p.code == "missing-translation" and p.is_error]
    assert len(errors) == 1  # the steps' own texts only get warnings: the person chose them
    missing = errors[0]
    assert_problem(missing, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "text: {en"))
    assert "`fr`" in missing.message
    placeholder = only(result, "unknown-placeholder")
    assert placeholder.severity is ERROR and "{name}" in placeholder.message


def test_bad_expressions_ids_dates_and_duplicates(build, tmp_path: Path) -> None:
    text = with_outcomes("""\
followup: next tuesday
reminders:
  - id: r
    deadline: 1 month after birth_date
    before: a week
    text: "By {deadline}."
  - id: r
    deadline: birth_date
    text: "Again {deadline}."
changes:
  - id: Bad Id
    date: 2026-05-01
    text: "x"
  - id: ok
    date: someday
    text: "x"
""")
    result = build({"a.yaml": text}, country=COUNTRY)
    file = tmp_path / "TT" / "a.yaml"
    bad_when = [p for p in result.problems if p.code == "bad-when"]
    assert [(p.line, p.column) for p in bad_when] == [at(text, "followup"), at(text, "before")]
    assert_problem(only(result, "duplicate-id"), severity=ERROR, file=file,
                   where=at(text, "id: r", 2))
    assert_problem(only(result, "bad-id"), severity=ERROR, file=file, where=at(text, "id: Bad"))
    assert_problem(only(result, "bad-date"), severity=ERROR, file=file,
                   where=at(text, "date: someday"))


def test_country_blockers_timezone_and_quiet_hours_are_checked(build, tmp_path: Path) -> None:
    country = COUNTRY.replace("Africa/Dakar", "Africa/Atlantis").replace(
        "{en: Something else, fr: Autre chose}", "{en: Something else}") + 'quiet_hours: "late"\n'
    result = build({"a.yaml": flow(STEPS)}, country=country)
    file = tmp_path / "TT" / "country.yaml"
    assert_problem(only(result, "bad-timezone"), severity=ERROR, file=file,
                   where=at(country, "timezone"))
    assert_problem(only(result, "missing-translation"), severity=ERROR, file=file,
                   where=at(country, "label: {en: Something"))
    assert_problem(only(result, "bad-field"), severity=ERROR, file=file,
                   where=at(country, "quiet_hours"))


def test_a_flow_that_follows_up_needs_its_country_timezone(build, tmp_path: Path) -> None:
    country = COUNTRY.replace("timezone: Africa/Dakar\n", "")
    assert not only_codes(build({"a.yaml": flow(STEPS)}, country=country), "no-timezone")
    text = with_outcomes("followup: 3 days after end\n")
    result = build({"a.yaml": text}, country=country)
    assert_problem(only(result, "no-timezone"), severity=WARNING,
                   file=tmp_path / "TT" / "a.yaml", where=at(text, "followup"))


def only_codes(result, code: str) -> list:
    return [p for p in result.problems if p.code == code]


def test_shipped_birth_flows_remind_of_their_deadline() -> None:
    result = load_flows(Path(__file__).resolve().parents[2] / "flows")
    assert result.ok
    flows = result.flows.flows
    for flow_id in ("kz-birth", "kg-birth", "sn-birth", "cn-birth", "lb-birth-syrian"):
        reminders = flows[flow_id].outcomes.reminders
        assert reminders and all(r.deadline.anchor == "birth_date" for r in reminders)
        for reminder in reminders:
            assert set(reminder.text.by_lang) == set(flows[flow_id].languages)
    assert all(f.outcomes.followup is not None for f in flows.values())
    for country in result.flows.countries.values():
        assert [b.id for b in country.outcomes.blockers] == [
            "missing_document", "office_refused", "unofficial_fee", "travel", "language",
            "did_not_understand", "treated_badly", "other"]
        assert country.outcomes.timezone != "UTC"
