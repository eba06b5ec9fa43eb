"""Wording fixed after content-review-2 (G15, G19) stays fixed in the UI catalogues."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot import i18n
from bot.engine.scripts import script_problems

# Strings said to the person being helped (not to volunteers or admins): in Arabic they avoid
# the masculine singular imperative, since the people served in Lebanon are mostly women
# domestic workers (G19): "يُرجى" + a verbal noun, or a form that is the same for both.
PERSON_FACING = (
    "Choose your language", "Choose a country:", "Bring with you", "Bring:",
    "Please answer the question above.", "Please type a number, for example 3.",
    "Please type your answer as a message.",
    "Tick what you have with the buttons, then press Done.",
    "What blocked you? Choose all that apply, then press Done.",
    "Which country do you need help with?", "Start the procedure again", "🔄 Start again",
    "Type an item's number to tick or untick it, or /done when finished.",
    "Rules and fees change: check with the office before you go.",
    "I did not find a procedure for that. Choose one from the menu, or write /human to ask a "
    "volunteer.",
)
MASCULINE_IMPERATIVES = re.compile(
    r"(?:^|\s|«)(?:اختر|اكتب|أحضر|اضغط|ابدأ|تحدث|أجب|حدّد|تأكد)(?:\s|$|»)")


@pytest.mark.parametrize("msgid", PERSON_FACING)
def test_arabic_addresses_women_and_men_alike(msgid: str) -> None:
    text = i18n.translator("ar").gettext(msgid)
    assert text != msgid and not MASCULINE_IMPERATIVES.search(text), text


def test_every_catalogue_writes_slash_done_like_the_source() -> None:
    msgid = "Type an item's number to tick or untick it, or /done when finished."
    for lang in i18n.LANGUAGES:
        assert "/done" in i18n.translator(lang).gettext(msgid), lang


def test_review_items_stay_fixed() -> None:
    assert i18n.translator("kk").gettext("Cancel") == "Болдырмау"
    wo = i18n.translator("wo").gettext
    assert wo("Missing") == wo("Still missing") == "Li des"
    assert "flow bi" not in wo("(the flow goes on)")
    progress = ("Your question is now with the volunteers (case #{id}). A volunteer usually "
                "answers within a few hours, sometimes the next day. You can keep writing "
                "here: your messages are added to the case. Your progress is saved.")
    assert "Jarayondagi holatingiz saqlandi" in i18n.translator("uz").gettext(progress)
    assert "Жараёндаги ҳолатингиз сақланди" in i18n.translator("uz_Cyrl").gettext(progress)
    assert "እድገት" not in i18n.translator("am").gettext(progress)


@pytest.mark.parametrize("lang", ["uz", "uz_Cyrl"])
def test_uzbek_uses_the_flows_apostrophes_and_one_script(lang: str) -> None:
    """ʻ and ʼ as in the flow files (G15); no Cyrillic word in Latin Uzbek and no Latin word
    in Cyrillic Uzbek, commands, placeholders and examples apart."""
    with (i18n.LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    for message in catalog:
        if message.id and message.string:
            assert "‘" not in message.string and "’" not in message.string, message.string
            assert not script_problems(lang, message.string), message.string
