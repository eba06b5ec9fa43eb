"""Admin commands (`ADMIN_IDS`): /reload the flows, /stats."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.storage import sessions, users
from bot.tg.markup import MAX_MESSAGE, escape
from bot.tg.person import Person, load_person

MAX_PROBLEMS_SHOWN = 20


async def admin_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Person | None:
    """The admin behind an update, or None after telling a non-admin this is not for them."""
    person = await load_person(update, context)
    if not person.is_admin:
        person.say(escape(person.gettext("This command is for admins only.")))
        return None
    return person


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: load the flow files again; with errors, keep the running set and list them."""
    person = await admin_only(update, context)
    if person is None:
        return
    _ = person.gettext
    result = person.library.reload()
    if result.ok:
        text = _("Flows reloaded: {flows} flows, {warnings} warnings.").format(
            flows=len(result.flows.flows), warnings=len(result.warnings))
        reloaded = person.hooks.get("reloaded")  # e.g. follow-ups announce change notes
        if reloaded is not None:
            await reloaded(person)
    else:
        shown = [str(p) for p in result.errors[:MAX_PROBLEMS_SHOWN]]
        text = _("The flows have {count} errors; the running flows are kept.").format(
            count=len(result.errors)) + "\n\n" + "\n".join(shown)
    person.say(escape(text[:MAX_MESSAGE - 100]))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: anonymous counts only."""
    person = await admin_only(update, context)
    if person is None:
        return
    _ = person.gettext
    people = await users.count(person.tx)
    lines = [_("People: {count}").format(count=people), _("Sessions by procedure and status:")]
    lines += [f"• {flow} — {status}: {n}"
              for flow, status, n in await sessions.count_by_flow(person.tx)]
    extra = person.hooks.get("stats")
    if extra is not None:
        lines += await extra(person)
    person.say(escape("\n".join(lines)))
