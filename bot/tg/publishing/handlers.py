"""Publishing in Telegram: /export, sending a file, /proposals, review buttons, /reject,
/rollback. Each handler parses, calls bot/services/publishing.py and renders the result."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.i18n import N_, gettext_for
from bot.services import publishing
from bot.services.publishing import Checked, Refused, load_report
from bot.services.roles import Role, role_of
from bot.storage import cases, volunteers
from bot.storage import publishing as store
from bot.storage.db import Tx
from bot.tg import uploads
from bot.tg.handlers import bad_input
from bot.tg.handlers.flow import answer_press
from bot.tg.markup import escape
from bot.tg.mediation.notify import ui_lang
from bot.tg.person import Person, load_person
from bot.tg.turn import Turn

from . import texts

BUTTON = r"^y:(req|ok|no|show):\d{1,12}$"
REJECTED = N_("Your proposal #{id} for {flow} was rejected. Reason: {reason}")
APPROVED = N_("Your proposal #{id} for {flow} was approved and published (version {version}).")


async def _role(person: Person) -> Role:
    return await role_of(person.tx, person.user.user_id, person.settings.admin_ids)


def _arg(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or ()).strip()


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export FLOW_ID: the published file as a document, with its version line."""
    person = await load_person(update, context)
    _ = person.gettext
    flow_id = _arg(context)
    role = await _role(person)
    if not role.admin and role.volunteer is None:
        person.say(texts.refusal(_, Refused("not-allowed")))
        return
    if not flow_id:
        ids = sorted(f.id for f in person.flows.flows.values()
                     if publishing.can_edit(role, f.country))
        person.say(escape(_("Write /export and the procedure id, e.g. /export {example}.")
                          .format(example=ids[0] if ids else "kz-birth") + "\n" + ", ".join(ids)))
        return
    try:
        exported = await publishing.export(person.tx, person.library, role, flow_id)
    except Refused as exc:
        person.say(texts.refusal(_, exc))
        return
    person.send("sendDocument", {
        "document": uploads.text_file(exported.file_name, exported.text),
        "caption": _("{flow}, version {version}. Edit this file and send it back to propose "
                     "a change.").format(flow=flow_id, version=exported.version)})


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A .yaml file: a proposed flow change from an admin or a volunteer; checked by the
    proposals worker (downloading must not hold the turn's transaction)."""
    person = await load_person(update, context)
    role = await _role(person)
    if not role.admin and role.volunteer is None:
        await bad_input.not_text(update, context)
        return
    message = update.effective_message
    doc = message.document
    try:
        await publishing.receive(person.tx, role, person.chat_id, doc.file_id,
                                 doc.file_name or "flow.yaml", message.caption, doc.file_size)
    except Refused as exc:
        person.say(texts.refusal(person.gettext, exc))


async def proposals_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/proposals: the proposals waiting for a review, each with a button to read it."""
    person = await load_person(update, context)
    _ = person.gettext
    if not person.is_admin:
        person.say(escape(_("This command is for admins only.")))
        return
    waiting = await store.pending(person.tx)
    if not waiting:
        person.say(escape(_("No proposal is waiting for a review.")))
        return
    lines = [_("Waiting for a review:")] + [
        f"#{p.id} {p.flow_id} ({p.file_name})" for p in waiting]
    person.say(escape("\n".join(lines)), texts.show_keyboard(_, waiting[:20]))


async def reject_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reject ID REASON: reject without the button."""
    person = await load_person(update, context)
    _ = person.gettext
    number, _sep, reason = _arg(context).lstrip("#").partition(" ")
    if not number.isdigit() or not reason.strip():
        person.say(escape(_("Write /reject, the proposal number and the reason, e.g. "
                            "/reject 12 the fee is wrong.")))
        return
    await _reject(person, int(number), reason)


async def rollback_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rollback FLOW_ID: publish the previous version again, at once."""
    person = await load_person(update, context)
    _ = person.gettext
    flow_id = _arg(context)
    if not flow_id:
        person.say(escape(_("Write /rollback and the procedure id, e.g. /rollback kz-birth.")))
        return
    try:
        done = await publishing.rollback(person.tx, person.library, await _role(person), flow_id)
    except Refused as exc:
        person.say(texts.refusal(_, exc))
        return
    person.say(escape(_("Rolled back: {flow} version {restored} is published again (now "
                        "version {version}).").format(flow=flow_id, restored=done.restored,
                                                      version=done.version)))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for review, show, approve, reject."""
    query = update.callback_query
    person = await load_person(update, context)
    _ = person.gettext
    action, _sep, number = (query.data or "").removeprefix("y:").partition(":")
    proposal_id = int(number)
    role = await _role(person)
    answer_press(person, query.id)
    try:
        if action == "req":
            proposal = await publishing.request_review(person.tx, role, proposal_id)
            await _send_to_reviewers(person, proposal)
        elif action == "show":
            if not role.admin:
                raise Refused("not-allowed")
            await _show(person.turn, person.chat_id, person.lang, proposal_id, review=True)
        elif action == "ok":
            version = await publishing.approve(person.tx, person.library, role, proposal_id)
            await _approved(person, proposal_id, version)
        else:
            proposal = await publishing.start_reject(person.tx, role, proposal_id)
            # force_reply: the answer comes as a reply to this question, so it is known
            # to be the reason (see reason_hook)
            person.say(escape(_("Write in one message why proposal #{id} is rejected; the "
                                "author will read it.").format(id=proposal.id)),
                       {"force_reply": True})
    except Refused as exc:
        person.say(texts.refusal(_, exc))


async def reason_hook(person: Person, message: Message) -> bool:
    """The text after pressing Reject is the reason; True when it was used.

    Never capture what was meant for someone else: the request expires (see
    ``publishing.REASON_TTL_S``); only a private chat counts; a reply goes where it replies
    (a reply to the question is the reason, a reply to a case message goes to the case); and
    an admin who also handles cases is writing to their case: the message goes there, the
    request is dropped and the admin is told how to reject (``/reject ID REASON``)."""
    if not person.is_admin or not message.text or message.chat.type != "private":
        return False
    proposal_id = await publishing.pending_reason(person.tx, person.user.user_id)
    if proposal_id is None:
        return False
    reply = message.reply_to_message
    if reply is not None and not _is_prompt(reply, proposal_id):
        return False
    if reply is None and await _handles_cases(person):
        await publishing.take_reason(person.tx, person.user.user_id)
        person.say(escape(person.gettext("Write /reject, the proposal number and the reason, "
                                         "e.g. /reject 12 the fee is wrong.")))
        return False  # the case's hook delivers it
    await publishing.take_reason(person.tx, person.user.user_id)
    await _reject(person, proposal_id, message.text)
    return True


def _is_prompt(reply: Message, proposal_id: int) -> bool:
    """A reply to the bot's "write why proposal #N is rejected" question."""
    author = reply.from_user
    return bool(author and author.is_bot and f"#{proposal_id}" in (reply.text or ""))


async def _handles_cases(person: Person) -> bool:
    """Would this text otherwise go to a person (a current case, or cases held)?"""
    volunteer = await volunteers.get(person.tx, person.user.user_id)
    if volunteer is not None and volunteer.current_case is not None:
        return True
    return bool(await cases.for_volunteer(person.tx, person.user.user_id))


async def _reject(person: Person, proposal_id: int, reason: str) -> None:
    _ = person.gettext
    try:
        proposal = await publishing.reject(person.tx, await _role(person), proposal_id, reason)
    except Refused as exc:
        person.say(texts.refusal(_, exc))
        return
    person.say(escape(_("Proposal #{id} rejected; the author is told why.").format(
        id=proposal_id)))
    if proposal.author_id is not None:
        _a = await _gettext_of(person.tx, proposal.author_id)
        person.turn.send("sendMessage", {
            "chat_id": proposal.author_id,
            "text": escape(_a(REJECTED).format(id=proposal_id, flow=proposal.flow_id,
                                               reason=reason.strip()[:1000]))},
            chat_id=proposal.author_id)


async def _approved(person: Person, proposal_id: int, version: int) -> None:
    _ = person.gettext
    proposal = await store.get(person.tx, proposal_id)
    assert proposal is not None
    person.say(escape(_("Published: {flow} version {version}. People get it from now on.")
                      .format(flow=proposal.flow_id, version=version)))
    if proposal.author_id is not None:
        _a = await _gettext_of(person.tx, proposal.author_id)
        person.turn.send("sendMessage", {
            "chat_id": proposal.author_id,
            "text": escape(_a(APPROVED).format(id=proposal_id, flow=proposal.flow_id,
                                               version=version))},
            chat_id=proposal.author_id)


async def _gettext_of(tx: Tx, user_id: int) -> texts.Gettext:
    return gettext_for(await ui_lang(tx, user_id))


async def _send_to_reviewers(person: Person, proposal: store.Proposal) -> None:
    _ = person.gettext
    reviewers = sorted(person.settings.admin_ids - {person.user.user_id})
    if not reviewers:
        person.say(escape(_("There is no other admin to review it: a second admin must be "
                            "added to ADMIN_IDS.")))
        return
    person.say(escape(_("Sent to the other admins for review.")))
    for admin in reviewers:
        await _show(person.turn, admin, await ui_lang(person.tx, admin), proposal.id,
                    review=True, author_name=person.first_name)


async def _show(turn: Turn, chat_id: int, lang: str, proposal_id: int, *, review: bool,
                author_name: str | None = None) -> None:
    """A proposal's summary and diff; with approve/reject buttons for a reviewer."""
    _ = gettext_for(lang)
    proposal = await store.get(turn.tx, proposal_id)
    if proposal is None or proposal.status not in ("draft", "pending"):
        raise Refused("not-pending", status=proposal.status if proposal else "?")
    checked = load_report(proposal)
    linked = await store.linked_suggestions(turn.tx, proposal.id)
    markup = (texts.review_keyboard(_, proposal.id) if review
              else texts.ask_review_keyboard(_, proposal.id))
    author = None
    if proposal.author_id is not None:
        volunteer = await volunteers.get(turn.tx, proposal.author_id)
        name = (volunteer.alias if volunteer else None) or author_name
        author = texts.author_link(proposal.author_id, name)
    send_proposal(turn, chat_id, _, proposal, checked, linked, markup, author)


def send_proposal(turn: Turn, chat_id: int, _: texts.Gettext, proposal: store.Proposal,
                  checked: Checked, linked: list[int], markup: texts.Keyboard,
                  author_html: str | None = None) -> None:
    """The diff as a document, then the summary (with its author, for reviewers) and buttons."""
    name = f"{checked.flow_id}-proposal-{proposal.id}.diff"
    turn.send("sendDocument", {"chat_id": chat_id,
                               "document": uploads.text_file(name, checked.diff or "\n")},
              chat_id=chat_id)
    turn.send("sendMessage", {"chat_id": chat_id, "parse_mode": "HTML",
                              "text": texts.summary(_, proposal, checked, linked, author_html),
                              "reply_markup": markup}, chat_id=chat_id)

