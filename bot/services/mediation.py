"""The rules of volunteer mediation: opening, routing, taking, handing over and closing cases.

Telegram-free: callers render the results. Every action is audited in the same transaction.
Routing goes in tiers: available volunteers with the person's country and language, then any
volunteer for the country, then the admins; timers re-notify an unclaimed case.

Fan-out is bounded: a case is offered to at most ``per_wave`` volunteers at once (setting
NOTIFY_PER_WAVE), those notified least recently first, so the roster shares the load and
nobody gets every case; each re-notify wave offers it to more volunteers who have not seen it
(``per_wave`` × the wave's number), from the widened tier. Why: offering every case to the
~30 matching volunteers at once floods their chats, wastes the flood budget, and teaches
them to ignore notifications.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.engine import FlowSet
from bot.i18n import format_answer
from bot.services import targets
from bot.storage import cases, records, volunteers
from bot.storage.cases import Case
from bot.storage.db import Reader, Tx
from bot.storage.volunteers import Volunteer

RENOTIFY, TO_ADMINS = "renotify", "admins"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opened:
    case: Case
    created: bool


def step_label(step: Any, lang: str) -> str | None:
    """How volunteers see a step: its label, else its text (shortened); never its id, which
    means nothing to them. An escalation's text is the case's reason, shown on its own."""
    if step is None:
        return None
    if step.label is not None:
        return step.label.get(lang)
    if step.kind == "escalate" or step.text is None:
        return None
    text = " ".join(step.text.get(lang).split())
    return text if len(text) <= 80 else text[:79] + "…"


def case_context(flows: FlowSet, session: dict[str, Any] | None,
                 step_id: str | None = None) -> dict[str, Any]:
    """What a volunteer needs to help: the procedure, the step, answers and documents.

    ``step_id``: the step the case comes from when it is not the session's current one (an
    escalation step has already moved the session on to its ``next``).
    """
    if not session:
        return {}
    flow = flows.flows.get(session.get("flow", ""))
    lang = session.get("lang", "en")
    step_id = step_id or session.get("step")
    context: dict[str, Any] = {"flow": session.get("flow"), "step": step_id,
                               "status": session.get("status")}
    if flow is None:
        return context
    context["title"] = flow.title.get(lang)
    step = flow.steps.get(step_id or "")
    label = step_label(step, lang)
    if label is not None:
        context["step_label"] = label
    # Only a question says where the person stopped; an escalation's text is the case's reason.
    if step is not None and step.is_question and step.text is not None:
        context["question"] = step.text.get(lang)[:500]
    answers = []
    for name, value in session.get("answers", {}).items():
        source = flow.answer_steps.get(name)
        if source is None or source.kind == "checklist":
            continue
        label = source.label.get(lang) if source.label else name
        if source.kind == "choose":
            shown = next((o.label.get(lang) for o in source.options if o.value == value),
                         str(value))
        else:
            shown = format_answer(value, source.input or "text", lang)
        answers.append([label, shown])
    context["answers"] = answers
    have, missing = [], []
    for key, ticked in session.get("ticked", {}).items():
        flow_id, _, step_id = key.partition("/")
        checklist = flows.flows.get(flow_id)
        checklist_step = checklist.steps.get(step_id) if checklist else None
        for item in checklist_step.items if checklist_step else ():
            if item.condition is not None and not item.condition.is_true(
                    session.get("answers", {}), date.today()):
                continue  # an item that does not concern this person (`if:` false)
            (have if item.id in ticked else missing).append(item.label.get(lang))
    context["have"], context["missing"] = have, missing
    return context


async def open_case(tx: Tx, *, person_id: int, person_name: str | None, lang: str,
                    country: str | None, flows: FlowSet, session: dict[str, Any] | None,
                    reason: str | None, renotify_s: float, admins_s: float,
                    step_id: str | None = None) -> Opened:
    """Open a case, or return the person's active one (a person has one case at a time).

    ``step_id`` names the step the case comes from (default: the session's current step).
    """
    existing = await cases.active_for_person(tx, person_id)
    if existing is not None:
        return Opened(existing, False)
    flow_id = session.get("flow") if session else None
    step_id = step_id or (session.get("step") if session else None)
    case_id = await cases.create(
        tx, person_id=person_id, person_name=person_name, country=country, lang=lang,
        flow_id=flow_id, step_id=step_id, reason=reason,
        context=case_context(flows, session, step_id))
    await records.audit(tx, case_id, person_id, "opened", f"flow={flow_id}")
    await records.bump(tx, "cases_opened", country or "")
    now = time.time()
    await records.add_timer(tx, RENOTIFY, case_id, now + renotify_s)
    await records.add_timer(tx, TO_ADMINS, case_id, now + renotify_s + admins_s)
    case = await cases.get(tx, case_id)
    assert case is not None
    await targets.opened(tx, case, flows)
    tx.after_commit(lambda: log.info("case %s opened (country %s, procedure %s)", case_id,
                                     country or "-", flow_id or "-"))
    return Opened(case, True)


@dataclass(frozen=True)
class Wave:
    chosen: list[int]
    more: bool  # matching volunteers were left out: a later wave may reach them


def choose_wave(pool: list[Volunteer], already: Collection[int], size: int) -> Wave:
    """Up to ``size`` of ``pool`` (everyone when ``size`` is 0): first those who have not
    seen the case, least recently notified first; then, as a reminder, those who have."""
    def order(volunteer: Volunteer) -> tuple[float, int]:
        at = volunteer.notified_at
        return (float("-inf") if at is None else at, volunteer.user_id)

    fresh = sorted((v for v in pool if v.user_id not in already), key=order)
    if size <= 0:
        return Wave([v.user_id for v in pool], False)
    chosen = fresh[:size]
    if len(chosen) < size:
        seen = sorted((v for v in pool if v.user_id in already), key=order)
        chosen += seen[:size - len(chosen)]
    return Wave([v.user_id for v in chosen], len(fresh) > size)


async def recipients(db: Reader, case: Case, stage: int, admin_ids: frozenset[int],
                     exclude: frozenset[int] = frozenset(), *, per_wave: int = 0,
                     wave: int = 0, already: Collection[int] = ()) -> Wave:
    """Who to notify at a routing stage (0: at open, 1: re-notify, 2: admins).

    ``exclude``: people who must not be asked (the volunteer who just released the case).
    ``per_wave``, ``wave``, ``already``: the cap, how many waves came before, and who has
    been notified of the case: the wave offers it to ``per_wave × (wave + 1)`` volunteers.
    Admins (the last tier) are never capped.
    """
    roster = [v for v in await volunteers.for_country(db, case.country)
              if v.user_id != case.person_id and v.user_id not in exclude]
    best = [v for v in roster if v.available and v.covers(case.country, case.lang)]
    country = [v for v in roster if v.covers(case.country)]
    if stage == 0:
        pool = best or country
    elif stage == 1:
        pool = list({v.user_id: v for v in [*best, *country]}.values())
    else:
        pool = []
    if stage < 2 and pool:
        return choose_wave(pool, already, per_wave * (wave + 1))
    admins = [user_id for user_id in sorted(admin_ids)
              if user_id != case.person_id and user_id not in exclude]
    return Wave(admins, False)


async def take(tx: Tx, case_id: int, volunteer_id: int) -> bool:
    """The first press wins: a conditional update, serialised by the single writer.

    Only ``open`` cases can be taken, so a press on a closed, taken or anonymised case loses.
    """
    if not await cases.take(tx, case_id, volunteer_id):
        return False
    await records.cancel_timers(tx, case_id)
    await volunteers.set_current_case(tx, volunteer_id, case_id)
    await records.audit(tx, case_id, volunteer_id, "taken")
    return True


async def release(tx: Tx, case: Case, actor_id: int, renotify_s: float,
                  admins_s: float) -> None:
    await cases.release(tx, case.id)
    await volunteers.set_current_case(tx, actor_id, None)
    await records.audit(tx, case.id, actor_id, "released")
    now = time.time()
    await records.add_timer(tx, RENOTIFY, case.id, now + renotify_s)
    await records.add_timer(tx, TO_ADMINS, case.id, now + renotify_s + admins_s)


async def transfer(tx: Tx, case: Case, actor_id: int, target: Volunteer) -> None:
    await cases.transfer(tx, case.id, target.user_id)
    await volunteers.set_current_case(tx, actor_id, None)
    await volunteers.set_current_case(tx, target.user_id, case.id)
    await records.audit(tx, case.id, actor_id, "transferred", f"to={target.user_id}")


async def close(tx: Tx, case: Case, actor_id: int, outcome: str) -> None:
    await cases.close(tx, case.id, outcome)
    await records.cancel_timers(tx, case.id)
    await targets.closed(tx, case.id)
    await volunteers.set_current_case(tx, actor_id, None)
    await records.audit(tx, case.id, actor_id, "closed")
    await records.bump(tx, "cases_closed", case.country or "")
    tx.after_commit(lambda: log.info("case %s closed", case.id))  # no name, no outcome text


async def person_message(tx: Tx, case: Case, kind: str, content: str | None,
                         chat_id: int | None, message_id: int | None) -> None:
    """The person wrote in their case: kept with it, and the team's clock runs."""
    await cases.add_message(tx, case.id, "in", case.person_id, kind, content, chat_id,
                            message_id)
    await targets.person_wrote(tx, case)


async def volunteer_message(tx: Tx, case: Case, kind: str, content: str | None,
                            chat_id: int | None, message_id: int | None) -> None:
    """The case's volunteer answered the person (in any channel): kept, target met."""
    await cases.add_message(tx, case.id, "out", case.volunteer_id, kind, content, chat_id,
                            message_id)
    await targets.team_answered(tx, case)


async def note(tx: Tx, case: Case, actor_id: int, text: str) -> None:
    await cases.add_message(tx, case.id, "note", actor_id, "text", text)
    await records.audit(tx, case.id, actor_id, "note")


async def person_back(tx: Tx, case: Case) -> Case:
    """A person who had blocked the bot wrote again: their case is reachable again."""
    await cases.set_person_blocked(tx, case.id, False)
    await records.audit(tx, case.id, case.person_id, "person_back")
    fresh = await cases.get(tx, case.id)
    assert fresh is not None
    return fresh


async def rate(tx: Tx, case: Case, person_id: int, rating: int) -> bool:
    """Only the case's own person, once the case is closed, once (counters must not inflate)."""
    if (case.person_id != person_id or case.status != "closed" or case.rating is not None
            or not 1 <= rating <= 5):
        await records.audit(tx, case.id, person_id, "refused_rating", str(rating))
        return False
    await cases.rate(tx, case.id, rating)
    await records.audit(tx, case.id, person_id, "rated", str(rating))
    await records.bump(tx, "ratings", str(rating))
    return True
