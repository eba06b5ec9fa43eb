"""Benchmark of reading one typed answer: `python benchmarks/parsing.py` (see README.md).

Each answer a person types goes through `bot.engine.inputs.parse_answer` (dates in any script
and CLDR format, grouped numbers with units, counts, phone numbers). This times every call of
a corpus of real answers in the shipped languages, refused ones included, and prints the
latency percentiles per input kind. Target: p95 under 50 microseconds per answer.

Options: --rounds N (default 2000 passes over the corpus).
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine.inputs import InvalidAnswer, parse_answer

TARGET_P95_US = 50.0
TODAY = date(2026, 6, 1)
# (input kind, typed text, the person's language then the flow's)
CORPUS: list[tuple[str, str, tuple[str, ...]]] = [
    ("date", "٠٥.٠٣.٢٠٢٦", ("ar", "en", "fr")),
    ("date", "5 آذار 2026", ("ar", "en", "fr")),
    ("date", "١٥ كانون الثاني ٢٠٢٦", ("ar", "en", "fr")),
    ("date", "２０２６年３月５日", ("zh_Hans", "en")),
    ("date", "2026-03-05", ("zh_Hans", "en")),
    ("date", "5 марта 2026 года", ("ru", "kk")),
    ("date", "05.03.2026", ("kk", "ru")),
    ("date", "5.3.26", ("ky", "ru")),
    ("date", "2026-ж., 5-март", ("ky", "ru")),
    ("date", "5 mars 2026", ("fr", "wo")),
    ("date", "05/03/2026", ("wo", "fr")),
    ("date", "demain", ("fr", "wo")),
    ("date", "31.02.2026", ("ru", "kk")),
    ("number", "150 000 тг", ("kk", "ru")),
    ("number", "1 500 сом", ("ky", "ru")),
    ("number", "5000元", ("zh_Hans", "en")),
    ("number", "100,000", ("en", "zh_Hans")),
    ("number", "3,5", ("ru", "kk")),
    ("number", "١٥٠٬٠٠٠", ("ar", "en", "fr")),
    ("number", "25 000 FCFA", ("fr", "wo")),
    ("number", "beaucoup", ("fr", "wo")),
    ("integer", "4", ("ru", "kk")),
    ("integer", "2 ans", ("fr", "wo")),
    ("integer", "3,5", ("ru", "kk")),
    ("integer", "31", ("ky", "ru")),
    ("phone", "+7 701 123-45-67", ("kk", "ru")),
    ("phone", "+٩٦١ ٣ ١٢٣ ٤٥٦", ("ar", "en", "fr")),
    ("yesno", "Иә", ("kk", "ru")),
    ("text", "Айгүл Серікқызы", ("kk", "ru")),
]


def run(rounds: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    clock = time.perf_counter_ns
    for kind, typed, languages in CORPUS:  # warm-up: regexes and CLDR tables built once
        with contextlib.suppress(InvalidAnswer):
            parse_answer(kind, typed, languages=languages, today=TODAY, minimum=1, maximum=30)
    for _ in range(rounds):
        for kind, typed, languages in CORPUS:
            began = clock()
            with contextlib.suppress(InvalidAnswer):
                parse_answer(kind, typed, languages=languages, today=TODAY, minimum=1,
                             maximum=30 if kind == "integer" else None)
            timings.setdefault(kind, []).append((clock() - began) / 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args(argv)
    print(f"Passerelle typed-answer parsing benchmark (Python {sys.version.split()[0]}, "
          f"{platform.machine()}): {len(CORPUS)} answers x {args.rounds} rounds")
    timings = run(args.rounds)
    every = [value for values in timings.values() for value in values]
    print(f"    {'kind':<8} {'p50 µs':>8} {'p95 µs':>8} {'p99 µs':>8} {'mean µs':>8}")
    for kind, values in [*timings.items(), ("all", every)]:
        print(f"    {kind:<8} {percentile(values, 0.5):>8.1f} {percentile(values, 0.95):>8.1f} "
              f"{percentile(values, 0.99):>8.1f} {statistics.fmean(values):>8.1f}")
    p95 = percentile(every, 0.95)
    ok = p95 < TARGET_P95_US
    print(f"p95 of every answer: {p95:.1f} µs    target < {TARGET_P95_US:.0f} µs  "
          f"{'PASS' if ok else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
