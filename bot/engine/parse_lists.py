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
