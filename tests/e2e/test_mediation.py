"""Volunteer mediation end to end: the real Application, workers and SQLite file, the fake API.

Each test is one story told through Telegram updates; helpers (tests/e2e/mediation_helpers.py)
seed the roster, inject updates and wait until everything is processed and delivered.
Texts are checked in English only where the reader's language is English; for people and
volunteers reading Russian, the checks use what no translation changes (case numbers, names,
what was typed, CLDR names) and the database.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from functools import partial

import pytest
from mediation_helpers import ADMIN, Desk, Vol, kg, kz

from bot import app
from bot.cli.volunteers import latest_suggestions, suggestion_line
from bot.i18n import gettext_for
from bot.storage import cases, sessions, volunteers
from bot.tg.ratelimit import RateLimiter

PERSON, PERSON2 = 4242427, 4242428
V1, V2, V_KY, V_KZ, NEWCOMER = 801, 802, 803, 804, 805


@pytest.fixture
async def desk(fake_api, start_bot, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    # Telegram's one-message-per-second per chat would make these stories last minutes; the
    # limiter itself is tested in tests/test_sender.py.
    monkeypatch.setattr(app, "RateLimiter", partial(RateLimiter, chat_rate=1000, chat_burst=1000))
    return Desk(fake_api, start_bot, tmp_path)


async def kg_birth_case(desk: Desk, person: int = PERSON, name: str = "Aigul") -> int:
    """A person in Kyrgyzstan, reading Russian, reaches the flow's `escalate` step."""
    desk.say(person, "/start kg-birth", lang="ru", first_name=name,
             username=f"{name.lower()}_private")
    desk.say(person, "01.01.2025", lang="ru")  # born over a month ago
    await desk.settle()
    desk.click(person, "Нет или потеряна")  # no medical certificate: the flow escalates
    await desk.settle()
    return await desk.open_case_of(person)


async def human_case(desk: Desk, person: int = PERSON, flow: str = "kg-birth",
                     lang: str = "ru", reason: str = "please help") -> int:
    """A person opens a procedure, then asks for a human with /human at its first question."""
    desk.say(person, f"/start {flow}", lang=lang)
    desk.say(person, f"/human {reason}", lang=lang)
    await desk.settle()
    return await desk.open_case_of(person)


def relay_duplicates(desk: Desk) -> list[tuple[object, ...]]:
    """Relayed texts and copies delivered more than once (there must be none)."""
    seen: Counter[tuple[object, ...]] = Counter()
    for call in desk.fake.calls:
        if not call.ok:
            continue
        text = call.params.get("text") or ""
        if call.method == "sendMessage" and text.startswith(("💬", "🙋")):
            seen[(call.chat_id, text)] += 1
        elif call.method == "copyMessage":
            seen[(call.chat_id, call.params["from_chat_id"], call.params["message_id"])] += 1
    return [key for key, count in seen.items() if count > 1]


