"""A community member's journey through the real Application, in several languages.

Each test drives the running bot over the fake Bot API the way a person does: commands,
typed answers and button presses found by their label, then reads what the person sees.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from chat_driver import (
    Person,
    assert_presses_answered,
    long_paragraphs,
    unthrottle,
    write_test_flows,
)

from bot.i18n import LANGUAGES, format_day, gettext_for, language_name
from bot.services.texts import PRIVACY_NOTICE
from bot.tg.markup import MAX_MESSAGE
from bot.tg.render import RLM

Chat = Callable[..., Awaitable[Person]]


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


@pytest.fixture
def extra_flows(tmp_path: Path) -> Path:
    return write_test_flows(tmp_path / "flows")


def chosen(seen: Any, label: str) -> None:
    """The pressed question was edited to show the answer, and lost its buttons."""
    edits = seen.of("editMessageText")
    assert edits and edits[0].params["text"].endswith(f"→ <b>{label}</b>"), seen.calls
    assert "reply_markup" not in edits[0].params


async def test_russian_from_telegram_language_to_the_end_summary(chat: Chat, fake_api) -> None:
    me = await chat(lang="ru")
    _ = gettext_for("ru")
    seen = await me.send("/start")
    welcome, notice = seen.texts[0].split("\n\n")
    assert welcome == _("Welcome to Passerelle! I guide you step by step through official "
                        "procedures, in your language. Volunteers can help when you are stuck.")
    assert notice == _(PRIVACY_NOTICE).format(days=90)  # what is kept, who sees it, /forget
    assert seen.texts[1] == _("Which country do you need help with?")
    assert "Казахстан" in seen.buttons() and "Английский" not in seen.buttons()

    seen = await me.click("Казахстан")
    assert _("Procedures in {country}").format(country="Казахстан") in seen.text
    seen = await me.click("Регистрация рождения ребёнка")
    assert "как можно скорее" in seen.text and "SMS" in seen.texts[-1]
    seen = await me.click("Нет или не знаю")
    assert "Когда родился ребёнок?" in seen.texts[-1]

    born = date.today() - timedelta(days=10)
    seen = await me.send(born.strftime("%d.%m.%Y"))
    assert seen.texts == ["Какие документы у родителей?"]
    chosen(await me.click("Оба граждане Казахстана"), "Оба граждане Казахстана")
    seen = await me.click(_("Yes"))
    chosen(seen, _("Yes"))
    assert "Какие документы у вас есть?" in seen.texts[-1]

    seen = await me.click("☐ Медицинское свидетельство о рождении")
    assert [c.method for c in seen.calls if c.method != "answerCallbackQuery"] == [
        "editMessageReplyMarkup"]
    assert "☑ Медицинское свидетельство о рождении" in seen.buttons()
    seen = await me.click(_("✅ Done"))
    chosen(seen, "Медицинское свидетельство о рождении")  # what was ticked, not "Done"
    assert _("Still missing") in seen.text and "Свидетельство о браке" in seen.text

    seen = await me.click("В ЗАГСе")
    assert "ЗАГС" in seen.text and _("Your answers") in seen.text
    seen = await me.send("/back")
    assert seen.texts == ["Где вы подадите заявление?"]
    seen = await me.click("В ЦОНе")
    chosen(seen, "В ЦОНе")
    # the last message offers follow-ups (tests/e2e/test_followups_e2e.py); before it, the end:
    # over 500 characters, so "Still missing" comes as a message of its own (G12)
    assert seen.texts[-2].startswith(_("Still missing"))
    summary = seen.texts[-3]
    assert "Центр обслуживания населения" in summary
    assert f"Дата рождения ребёнка: {format_day(born, 'ru')}" in summary
    end = seen.of("sendMessage")[-2].params["reply_markup"]["inline_keyboard"]
    assert _("🔄 Start again") in [b["text"] for row in end for b in row]
    assert seen.buttons() == [_("Yes, write to me"), _("No, thanks")]
    assert_presses_answered(fake_api, me.presses)


async def test_arabic_is_right_to_left_and_reaches_the_end(chat: Chat, fake_api) -> None:
    me = await chat(lang="ar")
    _ = gettext_for("ar")
    await me.send("/start")
    seen = await me.click("لبنان")
    assert _("Procedures in {country}").format(country="لبنان") in seen.text
    seen = await me.click("عاملات وعمّال المنازل المهاجرون: الوضع القانوني والمساعدة")
    question = seen.of("sendMessage")[-1].params["text"]
    assert all(line.startswith(RLM) for line in question.split("\n") if line)
    await me.click("نعم، أنا بأمان")
    seen = await me.click("أوراقي نظامية وأريد معلومات")
    assert "صاحب العمل هو من" in seen.text
    for item in ("جواز السفر", "إجازة العمل", "بطاقة الإقامة", "نسخة من عقد العمل"):
        await me.click("☐ " + item)
    await me.click(_("✅ Done"))
    seen = await me.click("نعم")
    assert "هذا ملخّص وضعكِ" in seen.text and _("Your answers") in seen.text
    assert_presses_answered(fake_api, me.presses)


async def test_chinese_chosen_in_the_language_picker(chat: Chat, fake_api) -> None:
    me = await chat(lang="de")  # a language we do not offer: the picker comes first
    seen = await me.send("/start")
    assert len(seen.texts) == 1 and seen.buttons() == [language_name(x) for x in LANGUAGES]
    seen = await me.click("中文 (简体)")
    _ = gettext_for("zh_Hans")
    assert seen.texts[0] == _("Language: {language}").format(language="中文 (简体)")
    assert seen.texts[-1] == _("Which country do you need help with?")
    assert seen.of("editMessageReplyMarkup")  # the picker's buttons are gone
    await me.click("中国")
    seen = await me.click("新生儿出生登记（上户口）")
    assert "孩子是哪天出生的" in seen.texts[-1]
    seen = await me.send((date.today() - timedelta(days=3)).strftime("%d.%m.%Y"))
    await me.click("有")
    seen = await me.send("/restart")
    assert "孩子是哪天出生的" in seen.texts[-1]
    seen = await me.send("/menu")
    assert _("Procedures in {country}").format(country="中国") in seen.text
    assert_presses_answered(fake_api, me.presses)


async def test_wolof_then_french_mid_flow_and_help(chat: Chat, fake_api) -> None:
    me = await chat(lang="wo")
    await me.send("/start")
    await me.click("Senegaal")
    await me.click("Kàrt d'identité biométrique CEDEAO")
    seen = await me.send("30")
    assert "Lan nga bëgg def ?" in seen.text
    seen = await me.send("/help")
    assert seen.texts[0].startswith(gettext_for("wo")(
        "I guide you step by step through official procedures, in your language. When the "
        "steps are not enough, a volunteer can help you here."))
    assert "/forget" in seen.text and "/language" in seen.text
    seen = await me.send("/language")
    assert language_name("fr") in seen.buttons()
    seen = await me.click("Français")
    assert seen.texts[0] == gettext_for("fr")("Language: {language}").format(language="Français")
    assert "Que voulez-vous faire ?" in seen.texts[-1]  # the same step, now in French
    assert "Renouveler ma carte" in seen.buttons()
    seen = await me.send("/back")
    assert "Quel âge a la personne" in seen.texts[-1]
    assert_presses_answered(fake_api, me.presses)


async def test_commands_outside_a_procedure(chat: Chat) -> None:
    me = await chat(lang="fr")
    _ = gettext_for("fr")
    await me.send("/start")
    seen = await me.send("/back")
    assert seen.texts[0] == _("You are not in a procedure yet. Choose one:")
    assert seen.texts[1] == _("Which country do you need help with?")
    seen = await me.send("/restart")
    assert seen.texts[0] == _("You are not in a procedure yet. Choose one:")
    await me.click("Sénégal")
    seen = await me.send("/menu")
    assert "Carte d'identité biométrique CEDEAO" in seen.buttons()


async def test_deep_link_opens_the_procedure_directly(chat: Chat, fake_api) -> None:
    me = await chat(lang="fr")
    seen = await me.send("/start sn-id-card")
    assert seen.texts[0].startswith("Carte d'identité biométrique CEDEAO")
    assert "https://interieur.gouv.sn/" in seen.calls[0].params["text"]
    assert "Quel âge a la personne" in seen.texts[-1]
    stranger = Person(fake_api, me.runtime, 43, "de")  # no language yet: the flow's own
    seen = await stranger.send("/start sn-birth")
    assert seen.texts[0].startswith("Déclarer une naissance")
    seen = await stranger.send("/start no-such-flow")
    assert seen.buttons() == [language_name(x) for x in LANGUAGES]


async def test_procedures_are_paginated(chat: Chat, extra_flows: Path, fake_api) -> None:
    me = await chat(lang="fr", flows_dir=extra_flows)
    _ = gettext_for("fr")
    await me.send("/start")
    seen = await me.click("Sénégal")
    titles = {"Bourse de sécurité familiale et RNU",
              "Carte d'identité biométrique CEDEAO", "Déclarer une naissance", "Écho", "Long",
              "Naissance non déclarée après 1 an : le jugement du tribunal",
              "Soins de santé : CMU et carte d'égalité des chances", "Zz procédure a",
              "Zz procédure b", "Zz procédure c"}
    first = seen.buttons()
    assert len(titles & set(first)) == 6
    assert _("Next ▶") in first and _("◀ Previous") not in first
    assert _("Page {page} of {pages}").format(page=1, pages=2) in seen.text
    page_message = me.message_with(_("Next ▶"))
    seen = await me.click(_("Next ▶"))
    edit = seen.of("editMessageText")[0]
    assert edit.params["message_id"] == page_message and not seen.of("sendMessage")
    assert _("◀ Previous") in seen.buttons() and _("Next ▶") not in seen.buttons()
    assert titles & set(seen.buttons()) == titles - set(first)
    seen = await me.click(_("◀ Previous"))
    assert seen.buttons() == first
    await me.click(_("Next ▶"))  # the Zz flows sort after the six shipped and test ones
    seen = await me.click("Zz procédure a")
    assert "Fin a." in seen.text
    assert_presses_answered(fake_api, me.presses)


async def test_a_place_with_coordinates_is_also_a_venue(chat: Chat, extra_flows: Path) -> None:
    me = await chat(lang="fr", flows_dir=extra_flows)
    seen = await me.send("/start e2e-echo")
    assert "Quel est votre nom ?" in seen.texts[-1]
    seen = await me.send("Awa")
    methods = [c.method for c in seen.calls]
    assert methods == ["sendMessage", "sendVenue", "sendMessage"]
    venue = seen.of("sendVenue")[0].params
    assert (venue["latitude"], venue["longitude"]) == (14.6937, -17.4441)
    assert venue["title"] == "Mairie de test" and venue["address"] == "1 rue du Test, Dakar"
    assert "📍 Mairie de test" in seen.texts[0] and "C'est fini, Awa." in seen.texts[1]


async def test_long_texts_are_split_at_paragraphs(chat: Chat, extra_flows: Path) -> None:
    me = await chat(lang="fr", flows_dir=extra_flows)
    seen = await me.send("/start e2e-long")
    parts = [c.params["text"] for c in seen.of("sendMessage")[1:]]
    assert len(parts) >= 2 and all(len(p) <= MAX_MESSAGE for p in parts)
    paragraphs = long_paragraphs()
    for paragraph in paragraphs:  # never cut inside a paragraph
        assert sum(paragraph in part for part in parts) == 1, paragraph[:30]
    assert "\n\n".join(parts) == "\n\n".join([*paragraphs, "Compris ?"])
    assert "reply_markup" in seen.of("sendMessage")[-1].params
    assert all("reply_markup" not in c.params for c in seen.of("sendMessage")[:-1])
    seen = await me.click(gettext_for("fr")("Yes"))
    assert "Merci." in seen.text


async def test_an_unreviewed_translation_says_so_and_a_reviewed_one_does_not(
        chat: Chat) -> None:
    me = await chat(user_id=61, lang="zh-hans")  # cn-birth's zh_Hans carries a review note
    seen = await me.send("/start cn-birth")
    _ = gettext_for("zh_Hans")
    warning = _("This translation has not yet been checked by a native speaker. "
                "If something is unclear, a volunteer can help: /human")
    assert warning in seen.texts[0]
    english = await chat(user_id=62, lang="en")  # the English source has no review note
    seen = await english.send("/start cn-birth")
    assert "native speaker" not in seen.texts[0]


async def test_the_picker_offers_seventeen_languages_three_to_a_row(chat: Chat) -> None:
    me = await chat(user_id=63, lang="tl")  # Telegram's Tagalog code is our Filipino
    seen = await me.send("/language")
    rows = seen.calls[-1].params["reply_markup"]["inline_keyboard"]
    assert len(LANGUAGES) == 17 and [len(row) for row in rows] == [3, 3, 3, 3, 3, 2]
    names = [b["text"] for row in rows for b in row]
    assert {"Pulaar", "Тоҷикӣ", "O‘zbek", "Ўзбекча (Кирил)"} <= set(names)  # CLDR's own names
    assert seen.texts[0].startswith("🌐 ") and seen.texts[0].count(" / ") == 1
    seen = await me.click("Filipino")
    assert seen.texts[0] == gettext_for("fil")("Language: {language}").format(
        language="Filipino")
