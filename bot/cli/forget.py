"""`python -m bot forget ID`: the same erasure as /forget, for a request made outside Telegram.

Why: a person who lost their phone, or who writes to the NGO by e-mail, must be able to have
their data erased too. The rules are the service's (``bot/services/privacy.py``); a volunteer
holding one of their cases is told through the outbox (delivered when the bot runs).
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.config import Settings
from bot.services import privacy
from bot.storage import cases, users
from bot.storage.db import Database


async def forget_user(db: Database, user_id: int, settings: Settings) -> bool:
    """Erase ``user_id``; False when the database knows nothing about them."""
    async with db.transaction() as tx:
        known = (await users.get(tx, user_id) is not None
                 or bool(await cases.ids_for_person(tx, user_id)))
        await privacy.forget(tx, user_id, user_id, settings)
    await db.checkpoint()  # no goodbye to wait for: no older copy of a page stays behind
    return known


def run(user_id: int, settings: Settings, out: TextIO | None = None,
        err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    if user_id <= 0:
        print(f"passerelle: {user_id} is not a Telegram user id (a positive number)", file=err)
        return 2

    async def work() -> bool:
        db = await Database.open(settings.database, create=False)
        try:
            return await forget_user(db, user_id, settings)
        finally:
            await db.close()

    known = asyncio.run(work())
    note = "" if known else " (no profile or case: traces in the logs were erased anyway)"
    print(f"user {user_id} erased from {_where(settings)}{note}", file=out)
    return 0


def _where(settings: Settings) -> str:
    if settings.database_url:
        from bot.storage.pg import redact

        return redact(settings.database_url)
    return str(settings.database_path)
