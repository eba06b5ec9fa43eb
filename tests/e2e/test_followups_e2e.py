"""Follow-ups end to end: the real Application, worker and SQLite file against the fake API.

Time is moved by giving the follow-up worker a clock days ahead and restarting the bot on the
same database: the timers are found again in the database (nothing lives in memory), which is
also what a real restart relies on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from chat_driver import Person, _flow, unthrottle, write_test_flows
from fakebotapi import FakeBotAPI

from bot.i18n import format_day, gettext_for
from bot.tg.followups.worker import FollowupWorker

_ = gettext_for("fr")
DAY = 86400.0
REMINDER = "Déclarez avant le {deadline}."
STEPS = """  - id: born
    ask: {fr: "Né quand ? Par exemple 05.03.2026", wo: "Kañ la juddu ? Misaal 05.03.2026"}
    input: date
    save: birth_date
  - id: done
    end: {fr: "C'est noté.", wo: "Bind nañu ko."}
"""
OUTCOMES = """followup: 14 days after end
reminders:
  - id: declare
    deadline: 30 days after birth_date
    before: 7 days
    text: {fr: "Déclarez avant le {deadline}.", wo: "Yégleel ko balaa {deadline}."}
"""
CHANGES = """changes:
  - id: no-fee
    date: 2026-11-01
    text: {fr: "La mairie ne demande plus de frais.", wo: "Méeri bi laajatul xaalis."}
"""


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    target = write_test_flows(tmp_path / "flows")
    text = _flow("e2e-birth", "Naissance", STEPS).replace("steps:\n", OUTCOMES + "steps:\n")
    (target / "SN" / "e2e-birth.yaml").write_text(text, encoding="utf-8")
    return target


def ahead(monkeypatch: pytest.MonkeyPatch, days: float) -> float:
    """Give the follow-up worker a clock `days` ahead; return that moment."""
    offset = days * DAY
    monkeypatch.setattr(FollowupWorker, "clock", staticmethod(lambda: time.time() + offset))
    return time.time() + offset


def quiet_around(moment: float) -> str:
    """Quiet hours from an hour before to an hour after `moment` (Dakar is UTC)."""
    start = datetime.fromtimestamp(moment - 3600, UTC)
    end = datetime.fromtimestamp(moment + 3600, UTC)
    return f"{start:%H:%M}-{end:%H:%M}"


async def texts_to(fake: FakeBotAPI, chat_id: int, fragment: str, timeout: float = 4.0
                   ) -> list[str]:
    """Wait until a text containing `fragment` reached `chat_id`; return all its texts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = fake.texts_to(chat_id)
        if any(fragment in text for text in texts):
            return texts
        await asyncio.sleep(0.02)
    raise TimeoutError(f"{fragment!r} never reached {chat_id}: {fake.texts_to(chat_id)}")


async def quiet_for(runtime: Any, seconds: float = 0.3) -> None:
    """Let the worker run; afterwards nothing may be pending in the outbox."""
    await asyncio.sleep(seconds)
    pending = await runtime.db.fetchone("SELECT COUNT(*) AS n FROM outbox"
                                        " WHERE status = 'pending'")
    assert pending["n"] == 0


async def finish_and_accept(me: Person, born: date) -> list[str]:
    await me.send("/start e2e-birth")
    seen = await me.send(born.strftime("%d.%m.%Y"))
    assert "C'est noté." in seen.text
    assert _("Yes, write to me") in seen.buttons()
    offer = me.message_with(_("Yes, write to me"))
    yes = me.data_of(offer, _("Yes, write to me"))
    seen = await me.click(_("Yes, write to me"))
    await me.press(offer, yes)  # a double tap makes no second run
    runs = await me.runtime.db.fetchall("SELECT id FROM followup_runs WHERE user_id = ?",
                                        (me.user_id,))
    assert len(runs) == 1
    return seen.texts


async def test_a_follow_up_answered_with_a_blocker_then_what_changed(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI, flows: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    me = Person(fake_api, await start_bot(flows_dir=flows, quiet_hours="off"), 42, "fr")
    born = date.today() - timedelta(days=10)
    deadline = born + timedelta(days=30)
    [agreed] = await finish_and_accept(me, born)
    assert format_day(deadline, "fr") in agreed
    assert (await me.runtime.db.fetchone("SELECT COUNT(*) AS n FROM outcome_reports"))["n"] == 0

    await me.runtime.stop()
    ahead(monkeypatch, 15)  # the follow-up (day 14) and the reminder (day 13) are due
    me.runtime = await start_bot(flows_dir=flows, quiet_hours="off")
    question = _("You went through “{title}” with me. Did it work?").format(title="Naissance")
    texts = await texts_to(fake_api, 42, question)
    assert any(REMINDER.format(deadline=format_day(deadline, "fr")) in t for t in texts)

    seen = await me.click(_("⛔ Refused"))
    assert _("What blocked you? Choose all that apply, then press Done.") in seen.text
    await me.click("Il manquait un document")
    seen = await me.click("Le bureau a refusé")
    assert "✅ Il manquait un document" in seen.buttons()  # ticks redraw the same keyboard
    done = me.message_with(_("Done"))
    data = me.data_of(done, _("Done"))
    seen = await me.click(_("Done"))
    assert seen.texts == [_("Thank you. Your answer is counted without your name and helps "
                            "volunteers show the authorities where people get stuck.")]
    rows = [dict(r) for r in await me.runtime.db.fetchall("SELECT * FROM outcome_reports")]
    assert [(r["source"], r["flow_id"], r["country"], r["lang"], r["result"], r["blockers"])
            for r in rows] == [("followup", "e2e-birth", "SN", "fr", "refused",
                                '["missing_document", "office_refused"]')]
    seen = await me.press(done, data)  # a replayed press (the keyboard is gone) changes nothing
    assert seen.texts == [] and len(seen.answers) == 1
    assert len(await me.runtime.db.fetchall("SELECT * FROM outcome_reports")) == 1

    # An admin publishes a new version with a note: it reaches the reporter once.
    path = flows / "SN" / "e2e-birth.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("steps:\n", CHANGES + "steps:\n"),
                    encoding="utf-8")
    admin = Person(fake_api, me.runtime, 900, "fr")
    await admin.send("/reload")
    header = _("What changed because of your reports: {title}").format(title="Naissance")
    texts = await texts_to(fake_api, 42, "La mairie ne demande plus de frais.")
    assert sum(header in t for t in texts) == 1
    await admin.send("/reload")
    await quiet_for(me.runtime)
    assert sum(header in t for t in fake_api.texts_to(42)) == 1


