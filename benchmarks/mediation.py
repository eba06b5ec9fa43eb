"""Benchmark of volunteer mediation: `python benchmarks/mediation.py` (see benchmarks/README.md).

A real SQLite file (WAL, the bot's migrations) holds 200 volunteers (5 countries, 1-3 of each
country's languages, 1 in 5 away, each with a users row) and 1,000 open cases of every age,
plus taken and closed cases, their timers, messages and notification rows in the outbox.

(a) routing: the time to route and notify one new case as the escalation handler does it, in
    one transaction: `mediation.open_case` (the case, its audit, counters, timers) +
    `notify` (the routing tiers, one notification per volunteer in their language, into the
    outbox) + the outbox write, then COMMIT. Each run is a new person; the case is closed
    afterwards (untimed) so 1,000 cases stay open.
(b) /cases: the full turn of a volunteer's `/cases` through the bot's Dispatcher and the real
    python-telegram-bot Application: the inbox row is read, the update parsed and routed to
    the handler, which loads the person and role, runs its queries and renders the list; the
    reply goes to the outbox and the row is marked done, in one transaction. The volunteer
    is the one with the most open cases in scope (3 countries), holding 5 cases. The Bot API
    is the tests' loopback fake, used only at start (getMe): a turn never waits on Telegram.

Targets: routing < 20 ms, /cases < 50 ms (median and p95 printed; the verdict is on p95).
Options: --runs N (default 300), --profile (cProfile of both parts), --keep (keep the file).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakebotapi import FakeBotAPI  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.engine import Text, resume, start  # noqa: E402
from bot.i18n import format_answer  # noqa: E402
from bot.services import mediation  # noqa: E402
from bot.services.library import FlowLibrary  # noqa: E402
from bot.storage import cases, inbox, users, volunteers  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from bot.storage.users import User  # noqa: E402
from bot.tg.app import build_application  # noqa: E402
from bot.tg.dispatcher import Dispatcher  # noqa: E402
from bot.tg.mediation.notify import notify  # noqa: E402
from bot.tg.mediation.wiring import Mediation  # noqa: E402
from bot.tg.turn import Turn  # noqa: E402

TARGET_ROUTING_MS = 20.0
TARGET_CASES_MS = 50.0
VOLUNTEERS = 200
OPEN_CASES = 1000
COUNTRIES = {"KZ": ("ru", "kk"), "KG": ("ru", "ky"), "CN": ("zh_Hans",), "LB": ("ar", "fr"),
             "SN": ("fr", "wo")}
FLOW_OF = {"KZ": "kz-birth", "KG": "kg-birth", "CN": "cn-birth", "LB": "lb-birth-syrian",
           "SN": "sn-birth"}
CASES_VOLUNTEER = 1  # user id of the /cases volunteer
PERSON_BASE = 1_000_000


# -- the data ---------------------------------------------------------------------------------
def roster(rng: random.Random) -> list[tuple[int, tuple[str, ...], tuple[str, ...]]]:
    """200 volunteers; #1 covers three countries and every language of them."""
    people = [(CASES_VOLUNTEER, ("KZ", "KG", "SN"), ("ru", "kk", "ky", "fr", "wo"))]
    codes = sorted(COUNTRIES)
    for user_id in range(2, VOLUNTEERS + 1):
        countries = tuple(rng.sample(codes, rng.choice((1, 1, 1, 2))))
        spoken = sorted({lang for c in countries for lang in COUNTRIES[c]})
        people.append((user_id, countries, tuple(rng.sample(spoken, rng.randint(1,
                                                                              len(spoken))))))
    return people


