"""The checker: one test per problem class, each pointing at the exact file, line and column.

Broken flows are built in tmp_path from small YAML strings (the `build` fixture), so each
test shows the mistake it is about. `at(text, needle)` is where `needle` starts in `text`:
the place an admin must edit.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from bot.cli import flows_check
from bot.engine import LoadResult, Problem, Severity, load_flows
from bot.engine.fields import MAX_BUTTON, MAX_TEXT

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 6, 1)
ERROR, WARNING = Severity.ERROR, Severity.WARNING


def flow(steps: str, *, flow_id: str = "t-flow", reviewed: str = "2026-01-15") -> str:
    """A valid one-language flow header followed by `steps` (written as a YAML list)."""
    head = textwrap.dedent(f"""\
        id: {flow_id}
        languages: [en]
        title: Title
        description: Description
        source:
          - title: Source
            url: https://example.org
        last_reviewed: {reviewed}
        steps:
        """)
    return head + textwrap.indent(textwrap.dedent(steps).lstrip("\n"), "  ")


def at(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the nth occurrence of `needle` in `text`."""
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def problems(result: LoadResult, code: str) -> list[Problem]:
    return [p for p in result.problems if p.code == code]


def only(result: LoadResult, code: str) -> Problem:
    found = problems(result, code)
    assert len(found) == 1, f"expected one `{code}`, got:\n" + "\n".join(
        map(str, result.problems))
    return found[0]


def assert_problem(problem: Problem, *, severity: Severity, file: Path,
                   where: tuple[int, int]) -> None:
    assert problem.severity is severity, problem
    assert Path(problem.file) == file, problem
    assert (problem.line, problem.column) == where, problem
    assert problem.hint.strip(), f"no hint: {problem}"
    assert str(problem).startswith(f"{problem.file}:{where[0]}:{where[1]}: {severity.value}: ")


def codes(result: LoadResult) -> set[str]:
    return {p.code for p in result.problems}


# -- the fixtures that must be clean -------------------------------------------------------
def test_complete_fixture_has_no_problem() -> None:
    result = load_flows(FIXTURES / "complete", today=TODAY)
    assert result.problems == []
    assert set(result.flows.flows) == {"demo-main", "demo-extra"}
    kinds = {step.kind for f in result.flows.flows.values() for step in f.steps.values()}
    assert kinds == {"say", "choose", "ask", "branch", "checklist", "place", "escalate", "end",
                     "flow"}
    inputs = {s.input for s in result.flows.flows["demo-main"].steps.values() if s.kind == "ask"}
    assert inputs == {"text", "number", "date", "phone", "yesno"}


def test_minimal_valid_flow(build) -> None:
    result = build({"a.yaml": flow("""
        - id: hello
          say: Hello
        - id: done
          end: Bye
        """)})
    assert result.problems == []
    assert result.ok


# -- YAML itself ------------------------------------------------------------------------------
def test_yaml_syntax_error(build, tmp_path: Path) -> None:
    text = flow("""
        - id: note
          say: Note: bring your passport
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "yaml-syntax")
    # an unquoted ": " inside a text: the parser stops at the second colon
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, ": bring"))
    assert (problem.line, problem.column) == (11, 14)
    assert result.flows.flows == {}


def test_unknown_yaml_tag_is_reported_not_raised(build, tmp_path: Path) -> None:
    text = flow("""
        - id: done
          end: !shout Bye
        """)
    result = build({"a.yaml": text})
    assert_problem(only(result, "yaml-syntax"), severity=ERROR,
                   file=tmp_path / "TT" / "a.yaml", where=at(text, "!shout"))


def test_alias_inside_itself_is_reported_not_raised(build, tmp_path: Path) -> None:
    result = build({"a.yaml": "id: loop\nsteps: &s [*s]\n"})
    assert codes(result) == {"yaml-syntax"}


def test_duplicate_yaml_key(build, tmp_path: Path) -> None:
    text = flow("""
        - id: done
          end: Bye
          end: Goodbye
        """)
    result = build({"a.yaml": text})
    assert_problem(only(result, "duplicate-key"), severity=ERROR,
                   file=tmp_path / "TT" / "a.yaml", where=at(text, "end:", nth=2))


# -- fields ---------------------------------------------------------------------------------
def test_unknown_field_typo(build, tmp_path: Path) -> None:
    text = flow("""
        - id: hello
          say: Hello
          nxet: done
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "unknown-field")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "nxet:"))
    assert "`next`" in problem.hint  # did you mean `next`?
    assert codes(result) == {"unknown-field"}


