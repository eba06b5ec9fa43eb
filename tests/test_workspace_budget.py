"""The workspace's send order and per-group budget, without Telegram (an injected clock)."""

from __future__ import annotations

import subprocess
import sys

from bot.services import privacy
from bot.storage.workspaces import Topic
from bot.storage.ws_outbox import CARDS, SUMMARY, WORDS, WsRow
from bot.tg.workspace.budget import GroupBudget
from bot.tg.workspace.sender import choose


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def row(row_id: int, case_id: int | None, priority: int, method: str = "copyMessage",
        target: str = "topic", ordered: bool = True, due: float = 0.0) -> WsRow:
    return WsRow(row_id, -100, case_id, priority, ordered, target, method, {}, due, 0, 0.0)


def topic(case_id: int, thread: int | None = 7, card: int | None = 9) -> Topic:
    return Topic(case_id, -100, thread, card, "unclaimed", None, 0, None, False)


def test_words_may_use_the_whole_window_the_rest_leaves_a_reserve() -> None:
    clock = Clock()
    budget = GroupBudget(20, 60.0, 4, clock)
    for _ in range(16):
        assert budget.wait(-100, words=False) == 0
        budget.take(-100)
    assert budget.wait(-100, words=False) == 60.0  # cards wait for the oldest call to age
    assert budget.wait(-100, words=True) == 0  # words still go
    for _ in range(4):
        budget.take(-100)
    assert budget.wait(-100, words=True) == 60.0
    clock.now += 60.0
    assert budget.wait(-100, words=False) == 0


def test_a_restarted_process_counts_what_the_last_one_spent() -> None:
    clock = Clock()
    budget = GroupBudget(20, 60.0, 4, clock)
    budget.seed(-100, [59.0] + [10.0] * 18 + [75.0])  # 19 calls within the minute count
    assert budget.seeded(-100) and not budget.seeded(-200)
    assert budget.wait(-100, words=True) == 0
    budget.take(-100)
    assert budget.wait(-100, words=True) == 1.0  # the one made 59 s ago frees first


def test_retry_after_pauses_the_group() -> None:
    clock = Clock()
    budget = GroupBudget(20, 60.0, 4, clock)
    budget.pause(-100, 7.0)
    assert budget.wait(-100, words=True) == 7.0
    assert budget.wait(-200, words=True) == 0


def test_a_case_keeps_its_order_words_go_first_and_topics_oldest_first() -> None:
    rows = [row(1, 1, CARDS, "_topic", "chat"), row(2, 1, WORDS),
            row(3, 2, CARDS, "_topic", "chat"), row(4, 2, WORDS),
            row(5, 3, WORDS), row(6, None, SUMMARY, "_queue", "chat", ordered=False)]
    topics = {1: topic(1, None, None), 2: topic(2, None, None), 3: topic(3)}
    order = [(c.row.id, c.action) for c in choose(rows, topics, now=10.0)]
    # case 3's words first (its topic exists), then topic creation oldest first, summary last
    assert order == [(5, "send"), (1, "create"), (3, "create"), (6, "send")]


def test_a_lost_topic_is_made_then_its_card_then_the_waiting_row() -> None:
    rows = [row(8, 1, WORDS)]
    assert choose(rows, {1: topic(1, None, None)}, 0)[0].action == "create"
    assert choose(rows, {1: topic(1, 55, None)}, 0)[0].action == "card"
    assert choose(rows, {1: topic(1, 55, 56)}, 0)[0].action == "send"


def test_edits_wait_while_the_topic_is_being_remade_and_rows_not_due_wait() -> None:
    rows = [row(1, 1, CARDS, "_card", "chat", ordered=False), row(2, 2, WORDS, due=50.0)]
    assert choose(rows, {1: topic(1, None, None), 2: topic(2)}, now=10.0) == []


def test_services_never_import_the_telegram_adapter() -> None:
    assert not [m for m in privacy.ERASER_MODULES if m.startswith("bot.tg")]
    code = ("import sys, importlib, pkgutil, bot.services as s\n"
            "for m in pkgutil.iter_modules(s.__path__): importlib.import_module("
            "'bot.services.' + m.name)\n"
            "from bot.services import privacy\n"
            "for m in privacy.ERASER_MODULES: importlib.import_module(m)\n"
            "print(sorted(n for n in sys.modules if n.startswith('bot.tg')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
