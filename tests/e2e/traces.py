"""Looking for what identifies someone in the database: every table, every value, and the raw
bytes of the database and WAL files.

Why enumerate ``sqlite_master`` instead of listing tables: a table added later (by another
part of the bot) is searched too, so a new place that stores people cannot escape /forget's
test unnoticed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path


def file_traces(db_path: Path, marks: Iterable[str]) -> list[str]:
    """Marks found in the bytes of the database file, its WAL and its shared-memory index."""
    found = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = db_path.with_name(db_path.name + suffix)
        if not path.exists():
            continue
        data = path.read_bytes()
        found += [f"{path.name}: {mark!r}" for mark in marks if mark.encode() in data]
    return found


def table_traces(db_path: Path, marks: Iterable[str], user_id: int | None = None) -> list[str]:
    """Values equal to ``user_id`` (integers) or containing a mark or the id (texts), in
    every table."""
    marks = [*marks, *([str(user_id)] if user_id is not None else [])]
    found = []
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    if (user_id is not None and value == user_id) or any(
                            isinstance(value, str | bytes) and _contains(value, mark)
                            for mark in marks):
                        found.append(f"{table}.{column} = {value!r}"[:300])
    return found


def _contains(value: str | bytes, mark: str) -> bool:
    return mark in value if isinstance(value, str) else mark.encode() in value
