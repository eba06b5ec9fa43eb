"""Random walks through every shipped flow, in each of its languages.

A walk mixes valid answers to the current question, junk text, stale presses, /back,
/restart and "show again", up to 40 actions. After every action the engine must not have
raised, the session must be at a question (waiting), an end (ended) or a volunteer
(escalated) -- never mid-flow or at an unknown step -- and must survive a JSON round trip
(the walk goes on from the reloaded copy, as the bot does after a restart).
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import Back, FlowSet, Press, Restart, Sprint, Text, load_flows, resume, start
from bot.engine import events as ev
from bot.engine.inputs import YES_NO_WORDS
from bot.engine.model import CHECKLIST_DONE, Step

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 20)
MAX_ACTIONS = 40


def _load(folder: Path) -> tuple[FlowSet, set[str]]:
    if not folder.is_dir():
        return FlowSet(), set()
    result = load_flows(folder, today=TODAY)
    return result.flows, {p.file for p in result.errors}


def _cases(flows: FlowSet) -> list[tuple[str, str]]:
    return [(flow.id, lang) for flow in sorted(flows.flows.values(), key=lambda f: f.id)
            for lang in flow.languages]


FLOWS, FILES_WITH_ERRORS = _load(REPO / "flows")
CASES = _cases(FLOWS)
# the complete example also walks: it has what shipped flows may lack (a waiting escalation)
FIXTURE, _ = _load(Path(__file__).parent / "fixtures" / "complete")


# -- what a person may do -------------------------------------------------------------------
def valid_answer(step: Step, lang: str, languages: tuple[str, ...]) -> st.SearchStrategy:
    if step.kind == "choose":
        return st.one_of(
            st.sampled_from([Press(step.id, o.key) for o in step.options]),
            st.sampled_from([Text(o.label.get(lang)) for o in step.options]),
            st.integers(1, len(step.options)).map(lambda n: Text(str(n))),
        )
    if step.kind == "checklist":
        keys = [item.id for item in step.items]
        return st.one_of(
            st.sampled_from([Press(step.id, key) for key in keys]),
            st.just(Press(step.id, CHECKLIST_DONE)),
            st.sampled_from([Text(item.label.get(lang).upper()) for item in step.items]),
        )
    kind = step.input or "text"
    if kind in ("number", "integer"):
        low = int(step.min) if step.min is not None else -5
        high = int(step.max) if step.max is not None else 5000
        return st.integers(low, max(low, high)).map(lambda n: Text(str(n)))
    if kind == "date":
        days = st.dates(min_value=date(1940, 1, 1), max_value=TODAY)
        formats = st.sampled_from(["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"])
        return st.tuples(days, formats).map(lambda d: Text(d[0].strftime(d[1])))
    if kind == "phone":
        return st.from_regex(r"\+?[1-9][0-9]{6,11}", fullmatch=True).map(Text)
    if kind == "yesno":
        words = sorted({w for lang_ in (*languages, "en")
                        for pair in [YES_NO_WORDS.get(lang_, (frozenset(), frozenset()))]
                        for w in pair[0] | pair[1]})
        return st.one_of(st.sampled_from([Press(step.id, "yes"), Press(step.id, "no")]),
                         st.sampled_from(words).map(Text))
    return st.text(min_size=1, max_size=30).filter(str.strip).map(Text)


def other_action(flows: FlowSet, flow_id: str) -> st.SearchStrategy:
    step_ids = [*sorted(flows.flows[flow_id].steps), "nowhere"]
    return st.one_of(
        st.text(max_size=40).map(Text),  # junk
        st.sampled_from(["", " ", "/done", "0", "-1", "99", "1e9", "31.02.2020",
                         (TODAY + timedelta(days=1)).isoformat(), "{name}", "x" * 1001])
        .map(Text),
        st.builds(Press, st.sampled_from(step_ids),  # stale or unknown buttons
                  st.sampled_from(["0", "1", "2", "9", CHECKLIST_DONE, "yes", "no", "zzz"])),
        st.just(Back()),
        st.just(Restart()),
        st.none(),  # show the current step again
    )


def action_for(flows: FlowSet, session: dict[str, Any]) -> st.SearchStrategy:
    flow = flows.flows[session["flow"]]
    step = flow.steps[session["step"]]
    others = other_action(flows, flow.id)
    if session["status"] != "waiting":
        return others
    valid = valid_answer(step, session["lang"], flow.languages)
    # valid answers three times out of four, so walks get deep into the flow
    return st.one_of(valid, valid, valid, others)


# -- what must always hold --------------------------------------------------------------------
def check_invariants(flows: FlowSet, sprint: Sprint, strict: bool) -> None:
    session = sprint.session
    assert session["status"] in {"waiting", "ended", "escalated"}, session["status"]
    flow = flows.flows.get(session["flow"])
    assert flow is not None, f"unknown flow {session['flow']}"
    step = flow.steps.get(session["step"])
    assert step is not None, f"unknown step {session['flow']}/{session['step']}"
    for flow_id, step_id in sprint.trace:
        assert step_id in flows.flows[flow_id].steps
    assert json.loads(json.dumps(session)) == session
    if strict:  # a flow without errors never needs the guard
        assert not any(isinstance(e, ev.Stuck) for e in sprint.events), sprint.events
        expected = {"waiting": {"choose", "ask", "checklist"}, "ended": {"end"},
                    "escalated": {"escalate"}}[session["status"]]
        assert step.kind in expected, (session["status"], step)
    if session["status"] == "waiting":
        assert step.is_question


def walk(flows: FlowSet, flow_id: str, lang: str, strict: bool, data: st.DataObject) -> None:
    sprint = start(flows, flow_id, lang, today=TODAY)
    check_invariants(flows, sprint, strict)
    session = json.loads(json.dumps(sprint.session))
    length = data.draw(st.integers(1, MAX_ACTIONS), label="length")
    for _ in range(length):
        action = data.draw(action_for(flows, session), label="action")
        before = copy.deepcopy(session)
        sprint = resume(flows, session, action, today=TODAY)
        assert session == before, "resume changed its input session"
        check_invariants(flows, sprint, strict)
        if isinstance(action, Restart):
            assert sprint.session["flow"] == sprint.session["root"]
            assert sprint.session["answers"] == {}
        session = json.loads(json.dumps(sprint.session))


WALK_SETTINGS = settings(max_examples=10, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.skipif(not CASES, reason="no shipped flows yet")
@pytest.mark.parametrize(("flow_id", "lang"), CASES or [("-", "-")])
@WALK_SETTINGS
@given(data=st.data())
def test_random_walk(flow_id: str, lang: str, data: st.DataObject) -> None:
    walk(FLOWS, flow_id, lang, FLOWS.flows[flow_id].file not in FILES_WITH_ERRORS, data)


@pytest.mark.parametrize(("flow_id", "lang"), _cases(FIXTURE))
@WALK_SETTINGS
@given(data=st.data())
def test_random_walk_complete_fixture(flow_id: str, lang: str, data: st.DataObject) -> None:
    walk(FIXTURE, flow_id, lang, True, data)


@pytest.mark.skipif(not CASES, reason="no shipped flows yet")
def test_every_shipped_flow_can_be_walked_to_an_end() -> None:
    """A deterministic walk: always the first valid answer, until the flow stops."""
    for flow_id, lang in CASES:
        sprint = start(FLOWS, flow_id, lang, today=TODAY)
        for _ in range(200):
            if sprint.status != "waiting":
                break
            step = FLOWS.flows[sprint.session["flow"]].steps[sprint.step]
            sprint = resume(FLOWS, sprint.session, first_answer(step), today=TODAY)
        assert sprint.status in {"ended", "escalated"}, (flow_id, lang, sprint.step)


def first_answer(step: Step) -> Any:
    if step.kind == "choose":
        return Press(step.id, step.options[0].key)
    if step.kind == "checklist":
        return Press(step.id, CHECKLIST_DONE)
    return {"number": Text(str(int(step.min or 0))), "integer": Text(str(int(step.min or 0))),
            "date": Text("01.01.2000"),
            "phone": Text("+77011234567"), "yesno": Press(step.id, "yes")}.get(
        step.input or "text", Text("Test"))