def test_missing_required_step_field(build, tmp_path: Path) -> None:
    text = flow("""
        - id: name
          ask: Your name?
          input: text
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "missing-field")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "id: name"))  # the step that lacks it
    assert "`save`" in problem.message
    assert codes(result) == {"missing-field"}


def test_missing_required_flow_field(build, tmp_path: Path) -> None:
    text = flow("""
        - id: done
          end: Bye
        """).replace("last_reviewed: 2026-01-15\n", "")
    result = build({"a.yaml": text})
    problem = only(result, "missing-field")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml", where=(1, 1))
    assert "`last_reviewed`" in problem.message


# -- ids ------------------------------------------------------------------------------------
def test_duplicate_flow_id_across_files(build, tmp_path: Path) -> None:
    first = flow("- id: done\n  end: Bye\n", flow_id="same")
    second = flow("- id: finish\n  end: Bye\n", flow_id="same")
    result = build({"a.yaml": first, "b.yaml": second})
    problem = only(result, "duplicate-id")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "b.yaml",
                   where=at(second, "id: same"))
    assert "a.yaml" in problem.message  # says which file has it already
    assert list(result.flows.flows) == ["same"]
    assert result.flows.flows["same"].file.endswith("a.yaml")


def test_duplicate_step_id(build, tmp_path: Path) -> None:
    text = flow("""
        - id: hello
          say: Hello
          next: done
        - id: hello
          say: Hello again
          next: done
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    assert_problem(only(result, "duplicate-id"), severity=ERROR,
                   file=tmp_path / "TT" / "a.yaml", where=at(text, "id: hello", nth=2))
    assert codes(result) == {"duplicate-id"}


# -- references -----------------------------------------------------------------------------
def test_unknown_step_reference(build, tmp_path: Path) -> None:
    text = flow("""
        - id: hello
          say: Hello
          next: dnoe
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "unknown-step")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "next: dnoe"))
    assert "`done`" in problem.hint


def test_unknown_flow_reference(build, tmp_path: Path) -> None:
    text = flow("""
        - id: jump
          flow: nowhere-flow
        """)
    result = build({"a.yaml": text})
    assert_problem(only(result, "unknown-flow"), severity=ERROR,
                   file=tmp_path / "TT" / "a.yaml", where=at(text, "flow: nowhere"))


def test_unknown_step_in_other_flow(build, tmp_path: Path) -> None:
    other = flow("- id: done\n  end: Bye\n", flow_id="other")
    text = flow("""
        - id: jump
          flow: other
          step: nope
        """)
    result = build({"a.yaml": text, "b.yaml": other})
    assert_problem(only(result, "unknown-step"), severity=ERROR,
                   file=tmp_path / "TT" / "a.yaml", where=at(text, "flow: other"))


def test_unknown_office(build, tmp_path: Path) -> None:
    text = flow("""
        - id: where
          place: hal
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "unknown-office")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "place: hal"))
    assert "`hall`" in problem.hint
    assert codes(result) == {"unknown-office"}


# -- the graph ------------------------------------------------------------------------------
def test_unreachable_step_is_a_warning(build, tmp_path: Path) -> None:
    text = flow("""
        - id: done
          end: Bye
        - id: lost
          end: Never seen
        """)
    result = build({"a.yaml": text})
    assert_problem(only(result, "unreachable"), severity=WARNING,
                   file=tmp_path / "TT" / "a.yaml", where=at(text, "id: lost"))
    assert result.ok  # warnings only


