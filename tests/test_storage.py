"""The database layer: schema, transactions, and the small repositories."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.storage import Database, kv, sessions, users
from bot.storage.db import DatabaseUnavailable
from bot.storage.migrations import MIGRATIONS
from bot.storage.users import User


@pytest.mark.sqlite_only
async def test_open_creates_the_file_and_sets_pragmas(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "deep" / "dir" / "db.sqlite3")
    try:
        assert (tmp_path / "deep" / "dir" / "db.sqlite3").exists()
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        async with db.transaction() as tx:
            assert (await tx.fetchone("PRAGMA foreign_keys"))[0] == 1
            assert (await tx.fetchone("PRAGMA synchronous"))[0] == 1  # NORMAL
            assert (await tx.fetchone("PRAGMA busy_timeout"))[0] == 5000
        assert (await db.fetchone("PRAGMA user_version"))[0] == MIGRATIONS[-1][0]
    finally:
        await db.close()


@pytest.mark.sqlite_only
async def test_secure_delete_is_on_even_where_sqlite_is_built_without_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Debian builds SQLite with SECURE_DELETE on by default; others (e.g. the python.org
    macOS build) do not: erased text would stay in free pages. Simulate such a build."""
    import aiosqlite

    connect = aiosqlite.connect

    async def insecure_build(*args, **kwargs):
        conn = await connect(*args, **kwargs)
        await conn.execute("PRAGMA secure_delete=OFF")
        return conn

    monkeypatch.setattr(aiosqlite, "connect", insecure_build)
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        assert (await db.fetchone("PRAGMA secure_delete"))[0] == 1  # the reader
        async with db.transaction() as tx:
            assert (await tx.fetchone("PRAGMA secure_delete"))[0] == 1  # the writer
    finally:
        await db.close()


async def test_migrations_are_idempotent_on_reopen(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    async with db.transaction() as tx:
        await users.save(tx, User(1, "fr", "SN"))
    await db.close()
    db = await Database.open(path)
    try:
        assert await users.get(db, 1) == User(1, "fr", "SN")
        assert await db.schema_version() == MIGRATIONS[-1][0]
    finally:
        await db.close()


async def test_a_new_migration_is_applied_once_and_a_broken_one_not_at_all(tmp_path: Path):
    path = tmp_path / "db.sqlite3"
    await (await Database.open(path)).close()
    extra = [*MIGRATIONS, (MIGRATIONS[-1][0] + 1, "CREATE TABLE notes (id INTEGER PRIMARY KEY);")]
    for _ in range(2):
        db = await Database.open(path, extra)
        assert await db.schema_version() == extra[-1][0]
        await db.close()
    broken = [*extra, (extra[-1][0] + 1, "CREATE TABLE half (id INTEGER); SELECT nonsense(;")]
    with pytest.raises(DatabaseUnavailable, match="syntax error"):
        await Database.open(path, broken)
    db = await Database.open(path, extra)
    try:
        assert await db.schema_version() == extra[-1][0]
        with pytest.raises(Exception, match="half"):
            await db.fetchone("SELECT 1 FROM half")
    finally:
        await db.close()


async def test_rollback_on_exception_and_after_commit_only_on_commit(db: Database) -> None:
    called: list[str] = []
    with pytest.raises(ValueError):
        async with db.transaction() as tx:
            await kv.put(tx, "k", "lost")
            tx.after_commit(lambda: called.append("rolled back"))
            raise ValueError("boom")
    assert await kv.get(db, "k") is None

    async def woken() -> None:
        called.append("async")

    async with db.transaction() as tx:
        await kv.put(tx, "k", "kept")
        tx.after_commit(lambda: called.append("sync"))
        tx.after_commit(woken)
    assert await kv.get(db, "k") == "kept"
    assert called == ["sync", "async"]
    with pytest.raises(RuntimeError):
        await tx.execute("SELECT 1")  # the Tx is finished


async def test_reads_outside_a_transaction_see_only_committed_data(db: Database) -> None:
    async with db.transaction() as tx:
        await kv.put(tx, "k", "v")
        assert await kv.get(tx, "k") == "v"
        assert await kv.get(db, "k") is None
    assert await kv.get(db, "k") == "v"


@pytest.mark.sqlite_only  # PostgreSQL runs transactions side by side (row locks, by design)
async def test_transactions_do_not_interleave(db: Database) -> None:
    async def increment() -> None:
        async with db.transaction() as tx:
            value = int(await kv.get(tx, "n") or 0)
            await asyncio.sleep(0)  # let the other writer try to run
            await kv.put(tx, "n", str(value + 1))

    await asyncio.gather(*(increment() for _ in range(10)))
    assert await kv.get(db, "n") == "10"


async def test_nested_transaction_is_refused_not_deadlocked(db: Database) -> None:
    async with db.transaction():
        with pytest.raises(RuntimeError, match="nested"):
            async with db.transaction():
                pass


async def test_users_save_get_delete(db: Database) -> None:
    assert await users.get(db, 5) is None
    async with db.transaction() as tx:
        await users.save(tx, User(5, "ru"))
    created = (await db.fetchone("SELECT created_at FROM users WHERE user_id = 5"))[0]
    async with db.transaction() as tx:
        await users.save(tx, User(5, "kk", "KZ"))
    assert await users.get(db, 5) == User(5, "kk", "KZ")
    row = await db.fetchone("SELECT created_at, updated_at FROM users WHERE user_id = 5")
    assert row["created_at"] == created <= row["updated_at"]
    async with db.transaction() as tx:
        await users.delete(tx, 5)
    assert await users.get(db, 5) is None


async def test_sessions_roundtrip_json(db: Database) -> None:
    data = {"flow": "kz-disability", "step": "docs", "vars": {"age": 34, "name": "Айгүл"}}
    async with db.transaction() as tx:
        await sessions.save(tx, 77, data)
    assert await sessions.get(db, 77) == data
    async with db.transaction() as tx:
        await sessions.save(tx, 77, {"step": "end"})
        await sessions.delete(tx, 78)  # absent: no error
    assert await sessions.get(db, 77) == {"step": "end"}
    async with db.transaction() as tx:
        await sessions.delete(tx, 77)
    assert await sessions.get(db, 77) is None


async def test_kv_put_overwrites_and_delete(db: Database) -> None:
    async with db.transaction() as tx:
        await kv.put(tx, "a", "1")
        await kv.put(tx, "a", "2")
    assert await kv.get(db, "a") == "2"
    async with db.transaction() as tx:
        await kv.delete(tx, "a")
    assert await kv.get(db, "a") is None