# -- the whole path -------------------------------------------------------------------------
async def test_escalate_take_relay_both_ways_note_close_rate(desk: Desk) -> None:
    await desk.start([kg(V1, "ru", ui="ru", alias="Aida"), kg(V2, "ru"), kz(V_KZ)])
    case_id = await kg_birth_case(desk)

    case = await desk.case(case_id)
    assert (case.country, case.lang, case.flow_id, case.step_id, case.status) == (
        "KG", "ru", "kg-birth", "no_med_cert", "open")
    assert [label for label, _ in case.context["answers"]] == [
        "Дата рождения ребёнка", "Медицинская справка о рождении"]
    assert desk.said(PERSON, f"#{case_id}")  # the person learns their case number
    # Both KG volunteers speaking Russian are notified, each in their own language; not KZ.
    assert sorted(await desk.notifications(case_id)) == [V1, V2]
    assert desk.said(V1, "Киргизия") and desk.said(V2, "Kyrgyzstan")
    assert not desk.said(V_KZ, f"#{case_id}")
    assert not any("Aigul" in text for text in desk.texts(V2))  # no name in notifications

    await desk.take(V1, case_id)
    assert (await desk.case(case_id)).volunteer_id == V1
    context = next(t for t in desk.texts(V1) if "Дата рождения ребёнка" in t)
    assert "Aigul" in context and "1 января 2025" in context
    for secret in (str(PERSON), "aigul_private", "+7"):
        assert not any(secret in text for text in desk.texts(V1) + desk.texts(V2))
    assert desk.said(PERSON, "Aida")  # the volunteer is shown by alias

    desk.say(V1, "Здравствуйте! Роды были дома?")
    desk.say(PERSON, "Да, дома", lang="ru")
    for send in (desk.photo, desk.location):
        send(PERSON)
    desk.media(PERSON, "document")
    desk.media(PERSON, "voice")
    desk.photo(V1, "образец заявления")
    desk.media(V1, "document")
    desk.media(V1, "voice")
    desk.location(V1)
    await desk.settle()
    assert desk.said(PERSON, "<b>Aida</b>: Здравствуйте! Роды были дома?")
    assert desk.said(V1, f"<b>#{case_id} Aigul</b>: Да, дома")
    assert len(desk.copies_to(V1, from_chat=PERSON)) == 4
    assert len(desk.copies_to(PERSON, from_chat=V1)) == 4
    assert not [c for c in desk.fake.calls if c.method == "forwardMessage"]

    desk.say(V1, "/note no certificate from the maternity ward")
    desk.say(V1, "/close registered at the ZAGS")
    await desk.settle()
    assert (await desk.case(case_id)).status == "taken"  # closed by the buttons, not the text
    ru = gettext_for("ru")  # V1 reads Russian
    assert desk.said(V1, ru("How did case #{id} end?").format(id=case_id))
    desk.press_shown(V1, f"o:r:{case_id}:partly")
    await desk.settle()
    assert desk.said(V1, ru("What blocked the person? Choose all that apply, then press "
                            "Done."))
    desk.press_shown(V1, f"o:b:{case_id}:partly:1")  # missing_document: the first blocker
    await desk.settle()
    desk.press_shown(V1, f"o:b:{case_id}:partly:5")  # and unofficial_fee (bit 2)
    await desk.settle()
    desk.press_shown(V1, f"o:d:{case_id}:partly:5")
    await desk.settle()
    assert not desk.said(PERSON, "maternity ward")
    assert desk.said(PERSON, "registered at the ZAGS")
    reports = [dict(r) for r in await desk.db.fetchall("SELECT * FROM outcome_reports")]
    assert [(r["source"], r["result"], r["country"], r["blockers"]) for r in reports] == [
        ("case", "partly", "KG", '["missing_document", "unofficial_fee"]')]
    assert set(reports[0]) == {"id", "day", "country", "flow_id", "office_id", "lang",
                               "source", "result", "blockers"}  # nothing names anyone
    desk.click(PERSON, "⭐⭐⭐⭐")
    await desk.settle()
    desk.say(PERSON, "Очень помогли, спасибо", lang="ru")
    await desk.settle()

    case = await desk.case(case_id)
    assert (case.status, case.outcome, case.rating) == ("closed", "registered at the ZAGS", 4)
    row = await desk.db.fetchone("SELECT comment FROM cases WHERE id = ?", (case_id,))
    assert row["comment"] == "Очень помогли, спасибо"
    kinds = Counter((m["direction"], m["kind"]) for m in await cases.messages(desk.db, case_id))
    assert kinds == Counter({("in", "text"): 1, ("in", "photo"): 1, ("in", "location"): 1,
                             ("in", "document"): 1, ("in", "voice"): 1, ("out", "text"): 1,
                             ("out", "photo"): 1, ("out", "document"): 1, ("out", "voice"): 1,
                             ("out", "location"): 1, ("note", "text"): 1})
    assert [action for action, _ in await desk.audit(case_id)] == [
        "opened", "notified_stage_0", "taken", "note", "closed", "rated", "commented"]
    counts = await desk.counters()
    assert counts[("cases_opened", "KG")] == counts[("cases_closed", "KG")] == 1
    assert counts[("ratings", "4")] == 1
    assert relay_duplicates(desk) == []


