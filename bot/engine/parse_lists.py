"""The steps whose body is a list: `choose` options, `branch` rules and `checklist` items.

Each entry is checked on its own so one bad option or item is reported and the others still
parse; references and expressions go to the shared `ParseState` for `checker`.
"""

from __future__ import annotations

from .fields import MAX_BUTTON
from .located import LocatedDict, LocatedList, pos_of
from .model import CHECKLIST_DONE, Item, Option, Rule
from .parse_state import STEP_ID_PATTERN, ParseState


class ListStepParser(ParseState):
    """`_choose`, `_branch` and `_checklist`: fill a step's fields from its list."""

    def _choose(self, item: LocatedDict, fields: dict) -> None:
        options = self.listed(item, "options", "`options` must list at least one option")
        if options is None:
            return
        parsed = []
        for index, option in self.entries(options, {"label", "next", "value", "review"},
                                   ("label", "next"), "an option"):
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

    def _branch(self, item: LocatedDict, fields: dict) -> None:
        rules = self.listed(item, "branch", "`branch` must list conditions",
                            "each `- if: …` with `next: …`") or LocatedList()
        parsed = []
        for _, rule in self.entries(rules, {"if", "next"}, ("if", "next"), "a branch rule"):
            target = self.ref(rule, "next")
            expression = self.expression(rule, "if", "condition")
            if expression is not None and target is not None:
                parsed.append(Rule(expression, target, rule.pos))
        fields["rules"] = tuple(parsed)
        fields["otherwise"] = self.ref(item, "else")

    def _checklist(self, item: LocatedDict, fields: dict) -> None:
        items = self.listed(item, "items", "`items` must list the documents")
        if items is None:
            return
        parsed, seen = [], set()
        for _, entry in self.entries(items, {"id", "label", "where", "office", "if", "review"},
                                     ("id", "label"), "an item"):
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
            office_ref = self._item_office(entry)
            if label is not None:
                parsed.append(Item(item_id, label, where, entry.pos, condition, office_ref))
        fields["items"] = tuple(parsed)

    def _item_office(self, entry: LocatedDict) -> str | None:
        """`office: id`: the item is got at an office of country.yaml (and carries its caution)."""
        value = entry.get("office")
        if value is None:
            return None
        if not isinstance(value, str):
            self.report.error(pos_of(entry, "office"), "bad-reference",
                              "`office` must name an office id of country.yaml")
            return None
        self.office_refs.append((value, pos_of(entry, "office")))
        return value
