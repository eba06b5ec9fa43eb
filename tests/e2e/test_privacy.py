"""/forget leaves nothing that identifies the person, on either side of their cases.

The stories run the real bot (Application, workers, SQLite file) against the fake Bot API;
then every table and the raw bytes of the database and WAL files are searched for the
person's id, names, username and what they wrote (tests/e2e/traces.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import partial

import pytest
from mediation_helpers import ADMIN, Desk, kg
from traces import file_traces, table_traces

from bot import app
from bot.i18n import gettext_for
from bot.services.texts import PRIVACY_NOTICE
from bot.storage import volunteers
from bot.tg.ratelimit import RateLimiter

PERSON, V1, V2 = 4242427, 801, 802
NAMES = ("Aigul", "Osmonova", "aigul_private")
SAID = ("My address is 5 Lenin street", "lost my birth papers near the Osh bazaar",
        "Thanks a lot from the Osmonov family")


@pytest.fixture
async def desk(fake_api, start_bot, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setattr(app, "RateLimiter", partial(RateLimiter, chat_rate=1000, chat_burst=1000))
    return Desk(fake_api, start_bot, tmp_path)


async def eventually(traces: Callable[[], list[str]], timeout: float = 5.0) -> bool:
    """True once ``traces()`` finds nothing: the WAL is checkpointed after the goodbye is
    delivered, a moment after the update is settled. Fails with what is still there."""
    deadline = time.monotonic() + timeout
    while found := traces():
        if time.monotonic() > deadline:
            raise AssertionError(found)
        await asyncio.sleep(0.05)
    return True


async def close(desk: Desk, volunteer: int, case_id: int, outcome: str) -> None:
    """/close OUTCOME; where the outcome is chosen with buttons (issue 11), press them too."""
    desk.say(volunteer, f"/close {outcome}")
    await desk.settle()
    if (await desk.case(case_id)).status != "closed":
        desk.press_shown(volunteer, f"o:r:{case_id}:resolved")
        await desk.settle()
        desk.press_shown(volunteer, f"o:d:{case_id}:resolved:0")
        await desk.settle()


def latest_from_bot(desk: Desk, chat_id: int, fragment: str) -> dict:
    """The bot's latest message in ``chat_id`` containing ``fragment`` (as Telegram has it)."""
    for (chat, _), message in sorted(desk.fake.messages.items(), reverse=True):
        if chat == chat_id and fragment in (message.get("text") or ""):
            return message
    raise LookupError(fragment)


async def test_forget_leaves_no_trace_of_the_person_anywhere(desk: Desk) -> None:
    desk.fake.users[PERSON] = {"id": PERSON, "is_bot": False, "first_name": "Aigul",
                               "last_name": "Osmonova", "username": "aigul_private"}
    await desk.start([kg(V1, alias="Aida"), kg(V2)])
    desk.say(PERSON, "/start kg-birth", lang="ru")
    desk.say(PERSON, f"/human {SAID[1]}", lang="ru")
    await desk.settle()
    case_id = await desk.open_case_of(PERSON)
    await desk.take(V1, case_id)  # the press carries the notification: it quotes the reason
    desk.press(PERSON, "zz:forged")  # audited with the person's id
    desk.say(PERSON, SAID[0], lang="ru")
    await desk.settle()
    relayed = latest_from_bot(desk, V1, "Lenin")
    desk.say(V1, "Aigul, I will meet you there", reply_to_message=relayed)
    desk.say(V1, "/note Aigul Osmonova, born in Osh")
    desk.say(V1, "/suggest outdated Aigul was told a different fee")
    await close(desk, V1, case_id, "Aigul Osmonova got the certificate")
    desk.say(ADMIN, "/suggestions")  # the list quotes the suggestion, in the admin's chat
    desk.say(V2, "Did anyone help Aigul Osmonova?")  # outside any case: only names find it
    desk.press_shown(PERSON, f"r:{case_id}:5")
    await desk.settle()
    desk.say(PERSON, SAID[2], lang="ru")
    await desk.settle()
    desk.say(PERSON, "/human one more question", lang="ru")  # a second case, left open
    await desk.settle()
    contact_card(desk, PERSON)  # the card waits for consent (a kv key names the person)
    await desk.settle()
    before = table_traces(desk.db_path, [*NAMES, *SAID], PERSON)
    assert any(t.startswith("audit.actor_id") for t in before)
    assert any("reply_to_message" in t for t in before if t.startswith("inbox.payload"))
    assert any(t.startswith("kv.key") for t in before)

    desk.say(PERSON, "/forget", lang="ru")
    await desk.settle()
    desk.press_shown(PERSON, "x:yes")
    await desk.settle()

    assert table_traces(desk.db_path, [*NAMES, *SAID], PERSON) == []
    assert await eventually(lambda: file_traces(desk.db_path, [*NAMES, *SAID], PERSON))
    case = await desk.case(case_id)  # an anonymous record remains, and the counts
    assert (case.status, case.rating, case.country, case.outcome) == (
        "closed", 5, "KG", "forgotten")
    counts = await desk.counters()
    assert (counts[("cases_opened", "KG")], counts[("ratings", "5")]) == (2, 1)
    goodbye = await desk.expect(PERSON, "")  # the last replies were delivered all the same
    assert goodbye.ok


