"""Several processes: flows changed on disk by another process are loaded here too."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bot.services.flow_watch import FlowWatcher
from bot.services.library import FlowLibrary

SHIPPED = Path(__file__).resolve().parents[1] / "flows"


async def test_a_flow_changed_by_another_process_is_reloaded(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(SHIPPED, flows)
    library = FlowLibrary.load(flows)
    watcher = FlowWatcher(library)
    assert not await watcher.check()  # nothing changed
    before = library.flows
    path = next(flows.glob("*/country.yaml"))
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert await watcher.check()
    assert library.flows is not before  # the running set was replaced
    assert not await watcher.check()


async def test_a_broken_change_keeps_the_running_flows(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(SHIPPED, flows)
    library = FlowLibrary.load(flows)
    watcher = FlowWatcher(library)
    before = library.flows
    (next(flows.glob("*/country.yaml"))).write_text("id: [broken", encoding="utf-8")
    assert not await watcher.check()
    assert library.flows is before