async def test_human_command_and_volunteer_button_open_cases(desk: Desk) -> None:
    await desk.start([kg(V1)])
    case_id = await human_case(desk, reason="I do not know the exact date")
    case = await desk.case(case_id)
    assert (case.reason, case.step_id) == ("I do not know the exact date", "birth_date")
    assert (await sessions.get(desk.db, PERSON))["status"] == "escalated"  # question paused
    # Writing while nobody has taken the case yet: the message joins the case.
    desk.say(PERSON, "My son was born at home", lang="ru")
    await desk.settle()
    assert [m["content"] for m in await cases.messages(desk.db, case_id)] == [
        "My son was born at home"]
    assert [c.method for c in desk.fake.calls_to(PERSON)][-1] == "setMessageReaction"

    desk.say(PERSON2, "/start kg-birth", lang="en")
    await desk.settle()
    desk.press_shown(PERSON2, "n:human")  # "🙋 Volunteer", under every step
    await desk.settle()
    second = await desk.open_case_of(PERSON2)
    assert second != case_id and (await desk.case(second)).step_id == "birth_date"
    assert await desk.notifications(second) == [V1]

    await desk.take(V1, case_id)
    context = next(t for t in desk.texts(V1) if t.startswith(f"<b>Case #{case_id}"))
    assert "My son was born at home" in context and "I do not know the exact date" in context
    assert "Когда родился ребёнок?" in context  # where the person stopped

    told = len(desk.texts(PERSON))
    desk.say(PERSON, "/human", lang="ru")  # back later: the same case, where it stands
    await desk.settle()
    [status] = desk.texts(PERSON)[told:]
    assert f"#{case_id}" in status and await desk.open_case_of(PERSON) == case_id
    assert await desk.notifications(case_id) == [V1]  # nobody is asked again


async def test_the_paused_question_still_answers_its_buttons(desk: Desk) -> None:
    """/human at a question pauses typed answers, but the question's own buttons carry on."""
    await desk.start([kg(V1)])
    desk.say(PERSON, "/start kg-birth", lang="ru")
    await desk.settle()
    desk.say(PERSON, "01.11.2026", lang="ru")  # birth_date -> med_cert (buttons)
    await desk.settle()
    assert (await sessions.get(desk.db, PERSON))["step"] == "med_cert"
    desk.say(PERSON, "/human", lang="ru")
    await desk.settle()
    assert (await sessions.get(desk.db, PERSON))["status"] == "escalated"
    desk.click(PERSON, "Да, есть")  # a button of the paused question
    await desk.settle()
    session = await sessions.get(desk.db, PERSON)
    assert session["answers"]["has_med_cert"] == "yes" and session["step"] != "med_cert"
    assert (await desk.case(await desk.open_case_of(PERSON))).status == "open"


async def test_two_volunteers_race_for_one_case(desk: Desk) -> None:
    await desk.start([kg(V1), kg(V2)])
    case_id = await human_case(desk)
    first = await desk.notification_id(V1, case_id)
    second = await desk.notification_id(V2, case_id)
    desk.press(V1, f"v:take:{case_id}", first)
    desk.press(V2, f"v:take:{case_id}", second)
    await desk.settle()

    winner = (await desk.case(case_id)).volunteer_id
    loser, loser_message = (V2, second) if winner == V1 else (V1, first)
    assert winner in (V1, V2)
    assert await desk.answers(winner) == [f"You took case #{case_id}."]
    assert await desk.answers(loser) == [f"Case #{case_id} was already taken by another "
                                         "volunteer."]
    shown = desk.fake.messages[(loser, loser_message)]
    assert "taken by another volunteer" in shown["text"] and "reply_markup" not in shown
    assert [a for a, _ in await desk.audit(case_id)].count("taken") == 1
    assert sum(f"User{winner}" in text for text in desk.texts(PERSON)) == 1
    assert not any(f"User{loser}" in text for text in desk.texts(PERSON))


# -- routing --------------------------------------------------------------------------------
async def test_no_volunteer_in_scope_falls_back_to_the_country_then_the_admins(desk) -> None:
    await desk.start([kg(V_KY, "ky"), kz(V_KZ)])
    in_kyrgyz_only = await human_case(desk)  # Russian: nobody matches the language
    assert await desk.notifications(in_kyrgyz_only) == [V_KY]
    nobody = await human_case(desk, PERSON2, flow="sn-id-card", lang="fr")  # no SN volunteer
    assert await desk.notifications(nobody) == [ADMIN]
    assert desk.said(ADMIN, f"New case #{nobody}")


