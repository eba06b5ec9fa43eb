"""A console session: choose a country, a language and a procedure, then run it step by step.

Typed lines become the same engine actions the bot's buttons and messages send (`action`),
so what an admin tries here is what a person gets; every answer is kept in a `Record` for
the REPRO printed on leaving a flow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TextIO

from bot import i18n
from bot.cli.console_events import EventText
from bot.cli.console_repro import Record, repro_lines
from bot.cli.console_terminal import QUIT_COMMANDS, Quit, Terminal
from bot.engine import Back, FlowSet, Press, Restart, Text, current, resume, start
from bot.engine import events as ev
from bot.engine.model import CHECKLIST_DONE, Flow
from bot.i18n import sort_key
from bot.services.procedure_search import find_procedures


def gettext_for(lang: str) -> Callable[[str], str]:
    """`_()` for the console's own strings in `lang` (English when there is no catalogue)."""
    return i18n.gettext_for(lang)


def intro_lines(flow: Flow, lang: str, _: Callable[[str], str]) -> list[str]:
    """What the bot shows before a procedure's first step (bot.tg.steps.flow_intro), as
    plain text: the console omits nothing a person would read."""
    lines = [flow.description.get(lang), ""]
    lines.append(_("Sources") + ": " + ", ".join(f"{s.title} <{s.url}>" for s in flow.sources))
    if flow.last_reviewed:
        lines.append(_("Last checked by volunteers: {date}").format(
            date=i18n.format_day(flow.last_reviewed, lang)))
    lines.append(_("Rules and fees change: check with the office before you go."))
    if lang in flow.unreviewed:
        lines.append(_("This translation has not yet been checked by a native speaker. "
                       "If something is unclear, a volunteer can help: /human"))
    return lines


class ToMenu(Exception):
    """The admin asked for the list of procedures (/menu)."""


class Console(Terminal):
    def __init__(self, flows: FlowSet, lang: str | None, today: date | None,
                 input: TextIO, output: TextIO, flows_dir: str | None = None) -> None:
        super().__init__(input, output, lang or "en")
        self.flows = flows
        self.flows_dir = flows_dir
        self.lang = lang
        self.today = today
        self.chosen: dict[str, str] = {}  # country -> language picked when --lang is absent
        self.record: Record | None = None  # the flow being run, for the REPRO on leaving
        self.flow_id: str | None = None  # the flow whose step is shown (after a flow jump too)

    @property
    def view_lang(self) -> str:
        """The language of the flow being run (what the person would read)."""
        return self.record.lang if self.record is not None else (self.lang or "en")

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
        found: list[Flow] = []

        def search(line: str) -> int | None:
            """Words typed instead of a number: the same search as the bot's."""
            result = find_procedures(self.flows, line, code, lang)
            if not result.flow_ids:
                return None
            found[:] = [self.flows.flows[flow_id] for flow_id in result.flow_ids]
            self.say(_("These procedures may help:"))
            for number, flow in enumerate(found, start=1):
                where = f"{self.country_name(flow.country)}: " if result.elsewhere else ""
                self.say(f"  {number}. {where}{flow.title.get(lang)}  ({flow.id})")
            return len(flows) + self.pick(len(found), [flow.id for flow in found])

        chosen = self.pick(len(flows), [flow.id for flow in flows], search)
        return flows[chosen] if chosen < len(flows) else found[chosen - len(flows)]

    # -- running a flow --------------------------------------------------------------------
    def run_flow(self, flow: Flow, lang: str) -> Record:
        """Run `flow` until it ends or the admin leaves (then `self.record` is kept)."""
        self._ = _ = gettext_for(lang)
        if lang not in flow.languages:
            self.say(_("{flow} has no {lang} texts; you see its first language ({first}) "
                       "where a text is missing.").format(flow=flow.id, lang=lang,
                                                          first=flow.languages[0]))
        self.say(f"== {flow.title.get(lang)} ({flow.id}, {lang}) ==")
        for line in intro_lines(flow, lang, _):
            self.say(line)
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
                if line.casefold() in QUIT_COMMANDS:
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
        if command == "/menu" or command in QUIT_COMMANDS:
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
            return None, _("Type an item's number to tick or untick it, or /done when "
                           "finished.")
        if line.startswith("/"):
            return None, _("Unknown command {command}. Commands: /back, /restart, /menu, "
                           "/quit").format(command=line)
        return Text(line), line

    # -- showing events and leaving --------------------------------------------------------
    def show(self, events: tuple[ev.Event, ...],
             question: ev.Event | None = None) -> ev.Event | None:
        """Print every event; return the question now waiting (or the previous one)."""
        text = EventText(self._, self.view_lang,
                         self.record.lang if self.record is not None else "en", self.step_of)
        for event in events:
            if isinstance(event, ev.QUESTION_EVENTS):
                question = event
            self.say(text.render(event).rstrip("\n"))
            self.say()
        return question

    def step_of(self, step_id: str) -> Any:
        flow = self.flows.get(self.flow_id or "")
        return flow.steps.get(step_id) if flow is not None else None

    def leave(self) -> None:
        """Print the REPRO of the flow being left, once."""
        if self.record is not None:
            for line in repro_lines(self.record, self.flows_dir, self._):
                self.say(line)
            self.record = None
