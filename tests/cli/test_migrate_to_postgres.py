"""`python -m bot migrate-to-postgres`: every table copied, counts checked, refusals, resume."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import aiosqlite
import pytest
from backend import read_rows

from bot.__main__ import main
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.pg_import import ImportRefused, migrate_to_postgres

pytestmark = pytest.mark.postgres_only


async def sqlite_db(path: Path) -> Path:
    conn = await aiosqlite.connect(path, isolation_level=None)
    await migrate(conn, MIGRATIONS)
    await conn.close()
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO users (user_id, lang, country, created_at, updated_at)"
                       " VALUES (?, 'ru', 'KZ', 1, 1)", [(i,) for i in range(1, 251)])
        db.executemany("INSERT INTO inbox (update_id, chat_id, payload, received_at, status)"
                       " VALUES (?, ?, '{}', 1, 'done')", [(i, i % 7) for i in range(1, 101)])
        db.execute("INSERT INTO cases (person_id, lang, created_at) VALUES (5, 'ru', 1)")
        db.execute("INSERT INTO audit (case_id, actor_id, action, at) VALUES (1, 5, 'open', 1)")
        db.execute("INSERT INTO kv (key, value) VALUES ('polling.offset', '101')")
    return path


def counts(*tables: str) -> dict[str, int]:
    return {t: read_rows(None, f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}


async def test_every_table_is_copied_counts_checked_and_ids_continue(tmp_path: Path) -> None:
    source = await sqlite_db(tmp_path / "old.sqlite3")
    copied = await migrate_to_postgres(source, os.environ["DATABASE_URL"], say=lambda _: None)
    assert {c.table for c in copied} >= {"users", "inbox", "outbox", "cases", "kv", "audit"}
    assert counts("users", "inbox", "cases", "audit", "kv") == {
        "users": 250, "inbox": 100, "cases": 1, "audit": 1, "kv": 1}
    # The next case gets an id after the copied ones (the identity sequence was moved).
    read_rows(None, "INSERT INTO cases (person_id, lang, created_at) VALUES (6, 'ru', 2)")
    assert read_rows(None, "SELECT MAX(id) FROM cases")[0][0] == 2


async def test_a_filled_target_is_refused_without_force(tmp_path: Path) -> None:
    source = await sqlite_db(tmp_path / "old.sqlite3")
    other = await sqlite_db(tmp_path / "other.sqlite3")
    await migrate_to_postgres(source, os.environ["DATABASE_URL"], say=lambda _: None)
    with pytest.raises(ImportRefused, match="--force"):
        await migrate_to_postgres(other, os.environ["DATABASE_URL"], say=lambda _: None)
    await migrate_to_postgres(other, os.environ["DATABASE_URL"], force=True,
                              say=lambda _: None)
    assert counts("users")["users"] == 250  # emptied first, then copied once


async def test_an_interrupted_copy_resumes_after_the_last_table_done(tmp_path: Path,
                                                                    monkeypatch) -> None:
    from bot.storage import pg_import

    source = await sqlite_db(tmp_path / "old.sqlite3")
    real = pg_import._copy_table
    calls: list[str] = []

    def failing(src, conn, table, mark):  # the server goes away at the third table
        calls.append(table)
        if len(calls) == 3:
            raise ConnectionError("server closed the connection")
        return real(src, conn, table, mark)

    monkeypatch.setattr(pg_import, "_copy_table", failing)
    with pytest.raises(ConnectionError):
        await migrate_to_postgres(source, os.environ["DATABASE_URL"], say=lambda _: None)
    monkeypatch.setattr(pg_import, "_copy_table", real)
    copied = await migrate_to_postgres(source, os.environ["DATABASE_URL"], say=lambda _: None)
    assert sum(c.resumed for c in copied) == 2
    assert counts("users", "inbox") == {"users": 250, "inbox": 100}


def test_the_command_says_what_it_did(tmp_path: Path, capsys) -> None:
    import asyncio

    source = asyncio.run(sqlite_db(tmp_path / "old.sqlite3"))
    assert main(["migrate-to-postgres", "--from", str(source)]) == 0
    out = capsys.readouterr().out
    assert "every count checked" in out and "users: 250 rows" in out
    assert main(["migrate-to-postgres", "--from", str(tmp_path / "missing.sqlite3")]) == 1
    assert "is not a file" in capsys.readouterr().err


def test_backup_explains_pg_dump(capsys) -> None:
    assert main(["backup", "/tmp/x"]) == 2
    err = capsys.readouterr().err
    assert "pg_dump" in err and "pg_restore" in err
