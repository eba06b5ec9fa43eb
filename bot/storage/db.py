"""The SQLite database: one writer, short transactions, reads of committed data only.

Why this shape: SQLite allows a single writer at a time, so every write goes through one
connection guarded by an :class:`asyncio.Lock` and wrapped in ``BEGIN IMMEDIATE`` (which takes
the write lock up front instead of failing half-way with ``SQLITE_BUSY``). Reads made outside a
transaction go through a second, read-only connection: in WAL mode it sees only *committed*
data, so the outbox sender can never deliver a row written by a turn that is later rolled back.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

from bot.private_files import create_private
from bot.storage.dialect import is_postgres_url
from bot.storage.migrations import MIGRATIONS, migrate

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
AfterCommit = Callable[[], object | Awaitable[object]]

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    # Erased text is overwritten with zeros, not left in free pages for a file copy to read.
    "PRAGMA secure_delete=ON",
)

_MAILBOX_CAP = 10_000  # items kept per mailbox for a worker that does not take them

# The transaction the current task is inside, to refuse a nested one instead of deadlocking.
_active_tx: contextvars.ContextVar[Tx | None] = contextvars.ContextVar(
    "passerelle_active_tx", default=None
)


class Reader(Protocol):
    """Anything that can run a query: a :class:`Database` (committed data) or a :class:`Tx`."""

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]: ...


class Tx:
    """One open write transaction; only valid inside ``async with db.transaction()``."""

    def __init__(self, db: Database, conn: aiosqlite.Connection) -> None:
        self.db = db
        self._conn = conn
        self._after_commit: list[AfterCommit] = []
        self.closed = False

    def _check(self) -> None:
        if self.closed:
            raise RuntimeError("transaction already finished")

    async def execute(self, sql: str, params: Params = ()) -> aiosqlite.Cursor:
        self._check()
        return await self._conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> aiosqlite.Cursor:
        self._check()
        return await self._conn.executemany(sql, rows)

    async def changes(self, sql: str, params: Params = ()) -> int:
        """Run a write and return how many rows it changed (conditional updates rely on it)."""
        cursor = await self.execute(sql, params)
        try:
            return cursor.rowcount
        finally:
            await cursor.close()

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """The first row (the query should select one: the others are read and dropped)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        # One trip to aiosqlite's thread instead of three (execute, fetch, close): every
        # trip costs a thread hand-off and an event-loop wake-up while the writer is held.
        self._check()
        return list(await self._conn.execute_fetchall(sql, params))

    def after_commit(self, callback: AfterCommit) -> None:
        """Run ``callback`` once the transaction has committed (never after a rollback).

        Used to wake workers (sender, dispatcher) only when their rows are really there.
        """
        self._check()
        self._after_commit.append(callback)

    def signal(self, name: str) -> None:
        """Set the database's ``name`` event after commit (see :meth:`Database.signal`).

        The worker cannot tell what changed, so it will look at everything (:meth:`Database.
        take` returns None); :meth:`post` says what changed instead.
        """
        self.after_commit(lambda: self.db._posted(name, None))

    def post(self, name: str, items: Iterable[Any]) -> None:
        """After commit, tell the ``name`` worker what is new (and set its event).

        Why: woken after every commit, a worker that takes exactly what was posted (see
        :meth:`Database.take`) does not scan a whole table each time under load.
        """
        posted = list(items)
        self.after_commit(lambda: self.db._posted(name, posted))


async def run_after_commit(tx: Tx) -> None:
    """Run the callbacks a committed transaction registered (both backends); one failing
    is logged and never stops the others, since the data is committed either way."""
    for callback in tx._after_commit:
        try:
            result = callback()
            if isinstance(result, Awaitable):
                await result
        except Exception:
            log.exception("after_commit callback failed")


class DatabaseUnavailable(Exception):
    """The database cannot be opened, written or migrated; the message is one line for the
    operator, naming the file. Every way of opening a database raises it (other back ends
    too), so ``python -m bot`` and every command turn it into that line and exit status 1."""


class DatabaseMissing(DatabaseUnavailable):
    """A command (not the bot) looked for a database that does not exist: it never creates
    one, or it would report on an empty database instead of saying DATABASE_PATH is wrong."""


_HINT = "check the permissions of the file and its folder, and the free disk space"


