"""A database that cannot be written: one line naming the file, exit 1, never a hang, in
`python -m bot` and in every command.

Tests run as root, where chmod blocks nothing; so the database is made unwritable as an
operator meets it: a read-only bind mount (of its folder, or of the file alone) or a full
tmpfs, each in a private mount namespace (`unshare -rm`: no privilege needed, nothing
changes outside the subprocess). Where user namespaces are not allowed the test falls back to
running the subprocess as `nobody` (`setpriv`) on root-owned files, else it is skipped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage.db import Database

REPO = Path(__file__).resolve().parents[1]
TOKEN = "123456789:AAFakeTokenForTestsOnly_0123456789ab"
COMMANDS = [[], ["volunteer", "list"], ["followups"], ["forget", "801"],
            ["report", "--format", "json", "-o", "-"], ["flows", "history", "faq"]]


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False)
    return probe.returncode == 0


NAMESPACES = _namespaces_work()
SETPRIV = shutil.which("setpriv") is not None and os.geteuid() == 0
pytestmark = [pytest.mark.sqlite_only,  # file modes and a full disk are SQLite's matter
              pytest.mark.skipif(not (NAMESPACES or SETPRIV),
                                 reason="needs unshare -rm or setpriv to make a file unwritable")]


def _existing_database(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "passerelle.sqlite3"

    async def create() -> None:
        db = await Database.open(path)
        await db.close()

    asyncio.run(create())
    return path


def _run(argv: list[str], database: Path, setup: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGV` with ``setup`` (shell, in a private mount namespace) run first."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO),
           "FLOWS_DIR": str(REPO / "flows"), "DATABASE_PATH": str(database),
           "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:9/bot",
           "HOME": str(database.parent.parent)}
    command = [sys.executable, "-m", "bot", *argv]
    if NAMESPACES:
        command = ["unshare", "-rm", "sh", "-c", f'{setup} && exec "$@"', "sh", *command]
    else:  # as nobody, on files root owns: read-only for the bot
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, env=env,
                          cwd=database.parent.parent, check=False)


def _assert_one_line_exit_1(result: subprocess.CompletedProcess[str], path: Path) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    named = [line for line in output.splitlines() if str(path) in line]
    assert named and ("cannot" in named[-1]), output
    assert "Traceback" not in output


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "run")
def test_a_database_in_a_read_only_folder(tmp_path: Path, argv: list[str]) -> None:
    path = _existing_database(tmp_path / "data")
    folder = path.parent
    result = _run(argv, path, f"mount --bind -o ro {folder} {folder}")
    _assert_one_line_exit_1(result, path)


@pytest.mark.skipif(not NAMESPACES, reason="needs unshare -rm (a read-only file mount)")
@pytest.mark.parametrize("argv", COMMANDS[:3], ids=lambda a: " ".join(a) or "run")
def test_a_read_only_database_file(tmp_path: Path, argv: list[str]) -> None:
    path = _existing_database(tmp_path / "data")
    result = _run(argv, path, f"mount --bind -o ro {path} {path}")
    _assert_one_line_exit_1(result, path)
    assert "readonly" in result.stdout + result.stderr


@pytest.mark.skipif(not NAMESPACES, reason="needs unshare -rm (a small tmpfs)")
@pytest.mark.parametrize("argv", COMMANDS[:2], ids=lambda a: " ".join(a) or "run")
def test_a_database_on_a_full_disk(tmp_path: Path, argv: list[str]) -> None:
    source = _existing_database(tmp_path / "seed")
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / source.name
    size = source.stat().st_size + 8 * 1024
    setup = (f"mount -t tmpfs -o size={size} tmpfs {folder} && cp {source} {path} && "
             f"(dd if=/dev/zero of={folder}/filler bs=1024 2>/dev/null || true)")
    result = _run(argv, path, setup)
    _assert_one_line_exit_1(result, path)
    assert "full" in result.stdout + result.stderr
