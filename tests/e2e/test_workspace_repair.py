"""Self-repair of a workspace topic: one test per failure string Telegram gives.

There is no update for a deleted or closed topic: the failure of a send is the signal. The
person's next message must arrive in a new topic, after a re-posted card; the new thread id
is stored; the admins are told once per cause; nothing is dropped and nothing loops.
"""

from __future__ import annotations

from functools import partial

import pytest
from mediation_helpers import ADMIN, Desk
from workspace_helpers import GROUP, PERSON, SN_V1, SN_V2, Team, french_case, sn

from bot import app
from bot.storage import records
from bot.tg import ratelimit
from bot.tg.ratelimit import RateLimiter


@pytest.fixture
async def desk(fake_api, start_bot, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setattr(app, "RateLimiter", partial(RateLimiter, chat_rate=1000, chat_burst=1000))
    monkeypatch.setattr(ratelimit, "GROUP_LIMIT", 1000)
    return Desk(fake_api, start_bot, tmp_path)


@pytest.fixture
async def team(desk: Desk) -> Team:
    desk.fake.forum(GROUP)
    await desk.start([sn(SN_V1, "Fatou"), sn(SN_V2, "Moussa")])
    team = Team(desk)
    await team.bind(ADMIN)
    return team


async def claimed_case(team: Team) -> tuple[int, int]:
    """A French-speaking person's case, claimed with the card's button and answered."""
    case_id = await french_case(team.desk, team)
    team.press(SN_V1, f"w:claim:{case_id}")
    await team.settle()
    thread = team.topic(case_id).thread_id
    team.write(SN_V1, thread, "Bonjour, je suis là")
    await team.settle()
    return case_id, thread


async def assert_repaired(team: Team, case_id: int, old_thread: int, text: str,
                          cause: str) -> None:
    new = team.topic(case_id)
    assert new.thread_id != old_thread
    assert await team.stored_thread(case_id) == new.thread_id
    texts = team.topic_texts(case_id)
    assert texts[0].startswith(f"Case #{case_id}")  # the card first, then the message
    assert "claimed by Fatou" in texts[0]
    assert texts[-1] == text and texts.count(text) == 1
    assert team.card(case_id)["message_id"] in new.pinned
    audit = [r["detail"] for r in await records.audit_for_case(team.desk.db, case_id)
             if r["action"] == "topic_recreated"]
    assert audit == [cause]
    told = [t for t in team.desk.texts(ADMIN) if f"case #{case_id}" in t]
    assert len(told) == 1


async def test_a_topic_deleted_by_hand_is_recreated_with_the_card(team: Team) -> None:
    case_id, old = await claimed_case(team)
    team.fake.delete_topic(GROUP, old)  # the fake now answers "message thread not found"
    team.desk.say(PERSON, "Vous êtes là ?", lang="fr")
    await team.settle()
    await assert_repaired(team, case_id, old, "Vous êtes là ?", "topic_deleted")
    team.desk.say(PERSON, "Merci", lang="fr")  # the next one goes to the same new topic
    await team.settle()
    assert team.topic_texts(case_id)[-1] == "Merci"
    assert len([c for c in team.fake.calls if c.method == "createForumTopic" and c.ok
                and c.params["name"].startswith("#")]) == 2
    team.write(SN_V1, team.topic(case_id).thread_id, "Oui, je suis là")
    await team.settle()
    assert any("Oui, je suis là" in t for t in team.desk.texts(PERSON))


async def test_topic_deleted_error_string(team: Team) -> None:
    case_id, old = await claimed_case(team)
    team.fake.fail_thread(GROUP, "Bad Request: TOPIC_DELETED", thread_id=old)
    team.desk.say(PERSON, "Allô ?", lang="fr")
    await team.settle()
    await assert_repaired(team, case_id, old, "Allô ?", "topic_deleted")


async def test_a_topic_closed_by_hand_gets_a_new_topic(team: Team) -> None:
    case_id, old = await claimed_case(team)
    team.fake.close_topic(GROUP, old)  # the fake answers "TOPIC_CLOSED"
    team.desk.say(PERSON, "Toujours là ?", lang="fr")
    await team.settle()
    await assert_repaired(team, case_id, old, "Toujours là ?", "topic_closed")


async def test_a_lost_right_waits_tells_the_admins_once_and_recovers(team: Team) -> None:
    case_id, old = await claimed_case(team)
    team.fake.fail_thread(GROUP, "Bad Request: not enough rights to send text messages to "
                          "the chat", thread_id=old)
    team.fake.set_rights(GROUP, can_manage_topics=False)
    team.desk.say(PERSON, "Un message", lang="fr")
    team.desk.say(PERSON, "Un autre", lang="fr")
    await team.desk.expect(ADMIN, "lost a right")
    team.fake.set_rights(GROUP, can_manage_topics=True)
    await team.fake.wait_for(lambda c: c.ok and c.method == "copyMessage"
                             and c.chat_id == GROUP and c.params.get("message_id") and
                             team.fake.messages.get((PERSON, c.params["message_id"]), {})
                             .get("text") == "Un autre", timeout=15)
    await team.settle(15)
    texts = team.topic_texts(case_id)
    assert texts[-2:] == ["Un message", "Un autre"]
    assert len([t for t in team.desk.texts(ADMIN) if "lost a right" in t]) == 1
    attempts = [c for c in team.fake.calls if c.method == "createForumTopic"]
    assert len(attempts) < 10  # retried with a growing delay, not in a loop


async def test_forum_mode_turned_off_waits_and_recovers(team: Team) -> None:
    case_id, old = await claimed_case(team)
    team.fake.set_forum(GROUP, False)  # the fake answers "the chat is not a forum"
    team.desk.say(PERSON, "Il y a quelqu'un ?", lang="fr")
    await team.desk.expect(ADMIN, "no longer a forum")
    team.fake.set_forum(GROUP, True)
    await team.settle(15)
    await team.fake.wait_for(lambda c: c.ok and c.method == "copyMessage"
                             and c.chat_id == GROUP, timeout=15)
    await team.settle(15)
    assert team.topic_texts(case_id)[-1] == "Il y a quelqu'un ?"
    assert team.topic(case_id).thread_id != old
    assert len([t for t in team.desk.texts(ADMIN) if "no longer a forum" in t]) == 1


async def test_what_waits_for_a_topic_survives_a_restart(team: Team) -> None:
    desk = team.desk
    team.fake.set_rights(GROUP, can_manage_topics=False)  # no topic can be made for now
    desk.say(PERSON, "/start sn-birth", lang="fr")
    desk.say(PERSON, "/human acte de naissance", lang="fr")
    desk.say(PERSON, "Premier message", lang="fr")
    await desk.expect(ADMIN, "lost a right")
    case_id = await desk.open_case_of(PERSON)
    await desk.stop()
    team.fake.set_rights(GROUP, can_manage_topics=True)
    await desk.start_again()
    await team.fake.wait_for(lambda c: c.ok and c.method == "copyMessage"
                             and c.chat_id == GROUP, timeout=15)
    await team.settle(15)
    texts = team.topic_texts(case_id)
    assert texts[0].startswith(f"Case #{case_id}") and "Premier message" in texts