def test_step_with_no_reachable_end(build, tmp_path: Path) -> None:
    text = flow("""
        - id: again
          choose: Once more?
          options:
            - label: Again
              next: more
        - id: more
          say: Here we go
          next: again
        """)
    result = build({"a.yaml": text})
    # one root cause, one error: the flow has no end at all (not one error per step)
    problem = only(result, "no-end-step")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml", where=(1, 1))
    assert "no `end` step" in problem.message
    assert codes(result) <= {"no-end-step", "no-way-out"}  # a question in the loop: not silent


def test_a_stuck_part_of_a_flow_is_named_once_at_its_first_step(build, tmp_path: Path) -> None:
    text = flow("""
        - id: ask_more
          choose: Once more?
          exhaustive: true
          options:
            - label: Finish
              next: done
            - label: Again
              next: loop_a
        - id: loop_a
          say: Here we go
          next: loop_b
        - id: loop_b
          choose: And now?
          exhaustive: true
          options:
            - label: Round
              next: loop_a
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "no-end")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "id: loop_a"))
    assert "nor from the 1 step(s) after it" in problem.message


def test_loop_with_no_question(build, tmp_path: Path) -> None:
    # the branch can leave the loop, so an end is reachable; but nothing is ever asked
    text = flow("""
        - id: name
          ask: Name?
          input: text
          save: name
        - id: check
          branch:
            - if: name == "stop"
              next: done
          else: again
        - id: again
          say: Checking again
          next: check
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "loop-without-question")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "id: check"))
    assert "check -> again -> check" in problem.message
    assert codes(result) == {"loop-without-question"}


def test_loop_with_no_question_across_flows(build, tmp_path: Path) -> None:
    first = flow("- id: go\n  flow: b-flow\n", flow_id="a-flow")
    second = flow("- id: hello\n  say: Hi\n- id: back\n  flow: a-flow\n", flow_id="b-flow")
    result = build({"a.yaml": first, "b.yaml": second})
    problem = only(result, "loop-without-question")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(first, "id: go"))
    assert "b-flow" not in codes(result)


def test_loop_through_a_question_is_fine(build) -> None:
    result = build({"a.yaml": flow("""
        - id: ask
          ask: Again?
          input: yesno
          save: again
        - id: route
          branch:
            - if: again
              next: ask
          else: done
        - id: done
          end: Bye
        """)})
    assert result.problems == []


# -- expressions ----------------------------------------------------------------------------
def test_invalid_expression_syntax(build, tmp_path: Path) -> None:
    text = flow("""
        - id: age
          ask: Age? (e.g. 30)
          input: number
          save: age
        - id: route
          branch:
            - if: age > > 3
              next: done
          else: done
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "bad-expression")
    line, column = at(text, "age > > 3")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=(line, column + len("age > ")))  # at the second `>`
    assert codes(result) == {"bad-expression"}


def test_forbidden_expression_construct(build, tmp_path: Path) -> None:
    text = flow("""
        - id: age
          ask: Age?
          input: number
          save: age
        - id: route
          branch:
            - if: age == 1 or age.__class__
              next: done
          else: done
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "bad-expression")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "age.__class__"))
    assert "not allowed" in problem.message


def test_unknown_answer_in_condition(build, tmp_path: Path) -> None:
    text = flow("""
        - id: age
          ask: Age?
          input: number
          save: age
        - id: route
          branch:
            - if: agee > 18
              next: done
          else: done
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "unknown-answer")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "if: agee"))
    assert "`agee`" in problem.message and "`age`" in problem.hint


def test_unknown_answer_in_placeholder(build, tmp_path: Path) -> None:
    text = flow("""
        - id: name
          ask: Name?
          input: text
          save: name
        - id: done
          end: "Bye, {nmae}. {{not a placeholder}} {name.__class__}"
        """)
    result = build({"a.yaml": text})
    problem = only(result, "unknown-answer")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "end:"))
    assert "{nmae}" in problem.message and "`name`" in problem.hint


def test_answer_saved_in_another_flow_is_known(build) -> None:
    first = flow("""
        - id: name
          ask: Name?
          input: text
          save: name
        - id: jump
          flow: b-flow
        """, flow_id="a-flow")
    second = flow("- id: done\n  end: 'Bye, {name}'\n", flow_id="b-flow")
    assert build({"a.yaml": first, "b.yaml": second}).problems == []


# -- lengths --------------------------------------------------------------------------------
def test_text_over_4096_characters(build, tmp_path: Path) -> None:
    text = flow(f"""
        - id: hello
          say: {"a" * (MAX_TEXT - 5)} done
        - id: long
          say: {"b" * (MAX_TEXT + 1)}
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "text-too-long")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "say: bbb"))
    assert str(MAX_TEXT + 1) in problem.message


