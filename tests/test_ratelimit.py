"""Who goes first when the flood limits make messages wait (RateLimiter.acquire).

The global rate is low (a token every 100 ms) so that every request is queued before the
first token comes back: the tests check the order of the grants, never their timing.
"""

from __future__ import annotations

import asyncio

from bot.tg.ratelimit import RateLimiter


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
    limiter = RateLimiter(global_rate=10, chat_rate=100, chat_burst=100)
    limiter.reserve(1)  # served long ago (relative to 2 and 3)
    await asyncio.sleep(0.01)
    limiter.reserve(2)
    await asyncio.sleep(0.01)
    limiter.reserve(3)
    _exhaust(limiter, range(100, 200))  # the global bucket is empty: everyone queues
    order = await _grants(limiter, [(3, False), (2, False), (7, True), (1, False), (8, True)])
    assert order == [7, 8, 1, 2, 3]


async def test_a_chat_that_must_wait_for_its_own_bucket_does_not_block_others() -> None:
    limiter = RateLimiter(global_rate=10, chat_rate=2, chat_burst=1)
    limiter.reserve(1)  # chat 1 has no token for 0.5 s
    _exhaust(limiter, range(100, 200))
    order = await _grants(limiter, [(1, True), (2, False), (3, False)])
    assert order == [2, 3, 1]


async def test_cancelled_waiters_are_skipped() -> None:
    limiter = RateLimiter(global_rate=10, chat_rate=100, chat_burst=100)
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
