"""What admins really get wrong (issue 9 §6) and the lint for readers with little schooling
(§7): each problem at its exact line and column, with a hint, on real strings in each shipped
language."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.engine import LoadResult, Severity

from .conftest import Builder
from .test_checker import assert_problem, at, codes, only, problems

ERROR, WARNING = Severity.ERROR, Severity.WARNING
LANGS = ("en", "fr", "ru", "kk", "ky", "ar", "zh_Hans", "wo")
COUNTRY = ("country: TT\nname: {en: Testland}\nlanguages: [" + ", ".join(LANGS) + "]\n"
           "default_language: en\n")


def flow(lang: str, steps: str, *, flow_id: str = "t-flow") -> str:
    head = textwrap.dedent(f"""\
        id: {flow_id}
        languages: [{lang}]
        title: T
        description: D
        source:
          - title: S
            url: https://example.org
        last_reviewed: 2026-01-15
        steps:
        """)
    return head + textwrap.indent(textwrap.dedent(steps).lstrip("\n"), "  ")


def load(build: Builder, **files: str) -> LoadResult:
    return build({f"{name}.yaml": text for name, text in files.items()}, country=COUNTRY)


# -- §6: answers saved only in another flow --------------------------------------------------
def test_an_answer_saved_only_in_another_flow(build: Builder, tmp_path: Path) -> None:
    other = flow("ru", """
        - id: born
          ask: "Когда родился ребёнок? Например 05.03.2026"
          input: date
          save: birth_date
        - id: done
          end: Готово
        """, flow_id="other")
    text = flow("ru", """
        - id: name
          ask: Как зовут ребёнка?
          input: text
          save: child_name
        - id: done
          end: "Ребёнок {child_name} родился {birth_date}"
        """)
    result = load(build, other=other, main=text)
    problem = only(result, "answer-from-another-flow")
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, "end:"))
    assert "`{birth_date}`" in problem.message and "flow other" in problem.message
    assert "did you mean" not in problem.hint  # suggestions only from the same flow


def test_an_answer_of_the_flow_that_jumps_here_is_fine(build: Builder) -> None:
    caller = flow("kk", """
        - id: born
          ask: "Бала қашан туылды? Мысалы 05.03.2026"
          input: date
          save: birth_date
        - id: go
          flow: callee
        """, flow_id="caller")
    callee = flow("kk", """
        - id: done
          end: "Туған күні {birth_date}"
        """, flow_id="callee")
    assert "answer-from-another-flow" not in codes(load(build, caller=caller, callee=callee))


def test_did_you_mean_comes_from_the_same_flow(build: Builder, tmp_path: Path) -> None:
    other = flow("fr", """
        - id: a
          ask: "Votre nom ?"
          input: text
          save: full_name
        - id: done
          end: Fin
        """, flow_id="other")
    text = flow("fr", """
        - id: a
          ask: "Votre nom ?"
          input: text
          save: name
        - id: done
          end: "Merci {nmae}"
        """)
    problem = only(load(build, other=other, main=text), "unknown-answer")
    assert problem.hint == "did you mean `name`?"


# -- §6: a value that is not one of the options ----------------------------------------------
BIRTHPLACE = """
    - id: where
      choose: "Où l'enfant est-il né ?"
      save: birthplace
      options:
        - label: Au Sénégal
          value: senegal
          next: route
        - label: À l'étranger
          value: abroad
          next: route
        - label: Je ne sais pas
          value: unknown
          next: route
    - id: route
      branch:
        - if: birthplace == "Senegal"
          next: done
      else: done
    - id: done
      end: Fin
    """


def test_comparing_with_a_value_that_is_not_an_option(build: Builder, tmp_path: Path) -> None:
    text = flow("fr", BIRTHPLACE)
    problem = only(load(build, main=text), "not-an-option")
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, '"Senegal"'))
    assert problem.hint == "did you mean 'senegal'?"


def test_in_with_option_values_is_fine(build: Builder) -> None:
    text = flow("fr", BIRTHPLACE.replace('birthplace == "Senegal"',
                                         'birthplace in ["senegal", "abroad"]'))
    assert "not-an-option" not in codes(load(build, main=text))


# -- §6: `=` and `=<` ---------------------------------------------------------------------------
@pytest.mark.parametrize(("condition", "wrong", "hint"), [
    ("age = 17", "=", "write `==` to test if two values are equal"),
    ("age =< 18", "=<", "write `<=`"),
    ("age => 18", "=>", "write `>=`"),
])
def test_a_single_equals_or_a_reversed_operator(build: Builder, tmp_path: Path, condition: str,
                                                 wrong: str, hint: str) -> None:
    text = flow("ky", f"""
        - id: age
          ask: "Канча жаштасыз? Мисалы 34"
          input: integer
          save: age
        - id: route
          branch:
            - if: {condition}
              next: done
          else: done
        - id: done
          end: Бүттү
        """)
    result = load(build, main=text)
    problem = only(result, "bad-expression")
    line, column = at(text, condition)
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "main.yaml",
                   where=(line, column + condition.index(wrong)))
    assert problem.hint == hint
    in_flow = {p.code for p in result.problems if p.file.endswith("main.yaml")}
    assert in_flow == {"bad-expression"}  # no cascade of follow-up errors


# -- §6: one root cause, one error ----------------------------------------------------------------
def test_a_missing_end_is_one_problem(build: Builder, tmp_path: Path) -> None:
    text = flow("zh_Hans", """
        - id: intro
          say: 孩子出生后一个月内办理户口登记。
        - id: married
          choose: 父母结婚了吗？
          exhaustive: true
          options:
            - label: 已婚
              next: docs
            - label: 未婚
              next: docs
        - id: docs
          say: 请带上出生医学证明。
          next: police
        - id: police
          say: 去派出所办理。
          next: intro
        """)
    result = load(build, main=text)
    assert [p.code for p in result.errors] == ["no-end-step"]


def test_a_duplicate_step_id_names_both_lines(build: Builder, tmp_path: Path) -> None:
    text = flow("ar", """
        - id: born
          say: مرحبا
        - id: born
          say: "اكتب التاريخ مثل 5/3/2026"
        - id: done
          end: انتهى
        """)
    problem = only(load(build, main=text), "duplicate-id")
    first, second = at(text, "id: born")[0], at(text, "id: born", 2)[0]
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, "id: born", 2))
    assert f"on line {first} and on line {second}" in problem.message


def test_an_input_kind_typo_is_one_precise_error(build: Builder, tmp_path: Path) -> None:
    text = flow("ru", """
        - id: family
          ask: "Сколько человек в семье? Например 4"
          input: interger
          min: 1
          max: 30
          save: family
        - id: done
          end: Готово
        """)
    result = load(build, main=text)
    problem = only(result, "bad-input")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, "input:"))
    assert problem.hint == "did you mean `integer`?"
    assert [p.code for p in result.errors] == ["bad-input"]  # no false `min`/`max` errors


def test_a_yaml_syntax_error_in_plain_words_with_a_caret(build: Builder, tmp_path: Path) -> None:
    text = flow("fr", """
        - id: office
          say: Adresse: 12 rue Carnot
        - id: done
          end: Fin
        """)
    problem = only(load(build, main=text), "yaml-syntax")
    line, column = at(text, ": 12 rue")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "main.yaml",
                   where=(line, column))
    assert "put the whole text in quotes" in problem.message
    assert str(problem).endswith("    say: Adresse: 12 rue Carnot\n" + " " * (4 + column - 1)
                                 + "^")


@pytest.mark.parametrize("code", ["am", "bn", "ne", "si", "fil", "uz"])
def test_any_language_babel_knows_is_accepted(build: Builder, code: str) -> None:
    text = flow(code, """
        - id: done
          end: "…"
        """)
    country = COUNTRY.replace("[en,", f"[en, {code},")
    result = build({"main.yaml": text}, country=country)
    assert result.errors == []


def test_a_language_code_typo_is_refused(build: Builder, tmp_path: Path) -> None:
    text = flow("kz", """
        - id: done
          end: Бітті
        """)
    problem = only(load(build, main=text), "unknown-language")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, "languages:"))


# -- §7: lint for people with little schooling ----------------------------------------------------
def test_a_message_over_500_characters(build: Builder, tmp_path: Path) -> None:
    long = "Документы нужно принести в ЦОН. " * 16  # 512 characters
    text = flow("ru", f"""
        - id: info
          say: "{long.strip()}"
        - id: done
          end: Готово
        """)
    problem = only(load(build, main=text), "long-message")
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, "id: info"))
    assert "500" in problem.message and "ru" in problem.message


@pytest.mark.parametrize(("lang", "way_out"), [
    ("en", "I don't know"), ("fr", "Je ne sais pas"), ("ru", "Не знаю"), ("kk", "Білмеймін"),
    ("ky", "Билбейм"), ("ar", "لا أعرف"), ("zh_Hans", "不知道"), ("wo", "Xamuma"),
])
def test_a_choice_needs_a_way_out(build: Builder, tmp_path: Path, lang: str,
                                  way_out: str) -> None:
    def choice(extra: str) -> str:
        return flow(lang, f"""
            - id: married
              choose: "?"
              options:
                - label: "1"
                  next: done
                - label: "2"
                  next: done{extra}
            - id: done
              end: "."
            """)
    text = choice("")
    problem = only(load(build, main=text), "no-way-out")
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, "id: married"))
    with_way_out = choice(f'\n        - label: "{way_out}"\n          next: done')
    assert "no-way-out" not in codes(load(build, main=with_way_out))


def test_exhaustive_or_a_volunteer_silences_the_way_out_lint(build: Builder) -> None:
    text = flow("fr", """
        - id: married
          choose: Les parents sont-ils mariés ?
          exhaustive: true
          options:
            - label: Oui
              next: done
            - label: Non
              next: done
        - id: stuck
          choose: Avez-vous l'extrait ?
          options:
            - label: Oui
              next: done
            - label: Demander à un bénévole
              next: human
        - id: human
          escalate: Pas d'extrait
        - id: done
          end: Fin
        """)
    assert "no-way-out" not in codes(load(build, main=text))


@pytest.mark.parametrize(("lang", "question"), [
    ("ru", "Сколько человек в семье?"), ("kk", "Отбасында неше адам бар?"),
    ("zh_Hans", "家里有几口人？"), ("wo", "Ñaata nit ñoo nekk ci sa kër?"),
])
def test_a_number_question_needs_an_example(build: Builder, tmp_path: Path, lang: str,
                                            question: str) -> None:
    text = flow(lang, f"""
        - id: family
          ask: "{question}"
          input: integer
          save: family
        - id: done
          end: "."
        """)
    problem = only(load(build, main=text), "no-example")
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, "id: family"))
    with_example = text.replace(f'"{question}"', f'"{question} 4"')
    assert "no-example" not in codes(load(build, main=with_example))


@pytest.mark.parametrize(("lang", "wrong", "right"), [
    ("fr", "05.03.2026", "05/03/2026"),
    ("zh_Hans", "05.03.2026", "2026年3月5日"),
    ("zh_Hans", "05/03/2026", "2026-03-05"),
    ("ru", "05/03/2026", "05.03.2026"),
    ("kk", "2026-03-05", "05.03.2026"),
    ("ky", "03/05/2026", "05.03.2026"),
    ("ar", "2026.03.05", "05/03/2026"),
    ("wo", "05.03.2026", "05-03-2026"),
    ("en", "05.03.2026", "05/03/2026"),
])
def test_a_date_example_in_the_languages_format(build: Builder, tmp_path: Path, lang: str,
                                                wrong: str, right: str) -> None:
    def asking(example: str) -> str:
        return flow(lang, f"""
            - id: born
              ask: "? {example}"
              input: date
              save: born
            - id: done
              end: "."
            """)
    text = asking(wrong)
    problem = only(load(build, main=text), "date-format")
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "main.yaml",
                   where=at(text, "id: born"))
    assert wrong in problem.message
    assert problems(load(build, main=asking(right)), "date-format") == []
