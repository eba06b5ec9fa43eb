"""Benchmark of the team workspace under a burst: `python benchmarks/workspace.py`.

The real bot (Runtime: Application, dispatcher, both senders, SQLite file) against the tests'
loopback fake Bot API with a forum supergroup bound to SN. 100 people open a case in 10
seconds (each: /start sn-birth, /human, one message). Meanwhile, people whose topic already
exists write again (a probe every 15 s while topics are being made); their relay latency is
measured from the update to the copy arriving in the topic.

Telegram allows about 20 calls a minute into one group; 100 cases need ~300 calls (topic,
card, pin, the message), so the burst lasts ~15 minutes of Telegram time. The run is
*time-scaled* (``--scale``, default 20): the group's minute lasts 60/scale seconds, the
opening window 10/scale s and the probe period 15/scale s, so it takes about a minute. Figures
in Telegram time are the measured ones multiplied by the scale, except the relay latency,
which is reported as measured: words use the budget's reserve, so they wait for no budget
slot (the latency is processing and delivery, which the scale does not shorten).

Figures: time until the last case has its topic; the most calls into the group in any
window of the group's minute (target <= 20); p95 relay latency once a topic exists (target
< 1 s); lost messages (target 0). Options: --scale, --cases, --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakebotapi import FakeBotAPI  # noqa: E402

from bot import app  # noqa: E402
from bot.app import Runtime  # noqa: E402
from bot.cli.volunteers import add_volunteer  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services.library import FlowLibrary  # noqa: E402
from bot.storage import cases  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from bot.tg import ratelimit  # noqa: E402

GROUP, ADMIN, VOLUNTEER, PEOPLE = -1001000000001, 900, 801, 5_000_000
TARGET_WINDOW, TARGET_P95_S = 20, 1.0
PROBE_EVERY_S = 15.0  # 4 probes a minute: within the words' reserve of the budget


async def run(scale: float, count: int, keep: bool) -> int:
    ratelimit.GROUP_SPAN = 60.0 / scale
    # Telegram's one message a second per chat, scaled like the group's minute.
    app.RateLimiter = partial(ratelimit.RateLimiter, chat_rate=scale, chat_burst=3)
    fake = FakeBotAPI()
    await fake.start()
    fake.forum(GROUP)
    folder = Path(tempfile.mkdtemp(prefix="passerelle-ws-bench-"))
    settings = Settings(bot_token=fake.token, telegram_api_url=fake.base_url,
                        database_path=folder / "bot.sqlite3", flows_dir=ROOT / "flows",
                        admin_ids=frozenset({ADMIN}), send_rate=30.0)
    db = await Database.open(settings.database_path)
    await add_volunteer(db, VOLUNTEER, ("SN",), ("fr",), "Fatou")
    await db.close()
    runtime = Runtime(settings, FlowLibrary.load(settings.flows_dir), poll_timeout=1)
    await runtime.start()
    try:
        fake.group_command(ADMIN, GROUP, "/workspace SN")
        await fake.wait_for(lambda c: c.chat_id == GROUP and "workspace for SN"
                            in (c.params.get("text") or ""), timeout=10)
        started = time.monotonic()
        people = [PEOPLE + n for n in range(count)]
        probes: dict[tuple[int, int], float] = {}  # (chat, message id) -> when sent
        opening = asyncio.create_task(_open(fake, people, 10.0 / scale))
        latencies: list[float] = []
        deadline = started + 3600
        last_topic_at = None
        while time.monotonic() < deadline:
            await asyncio.sleep(PROBE_EVERY_S / scale)
            if last_topic_at is None:
                _probe(fake, people, probes)
            latencies += _arrived(fake, probes)
            topics = [t for t in fake.live_topics(GROUP) if t.name.startswith("#")]
            if len(topics) >= count and last_topic_at is None:
                last_topic_at = time.monotonic() - started
            if last_topic_at is not None and opening.done() and await _drained(runtime):
                break
        latencies += _arrived(fake, probes)
        lost = await _lost(runtime, fake, people)
        calls = sorted(c.at for c in fake.calls if c.chat_id == GROUP)
        span = ratelimit.GROUP_SPAN
        worst = max(sum(1 for t in calls if s <= t < s + span) for s in calls)
        p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) >= 2 else float("nan")
        print(f"scale x{scale:g}: the group's minute lasts {span:.2f} s")
        print(f"cases: {count} opened in {10.0 / scale:.2f} s ({10:g} s of Telegram time)")
        print(f"time until the last topic: {last_topic_at:.1f} s measured = "
              f"{last_topic_at * scale / 60:.1f} min of Telegram time")
        print(f"calls into the group: {len(calls)}; most in any {span:.2f} s window: {worst} "
              f"(target <= {TARGET_WINDOW})")
        print(f"relay latency once a topic exists: n={len(latencies)} median "
              f"{statistics.median(latencies):.3f} s p95 {p95:.3f} s (target < {TARGET_P95_S} s)")
        print(f"lost: {lost} (target 0); 429 answers: "
              f"{sum(1 for c in fake.calls if c.status == 429)}")
        ok = worst <= TARGET_WINDOW and p95 < TARGET_P95_S and lost == 0
        print("verdict:", "PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        await runtime.stop()
        await fake.stop()
        if keep:
            print(f"kept {folder}")


async def _open(fake: FakeBotAPI, people: list[int], window: float) -> None:
    for person in people:
        fake.user_message(person, "/start sn-birth", lang="fr")
        fake.user_message(person, "/human aide", lang="fr")
        fake.user_message(person, f"message de {person}", lang="fr")
        await asyncio.sleep(window / len(people))


def _probe(fake: FakeBotAPI, people: list[int], probes: dict[tuple[int, int], float]) -> None:
    """One person whose topic exists writes again."""
    with_topic = {t.name.split(" ")[0] for t in fake.live_topics(GROUP)}
    for person in people:
        copies = [c for c in fake.calls if c.method == "copyMessage" and c.chat_id == GROUP
                  and c.params.get("from_chat_id") == person]
        if copies and len(copies) == 1 and with_topic:
            fake.user_message(person, "encore une question", lang="fr")
            message_id = max(mid for (chat, mid) in fake.messages if chat == person)
            probes[(person, message_id)] = time.monotonic()
            return


def _arrived(fake: FakeBotAPI, probes: dict) -> list[float]:
    done = []
    for call in fake.calls:
        key = (call.params.get("from_chat_id"), call.params.get("message_id"))
        if call.method == "copyMessage" and call.ok and key in probes:
            done.append(call.at - probes.pop(key))
    return done


async def _drained(runtime: Runtime) -> bool:
    row = await runtime.db.fetchone("SELECT COUNT(*) AS n FROM ws_outbox WHERE status ="
                                    " 'pending' AND method != '_queue'")
    return row["n"] == 0


async def _lost(runtime: Runtime, fake: FakeBotAPI, people: list[int]) -> int:
    """People whose first message is not in their case's topic, after its card."""
    lost = 0
    for person in people:
        case = await cases.latest_for_person(runtime.db, person)
        topic = fake.topic_of_case(GROUP, case.id) if case else None
        texts = [m.get("text", "") for m in fake.in_topic(GROUP, topic.thread_id)] if topic \
            else []
        if f"message de {person}" not in texts or not any(
                t.startswith(f"Case #{case.id}") for t in texts):
            lost += 1
    return lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    return asyncio.run(run(args.scale, args.cases, args.keep))


if __name__ == "__main__":
    sys.exit(main())
