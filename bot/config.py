"""The one place that reads settings: the environment, then `.env`, into a frozen object.

Every setting is documented in `.env.example`. The token is validated here so that a typo
gives one clear line instead of a traceback from deep inside the HTTP client.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# The flows shipped with the code (read-only under systemd); the bot runs a copy of them in
# FLOWS_DIR, which publishing writes (see bot/services/live_flows.py).
SHIPPED_FLOWS = Path(__file__).resolve().parent.parent / "flows"
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,60}$")
TOKEN_HELP = (
    "Get a token from @BotFather in Telegram (/newbot) and put it in .env as BOT_TOKEN=...; "
    "to try the flows without a token, run: python -m bot console"
)


def token_problem(token: str) -> str:
    """What is wrong with a malformed token, without repeating it (it may be a real one)."""
    if any(c.isspace() for c in token):
        return "it contains a space (copy only the token, e.g. 123456789:AAH…)"
    if token[:1] in "\"'<" or token[-1:] in "\"'>":
        return "it is wrapped in quotes or <>; write BOT_TOKEN=123456789:AAH… without them"
    if ":" not in token:
        return "it has no ':' (a token is the bot's id, a colon, then its secret)"
    bot_id, _, secret = token.partition(":")
    if not bot_id.isdigit() or not 3 <= len(bot_id) <= 20:
        return "the part before ':' must be the bot's numeric id"
    bad = sorted({c for c in secret if not (c.isascii() and (c.isalnum() or c in "_-"))})
    if bad:
        return f"the part after ':' may only hold A-Z, a-z, 0-9, _ and -, not {''.join(bad)!r}"
    return (f"the part after ':' has {len(secret)} characters, a token's has 30 to 60 "
            "(was it cut when copied?)")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line a person can act on."""


