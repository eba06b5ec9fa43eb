"""Looking for what identifies someone in the database: every table, every value, and the raw
bytes of the database and WAL files.

Why enumerate ``sqlite_master`` instead of listing tables: a table added later (by another
part of the bot) is searched too, so a new place that stores people cannot escape /forget's
test unnoticed. An id is looked for as a whole number (``801`` inside a timestamp such as
``1795912801`` is not the volunteer 801).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from backend import POSTGRES, table_names, table_rows


def _id_pattern(user_id: int) -> re.Pattern[bytes]:
    return re.compile(rb"(?<![0-9.])" + str(user_id).encode() + rb"(?![0-9.])")


def file_traces(db_path: Path, marks: Iterable[str], user_id: int | None = None) -> list[str]:
    """Marks (and the id, as a whole number) found in the bytes of the database file, its WAL
    and its shared-memory index."""
    marks = list(marks)
    found: list[str] = []
    if POSTGRES:  # no file of ours: PostgreSQL's pages are the server's (see docs/operations)
        return found
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = db_path.with_name(db_path.name + suffix)
        if not path.exists():
            continue
        data = path.read_bytes()
        found += [f"{path.name}: {mark!r}" for mark in marks if mark.encode() in data]
        if user_id is not None and _id_pattern(user_id).search(data):
            found.append(f"{path.name}: {user_id}")
    return found


def table_traces(db_path: Path, marks: Iterable[str], user_id: int | None = None) -> list[str]:
    """Values equal to ``user_id``, or texts containing a mark or the id (as a whole number),
    in every table."""
    marks = [mark.encode() for mark in marks]
    id_pattern = _id_pattern(user_id) if user_id is not None else None
    found = []
    for table in table_names(db_path):
        columns, rows = table_rows(db_path, table)
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                if _identifies(value, user_id, id_pattern, marks):
                    found.append(f"{table}.{column} = {value!r}"[:300])
    return found


def _identifies(value: object, user_id: int | None, id_pattern: re.Pattern[bytes] | None,
                marks: list[bytes]) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return user_id is not None and value == user_id
    if isinstance(value, str):
        value = value.encode()
    if not isinstance(value, bytes):
        return False
    return any(mark in value for mark in marks) or bool(id_pattern and id_pattern.search(value))
