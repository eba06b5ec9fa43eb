"""The runner: every step kind and input kind, back/restart/stale, flow changes, the guard.

Most tests drive tests/engine/fixtures/complete (flows `demo-main` and `demo-extra`) exactly
as a person would: `play(...)` starts a flow and applies actions one by one.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot.engine import (
    MAX_STEPS,
    Back,
    FlowSet,
    Press,
    Restart,
    Sprint,
    Text,
    current,
    resume,
    start,
)
from bot.engine import events as ev
from bot.engine.located import Pos
from bot.engine.model import Flow, Step
from bot.engine.model import Text as Texts
from bot.engine.texts import interpolate, placeholders

TODAY = date(2026, 6, 1)
PHONE = "+7 701 123-45-67"


def play(flows: FlowSet, flow_id: str, lang: str, *actions: Any,
         today: date = TODAY) -> Sprint:
    sprint = start(flows, flow_id, lang, today=today)
    for action in actions:
        sprint = resume(flows, sprint.session, action, today=today)
    return sprint


def then(flows: FlowSet, sprint: Sprint, *actions: Any, today: date = TODAY) -> Sprint:
    for action in actions:
        sprint = resume(flows, sprint.session, action, today=today)
    return sprint


def of(sprint: Sprint, kind: type) -> list[Any]:
    return [event for event in sprint.events if isinstance(event, kind)]


def to_docs(flows: FlowSet, lang: str = "en", *, age: str = "30", birth: str = "01.01.1990",
            married: str = "no") -> Sprint:
    """From the start to the checklist `docs` (adults under 65 skip the escalations)."""
    return play(flows, "demo-main", lang, Text("Ann"), Text(age), Text(birth), Text(PHONE),
                Press("married", married))


def to_channel(flows: FlowSet, lang: str = "en", ticks: tuple[str, ...] = ("passport",
                                                                           "photo")) -> Sprint:
    sprint = to_docs(flows, lang)
    return then(flows, sprint, *(Press("docs", key) for key in ticks), Press("docs", "done"))


def assert_waiting_at(sprint: Sprint, step: str, flow: str = "demo-main") -> None:
    assert (sprint.status, sprint.session["flow"], sprint.step) == ("waiting", flow, step)


# -- say, ask, start ---------------------------------------------------------------------------
def test_start_says_then_asks(complete: FlowSet) -> None:
    sprint = start(complete, "demo-main", "en", today=TODAY)
    assert sprint.events == (
        ev.Say("Welcome. Braces stay: {literal}."),
        ev.Ask("name", "What is your name?", "text"),
    )
    assert sprint.trace == (("demo-main", "intro"), ("demo-main", "name"))
    assert_waiting_at(sprint, "name")
    assert sprint.session["root"] == "demo-main"
    assert sprint.session["answers"] == {} and sprint.session["history"] == []


def test_start_in_each_language_and_fallback(complete: FlowSet) -> None:
    assert start(complete, "demo-main", "fr").events[1].text == "Quel est votre nom ?"
    # a language the flow lacks falls back to its first language
    assert start(complete, "demo-main", "de").events[1].text == "What is your name?"


def test_text_answer_is_saved_and_inserted(complete: FlowSet) -> None:
    sprint = play(complete, "demo-main", "fr", Text("  Ann  "))
    assert sprint.session["answers"] == {"name": "Ann"}
    assert sprint.events == (ev.Ask("age", "Quel âge avez-vous, Ann ? (ex. 34)", "number"),)
    assert sprint.trace == (("demo-main", "age"),)


def test_text_answer_limits(complete: FlowSet) -> None:
    too_long = play(complete, "demo-main", "en", Text("x" * 1001))
    assert too_long.events == (ev.Invalid("name", "text", None),)
    assert_waiting_at(too_long, "name")
    assert play(complete, "demo-main", "en", Text("   ")).events == (
        ev.Invalid("name", "text", None),)
    assert play(complete, "demo-main", "en", Text("x" * 1000)).step == "age"


# -- typed inputs ------------------------------------------------------------------------------
RETRY_AGE = "A number from 0 to 120, please."


@pytest.mark.parametrize(("typed", "stored"), [
    ("0", 0), ("120", 120), ("42", 42), ("3,5", 3.5), ("3.5", 3.5), ("42.0", 42), ("+7", 7),
])
def test_number_accepted(complete: FlowSet, typed: str, stored: float) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"), Text(typed))
    assert sprint.session["answers"]["age"] == stored
    assert type(sprint.session["answers"]["age"]) is type(stored)
    assert sprint.step == "birth"


@pytest.mark.parametrize("typed", ["abc", "121", "-1", "1e3", "3.", "", "1" * 400, "4 2"])
def test_number_rejected_with_retry_text(complete: FlowSet, typed: str) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"), Text(typed))
    assert sprint.events == (ev.Invalid("age", "number", RETRY_AGE),)
    assert_waiting_at(sprint, "age")
    assert "age" not in sprint.session["answers"]
    assert sprint.trace == ()


def test_retry_text_is_in_the_persons_language(complete: FlowSet) -> None:
    sprint = play(complete, "demo-main", "fr", Text("Ann"), Text("beaucoup"))
    assert sprint.events == (ev.Invalid("age", "number", "Un nombre de 0 à 120, s'il vous plaît."),)


@pytest.mark.parametrize("typed", ["2026-03-05", "05.03.2026", "05/03/2026", " 5.3.2026 ",
                                   "05 03 2026", "5 March 2026"])
def test_date_formats(complete: FlowSet, typed: str) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"), Text("30"), Text(typed))
    assert sprint.session["answers"]["birth_date"] == "2026-03-05"
    assert sprint.step == "phone"


@pytest.mark.parametrize("typed", ["02.06.2026", "2027-01-01", "31.02.2020", "yesterday",
                                   "2020/13/01", "05 03", "5 March", "1.1.1.2020"])
def test_date_rejected_with_default_text(complete: FlowSet, typed: str) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"), Text("30"), Text(typed))
    # `birth` has no `retry:`: the event carries None and the adapter shows its default
    assert sprint.events == (ev.Invalid("birth", "date", None),)
    assert_waiting_at(sprint, "birth")


def test_date_today_is_injected(complete: FlowSet) -> None:
    answers = (Text("Ann"), Text("30"), Text("01.06.2026"))
    assert play(complete, "demo-main", "en", *answers, today=date(2026, 6, 1)).step == "phone"
    rejected = play(complete, "demo-main", "en", *answers, today=date(2026, 5, 31))
    assert rejected.events == (ev.Invalid("birth", "date", None),)


@pytest.mark.parametrize(("typed", "stored"), [
    (PHONE, "+77011234567"), ("555-1234", "5551234"), ("123456", "123456"),
    ("+123456789012345", "+123456789012345"), ("+7 (701) 1234567", "+77011234567"),
    ("+٩٦١ ٣ ١٢٣ ٤٥٦", "+9613123456"),
])
def test_phone_accepted(complete: FlowSet, typed: str, stored: str) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"), Text("30"), Text("1.1.1990"),
                  Text(typed))
    assert sprint.session["answers"]["phone"] == stored
    assert sprint.step == "married"


@pytest.mark.parametrize("typed", ["12345", "1234567890123456", "call me",
                                   "++77011234567"])
def test_phone_rejected(complete: FlowSet, typed: str) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"), Text("30"), Text("1.1.1990"),
                  Text(typed))
    assert sprint.events == (ev.Invalid("phone", "phone", None),)


def at_married(complete: FlowSet, lang: str = "en") -> Sprint:
    return play(complete, "demo-main", lang, Text("Ann"), Text("30"), Text("1.1.1990"),
                Text(PHONE))


@pytest.mark.parametrize(("lang", "action", "stored"), [
    ("en", Press("married", "yes"), True),
    ("en", Press("married", "no"), False),
    ("en", Text("Yes"), True),
    ("en", Text("n"), False),
    ("fr", Text("oui"), True),
    ("fr", Text("Non!"), False),
    ("fr", Text("yes"), True),  # English always works too
])
def test_yesno(complete: FlowSet, lang: str, action: Any, stored: bool) -> None:
    sprint = then(complete, at_married(complete, lang), action)
    assert sprint.session["answers"]["married"] is stored
    assert_waiting_at(sprint, "docs")


def test_yesno_rejected(complete: FlowSet) -> None:
    sprint = then(complete, at_married(complete), Text("maybe"))
    assert sprint.events == (ev.Invalid("married", "yesno", None),)
    stale = then(complete, at_married(complete), Press("married", "perhaps"))
    assert stale.events == (ev.Stale(), ev.Ask("married", "Are you married?", "yesno"))
    # yes/no buttons only exist on yes/no questions
    assert then(complete, play(complete, "demo-main", "en"), Press("name", "yes")).events[0] \
        == ev.Stale()


# -- branch and escalate -----------------------------------------------------------------------
def test_branch_else(complete: FlowSet) -> None:
    sprint = to_docs(complete)
    assert sprint.trace == (("demo-main", "route"), ("demo-main", "docs"))
    assert of(sprint, ev.Escalate) == []


def test_branch_first_true_rule_wins_and_escalate_waits(complete: FlowSet) -> None:
    # a minor who is also 70 and married: the first rule (minor) decides
    sprint = to_docs(complete, age="70", birth="01.01.2015", married="yes")
    assert sprint.events == (ev.Escalate("minor", "A minor needs a volunteer", waiting=True),)
    assert sprint.status == "escalated" and sprint.step == "minor"
    # while a volunteer has the case, typing does nothing and buttons are stale
    assert then(complete, sprint, Text("hello?")).events == ()
    pressed = then(complete, sprint, Press("married", "yes"))
    assert pressed.events == (ev.Stale(),) and pressed.status == "escalated"
    # /back still lets the person correct the answer that sent them there
    back = then(complete, sprint, Back())
    assert_waiting_at(back, "married")


def test_escalate_with_next_goes_on(complete: FlowSet) -> None:
    sprint = to_docs(complete, age="70", married="yes")
    assert sprint.events[0] == ev.Escalate(
        "senior", "Senior: a volunteer will call +77011234567", waiting=False)
    assert isinstance(sprint.events[1], ev.Checklist)
    assert_waiting_at(sprint, "docs")
    assert [step for _, step in sprint.trace] == ["route", "senior", "docs"]


def test_branch_rule_on_bool_answer(complete: FlowSet) -> None:
    assert of(to_docs(complete, age="70", married="no"), ev.Escalate) == []


# -- checklist ---------------------------------------------------------------------------------
def ticks(sprint: Sprint) -> dict[str, bool]:
    checklist = of(sprint, ev.Checklist)[-1]
    return {item.key: item.ticked for item in checklist.items}


def test_checklist_toggle(complete: FlowSet) -> None:
    sprint = to_docs(complete)
    assert ticks(sprint) == {"passport": False, "photo": False}
    sprint = then(complete, sprint, Press("docs", "photo"))
    assert ticks(sprint) == {"passport": False, "photo": True}
    assert sprint.trace == () and sprint.session["history"][-1]["step"] == "married"
    sprint = then(complete, sprint, Press("docs", "photo"))
    assert ticks(sprint) == {"passport": False, "photo": False}
    # typed: the label (any case) or the item's number
    assert ticks(then(complete, sprint, Text("PASSPORT"))) == {"passport": True, "photo": False}
    assert ticks(then(complete, sprint, Text("2"))) == {"passport": False, "photo": True}
    invalid = then(complete, sprint, Text("my birth certificate"))
    assert invalid.events == (ev.Invalid("docs", "checklist", None),)
    assert then(complete, sprint, Press("docs", "visa")).events[0] == ev.Stale()


def test_checklist_done_lists_missing_and_has_decides(complete: FlowSet) -> None:
    sprint = then(complete, to_docs(complete, "fr"), Press("docs", "photo"),
                  Press("docs", "done"))
    assert sprint.session["answers"]["documents"] == ["photo"]
    missing, place, choices = sprint.events
    assert missing == ev.Missing((ev.MissingItem("Passeport", "Au bureau des passeports"),))
    # has(documents, "passport") is false: the registry office comes first
    assert place == ev.Place(name="État civil", address="1 rue Principale",
                             hours="Lun-Ven 9h-18h", phone="100",
                             url="https://example.org/registry", lat=43.25, lon=76.95,
                             note="Demandez un formulaire de passeport")
    assert isinstance(choices, ev.Choices) and choices.step == "channel"


def test_checklist_everything_ticked(complete: FlowSet) -> None:
    sprint = to_channel(complete, ticks=("photo", "passport"))
    # stored in the checklist's order, not the order they were ticked
    assert sprint.session["answers"]["documents"] == ["passport", "photo"]
    assert of(sprint, ev.Missing) == [] and of(sprint, ev.Place) == []
    assert [step for _, step in sprint.trace] == ["check_docs", "channel"]


def test_checklist_nothing_ticked(complete: FlowSet) -> None:
    sprint = then(complete, to_docs(complete), Press("docs", "done"))
    assert sprint.session["answers"]["documents"] == []
    assert [item.label for item in of(sprint, ev.Missing)[0].items] == ["Passport", "Photo"]


# -- choose and place --------------------------------------------------------------------------
def test_choose_buttons(complete: FlowSet) -> None:
    choices = of(to_channel(complete, "fr"), ev.Choices)[0]
    assert choices == ev.Choices("channel", "Comment allez-vous déposer la demande ?", (
        ev.Choice("0", "En ligne"), ev.Choice("1", "Au guichet"), ev.Choice("2", "Autre chose")))


@pytest.mark.parametrize("action", [Press("channel", "1"), Text("at the office"), Text("2")])
def test_choose_by_press_label_or_number(complete: FlowSet, action: Any) -> None:
    sprint = then(complete, to_channel(complete), action)
    assert sprint.session["answers"]["channel"] == "office"
    place, end = sprint.events
    assert place == ev.Place(name="Town hall", address="2 Square", hours="Mon 9-12",
                             phone="+1 555 0100", url="https://example.org/townhall",
                             lat=1.5, lon=2.5, note=None)
    assert isinstance(end, ev.End)


def test_choose_rejects_other_text(complete: FlowSet) -> None:
    sprint = then(complete, to_channel(complete), Text("by pigeon"))
    assert sprint.events == (ev.Invalid("channel", "choice", None),)
    assert then(complete, to_channel(complete), Press("channel", "7")).events[0] == ev.Stale()


def test_option_without_value_saves_first_language_label(complete: FlowSet) -> None:
    sprint = then(complete, to_channel(complete, "fr"), Text("autre chose"))
    assert sprint.session["answers"]["channel"] == "Something else"


# -- end ---------------------------------------------------------------------------------------
def test_end_summary(complete: FlowSet) -> None:
    sprint = then(complete, to_channel(complete, "fr", ticks=("photo",)), Text("Au guichet"))
    end = of(sprint, ev.End)[0]
    assert end.step == "done" and end.text == "Terminé, Ann."
    assert end.summary == (
        ev.SummaryLine("Nom", "Ann", "text"),
        ev.SummaryLine("Âge", 30, "number"),
        ev.SummaryLine("Date de naissance", "1990-01-01", "date"),
        ev.SummaryLine("Marié", False, "yesno"),
        ev.SummaryLine("Canal", "Au guichet", "choice"),  # the label, in the person's language
    )  # no `phone` (no label) and no checklist line: documents are listed apart
    assert end.bring == ("Photo",)
    assert end.missing == (ev.MissingItem("Passeport", "Au bureau des passeports"),)
    assert sprint.status == "ended" and sprint.step == "done"


def test_end_without_summary_still_lists_documents(complete: FlowSet) -> None:
    sprint = then(complete, to_channel(complete, ticks=("passport",)), Press("channel", "2"),
                  Text("a lawyer"), Press("extra_more", "0"))
    end = of(sprint, ev.End)[0]
    assert end == ev.End("extra_end", "Bye.", (), ("Passport",),
                         (ev.MissingItem("Photo", "At a photo booth"),))


def test_custom_formatter_is_used_for_inserted_answers(complete: FlowSet) -> None:
    def fmt(value: Any, kind: str, lang: str) -> str:
        return f"<{kind}:{value}>"

    sprint = start(complete, "demo-main", "en", today=TODAY)
    sprint = resume(complete, sprint.session, Text("Ann"), today=TODAY, fmt=fmt)
    assert sprint.events[0].text == "How old are you, <text:Ann>? (e.g. 34)"


# -- flow jumps --------------------------------------------------------------------------------
def test_flow_jump_keeps_answers(complete: FlowSet) -> None:
    sprint = then(complete, to_channel(complete), Press("channel", "2"))
    assert sprint.events == (ev.Say("Still here, Ann."), ev.Ask("extra_q", "What else?", "text"))
    assert sprint.trace == (("demo-main", "other"), ("demo-extra", "extra_intro"),
                            ("demo-extra", "extra_q"))
    assert_waiting_at(sprint, "extra_q", flow="demo-extra")
    assert sprint.session["root"] == "demo-main"
    assert sprint.session["version"] == complete.flows["demo-extra"].version
    assert sprint.session["answers"]["name"] == "Ann"


def test_flow_jump_to_a_step_and_summary_across_flows(complete: FlowSet) -> None:
    sprint = then(complete, to_channel(complete), Press("channel", "2"), Text("a lawyer"),
                  Text("Main summary"))
    end = of(sprint, ev.End)[0]
    assert sprint.trace == (("demo-extra", "to_main"), ("demo-main", "done"))
    assert (sprint.session["flow"], sprint.step, sprint.status) == ("demo-main", "done", "ended")
    labels = [line.label for line in end.summary]
    assert labels == ["Name", "Age", "Date of birth", "Married", "Channel", "Other need"]
    assert end.summary[4] == ev.SummaryLine("Channel", "Something else", "choice")


# -- back --------------------------------------------------------------------------------------
def test_back_undoes_the_last_answer(complete: FlowSet) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"), Text("30"))
    back = then(complete, sprint, Back())
    assert back.events == (ev.Ask("age", "How old are you, Ann? (e.g. 34)", "number"),)
    assert back.session["answers"] == {"name": "Ann"}
    assert_waiting_at(back, "age")
    assert then(complete, back, Text("31")).session["answers"] == {"name": "Ann", "age": 31}


def test_back_at_the_first_step_shows_it_again(complete: FlowSet) -> None:
    sprint = start(complete, "demo-main", "en", today=TODAY)
    back = then(complete, sprint, Back())
    assert back.events == (ev.Ask("name", "What is your name?", "text"),)
    assert_waiting_at(back, "name")
    again = then(complete, back, Back(), Back())
    assert again.events == back.events and again.session["history"] == []


def test_back_walks_across_a_flow_jump(complete: FlowSet) -> None:
    sprint = then(complete, to_channel(complete), Press("channel", "2"))
    back = then(complete, sprint, Back())
    assert_waiting_at(back, "channel")
    assert back.session["version"] == complete.flows["demo-main"].version
    assert "channel" not in back.session["answers"]
    assert isinstance(back.events[0], ev.Choices)


def test_back_after_end_and_back_to_checklist_keeps_ticks(complete: FlowSet) -> None:
    ended = then(complete, to_channel(complete, ticks=("photo",)), Press("channel", "0"))
    assert ended.status == "ended"
    back = then(complete, ended, Back())
    assert_waiting_at(back, "channel")
    checklist = then(complete, back, Back())
    assert_waiting_at(checklist, "docs")
    assert ticks(checklist) == {"passport": False, "photo": True}
    assert "documents" not in checklist.session["answers"]


# -- restart, stale, current -------------------------------------------------------------------
def test_restart_goes_back_to_the_root_flow(complete: FlowSet) -> None:
    sprint = then(complete, to_channel(complete), Press("channel", "2"), Restart())
    assert sprint.events == start(complete, "demo-main", "en").events
    assert_waiting_at(sprint, "name")
    assert sprint.session["answers"] == {} and sprint.session["history"] == []
    assert sprint.session["lang"] == "en"


def test_stale_press_on_an_earlier_step(complete: FlowSet) -> None:
    sprint = to_channel(complete)
    stale = then(complete, sprint, Press("docs", "passport"))
    assert stale.events == (ev.Stale(), of(sprint, ev.Choices)[0])
    assert stale.session["answers"] == sprint.session["answers"]
    assert stale.session["ticked"] == sprint.session["ticked"]


def test_stale_press_with_unknown_key(complete: FlowSet) -> None:
    sprint = to_channel(complete)
    assert then(complete, sprint, Press("channel", "99")).events == (
        ev.Stale(), of(sprint, ev.Choices)[0])


def test_press_and_text_after_the_end(complete: FlowSet) -> None:
    ended = then(complete, to_channel(complete), Press("channel", "0"))
    pressed = then(complete, ended, Press("channel", "0"))
    assert pressed.events == (ev.Stale(),)
    assert pressed.status == "ended" and pressed.session["answers"] == ended.session["answers"]
    assert then(complete, ended, Text("thanks")).events == ()


def test_current_shows_the_question_again(complete: FlowSet) -> None:
    sprint = to_docs(complete)
    again = current(complete, sprint.session, today=TODAY)
    assert again.events == (of(sprint, ev.Checklist)[0],)
    assert again.trace == ()
    assert again.session["answers"] == sprint.session["answers"]
    assert again.session["seq"] == sprint.session["seq"] + 1


# -- flow files changing under a session -------------------------------------------------------
def with_flow(flows: FlowSet, flow: Flow | None, flow_id: str = "demo-main") -> FlowSet:
    changed = dict(flows.flows)
    if flow is None:
        del changed[flow_id]
    else:
        changed[flow.id] = flow
    return FlowSet(changed, flows.countries)


def test_flow_changed_but_step_still_there(complete: FlowSet) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"))
    main = complete.flows["demo-main"]
    edited = with_flow(complete, replace(main, version="edited"))
    after = resume(edited, sprint.session, Text("44"), today=TODAY)
    assert after.events == (ev.Ask("birth", "When were you born? (e.g. 25/12/1990)", "date"),)
    assert after.session["answers"] == {"name": "Ann", "age": 44}
    assert after.session["version"] == "edited"


def test_flow_changed_and_step_removed(complete: FlowSet) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"))
    main = complete.flows["demo-main"]
    steps = {k: v for k, v in main.steps.items() if k != "age"}
    edited = with_flow(complete, replace(main, version="edited", steps=steps))
    after = resume(edited, sprint.session, Text("44"), today=TODAY)
    assert after.events[0] == ev.FlowChanged(removed=False)
    assert after.events[1:] == start(edited, "demo-main", "en").events
    assert_waiting_at(after, "name")
    assert after.session["answers"] == {} and after.session["version"] == "edited"


def test_flow_changed_and_step_changed_kind(complete: FlowSet) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"))
    main = complete.flows["demo-main"]
    steps = {**main.steps, "age": replace(main.steps["age"], kind="say")}
    edited = with_flow(complete, replace(main, version="edited", steps=steps))
    assert resume(edited, sprint.session, Text("44")).events[0] == ev.FlowChanged(removed=False)


def test_flow_removed(complete: FlowSet) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"))
    gone = with_flow(complete, None)
    after = resume(gone, sprint.session, Text("44"), today=TODAY)
    assert after.events == (ev.FlowChanged(removed=True),)
    assert after.status == "ended"
    assert resume(gone, after.session, Restart()).events == (ev.FlowChanged(removed=True),)


def test_changed_inner_flow_restarts_at_the_root(complete: FlowSet) -> None:
    sprint = then(complete, to_channel(complete), Press("channel", "2"))
    extra = complete.flows["demo-extra"]
    steps = {k: v for k, v in extra.steps.items() if k != "extra_q"}
    edited = with_flow(complete, replace(extra, version="edited", steps=steps), "demo-extra")
    after = resume(edited, sprint.session, Text("a lawyer"), today=TODAY)
    assert after.events[0] == ev.FlowChanged(removed=False)
    assert_waiting_at(after, "name")


def test_back_skips_steps_that_were_removed(complete: FlowSet) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"), Text("30"), Text("1.1.1990"))
    main = complete.flows["demo-main"]
    steps = {k: v for k, v in main.steps.items() if k != "birth"}  # `phone` stays
    edited = with_flow(complete, replace(main, version="edited", steps=steps))
    back = resume(edited, sprint.session, Back(), today=TODAY)
    assert_waiting_at(back, "age")  # `birth` is gone: one more step back
    assert back.session["answers"] == {"name": "Ann"}


# -- the step guard ----------------------------------------------------------------------------
def hand_built(steps: list[Step], flow_id: str = "loop") -> FlowSet:
    flow = Flow(id=flow_id, country="TT", languages=("en",), title=Texts({"en": "T"}, "en"),
                description=Texts({"en": "D"}, "en"), sources=(), last_reviewed=None,
                keywords=(), start=steps[0].id, steps={s.id: s for s in steps}, version="v1",
                file="<memory>")
    return FlowSet({flow_id: flow}, {})


def say(step_id: str, nxt: str | None) -> Step:
    return Step(id=step_id, kind="say", pos=Pos(1, 1), text=Texts({"en": step_id}, "en"),
                next=nxt)


def test_max_steps_guard_stops_a_loop_the_checker_missed() -> None:
    flows = hand_built([say("a", "b"), say("b", "a")])
    sprint = start(flows, "loop", "en", today=TODAY)
    assert sprint.events[-1] == ev.Stuck(sprint.step)
    assert sprint.status == "ended"
    assert len(sprint.trace) == MAX_STEPS
    assert len(of(sprint, ev.Say)) == MAX_STEPS
    json.dumps(sprint.session)


def test_missing_step_is_stuck_not_a_crash() -> None:
    sprint = start(hand_built([say("a", "nowhere")]), "loop", "en", today=TODAY)
    assert sprint.events == (ev.Say("a"), ev.Stuck("nowhere"))
    assert sprint.status == "ended"


def test_jump_to_a_missing_flow_is_stuck_not_a_crash() -> None:
    jump = Step(id="go", kind="flow", pos=Pos(1, 1), target_flow="gone")
    sprint = start(hand_built([say("a", "go"), jump]), "loop", "en", today=TODAY)
    assert sprint.events == (ev.Say("a"), ev.Stuck("go"))
    assert sprint.status == "ended"


# -- sessions are plain data -------------------------------------------------------------------
def test_session_json_round_trip_and_resume_from_the_copy(complete: FlowSet) -> None:
    sprint = then(complete, to_docs(complete, age="70", married="yes"), Press("docs", "photo"))
    loaded = json.loads(json.dumps(sprint.session))
    assert loaded == sprint.session
    for action in (Press("docs", "done"), Back(), Restart(), Text("x"), None):
        from_copy = resume(complete, copy.deepcopy(loaded), action, today=TODAY)
        from_original = resume(complete, sprint.session, action, today=TODAY)
        assert from_copy == from_original
        assert json.loads(json.dumps(from_copy.session)) == from_copy.session


def test_resume_never_mutates_its_input(complete: FlowSet) -> None:
    sprint = then(complete, to_docs(complete), Press("docs", "photo"))
    before = copy.deepcopy(sprint.session)
    for action in (Press("docs", "passport"), Press("docs", "done"), Back(), Restart(),
                   Text("1"), Press("name", "x"), None):
        resume(complete, sprint.session, action, today=TODAY)
        assert sprint.session == before


def test_seq_counts_every_sprint(complete: FlowSet) -> None:
    sprint = play(complete, "demo-main", "en", Text("Ann"), Text("nope"), Back())
    assert sprint.session["seq"] == 4


# -- interpolation -----------------------------------------------------------------------------
INTERPOLATION_FLOW = """\
id: braces
languages: [en]
title: T
description: D
source:
  - title: S
    url: https://example.org