async def seed(db: Database, library: FlowLibrary, rng: random.Random) -> dict[str, Any]:
    now = time.time()
    sessions = {c: sample_session(library, c, COUNTRIES[c][0]) for c in COUNTRIES}
    async with db.transaction() as tx:
        for user_id, countries, languages in roster(rng):
            await volunteers.upsert(tx, user_id, countries, languages)
            await volunteers.set_available(tx, user_id, user_id % 5 != 0)
            await users.save(tx, User(user_id, languages[0], countries[0]))
        for number in range(OPEN_CASES + 300):
            country = rng.choice(sorted(COUNTRIES))
            lang = rng.choice(COUNTRIES[country])
            opened = await mediation.open_case(
                tx, person_id=PERSON_BASE + number, person_name=f"Person {number}", lang=lang,
                country=country, flows=library.flows, session=sessions[country],
                reason="needs help", renotify_s=1800, admins_s=7200)
            case_id = opened.case.id
            age = rng.uniform(60, 30 * 86400)
            await tx.execute("UPDATE cases SET created_at = ? WHERE id = ?", (now - age, case_id))
            for index in range(3):
                await tx.execute(
                    "INSERT INTO outbox (chat_id, method, params, status, due_at, created_at,"
                    " result, ref) VALUES (?, 'sendMessage', '{}', 'sent', ?, ?, ?, ?)",
                    (2 + (number * 3 + index) % (VOLUNTEERS - 1), now, now,
                     json.dumps({"message_id": number * 3 + index + 1}), f"case:{case_id}:notify"))
            if number >= OPEN_CASES:  # 300 more: 5 taken by the /cases volunteer, the rest
                holder = CASES_VOLUNTEER if number < OPEN_CASES + 5 else 2 + number % 50
                await mediation.take(tx, case_id, holder)
                for text in ("hello", "photo of the form", "thanks"):
                    await cases.add_message(tx, case_id, "in", PERSON_BASE + number, "text", text)
                if number >= OPEN_CASES + 150:
                    await cases.close(tx, case_id, "done")
    counts = await db.fetchall("SELECT status, COUNT(*) AS n FROM cases GROUP BY status")
    return {row["status"]: row["n"] for row in counts}


def sample_session(library: FlowLibrary, country: str, lang: str) -> dict[str, Any]:
    """A session one answer into the country's birth procedure, as escalations carry one."""
    flows = library.flows
    sprint = start(flows, FLOW_OF[country], lang, fmt=format_answer)
    sprint = resume(flows, sprint.session, Text("01.01.2025"), fmt=format_answer)
    return sprint.session


# -- (a) routing ------------------------------------------------------------------------------
async def route_once(db: Database, library: FlowLibrary, settings: Settings, number: int,
                     rng: random.Random, session: dict[str, Any]) -> tuple[float, int]:
    """One escalation as person_side.escalate does it; returns (seconds, notified)."""
    country = rng.choice(sorted(COUNTRIES))
    lang = rng.choice(COUNTRIES[country])
    began = time.perf_counter()
    async with db.transaction() as tx:
        opened = await mediation.open_case(
            tx, person_id=2 * PERSON_BASE + number, person_name="Bench", lang=lang,
            country=country, flows=library.flows, session=session, reason=None,
            renotify_s=1800, admins_s=7200)
        turn = Turn(tx, 0, None)
        notified = await notify(turn, opened.case, 0, settings)
        await turn.flush()
    elapsed = time.perf_counter() - began
    async with db.transaction() as tx:  # untimed: keep 1,000 cases open
        await cases.close(tx, opened.case.id, "bench")
    return elapsed, len(notified.chosen)


async def bench_routing(db: Database, library: FlowLibrary, settings: Settings,
                        runs: int) -> dict[str, Any]:
    rng = random.Random(7)
    session = sample_session(library, "KG", "ru")
    for number in range(20):  # warm up (statement cache, pages)
        await route_once(db, library, settings, 10_000 + number, rng, session)
    times, notified = [], []
    for number in range(runs):
        seconds, count = await route_once(db, library, settings, number, rng, session)
        times.append(seconds)
        notified.append(count)
    return {"times": times, "notified": statistics.mean(notified)}


