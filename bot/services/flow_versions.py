"""Versions of flow files: recording them, writing one to disk atomically, finding the previous.

A version is identified by its content hash (the first 12 hex digits of the file's SHA-1, the
same as `Flow.version` that sessions carry). Files may still be edited by hand on the server:
whenever publishing looks at a flow (an export, a proposal, a review, a rollback, the history
command) and the file on disk is not the latest recorded version, the disk content is recorded
first as a new version with source `disk` and no author. So the very first use records the
shipped file as version 1, and a hand edit between two publications shows up in the history
as its own version instead of being lost by a rollback.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bot.engine import Flow
from bot.storage import publishing as store
from bot.storage.db import Reader, Tx
from bot.storage.publishing import Version

from .flow_upload import content_hash


def relative_path(flows_dir: Path, flow: Flow) -> str:
    """Where the flow lives inside FLOWS_DIR, e.g. `KZ/birth-registration.yaml`."""
    path = Path(flow.file)
    try:
        return path.resolve().relative_to(flows_dir.resolve()).as_posix()
    except ValueError:
        return f"{flow.country}/{path.name}"


def read_disk(flows_dir: Path, rel_path: str) -> str:
    return (flows_dir / rel_path).read_bytes().decode("utf-8")


async def ensure_recorded(tx: Tx, flows_dir: Path, flow_id: str, rel_path: str) -> Version:
    """The current version of the file on disk, recorded first if it is new (see above)."""
    text = read_disk(flows_dir, rel_path)
    digest = content_hash(text)
    latest = await store.latest_version(tx, flow_id)
    if latest is None or latest.content_hash != digest:
        await store.add_version(tx, flow_id=flow_id, content_hash=digest, path=rel_path,
                                content=text, source="disk")
        latest = await store.latest_version(tx, flow_id)
        assert latest is not None
    return latest


async def previous(db: Reader, current: Version) -> Version | None:
    """The version published before `current` (a rollback's own target counts as current)."""
    history = await store.versions(db, current.flow_id)
    before = current.restores if current.restores is not None else current.version
    for version in reversed(history):
        if version.version < before and version.content_hash != current.content_hash:
            return version
    return None


def write_atomically(path: Path, text: str) -> None:
    """Write then rename: the bot (and people mid-flow) only ever read a whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
