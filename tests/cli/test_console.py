"""The console drives the engine like the bot: numbered choices, typed answers, commands."""

from __future__ import annotations

import io
import re
import shlex
from datetime import date
from pathlib import Path

import pytest

from bot.cli import console
from bot.engine import load_flows
from bot.flowtests import load_cases, run_cases

TODAY = date(2026, 11, 20)


def drive(flows_dir: Path, lines: list[str], **options: object) -> tuple[int, str]:
    output = io.StringIO()
    code = console.run(str(flows_dir), input=io.StringIO("".join(f"{x}\n" for x in lines)),
                       output=output, today=TODAY, **options)
    return code, output.getvalue()


FULL_RUN = [
    "abc",      # not a number: the flow's retry text
    "40",
    "2",        # "Sea | year" ...
    "/back",    # ... no: back to the permit question
    "1",        # River <day>
    "2",        # tick Photo
    "1",        # tick ID card
    "1",        # untick ID card
    "done",
]


def test_full_flow_by_numbers(flows_dir: Path) -> None:
    code, out = drive(flows_dir, FULL_RUN, flow_id="xa-permit", lang="en")
    assert code == 0
    assert "Welcome. A permit costs 10 \"coins\" [sic]." in out
    assert "(a number from 0 to 120)" in out
    assert "! Please type your age in years, like 34." in out
    assert "  1. River <day>\n  2. Sea | year" in out
    assert "  1. [x] ID card\n  2. [x] Photo" in out
    assert "  1. [ ] ID card\n  2. [x] Photo" in out
    assert "Still missing:\n  - ID card (where to get it: At the town hall)" in out
    # the office, with its map link
    assert "Office: Town hall" in out and "Phone: +1 555 0100" in out
    assert "https://www.openstreetmap.org/?mlat=48.85&mlon=2.35" in out
    # the end with its summary
    assert "All set, River <day>." in out
    assert "Your answers:\n  Age: 40\n  Permit: River <day>" in out
    assert "Bring:\n  - Photo" in out
    # the repro: one command line, and a flow-test case
    repro = [line for line in out.splitlines() if line.startswith("REPRO: ")]
    assert len(repro) == 1
    assert repro[0].endswith(f"| python -m bot console {flows_dir} --flow xa-permit --lang en")
    assert "      - user: Sea | year\n      - user: /back\n      - user: River <day>" in out
    assert "      - user: Photo\n      - user: ID card\n      - user: ID card\n" in out
    assert "      - user: /done\n    end: done" in out
    assert out.rstrip().endswith("Bye.")


def _case_yaml(out: str) -> str:
    start = out.index("  - name: ")
    end = out.index("    end: ", start)
    end = out.index("\n", end) + 1
    return out[start:end]


def test_printed_case_passes_as_a_flow_test(flows_dir: Path) -> None:
    _code, out = drive(flows_dir, [*FULL_RUN[:2], "/restart", *FULL_RUN], flow_id="xa-permit",
                       lang="fr")
    tests = flows_dir / "XA" / "tests" / "permit.yaml"
    tests.write_text("flow: xa-permit\ncases:\n" + _case_yaml(out), encoding="utf-8")
    cases = load_cases(flows_dir)
    assert not cases.problems
    assert [case.lang for case in cases.cases] == ["fr"]
    results, _coverage = run_cases(load_flows(flows_dir).flows, cases.cases)
    assert [result.failure for result in results] == [None]


def test_repro_command_replays_the_session(flows_dir: Path) -> None:
    _code, out = drive(flows_dir, FULL_RUN, flow_id="xa-permit", lang="en")
    line = next(x for x in out.splitlines() if x.startswith("REPRO: "))
    words = shlex.split(line.removeprefix("REPRO: "))
    assert words[:2] == ["printf", "%s\\n"]
    replay = words[2:words.index("|")]
    assert words[words.index("|") + 1:] == ["python", "-m", "bot", "console", str(flows_dir),
                                            "--flow", "xa-permit", "--lang", "en"]
    assert replay == ["abc", "40", "Sea | year", "/back", "River <day>", "Photo", "ID card",
                      "ID card", "/done"]
    _code, again = drive(flows_dir, replay, flow_id="xa-permit", lang="en")
    assert "Your answers:\n  Age: 40\n  Permit: River <day>" in again


def test_restart_and_escalation(flows_dir: Path) -> None:
    code, out = drive(flows_dir, ["12", "/restart", "/quit"], flow_id="xa-permit", lang="en")
    assert code == 0
    assert "Escalation at minor: A minor asks for a permit" in out
    assert "(a volunteer would take over here)" in out
    assert out.count("Welcome. A permit costs") == 2  # shown again after /restart
    assert "      - user: \"12\"\n      - user: /restart\n" in out
    assert "    end:" not in out  # left with /quit, not at an end


