"""Latin and Cyrillic kept apart (engine/scripts.py): "ЦОНda" in Latin Uzbek cannot come back."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.engine import LoadResult, Severity
from bot.engine.scripts import script_problems

from .conftest import Builder
from .test_checker import assert_problem, at, codes, only

LANGS = ("uz", "uz_Cyrl", "ru", "ff", "fr", "tg")
COUNTRY = ("country: TT\nname: {en: Testland}\nlanguages: [" + ", ".join(LANGS) + "]\n"
           "default_language: ru\n")


def flow(say: dict[str, str]) -> str:
    texts = "\n".join(f'      {lang}: "{text}"' for lang, text in say.items())
    return textwrap.dedent(f"""\
        id: t-flow
        languages: [{", ".join(say)}]
        title: T
        description: D
        source:
          - title: S
            url: https://example.org
        last_reviewed: 2026-01-15
        steps:
          - id: intro
            say:
        """) + texts + "\n    next: done\n  - id: done\n    end: E\n"


def load(build: Builder, text: str) -> LoadResult:
    return build({"t.yaml": text}, country=COUNTRY)


def test_a_word_mixing_two_alphabets_is_an_error_at_its_line(build: Builder,
                                                             tmp_path: Path) -> None:
    text = flow({"ru": "Идите в ЦОН.", "uz": "ЦОНda soʻrang."})
    problem = only(load(build, text), "mixed-script")
    assert_problem(problem, severity=Severity.ERROR, file=tmp_path / "TT" / "t.yaml",
                   where=at(text, "uz: "))
    assert "«ЦОНda»" in problem.message and "`uz`" in problem.message
    assert "TsON" in problem.hint


def test_a_cyrillic_word_in_latin_uzbek_is_a_warning_but_a_gloss_in_brackets_is_not(
        build: Builder) -> None:
    warned = load(build, flow({"ru": "ЦОН", "uz": "«Үй-бүлөгө көмөк» nafaqasi"}))
    problem = only(warned, "foreign-script")
    assert problem.severity is Severity.WARNING and "«Үй-бүлөгө-" not in problem.message
    assert "Үй-бүлөгө" in problem.message
    glossed = load(build, flow({"ru": "ЦОН", "uz": "TsONda (ЦОН) soʻrang"}))
    assert not {"mixed-script", "foreign-script"} & codes(glossed)


def test_latin_names_in_cyrillic_texts_are_normal(build: Builder) -> None:
    result = load(build, flow({"ru": "Приложение Tunduk и egov.kz, ID-карта",
                               "uz_Cyrl": "Tunduk иловасида ЦОНга боринг",
                               "tg": "Барномаи Tunduk", "ff": "Yah TsON"}))
    assert not {"mixed-script", "foreign-script"} & codes(result)


@pytest.mark.parametrize(("lang", "text", "found"), [
    ("ru", "Kазахстан", "mixed-script"),      # a Latin K inside a Russian word
    ("uz_Cyrl", "ЦОНda", "mixed-script"),
    ("ff", "Yah e biro ЦОН", "foreign-script"),  # Pulaar is written in Latin letters
    ("fr", "Allez au ЦОН", "foreign-script"),
    ("uz", "TsON (ЦОН)", None),
    ("ru", "ЦОН, egov.kz", None),
    ("en", "plain ASCII is never read", None),
])
def test_script_problems(lang: str, text: str, found: str | None) -> None:
    got = [code for _severity, code, _message in script_problems(lang, text)]
    assert got == ([found] if found else [])


def test_the_shipped_latin_uzbek_has_no_cyrillic_left() -> None:
    """G6: the Kyrgyzstan flows in Latin Uzbek say TsON, MSEK, ZAGS, «Oilaga koʻmak»."""
    from bot.engine import load_flows
    flows = Path(__file__).resolve().parents[2] / "flows"
    result = load_flows(flows)
    assert not [p for p in result.problems if p.code in {"mixed-script", "foreign-script"}]
    uz = " ".join(step.text.by_lang.get("uz", "") for flow in result.flows.for_country("KG")
                  for step in flow.steps.values() if step.text is not None)
    assert "TsON" in uz and "ЦОНda" not in uz and "‘" not in uz
