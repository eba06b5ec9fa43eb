"""Follow-ups and deadline reminders, per procedure run: offer, schedule, fire, stop, answer.

The rules, Telegram-free (the tg layer composes the message texts and keyboards):
- Only a procedure whose flow file has `followup:` or `reminders:` offers them, at its end;
  nothing is stored unless the person accepts (declining leaves no trace).
- Each accepted run gets its own timers in the database: they survive restarts.
- Joining late: a reminder whose deadline has passed is never scheduled (nor sent if it passes
  while waiting); one whose reminder day passed but deadline has not goes out at once.
- A follow-up never comes sooner than `MIN_DAYS_AFTER_END` days after the end (asking whether
  it worked the day after is pointless), and falls back to that when its answer is missing.
- Nothing goes out in the country's quiet hours (local time): due timers wait for the end.
- "Stop" and /forget end a run; /forget deletes it (the runs name the person).

Every message leaves through `enqueue_bulk`, the one place that decides how these lower-
priority sends are queued: the outbox's bulk lane, behind people talking to the bot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.engine import Flow, FlowSet
from bot.engine.outcomes import FlowOutcomes
from bot.services import outcomes, privacy, quiet
from bot.storage import followups, outbox
from bot.storage.db import Database, Tx
from bot.storage.followups import Run, Timer

MIN_DAYS_AFTER_END = 3
BATCH = 200  # timers fired per transaction
FOLLOWUP, REMINDER = "followup", "reminder"


@dataclass(frozen=True)
class Planned:
    """What accepting a run schedules (times are Unix seconds, already out of quiet hours)."""

    followup_at: float | None
    reminders: tuple[tuple[str, date, float], ...]  # (reminder id, deadline, send at)


@dataclass(frozen=True)
class Notice:
    """One due message, for the adapter to compose: a follow-up question or a reminder."""

    kind: str
    run_id: int
    chat_id: int
    lang: str
    flow: Flow
    reminder_id: str | None = None
    deadline: date | None = None


Compose = Callable[[Notice], dict[str, Any]]


async def enqueue_bulk(tx: Tx, messages: list[tuple[int, dict[str, Any]]]) -> None:
    """Queue follow-ups, reminders and change notes: (chat id, sendMessage params) each.

    The one function all of them go through, in the outbox's low-priority "bulk" lane: a wave
    of 100,000 drains at Telegram's limit while people talking to the bot are answered first.
    """
    await outbox.enqueue_many(tx, [
        outbox.NewRow(chat_id, "sendMessage", {**params, "chat_id": chat_id}, lane="bulk")
        for chat_id, params in messages])


def offered_flow(flows: FlowSet, session: dict[str, Any] | None) -> Flow | None:
    """The procedure whose follow-up an ended session offers: the flow it ended in, else the
    one the person started (a procedure may end inside another flow it runs)."""
    if not session or session.get("status") != "ended":
        return None
    for flow_id in (session.get("flow"), session.get("root")):
        flow = flows.flows.get(flow_id or "")
        if flow is not None and flow.outcomes is not None and flow.outcomes.offered:
            return flow
    return None


def zone(flows: FlowSet, country: str | None, default_quiet: quiet.Quiet
         ) -> tuple[str, quiet.Quiet]:
    """The country's time zone and quiet hours (its own, else the setting's)."""
    found = flows.countries.get(country or "")
    if found is None or found.outcomes is None:
        return "UTC", default_quiet
    return found.outcomes.timezone or "UTC", found.outcomes.quiet_hours or default_quiet


def plan(flow_outcomes: FlowOutcomes, answers: dict[str, Any], *, now: float, tz: str,
         quiet_hours: quiet.Quiet) -> Planned:
    """When this run's messages go out; pure, so tests drive it with any clock."""
    today = quiet.local_today(now, tz)
    followup_at = None
    if flow_outcomes.followup is not None:
        earliest = today + timedelta(days=MIN_DAYS_AFTER_END)
        day = flow_outcomes.followup.resolve(today, answers) or earliest
        followup_at = quiet.next_allowed(quiet.at_send_hour(max(day, earliest), tz), tz,
                                         quiet_hours)
    reminders = []
    for reminder in flow_outcomes.reminders:
        deadline = reminder.deadline.resolve(today, answers)
        if deadline is None or deadline < today:
            continue  # no answer to count from, or joined too late: nothing to remind of
        send_day = deadline - timedelta(days=reminder.days_before)
        send_at = max(quiet.at_send_hour(send_day, tz), now)
        reminders.append((reminder.id, deadline,
                          quiet.next_allowed(send_at, tz, quiet_hours)))
    return Planned(followup_at, tuple(reminders))


