"""`python -m bot report`: the same service as /report, from a shell, as a real subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from backend import db_env

from bot.storage.db import Database

REPO = Path(__file__).resolve().parents[2]
TODAY = date.today().isoformat()


def report(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
             "DATABASE_PATH": str(tmp_path / "db.sqlite3"), "FLOWS_DIR": str(REPO / "flows"),
             "PYTHONPATH": str(REPO), **db_env(), **env}
    return subprocess.run([sys.executable, "-m", "bot", "report", *args], cwd=tmp_path,
                          env=clean, capture_output=True, text=True, timeout=120)


@pytest.fixture
async def seeded(tmp_path: Path) -> Path:
    db = await Database.open(tmp_path / "db.sqlite3")
    async with db.transaction() as tx:
        for kind, step, n in [("started", "intro", 30), ("reached", "intro", 30),
                              ("abandoned", "parents", 6), ("completed", "end", 12)]:
            await tx.execute("INSERT INTO journey_events VALUES (?, 'KZ', 'kz-birth', ?, 'ru',"
                             " ?, '', ?)", (TODAY, step, kind, n))
    await db.close()
    return tmp_path


def test_json_to_stdout_with_small_cells_hidden(seeded: Path) -> None:
    result = report(seeded, "--country", "KZ", "--format", "json", "-o", "-")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    kz = next(r for r in data["tables"]["procedures"]["rows"] if r["flow_id"] == "kz-birth")
    assert (kz["started"], kz["completed"], kz["abandoned"]) == (30, 12, None)


def test_csv_is_a_zip_with_its_dictionary_in_the_chosen_language(seeded: Path) -> None:
    result = report(seeded, "--format", "csv", "-o", "out/kz.zip", "--lang", "ru",
                    "--since", TODAY, "--until", TODAY)
    assert result.returncode == 0, result.stderr
    assert "out/kz.zip" in result.stdout and "under 10 hidden" in result.stdout
    archive = zipfile.ZipFile(io.BytesIO((seeded / "out" / "kz.zip").read_bytes()))
    dictionary = archive.read("dictionary.csv").decode("utf-8-sig")
    assert dictionary.startswith("file,column,label,meaning")
    assert "procedures.csv,started," in dictionary


def test_html_by_default_file_name(seeded: Path) -> None:
    result = report(seeded, "--format", "html")
    assert result.returncode == 0, result.stderr
    written = seeded / f"passerelle-report-{TODAY}.html"
    assert "<svg" in written.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [["--format", "json", "--since", "2026-02-30"],
                                  ["--format", "json", "--country", "Kazakhstan"],
                                  ["--format", "csv", "-o", "-"],
                                  ["--format", "json", "--lang", "xx"]])
def test_bad_input_is_one_line_and_exit_2(seeded: Path, args: list[str]) -> None:
    result = report(seeded, *args)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("passerelle: ")


def test_the_minimum_count_comes_from_the_settings(seeded: Path) -> None:
    result = report(seeded, "--format", "json", "-o", "-", REPORT_MIN_COUNT="5")
    data = json.loads(result.stdout)
    kz = next(r for r in data["tables"]["procedures"]["rows"] if r["flow_id"] == "kz-birth")
    assert data["min_count"] == 5 and kz["abandoned"] == 6
