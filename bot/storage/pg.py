"""The PostgreSQL database: the same API as the SQLite :class:`~bot.storage.db.Database`.

Why the same API: services and the Telegram adapter write ``async with db.transaction() as
tx`` and call repositories with plain SQL; whether that SQL runs on SQLite or on a server
shared by several processes must not show anywhere else. psycopg 3 (async) with a
psycopg_pool connection pool; every statement goes through :func:`~bot.storage.dialect.
to_postgres` (cached). Unlike SQLite, transactions run side by side (one pooled connection
each): row locks, conditional updates and ``SKIP LOCKED`` claims keep them apart.

Wake-ups across processes: ``tx.signal``/``tx.post`` also send ``NOTIFY passerelle`` in the
transaction (delivered at commit), and each process LISTENs on one connection and sets its
own event for the name, so a worker in another process looks at the table (a full scan, as
for a plain signal). Workers also poll: a lost notification costs a poll interval, no work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import sql as pgsql
from psycopg.adapt import Dumper, Loader
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.storage import db as sqlite_db
from bot.storage.dialect import COMPAT_SQL, identity_tables, to_postgres
from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)

Params = sqlite_db.Params
CHANNEL = "passerelle"
_MIGRATION_LOCK = 0x7061737365  # pg_advisory_xact_lock key ("passe"): one migrator at a time


class Row(tuple):  # type: ignore[type-arg]
    """A result row read by position or by (case-insensitive) column name, like sqlite3.Row."""

    _names: dict[str, int]
    _keys: list[str]

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key.lower()])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._keys)


def _row_factory(cursor: Any) -> Any:
    desc = cursor.description
    if desc is None:
        return tuple
    return _maker(tuple(d.name for d in desc))


@lru_cache(maxsize=1024)
def _maker(keys: tuple[str, ...]) -> Any:
    """One row builder per distinct column list (queries repeat: built once each)."""
    names = {k.lower(): i for i, k in reversed(list(enumerate(keys)))}
    key_list = list(keys)

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row._names = names
        row._keys = key_list
        return row
    return make


class _BoolAsInt(Dumper):
    """Python booleans go to INTEGER columns as 1/0, as SQLite stores them."""

    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


class _NumericLoader(Loader):
    """numeric (SUM, AVG of integers) as int when whole, else float: what SQLite returns."""

    def load(self, data: Any) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() and "." not in str(
            bytes(data).decode()) else float(value)


def _configure_adapters(conn: psycopg.AsyncConnection[Any]) -> None:
    conn.adapters.register_dumper(bool, _BoolAsInt)
    conn.adapters.register_loader("numeric", _NumericLoader)
    conn.row_factory = _row_factory


class Cursor:
    """What ``Tx.execute`` returns: rows already read, ``rowcount`` and ``lastrowid``."""

    def __init__(self, rows: list[Any], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[Any]:
        async def rows() -> AsyncIterator[Any]:
            while self._rows:
                yield self._rows.pop(0)
        return rows()


class PgTx(sqlite_db.Tx):
    """One open transaction on one pooled connection."""

    def __init__(self, db: PgDatabase, conn: psycopg.AsyncConnection[Any]) -> None:
        super().__init__(db, conn)  # type: ignore[arg-type]
        self._pg = conn
        self._notify: set[str] = set()

    async def execute(self, sql: str, params: Params = ()) -> Cursor:  # type: ignore[override]
        self._check()
        return await self.db._run(self._pg, sql, params)  # type: ignore[attr-defined]

    async def executemany(self, sql: str, rows: Iterable[Params]) -> Cursor:  # type: ignore[override]
        self._check()
        text, _ = self.db._translate(sql, returns=False)  # type: ignore[attr-defined]
        async with self._pg.cursor() as cur:
            try:
                await cur.executemany(text, [_params(p) for p in rows])
            except (psycopg.ProgrammingError, psycopg.DataError) as exc:
                log.error("PostgreSQL refused a statement (%s): %s", _one_line(exc), text[:500])
                raise
            return Cursor([], cur.rowcount, None)

    async def changes(self, sql: str, params: Params = ()) -> int:
        return (await self.execute(sql, params)).rowcount

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        self._check()
        return (await self.db._run(self._pg, sql, params))._rows  # type: ignore[attr-defined]

    def signal(self, name: str) -> None:
        self._notify.add(name)
        super().signal(name)

    def post(self, name: str, items: Iterable[Any]) -> None:
        self._notify.add(name)
        super().post(name, items)


def _params(params: Params) -> Any:
    if isinstance(params, dict):
        raise TypeError("named parameters are not portable: use ? placeholders")
    return tuple(params)


class PgDatabase(sqlite_db.Database):
    """An open PostgreSQL database; create with ``await Database.open(url)``."""

    postgres = True

    def __init__(self, url: str, pool: AsyncConnectionPool[Any],
                 identity: frozenset[str]) -> None:
        self.path = redact(url)  # type: ignore[assignment]  # named in health answers
        self.url = url
        self._pool = pool
        self._identity = identity
        self._signals: dict[str, asyncio.Event] = {}
        self._mailboxes: dict[str, list[Any] | None] = {}
        self.instance = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._listener: asyncio.Task[None] | None = None

    @classmethod
    async def open_url(cls, url: str,
                       migrations: Sequence[tuple[int, str]] = MIGRATIONS, *,
                       pool_size: int = 10) -> PgDatabase:
        """Connect, bring the schema up to date (under the migration lock) and listen."""
        from bot.storage.pg_migrations import migrate_pg

        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            url, min_size=1, max_size=pool_size,
            kwargs={"autocommit": True}, configure=_configure_async, open=False, timeout=30,
            name="passerelle")
        try:
            await pool.open(wait=True, timeout=15)
            async with pool.connection() as conn:
                await migrate_pg(conn, migrations, COMPAT_SQL)
        except (psycopg.Error, OSError, TimeoutError, ValueError, RuntimeError) as exc:
            await pool.close()
            reason = await _why_not(url) if isinstance(exc, PoolTimeout) else _one_line(exc)
            raise sqlite_db.DatabaseUnavailable(
                f"cannot use the PostgreSQL database {redact(url)}: {reason}") from None
        except BaseException:
            await pool.close()
            raise
        database = cls(url, pool, identity_tables([s for _, s in migrations]))
        database._listener = asyncio.create_task(database._listen(), name="pg-listen")
        return database

    def _translate(self, sql: str, returns: bool = True) -> tuple[str, bool]:
        return to_postgres(sql, identity=self._identity if returns else frozenset())

    async def _run(self, conn: psycopg.AsyncConnection[Any], sql: str,
                   params: Params) -> Cursor:
        text, returns_id = self._translate(sql)
        async with conn.cursor() as cur:
            try:
                await cur.execute(text, _params(params))
            except (psycopg.ProgrammingError, psycopg.DataError) as exc:
                # A statement PostgreSQL cannot run is a bug to fix: name it (the SQL text
                # holds no personal data; the parameters, not logged, may).
                log.error("PostgreSQL refused a statement (%s): %s", _one_line(exc), text[:500])
                raise
            rows = await cur.fetchall() if cur.description is not None else []
            lastrowid = int(rows[-1][0]) if returns_id and rows else None
            rowcount = cur.rowcount
        return Cursor([] if returns_id else list(rows), rowcount, lastrowid)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[sqlite_db.Tx]:
        """``BEGIN`` … ``COMMIT`` on a pooled connection; ``ROLLBACK`` if the block raises."""
        outer = sqlite_db._active_tx.get()
        if outer is not None and outer.db is self and not outer.closed:
            raise RuntimeError("nested transaction: use the Tx you already have")
        async with self._pool.connection() as conn:
            tx = PgTx(self, conn)
            token = sqlite_db._active_tx.set(tx)
            try:
                async with conn.transaction():
                    yield tx
                    if tx._notify:
                        await conn.execute("SELECT pg_notify(%s, %s)",
                                           (CHANNEL, f"{self.instance} "
                                            + " ".join(sorted(tx._notify))))
            finally:
                tx.closed = True
                sqlite_db._active_tx.reset(token)
        await sqlite_db.run_after_commit(tx)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        """Read committed data (one statement, autocommit)."""
        async with self._pool.connection() as conn:
            return (await self._run(conn, sql, params))._rows

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A pooled connection (autocommit) for what the portable API cannot say
        (advisory locks held for a session, COPY)."""
        async with self._pool.connection() as conn:
            yield conn

    async def _listen(self) -> None:
        """Set this process's events for names other processes signalled (see module doc)."""
        delay = 1.0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                        self.url, autocommit=True) as conn:
                    await conn.execute(pgsql.SQL("LISTEN {}").format(pgsql.Identifier(CHANNEL)))
                    delay = 1.0
                    for name in list(self._signals):  # missed while disconnected: look
                        self._posted(name, None)
                    async for note in conn.notifies():
                        sender, _, names = note.payload.partition(" ")
                        if sender == self.instance:
                            continue
                        for name in names.split():
                            self._posted(name, None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("PostgreSQL notifications interrupted (%s); retry in %.0f s",
                            _one_line(exc), delay)
                await asyncio.sleep(delay)
                delay = min(30.0, delay * 2)

    async def check_writable(self) -> None:
        """Commit a tiny real write (health checks): a server that refuses writes (read-only
        replica, full disk) still answers reads."""
        async with self.transaction() as tx:
            await tx.execute("UPDATE schema_version SET version = version WHERE id = 1")

    async def schema_version(self) -> int:
        """The number of the last migration applied (the ``schema_version`` table)."""
        row = await self.fetchone("SELECT version FROM schema_version WHERE id = 1")
        return int(row[0]) if row else 0

    def transient(self, exc: BaseException) -> bool:
        """Connection trouble, a pool timeout, a deadlock or serialization failure: retry."""
        from psycopg_pool import PoolTimeout

        return isinstance(exc, (psycopg.OperationalError, PoolTimeout,
                                psycopg.errors.TransactionRollback))

    async def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL's own checkpoints and VACUUM reclaim erased rows."""

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        await self._pool.close()


async def _why_not(url: str) -> str:
    """The server's own reason a connection fails (the pool only says it timed out)."""
    try:
        conn = await psycopg.AsyncConnection.connect(url, connect_timeout=5)
    except Exception as exc:
        return _one_line(exc)
    await conn.close()
    return "no connection within 15 s"


async def _configure_async(conn: psycopg.AsyncConnection[Any]) -> None:
    _configure_adapters(conn)


def redact(url: str) -> str:
    """The URL without its password (for log lines and errors)."""
    return _PASSWORD.sub(r"\1***@", url)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")
