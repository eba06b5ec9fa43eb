"""The messages of publishing: problems, change summaries, refusals, in the reader's language.

Problems and test failures stay as the command line prints them (`file:line:column: ...`,
in English): they name places in the file, and admins compare them with `flows check`.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import N_
from bot.services.flow_changes import FLOW_LEVEL
from bot.services.publishing import Checked, Refused
from bot.storage.publishing import Proposal
from bot.tg import callbacks
from bot.tg.keyboards import Keyboard, button, keyboard
from bot.tg.markup import MAX_MESSAGE, escape

Gettext = Callable[[str], str]
MAX_PROBLEMS = 20

REFUSALS = {
    "not-allowed": N_("This is for admins, and for volunteers of the procedure's country."),
    "unknown-flow": N_("There is no procedure with the id {flow}."),
    "too-big": N_("The file is too big: a flow file may have at most {limit} KB."),
    "not-author": N_("Only the author of a proposal can send it for review."),
    "not-draft": N_("This proposal cannot be sent for review now (it is {status})."),
    "not-pending": N_("This proposal is not waiting for a review any more (it is {status})."),
    "own-proposal": N_("You wrote this proposal: another admin must review it."),
    "unknown-proposal": N_("There is no proposal #{id}."),
    "stale": N_("Not published: this proposal was made on an older version of {flow}, and "
                "version {version} is published now. The author must export the current file "
                "(/export {flow}), make the change again and send it."),
    "no-longer-valid": N_("Not published: with the flows as they are now, this file has "
                          "problems:"),
    "no-previous": N_("{flow} has no earlier version to go back to."),
    "flows-dir-unwritable": N_("Not published: cannot write FLOWS_DIR {path} ({error}). The "
                               "server's admin must give the bot write access to that folder "
                               "(docs/operations.md); nothing was changed."),
}


FILE_REFUSALS = {
    "too-big": N_("a flow file may have at most {limit} KB."),
    "not-utf8": N_("it is not UTF-8 text; save it again choosing the UTF-8 encoding."),
    "yaml-alias": N_("line {line}: anchors and aliases (& and *) are not allowed in flow files; "
                     "write the text out."),
    "yaml-tag": N_("line {line}: tags (!…) are not allowed in flow files; remove the tag or put "
                   "the text in quotes."),
    "yaml-syntax": N_("line {line}, column {column}: the file cannot be read ({problem}); check "
                      "the indentation, colons and quotes around this place."),
    "no-id": N_("this is not a flow file: it has no `id:` line."),
    "unknown-flow": N_("there is no procedure {flow}; new procedures are added on the server. "
                       "Send the file of an existing procedure."),
    "other-country": N_("{flow} is a procedure for {country}; you can propose changes for your "
                        "own countries only."),
    "unchanged": N_("it is the same as the published version: change something first."),
    "download-failed": N_("it could not be downloaded; send it again."),
    "internal": N_("the bot could not check it (an internal error, written in the log); tell "
                   "an admin."),
}


def file_refusal(_: Gettext, checked: Checked) -> str:
    """Why a file was not checked at all, in the reader's language when the reason is known."""
    message = FILE_REFUSALS.get(checked.refusal_code or "")
    if message is None:
        return checked.refusal or ""
    try:
        return _(message).format(**checked.refusal_details)
    except (KeyError, IndexError):
        return checked.refusal or ""


def refusal(_: Gettext, exc: Refused) -> str:
    """The sentence for a refusal (HTML-escaped), with its problem lines if any."""
    text = _(REFUSALS.get(exc.code, exc.code)).format(**exc.details)
    problems = exc.details.get("problems")
    listed = problems if isinstance(problems, list) else []
    lines = [text, *(f"• {p}" for p in listed[:MAX_PROBLEMS])]
    return escape("\n".join(lines)[:MAX_MESSAGE - 100])


