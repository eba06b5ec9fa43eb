"""bot/engine/cldr.json is Babel's CLDR data, never typed by hand: regenerating it gives the
same file (run `python -m bot.cldr_export` after a Babel upgrade or a new language)."""

from __future__ import annotations

import json

import babel
import pytest

from bot import cldr_export


def test_the_committed_cldr_table_is_what_babel_gives() -> None:
    committed = cldr_export.OUTPUT.read_text(encoding="utf-8")
    made_with = json.loads(committed)["babel_version"]
    if made_with != babel.__version__:  # another CLDR release may word a pattern differently
        pytest.skip(f"cldr.json was made with Babel {made_with}, this is {babel.__version__}: "
                    "run python -m bot.cldr_export to compare")
    assert committed == cldr_export.build(), (
        "bot/engine/cldr.json is out of date: run python -m bot.cldr_export")


def test_the_table_covers_every_shipped_and_upcoming_language() -> None:
    assert {"en", "fr", "ru", "kk", "ky", "ar", "zh_Hans", "wo", "am", "bn", "ne", "si", "fil",
            "uz", "uz_Cyrl", "ff", "tg"} <= set(cldr_export.LANGUAGES)


def test_check_mode_says_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    if json.loads(cldr_export.OUTPUT.read_text(encoding="utf-8"))["babel_version"] != (
            babel.__version__):
        pytest.skip("another Babel version")
    assert cldr_export.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out
