"""Checking uploaded flow files away from the turns: download, check, answer.

Why a worker: downloading a file waits on Telegram, and checking it (the checker plus the
flow's tests on a copy of the flows) takes tens of milliseconds; a turn holds the database's
only writer, so it must do neither. The upload is stored as a `received` proposal in its
turn; this worker picks it up (also after a restart), checks it in a thread, then stores the
result and queues the answer in one short transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot
from telegram.error import BadRequest, NetworkError

from bot.background import BackgroundWorker
from bot.config import Settings
from bot.i18n import gettext_for
from bot.services import publishing
from bot.services.flow_upload import MAX_UPLOAD_BYTES
from bot.services.library import FlowLibrary
from bot.services.publishing import Checked
from bot.services.roles import role_of
from bot.storage import publishing as store
from bot.storage.db import Database, Tx
from bot.storage.publishing import Proposal
from bot.tg.markup import escape
from bot.tg.mediation.notify import ui_lang
from bot.tg.turn import Turn

from . import texts
from .handlers import send_proposal

log = logging.getLogger(__name__)
RETRY_SECONDS = 30.0


class ProposalWorker(BackgroundWorker):
    """Downloads and checks each received proposal, then tells its author."""

    task_name = "passerelle-proposals"

    def __init__(self, db: Database, settings: Settings, library: FlowLibrary, bot: Bot) -> None:
        self.db, self.settings, self.library, self.bot = db, settings, library, bot

    async def run_once(self) -> int:
        """Check every received proposal; return how many were handled."""
        waiting = await store.received(self.db)
        for proposal in waiting:
            await self.check(proposal)
        return len(waiting)

    async def _download(self, proposal: Proposal) -> bytes | Checked:
        """The file's bytes, or why it cannot be had (a network failure raises: retry)."""
        try:
            found = await self.bot.get_file(proposal.file_id or "")
            if found.file_size and found.file_size > MAX_UPLOAD_BYTES:
                return Checked.refused("too-big", "the file is too big",
                                       limit=MAX_UPLOAD_BYTES // 1024)
            return bytes(await found.download_as_bytearray())
        except BadRequest as exc:
            return Checked.refused("download-failed", f"the file could not be downloaded "
                                   f"({exc.message}); send it again")

    async def check(self, proposal: Proposal) -> None:
        role = await role_of(self.db, proposal.author_id or 0, self.settings.admin_ids)
        data = await self._download(proposal)
        if isinstance(data, Checked):
            checked = data
        else:
            try:
                checked = await asyncio.to_thread(publishing.check_upload, self.library, role,
                                                  data, proposal.file_name)
            except Exception:  # a bug must not block the queue: answer, keep the trace
                log.exception("proposals: checking proposal %s failed", proposal.id)
                checked = Checked.refused("internal", "the bot could not check this file (an "
                                          "internal error, recorded in the log)")
        async with self.db.transaction() as tx:
            fresh = await store.get(tx, proposal.id)
            if fresh is None or fresh.status != "received" or fresh.chat_id is None:
                return  # erased meanwhile (/forget)
            checked = await publishing.store_checked(tx, self.library.directory, fresh, checked)
            turn = Turn(tx, 0, None)
            chat = fresh.chat_id
            _ = gettext_for(await ui_lang(tx, chat))
            if checked.status == "draft":
                send_proposal(turn, chat, _, fresh, checked, checked.suggestions,
                              texts.ask_review_keyboard(_, fresh.id))
                hint = await self._open_suggestions(tx, checked)
                if hint:
                    turn.send("sendMessage", {"chat_id": chat, "text": escape(_(
                        "Open suggestions for this procedure: {list}. To link them to a "
                        "proposal, write their numbers in the file's caption, e.g. #{example}.")
                        .format(list=hint[0], example=hint[1]))}, chat_id=chat)
            else:
                turn.send("sendMessage", {"chat_id": chat, "parse_mode": "HTML",
                                          "text": texts.problems_message(_, fresh, checked)},
                          chat_id=chat)
            await turn.flush()

    async def _open_suggestions(self, tx: Tx, checked: Checked) -> tuple[str, int] | None:
        if checked.suggestions or not checked.flow_id:
            return None
        rows = await store.open_suggestions(tx, checked.flow_id)
        if not rows:
            return None
        listed = "; ".join(f"#{r['id']} {r['step_id'] or ''}: {r['text'][:80]}" for r in rows)
        return listed, rows[0]["id"]

    async def _run(self) -> None:
        wake = self.db.signal("proposals")
        while True:
            delay = 3600.0
            wake.clear()  # before looking: an upload committed from now on wakes the next wait
            try:
                await self.run_once()
            except NetworkError:
                log.warning("proposals: Telegram unreachable; retrying in %ss", RETRY_SECONDS)
                delay = RETRY_SECONDS
            except Exception:
                log.exception("proposals: a check failed; retrying shortly")
                delay = RETRY_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), delay)