@dataclass(frozen=True)
class Settings:
    bot_token: str = field(repr=False)
    telegram_api_url: str = "https://api.telegram.org/bot"
    database_path: Path = Path("data/passerelle.sqlite3")
    database_url: str | None = field(default=None, repr=False)  # postgresql://… (password)
    database_pool_size: int = 10  # PostgreSQL connections per process
    inbox_lease_seconds: float = 10.0  # PostgreSQL: a dead process's update comes back after
    flows_dir: Path = Path("data/flows")
    shipped_flows_dir: Path = SHIPPED_FLOWS
    admin_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8080
    send_rate: float = 30.0
    renotify_minutes: float = 30.0
    admin_escalation_minutes: float = 120.0
    retention_days: int = 90
    metrics_port: int | None = None
    metrics_listen: str = "127.0.0.1"
    quiet_hours: str = "21:00-08:00"
    notify_per_wave: int = 5
    report_min_count: int = 10
    abandon_after_hours: float = 24.0
    health_stale_seconds: float = 120.0

    @property
    def database(self) -> str | Path:
        """What ``Database.open`` takes: the PostgreSQL URL when set, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def telegram_file_url(self) -> str:
        """Where files are downloaded: Telegram's layout puts `/file` before `/bot<token>`."""
        base = self.telegram_api_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_INLINE_COMMENT = re.compile(r"\s+#.*$")


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines (comments, blank lines, optional quotes); no interpolation.

    As in python-dotenv and docker compose, `#` after whitespace starts a comment in an
    unquoted value (`LOG_LEVEL=INFO # verbose later`), and a quoted value ends at its closing
    quote, so `"a # b"` keeps its `#`.
    """
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        quote = value[:1]
        if quote in ("\"", "'") and quote in value[1:]:
            value = value[1:value.index(quote, 1)]
        else:
            value = _INLINE_COMMENT.sub("", value)
        values[key] = value
    return values


def _number(env: Mapping[str, str], key: str, default: float, kind: type = float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a number; see .env.example") from None
    if value < 0:
        raise ConfigError(f"{key} must not be negative; see .env.example")
    return value


def _port(env: Mapping[str, str], key: str, default: int | None = None) -> int | None:
    """A TCP port (1-65535), or `default` when the setting is empty."""
    raw = env.get(key, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"{key}={raw!r} is not a port number (1-65535); see .env.example")
    return int(raw)


def _is_url(value: str, schemes: tuple[str, ...]) -> bool:
    parts = urlsplit(value)
    return parts.scheme in schemes and bool(parts.hostname)


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    *,
    require_token: bool = True,
) -> Settings:
    """Build Settings; the process environment wins over `.env`."""
    env = {**(read_env_file(env_file) if env_file else {}),
           **(os.environ if environ is None else environ)}
    token = env.get("BOT_TOKEN", "").strip()
    if require_token and not token:
        raise ConfigError(f"BOT_TOKEN is not set. {TOKEN_HELP}")
    if require_token and not TOKEN_PATTERN.match(token):
        raise ConfigError(f"BOT_TOKEN is not a bot token: {token_problem(token)}. {TOKEN_HELP}")
    admin_ids = set()
    for part in env.get("ADMIN_IDS", "").replace(";", ",").split(","):
        if part.strip():
            if not part.strip().lstrip("-").isdigit():
                raise ConfigError(f"ADMIN_IDS must be Telegram user ids separated by commas, "
                                  f"not {part.strip()!r}")
            admin_ids.add(int(part))
    webhook_url = env.get("WEBHOOK_URL", "").strip() or None
    if webhook_url and not _is_url(webhook_url, ("https",)):
        raise ConfigError(f"WEBHOOK_URL={webhook_url!r} must be a public https:// address "
                          "(Telegram calls webhooks over HTTPS only); leave it empty to poll")
    secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError("WEBHOOK_SECRET may only use A-Z, a-z, 0-9, _ and - (1-256 characters)")
    if webhook_url and not secret:
        raise ConfigError("WEBHOOK_URL needs WEBHOOK_SECRET (see .env.example)")
    api_url = env.get("TELEGRAM_API_URL", "").strip() or Settings.telegram_api_url
    if not _is_url(api_url, ("https", "http")):
        raise ConfigError(f"TELEGRAM_API_URL={api_url!r} is not an http(s):// address; "
                          f"the default is {Settings.telegram_api_url}")
    database_path = Path(env.get("DATABASE_PATH", "").strip() or Settings.database_path)
    if database_path.is_dir():
        raise ConfigError(f"DATABASE_PATH={str(database_path)!r} is a folder; give a file, "
                          f"e.g. {database_path / 'passerelle.sqlite3'}")
    database_url = env.get("DATABASE_URL", "").strip() or None
    if database_url and not database_url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("DATABASE_URL must start with postgresql:// (e.g. postgresql://"
                          "passerelle:PASSWORD@127.0.0.1:5432/passerelle); leave it empty "
                          "to use SQLite at DATABASE_PATH")
    log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL={log_level.lower()!r} is not a log level; use one of "
                          f"{', '.join(LOG_LEVELS)}")
    return Settings(
        bot_token=token,
        telegram_api_url=api_url,
        database_path=database_path,
        database_url=database_url,
        database_pool_size=max(1, int(_number(env, "DATABASE_POOL_SIZE", 10, int))),
        inbox_lease_seconds=_number(env, "INBOX_LEASE_SECONDS", 10.0),
        flows_dir=Path(env.get("FLOWS_DIR", "").strip() or Settings.flows_dir),
        admin_ids=frozenset(admin_ids),
        log_level=log_level,
        webhook_url=webhook_url,
        webhook_secret=secret,
        webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        webhook_port=_port(env, "WEBHOOK_PORT") or Settings.webhook_port,
        send_rate=_number(env, "SEND_RATE", 30.0),
        renotify_minutes=_number(env, "ESCALATION_RENOTIFY_MINUTES", 30.0),
        admin_escalation_minutes=_number(env, "ESCALATION_ADMIN_MINUTES", 120.0),
        retention_days=int(_number(env, "RETENTION_DAYS", 90, int)),
        metrics_port=_port(env, "METRICS_PORT"),
        metrics_listen=env.get("METRICS_LISTEN", "").strip() or "127.0.0.1",
        quiet_hours=_quiet_hours(env),
        notify_per_wave=int(_number(env, "NOTIFY_PER_WAVE", 5, int)),
        report_min_count=_min_count(env),
        abandon_after_hours=_number(env, "ABANDON_AFTER_HOURS", 24.0),
        health_stale_seconds=_health_stale(env),
    )


def _health_stale(env: Mapping[str, str]) -> float:
    """HEALTH_STALE_SECONDS: /healthz answers 503 when Telegram has not answered for longer."""
    value = _number(env, "HEALTH_STALE_SECONDS", 120.0)
    if value < 1:
        raise ConfigError(f"HEALTH_STALE_SECONDS must be at least 1 (seconds), not {value:g}")
    return value


def _quiet_hours(env: Mapping[str, str]) -> str:
    """QUIET_HOURS in each country's local time, e.g. 21:00-08:00 (the default); "off": none."""
    value = env.get("QUIET_HOURS", "").strip() or Settings.quiet_hours
    if value.lower() in ("off", "none", "0"):
        return "off"
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value):
        raise ConfigError(f"QUIET_HOURS={value!r} is not a time range like 21:00-08:00")
    return value


REPORT_MIN_COUNT_FLOOR = 5  # below this, small cells in reports could point at people


def _min_count(env: Mapping[str, str]) -> int:
    """REPORT_MIN_COUNT: the smallest count a report shows; never below 5."""
    value = int(_number(env, "REPORT_MIN_COUNT", 10, int))
    if value < REPORT_MIN_COUNT_FLOOR:
        raise ConfigError(f"REPORT_MIN_COUNT must be at least {REPORT_MIN_COUNT_FLOOR} (counts "
                          f"under it are hidden in reports), not {value}; see .env.example")
    return value