async def test_a_volunteer_who_forgets_leaves_the_roster_and_their_case_goes_back(
        desk: Desk) -> None:
    desk.fake.users[V1] = {"id": V1, "is_bot": False, "first_name": "Bakyt",
                           "username": "bakyt_volunteer"}
    await desk.start([kg(V1), kg(V2)])
    desk.say(PERSON, "/start kg-birth", lang="ru")
    desk.say(PERSON, "/human please help", lang="ru")
    await desk.settle()
    case_id = await desk.open_case_of(PERSON)
    await desk.take(V1, case_id)
    desk.say(V1, "Hello, I am Bakyt")
    await desk.settle()

    desk.say(V1, "/forget")
    await desk.settle()
    assert desk.said(V1, "You will also leave the volunteers")
    desk.press_shown(V1, "x:yes")
    await desk.settle()

    case = await desk.case(case_id)
    assert (case.status, case.volunteer_id) == ("open", None)
    assert await volunteers.get(desk.db, V1) is None
    assert (await desk.notifications(case_id)).count(V2) == 2  # again, as after /release
    assert desk.said(PERSON, "Ваш волонтёр") or desk.said(PERSON, f"#{case_id}")
    assert table_traces(desk.db_path, ["Bakyt", "bakyt_volunteer"], V1) == []
    assert await eventually(lambda: file_traces(desk.db_path, ["Bakyt", "bakyt_volunteer"]))
    await desk.take(V2, case_id)  # the case goes on with another volunteer
    assert (await desk.case(case_id)).volunteer_id == V2


PHONE = "+996555123456"


def contact_card(desk: Desk, user_id: int) -> int:
    card = {"phone_number": PHONE, "first_name": "Aigul", "user_id": user_id}
    return desk._track(desk.fake._user_says(user_id, "ru", "private", {"contact": card}, {}))


async def test_a_contact_card_reaches_the_volunteer_only_after_the_person_agrees(
        desk: Desk) -> None:
    await desk.start([kg(V1)])
    desk.say(PERSON, "/start kg-birth", lang="ru")
    desk.say(PERSON, "/human please call me", lang="ru")
    await desk.settle()
    case_id = await desk.open_case_of(PERSON)
    await desk.take(V1, case_id)

    contact_card(desk, PERSON)
    await desk.settle()
    assert desk.copies_to(V1, from_chat=PERSON) == []  # not before the person says yes
    assert table_traces(desk.db_path, [PHONE]) == []  # not even stored meanwhile
    [card_id] = [mid for (chat, mid), m in desk.fake.messages.items()
                 if chat == PERSON and "contact" in m]
    desk.press_shown(PERSON, f"k:no:{card_id}")
    await desk.settle()
    assert desk.copies_to(V1, from_chat=PERSON) == []
    assert desk.said(PERSON, "+") == 0

    contact_card(desk, PERSON)
    await desk.settle()
    second = max(mid for (chat, mid), m in desk.fake.messages.items()
                 if chat == PERSON and "contact" in m)
    desk.press(PERSON, f"k:yes:{card_id}")  # the declined card cannot be sent after all
    desk.press_shown(PERSON, f"k:yes:{second}")
    await desk.settle()
    assert [c.params["message_id"] for c in desk.copies_to(V1, from_chat=PERSON)] == [second]
    assert table_traces(desk.db_path, [PHONE]) == []  # relayed by message id only
    _ = gettext_for("ru")
    assert (await desk.answers(PERSON))[-3:] == [
        _("Not sent."), _("This button no longer works."), _("Sent to your volunteer.")]


async def test_privacy_command_says_what_is_stored_who_sees_it_and_how_to_erase(
        desk: Desk) -> None:
    await desk.start()
    desk.say(PERSON, "/privacy", lang="fr")
    await desk.settle()
    _ = gettext_for("fr")
    assert desk.texts(PERSON) == [_(PRIVACY_NOTICE).format(days=90)]
    assert "/forget" in desk.texts(PERSON)[0]
