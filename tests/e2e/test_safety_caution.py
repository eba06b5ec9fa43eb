"""The safety rule in the real bot: an office where people may be detained never shows alone.

Through the real Application and the fake Bot API, a person reaches an office marked
`risk: enforcement` (a `place` step, a checklist item got there, the end summary) and must
read its caution in the same message as the office, before its address; a person with no
legal route is never shown General Security at all (content review 2, G1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from chat_driver import Person, unthrottle

from bot.i18n import gettext_for

Chat = Callable[..., Awaitable[Person]]
GSO = "General Directorate of General Security"
GSO_CAUTION = "Risk of detention: General Security can detain, and sometimes deport"
KZ_POLICE = "Миграционная служба полиции"
KZ_CAUTION = "полиция может оштрафовать, задержать и выдворить из страны"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


def _all_texts(me: Person) -> list[str]:
    return [text for seen in me.history for text in seen.texts]


async def test_general_security_comes_with_its_caution_in_the_same_message(chat: Chat) -> None:
    me = await chat(lang="en")
    await me.send("/start lb-residency-syrian")
    for label in ("Yes, it is valid", "Yes", "No, only with UNHCR", "Stay in Lebanon and renew"):
        await me.click(label)
    seen = await me.click(gettext_for("en")("✅ Done"))
    [office] = [text for text in seen.texts if GSO in text]
    assert GSO_CAUTION in office  # with the office, in the same message ...
    assert office.index(GSO) < office.index(GSO_CAUTION) < office.index(
        "The General Security centre of your area")  # ... before its address
    assert "04 726111" in office  # the safer first contact
    every = _all_texts(me)
    # every message showing the office (not the sources list of the intro) has the caution
    bare = [text for text in every if f"📍 {GSO}" in text and GSO_CAUTION not in text]
    assert not bare, bare


async def test_no_legal_route_is_warned_and_never_shown_the_office(chat: Chat) -> None:
    me = await chat(lang="en")
    await me.send("/start lb-residency-syrian")
    for label in ("It has expired", "No, later or never", "After, not at an official crossing"):
        await me.click(label)
    seen = await me.click("Stay in Lebanon")
    assert "Do not go to General Security yourself" in seen.text
    assert "can be deported" in seen.text
    assert not any(f"📍 {GSO}" in text for text in _all_texts(me))


async def test_a_missing_paper_got_at_the_police_carries_the_caution(chat: Chat) -> None:
    """kz-stateless in Russian: after the checklist, in the place step and in the summary."""
    me = await chat(lang="ru")
    _ = gettext_for("ru")
    await me.send("/start kz-stateless")
    for label in ("Нет гражданства или нет документов", "Узнать, как подать ходатайство",
                  "Для себя (мне 18 или больше)"):
        await me.click(label)
    seen = await me.click(_("✅ Done"))
    [missing] = [t for t in seen.texts if "Справка об отпечатках пальцев" in t]
    assert KZ_CAUTION in missing
    assert missing.index("Справка об отпечатках пальцев") < missing.index(KZ_CAUTION)
    [office] = [t for t in seen.texts if f"📍 {KZ_POLICE}" in t]
    assert KZ_CAUTION in office[office.index(f"📍 {KZ_POLICE}"):]  # again, with the office
    seen = await me.click("Пока не нужна")
    start = next(i for i, t in enumerate(seen.texts) if t.startswith("Ниже ваша ситуация"))
    # the end passes 500 characters, so "Still missing" is a message of its own (G12)
    assert seen.texts[start + 1].startswith(_("Still missing"))
    summary = "\n\n".join(seen.texts[start:start + 2])
    assert KZ_CAUTION in summary
    assert summary.count(KZ_CAUTION) == 1  # once, under the item got there
