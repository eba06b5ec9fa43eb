"""The hint after a refused answer says what was wrong, in the person's language and date
format; "label: value" lines follow French spacing. The bot and the console share both."""

from __future__ import annotations

from bot.answer_hints import date_example, invalid_text, label_value
from bot.engine import events as ev
from bot.i18n import gettext_for
from bot.tg.render import render_events


def hint(event: ev.Invalid, lang: str = "en") -> str:
    return invalid_text(gettext_for(lang), event, lang)


def test_out_of_range_says_the_range_not_the_format() -> None:
    event = ev.Invalid("household", "integer", None, "out-of-range", 1, 30)
    assert hint(event) == "Please type a number between 1 and 30."


def test_a_non_date_is_not_told_it_is_in_the_future() -> None:
    assert hint(ev.Invalid("born", "date", None, "not-date")) == (
        "That is not a date. Please type it like 05/03/2026.")
    assert hint(ev.Invalid("born", "date", None, "future")) == (
        "The date cannot be in the future. Please check it.")


def test_a_fraction_for_a_count() -> None:
    assert hint(ev.Invalid("n", "integer", None, "not-integer")) == (
        "Please type a whole number, for example 4.")


def test_the_flow_retry_text_comes_after_a_value_problem_and_replaces_a_format_one() -> None:
    retry = "Écrivez un nombre de 1 à 30."
    assert hint(ev.Invalid("n", "integer", retry, "not-number"), "fr") == retry
    assert hint(ev.Invalid("n", "integer", retry, "out-of-range", 1, 30), "fr").endswith(retry)


def test_date_examples_in_each_language_format() -> None:
    assert date_example("ru") == "05.03.2026"
    assert date_example("kk") == "05.03.2026"
    assert date_example("fr") == "05/03/2026"
    assert date_example("zh_Hans") == "2026/3/5"
    assert date_example("wo") == "05-03-2026"
    assert date_example("en") == "05/03/2026"


def test_french_puts_a_no_break_space_before_the_colon() -> None:
    assert label_value("Adresse", "1 rue X", "fr") == "Adresse\u00a0: 1 rue X"
    assert label_value("Адрес", "ул. X", "ru") == "Адрес: ул. X"


def test_the_bot_end_summary_uses_the_same_spacing() -> None:
    end = ev.End("done", "Voilà.", (ev.SummaryLine("Nom", "Awa", "text"),), (),
                 (ev.MissingItem("Extrait", "Mairie"),))
    text = render_events([end], chat_id=1, lang="fr", seq=1)[0].params["text"]
    assert "Nom\u00a0: Awa" in text
