"""Turning one located YAML document into a Flow or a Country, reporting every problem found.

Parsing never stops at the first mistake: an admin fixing a file wants the whole list. What
needs other files (step and flow references, offices, answer names) is left to `checker`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .expressions import Expression, ExpressionError, compile_expression
from .located import LocatedDict, LocatedList, Pos, pos_of
from .model import (
    CHECKLIST_DONE,
    INPUT_KINDS,
    STEP_KINDS,
    Contact,
    Country,
    Flow,
    Item,
    Office,
    Option,
    Rule,
    Source,
    Step,
    Text,
)
from .problems import Problem, Severity

GENERIC_HINT = "see docs/flows.md for what this field may hold"
MAX_TEXT = 4096
MAX_BUTTON = 40
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
STEP_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]{0,31}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
LANG_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")

FLOW_FIELDS = {"id", "languages", "title", "description", "source", "last_reviewed", "keywords",
               "review", "start", "steps"}
FLOW_REQUIRED = ("id", "languages", "title", "description", "source", "last_reviewed", "steps")
STEP_FIELDS = {
    "say": {"next"},
    "choose": {"options", "save", "label"},
    "ask": {"input", "save", "retry", "label", "min", "max", "next"},
    "branch": {"else"},
    "checklist": {"items", "save", "label", "next"},
    "place": {"note", "next"},
    "escalate": {"next"},
    "end": {"summary"},
    "flow": {"step"},
}
STEP_REQUIRED = {"choose": ("options",), "ask": ("input", "save"), "checklist": ("items",),
                 "branch": ("else",)}
FALLS_THROUGH = {"say", "ask", "checklist", "place"}
_KIND_SET = frozenset(STEP_KINDS)
_ALLOWED = {kind: frozenset({"id", "review", kind} | STEP_FIELDS[kind]) for kind in STEP_KINDS}
COUNTRY_FIELDS = {"country", "name", "languages", "default_language", "offices", "contacts",
                  "review"}
OFFICE_FIELDS = {"id", "name", "address", "hours", "phone", "url", "lat", "lon", "review"}


@dataclass
class Reporter:
    """Collects problems for one file."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, pos: Pos, code: str, message: str, hint: str = "") -> None:
        hint = hint or GENERIC_HINT
        self.problems.append(Problem(self.file, pos.line, pos.column, Severity.ERROR, code,
                                     message, hint))

    def warning(self, pos: Pos, code: str, message: str, hint: str = "") -> None:
        hint = hint or GENERIC_HINT
        self.problems.append(Problem(self.file, pos.line, pos.column, Severity.WARNING, code,
                                     message, hint))

    def unknown_fields(self, data: LocatedDict, allowed: set[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f"did you mean `{close[0]}`?" if close else "allowed: " + ", ".join(
                    sorted(allowed))
                self.error(pos_of(data, key), "unknown-field",
                           f"unknown field `{key}` in {where}", hint)

    def require(self, data: LocatedDict, names: tuple[str, ...], where: str) -> bool:
        missing = [name for name in names if name not in data]
        for name in missing:
            self.error(data.pos, "missing-field", f"{where} has no `{name}`",
                       f"add `{name}:` (see docs/flows.md)")
        return not missing


@dataclass
class ParsedFlow:
    """A flow plus what the cross-file checks need: positions of texts, references, names."""

    flow: Flow
    texts: list[tuple[Text, Pos]] = field(default_factory=list)  # texts containing "{"
    step_refs: list[tuple[str, Pos]] = field(default_factory=list)
    flow_refs: list[tuple[str, str | None, Pos]] = field(default_factory=list)
    office_refs: list[tuple[str, Pos]] = field(default_factory=list)
    expressions: list[tuple[Expression, Pos]] = field(default_factory=list)
    id_pos: Pos = field(default_factory=lambda: Pos(1, 1))
    reviewed_pos: Pos = field(default_factory=lambda: Pos(1, 1))


_PLAIN = (str, int, float)


class _TextReader:
    """Reads per-language texts and checks their languages and lengths."""

    def __init__(self, report: Reporter, languages: tuple[str, ...], texts: list) -> None:
        self.report, self.languages, self.texts = report, languages, texts

    def read(self, container: Any, key: str, *, limit: int = MAX_TEXT,
             what: str = "text") -> Text | None:
        value = container.get(key)
        languages = self.languages
        fallback = languages[0] if languages else "en"
        if isinstance(value, _PLAIN) and not isinstance(value, bool):
            by_lang = {fallback: str(value)}
        elif isinstance(value, dict) and value:
            by_lang = {}
            for lang, text in value.items():
                if text.__class__ is not str or (languages and lang not in languages):
                    if not isinstance(text, _PLAIN) or isinstance(text, bool):
                        self.report.error(pos_of(value, lang), "bad-text",
                                          f"`{lang}:` in `{key}` is not plain text",
                                          'put the text in quotes "…": an unquoted ": " or "#" '
                                          "changes its meaning" if not isinstance(text, bool)
                                          else "quote it: YAML reads unquoted yes/no/on/off "
                                          "as a switch")
                        continue
                    if languages and lang not in languages:
                        self.report.error(pos_of(value, lang), "unknown-language",
                                          f"`{lang}` is not one of this flow's languages",
                                          "add it to `languages:` or fix the code")
                by_lang[lang] = str(text)
        else:
            hint = ('quote it: YAML reads unquoted yes/no/on/off/true/false as a switch'
                    if isinstance(value, bool) else 'write `key: text` or `key: {ru: …, kk: …}`')
            self.report.error(pos_of(container, key), "bad-text",
                              f"`{key}` must be a text or a map language -> text", hint)
            return None
        for lang, text in by_lang.items():
            if len(text) > limit or not text.strip():
                self._length(container, key, lang, text, limit, what)
        for lang in languages:
            if lang not in by_lang:
                self.report.warning(pos_of(container, key), "missing-translation",
                                    f"`{key}` has no `{lang}` translation",
                                    f"add `{lang}:`; until then people see the "
                                    f"`{fallback}` text")
        text_obj = Text(by_lang, fallback)
        for text in by_lang.values():
            if "{" in text:  # only texts that may insert answers need checking later
                self.texts.append((text_obj, pos_of(container, key)))
                break
        return text_obj

    def _length(self, container: Any, key: str, lang: str, text: str, limit: int,
                what: str) -> None:
        pos = pos_of(container, key)
        if not text.strip():
            self.report.error(pos, "empty-text", f"the `{lang}` {what} of `{key}` is empty")
        else:
            code = "text-too-long" if limit == MAX_TEXT else "label-too-long"
            self.report.error(pos, code, f"the `{lang}` {what} of `{key}` has {len(text)} "
                              f"characters; at most {limit} fit",
                              "shorten it" if limit != MAX_TEXT else "split it into steps")


def _string_list(report: Reporter, data: LocatedDict, key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        report.error(pos_of(data, key), "bad-field", f"`{key}` must be a list of texts",
                     f"write `{key}: [a, b]`")
        return ()
    return tuple(value)


def _languages(report: Reporter, data: LocatedDict) -> tuple[str, ...]:
    languages = _string_list(report, data, "languages")
    if "languages" in data and not languages:
        report.error(pos_of(data, "languages"), "bad-field", "`languages` is empty",
                     "list at least one language, e.g. `languages: [ru]`")
    for lang in languages:
        if not LANG_PATTERN.match(lang):
            report.error(pos_of(data, "languages"), "unknown-language",
                         f"`{lang}` is not a language code", "use codes like ru, kk, zh_Hans")
    return languages


def parse_office(report: Reporter, data: Any, texts: _TextReader, pos: Pos,
                 office_id: str = "") -> Office | None:
    if not isinstance(data, LocatedDict):
        report.error(pos, "bad-field", "an office must be a mapping with at least `name`")
        return None
    report.unknown_fields(data, OFFICE_FIELDS, "an office")
    if not report.require(data, ("name",), "this office"):
        return None
    coords = []
    for key in ("lat", "lon"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
            report.error(pos_of(data, key), "bad-field", f"`{key}` must be a number")
            value = None
        coords.append(value)
    if (coords[0] is None) != (coords[1] is None):
        report.error(data.pos, "bad-field", "give both `lat` and `lon`, or neither")
        coords = [None, None]
    return Office(
        id=str(data.get("id", office_id)),
        name=texts.read(data, "name"),
        address=texts.read(data, "address") if "address" in data else None,
        hours=texts.read(data, "hours") if "hours" in data else None,
        phone=str(data["phone"]) if data.get("phone") is not None else None,
        url=str(data["url"]) if data.get("url") is not None else None,
        lat=coords[0],
        lon=coords[1],
    )


class _FlowParser:
    def __init__(self, report: Reporter, data: LocatedDict, country: str, raw: bytes) -> None:
        self.report, self.data, self.country, self.raw = report, data, country, raw
        self.languages = _languages(report, data)
        self.parsed_texts: list[tuple[Text, Pos]] = []
        self.text = _TextReader(report, self.languages, self.parsed_texts)
        self.step_refs: list[tuple[str, Pos]] = []
        self.flow_refs: list[tuple[str, str | None, Pos]] = []
        self.office_refs: list[tuple[str, Pos]] = []
        self.expressions: list[tuple[Expression, Pos]] = []

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
        keywords = _string_list(report, data, "keywords")
        steps = self.steps()
        start = data.get("start")
        if start is not None:
            self.ref(data, "start")
        elif steps:
            start = next(iter(steps))
        if flow_id is None or not steps or title is None or description is None:
            return None
        answer_steps = {step.save: step for step in steps.values() if step.save}
        flow = Flow(
            id=flow_id, country=self.country, languages=self.languages, title=title,
            description=description, sources=sources, last_reviewed=reviewed,
            keywords=keywords, start=str(start), steps=steps,
            version=hashlib.sha1(self.raw).hexdigest()[:12], file=report.file, pos=data.pos,
            answer_steps=answer_steps,
        )
        return ParsedFlow(flow, self.parsed_texts, self.step_refs, self.flow_refs,
                          self.office_refs, self.expressions, pos_of(data, "id"),
                          pos_of(data, "last_reviewed"))

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
                self.report.error(pos_of(item, "id"), "duplicate-id",
                                  f"step id `{step.id}` is used twice in this flow",
                                  "give each step its own id")
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

    def _ask(self, item: LocatedDict, fields: dict) -> None:
        kind = item.get("input")
        if kind is not None and kind not in INPUT_KINDS:
            self.report.error(pos_of(item, "input"), "bad-input",
                              f"unknown input kind {kind!r}", "use " + ", ".join(INPUT_KINDS))
        fields["input"] = kind if kind in INPUT_KINDS else "text"
        if "retry" in item:
            fields["retry"] = self.text.read(item, "retry")
        for key in ("min", "max"):
            value = item.get(key)
            if value is not None:
                if fields["input"] != "number" or not isinstance(value, int | float):
                    self.report.error(pos_of(item, key), "bad-field",
                                      f"`{key}` must be a number, on a `number` input")
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
            source = rule["if"]
            where = pos_of(rule, "if")
            try:
                expression = compile_expression(str(source) if source is not None else "")
            except ExpressionError as exc:
                column = self._value_column(where, len("if:")) + exc.column - 1
                self.report.error(Pos(where.line, column), "bad-expression",
                                  f"invalid condition `{source}`: {exc}",
                                  "see Expressions in docs/flows.md")
                continue
            self.expressions.append((expression, where))
            if target is not None:
                parsed.append(Rule(expression, target, rule.pos))
        fields["rules"] = tuple(parsed)
        fields["otherwise"] = self.ref(item, "else")

    def _value_column(self, key: Pos, key_length: int) -> int:
        """The column where a one-line value starts after its key, inside any quote."""
        lines = self.raw.decode("utf-8", "replace").splitlines()
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
            self.report.unknown_fields(entry, {"id", "label", "where", "review"}, "an item")
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
            if label is not None:
                parsed.append(Item(item_id, label, where, entry.pos))
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


def parse_country(report: Reporter, data: Any, code: str) -> Country | None:
    """Build a country from its `country.yaml`."""
    if not isinstance(data, LocatedDict):
        report.error(Pos(1, 1), "bad-file", "country.yaml must be a mapping",
                     "see docs/flows.md, country.yaml")
        return None
    report.unknown_fields(data, COUNTRY_FIELDS, "country.yaml")
    if not report.require(data, ("country", "name", "languages", "default_language"),
                          "country.yaml"):
        return None
    if data["country"] != code:
        report.error(pos_of(data, "country"), "bad-country",
                     f"`country: {data['country']}` does not match the folder {code}",
                     "the folder name is the ISO 3166-1 alpha-2 code")
    languages = _languages(report, data)
    texts = _TextReader(report, languages, [])
    default = data["default_language"]
    if default not in languages:
        report.error(pos_of(data, "default_language"), "unknown-language",
                     f"`{default}` is not in `languages`")
    offices: dict[str, Office] = {}
    raw_offices = data.get("offices") or []
    for index, entry in enumerate(raw_offices if isinstance(raw_offices, list) else []):
        office = parse_office(report, entry, texts, pos_of(raw_offices, index))
        if office is None:
            continue
        if not office.id:
            report.error(pos_of(raw_offices, index), "missing-field", "this office has no `id`")
        elif office.id in offices:
            report.error(pos_of(raw_offices, index), "duplicate-id",
                         f"office id `{office.id}` is used twice")
        else:
            offices[office.id] = office
    contacts = []
    raw_contacts = data.get("contacts") or []
    for entry in raw_contacts if isinstance(raw_contacts, list) else []:
        if isinstance(entry, LocatedDict) and "name" in entry:
            report.unknown_fields(entry, {"name", "phone", "url", "review"}, "a contact")
            contacts.append(Contact(texts.read(entry, "name"),
                                    str(entry["phone"]) if "phone" in entry else None,
                                    str(entry["url"]) if "url" in entry else None))
        else:
            report.error(getattr(entry, "pos", data.pos), "bad-field", "a contact needs `name:`")
    return Country(code, texts.read(data, "name"), languages, str(default), offices,
                   tuple(contacts), report.file)