async def test_available_and_away_change_routing(desk: Desk) -> None:
    await desk.start([kg(V1), kg(V2)])
    desk.say(V1, "/away")
    await desk.settle()
    assert not (await volunteers.get(desk.db, V1)).available
    assert await desk.notifications(await human_case(desk)) == [V2]
    desk.say(V1, "/available")
    desk.say(PERSON2, "/away")  # not a volunteer
    await desk.settle()
    assert desk.said(PERSON2, "This command is for volunteers.")
    assert sorted(await desk.notifications(await human_case(desk, PERSON2))) == [V1, V2]


async def test_unclaimed_case_is_notified_again_then_reaches_the_admins(desk: Desk) -> None:
    await desk.start([kg(V1), kg(V_KY, "ky")], renotify_minutes=0.002,
                     admin_escalation_minutes=0.002)
    case_id = await human_case(desk)
    await desk.expect(ADMIN, f"New case #{case_id}")
    await desk.settle()
    # The re-notify wave offers it first to who has not seen it, then reminds the others.
    assert await desk.notifications(case_id) == [V1, V_KY, V1, ADMIN]
    assert (await desk.case(case_id)).notify_stage == 2
    assert [a for a, _ in await desk.audit(case_id)] == [
        "opened", "notified_stage_0", "notified_stage_1", "notified_stage_2"]


async def test_release_and_transfer(desk: Desk) -> None:
    await desk.start([kg(V1), kg(V2), kg(V_KY, "ky"), kz(V_KZ)])
    case_id = await human_case(desk)
    await desk.take(V1, case_id)
    told = len(desk.texts(PERSON))
    desk.say(V1, "/release")
    await desk.settle()
    case = await desk.case(case_id)
    assert (case.status, case.volunteer_id) == ("open", None)
    # not the one who let go; first who has not seen it, then a reminder
    assert await desk.notifications(case_id) == [V1, V2, V_KY, V2]
    assert [f"#{case_id}" in text for text in desk.texts(PERSON)[told:]] == [True]

    await desk.take(V2, case_id)
    desk.say(V2, f"/transfer {V_KZ}")  # covers Kazakhstan only
    await desk.settle()
    assert (await desk.case(case_id)).volunteer_id == V2
    desk.say(V2, f"/transfer {V_KY}")
    await desk.settle()
    assert (await desk.case(case_id)).volunteer_id == V_KY
    assert desk.said(V_KY, f"Case #{case_id}: you are helping")
    desk.say(V2, "still there?")
    desk.say(V_KY, "Саламатсызбы, мен жардам берем")
    await desk.settle()
    assert not desk.said(PERSON, "still there?")
    assert desk.said(PERSON, "<b>User803</b>: Саламатсызбы, мен жардам берем")
    assert [a for a, _ in await desk.audit(case_id)] == [
        "opened", "notified_stage_0", "taken", "released", "notified_stage_1", "taken",
        "transferred"]


# -- nothing lost ---------------------------------------------------------------------------
async def test_restart_keeps_cases_deliveries_and_timers_without_duplicates(desk) -> None:
    await desk.start([kg(V1)])
    taken = await human_case(desk)
    await desk.take(V1, taken)
    waiting = await human_case(desk, PERSON2)
    desk.fake.fail_next("sendMessage", status=429, retry_after=1, chat_id=PERSON)
    desk.say(V1, "Your documents are ready?")
    await desk.fake.wait_for(lambda c: c.status == 429)
    await desk.settle()  # the relay is pending (due in a second), nothing else is
    pending = await desk.db.fetchall("SELECT chat_id FROM outbox WHERE status = 'pending'")
    assert [row["chat_id"] for row in pending] == [PERSON]

    await desk.stop()
    desk.say(PERSON, "Yes, all of them", lang="ru")  # written while the bot is down
    await desk.start_again()
    await desk.expect(PERSON, "Your documents are ready?")
    await desk.settle()
    assert desk.said(V1, "Yes, all of them") == 1
    await desk.timers.run_due(time.time() + 31 * 60)  # the open case's re-notification
    await desk.timers.run_due(time.time() + 151 * 60)  # and then the admins
    await desk.settle()

    assert await desk.notifications(waiting) == [V1, V1, ADMIN]
    assert (await desk.case(taken)).status == "taken"
    assert relay_duplicates(desk) == []
    assert desk.said(PERSON, "Your documents are ready?") == 1
    desk.say(V1, "See you tomorrow")  # the current case survived the restart too
    await desk.settle()
    assert desk.said(PERSON, "See you tomorrow") == 1


