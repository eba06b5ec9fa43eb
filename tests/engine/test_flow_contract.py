"""The flow-format additions of issue 9: `compute`, `round/min/max`, `if:` on checklist items,
`input: integer`, `exhaustive: true`, and an end summary of the current path only.

Each test writes a small flow in the shape an admin would (real strings, several languages)
and plays it the way a person would.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.engine import Back, Press, Text, resume, start
from bot.engine import events as ev
from bot.engine.expressions import ExpressionError, compile_expression

from .conftest import Builder

TODAY = date(2026, 6, 1)
HEAD = """\
id: {id}
languages: [ru, kk]
title: {{ru: Тест, kk: Сынақ}}
description: {{ru: Тест, kk: Сынақ}}
source:
  - title: egov.kz
    url: https://egov.kz
last_reviewed: 2026-05-01
steps:
"""

ASP = HEAD.format(id="asp") + """\
  - id: income
    ask:
      ru: "Общий доход семьи за месяц? Например 150 000"
      kk: "Отбасының айлық табысы? Мысалы 150 000"
    input: number
    save: income
  - id: household
    ask: {ru: "Сколько человек в семье? Например 4", kk: "Отбасында неше адам? Мысалы 4"}
    input: integer
    min: 1
    max: 30
    save: household
    label: {ru: Членов семьи, kk: Отбасы мүшелері}
  - id: per_person
    compute: round(income / household)
    save: income_per_person
    label: {ru: Доход на человека, kk: Бір адамға табыс}
  - id: tell
    say: {ru: "На человека: {income_per_person}", kk: "Бір адамға: {income_per_person}"}
  - id: eligible
    branch:
      - if: income_per_person <= 35000
        next: yes_end
    else: no_end
  - id: yes_end
    end: {ru: Вы можете подать заявление., kk: Өтініш бере аласыз.}
  - id: no_end
    end: {ru: Доход выше порога., kk: Табыс шектен жоғары.}
