"""G12: an end message that would pass 500 characters sends "Still missing" on its own.

Rendered with the real renderer and the real catalogues, on an end like the one the review
measured at about 1,000 characters (kg-propiska in uz: a renter with children, on military
registration, five papers missing)."""

from __future__ import annotations

from bot.engine import events as ev
from bot.i18n import gettext_for
from bot.tg.render import END_SPLIT, render_events

SUMMARY = (
    ev.SummaryLine("Kim uchun roʻyxatdan oʻtasiz", "Oʻzim uchun", "choice"),
    ev.SummaryLine("Uy kimniki", "Ijaraga olingan kvartira", "choice"),
    ev.SummaryLine("16 yoshgacha bolalar", "Ha", "choice"),
    ev.SummaryLine("Harbiy hisob", "Ha", "choice"),
)
MISSING = (
    ev.MissingItem("Uy egasining pasporti yoki notarial rozilik", "uy egasidan; notarius"),
    ev.MissingItem("Bolalarning tugʻilganlik guvohnomasi", "ЗАГС yoki ЦОН (arxivdan nusxa)"),
    ev.MissingItem("Harbiy bilet, hisobdan chiqarilgani haqida belgi bilan",
                   "avvalgi yashash joyidagi harbiy komissariat"),
    ev.MissingItem("Ijara shartnomasi", "uy egasi bilan yozing; notarius tasdiqlashi mumkin"),
    ev.MissingItem("Fotosurat", "ЦОНda bepul"),
)


def _messages(end: ev.End, lang: str = "uz") -> list[dict]:
    calls = render_events((end,), chat_id=7, lang=lang, seq=1)
    return [c.params for c in calls if c.method == "sendMessage"]


def test_a_long_end_sends_what_is_still_missing_as_its_own_message() -> None:
    _ = gettext_for("uz")
    end = ev.End("done", "Tayyor. ЦОНga barcha hujjatlar bilan boring.", SUMMARY,
                 ("Pasport",), MISSING)
    messages = _messages(end)
    assert len(messages) == 2
    first, second = messages
    assert _("Your answers") in first["text"] and _("Still missing") not in first["text"]
    assert second["text"].startswith("<b>" + _("Still missing"))
    assert all(item.label in second["text"] for item in MISSING)
    # the end buttons (start again, menu, volunteer) stay under the last message
    assert "reply_markup" not in first and second["reply_markup"]["inline_keyboard"]


def test_a_short_end_stays_one_message() -> None:
    end = ev.End("done", "Tayyor.", SUMMARY[:1], (), MISSING[:1])
    messages = _messages(end)
    assert len(messages) == 1
    assert len(messages[0]["text"]) < END_SPLIT
    assert messages[0]["reply_markup"]["inline_keyboard"]


def test_a_long_end_with_nothing_missing_is_not_split() -> None:
    end = ev.End("done", "Tayyor. " * 80, SUMMARY, ("Pasport",), ())
    assert len(_messages(end)) == 1


def test_the_split_counts_what_people_read_not_the_markup() -> None:
    """Just under the limit once `**` and the HTML tags are not counted: one message."""
    missing = (ev.MissingItem("Passport", None),)
    _ = gettext_for("en")
    fixed = len(_("Still missing")) + len("\n• Passport") + 2  # the block and its separator
    end = ev.End("done", "x" * (END_SPLIT - fixed), (), (), missing)
    assert len(_messages(end, "en")) == 1
    longer = ev.End("done", "x" * (END_SPLIT - fixed + 1), (), (), missing)
    assert len(_messages(longer, "en")) == 2
