"""Benchmark of the flow engine: `python benchmarks/engine.py` (see benchmarks/README.md).

(a) resume throughput: many sessions driven to their end through generated flows, on one core;
    engine steps are counted from `Sprint.trace`.
(b) load + check time of 1,000 generated flows of 30 steps (real YAML files, 2 languages,
    several country folders); only `load_flows` is timed.

Options: --profile prints a cProfile summary of both parts; --quick runs smaller sizes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import platform
import pstats
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine import FlowSet, Press, Text, file_cache, load_flows, resume, start
from bot.engine import events as ev
from bot.engine.model import CHECKLIST_DONE

REPO = Path(__file__).resolve().parent.parent
TARGET_STEPS_PER_SECOND = 50_000
TARGET_LOAD_SECONDS = 1.0  # a reload of unchanged files; goal 0.5 s
TODAY = date(2026, 6, 1)
COUNTRIES = ("AA", "BB", "CC", "DD")
LANGUAGES = ("en", "fr")
FLOWS = 1000
STEPS_PER_FLOW = 30


# -- generated flows -----------------------------------------------------------------------
def country_yaml(code: str) -> str:
    return (
        f"country: {code}\n"
        f"name: {{en: Country {code}, fr: Pays {code}}}\n"
        "languages: [en, fr]\n"
        "default_language: en\n"
        "offices:\n"
        "  - id: hall\n"
        "    name: {en: Town hall, fr: Mairie}\n"
        "    address: {en: 1 Main Street, fr: 1 rue Principale}\n"
        "    hours: {en: Mon-Fri 9-18, fr: Lun-Ven 9-18}\n"
        '    phone: "100"\n'
        "    lat: 1.5\n"
        "    lon: 2.5\n"
        "contacts:\n"
        "  - name: {en: Hotline, fr: Ligne}\n"
        '    phone: "100"\n'
    )


def _t(en: str, fr: str) -> str:
    return f'{{en: "{en}", fr: "{fr}"}}'


def block(n: int, after: str, help_steps: list[str]) -> list[str]:
    """Eight steps (say, ask, choose, branch, checklist, place by id, ask, inline place) plus
    `help_steps`, where the choice "Ask a volunteer" leads; the block ends at `after`."""
    return [
        f"  - id: s{n}_intro",
        f"    say: {_t(f'Part {n}. Hello, {{name_{n}}}.', f'Partie {n}. Bonjour, {{name_{n}}}.')}",
        f"  - id: s{n}_name",
        f"    ask: {_t('Your name?', 'Votre nom ?')}",
        "    input: text",
        f"    save: name_{n}",
        f"    label: {_t(f'Name {n}', f'Nom {n}')}",
        f"  - id: s{n}_kind",
        f"    choose: {_t('Which case?', 'Quel cas ?')}",
        f"    save: kind_{n}",
        f"    label: {_t(f'Case {n}', f'Cas {n}')}",
        "    options:",
        f"      - label: {_t('First case', 'Premier cas')}",
        "        value: first",
        f"        next: s{n}_route",
        f"      - label: {_t('Second case', 'Second cas')}",
        "        value: second",
        f"        next: s{n}_route",
        f"      - label: {_t('Ask a volunteer', 'Un bénévole')}",
        "        value: help",
        f"        next: s{n}_help",
        f"  - id: s{n}_route",
        "    branch:",
        f'      - if: kind_{n} == "first" and answered(name_{n})',
        f"        next: s{n}_docs",
        f"    else: s{n}_count",
        f"  - id: s{n}_docs",
        f"    checklist: {_t('Which documents?', 'Quels documents ?')}",
        f"    save: docs_{n}",
        "    items:",
        "      - id: passport",
        f"        label: {_t('Passport', 'Passeport')}",
        f"        where: {_t('Passport office', 'Bureau des passeports')}",
        "      - id: photo",
        f"        label: {_t('Photo', 'Photo')}",
        f"        where: {_t('Photo booth', 'Photomaton')}",
        f"  - id: s{n}_hall",
        "    place: hall",
        f"    note: {_t('Bring copies', 'Apportez des copies')}",
        f"  - id: s{n}_count",
        f"    ask: {_t('How many children? (e.g. 2)', 'Combien enfants ? (ex. 2)')}",
        "    input: number",
        f"    save: count_{n}",
        "    min: 0",
        "    max: 20",
        f"  - id: s{n}_inline",
        "    place:",
        f"      name: {_t('Annex', 'Annexe')}",
        f"      address: {_t('2 Square', '2 place')}",
        f"    next: {after}",
        *help_steps,
    ]


def flow_yaml(index: int, jump_to: str | None) -> str:
    """One flow of exactly 30 steps: blocks of 10, 10 and 9, then `done`."""
    lines = [
        f"id: gen-{index:04d}",
        "languages: [en, fr]",
        f"title: {_t(f'Generated flow {index}', f'Flux généré {index}')}",
        f"description: {_t('A generated benchmark flow', 'Un flux de test généré')}",
        "source:",
        "  - title: Benchmark",
        f"    url: https://example.org/flows/{index}",
        "last_reviewed: 2026-01-15",
        f"keywords: [bench, gen{index}]",
        "steps:",
    ]
    for n in range(2):
        lines += block(n, f"s{n + 1}_intro", [
            f"  - id: s{n}_help",
            f"    escalate: {_t('Needs a volunteer', 'Besoin de bénévole')}",
            f"    next: s{n}_back",
            f"  - id: s{n}_back",
            f"    ask: {_t('Continue?', 'Continuer ?')}",
            "    input: yesno",
            f"    save: cont_{n}",
            f"    next: s{n + 1}_intro",
        ])
    if jump_to:  # "Ask a volunteer" leads into another flow
        last = ["  - id: s2_help", f"    flow: {jump_to}"]
    else:  # ... or waits for a volunteer
        last = ["  - id: s2_help", f"    escalate: {_t('Waiting for help', 'En attente')}"]
    lines += block(2, "done", last)
    lines += ["  - id: done", f"    end: {_t('Done, {name_0}.', 'Terminé, {name_0}.')}"]
    return "\n".join(lines) + "\n"


def write_flows(root: Path, count: int = FLOWS) -> int:
    """Write `count` generated flows across the country folders; return the step count."""
    for code in COUNTRIES:
        (root / code).mkdir(parents=True, exist_ok=True)
        (root / code / "country.yaml").write_text(country_yaml(code), encoding="utf-8")
    for index in range(count):
        code = COUNTRIES[index % len(COUNTRIES)]
        jump = f"gen-{(index + 1) % count:04d}" if index % 3 == 0 else None
        (root / code / f"gen-{index:04d}.yaml").write_text(flow_yaml(index, jump),
                                                           encoding="utf-8")
    return count


# -- (a) resume throughput -----------------------------------------------------------------
def answer(event: ev.Event, step: str, rng: random.Random) -> ev.Action:
    """A valid answer to the current question, chosen at random."""
    if isinstance(event, ev.Choices):
        return Press(step, rng.choice(event.options).key)
    if isinstance(event, ev.Checklist):
        if rng.random() < 0.4:
            return Press(step, CHECKLIST_DONE)
        return Press(step, rng.choice(event.items).key)
    assert isinstance(event, ev.Ask)
    if event.input == "yesno":
        return Press(step, rng.choice(("yes", "no")))
    if event.input == "number":
        return Text(str(rng.randint(0, 20)))
    if event.input == "date":
        return Text("05.03.2020")
    if event.input == "phone":
        return Text("+7 701 123 45 67")
    return Text(rng.choice(("Ann", "Bob", "Zhanar")))


def drive(flows: FlowSet, flow_ids: list[str], sessions: int, seed: int = 1,
          roundtrip: bool = False) -> tuple[int, int]:
    """Run `sessions` sessions to their end; return (engine steps, resume calls).

    With `roundtrip`, the session goes through JSON between messages, as the bot stores it.
    """
    rng = random.Random(seed)
    steps = resumes = 0
    for number in range(sessions):
        flow = flows.flows[flow_ids[number % len(flow_ids)]]
        sprint = start(flows, flow.id, flow.languages[number % len(flow.languages)],
                       today=TODAY)
        steps += len(sprint.trace)
        question = sprint.events[-1]
        for _ in range(200):
            if sprint.session["status"] != "waiting":
                break
            action = answer(question, sprint.session["step"], rng)
            session = json.loads(json.dumps(sprint.session)) if roundtrip else sprint.session
            sprint = resume(flows, session, action, today=TODAY)
            resumes += 1
            steps += len(sprint.trace)
            if sprint.events and isinstance(sprint.events[-1], ev.QUESTION_EVENTS):
                question = sprint.events[-1]
    return steps, resumes


def bench_resume(flows: FlowSet, flow_ids: list[str], sessions: int, roundtrip: bool = False,
                 repeat: int = 3) -> dict[str, float]:
    """Best of `repeat` runs (the same seeded sessions each time), after a warm-up."""
    drive(flows, flow_ids, max(1, sessions // 20))
    elapsed = cpu = float("inf")
    steps = resumes = 0
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        steps, resumes = drive(flows, flow_ids, sessions, roundtrip=roundtrip)
        wall, used = time.perf_counter() - began, time.process_time() - began_cpu
        if wall < elapsed:
            elapsed, cpu = wall, used
    return {"sessions": sessions, "steps": steps, "resumes": resumes, "seconds": elapsed,
            "cpu": cpu, "steps_per_s": steps / elapsed, "resumes_per_s": resumes / elapsed}


# -- (b) load + check ------------------------------------------------------------------------
def _timed(function, *args) -> tuple[Any, float, float]:  # type: ignore[no-untyped-def]
    began, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - began, time.process_time() - cpu


def bare_csafeloader(root: Path, repeat: int = 3) -> tuple[float, float]:
    """The yardstick: `yaml.load(..., Loader=yaml.CSafeLoader)` of the same files, nothing else
    (no positions, no model, no checks); best of `repeat`, with the collector paused as
    `load_flows` does. Falls back to the pure-Python loader when libyaml is missing."""
    import gc

    import yaml

    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    paths = sorted(root.rglob("*.yaml"))

    def load_all() -> None:
        for path in paths:
            yaml.load(path.read_bytes().decode("utf-8"), Loader=loader)

    best = best_cpu = float("inf")
    for _ in range(repeat):
        gc.disable()
        try:
            _, wall, used = _timed(load_all)
        finally:
            gc.enable()
        if wall < best:
            best, best_cpu = wall, used
    return best, best_cpu


def bench_load(root: Path, repeat: int = 3) -> dict[str, Any]:
    """The first load of the folder in this process (nothing remembered: what `flows check`
    and a starting bot pay), then reloads with the files unchanged (what `/reload`, a
    published change and a proposal's check pay: unchanged files are not read again)."""
    file_cache.clear()
    result, first, first_cpu = _timed(load_flows, root, TODAY)
    best = best_cpu = float("inf")
    for _ in range(repeat):
        result = None  # let the previous result go first, as a reload would
        result, wall, used = _timed(load_flows, root, TODAY)
        if wall < best:
            best, best_cpu = wall, used
    assert result is not None
    steps = sum(len(flow.steps) for flow in result.flows.flows.values())
    bare, bare_cpu = bare_csafeloader(root, repeat)
    return {"seconds": best, "cpu": best_cpu, "first": first, "first_cpu": first_cpu,
            "bare": bare, "bare_cpu": bare_cpu, "flows": len(result.flows.flows),
            "steps": steps, "errors": len(result.errors), "warnings": len(result.warnings),
            "first_problem": str(result.problems[0]) if result.problems else ""}


def _with_libyaml() -> bool:
    import yaml

    return bool(yaml.__with_libyaml__)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def profile(label: str, function, *args) -> None:  # type: ignore[no-untyped-def]
    profiler = cProfile.Profile()
    profiler.enable()
    function(*args)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(20)  # where the time is spent
    stats.sort_stats("cumulative").print_stats(15)  # and on whose behalf
    print(f"\n--- profile: {label} ---")
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print cProfile summaries")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    parser.add_argument("--sessions", type=int, default=None, help="sessions for (a)")
    args = parser.parse_args(argv)
    count = 100 if args.quick else FLOWS
    sessions = args.sessions or (200 if args.quick else 3000)
    print(f"Passerelle engine benchmark (Python {sys.version.split()[0]}, "
          f"{platform.machine()}, one process, one thread)")

    with tempfile.TemporaryDirectory(prefix="passerelle-bench-") as tmp:
        root = Path(tmp)
        write_flows(root, count)
        files = sum(1 for _ in root.rglob("*.yaml"))
        load = bench_load(root)
        flows = load_flows(root, today=TODAY).flows
        flow_ids = sorted(flows.flows)[:50]
        run = bench_resume(flows, flow_ids, sessions)
        json_run = bench_resume(flows, flow_ids, sessions, roundtrip=True, repeat=1)

        print()
        print(f"(a) resume: {run['sessions']} sessions through {len(flow_ids)} generated flows, "
              f"{run['resumes']} resumes, {run['steps']} engine steps in "
              f"{run['seconds']:.2f} s (best of 3; cpu {run['cpu']:.2f} s)")
        ok_a = run["steps_per_s"] >= TARGET_STEPS_PER_SECOND
        print(f"    {run['steps_per_s']:>10,.0f} steps/s    target >= "
              f"{TARGET_STEPS_PER_SECOND:,}  {verdict(ok_a)}")
        print(f"    {run['resumes_per_s']:>10,.0f} resumes/s")
        print(f"    {json_run['steps_per_s']:>10,.0f} steps/s, {json_run['resumes_per_s']:,.0f} "
              "resumes/s with a JSON round trip of the session per message (information)")
        shipped = REPO / "flows"
        if shipped.is_dir():
            real = load_flows(shipped, today=TODAY)
            if real.flows.flows:
                ids = sorted(real.flows.flows)
                real_run = bench_resume(real.flows, ids, sessions, repeat=1)
                print(f"    {real_run['steps_per_s']:>10,.0f} steps/s, "
                      f"{real_run['resumes_per_s']:,.0f} resumes/s through the {len(ids)} "
                      f"shipped flows (information)")
        print()
        ok_b = load["seconds"] < TARGET_LOAD_SECONDS and load["errors"] == 0
        print(f"(b) load + check: {load['flows']} flows, {load['steps']} steps, {files} YAML "
              f"files in {len(COUNTRIES)} countries, 2 languages")
        print(f"    {load['seconds']:>10.2f} s       target < {TARGET_LOAD_SECONDS:g} s  "
              f"{verdict(ok_b)}  reload, files unchanged (best of 3; cpu {load['cpu']:.2f} s)"
              f"; {load['seconds'] / load['bare']:.2f} x bare CSafeLoader")
        print(f"    {load['first']:>10.2f} s       first load in the process, nothing cached "
              f"(cpu {load['first_cpu']:.2f} s); {load['first'] / load['bare']:.2f} x bare "
              "CSafeLoader")
        print(f"    {load['bare']:>10.2f} s       bare yaml.load(Loader=yaml.CSafeLoader) of the "
              f"same files (best of 3; cpu {load['bare_cpu']:.2f} s; libyaml "
              f"{'yes' if _with_libyaml() else 'NO: pure-Python loader'})")
        print(f"    {load['errors']} errors, {load['warnings']} warnings"
              + (f"; first: {load['first_problem']}" if load["first_problem"] else ""))
        if args.profile or not (ok_a and ok_b):
            if not ok_a or args.profile:
                profile("resume", drive, flows, flow_ids, sessions // 3)
            if not ok_b or args.profile:
                file_cache.clear()
                profile("load_flows, first load", load_flows, root, TODAY)
                profile("load_flows, reload", load_flows, root, TODAY)
    return 0 if ok_a and ok_b else 1


if __name__ == "__main__":
    sys.exit(main())
