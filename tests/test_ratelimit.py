"""Who goes first when the flood limits make messages wait (RateLimiter.acquire).

The global rate is low (a token every 100 ms) so that every request is queued before the
first token comes back: the tests check the order of the grants, never their timing.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.tg.ratelimit import RateLimiter, TokenBucket


async def _grants(limiter: RateLimiter, requests: list[tuple[int, bool]]) -> list[int]:
    """Queue the requests (chat, first) in this order; return the chats in granted order."""
    order: list[int] = []

    async def one(chat: int, first: bool) -> None:
        await limiter.acquire(chat, first=first)
        order.append(chat)

    tasks = []
    for chat, first in requests:
        tasks.append(asyncio.create_task(one(chat, first)))
        await asyncio.sleep(0)  # each is queued before the next asks
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    return order


def _exhaust(limiter: RateLimiter, chats: range) -> None:
    """Use up the global burst, serving ``chats`` (so they count as recently served)."""
    chat_iter = iter(chats)
    while limiter.reserve(next(chat_iter, 999_999)) == 0:
        pass


async def test_first_answers_go_before_the_rest_then_least_recently_served() -> None:
    limiter = RateLimiter(global_rate=10, chat_rate=100, chat_burst=100, global_burst=10,
                          window_span=0.1)
    limiter.reserve(1)  # served long ago (relative to 2 and 3)
    await asyncio.sleep(0.01)
    limiter.reserve(2)
    await asyncio.sleep(0.01)
    limiter.reserve(3)
    _exhaust(limiter, range(100, 200))  # the global bucket is empty: everyone queues
    order = await _grants(limiter, [(3, False), (2, False), (7, True), (1, False), (8, True)])
    assert order == [7, 8, 1, 2, 3]


async def test_a_chat_that_must_wait_for_its_own_bucket_does_not_block_others() -> None:
    limiter = RateLimiter(global_rate=10, chat_rate=2, chat_burst=1, global_burst=10,
                          window_span=0.1)
    limiter.reserve(1)  # chat 1 has no token for 0.5 s
    _exhaust(limiter, range(100, 200))
    order = await _grants(limiter, [(1, True), (2, False), (3, False)])
    assert order == [2, 3, 1]


async def test_cancelled_waiters_are_skipped() -> None:
    limiter = RateLimiter(global_rate=10, chat_rate=100, chat_burst=100, global_burst=10,
                          window_span=0.1)
    _exhaust(limiter, range(100, 200))
    gone = asyncio.create_task(limiter.acquire(1, first=True))
    await asyncio.sleep(0)
    gone.cancel()
    order = await _grants(limiter, [(2, False)])
    assert order == [2] and gone.cancelled()


async def test_nobody_waiting_and_tokens_left_means_no_wait() -> None:
    limiter = RateLimiter(global_rate=30, chat_rate=1, chat_burst=3)
    for _ in range(3):
        await limiter.acquire(5)
    assert limiter.reserve(5) > 0  # the chat's burst is used up: the fast path counted


# -- the overall limit over every one-second window (injected clock, no sleeping) -------------
class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _greedy_sends(limiter: RateLimiter, clock: _Clock, seconds: float, step: float,
                  chats: int = 1000) -> list[float]:
    """Send whenever the limiter allows, to many chats, looking again after what it says
    to wait or ``step`` seconds, whichever is shorter."""
    sent: list[float] = []
    chat = 0
    while clock.now < seconds:
        wait = limiter.reserve(chat % chats)
        if wait == 0:
            sent.append(clock.now)
            chat += 1
        else:
            clock.now += min(wait, step)
    return sent


def _max_in_window(stamps: list[float], span: float = 1.0) -> int:
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= span:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.mark.parametrize("burst", [1, 5, 30])
@pytest.mark.parametrize("step", [0.001, 0.0137, 0.1])
def test_never_more_than_the_rate_in_any_one_second_window(burst: int, step: float) -> None:
    """A full bucket used to let its capacity go on top of the refill: 60 in the first
    second for a bucket of 30. The sliding window forbids it whatever the burst setting."""
    clock = _Clock()
    limiter = RateLimiter(global_rate=30, clock=clock, global_burst=burst)
    sent = _greedy_sends(limiter, clock, seconds=10.0, step=step)
    assert _max_in_window(sent) <= 30
    assert len(sent) >= 30 * 9  # and it does not throttle below the limit


def test_a_token_bucket_alone_would_exceed_the_limit() -> None:
    """The arithmetic the window guards against (why a bucket is not enough)."""
    bucket = TokenBucket(rate=30, capacity=30, now=0.0)
    stamps, now = [], 0.0
    while now < 1.0:
        while bucket.wait_time(now) == 0:
            bucket.take(now)
            stamps.append(now)
        now += 0.001
    assert _max_in_window(stamps) > 55


def test_paced_when_saturated_a_slot_frees_every_thirtieth_of_a_second() -> None:
    clock = _Clock()
    limiter = RateLimiter(global_rate=30, clock=clock)
    sent = _greedy_sends(limiter, clock, seconds=5.0, step=0.001)
    gaps = [b - a for a, b in itertools.pairwise(sent[30:])]
    assert max(gaps) < 0.06  # 1/30 s, once a second + the 20 ms margin: no pulse of 30


def test_a_group_gets_at_most_twenty_messages_a_minute() -> None:
    clock = _Clock()
    limiter = RateLimiter(global_rate=30, chat_rate=1, chat_burst=3, clock=clock)
    sent = 0
    for tick in range(1190):  # 59.5 s
        clock.now = tick * 0.05
        if limiter.reserve(-100123) == 0:
            sent += 1
    assert sent == 20
    assert limiter.reserve(5) == 0  # a private chat is not held back by the group


async def test_the_bulk_lane_waits_while_chat_messages_wait() -> None:
    limiter = RateLimiter(global_rate=10, chat_rate=100, chat_burst=100, global_burst=10,
                          window_span=0.1)
    _exhaust(limiter, range(100, 200))
    order: list[int] = []

    async def one(chat: int, lane: str) -> None:
        await limiter.acquire(chat, lane=lane)
        order.append(chat)

    tasks = []
    for chat, lane in [(1, "bulk"), (2, "bulk"), (3, "chat"), (4, "bulk"), (5, "chat")]:
        tasks.append(asyncio.create_task(one(chat, lane)))
        await asyncio.sleep(0)
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert order == [3, 5, 1, 2, 4]


def test_an_idle_bot_sends_a_turns_messages_at_once() -> None:
    """No pacing while the bot is not busy: a turn's messages (here 4, to one chat within
    its burst of 3 and to another) all go at the same instant, and again 0.2 s later."""
    clock = _Clock()
    limiter = RateLimiter(global_rate=30, clock=clock)
    assert [limiter.reserve(chat) for chat in (1, 1, 1, 2)] == [0.0] * 4
    assert 0 < limiter.reserve(3) <= 1 / 30 + 1e-9  # the bucket is spent: paced
    clock.now += 0.2
    assert [limiter.reserve(chat) for chat in (4, 4, 5)] == [0.0] * 3


@pytest.mark.parametrize("idle", [0.05, 0.3, 1.5])
def test_bursts_after_idle_spells_never_exceed_the_rate_in_any_second(idle: float) -> None:
    """Turns of 4 messages, with pauses between spells of saturation: at most 30 in any
    one-second window, whatever the rhythm."""
    clock = _Clock()
    limiter = RateLimiter(global_rate=30, clock=clock)
    sent: list[float] = []
    chat = 0
    while clock.now < 20:
        spell_end = clock.now + 0.7
        while clock.now < spell_end:  # saturated: send whatever is allowed
            wait = limiter.reserve(chat % 500)
            if wait == 0:
                sent.append(clock.now)
                chat += 1
            else:
                clock.now += min(wait, 0.003)
        clock.now += idle
        for _ in range(4):  # one quiet turn
            while (wait := limiter.reserve(chat % 500)) > 0:
                clock.now += wait
            sent.append(clock.now)
            chat += 1
    assert _max_in_window(sent) <= 30
