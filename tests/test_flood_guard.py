"""The per-chat flood budget (bot.services.flood) with an injected clock: no sleeping."""

from __future__ import annotations

import pytest

from bot.services.flood import FloodGuard, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_one_per_interval_with_one_notice() -> None:
    clock = Clock()
    guard = FloodGuard(burst=3, rate=1.0, clock=clock)
    assert [guard.check(1) for _ in range(3)] == [Verdict(0.0)] * 3
    assert guard.check(1) == Verdict(pytest.approx(1.0), notice=True)
    assert guard.check(1) == Verdict(pytest.approx(1.0), notice=False)  # asked again: no 2nd
    assert guard.check(2) == Verdict(0.0)  # another chat is not touched
    clock.now += 1.0
    assert guard.check(1) == Verdict(0.0)  # slowed, not refused: nothing is lost
    assert guard.check(1).notice is False  # still the same flood
    clock.now += 0.5
    assert guard.check(1).wait == pytest.approx(0.5)


def test_a_quiet_spell_ends_the_flood_so_a_new_one_gets_a_new_notice() -> None:
    clock = Clock()
    guard = FloodGuard(burst=2, rate=1.0, clock=clock)
    guard.check(7), guard.check(7)
    assert guard.check(7).notice
    clock.now += 10  # the budget is full again
    guard.check(7), guard.check(7)
    assert guard.check(7).notice


def test_idle_chats_are_forgotten() -> None:
    clock = Clock()
    guard = FloodGuard(burst=2, rate=1.0, clock=clock, max_chats=3)
    for chat in range(3):
        guard.check(chat)
    clock.now += 5
    guard.check(99)
    assert set(guard._chats) == {99}
