"""UI catalogues: complete for every language, faithful to the placeholders, compiled from .po.

The msgids are extracted from the current source (as `pybabel extract` does), so a string added
to the code fails these tests until the catalogues are updated and translated (docs/i18n.md).
"""

from __future__ import annotations

import gettext
import string
from functools import cache
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot import i18n
from bot.engine.inputs import parse_yes_no

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_LANGUAGES = tuple(lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT_LANGUAGE)

# One known string per language: proves the runtime reads the catalogue, not just the file.
KNOWN = {
    "fr": ("Case #{id} is closed.", "Le dossier #{id} est clos."),
    "ru": ("Case #{id} is closed.", "Обращение #{id} закрыто."),
    "ar": ("Case #{id} is closed.", "تم إغلاق الطلب #{id}."),
    "zh_Hans": ("Case #{id} is closed.", "求助单 #{id} 已关闭。"),
    "kk": ("Case #{id} is closed.", "#{id} өтініш жабылды."),
    "ky": ("Case #{id} is closed.", "#{id} кайрылуу жабылды."),
    "wo": ("Case #{id} is closed.", "Laaj #{id} tëju na."),
    "am": ("Case #{id} is closed.", "ጉዳይ #{id} ተዘግቷል።"),
    "bn": ("Case #{id} is closed.", "কেস #{id} বন্ধ হয়েছে।"),
    "ne": ("Case #{id} is closed.", "केस #{id} बन्द भयो।"),
    "si": ("Case #{id} is closed.", "ඉල්ලීම #{id} වසා දැමුවා."),
    "fil": ("Case #{id} is closed.", "Sarado na ang kaso #{id}."),
    "uz": ("Case #{id} is closed.", "#{id} murojaat yopildi."),
    "uz_Cyrl": ("Case #{id} is closed.", "#{id} мурожаат ёпилди."),
    "ff": ("Case #{id} is closed.", "Dosiyee #{id} uddaama."),
    "tg": ("Case #{id} is closed.", "Муроҷиати #{id} баста шуд."),
}


@cache
def source_msgids() -> frozenset[str]:
    """Every UI string in bot/, found the way `pybabel extract -F babel.cfg` finds them."""
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse(handle)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "bot"), method_map, options_map, keywords=DEFAULT_KEYWORDS):
        found.update(message if isinstance(message, tuple) else (message,))
    return frozenset(found)


@cache
def catalogue(lang: str) -> Catalog:
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def placeholders(text: str) -> list[tuple[str, str, str | None]]:
    """The `{name:spec}` fields of a str.format template (raises on unbalanced braces)."""
    return sorted((name, spec or "", conversion)
                  for _literal, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None)


def test_the_source_has_ui_strings() -> None:
    assert "Choose your language" in source_msgids()  # marked with N_(), read elsewhere
    assert len(source_msgids()) > 150


def test_the_template_is_up_to_date() -> None:
    with (ROOT / "locales" / "messages.pot").open("rb") as handle:
        template = {message.id for message in read_po(handle) if message.id}
    assert sorted(source_msgids() - template) == [], "run the extract command in docs/i18n.md"


@pytest.mark.parametrize("lang", CATALOGUE_LANGUAGES)
def test_every_source_string_is_translated(lang: str) -> None:
    messages = catalogue(lang)
    untranslated = []
    for msgid in sorted(source_msgids()):
        message = messages.get(msgid)
        if message is None or not message.string or message.fuzzy:
            untranslated.append(msgid)
    assert untranslated == [], f"{lang}: update and translate (docs/i18n.md)"


