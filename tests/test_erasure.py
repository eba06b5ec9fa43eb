"""/forget's storage helpers that need no Telegram: where the search for mentions starts."""

from __future__ import annotations

from pathlib import Path

from bot.storage import erasure
from bot.storage.db import Database


async def test_first_since_finds_the_first_row_of_a_time_by_bisection(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        assert await erasure.first_since(db, "inbox", 50.0) == 0  # empty: search everything
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, '{}', ?)",
                [(1000 + 3 * n, float(n)) for n in range(100)])  # gaps in the ids
        # The key returned may fall in a gap: what counts is the first row at or after it.
        for when in (50.0, 49.5):
            since = await erasure.first_since(db, "inbox", when)
            first = await db.fetchone("SELECT MIN(update_id) FROM inbox WHERE update_id >= ?",
                                      (since,))
            assert first[0] == 1150  # received at 50.0; the one before at 49.0
        assert await erasure.first_since(db, "inbox", -1.0) == 0  # all of it is that recent
        assert await erasure.first_since(db, "inbox", 1e9) == 1000 + 3 * 99 + 1  # none
    finally:
        await db.close()
