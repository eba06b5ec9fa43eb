"""Which database backend the suite runs on (PASSERELLE_TEST_BACKEND: sqlite, postgres).

Kept out of conftest.py so tests can import it by name (tests/e2e has a conftest of its own).
"""

from __future__ import annotations

import os

BACKEND = os.environ.get("PASSERELLE_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"
POSTGRES = BACKEND == "postgres"


def db_env() -> dict[str, str]:
    """What a test adds to a subprocess's clean environment so it uses the test's database
    (nothing on SQLite: DATABASE_PATH says it; on PostgreSQL the test's DATABASE_URL)."""
    url = os.environ.get("DATABASE_URL", "")
    return {"DATABASE_URL": url} if POSTGRES and url else {}


def read_rows(db_path: object, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
    """Rows of a query on the test's database from outside the bot (another process's view):
    the SQLite file read-only, or the test's PostgreSQL schema. [] if the schema is not there
    yet (the bot has not started)."""
    if POSTGRES:
        import psycopg

        from bot.storage.dialect import to_postgres

        try:
            with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
                cursor = conn.execute(to_postgres(sql)[0], params)
                return cursor.fetchall() if cursor.description is not None else []
        except psycopg.errors.UndefinedTable:
            return []
    import sqlite3
    from pathlib import Path

    path = Path(str(db_path))
    if not path.exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # the schema is not there yet
            return []


def table_names(db_path: object) -> list[str]:
    """Every table of the test's database (so a table added later is searched too)."""
    if POSTGRES:
        return [r[0] for r in read_rows(
            db_path, "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")]
    return [r[0] for r in read_rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")]


def table_rows(db_path: object, table: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one table."""
    if POSTGRES:
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            cur = conn.execute(f'SELECT * FROM "{table}"')
            return [d.name for d in cur.description or []], cur.fetchall()
    import sqlite3

    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        cursor = conn.execute(f'SELECT * FROM "{table}"')
        return [d[0] for d in cursor.description], cursor.fetchall()