def test_country_then_procedure_menu_and_language(flows_dir: Path) -> None:
    code, out = drive(flows_dir, ["1", "2", "33", "oui"])  # one country: no country question
    assert code == 0
    # no --lang: the language is asked, each named in itself, the prompt in each language
    assert ("Choose your language / Choisissez votre langue:\n  1. English (en)\n"
            "  2. Français (fr)") in out
    assert "Procedures in Testland:" in out
    assert "  1. Boat licence  (xa-boat)\n  2. Fishing permit  (xa-permit)" in out
    assert "Type the number of an option (1 to 2)." in out  # "oui" is not an option
    assert (f"REPRO: printf '%s\\n' 33 | python -m bot console {flows_dir} --flow xa-permit "
            "--lang en") in out


def test_country_question_and_flow_jump(flows_dir: Path) -> None:
    other = flows_dir / "XB"
    other.mkdir()
    (other / "country.yaml").write_text(
        "country: XB\nname: {fr: Autreland}\nlanguages: [fr]\ndefault_language: fr\n",
        encoding="utf-8")
    (other / "x.yaml").write_text(
        "id: xb-x\nlanguages: [fr]\ntitle: Xx\ndescription: Xx\nsource:\n"
        "  - {title: X, url: 'https://example.org'}\nlast_reviewed: 2026-01-01\n"
        "steps:\n  - id: fin\n    end: Fini.\n", encoding="utf-8")
    code, out = drive(flows_dir, ["1", "en", "xa-permit", "44", "2", "yes", "/menu", "/quit"])
    assert code == 0
    assert "Choose a country:\n  1. XA  Testland\n  2. XB  Autreland" in out
    assert "Do you own a boat?" in out and "(yes or no)" in out  # after the jump to xa-boat
    assert "Go to the harbour." in out
    assert "Your answers:\n  Age: 44\n  Permit: Sea | year" in out
    assert "      - user: \"yes\"\n    end: finish" in out
    assert "Procedures in Testland:" in out  # /menu after the end


def test_menu_leaves_the_flow_with_a_repro(flows_dir: Path) -> None:
    code, out = drive(flows_dir, ["2", "30", "/menu", "1"], country="xa", lang="en")
    assert code == 0
    assert (f"REPRO: printf '%s\\n' 30 | python -m bot console {flows_dir} --flow xa-permit "
            "--lang en") in out
    assert out.count("Procedures in Testland:") == 2


def test_invalid_choice_and_unknown_command(flows_dir: Path) -> None:
    code, out = drive(flows_dir, ["20", "7", "/nope", "/help", ""], flow_id="xa-permit",
                      lang="en")
    assert code == 0
    assert "Type the number of an option (1 to 2)." in out
    assert "Commands: /back, /restart, /menu, /quit" in out
    # neither is an answer a flow test could replay
    assert "      - user: \"20\"\n" in out and "user: \"7\"" not in out


def test_end_of_input_quits_cleanly(flows_dir: Path) -> None:
    code, out = drive(flows_dir, [], flow_id="xa-boat", lang="en")
    assert code == 0
    assert "Do you own a boat?" in out
    assert f"REPRO: python -m bot console {flows_dir} --flow xa-boat --lang en" in out
    assert "steps: []" in out


def test_date_answers_pin_today_in_the_repro(tmp_path: Path) -> None:
    country = tmp_path / "XC"
    country.mkdir()
    (country / "country.yaml").write_text(
        "country: XC\nname: {en: Dateland}\nlanguages: [en]\ndefault_language: en\n",
        encoding="utf-8")
    (country / "d.yaml").write_text(
        "id: xc-date\nlanguages: [en]\ntitle: D\ndescription: D\nsource:\n"
        "  - {title: X, url: 'https://example.org'}\nlast_reviewed: 2026-01-01\nsteps:\n"
        "  - id: born\n    ask: When?\n    input: date\n    save: born\n    label: Born\n"
        "  - id: fin\n    end: Done.\n", encoding="utf-8")
    code, out = drive(tmp_path, ["01.13.2026", "05.03.2026"], flow_id="xc-date")
    assert code == 0
    assert "! That is not a date. Please type it like 05/03/2026." in out
    assert "--flow xc-date --lang en --today 2026-11-20" in out
    assert "    today: 2026-11-20" in out


def test_invalid_flow_set_prints_problems_and_exits_1(flows_dir: Path) -> None:
    (flows_dir / "XA" / "broken.yaml").write_text("id: Bad Id\nsteps: 3\n", encoding="utf-8")
    code, out = drive(flows_dir, [])
    assert code == 1
    assert re.search(r"broken\.yaml:\d+:\d+: error: ", out)
    assert "Procedures" not in out


def test_unknown_flow_suggests_close_ids(flows_dir: Path) -> None:
    code, out = drive(flows_dir, [], flow_id="xa-permt")
    assert code == 1
    assert "did you mean xa-permit" in out


