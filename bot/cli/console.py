"""`python -m bot console`: try the flows in a terminal, through the same engine as the bot.

    python -m bot console                      # choose a country, then a procedure
    python -m bot console --country KZ --lang ru
    python -m bot console --flow kz-birth --lang ru --today 2026-11-20

Options are numbered; typed answers go to the engine as they are. Commands: /back, /restart,
/menu (the list of procedures), /quit (also Ctrl-D / Ctrl-C). When a flow ends, or on /quit,
the console prints a REPRO: a command line that replays the session, and the same answers as
a flow-test case (docs/flows.md, "Flow tests") to paste into `flows/<CC>/tests/`.

`run()` takes text streams so that tests can drive it.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot import i18n
from bot.answer_hints import date_example, invalid_text, label_value
from bot.engine import (
    Back,
    FlowSet,
    LoadResult,
    Press,
    Restart,
    Text,
    current,
    load_flows,
    resume,
    start,
)
from bot.engine import events as ev
from bot.engine.model import CHECKLIST_DONE, Flow
from bot.i18n import sort_key

OSM_PIN = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}"
PROMPT = "> "


def gettext_for(lang: str) -> Callable[[str], str]:
    """`_()` for the console's own strings in `lang` (English when there is no catalogue)."""
    return i18n.gettext_for(lang)


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


