"""What the team reads in its workspace: topic names, the case card, notices.

The workspace speaks the team's working language, English for now: its texts are plain
constants here (one place to translate them later), while everything the *person* reads
still comes from the translated catalogues.
"""

from __future__ import annotations

from bot.storage.cases import Case
from bot.tg import callbacks
from bot.tg.keyboards import Keyboard, button, keyboard
from bot.tg.markup import MAX_MESSAGE, bold, escape

MAX_TOPIC_NAME = 128
# Topic icons by status, as emoji of getForumTopicIconStickers (the first one offered wins).
ICONS = {"unclaimed": ("❓", "❗", "🔥"), "claimed": ("💬", "🗣", "📝"),
         "waiting": ("⏳", "👀", "📆"), "closed": ("✅", "🏁", "🏆")}
STATUS = {"unclaimed": "❓ unclaimed", "claimed": "💬 claimed by {alias}",
          "waiting": "⏳ claimed by {alias}, waiting for the person", "closed": "✅ closed"}
RELAYED_MARK = "👍"  # the reaction on a topic message that reached the person

NOT_ADMIN = "Only the bot's admins can bind a workspace."
NOT_FORUM = ("This group is not a forum: turn on Topics (group settings → Topics), then send "
             "/workspace again.")
MISSING_RIGHT = ("Make me an admin of this group with the right “{right}”, then send "
                 "/workspace again.")
USAGE = "Write /workspace and the country codes, e.g. /workspace SN or /workspace KG,KZ."
BOUND = "This group is now the team workspace for {countries}. Each new case gets its own topic."
SHOWN = "This group is the team workspace for {countries}."
UNBOUND_SHOWN = "This group is not a workspace. An admin binds it with /workspace CC."
OFF = "This group is no longer a workspace; its countries' cases go to volunteers' private chats."
NOT_VOLUNTEER = "Only volunteers for {country} can do this here; you can read along."
CLAIMED = "You claimed case #{id}."
ALREADY = "Case #{id} is already claimed by {alias}."
CLOSED_ALREADY = "Case #{id} is closed."
NOT_CLAIMER = "Only {alias}, who claimed case #{id}, can do this."
RELEASED = "Case #{id} is back in the queue."
TRANSFER_TO = "Hand case #{id} to:"
NO_ONE = "No other volunteer covers {country}."
TRANSFERRED = "Case #{id} was handed to {alias}."
CLOSED_NOW = "Case #{id} is closed."
NOTE_ADDED = "Note added to case #{id}."
NOTE_USAGE = "Write the note after /note, in the case's topic."
UNREACHABLE = ("The person in case #{id} blocked the bot or erased their data: messages cannot "
               "reach them.")
SUGGESTED = "👋 Suggested to {who} (on shift, speaks {lang}): press Claim to take it."
NOBODY = ("New cases are waiting in the {countries} workspace and nobody on shift can take "
          "them (shift, capacity, language). See its Queue topic.")
MISSED_FIRST = "⏰ No first answer within {target} min. {who}"
MISSED_NEXT = "⏰ The person has waited over {target} h for an answer. {who}"
LINKED = "The person wrote again after case #{old} was closed: this is a new case, linked to it."
REPAIRED = {
    "topic_deleted": "The topic of case #{id} was deleted by hand: I recreated it and re-posted "
                     "the card and the message. Please close topics with the card's Close button.",
    "topic_closed": "The topic of case #{id} was closed by hand while the case was open: I "
                    "opened a new topic for it. Close cases with the card's Close button.",
    "rights": "I lost a right in the workspace (I tried case #{id}): make me an admin with "
              "“Manage topics”, “Pin messages” and “Delete messages”. Nothing is lost meanwhile.",
    "not_forum": "The workspace is no longer a forum (Topics were turned off; case #{id}): turn "
                 "Topics on again. Nothing is lost meanwhile.",
    "kicked": "I was removed from the workspace (case #{id}): add me back as an admin. Nothing is "
              "lost meanwhile.",
    "delete_failed": "I could not delete the topic of a case whose person erased their data: "
                     "give me the right “Delete messages” and delete it by hand.",
}
RIGHTS = {"can_manage_topics": "Manage topics", "can_pin_messages": "Pin messages",
          "can_delete_messages": "Delete messages"}


def topic_name(case: Case) -> str:
    """``#ID · CC · lang · procedure``, cut to Telegram's 128 characters."""
    procedure = case.context.get("title") or case.flow_id or "—"
    name = f"#{case.id} · {case.country or '??'} · {case.lang} · {procedure}"
    return name if len(name) <= MAX_TOPIC_NAME else name[:MAX_TOPIC_NAME - 1] + "…"


def card(case: Case, status: str, alias: str | None, linked_to: int | None = None
         ) -> tuple[str, Keyboard]:
    """The case card: what a volunteer needs (no username, no phone, no user id)."""
    ctx = case.context
    lines = [bold(f"Case #{case.id}") + " · " + escape(STATUS[status].format(alias=alias or "?"))]
    lines.append(escape(f"{case.country or '??'} · {case.lang}"
                        + (f" · {ctx['title']}" if ctx.get("title") else "")))
    if linked_to:
        lines.append(escape(f"Follows case #{linked_to}."))
    if case.step_id:
        lines.append(escape(f"Step: {case.step_id}"))
    if ctx.get("question"):
        lines.append(escape(f"Stopped at: {ctx['question']}"))
    if case.reason:
        lines.append(escape(f"Reason: {case.reason}"))
    if ctx.get("answers"):
        lines.append(bold("Answers"))
        lines += [f"• {escape(label)}: {escape(value)}" for label, value in ctx["answers"]]
    if ctx.get("have"):
        lines.append(bold("Has") + " " + escape(", ".join(ctx["have"])))
    if ctx.get("missing"):
        lines.append(bold("Missing") + " " + escape(", ".join(ctx["missing"])))
    lines += ["", escape("Only the claimer's messages here reach the person (marked "
                         f"{RELAYED_MARK}, signed with their alias); everyone else's are "
                         "internal notes. /note TEXT adds a note.")]
    return "\n".join(lines)[:MAX_MESSAGE], card_keyboard(case.id, status)


def card_keyboard(case_id: int, status: str) -> Keyboard:
    if status == "closed":
        return keyboard([])
    first = (button("Claim", callbacks.encode("w", f"claim:{case_id}")) if status ==
             "unclaimed" else button("Release", callbacks.encode("w", f"release:{case_id}")))
    return keyboard([[first, button("Transfer", callbacks.encode("w", f"transfer:{case_id}")),
                      button("Close", callbacks.encode("w", f"close:{case_id}"))]])
