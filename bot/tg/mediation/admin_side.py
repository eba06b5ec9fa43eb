"""Admins in Telegram: invite volunteers with a one-time link, read volunteers' suggestions."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services.scope import ScopeError, parse_countries, parse_languages
from bot.storage import records, volunteers
from bot.tg.commands import chat_commands_params
from bot.tg.handlers.admin import admin_only
from bot.tg.markup import escape
from bot.tg.person import Person

INVITE_PREFIX = "inv_"
INVITE_TTL_SECONDS = 48 * 3600


def parse_scope(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """'KZ,KG ru,kk' -> countries and languages; ScopeError says what is wrong."""
    parts = text.split()
    if len(parts) != 2:
        raise ScopeError("give the countries and the languages, e.g. KZ,KG ru,kk")
    return parse_countries(parts[0]), parse_languages(parts[1])


async def invite_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invite CC[,CC] xx[,yy]: a one-time link, valid 48 hours, that makes a volunteer."""
    person = await admin_only(update, context)
    if person is None:
        return
    _ = person.gettext
    try:
        scope = parse_scope(" ".join(context.args or ()))
    except ScopeError as exc:
        person.say(escape(_("Write /invite, the countries and the languages, e.g. "
                            "/invite KZ,KG ru,kk")) + "\n" + escape(str(exc)))
        return
    token = await volunteers.create_invite(person.tx, person.user.user_id, *scope,
                                           ttl_seconds=INVITE_TTL_SECONDS)
    await records.audit(person.tx, None, person.user.user_id, "invite_created",
                        f"{','.join(scope[0])} {','.join(scope[1])}")
    link = f"https://t.me/{context.bot.username}?start={INVITE_PREFIX}{token}"
    person.say(escape(_("Send this link to the new volunteer. It works once, for 48 hours:")) +
               "\n" + escape(link))


async def accept_invite(person: Person, payload: str) -> bool:
    """The /start hook: an invite payload makes the sender a volunteer (once)."""
    if not payload.startswith(INVITE_PREFIX):
        return False
    _ = person.gettext
    invite = await volunteers.consume_invite(person.tx, payload[len(INVITE_PREFIX):],
                                             person.user.user_id)
    if invite is None:
        person.say(escape(_("This invitation has expired or was already used. Ask an admin "
                            "for a new one.")))
        return True
    await volunteers.upsert(person.tx, person.user.user_id, invite.countries, invite.languages)
    await records.audit(person.tx, None, person.user.user_id, "volunteer_joined",
                        ",".join(invite.countries))
    if not person.known:
        await person.update_user(lang=invite.languages[0])
    _ = person.gettext
    person.say(escape(_("Welcome! You are now a volunteer for {countries} ({languages}). "
                        "New cases will reach you here; /cases lists them, /away pauses them.")
                      .format(countries=", ".join(invite.countries),
                              languages=", ".join(invite.languages))))
    person.turn.send("setMyCommands", chat_commands_params(
        person.user.user_id, admin=person.is_admin, lang=person.lang), chat_id=person.chat_id)
    return True


async def suggestions_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/suggestions: what volunteers flagged in the flows, newest first."""
    person = await admin_only(update, context)
    if person is None:
        return
    _ = person.gettext
    rows = await records.suggestions(person.tx, 20)
    if not rows:
        person.say(escape(_("No suggestions yet.")))
        return
    lines = [f"#{r['id']} [{r['kind']}] {r['flow_id']}/{r['step_id']}: {r['text']}" for r in rows]
    person.say(escape("\n".join(lines)[:4000]))