async def test_a_reminder_whose_date_has_passed_is_not_sent(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI, flows: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    me = Person(fake_api, await start_bot(flows_dir=flows, quiet_hours="off"), 42, "fr")
    born = date.today() - timedelta(days=40)  # the 30-day deadline passed 10 days ago
    [agreed] = await finish_and_accept(me, born)
    assert format_day(born + timedelta(days=30), "fr") not in agreed
    kinds = await me.runtime.db.fetchall("SELECT kind FROM followup_timers")
    assert [k["kind"] for k in kinds] == ["followup"]
    await me.runtime.stop()
    ahead(monkeypatch, 15)
    me.runtime = await start_bot(flows_dir=flows, quiet_hours="off")
    texts = await texts_to(fake_api, 42, _("You went through “{title}” with me. Did it "
                                           "work?").format(title="Naissance"))
    await quiet_for(me.runtime)
    assert not any("Déclarez avant" in t for t in fake_api.texts_to(42))
    assert len(texts) == len(fake_api.texts_to(42))
    seen = await me.click(_("✅ Got it"))
    assert _("Good news! Did anything make it hard? Choose all that apply, or just press "
             "Done.") in seen.text
    await me.click(_("Done"))
    rows = await me.runtime.db.fetchall("SELECT result, blockers FROM outcome_reports")
    assert [tuple(r) for r in rows] == [("got_it", "[]")]


async def test_nothing_is_sent_in_the_quiet_hours(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI, flows: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    me = Person(fake_api, await start_bot(flows_dir=flows, quiet_hours="off"), 42, "fr")
    await finish_and_accept(me, date.today() - timedelta(days=40))
    before = len(fake_api.texts_to(42))
    await me.runtime.stop()
    moment = ahead(monkeypatch, 15)
    me.runtime = await start_bot(flows_dir=flows, quiet_hours=quiet_around(moment))
    await quiet_for(me.runtime, 0.5)
    assert len(fake_api.texts_to(42)) == before  # due, but it is night in Dakar
    row = await me.runtime.db.fetchone("SELECT due_at, done FROM followup_timers")
    assert row["done"] == 0 and row["due_at"] >= moment + 3600 - 60  # waits for the end

    await me.runtime.stop()
    ahead(monkeypatch, 15 + 2 / 24)  # two hours later: morning
    me.runtime = await start_bot(flows_dir=flows, quiet_hours=quiet_around(moment))
    await texts_to(fake_api, 42, _("You went through “{title}” with me. Did it "
                                   "work?").format(title="Naissance"))


async def test_forget_and_stop_cancel_follow_ups(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI, flows: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = await start_bot(flows_dir=flows, quiet_hours="off")
    me, other = Person(fake_api, runtime, 42, "fr"), Person(fake_api, runtime, 43, "fr")
    await finish_and_accept(me, date.today() - timedelta(days=10))
    await finish_and_accept(other, date.today() - timedelta(days=10))
    await me.send("/forget")
    await me.click(_("Yes, erase everything"))
    assert await runtime.db.fetchall("SELECT * FROM followup_runs WHERE user_id = 42") == []
    before = len(fake_api.texts_to(42))

    await runtime.stop()
    ahead(monkeypatch, 13.5)  # the reminder (day 13) is due, not yet the follow-up
    runtime = me.runtime = other.runtime = await start_bot(flows_dir=flows, quiet_hours="off")
    await texts_to(fake_api, 43, "Déclarez avant")
    await quiet_for(runtime)
    assert len(fake_api.texts_to(42)) == before  # forgotten: nothing more
    seen = await other.click(_("🔕 Stop"))
    assert seen.texts == [_("Stopped: you will get no more messages about this procedure.")]

    await runtime.stop()
    ahead(monkeypatch, 15)
    runtime = await start_bot(flows_dir=flows, quiet_hours="off")
    await quiet_for(runtime, 0.5)
    question = _("You went through “{title}” with me. Did it work?").format(title="Naissance")
    assert not any(question in t for t in fake_api.texts_to(43))  # stopped before day 14
    pending = await runtime.db.fetchone("SELECT COUNT(*) AS n FROM followup_timers"
                                        " WHERE done = 0")
    assert pending["n"] == 0
