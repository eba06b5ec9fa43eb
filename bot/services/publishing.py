"""Publishing flow changes: who may propose, review, publish and roll back, and how.

Telegram-free rules (tg/publishing renders the results; the CLI reads the same history):

* An admin, or a volunteer for the flow's country, sends an edited flow file. It is checked
  (checker, the flow's tests, coverage per language) away from the running flows; problems go
  back to the sender, a clean file becomes a draft with a change summary and a diff.
* The author asks for review; another admin (never the author) approves or rejects it with a
  reason. Approving publishes atomically into FLOWS_DIR and reloads the running flows.
* A proposal made against an older version than the one published is refused (stale), at
  upload and again at approval: changes are never merged silently.
* Every published version is kept (flow_versions); a rollback republishes the previous one.

Every action is audited (table `audit`, actions `flow_*`, no free text in the detail).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from bot.services import privacy
from bot.services.library import FlowLibrary
from bot.services.roles import Role
from bot.storage import kv
from bot.storage import publishing as store
from bot.storage.db import Reader, Tx
from bot.storage.publishing import Proposal

from .flow_proposals import (
    Checked,
    Refused,
    audit,
    can_edit,
    check_upload,
    load_report,
    receive,
    store_checked,
)
from .flow_review import Review, fingerprint, review_candidate
from .flow_upload import content_hash, marker
from .flow_versions import ensure_recorded, previous, relative_path, write_atomically

__all__ = ["Checked", "Exported", "Refused", "RolledBack", "approve", "can_edit",
           "check_upload", "export", "forget", "load_report", "pending_reason",
           "receive", "reject", "request_review", "rollback", "start_reject", "store_checked",
           "take_reason"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Exported:
    file_name: str
    text: str
    version: int


async def export(tx: Tx, library: FlowLibrary, role: Role, flow_id: str) -> Exported:
    """The published file with its version line, for someone who may edit it."""
    flow = library.flows.get(flow_id)
    if flow is None:
        raise Refused("unknown-flow", flow=flow_id)
    if not can_edit(role, flow.country):
        raise Refused("not-allowed")
    path = relative_path(library.directory, flow)
    current = await ensure_recorded(tx, library.directory, flow_id, path)
    await audit(tx, role.user_id, "exported", f"{flow_id} v{current.version}")
    return Exported(Path(path).name, marker(flow_id, current.content_hash) + current.content,
                    current.version)


async def request_review(tx: Tx, role: Role, proposal_id: int) -> Proposal:
    """The author sends their checked draft to the other admins."""
    proposal = await _proposal(tx, proposal_id)
    if proposal.author_id != role.user_id:
        raise Refused("not-author")
    if proposal.status != "draft":
        raise Refused("not-draft", status=proposal.status)
    await store.set_status(tx, proposal.id, "pending")
    await audit(tx, role.user_id, "review_requested", f"proposal {proposal.id}")
    return proposal


async def _proposal(db: Reader, proposal_id: int) -> Proposal:
    proposal = await store.get(db, proposal_id)
    if proposal is None:
        raise Refused("unknown-proposal", id=proposal_id)
    return proposal


async def _reviewable(tx: Tx, role: Role, proposal_id: int) -> Proposal:
    if not role.admin:
        raise Refused("not-allowed")
    proposal = await _proposal(tx, proposal_id)
    if proposal.author_id == role.user_id:
        await audit(tx, role.user_id, "self_review_refused", f"proposal {proposal.id}")
        raise Refused("own-proposal")
    if proposal.status != "pending":
        raise Refused("not-pending", status=proposal.status)
    return proposal


async def approve(tx: Tx, library: FlowLibrary, role: Role, proposal_id: int) -> int:
    """Publish a pending proposal (write and rename, then reload); return its version number."""
    proposal = await _reviewable(tx, role, proposal_id)
    assert proposal.flow_id and proposal.path and proposal.content is not None
    current = await ensure_recorded(tx, library.directory, proposal.flow_id, proposal.path)
    if current.content_hash != proposal.base_hash:
        await store.set_status(tx, proposal.id, "stale", reviewer_id=role.user_id)
        await audit(tx, role.user_id, "stale_refused", f"proposal {proposal.id}")
        raise Refused("stale", flow=proposal.flow_id, version=current.version)
    review = load_report(proposal).review or Review()
    if load_report(proposal).flows_fingerprint != fingerprint(library.directory):
        # other files changed since the check (a step this flow links to, a test...): again
        review = review_candidate(library.directory, proposal.path, proposal.content,
                                  proposal.flow_id, Path(proposal.path).name)
    if not review.ok:
        raise Refused("no-longer-valid", problems=review.errors + review.test_failures)
    await _publish(library, proposal.path, proposal.content, current.content)
    number = await store.add_version(
        tx, flow_id=proposal.flow_id, content_hash=content_hash(proposal.content),
        path=proposal.path, content=proposal.content, source="proposal",
        proposal_id=proposal.id, author_id=proposal.author_id, approver_id=role.user_id,
        checker=review.summary())
    await store.set_status(tx, proposal.id, "approved", reviewer_id=role.user_id)
    await store.close_suggestions(tx, proposal.id)
    await audit(tx, role.user_id, "published", f"{proposal.flow_id} v{number} "
                 f"proposal {proposal.id}")
    flow_id, proposal_id = proposal.flow_id, proposal.id
    tx.after_commit(lambda: log.info("proposal %s published: %s version %s", proposal_id,
                                     flow_id, number))
    return number


async def reject(tx: Tx, role: Role, proposal_id: int, reason: str) -> Proposal:
    proposal = await _reviewable(tx, role, proposal_id)
    await store.set_status(tx, proposal.id, "rejected", reviewer_id=role.user_id,
                           reason=reason.strip()[:1000] or "-")
    await audit(tx, role.user_id, "rejected", f"proposal {proposal.id}")
    return proposal


@dataclass(frozen=True)
class RolledBack:
    flow_id: str
    restored: int      # the version brought back
    version: int       # the new version number it got


async def rollback(tx: Tx, library: FlowLibrary, role: Role, flow_id: str) -> RolledBack:
    """The emergency path: republish the version before the current one, at once."""
    if not role.admin:
        raise Refused("not-allowed")
    flow = library.flows.get(flow_id)
    if flow is None:
        raise Refused("unknown-flow", flow=flow_id)
    path = relative_path(library.directory, flow)
    current = await ensure_recorded(tx, library.directory, flow_id, path)
    target = await previous(tx, current)
    if target is None:
        raise Refused("no-previous", flow=flow_id)
    await _publish(library, path, target.content, current.content)
    number = await store.add_version(
        tx, flow_id=flow_id, content_hash=content_hash(target.content), path=path,
        content=target.content, source="rollback", restores=target.version,
        author_id=role.user_id, checker=f"rollback to version {target.version}")
    await audit(tx, role.user_id, "rolled_back", f"{flow_id} v{current.version} -> "
                 f"v{target.version} (now v{number})")
    return RolledBack(flow_id, target.version, number)


async def _publish(library: FlowLibrary, rel_path: str, text: str, before: str) -> None:
    """Replace the file and reload; if the running set refuses it, put the old file back."""
    path = library.directory / rel_path
    try:
        write_atomically(path, text)
    except OSError as exc:  # read-only folder, full disk: the admin must be told which
        raise Refused("flows-dir-unwritable", path=str(library.directory),
                      error=exc.strerror or type(exc).__name__) from exc
    result = library.reload()
    if not result.ok:
        write_atomically(path, before)
        library.reload()
        raise Refused("no-longer-valid", problems=[str(p) for p in result.errors])


REASON_KEY = "publishing:reason:{user_id}"
# A reason is written right after pressing Reject; a message much later is meant for
# something else (a person in a case, a flow question) and must not be taken as the reason.
REASON_TTL_S = 10 * 60


async def start_reject(tx: Tx, role: Role, proposal_id: int) -> Proposal:
    """Reject pressed: the admin's next message is the reason (see `pending_reason`)."""
    proposal = await _reviewable(tx, role, proposal_id)
    await kv.put(tx, REASON_KEY.format(user_id=role.user_id),
                 json.dumps({"proposal": proposal.id, "at": time.time()}))
    return proposal