def test_button_label_over_40_characters(build, tmp_path: Path) -> None:
    long_label = "Yes, and I also have every paper they want"
    assert len(long_label) > MAX_BUTTON
    text = flow(f"""
        - id: pick
          choose: Ready?
          options:
            - label: {"x" * MAX_BUTTON}
              next: done
            - label: {long_label}
              next: done
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "label-too-long")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "label: Yes"))


# -- translations and review ----------------------------------------------------------------
def test_missing_translation_is_a_warning(build, tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        id: two-lang
        languages: [en, fr]
        title: {en: Title, fr: Titre}
        description: {en: Description, fr: Description}
        source:
          - title: Source
            url: https://example.org
        last_reviewed: 2026-01-15
        steps:
          - id: hello
            say: {en: Hello, fr: Bonjour}
          - id: done
            end: {en: Bye}
        """)
    result = build({"a.yaml": text})
    problem = only(result, "missing-translation")
    assert_problem(problem, severity=WARNING, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "end:"))
    assert "`fr`" in problem.message
    assert result.ok


def test_last_reviewed_over_a_year_ago_is_a_warning(build, tmp_path: Path) -> None:
    text = flow("- id: done\n  end: Bye\n", reviewed="2025-05-31")
    result = build({"a.yaml": text}, today=date(2026, 6, 1))
    assert_problem(only(result, "stale-review"), severity=WARNING,
                   file=tmp_path / "TT" / "a.yaml", where=at(text, "last_reviewed:"))
    assert result.ok


def test_last_reviewed_within_a_year_is_fine(build) -> None:
    text = flow("- id: done\n  end: Bye\n", reviewed="2025-06-01")
    assert build({"a.yaml": text}, today=date(2026, 6, 1)).problems == []


def test_today_is_injected_not_read(build) -> None:
    text = flow("- id: done\n  end: Bye\n", reviewed="2020-01-01")
    assert codes(build({"a.yaml": text}, today=date(2020, 6, 1))) == set()
    assert codes(build({"a.yaml": text}, today=date(2030, 6, 1))) == {"stale-review"}


def test_every_problem_is_sorted_and_printable(build) -> None:
    result = build({"a.yaml": flow("""
        - id: hello
          say: Hello
          nxet: dnoe
          next: dnoe
        - id: lost
          end: Bye
        """)})
    assert result.problems == sorted(result.problems)
    assert {"unknown-field", "unknown-step"} <= codes(result)
    assert not result.ok and result.errors and result.warnings


# -- the command ----------------------------------------------------------------------------
@pytest.fixture
def warnings_only(build, tmp_path: Path) -> Path:
    build({"a.yaml": flow("- id: done\n  end: Bye\n- id: lost\n  end: Never\n")})
    return tmp_path


@pytest.fixture
def with_errors(build, tmp_path: Path) -> Path:
    build({"a.yaml": flow("- id: hello\n  say: Hi\n  nxet: done\n- id: done\n  end: Bye\n")})
    return tmp_path


def test_check_command_exit_0_with_warnings_only(warnings_only: Path) -> None:
    out = io.StringIO()
    assert flows_check.run(str(warnings_only), out) == 0
    printed = out.getvalue()
    assert ": warning: no path leads to step `lost`" in printed
    assert printed.rstrip().endswith("1 flows in 1 countries: 0 errors, 1 warnings")


