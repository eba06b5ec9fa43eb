"""Response targets: the first answer within ``first_response_minutes`` (country.yaml,
default 60) of a case opening; each next answer within ``next_response_hours`` (default 24)
of the person's message.

The timers are rows (bot/storage/targets.py): they survive restarts, pause while the case
waits for the person, and stop at close. A miss is recorded once (a conditional update) and
counted, met or missed, per country and month in the anonymous counters the reports read
(``target_first`` / ``target_next``, key ``CC:YYYY-MM:met|missed``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bot.engine import FlowSet
from bot.storage import records
from bot.storage import targets as rows
from bot.storage.cases import Case
from bot.storage.db import Tx

FIRST_DEFAULT_MIN, NEXT_DEFAULT_H = 60, 24


def windows(flows: FlowSet | None, country: str | None) -> tuple[float, float]:
    """(first, next) windows in seconds for the country (defaults when it has none)."""
    found = flows.countries.get(country or "") if flows is not None else None
    first = getattr(found, "first_response_minutes", FIRST_DEFAULT_MIN)
    later = getattr(found, "next_response_hours", NEXT_DEFAULT_H)
    return first * 60.0, later * 3600.0


def month_of(case: Case) -> str:
    return datetime.fromtimestamp(case.created_at, UTC).strftime("%Y-%m")


async def _count(tx: Tx, kind: str, case: Case, outcome: str, country: str = "",
                 month: str = "") -> None:
    key = f"{country or case.country or '-'}:{month or month_of(case)}:{outcome}"
    await records.bump(tx, f"target_{kind}", key)


async def opened(tx: Tx, case: Case, flows: FlowSet | None) -> None:
    """Both timers of a new case: ``first`` runs now, ``next`` waits for the first answer."""
    first, later = windows(flows, case.country)
    country, month = case.country or "", month_of(case)
    await rows.start(tx, case.id, "first", first, case.created_at, country, month)
    await rows.start(tx, case.id, "next", later, None, country, month)


async def person_wrote(tx: Tx, case: Case, now: float | None = None) -> None:
    """The person wrote: the ``next`` clock runs (once the first answer was given)."""
    first = await rows.get(tx, case.id, "first")
    if first is not None and first["status"] in ("running", "paused"):
        return  # the first answer's clock is already the one that runs
    await rows.resume(tx, case.id, "next", time.time() if now is None else now)


async def team_answered(tx: Tx, case: Case) -> None:
    """The claimer answered the person: the running clock is met; ``next`` pauses."""
    if await rows.settle(tx, case.id, "first", "met") == "running":
        await _count(tx, "first", case, "met")
    if await rows.settle(tx, case.id, "next", "paused") == "running":
        await _count(tx, "next", case, "met")


async def closed(tx: Tx, case_id: int) -> None:
    await rows.stop(tx, case_id)


async def miss(tx: Tx, timer: dict, case: Case) -> bool:
    """A due timer: missed (counted once); False when someone else got there first."""
    if not await rows.miss(tx, timer["case_id"], timer["kind"]):
        return False
    await _count(tx, timer["kind"], case, "missed", timer["country"], timer["month"])
    return True
