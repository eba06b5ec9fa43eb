"""Texts that several parts of the bot show and that must say the same thing everywhere.

Why one source: the privacy notice is a promise; the greeting, ``/privacy``, the bot's
description (shown in the empty chat before a person writes, also to those who arrive by a
deep link) and the docs must not drift apart (docs/privacy.md quotes this text).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import N_

PRIVACY_NOTICE = N_(
    "Privacy: I store your language, country, answers and the messages you exchange with "
    "volunteers (never your phone number unless you choose to share it). Only the volunteer "
    "who takes your case sees them; admins see anonymous counts. Messages are deleted after "
    "{days} days. Journey statistics carry no identity, so there is nothing of yours there. "
    "/forget erases everything about you at any time.")
MAX_DESCRIPTION = 512  # Telegram's limit for the bot description (setMyDescription)


def privacy_notice(gettext: Callable[[str], str], retention_days: int) -> str:
    """The notice in the reader's language (plain text: escape it for HTML)."""
    return gettext(PRIVACY_NOTICE).format(days=retention_days)
