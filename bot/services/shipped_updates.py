"""New shipped versions of flows the NGO edited become proposals (see live_flows).

An upgrade never overwrites an edited flow and never blocks the start: the new version is
checked like an upload (checker, flow tests, against the running flows) and stored as a
proposal waiting for review, without an author, its diff being the three-way diff. Admins
see it in /proposals and approve it (the live file is replaced) or reject it (the NGO's
version stays; the shipped one is kept in the proposal and in ``FLOWS_DIR/.shipped``).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.services.library import FlowLibrary
from bot.services.roles import Role
from bot.storage import publishing as store
from bot.storage.db import Database

from . import live_flows
from .flow_proposals import audit, check_upload, store_checked

log = logging.getLogger(__name__)
SHIPPED = Role(user_id=0, admin=True, volunteer=None)  # checks as an admin's upload would
CAPTION = "shipped update"


async def propose(db: Database, library: FlowLibrary) -> list[int]:
    """Turn every waiting shipped version into a proposal; return their numbers.

    Processes sharing the folder start together: the one holding its lock makes the
    proposals, the others skip (the waiting files are gone once proposed)."""
    live = library.directory
    if not live_flows.waiting(live):
        return []  # the usual start: no lock taken, no lock file made
    with live_flows.folder_lock(live, wait=False) as mine:
        return await _propose(db, library, live) if mine else []


async def _propose(db: Database, library: FlowLibrary, live: Path) -> list[int]:
    made = []
    for rel in live_flows.waiting(live):
        now = live_flows.read(live / live_flows.WAITING / rel)
        current = live_flows.read(live / rel)
        if now is None or current is None:
            continue
        checked = await asyncio.to_thread(check_upload, library, SHIPPED, now.encode(),
                                          Path(rel).name)
        if checked.flow_id is None or checked.path != rel:
            log.warning("flows: the shipped %s differs from your edited copy and is not a flow "
                        "a proposal can carry; compare %s with %s", rel,
                        live / live_flows.WAITING / rel, live / rel)
            continue
        checked.diff = live_flows.three_way_diff(
            rel, live_flows.read(live / live_flows.BASE / rel), now, current)
        async with db.transaction() as tx:
            proposal_id = await store.add_shipped(tx, Path(rel).name, CAPTION)
            proposal = await store.get(tx, proposal_id)
            assert proposal is not None
            checked = await store_checked(tx, live, proposal, checked)
            status = "pending" if checked.status == "draft" else checked.status
            if status == "pending":
                await store.set_status(tx, proposal_id, status)
            await audit(tx, None, "shipped_update", f"proposal {proposal_id} {rel}")
        live_flows.taken_in(live, rel)
        made.append(proposal_id)
        log.warning("flows: a new version of %s was shipped; your edited copy is kept and the "
                    "new one is proposal #%d (%s): review it with /proposals", rel, proposal_id,
                    status)
    return made
