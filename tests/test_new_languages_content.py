"""Pulaar in every Senegal flow, Uzbek in Cyrillic in every Kyrgyzstan flow, each with the
honesty line; and kg-stateless never calls alternative proofs "missing" (content-review-2 G8)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.engine import Press, Text, load_flows, resume, start
from bot.engine import events as ev
from bot.engine.model import CHECKLIST_DONE

FLOWS = Path(__file__).resolve().parents[1] / "flows"
RESULT = load_flows(FLOWS)


@pytest.mark.parametrize(("country", "lang"), [("SN", "ff"), ("KG", "uz_Cyrl")])
def test_the_country_flows_speak_the_language_and_say_it_is_unreviewed(country: str,
                                                                      lang: str) -> None:
    flows = RESULT.flows.for_country(country)
    assert flows and lang in RESULT.flows.countries[country].languages
    for flow in flows:
        assert lang in flow.languages, flow.id
        assert lang in flow.unreviewed, f"{flow.id}: no `review: {lang}` note (honesty line)"


def test_every_flow_in_a_new_language_carries_the_honesty_line() -> None:
    for flow in RESULT.flows.flows.values():
        for lang in {"ff", "uz_Cyrl", "tg"} & set(flow.languages):
            assert lang in flow.unreviewed, (flow.id, lang)


def _press(sprint, label: str):
    question = next(e for e in reversed(sprint.events) if isinstance(e, ev.QUESTION_EVENTS))
    options = getattr(question, "options", None) or question.items
    key = next(o.key for o in options if o.label == label)
    return resume(RESULT.flows, sprint.session, Press(question.step, key), today=TODAY)


TODAY = date(2026, 12, 1)


def _to_proofs(lang: str, situation: str):
    sprint = start(RESULT.flows, "kg-stateless", lang, today=TODAY)
    sprint = _press(sprint, situation)
    return resume(RESULT.flows, sprint.session, Text("20"), today=TODAY)


@pytest.mark.parametrize("tick", [["Старый паспорт (СССР или иностранный)"], []])
def test_alternative_proofs_are_never_listed_as_missing(tick: list[str]) -> None:
    sprint = _to_proofs("ru", "Старый советский паспорт")
    checklist = next(e for e in sprint.events if isinstance(e, ev.Checklist))
    assert len(checklist.items) == 4  # all four are offered while the list is shown
    for label in tick:
        sprint = _press(sprint, label)
    sprint = resume(RESULT.flows, sprint.session, Press(checklist.step, CHECKLIST_DONE),
                    today=TODAY)
    said = " ".join(e.text for e in sprint.events if isinstance(e, ev.Say))
    if not tick:  # what can replace a missing paper is said in words instead
        assert "справка айыл окмоту" in said
    while not any(isinstance(e, ev.End) for e in sprint.events):
        question = next(e for e in reversed(sprint.events) if isinstance(e, ev.Choices))
        sprint = _press(sprint, question.options[0].label)
    end = next(e for e in sprint.events if isinstance(e, ev.End))
    assert end.missing == ()
    assert list(end.bring) == tick