async def pending_reason(tx: Tx, user_id: int) -> int | None:
    """The proposal this admin was asked a reason for within :data:`REASON_TTL_S`; an older
    request is dropped (the admin rejects with ``/reject ID REASON`` or presses again)."""
    key = REASON_KEY.format(user_id=user_id)
    value = await kv.get(tx, key)
    if value is None:
        return None
    try:
        pending = json.loads(value)
        proposal_id, at = int(pending["proposal"]), float(pending["at"])
    except (ValueError, TypeError, KeyError):  # the bare id an older version stored
        proposal_id, at = -1, 0.0
    if time.time() - at > REASON_TTL_S or proposal_id < 0:
        await kv.delete(tx, key)
        return None
    return proposal_id


async def take_reason(tx: Tx, user_id: int) -> int | None:
    """The pending proposal (as :func:`pending_reason`), then forgotten."""
    proposal_id = await pending_reason(tx, user_id)
    await kv.delete(tx, REASON_KEY.format(user_id=user_id))
    return proposal_id


async def forget(tx: Tx, user_id: int) -> None:
    """/forget: erase the person's id from proposals, versions and publishing audit rows."""
    await store.forget_person(tx, user_id)
    await kv.delete(tx, REASON_KEY.format(user_id=user_id))


privacy.ERASERS.append(forget)
