"""Starting `python -m bot`: bad settings and bad flows stop it with a clear message.

The subprocesses run with a clean environment in an empty folder, so neither the developer's
environment nor a `.env` in the repository can make them pass by accident. None reaches
Telegram: each stops before the first request (the API URL points at a closed local port).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, read_env_file

REPO = Path(__file__).resolve().parents[1]
GOOD_TOKEN = "123456789:AAFakeTokenForTestsOnly_0123456789ab"
NOWHERE = "http://127.0.0.1:9/bot"


def run_bot(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "PYTHONPATH": str(REPO),
             "TELEGRAM_API_URL": NOWHERE, "DATABASE_PATH": str(cwd / "db.sqlite3"), **env}
    return subprocess.run([sys.executable, "-m", "bot"], cwd=cwd, env=clean,
                          capture_output=True, text=True, timeout=60)


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.parametrize(("env", "dotenv"), [
    ({}, None),
    ({"BOT_TOKEN": "   "}, None),
    ({"BOT_TOKEN": "12345:short"}, None),
    ({"BOT_TOKEN": "not a token at all"}, None),
    ({}, "BOT_TOKEN=123456789:has spaces and is too short\n"),
], ids=["missing", "blank", "short", "garbage", "malformed-in-dotenv"])
def test_a_missing_or_malformed_token_is_one_line_and_exit_2(
        tmp_path: Path, env: dict[str, str], dotenv: str | None) -> None:
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    result = run_bot(tmp_path, **env)
    assert result.returncode == 2
    line = one_clear_line(result)
    assert "BotFather" in line and "python -m bot console" in line
    assert "BOT_TOKEN" in line


def test_the_environment_wins_over_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=bad\nADMIN_IDS=1, 2\n# comment\n", "utf-8")
    settings = load_settings({"BOT_TOKEN": GOOD_TOKEN}, tmp_path / ".env")
    assert settings.bot_token == GOOD_TOKEN
    assert settings.admin_ids == frozenset({1, 2})
    assert GOOD_TOKEN not in repr(settings)  # never printed in logs


@pytest.mark.parametrize(("key", "value"), [("ADMIN_IDS", "12,bob"), ("SEND_RATE", "fast"),
                                            ("WEBHOOK_SECRET", "has spaces")])
def test_other_malformed_settings_are_config_errors(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        load_settings({"BOT_TOKEN": GOOD_TOKEN, key: value}, None)


def test_a_malformed_setting_stops_the_bot_with_exit_2(tmp_path: Path) -> None:
    result = run_bot(tmp_path, BOT_TOKEN=GOOD_TOKEN, ADMIN_IDS="12,bob")
    assert result.returncode == 2
    assert "ADMIN_IDS" in one_clear_line(result)


def test_webhook_mode_needs_a_secret(tmp_path: Path) -> None:
    result = run_bot(tmp_path, BOT_TOKEN=GOOD_TOKEN, FLOWS_DIR=str(REPO / "flows"),
                     WEBHOOK_URL="https://example.org/hook")
    assert result.returncode == 2
    assert "WEBHOOK_SECRET" in one_clear_line(result)


def test_invalid_flows_stop_the_start_and_are_listed(tmp_path: Path) -> None:
    flows = tmp_path / "flows" / "SN"
    flows.mkdir(parents=True)
    (flows / "country.yaml").write_text(
        "country: SN\nname: {fr: Sénégal}\nlanguages: [fr]\ndefault_language: fr\n", "utf-8")
    (flows / "broken.yaml").write_text("id: broken\nsteps: [\n", "utf-8")
    (flows / "dangling.yaml").write_text(
        "id: dangling\nlanguages: [fr]\ntitle: T\ndescription: D\n"
        "source: [{title: S, url: 'https://example.org'}]\nlast_reviewed: 2026-01-01\n"
        "steps:\n  - id: a\n    say: x\n    next: nowhere\n", "utf-8")
    result = run_bot(tmp_path, BOT_TOKEN=GOOD_TOKEN, FLOWS_DIR=str(tmp_path / "flows"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert any("broken.yaml:" in line and "error" in line for line in lines)
    assert any("dangling.yaml:" in line and "nowhere" in line for line in lines)
    assert "python -m bot flows check" in lines[-1]
    assert not (tmp_path / "db.sqlite3").exists()  # it stopped before touching anything


@pytest.mark.parametrize(("key", "value", "says"), [
    ("LOG_LEVEL", "verbose", "not a log level"),
    ("WEBHOOK_URL", "http://example.org/hook", "https://"),
    ("WEBHOOK_URL", "example.org/hook", "https://"),
    ("TELEGRAM_API_URL", "api.telegram.org/bot", "http(s)://"),
    ("WEBHOOK_PORT", "80000", "port number"),
    ("METRICS_PORT", "metrics", "port number"),
])
def test_each_bad_setting_is_named_with_what_to_do(key: str, value: str, says: str) -> None:
    env = {"BOT_TOKEN": GOOD_TOKEN, "WEBHOOK_SECRET": "s3cret", key: value}
    with pytest.raises(ConfigError, match=key) as raised:
        load_settings(env, None)
    assert says in str(raised.value)


def test_a_database_path_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"DATABASE_PATH.*is a folder"):
        load_settings({"BOT_TOKEN": GOOD_TOKEN, "DATABASE_PATH": str(tmp_path)}, None)


def test_inline_comments_in_dotenv_are_not_part_of_the_value(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "LOG_LEVEL=INFO # WARNING when it is calm\n"
        "ADMIN_IDS=1,2   # Amina and Bakyt\n"
        'ALIAS_NOTE="abc # def" # quoted values keep their #\n'
        "FLOWS_DIR=my#flows\n", "utf-8")
    settings = load_settings({"BOT_TOKEN": GOOD_TOKEN}, tmp_path / ".env")
    assert settings.log_level == "INFO"
    assert settings.admin_ids == frozenset({1, 2})
    assert read_env_file(tmp_path / ".env")["ALIAS_NOTE"] == "abc # def"
    assert settings.flows_dir == Path("my#flows")  # no space before '#': part of the value


def test_bad_log_level_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path, BOT_TOKEN=GOOD_TOKEN, LOG_LEVEL="verbose")
    assert result.returncode == 2
    assert "LOG_LEVEL" in one_clear_line(result)


def test_the_first_start_with_broken_flows_keeps_no_running_set(tmp_path: Path) -> None:
    flows = tmp_path / "flows" / "SN"
    flows.mkdir(parents=True)
    (flows / "broken.yaml").write_text("id: broken\nsteps: [\n", "utf-8")
    result = run_bot(tmp_path, BOT_TOKEN=GOOD_TOKEN, FLOWS_DIR=str(tmp_path / "flows"))
    assert result.returncode == 1
    assert "keeping the running set" not in result.stdout + result.stderr
def test_notify_per_wave_defaults_to_five_and_is_read() -> None:
    assert load_settings({"BOT_TOKEN": GOOD_TOKEN}, None).notify_per_wave == 5
    settings = load_settings({"BOT_TOKEN": GOOD_TOKEN, "NOTIFY_PER_WAVE": "8"}, None)
    assert settings.notify_per_wave == 8
    with pytest.raises(ConfigError, match="NOTIFY_PER_WAVE"):
        load_settings({"BOT_TOKEN": GOOD_TOKEN, "NOTIFY_PER_WAVE": "many"}, None)
def test_report_min_count_defaults_to_10_and_is_never_below_5(tmp_path: Path) -> None:
    base = {"BOT_TOKEN": GOOD_TOKEN}
    assert load_settings(base, None).report_min_count == 10
    assert load_settings({**base, "REPORT_MIN_COUNT": "5"}, None).report_min_count == 5
    with pytest.raises(ConfigError, match="REPORT_MIN_COUNT must be at least 5"):
        load_settings({**base, "REPORT_MIN_COUNT": "3"}, None)
    result = run_bot(tmp_path, BOT_TOKEN=GOOD_TOKEN, REPORT_MIN_COUNT="2")
    assert result.returncode == 2
    assert "REPORT_MIN_COUNT must be at least 5" in one_clear_line(result)
    assert load_settings({**base, "ABANDON_AFTER_HOURS": "6"}, None).abandon_after_hours == 6


def test_the_postgresql_pool_size_is_read_from_dotenv_and_checked(tmp_path: Path) -> None:
    """DATABASE_POOL_SIZE goes through the one config reader, so `.env` sets it too."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("DATABASE_POOL_SIZE=4\n", encoding="utf-8")
    assert load_settings({"BOT_TOKEN": GOOD_TOKEN}, dotenv).database_pool_size == 4
    assert load_settings({"BOT_TOKEN": GOOD_TOKEN}, None).database_pool_size == 10
    with pytest.raises(ConfigError, match="DATABASE_POOL_SIZE"):
        load_settings({"BOT_TOKEN": GOOD_TOKEN, "DATABASE_POOL_SIZE": "many"}, None)
