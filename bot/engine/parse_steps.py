"""One step of a flow: its id, its single kind, the fields every kind shares, then its kind's own.

`StepParser.step` checks what is common (id, exactly one kind, allowed and required fields,
`next` or falling through to the following step, `label`, `save`) and dispatches to `_<kind>`;
the list-bodied kinds live in `parse_lists`, the rest here.
"""

from __future__ import annotations

import difflib
from typing import Any

from .country import parse_office
from .located import LocatedDict, pos_of
from .model import INPUT_KINDS, NUMERIC_INPUTS, STEP_KINDS, Step
from .parse_lists import ListStepParser
from .parse_state import NAME_PATTERN, STEP_ID_PATTERN

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


class StepParser(ListStepParser):
    """`step` and the handlers of the kinds without a list body."""

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
