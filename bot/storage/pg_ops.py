"""What the operator's commands need to know about a PostgreSQL database.

``doctor`` asks: can we connect, which server, which schema version, how much is waiting;
``backup`` explains ``pg_dump`` (a server's consistent copy is its own tool's job: a file
copy of its data folder is not a backup, and re-implementing a dump here would be worse).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from bot.storage.pg import redact

BACKUP_HELP = (
    "the database is PostgreSQL ({where}): take backups with PostgreSQL's own tool, "
    "which copies a consistent snapshot while the bot runs:\n"
    "  pg_dump --format=custom --file=passerelle-$(date +%Y%m%d-%H%M%S).dump \"$DATABASE_URL\"\n"
    "and restore into an empty database with:\n"
    "  pg_restore --no-owner --dbname=\"$DATABASE_URL\" passerelle-YYYYMMDD-HHMMSS.dump\n"
    "(see docs/operations.md, \"Scaling out\")")


@dataclass(frozen=True)
class ServerHealth:
    server: str  # e.g. "PostgreSQL 15.18"
    schema_version: int
    inbox_pending: int
    set_aside: int  # inbox rows that failed (kept for the operator)


def server_health(url: str, timeout: float = 10.0) -> ServerHealth:
    """Connect once and read the version, the schema version and the queues (read only)."""
    with psycopg.connect(url, connect_timeout=int(timeout), autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        server = f"PostgreSQL {version[0].split()[0] if version else '?'}"
        exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
        if not (exists and exists[0]):
            return ServerHealth(server, 0, 0, 0)
        row = conn.execute("SELECT version FROM schema_version WHERE id = 1").fetchone()
        queue = conn.execute("SELECT COUNT(*) FILTER (WHERE status = 'pending'),"
                             " COUNT(*) FILTER (WHERE status = 'failed') FROM inbox").fetchone()
    return ServerHealth(server, int(row[0]) if row else 0, int(queue[0]), int(queue[1]))


def where(url: str) -> str:
    return redact(url)