async def test_a_person_who_blocked_the_bot_marks_the_case(desk: Desk) -> None:
    await desk.start([kg(V1)])
    case_id = await human_case(desk)
    await desk.take(V1, case_id)
    desk.fake.block(PERSON)
    desk.say(V1, "Are you still there?")
    await desk.expect(V1, f"The person in case #{case_id} blocked the bot")
    await desk.settle()
    assert (await desk.case(case_id)).person_blocked
    assert "person_blocked" in [a for a, _ in await desk.audit(case_id)]
    desk.say(V1, "Hello?")
    await desk.settle()
    assert desk.said(V1, "messages cannot reach them")

    desk.fake.unblock(PERSON)
    desk.say(PERSON, "Sorry, I am back", lang="ru")
    await desk.settle()
    assert not (await desk.case(case_id)).person_blocked
    assert desk.said(V1, "Sorry, I am back")


async def test_a_volunteer_who_blocked_the_bot_gives_their_cases_back(desk: Desk) -> None:
    await desk.start([kg(V1), kg(V2)])
    case_id = await human_case(desk)
    await desk.take(V1, case_id)
    desk.fake.block(V1)
    desk.say(PERSON, "Hello, are you there?", lang="ru")
    await desk.fake.wait_for(lambda c: c.ok and c.chat_id == V2 and c.method == "sendMessage"
                             and f"New case #{case_id}" in c.params["text"]
                             and c is not desk.fake.calls_to(V2)[0])
    await desk.settle()
    case = await desk.case(case_id)
    assert (case.status, case.volunteer_id) == ("open", None)
    assert not (await volunteers.get(desk.db, V1)).available
    assert await desk.notifications(case_id) == [V1, V2, V2]
    await desk.take(V2, case_id)
    context = next(t for t in desk.texts(V2) if t.startswith(f"<b>Case #{case_id}"))
    assert "Hello, are you there?" in context  # nothing the person wrote was lost


# -- who may do what ------------------------------------------------------------------------
async def test_scope_a_kz_volunteer_cannot_see_or_take_a_kg_case(desk: Desk) -> None:
    await desk.start([kz(V_KZ), kg(V1)])
    kg_case = await human_case(desk)
    kz_case = await human_case(desk, PERSON2, flow="kz-birth")
    desk.press(V_KZ, f"v:take:{kg_case}")
    desk.say(V_KZ, f"/case {kg_case}")
    desk.say(V_KZ, "/cases")
    desk.say(V1, "/cases")
    await desk.settle()

    assert await desk.answers(V_KZ) == ["You cannot take this case."]
    assert desk.said(V_KZ, f"You are not handling case #{kg_case}.")
    listing = desk.texts(V_KZ)[-1]
    assert f"#{kz_case}" in listing and f"#{kg_case}" not in listing
    assert f"#{kg_case}" in desk.texts(V1)[-1] and f"#{kz_case}" not in desk.texts(V1)[-1]
    assert (await desk.case(kg_case)).status == "open"
    actions = [(case, actor, action) for case, actor, action in await desk.audit()
               if action.startswith("refused")]
    assert actions == [(kg_case, V_KZ, "refused_take"), (kg_case, V_KZ, "refused_switch")]


