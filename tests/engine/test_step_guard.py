"""Issue 18, 12d: the checker knows the engine's step guard (MAX_STEPS per turn)."""

from __future__ import annotations

from bot.engine import events as ev
from bot.engine import runner
from bot.engine.sprint import MAX_STEPS

from .conftest import Builder


def _flow(chain: int) -> str:
    """A choice whose "long" branch runs `chain` say steps, then ends; "short" ends at once.
    The flow tests would only ever take "short"."""
    says = "".join(f"""
  - id: s{n}
    say: {{en: Step {n}, fr: Étape {n}}}
    next: {f's{n + 1}' if n + 1 < chain else 'done'}
""" for n in range(chain))
    return f"""\
id: t-chain
languages: [en, fr]
title: {{en: Chain, fr: Chaîne}}
description: {{en: A chain, fr: Une chaîne}}
source:
  - title: Source
    url: https://example.org
last_reviewed: 2026-01-15
steps:
  - id: pick
    choose: {{en: Which way?, fr: Quel chemin ?}}
    exhaustive: true
    options:
      - label: {{en: Short, fr: Court}}
        value: short
        next: done
      - label: {{en: Long, fr: Long}}
        value: long
        next: s0
{says}
  - id: done
    end: {{en: Done, fr: Fini}}
"""


def _turn_fails(flows, chain: int) -> bool:
    sprint = runner.start(flows, "t-chain", "en")
    sprint = runner.resume(flows, sprint.session, ev.Press("pick", "1"))
    return any(isinstance(e, ev.Stuck) for e in sprint.events)


def test_a_chain_longer_than_the_guard_is_an_error(build: Builder) -> None:
    # the turn after "Long" runs s0..s{n-1} and `done`: n + 1 steps
    result = build({"chain.yaml": _flow(MAX_STEPS)})
    [problem] = [p for p in result.errors if p.code == "too-many-steps"]
    assert f"can run {MAX_STEPS + 1} steps" in problem.message
    assert f"after {MAX_STEPS} steps" in problem.message
    assert "a turn from `s0`" in problem.message  # at the start of the turn, file:line


def test_the_checker_and_the_engine_agree_at_the_limit(build: Builder) -> None:
    fits = build({"chain.yaml": _flow(MAX_STEPS - 1)})  # exactly MAX_STEPS steps
    assert not [p for p in fits.problems if p.code == "too-many-steps"]
    assert not _turn_fails(fits.flows, MAX_STEPS - 1)


def test_the_engine_would_stop_the_turn_the_checker_refuses(build: Builder) -> None:
    # Without the checker (errors ignored), a person on the long branch meets the guard.
    result = build({"chain.yaml": _flow(MAX_STEPS)})
    assert _turn_fails(result.flows, MAX_STEPS)
