"""Operations: backups while the bot writes, the doctor's verdicts, health and metrics."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import aiohttp
import pytest
from fakebotapi import FakeBotAPI

from bot.__main__ import main
from bot.config import Settings, load_settings
from bot.ops import doctor
from bot.ops.http import MetricsServer
from bot.storage import kv
from bot.storage.backup import BackupError, backup
from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS

REPO = Path(__file__).resolve().parents[1]


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"bot_token": FakeBotAPI.token,
                                 "telegram_api_url": "http://127.0.0.1:9/bot",
                                 "database_path": tmp_path / "db.sqlite3",
                                 "flows_dir": REPO / "flows"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.mark.sqlite_only
async def test_a_backup_taken_while_the_bot_writes_is_consistent(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "live.sqlite3")
    writing = True

    async def writer() -> int:
        n = 0
        while writing:
            async with db.transaction() as tx:  # two rows per transaction, always together
                await kv.put(tx, f"a{n}", "x" * 500)
                await kv.put(tx, f"b{n}", "y" * 500)
            n += 1
            await asyncio.sleep(0)
        return n

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.2)
    result = await asyncio.to_thread(backup, db.path, tmp_path / "copies" / "copy.sqlite3")
    writing = False
    written = await task
    await db.close()

    copy = sqlite3.connect(result.path)
    keys = {row[0] for row in copy.execute("SELECT key FROM kv")}
    mode = copy.execute("PRAGMA journal_mode").fetchone()[0]
    copy.close()
    assert result.schema_version == MIGRATIONS[-1][0]
    assert mode == "delete"  # one self-contained file, no -wal needed beside it
    assert keys, "the copy holds what was committed before it started"
    count = len(keys) // 2
    assert keys == {f"a{i}" for i in range(count)} | {f"b{i}" for i in range(count)}
    assert count <= written
    assert not list((tmp_path / "copies").glob(".*partial"))


def test_a_backup_never_overwrites_and_needs_a_database(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database"):
        backup(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3")
    (tmp_path / "db.sqlite3").write_bytes(b"")
    (tmp_path / "copy.sqlite3").write_text("keep me")
    with pytest.raises(BackupError, match="exists already"):
        backup(tmp_path / "db.sqlite3", tmp_path / "copy.sqlite3")
    assert (tmp_path / "copy.sqlite3").read_text() == "keep me"


@pytest.mark.sqlite_only
def test_the_backup_command_names_both_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    sqlite3.connect(tmp_path / "db.sqlite3").execute("CREATE TABLE t (x)").connection.close()
    (tmp_path / "backups").mkdir()
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    assert main(["backup", str(tmp_path / "backups")]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "db.sqlite3") in out and "passerelle-" in out
    assert len(list((tmp_path / "backups").glob("passerelle-*.sqlite3"))) == 1


async def test_the_doctor_passes_against_a_working_api(tmp_path: Path,
                                                       fake_api: FakeBotAPI) -> None:
    settings = settings_for(tmp_path, telegram_api_url=fake_api.base_url)
    verdict = await doctor.check_bot_api(settings)
    assert verdict.ok and verdict.detail.startswith("@")
    assert doctor.check_database(settings).ok  # will be created
    assert doctor.check_flows(settings).ok


async def test_the_doctor_fails_a_refused_token_without_printing_it(
        tmp_path: Path, fake_api: FakeBotAPI) -> None:
    wrong = "111111111:AAWrongTokenRefusedByTelegram_0123456"
    verdict = await doctor.check_bot_api(settings_for(
        tmp_path, bot_token=wrong, telegram_api_url=fake_api.base_url))
    assert not verdict.ok and "rejected BOT_TOKEN" in verdict.detail
    assert wrong not in verdict.line()


def test_the_doctor_prints_one_verdict_per_check_and_fails_when_one_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", FakeBotAPI.token)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/bot")  # nothing listens
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    monkeypatch.setenv("FLOWS_DIR", str(REPO / "flows"))
    monkeypatch.setenv("ADMIN_IDS", "42")
    lines: list[str] = []
    assert doctor.run_checks(env_file=None, print_line=lines.append) == 1
    assert [line.split()[:2] for line in lines] == [
        ["ok", "settings"], ["ok", "database"], ["ok", "flows"], ["ok", "language"],
        ["FAIL", "bot"]]
    assert "cannot reach http://127.0.0.1:9" in lines[-1]
    assert FakeBotAPI.token not in "\n".join(lines)


def test_the_doctor_reports_broken_settings_and_still_checks_the_rest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "")
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    broken = tmp_path / "flows" / "SN"
    broken.mkdir(parents=True)
    (broken / "broken.yaml").write_text("id: broken\nsteps: [\n", "utf-8")
    monkeypatch.setenv("FLOWS_DIR", str(tmp_path / "flows"))
    lines: list[str] = []
    assert doctor.run_checks(env_file=None, print_line=lines.append) == 1
    assert lines[0].startswith("FAIL  settings") and "BOT_TOKEN" in lines[0]
    assert any(line.startswith("FAIL  flows") for line in lines)


def test_the_doctor_checks_the_shipped_flows_before_the_first_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FLOWS_DIR does not exist yet: the bot creates it from the shipped flows at its first
    start, so those are what the doctor checks (issue 18 item 4)."""
    monkeypatch.setenv("FLOWS_DIR", str(tmp_path / "data" / "flows"))
    verdict = doctor.check_flows(load_settings(require_token=False, env_file=None))
    assert verdict.ok and "created from them at the first start" in verdict.detail


def test_the_doctor_counts_one_catalogue_per_language_and_names_a_missing_one(
        tmp_path: Path) -> None:
    verdict = doctor.check_catalogues()
    assert verdict.ok and verdict.detail.startswith("16 UI catalogues")  # en is the source
    shutil.copytree(doctor.LOCALES_DIR, tmp_path / "locales")
    shutil.rmtree(tmp_path / "locales" / "ff")
    verdict = doctor.check_catalogues(tmp_path / "locales")
    assert not verdict.ok and "no UI catalogue for ff" in verdict.detail


def test_the_doctor_refuses_a_corrupt_or_newer_database(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {MIGRATIONS[-1][0] + 1}")
    conn.close()
    verdict = doctor.check_database(settings_for(tmp_path))
    assert not verdict.ok and "newer than this code" in verdict.detail
    path.write_bytes(b"not a database at all" * 100)
    assert not doctor.check_database(settings_for(tmp_path)).ok


async def test_metrics_and_healthz_report_queues_in_prometheus_format(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    server = MetricsServer(db, port=0)
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{server.port}"
            async with http.get(f"{base}/metrics") as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/plain")
                body = await response.text()
            async with http.get(f"{base}/healthz") as response:
                assert response.status == 200
                health = await response.json()
    finally:
        await server.stop()
        await db.close()
    for name in ("passerelle_updates_processed_total", "passerelle_updates_failed_total",
                 "passerelle_telegram_429_total", "passerelle_outbox_pending",
                 "passerelle_outbox_oldest_age_seconds", "passerelle_cases_open",
                 "passerelle_cases_unclaimed", "passerelle_cases_unclaimed_oldest_age_seconds"):
        assert f"\n{name} " in body, name
    assert health["status"] == "ok" and health["outbox_pending"] == 0

