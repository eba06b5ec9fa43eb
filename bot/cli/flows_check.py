"""`python -m bot flows check [DIR]`: every problem of every flow, then a one-line verdict."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.engine import load_flows


def run(directory: str, out: TextIO = sys.stdout) -> int:
    result = load_flows(directory)
    for problem in result.problems:
        print(problem, file=out)
    flows = len(result.flows.flows)
    countries = len(result.flows.countries)
    print(f"{flows} flows in {countries} countries: {len(result.errors)} errors, "
          f"{len(result.warnings)} warnings", file=out)
    return 0 if result.ok else 1
