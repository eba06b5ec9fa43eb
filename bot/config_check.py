"""Settings that are probably mistakes but not errors: said once, as warnings.

Why apart from `bot.config`: a wrong setting stops the bot (exit 2), but a key the bot does
not know (`ADMIN_ID=` for `ADMIN_IDS=`) is silently ignored, and an operator then wonders why
nobody is an admin. These checks name the closest known key (difflib), and say that no admin
is set; `python -m bot` logs them at start and `python -m bot doctor` prints them as `warn`.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from bot.config import Settings, read_env_file

PACKAGE = Path(__file__).resolve().parent
ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"
_KEY = re.compile(r"^#?\s*([A-Z][A-Z0-9_]{2,})=", re.MULTILINE)
_READ = re.compile(r"""(?:env|environ)(?:\.get\(|\[|,\s*)\s*["']([A-Z][A-Z0-9_]{2,})["']""")
_SIMILARITY = 0.8  # in the process environment, only keys this close to ours are ours


def known_keys() -> set[str]:
    """Every key the bot reads (found in its source: settings added by any part count
    without a list to keep up to date), and what .env.example documents."""
    keys: set[str] = set()
    for source in PACKAGE.rglob("*.py"):
        keys.update(_READ.findall(source.read_text(encoding="utf-8")))
    if ENV_EXAMPLE.is_file():
        keys.update(_KEY.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))
    return keys


def _unknown(key: str, known: set[str]) -> str | None:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown setting {key}= (ignored){hint}"


def warnings(settings: Settings, env_file: Path | None = Path(".env"),
             environ: Mapping[str, str] | None = None) -> list[str]:
    """One line per probable mistake: unknown keys in `.env` (all of them) or in the
    environment (those close to a known key), and no admin at all."""
    known = known_keys()
    found: list[str] = []
    from_file = read_env_file(env_file) if env_file else {}
    for key in from_file:
        if key not in known:
            found.append(f"{env_file}: " + (_unknown(key, known) or ""))
    env = os.environ if environ is None else environ
    for key in env:
        if key in known or key in from_file or not key.isupper():
            continue
        if difflib.get_close_matches(key, sorted(known), n=1, cutoff=_SIMILARITY):
            found.append(f"environment: {_unknown(key, known)}")
    if not settings.admin_ids:
        found.append("no admin: ADMIN_IDS is empty, so nobody can /reload, see /stats, "
                     "/invite volunteers or review proposals")
    return found
