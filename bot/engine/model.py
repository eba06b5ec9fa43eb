"""The flow model: what a flow file means once loaded, independent of YAML and of Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .located import Pos

STEP_KINDS = ("say", "choose", "ask", "branch", "checklist", "place", "escalate", "end", "flow",
              "compute")
QUESTION_KINDS = frozenset({"choose", "ask", "checklist"})
INPUT_KINDS = ("text", "number", "integer", "date", "phone", "yesno")
NUMERIC_INPUTS = frozenset({"number", "integer"})
CHECKLIST_DONE = "done"
ENFORCEMENT = "enforcement"  # the one `risk:` an office may carry (see docs/flows.md)


@dataclass(frozen=True)
class Text:
    """A text in several languages; a missing language falls back to the flow's first one."""

    by_lang: dict[str, str]
    fallback: str

    def get(self, lang: str) -> str:
        text = self.by_lang.get(lang)
        if text is None:
            text = self.by_lang.get(self.fallback)
        if text is None:  # a text written in none of the flow's languages: show something
            text = next(iter(self.by_lang.values()), "")
        return text


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Office:
    id: str
    name: Text
    address: Text | None = None
    hours: Text | None = None
    phone: str | None = None
    url: str | None = None
    lat: float | None = None
    lon: float | None = None
    # `risk: enforcement`: a person without valid papers may be detained there; the office
    # must then carry a `caution` in every language, shown wherever a flow sends people there.
    risk: str | None = None
    caution: Text | None = None
    pos: Pos | None = field(default=None, compare=False)
    caution_pos: Pos | None = field(default=None, compare=False)

    @property
    def enforcement(self) -> bool:
        return self.risk == ENFORCEMENT


@dataclass(frozen=True)
class Contact:
    name: Text
    phone: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Option:
    key: str
    label: Text
    next: str
    value: Any
    pos: Pos


@dataclass(frozen=True)
class Item:
    """A checklist item; with a `condition` it exists only for people for whom it is true."""

    id: str
    label: Text
    where: Text | None
    pos: Pos
    condition: Any = None  # expressions.Expression or None (always there)
    office_ref: str | None = None  # `office: id`: where to get it, an office of country.yaml
    office: Office | None = None  # resolved by the checker; its caution goes with the item


@dataclass(frozen=True)
class Rule:
    condition: Any  # expressions.Expression; Any keeps model free of a cycle
    next: str
    pos: Pos


@dataclass(frozen=True)
class Step:
    """One step; which fields matter depends on `kind` (see docs/flows.md)."""

    id: str
    kind: str
    pos: Pos
    text: Text | None = None
    next: str | None = None
    options: tuple[Option, ...] = ()
    input: str | None = None
    save: str | None = None
    label: Text | None = None
    retry: Text | None = None
    min: float | None = None
    max: float | None = None
    rules: tuple[Rule, ...] = ()
    otherwise: str | None = None
    items: tuple[Item, ...] = ()
    office: Office | None = None
    office_ref: str | None = None
    note: Text | None = None
    summary: bool = True
    target_flow: str | None = None
    target_step: str | None = None
    expression: Any = None  # a `compute` step's expressions.Expression
    exhaustive: bool = False  # a `choose` whose options cover every case (no lint)

    @property
    def is_question(self) -> bool:
        return self.kind in QUESTION_KINDS

    def successors(self) -> list[str]:
        """Step ids this step can lead to inside its own flow."""
        if self.kind == "choose":
            return [option.next for option in self.options]
        if self.kind == "branch":
            targets = [rule.next for rule in self.rules]
            return [*targets, self.otherwise] if self.otherwise else targets
        return [self.next] if self.next else []


@dataclass(frozen=True)
class Flow:
    id: str
    country: str
    languages: tuple[str, ...]
    title: Text
    description: Text
    sources: tuple[Source, ...]
    last_reviewed: date | None
    keywords: tuple[str, ...]
    start: str
    steps: dict[str, Step]
    version: str
    file: str
    pos: Pos = field(default_factory=lambda: Pos(1, 1))
    answer_steps: dict[str, Step] = field(default_factory=dict)
    outcomes: Any = None  # outcomes.FlowOutcomes (followup, reminders, changes); Any: no cycle
    # Languages whose translation carries a flow-level `review` note (not checked yet by a
    # native speaker): people reading them are told so.
    unreviewed: frozenset[str] = frozenset()
    # `keywords` per language ("any": no language), for the search's stemmers; `keywords`
    # above holds all of them once (bot/engine/keywords.py)
    keywords_by_lang: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def step(self, step_id: str) -> Step | None:
        return self.steps.get(step_id)


@dataclass(frozen=True)
class Country:
    code: str
    name: Text
    languages: tuple[str, ...]
    default_language: str
    offices: dict[str, Office]
    contacts: tuple[Contact, ...]
    file: str
    outcomes: Any = None  # outcomes.CountryOutcomes (blockers, timezone, quiet hours)
    # Response targets of the team workspace: the first answer within this many minutes of
    # a case opening, each next answer within this many hours of the person's message.
    first_response_minutes: int = 60
    next_response_hours: int = 24


@dataclass(frozen=True)
class FlowSet:
    """Every loaded flow and country; what the engine, the bot and the console run on."""

    flows: dict[str, Flow] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)

    def get(self, flow_id: str) -> Flow | None:
        return self.flows.get(flow_id)

    def for_country(self, code: str) -> list[Flow]:
        return [flow for flow in self.flows.values() if flow.country == code]
