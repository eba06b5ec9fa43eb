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
from dataclasses import dataclass, field
from pathlib import Path

from bot.services import privacy
from bot.services.library import FlowLibrary
from bot.services.roles import Role
from bot.storage import kv, records
from bot.storage import publishing as store
from bot.storage.db import Reader, Tx
from bot.storage.publishing import Proposal

from .flow_changes import Changes, compare, unified_diff
from .flow_review import Review, fingerprint, review_candidate
from .flow_upload import MAX_UPLOAD_BYTES, UploadRefused, content_hash, marker, read_upload
from .flow_versions import ensure_recorded, previous, read_disk, relative_path, write_atomically

MAX_LINKED_SUGGESTIONS = 10


class Refused(Exception):
    """An action that is not allowed now; `code` names it (tg/ turns it into a sentence)."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class Exported:
    file_name: str
    text: str
    version: int


@dataclass
class Checked:
    """The outcome of checking an upload; `status` is invalid, stale or draft."""

    status: str
    flow_id: str | None = None
    path: str | None = None
    base_hash: str | None = None
    content: str | None = None
    refusal: str | None = None        # invalid: why the file was not even checked
    review: Review | None = None
    changes: Changes | None = None
    diff: str = ""
    base_version: int | None = None   # stale: the version it was made against
    current_version: int | None = None
    suggestions: list[int] = field(default_factory=list)
    flows_fingerprint: str | None = None  # the flows folder the check saw (see approve)
    refusal_code: str | None = None   # with `refusal_details`: for a translated sentence
    refusal_details: dict[str, object] = field(default_factory=dict)

    @classmethod
    def refused(cls, code: str, message: str, flow_id: str | None = None,
                **details: object) -> Checked:
        return cls("invalid", flow_id, refusal=message, refusal_code=code,
                   refusal_details=details)

    def report(self) -> str:
        return json.dumps({
            "refusal": self.refusal, "review": self.review.to_json() if self.review else None,
            "changes": self.changes.to_json() if self.changes else None, "diff": self.diff,
            "base_version": self.base_version, "current_version": self.current_version,
            "flows_fingerprint": self.flows_fingerprint, "refusal_code": self.refusal_code,
            "refusal_details": self.refusal_details,
        }, ensure_ascii=False)


def load_report(proposal: Proposal) -> Checked:
    """A stored proposal's check, as `check_upload` returned it."""
    data = json.loads(proposal.report or "{}")
    review = Review.from_json(data["review"]) if data.get("review") else None
    changes = Changes.from_json(data["changes"]) if data.get("changes") else None
    return Checked(proposal.status, proposal.flow_id, proposal.path, proposal.base_hash,
                   proposal.content, data.get("refusal"), review, changes, data.get("diff", ""),
                   data.get("base_version"), data.get("current_version"),
                   flows_fingerprint=data.get("flows_fingerprint"),
                   refusal_code=data.get("refusal_code"),
                   refusal_details=data.get("refusal_details") or {})


def can_edit(role: Role, country: str) -> bool:
    """Admins edit every flow; a volunteer the flows of the countries they cover."""
    return role.admin or (role.volunteer is not None and country in role.volunteer.countries)


async def _audit(tx: Tx, actor: int | None, action: str, detail: str) -> None:
    await records.audit(tx, None, actor, f"flow_{action}", detail)


async def export(tx: Tx, library: FlowLibrary, role: Role, flow_id: str) -> Exported:
    """The published file with its version line, for someone who may edit it."""
    flow = library.flows.get(flow_id)
    if flow is None:
        raise Refused("unknown-flow", flow=flow_id)
    if not can_edit(role, flow.country):
        raise Refused("not-allowed")
    path = relative_path(library.directory, flow)
    current = await ensure_recorded(tx, library.directory, flow_id, path)
    await _audit(tx, role.user_id, "exported", f"{flow_id} v{current.version}")
    return Exported(Path(path).name, marker(flow_id, current.content_hash) + current.content,
                    current.version)


