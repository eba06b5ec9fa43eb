"""Firing a wave of follow-ups: how long the timers take to become outbox rows.

    python benchmarks/followup_wave.py            # 100,000 runs (about a minute)
    python benchmarks/followup_wave.py --runs 10000

Why: when a popular procedure's follow-up day comes, the worker turns every due timer into an
outbox row. It shares SQLite's single writer with conversations, so what matters besides the
total time is the longest time it holds the writer in one transaction (a person's message
waits at most that long for the writer). Delivery of the rows is the sender's business
(rate-limited, and on the bulk lane once the outbox has one).

It builds a real SQLite file with N accepted runs (follow-up and reminder timers due now, on
one shipped-like flow), then calls `followups.fire_due` as the worker does and prints the
figures. Nothing in the repository changes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.engine import load_flows
from bot.services import announcements, followups
from bot.storage.db import Database

FLOW = """\
id: b-birth
languages: [fr, wo]
title: {fr: Naissance, wo: Juddu}
description: {fr: Déclarer, wo: Yégle}
source:
  - title: Source
    url: https://example.org
last_reviewed: 2026-11-01
followup: 14 days after end
reminders:
  - id: declare
    deadline: 30 days after birth_date
    text: {fr: "Avant le {deadline}.", wo: "Balaa {deadline}."}
changes:
  - id: no-fee
    date: 2026-11-01
    text: {fr: "Plus de frais.", wo: "Amatul xaalis."}
steps:
  - id: born
    ask: {fr: "Né quand ? ex. 05.03.2026", wo: "Kañ ? ex. 05.03.2026"}
    input: date
    save: birth_date
  - id: done
    end: {fr: Fini., wo: Jeex na.}
"""
COUNTRY = """\
country: BB
name: {fr: Testland, wo: Testland}
languages: [fr, wo]
default_language: fr
timezone: Africa/Dakar
"""


async def main(runs: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "flows" / "BB"
        folder.mkdir(parents=True)
        (folder / "country.yaml").write_text(COUNTRY, encoding="utf-8")
        (folder / "birth.yaml").write_text(FLOW, encoding="utf-8")
        result = load_flows(folder.parent)
        assert result.ok, result.problems
        flows = result.flows
        db = await Database.open(Path(tmp) / "wave.sqlite3")
        now = time.time()
        started = time.perf_counter()
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO followup_runs (id, user_id, flow_id, country, lang, created_at)"
                " VALUES (?, ?, 'b-birth', 'BB', 'fr', ?)",
                [(i, 10_000_000 + i, now) for i in range(1, runs + 1)])
            await tx.executemany(
                "INSERT INTO followup_timers (run_id, kind, ref, deadline, due_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [row for i in range(1, runs + 1) for row in (
                    (i, "followup", None, None, now - 60),
                    (i, "reminder", "declare", "2099-01-01", now - 60))])
        print(f"set-up: {runs:,} runs, {2 * runs:,} due timers "
              f"({time.perf_counter() - started:.1f} s)")

        holds: list[float] = []
        real_transaction = db.transaction

        def timed_transaction():  # measures how long each batch holds the writer
            context = real_transaction()

            class Timed:
                async def __aenter__(self):
                    self.start = time.perf_counter()
                    return await context.__aenter__()

                async def __aexit__(self, *exc):
                    out = await context.__aexit__(*exc)
                    holds.append(time.perf_counter() - self.start)
                    return out

            return Timed()

        db.transaction = timed_transaction  # type: ignore[method-assign]
        sent = 0
        started = time.perf_counter()
        while True:
            fired = await followups.fire_due(db, flows, lambda n: {"text": n.kind},
                                             now=now, default_quiet=None)
            if not fired:
                break
            sent += fired
        elapsed = time.perf_counter() - started
        print(f"fired: {sent:,} messages into the outbox in {elapsed:.1f} s "
              f"({sent / elapsed:,.0f} messages/s)")
        print_holds(holds, f"batch of {followups.BATCH}")

        # Every run reported a blocker: a change note goes to all of them.
        async with real_transaction() as tx:
            await tx.execute("UPDATE followup_runs SET status = 'answered',"
                             " reported_blocker = 1, answered_at = ?", (now,))
        holds.clear()
        started = time.perf_counter()
        noted = await announcements.announce(db, flows, lambda f, n, lang: {"text": n.id},
                                             now=now + 1)
        elapsed = time.perf_counter() - started
        await db.close()
    print(f"change note: {noted['b-birth/no-fee']:,} people queued in {elapsed:.1f} s")
    print_holds(holds, f"chunk of {announcements.CHUNK}")
    return 0 if sent == 2 * runs and noted["b-birth/no-fee"] == runs else 1


def print_holds(holds: list[float], what: str) -> None:
    holds_ms = sorted(h * 1000 for h in holds)
    p95 = holds_ms[int(len(holds_ms) * 0.95) - 1]
    print(f"  writer held per {what}: median {statistics.median(holds_ms):.1f} ms, "
          f"p95 {p95:.1f} ms, max {holds_ms[-1]:.1f} ms ({len(holds_ms)} transactions)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    sys.exit(asyncio.run(main(parser.parse_args().runs)))
