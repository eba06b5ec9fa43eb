"""The live flows folder (FLOWS_DIR), apart from the code: seeded, then kept up to date.

Why apart: the NGO edits its flows (from Telegram, by hand); the project ships new versions
of the same files. With both in one git-tracked folder, a published edit blocks `git pull`
and a read-only code folder (systemd's ``ProtectSystem=strict``) blocks publishing. So the
bot runs the flows in FLOWS_DIR (default ``data/flows``, in the writable data folder), and
the shipped ``flows/`` of the code is only a source:

* first start: FLOWS_DIR is created as a copy of the shipped folder (a folder of flows that
  exists already is adopted: the shipped versions become its base, nothing else changes);
* ``FLOWS_DIR/.shipped/`` keeps a copy of every shipped file as it was last taken in: the
  base that tells, after an upgrade, whether the NGO edited a file;
* on each start, for each shipped file that changed since: a live file nobody edited (still
  equal to the base) is replaced by the new version; a new file is added; an edited one is
  never overwritten: the new version waits in ``FLOWS_DIR/.shipped-new/`` and the bot turns
  it into a proposal with a three-way diff (shipped before, shipped now, live) that admins
  review like any other (``bot/services/shipped_updates.py``). Nothing blocks the start.

A folder that cannot be written raises :class:`FlowsDirError`, one line naming it.

Several bot processes on one machine (PostgreSQL, ``DATABASE_URL``) share FLOWS_DIR and start
together: :func:`folder_lock` makes one of them seed or update it while the others wait, so
none reads a half-copied folder, and only one turns a waiting version into a proposal.
"""

from __future__ import annotations

import difflib
import filecmp
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: one process per folder is all it runs
    fcntl = None  # type: ignore[assignment]

from bot.config import SHIPPED_FLOWS

from .flow_versions import write_atomically

BASE = ".shipped"       # what was shipped when last taken in (per file)
WAITING = ".shipped-new"  # shipped versions of files the NGO edited, until proposed
__all__ = ["SHIPPED_FLOWS", "FlowsDirError", "Sync", "sync", "three_way_diff", "waiting"]


class FlowsDirError(Exception):
    """FLOWS_DIR cannot be created or written; the message is one line for the admin."""


@dataclass
class Sync:
    seeded: bool = False
    updated: list[str] = field(default_factory=list)   # unedited files replaced
    added: list[str] = field(default_factory=list)     # new shipped files
    waiting: list[str] = field(default_factory=list)   # edited files: new version proposed


def shipped_files(root: Path) -> list[str]:
    """Every file of a flows folder (flows, country files, flow tests), dot folders aside."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and not any(part.startswith(".")
                                             for part in p.relative_to(root).parts))


def same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


@contextmanager
def folder_lock(live: Path, wait: bool = True) -> Iterator[bool]:
    """Hold the lock of the live folder (a file beside it); yields False when ``wait`` is
    False and another process holds it. Without ``fcntl`` (or a lock file) it yields True."""
    if fcntl is None:
        yield True
        return
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
        handle = (live.parent / f".{live.name}.lock").open("a")
    except OSError:
        yield True  # nowhere to put a lock: the folder's own errors speak for themselves
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync(shipped: Path, live: Path) -> Sync:
    """Seed or update ``live`` from ``shipped`` (see the module docstring), one process at a
    time."""
    if same_folder(shipped, live) or not shipped.is_dir():
        return Sync()
    with folder_lock(live):
        return _sync(shipped, live)


def _sync(shipped: Path, live: Path) -> Sync:
    result = Sync()
    try:
        if not live.exists() or not any(live.iterdir()):
            _seed(shipped, live)
            result.seeded = True
            return result
        if not (live / BASE).is_dir():
            _adopt(shipped, live)
            return result
        for rel in shipped_files(shipped):
            _take_in(shipped, live, rel, result)
    except OSError as exc:
        raise FlowsDirError(f"cannot write FLOWS_DIR {live}: {exc.strerror or exc}; "
                            "give the bot's user write access to it (see docs/operations.md)"
                            ) from exc
    return result


def _seed(shipped: Path, live: Path) -> None:
    live.mkdir(parents=True, exist_ok=True)
    for rel in shipped_files(shipped):
        for root in (live, live / BASE):
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shipped / rel, target)


def _adopt(shipped: Path, live: Path) -> None:
    """A folder of flows the bot did not create (FLOWS_DIR set to an existing folder): record
    what is shipped now as the base and change nothing else. Its files stay as they are,
    missing ones are not added; later releases are taken in against this base."""
    for rel in shipped_files(shipped):
        target = live / BASE / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shipped / rel, target)


def _take_in(shipped: Path, live: Path, rel: str, result: Sync) -> None:
    new, base, current = shipped / rel, live / BASE / rel, live / rel
    if base.is_file() and filecmp.cmp(base, new, shallow=False):
        return  # nothing new shipped for this file
    text = new.read_text(encoding="utf-8")
    if not current.exists():
        if base.is_file():
            return  # the NGO deleted it: a new shipped version does not bring it back
        write_atomically(current, text)
        result.added.append(rel)
    elif filecmp.cmp(current, new, shallow=False):
        pass  # the live file already says the same
    elif base.is_file() and filecmp.cmp(base, current, shallow=False):
        write_atomically(current, text)  # unedited: just update
        result.updated.append(rel)
    else:
        write_atomically(live / WAITING / rel, text)  # edited: proposed, never overwritten
        result.waiting.append(rel)
        return  # the base moves on once the proposal is recorded (see taken_in)
    write_atomically(base, text)


def waiting(live: Path) -> list[str]:
    """Shipped versions of edited files waiting to become proposals."""
    root = live / WAITING
    return shipped_files(root) if root.is_dir() else []


def read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def taken_in(live: Path, rel: str) -> None:
    """The waiting version of ``rel`` is now a proposal: it becomes the base."""
    pending = live / WAITING / rel
    text = read(pending)
    if text is not None:
        write_atomically(live / BASE / rel, text)
        pending.unlink()


def three_way_diff(rel: str, before: str | None, now: str, current: str) -> str:
    """What the project changed (shipped before -> now), what the NGO changed (shipped before
    -> live) and what publishing the proposal would do (live -> shipped now)."""
    name = Path(rel).name
    parts = []
    if before is None:
        parts.append(f"# {rel}: the version shipped before is not known (FLOWS_DIR was set up "
                     "before it was recorded)\n")
        before = current
    for title, a, b, label_a, label_b in (
            ("the project's changes", before, now, "shipped before", "shipped now"),
            ("your changes", before, current, "shipped before", "live"),
            ("publishing this proposal", current, now, "live", "shipped now")):
        parts.append(f"# {title}\n")
        parts.extend(difflib.unified_diff(
            a.splitlines(keepends=True), b.splitlines(keepends=True),
            f"{name} ({label_a})", f"{name} ({label_b})"))
        if parts[-1] and not parts[-1].endswith("\n"):
            parts[-1] += "\n"
    return "".join(parts)
