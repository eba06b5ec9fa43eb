"""Uzbek in Kyrgyzstan: the Cyrillic script first (content-review-2 G6), one tap back to Latin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from chat_driver import Person, unthrottle

from bot.i18n import gettext_for, language_name

Chat = Callable[..., Awaitable[Person]]


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


async def test_an_uzbek_speaker_choosing_kyrgyzstan_gets_cyrillic_first_and_can_switch(
        chat: Chat) -> None:
    me = await chat(user_id=71, lang="uz")
    seen = await me.send("/start")
    assert seen.texts[0].startswith("Passerelle ga xush kelibsiz!")
    seen = await me.click("Qirgʻiziston")  # the country picker in Latin Uzbek
    cyrillic = gettext_for("uz_Cyrl")
    assert cyrillic("Language: {language}").format(language="Ўзбекча (Кирил)") in seen.texts
    assert "Боланинг туғилишини рўйхатдан ўтказиш" in seen.text  # kg-birth's title, Cyrillic
    assert "O‘zbek" in [b["text"] for c in seen.calls if c.params.get("reply_markup")
                        for row in c.params["reply_markup"]["inline_keyboard"] for b in row]

    seen = await me.click("O‘zbek")  # back to the Latin script, and it stays
    assert gettext_for("uz")("Language: {language}").format(language="O‘zbek") in seen.texts
    assert "Bolaning tugʻilishini roʻyxatdan oʻtkazish" in seen.text
    seen = await me.send("/menu")
    assert "Bolaning tugʻilishini roʻyxatdan oʻtkazish" in seen.text


async def test_a_deep_link_into_a_kyrgyz_flow_opens_it_in_cyrillic_with_the_honesty_line(
        chat: Chat) -> None:
    me = await chat(user_id=72, lang="uz")
    seen = await me.send("/start kg-stateless")
    cyrillic = gettext_for("uz_Cyrl")
    assert "Фуқаролиги ёки ҳужжати йўқ одамлар учун ҳужжат олиш" in seen.text
    assert cyrillic("This translation has not yet been checked by a native speaker. "
                    "If something is unclear, a volunteer can help: /human") in seen.text


async def test_other_languages_and_countries_keep_their_language(chat: Chat) -> None:
    me = await chat(user_id=73, lang="ru")
    await me.send("/start")
    seen = await me.click("Кыргызстан")
    assert not any(t.startswith(gettext_for("ru")("Language: {language}")[:5]) for t in seen.texts)
    assert language_name("ru") not in seen.buttons()