async def receive(tx: Tx, role: Role, chat_id: int, file_id: str, file_name: str,
                  caption: str | None, size: int | None) -> int:
    """Queue an uploaded file for checking (downloading waits outside the turn)."""
    if not role.admin and role.volunteer is None:
        raise Refused("not-allowed")
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise Refused("too-big", limit=MAX_UPLOAD_BYTES // 1024)
    proposal_id = await store.add_received(tx, role.user_id, chat_id, file_id, file_name[:100],
                                           (caption or "")[:200] or None)
    await _audit(tx, role.user_id, "uploaded", f"proposal {proposal_id}")
    return proposal_id


def check_upload(library: FlowLibrary, role: Role, data: bytes, file_name: str) -> Checked:
    """Check an upload against the running flows; CPU and file reads only (run it in a
    thread, outside any transaction: it takes tens of milliseconds)."""
    try:
        upload = read_upload(data)
    except UploadRefused as exc:
        return Checked.refused(exc.code, str(exc), **exc.details)
    flow = library.flows.get(upload.flow_id)
    if flow is None:
        return Checked.refused("unknown-flow", f"there is no flow `{upload.flow_id}`; new flows "
                               "are added on the server (send an existing flow's file)",
                               upload.flow_id, flow=upload.flow_id)
    if not can_edit(role, flow.country):
        return Checked.refused("other-country", f"`{flow.id}` is a flow for {flow.country}; you "
                               "may propose changes for your own countries only", flow.id,
                               flow=flow.id, country=flow.country)
    path = relative_path(library.directory, flow)
    published = read_disk(library.directory, path)
    current = content_hash(published)
    base = upload.base_hash or current
    checked = Checked("draft", flow.id, path, base, upload.content)
    if base != current:
        checked.status = "stale"
        return checked
    if upload.content == published:
        return Checked.refused("unchanged", "it is the same as the published version: change "
                               "something first", flow.id)
    checked.flows_fingerprint = fingerprint(library.directory)
    checked.review = review_candidate(library.directory, path, upload.text, flow.id, file_name)
    if not checked.review.ok:
        checked.status = "invalid"
        return checked
    checked.changes = compare(published, upload.content)
    checked.diff = unified_diff(published, upload.content, Path(path).name)
    return checked


async def store_checked(tx: Tx, flows_dir: Path, proposal: Proposal,
                        checked: Checked) -> Checked:
    """Save the check; link the suggestions named in the caption (`#12`)."""
    if checked.flow_id and checked.path:
        await ensure_recorded(tx, flows_dir, checked.flow_id, checked.path)
    if checked.status == "stale" and checked.flow_id:
        for version in await store.versions(tx, checked.flow_id):
            if version.content_hash == checked.base_hash:
                checked.base_version = version.version
        latest = await store.latest_version(tx, checked.flow_id)
        checked.current_version = latest.version if latest else None
    await store.set_checked(tx, proposal.id, checked.status, flow_id=checked.flow_id,
                            path=checked.path, base_hash=checked.base_hash,
                            content=checked.content, report=checked.report())
    if checked.status == "draft" and checked.flow_id and proposal.caption:
        wanted = [int(word.strip("#,.;")) for word in proposal.caption.split()
                  if word.strip("#,.;").isdigit()][:MAX_LINKED_SUGGESTIONS]
        checked.suggestions = await store.link_suggestions(tx, proposal.id, checked.flow_id,
                                                           wanted)
    await _audit(tx, proposal.author_id, "checked", f"proposal {proposal.id} {checked.status}")
    return checked


async def request_review(tx: Tx, role: Role, proposal_id: int) -> Proposal:
    """The author sends their checked draft to the other admins."""
    proposal = await _proposal(tx, proposal_id)
    if proposal.author_id != role.user_id:
        raise Refused("not-author")
    if proposal.status != "draft":
        raise Refused("not-draft", status=proposal.status)
    await store.set_status(tx, proposal.id, "pending")
    await _audit(tx, role.user_id, "review_requested", f"proposal {proposal.id}")
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
        await _audit(tx, role.user_id, "self_review_refused", f"proposal {proposal.id}")
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
        await _audit(tx, role.user_id, "stale_refused", f"proposal {proposal.id}")
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
    await _audit(tx, role.user_id, "published", f"{proposal.flow_id} v{number} "
                 f"proposal {proposal.id}")
    return number


async def reject(tx: Tx, role: Role, proposal_id: int, reason: str) -> Proposal:
    proposal = await _reviewable(tx, role, proposal_id)
    await store.set_status(tx, proposal.id, "rejected", reviewer_id=role.user_id,
                           reason=reason.strip()[:1000] or "-")
    await _audit(tx, role.user_id, "rejected", f"proposal {proposal.id}")
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
    await _audit(tx, role.user_id, "rolled_back", f"{flow_id} v{current.version} -> "
                 f"v{target.version} (now v{number})")
    return RolledBack(flow_id, target.version, number)


async def _publish(library: FlowLibrary, rel_path: str, text: str, before: str) -> None:
    """Replace the file and reload; if the running set refuses it, put the old file back."""
    path = library.directory / rel_path
    write_atomically(path, text)
    result = library.reload()
    if not result.ok:
        write_atomically(path, before)
        library.reload()
        raise Refused("no-longer-valid", problems=[str(p) for p in result.errors])


REASON_KEY = "publishing:reason:{user_id}"


async def start_reject(tx: Tx, role: Role, proposal_id: int) -> Proposal:
    """Reject pressed: the admin's next message is the reason (see `take_reason`)."""
    proposal = await _reviewable(tx, role, proposal_id)
    await kv.put(tx, REASON_KEY.format(user_id=role.user_id), str(proposal.id))
    return proposal


async def take_reason(tx: Tx, user_id: int) -> int | None:
    """The proposal this admin is writing a rejection reason for, if any (then forgotten)."""
    key = REASON_KEY.format(user_id=user_id)
    value = await kv.get(tx, key)
    if value is None:
        return None
    await kv.delete(tx, key)
    return int(value)


async def forget(tx: Tx, user_id: int) -> None:
    """/forget: erase the person's id from proposals, versions and publishing audit rows."""
    await store.forget_person(tx, user_id)
    await kv.delete(tx, REASON_KEY.format(user_id=user_id))


privacy.ERASERS.append(forget)
