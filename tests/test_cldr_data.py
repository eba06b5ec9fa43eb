"""bot/engine/cldr.json is Babel's CLDR data, never typed by hand: regenerating it gives the
same file (run `python -m bot.cldr_export` after a Babel upgrade or a new language)."""

from __future__ import annotations

from bot import cldr_export


def test_the_committed_cldr_table_is_what_babel_gives() -> None:
    assert cldr_export.OUTPUT.read_text(encoding="utf-8") == cldr_export.build(), (
        "bot/engine/cldr.json is out of date: run python -m bot.cldr_export")


def test_the_table_covers_every_shipped_and_upcoming_language() -> None:
    assert {"en", "fr", "ru", "kk", "ky", "ar", "zh_Hans", "wo", "am", "bn", "ne", "si", "fil",
            "uz"} <= set(cldr_export.LANGUAGES)
