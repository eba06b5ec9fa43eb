"""Storage: the only place with SQL (SQLite through aiosqlite).

Open the database with ``await Database.open(path)``; write inside
``async with db.transaction() as tx``; the repositories (``users``, ``sessions``, ``inbox``,
``outbox``, ``kv``) are plain async functions taking a ``Tx`` to write or any ``Reader`` (a
``Tx`` or the ``Database``) to read.
"""

from bot.storage.db import Database, Reader, Tx

__all__ = ["Database", "Reader", "Tx"]
