"""A volunteer's scope: the countries and languages they cover, as admins type them.

The command line (`volunteer add`) and Telegram (`/invite`) read the same text the same way:
case does not matter (`lb` is `LB`, `RU` is `ru`, `zh-hans` is `zh_Hans`), a country must
have flows (a volunteer for a country nobody can ask about would never get a case), and a
language that none of the country's flows offers is worth a warning (their cases could only
come from people who switched language).
"""

from __future__ import annotations

import re

from bot.engine import FlowSet
from bot.i18n import LANGUAGES

COUNTRY = re.compile(r"^[A-Z]{2}$")


class ScopeError(ValueError):
    """Countries or languages that cannot be used; the message is one line to act on."""


def _codes(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def parse_countries(text: str) -> tuple[str, ...]:
    """'KZ,kg' -> ('KZ', 'KG'): ISO 3166-1 alpha-2 codes, upper case, no duplicates."""
    codes = tuple(dict.fromkeys(code.upper() for code in _codes(text)))
    bad = [code for code in codes if not COUNTRY.match(code)]
    if not codes or bad:
        raise ScopeError(f"countries must be 2 capital letters separated by commas (e.g. KZ,KG), "
                         f"not {', '.join(bad) or repr(text)}")
    return codes


def parse_languages(text: str) -> tuple[str, ...]:
    """'RU,kk' -> ('ru', 'kk'): only languages the bot speaks (bot.i18n.LANGUAGES)."""
    known = {code.lower().replace("-", "_"): code for code in LANGUAGES}
    codes = _codes(text)
    bad = [code for code in codes if code.lower().replace("-", "_") not in known]
    if not codes or bad:
        raise ScopeError(f"unknown language {', '.join(bad) or repr(text)}; "
                         f"use {', '.join(LANGUAGES)}")
    return tuple(dict.fromkeys(known[code.lower().replace("-", "_")] for code in codes))


def check_against_flows(flows: FlowSet, countries: tuple[str, ...],
                        languages: tuple[str, ...]) -> list[str]:
    """Refuse countries with no flows; return a warning per language no flow there offers."""
    missing = [code for code in countries if not flows.for_country(code)]
    if missing:
        offered = ", ".join(sorted({flow.country for flow in flows.flows.values()}))
        raise ScopeError(f"no flows for {', '.join(missing)}; countries with flows: {offered}")
    warnings = []
    for code in countries:
        offered_here = {lang for flow in flows.for_country(code) for lang in flow.languages}
        for lang in languages:
            if lang not in offered_here:
                warnings.append(f"no {code} flow is in {lang} (they offer "
                                f"{', '.join(sorted(offered_here))}); the volunteer will "
                                f"only get {code} cases in the other languages")
    return warnings
