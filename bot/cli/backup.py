"""`python -m bot backup PATH`: a consistent copy of the database, safe while the bot runs.

A folder as PATH gets a dated file name (`passerelle-20261129-0300.sqlite3`), so a nightly
cron line needs no date arithmetic; an existing file is never overwritten.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.storage.backup import BackupError, backup


def target_path(path: str, now: datetime | None = None) -> Path:
    target = Path(path)
    if target.is_dir() or path.endswith(("/", "\\")):
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        target = target / f"passerelle-{stamp}.sqlite3"
    return target


def run(path: str, settings: Settings) -> int:
    if settings.database_url:  # a server's snapshot is pg_dump's job: say how, copy nothing
        from bot.storage.pg_ops import BACKUP_HELP, where

        print(f"passerelle backup: {BACKUP_HELP.format(where=where(settings.database_url))}",
              file=sys.stderr)
        return 2
    source = settings.database_path
    try:
        result = backup(source, target_path(path))
    except BackupError as exc:
        print(f"passerelle backup: {exc}", file=sys.stderr)
        return 1
    print(f"database {source.resolve()} copied to {result.path.resolve()} "
          f"({result.size_bytes / 2**20:.1f} MB, schema {result.schema_version}, "
          "integrity ok)")
    return 0