async def test_forged_callbacks_are_refused_and_audited(desk: Desk) -> None:
    await desk.start([kg(V1), kg(V2)])
    case_id = await human_case(desk)
    await desk.take(V1, case_id)
    desk.press(V2, f"v:case:{case_id}")  # someone else's case
    desk.press(PERSON2, f"v:take:{case_id}")  # not a volunteer at all
    desk.press(PERSON2, f"r:{case_id}:5")  # another person's case
    desk.press(PERSON, f"r:{case_id}:5")  # their own, but not closed yet
    for malformed in ("v:take:abc", "r:1:9", "v:drop:1", "x" * 80):
        desk.press(V2, malformed)
    await desk.settle()

    assert await desk.answers(V2) == [f"You are not handling case #{case_id}."] + [
        "This button no longer works. Here is where you are."] * 4
    assert await desk.answers(PERSON2) == ["You cannot take this case.", ""]
    assert (await desk.case(case_id)).rating is None
    refused = Counter(action for _, _, action in await desk.audit() if "refused" in action)
    assert refused == Counter({"refused_switch": 1, "refused_take": 1, "refused_rating": 2,
                               "refused_button": 4})

    desk.say(V1, "/close done")
    await desk.settle()
    desk.press_shown(V1, f"o:r:{case_id}:resolved")
    await desk.settle()
    desk.press_shown(V1, f"o:d:{case_id}:resolved:0")
    await desk.settle()
    desk.press(PERSON, f"r:{case_id}:5")
    desk.press(PERSON, f"r:{case_id}:1")  # a second rating is refused too
    await desk.settle()
    assert (await desk.case(case_id)).rating == 5
    assert (await desk.counters())[("ratings", "5")] == 1


async def test_invite_link_works_once(desk: Desk) -> None:
    await desk.start()
    desk.say(ADMIN, "/invite KG ru,ky")
    desk.say(PERSON, "/invite KG ru")  # not an admin
    await desk.settle()
    assert desk.said(PERSON, "This command is for admins only.")
    link = re.search(r"https://t\.me/passerelle_test_bot\?start=(inv_[\w-]+)",
                     desk.texts(ADMIN)[-1])
    assert link is not None

    desk.say(NEWCOMER, f"/start {link.group(1)}", lang="ky")
    await desk.settle()
    joined = await volunteers.get(desk.db, NEWCOMER)
    assert joined is not None and (joined.countries, joined.languages) == (("KG",), ("ru", "ky"))
    desk.say(PERSON2, f"/start {link.group(1)}")
    await desk.settle()
    assert desk.said(PERSON2, "expired or was already used")
    assert await volunteers.get(desk.db, PERSON2) is None
    assert await desk.notifications(await human_case(desk)) == [NEWCOMER]
    assert [a for _, _, a in await desk.audit()][:2] == ["invite_created", "volunteer_joined"]


async def test_invite_stays_used_after_its_volunteer_forgets(desk: Desk) -> None:
    """Erasure keeps the invite spent: the link must not make a second volunteer."""
    await desk.start()
    async with desk.db.transaction() as tx:
        token = await volunteers.create_invite(tx, ADMIN, ("KG",), ("ru",), ttl_seconds=3600)
    desk.say(NEWCOMER, f"/start inv_{token}")
    await desk.settle()
    assert await volunteers.get(desk.db, NEWCOMER) is not None
    desk.say(NEWCOMER, "/forget")
    desk.press(NEWCOMER, "x:yes")
    await desk.settle()
    assert await volunteers.get(desk.db, NEWCOMER) is None
    row = await desk.db.fetchone("SELECT used_by, used_at FROM invites WHERE token = ?", (token,))
    assert row["used_by"] is None and row["used_at"] is not None  # no id, still spent
    desk.say(PERSON2, f"/start inv_{token}")
    await desk.settle()
    assert desk.said(PERSON2, "expired or was already used")
    assert await volunteers.get(desk.db, PERSON2) is None


async def test_expired_invite_is_refused(desk: Desk) -> None:
    await desk.start()
    async with desk.db.transaction() as tx:
        token = await volunteers.create_invite(tx, ADMIN, ("KG",), ("ru",), ttl_seconds=-1)
    desk.say(NEWCOMER, f"/start inv_{token}")
    await desk.settle()
    assert desk.said(NEWCOMER, "expired or was already used")
    assert await volunteers.get(desk.db, NEWCOMER) is None


# -- co-creation, privacy, retention ----------------------------------------------------------
async def test_suggest_reaches_the_admins(desk: Desk) -> None:
    await desk.start([kg(V1)])
    desk.say(V1, "/suggest outdated nothing to attach this to")
    await desk.settle()
    assert desk.said(V1, "You have no current case.")
    case_id = await kg_birth_case(desk)
    await desk.take(V1, case_id)
    desk.say(V1, "/suggest outdated the fine is 2000 som since 2024")
    await desk.settle()
    desk.say(ADMIN, "/suggestions")
    desk.say(V1, "/suggestions")
    await desk.settle()
    assert desk.said(ADMIN, "[outdated] kg-birth/no_med_cert: the fine is 2000 som since 2024")
    assert desk.said(V1, "This command is for admins only.")
    [row] = await latest_suggestions(desk.db)
    assert (row["case_id"], row["volunteer_id"], row["kind"]) == (case_id, V1, "outdated")
    assert "kg-birth/no_med_cert" in suggestion_line(row)


