"""Everything that is not what the bot asked for: a short, clear answer, no crash, no loss."""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from chat_driver import Person, assert_presses_answered, unthrottle, write_test_flows
from fakebotapi import FakeBotAPI

from bot.i18n import gettext_for
from bot.tg.render import invalid_hint

Chat = Callable[..., Awaitable[Person]]
_ = gettext_for("fr")
ONLY_TEXT = _("I can only read text here.")
EARLIER = _("This button is from an earlier step. Here is where you are now.")
BROKEN = _("This button no longer works. Here is where you are.")
_message_ids = itertools.count(90_001)


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


@pytest.fixture
def chat(start_bot: Callable[..., Any], fake_api: FakeBotAPI) -> Chat:
    async def make(user_id: int = 42, lang: str = "fr", **settings: Any) -> Person:
        return Person(fake_api, await start_bot(**settings), user_id, lang)

    return make


async def at_age_question(chat: Chat, **settings: Any) -> Person:
    me = await chat(**settings)
    seen = await me.send("/start sn-id-card")
    assert "Quel âge a la personne" in seen.texts[-1]
    return me


def media(me: Person, content: dict[str, Any]) -> Callable[[], int]:
    """An update carrying ``content`` (voice, document…) as the person's new message."""
    message = {"message_id": next(_message_ids), "date": int(time.time()),
               "from": {"id": me.user_id, "is_bot": False, "first_name": "Awa",
                        "language_code": me.lang},
               "chat": {"id": me.user_id, "type": "private", "first_name": "Awa"}, **content}
    return lambda: me.fake.inject({"message": message})


VOICE = {"voice": {"file_id": "AwACAgIAAxk-voice", "file_unique_id": "AgADvoice", "duration": 3,
                   "mime_type": "audio/ogg"}}
DOCUMENT = {"document": {"file_id": "BQACAgIAAxk-doc", "file_unique_id": "AgADdoc",
                         "file_name": "passeport.pdf", "mime_type": "application/pdf"}}


async def test_media_where_text_was_expected_says_what_is_expected(chat: Chat) -> None:
    me = await at_age_question(chat)
    fake = me.fake
    expected = f"{ONLY_TEXT} {invalid_hint(_, 'number')}"
    for inject in (lambda: fake.sticker(42, lang="fr"), lambda: fake.photo(42, "mon âge"),
                   media(me, VOICE), media(me, DOCUMENT),
                   lambda: fake.location(42, 14.69, -17.44, lang="fr")):
        seen = await me.do(inject)
        assert seen.texts == [expected]
    seen = await me.send("30")  # nothing was lost: the question is still waiting
    assert "Que voulez-vous faire ?" in seen.texts[-1]
    seen = await me.do(lambda: fake.sticker(42, lang="fr"))
    assert seen.texts == [f"{ONLY_TEXT} {invalid_hint(_, 'choice')}"]
    stranger = Person(fake, me.runtime, 43, "fr")  # in no procedure
    seen = await stranger.do(lambda: fake.sticker(43, lang="fr"))
    assert seen.texts == [f"{ONLY_TEXT} {_('Choose a procedure with /menu, or write /help.')}"]


async def test_text_over_4096_characters_is_refused_and_the_step_stays(chat: Chat) -> None:
    me = await at_age_question(chat)
    seen = await me.send("7" * 5000)  # Telegram clients can't, but the Bot API can carry it
    assert seen.texts == [_("That message is too long ({count} characters). Please send at "
                            "most {limit}.").format(count=5000, limit=4096)]
    seen = await me.send("30")
    assert "Que voulez-vous faire ?" in seen.texts[-1]


async def test_unknown_commands_are_answered(chat: Chat) -> None:
    me = await at_age_question(chat)
    for command in ("/foo", "/Start_now", "/rapport@passerelle_test_bot"):
        seen = await me.send(command)
        assert seen.texts == [_("I don't know that command. /help lists what I can do.")], command
    seen = await me.send("30")
    assert "Que voulez-vous faire ?" in seen.texts[-1]


