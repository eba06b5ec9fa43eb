"""Benchmark of publishing: `python benchmarks/publishing.py` (see benchmarks/README.md).

Prints, on a temporary copy of the shipped flows (nothing in the repository changes):
- checking one proposal (`check_upload`: safe parsing, the checker on a copy of the flows
  folder, the flow's tests, coverage, the change summary and the diff): the work the proposals
  worker does per uploaded file, outside any transaction;
- approving one (`approve`: the stale check, the re-check, write and rename, reload), which
  runs inside a turn and so holds the database's writer;
- exporting every language to PO and importing it back (each file read back after editing).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine import load_flows
from bot.services import publishing
from bot.services.library import FlowLibrary
from bot.services.roles import Role
from bot.services.translations import export_catalog, import_catalog
from bot.storage import Database
from bot.storage import publishing as store

REPO = Path(__file__).resolve().parent.parent
ALICE, BOB = Role(1, True, None), Role(2, True, None)
FLOW, ROUNDS = "kz-birth", 20


def _ms(samples: list[float]) -> str:
    return (f"median {statistics.median(samples) * 1000:.1f} ms, "
            f"max {max(samples) * 1000:.1f} ms ({len(samples)} runs)")


async def _publishing(root: Path) -> None:
    library = FlowLibrary.load(root / "flows")
    db = await Database.open(root / "bench.sqlite3")
    checks, approvals = [], []
    try:
        for n in range(ROUNDS):
            async with db.transaction() as tx:
                text = (await publishing.export(tx, library, ALICE, FLOW)).text
                proposal_id = await publishing.receive(tx, ALICE, 1, "f", "x.yaml", None, 1)
            started = time.perf_counter()
            checked = publishing.check_upload(library, ALICE, (text + f"# {n}\n").encode(),
                                              "x.yaml")
            checks.append(time.perf_counter() - started)
            async with db.transaction() as tx:
                proposal = await store.get(tx, proposal_id)
                await publishing.store_checked(tx, library.directory, proposal, checked)
                await publishing.request_review(tx, ALICE, proposal_id)
            async with db.transaction() as tx:
                started = time.perf_counter()
                await publishing.approve(tx, library, BOB, proposal_id)
                approvals.append(time.perf_counter() - started)
    finally:
        await db.close()
    print(f"check one proposal ({FLOW}):   {_ms(checks)}")
    print(f"approve and publish one:       {_ms(approvals)}  (inside a turn)")


def _translations(root: Path) -> None:
    flows = root / "flows"
    langs = sorted({lang for f in load_flows(flows).flows.flows.values() for lang in f.languages})
    started = time.perf_counter()
    catalogs = {lang: export_catalog(flows, lang) for lang in langs}
    exported = time.perf_counter() - started
    texts = sum(len([m for m in c if m.id]) for c in catalogs.values())
    for catalog in catalogs.values():  # make every import write: blank one translation
        for message in catalog:
            if message.id and message.string:
                message.string += " (edited)"
                break
    started = time.perf_counter()
    for lang, catalog in catalogs.items():
        import_catalog(flows, catalog, lang)
    imported = time.perf_counter() - started
    print(f"export-translations, {len(langs)} languages, {texts} texts: {exported * 1000:.0f} ms")
    print(f"import-translations, {len(langs)} languages (one edit each): "
          f"{imported * 1000:.0f} ms")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="passerelle-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "flows", root / "flows")
        asyncio.run(_publishing(root))
        _translations(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
