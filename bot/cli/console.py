"""`python -m bot console`: try the flows in a terminal, through the same engine as the bot.

    python -m bot console                      # choose a country, then a procedure
    python -m bot console --country KZ --lang ru
    python -m bot console --flow kz-birth --lang ru --today 2026-11-20

Options are numbered; typed answers go to the engine as they are. Commands: /back, /restart,
/menu (the list of procedures), /quit (also Ctrl-D / Ctrl-C). When a flow ends, or on /quit,
the console prints a REPRO: a command line that replays the session, and the same answers as
a flow-test case (docs/flows.md, "Flow tests") to paste into `flows/<CC>/tests/`.

`run()` takes text streams so that tests can drive it. This module checks the options and
loops over procedures; the parts live beside it: console_terminal (reading and printing,
readline), console_session (choosing and running a flow), console_events (how events are
written) and console_repro (the REPRO and the flow-test case).
"""

from __future__ import annotations

import contextlib
import difflib
import sys
from datetime import date
from typing import TextIO

from bot import i18n
from bot.cli.console_events import map_link
from bot.cli.console_repro import Record, yaml_scalar
from bot.cli.console_session import Console, ToMenu, gettext_for
from bot.cli.console_terminal import Quit, _enable_line_editing
from bot.engine import FlowSet, LoadResult, load_flows

__all__ = ["Console", "FlowSet", "Quit", "Record", "ToMenu", "_enable_line_editing",
           "close_matches", "gettext_for", "load_valid", "map_link", "run", "yaml_scalar"]


def close_matches(name: str, known: list[str]) -> str:
    """`did you mean …?`, or the known names when none is close."""
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    if close:
        return "did you mean " + ", ".join(close) + "?"
    return "known: " + (", ".join(sorted(known)) or "none")


def load_valid(directory: str, err: TextIO) -> LoadResult | None:
    """The flows, or None after printing their problems: admin tools never run broken flows."""
    result = load_flows(directory)
    if result.ok:
        return result
    for problem in result.problems:
        print(problem, file=err)
    print(f"{len(result.errors)} errors, {len(result.warnings)} warnings: fix the errors "
          "(python -m bot flows check), then try again", file=err)
    return None


def run(flows_dir: str, lang: str | None = None, flow_id: str | None = None,
        country: str | None = None, input: TextIO | None = None,
        output: TextIO | None = None, today: date | None = None) -> int:
    """Run the console; 0 when the admin leaves, 1 when the flows or the options are wrong."""
    input = input or sys.stdin
    output = output or sys.stdout
    loaded = load_valid(flows_dir, output)
    if loaded is None:
        return 1
    flows = loaded.flows
    if not flows.flows:
        print(f"no flows in {flows_dir}", file=output)
        return 1
    if flow_id is not None and flow_id not in flows.flows:
        print(f"no flow `{flow_id}`; {close_matches(flow_id, list(flows.flows))}", file=output)
        return 1
    codes = sorted({flow.country for flow in flows.flows.values()})
    if country is not None:
        country = country.upper()
        if country not in codes:
            print(f"no flows for country `{country}`; {close_matches(country, codes)}",
                  file=output)
            return 1
    if flow_id is not None:
        country = flows.flows[flow_id].country
    if lang is not None:
        offered = sorted({*i18n.LANGUAGES, *(x for f in flows.flows.values() for x in f.languages)})
        if lang not in offered:
            print(f"unknown language `{lang}`; {close_matches(lang, offered)}", file=output)
            return 1
    console = Console(flows, lang, today, input, output, flows_dir)
    if loaded.warnings:
        console.say(f"({len(loaded.warnings)} warnings: python -m bot flows check)")
    try:
        while True:
            code = country or console.choose_country()
            flow = flows.flows[flow_id] if flow_id else console.choose_flow(code)
            flow_id = None  # after this run, /menu and the end lead to the list
            country = code
            with contextlib.suppress(ToMenu):
                console.run_flow(flow, console.country_lang(flow.country))
            console.leave()
            console.say()
            console.say(console._("Choose another procedure, or /quit."))
    except (Quit, KeyboardInterrupt):
        console.say()
        console.leave()
        console.say(console._("Bye."))
        return 0
