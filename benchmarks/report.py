"""Benchmark of reports: `python benchmarks/report.py` (see benchmarks/README.md).

Builds the partner report over 1,000,000 journey events and 100,000 cases (with their
messages, ratings and 50,000 outcome records) in a real SQLite file, and prints how long each
part takes. Two shapes of the journey table are measured:

* ``dense``: a year of events of the shipped procedures as the bot stores them: identical
  events of a day share a row with a count, so a million events take far fewer rows;
* ``sparse``: the worst case for that design, a million events that share no row at all (one
  row each), i.e. what a row-per-event table would have to scan.

Target: ``reports.build`` under 2 s for each. Seeding is not timed. Options: --quick (100,000
events, 10,000 cases), --profile (cProfile of one build).
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
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine import load_flows
from bot.services import report_formats, reports
from bot.services.report_charts import main_chart
from bot.storage.db import Database

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0
UNTIL = date(2026, 11, 28)
DAYS = 365
KINDS = [("reached", 50), ("answered", 25), ("started", 5), ("invalid", 4), ("back", 3),
         ("abandoned", 4), ("escalated", 2), ("completed", 3), ("returned", 1)]
RESULTS = {"followup": ("got_it", "not_yet", "refused"),
           "case": ("resolved", "partly", "not_resolved", "referred")}
BLOCKERS = ("missing_document", "office_refused", "unofficial_fee", "travel", "language",
            "did_not_understand", "treated_badly", "other")


def _choices(rng: random.Random, flows) -> tuple[list, list[str]]:
    targets = [(f.id, f.country, s, f.languages) for f in flows.flows.values() for s in f.steps]
    days = [(UNTIL - timedelta(days=d)).isoformat() for d in range(DAYS)]
    return targets, days


def seed_events(conn: sqlite3.Connection, flows, total: int, sparse: bool,
                rng: random.Random) -> int:
    """``total`` events; returns the number of rows they take."""
    targets, days = _choices(rng, flows)
    kinds = [k for k, w in KINDS for _ in range(w)]
    rows: dict[tuple, int] = {}
    made = 0
    while made < total:
        flow_id, country, step, langs = rng.choice(targets)
        kind = rng.choice(kinds)
        key = (rng.choice(days), country, flow_id, step, rng.choice(langs), kind,
               "date" if kind in ("answered", "invalid") else "")
        if sparse and key in rows:
            continue
        rows[key] = rows.get(key, 0) + 1
        made += 1
    conn.executemany("INSERT INTO journey_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(*k, n) for k, n in rows.items()])
    return len(rows)


def seed_cases(conn: sqlite3.Connection, flows, total: int, rng: random.Random) -> None:
    ids = [(f.id, f.country) for f in flows.flows.values()]
    end = datetime.combine(UNTIL, datetime.min.time(), UTC).timestamp()
    cases, messages = [], []
    for case_id in range(1, total + 1):
        flow_id, country = rng.choice(ids)
        created = end - rng.random() * DAYS * 86400
        rating = rng.choice((None, None, 1, 2, 3, 4, 5, 5, 5, 4))
        cases.append((case_id, 1000 + case_id % 5000, country, "ru", flow_id, "closed", rating,
                      created))
        messages.append((case_id, "in", created + 1))
        if rng.random() < 0.9:
            first = created + rng.expovariate(1 / 900)
            messages += [(case_id, "out", first), (case_id, "in", first + 60),
                         (case_id, "out", first + 120)]
    conn.executemany("INSERT INTO cases (id, person_id, country, lang, flow_id, status, rating,"
                     " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", cases)
    conn.executemany("INSERT INTO case_messages (case_id, direction, kind, created_at)"
                     " VALUES (?, ?, 'text', ?)", messages)
    outcomes = []
    for _ in range(total // 2):
        flow_id, country = rng.choice(ids)
        source = rng.choice(("followup", "case"))
        blockers = rng.sample(BLOCKERS, rng.choice((0, 0, 1, 1, 2)))
        outcomes.append(((UNTIL - timedelta(days=rng.randrange(DAYS))).isoformat(), country,
                         flow_id, rng.choice(("con", "registry", None)), source,
                         rng.choice(RESULTS[source]), json.dumps(blockers)))
    conn.executemany("INSERT INTO outcome_reports (day, country, flow_id, office_id, lang,"
                     " source, result, blockers) VALUES (?, ?, ?, ?, 'ru', ?, ?, ?)", outcomes)


async def prepare(path: Path, events: int, cases: int, sparse: bool) -> int:
    await (await Database.open(path)).close()  # the real schema and indexes
    flows = load_flows(REPO / "flows").flows
    rng = random.Random(11)
    conn = sqlite3.connect(path)
    with conn:
        rows = seed_events(conn, flows, events, sparse, rng)
        seed_cases(conn, flows, cases, rng)
    conn.execute("ANALYZE")
    conn.close()
    return rows


async def measure(path: Path, profile: bool) -> dict[str, float]:
    flows = load_flows(REPO / "flows").flows
    whole = reports.make_period(None, UNTIL - timedelta(days=DAYS - 1), UNTIL)
    one = reports.make_period("KZ", UNTIL - timedelta(days=29), UNTIL)
    reader = await reports.sql.ReadOnly.open(path)
    figures = {}
    try:
        await reports.build(reader, flows, one)  # warm the page cache, as a running bot has
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = await reports.build(reader, flows, whole, lang="ru")
        if profiler:
            profiler.disable()
        figures["build, all countries, 365 days"] = time.perf_counter() - started
        started = time.perf_counter()
        await reports.build(reader, flows, one, lang="ru")
        figures["build, KZ, 30 days"] = time.perf_counter() - started
    finally:
        await reader.close()
    for fmt in ("csv", "json", "html"):
        started = time.perf_counter()
        report_formats.render(report, fmt)
        figures[f"render {fmt}"] = time.perf_counter() - started
    started = time.perf_counter()
    main_chart(report, "png")
    figures["render main chart png"] = time.perf_counter() - started
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(15)
        print(out.getvalue())
    return figures


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    events, cases = (100_000, 10_000) if args.quick else (1_000_000, 100_000)
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{platform.machine()}")
    ok = True
    for shape in ("dense", "sparse"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "report.sqlite3"
            started = time.perf_counter()
            rows = await prepare(path, events, cases, sparse=shape == "sparse")
            seeded = time.perf_counter() - started
            print(f"\n{shape}: {events:,} journey events in {rows:,} rows, {cases:,} cases, "
                  f"{cases // 2:,} outcome records (seeded in {seeded:.1f} s, "
                  f"{path.stat().st_size / 1e6:.0f} MB)")
            for name, seconds in (await measure(path, args.profile)).items():
                print(f"  {name:<34} {seconds * 1000:8.0f} ms")
                if name.startswith("build") and seconds > TARGET_SECONDS:
                    ok = False
    print(f"\ntarget: build under {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