async def test_forged_and_stale_buttons_are_answered_then_the_step_is_shown(chat: Chat) -> None:
    me = await at_age_question(chat)
    await me.send("30")
    question = me.message_with("Renouveler ma carte")
    for data, answer in (("zz", BROKEN), ("f:x:1", BROKEN), ("f:99:1", EARLIER),
                         ("n:explode", BROKEN), ("s:" + "é" * 20, BROKEN), ("f:0:0", EARLIER)):
        seen = await me.press(question, data)
        assert [a.params.get("text") for a in seen.answers] == [answer], data
        assert "Que voulez-vous faire ?" in seen.texts[-1], data
        assert "Renouveler ma carte" in seen.buttons()
    seen = await me.click("Renouveler ma carte")
    assert "Renouvellement" in seen.texts[-1]
    seen = await me.press(question, "f:2:2")  # the same old question, another option
    assert [a.params.get("text") for a in seen.answers] == [EARLIER]
    assert "Renouvellement" in seen.texts[-1]  # where the person really is
    seen = await me.press(question, "s:no-such-flow")  # a menu button naming nothing
    assert len(seen.answers) == 1
    assert_presses_answered(me.fake, me.presses)


async def test_old_buttons_without_a_procedure_lead_to_the_menu(chat: Chat) -> None:
    me = await chat()
    await me.send("/start")
    seen = await me.press(me.message_with("Sénégal"), "f:3:1")
    assert [a.params.get("text") for a in seen.answers] == [EARLIER]
    assert seen.texts == [_("Which country do you need help with?")]


async def test_edited_messages_are_not_taken_as_answers(chat: Chat) -> None:
    me = await at_age_question(chat)
    await me.send("abc")  # refused: not a number
    typed = max(m for (c, m), msg in me.fake.messages.items()
                if c == 42 and msg["from"]["id"] == 42)
    seen = await me.do(lambda: me.fake.edited_message(42, typed, "30"))
    assert seen.texts == [_("I only read new messages, not edits. If you want to change an "
                            "answer, send it again.") + " " + invalid_hint(_, "number")]
    session = await me.runtime.db.fetchone("SELECT data FROM sessions WHERE chat_id = 42")
    assert '"step": "age"' in session["data"]


async def test_a_person_who_blocked_the_bot_causes_no_retry_storm(chat: Chat) -> None:
    me = await at_age_question(chat)
    fake = me.fake
    fake.block(42)
    seen = await me.send("/start sn-id-card")  # two messages owed after they blocked the bot
    assert [c.status for c in seen.calls] == [403]  # one refusal; the rest is dropped
    rows = await me.runtime.db.fetchall("SELECT status FROM outbox WHERE chat_id = 42"
                                        " AND status NOT IN ('sent')")
    assert [r["status"] for r in rows] == ["dropped", "dropped"]  # nothing left to retry
    assert await me.runtime.db.fetchone("SELECT 1 FROM blocked_chats WHERE chat_id = 42")
    seen = await me.send("/help")  # a new message from them: one more try, one refusal
    assert [c.status for c in seen.calls] == [403]
    fake.unblock(42)
    seen = await me.send("/help")  # they came back: the bot works as before
    assert seen.texts and all(c.ok for c in seen.calls)
    seen = await me.send("30")
    assert "Que voulez-vous faire ?" in seen.texts[-1]


async def test_typed_text_is_html_escaped_where_it_is_echoed(chat: Chat, tmp_path: Path) -> None:
    me = await chat(flows_dir=write_test_flows(tmp_path / "flows"))
    await me.send("/start e2e-echo")
    typed = "<b>x</b> & **y** <script>"
    seen = await me.send(typed)
    raw = seen.of("sendMessage")[-1].params["text"]
    shown = seen.texts[-1].replace("* *", "**")  # typed ** is defused, never made bold
    assert f"C'est fini, {typed}." in shown  # shown as typed, not as markup
    assert f"Nom\u00a0: {typed}" in shown
    assert "&lt;b&gt;x&lt;/b&gt; &amp;" in raw and "&lt;script&gt;" in raw
    assert "<b>y</b>" not in raw and "<script>" not in raw
