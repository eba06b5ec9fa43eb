"""Parsing `country.yaml`: the country's names, languages, offices and contacts."""

from __future__ import annotations

from typing import Any

from .fields import Reporter, TextReader, read_languages
from .located import LocatedDict, Pos, pos_of
from .model import ENFORCEMENT, Contact, Country, Office
from .outcome_fields import COUNTRY_OUTCOME_FIELDS, parse_country_outcomes
from .same_numbers import Translated, check_same_numbers

COUNTRY_FIELDS = {"country", "name", "languages", "default_language", "offices", "contacts",
                  "review"}
COUNTRY_FIELDS |= COUNTRY_OUTCOME_FIELDS  # blockers, timezone, quiet_hours: outcome_fields.py
TARGET_FIELDS = {"first_response_minutes": 60, "next_response_hours": 24}  # and defaults
COUNTRY_FIELDS |= set(TARGET_FIELDS)
OFFICE_FIELDS = {"id", "name", "address", "hours", "phone", "url", "lat", "lon", "review",
                 "risk", "caution"}
RISKS = (ENFORCEMENT,)


def parse_office(report: Reporter, data: Any, texts: TextReader, pos: Pos,
                 office_id: str = "") -> Office | None:
    if not isinstance(data, LocatedDict):
        report.error(pos, "bad-field", "an office must be a mapping with at least `name`")
        return None
    report.unknown_fields(data, OFFICE_FIELDS, "an office")
    if not report.require(data, ("name",), "this office"):
        return None
    coords = []
    for key in ("lat", "lon"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
            report.error(pos_of(data, key), "bad-field", f"`{key}` must be a number")
            value = None
        coords.append(value)
    if (coords[0] is None) != (coords[1] is None):
        report.error(data.pos, "bad-field", "give both `lat` and `lon`, or neither")
        coords = [None, None]
    risk = data.get("risk")
    if risk is not None and risk not in RISKS:
        report.error(pos_of(data, "risk"), "bad-field", f"unknown `risk: {risk}`",
                     "the only risk is `risk: enforcement` (police, migration services, "
                     "General Security: a person without valid papers may be detained there)")
        risk = None
    # a missing language of a caution is an error of its own (check_safety), not a warning
    caution = texts.read(data, "caution", complete=False) if "caution" in data else None
    return Office(
        id=str(data.get("id", office_id)),
        name=texts.read(data, "name"),
        address=texts.read(data, "address") if "address" in data else None,
        hours=texts.read(data, "hours") if "hours" in data else None,
        phone=str(data["phone"]) if data.get("phone") is not None else None,
        url=str(data["url"]) if data.get("url") is not None else None,
        lat=coords[0],
        lon=coords[1],
        risk=risk,
        caution=caution,
        pos=data.pos,
        caution_pos=pos_of(data, "caution") if "caution" in data else None,
    )


def parse_targets(report: Reporter, data: LocatedDict) -> dict[str, int]:
    """The workspace's response targets: whole positive numbers, defaults when absent."""
    found = {}
    for key, default in TARGET_FIELDS.items():
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            report.error(pos_of(data, key), "bad-field",
                         f"`{key}` must be a whole number above 0")
            value = default
        found[key] = value
    return found


def parse_country(report: Reporter, data: Any, code: str) -> Country | None:
    """Build a country from its `country.yaml`."""
    if not isinstance(data, LocatedDict):
        report.error(Pos(1, 1), "bad-file", "country.yaml must be a mapping",
                     "see docs/flows.md, country.yaml")
        return None
    report.unknown_fields(data, COUNTRY_FIELDS, "country.yaml")
    if not report.require(data, ("country", "name", "languages", "default_language"),
                          "country.yaml"):
        return None
    if data["country"] != code:
        report.error(pos_of(data, "country"), "bad-country",
                     f"`country: {data['country']}` does not match the folder {code}",
                     "the folder name is the ISO 3166-1 alpha-2 code")
    languages = read_languages(report, data)
    translated: list[Translated] = []
    texts = TextReader(report, languages, [], translated)
    default = data["default_language"]
    if default not in languages:
        report.error(pos_of(data, "default_language"), "unknown-language",
                     f"`{default}` is not in `languages`")
    offices: dict[str, Office] = {}
    raw_offices = data.get("offices") or []
    for index, entry in enumerate(raw_offices if isinstance(raw_offices, list) else []):
        office = parse_office(report, entry, texts, pos_of(raw_offices, index))
        if office is None:
            continue
        if not office.id:
            report.error(pos_of(raw_offices, index), "missing-field", "this office has no `id`")
        elif office.id in offices:
            report.error(pos_of(raw_offices, index), "duplicate-id",
                         f"office id `{office.id}` is used twice")
        else:
            offices[office.id] = office
    contacts = []
    raw_contacts = data.get("contacts") or []
    for entry in raw_contacts if isinstance(raw_contacts, list) else []:
        if isinstance(entry, LocatedDict) and "name" in entry:
            report.unknown_fields(entry, {"name", "phone", "url", "review"}, "a contact")
            contacts.append(Contact(texts.read(entry, "name"),
                                    str(entry["phone"]) if "phone" in entry else None,
                                    str(entry["url"]) if "url" in entry else None))
        else:
            report.error(getattr(entry, "pos", data.pos), "bad-field", "a contact needs `name:`")
    country = Country(code, texts.read(data, "name"), languages, str(default), offices,
                      tuple(contacts), report.file,
                      outcomes=parse_country_outcomes(report, data, languages, translated),
                      **parse_targets(report, data))
    check_same_numbers(report, translated, languages)
    return country