def test_yaml_scalar_round_trips() -> None:
    import yaml

    for value in ["yes", "no", "12", "3,5", "a: b", "# x", "River <day>", "Sea | year",
                  " x", "null", "2026-03-05", "'q'", '"d"', "/done", "Ёлка"]:
        assert str(yaml.safe_load(f"k: {console.yaml_scalar(value)}")["k"]) == value


def test_repro_line_runs_in_a_shell(flows_dir: Path) -> None:
    import os
    import subprocess
    import sys

    _code, out = drive(flows_dir, FULL_RUN, flow_id="xa-permit", lang="en")
    line = next(x for x in out.splitlines() if x.startswith("REPRO: ")).removeprefix("REPRO: ")
    line = line.replace("| python -m bot", f"| {shlex.quote(sys.executable)} -m bot")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "FLOWS_DIR": str(flows_dir), "PYTHONPATH": str(root)}
    done = subprocess.run(["bash", "-c", line], capture_output=True, text=True, env=env,
                          cwd=flows_dir.parent, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "Your answers:\n  Age: 40\n  Permit: River <day>" in done.stdout
    assert f"REPRO: {line}".replace(shlex.quote(sys.executable), "python") in done.stdout


class _CtrlC(io.StringIO):
    """Input that is interrupted (Ctrl-C) after its lines."""

    def readline(self, *_args: object) -> str:
        line = super().readline()
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_quits_cleanly_with_the_repro(flows_dir: Path) -> None:
    output = io.StringIO()
    code = console.run(str(flows_dir), lang="en", flow_id="xa-permit", input=_CtrlC("41\n"),
                       output=output, today=TODAY)
    out = output.getvalue()
    assert code == 0
    assert (f"REPRO: printf '%s\\n' 41 | python -m bot console {flows_dir} --flow xa-permit "
            "--lang en") in out
    assert out.rstrip().endswith("Bye.")


def test_words_typed_at_the_list_find_the_procedure() -> None:
    """The console searches like the bot: "CMU" at Senegal's list offers the health flow."""
    out = io.StringIO()
    shipped = str(Path(__file__).resolve().parents[2] / "flows")
    code = console.run(shipped, lang="fr", country="SN", input=io.StringIO("cmu\n1\n/quit\n"),
                       output=out)
    text = out.getvalue()
    assert code == 0
    assert "Ces démarches peuvent vous aider" in text
    assert "== Soins de santé : CMU et carte d'égalité des chances (sn-health, fr) ==" in text


def test_an_enforcement_office_is_shown_with_its_caution(tmp_path: Path) -> None:
    """The shipped lb-residency-syrian: General Security never appears without its caution."""
    repo_flows = Path(__file__).resolve().parents[2] / "flows"
    code, out = drive(repo_flows, ["1", "1", "1", "1", "done", "1"],
                      flow_id="lb-residency-syrian", lang="en")
    assert code == 0
    office = "Office: General Directorate of General Security\n"
    caution = "  ⚠ Risk of detention: General Security can detain, and sometimes deport"
    assert office + caution in out  # right under the name, before the address
    assert out.index(caution) < out.index("The General Security centre of your area")
    assert out.count("Office: General Directorate of General Security") == out.count(caution)


def test_a_missing_paper_got_at_an_enforcement_office_carries_its_caution() -> None:
    repo_flows = Path(__file__).resolve().parents[2] / "flows"
    code, out = drive(repo_flows, ["2", "2", "1", "done", "2"], flow_id="kz-stateless",
                      lang="ru")
    assert code == 0
    caution = "полиция может оштрафовать, задержать и выдворить из страны"
    item = out.index("  - Справка об отпечатках пальцев")
    assert out.index("    ⚠ ", item) < out.index(caution, item)  # under the item, then ...
    assert out.count(caution) == 3  # ... with the office, and in the end summary


def test_the_console_shows_what_the_bot_shows_before_the_first_step(flows_dir: Path) -> None:
    """Sources and the review date (issue 18): the console omits nothing the bot shows."""
    flow = load_flows(flows_dir).flows.flows["xa-permit"]
    _, out = drive(flows_dir, ["40", "/quit"], flow_id="xa-permit", lang="en")
    assert "Sources: " in out and flow.sources[0].url in out
    if flow.last_reviewed:
        assert "Last checked by volunteers: " in out
    assert "Rules and fees change: check with the office before you go." in out


def test_console_options_have_help_text(capsys) -> None:
    from bot.__main__ import build_parser

    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["console", "--help"])
    options = " ".join(capsys.readouterr().out.split("options:", 1)[1].split())
    for option, words in (("--lang LL", "language of the texts"),
                          ("--flow FLOW_ID", "run this procedure"),
                          ("--country CC", "country code")):
        assert f"{option} {words}" in options