async def accept(tx: Tx, flows: FlowSet, session: dict[str, Any], *, user_id: int,
                 office_id: str | None, now: float, default_quiet: quiet.Quiet
                 ) -> tuple[int, Planned] | None:
    """The person said yes at the end of a procedure: create the run and its timers."""
    flow = offered_flow(flows, session)
    if flow is None or flow.outcomes is None:
        return None
    country = flows.countries.get(flow.country)
    if office_id is not None and (country is None or office_id not in country.offices):
        office_id = None
    tz, quiet_hours = zone(flows, flow.country, default_quiet)
    planned = plan(flow.outcomes, session.get("answers", {}), now=now, tz=tz,
                   quiet_hours=quiet_hours)
    run_id = await followups.create_run(tx, user_id=user_id, flow_id=flow.id,
                                        country=flow.country, office_id=office_id,
                                        lang=str(session.get("lang", flow.languages[0])))
    if planned.followup_at is not None:
        await followups.add_timer(tx, run_id, FOLLOWUP, planned.followup_at)
    for reminder_id, deadline, send_at in planned.reminders:
        await followups.add_timer(tx, run_id, REMINDER, send_at, ref=reminder_id,
                                  deadline=deadline.isoformat())
    return run_id, planned


async def own_run(tx: Tx, run_id: int, user_id: int) -> Run | None:
    """A run the person may act on: theirs (button data can be forged)."""
    run = await followups.get_run(tx, run_id)
    return run if run is not None and run.user_id == user_id else None


async def stop(tx: Tx, run_id: int, user_id: int) -> bool:
    """The "stop" button: no more follow-ups or reminders for this run, and the run (it names
    the person) is deleted now, not at the next prune (docs/privacy.md: "until Stop")."""
    run = await own_run(tx, run_id, user_id)
    if run is None:
        return False
    await followups.stop_run(tx, run_id, run.flow_id)
    return True


async def answer(tx: Tx, flows: FlowSet, run_id: int, user_id: int, *, result: str,
                 mask: int, now: float) -> bool:
    """The follow-up's answer: written once, anonymously; the run remembers only whether a
    blocker was reported (who hears what changed, see announcements.py)."""
    run = await own_run(tx, run_id, user_id)
    if run is None or result not in outcomes.FOLLOWUP_RESULTS:
        return False
    blockers = outcomes.blocker_ids(flows, run.country, mask)
    if not await followups.mark_answered(tx, run_id, bool(blockers)):
        return False
    await outcomes.record(tx, now=now, source="followup", result=result, country=run.country,
                          flow_id=run.flow_id, office_id=run.office_id, lang=run.lang,
                          blockers=blockers)
    return True


async def fire_due(db: Database, flows: FlowSet, compose: Compose, *, now: float,
                   default_quiet: quiet.Quiet) -> int:
    """Send every due timer that still should be; return how many messages were queued.

    In short transactions of `BATCH` timers (the writer is shared with conversations: a wave
    of thousands must not hold it for long, nor cost one transaction per message).
    """
    sent = 0
    due = await followups.due_timers(db, now)
    for start in range(0, len(due), BATCH):
        batch = due[start:start + BATCH]
        async with db.transaction() as tx:
            runs = await followups.runs_by_id(tx, {timer.run_id for timer in batch})
            finished, notices = [], {}
            for timer in batch:
                run = runs.get(timer.run_id)
                notice = _notice(flows, run, timer, now) if run is not None else None
                tz, quiet_hours = zone(flows, run.country if run else None, default_quiet)
                if notice is not None and quiet.is_quiet(now, tz, quiet_hours):
                    await followups.postpone_timer(tx, timer.id,
                                                   quiet.next_allowed(now, tz, quiet_hours))
                    continue
                finished.append(timer.id)
                if notice is not None:
                    notices[timer.id] = notice
            claimed = await followups.finish_timers(tx, finished)  # not already fired
            messages = [(notice.chat_id, compose(notice))
                        for timer_id, notice in notices.items() if timer_id in claimed]
            await enqueue_bulk(tx, messages)
            sent += len(messages)
    return sent


async def prune(db: Database) -> int:
    """Data minimisation: forget runs that can no longer lead to any message."""
    async with db.transaction() as tx:
        return await followups.prune_finished(tx)


def _notice(flows: FlowSet, run: Run, timer: Timer, now: float) -> Notice | None:
    """What a due timer should send, or None when it should not any more."""
    flow = flows.flows.get(run.flow_id)
    if flow is None or run.status == "stopped":
        return None
    if timer.kind == FOLLOWUP:
        return Notice(FOLLOWUP, run.id, run.user_id, run.lang, flow) if (
            run.status == "active") else None
    reminders = {r.id: r for r in (flow.outcomes.reminders if flow.outcomes else ())}
    if timer.ref not in reminders or timer.deadline is None:
        return None  # the reminder was removed from the flow since
    deadline = date.fromisoformat(timer.deadline)
    tz, _ = zone(flows, run.country, None)
    if deadline < quiet.local_today(now, tz):
        return None  # the deadline passed while the message waited
    return Notice(REMINDER, run.id, run.user_id, run.lang, flow, timer.ref, deadline)


async def _erase(tx: Tx, user_id: int) -> None:
    await followups.erase_user(tx, user_id)


privacy.ERASERS.append(_erase)