def test_check_command_exit_1_on_errors(with_errors: Path) -> None:
    out = io.StringIO()
    assert flows_check.run(str(with_errors), out) == 1
    assert "a.yaml:12:5: error: unknown field `nxet` in a `say` step" in out.getvalue()


def test_check_command_exit_0_on_the_complete_fixture() -> None:
    out = io.StringIO()
    assert flows_check.run(str(FIXTURES / "complete"), out) == 0


@pytest.mark.parametrize(("fixture", "code"), [("warnings_only", 0), ("with_errors", 1)])
def test_python_m_bot_flows_check(request: pytest.FixtureRequest, fixture: str,
                                  code: int) -> None:
    folder = request.getfixturevalue(fixture)
    done = subprocess.run([sys.executable, "-m", "bot", "flows", "check", str(folder)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == code, done.stdout + done.stderr
    assert "1 flows in 1 countries" in done.stdout


# -- the shipped flows ----------------------------------------------------------------------
def test_shipped_flows_have_no_errors() -> None:
    flows_dir = REPO / "flows"
    if not flows_dir.is_dir() or not any(flows_dir.glob("*/*.yaml")):
        pytest.skip("no shipped flows yet")
    result = load_flows(flows_dir)
    if not result.flows.flows and not result.errors:
        pytest.skip("no shipped flows yet")
    assert result.errors == [], "\n".join(map(str, result.errors))


def test_unquoted_yes_label_gets_a_quoting_hint(build, tmp_path: Path) -> None:
    text = flow("""
        - id: pick
          choose: Ready?
          options:
            - label: Yes
              next: done
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    problem = only(result, "bad-text")
    assert_problem(problem, severity=ERROR, file=tmp_path / "TT" / "a.yaml",
                   where=at(text, "label: Yes"))
    assert "quote" in problem.hint


@pytest.mark.parametrize("condition", [
    "age.__class__", '"age.__class__"', "'age.__class__'", "   age.__class__",
])
def test_expression_error_column_inside_quotes(build, tmp_path: Path, condition: str) -> None:
    text = flow(f"""
        - id: age
          ask: Age?
          input: number
          save: age
        - id: route
          branch:
            - if: {condition}
              next: done
          else: done
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    assert_problem(only(result, "bad-expression"), severity=ERROR,
                   file=tmp_path / "TT" / "a.yaml", where=at(text, "age.__class__"))


def test_expression_error_in_a_flow_mapping(build, tmp_path: Path) -> None:
    text = flow("""
        - id: age
          ask: Age?
          input: number
          save: age
        - id: route
          branch:
            - {if: age.x > 1, next: done}
          else: done
        - id: done
          end: Bye
        """)
    result = build({"a.yaml": text})
    assert_problem(only(result, "bad-expression"), severity=ERROR,
                   file=tmp_path / "TT" / "a.yaml", where=at(text, "age.x"))


# -- the YAML layer ---------------------------------------------------------------------------
TRICKY_YAML = """\
plain: text
yes_word: yes
no_word: No
on_word: on
null_word: ~
empty:
quoted_empty: ''
integer: 42
hex: 0x1f
float: 1.5
inf: .inf
negative: -3
underscored: 1_000
sexagesimal: 12:30
day: 2026-01-15
quoted_day: '2026-01-15'
quoted_number: "42"
tagged: !!str 5
binary: !!binary aGVsbG8=
list: [1, 'x', "y", on, 2026-01-01, null]
folded: >-
  two
  lines
literal: |
  kept
nested: {a: {b: [true, False]}}
"""


def test_yaml_values_are_read_as_the_safe_loader_reads_them() -> None:
    import yaml

    from bot.engine.located import load_yaml

    def plain(value):  # located containers -> plain ones
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    assert plain(load_yaml(TRICKY_YAML).data) == yaml.safe_load(TRICKY_YAML)


def test_loading_keeps_no_yaml_nodes_alive() -> None:
    from bot.engine import located

    for _ in range(3):
        located.load_yaml(TRICKY_YAML)
    assert located._scalar_loader.constructed_objects == {}
