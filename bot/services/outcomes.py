"""Recording what came of a procedure, anonymously: from a follow-up or a closed case.

Why here and not in the callers: both paths must write the same anonymous row (no user id,
no case id, no free text) with blockers checked against the country's list, so reports can
count them side by side.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.engine import FlowSet
from bot.engine.outcomes import Blocker
from bot.services import mediation
from bot.storage import outcome_reports
from bot.storage.cases import Case
from bot.storage.db import Tx

FOLLOWUP_RESULTS = ("got_it", "not_yet", "refused")
CASE_RESULTS = ("resolved", "partly", "not_resolved", "referred")
MAX_BLOCKERS = 24  # buttons carry the chosen set as a bit mask


def blockers_for(flows: FlowSet, country: str | None) -> tuple[Blocker, ...]:
    """The country's blockers, in the order of its country.yaml."""
    found = flows.countries.get(country or "")
    return found.outcomes.blockers[:MAX_BLOCKERS] if found and found.outcomes else ()


def blocker_ids(flows: FlowSet, country: str | None, mask: int) -> list[str]:
    """The ids a bit mask selects (bit i: the i-th blocker); unknown bits are ignored."""
    return [b.id for i, b in enumerate(blockers_for(flows, country)) if mask >> i & 1]


def utc_day(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).date().isoformat()


async def record(tx: Tx, *, now: float, source: str, result: str, country: str | None,
                 flow_id: str | None, office_id: str | None, lang: str | None,
                 blockers: list[str]) -> None:
    allowed = FOLLOWUP_RESULTS if source == "followup" else CASE_RESULTS
    if result not in allowed:
        raise ValueError(f"unknown {source} result {result!r}")
    await outcome_reports.add(tx, day=utc_day(now), country=country, flow_id=flow_id,
                              office_id=office_id, lang=lang, source=source, result=result,
                              blockers=blockers)


async def close_case(tx: Tx, case: Case, actor_id: int, *, result: str, mask: int,
                     flows: FlowSet, now: float) -> bool:
    """A volunteer closes their case with an outcome and blockers (buttons).

    Only the volunteer holding the case, once: a second press on an old keyboard does
    nothing. The free-text outcome typed after /close, if any, stays on the case row (it
    may name the person; /forget handles it there), never in the anonymous record.
    """
    if case.status != "taken" or case.volunteer_id != actor_id or result not in CASE_RESULTS:
        return False
    await mediation.close(tx, case, actor_id, case.outcome or result)
    await record(tx, now=now, source="case", result=result, country=case.country,
                 flow_id=case.flow_id, office_id=None, lang=case.lang,
                 blockers=blocker_ids(flows, case.country, mask))
    return True
