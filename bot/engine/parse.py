"""Turning one located YAML document into a Flow, reporting every problem found.

Parsing never stops at the first mistake: an admin fixing a file wants the whole list. What
needs other files (step and flow references, offices, answer names) is left to `checker`;
`country.yaml` is read by `country`, the shared fields by `fields`. This module reads the
flow-level fields; one step is read by `parse_steps` (list-bodied kinds by `parse_lists`), and
what the checker needs is collected by `parse_state`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .expressions import Expression
from .fields import Reporter
from .keywords import flat, parse_keywords
from .located import LocatedDict, LocatedList, Pos, pos_of
from .model import Flow, Source, Step, Text
from .outcome_fields import FLOW_OUTCOME_FIELDS, parse_flow_outcomes
from .parse_state import ID_PATTERN, NAME_PATTERN, STEP_ID_PATTERN
from .parse_steps import FALLS_THROUGH, STEP_FIELDS, STEP_REQUIRED, StepParser
from .same_numbers import Translated

__all__ = ["FALLS_THROUGH", "FLOW_FIELDS", "FLOW_REQUIRED", "ID_PATTERN", "NAME_PATTERN",
           "STEP_FIELDS", "STEP_ID_PATTERN", "STEP_REQUIRED", "ParsedFlow", "parse_flow"]

FLOW_FIELDS = {"id", "languages", "title", "description", "source", "last_reviewed", "keywords",
               "review", "start", "steps"}
FLOW_FIELDS |= FLOW_OUTCOME_FIELDS  # followup, reminders, changes: outcome_fields.py
FLOW_REQUIRED = ("id", "languages", "title", "description", "source", "last_reviewed", "steps")


@dataclass
class ParsedFlow:
    """A flow plus what the cross-file checks need: positions of texts, references, names."""

    flow: Flow
    texts: list[tuple[Text, Pos]] = field(default_factory=list)  # texts containing "{"
    step_refs: list[tuple[str, Pos]] = field(default_factory=list)
    flow_refs: list[tuple[str, str | None, Pos]] = field(default_factory=list)
    office_refs: list[tuple[str, Pos]] = field(default_factory=list)
    expressions: list[tuple[Expression, Pos]] = field(default_factory=list)
    comparisons: list[tuple[str, tuple[Any, ...], Pos]] = field(default_factory=list)
    id_pos: Pos = field(default_factory=lambda: Pos(1, 1))
    reviewed_pos: Pos = field(default_factory=lambda: Pos(1, 1))
    translated: list[Translated] = field(default_factory=list)  # texts in 2+ languages


class _FlowParser(StepParser):
    """The flow-level fields, then each step through `StepParser.step`."""

    def parse(self) -> ParsedFlow | None:
        data, report = self.data, self.report
        report.unknown_fields(data, FLOW_FIELDS, "a flow")
        report.require(data, FLOW_REQUIRED, "this flow")
        flow_id = data.get("id")
        if not isinstance(flow_id, str) or not ID_PATTERN.match(flow_id):
            if "id" in data:
                report.error(pos_of(data, "id"), "bad-id", f"flow id {flow_id!r} is not valid",
                             "use a-z, 0-9, - and _, at most 32 characters")
            flow_id = None
        title = self.text.read(data, "title", limit=120) if "title" in data else None
        description = self.text.read(data, "description", limit=300) if (
            "description" in data) else None
        sources = self.sources()
        reviewed = self.reviewed()
        keywords = parse_keywords(report, data)
        steps = self.steps()
        start = data.get("start")
        if start is not None:
            self.ref(data, "start")
        elif steps:
            start = next(iter(steps))
        outcomes = parse_flow_outcomes(report, data, self.languages, self.translated)
        if flow_id is None or not steps or title is None or description is None:
            return None
        answer_steps = {step.save: step for step in steps.values() if step.save}
        flow = Flow(
            id=flow_id, country=self.country, languages=self.languages, title=title,
            description=description, sources=sources, last_reviewed=reviewed,
            keywords=flat(keywords), keywords_by_lang=keywords, start=str(start), steps=steps,
            version=hashlib.sha1(self.raw).hexdigest()[:12], file=report.file, pos=data.pos,
            answer_steps=answer_steps, outcomes=outcomes, unreviewed=self.unreviewed(),
        )
        return ParsedFlow(flow, self.parsed_texts, self.step_refs, self.flow_refs,
                          self.office_refs, self.expressions, self.comparisons,
                          pos_of(data, "id"), pos_of(data, "last_reviewed"), self.translated)

    def unreviewed(self) -> frozenset[str]:
        """The languages a flow-level `review` map names (a plain note names none)."""
        review = self.data.get("review")
        if not isinstance(review, dict):
            return frozenset()
        return frozenset(lang for lang, note in review.items() if note)

    def sources(self) -> tuple[Source, ...]:
        value = self.data.get("source")
        if value is None:
            return ()
        listed = self.listed(self.data, "source", "`source` must list the official references",
                             "each with `title:` and `url:`")
        if listed is None:
            return ()
        sources = []
        for _, item in self.entries(listed, {"title", "url"}, ("title", "url"), "a source"):
            url = str(item["url"])
            if not url.startswith(("https://", "http://")):
                self.report.error(pos_of(item, "url"), "bad-url",
                                  f"{url!r} is not a web address", "start it with https://")
            sources.append(Source(str(item["title"]), url))
        return tuple(sources)

    def reviewed(self) -> date | None:
        value = self.data.get("last_reviewed")
        if value is None:
            return None
        if isinstance(value, date):
            return value
        self.report.error(pos_of(self.data, "last_reviewed"), "bad-date",
                          f"`last_reviewed` {value!r} is not a date", "write it as 2026-11-01")
        return None

    def steps(self) -> dict[str, Step]:
        value = self.data.get("steps")
        if value is None:
            return {}
        if not isinstance(value, LocatedList) or not value:
            self.report.error(pos_of(self.data, "steps"), "bad-field",
                              "`steps` must be a list of steps")
            return {}
        steps: dict[str, Step] = {}
        raw_steps = [(i, s) for i, s in enumerate(value) if isinstance(s, LocatedDict)]
        for index, item in enumerate(value):
            if not isinstance(item, LocatedDict):
                self.report.error(pos_of(value, index), "bad-step",
                                  "a step must be a mapping with `id:` and one kind")
        ids = [str(item.get("id")) for _, item in raw_steps]
        for position, (_, item) in enumerate(raw_steps):
            following = ids[position + 1] if position + 1 < len(ids) else None
            step = self.step(item, following)
            if step is None:
                continue
            if step.id in steps:
                first = steps[step.id].pos.line
                self.report.error(pos_of(item, "id"), "duplicate-id",
                                  f"step id `{step.id}` is used twice in this flow: on line "
                                  f"{first} and on line {item.pos.line}",
                                  "give each step its own id, and check which one each "
                                  "`next:` should lead to")
                continue
            steps[step.id] = step
        return steps


def parse_flow(report: Reporter, data: Any, country: str, raw: bytes) -> ParsedFlow | None:
    """Build a flow from a located document; problems go to `report`."""
    if not isinstance(data, LocatedDict):
        report.error(Pos(1, 1), "bad-file", "a flow file must be a mapping",
                     "start with `id:`, see docs/flows.md")
        return None
    return _FlowParser(report, data, country, raw).parse()