# -- (b) /cases ---------------------------------------------------------------------------------
def cases_update(update_id: int) -> dict[str, Any]:
    user = {"id": CASES_VOLUNTEER, "is_bot": False, "first_name": "Vol", "language_code": "ru"}
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "from": user, "text": "/cases",
        "chat": {"id": CASES_VOLUNTEER, "type": "private", "first_name": "Vol"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


async def bench_cases(db: Database, dispatcher: Dispatcher, runs: int,
                      first_id: int = 1) -> dict[str, Any]:
    async def turn(update_id: int) -> float:
        async with db.transaction() as tx:
            await inbox.add_many(tx, [cases_update(update_id)])
        began = time.perf_counter()
        await dispatcher.process_pending()
        return time.perf_counter() - began

    for number in range(20):
        await turn(first_id + number)
    times = [await turn(first_id + 20 + number) for number in range(runs)]
    last = await db.fetchone("SELECT params FROM outbox WHERE chat_id = ? AND method ="
                             " 'sendMessage' ORDER BY id DESC LIMIT 1", (CASES_VOLUNTEER,))
    failed = await db.fetchone("SELECT COUNT(*) AS n FROM inbox WHERE status != 'done'")
    reply = json.loads(last["params"])
    return {"times": times, "lines": reply["text"].count("\n") + 1,
            "buttons": len(reply["reply_markup"]["inline_keyboard"]), "failed": failed["n"]}


# -- running ----------------------------------------------------------------------------------
def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


async def profiled(label: str, work: Callable[[], Awaitable[Any]]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    await work()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(25)
    print(f"\n--- profile: {label} ---\n{out.getvalue()}")


async def run(args: argparse.Namespace, folder: Path) -> int:
    fake = FakeBotAPI()
    await fake.start()
    library = FlowLibrary.load(ROOT / "flows")
    settings = Settings(bot_token=fake.token, telegram_api_url=fake.base_url,
                        database_path=folder / "mediation.sqlite3", flows_dir=ROOT / "flows",
                        admin_ids=frozenset({9_999}))
    db = await Database.open(settings.database_path)
    try:
        began = time.perf_counter()
        counts = await seed(db, library, random.Random(1))
        size = sum(path.stat().st_size for path in folder.glob("mediation.sqlite3*"))
        print(f"seeded in {time.perf_counter() - began:.1f} s: {VOLUNTEERS} volunteers, "
              f"cases {counts}, database + WAL {size // 1024} KiB")
        routing = await bench_routing(db, library, settings, args.runs)

        plugin = Mediation(settings, db)
        application = build_application(settings, library, db=db,
                                        extra_commands=plugin.commands)
        plugin.install(application)
        dispatcher = Dispatcher(application, db)
        await application.initialize()
        listing = await bench_cases(db, dispatcher, args.runs)

        r_median, r_p95 = summary(routing["times"])
        c_median, c_p95 = summary(listing["times"])
        ok_a, ok_b = r_p95 < TARGET_ROUTING_MS, c_p95 < TARGET_CASES_MS
        print(f"\n(a) route + notify one case ({args.runs} runs, "
              f"{routing['notified']:.1f} volunteers notified on average)")
        print(f"    median {r_median:6.2f} ms   p95 {r_p95:6.2f} ms   target < "
              f"{TARGET_ROUTING_MS:g} ms  {verdict(ok_a)}")
        print(f"(b) /cases, full turn through the Dispatcher ({args.runs} runs; reply of "
              f"{listing['lines']} lines, {listing['buttons']} buttons; "
              f"{listing['failed']} failed turns)")
        print(f"    median {c_median:6.2f} ms   p95 {c_p95:6.2f} ms   target < "
              f"{TARGET_CASES_MS:g} ms  {verdict(ok_b)}")
        if args.profile or not ok_a:
            rng = random.Random(3)
            session = sample_session(library, "KG", "ru")

            async def some_routing() -> None:
                for number in range(100):
                    await route_once(db, library, settings, 50_000 + number, rng, session)

            await profiled("(a) routing, 100 runs", some_routing)
        if args.profile or not ok_b:
            await profiled("(b) /cases, 100 turns",
                           lambda: bench_cases(db, dispatcher, 100, 1_000_000))
        await application.shutdown()
        return 0 if ok_a and ok_b and listing["failed"] == 0 else 1
    finally:
        await db.close()
        await fake.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="timed runs of each part")
    parser.add_argument("--profile", action="store_true", help="print cProfile summaries")
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    args = parser.parse_args(argv)
    print(f"Passerelle mediation benchmark (Python {sys.version.split()[0]}, "
          f"{platform.machine()}, SQLite file in a temporary folder)")
    if args.keep:
        folder = Path(tempfile.mkdtemp(prefix="passerelle-mediation-"))
        print(f"database kept in {folder}")
        return asyncio.run(run(args, folder))
    with tempfile.TemporaryDirectory(prefix="passerelle-mediation-") as tmp:
        return asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
