"""Reading and checking the outcome fields (see outcomes.py for what they mean).

Flow files: `followup:`, `reminders:`, `changes:`; country.yaml: `blockers:`, `timezone:`,
`quiet_hours:`. Every problem points at file:line:column with a hint, like the rest of the
checker; parse.py, country.py and checker.py each call in here from one line.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date

from .fields import MAX_BUTTON, Reporter, TextReader
from .located import LocatedDict, LocatedList, Pos, pos_of
from .model import Country, Flow, Text
from .outcomes import (
    END,
    Blocker,
    ChangeNote,
    CountryOutcomes,
    FlowOutcomes,
    Reminder,
    When,
    parse_quiet_hours,
)

FLOW_OUTCOME_FIELDS = frozenset({"followup", "reminders", "changes"})
COUNTRY_OUTCOME_FIELDS = frozenset({"blockers", "timezone", "quiet_hours"})
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_WHEN = re.compile(
    r"^\s*(?:(?P<count>\d{1,4})\s+(?P<unit>days?|weeks?|months?|years?)\s+after\s+)?"
    r"(?P<anchor>[a-z][a-z0-9_]{0,31})\s*$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
REMINDER_PLACEHOLDERS = frozenset({"deadline"})
DEFAULT_DAYS_BEFORE = 3


def parse_when(report: Reporter, container: LocatedDict, key: str) -> When | None:
    """Read a date expression; report where it is wrong."""
    value = container.get(key)
    pos = pos_of(container, key)
    match = _WHEN.match(value) if isinstance(value, str) else None
    if match is None:
        report.error(pos, "bad-when", f"`{key}: {value}` is not a date expression",
                     "write e.g. `14 days after end` or `1 month after birth_date`")
        return None
    count = int(match["count"] or 0)
    unit = (match["unit"] or "days").rstrip("s")
    return When(match["anchor"], count, unit, pos)


class _Texts:
    """Reads texts people receive unasked: a missing translation is an error here, because
    the person is not in a conversation where they picked the language of what follows."""

    def __init__(self, report: Reporter, languages: tuple[str, ...],
                 translated: list | None = None) -> None:
        self.report, self.languages, self.translated = report, languages, translated

    def read(self, container: LocatedDict, key: str, *, limit: int = 1000) -> Text | None:
        local = Reporter(self.report.file)
        text = TextReader(local, self.languages, [], self.translated).read(container, key,
                                                                          limit=limit)
        for problem in local.problems:
            pos = Pos(problem.line, problem.column)
            if problem.code == "missing-translation":
                self.report.error(pos, problem.code, problem.message,
                                  "people get this message unasked: translate it into every "
                                  "language of the flow")
            elif problem.is_error:
                self.report.error(pos, problem.code, problem.message, problem.hint)
            else:
                self.report.warning(pos, problem.code, problem.message, problem.hint)
        return text


def _entries(report: Reporter, data: LocatedDict, key: str, fields: set[str],
             required: tuple[str, ...], what: str) -> list[LocatedDict]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, LocatedList):
        report.error(pos_of(data, key), "bad-field", f"`{key}` must be a list")
        return []
    entries, seen = [], set()
    for index, item in enumerate(value):
        if not isinstance(item, LocatedDict):
            report.error(pos_of(value, index), "bad-field", f"{what} must be a mapping")
            continue
        report.unknown_fields(item, fields, what)
        if not report.require(item, required, what):
            continue
        item_id = item.get("id")
        if not isinstance(item_id, str) or not ID_PATTERN.match(item_id):
            report.error(pos_of(item, "id"), "bad-id", f"{what} id {item_id!r} is not valid",
                         "use a-z, 0-9, - and _, at most 32 characters")
            continue
        if item_id in seen:
            report.error(pos_of(item, "id"), "duplicate-id", f"{what} id `{item_id}` is used "
                         "twice", "give each its own id")
            continue
        seen.add(item_id)
        entries.append(item)
    return entries


def parse_flow_outcomes(report: Reporter, data: LocatedDict, languages: tuple[str, ...],
                        translated: list | None = None) -> FlowOutcomes:
    """Read `followup:`, `reminders:` and `changes:` of one flow file (texts in several
    languages are added to `translated`, for the `numbers-differ` check)."""
    texts = _Texts(report, languages, translated)
    followup = parse_when(report, data, "followup") if "followup" in data else None
    reminders = []
    for item in _entries(report, data, "reminders", {"id", "deadline", "before", "text",
                                                     "review"},
                         ("id", "deadline", "text"), "a reminder"):
        deadline = parse_when(report, item, "deadline")
        days_before = DEFAULT_DAYS_BEFORE
        if "before" in item:
            before = item["before"]
            match = re.fullmatch(r"\s*(\d{1,3})\s+days?\s*", before) if isinstance(
                before, str) else None
            if match is None:
                report.error(pos_of(item, "before"), "bad-when",
                             f"`before: {before}` is not a number of days",
                             "write e.g. `before: 7 days`, or `0 days` for the day itself")
            else:
                days_before = int(match[1])
        text = texts.read(item, "text")
        if text is not None:
            for lang, body in text.by_lang.items():
                for name in PLACEHOLDER.findall(body):
                    if name not in REMINDER_PLACEHOLDERS:
                        report.error(pos_of(item, "text"), "unknown-placeholder",
                                     f"the `{lang}` reminder inserts `{{{name}}}`",
                                     "a reminder can insert only `{deadline}`")
        if deadline is not None and text is not None:
            reminders.append(Reminder(item["id"], deadline, days_before, text, item.pos))
    changes = []
    for item in _entries(report, data, "changes", {"id", "date", "text", "review"},
                         ("id", "date", "text"), "a change note"):
        day = item["date"]
        if not isinstance(day, date):
            report.error(pos_of(item, "date"), "bad-date", f"`date: {day}` is not a date",
                         "write it as 2026-11-01")
            continue
        text = texts.read(item, "text", limit=1000)
        if text is not None:
            changes.append(ChangeNote(item["id"], day, text, item.pos))
    return FlowOutcomes(followup, tuple(reminders), tuple(changes))


def parse_country_outcomes(report: Reporter, data: LocatedDict, languages: tuple[str, ...],
                           translated: list | None = None) -> CountryOutcomes:
    """Read `blockers:`, `timezone:` and `quiet_hours:` of a country.yaml."""
    texts = _Texts(report, languages, translated)
    blockers = []
    for item in _entries(report, data, "blockers", {"id", "label", "review"}, ("id", "label"),
                         "a blocker"):
        label = texts.read(item, "label", limit=MAX_BUTTON)
        if label is not None:
            blockers.append(Blocker(item["id"], label))
    timezone = None
    if "timezone" in data:
        name = data["timezone"]
        try:
            zoneinfo.ZoneInfo(str(name))
            timezone = str(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            report.error(pos_of(data, "timezone"), "bad-timezone",
                         f"`timezone: {name}` is not a time zone name",
                         "use an IANA name such as Asia/Almaty or Africa/Dakar")
    quiet = None
    if "quiet_hours" in data:
        quiet = parse_quiet_hours(data["quiet_hours"])
        if quiet is None:
            report.error(pos_of(data, "quiet_hours"), "bad-field",
                         f"`quiet_hours: {data['quiet_hours']}` is not a time range",
                         "write e.g. `quiet_hours: \"21:00-08:00\"` (local time)")
    return CountryOutcomes(tuple(blockers), timezone, quiet)


def check_flow_outcomes(flow: Flow, flows: dict[str, Flow], country: Country | None,
                        report: Reporter) -> None:
    """Cross-file checks: each anchor is a date answer saved by this flow (or one it runs);
    a flow that sends messages later needs its country's time zone (for quiet hours)."""
    outcomes = flow.outcomes
    if outcomes is None:
        return
    if outcomes.offered and country is not None and (
            country.outcomes is None or country.outcomes.timezone is None):
        where = outcomes.followup.pos if outcomes.followup else outcomes.reminders[0].pos
        report.warning(where, "no-timezone", f"{country.file} has no `timezone`",
                       "add e.g. `timezone: Asia/Almaty` there; until then the quiet hours "
                       "are counted in UTC")
    whens = [("followup", outcomes.followup)] if outcomes.followup else []
    whens += [(f"reminder `{r.id}`", r.deadline) for r in outcomes.reminders]
    for what, when in whens:
        if when.anchor == END:
            continue
        step = flow.answer_steps.get(when.anchor) or next(
            (f.answer_steps[when.anchor] for f in flows.values()
             if when.anchor in f.answer_steps), None)
        if step is None:
            report.error(when.pos, "unknown-answer",
                         f"{what} counts from `{when.anchor}`, which no step saves",
                         "name a saved `input: date` answer, or `end`")
        elif step.kind != "ask" or step.input != "date":
            report.error(when.pos, "not-a-date",
                         f"{what} counts from `{when.anchor}`, which is not a date answer",
                         f"`{when.anchor}` is saved by step `{step.id}`; use an "
                         "`input: date` answer, or `end`")