def map_link(lat: float, lon: float) -> str:
    return OSM_PIN.format(lat=lat, lon=lon)


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as the same text (quoted only when needed)."""
    try:
        plain_ok = (value == value.strip() and "\n" not in value
                    and yaml.safe_load(f"k: {value}") == {"k": value})
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok else json.dumps(value, ensure_ascii=False)


class Quit(Exception):
    """The admin asked to leave (/quit, end of input)."""


class ToMenu(Exception):
    """The admin asked for the list of procedures (/menu)."""


@dataclass
class Record:
    """What was answered in one run of a flow, for the REPRO line."""

    flow: Flow
    lang: str
    today: date | None
    answers: list[str] = field(default_factory=list)
    dated: bool = False  # a date was answered: "today" matters to replay it
    end: str | None = None


class Console:
    def __init__(self, flows: FlowSet, lang: str | None, today: date | None,
                 input: TextIO, output: TextIO, flows_dir: str | None = None) -> None:
        self.flows = flows
        self.flows_dir = flows_dir
        self.editing = input is sys.stdin and output is sys.stdout and _isatty(input) and (
            _enable_line_editing())
        self.lang = lang
        self.today = today
        self.input = input
        self.output = output
        self.echo = not _isatty(input)
        self._ = gettext_for(lang or "en")
        self.chosen: dict[str, str] = {}  # country -> language picked when --lang is absent
        self.record: Record | None = None  # the flow being run, for the REPRO on leaving
        self.flow_id: str | None = None  # the flow whose step is shown (after a flow jump too)

    @property
    def view_lang(self) -> str:
        """The language of the flow being run (what the person would read)."""
        return self.record.lang if self.record is not None else (self.lang or "en")

    # -- input and output ------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        print(text, file=self.output)

    def read(self) -> str:
        if self.editing:  # arrow keys, history: input() goes through readline
            try:
                line = input(PROMPT)
            except EOFError:
                raise Quit from None
            return line.strip()
        self.output.write(PROMPT)
        self.output.flush()
        line = self.input.readline()
        if not line:
            raise Quit
        line = line.rstrip("\r\n")
        if self.echo:
            self.say(line)
        return line.strip()

    def pick(self, count: int, names: list[str]) -> int:
        """Read the number (or name) of one of `count` entries; /quit leaves."""
        _ = self._
        while True:
            answer = self.read()
            if answer.casefold() in {"/quit", "/exit", "/q"}:
                raise Quit
            if answer.isdigit() and 1 <= int(answer) <= count:
                return int(answer) - 1
            folded = [name.casefold() for name in names]
            if answer.casefold() in folded:
                return folded.index(answer.casefold())
            self.say(_("Type a number from 1 to {count}, or /quit.").format(count=count))

    # -- choosing what to run --------------------------------------------------------------
    def choose_country(self) -> str:
        _ = self._
        codes = sorted({flow.country for flow in self.flows.flows.values()})
        if len(codes) == 1:
            return codes[0]
        self.say(_("Choose a country:"))
        for number, code in enumerate(codes, start=1):
            self.say(f"  {number}. {code}  {self.country_name(code)}")
        return codes[self.pick(len(codes), codes)]

    def country_name(self, code: str) -> str:
        country = self.flows.countries.get(code)
        if country is None:
            return code
        return country.name.get(self.lang or country.default_language)

    def country_lang(self, code: str) -> str:
        """--lang, else the language chosen for this country, else asked (a Russian speaker
        in Kazakhstan must not have to know about --lang to avoid Kazakh)."""
        if self.lang:
            return self.lang
        if code not in self.chosen:
            self.chosen[code] = self.choose_language(code)
        return self.chosen[code]

    def choose_language(self, code: str) -> str:
        country = self.flows.countries.get(code)
        languages = list(country.languages) if country else []
        for flow in self.flows.for_country(code):
            languages += [lang for lang in flow.languages if lang not in languages]
        if len(languages) <= 1:
            return languages[0] if languages else "en"
        self.say(" / ".join(dict.fromkeys(gettext_for(lang)("Choose your language")
                                          for lang in languages)) + ":")
        for number, lang in enumerate(languages, start=1):
            self.say(f"  {number}. {i18n.language_name(lang)} ({lang})")
        return languages[self.pick(len(languages), languages)]

    def choose_flow(self, code: str) -> Flow:
        _ = self._
        lang = self.country_lang(code)
        self._ = _ = gettext_for(lang)
        flows = sorted(self.flows.for_country(code),
                       key=lambda flow: (sort_key(flow.title.get(lang)), flow.id))
        self.say(_("Procedures in {country}:").format(country=self.country_name(code)))
        for number, flow in enumerate(flows, start=1):
            self.say(f"  {number}. {flow.title.get(lang)}  ({flow.id})")
        return flows[self.pick(len(flows), [flow.id for flow in flows])]

    # -- running a flow --------------------------------------------------------------------
    def run_flow(self, flow: Flow, lang: str) -> Record:
        """Run `flow` until it ends or the admin leaves (then `self.record` is kept)."""
        self._ = _ = gettext_for(lang)
        if lang not in flow.languages:
            self.say(_("{flow} has no {lang} texts; you see its first language ({first}) "
                       "where a text is missing.").format(flow=flow.id, lang=lang,
                                                          first=flow.languages[0]))
        self.say(f"== {flow.title.get(lang)} ({flow.id}, {lang}) ==")
        self.say(_("Commands: /back, /restart, /menu, /quit"))
        record = self.record = Record(flow, lang, self.today)
        sprint = start(self.flows, flow.id, lang, today=self.today, fmt=i18n.format_answer)
        self.flow_id = sprint.session["flow"]
        question = self.show(sprint.events)
        while True:
            if sprint.status != "waiting":
                record.end = sprint.step
                return record
            line = self.read()
            action, shown = self.action(line, question, sprint.step)
            if action is None:
                if line.casefold() == "/menu":
                    raise ToMenu
                if line.casefold() in {"/quit", "/exit", "/q"}:
                    raise Quit
                if shown:
                    self.say(shown)
                else:  # an empty line: show the question again
                    sprint = current(self.flows, sprint.session, today=self.today,
                                     fmt=i18n.format_answer)
                    question = self.show(sprint.events) or question
                continue
            if shown is not None:
                record.answers.append(shown)
                if isinstance(question, ev.Ask) and question.input == "date":
                    record.dated = True
            sprint = resume(self.flows, sprint.session, action, today=self.today,
                            fmt=i18n.format_answer)
            self.flow_id = sprint.session["flow"]
            question = self.show(sprint.events, question)

    def action(self, line: str, question: ev.Event | None,
               step: str) -> tuple[ev.Action | None, str | None]:
        """The engine action for a typed line, and how to write it in a flow test.

        With no action, the second value is a message for the admin (or None: show again).
        """
        _ = self._
        command = line.casefold()
        if command == "/back":
            return Back(), "/back"
        if command == "/restart":
            return Restart(), "/restart"
        if command in {"/menu", "/quit", "/exit", "/q"}:
            return None, None
        if command in {"/help", "/?"}:
            return None, _("Commands: /back, /restart, /menu, /quit")
        if not line:
            return None, None
        if isinstance(question, ev.Choices):
            for number, option in enumerate(question.options, start=1):
                if command in {str(number), option.label.casefold()}:
                    return Press(step, option.key), option.label
            return None, _("Type the number of an option (1 to {count}).").format(
                count=len(question.options))
        if isinstance(question, ev.Checklist):
            if command in {"done", "/done"}:
                return Press(step, CHECKLIST_DONE), "/done"
            for number, item in enumerate(question.items, start=1):
                if command in {str(number), item.label.casefold()}:
                    return Press(step, item.key), item.label
            return None, _("Type an item's number to tick or untick it, or done when "
                           "finished.")
        if line.startswith("/"):
            return None, _("Unknown command {command}. Commands: /back, /restart, /menu, "
                           "/quit").format(command=line)
        return Text(line), line

    # -- showing events --------------------------------------------------------------------
    def show(self, events: tuple[ev.Event, ...],
             question: ev.Event | None = None) -> ev.Event | None:
        """Print every event; return the question now waiting (or the previous one)."""
        for event in events:
            if isinstance(event, ev.QUESTION_EVENTS):
                question = event
            self.say(self.render(event).rstrip("\n"))
            self.say()
        return question

    def render(self, event: ev.Event) -> str:
        _ = self._
        match event:
            case ev.Say(text=text):
                return text
            case ev.Ask(step=step, text=text, input=kind):
                return f"{text}\n  ({self.hint(kind, step)})  [{step}]"
            case ev.Choices(step=step, text=text, options=options):
                lines = [f"{text}  [{step}]"]
                lines += [f"  {n}. {o.label}" for n, o in enumerate(options, start=1)]
                lines.append("  (" + _("type a number") + ")")
                return "\n".join(lines)
            case ev.Checklist(step=step, text=text, items=items):
                lines = [f"{text}  [{step}]"]
                lines += [f"  {n}. [{'x' if i.ticked else ' '}] {i.label}"
                          for n, i in enumerate(items, start=1)]
                lines.append("  (" + _("type a number to tick or untick, done when "
                                       "finished") + ")")
                return "\n".join(lines)
            case ev.Missing(items=items):
                return "\n".join([_("Still missing:"), *self.missing(items)])
            case ev.Place():
                return self.place(event)
            case ev.Escalate(step=step, reason=reason, waiting=waiting):
                lines = [_("** Escalation at {step}: {reason}").format(step=step, reason=reason),
                         _("(a volunteer would take over here)")]
                if not waiting:
                    lines.append(_("(the flow goes on)"))
                return "\n".join(lines)
            case ev.Invalid(input=kind) if kind in {"choice", "checklist"} and not event.text:
                return "! " + self.default_invalid(kind, event.step)
            case ev.Invalid():
                return "! " + invalid_text(_, event, self.view_lang)  # as the bot says it
            case ev.End():
                return self.end(event)
            case ev.Stale():
                return _("(that answer belongs to an earlier step; here is the current one)")
            case ev.FlowChanged(removed=removed):
                if removed:
                    return _("This procedure no longer exists; choose another (/menu).")
                return _("This procedure changed while you were in it: it starts again.")
            case ev.Stuck(step=step):
                return _("The flow got stuck at step {step} (a volunteer would take over "
                         "here). Run: python -m bot flows check").format(step=step)
        return repr(event)  # pragma: no cover - a new event kind: still show something

    def missing(self, items: tuple[ev.MissingItem, ...]) -> list[str]:
        _ = self._
        lines = []
        for item in items:
            where = _(" (where to get it: {where})").format(where=item.where) if item.where else ""
            lines.append(f"  - {item.label}{where}")
        return lines

    def place(self, place: ev.Place) -> str:
        _ = self._
        lines = [_("Office: {name}").format(name=place.name)]
        fields = [(_("Address"), place.address), (_("Hours"), place.hours),
                  (_("Phone"), place.phone), (_("Web"), place.url)]
        if place.lat is not None and place.lon is not None:
            fields.append((_("Map"), map_link(place.lat, place.lon)))
        lang = self.view_lang
        lines += [f"  {label_value(name, value, lang)}" for name, value in fields if value]
        if place.note:
            lines.append(f"  {place.note}")
        return "\n".join(lines)

    def end(self, end: ev.End) -> str:
        _ = self._
        lines = [end.text]
        if end.summary:
            lines.append(_("Your answers:"))
            lang = self.view_lang
            lines += ["  " + label_value(s.label, self.value(s.value, s.kind), lang)
                      for s in end.summary]
        if end.bring:
            lines.append(_("Bring:"))
            lines += [f"  - {label}" for label in end.bring]
        if end.missing:
            lines.append(_("Still missing:"))
            lines += self.missing(end.missing)
        lines.append(_("(end of the procedure, step {step})").format(step=end.step))
        return "\n".join(lines)

    def value(self, value: Any, kind: str) -> str:
        _ = self._
        lang = self.record.lang if self.record is not None else "en"
        if kind != "choice":
            return i18n.format_answer(value, kind, lang)  # as the bot shows it
        return str(value)

    def step_of(self, step_id: str) -> Any:
        flow = self.flows.get(self.flow_id or "")
        return flow.steps.get(step_id) if flow is not None else None

    def hint(self, kind: str, step_id: str) -> str:
        _ = self._
        if kind in {"number", "integer"}:
            step = self.step_of(step_id)
            low, high = (step.min, step.max) if step is not None else (None, None)
            if low is not None and high is not None:
                return _("a number from {low:g} to {high:g}").format(low=low, high=high)
            if low is not None:
                return _("a number, at least {low:g}").format(low=low)
            if high is not None:
                return _("a number, at most {high:g}").format(high=high)
            return _("a number")
        return {
            "text": _("type your answer"),
            "date": _("a date like {example}, not in the future").format(
                example=date_example(self.view_lang)),
            "phone": _("a phone number: 6 to 15 digits, + allowed"),
            "yesno": _("yes or no"),
        }.get(kind, _("type your answer"))

    def default_invalid(self, kind: str, step_id: str) -> str:
        _ = self._
        return {  # typed answers: answer_hints.invalid_text, as the bot says it
            "choice": _("Please type the number of one of the options."),
            "checklist": _("Type an item's number to tick or untick it, or done when finished."),
        }.get(kind, _("That answer does not fit; please try again."))

    # -- the REPRO line --------------------------------------------------------------------
    def leave(self) -> None:
        """Print the REPRO of the flow being left, once."""
        if self.record is not None:
            self.repro(self.record)
            self.record = None

    def repro(self, record: Record) -> None:
        _ = self._
        command = ["python", "-m", "bot", "console", *([self.flows_dir] if self.flows_dir else []),
                   "--flow", record.flow.id, "--lang", record.lang]
        today = record.today or date.today()
        if record.dated:
            command += ["--today", today.isoformat()]
        line = shlex.join(command)
        if record.answers:
            answers = " ".join(shlex.quote(answer) for answer in record.answers)
            line = f"printf '%s\\n' {answers} | {line}"
        self.say("REPRO: " + line)
        flow_file = Path(record.flow.file)
        tests_file = flow_file.parent / "tests" / flow_file.name
        self.say(_("As a flow test (add it under `cases:` in {file}, whose `flow:` is "
                   "{flow}):").format(file=tests_file.as_posix(), flow=record.flow.id))
        self.say(f"  - name: {yaml_scalar(f'console session, {record.lang}')}")
        self.say(f"    lang: {record.lang}")
        self.say(f"    today: {today.isoformat()}")
        if record.answers:
            self.say("    steps:")
            for answer in record.answers:
                self.say(f"      - user: {yaml_scalar(answer)}")
        else:
            self.say("    steps: []")
        if record.end:
            self.say(f"    end: {record.end}")


def _enable_line_editing() -> bool:
    """Load readline, which gives input() the arrow keys and a history (absent on Windows)."""
    try:
        import readline  # noqa: F401  (importing it is what enables line editing)
    except ImportError:
        return False
    return True


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


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
                console.run_flow(flow, console.country_lang(code))
            console.leave()
            console.say()
            console.say(console._("Choose another procedure, or /quit."))
    except (Quit, KeyboardInterrupt):
        console.say()
        console.leave()
        console.say(console._("Bye."))
        return 0
