"""Engine events -> Bot API calls: texts, keyboards and venues, within Telegram's limits.

Consecutive texts are joined into one message and the question's buttons go under the last
part, so a step reads as one message; long texts are split at paragraph boundaries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.answer_hints import invalid_hint, invalid_text, label_value
from bot.engine import events as ev
from bot.engine.model import CHECKLIST_DONE
from bot.i18n import RTL_LANGUAGES, format_answer, gettext_for

from . import callbacks
from .keyboards import Keyboard, button, keyboard, nav_row
from .markup import bold, escape, split_plain, to_html

RLM = "\u200f"
TICKED, UNTICKED = "☑ ", "☐ "


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]


@dataclass
class _Composer:
    chat_id: int
    lang: str
    seq: int
    human: bool
    _: Callable[[str], str]
    blocks: list[str] = field(default_factory=list)  # plain text with **bold** markup
    out: list[ApiCall] = field(default_factory=list)

    def add(self, text: str) -> None:
        if text:
            self.blocks.append(text)

    def flush(self, markup: Keyboard | None = None) -> None:
        if not self.blocks:
            if markup is None:
                return
            self.blocks.append("…")
        parts = split_plain("\n\n".join(self.blocks))
        self.blocks = []
        for index, part in enumerate(parts):
            body = to_html(part)
            if self.lang in RTL_LANGUAGES:
                body = "\n".join(RLM + line if line else line for line in body.split("\n"))
            params: dict[str, Any] = {"chat_id": self.chat_id, "text": body, "parse_mode": "HTML",
                                      "link_preview_options": {"is_disabled": True}}
            if markup is not None and index == len(parts) - 1:
                params["reply_markup"] = markup
            self.out.append(ApiCall("sendMessage", params))

    def answer_button(self, label: str, key: str) -> dict[str, str]:
        return button(label, callbacks.encode("f", key, self.seq))

    def question(self, event: ev.Event) -> None:
        _ = self._
        rows: list[list[dict[str, str]]] = []
        if isinstance(event, ev.Choices):
            rows = [[self.answer_button(o.label, o.key)] for o in event.options]
        elif isinstance(event, ev.Checklist):
            rows = [[self.answer_button((TICKED if i.ticked else UNTICKED) + i.label, i.key)]
                    for i in event.items]
            rows.append([self.answer_button(_("✅ Done"), CHECKLIST_DONE)])
        elif isinstance(event, ev.Ask) and event.input == "yesno":
            rows = [[self.answer_button(_("Yes"), "yes"), self.answer_button(_("No"), "no")]]
        self.add(event.text)
        rows.append(nav_row(_, human=self.human))
        self.flush(keyboard(rows))


def _escape_markup(text: str) -> str:
    """Values typed by people must not become **bold** markup."""
    return text.replace("**", "* *")


CAUTION = "⚠️ "


def _place_text(_: Callable[[str], str], place: ev.Place) -> str:
    lines = [f"📍 **{place.name}**"]
    if place.caution:  # right under the name: nobody reads the address without the warning
        lines.append(CAUTION + f"**{place.caution}**")
    lines += [line for line in (
        place.address,
        place.hours and f"🕒 {place.hours}",
        place.phone and f"☎ {place.phone}",
        place.url and f"🔗 {place.url}",
        place.note,
    ) if line]
    return "\n".join(lines)


# An end message longer than this (as read, without markup) sends "Still missing" on its own:
# a list of what is still to get, each with where, lost at the bottom of a 1,000-character
# message is what people miss (content review 2, G12).
END_SPLIT = 500


def _end_parts(_: Callable[[str], str], lang: str, end: ev.End) -> tuple[str, str]:
    """The end text with the answers and what to bring; and the "Still missing" block."""
    blocks = [end.text]
    if end.summary:
        lines = ["• " + label_value(line.label, _escape_markup(
            format_answer(line.value, line.kind, lang)), lang) for line in end.summary]
        blocks.append("**" + _("Your answers") + "**\n" + "\n".join(lines))
    if end.bring:
        blocks.append("**" + _("Bring with you") + "**\n" + "\n".join(f"• {b}" for b in end.bring))
    missing = ""
    if end.missing:
        missing = "**" + _("Still missing") + "**\n" + _missing_lines(_, end.missing, lang)
    return "\n\n".join(block for block in blocks if block), missing


def _end_text(_: Callable[[str], str], lang: str, end: ev.End) -> list[str]:
    """The end as one message, or two when the whole would pass END_SPLIT characters."""
    main, missing = _end_parts(_, lang, end)
    whole = "\n\n".join(part for part in (main, missing) if part)
    if missing and main and len(whole.replace("**", "")) > END_SPLIT:
        return [main, missing]
    return [whole]


def _missing_lines(_: Callable[[str], str], items: tuple[ev.MissingItem, ...],
                   lang: str) -> str:
    """One line per item; an office's caution under the first item got there (once)."""
    lines: list[str] = []
    cautioned: set[str] = set()
    for item in items:
        lines.append(f"• {item.label}" + (
            " — " + label_value(_("where to get it"), item.where, lang) if item.where else ""))
        if item.caution and item.caution not in cautioned:
            cautioned.add(item.caution)
            lines.append(CAUTION + f"**{item.caution}**")
    return "\n".join(lines)


def render_events(events: tuple[ev.Event, ...] | list[ev.Event], *, chat_id: int, lang: str,
                  seq: int, human: bool = True) -> list[ApiCall]:
    """Lay out one sprint's events as Bot API calls for `chat_id`."""
    _ = gettext_for(lang)
    out = _Composer(chat_id, lang, seq, human, _)
    for event in events:
        if isinstance(event, ev.Say):
            out.add(event.text)
        elif isinstance(event, ev.QUESTION_EVENTS):
            out.question(event)
        elif isinstance(event, ev.Missing):
            out.add("**" + _("Still missing") + "**\n" + _missing_lines(_, event.items, lang))
        elif isinstance(event, ev.Place):
            out.add(_place_text(_, event))
            if event.lat is not None and event.lon is not None:
                out.flush()
                out.out.append(ApiCall("sendVenue", {
                    "chat_id": chat_id, "latitude": event.lat, "longitude": event.lon,
                    "title": event.name[:256], "address": (event.address or event.name)[:256]}))
        elif isinstance(event, ev.Invalid):
            out.add(invalid_text(_, event, lang))
        elif isinstance(event, ev.End):
            *first, last = _end_text(_, lang, event)
            for message in first:
                out.add(message)
                out.flush()
            out.add(last)
            out.flush(keyboard([
                [button(_("🔄 Start again"), callbacks.encode("n", "restart")),
                 button(_("🏠 Menu"), callbacks.encode("n", "menu"))],
                [button(_("🙋 Talk to a volunteer"), callbacks.encode("n", "human"))]
                if human else []]))
        elif isinstance(event, ev.FlowChanged):
            out.add(_("This procedure is no longer available.") if event.removed else
                    _("This procedure was updated while you were using it, so it starts again "
                      "from the beginning."))
        elif isinstance(event, ev.Stuck):
            out.add(_("Something went wrong in this procedure. A volunteer can help you: /human"))
        elif isinstance(event, ev.Escalate) and event.waiting:
            out.add(_("A volunteer will continue with you here."))
    out.flush()
    return out.out


def chosen_suffix(label: str) -> str:
    """Appended to a question once answered, so the history shows what was chosen."""
    return "\n\n→ " + bold(label)


__all__ = ["ApiCall", "chosen_suffix", "escape", "invalid_hint", "render_events"]