@pytest.mark.parametrize("lang", CATALOGUE_LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    wrong = [message.id for message in catalogue(lang)
             if message.id and message.string
             and placeholders(message.id) != placeholders(message.string)]
    assert wrong == []


@pytest.mark.parametrize("lang", CATALOGUE_LANGUAGES)
def test_translations_keep_commands_and_leading_emoji(lang: str) -> None:
    for message in catalogue(lang):
        if not message.id or not message.string:
            continue
        commands = sorted(w.strip(".,:;()") for w in message.id.split() if w.startswith("/"))
        assert all(c in message.string for c in commands), message.id
        if not message.id[0].isascii():
            assert message.string[0] == message.id[0], message.id


@pytest.mark.parametrize("lang", CATALOGUE_LANGUAGES)
def test_the_runtime_translator_serves_the_catalogue(lang: str) -> None:
    msgid, expected = KNOWN[lang]
    assert i18n.translator(lang).gettext(msgid) == expected
    assert i18n.gettext_for(lang)(msgid).format(id=7) == expected.format(id=7)


def test_english_is_the_source_language() -> None:
    translator = i18n.translator("en")
    assert type(translator) is gettext.NullTranslations
    assert translator.gettext("Case #{id} is closed.") == "Case #{id} is closed."
    assert not (ROOT / "locales" / "en").exists()


@pytest.mark.parametrize("lang", CATALOGUE_LANGUAGES)
def test_the_yes_no_buttons_read_as_typed_answers(lang: str) -> None:
    """Someone who types the word on the button gets the same answer as pressing it."""
    _ = i18n.gettext_for(lang)
    assert parse_yes_no(_("Yes"), (lang,)) is True
    assert parse_yes_no(_("No"), (lang,)) is False
    assert parse_yes_no(_("yes"), (lang,)) is True
    assert parse_yes_no(_("no"), (lang,)) is False


def test_the_po_file_is_compiled_and_a_stale_mo_is_ignored(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for name, text, writer in (("messages.po", "Oui", write_po),
                               ("messages.mo", "Oui (stale)", write_mo)):
        stale = Catalog(locale="fr")
        stale.add("Yes", text)
        with (folder / name).open("wb") as handle:
            writer(handle, stale)
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    assert i18n.translator.__wrapped__("fr").gettext("Yes") == "Oui"


def test_compiled_catalogues_are_git_ignored() -> None:
    assert "*.mo" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


@pytest.mark.parametrize(("lang", "name"), [
    ("en", "English"), ("fr", "Français"), ("ru", "Русский"), ("ar", "العربية"),
    ("kk", "Қазақ тілі"), ("ky", "Кыргызча"), ("wo", "Wolof"), ("am", "አማርኛ"),
    ("bn", "বাংলা"), ("ne", "नेपाली"), ("si", "සිංහල"), ("fil", "Filipino"), ("uz", "O‘zbek"),
    ("uz_Cyrl", "Ўзбекча (Кирил)"), ("ff", "Pulaar"), ("tg", "Тоҷикӣ"),
])
def test_language_names_come_from_cldr_in_the_language_itself(lang: str, name: str) -> None:
    assert i18n.language_name(lang) == name


def test_simplified_chinese_is_named_in_chinese() -> None:
    assert i18n.language_name("zh_Hans").startswith("中文")


@pytest.mark.parametrize(("code", "lang"), [
    ("zh-hans", "zh_Hans"), ("zh-Hans-CN", "zh_Hans"), ("zh", "zh_Hans"), ("zh-cn", "zh_Hans"),
    ("zh-tw", None), ("zh-hant", None), ("zh-HK", None),
    ("pt", None), ("pt-br", None), ("", None), (None, None),
    ("ru", "ru"), ("ru-RU", "ru"), ("fr_CA", "fr"), ("kk", "kk"), ("ky", "ky"), ("wo", "wo"),
    ("ar-EG", "ar"), ("en-US", "en"), ("tl", "fil"), ("fil", "fil"), ("uz", "uz"),
    ("am", "am"), ("bn-IN", "bn"), ("ne", "ne"), ("si", "si"),
    ("ff", "ff"), ("tg", "tg"), ("uz-Cyrl", "uz"),  # Telegram sends no script: Latin first
])
def test_match_language_maps_telegram_codes(code: str | None, lang: str | None) -> None:
    assert i18n.match_language(code) == lang


def test_the_new_languages_are_the_scripts_babel_means() -> None:
    """ff is Pulaar in the Latin script (CLDR's default, as written in Senegal), uz_Cyrl is
    Uzbek in Cyrillic, tg is Tajik: Babel parses each to what the catalogues are written in."""
    from babel import Locale
    assert Locale.parse("ff").display_name == "Pulaar"
    assert Locale.parse("ff").character_order == "left-to-right"  # Adlam would be ff_Adlm
    assert (Locale.parse("uz_Cyrl").language, Locale.parse("uz_Cyrl").script) == ("uz", "Cyrl")
    assert Locale.parse("tg").get_display_name("en") == "Tajik"


def test_match_language_only_offers_what_is_offered() -> None:
    assert i18n.match_language("zh-hans", offered=("en", "ru")) is None
    assert i18n.match_language("ru", offered=("en", "kk")) is None
