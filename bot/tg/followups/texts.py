"""What people and volunteers read about follow-ups: the offer, the question, reminders,
blockers, change notes. Pure functions from data to Bot API parameters.

Button data (kind `u` for the person, `o` for the volunteer closing a case):
    u:y:<seq>[:<office>]  accept the offer     u:n:<seq>  decline it
    u:s:<run>             stop this run's messages
    u:r:<run>:<result>    got_it | not_yet | refused
    u:b:<run>:<result>:<mask> / u:d:<run>:<result>:<mask>  toggle a blocker / done
    o:r:<case>:<result>   resolved | partly | not_resolved | referred
    o:b / o:d             as for u, on the case
The chosen blockers travel in the buttons as a bit mask, so nothing half-answered is stored.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.engine import Flow
from bot.engine.outcomes import Blocker, ChangeNote
from bot.i18n import N_, format_day, gettext_for
from bot.services.followups import FOLLOWUP, Notice, Planned
from bot.services.quiet import local_today
from bot.tg import callbacks
from bot.tg.keyboards import Keyboard, button, keyboard
from bot.tg.markup import bold, escape

TICK = "✅ "
OFFICE_ID = re.compile(r"[a-z0-9_-]{1,32}")  # what button data can carry (callbacks.py)
FOLLOWUP_LABELS = {"got_it": N_("✅ Got it"), "not_yet": N_("⏳ Not yet"),
                   "refused": N_("⛔ Refused")}
CASE_LABELS = {"resolved": N_("Resolved"), "partly": N_("Partly resolved"),
               "not_resolved": N_("Not resolved"), "referred": N_("Referred elsewhere")}


def _message(text_html: str, markup: Keyboard | None = None, chat_id: int | None = None
             ) -> dict[str, Any]:
    params: dict[str, Any] = {"text": text_html, "parse_mode": "HTML",
                              "link_preview_options": {"is_disabled": True}}
    if chat_id is not None:
        params["chat_id"] = chat_id
    if markup is not None:
        params["reply_markup"] = markup
    return params


def offer(lang: str, seq: int, office_id: str | None) -> tuple[str, Keyboard]:
    """At the end of a procedure: may we write later? Nothing is stored before "yes"."""
    _ = gettext_for(lang)
    yes = callbacks.encode("u", f"y:{seq}")
    if office_id and OFFICE_ID.fullmatch(office_id):  # else the office is just not recorded
        yes = f"{yes}:{office_id}"
    text = escape(_("May I write to you later to ask whether it worked, and remind you of the "
                    "deadline? Your answer helps volunteers show the authorities where people "
                    "get stuck. You can stop these messages at any time."))
    return text, keyboard([[button(_("Yes, write to me"), yes),
                            button(_("No, thanks"), callbacks.encode("u", f"n:{seq}"))]])


def accepted(lang: str, planned: Planned, tz: str) -> str:
    _ = gettext_for(lang)
    lines = [_("Agreed. Press “Stop” under any of these messages to end them.")]
    if planned.followup_at is not None:
        day = local_today(planned.followup_at, tz)
        lines.append(_("I will ask you how it went on {date}.").format(
            date=format_day(day, lang)))
    for _id, deadline, _at in planned.reminders:
        lines.append(_("I will remind you before the deadline of {date}.").format(
            date=format_day(deadline, lang)))
    return escape("\n".join(lines))


def stop_button(lang: str, run_id: int) -> dict[str, str]:
    return button(gettext_for(lang)(N_("🔕 Stop")), callbacks.encode("u", f"s:{run_id}"))


def compose(notice: Notice) -> dict[str, Any]:
    """A due follow-up question or reminder, in the run's language."""
    lang, flow = notice.lang, notice.flow
    _ = gettext_for(lang)
    if notice.kind == FOLLOWUP:
        text = escape(_("You went through “{title}” with me. Did it work?").format(
            title=flow.title.get(lang)))
        rows = [[button(_(label), callbacks.encode("u", f"r:{notice.run_id}:{result}"))
                 for result, label in FOLLOWUP_LABELS.items()],
                [stop_button(lang, notice.run_id)]]
        return _message(text, keyboard(rows))
    reminder = next(r for r in flow.outcomes.reminders if r.id == notice.reminder_id)
    deadline = notice.deadline or date.today()
    body = reminder.text.get(lang).replace("{deadline}", format_day(deadline, lang))
    text = bold(flow.title.get(lang)) + "\n" + escape(body)
    return _message(text, keyboard([[stop_button(lang, notice.run_id)]]))


def change_note(flow: Flow, note: ChangeNote, lang: str) -> dict[str, Any]:
    _ = gettext_for(lang)
    header = _("What changed because of your reports: {title}").format(
        title=flow.title.get(lang))
    return _message(bold(header) + "\n" + escape(note.text.get(lang)))


def blockers_keyboard(kind: str, target: int, result: str, mask: int,
                      blockers: tuple[Blocker, ...], lang: str) -> Keyboard:
    """Toggle buttons, one per blocker, then "Done"; each carries the set chosen so far."""
    _ = gettext_for(lang)
    rows = []
    for index, blocker in enumerate(blockers):
        chosen = bool(mask >> index & 1)
        label = (TICK if chosen else "") + blocker.label.get(lang)
        rows.append([button(label, callbacks.encode(
            kind, f"b:{target}:{result}:{mask ^ (1 << index)}"))])
    rows.append([button(_("Done"), callbacks.encode(kind, f"d:{target}:{result}:{mask}"))])
    return keyboard(rows)


def blockers_question(lang: str, *, volunteer: bool, worked: bool = False) -> str:
    _ = gettext_for(lang)
    if worked:
        return escape(_("Good news! Did anything make it hard? Choose all that apply, or just "
                        "press Done."))
    if volunteer:
        return escape(_("What blocked the person? Choose all that apply, then press Done."))
    return escape(_("What blocked you? Choose all that apply, then press Done."))


def thanks(lang: str) -> str:
    return escape(gettext_for(lang)(N_(
        "Thank you. Your answer is counted without your name and helps volunteers show the "
        "authorities where people get stuck.")))


def case_outcome_question(case_id: int, lang: str) -> tuple[str, Keyboard]:
    _ = gettext_for(lang)
    rows = [[button(_(label), callbacks.encode("o", f"r:{case_id}:{result}"))]
            for result, label in CASE_LABELS.items()]
    return escape(_("How did case #{id} end?").format(id=case_id)), keyboard(rows)
