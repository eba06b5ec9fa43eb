"""`python -m bot flows test [DIR]`: run the admins' flow tests, then show step coverage."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.engine import load_flows
from bot.flowtests import load_cases, run_cases


def run(directory: str, verbose: bool = False, out: TextIO = sys.stdout) -> int:
    loaded = load_flows(directory)
    broken_files = {problem.file for problem in loaded.errors}
    for problem in loaded.errors:
        print(problem, file=out)
    if broken_files:
        print("Flows in files with errors are skipped; fix them (python -m bot flows check).\n",
              file=out)
    cases = load_cases(directory)
    for problem in cases.problems:
        print(problem, file=out)
    broken_flows = {f.id for f in loaded.flows.flows.values() if f.file in broken_files}
    runnable = [case for case in cases.cases if case.flow not in broken_flows]
    results, coverage = run_cases(loaded.flows, runnable)
    failed = [r for r in results if not r.passed]
    for result in results:
        if verbose or not result.passed:
            mark = "ok  " if result.passed else "FAIL"
            print(f"{mark} {result.case.where} {result.case.flow} [{result.case.lang}] "
                  f"{result.case.name}", file=out)
            if result.failure:
                print(f"    {result.failure}", file=out)
    print("\nStep coverage (flow, language: visited/total, unvisited steps):", file=out)
    for (flow_id, lang), gaps in sorted(coverage.missing(loaded.flows).items()):
        total = len(loaded.flows.flows[flow_id].steps)
        line = f"  {flow_id} [{lang}]: {total - len(gaps)}/{total}"
        print(line + (f"  not visited: {', '.join(gaps)}" if gaps else ""), file=out)
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed; "
          f"step coverage {coverage.percent(loaded.flows):.1f}%", file=out)
    return 1 if failed or cases.problems or broken_files else 0
