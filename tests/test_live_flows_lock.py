"""Processes sharing FLOWS_DIR (several bots on one machine) never see it half-copied."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from bot.config import SHIPPED_FLOWS
from bot.services import live_flows


def test_a_second_process_waits_while_the_folder_is_being_seeded(tmp_path: Path) -> None:
    live = tmp_path / "data" / "flows"
    with live_flows.folder_lock(live) as held:
        assert held
        worker = threading.Thread(target=live_flows.sync, args=(SHIPPED_FLOWS, live))
        worker.start()
        worker.join(timeout=0.5)
        assert worker.is_alive(), "sync ran while another holder had the folder's lock"
        assert not live.exists()
        with live_flows.folder_lock(live, wait=False) as free:
            assert not free  # a proposal maker that finds it taken skips
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert live_flows.shipped_files(live) == live_flows.shipped_files(SHIPPED_FLOWS)


def test_processes_seeding_together_leave_every_file_whole(tmp_path: Path) -> None:
    live = tmp_path / "flows"
    code = ("import sys; from pathlib import Path; from bot.config import SHIPPED_FLOWS; "
            "from bot.services import live_flows; "
            "print(live_flows.sync(SHIPPED_FLOWS, Path(sys.argv[1])).seeded)")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(live)], stdout=subprocess.PIPE,
                             text=True) for _ in range(4)]
    seeded = [run.communicate(timeout=120)[0].strip() for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert seeded.count("True") == 1  # one process copied; the others found it done
    for rel in live_flows.shipped_files(SHIPPED_FLOWS):
        assert (live / rel).read_bytes() == (SHIPPED_FLOWS / rel).read_bytes(), rel