class Database:
    """An open SQLite database; create with ``await Database.open(path)``.

    ``Database.open("postgresql://…")`` opens PostgreSQL instead (:mod:`bot.storage.pg`),
    with the same API; ``db.postgres`` tells the few queries that differ which one runs.
    """

    postgres = False

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._lock = asyncio.Lock()
        # One read at a time: while a cursor is open its snapshot is shared by the connection,
        # so an interleaved read would miss a commit made meanwhile (and a worker woken by
        # that commit would go back to sleep without seeing it).
        self._read_lock = asyncio.Lock()
        self._signals: dict[str, asyncio.Event] = {}
        self._mailboxes: dict[str, list[Any] | None] = {}

    @classmethod
    async def open(
        cls, path: str | Path, migrations: Sequence[tuple[int, str]] = MIGRATIONS, *,
        create: bool = True, pool_size: int = 10,
    ) -> Database:
        """Open the database at ``path``, bring its schema up to date and prove it takes a
        write. ``create``: make it (and its folder) if missing; only the bot does that,
        commands pass False and get :class:`DatabaseMissing` instead.

        A ``postgresql://`` URL as ``path`` opens that PostgreSQL database instead, with at
        most ``pool_size`` connections.

        Raises :class:`DatabaseUnavailable` (one line: which file, what is wrong) when the
        folder cannot be created, the file cannot be opened or written (permissions, a
        read-only mount, a full disk), or the schema is newer than this code. A new file is
        made readable by its owner only (0600, whatever the umask); SQLite gives its WAL
        and shared-memory files the same mode.
        """
        if is_postgres_url(path):
            from bot.storage.pg import PgDatabase

            return await PgDatabase.open_url(str(path), migrations, pool_size=pool_size)
        path = Path(path)
        if not create and not path.is_file():
            raise DatabaseMissing(f"no database at {path.resolve()} (the bot creates it at "
                                  "its first start; check DATABASE_PATH)")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
                create_private(path)
            writer = await _connect(path)
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseUnavailable(f"cannot open the database {path.resolve()}: {exc} "
                                      f"({_HINT})") from None
        try:
            await migrate(writer, migrations)
            await _prove_writable(writer)
            reader = await _connect(path)
        except (OSError, sqlite3.Error, ValueError) as exc:
            await writer.close()
            raise DatabaseUnavailable(f"cannot write the database {path.resolve()}: {exc} "
                                      f"({_HINT})") from None
        except BaseException:
            await writer.close()
            raise
        await reader.execute("PRAGMA query_only=ON")
        return cls(path, writer, reader)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; ``ROLLBACK`` if the block raises (or is cancelled)."""
        outer = _active_tx.get()
        if outer is not None and outer.db is self and not outer.closed:
            raise RuntimeError("nested transaction: use the Tx you already have")
        async with self._lock:
            tx = Tx(self, self._writer)
            token = _active_tx.set(tx)
            try:
                try:
                    await self._writer.execute("BEGIN IMMEDIATE")
                    yield tx
                    await self._writer.execute("COMMIT")
                except BaseException:
                    await self._rollback()
                    raise
            finally:
                tx.closed = True
                _active_tx.reset(token)
        await run_after_commit(tx)

    async def _rollback(self) -> None:
        try:
            await asyncio.shield(self._writer.execute("ROLLBACK"))
        except Exception:  # e.g. no transaction active any more: nothing left to undo
            log.debug("rollback failed", exc_info=True)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Read committed data (never what an open transaction has written so far)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Read committed data (never what an open transaction has written so far)."""
        async with self._read_lock:  # one trip: execute and fetch in aiosqlite's thread
            return list(await self._reader.execute_fetchall(sql, params))

    async def schema_version(self) -> int:
        """The number of the last migration applied (``PRAGMA user_version``)."""
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    def transient(self, exc: BaseException) -> bool:
        """Whether ``exc`` is the database's passing trouble (worth a retry), not a bug.

        SQLite: never (one local file; ``busy_timeout`` already waits for the writer).
        """
        return False

    def signal(self, name: str) -> asyncio.Event:
        """A named event, set after commits that wrote work for a worker (e.g. "outbox").

        Writers call ``tx.signal(name)``; the worker waits on the event, so any code that
        enqueues work wakes the worker without knowing it.
        """
        event = self._signals.get(name)
        if event is None:
            event = self._signals[name] = asyncio.Event()
        return event

    def take(self, name: str) -> list[Any] | None:
        """What was posted for ``name`` since the last take, in commit order; None when the
        worker must look at everything (a plain ``tx.signal``, or more was posted than is
        kept while nobody took it)."""
        return self._mailboxes.pop(name, [])

    def _posted(self, name: str, items: list[Any] | None) -> None:
        box = self._mailboxes.get(name, [])
        if box is not None and items is not None and len(box) + len(items) <= _MAILBOX_CAP:
            box.extend(items)
            self._mailboxes[name] = box
        else:
            self._mailboxes[name] = None
        self.signal(name).set()

    async def check_writable(self) -> None:
        """Commit a tiny real write (health checks): a database on a full disk or a
        read-only mount still answers reads, so only a write tells the truth."""
        async with self.transaction() as tx:  # plain SQL: PostgreSQL runs it too
            await tx.execute("INSERT INTO kv (key, value) VALUES ('db.write_probe', ?)"
                             " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             (str(time.time()),))

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate the WAL to zero bytes.

        Why: after ``/forget`` the WAL still holds older versions of the pages that named the
        person (``secure_delete`` only cleans the pages themselves); truncating it leaves no
        copy behind. Waits (busy timeout) for readers to finish their snapshot.
        """
        async with self._lock:
            await self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        async with self._lock:
            await self._reader.close()
            await self._writer.close()


async def _rewrite_version(execute: Callable[..., Awaitable[Any]]) -> None:
    """Write the schema version back unchanged: a real page write, in any schema."""
    cursor = await execute("PRAGMA user_version")
    (version,) = await cursor.fetchone()
    await execute(f"PRAGMA user_version = {int(version)}")


async def _prove_writable(conn: aiosqlite.Connection) -> None:
    """One committed write, so an unwritable database fails at open, not at the first turn."""
    await conn.execute("BEGIN IMMEDIATE")
    try:
        await _rewrite_version(conn.execute)
        await conn.execute("COMMIT")
    except BaseException:
        with suppress(sqlite3.Error):
            await conn.execute("ROLLBACK")
        raise


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves; sqlite3's implicit ones would not
    # be IMMEDIATE.
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        for pragma in _PRAGMAS:
            await conn.execute(pragma)
    except BaseException:
        # aiosqlite runs each connection in a thread of its own: left open, that thread
        # keeps the process alive after the error line (a hang instead of exit status 1).
        await conn.close()
        raise
    return conn