async def test_forget_anonymises_the_cases_and_keeps_the_counts(desk: Desk) -> None:
    await desk.start([kg(V1)])
    case_id = await kg_birth_case(desk)
    await desk.take(V1, case_id)
    desk.say(PERSON, "My address is 5 Lenin street", lang="ru")
    desk.say(V1, "/note lives at Lenin street")
    await desk.settle()
    desk.say(PERSON, "/forget", lang="ru")
    desk.press(PERSON, "x:yes")
    await desk.settle()

    case = await desk.case(case_id)
    assert (case.person_id, case.person_name, case.context, case.reason, case.status) == (
        None, None, {}, None, "closed")
    assert await cases.messages(desk.db, case_id) == []
    leftovers = await desk.db.fetchall("SELECT params FROM outbox WHERE params LIKE ?",
                                       ("%Lenin%",))
    assert leftovers == []
    assert desk.said(V1, f"The person in case #{case_id} blocked the bot or erased their data")
    assert (await desk.counters())[("cases_opened", "KG")] == 1
    desk.say(V1, "Hello?")
    await desk.settle()
    assert not desk.said(PERSON, "Hello?")


async def test_retention_blanks_old_relayed_content(desk: Desk) -> None:
    await desk.start([kg(V1)])
    case_id = await human_case(desk)
    await desk.take(V1, case_id)
    desk.say(PERSON, "my passport number is 123", lang="ru")
    desk.say(V1, "thanks, noted")
    desk.say(V1, "/note passport seen")
    await desk.settle()
    assert await desk.retention.run_once() == 0  # nothing is old yet
    purged = await desk.retention.run_once(time.time() + 91 * 86400)
    assert purged == 2
    contents = {m["direction"]: m["content"] for m in await cases.messages(desk.db, case_id)}
    assert contents == {"in": None, "out": None, "note": "passport seen"}
    assert (await desk.case(case_id)).status == "taken"


async def test_roster_from_the_cli_functions_routes_in_the_volunteers_language(desk) -> None:
    await desk.start([Vol(V1, ("KG", "KZ"), ("ru", "ky"), ui="ru")])
    case_id = await human_case(desk, flow="kz-birth")
    assert await desk.notifications(case_id) == [V1]
    assert desk.said(V1, "Казахстан")


async def test_newcomer_details_step_label_volunteer_help_and_case_log_lines(
        desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 18 item 11: a notification names the step by its label (never its id), a
    volunteer's /help lists the volunteer commands, and INFO logs one line per case opened
    and closed, naming nobody."""
    import logging

    await desk.start([kg(V1)])
    with caplog.at_level(logging.INFO, logger="bot.services.mediation"):
        case_id = await human_case(desk, reason="I do not know the exact date")
        notice = next(t for t in desk.texts(V1) if f"#{case_id}" in t)
        assert "birth_date" not in notice and "Step: " in notice
        await desk.take(V1, case_id)
        desk.say(V1, "/close")
        await desk.settle()
        desk.press_shown(V1, f"o:r:{case_id}:partly")
        await desk.settle()
        desk.press_shown(V1, f"o:d:{case_id}:partly:0")
        await desk.settle()
    assert (await desk.case(case_id)).status == "closed"
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("case ")]
    assert lines == [f"case {case_id} opened (country KG, procedure kg-birth)",
                     f"case {case_id} closed"]
    for record in caplog.records:
        assert str(PERSON) not in record.getMessage() and "Aigul" not in record.getMessage()

    desk.say(V1, "/help")
    await desk.settle()
    help_text = desk.texts(V1)[-1]
    assert "/cases" in help_text and "/close" in help_text and "/menu" in help_text
    assert "/reload" not in help_text  # admins' commands are for admins
    desk.say(PERSON2, "/help", lang="en")
    await desk.settle()
    assert "/cases" not in desk.texts(PERSON2)[-1]
