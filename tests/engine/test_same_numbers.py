"""`numbers-differ` (issue 10): every language of a text says the same numbers.

Each test writes real multilingual texts, as the shipped flows have them, and checks the exact
line and column of the warning (the line of the language that differs), or that no warning is
given where the languages only write the same numbers their own way."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.engine import LoadResult, Severity
from bot.engine.same_numbers import numbers_in

from .conftest import Builder
from .test_checker import assert_problem, at, codes, only, problems

WARNING = Severity.WARNING


def country(languages: str, extra: str = "") -> str:
    first = languages.split(",")[0].strip()
    return (f"country: TT\nname: {{{first}: T}}\nlanguages: [{languages}]\n"
            f"default_language: {first}\n" + textwrap.dedent(extra))


def flow(languages: str, steps: str, *, top: str = "") -> str:
    head = textwrap.dedent(f"""\
        id: t-flow
        languages: [{languages}]
        title: T
        description: D
        source:
          - title: S
            url: https://example.org
        last_reviewed: 2026-01-15
        """) + textwrap.dedent(top) + "steps:\n"
    return head + textwrap.indent(textwrap.dedent(steps).lstrip("\n"), "  ")


def load(build: Builder, languages: str, text: str, country_extra: str = "") -> LoadResult:
    return build({"main.yaml": text}, country=country(languages, country_extra))


# -- the rule, on single texts -----------------------------------------------------------------
@pytest.mark.parametrize(("text", "order", "expected"), [
    # grouping and decimal signs, any script's digits
    ("150 000 тг", "dmy", ["150000"]),
    ("150\u00a0000 тг", "dmy", ["150000"]),
    ("LBP 150,000", "dmy", ["150000"]),
    ("150.000 FCFA", "dmy", ["150000"]),
    ("١٥٠٬٠٠٠ ل.ل.", "dmy", ["150000"]),
    ("１５０，０００元", "ymd", ["150000"]),
    ("४,९००,००० रुपैयाँ", "ymd", ["4900000"]),
    ("3,5 %", "dmy", ["3.5"]),
    ("3.5 %", "dmy", ["3.5"]),
    ("0,125", "dmy", ["0.125"]),
    ("1 500,50 сом", "dmy", ["1500.5"]),
    ("2, 3 and 4", "dmy", ["2", "3", "4"]),
    # dates: day and year, whatever the order and form
    ("05.03.2026", "dmy", ["2026", "5"]),
    ("05/03/2026", "dmy", ["2026", "5"]),
    ("05-03-2026", "dmy", ["2026", "5"]),
    ("2026-03-05", "dmy", ["2026", "5"]),
    ("2026年3月5日", "ymd", ["2026", "5"]),
    ("3/5/2026", "mdy", ["2026", "5"]),
    ("٠٥/٠٣/٢٠٢٦", "dmy", ["2026", "5"]),
    ("5 марта 2026 г.", "dmy", ["2026", "5"]),
    ("2026 ж. 5 наурыз", "dmy", ["2026", "5"]),
    ("2025-жылдын 1-августунан", "dmy", ["1", "2025"]),
    ("since May 2024", "dmy", ["2024"]),
    ("2024年5月起", "ymd", ["2024"]),
    # times
    ("8:00-17:00", "dmy", ["17", "8"]),
    ("8h-17h", "dmy", ["17", "8"]),
    ("8 AM to 5 PM", "dmy", ["17", "8"]),
    ("18h30", "dmy", ["18:30"]),
    ("6:30 p.m.", "dmy", ["18:30"]),
    # phone numbers
    ("04 726111", "dmy", ["04726111"]),
    ("04726111", "dmy", ["04726111"]),
    ("+961 1 234 567", "dmy", ["+9611234567"]),
    # not for people: answer names and web addresses
    ("Part 2. Hello, {name_2}.", "dmy", ["2"]),
    ("{{literal}} 7", "dmy", ["7"]),
    ("see https://egov.kz/services/pass014_mu 3", "dmy", ["3"]),
    ("no number here", "dmy", []),
])
def test_numbers_are_read_as_people_write_them(text: str, order: str,
                                                expected: list[str]) -> None:
    assert sorted(numbers_in(text, order)) == sorted(expected)


# -- warnings at the exact place ---------------------------------------------------------------
def test_a_translation_with_another_amount_is_named_at_its_line(build: Builder,
                                                                 tmp_path: Path) -> None:
    text = flow("ru, kk", """
        - id: amount
          say:
            ru: "Пособие: 150 000 тг в месяц, заявление за 2 месяца."
            kk: "Жәрдемақы: айына 15 000 тг, өтініш 2 ай ішінде."
        - id: done
          end: {ru: Готово, kk: Дайын}
        """)
    problem = only(load(build, "ru, kk", text), "numbers-differ")
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, "kk: \"Жәрдемақы"))
    assert "`kk` text of `say` of `amount`" in problem.message
    assert "`ru` text" in problem.message
    assert "only in kk: 15000" in problem.message and "only in ru: 150000" in problem.message
    assert "same amounts, deadlines and phone numbers" in problem.hint


def test_every_language_that_differs_is_named_once(build: Builder, tmp_path: Path) -> None:
    text = flow("ar, en, fr", """
        - id: call
          say:
            ar: اتصلوا بالمفوضية على 04726111 خلال 1 شهر.
            en: Call UNHCR on 04 726111 within 1 month.
            fr: Appelez le HCR au 04 726112 dans un délai d'un mois.
        - id: done
          end: {ar: تم, en: Done, fr: Fini}
        """)
    found = problems(load(build, "ar, en, fr", text), "numbers-differ")
    assert len(found) == 1
    assert_problem(found[0], severity=WARNING, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, "fr: Appelez"))
    assert "only in fr: 04726112" in found[0].message
    assert "only in ar: 04726111" in found[0].message  # "d'un mois" says 1, as a word


def test_a_word_for_a_number_counts_but_a_different_number_differs(build: Builder) -> None:
    text = flow("fr, wo", """
        - id: late
          say:
            fr: "Venez avec 2 témoins et 2 copies."
            wo: "Ànd ak ñaari seede ak 2 kopi."
        - id: done
          end: {fr: Fini, wo: Jeex na}
        """)
    assert "numbers-differ" not in codes(load(build, "fr, wo", text))  # ñaari: two
    three = text.replace("ñaari seede", "ñetti seede")
    problem = only(load(build, "fr, wo", three), "numbers-differ")
    assert "only in fr: 2" in problem.message
    repeated = text.replace("ñaari seede ak 2 kopi", "2 seede ak 2 kopi ak 2 nataal")
    assert "only in wo: 2" in only(load(build, "fr, wo", repeated), "numbers-differ").message


def test_small_numbers_written_as_words_natively_do_not_warn(build: Builder) -> None:
    """G10: "moins d'un an", "أقل من سنة" (a singular noun of time is one), "شهر واحد",
    "سنتين" (a dual is two), "一个月", "满一年" stand for the 1 and 2 written in digits."""
    text = flow("ar, en, fr, zh_Hans", """
        - id: on_time
          say:
            ar: عمر طفلكم أقل من سنة، ومهلة الزواج شهر واحد، والطعن خلال سنتين.
            en: Under 1 year old; the deadline is 1 month; appeal within 2 years.
            fr: Moins d'un an ; le délai est d'un mois ; recours sous deux ans.
            zh_Hans: 孩子不满一年；结婚登记期限一个月；两年内可以申诉。
        - id: renew
          say:
            ar: جدّدوا قبل 30 يومًا.
            en: Every full 1 year, sign within the 1 month before it (renew 30 days ahead).
            fr: Chaque année pleine, signez dans le mois qui précède, 1 mois avant, soit 30 jours.
            zh_Hans: 每住满一年，要在满一年前的一个月内签注（提前 30 天）。
        - id: done
          end: {ar: تم, en: Done, fr: Fini, zh_Hans: 完成}
        """)
    found = problems(load(build, "ar, en, fr, zh_Hans", text), "numbers-differ")
    assert [p.message for p in found if "on_time" in p.message] == []
    # in `renew` the ar text has no word for the two 1s of en: still a difference
    assert any("`en` text of `say` of `renew`" in p.message and "only in en: 1, 1" in p.message
               for p in found)


def test_chinese_numerals_count_only_before_a_classifier(build: Builder) -> None:
    text = flow("zh_Hans, en", """
        - id: deadline
          say:
            zh_Hans: 一般要在一月内办理。
            en: Usually within 1 month.
        - id: done
          end: {zh_Hans: 完成, en: Done}
        """)
    problem = only(load(build, "zh_Hans, en", text), "numbers-differ")  # 一般, 一月: not 1
    assert "only in en: 1" in problem.message
    fixed = text.replace("一般要在一月内办理", "一般要在一个月内办理")
    assert "numbers-differ" not in codes(load(build, "zh_Hans, en", fixed))


def test_the_same_numbers_written_each_language_s_way_do_not_warn(build: Builder) -> None:
    """The false alarm that must not happen: scripts, grouping, decimal signs, date orders
    and forms, 24-hour and 12-hour times, phone spacing, answer names."""
    text = flow("ar, en, fr, zh_Hans, fil, ne", """
        - id: fee
          say:
            ar: >-
              الرسم ١٥٠٬٠٠٠ ل.ل. (٢٫٥ دولار) حتى ٠٥/٠٣/٢٠٢٦.
              اتصلوا بـ 04726111 من 8:00 إلى 17:00، يا {name_2}.
            en: >-
              The fee is LBP 150,000 ($2.5) until 5 March 2026.
              Call 04 726111 from 8 AM to 5 PM, {name_2}.
            fr: >-
              Les frais sont de 150 000 LBP (2,5 dollars) jusqu'au 05/03/2026.
              Appelez le 04 726111 de 8h à 17h, {name_2}.
            zh_Hans: >-
              费用 150,000 黎镑（2.5 美元），截止到 2026年3月5日。
              请在 8:00-17:00 拨打 04726111，{name_2}。
            fil: >-
              Ang bayad ay LBP 150,000 ($2.5) hanggang 3/5/2026.
              Tumawag sa 04 726111 mula 8:00 hanggang 17:00, {name_2}.
            ne: >-
              शुल्क LBP १५०,००० ($२.५) २०२६-०३-०५ सम्म।
              ८:०० देखि १७:०० सम्म ०४ ७२६१११ मा फोन गर्नुहोस्, {name_2}।
        - id: name
          ask: {ar: الاسم؟, en: Name?, fr: Nom ?, zh_Hans: 姓名？, fil: Pangalan?, ne: नाम?}
          input: text
          save: name_2
        - id: done
          end: {ar: تم, en: Done, fr: Fini, zh_Hans: 完成, fil: Tapos, ne: सकियो}
        """)
    result = load(build, "ar, en, fr, zh_Hans, fil, ne", text)
    assert "numbers-differ" not in codes(result), "\n".join(map(str, result.problems))


def test_the_first_language_decides_even_when_written_last(build: Builder,
                                                            tmp_path: Path) -> None:
    text = flow("kk, ru", """
        - id: intro
          say:
            ru: "Зарегистрируйте в течение 2 месяцев."
            kk: "2 ай ішінде тіркеңіз."
        - id: done
          end: {kk: Дайын, ru: Готово}
        """)
    assert "numbers-differ" not in codes(load(build, "kk, ru", text))
    wrong = text.replace("2 месяцев", "3 месяцев")
    problem = only(load(build, "kk, ru", wrong), "numbers-differ")
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "main.yaml",
                   where=at(wrong, "ru: \"Зарегистрируйте"))
    assert "as the `kk` text" in problem.message


@pytest.mark.parametrize(("part", "needle"), [
    ("option", "kk: 3 бала"),
    ("item", "kk: 5 жұмыс"),
    ("reminder", "kk: \"Еске"),
    ("change", "kk: \"ХҚКО"),
])
def test_labels_where_reminders_and_change_notes_are_checked(build: Builder, tmp_path: Path,
                                                             part: str, needle: str) -> None:
    right = {"option": ("{ru: 3 ребёнка, kk: 3 бала}", "{ru: 4 ребёнка, kk: 3 бала}"),
             "item": ("{ru: 5 рабочих дней, kk: 5 жұмыс күні}",
                      "{ru: 10 рабочих дней, kk: 5 жұмыс күні}"),
             "reminder": ('"Напоминание: 2 месяца истекают {deadline}."',
                          '"Напоминание: 1 месяц истекает {deadline}."'),
             "change": ('"ЦОН больше не берёт 1 000 тг."', '"ЦОН больше не берёт 10 000 тг."')}
    good, bad = right[part]
    top = f"""\
        reminders:
          - id: register
            deadline: 2 months after born
            text:
              ru: {good if part == "reminder" else right["reminder"][0]}
              kk: "Еске салу: 2 ай {{deadline}} аяқталады."
        changes:
          - id: no-fee
            date: 2026-01-10
            text:
              ru: {good if part == "change" else right["change"][0]}
              kk: "ХҚКО енді 1 000 тг алмайды."
        """
    steps = f"""
        - id: born
          ask: {{ru: "Когда? Например 05.03.2026", kk: "Қашан? Мысалы 05.03.2026"}}
          input: date
          save: born
        - id: kids
          choose: {{ru: Сколько детей?, kk: Неше бала?}}
          exhaustive: true
          options:
            - label: {good if part == "option" else right["option"][0]}
              next: docs
        - id: docs
          checklist: {{ru: Документы, kk: Құжаттар}}
          items:
            - id: cert
              label: {{ru: Справка, kk: Анықтама}}
              where: {good if part == "item" else right["item"][0]}
        - id: done
          end: {{ru: Готово, kk: Дайын}}
        """
    languages = "ru, kk"
    extra = "timezone: Asia/Almaty\n"
    assert "numbers-differ" not in codes(load(build, languages, flow(languages, steps, top=top),
                                              extra))
    text = flow(languages, steps.replace(good, bad), top=top.replace(good, bad))
    problem = only(load(build, languages, text, extra), "numbers-differ")
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, needle))


def test_country_yaml_hours_and_addresses_are_checked(build: Builder, tmp_path: Path) -> None:
    extra = """\
        offices:
          - id: con
            name: {kk: ХҚКО, ru: ЦОН}
            hours: {kk: "Дс-Жм 9:00-18:00", ru: "Пн-Пт 9:00-17:00"}
            address: {kk: "Абай даңғылы, 10", ru: "проспект Абая, 10"}
        """
    text = flow("kk, ru", """
        - id: done
          end: {kk: Дайын, ru: Готово}
        """)
    problem = only(load(build, "kk, ru", text, extra), "numbers-differ")
    written = country("kk, ru", extra)
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "country.yaml",
                   where=at(written, "ru: \"Пн-Пт"))
    assert "only in ru: 17" in problem.message and "only in kk: 18" in problem.message
    fixed = extra.replace("9:00-17:00", "9:00-18:00")
    assert "numbers-differ" not in codes(load(build, "kk, ru", text, fixed))


def test_shipped_flows_say_the_same_numbers_in_every_language() -> None:
    from bot.engine import load_flows
    result = load_flows(Path(__file__).resolve().parents[2] / "flows")
    assert [str(p) for p in result.problems if p.code == "numbers-differ"] == []
