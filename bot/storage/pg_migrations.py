"""Schema migrations on PostgreSQL: the same numbered scripts, translated, applied once.

Why a lock: several processes may start together (a rolling upgrade, a restart of all of
them); each migration runs in its own transaction that first takes a transaction-level
advisory lock (``pg_advisory_xact_lock``), then reads the version again, so exactly one
process applies it and the others find it done. The version lives in a ``schema_version``
table (SQLite's ``PRAGMA user_version`` has no PostgreSQL equivalent), written in the same
transaction as the migration: a crash leaves the schema before or after it, never half-way.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import psycopg

from bot.storage.dialect import to_postgres

LOCK_KEY = 0x7061737365  # "passe": the migration lock, shared by every process
_VERSION_TABLE = ("CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY"
                  " CHECK (id = 1), version INTEGER NOT NULL)")


async def current_version(conn: psycopg.AsyncConnection[Any]) -> int:
    cur = await conn.execute("SELECT to_regclass('schema_version') IS NOT NULL")
    exists = (await cur.fetchone())[0]
    if not exists:
        return 0
    cur = await conn.execute("SELECT version FROM schema_version WHERE id = 1")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate_pg(conn: psycopg.AsyncConnection[Any], migrations: Sequence[tuple[int, str]],
                     compat_sql: str) -> int:
    """Apply every migration newer than the stored version; return the version.

    ``conn`` is in autocommit mode; each step is its own transaction under the lock.
    """
    versions = [version for version, _ in migrations]
    if not versions or versions[0] < 1 or any(b <= a for a, b in pairwise(versions)):
        raise ValueError(f"migration versions must be ascending from 1; got {versions}")
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        await conn.execute(to_postgres(_VERSION_TABLE, params=False)[0])
        await conn.execute(compat_sql)
        current = await current_version(conn)
    if current > versions[-1]:
        raise RuntimeError(
            f"database schema version {current} is newer than this code ({versions[-1]})")
    for version, script in migrations:
        if version <= current:
            continue
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            if await current_version(conn) >= version:  # another process was first
                continue
            await conn.execute(to_postgres(script, params=False)[0])
            await conn.execute(
                "INSERT INTO schema_version (id, version) VALUES (1, %s)"
                " ON CONFLICT (id) DO UPDATE SET version = excluded.version", (version,))
        current = version
    return current
