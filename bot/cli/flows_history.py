"""`python -m bot flows history FLOW_ID` and `python -m bot flows diff FLOW_ID [VERSION]`.

`diff` shows what one version changed: VERSION against the version before it (by default the
version on disk now). Both first record the file on disk if it was edited by hand since the
last recorded version (see bot/services/flow_versions.py), so the history is never behind.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.engine import load_flows
from bot.services.flow_changes import unified_diff
from bot.services.flow_versions import ensure_recorded, relative_path
from bot.storage import publishing as store
from bot.storage.db import Database
from bot.storage.publishing import Version


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _origin(version: Version) -> str:
    who = lambda user: "(erased)" if user is None else str(user)  # noqa: E731
    if version.source == "disk":
        return "file on disk (edited on the server or shipped)"
    if version.source == "rollback":
        return f"rollback to v{version.restores} by {who(version.author_id)}"
    return (f"proposal #{version.proposal_id} by {who(version.author_id)}, approved by "
            f"{who(version.approver_id)}")


async def _history(database: Path, flows_dir: Path, flow_id: str) -> list[Version]:
    db = await Database.open(database, create=False)
    try:
        flow = load_flows(flows_dir).flows.get(flow_id)
        if flow is not None:
            async with db.transaction() as tx:
                await ensure_recorded(tx, flows_dir, flow_id, relative_path(flows_dir, flow))
        return await store.versions(db, flow_id)
    finally:
        await db.close()


def history(database: Path, flows_dir: Path, flow_id: str, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    versions = asyncio.run(_history(database, flows_dir, flow_id))
    if not versions:
        print(f"no flow {flow_id!r} on disk and no recorded version", file=out)
        return 1
    print(f"{flow_id}: {len(versions)} versions, the last is on disk now", file=out)
    for version in versions:
        print(f"  v{version.version}  {_when(version.published_at)}  {version.content_hash}  "
              f"{version.path}  {_origin(version)}", file=out)
        if version.checker:
            print(f"        checker: {version.checker}", file=out)
    return 0


def diff(database: Path, flows_dir: Path, flow_id: str, number: int | None,
         out: TextIO | None = None) -> int:
    out = out or sys.stdout
    versions = asyncio.run(_history(database, flows_dir, flow_id))
    by_number = {v.version: v for v in versions}
    target = by_number.get(number) if number is not None else (versions[-1] if versions
                                                                 else None)
    if target is None:
        print(f"{flow_id}: no version {number}; see `python -m bot flows history {flow_id}`",
              file=out)
        return 1
    before = by_number.get(target.version - 1)
    if before is None:
        print(f"{flow_id} v{target.version} is the first recorded version", file=out)
        return 0
    name = Path(target.path).name
    out.write(unified_diff(before.content, target.content, name)
              .replace("published/", f"v{before.version}/", 1)
              .replace("proposed/", f"v{target.version}/", 1))
    return 0
