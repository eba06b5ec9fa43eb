"""Turning one located YAML document into a Flow, reporting every problem found.

Parsing never stops at the first mistake: an admin fixing a file wants the whole list. What
needs other files (step and flow references, offices, answer names) is left to `checker`;
`country.yaml` is read by `country`, the shared fields by `fields`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .country import parse_office
from .expressions import Expression, ExpressionError, compile_expression
from .fields import MAX_BUTTON, Reporter, TextReader, read_languages, string_list
from .located import LocatedDict, LocatedList, Pos, pos_of
from .model import (
    CHECKLIST_DONE,
    INPUT_KINDS,
    NUMERIC_INPUTS,
    STEP_KINDS,
    Flow,
    Item,
    Option,
    Rule,
    Source,
    Step,
    Text,
)
from .outcome_fields import FLOW_OUTCOME_FIELDS, parse_flow_outcomes
from .same_numbers import Translated

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
STEP_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]{0,31}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

FLOW_FIELDS = {"id", "languages", "title", "description", "source", "last_reviewed", "keywords",
               "review", "start", "steps"}
FLOW_FIELDS |= FLOW_OUTCOME_FIELDS  # followup, reminders, changes: outcome_fields.py
FLOW_REQUIRED = ("id", "languages", "title", "description", "source", "last_reviewed", "steps")
STEP_FIELDS = {
    "say": {"next"},
    "choose": {"options", "save", "label", "exhaustive"},
    "ask": {"input", "save", "retry", "label", "min", "max", "next"},
    "branch": {"else"},
    "checklist": {"items", "save", "label", "next"},
    "place": {"note", "next"},
    "escalate": {"next"},
    "end": {"summary"},
    "flow": {"step"},
    "compute": {"save", "label", "next"},
}
STEP_REQUIRED = {"choose": ("options",), "ask": ("input", "save"), "checklist": ("items",),
                 "branch": ("else",), "compute": ("save",)}
FALLS_THROUGH = {"say", "ask", "checklist", "place", "compute"}
_KIND_SET = frozenset(STEP_KINDS)
_ALLOWED = {kind: frozenset({"id", "review", kind} | STEP_FIELDS[kind]) for kind in STEP_KINDS}


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


class _FlowParser:
    def __init__(self, report: Reporter, data: LocatedDict, country: str, raw: bytes) -> None:
        self.report, self.data, self.country, self.raw = report, data, country, raw
        self.languages = read_languages(report, data)
        self.parsed_texts: list[tuple[Text, Pos]] = []
        self.translated: list[Translated] = []
        self.text = TextReader(report, self.languages, self.parsed_texts, self.translated)
        self.step_refs: list[tuple[str, Pos]] = []
        self.flow_refs: list[tuple[str, str | None, Pos]] = []
        self.office_refs: list[tuple[str, Pos]] = []
        self.expressions: list[tuple[Expression, Pos]] = []
        self.comparisons: list[tuple[str, tuple[Any, ...], Pos]] = []
        self._lines: list[str] | None = None  # the file's lines, read when first needed

    def ref(self, container: LocatedDict, key: str) -> str | None:
        value = container.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.report.error(pos_of(container, key), "bad-reference",
                              f"`{key}` must name a step id")
            return None
        self.step_refs.append((value, pos_of(container, key)))
        return value

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
        keywords = string_list(report, data, "keywords")
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
            keywords=keywords, start=str(start), steps=steps,
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
        if not isinstance(value, LocatedList) or not value:
            self.report.error(pos_of(self.data, "source"), "bad-field",
                              "`source` must list the official references",
                              "each with `title:` and `url:`")
            return ()
        sources = []
        for index, item in enumerate(value):
            if not isinstance(item, LocatedDict):
                self.report.error(pos_of(value, index), "bad-field",
                                  "a source needs `title:` and `url:`")
                continue
            self.report.unknown_fields(item, {"title", "url"}, "a source")
            if self.report.require(item, ("title", "url"), "this source"):
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

    def step(self, item: LocatedDict, following: str | None) -> Step | None:
        report = self.report
        kinds = [key for key in item if key in _KIND_SET]
        step_id = item.get("id")
        if not isinstance(step_id, str) or not STEP_ID_PATTERN.match(step_id):
            report.error(pos_of(item, "id"), "bad-id",
                         "this step has no valid `id`" if "id" in item else "this step has no `id`",
                         "use a-z, 0-9 and _, at most 32 characters")
            return None
        if len(kinds) != 1:
            report.error(item.pos, "step-kind",
                         f"step `{step_id}` must have exactly one kind, found "
                         f"{', '.join(kinds) or 'none'}", "kinds: " + ", ".join(STEP_KINDS))
            return None
        kind = kinds[0]
        report.unknown_fields(item, _ALLOWED[kind], f"a `{kind}` step")
        report.require(item, STEP_REQUIRED.get(kind, ()), f"step `{step_id}`")
        fields: dict[str, Any] = {"id": step_id, "kind": kind, "pos": item.pos}
        if kind in {"say", "choose", "ask", "checklist", "escalate", "end"}:
            fields["text"] = self.text.read(item, kind)
        if "next" in item:
            fields["next"] = self.ref(item, "next")
        elif kind in FALLS_THROUGH:
            if following is None:
                report.error(item.pos, "missing-next",
                             f"step `{step_id}` is last and has no `next`",
                             "add `next:` or end the flow with an `end` step")
            fields["next"] = following
        if "label" in item:
            fields["label"] = self.text.read(item, "label", limit=80)
        if "save" in item:
            fields["save"] = self.answer_name(item)
        getattr(self, f"_{kind}")(item, fields)
        return Step(**fields)

    def answer_name(self, item: LocatedDict) -> str | None:
        name = item.get("save")
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            self.report.error(pos_of(item, "save"), "bad-name",
                              f"answer name {name!r} is not valid",
                              "use a-z, 0-9 and _, starting with a letter")
            return None
        return name

    def _say(self, item: LocatedDict, fields: dict) -> None:
        pass

    def _end(self, item: LocatedDict, fields: dict) -> None:
        if "summary" in item:
            if not isinstance(item["summary"], bool):
                self.report.error(pos_of(item, "summary"), "bad-field",
                                  "`summary` must be true or false")
            fields["summary"] = bool(item["summary"])

    def _escalate(self, item: LocatedDict, fields: dict) -> None:
        pass

    def _compute(self, item: LocatedDict, fields: dict) -> None:
        fields["expression"] = self.expression(item, "compute", "calculation")

    def expression(self, container: LocatedDict, key: str, what: str) -> Expression | None:
        """Compile `container[key]`, reporting a mistake at its exact column."""
        source = container[key]
        where = pos_of(container, key)
        try:
            expression = compile_expression(str(source) if source is not None else "")
        except ExpressionError as exc:
            column = self._value_column(where, len(key) + 1) + exc.column - 1
            self.report.error(Pos(where.line, column), "bad-expression",
                              f"invalid {what} `{source}`: {exc}",
                              exc.hint or "see Expressions in docs/flows.md")
            return None
        self.expressions.append((expression, where))
        if expression.comparisons:
            start = self._value_column(where, len(key) + 1)
            for name, values, column in expression.comparisons:
                self.comparisons.append((name, values, Pos(where.line, start + column - 1)))
        return expression

    def _choose(self, item: LocatedDict, fields: dict) -> None:
        options = item.get("options")
        if not isinstance(options, LocatedList) or not options:
            if "options" in item:
                self.report.error(pos_of(item, "options"), "bad-field",
                                  "`options` must list at least one option")
            return
        parsed = []
        for index, option in enumerate(options):
            if not isinstance(option, LocatedDict):
                self.report.error(pos_of(options, index), "bad-field",
                                  "an option needs `label:` and `next:`")
                continue
            self.report.unknown_fields(option, {"label", "next", "value", "review"}, "an option")
            if not self.report.require(option, ("label", "next"), "this option"):
                continue
            label = self.text.read(option, "label", limit=MAX_BUTTON, what="button label")
            target = self.ref(option, "next")
            if label is None or target is None:
                continue
            value = option.get("value", label.by_lang.get(label.fallback))
            parsed.append(Option(str(index), label, target, value, option.pos))
        fields["options"] = tuple(parsed)
        if "exhaustive" in item:
            if not isinstance(item["exhaustive"], bool):
                self.report.error(pos_of(item, "exhaustive"), "bad-field",
                                  "`exhaustive` must be true or false")
            fields["exhaustive"] = item["exhaustive"] is True

    def _ask(self, item: LocatedDict, fields: dict) -> None:
        kind = item.get("input")
        if kind is not None and kind not in INPUT_KINDS:
            close = difflib.get_close_matches(str(kind), INPUT_KINDS, n=1)
            self.report.error(pos_of(item, "input"), "bad-input",
                              f"unknown input kind {kind!r}",
                              f"did you mean `{close[0]}`?" if close
                              else "use " + ", ".join(INPUT_KINDS))
        fields["input"] = kind if kind in INPUT_KINDS else "text"
        if "retry" in item:
            fields["retry"] = self.text.read(item, "retry")
        for key in ("min", "max"):
            value = item.get(key)
            if value is None:
                continue
            if kind not in INPUT_KINDS:
                continue  # the unknown input kind is the one mistake to report
            if fields["input"] not in NUMERIC_INPUTS:
                self.report.error(pos_of(item, key), "bad-field",
                                  f"`{key}` only applies to `number` and `integer` inputs",
                                  f"remove `{key}:` or change `input:`")
            elif not isinstance(value, int | float) or isinstance(value, bool):
                self.report.error(pos_of(item, key), "bad-field", f"`{key}` must be a number",
                                  f"write it with digits, e.g. `{key}: 1`")
            else:
                fields[key] = float(value)

    def _branch(self, item: LocatedDict, fields: dict) -> None:
        rules = item.get("branch")
        if not isinstance(rules, LocatedList) or not rules:
            self.report.error(pos_of(item, "branch"), "bad-field",
                              "`branch` must list conditions", "each `- if: …` with `next: …`")
            rules = LocatedList()
        parsed = []
        for index, rule in enumerate(rules):
            if not isinstance(rule, LocatedDict):
                self.report.error(pos_of(rules, index), "bad-field",
                                  "a branch rule needs `if:` and `next:`")
                continue
            self.report.unknown_fields(rule, {"if", "next"}, "a branch rule")
            if not self.report.require(rule, ("if", "next"), "this branch rule"):
                continue
            target = self.ref(rule, "next")
            expression = self.expression(rule, "if", "condition")
            if expression is not None and target is not None:
                parsed.append(Rule(expression, target, rule.pos))
        fields["rules"] = tuple(parsed)
        fields["otherwise"] = self.ref(item, "else")

    def _value_column(self, key: Pos, key_length: int) -> int:
        """The column where a one-line value starts after its key, inside any quote."""
        if self._lines is None:
            self._lines = self.raw.decode("utf-8", "replace").splitlines()
        lines = self._lines
        line = lines[key.line - 1] if key.line <= len(lines) else ""
        index = key.column - 1 + key_length
        while index < len(line) and line[index] in " \t":
            index += 1
        if index < len(line) and line[index] in "\"'":
            index += 1
        return index + 1

    def _checklist(self, item: LocatedDict, fields: dict) -> None:
        items = item.get("items")
        if not isinstance(items, LocatedList) or not items:
            if "items" in item:
                self.report.error(pos_of(item, "items"), "bad-field",
                                  "`items` must list the documents")
            return
        parsed, seen = [], set()
        for index, entry in enumerate(items):
            if not isinstance(entry, LocatedDict):
                self.report.error(pos_of(items, index), "bad-field",
                                  "an item needs `id:` and `label:`")
                continue
            self.report.unknown_fields(entry, {"id", "label", "where", "if", "review"}, "an item")
            if not self.report.require(entry, ("id", "label"), "this item"):
                continue
            item_id = str(entry["id"])
            if not STEP_ID_PATTERN.match(item_id) or item_id == CHECKLIST_DONE:
                self.report.error(pos_of(entry, "id"), "bad-id",
                                  f"item id {item_id!r} is not valid",
                                  f"use a-z, 0-9 and _ (and not `{CHECKLIST_DONE}`)")
                continue
            if item_id in seen:
                self.report.error(pos_of(entry, "id"), "duplicate-id",
                                  f"item id `{item_id}` is used twice in this checklist")
                continue
            seen.add(item_id)
            label = self.text.read(entry, "label", limit=MAX_BUTTON, what="button label")
            where = self.text.read(entry, "where") if "where" in entry else None
            condition = self.expression(entry, "if", "condition") if "if" in entry else None
            if label is not None:
                parsed.append(Item(item_id, label, where, entry.pos, condition))
        fields["items"] = tuple(parsed)

    def _place(self, item: LocatedDict, fields: dict) -> None:
        value = item.get("place")
        if isinstance(value, str):
            fields["office_ref"] = value
            self.office_refs.append((value, pos_of(item, "place")))
        else:
            fields["office"] = parse_office(self.report, value, self.text, pos_of(item, "place"),
                                            office_id=fields["id"])
        if "note" in item:
            fields["note"] = self.text.read(item, "note")

    def _flow(self, item: LocatedDict, fields: dict) -> None:
        target = item.get("flow")
        step = item.get("step")
        if not isinstance(target, str):
            self.report.error(pos_of(item, "flow"), "bad-reference", "`flow` must name a flow id")
            return
        fields["target_flow"] = target
        fields["target_step"] = str(step) if step is not None else None
        self.flow_refs.append((target, fields["target_step"], pos_of(item, "flow")))


def parse_flow(report: Reporter, data: Any, country: str, raw: bytes) -> ParsedFlow | None:
    """Build a flow from a located document; problems go to `report`."""
    if not isinstance(data, LocatedDict):
        report.error(Pos(1, 1), "bad-file", "a flow file must be a mapping",
                     "start with `id:`, see docs/flows.md")
        return None
    return _FlowParser(report, data, country, raw).parse()
