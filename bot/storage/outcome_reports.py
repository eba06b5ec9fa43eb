"""Anonymous outcome records: what came of a procedure, with no user id, case id or free text.

Why a table of its own: reports count these across people; nothing in a row can name
someone, so /forget has nothing to erase here (see the table's definition in migrations.py).
"""

from __future__ import annotations

import json
from typing import Any

from bot.storage.db import Reader, Tx


async def add(tx: Tx, *, day: str, country: str | None, flow_id: str | None,
              office_id: str | None, lang: str | None, source: str, result: str,
              blockers: list[str]) -> None:
    await tx.execute(
        "INSERT INTO outcome_reports (day, country, flow_id, office_id, lang, source, result,"
        " blockers) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (day, country, flow_id, office_id, lang, source, result,
         json.dumps(blockers, ensure_ascii=False)))


async def all_reports(db: Reader) -> list[Any]:
    return await db.fetchall("SELECT * FROM outcome_reports ORDER BY id")
