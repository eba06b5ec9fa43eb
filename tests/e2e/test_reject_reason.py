"""Issue 18, 12b: a pending "write the reason" after Reject never captures a message meant for
someone else (an admin who is also a volunteer writing to a person in a case)."""

from __future__ import annotations

import json
import time
from functools import partial

import pytest
from mediation_helpers import ADMIN, Desk, kg

from bot import app
from bot.services import publishing
from bot.tg.ratelimit import RateLimiter

PERSON, AUTHOR = 4242427, 801


@pytest.fixture
async def desk(fake_api, start_bot, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setattr(app, "RateLimiter", partial(RateLimiter, chat_rate=1000, chat_burst=1000))
    return Desk(fake_api, start_bot, tmp_path)


async def _pending_proposal(desk: Desk) -> int:
    async with desk.db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO proposals (status, author_id, chat_id, file_name, flow_id, path,"
            " created_at) VALUES ('pending', ?, ?, 'x.yaml', 'kg-birth', 'KG/x.yaml', ?)",
            (AUTHOR, AUTHOR, time.time()))
    return int(cursor.lastrowid)


async def _admin_in_a_case(desk: Desk) -> tuple[int, int]:
    """The admin is also a volunteer, has pressed Reject, then took a person's case."""
    await desk.start([kg(ADMIN), kg(AUTHOR)])
    proposal = await _pending_proposal(desk)
    desk.press(ADMIN, f"y:no:{proposal}")
    await desk.settle()
    assert desk.said(ADMIN, f"why proposal #{proposal} is rejected")
    desk.say(PERSON, "/start kg-birth", lang="ru")
    desk.say(PERSON, "/human please help", lang="ru")
    await desk.settle()
    case_id = await desk.open_case_of(PERSON)
    await desk.take(ADMIN, case_id)
    return proposal, case_id


async def _status(desk: Desk, proposal: int) -> str:
    row = await desk.db.fetchone("SELECT status FROM proposals WHERE id = ?", (proposal,))
    return str(row["status"])


async def test_a_message_for_a_person_reaches_the_person_not_the_author(desk: Desk) -> None:
    """The attack: Reject pressed, no reason written, then a message to the person in the
    admin's case. It reaches the person at once; it is never the rejection reason."""
    proposal, _case = await _admin_in_a_case(desk)
    desk.say(ADMIN, "Bring your passport tomorrow")
    await desk.settle()
    assert desk.said(PERSON, "Bring your passport tomorrow")
    assert not desk.said(AUTHOR, "Bring your passport")
    assert await _status(desk, proposal) == "pending"
    assert desk.said(ADMIN, "Write /reject, the proposal number and the reason")  # asked again
    desk.say(ADMIN, "And a photo of the certificate")  # the request is gone: straight through
    await desk.settle()
    assert desk.said(PERSON, "And a photo of the certificate")
    assert await _status(desk, proposal) == "pending"
    assert not await desk.db.fetchone("SELECT 1 FROM kv WHERE key = ?",
                                      (publishing.REASON_KEY.format(user_id=ADMIN),))
    desk.say(ADMIN, f"/reject {proposal} the fee is wrong")
    await desk.settle()
    assert await _status(desk, proposal) == "rejected"
    assert desk.said(AUTHOR, "Reason: the fee is wrong")
    assert not desk.said(PERSON, "the fee is wrong")


async def test_a_reply_to_the_question_is_the_reason_at_once(desk: Desk) -> None:
    proposal, _case = await _admin_in_a_case(desk)
    asked = next(c for c in desk.fake.calls_to(ADMIN)
                 if f"#{proposal} is rejected" in (c.params.get("text") or ""))
    assert asked.params["reply_markup"]["force_reply"] is True
    prompt = next(m for (chat, _id), m in sorted(desk.fake.messages.items())
                  if chat == ADMIN and f"#{proposal} is rejected" in m.get("text", ""))
    desk.say(ADMIN, "Outdated fee", reply_to_message=prompt)
    await desk.settle()
    assert await _status(desk, proposal) == "rejected"
    assert desk.said(AUTHOR, "Reason: Outdated fee")
    assert not desk.said(PERSON, "Outdated fee")


async def test_an_old_request_expires_and_the_message_reaches_the_person(desk: Desk) -> None:
    proposal, _case = await _admin_in_a_case(desk)
    key = publishing.REASON_KEY.format(user_id=ADMIN)
    async with desk.db.transaction() as tx:
        await tx.execute("UPDATE kv SET value = ? WHERE key = ?", (json.dumps(
            {"proposal": proposal, "at": time.time() - publishing.REASON_TTL_S - 1}), key))
    desk.say(ADMIN, "See you at the office")
    await desk.settle()
    assert desk.said(PERSON, "See you at the office")
    assert not desk.said(AUTHOR, "See you at the office")
    assert await _status(desk, proposal) == "pending"
    assert await desk.db.fetchone("SELECT 1 FROM kv WHERE key = ?", (key,)) is None


async def test_a_reply_to_a_case_message_is_never_the_reason(desk: Desk) -> None:
    proposal, case_id = await _admin_in_a_case(desk)
    notice = await desk.notification_id(ADMIN, case_id)
    desk.say(ADMIN, "Reply about the case", reply_to_message={
        "message_id": notice, "date": int(time.time()), "chat": {"id": ADMIN, "type": "private"},
        "from": {"id": 1, "is_bot": True, "first_name": "bot"}, "text": "New case"})
    await desk.settle()
    assert desk.said(PERSON, "Reply about the case")
    assert await _status(desk, proposal) == "pending"


async def test_a_plain_admin_still_answers_with_the_next_message(desk: Desk) -> None:
    await desk.start([kg(AUTHOR)])
    proposal = await _pending_proposal(desk)
    desk.press(ADMIN, f"y:no:{proposal}")
    await desk.settle()
    desk.say(ADMIN, "Wrong office hours")
    await desk.settle()
    assert await _status(desk, proposal) == "rejected"
    assert desk.said(AUTHOR, "Reason: Wrong office hours")
