"""Safe and honest defaults: private file modes whatever the umask, warnings for settings
that are probably mistakes, a token message that says what is wrong, a doctor that does not
fail a webhook that the bot has not set yet."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest
from fakebotapi import FakeBotAPI

from bot.__main__ import main
from bot.config import ConfigError, Settings, load_settings
from bot.ops import doctor
from bot.storage.backup import backup
from bot.storage.db import Database

REPO = Path(__file__).resolve().parents[1]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The most permissive umask: every file created must still be 0600."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.sqlite_only  # the SQLite files' modes (PostgreSQL's files are the server's)
def test_database_wal_shm_backup_and_report_are_private_whatever_the_umask(
        tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "data" / "passerelle.sqlite3"

    async def use() -> None:
        db = await Database.open(path)
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO kv (key, value) VALUES ('k', 'v')")
        for name in (path.name, path.name + "-wal", path.name + "-shm"):
            assert _mode(path.parent / name) == 0o600, name
        await db.close()

    asyncio.run(use())
    copy = backup(path, tmp_path / "backups" / "copy.sqlite3").path
    assert _mode(copy) == 0o600
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.setenv("FLOWS_DIR", str(REPO / "flows"))
    report = tmp_path / "exports" / "report.json"
    assert main(["report", "--format", "json", "-o", str(report)]) == 0
    assert _mode(report) == 0o600


@pytest.mark.parametrize(("token", "says"), [
    ("123456789 AAHxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "contains a space"),
    ('"123456789:AAHxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"', "quotes"),
    ("123456789AAHxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "has no ':'"),
    ("bot123:AAHxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "numeric id"),
    ("123456789:AAH/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "not '/'"),
    ("123456789:AAHxxxxxxxx", "has 11 characters"),
])
def test_the_token_message_says_what_is_wrong(token: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"BOT_TOKEN": token}, env_file=None)
    assert says in str(caught.value)
    secret = token.partition(":")[2].strip('"')
    assert not secret or secret not in str(caught.value)


def test_an_unknown_key_and_no_admin_are_warnings_naming_the_closest_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"BOT_TOKEN={FakeBotAPI.token}\nADMIN_ID=42\n", encoding="utf-8")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    monkeypatch.setenv("FLOWS_DIR", str(REPO / "flows"))
    monkeypatch.setenv("METRIC_PORT", "9464")  # a typo in the environment
    monkeypatch.setenv("EDITOR", "vi")  # not ours, not close: no warning
    lines: list[str] = []
    doctor.run_checks(env_file=env_file, print_line=lines.append)
    warns = [line for line in lines if line.startswith("warn  settings")]
    assert any("unknown setting ADMIN_ID=" in w and "did you mean ADMIN_IDS?" in w
               for w in warns), lines
    assert any("unknown setting METRIC_PORT=" in w and "METRICS_PORT" in w for w in warns)
    assert any("no admin" in w for w in warns)
    assert not any("EDITOR" in line for line in lines)


def test_only_unknown_keys_are_named_and_known_ones_pass(tmp_path: Path) -> None:
    from bot import config_check

    settings = Settings(bot_token=FakeBotAPI.token, admin_ids=frozenset({1}))
    env_file = tmp_path / ".env"
    env_file.write_text("ADMINS_IDS=1\nLOG_LEVEL=INFO\n", encoding="utf-8")
    found = config_check.warnings(settings, env_file, environ={})
    assert found == [f"{env_file}: unknown setting ADMINS_IDS= (ignored); did you mean "
                     "ADMIN_IDS?"]


async def test_the_doctor_warns_but_does_not_fail_a_webhook_not_set_yet(
        tmp_path: Path, fake_api: FakeBotAPI) -> None:
    settings = Settings(bot_token=FakeBotAPI.token, telegram_api_url=fake_api.base_url,
                        database_path=tmp_path / "db.sqlite3",
                        webhook_url="https://bot.example.org/telegram", webhook_secret="s")
    verdict = await doctor.check_bot_api(settings)
    assert verdict.ok and verdict.warn
    assert verdict.line().startswith("warn  bot api") and "not set to WEBHOOK_URL yet" in (
        verdict.line())
