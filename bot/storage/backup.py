"""A consistent copy of the database while the bot runs, with SQLite's online backup API.

Why not `cp`: with WAL, the database is the main file *plus* the write-ahead log, and a
file copy taken while the bot writes can be torn. The backup API copies pages through
SQLite itself, a few at a time, restarting if a writer changed a page already copied, so
the copy is one consistent snapshot and the bot is never blocked for long. The copy is
written next to its destination, checked, switched out of WAL (one self-contained file)
and renamed into place: a crash leaves either no file or a complete one.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.private_files import create_private

PAGES_PER_STEP = 256  # the bot's writers wait for at most one step


class BackupError(Exception):
    """The copy could not be made; the message is one line for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    schema_version: int


def backup(source: Path, target: Path) -> BackupResult:
    """Copy `source` to `target` (which must not exist); check the copy before renaming it."""
    if not source.is_file():
        raise BackupError(f"no database at {source.resolve()} (check DATABASE_PATH)")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new name or a folder")
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        create_private(partial)  # 0600: SQLite gives its journal the same mode
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst, pages=PAGES_PER_STEP)
                dst.execute("PRAGMA journal_mode=DELETE")
                verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
                version = dst.execute("PRAGMA user_version").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if verdict != "ok":
            raise BackupError(f"the copy failed SQLite's integrity check: {verdict}")
        with open(partial, "rb") as copy:
            os.fsync(copy.fileno())
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"backup to {target} failed: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, version)
