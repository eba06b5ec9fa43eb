"""Proposals from files: who may send one, checking it, and storing the result.

A file arrives in a turn (`receive`: stored, nothing else); the proposals worker downloads it
and calls `check_upload` outside any transaction, then `store_checked`. The rest of the
review (request, approve, reject, rollback) is in bot/services/publishing.py, which also
re-exports these names: callers use `publishing.*` only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.services.library import FlowLibrary
from bot.services.roles import Role
from bot.storage import publishing as store
from bot.storage import records
from bot.storage.db import Tx
from bot.storage.publishing import Proposal

from .flow_changes import Changes, compare, unified_diff
from .flow_review import Review, fingerprint, review_candidate
from .flow_upload import MAX_UPLOAD_BYTES, UploadRefused, content_hash, read_upload
from .flow_versions import ensure_recorded, read_disk, relative_path

MAX_LINKED_SUGGESTIONS = 10


class Refused(Exception):
    """An action that is not allowed now; `code` names it (tg/ turns it into a sentence)."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


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


async def audit(tx: Tx, actor: int | None, action: str, detail: str) -> None:
    await records.audit(tx, None, actor, f"flow_{action}", detail)


async def receive(tx: Tx, role: Role, chat_id: int, file_id: str, file_name: str,
                  caption: str | None, size: int | None) -> int:
    """Queue an uploaded file for checking (downloading waits outside the turn)."""
    if not role.admin and role.volunteer is None:
        raise Refused("not-allowed")
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise Refused("too-big", limit=MAX_UPLOAD_BYTES // 1024)
    proposal_id = await store.add_received(tx, role.user_id, chat_id, file_id, file_name[:100],
                                           (caption or "")[:200] or None)
    await audit(tx, role.user_id, "uploaded", f"proposal {proposal_id}")
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
    await audit(tx, proposal.author_id, "checked", f"proposal {proposal.id} {checked.status}")
    return checked