def problems_message(_: Gettext, proposal: Proposal, checked: Checked) -> str:
    """A file that cannot become a proposal: why, with every place to fix."""
    if checked.refusal:
        return escape(_("Your file {name} was not accepted: {reason}").format(
            name=proposal.file_name, reason=file_refusal(_, checked)))
    if checked.status == "stale":
        return escape(_("Your file {name} was made on version {base} of {flow}, but version "
                        "{current} is published now. Export the current file (/export {flow}), "
                        "make your change there and send it again.").format(
            name=proposal.file_name, base=checked.base_version or "?", flow=checked.flow_id,
            current=checked.current_version or "?"))
    review = checked.review
    found = (review.errors + review.test_failures) if review else []
    head = _("Your file {name} has problems; nothing was changed. Fix these and send the "
             "file again:").format(name=proposal.file_name)
    lines = [head, *found[:MAX_PROBLEMS]]
    if len(found) > MAX_PROBLEMS:
        lines.append("…")
    return escape("\n".join(lines)[:MAX_MESSAGE - 100])


def _steps(ids: list[str]) -> str:
    return ", ".join("title/description" if s == FLOW_LEVEL else s for s in ids)


def author_link(user_id: int, alias: str | None) -> str:
    """Who sent a proposal, as a link that opens their profile in Telegram (HTML)."""
    return f'<a href="tg://user?id={user_id}">{escape(alias or str(user_id))}</a>'


def summary(_: Gettext, proposal: Proposal, checked: Checked, suggestions: list[int],
            author_html: str | None = None) -> str:
    """The change, as a reviewer reads it: steps added, removed, changed, per language."""
    changes, review = checked.changes, checked.review
    lines = [_("Proposal #{id} for {flow}: the checks pass.").format(
        id=proposal.id, flow=checked.flow_id)]
    if changes is not None:
        if changes.added:
            lines.append(_("Steps added: {steps}").format(steps=_steps(changes.added)))
        if changes.removed:
            lines.append(_("Steps removed: {steps}").format(steps=_steps(changes.removed)))
        if changes.restructured:
            lines.append(_("Steps changed (buttons, next steps, answers): {steps}").format(
                steps=_steps(changes.restructured)))
        for lang, steps in sorted(changes.reworded.items()):
            lines.append(_("Wording changed in {lang}: {steps}").format(lang=lang,
                                                                       steps=_steps(steps)))
    if review is not None:
        tested = ", ".join(f"{lang} {seen}/{total}"
                           for lang, (seen, total) in sorted(review.coverage.items()))
        lines.append(_("Tests: {passed} passed. Steps tested per language: {tested}").format(
            passed=review.tests_passed, tested=tested or "-"))
        if review.warnings:
            lines.append(_("Warnings ({count}):").format(count=len(review.warnings)))
            lines += [f"• {w}" for w in review.warnings[:5]]
    if suggestions:
        lines.append(_("Answers suggestions: {ids}").format(
            ids=", ".join(f"#{n}" for n in suggestions)))
    text = escape("\n".join(lines)[:MAX_MESSAGE - 200])
    if author_html:
        text += "\n" + escape(_("From: {who}")).format(who=author_html)
    return text


def ask_review_keyboard(_: Gettext, proposal_id: int) -> Keyboard:
    return keyboard([[button(_("Ask for review"), callbacks.encode("y", f"req:{proposal_id}"))]])


def review_keyboard(_: Gettext, proposal_id: int) -> Keyboard:
    return keyboard([[button(_("Approve and publish"),
                             callbacks.encode("y", f"ok:{proposal_id}")),
                      button(_("Reject"), callbacks.encode("y", f"no:{proposal_id}"))]])


def show_keyboard(_: Gettext, proposals: list[Proposal]) -> Keyboard:
    return keyboard([[button(_("Review #{id}").format(id=p.id),
                             callbacks.encode("y", f"show:{p.id}"))] for p in proposals])
