"""Console items of issue 9 §8: the language asked or checked, procedures sorted by title as
in the bot, French spacing shared with the bot, the flows folder taken like `flows test`."""

from __future__ import annotations

import io
from pathlib import Path

from bot.__main__ import build_parser
from bot.cli import console, flows_graph

from .test_console import FULL_RUN, TODAY, drive


def test_an_unknown_lang_is_refused(flows_dir: Path) -> None:
    code, out = drive(flows_dir, [], lang="kz")
    assert code == 1
    assert out.startswith("unknown language `kz`")
    code, out = drive(flows_dir, ["/quit"], lang="ru")  # a UI language the flows lack: fine
    assert code == 0


def test_procedures_are_sorted_by_title_in_the_chosen_language(flows_dir: Path) -> None:
    # by id xa-boat comes first; by title "Fishing permit" comes before "Zebra boat licence"
    boat = flows_dir / "XA" / "boat.yaml"
    boat.write_text(boat.read_text(encoding="utf-8").replace("Boat licence", "Zebra boat licence"),
                    encoding="utf-8")
    _code, out = drive(flows_dir, ["/quit"], lang="en")
    assert "  1. Fishing permit  (xa-permit)\n  2. Zebra boat licence  (xa-boat)" in out


def test_french_spacing_in_the_console(flows_dir: Path) -> None:
    _code, out = drive(flows_dir, FULL_RUN, flow_id="xa-permit", lang="fr")
    assert "Adresse\u00a0: 1 rue Principale" in out


def test_console_graph_and_test_take_the_folder_the_same_way() -> None:
    parser = build_parser()
    assert parser.parse_args(["console", "some/flows"]).directory == "some/flows"
    assert parser.parse_args(["flows", "test", "some/flows"]).directory == "some/flows"
    assert parser.parse_args(["flows", "graph", "kz-birth", "some/flows"]).directory == (
        "some/flows")


def test_the_repro_names_the_folder(flows_dir: Path) -> None:
    output = io.StringIO()
    console.run(str(flows_dir), lang="en", flow_id="xa-boat", input=io.StringIO(""),
                output=output, today=TODAY)
    assert f"python -m bot console {flows_dir} --flow xa-boat --lang en" in output.getvalue()


def test_a_graph_names_the_language_it_shows(flows_dir: Path) -> None:
    out = io.StringIO()
    assert flows_graph.run(str(flows_dir), "xa-permit", "mermaid", "fr", None, out=out,
                           err=io.StringIO()) == 0
    assert 'n___start(("start<br/>fr, French"))' in out.getvalue()
    out = io.StringIO()
    flows_graph.run(str(flows_dir), "xa-permit", "dot", "fr", None, out=out, err=io.StringIO())
    assert "(fr, French)" in out.getvalue()


def test_line_editing_is_on_for_a_terminal_only(monkeypatch) -> None:
    import sys

    assert console._enable_line_editing() is True  # readline is there on Linux and macOS
    assert "readline" in sys.modules
    piped = console.Console(console.FlowSet(), "en", TODAY, io.StringIO(), io.StringIO())
    assert piped.editing is False  # a pipe (the REPRO line) is read as it comes

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal("33\n")
    monkeypatch.setattr(sys, "stdin", terminal)
    monkeypatch.setattr("builtins.input", lambda prompt: "  33 ")
    interactive = console.Console(console.FlowSet(), "en", TODAY, terminal, sys.stdout)
    assert interactive.editing is True
    assert interactive.read() == "33"  # through input(), which readline edits
