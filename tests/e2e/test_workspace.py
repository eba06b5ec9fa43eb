"""The team workspace end to end: binding, a case's life in a topic, claiming, relaying.

The real Application, workers and SQLite file against the fake Bot API, extended with forum
supergroups (tests/fakebot_forums.py). Self-repair has its own file (test_workspace_repair).
"""

from __future__ import annotations

from functools import partial

import pytest
from mediation_helpers import ADMIN, Desk
from workspace_helpers import GROUP, PERSON, READER, SN_V1, SN_V2, Team, french_case, sn

from bot import app
from bot.storage import cases, workspaces
from bot.tg import ratelimit
from bot.tg.ratelimit import RateLimiter


@pytest.fixture
async def desk(fake_api, start_bot, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    # Telegram's per-chat and per-group limits would make these stories last minutes; the
    # group budget has its own test (the burst, and tests/test_workspace_budget.py).
    monkeypatch.setattr(app, "RateLimiter", partial(RateLimiter, chat_rate=1000, chat_burst=1000))
    monkeypatch.setattr(ratelimit, "GROUP_LIMIT", 1000)
    return Desk(fake_api, start_bot, tmp_path)


@pytest.fixture
async def team(desk: Desk) -> Team:
    desk.fake.forum(GROUP)
    await desk.start([sn(SN_V1, "Fatou"), sn(SN_V2, "Moussa")])
    return Team(desk)


# -- binding ----------------------------------------------------------------------------------
async def test_an_admin_binds_shows_and_unbinds_a_workspace(team: Team) -> None:
    await team.bind(ADMIN, "SN")
    assert "team workspace for SN" in team.replies()[-1]
    assert (await workspaces.get(team.desk.db, GROUP)).countries == ("SN",)
    team.command(ADMIN, "/workspace")
    await team.settle()
    assert "is the team workspace for SN" in team.replies()[-1]
    team.command(ADMIN, "/workspace off")
    await team.settle()
    assert "no longer a workspace" in team.replies()[-1]
    assert await workspaces.get(team.desk.db, GROUP) is None


async def test_a_non_admin_cannot_bind(team: Team) -> None:
    team.command(SN_V1, "/workspace SN")
    await team.settle()
    assert "Only the bot's admins" in team.replies()[-1]
    assert await workspaces.get(team.desk.db, GROUP) is None


async def test_a_group_without_topics_is_told_to_turn_them_on(team: Team) -> None:
    team.fake.set_forum(GROUP, False)
    await team.bind(ADMIN)
    assert "turn on Topics" in team.replies()[-1]
    assert await workspaces.get(team.desk.db, GROUP) is None


@pytest.mark.parametrize(("right", "name"), [("can_manage_topics", "Manage topics"),
                                             ("can_pin_messages", "Pin messages")])
async def test_a_missing_right_is_named(team: Team, right: str, name: str) -> None:
    team.fake.set_rights(GROUP, **{right: False})
    await team.bind(ADMIN)
    assert f"“{name}”" in team.replies()[-1]
    assert await workspaces.get(team.desk.db, GROUP) is None


async def test_a_migrated_group_keeps_its_binding(team: Team) -> None:
    await team.bind(ADMIN)
    new = -1009999999999
    team.fake.forum(new)
    team.desk._track(team.fake.user_message(ADMIN, "", chat_type="supergroup", chat_id=GROUP,
                                            migrate_to_chat_id=new))
    await team.settle()
    assert await workspaces.get(team.desk.db, GROUP) is None
    assert (await workspaces.get(team.desk.db, new)).countries == ("SN",)
    case_id = await french_case(team.desk, Team(team.desk, new))
    assert team.fake.topic_of_case(new, case_id) is not None


# -- a case's life ----------------------------------------------------------------------------
async def test_a_case_lives_in_its_topic_from_claim_to_close(team: Team) -> None:
    desk = team.desk
    await team.bind(ADMIN)
    case_id = await french_case(desk, team)
    topic = team.topic(case_id)
    assert topic.name.startswith(f"#{case_id} · SN · fr · ") and len(topic.name) <= 128
    card = team.card(case_id)
    assert card["message_id"] in topic.pinned
    assert "unclaimed" in card["text"] and "awa_private" not in str(card)
    assert "Bonjour, j'ai besoin d'aide" in team.topic_texts(case_id)  # copied, in order
    assert team.topic_texts(case_id).index("Bonjour, j'ai besoin d'aide") > 0
    assert desk.notifications and await desk.notifications(case_id) == []  # not private

    team.press(SN_V1, f"w:claim:{case_id}")
    await team.settle()
    assert (await desk.case(case_id)).volunteer_id == SN_V1
    assert "claimed by Fatou" in team.card(case_id)["text"]
    assert str(topic.icon) == "5417915203100613993"  # 💬 claimed
    assert any("Fatou" in text for text in desk.texts(PERSON))

    team.write(SN_V1, topic.thread_id, "Bonjour Awa, quel est votre problème ?")
    team.write(SN_V2, topic.thread_id, "Je pense que c'est un cas urgent")  # a note
    await team.settle()
    to_person = desk.texts(PERSON)
    assert any("Fatou" in t and "quel est votre problème" in t for t in to_person)
    assert not any("urgent" in t for t in to_person)
    assert not any("fatou" in t.lower() and "@" in t for t in to_person)
    reactions = [c for c in team.fake.calls if c.method == "setMessageReaction"
                 and c.chat_id == GROUP]
    assert len(reactions) == 1
    kinds = [m["direction"] for m in await cases.messages(desk.db, case_id)]
    assert kinds.count("note") == 1 and kinds.count("out") == 1

    desk.say(PERSON, "Mon enfant est né il y a deux mois", lang="fr")
    await team.settle()
    assert team.topic_texts(case_id)[-1] == "Mon enfant est né il y a deux mois"

    team.press(SN_V1, f"w:close:{case_id}")
    await team.settle()
    assert (await desk.case(case_id)).status == "closed"
    assert topic.closed and "closed" in team.card(case_id)["text"]

    desk.say(PERSON, "Encore une question", lang="fr")  # after close: a new, linked case
    await team.settle()
    new_id = await desk.open_case_of(PERSON)
    assert new_id != case_id and await cases.linked_to(desk.db, new_id) == case_id
    assert "Encore une question" in team.topic_texts(new_id)
    assert f"Follows case #{case_id}" in team.card(new_id)["text"]


async def test_two_claims_at_once_one_wins_the_other_is_told(team: Team) -> None:
    desk = team.desk
    await team.bind(ADMIN)
    case_id = await french_case(desk, team)
    team.press(SN_V1, f"w:claim:{case_id}")
    team.press(SN_V2, f"w:claim:{case_id}")
    await team.settle()
    assert (await desk.case(case_id)).volunteer_id == SN_V1
    answers = [c.params.get("text", "") for c in team.fake.calls
               if c.method == "answerCallbackQuery" and c.ok]
    assert f"You claimed case #{case_id}." in answers
    assert f"Case #{case_id} is already claimed by Fatou." in answers
    audit = [action for action, _ in await desk.audit(case_id)]
    assert audit.count("taken") == 1


async def test_a_reader_who_is_not_a_volunteer_is_refused(team: Team) -> None:
    desk = team.desk
    await team.bind(ADMIN)
    case_id = await french_case(desk, team)
    team.press(READER, f"w:claim:{case_id}")
    team.command(READER, "/note something", team.topic(case_id).thread_id)
    team.write(READER, team.topic(case_id).thread_id, "hello")
    await team.settle()
    assert (await desk.case(case_id)).status == "open"
    answers = [c.params.get("text", "") for c in team.fake.calls
               if c.method == "answerCallbackQuery" and c.ok]
    assert any("Only volunteers for SN" in a for a in answers)
    assert "Only volunteers for SN" in team.replies()[-1]
    assert await cases.messages(desk.db, case_id) != [] and not any(
        m["direction"] == "note" for m in await cases.messages(desk.db, case_id))


async def test_release_and_transfer_from_the_card(team: Team) -> None:
    desk = team.desk
    await team.bind(ADMIN)
    case_id = await french_case(desk, team)
    team.press(SN_V1, f"w:claim:{case_id}")
    await team.settle()
    team.press(SN_V2, f"w:release:{case_id}")  # not the claimer
    await team.settle()
    assert (await desk.case(case_id)).volunteer_id == SN_V1
    team.press(SN_V1, f"w:transfer:{case_id}")
    await team.settle()
    team.press(SN_V1, f"w:to:{case_id}:{SN_V2}")
    await team.settle()
    assert (await desk.case(case_id)).volunteer_id == SN_V2
    assert "claimed by Moussa" in team.card(case_id)["text"]
    team.press(SN_V2, f"w:release:{case_id}")
    await team.settle()
    assert (await desk.case(case_id)).status == "open"
    assert "unclaimed" in team.card(case_id)["text"]


async def test_a_country_without_workspace_keeps_private_mediation(team: Team) -> None:
    desk = team.desk
    await team.bind(ADMIN, "KG")
    case_id = await french_case(desk, team)
    assert team.fake.topic_of_case(GROUP, case_id) is None
    assert await desk.notifications(case_id)  # the SN volunteers were notified privately
