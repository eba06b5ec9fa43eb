"""What volunteers and people read about cases: notifications, the case context, statuses.

Notifications carry no personal data (country, language, procedure, step, reason); the full
context (answers, documents, messages) is shown only to the volunteer who takes the case.
"""

from __future__ import annotations

import time

from bot.i18n import N_, gettext_for, language_name, territory_name
from bot.storage.cases import Case
from bot.tg import callbacks
from bot.tg.keyboards import Keyboard, button, keyboard
from bot.tg.markup import MAX_MESSAGE, bold, escape


def age(seconds: float, lang: str) -> str:
    _ = gettext_for(lang)
    minutes = int(seconds // 60)
    if minutes < 60:
        return _("{n} min").format(n=minutes)
    if minutes < 48 * 60:
        return _("{n} h").format(n=minutes // 60)
    return _("{n} days").format(n=minutes // (24 * 60))


def case_line(case: Case, lang: str, now: float | None = None) -> str:
    """One line per case for lists: number, where, language, procedure, age."""
    waited = age((now or time.time()) - case.created_at, lang)
    title = case.context.get("title") or gettext_for(lang)(N_("no procedure"))
    return (f"#{case.id} · {escape(territory_name(case.country or '', lang))} · "
            f"{escape(language_name(case.lang))} · {escape(title)} · {waited}")


def notification(case: Case, lang: str) -> tuple[str, Keyboard]:
    _ = gettext_for(lang)
    lines = [bold(_("New case #{id}").format(id=case.id)), case_line(case, lang)]
    if case.context.get("step_label"):  # a label, never the step's id
        lines.append(escape(_("Step: {step}").format(step=case.context["step_label"])))
    if case.reason:
        lines.append(escape(_("Reason: {reason}").format(reason=case.reason)))
    markup = keyboard([[button(_("✋ Take case #{id}").format(id=case.id),
                               callbacks.encode("v", f"take:{case.id}"))]])
    return "\n".join(lines), markup


def taken_notice(case_id: int, lang: str, by_you: bool) -> str:
    _ = gettext_for(lang)
    if by_you:
        return escape(_("You took case #{id}.").format(id=case_id))
    return escape(_("Case #{id} was taken by another volunteer.").format(id=case_id))


def context_message(case: Case, messages: list, lang: str) -> str:
    """Everything the volunteer needs, nothing more (no username, no phone, no user id)."""
    _ = gettext_for(lang)
    ctx = case.context
    person = case.person_name or _("the person")
    lines = [bold(_("Case #{id}: you are helping {name}").format(id=case.id, name=person)),
             case_line(case, lang)]
    if ctx.get("title"):
        lines.append(escape(_("Procedure: {title}").format(title=ctx["title"])))
    if ctx.get("question"):
        lines.append(escape(_("Stopped at: {question}").format(question=ctx["question"])))
    if case.reason:
        lines.append(escape(_("Reason: {reason}").format(reason=case.reason)))
    if ctx.get("answers"):
        lines.append(bold(_("Answers")))
        lines += [f"• {escape(label)}: {escape(value)}" for label, value in ctx["answers"]]
    if ctx.get("have"):
        lines.append(bold(_("Has")) + " " + escape(", ".join(ctx["have"])))
    if ctx.get("missing"):
        lines.append(bold(_("Missing")) + " " + escape(", ".join(ctx["missing"])))
    # Volunteers' answers too: after a transfer or a release, the next volunteer needs them.
    earlier = [m for m in messages if m["content"]]
    if earlier:
        lines.append(bold(_("Messages so far")))
        for message in earlier[-10:]:
            mark = {"note": "📝", "out": "🙋"}.get(message["direction"], "💬")
            lines.append(f"{mark} {escape(message['content'][:300])}")
    lines.append("")
    lines.append(escape(_("Write here to answer (your messages go to case #{id}); reply to a "
                          "case's message to answer another case. /note adds an internal note, "
                          "/release puts the case back, /transfer ID hands it over, "
                          "/close OUTCOME closes it.").format(id=case.id)))
    return "\n".join(lines)[:MAX_MESSAGE]


def person_opened(case: Case, created: bool, lang: str) -> str:
    """What happens next; for a case opened earlier (maybe days ago), where it stands."""
    _ = gettext_for(lang)
    if not created:
        text = _("Your case #{id} is already with the volunteers. Write here: your "
                 "messages are added to it.").format(id=case.id)
        missing = case.context.get("missing")  # the checklist as it was when they asked
        if missing:
            text += "\n" + _("Still missing:") + " " + ", ".join(missing)
        return escape(text)
    return escape(_("Your question is now with the volunteers (case #{id}). A volunteer "
                    "usually answers within a few hours, sometimes the next day. You can keep "
                    "writing here: your messages are added to the case. Your progress is "
                    "saved.").format(id=case.id))


def rating_keyboard(case_id: int) -> Keyboard:
    return keyboard([[button("⭐" * score, callbacks.encode("r", f"{case_id}:{score}"))
                      for score in range(1, 6)]])
