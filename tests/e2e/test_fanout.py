"""Notification fan-out: a few volunteers per wave, least recently notified first, wider at
each re-notify wave, then the admins (the real bot, its timers and the fake Bot API)."""

from __future__ import annotations

from functools import partial

import pytest
from mediation_helpers import ADMIN, Desk, kg

from bot import app
from bot.services.mediation import choose_wave
from bot.storage.volunteers import Volunteer
from bot.tg.ratelimit import RateLimiter

ROSTER = list(range(811, 819))  # eight volunteers for Kyrgyzstan, reading Russian


@pytest.fixture
async def desk(fake_api, start_bot, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setattr(app, "RateLimiter", partial(RateLimiter, chat_rate=1000, chat_burst=1000))
    return Desk(fake_api, start_bot, tmp_path)


async def _case(desk: Desk, person: int) -> int:
    desk.say(person, "/start kg-birth", lang="ru")
    desk.say(person, "/human please help", lang="ru")
    await desk.settle()
    return await desk.open_case_of(person)


async def test_each_case_goes_to_a_few_least_recently_notified(desk: Desk) -> None:
    await desk.start([kg(v) for v in ROSTER], notify_per_wave=3)
    first = await _case(desk, 4242001)
    second = await _case(desk, 4242002)
    third = await _case(desk, 4242003)
    assert await desk.notifications(first) == ROSTER[:3]
    assert await desk.notifications(second) == ROSTER[3:6]
    # Two have never been asked; then the one asked longest ago.
    assert await desk.notifications(third) == [*ROSTER[6:], ROSTER[0]]


async def test_re_notify_waves_widen_then_the_admins(desk: Desk) -> None:
    await desk.start([kg(v) for v in ROSTER], notify_per_wave=2, renotify_minutes=0.002,
                     admin_escalation_minutes=0.02)
    case_id = await _case(desk, 4242004)
    await desk.expect(ADMIN, f"New case #{case_id}", timeout=10)
    await desk.settle()
    # wave 0: 2; wave 1: 4 more who had not seen it; wave 2: the last 2, then 4 reminders.
    assert await desk.notifications(case_id) == [*ROSTER, *ROSTER[:4], ADMIN]
    assert [a for a, _ in await desk.audit(case_id)] == [
        "opened", "notified_stage_0", "notified_stage_1", "notified_stage_1",
        "notified_stage_2"]


def _vol(user_id: int, notified_at: float | None = None) -> Volunteer:
    return Volunteer(user_id, ("KG",), ("ru",), notified_at=notified_at)


def test_a_wave_prefers_who_has_not_seen_the_case_least_recently_notified() -> None:
    pool = [_vol(1, 50.0), _vol(2, None), _vol(3, 10.0), _vol(4, 20.0), _vol(5, 5.0)]
    wave = choose_wave(pool, already={5}, size=3)
    assert wave.chosen == [2, 3, 4] and wave.more
    assert choose_wave(pool, already={5}, size=6).chosen == [2, 3, 4, 1, 5]
    assert choose_wave(pool, already=(), size=0).chosen == [1, 2, 3, 4, 5]  # 0: no cap
