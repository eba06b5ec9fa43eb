"""Copying a SQLite database into PostgreSQL (``python -m bot migrate-to-postgres``).

Why this shape: a deployment moving up must not lose a row, and the copy of a large database
may be interrupted. So: a consistent snapshot of the SQLite file is taken first (SQLite's
backup API, safe while the bot runs), its schema is brought up to date on the snapshot, and
each table is copied in one transaction of its own (``COPY``), recorded as done in a
``migration_progress`` table of the target. Run again after an interruption, it resumes after
the last table done; a target that holds data from anything else is refused unless
``force`` (then emptied first). Every table's row count is checked against the source, and
identity sequences are moved past the copied ids.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import psycopg
from psycopg import sql

from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS, migrate

_SKIP = {"sqlite_sequence", "schema_version", "migration_progress"}
_BATCH = 5000


class ImportRefused(Exception):
    """The copy cannot start or did not check out; the message says why, in one line."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int
    resumed: bool  # done by an earlier run


def _fingerprint(path: Path) -> str:
    """Which source a progress row belongs to: the file's path (it grows while the bot runs,
    so its size or time cannot say "the same file")."""
    return hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]


async def snapshot(source: Path, into: Path) -> None:
    """A consistent copy of ``source`` at ``into``, its schema brought up to date."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(into)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    conn = await aiosqlite.connect(into, isolation_level=None)
    try:
        await migrate(conn, MIGRATIONS)  # the snapshot's schema as this code knows it
    finally:
        await conn.close()


def _tables(conn: sqlite3.Connection) -> list[str]:
    """User tables in creation order (a table is created after those it references)."""
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
        if r[0] not in _SKIP and not r[0].startswith("sqlite_")]


def _target_columns(conn: psycopg.Connection[Any], table: str) -> list[str]:
    rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE"
                        " table_schema = current_schema() AND table_name = %s"
                        " ORDER BY ordinal_position", (table,)).fetchall()
    return [r[0] for r in rows]


def copy_database(source: Path, url: str, *, mark: str | None = None, force: bool = False,
                  say: Callable[[str], None] = print) -> list[Copied]:
    """Copy every table of the snapshot ``source`` into ``url`` (schema already migrated);
    ``mark`` names the original file in the progress rows (default: ``source``'s path)."""
    mark = mark or _fingerprint(source)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = _tables(src)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS migration_progress (tbl TEXT PRIMARY KEY,"
                         " source TEXT NOT NULL, row_count BIGINT NOT NULL)")
            done = {r[0]: (r[1], r[2]) for r in conn.execute(
                "SELECT tbl, source, row_count FROM migration_progress").fetchall()}
            foreign = any(src_mark != mark for src_mark, _ in done.values())
            filled = [t for t in tables if t not in done and conn.execute(
                sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(t))
            ).fetchone()[0]]
            if (filled or foreign) and not force:
                raise ImportRefused(
                    "the PostgreSQL database already holds data ("
                    + ", ".join(filled[:5] or ["an earlier copy of another file"])
                    + "); pass --force to empty it and copy again")
            if force and (filled or done):
                with conn.transaction():
                    conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                        sql.SQL(", ").join(sql.Identifier(t) for t in tables)))
                    conn.execute("DELETE FROM migration_progress")
                done = {}
            results = []
            for table in tables:
                if table in done:
                    results.append(Copied(table, done[table][1], True))
                    continue
                count = _copy_table(src, conn, table, mark)
                say(f"  {table}: {count} rows")
                results.append(Copied(table, count, False))
            _check_counts(src, conn, tables)
            _move_sequences(conn, tables)
        return results
    finally:
        src.close()


def _copy_table(src: sqlite3.Connection, conn: psycopg.Connection[Any], table: str,
                mark: str) -> int:
    target = set(_target_columns(conn, table))
    columns = [d[1] for d in src.execute(f'PRAGMA table_info("{table}")') if d[1] in target]
    names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    select = "SELECT " + ", ".join(f'"{c}"' for c in columns) + f' FROM "{table}"'
    count = 0
    with conn.transaction():
        with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), names)) as copy:
            cursor = src.execute(select)
            while batch := cursor.fetchmany(_BATCH):
                for row in batch:
                    copy.write_row(row)
                count += len(batch)
        conn.execute("INSERT INTO migration_progress (tbl, source, row_count)"
                     " VALUES (%s, %s, %s)", (table, mark, count))
    return count


def _check_counts(src: sqlite3.Connection, conn: psycopg.Connection[Any],
                  tables: list[str]) -> None:
    wrong = []
    for table in tables:
        want = src.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        got = conn.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(
            sql.Identifier(table))).fetchone()[0]
        if want != got:
            wrong.append(f"{table}: {want} in SQLite, {got} in PostgreSQL")
    if wrong:
        raise ImportRefused("row counts differ after the copy: " + "; ".join(wrong)
                            + " (run again with --force to start over)")


def _move_sequences(conn: psycopg.Connection[Any], tables: list[str]) -> None:
    """Identity columns continue after the highest copied id."""
    for table in tables:
        if "id" not in _target_columns(conn, table):
            continue
        seq = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
        if seq and seq[0]:
            conn.execute(sql.SQL("SELECT setval(%s, COALESCE((SELECT MAX(id) FROM {}), 0) + 1,"
                                 " false)").format(sql.Identifier(table)), (seq[0],))


async def migrate_to_postgres(source: Path, url: str, *, force: bool = False,
                              say: Callable[[str], None] = print) -> list[Copied]:
    """The whole command: snapshot, target schema, copy, checks."""
    if not source.is_file():
        raise ImportRefused(f"{source} is not a file (give the SQLite database, e.g. "
                            "data/passerelle.sqlite3)")
    with tempfile.TemporaryDirectory(prefix="passerelle-import-") as folder:
        copy = Path(folder) / "snapshot.sqlite3"
        await snapshot(source, copy)
        target = await Database.open(url)  # the target's schema, under the migration lock
        await target.close()
        return copy_database(copy, url, mark=_fingerprint(source), force=force, say=say)
