"""How the console writes the engine's events: the person's view, as plain text.

Questions carry their step id in brackets and a hint of what to type, so an admin trying a
flow sees where they are; typed-answer errors and answers in the summary are worded and
formatted as the bot does it (`bot.answer_hints`, `i18n.format_answer`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot import i18n
from bot.answer_hints import date_example, invalid_text, label_value
from bot.engine import events as ev

CAUTION = "⚠ "  # before an office's caution (`risk: enforcement`), as the bot shows it
OSM_PIN = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}"


def map_link(lat: float, lon: float) -> str:
    return OSM_PIN.format(lat=lat, lon=lon)


@dataclass(frozen=True)
class EventText:
    """The text of events for one moment of a console session.

    `view_lang` is the language the person would read; `answer_lang` formats answers in the
    end summary; `step_of` finds a step of the flow being shown (for a number's range).
    """

    gettext: Callable[[str], str]
    view_lang: str
    answer_lang: str
    step_of: Callable[[str], Any]

    def render(self, event: ev.Event) -> str:
        _ = self.gettext
        match event:
            case ev.Say(text=text):
                return text
            case ev.Ask(step=step, text=text, input=kind):
                return f"{text}\n  ({self.hint(kind, step)})  [{step}]"
            case ev.Choices(step=step, text=text, options=options):
                lines = [f"{text}  [{step}]"]
                lines += [f"  {n}. {o.label}" for n, o in enumerate(options, start=1)]
                lines.append("  (" + _("type a number") + ")")
                return "\n".join(lines)
            case ev.Checklist(step=step, text=text, items=items):
                lines = [f"{text}  [{step}]"]
                lines += [f"  {n}. [{'x' if i.ticked else ' '}] {i.label}"
                          for n, i in enumerate(items, start=1)]
                lines.append("  (" + _("type a number to tick or untick, /done when "
                                       "finished") + ")")
                return "\n".join(lines)
            case ev.Missing(items=items):
                return "\n".join([_("Still missing:"), *self.missing(items)])
            case ev.Place():
                return self.place(event)
            case ev.Escalate(step=step, reason=reason, waiting=waiting):
                lines = [_("** Escalation at {step}: {reason}").format(step=step, reason=reason),
                         _("(a volunteer would take over here)")]
                if not waiting:
                    lines.append(_("(the flow goes on)"))
                return "\n".join(lines)
            case ev.Invalid(input=kind) if kind in {"choice", "checklist"} and not event.text:
                return "! " + self.default_invalid(kind)
            case ev.Invalid():
                return "! " + invalid_text(_, event, self.view_lang)  # as the bot says it
            case ev.End():
                return self.end(event)
            case ev.Stale():
                return _("(that answer belongs to an earlier step; here is the current one)")
            case ev.FlowChanged(removed=removed):
                if removed:
                    return _("This procedure no longer exists; choose another (/menu).")
                return _("This procedure changed while you were in it: it starts again.")
            case ev.Stuck(step=step):
                return _("The flow got stuck at step {step} (a volunteer would take over "
                         "here). Run: python -m bot flows check").format(step=step)
        return repr(event)  # pragma: no cover - a new event kind: still show something

    def missing(self, items: tuple[ev.MissingItem, ...]) -> list[str]:
        _ = self.gettext
        lines, cautioned = [], set()
        for item in items:
            where = _(" (where to get it: {where})").format(where=item.where) if item.where else ""
            lines.append(f"  - {item.label}{where}")
            if item.caution and item.caution not in cautioned:  # once, under its first item
                cautioned.add(item.caution)
                lines.append(f"    {CAUTION}{item.caution}")
        return lines

    def place(self, place: ev.Place) -> str:
        _ = self.gettext
        lines = [_("Office: {name}").format(name=place.name)]
        if place.caution:  # with the name, before the address: never the office alone
            lines.append(f"  {CAUTION}{place.caution}")
        fields = [(_("Address"), place.address), (_("Hours"), place.hours),
                  (_("Phone"), place.phone), (_("Web"), place.url)]
        if place.lat is not None and place.lon is not None:
            fields.append((_("Map"), map_link(place.lat, place.lon)))
        lang = self.view_lang
        lines += [f"  {label_value(name, value, lang)}" for name, value in fields if value]
        if place.note:
            lines.append(f"  {place.note}")
        return "\n".join(lines)

    def end(self, end: ev.End) -> str:
        _ = self.gettext
        lines = [end.text]
        if end.summary:
            lines.append(_("Your answers:"))
            lang = self.view_lang
            lines += ["  " + label_value(s.label, self.value(s.value, s.kind), lang)
                      for s in end.summary]
        if end.bring:
            lines.append(_("Bring:"))
            lines += [f"  - {label}" for label in end.bring]
        if end.missing:
            lines.append(_("Still missing:"))
            lines += self.missing(end.missing)
        lines.append(_("(end of the procedure, step {step})").format(step=end.step))
        return "\n".join(lines)

    def value(self, value: Any, kind: str) -> str:
        if kind != "choice":
            return i18n.format_answer(value, kind, self.answer_lang)  # as the bot shows it
        return str(value)

    def hint(self, kind: str, step_id: str) -> str:
        _ = self.gettext
        if kind in {"number", "integer"}:
            step = self.step_of(step_id)
            low, high = (step.min, step.max) if step is not None else (None, None)
            if low is not None and high is not None:
                return _("a number from {low:g} to {high:g}").format(low=low, high=high)
            if low is not None:
                return _("a number, at least {low:g}").format(low=low)
            if high is not None:
                return _("a number, at most {high:g}").format(high=high)
            return _("a number")
        return {
            "text": _("type your answer"),
            "date": _("a date like {example}, not in the future").format(
                example=date_example(self.view_lang)),
            "phone": _("a phone number: 6 to 15 digits, + allowed"),
            "yesno": _("yes or no"),
        }.get(kind, _("type your answer"))

    def default_invalid(self, kind: str) -> str:
        _ = self.gettext
        return {  # typed answers: answer_hints.invalid_text, as the bot says it
            "choice": _("Please type the number of one of the options."),
            "checklist": _("Type an item's number to tick or untick it, or /done when finished."),
        }.get(kind, _("That answer does not fit; please try again."))