"""


def _play(flows: Any, flow_id: str, lang: str, *actions: Any) -> Any:
    sprint = start(flows, flow_id, lang, today=TODAY)
    for action in actions:
        sprint = resume(flows, sprint.session, action, today=TODAY)
    return sprint


def test_compute_divides_so_the_person_does_not(build: Builder) -> None:
    result = build({"asp.yaml": ASP})
    assert result.errors == [], result.errors
    sprint = _play(result.flows, "asp", "ru", Text("150 000"), Text("4"))
    assert sprint.session["answers"]["income_per_person"] == 37500
    assert ev.Say("На человека: 37500") in sprint.events
    assert sprint.step == "no_end"
    assert [(line.label, line.value) for line in sprint.events[-1].summary] == [
        ("Членов семьи", 4), ("Доход на человека", 37500)]
    sprint = _play(result.flows, "asp", "kk", Text("100 000"), Text("3"))
    assert sprint.session["answers"]["income_per_person"] == 33333
    assert sprint.step == "yes_end"


def test_compute_with_a_missing_answer_or_zero_gives_none(build: Builder) -> None:
    result = build({"asp.yaml": ASP.replace("min: 1", "min: 0")})
    sprint = _play(result.flows, "asp", "ru", Text("150 000"), Text("0"))
    assert sprint.session["answers"]["income_per_person"] is None
    assert ev.Say("На человека: —") in sprint.events
    assert sprint.step == "no_end"  # none <= 35000 is false


def test_integer_refuses_a_fraction_and_says_the_range(build: Builder) -> None:
    result = build({"asp.yaml": ASP})
    sprint = _play(result.flows, "asp", "ru", Text("150 000"), Text("3,5"))
    invalid = [e for e in sprint.events if isinstance(e, ev.Invalid)]
    assert invalid and invalid[0].input == "integer" and sprint.step == "household"
    assert invalid[0].reason == "not-integer"
    sprint = _play(result.flows, "asp", "ru", Text("150 000"), Text("31"))
    invalid = [e for e in sprint.events if isinstance(e, ev.Invalid)]
    assert invalid[0].reason == "out-of-range"
    assert (invalid[0].minimum, invalid[0].maximum) == (1, 30)


@pytest.mark.parametrize(("source", "value"), [
    ("round(2.5)", 3), ("round(-2.5)", -3), ("round(37499.5)", 37500), ("round(1.005, 2)", 1.01),
    ("round(10 / 3, 2)", 3.33), ("min(3, 7)", 3), ("max(3, 7, 5)", 7), ("min(x, 4)", None),
    ("round(x)", None), ("round('a')", None), ("max(2, 'a')", None),
])
def test_round_min_max(source: str, value: Any) -> None:
    assert compile_expression(source).evaluate({}, TODAY) == value


@pytest.mark.parametrize("source", ["round()", "round(1, 2, 3)", "min(1)", "max()"])
def test_round_min_max_arguments_are_checked(source: str) -> None:
    with pytest.raises(ExpressionError, match="takes"):
        compile_expression(source)


BIRTH = HEAD.replace("[ru, kk]", "[fr, wo]").replace(
    "{ru: Тест, kk: Сынақ}", "{fr: Naissance, wo: Juddu}").format(id="birth") + """\
  - id: father
    choose: {fr: "Le père reconnaît-il l'enfant ?", wo: "Baay bi nangu na doom ji ?"}
    save: father_known
    exhaustive: true
    options:
      - label: {fr: Oui, wo: Waaw}
        value: true
        next: docs
      - label: {fr: Non, wo: Déedéet}
        value: false
        next: docs
  - id: docs
    checklist: {fr: "Quels papiers avez-vous ?", wo: "Ban kayit nga am ?"}
    save: papers
    items:
      - id: mother_id
        label: {fr: Pièce d'identité de la mère, wo: Kartu identite yaay ji}
        where: {fr: Commissariat, wo: Komiseria}
      - id: father_id
        label: {fr: Pièce d'identité du père, wo: Kartu identite baay bi}
        where: {fr: Commissariat, wo: Komiseria}
        if: father_known
  - id: done
    end: {fr: Voici votre situation., wo: Li mooy sa mbir.}
"""


def test_item_with_false_condition_is_not_shown_nor_missing(build: Builder) -> None:
    result = build({"birth.yaml": BIRTH})
    assert result.errors == [], result.errors
    flows = result.flows
    single = _play(flows, "birth", "fr", Press("father", "1"))
    checklist = single.events[-1]
    assert [item.label for item in checklist.items] == ["Pièce d'identité de la mère"]
    sprint = resume(flows, single.session, Press("docs", "father_id"), today=TODAY)
    assert isinstance(sprint.events[0], ev.Stale)  # not an item for her: nothing ticked
    sprint = resume(flows, single.session, Press("docs", "done"), today=TODAY)
    assert [m.label for m in sprint.events[0].items] == ["Pièce d'identité de la mère"]
    assert [m.label for m in sprint.events[-1].missing] == ["Pièce d'identité de la mère"]
    both = _play(flows, "birth", "wo", Press("father", "0"), Text("2"), Press("docs", "done"))
    assert both.session["answers"]["papers"] == ["father_id"]
    assert [m.label for m in both.events[-1].missing] == ["Kartu identite yaay ji"]


def test_an_item_that_stops_applying_is_not_missing_at_the_end(build: Builder) -> None:
    flow = HEAD.format(id="asp2") + """\
  - id: channel
    choose: {ru: Как подадите?, kk: Қалай бересіз?}
    save: channel
    label: {ru: Способ, kk: Тәсіл}
    exhaustive: true
    options:
      - {label: {ru: eGov, kk: eGov}, value: egov, next: docs}
      - {label: {ru: ЦОН, kk: ХҚКО}, value: office, next: docs}
  - id: docs
    checklist: {ru: Что у вас есть?, kk: Сізде не бар?}
    items:
      - id: id_card
        label: {ru: Удостоверение, kk: Куәлік}
      - id: signature
        label: {ru: ЭЦП, kk: ЭЦҚ}
        if: channel == "egov"
  - id: worked
    choose: {ru: Получилось на eGov?, kk: eGov-та шықты ма?}
    exhaustive: true
    options:
      - {label: {ru: Да, kk: Иә}, next: done}
      - {label: {ru: "Нет, пойду в ЦОН", kk: "Жоқ, ХҚКО-ға барамын"}, next: switch}
  - id: switch
    compute: '"office"'
    save: channel
  - id: done
    end: {ru: Итог, kk: Қорытынды}
"""
    result = build({"asp2.yaml": flow})
    assert result.errors == [], result.errors
    sprint = _play(result.flows, "asp2", "ru", Press("channel", "0"), Press("docs", "id_card"),
                   Press("docs", "done"), Press("worked", "1"))
    end = sprint.events[-1]
    assert isinstance(end, ev.End)
    assert end.missing == ()  # the signature was for eGov; they go to the office now
    assert [(line.label, line.value) for line in end.summary] == [("Способ", "ЦОН")]


LOOP = HEAD.format(id="loop") + """\
  - id: who
    choose: {ru: Кто подаёт?, kk: Кім береді?}
    save: who
    label: {ru: Заявитель, kk: Өтініш беруші}
    exhaustive: true
    options:
      - {label: {ru: Мать, kk: Анасы}, value: mother, next: mother_name}
      - {label: {ru: Отец, kk: Әкесі}, value: father, next: father_name}
  - id: mother_name
    ask: {ru: Имя матери?, kk: Анасының аты?}
    input: text
    save: mother_name
    label: {ru: Мать, kk: Анасы}
    next: confirm
  - id: father_name
    ask: {ru: Имя отца?, kk: Әкесінің аты?}
    input: text
    save: father_name
    label: {ru: Отец, kk: Әкесі}
    next: confirm
  - id: confirm
    choose: {ru: Всё верно?, kk: Бәрі дұрыс па?}
    exhaustive: true
    options:
      - {label: {ru: Да, kk: Иә}, next: done}
      - {label: {ru: "Нет, заново", kk: "Жоқ, қайтадан"}, next: who}
  - id: done
    end: {ru: Итог, kk: Қорытынды}
"""


def test_summary_shows_only_the_current_path_after_a_loop(build: Builder) -> None:
    result = build({"loop.yaml": LOOP})
    assert result.errors == [], result.errors
    sprint = _play(result.flows, "loop", "ru", Press("who", "0"), Text("Айгуль"),
                   Press("confirm", "1"), Press("who", "1"), Text("Ерлан"), Press("confirm", "0"))
    end = sprint.events[-1]
    assert [(line.label, line.value) for line in end.summary] == [
        ("Заявитель", "Отец"), ("Отец", "Ерлан")]


def test_summary_after_back_drops_the_undone_answer(build: Builder) -> None:
    result = build({"loop.yaml": LOOP})
    sprint = _play(result.flows, "loop", "kk", Press("who", "0"), Text("Айгүл"), Back(), Back(),
                   Press("who", "1"), Text("Ерлан"), Press("confirm", "0"))
    assert [(line.label, line.value) for line in sprint.events[-1].summary] == [
        ("Өтініш беруші", "Әкесі"), ("Әкесі", "Ерлан")]


def test_an_older_session_without_a_path_still_ends_with_every_answer(build: Builder) -> None:
    result = build({"loop.yaml": LOOP})
    sprint = _play(result.flows, "loop", "ru", Press("who", "0"), Text("Айгуль"))
    session = {key: value for key, value in sprint.session.items() if key != "path"}
    session["history"] = [{k: v for k, v in frame.items() if k != "path"}
                          for frame in session["history"]]
    sprint = resume(result.flows, session, Press("confirm", "0"), today=TODAY)
    assert [line.value for line in sprint.events[-1].summary] == ["Мать", "Айгуль"]


def test_exhaustive_must_be_true_or_false(build: Builder) -> None:
    result = build({"loop.yaml": LOOP.replace("exhaustive: true", "exhaustive: yes please", 1)})
    assert [(p.code, p.line, p.message) for p in result.errors] == [
        ("bad-field", 14, "`exhaustive` must be true or false")]


def test_compute_needs_save_and_a_valid_expression(build: Builder) -> None:
    flow = ASP.replace("    save: income_per_person\n", "").replace(
        "round(income / household)", "income // household")
    result = build({"asp.yaml": flow})
    codes = sorted((p.code, p.line) for p in result.errors)
    assert ("missing-field", 23) in codes  # the step `per_person` has no `save`
    assert ("bad-expression", 24) in codes  # `//` is not allowed