last_reviewed: 2026-01-15
steps:
  - id: name
    ask: Name?
    input: text
    save: name
  - id: show
    say: "Hi {name}! {name.__class__} {name!r} {name[0]} {{name}} {missing_later}"
  - id: later
    ask: Later?
    input: text
    save: missing_later
  - id: done
    end: Bye
"""


def test_interpolation_is_literal_and_never_evaluates(build) -> None:
    result = build({"braces.yaml": INTERPOLATION_FLOW})
    assert result.ok, result.problems
    sprint = play(result.flows, "braces", "en", Text("<b>{missing_later}</b> & *x*"))
    said = of(sprint, ev.Say)[0].text
    # the answer is inserted as typed (escaping is the adapter's job) and never re-read;
    # `{name.__class__}`-style text stays literal; an unanswered name shows a dash
    assert said == ("Hi <b>{missing_later}</b> & *x*! {name.__class__} {name!r} {name[0]} "
                    "{name} —")


def test_interpolate_only_looks_answers_up() -> None:
    answers = {"name": "{other}", "other": "secret", "n": 3}
    assert interpolate("{name} {other}", answers) == "{other} secret"
    assert interpolate("{__class__} {__init__.__globals__}", answers) == (
        "— {__init__.__globals__}")
    assert interpolate("{{n}} {n} }} {{", answers) == "{n} 3 } {"
    assert interpolate("{n}", answers, lambda name, value: f"[{name}={value}]") == "[n=3]"
    assert placeholders("a {b} {{c}} {d.e} {_f}") == [("b", 2), ("_f", 18)]
